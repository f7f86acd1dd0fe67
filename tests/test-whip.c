/* End to end through the standard WebRTC HTTP protocols, with the real programs on loopback:
 * - the sender publishes through WHIP (RFC 9725) to a media server that is not ours (werift, an
 *   independent WebRTC stack in JavaScript, forwarding RTP like the SFUs cities run:
 *   tests/media-server/relay.mjs), and our receivers play it back from that server through WHEP;
 *   sessions end with DELETE, a wrong token is refused, and the sender publishes again when the
 *   media server restarts;
 * - a receiver plays a lesson from lianxiao-signaling's own WHEP endpoint. */
#include "lx-test-utils.h"

#include <glib/gstdio.h>
#include <string.h>

#define TOKEN "city-media-server-secret"

typedef struct {
  gchar *directory;
  gchar *sender_program, *receiver_program;
  gchar *relay_script;
  GSubprocess *relay;
  guint relay_port;
  guint relay_starts;
  SoupSession *http;
} Fixture;

static gchar *
file_in (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->directory, name, NULL);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->directory = g_dir_make_tmp ("lx-whip-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->sender_program = lx_test_program ("LX_SENDER");
  fixture->receiver_program = lx_test_program ("LX_RECEIVER");
  fixture->relay_script = g_test_build_filename (G_TEST_DIST, "media-server", "relay.mjs", NULL);
  fixture->http = soup_session_new ();
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->relay)
    lx_test_stop_process (fixture->relay, 5000);
  g_clear_object (&fixture->relay);
  g_clear_object (&fixture->http);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->sender_program);
  g_free (fixture->receiver_program);
  g_free (fixture->relay_script);
}

typedef struct {
  const char *log;
  guint port;
} ListeningLine;

static gboolean
relay_listening (gpointer data)
{
  ListeningLine *line = data;
  g_autofree gchar *text = NULL;
  const char *found;

  if (!g_file_get_contents (line->log, &text, NULL, NULL))
    return FALSE;
  found = strstr (text, "listening ");
  if (found == NULL || strchr (found, '\n') == NULL)
    return FALSE;
  line->port = (guint) g_ascii_strtoull (found + strlen ("listening "), NULL, 10);
  return TRUE;
}

/* Starts the media server (on its previous port when it restarts) and waits until it listens. */
static void
start_relay (Fixture *fixture)
{
  g_autofree gchar *name = g_strdup_printf ("media-server-%u.log", ++fixture->relay_starts);
  g_autofree gchar *log = file_in (fixture, name);
  g_autofree gchar *port = g_strdup_printf ("%u", fixture->relay_port);
  const char *argv[] = { "node", fixture->relay_script, "--token", TOKEN, "--port", port, NULL };
  ListeningLine line = { log, 0 };

  fixture->relay = lx_test_spawn (log, argv);
  g_assert_true (lx_test_wait_until (relay_listening, &line, 15000));
  fixture->relay_port = line.port;
}

/* A member of the media server's /stats (publishers, players), or -1. */
static gint64
relay_count (Fixture *fixture, const char *member)
{
  g_autofree gchar *url = g_strdup_printf ("http://127.0.0.1:%u/stats", fixture->relay_port);
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = lx_test_http (fixture->http, message);
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (body == NULL || !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                                   (gssize) g_bytes_get_size (body), NULL))
    return -1;
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), member);
}

typedef struct {
  Fixture *fixture;
  const char *member;
  gint64 value;
} RelayCount;

static gboolean
relay_count_is (gpointer data)
{
  RelayCount *count = data;
  return relay_count (count->fixture, count->member) == count->value;
}

static void
wait_for_relay_count (Fixture *fixture, const char *member, gint64 value)
{
  RelayCount count = { fixture, member, value };

  if (!lx_test_wait_until (relay_count_is, &count, 20000))
    g_error ("the media server's %s stayed at %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT, member,
             relay_count (fixture, member), value);
}

/* The sender's WHIP publication in its statistics: its state and the sessions it opened. */
typedef struct {
  const char *stats;
  gint64 sessions;
} Publication;

static gboolean
publication_connected (gpointer data)
{
  Publication *publication = data;
  g_autoptr (JsonObject) stats = lx_test_read_json_object (publication->stats);
  JsonObject *member;

  if (stats == NULL || !json_object_has_member (stats, "publication"))
    return FALSE;
  member = json_object_get_object_member (stats, "publication");
  return g_strcmp0 (json_object_get_string_member (member, "state"), "connected") == 0 &&
         json_object_get_int_member (member, "sessions") >= publication->sessions;
}

