/* The REST API (see lx-api.h and docs/api.md). Requests are parsed here and turned into store
 * calls; every rule about what may be stored lives in the store, whose errors map to statuses:
 * INVALID → 400, NOT_FOUND → 404, CONFLICT → 409. */
#include "lx-json.h"
#include "lx-api.h"
#include "lx-api-private.h"

#include "lx-api-bodies.h"
#include "lx-secret.h"

#include "lx-stats.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#define API_PREFIX "/api/v1/"

#define STATUS_EVENT_INTERVAL_S 1

/* ---- Responses ---- */

/* Maps a store error to a status; INVALID errors name their field ("... field 'end': ..."). */
void
lx_api_respond_store_error (SoupServerMessage *message, const GError *error)
{
  g_autofree gchar *field = NULL;

  if (error->domain != LX_STORE_ERROR || error->code == LX_STORE_ERROR_DATABASE) {
    g_warning ("api: %s", error->message);
    lx_http_respond_error (message, SOUP_STATUS_INTERNAL_SERVER_ERROR, "database", error->message,
                           NULL);
    return;
  }
  switch ((LxStoreError) error->code) {
  case LX_STORE_ERROR_INVALID:
    if (strstr (error->message, "field '")) {
      const char *start = strstr (error->message, "field '") + strlen ("field '");
      const char *end = strchr (start, '\'');
      field = end ? g_strndup (start, end - start) : NULL;
    }
    lx_http_respond_error (message, SOUP_STATUS_BAD_REQUEST, "invalid", error->message, field);
    break;
  case LX_STORE_ERROR_NOT_FOUND:
    lx_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "not-found", error->message, NULL);
    break;
  case LX_STORE_ERROR_CONFLICT:
    lx_http_respond_error (message, SOUP_STATUS_CONFLICT, "conflict", error->message, NULL);
    break;
  case LX_STORE_ERROR_DATABASE:
    break;
  }
}

/* ---- JSON ⇄ records ---- */

static void
add_school (JsonBuilder *builder, const LxSchoolRecord *school, const char *token)
{
  g_autoptr (GDateTime) created = g_date_time_new_from_unix_utc (school->created_at);
  g_autofree gchar *created_text = g_date_time_format_iso8601 (created);

  json_builder_begin_object (builder);
  lx_json_add_string (builder, "id", school->id);
  lx_json_add_string (builder, "county", school->county);
  lx_json_add_string (builder, "created", created_text);
  lx_api_add_school_presence (builder, school, "");
  if (token)
    lx_json_add_string (builder, "token", token); /* shown once, when made */
  json_builder_end_object (builder);
}

void
lx_api_add_school_presence (JsonBuilder *builder, const LxSchoolRecord *school, const char *prefix)
{
  g_autofree gchar *name = g_strconcat (prefix, "name", NULL);
  g_autofree gchar *seen = g_strconcat (prefix, "last_seen_utc", NULL);
  g_autofree gchar *refusal = g_strconcat (prefix, "refusal", NULL);

  if (school == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, school->name);
  if (school->last_seen > 0)
    lx_stats_add_int (builder, seen, school->last_seen);
  if (school->refusal_at > 0) {
    json_builder_set_member_name (builder, refusal);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "code");
    json_builder_add_string_value (builder, school->refusal);
    json_builder_set_member_name (builder, "message");
    json_builder_add_string_value (builder, school->refusal_message);
    lx_stats_add_int (builder, "at_utc", school->refusal_at);
    json_builder_end_object (builder);
  }
}

/* "2026-12-01T10:00:00" in the lesson's zone, for people; and the UTC instant, for programs. */
static void
add_time (JsonBuilder *builder, const char *name, gint64 utc, GTimeZone *zone)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (utc);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (time, zone);
  g_autofree gchar *local_text = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");
  g_autofree gchar *utc_text = g_date_time_format_iso8601 (time);
  g_autofree gchar *utc_name = g_strdup_printf ("%s_utc", name);

  lx_json_add_string (builder, name, local_text);
  lx_json_add_string (builder, utc_name, utc_text);
}

