/* A player's SDP offer: normalised for webrtcbin, and the payload types we send (see lx-offer.h). */
#include "lx-offer.h"

#include "lx-protocol.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (lx - offer - error - quark, lx_offer_error)

/* What makes one transport: the m-line under BUNDLE takes these from the tagged one. */
static const char *const transport_keys[] = { "ice-ufrag", "ice-pwd", "fingerprint", "setup" };

static const char *
attribute_of (const GstSDPMedia *media, const char *key)
{
  const char *value = gst_sdp_media_get_attribute_val (media, key);
  return value && value[0] ? value : NULL;
}

/* Sets @key to @value in @media, replacing every earlier value. */
static void
replace_attribute (GstSDPMedia *media, const char *key, const char *value)
{
  for (guint i = gst_sdp_media_attributes_len (media); i > 0; i--)
    if (g_strcmp0 (gst_sdp_media_get_attribute (media, i - 1)->key, key) == 0)
      gst_sdp_media_remove_attribute (media, i - 1);
  gst_sdp_media_add_attribute (media, key, value);
}

static gboolean
is_candidate_line (const GstSDPAttribute *attribute)
{
  return g_strcmp0 (attribute->key, "candidate") == 0 ||
         g_strcmp0 (attribute->key, "end-of-candidates") == 0;
}

/* Drops every candidate of @media (with @all) or only its mDNS ones; returns how many. */
static guint
drop_candidates (GstSDPMedia *media, gboolean all)
{
  guint dropped = 0;

  for (guint i = gst_sdp_media_attributes_len (media); i > 0; i--) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i - 1);
    g_auto (GStrv) words = NULL;
    if (!is_candidate_line (attribute))
      continue;
    if (!all) {
      /* foundation component transport priority address port typ ... */
      words = g_strsplit (attribute->value ? attribute->value : "", " ", 6);
      if (g_strv_length (words) < 5 || !g_str_has_suffix (words[4], ".local"))
        continue;
    }
    dropped += g_strcmp0 (attribute->key, "candidate") == 0;
    gst_sdp_media_remove_attribute (media, i - 1);
  }
  return dropped;
}

/* The mids of the session's BUNDLE group (NULL without one), offerer-tagged first. */
static GStrv
bundle_mids (const GstSDPMessage *sdp)
{
  for (guint i = 0; i < gst_sdp_message_attributes_len (sdp); i++) {
    const GstSDPAttribute *attribute = gst_sdp_message_get_attribute (sdp, i);
    if (g_strcmp0 (attribute->key, "group") == 0 && attribute->value &&
        g_str_has_prefix (attribute->value, "BUNDLE ")) {
      GStrv mids = g_strsplit_set (attribute->value + strlen ("BUNDLE "), " ", -1);
      if (mids[0] && mids[0][0])
        return mids;
      g_strfreev (mids);
    }
  }
  return NULL;
}

static gint
media_with_mid (const GstSDPMessage *sdp, const char *mid)
{
  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++)
    if (g_strcmp0 (attribute_of (gst_sdp_message_get_media (sdp, m), "mid"), mid) == 0)
      return (gint) m;
  return -1;
}

static void note (GString *notes, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
note (GString *notes, const char *format, ...)
{
  va_list args;

  if (notes == NULL)
    return;
  va_start (args, format);
  g_string_append_vprintf (notes, format, args);
  va_end (args);
  g_string_append_c (notes, '\n');
}

static gboolean malformed (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
malformed (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree gchar *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, LX_OFFER_ERROR, LX_OFFER_ERROR_MALFORMED, text);
  return FALSE;
}

/* Session-level transport attributes (Firefox writes its fingerprint there, some stacks the ICE
 * credentials) copied into every m-line that has none of its own. */
static void
copy_session_attributes (GstSDPMessage *sdp)
{
  for (guint k = 0; k < G_N_ELEMENTS (transport_keys); k++) {
    const char *value = gst_sdp_message_get_attribute_val (sdp, transport_keys[k]);
    if (value == NULL || value[0] == '\0')
      continue;
    for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++) {
      GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, m);
      if (attribute_of (media, transport_keys[k]) == NULL)
        gst_sdp_media_add_attribute (media, transport_keys[k], value);
    }
  }
}

