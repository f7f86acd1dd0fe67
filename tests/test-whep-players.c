/* WHEP players we did not write, end to end through the real sender: a player on werift (an
 * independent WebRTC stack, tests/media-server/whep-player.mjs) makes its offer in each shape other
 * players send — per-m-line ICE credentials under BUNDLE, no BUNDLE, audio first, legacy audio
 * codecs, libwebrtc's H.264 list, VP8 first, placeholders with mDNS and IPv6 candidates — and the
 * H.264 it receives is decoded here. Offers that cannot be answered are refused at once with a
 * 4xx naming the reason (webrtcbin's own, where it is webrtcbin that refuses), never a 504 after
 * the answer timeout, and the lesson goes on. */
#include "lx-test-utils.h"

#include <gst/app/gstappsink.h>
#include <string.h>

/* How many refused offers a test may make (each from a school of its own). */
#define REFUSED_OFFERS 8
#define WIDTH 640
#define HEIGHT 360
#define STUN_SERVER "stun://127.0.0.1:3478"
#define TURN_SERVER "turn://school:s3cret@127.0.0.1:3478"

typedef struct {
  gchar *directory;
  LxTestSignaling signaling;
  const char *lesson; /* booked, with a token for each school, as production runs */
  GSubprocess *sender;
  gchar *sender_log;
  gchar *sender_stats;
  SoupSession *http;
} Fixture;

static gchar *
file_in (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->directory, name, NULL);
}

static GStrv player_shapes (const char *player);

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *layers = g_strdup_printf ("%dx%d@600", WIDTH, HEIGHT);

  fixture->directory = g_dir_make_tmp ("lx-whep-players-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->http = soup_session_new ();
  if (lx_test_werift_missing ())
    return;
  {
    /* Announced to players in Link headers (nothing listens there: players here need none). */
    const char *extra[] = { "--stun-server", STUN_SERVER, "--turn-server", TURN_SERVER, NULL };
    g_autofree gchar *player =
        g_test_build_filename (G_TEST_DIST, "media-server", "whep-player.mjs", NULL);
    g_auto (GStrv) shapes = player_shapes (player);
    g_autoptr (GPtrArray) players = g_ptr_array_new_with_free_func (g_free);

    /* Every player the tests below start, each a school with its own token. */
    for (guint i = 0; shapes[i]; i++)
      g_ptr_array_add (players, g_strdup_printf ("player-%s", shapes[i]));
    for (guint i = 0; i < REFUSED_OFFERS; i++)
      g_ptr_array_add (players, g_strdup_printf ("refused-%u", i));
    g_ptr_array_add (players, NULL);
    lx_test_signaling_start_booked (&fixture->signaling, extra);
    fixture->lesson = lx_test_book (&fixture->signaling, "Shapes", "master",
                                    (const char *const *) players->pdata);
  }
  fixture->sender_log = file_in (fixture, "sender.log");
  fixture->sender_stats = file_in (fixture, "sender.json");
  {
    const char *options[] = { "--test-pattern",      "ball", "--layers", layers, "--stats-json",
                              fixture->sender_stats, NULL };
    fixture->sender = lx_test_start_in_lesson (&fixture->signaling, "LX_SENDER", fixture->lesson,
                                               "master", fixture->sender_log, options);
  }
  lx_test_wait_for_stat (fixture->sender_stats, "frames_encoded", 1, 20000);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  /* (every program a test starts ends cleanly: a sanitizer's report at exit fails the test) */
  if (fixture->sender)
    g_assert_cmpint (lx_test_stop_process (fixture->sender, 10000), ==, 0);
  g_clear_object (&fixture->sender);
  if (fixture->signaling.process)
    lx_test_signaling_stop (&fixture->signaling);
  g_clear_object (&fixture->http);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->sender_log);
  g_free (fixture->sender_stats);
}

/* Frames decoded from an Annex B H.264 file, and their size. */
static guint
decode_h264_file (const char *path, gint *width, gint *height)
{
  g_autofree gchar *description = g_strdup_printf (
      "filesrc location=\"%s\" ! h264parse ! avdec_h264 ! appsink name=sink sync=false", path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr (GstElement) sink = NULL;
  guint frames = 0;
  GstSample *sample;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))) != NULL) {
    GstStructure *structure = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
    gst_structure_get_int (structure, "width", width);
    gst_structure_get_int (structure, "height", height);
    frames++;
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return frames;
}

/* The player's shapes, as whep-player.mjs --shape list prints them. */
static GStrv
player_shapes (const char *player)
{
  const char *argv[] = { "node", player, "--shape", "list", NULL };
  g_autofree gchar *output = NULL;
  g_autoptr (GError) error = NULL;
  gint status = 0;

  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &output, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_strsplit (g_strstrip (output), "\n", -1);
}

typedef struct {
  const char *stats;
  const char *school;
} ClassroomCandidates;

