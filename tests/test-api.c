/* The REST API over real HTTP on 127.0.0.1, with a real SQLite file: the admin token guards every
 * route, bad requests are refused naming the field, double bookings get 409 naming the clashing
 * lesson, and what the API accepts is really stored. */
#include "lx-secret.h"
#include "lx-server.h"
#include "lx-store.h"
#include "lx-test-utils.h"

#include <string.h>

#define ADMIN_TOKEN "test-admin-token-7f3a9c"

typedef struct {
  gchar *directory;
  gchar *database;
  LxStore *store;
  LxServer *server;
  SoupSession *session;
  gchar *base;
  guint status;   /* of the last request */
  JsonNode *body; /* of the last request, or NULL */
} Fixture;

static void
start (Fixture *fixture, const char *admin_token)
{
  g_autoptr (GError) error = NULL;

  fixture->directory = g_dir_make_tmp ("lx-api-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->database = g_build_filename (fixture->directory, "lianxiao.db", NULL);
  fixture->store = lx_store_open (fixture->database, &error);
  g_assert_no_error (error);
  fixture->server = lx_server_new ();
  lx_server_enable_api (fixture->server, fixture->store, admin_token, "Asia/Shanghai");
  g_assert_true (lx_server_listen (fixture->server, "127.0.0.1", 0, &error));
  fixture->session = soup_session_new ();
  fixture->base =
      g_strdup_printf ("http://127.0.0.1:%u/api/v1/", lx_server_get_port (fixture->server));
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  start (fixture, ADMIN_TOKEN);
}

/* A server whose configuration holds only the admin token's salted hash. */
static void
setup_with_hashed_token (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *stored = lx_secret_to_stored (ADMIN_TOKEN);
  start (fixture, stored);
}

/* A server whose configuration has no admin token. */
static void
setup_without_token (Fixture *fixture, gconstpointer data)
{
  start (fixture, NULL);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->body, json_node_unref);
  g_object_unref (fixture->session);
  g_object_unref (fixture->server);
  lx_store_close (fixture->store);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->database);
  g_free (fixture->base);
}

/* Sends METHOD path [body] with @token (NULL: none); sets fixture->status and fixture->body. */
static void
request (Fixture *fixture, const char *method, const char *path, const char *json,
         const char *token)
{
  g_autofree gchar *url = g_strconcat (fixture->base, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (token) {
    g_autofree gchar *header = g_strdup_printf ("Bearer %s", token);
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  header);
  }
  if (json) {
    g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
    soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  }
  body = lx_test_http (fixture->session, message);
  g_assert_nonnull (body);
  fixture->status = soup_message_get_status (message);
  g_clear_pointer (&fixture->body, json_node_unref);
  if (g_bytes_get_size (body) > 0 &&
      json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                  NULL))
    fixture->body = json_node_copy (json_parser_get_root (parser));
}

static void
call (Fixture *fixture, const char *method, const char *path, const char *json)
{
  request (fixture, method, path, json, ADMIN_TOKEN);
}

static const char *
body_string (Fixture *fixture, const char *member)
{
  g_assert_nonnull (fixture->body);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (fixture->body));
  return json_object_get_string_member_with_default (json_node_get_object (fixture->body), member,
                                                     NULL);
}

static void
expect (Fixture *fixture, guint status, const char *field)
{
  if (fixture->status != status) {
    g_autofree gchar *text = fixture->body ? json_to_string (fixture->body, FALSE) : NULL;
    g_error ("expected HTTP %u, got %u: %s", status, fixture->status, text ? text : "");
  }
  if (field)
    g_assert_cmpstr (body_string (fixture, "field"), ==, field);
}

static void
add_schools (Fixture *fixture)
{
  const char *ids[] = { "city", "v1", "v2" };
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
    g_autofree gchar *json = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"School %s\","
                                              "\"county\":\"Xinxian\"}",
                                              ids[i], ids[i]);
    call (fixture, "POST", "schools", json);
    expect (fixture, SOUP_STATUS_CREATED, NULL);
  }
}

#define MATHS                                                                                      \
  "{\"title\":\"Maths 7A\",\"teacher\":\"Ms Wang\",\"sender\":\"city\",\"receivers\":[\"v1\","     \
  "\"v2\"],\"start\":\"2026-12-01T10:00:00\",\"end\":\"2026-12-01T10:45:00\",\"time_zone\":"       \
  "\"Asia/Shanghai\",\"weekly_until\":\"2027-01-12\"}"

