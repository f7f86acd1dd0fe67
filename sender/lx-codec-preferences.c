/* Codec preferences for a classroom's webrtcbin (see lx-codec-preferences.h). */
#include "lx-codec-preferences.h"

#include "lx-offer.h"

#include <stdlib.h>
#include <string.h>

/* profile_idc and the constraint flags byte of the H.264 profiles an encoder here announces
 * (RFC 6184 §8.1; constrained baseline as every browser writes it). */
static const struct {
  const char *name;
  const char *profile_iop;
} h264_profiles[] = {
  { "constrained-baseline", "42e0" }, { "baseline", "4200" }, { "main", "4d00" },
  { "constrained-high", "640c" },     { "high", "6400" },
};

gchar *
lx_codec_h264_profile_level_id (const GstCaps *encoded)
{
  const GstStructure *structure;
  const char *profile, *level;
  gchar *end;
  gdouble number;

  if (encoded == NULL || gst_caps_is_empty (encoded))
    return NULL;
  structure = gst_caps_get_structure (encoded, 0);
  profile = gst_structure_get_string (structure, "profile");
  level = gst_structure_get_string (structure, "level");
  if (profile == NULL || level == NULL)
    return NULL;
  /* Levels are written "3.1", "4": level_idc is ten times the number. */
  number = g_ascii_strtod (level, &end);
  if (end == level || *end != '\0' || number < 1 || number > 6.2)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (h264_profiles); i++)
    if (g_str_equal (profile, h264_profiles[i].name))
      return g_strdup_printf ("%s%02x", h264_profiles[i].profile_iop, (guint) (number * 10 + 0.5));
  return NULL;
}

/* The payloader's caps without what is only true of this one stream's start. The SSRC stays:
 * with one bundled transport, it is how the classroom's webrtcbin tells the video stream (which
 * asks for retransmissions) from the audio one. */
static GstCaps *
session_free_copy (const GstCaps *payloaded)
{
  GstCaps *caps = gst_caps_copy (payloaded);
  GstStructure *structure = gst_caps_get_structure (caps, 0);

  gst_structure_remove_fields (structure, "timestamp-offset", "seqnum-offset", NULL);
  /* Each layer has its own SPS/PPS: they travel in-band before every keyframe, and the SDP must
   * not tie the classroom to one layer's. rtph264pay's own profile-level-id comes from whichever
   * SPS it saw last (if any yet): the encoder's announced profile and level replace it. */
  gst_structure_remove_fields (structure, "sprop-parameter-sets", "profile-level-id", "profile",
                               "level", NULL);
  return caps;
}

static gboolean
is_video (const GstStructure *structure)
{
  return g_strcmp0 (gst_structure_get_string (structure, "media"), "video") == 0;
}

static void
add_video_feedback (GstStructure *structure)
{
  gst_structure_set (structure, "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE, "rtcp-fb-ccm-fir",
                     G_TYPE_BOOLEAN, TRUE, NULL);
}

GstCaps *
lx_codec_preferences_for_offer (const GstCaps *payloaded, const GstCaps *encoded)
{
  g_autoptr (GstCaps) caps = NULL;
  GstStructure *structure;
  const char *encoding;

  if (payloaded == NULL || gst_caps_is_empty (payloaded))
    return NULL;
  caps = session_free_copy (payloaded);
  structure = gst_caps_get_structure (caps, 0);
  encoding = gst_structure_get_string (structure, "encoding-name");
  if (g_strcmp0 (encoding, "H264") == 0) {
    g_autofree gchar *profile_level_id = lx_codec_h264_profile_level_id (encoded);
    if (profile_level_id == NULL)
      return NULL;
    gst_structure_set (structure, "packetization-mode", G_TYPE_STRING, "1", "profile-level-id",
                       G_TYPE_STRING, profile_level_id, "level-asymmetry-allowed", G_TYPE_STRING,
                       "1", NULL);
  } else if (g_strcmp0 (encoding, "OPUS") == 0) {
    /* 20 ms frames carrying in-band FEC (lx-encoder.c); the same values ask the peer's. */
    gst_structure_set (structure, "minptime", G_TYPE_STRING, "10", "useinbandfec", G_TYPE_STRING,
                       "1", NULL);
  }
  if (is_video (structure))
    add_video_feedback (structure);
  return g_steal_pointer (&caps);
}

/* Format parameters of @pt in @media, as "key=value" pairs. */
static void
set_offered_parameters (GstStructure *structure, const GstSDPMedia *media, gint pt)
{
  const char *fmtp = lx_offer_fmtp_of (media, pt);
  g_auto (GStrv) pairs = fmtp ? g_strsplit (fmtp, ";", -1) : NULL;

  for (guint p = 0; pairs && pairs[p]; p++) {
    g_auto (GStrv) pair = g_strsplit (g_strstrip (pairs[p]), "=", 2);
    if (pair[0] && pair[1] && pair[0][0] != '\0')
      gst_structure_set (structure, pair[0], G_TYPE_STRING, pair[1], NULL);
  }
}

GstCaps *
lx_codec_preferences_for_answer (const GstCaps *payloaded, const GstSDPMedia *media, gint pt)
{
  GstCaps *caps = session_free_copy (payloaded);
  GstStructure *structure = gst_caps_get_structure (caps, 0);

  /* Our own fmtp fields give way to the player's: webrtcbin answers with what both caps hold. */
  gst_structure_remove_fields (structure, "packetization-mode", "sprop-stereo",
                               "sprop-maxcapturerate", NULL);
  set_offered_parameters (structure, media, pt);
  /* webrtcbin 1.22 writes level-asymmetry-allowed into an H.264 answer itself: a second one would
   * repeat it on the fmtp line. */
  gst_structure_remove_field (structure, "level-asymmetry-allowed");
  if (is_video (structure))
    add_video_feedback (structure);
  return caps;
}