/* Every bundled m-line on the tagged m-line's transport. */
static gboolean
unify_bundle (GstSDPMessage *sdp, GString *notes, GError **error)
{
  g_auto (GStrv) mids = bundle_mids (sdp);
  gint tagged;
  GstSDPMedia *tagged_media;

  if (mids == NULL)
    return TRUE;
  tagged = media_with_mid (sdp, mids[0]);
  if (tagged < 0)
    return malformed (error, "the BUNDLE group names mid '%s', which no m-line has", mids[0]);
  tagged_media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, tagged);
  for (guint i = 1; mids[i]; i++) {
    gint m = media_with_mid (sdp, mids[i]);
    GstSDPMedia *media;
    gboolean moved = FALSE;
    guint dropped;

    if (m < 0)
      return malformed (error, "the BUNDLE group names mid '%s', which no m-line has", mids[i]);
    media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, m);
    for (guint k = 0; k < G_N_ELEMENTS (transport_keys); k++) {
      const char *tagged_value = attribute_of (tagged_media, transport_keys[k]);
      if (tagged_value && g_strcmp0 (attribute_of (media, transport_keys[k]), tagged_value) != 0) {
        replace_attribute (media, transport_keys[k], tagged_value);
        moved = TRUE;
      }
    }
    dropped = moved ? drop_candidates (media, TRUE) : 0;
    if (moved)
      note (notes,
            "m-line %d (mid %s) moved onto the transport of bundle-tagged mid %s; %u of its "
            "own candidates dropped",
            m, mids[i], mids[0], dropped);
  }
  return TRUE;
}

GstSDPMessage *
lx_offer_normalise (const char *text, GString *notes, GError **error)
{
  g_autoptr (GstSDPMessage) sdp = NULL;
  guint usable = 0;

  if (text == NULL || !g_str_has_prefix (text, "v=0") ||
      gst_sdp_message_new_from_text (text, &sdp) != GST_SDP_OK) {
    malformed (error, "the offer is not SDP (RFC 8866: it starts with v=0)");
    return NULL;
  }
  if (gst_sdp_message_medias_len (sdp) == 0) {
    malformed (error, "the offer has no m-line");
    return NULL;
  }
  copy_session_attributes (sdp);
  if (!unify_bundle (sdp, notes, error))
    return NULL;
  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++) {
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, m);
    guint dropped;

    /* A rejected m-line (port 0, not bundle-only) needs no transport. */
    if (gst_sdp_media_get_port (media) == 0 && !attribute_of (media, "bundle-only") &&
        !gst_sdp_media_get_attribute_val (media, "bundle-only"))
      continue;
    if (!g_str_has_prefix (gst_sdp_media_get_proto (media) ? gst_sdp_media_get_proto (media) : "",
                           "UDP/TLS/RTP/SAVP") &&
        g_strcmp0 (gst_sdp_media_get_media (media), "application") != 0) {
      malformed (error, "m-line %u (%s) is %s, not DTLS-SRTP (UDP/TLS/RTP/SAVPF)", m,
                 gst_sdp_media_get_media (media), gst_sdp_media_get_proto (media));
      return NULL;
    }
    for (guint k = 0; k < G_N_ELEMENTS (transport_keys); k++) {
      if (attribute_of (media, transport_keys[k]) == NULL &&
          !g_str_equal (transport_keys[k], "setup")) {
        malformed (error, "m-line %u (%s) has no a=%s", m, gst_sdp_media_get_media (media),
                   transport_keys[k]);
        return NULL;
      }
    }
    if (attribute_of (media, "setup") == NULL)
      gst_sdp_media_add_attribute (media, "setup", "actpass"); /* RFC 8842's offerer default */
    dropped = drop_candidates (media, FALSE);
    if (dropped)
      note (notes, "m-line %u: %u mDNS (.local) candidates dropped", m, dropped);
    usable++;
  }
  if (usable == 0) {
    malformed (error, "every m-line of the offer is rejected (port 0)");
    return NULL;
  }
  return g_steal_pointer (&sdp);
}

const char *
lx_offer_fmtp_of (const GstSDPMedia *media, gint pt)
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

/* How well an H.264 format fits the constrained-baseline stream we send: 0 not at all (no
 * packetization-mode 1: frames larger than a packet need FU-A), 3 constrained baseline itself,
 * 2 baseline, 1 main or high (their decoders take constrained baseline too). */