static void
test_attendance (Fixture *fixture, gconstpointer data)
{
  LxAttendanceRecord record = { 0 };
  JsonObject *row;

  add_schools (fixture);
  call (fixture, "POST", "lessons", MATHS);
  expect (fixture, SOUP_STATUS_CREATED, NULL);
  record.lesson_id = json_object_get_int_member (json_node_get_object (fixture->body), "id");
  record.school = (gchar *) "v1";
  record.joined = 1796090400;
  record.left = record.joined + 2700;
  record.has_quality = TRUE;
  record.frames_decoded = 81000;
  record.packets_lost = 12;
  record.mean_kbps = 2400;
  g_assert_true (lx_store_add_attendance (fixture->store, &record, NULL));

  call (fixture, "GET", "attendance?school=v1", NULL);
  expect (fixture, SOUP_STATUS_OK, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (fixture->body)), ==, 1);
  row = json_array_get_object_element (json_node_get_array (fixture->body), 0);
  g_assert_cmpint (json_object_get_int_member (row, "seconds"), ==, 2700);
  g_assert_cmpint (json_object_get_int_member (row, "packets_lost"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (row, "mean_kbps"), ==, 2400);
  call (fixture, "GET", "attendance?school=v2", NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (fixture->body)), ==, 0);
  call (fixture, "GET", "attendance?lesson=abc", NULL);
  expect (fixture, SOUP_STATUS_BAD_REQUEST, "lesson");
}

/* A classroom reads its own timetable with its own token; another school's token is refused. */
static void
test_school_timetable (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *v1_token = NULL;
  JsonArray *occurrences;
  JsonObject *first;

  call (fixture, "POST", "schools", "{\"id\":\"city\",\"name\":\"City\"}");
  call (fixture, "POST", "schools", "{\"id\":\"v1\",\"name\":\"V1\"}");
  v1_token = g_strdup (body_string (fixture, "token"));
  call (fixture, "POST", "schools", "{\"id\":\"v2\",\"name\":\"V2\"}");
  call (fixture, "POST", "lessons", MATHS);
  expect (fixture, SOUP_STATUS_CREATED, NULL);

  /* Two weeks from 2026-12-01: two Tuesdays. */
  request (fixture, "GET", "schools/v1/timetable?from=2026-12-01&days=14", NULL, v1_token);
  expect (fixture, SOUP_STATUS_OK, NULL);
  g_assert_cmpstr (
      json_object_get_string_member (
          json_object_get_object_member (json_node_get_object (fixture->body), "school"), "name"),
      ==, "V1");
  occurrences = json_object_get_array_member (json_node_get_object (fixture->body), "lessons");
  g_assert_cmpuint (json_array_get_length (occurrences), ==, 2);
  first = json_array_get_object_element (occurrences, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "start"), ==, "2026-12-01T10:00:00");
  g_assert_cmpstr (json_object_get_string_member (first, "role"), ==, "receiver");
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (occurrences, 1), "start"), ==,
      "2026-12-08T10:00:00");

  request (fixture, "GET", "schools/v2/timetable", NULL, v1_token);
  expect (fixture, SOUP_STATUS_UNAUTHORIZED, NULL);
  request (fixture, "GET", "schools/v1/timetable", NULL, NULL);
  expect (fixture, SOUP_STATUS_UNAUTHORIZED, NULL);
  /* ... and a school token opens nothing else. */
  request (fixture, "GET", "schools", NULL, v1_token);
  expect (fixture, SOUP_STATUS_UNAUTHORIZED, NULL);
  call (fixture, "GET", "schools/city/timetable?from=2026-12-01&days=7", NULL);
  expect (fixture, SOUP_STATUS_OK, NULL);
  g_assert_cmpstr (
      json_object_get_string_member (
          json_array_get_object_element (
              json_object_get_array_member (json_node_get_object (fixture->body), "lessons"), 0),
          "role"),
      ==, "sender");
}

static void
test_token_required (Fixture *fixture, gconstpointer data)
{
  const char *paths[] = { "schools", "lessons", "schools/city", "lessons/1" };
  g_autoptr (GPtrArray) schools = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++) {
    request (fixture, "GET", paths[i], NULL, NULL);
    expect (fixture, SOUP_STATUS_UNAUTHORIZED, NULL);
    request (fixture, "GET", paths[i], NULL, "wrong");
    expect (fixture, SOUP_STATUS_UNAUTHORIZED, NULL);
    request (fixture, "GET", paths[i], NULL, ADMIN_TOKEN "x");
    expect (fixture, SOUP_STATUS_UNAUTHORIZED, NULL);
  }
  /* A write without the token changes nothing. */
  request (fixture, "POST", "schools", "{\"id\":\"sneaky\",\"name\":\"S\"}", "wrong");
  expect (fixture, SOUP_STATUS_UNAUTHORIZED, NULL);
  schools = lx_store_list_schools (fixture->store, NULL);
  g_assert_cmpuint (schools->len, ==, 0);
}