static void
add_lesson (JsonBuilder *builder, const LxLessonRecord *lesson)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (lesson->time_zone);

  json_builder_begin_object (builder);
  lx_stats_add_int (builder, "id", lesson->id);
  lx_json_add_string (builder, "title", lesson->title);
  lx_json_add_string (builder, "teacher", lesson->teacher);
  lx_json_add_string (builder, "sender", lesson->sender);
  lx_json_add_strings (builder, "receivers", (const char *const *) lesson->receivers);
  lx_json_add_string (builder, "time_zone", lesson->time_zone);
  add_time (builder, "start", lesson->start, zone);
  add_time (builder, "end", lesson->end, zone);
  if (lesson->repeat_until) {
    g_autoptr (GDateTime) until = g_date_time_new_from_unix_utc (lesson->repeat_until);
    g_autoptr (GDateTime) local = g_date_time_to_timezone (until, zone);
    g_autofree gchar *text = g_date_time_format (local, "%Y-%m-%d");
    lx_json_add_string (builder, "weekly_until", text);
  } else {
    lx_json_add_string (builder, "weekly_until", NULL);
  }
  json_builder_end_object (builder);
}

/* A query parameter refused: 400, naming it. */
static gboolean
bad_parameter (SoupServerMessage *message, const char *name, const char *problem)
{
  g_autofree gchar *text = g_strdup_printf ("parameter '%s': %s", name, problem);
  lx_http_respond_error (message, SOUP_STATUS_BAD_REQUEST, "invalid", text, name);
  return FALSE;
}

/* A body refused: 413 or 400, naming the field at fault. */
void
lx_api_respond_body_error (SoupServerMessage *message, const GError *error, const char *field)
{
  gboolean too_large = g_error_matches (error, LX_API_ERROR, LX_API_ERROR_TOO_LARGE);

  lx_http_respond_error (message,
                         too_large ? SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE : SOUP_STATUS_BAD_REQUEST,
                         too_large ? "too-large" : "invalid", error->message, field);
}

/* (transfer none) The request's body (never NULL: an empty body is empty text). */
const char *
lx_api_body_of (SoupServerMessage *message, gsize *length)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  GBytes *bytes = soup_message_body_flatten (body);
  const char *data = g_bytes_get_data (bytes, length);

  /* (the body keeps its own reference to the flattened bytes) */
  g_bytes_unref (bytes);
  return data ? data : "";
}

/* ---- Routes ---- */

static void
schools_collection (LxApi *api, SoupServerMessage *message, const char *method)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;

  if (method == SOUP_METHOD_GET) {
    g_autoptr (GPtrArray) schools = lx_store_list_schools (api->store, &error);
    if (schools == NULL) {
      lx_api_respond_store_error (message, error);
      return;
    }
    json_builder_begin_array (builder);
    for (guint i = 0; i < schools->len; i++)
      add_school (builder, schools->pdata[i], NULL);
    json_builder_end_array (builder);
    root = json_builder_get_root (builder);
    lx_http_respond_json (message, SOUP_STATUS_OK, root);
  } else if (method == SOUP_METHOD_POST) {
    g_autofree gchar *token = NULL;
    g_autoptr (LxSchoolRecord) created = NULL;
    g_autoptr (LxSchoolRecord) school = g_new0 (LxSchoolRecord, 1);
    const char *field, *data;
    gsize length;

    data = lx_api_body_of (message, &length);
    if (!lx_api_read_school (data, length, school, &field, &error)) {
      lx_api_respond_body_error (message, error, field);
      return;
    }
    if (!lx_store_add_school (api->store, school, &token, &error) ||
        (created = lx_store_get_school (api->store, school->id, &error)) == NULL) {
      lx_api_respond_store_error (message, error);
      return;
    }
    g_message ("api: school %s registered", school->id);
    add_school (builder, created, token);
    root = json_builder_get_root (builder);
    lx_http_respond_json (message, SOUP_STATUS_CREATED, root);
  } else {
    lx_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", "use GET or POST",
                           NULL);
  }
}

