/* The timetable at the door: over real WebSockets, a booked lesson admits only its schools, in
 * their roles, with their tokens; unbooked lessons are refused unless allowed; and a classroom's
 * stay is recorded in the database with the quality its receiver reported. */
#include "lx-lessons.h"
#include "lx-server.h"
#include "lx-store.h"
#include "lx-test-client.h"
#include "lx-test-utils.h"

#include <string.h>

typedef struct {
  gchar *directory;
  LxStore *store;
  LxServer *server;
  gchar *host_port;
  gchar *city_token, *v1_token, *v2_token;
  gchar *lesson; /* the booked lesson's id, as the protocol names it */
} Fixture;

static gchar *
add_school (Fixture *fixture, const char *id)
{
  g_autofree gchar *name = g_strdup_printf ("School %s", id);
  LxSchoolRecord school = { (gchar *) id, name, NULL, 0 };
  gchar *token = NULL;

  g_assert_true (lx_store_add_school (fixture->store, &school, &token, NULL));
  return token;
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  LxLessonRecord lesson = { 0 };
  gchar *receivers[] = { (gchar *) "v1", (gchar *) "v3", NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree gchar *path = NULL;

  fixture->directory = g_dir_make_tmp ("lx-timetable-XXXXXX", &error);
  path = g_build_filename (fixture->directory, "lianxiao.db", NULL);
  fixture->store = lx_store_open (path, &error);
  g_assert_no_error (error);
  fixture->city_token = add_school (fixture, "city");
  fixture->v1_token = add_school (fixture, "v1");
  fixture->v2_token = add_school (fixture, "v2");
  g_free (add_school (fixture, "v3")); /* booked, never connects */

  lesson.title = (gchar *) "Maths";
  lesson.sender = (gchar *) "city";
  lesson.receivers = receivers;
  lesson.time_zone = (gchar *) "Asia/Shanghai";
  lesson.start = now - 600;
  lesson.end = now + 3600;
  g_assert_true (lx_store_add_lesson (fixture->store, &lesson, &error));
  fixture->lesson = g_strdup_printf ("%" G_GINT64_FORMAT, lesson.id);

  fixture->server = lx_server_new ();
  lx_server_set_timetable (fixture->server, fixture->store, GPOINTER_TO_INT (data));
  lx_server_enable_api (fixture->server, fixture->store, "board-token", "Asia/Shanghai");
  g_assert_true (lx_server_listen (fixture->server, "127.0.0.1", 0, &error));
  fixture->host_port = g_strdup_printf ("127.0.0.1:%u", lx_server_get_port (fixture->server));
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->server);
  lx_store_close (fixture->store);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->host_port);
  g_free (fixture->city_token);
  g_free (fixture->v1_token);
  g_free (fixture->v2_token);
  g_free (fixture->lesson);
}

/* Sends one hello on a new connection and expects @code (or welcome when @code is -1). */
static void
try_hello (Fixture *fixture, const char *role, const char *lesson, const char *school,
           const char *token, gint code)
{
  LxTestClient *client = lx_test_client_new (fixture->host_port);

  lx_test_client_hello_full (client, role, lesson, school, token);
  if (code < 0)
    lx_test_client_expect_type (client, LX_MESSAGE_WELCOME);
  else
    lx_test_client_expect_error (client, code);
  lx_test_client_free (client);
}

/* The sender's welcome says where its lesson stands: a lesson number typed wrong (a lesson of
 * another day) must not look like a lesson under way. */