/* The hash opens nothing; the token it was made from opens the API. */
static void
test_hashed_admin_token (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *stored = lx_secret_to_stored (ADMIN_TOKEN);

  request (fixture, "GET", "schools", NULL, ADMIN_TOKEN);
  expect (fixture, SOUP_STATUS_OK, NULL);
  request (fixture, "GET", "schools", NULL, stored);
  expect (fixture, SOUP_STATUS_UNAUTHORIZED, NULL);
  request (fixture, "GET", "schools", NULL, ADMIN_TOKEN "x");
  expect (fixture, SOUP_STATUS_UNAUTHORIZED, NULL);
}

static void
test_api_off_without_token (Fixture *fixture, gconstpointer data)
{
  request (fixture, "GET", "schools", NULL, "anything");
  expect (fixture, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
}

static void
test_schools (Fixture *fixture, gconstpointer data)
{
  const char *token;
  g_autofree gchar *big = NULL;

  call (fixture, "POST", "schools", "{\"id\":\"v1\",\"name\":\"Village One\",\"county\":\"X\"}");
  expect (fixture, SOUP_STATUS_CREATED, NULL);
  token = body_string (fixture, "token");
  g_assert_cmpuint (strlen (token), ==, 48);
  /* The token works, and is stored only as a hash. */
  g_assert_true (lx_store_check_school_token (fixture->store, "v1", token));

  call (fixture, "GET", "schools/v1", NULL);
  expect (fixture, SOUP_STATUS_OK, NULL);
  g_assert_cmpstr (body_string (fixture, "name"), ==, "Village One");
  g_assert_null (body_string (fixture, "token")); /* shown only once */

  call (fixture, "POST", "schools", "{\"id\":\"v1\",\"name\":\"Again\"}");
  expect (fixture, SOUP_STATUS_CONFLICT, NULL);
  call (fixture, "POST", "schools", "{\"id\":\"v 2\",\"name\":\"Bad id\"}");
  expect (fixture, SOUP_STATUS_BAD_REQUEST, "id");
  call (fixture, "POST", "schools", "{\"id\":\"v2\",\"name\":42}");
  expect (fixture, SOUP_STATUS_BAD_REQUEST, "name");
  call (fixture, "POST", "schools", "{\"id\":\"v2\"");
  expect (fixture, SOUP_STATUS_BAD_REQUEST, NULL);
  big = g_strdup_printf ("{\"id\":\"v2\",\"name\":\"%0*d\"}", 70000, 0);
  call (fixture, "POST", "schools", big);
  expect (fixture, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
  call (fixture, "GET", "schools/nobody", NULL);
  expect (fixture, SOUP_STATUS_NOT_FOUND, NULL);
  call (fixture, "PATCH", "schools", "{}");
  expect (fixture, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
  call (fixture, "PUT", "schools/nobody", "{\"name\":\"N\"}");
  expect (fixture, SOUP_STATUS_NOT_FOUND, NULL);
  call (fixture, "PATCH", "schools", "{}");
  expect (fixture, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);

  call (fixture, "GET", "schools", NULL);
  expect (fixture, SOUP_STATUS_OK, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (fixture->body)), ==, 1);
}

static void
test_lessons (Fixture *fixture, gconstpointer data)
{
  g_autoptr (LxStore) other_handle = NULL;
  g_autoptr (LxLessonRecord) stored = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *expected_conflict = NULL;
  gint64 id;

  add_schools (fixture);
  call (fixture, "POST", "lessons", MATHS);
  expect (fixture, SOUP_STATUS_CREATED, NULL);
  id = json_object_get_int_member (json_node_get_object (fixture->body), "id");
  g_assert_cmpstr (body_string (fixture, "start"), ==, "2026-12-01T10:00:00");
  g_assert_cmpstr (body_string (fixture, "start_utc"), ==, "2026-12-01T02:00:00Z");
  g_assert_cmpstr (body_string (fixture, "weekly_until"), ==, "2027-01-12");

  /* Really stored: another handle on the same file sees it. */
  other_handle = lx_store_open (fixture->database, NULL);
  stored = lx_store_get_lesson (other_handle, id, NULL);
  g_assert_nonnull (stored);
  g_assert_cmpstr (stored->title, ==, "Maths 7A");
  g_assert_cmpstr (stored->receivers[1], ==, "v2");

  /* Double booking: v2 on the third Tuesday. */
  call (fixture, "POST", "lessons",
        "{\"title\":\"Art\",\"sender\":\"v1\",\"receivers\":[\"v2\"],\"start\":"
        "\"2026-12-15T10:30:00\",\"end\":\"2026-12-15T11:00:00\",\"time_zone\":\"Asia/Shanghai\"}");
  expect (fixture, SOUP_STATUS_CONFLICT, NULL);
  expected_conflict = g_strdup_printf ("lesson %" G_GINT64_FORMAT " 'Maths 7A'", id);
  g_assert_nonnull (strstr (body_string (fixture, "message"), expected_conflict));

  /* The day filter: Tuesday 2026-12-08 has Maths, Wednesday nothing. */
  call (fixture, "GET", "lessons?day=2026-12-08", NULL);
  expect (fixture, SOUP_STATUS_OK, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (fixture->body)), ==, 1);
  call (fixture, "GET", "lessons?day=2026-12-09", NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (fixture->body)), ==, 0);
  call (fixture, "GET", "lessons?school=v1", NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (fixture->body)), ==, 1);
  call (fixture, "GET", "lessons?day=someday", NULL);
  expect (fixture, SOUP_STATUS_BAD_REQUEST, "day");

  call (fixture, "DELETE", "schools/v1", NULL);
  expect (fixture, SOUP_STATUS_CONFLICT, NULL);
  path = g_strdup_printf ("lessons/%" G_GINT64_FORMAT, id);

  /* Moved to Wednesdays 14:00 with one classroom: stored, and it no longer clashes with a lesson
   * at the old time. */
  call (fixture, "PUT", path,
        "{\"title\":\"Maths 7B\",\"sender\":\"city\",\"receivers\":[\"v2\"],\"start\":"
        "\"2026-12-02T14:00:00\",\"end\":\"2026-12-02T14:45:00\",\"time_zone\":\"Asia/Shanghai\"}");
  expect (fixture, SOUP_STATUS_OK, NULL);
  g_assert_cmpstr (body_string (fixture, "title"), ==, "Maths 7B");
  call (fixture, "POST", "lessons",
        "{\"title\":\"Art\",\"sender\":\"v1\",\"receivers\":[\"v2\"],\"start\":"
        "\"2026-12-15T10:30:00\",\"end\":\"2026-12-15T11:00:00\",\"time_zone\":\"Asia/Shanghai\"}");
  expect (fixture, SOUP_STATUS_CREATED, NULL);
  {
    g_autofree gchar *art =
        g_strdup_printf ("lessons/%" G_GINT64_FORMAT,
                         json_object_get_int_member (json_node_get_object (fixture->body), "id"));
    /* Moving Art onto Maths 7B's new time is refused, naming it; Art stays as it was. */
    call (
        fixture, "PUT", art,
        "{\"title\":\"Art\",\"sender\":\"v1\",\"receivers\":[\"v2\"],\"start\":"
        "\"2026-12-02T14:30:00\",\"end\":\"2026-12-02T15:00:00\",\"time_zone\":\"Asia/Shanghai\"}");
    expect (fixture, SOUP_STATUS_CONFLICT, NULL);
    g_assert_nonnull (strstr (body_string (fixture, "message"), "'Maths 7B'"));
    call (fixture, "GET", art, NULL);
    g_assert_cmpstr (body_string (fixture, "start"), ==, "2026-12-15T10:30:00");
    call (fixture, "DELETE", art, NULL);
    expect (fixture, SOUP_STATUS_NO_CONTENT, NULL);
  }
  call (fixture, "PUT", "lessons/999",
        "{\"title\":\"X\",\"sender\":\"city\",\"receivers\":[\"v2\"],\"start\":"
        "\"2027-02-02T14:00:00\",\"end\":\"2027-02-02T14:45:00\",\"time_zone\":\"Asia/Shanghai\"}");
  expect (fixture, SOUP_STATUS_NOT_FOUND, NULL);
  call (fixture, "PUT", "schools/v1", "{\"name\":\"Village One (renamed)\",\"county\":\"Y\"}");
  expect (fixture, SOUP_STATUS_OK, NULL);
  g_assert_cmpstr (body_string (fixture, "name"), ==, "Village One (renamed)");
  call (fixture, "PUT", "schools/v1", "{\"name\":\"\"}");
  expect (fixture, SOUP_STATUS_BAD_REQUEST, "name");
  call (fixture, "GET", path, NULL);
  expect (fixture, SOUP_STATUS_OK, NULL);
  call (fixture, "DELETE", path, NULL);
  expect (fixture, SOUP_STATUS_NO_CONTENT, NULL);
  call (fixture, "GET", path, NULL);
  expect (fixture, SOUP_STATUS_NOT_FOUND, NULL);
  call (fixture, "DELETE", "schools/v1", NULL);
  expect (fixture, SOUP_STATUS_NO_CONTENT, NULL);
}