static void
school_item (LxApi *api, SoupServerMessage *message, const char *method, const char *id)
{
  g_autoptr (GError) error = NULL;

  if (method == SOUP_METHOD_GET) {
    g_autoptr (LxSchoolRecord) school = lx_store_get_school (api->store, id, &error);
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;
    if (school == NULL) {
      lx_api_respond_store_error (message, error);
      return;
    }
    add_school (builder, school, NULL);
    root = json_builder_get_root (builder);
    lx_http_respond_json (message, SOUP_STATUS_OK, root);
  } else if (method == SOUP_METHOD_PUT) {
    g_autoptr (LxSchoolRecord) updated = NULL;
    g_autoptr (LxSchoolRecord) school = g_new0 (LxSchoolRecord, 1);
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;
    const char *field, *data;
    gsize length;

    data = lx_api_body_of (message, &length);
    if (!lx_api_read_school (data, length, school, &field, &error)) {
      lx_api_respond_body_error (message, error, field);
      return;
    }
    g_free (school->id); /* the path names the school */
    school->id = g_strdup (id);
    if (!lx_store_update_school (api->store, school, &error) ||
        (updated = lx_store_get_school (api->store, id, &error)) == NULL) {
      lx_api_respond_store_error (message, error);
      return;
    }
    g_message ("api: school %s updated", id);
    add_school (builder, updated, NULL);
    root = json_builder_get_root (builder);
    lx_http_respond_json (message, SOUP_STATUS_OK, root);
  } else if (method == SOUP_METHOD_DELETE) {
    if (!lx_store_delete_school (api->store, id, &error)) {
      lx_api_respond_store_error (message, error);
      return;
    }
    g_message ("api: school %s deleted", id);
    if (api->revoked)
      api->revoked (id, api->revoked_data);
    soup_server_message_set_status (message, SOUP_STATUS_NO_CONTENT, NULL);
  } else {
    lx_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method",
                           "use GET, PUT or DELETE", NULL);
  }
}

/* POST /schools/ID/token: a new token; the old one, and every connection made with it, end now
 * (a token that leaked, a mini-PC that was stolen). */
static void
renew_token (LxApi *api, SoupServerMessage *message, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LxSchoolRecord) school = NULL;
  g_autofree gchar *token = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  if (soup_server_message_get_method (message) != SOUP_METHOD_POST) {
    lx_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", "use POST", NULL);
    return;
  }
  if (!lx_store_renew_school_token (api->store, id, &token, &error) ||
      (school = lx_store_get_school (api->store, id, &error)) == NULL) {
    lx_api_respond_store_error (message, error);
    return;
  }
  g_message ("api: school %s has a new token; the old one is revoked", id);
  if (api->revoked)
    api->revoked (id, api->revoked_data);
  add_school (builder, school, token);
  root = json_builder_get_root (builder);
  lx_http_respond_json (message, SOUP_STATUS_OK, root);
}

static gboolean day_range (LxApi *api, SoupServerMessage *message, const char *day, gint64 *from,
                           gint64 *to);

typedef struct {
  JsonBuilder *builder;
  const LxLessonRecord *lesson;
  const char *school;
  gint64 from, to;
  GStrv receiver_names; /* the lesson's classrooms' names, in its order (the sender's view) */
} TimetableWindow;

/* (transfer full) The names of @lesson's classrooms, in its order (the id where one is gone). */
static GStrv
receiver_names (LxApi *api, const LxLessonRecord *lesson)
{
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; lesson->receivers[i]; i++) {
    g_autoptr (LxSchoolRecord) school =
        lx_store_get_school (api->store, lesson->receivers[i], NULL);
    g_strv_builder_add (names, school ? school->name : lesson->receivers[i]);
  }
  return g_strv_builder_end (names);
}