static void
test_sender_told_lesson_state (Fixture *fixture, gconstpointer data)
{
  gchar *receivers[] = { (gchar *) "v4", NULL };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  struct {
    gint64 start, end;
    const char *state;
  } rows[] = {
    { now - 600, now + 3600, LX_LESSON_STATE_UNDER_WAY },
    { now + 86400, now + 86400 + 2700, LX_LESSON_STATE_UPCOMING },
    { now - 86400, now - 86400 + 2700, LX_LESSON_STATE_OVER },
  };

  g_free (add_school (fixture, "v4")); /* (the setup's lesson has v1 now: no clash) */
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    LxLessonRecord lesson = { 0 };
    g_autoptr (GError) error = NULL;
    g_autofree gchar *id = NULL;
    g_autoptr (LxMessage) welcome = NULL;
    g_autoptr (GDateTime) start = g_date_time_new_from_unix_local (rows[i].start);
    g_autoptr (GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
    g_autoptr (GDateTime) local = g_date_time_to_timezone (start, shanghai);
    g_autofree gchar *expected = g_date_time_format (local, "%Y-%m-%d %H:%M");
    LxTestClient *client = lx_test_client_new (fixture->host_port);

    lesson.title = (gchar *) "Music";
    lesson.sender = (gchar *) "v2";
    lesson.receivers = receivers;
    lesson.time_zone = (gchar *) "Asia/Shanghai";
    lesson.start = rows[i].start;
    lesson.end = rows[i].end;
    lx_store_add_lesson (fixture->store, &lesson, &error);
    g_assert_no_error (error);
    id = g_strdup_printf ("%" G_GINT64_FORMAT, lesson.id);
    lx_test_client_hello_full (client, "sender", id, "v2", fixture->v2_token);
    welcome = lx_test_client_receive (client);
    g_assert_cmpint (welcome->type, ==, LX_MESSAGE_WELCOME);
    g_assert_cmpstr (welcome->lesson_state, ==, rows[i].state);
    g_assert_true (g_str_has_prefix (welcome->schedule, expected));
    g_assert_true (g_str_has_suffix (welcome->schedule, " Asia/Shanghai"));
    lx_test_client_free (client);
    lx_test_run_for (100);
    g_assert_true (lx_store_delete_lesson (fixture->store, lesson.id, NULL));
  }
}

static void
test_door (Fixture *fixture, gconstpointer data)
{
  try_hello (fixture, "receiver", fixture->lesson, "v1", NULL, LX_PROTOCOL_ERROR_BAD_TOKEN);
  try_hello (fixture, "receiver", fixture->lesson, "v1", fixture->v2_token,
             LX_PROTOCOL_ERROR_BAD_TOKEN);
  try_hello (fixture, "receiver", fixture->lesson, "v2", fixture->v2_token,
             LX_PROTOCOL_ERROR_NOT_BOOKED);
  try_hello (fixture, "sender", fixture->lesson, "v1", fixture->v1_token,
             LX_PROTOCOL_ERROR_NOT_BOOKED);
  try_hello (fixture, "receiver", fixture->lesson, "city", fixture->city_token,
             LX_PROTOCOL_ERROR_NOT_BOOKED);
  try_hello (fixture, "receiver", "ad-hoc", "v1", fixture->v1_token, LX_PROTOCOL_ERROR_NOT_BOOKED);
  try_hello (fixture, "receiver", "999", "v1", fixture->v1_token, LX_PROTOCOL_ERROR_NOT_BOOKED);
  try_hello (fixture, "receiver", fixture->lesson, "v1", fixture->v1_token, -1);
  try_hello (fixture, "sender", fixture->lesson, "city", fixture->city_token, -1);
}

static void
test_unbooked_allowed (Fixture *fixture, gconstpointer data)
{
  /* Ad-hoc lessons pass without a token, booked ones keep their rules. */
  try_hello (fixture, "receiver", "ad-hoc", "anyone", NULL, -1);
  try_hello (fixture, "receiver", fixture->lesson, "v2", fixture->v2_token,
             LX_PROTOCOL_ERROR_NOT_BOOKED);
}

static gboolean
attendance_recorded (gpointer data)
{
  g_autoptr (GPtrArray) records = lx_store_list_attendance (data, 0, NULL, NULL);
  return records && records->len > 0;
}

/* POSTs to @path of the REST API with @token; returns the HTTP status, and the body's JSON
 * object in @object (transfer full) when asked. */
