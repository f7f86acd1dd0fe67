/* Players' offers as other WebRTC stacks write them (tests/data/offers, also the offer fuzzer's
 * seeds): each is normalised for webrtcbin or refused with its reason, the payload types we send
 * are found, and webrtcbin 1.22 itself takes each normalised offer and answers it with our media. */
#include "lx-codec-preferences.h"
#include "lx-offer.h"
#include "lx-protocol.h"
#include "lx-test-utils.h"
#include "lx-webrtc.h"

#include <string.h>

typedef struct {
  const char *file;
  gint error;              /* LxOfferError, or -1: accepted */
  const char *video_codec; /* what the player gets */
  gint video_pt, audio_pt;
  guint dropped_mdns;            /* .local candidates removed */
  const char *webrtcbin_refuses; /* what webrtcbin's own error says, where it refuses the offer */
} OfferRow;

static const OfferRow offers[] = {
  /* webrtcbin 1.22 refuses this one as it comes: "media 1 has different ice-ufrag values in
   * bundle". */
  { "werift-bundle-per-mline-credentials.sdp", -1, LX_VIDEO_CODEC_H264, 96, 111, 0 },
  { "no-bundle-one-transport-per-mline.sdp", -1, LX_VIDEO_CODEC_H264, 102, 111, 0 },
  { "audio-first-legacy-codecs.sdp", -1, LX_VIDEO_CODEC_H264, 102, 111, 0 },
  /* 42001f (baseline) comes first; constrained baseline in mode 1 (106) fits best. */
  { "libwebrtc-h264-profiles-rtx-extmap.sdp", -1, LX_VIDEO_CODEC_H264, 106, 111, 0 },
  /* VP8 first, but H.264 is what every layer is encoded in already. */
  { "pion-vp8-before-h264.sdp", -1, LX_VIDEO_CODEC_H264, 125, 111, 0 },
  /* 97 has no packetization-mode (mode 0): 126 is the one. Its fingerprint is session-level. */
  { "firefox-session-level-fingerprint.sdp", -1, LX_VIDEO_CODEC_H264, 126, 109, 0 },
  { "chromium-mdns-and-ipv6-candidates.sdp", -1, LX_VIDEO_CODEC_H264, 106, 111, 1 },
  { "vp8-only.sdp", -1, LX_VIDEO_CODEC_VP8, 120, -1, 0 },
  /* RFC 4145 allows holdconn, RFC 8842 not for DTLS: webrtcbin refuses it, and says why. */
  { "refused-by-webrtcbin-setup-holdconn.sdp", -1, LX_VIDEO_CODEC_H264, 106, 111, 0,
    "unknown 'setup' attribute, 'holdconn'" },
  { "refused-not-sdp.sdp", LX_OFFER_ERROR_MALFORMED },
  { "refused-no-fingerprint.sdp", LX_OFFER_ERROR_MALFORMED },
  { "refused-no-ice-credentials.sdp", LX_OFFER_ERROR_MALFORMED },
  { "refused-plain-rtp.sdp", LX_OFFER_ERROR_MALFORMED },
  { "refused-bundle-names-missing-mid.sdp", LX_OFFER_ERROR_MALFORMED },
  { "refused-h264-single-nal-only.sdp", LX_OFFER_ERROR_NO_COMMON_CODEC },
  { "refused-audio-only.sdp", LX_OFFER_ERROR_NO_COMMON_CODEC },
};

static gchar *
read_offer_file (const char *name)
{
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "data", "offers", name, NULL);
  gchar *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* Normalises and picks: the row's outcome, returning the normalised offer (NULL if refused). */
static GstSDPMessage *
check_reading (const OfferRow *row)
{
  g_autofree gchar *text = read_offer_file (row->file);
  g_autoptr (GString) notes = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstSDPMessage) sdp = lx_offer_normalise (text, notes, &error);
  const char *codec = sdp ? lx_offer_pick_video_codec (sdp, &error) : NULL;
  LxOfferPayloads payloads;

  if (row->error >= 0) {
    g_assert_error (error, LX_OFFER_ERROR, row->error);
    g_test_message ("%s: %s", row->file, error->message);
    g_assert_cmpuint (strlen (error->message), >, 10);
    return NULL;
  }
  g_assert_no_error (error);
  g_assert_cmpstr (codec, ==, row->video_codec);
  payloads = lx_offer_find_payloads (sdp, codec);
  g_assert_cmpint (payloads.video_pt, ==, row->video_pt);
  g_assert_cmpint (payloads.audio_pt, ==, row->audio_pt);
  g_assert_true ((strstr (notes->str, "mDNS") != NULL) == (row->dropped_mdns > 0));
  return g_steal_pointer (&sdp);
}

static gboolean
is_bundled (const GstSDPMessage *sdp)
{
  for (guint i = 0; i < gst_sdp_message_attributes_len (sdp); i++) {
    const GstSDPAttribute *attribute = gst_sdp_message_get_attribute (sdp, i);
    if (g_strcmp0 (attribute->key, "group") == 0 && g_str_has_prefix (attribute->value, "BUNDLE"))
      return TRUE;
  }
  return FALSE;
}

