/* lianxiao-ctl lesson floor|call-on|hang-up: the floor of a joint lesson under way — who has a
 * hand up, who is called on — read and given from the command line (docs/api.md, the floor). */
#include "lx-ctl-private.h"

#include <libsoup/soup.h>
#include <stdio.h>

static void
print_schools (const char *label, JsonObject *floor, const char *member)
{
  JsonArray *schools = json_object_get_array_member (floor, member);
  guint n = schools ? json_array_get_length (schools) : 0;

  printf ("%s", label);
  for (guint i = 0; i < n; i++)
    printf ("%s%s", i ? ", " : " ", json_array_get_string_element (schools, i));
  printf ("%s\n", n ? "" : " —");
}

static int
print_floor (const LxCtlOptions *options, JsonNode *answer)
{
  JsonObject *floor = json_node_get_object (answer);

  if (options->json) {
    lx_ctl_print_json (answer);
    return 0;
  }
  printf ("第 %s 课 · lesson %s: %s\n", lx_ctl_member (floor, "lesson"),
          lx_ctl_member (floor, "lesson"),
          json_object_get_boolean_member (floor, "on_air") ? "上课中 on air" : "未开课 not on air");
  print_schools ("举手 hands up (in order):", floor, "hands");
  print_schools ("发言 speaking:", floor, "speaking");
  return 0;
}

int
lx_ctl_floor_command (const LxCtlOptions *options, const char *lesson, const char *action,
                      const char *school)
{
  g_autofree gchar *escaped = g_uri_escape_string (lesson, NULL, TRUE);
  g_autofree gchar *path = g_strdup_printf ("lessons/%s/floor", escaped);
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) answer = NULL;

  if (action) {
    g_autoptr (JsonObject) object = json_object_new ();
    json_object_set_string_member (object, "action", action);
    json_object_set_string_member (object, "school", school);
    body = json_node_init_object (json_node_alloc (), object);
  }
  answer = lx_ctl_request (options, action ? SOUP_METHOD_POST : SOUP_METHOD_GET, path, body);
  return answer ? print_floor (options, answer) : 1;
}