static gboolean
add_occurrence (gint64 start, gint64 end, gpointer data)
{
  TimetableWindow *window = data;
  const LxLessonRecord *lesson = window->lesson;
  g_autoptr (GTimeZone) zone = NULL;

  if (start >= window->to)
    return FALSE;
  if (end <= window->from)
    return TRUE;
  zone = g_time_zone_new_identifier (lesson->time_zone);
  json_builder_begin_object (window->builder);
  /* The id to join with (the protocol's lesson id). */
  json_builder_set_member_name (window->builder, "lesson");
  json_builder_add_int_value (window->builder, lesson->id);
  lx_json_add_string (window->builder, "title", lesson->title);
  lx_json_add_string (window->builder, "teacher", lesson->teacher);
  lx_json_add_string (window->builder, "sender", lesson->sender);
  lx_json_add_string (window->builder, "role",
                      g_str_equal (lesson->sender, window->school) ? "sender" : "receiver");
  /* The teacher's console warns of a booked classroom missing; a classroom is not told who else
   * is booked. */
  if (g_str_equal (lesson->sender, window->school)) {
    lx_json_add_strings (window->builder, "receivers", (const char *const *) lesson->receivers);
    lx_json_add_strings (window->builder, "receiver_names",
                         (const char *const *) window->receiver_names);
  }
  lx_json_add_string (window->builder, "time_zone", lesson->time_zone);
  add_time (window->builder, "start", start, zone);
  add_time (window->builder, "end", end, zone);
  json_builder_end_object (window->builder);
  return TRUE;
}

static int
compare_lesson_starts (gconstpointer a, gconstpointer b)
{
  gint64 x = (*(LxLessonRecord **) a)->start, y = (*(LxLessonRecord **) b)->start;
  return (x > y) - (x < y);
}

/* GET /schools/ID/timetable[?from=YYYY-MM-DD][&days=N]: the school (id, name) and its lesson
 * occurrences from now (or that day) for N days (default 7), ongoing ones included, in time order
 * within each lesson. */
static void
school_timetable (LxApi *api, SoupServerMessage *message, const char *id, GHashTable *query)
{
  const char *from_text = query ? g_hash_table_lookup (query, "from") : NULL;
  const char *days_text = query ? g_hash_table_lookup (query, "days") : NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) lessons = NULL;
  g_autoptr (LxSchoolRecord) school = NULL;
  gint64 days = 7, from = g_get_real_time () / G_USEC_PER_SEC, unused;

  if (days_text && !g_ascii_string_to_signed (days_text, 10, 1, 62, &days, NULL)) {
    bad_parameter (message, "days", "must be 1-62");
    return;
  }
  if (from_text && !day_range (api, message, from_text, &from, &unused))
    return;
  school = lx_store_get_school (api->store, id, &error);
  lessons =
      school ? lx_store_list_lessons (api->store, from, from + days * 24 * 3600, id, &error) : NULL;
  if (lessons == NULL) {
    lx_api_respond_store_error (message, error);
    return;
  }
  g_ptr_array_sort (lessons, compare_lesson_starts);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "school");
  add_school (builder, school, NULL);
  json_builder_set_member_name (builder, "lessons");
  json_builder_begin_array (builder);
  for (guint i = 0; i < lessons->len; i++) {
    LxLessonRecord *lesson = lessons->pdata[i];
    g_auto (GStrv) names = g_str_equal (lesson->sender, id) ? receiver_names (api, lesson) : NULL;
    TimetableWindow window = { builder, lesson, id, from, from + days * 24 * 3600, names };
    lx_schedule_foreach_occurrence (lesson, add_occurrence, &window);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  lx_http_respond_json (message, SOUP_STATUS_OK, root);
}

/* ?day=YYYY-MM-DD as [start, end) of that day in the API's time zone. */
static gboolean
day_range (LxApi *api, SoupServerMessage *message, const char *day, gint64 *from, gint64 *to)
{
  gint year, month, date;
  g_autoptr (GDateTime) start = NULL;
  g_autoptr (GDateTime) next = NULL;

  if (sscanf (day, "%4d-%2d-%2d", &year, &month, &date) != 3 ||
      (start = g_date_time_new (api->time_zone, year, month, date, 0, 0, 0)) == NULL)
    return bad_parameter (message, "day", "must be a date like 2026-12-01");
  next = g_date_time_add_days (start, 1);
  *from = g_date_time_to_unix (start);
  *to = g_date_time_to_unix (next);
  return TRUE;
}