static guint
api_post (Fixture *fixture, const char *path, const char *token, JsonObject **object)
{
  g_autofree gchar *url = g_strdup_printf ("http://%s/api/v1/%s", fixture->host_port, path);
  g_autofree gchar *authorization = g_strdup_printf ("Bearer %s", token);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  body = lx_test_http (session, message);
  if (object && body &&
      json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                  NULL))
    *object = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  return soup_message_get_status (message);
}

/* A classroom, joined with its own token, tries the sender's part: offering to another classroom,
 * replaying the sender's hello (token included) on its own connection. Both are refused, its
 * connection stays, and nothing reaches the sender or the other classroom. */
static void
test_classroom_cannot_act_as_sender (Fixture *fixture, gconstpointer data)
{
  LxTestClient *sender = lx_test_client_new (fixture->host_port);
  LxTestClient *v1 = lx_test_client_new (fixture->host_port);
  g_autofree gchar *replayed =
      g_strdup_printf ("{\"type\":\"hello\",\"version\":1,\"role\":\"sender\",\"lesson\":\"%s\","
                       "\"school\":\"city\",\"token\":\"%s\"}",
                       fixture->lesson, fixture->city_token);

  lx_test_client_hello_full (sender, "sender", fixture->lesson, "city", fixture->city_token);
  lx_test_client_expect_type (sender, LX_MESSAGE_WELCOME);
  lx_test_client_hello_full (v1, "receiver", fixture->lesson, "v1", fixture->v1_token);
  lx_test_client_expect_type (v1, LX_MESSAGE_WELCOME);
  lx_test_client_expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);

  lx_test_client_send (v1, "{\"type\":\"offer\",\"school\":\"v3\",\"sdp\":\"v=0 forged\"}");
  lx_test_client_expect_error (v1, LX_PROTOCOL_ERROR_NOT_ALLOWED);
  lx_test_client_send (v1, replayed);
  lx_test_client_expect_error (v1, LX_PROTOCOL_ERROR_ALREADY_JOINED);
  g_assert_false (v1->closed);
  lx_test_run_for (200);
  g_assert_cmpuint (sender->inbox->len, ==, 0);
  lx_test_client_free (sender);
  lx_test_client_free (v1);
}

/* A token that leaked (a stolen mini-PC): staff renew it, and the connection made with it is
 * closed at once; the old token opens nothing; the lesson goes on; only the admin may renew. */
static void
test_revoked_token (Fixture *fixture, gconstpointer data)
{
  LxTestClient *sender = lx_test_client_new (fixture->host_port);
  LxTestClient *thief = lx_test_client_new (fixture->host_port);
  LxTestClient *classroom = lx_test_client_new (fixture->host_port);
  g_autoptr (JsonObject) renewed = NULL;
  g_autoptr (LxMessage) offer = NULL;
  g_autofree gchar *new_token = NULL;

  lx_test_client_hello_full (sender, "sender", fixture->lesson, "city", fixture->city_token);
  lx_test_client_expect_type (sender, LX_MESSAGE_WELCOME);
  lx_test_client_hello_full (thief, "receiver", fixture->lesson, "v1", fixture->v1_token);
  lx_test_client_expect_type (thief, LX_MESSAGE_WELCOME);
  lx_test_client_expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);

  /* A school's own token cannot renew tokens, its own or another's. */
  g_assert_cmpuint (api_post (fixture, "schools/v1/token", fixture->v1_token, NULL), ==,
                    SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (api_post (fixture, "schools/nobody/token", "board-token", NULL), ==,
                    SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (api_post (fixture, "schools/v1/token", "board-token", &renewed), ==,
                    SOUP_STATUS_OK);
  new_token = g_strdup (json_object_get_string_member (renewed, "token"));
  g_assert_cmpuint (strlen (new_token), >=, 32);
  g_assert_cmpstr (new_token, !=, fixture->v1_token);

  g_assert_true (lx_test_wait_until (lx_test_client_closed, thief, 5000));
  g_assert_cmpuint (soup_websocket_connection_get_close_code (thief->websocket), ==,
                    LX_CLOSE_TOKEN_REVOKED);
  lx_test_client_expect_type (sender, LX_MESSAGE_CLASSROOM_LEFT);
  try_hello (fixture, "receiver", fixture->lesson, "v1", fixture->v1_token,
             LX_PROTOCOL_ERROR_BAD_TOKEN);

  /* The school's real classroom, with the new token, is back in the lesson. */
  lx_test_client_hello_full (classroom, "receiver", fixture->lesson, "v1", new_token);
  lx_test_client_expect_type (classroom, LX_MESSAGE_WELCOME);
  lx_test_client_expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);
  lx_test_client_send (sender, "{\"type\":\"offer\",\"school\":\"v1\",\"sdp\":\"v=0\"}");
  offer = lx_test_client_receive (classroom);
  g_assert_cmpint (offer->type, ==, LX_MESSAGE_OFFER);
  g_assert_false (sender->closed);
  lx_test_client_free (sender);
  lx_test_client_free (thief);
  lx_test_client_free (classroom);
}

