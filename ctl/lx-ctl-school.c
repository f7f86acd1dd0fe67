/* lianxiao-ctl school ...: register, show, change and remove schools, and give a school a new
 * token — with the link that opens its browser classroom. */
#include "lx-ctl-private.h"

#include <libsoup/soup.h>
#include <stdio.h>

static void
print_school_header (void)
{
  lx_ctl_print_cell ("学校 ID", 16);
  lx_ctl_print_cell ("名称 NAME", 24);
  printf ("县 COUNTY\n");
}

static void
print_school (JsonObject *school)
{
  lx_ctl_print_cell (lx_ctl_member (school, "id"), 16);
  lx_ctl_print_cell (lx_ctl_member (school, "name"), 24);
  printf ("%s\n", lx_ctl_member (school, "county"));
}

/* (transfer full) "schools/ID[SUFFIX]", the id escaped. */
static gchar *
school_path (const char *id, const char *suffix)
{
  g_autofree gchar *escaped = g_uri_escape_string (id, NULL, TRUE);
  return g_strdup_printf ("schools/%s%s", escaped, suffix);
}

/* The token shown once, and the link that opens the school's browser classroom with it (what a
 * TV box's kiosk browser is pointed at; docs/browser-classroom.md). */
static void
print_token (const LxCtlOptions *options, JsonObject *school)
{
  g_autofree gchar *id = g_uri_escape_string (lx_ctl_member (school, "id"), NULL, TRUE);

  printf ("令牌 token: %s\n"
          "（只显示这一次：写进教室的 receiver.conf · shown only this once: put it in the "
          "classroom's receiver.conf）\n"
          "课堂链接 classroom link: %s/classroom.html#school=%s&token=%s\n",
          lx_ctl_member (school, "token"), options->server, id, lx_ctl_member (school, "token"));
}

/* "2026-12-06 17:30" in local time, from UTC seconds. */
static gchar *
local_time (gint64 utc)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (utc);
  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

static int
school_add (const LxCtlOptions *options, const char *id, const char *name)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) answer = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "county");
  json_builder_add_string_value (builder, options->county ? options->county : "");
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  answer = lx_ctl_request (options, SOUP_METHOD_POST, "schools", body);
  if (answer == NULL)
    return 1;
  if (options->json) {
    lx_ctl_print_json (answer);
    return 0;
  }
  print_school_header ();
  print_school (json_node_get_object (answer));
  print_token (options, json_node_get_object (answer));
  return 0;
}

/* One school: its details, when its programs were last seen and why they were last refused, and
 * its next lessons. */
static int
school_show (const LxCtlOptions *options, const char *id)
{
  g_autofree gchar *path = school_path (id, "/timetable");
  g_autoptr (JsonNode) answer = lx_ctl_request (options, SOUP_METHOD_GET, path, NULL);
  JsonObject *school, *refusal;
  JsonArray *lessons;

  if (answer == NULL)
    return 1;
  if (options->json) {
    lx_ctl_print_json (answer);
    return 0;
  }
  school = json_object_get_object_member (json_node_get_object (answer), "school");
  lessons = json_object_get_array_member (json_node_get_object (answer), "lessons");
  printf ("学校 id:        %s\n名称 name:      %s\n县 county:      %s\n",
          lx_ctl_member (school, "id"), lx_ctl_member (school, "name"),
          lx_ctl_member (school, "county"));
  if (json_object_has_member (school, "last_seen_utc")) {
    g_autofree gchar *seen = local_time (json_object_get_int_member (school, "last_seen_utc"));
    printf ("上次在线 seen:  %s\n", seen);
  } else {
    printf ("上次在线 seen:  从未连接 never connected\n");
  }
  refusal = json_object_get_member (school, "refusal")
                ? json_object_get_object_member (school, "refusal")
                : NULL;
  if (refusal) {
    g_autofree gchar *when = local_time (json_object_get_int_member (refusal, "at_utc"));
    printf ("上次被拒 refused: %s %s: %s\n", when, lx_ctl_member (refusal, "code"),
            lx_ctl_member (refusal, "message"));
  }
  printf ("未来 7 天的课 lessons in the next 7 days:%s\n",
          json_array_get_length (lessons) ? "" : " 没有 none");
  for (guint i = 0; i < json_array_get_length (lessons); i++) {
    JsonObject *lesson = json_array_get_object_element (lessons, i);
    g_autofree gchar *start = g_strndup (lx_ctl_member (lesson, "start"), 16);
    const char *end = lx_ctl_member (lesson, "end");
    g_strdelimit (start, "T", ' ');
    printf ("  %s–%.5s  第 %" G_GINT64_FORMAT " 课 %s (%s)\n", start,
            strlen (end) >= 16 ? end + 11 : end, json_object_get_int_member (lesson, "lesson"),
            lx_ctl_member (lesson, "title"),
            g_str_equal (lx_ctl_member (lesson, "role"), "sender") ? "主讲 sends"
                                                                   : "听课 receives");
  }
  return 0;
}