typedef struct {
  const char *name;
  const char *json;
  const char *field;
} BadLesson;

static const BadLesson bad_lessons[] = {
  { "end-before-start",
    "{\"title\":\"T\",\"sender\":\"city\",\"receivers\":[\"v1\"],\"start\":\"2026-12-01T10:00:00\","
    "\"end\":\"2026-12-01T09:00:00\",\"time_zone\":\"Asia/Shanghai\"}",
    "end" },
  { "unknown-zone",
    "{\"title\":\"T\",\"sender\":\"city\",\"receivers\":[\"v1\"],\"start\":\"2026-12-01T10:00:00\","
    "\"end\":\"2026-12-01T11:00:00\",\"time_zone\":\"Moon/Base\"}",
    "time_zone" },
  { "not-a-time",
    "{\"title\":\"T\",\"sender\":\"city\",\"receivers\":[\"v1\"],\"start\":\"tomorrow\","
    "\"end\":\"2026-12-01T11:00:00\",\"time_zone\":\"Asia/Shanghai\"}",
    "start" },
  { "empty-title",
    "{\"title\":\"\",\"sender\":\"city\",\"receivers\":[\"v1\"],\"start\":\"2026-12-01T10:00:00\","
    "\"end\":\"2026-12-01T11:00:00\",\"time_zone\":\"Asia/Shanghai\"}",
    "title" },
  { "unknown-school",
    "{\"title\":\"T\",\"sender\":\"city\",\"receivers\":[\"ghost\"],\"start\":"
    "\"2026-12-01T10:00:00\",\"end\":\"2026-12-01T11:00:00\",\"time_zone\":\"Asia/Shanghai\"}",
    "receivers" },
  { "receivers-not-a-list",
    "{\"title\":\"T\",\"sender\":\"city\",\"receivers\":\"v1\",\"start\":\"2026-12-01T10:00:00\","
    "\"end\":\"2026-12-01T11:00:00\",\"time_zone\":\"Asia/Shanghai\"}",
    "receivers" },
  { "bad-weekly-until",
    "{\"title\":\"T\",\"sender\":\"city\",\"receivers\":[\"v1\"],\"start\":\"2026-12-01T10:00:00\","
    "\"end\":\"2026-12-01T11:00:00\",\"time_zone\":\"Asia/Shanghai\",\"weekly_until\":\"soon\"}",
    "weekly_until" },
};

