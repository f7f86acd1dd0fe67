/* Payload types from an SDP offer (see lx-offer.h). */
#include "lx-offer.h"

#include "lx-protocol.h"

#include <stdlib.h>
#include <string.h>

/* The fmtp line of @pt in @media, or NULL. */
static const char *
fmtp_of (const GstSDPMedia *media, gint pt)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
    char *rest;
    if (g_strcmp0 (attribute->key, "fmtp") == 0 && attribute->value &&
        strtol (attribute->value, &rest, 10) == pt && rest != attribute->value && *rest == ' ')
      return rest + 1;
  }
  return NULL;
}

/* Constrained baseline (profile_idc 66 with constraint_set1) or baseline with constraint_set1:
 * what x264's ultrafast preset makes; packetization-mode 1 (FU-A: frames larger than a packet). */
static gboolean
h264_fmtp_fits (const char *fmtp)
{
  g_autofree gchar *lower = fmtp ? g_ascii_strdown (fmtp, -1) : NULL;

  return lower && strstr (lower, "packetization-mode=1") &&
         (strstr (lower, "profile-level-id=42e0") || strstr (lower, "profile-level-id=4240"));
}

LxOfferPayloads
lx_offer_find_payloads (const GstSDPMessage *offer, const char *video_codec)
{
  LxOfferPayloads payloads = { -1, -1 };
  gboolean vp8 = g_strcmp0 (video_codec, LX_VIDEO_CODEC_VP8) == 0;

  for (guint m = 0; m < gst_sdp_message_medias_len (offer); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (offer, m);
    gboolean video = g_strcmp0 (gst_sdp_media_get_media (media), "video") == 0;
    gboolean audio = g_strcmp0 (gst_sdp_media_get_media (media), "audio") == 0;

    for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
      g_auto (GStrv) words = NULL;
      gint pt;

      if (g_strcmp0 (attribute->key, "rtpmap") != 0 || attribute->value == NULL)
        continue;
      words = g_strsplit (attribute->value, " ", 2);
      if (words[0] == NULL || words[1] == NULL)
        continue;
      pt = atoi (words[0]);
      if (video && payloads.video_pt < 0 &&
          (vp8 ? g_ascii_strcasecmp (words[1], "VP8/90000") == 0
               : g_ascii_strcasecmp (words[1], "H264/90000") == 0 &&
                     h264_fmtp_fits (fmtp_of (media, pt))))
        payloads.video_pt = pt;
      if (audio && payloads.audio_pt < 0 && g_ascii_strncasecmp (words[1], "opus/48000", 10) == 0)
        payloads.audio_pt = pt;
    }
  }
  return payloads;
}