static void
wait_for_publication (const char *stats, gint64 sessions)
{
  Publication publication = { stats, sessions };
  g_autofree gchar *text = NULL;

  if (lx_test_wait_until (publication_connected, &publication, 40000))
    return;
  g_file_get_contents (stats, &text, NULL, NULL);
  g_error ("the sender's WHIP publication (session %" G_GINT64_FORMAT ") did not connect: %s",
           sessions, text ? text : "no statistics");
}

static GSubprocess *
start_whip_sender (Fixture *fixture)
{
  g_autofree gchar *log = file_in (fixture, "sender.log");
  g_autofree gchar *stats = file_in (fixture, "sender.json");
  g_autofree gchar *url =
      g_strdup_printf ("http://127.0.0.1:%u/whip/physics-9b", fixture->relay_port);
  /* No signaling server: the lesson goes only to the media server. */
  const char *argv[] = { fixture->sender_program,
                         "--server",
                         "",
                         "--school",
                         "master",
                         "--whip-url",
                         url,
                         "--whip-token",
                         TOKEN,
                         "--ice-local-addresses",
                         "127.0.0.1",
                         "--test-pattern",
                         "ball",
                         "--layers",
                         "640x360@600,320x180@200",
                         "--keyframe-interval-s",
                         "600",
                         "--stats-json",
                         stats,
                         NULL };
  return lx_test_spawn (log, argv);
}

/* A receiver playing @url through WHEP, with @token, exiting after 60 decoded frames. */
static GSubprocess *
start_whep_receiver (Fixture *fixture, const char *school, const char *url, const char *token)
{
  g_autofree gchar *log_name = g_strdup_printf ("%s.log", school);
  g_autofree gchar *stats_name = g_strdup_printf ("%s.json", school);
  g_autofree gchar *log = file_in (fixture, log_name);
  g_autofree gchar *stats = file_in (fixture, stats_name);
  const char *argv[] = { fixture->receiver_program,
                         "--school",
                         school,
                         "--whep-url",
                         url,
                         "--whep-token",
                         token,
                         "--ice-local-addresses",
                         "127.0.0.1",
                         "--headless",
                         "--exit-after-frames",
                         "60",
                         "--timeout-s",
                         "60",
                         "--stats-json",
                         stats,
                         NULL };
  return lx_test_spawn (log, argv);
}

/* Frames really decoded at the sender's size, and sound. */
static void
assert_played (Fixture *fixture, const char *school)
{
  g_autofree gchar *stats_name = g_strdup_printf ("%s.json", school);
  g_autofree gchar *stats = file_in (fixture, stats_name);

  g_assert_cmpint (lx_test_stats_int (stats, "frames_decoded"), >=, 60);
  g_assert_cmpint (lx_test_stats_int (stats, "width"), ==, 640);
  g_assert_cmpint (lx_test_stats_int (stats, "height"), ==, 360);
  g_assert_cmpint (lx_test_stats_int (stats, "audio_ms"), >, 0);
}

static gboolean
refused (gpointer stats)
{
  g_autofree gchar *state = lx_test_stats_string (stats, "state");
  return g_strcmp0 (state, "whep-unavailable") == 0;
}

