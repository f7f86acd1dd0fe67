/* The REST API's request bodies (see lx-api-bodies.h). */
#include "lx-api-bodies.h"

#include "lx-field-labels.h"
#include "lx-poll.h"

#include "lx-json.h"

#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (lx - api - error - quark, lx_api_error)

static JsonObject *
parse_body (const char *data, gsize length, GError **error)
{
  g_autoptr (GError) json_error = NULL;
  JsonObject *object = lx_json_parse_object (data, length, LX_API_MAX_BODY_BYTES, &json_error);

  if (object == NULL)
    g_set_error (error, LX_API_ERROR,
                 g_error_matches (json_error, LX_JSON_ERROR, LX_JSON_ERROR_TOO_LARGE)
                     ? LX_API_ERROR_TOO_LARGE
                     : LX_API_ERROR_INVALID,
                 "the request body must be one JSON object of at most 64 KiB: %s",
                 json_error->message);
  return object;
}

/* Chinese first, like the store's errors ("开始时间：... · field 'start': ..."). */
static gboolean
bad_field (const char *name, const char *chinese, const char *problem, const char **field,
           GError **error)
{
  *field = name;
  g_set_error (error, LX_API_ERROR, LX_API_ERROR_INVALID, "%s：%s · field '%s': %s",
               lx_field_label (name), chinese, name, problem);
  return FALSE;
}

/* A string member, NULL when absent or null; FALSE when of another type. */
static gboolean
get_string (JsonObject *object, const char *name, const char **value, const char **field,
            GError **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad_field (name, "要是文字", "must be a string", field, error);
  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
lx_api_read_school (const char *data, gsize length, LxSchoolRecord *school, const char **field,
                    GError **error)
{
  g_autoptr (JsonObject) object = parse_body (data, length, error);
  const char *id, *name, *county;

  *field = NULL;
  if (object == NULL || !get_string (object, "id", &id, field, error) ||
      !get_string (object, "name", &name, field, error) ||
      !get_string (object, "county", &county, field, error))
    return FALSE;
  school->id = g_strdup (id);
  school->name = g_strdup (name);
  school->county = g_strdup (county);
  return TRUE;
}

/* Local date-time text in @zone to UTC seconds. */
static gboolean
parse_time (const char *name, const char *text, GTimeZone *zone, gint64 *utc, const char **field,
            GError **error)
{
  g_autoptr (GDateTime) time = text ? g_date_time_new_from_iso8601 (text, zone) : NULL;

  if (time == NULL)
    return bad_field (name, "日期和时间要像 2026-12-01T10:00:00",
                      "must be a date and time like 2026-12-01T10:00:00", field, error);
  *utc = g_date_time_to_unix (time);
  return TRUE;
}

gboolean
lx_api_read_lesson (const char *data, gsize length, LxLessonRecord *lesson, const char **field,
                    GError **error)
{
  g_autoptr (JsonObject) object = parse_body (data, length, error);
  const char *title, *teacher, *sender, *start, *end, *time_zone, *weekly_until;
  g_autoptr (GTimeZone) zone = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  JsonNode *receivers;

  *field = NULL;
  if (object == NULL || !get_string (object, "title", &title, field, error) ||
      !get_string (object, "teacher", &teacher, field, error) ||
      !get_string (object, "sender", &sender, field, error) ||
      !get_string (object, "start", &start, field, error) ||
      !get_string (object, "end", &end, field, error) ||
      !get_string (object, "time_zone", &time_zone, field, error) ||
      !get_string (object, "weekly_until", &weekly_until, field, error))
    return FALSE;
  if (time_zone == NULL || (zone = g_time_zone_new_identifier (time_zone)) == NULL)
    return bad_field ("time_zone", "不认识这个时区（中国用 Asia/Shanghai）",
                      "must be a known time zone, like Asia/Shanghai", field, error);
  if (!parse_time ("start", start, zone, &lesson->start, field, error) ||
      !parse_time ("end", end, zone, &lesson->end, field, error))
    return FALSE;
  if (weekly_until) {
    gint year, month, day;
    g_autoptr (GDateTime) until = NULL;
    if (sscanf (weekly_until, "%4d-%2d-%2d", &year, &month, &day) != 3 ||
        (until = g_date_time_new (zone, year, month, day, 23, 59, 59)) == NULL)
      return bad_field ("weekly_until", "日期要像 2027-01-15", "must be a date like 2027-01-15",
                        field, error);
    lesson->repeat_until = g_date_time_to_unix (until);
  }
  receivers = json_object_get_member (object, "receivers");
  if (receivers == NULL || !JSON_NODE_HOLDS_ARRAY (receivers))
    return bad_field ("receivers", "要是学校编号的列表", "must be a list of school ids", field,
                      error);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (receivers)); i++) {
    JsonNode *item = json_array_get_element (json_node_get_array (receivers), i);
    if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
      return bad_field ("receivers", "要是学校编号的列表", "must be a list of school ids", field,
                        error);
    g_ptr_array_add (names, g_strdup (json_node_get_string (item)));
  }
  g_ptr_array_add (names, NULL);
  lesson->receivers = (gchar **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  lesson->title = g_strdup (title);
  lesson->teacher = g_strdup (teacher);
  lesson->sender = g_strdup (sender);
  lesson->time_zone = g_strdup (time_zone);
  return TRUE;
}

