/* lianxiao-ctl's commands (see lx-ctl.h). */
#include "lx-ctl.h"

#include "lx-secret.h"
#include "lx-tls.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

gboolean
lx_ctl_parse (LxCtlOptions *options, gchar ***args, GError **error)
{
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_FILENAME, &options->server,
      "lianxiao-signaling's address (default http://127.0.0.1:8443)", "URL" },
    { "token", 0, 0, G_OPTION_ARG_FILENAME, &options->token,
      "The admin token (better: set LIANXIAO_ADMIN_TOKEN)", "TOKEN" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options->ca_file,
      "PEM file of the CA certificates that sign an https:// server's (default: the system's)",
      "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json, "Print the server's JSON", NULL },
    { "title", 0, 0, G_OPTION_ARG_FILENAME, &options->title, "Lesson title", "TEXT" },
    { "teacher", 0, 0, G_OPTION_ARG_FILENAME, &options->teacher, "Lesson teacher", "NAME" },
    { "sender", 0, 0, G_OPTION_ARG_FILENAME, &options->sender, "The sending (master) school", "ID" },
    { "receivers", 0, 0, G_OPTION_ARG_FILENAME, &options->receivers,
      "The receiving schools, comma-separated", "ID,ID" },
    { "start", 0, 0, G_OPTION_ARG_FILENAME, &options->start, "Start, local time", "YYYY-MM-DD HH:MM" },
    { "end", 0, 0, G_OPTION_ARG_FILENAME, &options->end, "End, local time", "YYYY-MM-DD HH:MM" },
    { "time-zone", 0, 0, G_OPTION_ARG_FILENAME, &options->time_zone,
      "Time zone of --start and --end (default Asia/Shanghai)", "ZONE" },
    { "weekly-until", 0, 0, G_OPTION_ARG_FILENAME, &options->weekly_until,
      "Repeat every week until this day", "YYYY-MM-DD" },
    { "day", 0, 0, G_OPTION_ARG_FILENAME, &options->day, "List the lessons of this day",
      "YYYY-MM-DD" },
    { "today", 0, 0, G_OPTION_ARG_NONE, &options->today, "List today's lessons", NULL },
    { "school", 0, 0, G_OPTION_ARG_FILENAME, &options->school, "List one school's lessons", "ID" },
    { "county", 0, 0, G_OPTION_ARG_FILENAME, &options->county, "County of a new school", "NAME" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("school|lesson add|list|delete ...");

  g_option_context_set_summary (context,
                                "Lianxiao timetable tool: register schools and book lessons "
                                "through lianxiao-signaling's REST API.");
  g_option_context_set_description (
      context,
      "Commands:\n"
      "  school add ID NAME [--county NAME]     register a school; prints its token once\n"
      "  school list                            every school\n"
      "  school delete ID                       remove a school (and end its connections)\n"
      "  lesson add --title TEXT --sender ID --receivers ID,ID\n"
      "             --start \"YYYY-MM-DD HH:MM\" --end \"YYYY-MM-DD HH:MM\"\n"
      "             [--teacher NAME] [--time-zone ZONE] [--weekly-until YYYY-MM-DD]\n"
      "                                         book a lesson (its number is the first column)\n"
      "  lesson list [--today | --day YYYY-MM-DD] [--school ID]\n"
      "  lesson delete NUMBER\n"
      "  hash-token                             the admin token (on standard input) as\n"
      "                                         signaling.conf may store it\n"
      "\n"
      "Example:\n"
      "  export LIANXIAO_ADMIN_TOKEN=...\n"
      "  lianxiao-ctl --server http://SERVER:8443 school add xinzhuang 新庄小学 --county 新县\n");
  g_option_context_add_main_entries (context, entries, NULL);
  /* Text options are taken as bytes (ARG_FILENAME) and checked for UTF-8 here: GLib would
   * otherwise convert them from the locale's charset, and refuse Chinese under the C locale. */
  if (!g_option_context_parse_strv (context, args, error))
    return FALSE;
  for (const GOptionEntry *entry = entries; entry->long_name; entry++) {
    if (entry->arg == G_OPTION_ARG_FILENAME && *(gchar **) entry->arg_data &&
        !g_utf8_validate (*(gchar **) entry->arg_data, -1, NULL)) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--%s is not UTF-8",
                   entry->long_name);
      return FALSE;
    }
  }
  if (options->server == NULL)
    options->server = g_strdup ("http://127.0.0.1:8443");
  else if (!lx_ctl_server_url (options->server, &options->server, error))
    return FALSE;
  if (options->token == NULL)
    options->token = g_strdup (g_getenv ("LIANXIAO_ADMIN_TOKEN"));
  return TRUE;
}