/* Every m-line has its transport attributes; under BUNDLE they are all the tagged one's. */
static void
assert_transports (const GstSDPMessage *sdp)
{
  const char *ufrag = NULL;

  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, m);
    const char *this_ufrag = gst_sdp_media_get_attribute_val (media, "ice-ufrag");
    g_assert_nonnull (this_ufrag);
    g_assert_nonnull (gst_sdp_media_get_attribute_val (media, "fingerprint"));
    g_assert_nonnull (gst_sdp_media_get_attribute_val (media, "setup"));
    if (ufrag == NULL)
      ufrag = this_ufrag;
    if (is_bundled (sdp))
      g_assert_cmpstr (this_ufrag, ==, ufrag);
  }
}

static GstCaps *
payloaded_caps (const char *kind, const char *encoding, gint pt)
{
  return gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, kind, "clock-rate",
                              G_TYPE_INT, g_str_equal (kind, "video") ? 90000 : 48000,
                              "encoding-name", G_TYPE_STRING, encoding, "payload", G_TYPE_INT, pt,
                              NULL);
}

static void
add_sending_transceiver (GstElement *webrtc, const GstSDPMessage *offer, const char *kind,
                         const char *encoding, gint pt)
{
  g_autoptr (GstCaps) payloaded = payloaded_caps (kind, encoding, pt);
  g_autoptr (GstCaps) preferences =
      lx_codec_preferences_for_answer (payloaded, lx_offer_media_with_payload (offer, pt), pt);
  GstWebRTCRTPTransceiver *transceiver = NULL;

  g_signal_emit_by_name (webrtc, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                         preferences, &transceiver);
  g_assert_nonnull (transceiver);
  gst_object_unref (transceiver);
}

/* webrtcbin takes the normalised offer and answers it, sending our video (and Opus, if offered) in
 * the player's payload types. Takes @sdp. */
static void
check_webrtcbin_answers (const OfferRow *row, GstSDPMessage *sdp)
{
  LxIceSettings ice = { .local_addresses = (gchar *[]){ "127.0.0.1", NULL } };
  g_autoptr (GError) error = NULL;
  GstElement *webrtc =
      gst_object_ref_sink (lx_webrtc_new (NULL, LX_WEBRTC_SENDING, &ice, 0, &error));
  GstWebRTCSessionDescription *offer =
      gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  GstWebRTCSessionDescription *answer;
  g_autofree gchar *answer_text = NULL;
  g_autofree gchar *video_line = NULL;
  GstPromise *promise;

  g_assert_no_error (error);
  gst_element_set_state (webrtc, GST_STATE_READY);
  add_sending_transceiver (webrtc, sdp, "video", row->video_codec, row->video_pt);
  if (row->audio_pt >= 0)
    add_sending_transceiver (webrtc, sdp, "audio", "OPUS", row->audio_pt);

  promise = gst_promise_new ();
  g_signal_emit_by_name (webrtc, "set-remote-description", offer, promise);
  if (row->webrtcbin_refuses) {
    /* The error the sender passes on to the player. */
    g_assert_true (lx_webrtc_promise_failed (promise, &error));
    g_assert_nonnull (strstr (error->message, row->webrtcbin_refuses));
    gst_promise_unref (promise);
    goto done;
  }
  if (lx_webrtc_promise_failed (promise, &error))
    g_error ("%s: webrtcbin refused the normalised offer: %s", row->file, error->message);
  gst_promise_unref (promise);

  promise = gst_promise_new ();
  g_signal_emit_by_name (webrtc, "create-answer", NULL, promise);
  gst_promise_wait (promise);
  answer = lx_webrtc_take_description (promise, "answer", &error);
  g_assert_no_error (error);
  answer_text = gst_sdp_message_as_text (answer->sdp);
  /* Our video goes out in the player's payload type, sent, not merely accepted. */
  video_line = g_strdup_printf ("a=rtpmap:%d %s/90000", row->video_pt, row->video_codec);
  if (!strstr (answer_text, video_line) || !strstr (answer_text, "a=sendonly"))
    g_error ("%s: the answer does not send %s:\n%s", row->file, video_line, answer_text);
  {
    g_autofree gchar *repeated = lx_test_sdp_repeated_parameter (answer_text);
    if (repeated)
      g_error ("%s: the answer repeats a format parameter: %s", row->file, repeated);
  }

  gst_webrtc_session_description_free (answer);
done:
  gst_webrtc_session_description_free (offer);
  gst_element_set_state (webrtc, GST_STATE_NULL);
  gst_object_unref (webrtc);
}

static void
test_offer_row (gconstpointer data)
{
  const OfferRow *row = data;
  GstSDPMessage *sdp = check_reading (row);

  if (sdp == NULL)
    return;
  assert_transports (sdp);
  check_webrtcbin_answers (row, sdp);
}

/* Every file in tests/data/offers has its row: a new shape cannot be added untested. */
static void
test_every_file_has_a_row (void)
{
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "data", "offers", NULL);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    gboolean found = FALSE;
    for (guint i = 0; i < G_N_ELEMENTS (offers); i++)
      found |= g_str_equal (offers[i].file, name);
    if (!found)
      g_error ("tests/data/offers/%s has no row in test-offer.c", name);
  }
}