gboolean
lx_api_read_floor_action (const char *data, gsize length, gboolean *call_on, gchar **school,
                          const char **field, GError **error)
{
  g_autoptr (JsonObject) object = parse_body (data, length, error);
  const char *action, *id;

  *field = NULL;
  if (object == NULL || !get_string (object, "action", &action, field, error) ||
      !get_string (object, "school", &id, field, error))
    return FALSE;
  if (g_strcmp0 (action, "call-on") != 0 && g_strcmp0 (action, "hang-up") != 0)
    return bad_field ("action", "要是 call-on（请发言）或 hang-up（结束发言）",
                      "must be \"call-on\" or \"hang-up\"", field, error);
  if (id == NULL || *id == '\0')
    return bad_field ("school", "要写学校编号", "must name the school", field, error);
  *call_on = g_str_equal (action, "call-on");
  *school = g_strdup (id);
  return TRUE;
}

gboolean
lx_api_read_poll_action (const char *data, gsize length, gboolean *open, gchar **question,
                         guint *n_choices, const char **field, GError **error)
{
  g_autoptr (JsonObject) object = parse_body (data, length, error);
  const char *action, *text;
  JsonNode *choices;

  *field = NULL;
  if (object == NULL || !get_string (object, "action", &action, field, error) ||
      !get_string (object, "question", &text, field, error))
    return FALSE;
  if (g_strcmp0 (action, "open") != 0 && g_strcmp0 (action, "close") != 0)
    return bad_field ("action", "要是 open（开始投票）或 close（结束投票）",
                      "must be \"open\" or \"close\"", field, error);
  *open = g_str_equal (action, "open");
  if (!*open)
    return TRUE;
  if (text == NULL || *text == '\0' || strlen (text) > LX_POLL_QUESTION_BYTES)
    return bad_field ("question", "要写问题（最多 500 字节）",
                      "must be the question, 1 to 500 bytes of UTF-8", field, error);
  choices = json_object_get_member (object, "choices");
  *n_choices = 4;
  if (choices && !JSON_NODE_HOLDS_NULL (choices)) {
    if (!JSON_NODE_HOLDS_VALUE (choices) || json_node_get_value_type (choices) != G_TYPE_INT64 ||
        json_node_get_int (choices) < 2 || json_node_get_int (choices) > LX_POLL_MOST_CHOICES)
      return bad_field ("choices", "要是 2 到 4（A–B 到 A–D）",
                        "must be 2, 3 or 4 (answers A–B to A–D)", field, error);
    *n_choices = (guint) json_node_get_int (choices);
  }
  *question = g_strdup (text);
  return TRUE;
}