/* The status board's feed: the lesson under way, its sender on the air, the classroom that
 * reports receiving, and the booked classroom that never came. */
/* (transfer full) GET /api/v1/status. */
static JsonParser *
fetch_status (Fixture *fixture)
{
  g_autofree gchar *url = g_strdup_printf ("http://%s/api/v1/status", fixture->host_port);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr (GBytes) body = NULL;
  JsonParser *parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                "Bearer board-token");
  body = lx_test_http (session, message);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), NULL));
  return parser;
}

static gboolean
second_report_arrived (gpointer data)
{
  g_autoptr (JsonParser) parser = fetch_status (data);
  g_autofree gchar *text = json_to_string (json_parser_get_root (parser), FALSE);
  return strstr (text, "\"video_kbps\":3000") != NULL;
}

static void
check_status_board (Fixture *fixture)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *lesson, *v1, *v3;
  JsonArray *classrooms;

  /* The reports travel on the classroom's own connection: wait until the server has them. */
  g_assert_true (lx_test_wait_until (second_report_arrived, fixture, 5000));
  parser = fetch_status (fixture);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==,
                    1);
  lesson = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
  g_assert_cmpstr (json_object_get_string_member (lesson, "lesson"), ==, fixture->lesson);
  g_assert_cmpstr (json_object_get_string_member (lesson, "title"), ==, "Maths");
  g_assert_true (json_object_get_boolean_member (lesson, "sender_connected"));
  classrooms = json_object_get_array_member (lesson, "classrooms");
  g_assert_cmpuint (json_array_get_length (classrooms), ==, 2);
  v1 = json_array_get_object_element (classrooms, 0);
  v3 = json_array_get_object_element (classrooms, 1);
  g_assert_cmpstr (json_object_get_string_member (v1, "school"), ==, "v1");
  g_assert_true (json_object_get_boolean_member (v1, "connected"));
  g_assert_true (json_object_get_boolean_member (v1, "receiving"));
  g_assert_cmpint (json_object_get_int_member (v1, "video_kbps"), ==, 3000);
  g_assert_cmpint (json_object_get_int_member (v1, "packets_lost"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (v1, "rtt_ms"), ==, 42);
  g_assert_cmpstr (json_object_get_string_member (v1, "name"), ==, "School v1");
  g_assert_cmpstr (json_object_get_string_member (v1, "state"), ==, "receiving");
  g_assert_cmpstr (json_object_get_string_member (v1, "why"), ==, "receiving");
  g_assert_cmpstr (json_object_get_string_member (v3, "school"), ==, "v3");
  g_assert_false (json_object_get_boolean_member (v3, "connected"));
  g_assert_false (json_object_get_boolean_member (v3, "receiving"));
  g_assert_cmpstr (json_object_get_string_member (v3, "why"), ==, "never-connected");
  g_assert_false (json_object_has_member (v3, "last_seen_utc"));
  g_assert_cmpstr (json_object_get_string_member (lesson, "sender_name"), ==, "School city");
  g_assert_cmpstr (json_object_get_string_member (lesson, "sender_why"), ==, "on-air");
}