/* Changes the name (--name) and county (--county) of @id; what is not given stays. */
static int
school_edit (const LxCtlOptions *options, const char *id)
{
  g_autofree gchar *path = school_path (id, "");
  g_autoptr (JsonNode) school = NULL;
  g_autoptr (JsonNode) answer = NULL;
  JsonObject *fields;

  if (options->name == NULL && options->county == NULL)
    return lx_ctl_usage ("school edit ID takes --name NAME and/or --county COUNTY");
  school = lx_ctl_request (options, SOUP_METHOD_GET, path, NULL);
  if (school == NULL)
    return 1;
  fields = json_node_get_object (school);
  if (options->name)
    json_object_set_string_member (fields, "name", options->name);
  if (options->county)
    json_object_set_string_member (fields, "county", options->county);
  answer = lx_ctl_request (options, SOUP_METHOD_PUT, path, school);
  if (answer == NULL)
    return 1;
  if (options->json) {
    lx_ctl_print_json (answer);
    return 0;
  }
  printf ("学校 %s 已修改 · school %s changed\n", id, id);
  print_school_header ();
  print_school (json_node_get_object (answer));
  return 0;
}

static int
school_token (const LxCtlOptions *options, const char *id)
{
  g_autofree gchar *path = school_path (id, "/token");
  g_autoptr (JsonNode) answer = lx_ctl_request (options, SOUP_METHOD_POST, path, NULL);

  if (answer == NULL)
    return 1;
  if (options->json) {
    lx_ctl_print_json (answer);
    return 0;
  }
  printf ("学校 %s 的新令牌：旧令牌和它的连接已经作废 · a new token for %s: the old one and its "
          "connections have ended\n",
          id, id);
  print_token (options, json_node_get_object (answer));
  return 0;
}

int
lx_ctl_school_command (const LxCtlOptions *options, int argc, char **argv)
{
  if (argc == 3 && g_str_equal (argv[2], "list"))
    return lx_ctl_print_list (options, "schools", print_school_header, print_school,
                              "还没有学校 · no schools yet (school add ID NAME registers one)");
  if (argc == 5 && g_str_equal (argv[2], "add"))
    return school_add (options, argv[3], argv[4]);
  if (argc == 4 && g_str_equal (argv[2], "show"))
    return school_show (options, argv[3]);
  if (argc == 4 && g_str_equal (argv[2], "edit"))
    return school_edit (options, argv[3]);
  if (argc == 4 && g_str_equal (argv[2], "token"))
    return school_token (options, argv[3]);
  if (argc == 4 && g_str_equal (argv[2], "delete")) {
    g_autofree gchar *path = school_path (argv[3], "");
    g_autofree gchar *done =
        g_strdup_printf ("学校 %s 已删除 · school %s deleted", argv[3], argv[3]);
    return lx_ctl_delete (options, path, done);
  }
  return lx_ctl_usage ("school takes: list | add ID NAME [--county C] | show ID | edit ID "
                       "[--name N] [--county C] | token ID | delete ID");
}
