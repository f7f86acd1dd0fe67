/* lianxiao-ctl's commands (see lx-ctl.h). */
#include "lx-ctl.h"
#include "lx-ctl-private.h"

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
    { "sender", 0, 0, G_OPTION_ARG_FILENAME, &options->sender, "The sending (master) school",
      "ID" },
    { "receivers", 0, 0, G_OPTION_ARG_FILENAME, &options->receivers,
      "The receiving schools, comma-separated", "ID,ID" },
    { "start", 0, 0, G_OPTION_ARG_FILENAME, &options->start, "Start, local time",
      "YYYY-MM-DD HH:MM" },
    { "end", 0, 0, G_OPTION_ARG_FILENAME, &options->end, "End, local time", "YYYY-MM-DD HH:MM" },
    { "time-zone", 0, 0, G_OPTION_ARG_FILENAME, &options->time_zone,
      "Time zone of --start and --end (default Asia/Shanghai)", "ZONE" },
    { "weekly-until", 0, 0, G_OPTION_ARG_FILENAME, &options->weekly_until,
      "Repeat every week until this day", "YYYY-MM-DD" },
    { "day", 0, 0, G_OPTION_ARG_FILENAME, &options->day, "List the lessons of this day",
      "YYYY-MM-DD" },
    { "today", 0, 0, G_OPTION_ARG_NONE, &options->today, "List today's lessons", NULL },
    { "school", 0, 0, G_OPTION_ARG_FILENAME, &options->school, "List one school's lessons", "ID" },
    { "county", 0, 0, G_OPTION_ARG_FILENAME, &options->county, "A school's county", "NAME" },
    { "name", 0, 0, G_OPTION_ARG_FILENAME, &options->name, "A school's new name (school edit)",
      "NAME" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("school|lesson add|list|delete ...");

  g_option_context_set_summary (context,
                                "Lianxiao timetable tool: register schools and book lessons "
                                "through lianxiao-signaling's REST API.");
  g_option_context_set_description (
      context,
      "Commands:\n"
      "  school add ID NAME [--county NAME]     register a school; prints its token once, and\n"
      "                                         the link that opens its browser classroom\n"
      "  school list                            every school\n"
      "  school show ID                         one school: last seen, last refusal, next lessons\n"
      "  school edit ID [--name NAME] [--county NAME]\n"
      "                                         change a school's name or county\n"
      "  school token ID                        a new token (the old one stops at once), and\n"
      "                                         the classroom link with it\n"
      "  school delete ID                       remove a school (and end its connections)\n"
      "  lesson add --title TEXT --sender ID --receivers ID,ID\n"
      "             --start \"YYYY-MM-DD HH:MM\" --end \"YYYY-MM-DD HH:MM\"\n"
      "             [--teacher NAME] [--time-zone ZONE] [--weekly-until YYYY-MM-DD]\n"
      "                                         book a lesson (its number is the first column)\n"
      "  lesson list [--today | --day YYYY-MM-DD] [--school ID]\n"
      "                                         with a day: each lesson's times that day\n"
      "  lesson edit NUMBER [--title TEXT] [--teacher NAME] [--sender ID] [--receivers ID,ID]\n"
      "             [--start \"YYYY-MM-DD HH:MM\"] [--end \"YYYY-MM-DD HH:MM\"] [--weekly-until "
      "D]\n"
      "                                         change what is given; the rest stays\n"
      "  lesson delete NUMBER\n"
      "  lesson floor NUMBER                    a joint lesson under way: hands up, who speaks\n"
      "  lesson call-on|hang-up NUMBER SCHOOL   give a classroom the floor, or take it back\n"
      "  lesson poll NUMBER [open QUESTION [2-4] | close]\n"
      "                                         a quick poll (answers A-D): its tally, or\n"
      "                                         open one, or close it\n"
      "                                         (the admin token, or the sender school's)\n"
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
  gchar **strings[] = { &options->server,       &options->token,   &options->title,
                        &options->teacher,      &options->sender,  &options->receivers,
                        &options->start,        &options->end,     &options->time_zone,
                        &options->weekly_until, &options->day,     &options->school,
                        &options->county,       &options->ca_file, &options->name };
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_clear_pointer (strings[i], g_free);
}

/* The server's refusal in words, Chinese first: never a bare status number. */
static const char *
refusal_words (const LxCtlOptions *options, guint status)
{
  switch (status) {
  case SOUP_STATUS_BAD_REQUEST:
    return "输入有误 · invalid";
  case SOUP_STATUS_UNAUTHORIZED:
    return options->token == NULL || options->token[0] == '\0'
               ? "没有管理令牌：请设置环境变量 LIANXIAO_ADMIN_TOKEN（signaling.conf 的 [api] "
                 "admin-token）· no admin token: set LIANXIAO_ADMIN_TOKEN"
               : "管理令牌不对：LIANXIAO_ADMIN_TOKEN 要和 signaling.conf 的 [api] admin-token 一样 "
                 "· "
                 "wrong admin token";
  case SOUP_STATUS_NOT_FOUND:
    return "找不到 · not found";
  case SOUP_STATUS_CONFLICT:
    return "冲突 · conflict";
  case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
    return "太大了 · too large";
  case 429:
    return "请求太频繁，请稍后再试 · too many requests, try again in a minute";
  case SOUP_STATUS_SERVICE_UNAVAILABLE:
    return "服务器没有设置管理令牌（signaling.conf 的 [api] admin-token）· the server has no admin "
           "token set";
  default:
    return status >= 500 ? "服务器出错，请看它的日志 · server error (see its log)"
                         : "服务器拒绝了 · refused";
  }
}

/* The option to change when the server names @field, in the form the option takes. */
static const char *
option_of_field (const char *field)
{
  static const char *const options[][2] = {
    { "start", "请改 --start \"YYYY-MM-DD HH:MM\" · change --start" },
    { "end", "请改 --end \"YYYY-MM-DD HH:MM\" · change --end" },
    { "weekly_until", "请改 --weekly-until YYYY-MM-DD · change --weekly-until" },
    { "title", "请改 --title · change --title" },
    { "teacher", "请改 --teacher · change --teacher" },
    { "sender", "请改 --sender ID（lianxiao-ctl school list 列出学校）· change --sender" },
    { "receivers",
      "请改 --receivers ID,ID（lianxiao-ctl school list 列出学校）· change --receivers" },
    { "time_zone", "请改 --time-zone，例如 Asia/Shanghai · change --time-zone" },
    { "county", "请改 --county · change --county" },
    { "name", "请改学校名称 NAME · change the NAME" },
    { "id", "学校编号 ID 只能用英文字母、数字和 _ . - · the school ID takes A-Z a-z 0-9 _ . -" },
  };

  for (guint i = 0; field && i < G_N_ELEMENTS (options); i++)
    if (g_str_equal (options[i][0], field))
      return options[i][1];
  return NULL;
}

gboolean
lx_ctl_check_date (const char *flag, const char *text, gboolean with_time)
{
  gint year, month, day, hour = 0, minute = 0;
  gchar end;
  g_autoptr (GDateTime) parsed = NULL;
  gboolean matched = with_time ? sscanf (text, "%4d-%2d-%2d%*[ T]%2d:%2d%c", &year, &month, &day,
                                         &hour, &minute, &end) == 5
                               : sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &end) == 3;

  if (matched && (parsed = g_date_time_new_utc (year, month, day, hour, minute, 0)) != NULL)
    return TRUE;
  if (with_time)
    fprintf (stderr,
             "lianxiao-ctl: %s \"%s\" 看不懂：要写成 %s \"YYYY-MM-DD HH:MM\"，例如 %s \"2026-12-08 "
             "10:00\" · %s takes \"YYYY-MM-DD HH:MM\"\n",
             flag, text, flag, flag, flag);
  else
    fprintf (stderr,
             "lianxiao-ctl: %s \"%s\" 看不懂：要写成 %s YYYY-MM-DD，例如 %s 2026-12-08 · %s takes "
             "YYYY-MM-DD\n",
             flag, text, flag, flag, flag);
  return FALSE;
}

