/* lianxiao-ctl lesson ...: book, list, change and delete lessons. Dates are checked here, so
 * that a mistyped one is answered in the form the option takes. */
#include "lx-ctl-private.h"

#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

/* "2026-12-01T10:00:00" → "2026-12-01 10:00". */
static gchar *
readable_time (const char *api_time)
{
  g_autofree gchar *copy = g_strndup (api_time, 16);
  return g_strdelimit (g_steal_pointer (&copy), "T", ' ');
}

static void
print_lesson_header (void)
{
  lx_ctl_print_cell ("编号 NO.", 8);
  lx_ctl_print_cell ("时间 TIME", 22);
  lx_ctl_print_cell ("课程 TITLE", 20);
  lx_ctl_print_cell ("主讲 TEACHER", 12);
  printf ("学校 SCHOOLS\n");
}

static void
print_lesson (JsonObject *lesson)
{
  JsonArray *receivers = json_object_get_array_member (lesson, "receivers");
  g_autoptr (GString) schools = g_string_new (lx_ctl_member (lesson, "sender"));
  g_autofree gchar *number =
      g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (lesson, "id"));
  g_autofree gchar *start = readable_time (lx_ctl_member (lesson, "start"));
  g_autofree gchar *end = readable_time (lx_ctl_member (lesson, "end"));
  g_autofree gchar *when = g_strdup_printf ("%s–%s", start, strlen (end) == 16 ? end + 11 : end);
  const char *weekly = lx_ctl_member (lesson, "weekly_until");

  g_string_append (schools, " →");
  for (guint i = 0; receivers && i < json_array_get_length (receivers); i++)
    g_string_append_printf (schools, "%s%s", i ? "," : " ",
                            json_array_get_string_element (receivers, i));
  lx_ctl_print_cell (number, 8);
  lx_ctl_print_cell (when, 22);
  lx_ctl_print_cell (lx_ctl_member (lesson, "title"), 20);
  lx_ctl_print_cell (lx_ctl_member (lesson, "teacher"), 12);
  printf ("%s%s%s\n", schools->str, *weekly ? "，每周 weekly until " : "", weekly);
}

/* "2026-12-01 10:00" → "2026-12-01T10:00:00", the API's form. */
static gchar *
api_time (const char *text)
{
  g_autofree gchar *copy = g_strdup (text);
  g_strdelimit (copy, " ", 'T');
  return strlen (copy) == 16 ? g_strconcat (copy, ":00", NULL) : g_steal_pointer (&copy);
}

/* Checks the dates given, each in the form its option takes. */
static gboolean
dates_are_readable (const LxCtlOptions *options)
{
  return (!options->start || lx_ctl_check_date ("--start", options->start, TRUE)) &&
         (!options->end || lx_ctl_check_date ("--end", options->end, TRUE)) &&
         (!options->weekly_until ||
          lx_ctl_check_date ("--weekly-until", options->weekly_until, FALSE)) &&
         (!options->day || lx_ctl_check_date ("--day", options->day, FALSE));
}