/* TRUE once the sender's classroom @school has had an ICE candidate trickled to it. */
static gboolean
classroom_has_remote_candidates (gpointer data)
{
  ClassroomCandidates *wanted = data;
  g_autoptr (JsonObject) stats = lx_test_read_json_object (wanted->stats);
  JsonArray *classrooms = stats ? json_object_get_array_member (stats, "classrooms") : NULL;

  for (guint i = 0; classrooms && i < json_array_get_length (classrooms); i++) {
    JsonObject *classroom = json_array_get_object_element (classrooms, i);
    if (g_strcmp0 (json_object_get_string_member (classroom, "school"), wanted->school) == 0 &&
        json_object_get_int_member_with_default (classroom, "remote_candidates", 0) > 0)
      return TRUE;
  }
  return FALSE;
}

static void
play_shape (Fixture *fixture, const char *player, const char *shape)
{
  g_autofree gchar *school = g_strdup_printf ("player-%s", shape);
  g_autofree gchar *url = g_strdup_printf ("http://127.0.0.1:%u/whep/%s/%s",
                                           fixture->signaling.port, fixture->lesson, school);
  g_autofree gchar *prefix = file_in (fixture, shape);
  g_autofree gchar *log = g_strdup_printf ("%s.log", prefix);
  g_autofree gchar *summary = g_strdup_printf ("%s.json", prefix);
  g_autofree gchar *video = g_strdup_printf ("%s.h264", prefix);
  const char *argv[] = { "node",    player,    "--url",
                         url,       "--token", lx_test_token (&fixture->signaling, school),
                         "--shape", shape,     "--seconds",
                         "3",       "--out",   prefix,
                         NULL };
  g_autoptr (GSubprocess) process = lx_test_spawn (log, argv);
  g_autoptr (JsonObject) result = NULL;
  gboolean trickle = g_str_equal (shape, "trickle-through-patch");
  gint width = 0, height = 0;
  guint frames;
  const char *links;

  if (trickle) {
    /* Its candidates reach the sender's classroom through PATCH. */
    ClassroomCandidates wanted = { fixture->sender_stats, school };
    g_assert_true (lx_test_wait_until (classroom_has_remote_candidates, &wanted, 10000));
  }
  g_assert_cmpint (lx_test_wait_for_exit (process, 30000), ==, 0);
  result = lx_test_read_json_object (summary);
  g_assert_nonnull (result);
  if (json_object_get_int_member (result, "status") != 201)
    g_error ("shape %s: the WHEP endpoint answered %" G_GINT64_FORMAT ": %s", shape,
             json_object_get_int_member (result, "status"),
             json_object_get_string_member_with_default (result, "error", ""));
  g_assert_cmpint (json_object_get_int_member (result, "audio_packets"), >=, 50);
  /* The STUN and TURN servers came with the answer. */
  links = json_object_get_string_member_with_default (result, "links", "");
  g_assert_nonnull (strstr (links, "<stun:127.0.0.1:3478>; rel=\"ice-server\""));
  g_assert_nonnull (strstr (links, "<turn:127.0.0.1:3478?transport=udp>; rel=\"ice-server\"; "
                                   "username=\"school\"; credential=\"s3cret\""));
  if (trickle) {
    gint64 after_restart;
    g_assert_cmpint (json_object_get_int_member (result, "patch_status"), ==, 204);
    /* New credentials restart ICE: ours change too, and the media goes on over the new pair. */
    g_assert_cmpint (json_object_get_int_member (result, "restart_status"), ==, 200);
    g_assert_true (json_object_get_boolean_member (result, "restart_changed_ufrag"));
    after_restart = json_object_get_int_member (result, "video_packets") -
                    json_object_get_int_member (result, "video_packets_before_restart");
    g_test_message ("shape %s: %" G_GINT64_FORMAT " video packets after the ICE restart", shape,
                    after_restart);
    g_assert_cmpint (after_restart, >=, 30);
  }
  frames = decode_h264_file (video, &width, &height);
  g_test_message ("shape %s: answered in %" G_GINT64_FORMAT
                  " ms, %u frames decoded, %" G_GINT64_FORMAT " audio packets",
                  shape, json_object_get_int_member (result, "answer_ms"), frames,
                  json_object_get_int_member (result, "audio_packets"));
  g_assert_cmpuint (frames, >=, 30);
  g_assert_cmpint (width, ==, WIDTH);
  g_assert_cmpint (height, ==, HEIGHT);
}

static void
test_offer_shapes_play (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *player = NULL;
  g_auto (GStrv) shapes = NULL;

  if (fixture->sender == NULL)
    return; /* skipped */
  player = g_test_build_filename (G_TEST_DIST, "media-server", "whep-player.mjs", NULL);
  shapes = player_shapes (player);
  g_assert_cmpuint (g_strv_length (shapes), >=, 7);
  for (guint i = 0; shapes[i]; i++)
    play_shape (fixture, player, shapes[i]);
}

