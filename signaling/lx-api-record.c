/* /api/v1/lessons/ID/record (docs/api.md): one occurrence of a lesson of the timetable, after the
 * fact — who attended and for how long (classrooms still connected included), the questions asked
 * in writing, the polls with their tally. For the teacher's console after the lesson (the sender
 * school's token) and IT staff (the admin token), beside the attendance. */
#include "lx-api-private.h"
#include "lx-json.h"
#include "lx-schedule.h"
#include "lx-stats.h"

/* An occurrence's record covers from this long before its start to this long after its end: a
 * teacher who goes on the air early, a question asked as the class packs up. */
#define MARGIN_S 3600

typedef struct {
  gint64 now, start, end;
} LatestBegun;

static gboolean
find_latest_begun (gint64 start, gint64 end, gpointer data)
{
  LatestBegun *latest = data;

  if (start > latest->now)
    return FALSE;
  latest->start = start;
  latest->end = end;
  return TRUE;
}

/* [@from, @to): ?from= and ?to= (UTC seconds), else around the occurrence begun last. FALSE (and
 * answered) if neither is there. */
static gboolean
read_window (SoupServerMessage *message, const LxLessonRecord *lesson, GHashTable *query,
             gint64 *from, gint64 *to)
{
  const char *from_text = query ? g_hash_table_lookup (query, "from") : NULL;
  const char *to_text = query ? g_hash_table_lookup (query, "to") : NULL;
  LatestBegun latest = { g_get_real_time () / G_USEC_PER_SEC, 0, 0 };

  if (from_text || to_text) {
    if (!from_text || !to_text ||
        !g_ascii_string_to_signed (from_text, 10, 0, G_MAXINT64, from, NULL) ||
        !g_ascii_string_to_signed (to_text, 10, 0, G_MAXINT64, to, NULL) || *to <= *from) {
      lx_http_respond_error (message, SOUP_STATUS_BAD_REQUEST, "invalid",
                             "from, to: UTC seconds, from before to", "from");
      return FALSE;
    }
    return TRUE;
  }
  lx_schedule_foreach_occurrence (lesson, find_latest_begun, &latest);
  if (latest.start == 0) {
    lx_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "not-found",
                           "这节课还没上过 · the lesson has not begun yet", NULL);
    return FALSE;
  }
  *from = latest.start - MARGIN_S;
  *to = latest.end + MARGIN_S;
  return TRUE;
}

static void
add_attendance (LxApi *api, JsonBuilder *builder, const char *lesson_id, gint64 id,
                const GPtrArray *records, gint64 from, gint64 to, GHashTable *mentioned)
{
  g_auto (GStrv) present =
      api->lessons ? lx_lesson_registry_list_classrooms (api->lessons, lesson_id) : NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  json_builder_set_member_name (builder, "attendance");
  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++) {
    const LxAttendanceRecord *record = records->pdata[i];
    if (record->joined < from || record->joined >= to)
      continue;
    lx_api_add_attendance (builder, record);
    g_hash_table_add (mentioned, g_strdup (record->school));
  }
  /* Classrooms still there (they leave when the lesson's time is over): their stay so far. */
  for (guint i = 0; present && present[i]; i++) {
    LxClassroomStatus status;
    LxAttendanceRecord record = { .lesson_id = id, .school = present[i], .left = now };
    if (!lx_lesson_registry_get_classroom (api->lessons, lesson_id, present[i], &status) ||
        status.since < from || status.since >= to)
      continue;
    record.joined = status.since;
    lx_api_add_attendance (builder, &record);
    g_hash_table_add (mentioned, g_strdup (present[i]));
  }
  json_builder_end_array (builder);
}

/* "names": {school id: name} for the schools the record mentions (@mentioned), for people. */
static void
add_names (LxApi *api, JsonBuilder *builder, GHashTable *mentioned)
{
  GHashTableIter iter;
  const char *id;

  json_builder_set_member_name (builder, "names");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, mentioned);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL)) {
    g_autoptr (LxSchoolRecord) school = lx_store_get_school (api->store, id, NULL);
    if (school)
      lx_json_add_string (builder, id, school->name);
  }
  json_builder_end_object (builder);
}

static void
add_questions (JsonBuilder *builder, const GPtrArray *questions, GHashTable *mentioned)
{
  json_builder_set_member_name (builder, "questions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < questions->len; i++) {
    const LxQuestionRecord *question = questions->pdata[i];
    g_hash_table_add (mentioned, g_strdup (question->school));
    json_builder_begin_object (builder);
    lx_json_add_string (builder, "school", question->school);
    lx_json_add_string (builder, "text", question->text);
    lx_stats_add_int (builder, "asked_utc", question->asked);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
}

static void
add_polls (JsonBuilder *builder, const GPtrArray *polls)
{
  json_builder_set_member_name (builder, "polls");
  json_builder_begin_array (builder);
  for (guint i = 0; i < polls->len; i++) {
    g_autoptr (JsonNode) summary = json_from_string (polls->pdata[i], NULL);
    if (summary)
      json_builder_add_value (builder, g_steal_pointer (&summary));
  }
  json_builder_end_array (builder);
}

void
lx_api_record (LxApi *api, SoupServerMessage *message, const char *method, const char *lesson_id,
               GHashTable *query, gboolean admin)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (LxLessonRecord) lesson = NULL;
  g_autoptr (GPtrArray) attendance = NULL;
  g_autoptr (GPtrArray) questions = NULL;
  g_autoptr (GPtrArray) polls = NULL;
  g_autoptr (GHashTable) mentioned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 id, from, to;

  if (!lx_api_may_act_for_lesson (api, message, lesson_id, admin))
    return;
  if (method != SOUP_METHOD_GET) {
    lx_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", "use GET", NULL);
    return;
  }
  /* (only the admin token reaches here for a lesson that does not exist) */
  if (!g_ascii_string_to_signed (lesson_id, 10, 1, G_MAXINT64, &id, NULL) ||
      (lesson = lx_store_get_lesson (api->store, id, &error)) == NULL) {
    lx_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "not-found", "no such lesson", NULL);
    return;
  }
  if (!read_window (message, lesson, query, &from, &to))
    return;
  if ((attendance = lx_store_list_attendance (api->store, id, NULL, &error)) == NULL ||
      (questions = lx_store_list_questions (api->store, id, from, to, &error)) == NULL ||
      (polls = lx_store_list_polls (api->store, id, from, to, &error)) == NULL) {
    lx_api_respond_store_error (message, error);
    return;
  }
  json_builder_begin_object (builder);
  lx_stats_add_int (builder, "lesson", id);
  lx_json_add_string (builder, "title", lesson->title);
  lx_stats_add_int (builder, "from_utc", from);
  lx_stats_add_int (builder, "to_utc", to);
  add_attendance (api, builder, lesson_id, id, attendance, from, to, mentioned);
  add_questions (builder, questions, mentioned);
  add_polls (builder, polls);
  add_names (api, builder, mentioned);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  lx_http_respond_json (message, SOUP_STATUS_OK, root);
}