static gint
h264_fit (const char *fmtp)
{
  g_autofree gchar *lower = fmtp ? g_ascii_strdown (fmtp, -1) : NULL;
  const char *profile;
  guint64 profile_iop;

  if (lower == NULL || !strstr (lower, "packetization-mode=1"))
    return 0;
  profile = strstr (lower, "profile-level-id=");
  if (profile == NULL)
    return 0; /* RFC 6184's default, level 1.0 baseline: too small for any lesson */
  profile += strlen ("profile-level-id=");
  if (strlen (profile) < 6)
    return 0;
  profile_iop = g_ascii_strtoull (profile + 2, NULL, 16) >> 8 & 0xff;
  if (g_str_has_prefix (profile, "42"))
    return profile_iop & 0x40 ? 3 : 2; /* constraint_set1: constrained baseline */
  if (g_str_has_prefix (profile, "4d") || g_str_has_prefix (profile, "64"))
    return 1;
  return 0;
}

static gboolean
lists_format (const GstSDPMedia *media, gint pt)
{
  g_autofree gchar *wanted = g_strdup_printf ("%d", pt);

  for (guint f = 0; f < gst_sdp_media_formats_len (media); f++)
    if (g_strcmp0 (gst_sdp_media_get_format (media, f), wanted) == 0)
      return TRUE;
  return FALSE;
}

LxOfferPayloads
lx_offer_find_payloads (const GstSDPMessage *offer, const char *video_codec)
{
  LxOfferPayloads payloads = { -1, -1 };
  gboolean vp8 = g_strcmp0 (video_codec, LX_VIDEO_CODEC_VP8) == 0;
  gint best_fit = 0;

  for (guint m = 0; m < gst_sdp_message_medias_len (offer); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (offer, m);
    gboolean video = g_strcmp0 (gst_sdp_media_get_media (media), "video") == 0;
    gboolean audio = g_strcmp0 (gst_sdp_media_get_media (media), "audio") == 0;

    if (gst_sdp_media_get_port (media) == 0 &&
        !gst_sdp_media_get_attribute_val (media, "bundle-only"))
      continue;
    for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
      g_auto (GStrv) words = NULL;
      gint pt, fit;

      if (g_strcmp0 (attribute->key, "rtpmap") != 0 || attribute->value == NULL)
        continue;
      words = g_strsplit (attribute->value, " ", 2);
      if (words[0] == NULL || words[1] == NULL || !lists_format (media, pt = atoi (words[0])))
        continue;
      if (video && vp8 && payloads.video_pt < 0 && g_ascii_strcasecmp (words[1], "VP8/90000") == 0)
        payloads.video_pt = pt;
      if (video && !vp8 && g_ascii_strcasecmp (words[1], "H264/90000") == 0 &&
          (fit = h264_fit (lx_offer_fmtp_of (media, pt))) > best_fit) {
        best_fit = fit;
        payloads.video_pt = pt;
      }
      if (audio && payloads.audio_pt < 0 && g_ascii_strncasecmp (words[1], "opus/48000", 10) == 0)
        payloads.audio_pt = pt;
    }
  }
  return payloads;
}

const char *
lx_offer_pick_video_codec (const GstSDPMessage *offer, GError **error)
{
  if (lx_offer_find_payloads (offer, LX_VIDEO_CODEC_H264).video_pt >= 0)
    return LX_VIDEO_CODEC_H264;
  if (lx_offer_find_payloads (offer, LX_VIDEO_CODEC_VP8).video_pt >= 0)
    return LX_VIDEO_CODEC_VP8;
  g_set_error_literal (error, LX_OFFER_ERROR, LX_OFFER_ERROR_NO_COMMON_CODEC,
                       "the offer has no video we can send: H.264 in packetization-mode 1 "
                       "(constrained baseline, baseline, main or high) or VP8");
  return NULL;
}

const GstSDPMedia *
lx_offer_media_with_payload (const GstSDPMessage *offer, gint pt)
{
  for (guint m = 0; m < gst_sdp_message_medias_len (offer); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (offer, m);
    if (lists_format (media, pt))
      return media;
  }
  return NULL;
}