gboolean
lx_ctl_server_url (const char *given, gchar **url, GError **error)
{
  g_autofree gchar *text = g_strstrip (g_strdup (given));
  g_autoptr (GUri) uri = NULL;
  const char *rest;
  gsize length;

  /* What people paste: the WebSocket address of the programs' --server, or a trailing slash. */
  if (g_str_has_prefix (text, "ws://") || g_str_has_prefix (text, "wss://")) {
    gchar *http = g_strconcat (g_str_has_prefix (text, "wss://") ? "https" : "http",
                               strchr (text, ':'), NULL);
    g_free (text);
    text = http;
  }
  length = strlen (text);
  if (g_str_has_suffix (text, "/ws"))
    text[length -= 3] = '\0';
  while (length > 0 && text[length - 1] == '/')
    text[--length] = '\0';
  rest = strstr (text, "://");
  if (rest == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--server '%s' has no http:// or https:// — did you mean --server http://%s ?",
                 given, text);
    return FALSE;
  }
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      !(g_str_equal (g_uri_get_scheme (uri), "http") ||
        g_str_equal (g_uri_get_scheme (uri), "https"))) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--server '%s' is not a server address such as http://SERVER:8443", given);
    return FALSE;
  }
  g_free (*url);
  *url = g_steal_pointer (&text);
  return TRUE;
}

void
lx_ctl_options_clear (LxCtlOptions *options)
{
  gchar **strings[] = { &options->server,    &options->token,     &options->title,
                        &options->teacher,   &options->sender,    &options->receivers,
                        &options->start,     &options->end,       &options->time_zone,
                        &options->weekly_until, &options->day,    &options->school,
                        &options->county,    &options->ca_file };
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_clear_pointer (strings[i], g_free);
}

/* ---- Requests ---- */

#define REQUEST_TIMEOUT_S 5

/* Sends the request and returns (transfer full) the parsed answer, printing the server's reason
 * and returning NULL when it refuses. */
static JsonNode *
send_request (const LxCtlOptions *options, const char *method, const char *path, JsonNode *body)
{
  g_autofree gchar *url = g_strdup_printf ("%s/api/v1/%s", options->server, path);
  /* Every answer comes in milliseconds: a server that says nothing for long will not. */
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S,
                                                                   NULL);
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *root = NULL;
  guint status;

  if (message == NULL) {
    fprintf (stderr, "lianxiao-ctl: '%s' is not a valid server address\n", options->server);
    return NULL;
  }
  if (options->ca_file) {
    g_autoptr (GTlsDatabase) trusted_cas = lx_tls_database_new (options->ca_file, &error);
    if (trusted_cas == NULL) {
      fprintf (stderr, "lianxiao-ctl: --ca-file: %s\n", error->message);
      return NULL;
    }
    lx_tls_trust (session, trusted_cas);
  }
  if (options->token) {
    g_autofree gchar *header = g_strdup_printf ("Bearer %s", options->token);
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  header);
  }
  if (body) {
    gchar *json = json_to_string (body, FALSE);
    gsize length = strlen (json);
    g_autoptr (GBytes) bytes = g_bytes_new_take (json, length);
    soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  }
  answer = soup_session_send_and_read (session, message, NULL, &error);
  if (answer == NULL) {
    /* A plain server never answers a TLS greeting: the wait ends with the session's timeout. */
    gboolean https = g_str_has_prefix (options->server, "https://");
    fprintf (stderr, "lianxiao-ctl: cannot reach %s: %s%s\n", options->server, error->message,
             https && (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
                       error->domain == G_TLS_ERROR)
                 ? " (does the server speak https? Without tls-certificate it speaks http://)"
                 : "");
    return NULL;
  }
  status = soup_message_get_status (message);
  if (g_bytes_get_size (answer) > 0 &&
      json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                                  NULL))
    root = json_node_copy (json_parser_get_root (parser));
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    const char *reason = root && JSON_NODE_HOLDS_OBJECT (root)
                             ? json_object_get_string_member_with_default (
                                   json_node_get_object (root), "message", NULL)
                             : NULL;
    fprintf (stderr, "lianxiao-ctl: the server refused (HTTP %u %s): %s\n", status,
             soup_status_get_phrase (status), reason ? reason : "no reason given");
    if (root)
      json_node_unref (root);
    return NULL;
  }
  return root ? root : json_node_new (JSON_NODE_NULL);
}

static const char *
member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
             ? json_node_get_string (node)
             : "";
}

static void
print_json (JsonNode *root)
{
  g_autofree gchar *text = json_to_string (root, TRUE);
  printf ("%s\n", text);
}