static void
lessons_collection (LxApi *api, SoupServerMessage *message, const char *method, GHashTable *query)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;

  if (method == SOUP_METHOD_GET) {
    const char *day = query ? g_hash_table_lookup (query, "day") : NULL;
    const char *school = query ? g_hash_table_lookup (query, "school") : NULL;
    g_autoptr (GPtrArray) lessons = NULL;
    gint64 from = 0, to = 0;

    if (day && !day_range (api, message, day, &from, &to))
      return;
    lessons = lx_store_list_lessons (api->store, from, to, school, &error);
    if (lessons == NULL) {
      lx_api_respond_store_error (message, error);
      return;
    }
    json_builder_begin_array (builder);
    for (guint i = 0; i < lessons->len; i++)
      add_lesson (builder, lessons->pdata[i]);
    json_builder_end_array (builder);
    root = json_builder_get_root (builder);
    lx_http_respond_json (message, SOUP_STATUS_OK, root);
  } else if (method == SOUP_METHOD_POST) {
    g_autoptr (LxLessonRecord) lesson = g_new0 (LxLessonRecord, 1);
    const char *field, *data;
    gsize length;

    data = lx_api_body_of (message, &length);
    if (!lx_api_read_lesson (data, length, lesson, &field, &error)) {
      lx_api_respond_body_error (message, error, field);
      return;
    }
    if (!lx_store_add_lesson (api->store, lesson, &error)) {
      lx_api_respond_store_error (message, error);
      return;
    }
    g_message ("api: lesson %" G_GINT64_FORMAT " '%s' booked", lesson->id, lesson->title);
    add_lesson (builder, lesson);
    root = json_builder_get_root (builder);
    lx_http_respond_json (message, SOUP_STATUS_CREATED, root);
  } else {
    lx_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", "use GET or POST",
                           NULL);
  }
}

static void
lesson_item (LxApi *api, SoupServerMessage *message, const char *method, const char *id_text)
{
  g_autoptr (GError) error = NULL;
  gint64 id;

  if (!g_ascii_string_to_signed (id_text, 10, 1, G_MAXINT64, &id, NULL)) {
    lx_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "not-found", "lessons have numeric ids",
                           NULL);
    return;
  }
  if (method == SOUP_METHOD_GET) {
    g_autoptr (LxLessonRecord) lesson = lx_store_get_lesson (api->store, id, &error);
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;
    if (lesson == NULL) {
      lx_api_respond_store_error (message, error);
      return;
    }
    add_lesson (builder, lesson);
    root = json_builder_get_root (builder);
    lx_http_respond_json (message, SOUP_STATUS_OK, root);
  } else if (method == SOUP_METHOD_PUT) {
    g_autoptr (LxLessonRecord) lesson = g_new0 (LxLessonRecord, 1);
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;
    const char *field, *data;
    gsize length;

    data = lx_api_body_of (message, &length);
    if (!lx_api_read_lesson (data, length, lesson, &field, &error)) {
      lx_api_respond_body_error (message, error, field);
      return;
    }
    lesson->id = id;
    if (!lx_store_update_lesson (api->store, lesson, &error)) {
      lx_api_respond_store_error (message, error);
      return;
    }
    g_message ("api: lesson %" G_GINT64_FORMAT " updated", id);
    add_lesson (builder, lesson);
    root = json_builder_get_root (builder);
    lx_http_respond_json (message, SOUP_STATUS_OK, root);
  } else if (method == SOUP_METHOD_DELETE) {
    if (!lx_store_delete_lesson (api->store, id, &error)) {
      lx_api_respond_store_error (message, error);
      return;
    }
    g_message ("api: lesson %" G_GINT64_FORMAT " deleted", id);
    soup_server_message_set_status (message, SOUP_STATUS_NO_CONTENT, NULL);
  } else {
    lx_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method",
                           "use GET, PUT or DELETE", NULL);
  }
}

void
lx_api_add_attendance (JsonBuilder *builder, const LxAttendanceRecord *record)
{
  g_autoptr (GDateTime) joined = g_date_time_new_from_unix_utc (record->joined);
  g_autoptr (GDateTime) left = g_date_time_new_from_unix_utc (record->left);
  g_autofree gchar *joined_text = g_date_time_format_iso8601 (joined);
  g_autofree gchar *left_text = g_date_time_format_iso8601 (left);

  json_builder_begin_object (builder);
  lx_stats_add_int (builder, "lesson", record->lesson_id);
  lx_json_add_string (builder, "school", record->school);
  lx_json_add_string (builder, "joined_utc", joined_text);
  lx_json_add_string (builder, "left_utc", left_text);
  lx_stats_add_int (builder, "seconds", record->left - record->joined);
  if (record->has_quality) {
    lx_stats_add_int (builder, "frames_decoded", record->frames_decoded);
    lx_stats_add_int (builder, "packets_lost", record->packets_lost);
    lx_stats_add_int (builder, "mean_kbps", record->mean_kbps);
  }
  json_builder_end_object (builder);
}

