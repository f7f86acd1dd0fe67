/* An unattended classroom, end to end with the real programs: IT staff book a lesson through the
 * REST API; the master school's sender and the classroom's receiver, each told only its school
 * and token, go on the air and join by themselves when a lesson starts, with a compressed clock
 * (lessons a few seconds long, back to back); the classroom shows the standby screen with the next
 * lesson before, decodes each lesson, moves from one to the next, returns to standby after, and the
 * server records its attendance in each. */
#include "lx-test-utils.h"

#include <string.h>

#define ADMIN_TOKEN "unattended-admin-3391"
#define LESSON_TITLE "数学 七年级"

typedef struct {
  LxTestSignaling signaling;
  gchar *directory;
  SoupSession *session;
  gchar *api;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  lx_test_signaling_start (&fixture->signaling, ADMIN_TOKEN);
  fixture->directory = g_dir_make_tmp ("lx-unattended-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new ();
  fixture->api = g_strdup_printf ("http://127.0.0.1:%u/api/v1/", fixture->signaling.port);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  lx_test_signaling_stop (&fixture->signaling);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_object_unref (fixture->session);
  g_free (fixture->api);
}

/* (transfer full) The JSON answer to an admin request; fails unless @status comes back. */
static JsonNode *
api (Fixture *fixture, const char *method, const char *path, const char *json, guint status)
{
  g_autofree gchar *url = g_strconcat (fixture->api, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                "Bearer " ADMIN_TOKEN);
  if (json) {
    g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
    soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  }
  body = lx_test_http (fixture->session, message);
  g_assert_nonnull (body);
  g_assert_cmpuint (soup_message_get_status (message), ==, status);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), NULL));
  return json_node_copy (json_parser_get_root (parser));
}

static gchar *
add_school (Fixture *fixture, const char *id)
{
  g_autofree gchar *json = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"%s\"}", id, id);
  g_autoptr (JsonNode) school = api (fixture, "POST", "schools", json, 201);
  return g_strdup (json_object_get_string_member (json_node_get_object (school), "token"));
}

/* Local time in Asia/Shanghai, @offset_s from now, as the API takes it. */
static gchar *
local_time (gint offset_s)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr (GDateTime) now = g_date_time_new_now (zone);
  g_autoptr (GDateTime) then = g_date_time_add_seconds (now, offset_s);
  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%S");
}

static gboolean
standby_drawn (gpointer path)
{
  return lx_test_stats_int (path, "standby_frames") >= 2;
}

/* Books a lesson from @from_s to @to_s seconds from now; returns (transfer full) its id. */
static gchar *
book (Fixture *fixture, const char *title, gint from_s, gint to_s)
{
  g_autofree gchar *start = local_time (from_s);
  g_autofree gchar *end = local_time (to_s);
  g_autofree gchar *json = g_strdup_printf (
      "{\"title\":\"%s\",\"sender\":\"city\",\"receivers\":[\"village\"],\"start\":\"%s\","
      "\"end\":\"%s\",\"time_zone\":\"Asia/Shanghai\"}",
      title, start, end);
  g_autoptr (JsonNode) lesson = api (fixture, "POST", "lessons", json, 201);
  return g_strdup_printf ("%" G_GINT64_FORMAT,
                          json_object_get_int_member (json_node_get_object (lesson), "id"));
}

static void
wait_for (LxTestStatsString *condition, guint timeout_ms, const char *what, Fixture *fixture)
{
  if (!lx_test_wait_until (lx_test_stats_string_is, condition, timeout_ms))
    g_error ("%s did not happen (logs in %s)", what, fixture->directory);
}

/* The village's classroom, told only where the server is, who it is and @token: no lesson. */
static GSubprocess *
spawn_village (Fixture *fixture, const char *token, const char *log, const char *stats)
{
  g_autofree gchar *receiver_program = lx_test_program ("LX_RECEIVER");
  const char *argv[] = { receiver_program,
                         "--server",
                         fixture->signaling.url,
                         "--school",
                         "village",
                         "--token",
                         token,
                         "--follow-timetable",
                         "--ice-local-addresses",
                         "127.0.0.1",
                         "--headless",
                         "--stats-json",
                         stats,
                         NULL };

  return lx_test_spawn (log, argv);
}