/* Columns a terminal gives @text: two for a wide (CJK) character, none for a combining one. */
static guint
display_width (const char *text)
{
  guint width = 0;

  for (const char *at = text; *at; at = g_utf8_next_char (at)) {
    gunichar c = g_utf8_get_char (at);
    width += g_unichar_iszerowidth (c) ? 0 : g_unichar_iswide (c) ? 2 : 1;
  }
  return width;
}

/* @text, then spaces up to @width columns and one more (printf's %-Ns counts bytes: a Chinese
 * name would push its row's later columns out of line). */
static void
print_cell (const char *text, guint width)
{
  guint used = display_width (text);

  printf ("%s%*s", text, (int) (width > used ? width - used : 0) + 1, "");
}

static void
print_school_header (void)
{
  print_cell ("学校 ID", 16);
  print_cell ("名称 NAME", 24);
  printf ("县 COUNTY\n");
}

static void
print_school (JsonObject *school)
{
  print_cell (member (school, "id"), 16);
  print_cell (member (school, "name"), 24);
  printf ("%s\n", member (school, "county"));
}

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
  print_cell ("编号 NO.", 8);
  print_cell ("时间 TIME", 22);
  print_cell ("课程 TITLE", 20);
  print_cell ("主讲 TEACHER", 12);
  printf ("学校 SCHOOLS\n");
}

static void
print_lesson (JsonObject *lesson)
{
  JsonArray *receivers = json_object_get_array_member (lesson, "receivers");
  g_autoptr (GString) schools = g_string_new (member (lesson, "sender"));
  g_autofree gchar *number = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              json_object_get_int_member (lesson, "id"));
  g_autofree gchar *start = readable_time (member (lesson, "start"));
  g_autofree gchar *end = readable_time (member (lesson, "end"));
  g_autofree gchar *when = g_strdup_printf ("%s–%s", start, strlen (end) == 16 ? end + 11 : end);
  const char *weekly = member (lesson, "weekly_until");

  g_string_append (schools, " →");
  for (guint i = 0; receivers && i < json_array_get_length (receivers); i++)
    g_string_append_printf (schools, "%s%s", i ? "," : " ",
                            json_array_get_string_element (receivers, i));
  print_cell (number, 8);
  print_cell (when, 22);
  print_cell (member (lesson, "title"), 20);
  print_cell (member (lesson, "teacher"), 12);
  printf ("%s%s%s\n", schools->str, *weekly ? ", weekly until " : "", weekly);
}

/* GETs a list and prints it, a header and one line per item (or as JSON); @nothing when empty. */
static int
print_list (const LxCtlOptions *options, const char *path, void (*print_header) (void),
            void (*print_item) (JsonObject *), const char *nothing)
{
  g_autoptr (JsonNode) answer = send_request (options, SOUP_METHOD_GET, path, NULL);
  JsonArray *items;

  if (answer == NULL)
    return 1;
  if (options->json) {
    print_json (answer);
    return 0;
  }
  items = json_node_get_array (answer);
  if (json_array_get_length (items) == 0) {
    printf ("%s\n", nothing);
    return 0;
  }
  print_header ();
  for (guint i = 0; i < json_array_get_length (items); i++)
    print_item (json_array_get_object_element (items, i));
  return 0;
}

/* ---- Commands ---- */

static int
usage (const char *text)
{
  fprintf (stderr, "lianxiao-ctl: %s\n(lianxiao-ctl --help lists the commands)\n", text);
  return 2;
}

static int
school_command (const LxCtlOptions *options, int argc, char **argv)
{
  g_autoptr (JsonNode) answer = NULL;

  if (argc >= 3 && g_str_equal (argv[2], "list"))
    return print_list (options, "schools", print_school_header, print_school,
                       "no schools yet (school add ID NAME registers one)");
  if (argc == 5 && g_str_equal (argv[2], "add")) {
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode) body = NULL;
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "id");
    json_builder_add_string_value (builder, argv[3]);
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, argv[4]);
    json_builder_set_member_name (builder, "county");
    json_builder_add_string_value (builder, options->county ? options->county : "");
    json_builder_end_object (builder);
    body = json_builder_get_root (builder);
    answer = send_request (options, SOUP_METHOD_POST, "schools", body);
    if (answer == NULL)
      return 1;
    if (options->json) {
      print_json (answer);
    } else {
      print_school_header ();
      print_school (json_node_get_object (answer));
      printf ("token: %s\n(shown only this once: put it in the classroom's receiver.conf)\n",
              member (json_node_get_object (answer), "token"));
    }
    return 0;
  }
  if (argc == 4 && g_str_equal (argv[2], "delete")) {
    g_autofree gchar *path = g_uri_escape_string (argv[3], NULL, TRUE);
    g_autofree gchar *full = g_strdup_printf ("schools/%s", path);
    answer = send_request (options, SOUP_METHOD_DELETE, full, NULL);
    if (answer == NULL)
      return 1;
    printf ("school %s deleted\n", argv[3]);
    return 0;
  }
  return usage ("school takes: list | add ID NAME [--county C] | delete ID");
}

