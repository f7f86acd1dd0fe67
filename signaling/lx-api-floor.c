/* /api/v1/lessons/ID/floor (docs/api.md): the floor of a joint lesson — hands up, classrooms
 * called on — read and given by IT staff (the admin token) or by the lesson's own sender school
 * with its token: the teacher's console. A classroom's token is refused: no classroom calls
 * itself, or another, on. The rules are the registry's (lx-floor.h); this only speaks HTTP. */
#include "lx-api-bodies.h"
#include "lx-api-private.h"
#include "lx-json.h"

/* The admin token, or the token of the school that sends @lesson_id (a booked lesson). */
gboolean
lx_api_may_act_for_lesson (LxApi *api, SoupServerMessage *message, const char *lesson_id,
                           gboolean admin)
{
  const char *token = lx_api_bearer_token (message);
  g_autoptr (LxLessonRecord) lesson = NULL;
  gint64 id;

  if (admin)
    return TRUE;
  if (token == NULL) {
    lx_api_refuse_unauthorized (message,
                                "send the token of the lesson's sender school, or the admin token");
    return FALSE;
  }
  if (g_ascii_string_to_signed (lesson_id, 10, 1, G_MAXINT64, &id, NULL))
    lesson = lx_store_get_lesson (api->store, id, NULL);
  if (lesson && lx_store_check_school_token (api->store, lesson->sender, token))
    return TRUE;
  /* (the same answer for a lesson that does not exist: a token learns nothing of others) */
  lx_http_respond_error (
      message, SOUP_STATUS_FORBIDDEN, "forbidden",
      "只有主讲学校和管理员可以点名发言、发起投票 · only the lesson's sender school "
      "(its token) or IT staff (the admin token) give the floor and ask polls",
      NULL);
  return FALSE;
}

static void
respond_floor (LxApi *api, SoupServerMessage *message, const char *lesson_id)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  const char *const *hands = NULL, *const *speaking = NULL;

  lx_lesson_registry_get_floor (api->lessons, lesson_id, &hands, &speaking);
  json_builder_begin_object (builder);
  lx_json_add_string (builder, "lesson", lesson_id);
  json_builder_set_member_name (builder, "on_air");
  json_builder_add_boolean_value (builder,
                                  lx_lesson_registry_get_sender (api->lessons, lesson_id) != NULL);
  json_builder_set_member_name (builder, "speakers_allowed");
  json_builder_add_int_value (builder, lx_lesson_registry_get_max_speakers (api->lessons));
  lx_json_add_strings (builder, "hands", hands);
  lx_json_add_strings (builder, "speaking", speaking);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  lx_http_respond_json (message, SOUP_STATUS_OK, root);
}

static void
give_floor (LxApi *api, SoupServerMessage *message, const char *lesson_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *school = NULL;
  const char *field = NULL, *data;
  gboolean call_on;
  gsize length;

  data = lx_api_body_of (message, &length);
  if (!lx_api_read_floor_action (data, length, &call_on, &school, &field, &error)) {
    lx_api_respond_body_error (message, error, field);
    return;
  }
  if (!lx_lesson_registry_give_floor (api->lessons, lesson_id, school, call_on, &error)) {
    lx_http_respond_error (message,
                           error->code == LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL ? SOUP_STATUS_NOT_FOUND
                                                                           : SOUP_STATUS_CONFLICT,
                           lx_protocol_error_to_string (error->code), error->message, NULL);
    return;
  }
  g_message ("api: lesson %s: %s %s", lesson_id, call_on ? "called on" : "hung up", school);
  respond_floor (api, message, lesson_id);
}

void
lx_api_lesson_control (LxApi *api, SoupServerMessage *message, const char *method,
                       const char *lesson_id, gboolean admin, LxApiLessonHandler read,
                       LxApiLessonHandler act)
{
  if (api->lessons == NULL) {
    lx_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "not-found", "no such API path", NULL);
    return;
  }
  if (!lx_api_may_act_for_lesson (api, message, lesson_id, admin))
    return;
  if (method == SOUP_METHOD_GET)
    read (api, message, lesson_id);
  else if (method == SOUP_METHOD_POST)
    act (api, message, lesson_id);
  else
    lx_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", "use GET or POST",
                           NULL);
}

void
lx_api_floor (LxApi *api, SoupServerMessage *message, const char *method, const char *lesson_id,
              gboolean admin)
{
  lx_api_lesson_control (api, message, method, lesson_id, admin, respond_floor, give_floor);
}