static void
attendance_collection (LxApi *api, SoupServerMessage *message, const char *method,
                       GHashTable *query)
{
  const char *lesson_text = query ? g_hash_table_lookup (query, "lesson") : NULL;
  const char *school = query ? g_hash_table_lookup (query, "school") : NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) records = NULL;
  gint64 lesson = 0;

  if (method != SOUP_METHOD_GET) {
    lx_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", "use GET", NULL);
    return;
  }
  if (lesson_text && !g_ascii_string_to_signed (lesson_text, 10, 1, G_MAXINT64, &lesson, NULL)) {
    bad_parameter (message, "lesson", "must be a lesson id");
    return;
  }
  records = lx_store_list_attendance (api->store, lesson, school, &error);
  if (records == NULL) {
    lx_api_respond_store_error (message, error);
    return;
  }
  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    lx_api_add_attendance (builder, records->pdata[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  lx_http_respond_json (message, SOUP_STATUS_OK, root);
}

/* ---- The live status stream (server-sent events) ---- */

/* (transfer full) The status as one server-sent event. */
static gchar *
status_event (LxApi *api)
{
  g_autoptr (JsonNode) status = api->describe_status (api->status_data);
  g_autofree gchar *json = json_to_string (status, FALSE);

  return g_strdup_printf ("data: %s\n\n", json);
}

static gboolean
push_status_to_all (gpointer data)
{
  LxApi *api = data;
  g_autofree gchar *event = NULL;

  if (lx_http_streams_count (api->status_streams) == 0) {
    api->status_timer = 0;
    return G_SOURCE_REMOVE;
  }
  /* Described once a tick, whatever the number of boards open. */
  event = status_event (api);
  lx_http_streams_send (api->status_streams, event, strlen (event));
  return G_SOURCE_CONTINUE;
}

/* GET /status/events: the status as server-sent events, once a second, until the page closes. */
static void
open_status_stream (LxApi *api, SoupServerMessage *message)
{
  g_autofree gchar *event = status_event (api);

  lx_http_streams_open (api->status_streams, message, "text/event-stream");
  lx_http_stream_send (message, event, strlen (event));
  if (api->status_timer == 0)
    api->status_timer = g_timeout_add_seconds (STATUS_EVENT_INTERVAL_S, push_status_to_all, api);
}

/* (transfer none) The token of "Authorization: Bearer TOKEN", or NULL. */
const char *
lx_api_bearer_token (SoupServerMessage *message)
{
  const char *header = soup_message_headers_get_one (
      soup_server_message_get_request_headers (message), "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;
  return header + 7;
}

void
lx_api_refuse_unauthorized (SoupServerMessage *message, const char *text)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "WWW-Authenticate", "Bearer realm=\"lianxiao\"");
  lx_http_respond_error (message, SOUP_STATUS_UNAUTHORIZED, "unauthorized", text, NULL);
}