static void
test_attendance (Fixture *fixture, gconstpointer data)
{
  LxTestClient *sender = lx_test_client_new (fixture->host_port);
  LxTestClient *classroom = lx_test_client_new (fixture->host_port);
  g_autoptr (GPtrArray) records = NULL;
  LxAttendanceRecord *record;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  lx_test_client_hello_full (sender, "sender", fixture->lesson, "city", fixture->city_token);
  lx_test_client_expect_type (sender, LX_MESSAGE_WELCOME);
  lx_test_client_hello_full (classroom, "receiver", fixture->lesson, "v1", fixture->v1_token);
  lx_test_client_expect_type (classroom, LX_MESSAGE_WELCOME);
  lx_test_client_expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);

  lx_test_client_send (classroom, "{\"type\":\"stats\",\"frames_decoded\":450,\"packets_lost\":2,"
                                  "\"video_kbps\":2000}");
  lx_test_client_send (classroom, "{\"type\":\"stats\",\"frames_decoded\":900,\"packets_lost\":4,"
                                  "\"video_kbps\":3000,\"state\":\"receiving\"}");
  /* The sender reports the classroom's round-trip time; a classroom may not. */
  lx_test_client_send (sender, "{\"type\":\"rtt\",\"school\":\"v1\",\"rtt_ms\":42}");
  lx_test_client_send (classroom, "{\"type\":\"rtt\",\"school\":\"v1\",\"rtt_ms\":1}");
  lx_test_client_expect_error (classroom, LX_PROTOCOL_ERROR_NOT_ALLOWED);
  /* Only classrooms report. */
  lx_test_client_send (sender, "{\"type\":\"stats\",\"frames_decoded\":1,\"packets_lost\":0,"
                               "\"video_kbps\":1}");
  lx_test_client_expect_error (sender, LX_PROTOCOL_ERROR_NOT_ALLOWED);

  check_status_board (fixture);
  lx_test_client_free (classroom);
  lx_test_client_expect_type (sender, LX_MESSAGE_CLASSROOM_LEFT);
  g_assert_true (lx_test_wait_until (attendance_recorded, fixture->store, 5000));
  records = lx_store_list_attendance (fixture->store, 0, "v1", NULL);
  g_assert_cmpuint (records->len, ==, 1);
  record = records->pdata[0];
  g_assert_cmpstr (record->school, ==, "v1");
  g_assert_cmpint (record->joined, >=, before);
  g_assert_cmpint (record->left, >=, record->joined);
  g_assert_true (record->has_quality);
  g_assert_cmpint (record->frames_decoded, ==, 900);
  g_assert_cmpint (record->packets_lost, ==, 4);
  g_assert_cmpint (record->mean_kbps, ==, 2500);
  lx_test_client_free (sender);
}

/* (transfer none) The booked classroom @school in the status board's only lesson. */
static JsonObject *
board_classroom (JsonParser *parser, const char *school)
{
  JsonArray *lessons = json_node_get_array (json_parser_get_root (parser));
  JsonArray *classrooms =
      json_object_get_array_member (json_array_get_object_element (lessons, 0), "classrooms");

  for (guint i = 0; i < json_array_get_length (classrooms); i++) {
    JsonObject *classroom = json_array_get_object_element (classrooms, i);
    if (g_str_equal (json_object_get_string_member (classroom, "school"), school))
      return classroom;
  }
  g_assert_not_reached ();
}

typedef struct {
  Fixture *fixture;
  const char *why;
} BoardWait;

static gboolean
v3_explained (gpointer data)
{
  BoardWait *wait = data;
  g_autoptr (JsonParser) parser = fetch_status (wait->fixture);
  return g_str_equal (json_object_get_string_member (board_classroom (parser, "v3"), "why"),
                      wait->why);
}

/* The board explains a classroom that is not there: never connected, its last refusal (a wrong
 * token, a lesson it is not booked into), or how it last left (a link that dropped, or said
 * goodbye) and when — kept in the database, so a restarted server still knows. */
