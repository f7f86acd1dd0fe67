/* /api/v1/lessons/ID/poll (docs/api.md): a joint lesson's quick poll — opened, closed and its
 * tally read by the lesson's own sender school with its token (the teacher's console) or by IT
 * staff; a classroom's token is refused (lx_api_may_act_for_lesson). The rules are the
 * registry's (lx-poll.h); this only speaks HTTP. */
#include "lx-api-bodies.h"
#include "lx-api-private.h"
#include "lx-json.h"

static void
respond_poll (LxApi *api, SoupServerMessage *message, const char *lesson_id)
{
  LxPoll *poll = lx_lesson_registry_get_poll (api->lessons, lesson_id);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  if (poll == NULL) {
    lx_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "no-poll",
                           "这节课还没有投票 · the lesson has had no poll", NULL);
    return;
  }
  json_builder_begin_object (builder);
  lx_json_add_string (builder, "lesson", lesson_id);
  lx_poll_add_json (poll, builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  lx_http_respond_json (message, SOUP_STATUS_OK, root);
}

static void
act_on_poll (LxApi *api, SoupServerMessage *message, const char *lesson_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *question = NULL;
  const char *field = NULL, *data;
  gboolean open;
  guint n_choices = 0;
  gsize length;

  data = lx_api_body_of (message, &length);
  if (!lx_api_read_poll_action (data, length, &open, &question, &n_choices, &field, &error)) {
    lx_api_respond_body_error (message, error, field);
    return;
  }
  if (open
          ? lx_lesson_registry_open_poll (api->lessons, lesson_id, question, n_choices, &error) == 0
          : !lx_lesson_registry_close_poll (api->lessons, lesson_id, &error)) {
    lx_http_respond_error (message, SOUP_STATUS_CONFLICT, lx_protocol_error_to_string (error->code),
                           error->message, NULL);
    return;
  }
  respond_poll (api, message, lesson_id);
}

void
lx_api_poll (LxApi *api, SoupServerMessage *message, const char *method, const char *lesson_id,
             gboolean admin)
{
  lx_api_lesson_control (api, message, method, lesson_id, admin, respond_poll, act_on_poll);
}