static void
test_through_a_media_server (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GSubprocess) sender = NULL;
  g_autoptr (GSubprocess) village = NULL;
  g_autoptr (GSubprocess) hills = NULL;
  g_autoptr (GSubprocess) intruder = NULL;
  g_autoptr (GSubprocess) latecomer = NULL;
  g_autofree gchar *sender_stats = file_in (fixture, "sender.json");
  g_autofree gchar *intruder_stats = file_in (fixture, "intruder.json");
  g_autofree gchar *url = NULL;

  if (lx_test_werift_missing ())
    return;
  start_relay (fixture);
  url = g_strdup_printf ("http://127.0.0.1:%u/whep/physics-9b", fixture->relay_port);
  sender = start_whip_sender (fixture);
  wait_for_publication (sender_stats, 1);
  wait_for_relay_count (fixture, "publishers", 1);
  /* The first offer was complete: the media server (which refuses H.264 without its fmtp, as a
   * strict one does) took it at once. */
  {
    g_autoptr (JsonObject) stats = lx_test_read_json_object (sender_stats);
    JsonObject *publication = json_object_get_object_member (stats, "publication");
    g_assert_cmpint (json_object_get_int_member (publication, "sessions"), ==, 1);
  }

  /* Two classrooms play from the media server; a third, with a wrong token, is refused. */
  intruder = start_whep_receiver (fixture, "intruder", url, "not-the-token");
  village = start_whep_receiver (fixture, "village", url, TOKEN);
  hills = start_whep_receiver (fixture, "hills", url, TOKEN);
  g_assert_cmpint (lx_test_wait_for_exit (village, 60000), ==, 0);
  g_assert_cmpint (lx_test_wait_for_exit (hills, 60000), ==, 0);
  assert_played (fixture, "village");
  assert_played (fixture, "hills");
  /* Both ended their sessions with DELETE as they left (a server would otherwise wait for a
   * timeout); the intruder never had one. */
  wait_for_relay_count (fixture, "players", 0);
  g_assert_cmpint (lx_test_stats_int (intruder_stats, "frames_decoded"), ==, 0);
  /* (it tries again every 5 s: between tries it says why it is not playing) */
  g_assert_true (lx_test_wait_until (refused, intruder_stats, 15000));
  g_assert_cmpint (lx_test_stats_int (intruder_stats, "frames_decoded"), ==, 0);
  {
    g_autofree gchar *log = file_in (fixture, "intruder.log");
    g_autofree gchar *text = NULL;
    g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "HTTP 401"));
  }
  g_assert_cmpint (lx_test_stop_process (intruder, 5000), ==, 0);

  /* The media server restarts: the sender publishes again by itself, and classrooms play again —
   * even one that joins the instant the video arrives again, while the keyframe that followed
   * the publication's connection is already past: the media server's keyframe request for it
   * must not be taken for a redundant one. */
  lx_test_stop_process (fixture->relay, 5000);
  g_clear_object (&fixture->relay);
  start_relay (fixture);
  wait_for_relay_count (fixture, "playable", 1);
  latecomer = start_whep_receiver (fixture, "latecomer", url, TOKEN);
  wait_for_publication (sender_stats, 2);
  g_assert_cmpint (lx_test_wait_for_exit (latecomer, 60000), ==, 0);
  assert_played (fixture, "latecomer");

  /* A sender that stops ends its publication. */
  g_assert_cmpint (lx_test_stop_process (sender, 10000), ==, 0);
  wait_for_relay_count (fixture, "publishers", 0);

  /* No token, right or wrong, in any of our programs' logs. */
  {
    const char *logs[] = { "sender.log", "village.log", "hills.log", "intruder.log",
                           "latecomer.log" };
    for (guint i = 0; i < G_N_ELEMENTS (logs); i++) {
      g_autofree gchar *path = file_in (fixture, logs[i]);
      g_autofree gchar *text = NULL;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_assert_null (strstr (text, TOKEN));
      g_assert_null (strstr (text, "not-the-token"));
    }
  }
}

static gboolean
no_classroom_left (gpointer stats)
{
  g_autoptr (JsonObject) object = lx_test_read_json_object (stats);

  return object && json_array_get_length (json_object_get_array_member (object, "classrooms")) == 0;
}

/* lianxiao-signaling's own WHEP endpoint, played by the native receiver. */
static void
test_from_lianxiao_signaling (Fixture *fixture, gconstpointer data)
{
  LxTestSignaling signaling = { 0 };
  g_autoptr (GSubprocess) sender = NULL;
  g_autoptr (GSubprocess) village = NULL;
  g_autofree gchar *sender_log = file_in (fixture, "sender.log");
  g_autofree gchar *sender_stats = file_in (fixture, "sender.json");
  g_autofree gchar *url = NULL;

  const char *lesson;

  lx_test_signaling_start_booked (&signaling, NULL);
  lesson = lx_test_book (&signaling, "Chemistry", "master", (const char *[]){ "village", NULL });
  {
    const char *options[] = { "--layers", "640x360@600", "--stats-json", sender_stats, NULL };
    sender =
        lx_test_start_in_lesson (&signaling, "LX_SENDER", lesson, "master", sender_log, options);
  }
  lx_test_wait_for_stat (sender_stats, "frames_encoded", 1, 20000);
  url = g_strdup_printf ("http://127.0.0.1:%u/whep/%s/village", signaling.port, lesson);
  village = start_whep_receiver (fixture, "village", url, lx_test_token (&signaling, "village"));
  g_assert_cmpint (lx_test_wait_for_exit (village, 60000), ==, 0);
  assert_played (fixture, "village");
  /* Its DELETE ended the session: the sender drops the classroom. */
  g_assert_true (lx_test_wait_until (no_classroom_left, sender_stats, 10000));
  g_assert_cmpint (lx_test_stop_process (sender, 10000), ==, 0);
  lx_test_signaling_stop (&signaling);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/whip/through-a-media-server", Fixture, NULL, setup, test_through_a_media_server,
              teardown);
  g_test_add ("/whep/from-lianxiao-signaling", Fixture, NULL, setup, test_from_lianxiao_signaling,
              teardown);
  return g_test_run ();
}