/* POSTs @file (tests/data/offers) as a WHEP offer; returns the status and (transfer full) body. */
static guint
post_offer (Fixture *fixture, const char *file, const char *school, gchar **body_text,
            gint64 *elapsed_ms)
{
  g_autofree gchar *path = g_test_build_filename (G_TEST_DIST, "data", "offers", file, NULL);
  g_autofree gchar *url = g_strdup_printf ("http://127.0.0.1:%u/whep/%s/%s",
                                           fixture->signaling.port, fixture->lesson, school);
  g_autoptr (SoupMessage) message = soup_message_new ("POST", url);
  g_autofree gchar *authorization =
      g_strdup_printf ("Bearer %s", lx_test_token (&fixture->signaling, school));
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) offer = NULL;
  gchar *text = NULL;
  gsize length;
  gint64 started;

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  offer = g_bytes_new_take (text, length);
  soup_message_set_request_body_from_bytes (message, "application/sdp", offer);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  started = g_get_monotonic_time ();
  body = lx_test_http (fixture->http, message);
  *elapsed_ms = (g_get_monotonic_time () - started) / 1000;
  *body_text =
      body ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)) : g_strdup ("");
  return soup_message_get_status (message);
}

static void
test_refusals_are_fast_and_say_why (Fixture *fixture, gconstpointer data)
{
  static const struct {
    const char *file;
    guint status;
    const char *reason;
  } rows[] = {
    { "refused-not-sdp.sdp", 400, "not SDP" },
    { "refused-no-fingerprint.sdp", 400, "no a=fingerprint" },
    { "refused-no-ice-credentials.sdp", 400, "no a=ice-ufrag" },
    { "refused-plain-rtp.sdp", 400, "not DTLS-SRTP" },
    { "refused-bundle-names-missing-mid.sdp", 400, "which no m-line has" },
    { "refused-h264-single-nal-only.sdp", 406, "no video we can send" },
    { "refused-audio-only.sdp", 406, "no video we can send" },
    /* Past the server's checks: the sender's webrtcbin refuses it, and its words reach the
     * player. */
    { "refused-by-webrtcbin-setup-holdconn.sdp", 400,
      "webrtcbin refused the offer: media 0 contains unknown 'setup' attribute, 'holdconn'" },
  };
  g_autofree gchar *log = NULL;
  g_autofree gchar *player =
      g_test_build_filename (G_TEST_DIST, "media-server", "whep-player.mjs", NULL);

  if (fixture->sender == NULL)
    return; /* skipped */
  G_STATIC_ASSERT (G_N_ELEMENTS (rows) <= REFUSED_OFFERS);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autofree gchar *school = g_strdup_printf ("refused-%u", i);
    g_autofree gchar *body = NULL;
    gint64 elapsed_ms;
    guint status = post_offer (fixture, rows[i].file, school, &body, &elapsed_ms);

    g_test_message ("%s: %u in %" G_GINT64_FORMAT " ms: %s", rows[i].file, status, elapsed_ms,
                    body);
    g_assert_cmpuint (status, ==, rows[i].status);
    g_assert_nonnull (strstr (body, rows[i].reason));
  }
  /* The sender's log names webrtcbin's own error. */
  g_assert_true (g_file_get_contents (fixture->sender_log, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "webrtcbin refused the offer: media 0 contains unknown 'setup'"));
  /* The lesson goes on: a good offer right after plays. */
  play_shape (fixture, player, "bundle-per-mline-credentials");
}

/* OPTIONS answers what POST takes and the STUN server, never the TURN server's credentials. */
static void
test_options_announce_stun_only (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *url = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GBytes) body = NULL;
  const char *links;

  if (fixture->sender == NULL)
    return; /* skipped */
  url = g_strdup_printf ("http://127.0.0.1:%u/whep/%s/anyone", fixture->signaling.port,
                         fixture->lesson);
  message = soup_message_new ("OPTIONS", url);
  body = lx_test_http (fixture->http, message);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_NO_CONTENT);
  g_assert_cmpstr (
      soup_message_headers_get_one (soup_message_get_response_headers (message), "Accept-Post"), ==,
      "application/sdp");
  links = soup_message_headers_get_list (soup_message_get_response_headers (message), "Link");
  g_assert_cmpstr (links, ==, "<stun:127.0.0.1:3478>; rel=\"ice-server\"");
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/whep-players/offer-shapes-play", Fixture, NULL, setup, test_offer_shapes_play,
              teardown);
  g_test_add ("/whep-players/refusals-are-fast-and-say-why", Fixture, NULL, setup,
              test_refusals_are_fast_and_say_why, teardown);
  g_test_add ("/whep-players/options-announce-stun-only", Fixture, NULL, setup,
              test_options_announce_stun_only, teardown);
  return g_test_run ();
}