static void
on_request (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query,
            gpointer data)
{
  LxApi *api = data;
  const char *method = soup_server_message_get_method (message);
  const char *token = lx_api_bearer_token (message);
  gboolean admin = api->admin_token && token && lx_secret_matches (api->admin_token, token);
  g_auto (GStrv) parts = g_strsplit (path + strlen (API_PREFIX), "/", -1);
  guint n_parts = g_strv_length (parts);

  /* A school may read its own timetable with its own token: that is how a classroom learns
   * when to join. */
  if (n_parts == 3 && g_str_equal (parts[0], "schools") && g_str_equal (parts[2], "timetable")) {
    if (!admin && !(token && lx_store_check_school_token (api->store, parts[1], token)))
      lx_api_refuse_unauthorized (message, "send the admin token or the school's own token");
    else if (method != SOUP_METHOD_GET)
      lx_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", "use GET", NULL);
    else
      school_timetable (api, message, parts[1], query);
    return;
  }
  /* The lesson's own sender school gives the floor with its own token (the teacher's console). */
  if (n_parts == 3 && g_str_equal (parts[0], "lessons") && g_str_equal (parts[2], "poll")) {
    lx_api_poll (api, message, method, parts[1], admin);
    return;
  }
  if (n_parts == 3 && g_str_equal (parts[0], "lessons") && g_str_equal (parts[2], "record")) {
    lx_api_record (api, message, method, parts[1], query, admin);
    return;
  }
  if (n_parts == 3 && g_str_equal (parts[0], "lessons") && g_str_equal (parts[2], "floor")) {
    lx_api_floor (api, message, method, parts[1], admin);
    return;
  }
  if (api->admin_token == NULL) {
    lx_http_respond_error (message, SOUP_STATUS_SERVICE_UNAVAILABLE, "disabled",
                           "the REST API is off: set admin-token in the server's configuration",
                           NULL);
    return;
  }
  if (!admin) {
    lx_api_refuse_unauthorized (message, "send the admin token as 'Authorization: Bearer TOKEN'");
    return;
  }

  if (n_parts == 1 && g_str_equal (parts[0], "schools"))
    schools_collection (api, message, method);
  else if (n_parts == 2 && g_str_equal (parts[0], "schools"))
    school_item (api, message, method, parts[1]);
  else if (n_parts == 3 && g_str_equal (parts[0], "schools") && g_str_equal (parts[2], "token"))
    renew_token (api, message, parts[1]);
  else if (n_parts == 1 && g_str_equal (parts[0], "lessons"))
    lessons_collection (api, message, method, query);
  else if (n_parts == 2 && g_str_equal (parts[0], "lessons"))
    lesson_item (api, message, method, parts[1]);
  else if (n_parts == 1 && g_str_equal (parts[0], "attendance"))
    attendance_collection (api, message, method, query);
  else if (n_parts == 1 && g_str_equal (parts[0], "status") && api->describe_status) {
    g_autoptr (JsonNode) status = api->describe_status (api->status_data);
    lx_http_respond_json (message, SOUP_STATUS_OK, status);
  } else if (n_parts == 2 && g_str_equal (parts[0], "status") && g_str_equal (parts[1], "events") &&
             api->describe_status)
    open_status_stream (api, message);
  else
    lx_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "not-found", "no such API path", NULL);
}

LxApi *
lx_api_new (SoupServer *server, LxStore *store, const char *admin_token, const char *time_zone)
{
  LxApi *api = g_new0 (LxApi, 1);

  api->server = g_object_ref (server);
  api->status_streams = lx_http_streams_new (NULL, NULL);
  api->store = store;
  api->admin_token = admin_token && *admin_token ? g_strdup (admin_token) : NULL;
  api->time_zone = g_time_zone_new_identifier (time_zone ? time_zone : "UTC");
  if (api->time_zone == NULL)
    api->time_zone = g_time_zone_new_utc ();
  soup_server_add_handler (server, API_PREFIX, on_request, api, NULL);
  return api;
}

void
lx_api_set_status_source (LxApi *api, JsonNode *(*describe) (gpointer data), gpointer data)
{
  api->describe_status = describe;
  api->status_data = data;
}

void
lx_api_free (LxApi *api)
{
  if (api == NULL)
    return;
  soup_server_remove_handler (api->server, API_PREFIX);
  g_clear_handle_id (&api->status_timer, g_source_remove);
  lx_http_streams_free (api->status_streams);
  g_object_unref (api->server);
  g_free (api->admin_token);
  g_time_zone_unref (api->time_zone);
  g_free (api);
}

void
lx_api_set_lessons (LxApi *api, LxLessonRegistry *lessons)
{
  api->lessons = lessons;
}

void
lx_api_set_revoke_hook (LxApi *api, void (*revoked) (const char *school, gpointer data),
                        gpointer data)
{
  api->revoked = revoked;
  api->revoked_data = data;
}