static void
test_board_explains_absence (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *v3_token = NULL;
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *v3, *refusal;
  BoardWait wait = { fixture, NULL };
  LxTestClient *classroom;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  LxLessonRecord other = { 0 };
  g_autofree gchar *other_id = NULL;

  g_assert_true (lx_store_renew_school_token (fixture->store, "v3", &v3_token, NULL));
  try_hello (fixture, "receiver", fixture->lesson, "v3", "stale-token",
             LX_PROTOCOL_ERROR_BAD_TOKEN);
  parser = fetch_status (fixture);
  v3 = board_classroom (parser, "v3");
  g_assert_cmpstr (json_object_get_string_member (v3, "why"), ==, "bad-token");
  refusal = json_object_get_object_member (v3, "refusal");
  g_assert_cmpstr (json_object_get_string_member (refusal, "code"), ==, "bad-token");
  g_assert_nonnull (strstr (json_object_get_string_member (refusal, "message"), "v3"));
  g_assert_cmpint (json_object_get_int_member (refusal, "at_utc"), >=, before);
  g_clear_object (&parser);

  /* The right token, the wrong lesson number (tomorrow's lesson, which it is not in). */
  other.title = (gchar *) "Art";
  other.sender = (gchar *) "v2";
  other.receivers = (gchar *[]){ (gchar *) "v1", NULL };
  other.time_zone = (gchar *) "Asia/Shanghai";
  other.start = before + 86400;
  other.end = before + 86400 + 2700;
  g_assert_true (lx_store_add_lesson (fixture->store, &other, NULL));
  other_id = g_strdup_printf ("%" G_GINT64_FORMAT, other.id);
  try_hello (fixture, "receiver", other_id, "v3", v3_token, LX_PROTOCOL_ERROR_NOT_BOOKED);
  wait.why = "not-booked";
  g_assert_true (v3_explained (&wait));

  /* In: connected, then the link drops (no goodbye); then in again, and it stops cleanly. */
  classroom = lx_test_client_new (fixture->host_port);
  lx_test_client_hello_full (classroom, "receiver", fixture->lesson, "v3", v3_token);
  lx_test_client_expect_type (classroom, LX_MESSAGE_WELCOME);
  wait.why = "no-picture";
  g_assert_true (v3_explained (&wait));
  lx_test_client_drop (classroom);
  wait.why = "link-lost";
  g_assert_true (lx_test_wait_until (v3_explained, &wait, 5000));
  parser = fetch_status (fixture);
  g_assert_cmpint (json_object_get_int_member (board_classroom (parser, "v3"), "last_seen_utc"), >=,
                   before);
  g_clear_object (&parser);

  classroom = lx_test_client_new (fixture->host_port);
  lx_test_client_hello_full (classroom, "receiver", fixture->lesson, "v3", v3_token);
  lx_test_client_expect_type (classroom, LX_MESSAGE_WELCOME);
  lx_test_client_free (classroom);
  wait.why = "left";
  g_assert_true (lx_test_wait_until (v3_explained, &wait, 5000));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/timetable/door", Fixture, GINT_TO_POINTER (FALSE), setup, test_door, teardown);
  g_test_add ("/timetable/sender-told-lesson-state", Fixture, GINT_TO_POINTER (FALSE), setup,
              test_sender_told_lesson_state, teardown);
  g_test_add ("/timetable/unbooked-allowed", Fixture, GINT_TO_POINTER (TRUE), setup,
              test_unbooked_allowed, teardown);
  g_test_add ("/timetable/classroom-cannot-act-as-sender", Fixture, GINT_TO_POINTER (FALSE), setup,
              test_classroom_cannot_act_as_sender, teardown);
  g_test_add ("/timetable/revoked-token", Fixture, GINT_TO_POINTER (FALSE), setup,
              test_revoked_token, teardown);
  g_test_add ("/timetable/board-explains-absence", Fixture, GINT_TO_POINTER (FALSE), setup,
              test_board_explains_absence, teardown);
  g_test_add ("/timetable/attendance", Fixture, GINT_TO_POINTER (FALSE), setup, test_attendance,
              teardown);
  return g_test_run ();
}