/* H.264 caps an encoder announces give the profile-level-id of every offer. */
static void
test_profile_level_id (void)
{
  static const struct {
    const char *caps, *expected;
  } rows[] = {
    { "video/x-h264,profile=constrained-baseline,level=(string)4", "42e028" },
    { "video/x-h264,profile=constrained-baseline,level=(string)3.1", "42e01f" },
    { "video/x-h264,profile=baseline,level=(string)3", "42001e" },
    { "video/x-h264,profile=main,level=(string)5.1", "4d0033" },
    { "video/x-h264,profile=high,level=(string)4.2", "64002a" },
    { "video/x-h264,profile=high-4:4:4,level=(string)4", NULL },
    { "video/x-h264,profile=constrained-baseline", NULL },
    { "video/x-h264,level=(string)4", NULL },
    { "video/x-h264,profile=main,level=fast", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autoptr (GstCaps) caps = gst_caps_from_string (rows[i].caps);
    g_autofree gchar *id = lx_codec_h264_profile_level_id (caps);
    g_assert_cmpstr (id, ==, rows[i].expected);
  }
}

/* An offer's codec preferences are complete even from payloader caps without any fmtp field. */
static void
test_preferences_for_offer (void)
{
  g_autoptr (GstCaps) payloaded = gst_caps_from_string (
      "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96,"
      "ssrc=(uint)1234,timestamp-offset=(uint)5,seqnum-offset=(uint)6");
  g_autoptr (GstCaps) encoded =
      gst_caps_from_string ("video/x-h264,profile=constrained-baseline,level=(string)4");
  g_autoptr (GstCaps) opus = gst_caps_from_string (
      "application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=97");
  g_autoptr (GstCaps) video = lx_codec_preferences_for_offer (payloaded, encoded);
  g_autoptr (GstCaps) audio = lx_codec_preferences_for_offer (opus, NULL);
  const GstStructure *structure = gst_caps_get_structure (video, 0);
  guint ssrc = 0;

  g_assert_cmpstr (gst_structure_get_string (structure, "packetization-mode"), ==, "1");
  g_assert_cmpstr (gst_structure_get_string (structure, "profile-level-id"), ==, "42e028");
  g_assert_cmpstr (gst_structure_get_string (structure, "level-asymmetry-allowed"), ==, "1");
  g_assert_false (gst_structure_has_field (structure, "timestamp-offset"));
  g_assert_true (gst_structure_get_uint (structure, "ssrc", &ssrc) && ssrc == 1234);
  structure = gst_caps_get_structure (audio, 0);
  g_assert_cmpstr (gst_structure_get_string (structure, "useinbandfec"), ==, "1");
  g_assert_cmpstr (gst_structure_get_string (structure, "minptime"), ==, "10");
  /* Without the encoder's profile and level there is nothing complete to offer yet. */
  g_assert_null (lx_codec_preferences_for_offer (payloaded, NULL));
}

/* A classroom that leaves just as its offer is made: the description reaches a webrtcbin already
 * closed. That must cost nothing (the sanitizer suite's leak check fails this test otherwise) and
 * leave the webrtcbin without a local description. */
static void
test_description_on_closed_webrtcbin (void)
{
  LxIceSettings ice = { .local_addresses = (gchar *[]){ "127.0.0.1", NULL } };
  g_autoptr (GError) error = NULL;
  GstElement *webrtc =
      gst_object_ref_sink (lx_webrtc_new (NULL, LX_WEBRTC_SENDING, &ice, 0, &error));
  g_autofree gchar *path =
      g_test_build_filename (G_TEST_DIST, "data", "offers", "vp8-only.sdp", NULL);
  g_autofree gchar *text = NULL;
  GstWebRTCSessionDescription *description, *local = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  description = lx_webrtc_description_from_text (GST_WEBRTC_SDP_TYPE_OFFER, text, &error);
  g_assert_no_error (error);
  gst_element_set_state (webrtc, GST_STATE_READY);
  gst_element_set_state (webrtc, GST_STATE_NULL);
  lx_webrtc_set_description (webrtc, TRUE, description);
  lx_webrtc_set_description (webrtc, FALSE, description);
  g_object_get (webrtc, "local-description", &local, NULL);
  g_assert_null (local);
  gst_webrtc_session_description_free (description);
  gst_object_unref (webrtc);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (offers); i++) {
    g_autofree gchar *path = g_strdup_printf ("/offer/shape/%s", offers[i].file);
    g_test_add_data_func (path, &offers[i], test_offer_row);
  }
  g_test_add_func ("/offer/every-file-has-a-row", test_every_file_has_a_row);
  g_test_add_func ("/offer/profile-level-id", test_profile_level_id);
  g_test_add_func ("/offer/preferences-for-offer", test_preferences_for_offer);
  g_test_add_func ("/offer/description-on-closed-webrtcbin", test_description_on_closed_webrtcbin);
  return g_test_run ();
}
