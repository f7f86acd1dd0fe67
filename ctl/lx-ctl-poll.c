/* lianxiao-ctl lesson poll: a joint lesson's quick poll — opened, closed, its tally and each
 * classroom's answer shown — from the command line (docs/api.md, the poll). */
#include "lx-ctl-private.h"

#include <libsoup/soup.h>
#include <stdio.h>

static int
print_poll (const LxCtlOptions *options, JsonNode *answer)
{
  JsonObject *poll = json_node_get_object (answer);
  JsonObject *tally = json_object_get_object_member (poll, "tally");
  JsonObject *answers = json_object_get_object_member (poll, "answers");
  g_autoptr (GList) letters = tally ? json_object_get_members (tally) : NULL;
  g_autoptr (GList) schools = answers ? json_object_get_members (answers) : NULL;

  if (options->json) {
    lx_ctl_print_json (answer);
    return 0;
  }
  printf ("第 %s 课投票 %" G_GINT64_FORMAT " · lesson %s, poll %" G_GINT64_FORMAT " (%s): %s\n",
          lx_ctl_member (poll, "lesson"), json_object_get_int_member (poll, "poll_id"),
          lx_ctl_member (poll, "lesson"), json_object_get_int_member (poll, "poll_id"),
          json_object_get_boolean_member (poll, "open") ? "进行中 open" : "已结束 closed",
          lx_ctl_member (poll, "question"));
  for (GList *l = letters; l; l = l->next)
    printf ("  %s: %" G_GINT64_FORMAT "\n", (const char *) l->data,
            json_object_get_int_member (tally, l->data));
  for (GList *l = schools; l; l = l->next)
    printf ("  %s → %s\n", (const char *) l->data,
            json_object_get_string_member (answers, l->data));
  return 0;
}

int
lx_ctl_poll_command (const LxCtlOptions *options, const char *lesson, const char *action,
                     const char *question, const char *choices)
{
  g_autofree gchar *escaped = g_uri_escape_string (lesson, NULL, TRUE);
  g_autofree gchar *path = g_strdup_printf ("lessons/%s/poll", escaped);
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) answer = NULL;
  gint64 n_choices = 4;

  if (choices && !g_ascii_string_to_signed (choices, 10, 2, 4, &n_choices, NULL))
    return lx_ctl_usage ("the poll's answers: 2, 3 or 4 (A–B to A–D)");
  if (action) {
    g_autoptr (JsonObject) object = json_object_new ();
    json_object_set_string_member (object, "action", action);
    if (question) {
      json_object_set_string_member (object, "question", question);
      json_object_set_int_member (object, "choices", n_choices);
    }
    body = json_node_init_object (json_node_alloc (), object);
  }
  answer = lx_ctl_request (options, action ? SOUP_METHOD_POST : SOUP_METHOD_GET, path, body);
  return answer ? print_poll (options, answer) : 1;
}