/* ---- Requests ---- */

#define REQUEST_TIMEOUT_S 5

/* Sends the request and returns (transfer full) the parsed answer, printing the server's reason
 * and returning NULL when it refuses. */
JsonNode *
lx_ctl_request (const LxCtlOptions *options, const char *method, const char *path, JsonNode *body)
{
  g_autofree gchar *url = g_strdup_printf ("%s/api/v1/%s", options->server, path);
  /* Every answer comes in milliseconds: a server that says nothing for long will not. */
  g_autoptr (SoupSession) session =
      soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S, NULL);
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
      json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                  g_bytes_get_size (answer), NULL))
    root = json_node_copy (json_parser_get_root (parser));
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    JsonObject *refusal =
        root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
    const char *reason = refusal ? lx_ctl_member (refusal, "message") : "";
    const char *option = refusal ? option_of_field (lx_ctl_member (refusal, "field")) : NULL;
    fprintf (stderr, "lianxiao-ctl: %s%s%s\n", refusal_words (options, status), *reason ? ": " : "",
             reason);
    if (option)
      fprintf (stderr, "  %s\n", option);
    if (root)
      json_node_unref (root);
    return NULL;
  }
  return root ? root : json_node_new (JSON_NODE_NULL);
}

int
lx_ctl_delete (const LxCtlOptions *options, const char *path, const char *done)
{
  g_autoptr (JsonNode) answer = lx_ctl_request (options, SOUP_METHOD_DELETE, path, NULL);

  if (answer == NULL)
    return 1;
  printf ("%s\n", done);
  return 0;
}

const char *
lx_ctl_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
             ? json_node_get_string (node)
             : "";
}

void
lx_ctl_print_json (JsonNode *root)
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
void
lx_ctl_print_cell (const char *text, guint width)
{
  guint used = display_width (text);

  printf ("%s%*s", text, (int) (width > used ? width - used : 0) + 1, "");
}

int
lx_ctl_print_items (const LxCtlOptions *options, JsonNode *answer, void (*print_header) (void),
                    void (*print_item) (JsonObject *), const char *nothing)
{
  JsonArray *items = json_node_get_array (answer);

  if (options->json) {
    lx_ctl_print_json (answer);
    return 0;
  }
  if (json_array_get_length (items) == 0) {
    printf ("%s\n", nothing);
    return 0;
  }
  print_header ();
  for (guint i = 0; i < json_array_get_length (items); i++)
    print_item (json_array_get_object_element (items, i));
  return 0;
}

int
lx_ctl_print_list (const LxCtlOptions *options, const char *path, void (*print_header) (void),
                   void (*print_item) (JsonObject *), const char *nothing)
{
  g_autoptr (JsonNode) answer = lx_ctl_request (options, SOUP_METHOD_GET, path, NULL);

  return answer ? lx_ctl_print_items (options, answer, print_header, print_item, nothing) : 1;
}

/* ---- Commands ---- */

int
lx_ctl_usage (const char *text)
{
  fprintf (stderr, "lianxiao-ctl: %s\n(lianxiao-ctl --help lists the commands)\n", text);
  return 2;
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
    return lx_ctl_school_command (options, argc, argv);
  if (argc >= 2 && g_str_equal (argv[1], "lesson"))
    return lx_ctl_lesson_command (options, argc, argv);
  return lx_ctl_usage ("expected a command: school ..., lesson ... or hash-token");
}