/* Puts the lesson options given into @lesson (a lesson's JSON object, new or as stored). */
static void
apply_options (const LxCtlOptions *options, JsonObject *lesson)
{
  const struct {
    const char *member, *value;
  } texts[] = {
    { "title", options->title },
    { "teacher", options->teacher },
    { "sender", options->sender },
    { "time_zone", options->time_zone },
    { "weekly_until", options->weekly_until },
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    if (texts[i].value)
      json_object_set_string_member (lesson, texts[i].member, texts[i].value);
  if (options->start) {
    g_autofree gchar *start = api_time (options->start);
    json_object_set_string_member (lesson, "start", start);
  }
  if (options->end) {
    g_autofree gchar *end = api_time (options->end);
    json_object_set_string_member (lesson, "end", end);
  }
  if (options->receivers) {
    g_auto (GStrv) receivers = g_strsplit (options->receivers, ",", -1);
    JsonArray *list = json_array_new ();
    for (guint i = 0; receivers[i]; i++)
      json_array_add_string_element (list, g_strstrip (receivers[i]));
    json_object_set_array_member (lesson, "receivers", list);
  }
}

static int
print_one_lesson (const LxCtlOptions *options, JsonNode *answer, const char *done)
{
  if (options->json) {
    lx_ctl_print_json (answer);
    return 0;
  }
  printf ("%s\n", done);
  print_lesson_header ();
  print_lesson (json_node_get_object (answer));
  return 0;
}

static int
lesson_add (const LxCtlOptions *options)
{
  g_autoptr (JsonNode) body = json_node_init_object (json_node_alloc (), json_object_new ());
  g_autoptr (JsonNode) answer = NULL;

  if (!options->title || !options->sender || !options->receivers || !options->start ||
      !options->end)
    return lx_ctl_usage ("lesson add needs --title, --sender, --receivers, --start and --end");
  if (!dates_are_readable (options))
    return 2;
  json_object_set_string_member (json_node_get_object (body), "teacher", "");
  json_object_set_string_member (json_node_get_object (body), "time_zone", "Asia/Shanghai");
  apply_options (options, json_node_get_object (body));
  answer = lx_ctl_request (options, SOUP_METHOD_POST, "lessons", body);
  return answer ? print_one_lesson (options, answer, "已排课 · lesson booked") : 1;
}

/* Changes what the options give of lesson @number; the rest stays as booked. */
static int
lesson_edit (const LxCtlOptions *options, const char *number)
{
  g_autofree gchar *escaped = g_uri_escape_string (number, NULL, TRUE);
  g_autofree gchar *path = g_strdup_printf ("lessons/%s", escaped);
  g_autoptr (JsonNode) lesson = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autofree gchar *done = NULL;

  if (!options->title && !options->teacher && !options->sender && !options->receivers &&
      !options->start && !options->end && !options->time_zone && !options->weekly_until)
    return lx_ctl_usage ("lesson edit NUMBER takes what to change: --title, --teacher, --sender, "
                         "--receivers, --start, --end, --time-zone, --weekly-until");
  if (!dates_are_readable (options))
    return 2;
  lesson = lx_ctl_request (options, SOUP_METHOD_GET, path, NULL);
  if (lesson == NULL)
    return 1;
  apply_options (options, json_node_get_object (lesson));
  answer = lx_ctl_request (options, SOUP_METHOD_PUT, path, lesson);
  done = g_strdup_printf ("第 %s 课已修改 · lesson %s changed", number, number);
  return answer ? print_one_lesson (options, answer, done) : 1;
}

/* With --day (or --today), each lesson's times are that day's occurrence, not its first. */
static void
move_to_day (JsonArray *lessons, const char *day)
{
  for (guint i = 0; i < json_array_get_length (lessons); i++) {
    JsonObject *lesson = json_array_get_object_element (lessons, i);
    const char *members[] = { "start", "end" };
    for (guint m = 0; m < G_N_ELEMENTS (members); m++) {
      const char *time = lx_ctl_member (lesson, members[m]);
      g_autofree gchar *moved = NULL;
      if (strlen (time) < 11)
        continue;
      moved = g_strconcat (day, time + 10, NULL);
      json_object_set_string_member (lesson, members[m], moved);
    }
  }
}

static int
lesson_list (const LxCtlOptions *options)
{
  g_autoptr (GString) path = g_string_new ("lessons");
  g_autofree gchar *day = g_strdup (options->day);
  g_autoptr (JsonNode) answer = NULL;
  const char *separator = "?";

  if (!dates_are_readable (options))
    return 2;
  if (options->today) {
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_free (day);
    day = g_date_time_format (now, "%Y-%m-%d");
  }
  if (day) {
    g_autofree gchar *escaped = g_uri_escape_string (day, NULL, TRUE);
    g_string_append_printf (path, "%sday=%s", separator, escaped);
    separator = "&";
  }
  if (options->school) {
    g_autofree gchar *escaped = g_uri_escape_string (options->school, NULL, TRUE);
    g_autofree gchar *timetable = g_strdup_printf ("schools/%s/timetable?days=1", escaped);
    /* An empty list must not hide a mistyped school: the server says whether it exists. */
    g_autoptr (JsonNode) school = lx_ctl_request (options, SOUP_METHOD_GET, timetable, NULL);
    if (school == NULL)
      return 1;
    g_string_append_printf (path, "%sschool=%s", separator, escaped);
  }
  answer = lx_ctl_request (options, SOUP_METHOD_GET, path->str, NULL);
  if (answer == NULL)
    return 1;
  if (day && !options->json)
    move_to_day (json_node_get_array (answer), day);
  return lx_ctl_print_items (options, answer, print_lesson_header, print_lesson,
                             "没有课 · no lessons");
}

int
lx_ctl_lesson_command (const LxCtlOptions *options, int argc, char **argv)
{
  if (argc == 3 && g_str_equal (argv[2], "add"))
    return lesson_add (options);
  if (argc == 3 && g_str_equal (argv[2], "list"))
    return lesson_list (options);
  if (argc == 4 && g_str_equal (argv[2], "edit"))
    return lesson_edit (options, argv[3]);
  if (argc == 4 && g_str_equal (argv[2], "delete")) {
    g_autofree gchar *escaped = g_uri_escape_string (argv[3], NULL, TRUE);
    g_autofree gchar *path = g_strdup_printf ("lessons/%s", escaped);
    g_autofree gchar *done =
        g_strdup_printf ("第 %s 课已删除 · lesson %s deleted", argv[3], argv[3]);
    return lx_ctl_delete (options, path, done);
  }
  if (argc == 4 && g_str_equal (argv[2], "floor"))
    return lx_ctl_floor_command (options, argv[3], NULL, NULL);
  if (argc == 5 && (g_str_equal (argv[2], "call-on") || g_str_equal (argv[2], "hang-up")))
    return lx_ctl_floor_command (options, argv[3], argv[2], argv[4]);
  if (argc == 4 && g_str_equal (argv[2], "poll"))
    return lx_ctl_poll_command (options, argv[3], NULL, NULL, NULL);
  if (argc == 5 && g_str_equal (argv[2], "poll") && g_str_equal (argv[4], "close"))
    return lx_ctl_poll_command (options, argv[3], "close", NULL, NULL);
  if ((argc == 6 || argc == 7) && g_str_equal (argv[2], "poll") && g_str_equal (argv[4], "open"))
    return lx_ctl_poll_command (options, argv[3], "open", argv[5], argc == 7 ? argv[6] : NULL);
  return lx_ctl_usage ("lesson takes: add --title ... | list [--today|--day D] [--school S] | "
                       "edit NUMBER --start ... | delete NUMBER | floor NUMBER | "
                       "call-on NUMBER SCHOOL | hang-up NUMBER SCHOOL | "
                       "poll NUMBER [open QUESTION [2-4] | close]");
}