/* Two back-to-back lessons a few seconds long: standby → lesson 1 → lesson 2 → standby. */
static void
test_joins_and_leaves_by_itself (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *city_token = add_school (fixture, "city");
  g_autofree gchar *village_token = add_school (fixture, "village");
  g_autofree gchar *first = book (fixture, LESSON_TITLE, 7, 16);
  g_autofree gchar *second = book (fixture, "English", 16, 25);
  g_autofree gchar *sender_program = lx_test_program ("LX_SENDER");
  g_autofree gchar *sender_log = g_build_filename (fixture->directory, "sender.log", NULL);
  g_autofree gchar *receiver_log = g_build_filename (fixture->directory, "village.log", NULL);
  g_autofree gchar *stats = g_build_filename (fixture->directory, "village.json", NULL);
  g_autofree gchar *attendance_path = NULL;
  /* The master school's sender follows the timetable too. */
  const char *sender_argv[] = { sender_program,
                                "--server",
                                fixture->signaling.url,
                                "--follow-timetable",
                                "--school",
                                "city",
                                "--token",
                                city_token,
                                "--ice-local-addresses",
                                "127.0.0.1",
                                "--layers",
                                "320x240@300",
                                "--audio-source",
                                "none",
                                NULL };
  g_autoptr (GSubprocess) sender = lx_test_spawn (sender_log, sender_argv);
  g_autoptr (GSubprocess) receiver = spawn_village (fixture, village_token, receiver_log, stats);
  LxTestStatsString standby = { stats, "state", "standby" };
  LxTestStatsString announced = { stats, "next_lesson", LESSON_TITLE };
  LxTestStatsString in_lesson = { stats, "lesson", first };
  gint64 frames;
  g_autoptr (JsonNode) attendance = NULL;

  g_test_message ("before the lessons: the standby screen names the first");
  wait_for (&standby, 8000, "standby", fixture);
  wait_for (&announced, 8000, "the next lesson on the standby screen", fixture);
  g_assert_cmpint (lx_test_stats_int (stats, "frames_decoded"), ==, 0);
  /* The card is really being drawn (two frames a second), and says when: today, at what time. */
  g_assert_true (lx_test_wait_until (standby_drawn, stats, 5000));
  {
    g_autofree gchar *card = lx_test_stats_string (stats, "standby_text");
    /* (the booked start, as the receiver read it: a minute may turn since the booking) */
    g_autofree gchar *start = lx_test_stats_string (stats, "next_start");
    g_autofree gchar *when = g_strdup_printf ("今天 Today  %.5s", start + 11);
    if (!strstr (card, "下一节课 · Next lesson\n" LESSON_TITLE "\n") || !strstr (card, when))
      g_error ("the standby card says: %s", card);
  }

  g_test_message ("lesson 1: the classroom joins and decodes by itself");
  wait_for (&in_lesson, 15000, "joining lesson 1", fixture);
  lx_test_wait_for_stat (stats, "frames_decoded", 30, 12000);

  g_test_message ("lesson 2, straight after: it moves over by itself");
  in_lesson.value = second;
  wait_for (&in_lesson, 15000, "moving to lesson 2", fixture);
  lx_test_wait_for_stat (stats, "frames_decoded", lx_test_stats_int (stats, "frames_decoded") + 30,
                         12000);

  g_test_message ("after: back to standby, no more pictures");
  announced.value = "";
  wait_for (&announced, 15000, "leaving lesson 2", fixture);
  wait_for (&standby, 5000, "standby again", fixture);
  frames = lx_test_stats_int (stats, "frames_decoded");
  lx_test_run_for (2000);
  g_assert_cmpint (lx_test_stats_int (stats, "frames_decoded"), <, frames + 15);

  g_test_message ("the server recorded the classroom's stay in each lesson");
  for (guint i = 0; i < 2; i++) {
    JsonObject *row;
    g_free (attendance_path);
    attendance_path = g_strdup_printf ("attendance?school=village&lesson=%s", i ? second : first);
    g_clear_pointer (&attendance, json_node_unref);
    attendance = api (fixture, "GET", attendance_path, NULL, 200);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (attendance)), ==, 1);
    row = json_array_get_object_element (json_node_get_array (attendance), 0);
    g_assert_cmpint (json_object_get_int_member (row, "seconds"), >, 0);
    g_assert_true (json_object_has_member (row, "frames_decoded"));
  }

  g_assert_cmpint (lx_test_stop_process (receiver, 10000), ==, 0);
  g_assert_cmpint (lx_test_stop_process (sender, 10000), ==, 0);
}

/* A classroom PC with a wrong token says so on its card, and who to call — not "no lesson". */
static void
test_wrong_token_card (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *village_token = add_school (fixture, "village");
  g_autofree gchar *receiver_log = g_build_filename (fixture->directory, "village.log", NULL);
  g_autofree gchar *stats = g_build_filename (fixture->directory, "village.json", NULL);
  g_autoptr (GSubprocess) receiver =
      spawn_village (fixture, "0123456789abcdef", receiver_log, stats);
  LxTestStatsString standby = { stats, "state", "standby" };
  g_autofree gchar *card = NULL;

  wait_for (&standby, 8000, "standby", fixture);
  g_assert_true (lx_test_wait_until (standby_drawn, stats, 5000));
  card = lx_test_stats_string (stats, "standby_text");
  if (!strstr (card, "学校编号或令牌不对 · wrong school id or token") ||
      !strstr (card, "call your county IT staff") || strstr (card, "No lesson"))
    g_error ("the standby card says: %s", card);
  g_assert_cmpint (lx_test_stop_process (receiver, 10000), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/unattended/joins-and-leaves-by-itself", Fixture, NULL, setup,
              test_joins_and_leaves_by_itself, teardown);
  g_test_add ("/unattended/wrong-token-card", Fixture, NULL, setup, test_wrong_token_card,
              teardown);
  return g_test_run ();
}