static void
test_bad_lesson (Fixture *fixture, gconstpointer data)
{
  const BadLesson *bad = data;
  g_autoptr (GPtrArray) lessons = NULL;

  add_schools (fixture);
  call (fixture, "POST", "lessons", bad->json);
  expect (fixture, SOUP_STATUS_BAD_REQUEST, bad->field);
  lessons = lx_store_list_lessons (fixture->store, 0, 0, NULL, NULL);
  g_assert_cmpuint (lessons->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/api/token-required", Fixture, NULL, setup, test_token_required, teardown);
  g_test_add ("/api/hashed-admin-token", Fixture, NULL, setup_with_hashed_token,
              test_hashed_admin_token, teardown);
  g_test_add ("/api/off-without-token", Fixture, NULL, setup_without_token,
              test_api_off_without_token, teardown);
  g_test_add ("/api/schools", Fixture, NULL, setup, test_schools, teardown);
  g_test_add ("/api/lessons", Fixture, NULL, setup, test_lessons, teardown);
  g_test_add ("/api/attendance", Fixture, NULL, setup, test_attendance, teardown);
  g_test_add ("/api/school-timetable", Fixture, NULL, setup, test_school_timetable, teardown);
  for (guint i = 0; i < G_N_ELEMENTS (bad_lessons); i++) {
    g_autofree gchar *path = g_strdup_printf ("/api/bad-lesson/%s", bad_lessons[i].name);
    g_test_add (path, Fixture, &bad_lessons[i], setup, test_bad_lesson, teardown);
  }
  return g_test_run ();
}