/* "2026-12-01 10:00" → "2026-12-01T10:00:00", the API's form. */
static gchar *
api_time (const char *text)
{
  g_autofree gchar *copy = g_strdup (text);
  g_strdelimit (copy, " ", 'T');
  return strlen (copy) == 16 ? g_strconcat (copy, ":00", NULL) : g_steal_pointer (&copy);
}

static int
lesson_add (const LxCtlOptions *options)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_auto (GStrv) receivers = NULL;
  g_autofree gchar *start = NULL;
  g_autofree gchar *end = NULL;

  if (!options->title || !options->sender || !options->receivers || !options->start ||
      !options->end)
    return usage ("lesson add needs --title, --sender, --receivers, --start and --end");
  start = api_time (options->start);
  end = api_time (options->end);
  receivers = g_strsplit (options->receivers, ",", -1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, options->title);
  json_builder_set_member_name (builder, "teacher");
  json_builder_add_string_value (builder, options->teacher ? options->teacher : "");
  json_builder_set_member_name (builder, "sender");
  json_builder_add_string_value (builder, options->sender);
  json_builder_set_member_name (builder, "receivers");
  json_builder_begin_array (builder);
  for (guint i = 0; receivers[i]; i++)
    json_builder_add_string_value (builder, g_strstrip (receivers[i]));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "start");
  json_builder_add_string_value (builder, start);
  json_builder_set_member_name (builder, "end");
  json_builder_add_string_value (builder, end);
  json_builder_set_member_name (builder, "time_zone");
  json_builder_add_string_value (builder, options->time_zone ? options->time_zone : "Asia/Shanghai");
  if (options->weekly_until) {
    json_builder_set_member_name (builder, "weekly_until");
    json_builder_add_string_value (builder, options->weekly_until);
  }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  answer = send_request (options, SOUP_METHOD_POST, "lessons", body);
  if (answer == NULL)
    return 1;
  if (options->json)
    print_json (answer);
  else {
    print_lesson_header ();
    print_lesson (json_node_get_object (answer));
  }
  return 0;
}

static int
lesson_list (const LxCtlOptions *options)
{
  g_autoptr (GString) path = g_string_new ("lessons");
  g_autofree gchar *day = g_strdup (options->day);
  const char *separator = "?";

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
    g_autoptr (JsonNode) school = send_request (options, SOUP_METHOD_GET, timetable, NULL);
    if (school == NULL)
      return 1;
    g_string_append_printf (path, "%sschool=%s", separator, escaped);
  }
  return print_list (options, path->str, print_lesson_header, print_lesson, "no lessons");
}

static int
lesson_command (const LxCtlOptions *options, int argc, char **argv)
{
  if (argc == 3 && g_str_equal (argv[2], "add"))
    return lesson_add (options);
  if (argc == 3 && g_str_equal (argv[2], "list"))
    return lesson_list (options);
  if (argc == 4 && g_str_equal (argv[2], "delete")) {
    g_autofree gchar *escaped = g_uri_escape_string (argv[3], NULL, TRUE);
    g_autofree gchar *path = g_strdup_printf ("lessons/%s", escaped);
    g_autoptr (JsonNode) answer = send_request (options, SOUP_METHOD_DELETE, path, NULL);
    if (answer == NULL)
      return 1;
    printf ("lesson %s deleted\n", argv[3]);
    return 0;
  }
  return usage ("lesson takes: add --title ... | list [--today|--day D] [--school S] | delete ID");
}

/* hash-token: the admin token, read from standard input (never from the command line, where
 * `ps` shows it), as the "sha256:SALT:HASH" that signaling.conf's admin-token may hold instead of
 * the token itself. A new one with no input line: a new token is made and printed first. */
static int
hash_token_command (void)
{
  char line[512];
  g_autofree gchar *token = NULL;
  g_autofree gchar *stored = NULL;

  if (fgets (line, sizeof line, stdin) != NULL && g_strstrip (line)[0] != '\0') {
    token = g_strdup (line);
  } else {
    token = lx_secret_new_token ();
    printf ("token: %s\n", token);
  }
  stored = lx_secret_to_stored (token);
  printf ("%s\n", stored);
  return 0;
}

int
lx_ctl_run (const LxCtlOptions *options, int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "hash-token"))
    return hash_token_command ();
  if (argc >= 2 && g_str_equal (argv[1], "school"))
    return school_command (options, argc, argv);
  if (argc >= 2 && g_str_equal (argv[1], "lesson"))
    return lesson_command (options, argc, argv);
  return usage ("expected a command: school ..., lesson ... or hash-token");
}
