/* The teacher's console (see lx-console.h). */
#include "lx-console.h"

#include "lx-console-proxy.h"
#include "lx-http-answers.h"
#include "lx-json.h"
#include "lx-secret.h"
#include "lx-web-files.h"

#include <string.h>

G_DEFINE_QUARK (lx - console - error - quark, lx_console_error)

#define COOKIE "lx_console"
/* A session lasts a school day; the teacher logs in again the next. */
#define SESSION_SECONDS (12 * 3600)
/* Wrong secrets: after this many in a minute, every login waits for the minute to end. */
#define MAX_FAILED_LOGINS 10
#define MAX_BODY 16384

struct _LxConsole {
  SoupServer *server;
  gchar *web_root;
  gchar *token;         /* (nullable) the school's */
  gchar *password;      /* (nullable) */
  GHashTable *sessions; /* session id → expiry (gint64 *, monotonic µs) */
  GHashTable *feeds;    /* name → LxJpegFeed* (not owned) */
  LxConsoleProxy *proxy;
  const LxConsoleHandlers *handlers;
  gpointer data;
  gchar *school;
  guint failed_logins;
  gint64 failures_since;
};

/* {"error": CODE, "message": TEXT}: the page shows the message as it is. */
static void
respond_error (SoupServerMessage *message, guint status, const char *code, const char *text)
{
  lx_http_respond_error (message, status, code, text, NULL);
}

static void
respond_state (LxConsole *console, SoupServerMessage *message)
{
  g_autoptr (JsonNode) state = console->handlers->describe (console->data);

  lx_http_respond_json (message, SOUP_STATUS_OK, state);
}

/* ---- Who may come in ---- */

static gboolean
secret_matches (LxConsole *console, const char *given)
{
  gboolean token = console->token && lx_secret_equal (given, console->token);
  gboolean password = console->password && lx_secret_equal (given, console->password);

  return token || password;
}

/* TRUE if @message carries a live session cookie, or the secret itself as a bearer token (for
 * scripts and tests). */
static gboolean
is_teacher (LxConsole *console, SoupServerMessage *message)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  const char *cookie_header = soup_message_headers_get_one (headers, "Cookie");
  g_autoptr (GHashTable) cookies = NULL;
  const char *session;
  gint64 *expiry;

  if (authorization && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    return secret_matches (console, authorization + 7);
  if (cookie_header == NULL)
    return FALSE;
  cookies = soup_header_parse_semi_param_list (cookie_header);
  session = g_hash_table_lookup (cookies, COOKIE);
  expiry = session ? g_hash_table_lookup (console->sessions, session) : NULL;
  return expiry && *expiry > g_get_monotonic_time ();
}

static gboolean
session_expired (gpointer key, gpointer value, gpointer now)
{
  return *(gint64 *) value <= *(gint64 *) now;
}

/* POST /console/login {"secret": ...}: a session cookie for the school's token or the password. */
static void
log_in (LxConsole *console, SoupServerMessage *message, JsonObject *body)
{
  const char *secret = json_object_get_string_member_with_default (body, "secret", NULL);
  gint64 now = g_get_monotonic_time ();
  gint64 expiry = now + (gint64) SESSION_SECONDS * G_USEC_PER_SEC;
  gchar *session;
  g_autofree gchar *cookie = NULL;

  if (now - console->failures_since > 60 * G_USEC_PER_SEC) {
    console->failures_since = now;
    console->failed_logins = 0;
  }
  if (console->failed_logins >= MAX_FAILED_LOGINS) {
    respond_error (message, 429 /* too many requests */, "rate-limited",
                   "错误太多，请一分钟后再试 · too many wrong tries: wait a minute");
    return;
  }
  if (secret == NULL || !secret_matches (console, secret)) {
    console->failed_logins++;
    g_message ("console: a login refused (wrong secret)");
    respond_error (message, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                   "令牌或密码不对 · wrong token or password");
    return;
  }
  g_hash_table_foreach_remove (console->sessions, session_expired, &now);
  session = lx_secret_new_token ();
  g_hash_table_insert (console->sessions, session, g_memdup2 (&expiry, sizeof expiry));
  /* HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it. */
  cookie = g_strdup_printf ("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d", COOKIE, session,
                            SESSION_SECONDS);
  soup_message_headers_append (soup_server_message_get_response_headers (message), "Set-Cookie",
                               cookie);
  g_message ("console: the teacher logged in");
  respond_state (console, message);
}

/* ---- Requests ---- */

static const char *const commands[] = { "source", "mute", "on-air", "end", "floor", "device" };

static void
run_command (LxConsole *console, SoupServerMessage *message, const char *command, JsonObject *body)
{
  g_autoptr (GError) error = NULL;

  if (console->handlers->command (console->data, command, body, &error)) {
    respond_state (console, message);
    return;
  }
  respond_error (message,
                 g_error_matches (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_CONFLICT)
                     ? SOUP_STATUS_CONFLICT
                     : SOUP_STATUS_BAD_REQUEST,
                 g_error_matches (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_CONFLICT) ? "conflict"
                                                                                      : "invalid",
                 error->message);
}

/* The lesson's routes of the REST API: /console/poll and /console/record[?lesson=ID] (a lesson
 * of the timetable; by default the one on the air). */
static void
forward_to_api (LxConsole *console, SoupServerMessage *message, const char *route,
                GHashTable *query)
{
  const char *lesson = query ? g_hash_table_lookup (query, "lesson") : NULL;
  g_autofree gchar *escaped = NULL;
  g_autofree gchar *path = NULL;

  if (lesson == NULL)
    lesson = console->handlers->lesson (console->data);
  if (lesson == NULL) {
    respond_error (message, SOUP_STATUS_CONFLICT, "not-on-air",
                   "还没开始上课 · not on the air: no lesson yet");
    return;
  }
  escaped = g_uri_escape_string (lesson, NULL, TRUE);
  path = g_strdup_printf ("lessons/%s/%s", escaped, route);
  lx_console_proxy_forward (console->proxy, message, path);
}

static void
on_request (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query,
            gpointer data)
{
  LxConsole *console = data;
  const char *method = soup_server_message_get_method (message);
  const char *name = path + strlen ("/console/");
  gboolean post = method == SOUP_METHOD_POST;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (GError) error = NULL;
  LxJpegFeed *feed;

  if (post) {
    SoupMessageBody *request = soup_server_message_get_request_body (message);
    body = lx_json_parse_object (request->data, request->length, MAX_BODY, &error);
    if (body == NULL) {
      respond_error (message, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }
  } else if (method != SOUP_METHOD_GET) {
    respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "method", "GET or POST");
    return;
  }
  if (post && g_str_equal (name, "login")) {
    log_in (console, message, body);
    return;
  }
  if (!is_teacher (console, message)) {
    respond_error (message, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                   "请先登录 · log in first (the school's token or the console password)");
    return;
  }
  if (!post && g_str_equal (name, "state")) {
    respond_state (console, message);
  } else if (post && g_strv_contains (commands, name)) {
    run_command (console, message, name, body);
  } else if (g_str_equal (name, "poll") || (!post && g_str_equal (name, "record"))) {
    forward_to_api (console, message, name, query);
  } else if (!post && g_str_has_suffix (name, ".mjpg")) {
    g_autofree gchar *feed_name = g_strndup (name, strlen (name) - strlen (".mjpg"));
    feed = g_hash_table_lookup (console->feeds, feed_name);
    if (feed)
      lx_jpeg_feed_serve (feed, message);
    else
      respond_error (message, SOUP_STATUS_NOT_FOUND, "not-found", "no such picture");
  } else {
    respond_error (message, SOUP_STATUS_NOT_FOUND, "not-found", "no such route");
  }
}

/* The pages; "/" is the console's. */
static void
on_page (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query,
         gpointer data)
{
  LxConsole *console = data;

  lx_web_files_serve (message, console->web_root, g_str_equal (path, "/") ? "/console.html" : path);
}

LxConsole *
lx_console_new (const char *address, const char *web_root, const LxConnectionSettings *connection,
                const char *password, const LxConsoleHandlers *handlers, gpointer data,
                GError **error)
{
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GSocketConnectable) connectable = NULL;
  g_autofree gchar *loopback = NULL;
  LxConsole *console;

  if (connection->token == NULL && password == NULL) {
    g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "console-address: the console needs the school's token or "
                         "console-password, for the teacher to log in with");
    return NULL;
  }
  /* (a port alone: on this PC only) */
  if (strchr (address, ':') == NULL)
    address = loopback = g_strconcat ("127.0.0.1:", address, NULL);
  connectable = g_network_address_parse (address, 0, error);
  if (connectable == NULL) {
    g_prefix_error (error, "console-address '%s': ", address);
    return NULL;
  }
  socket_address = g_inet_socket_address_new_from_string (
      g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable)),
      g_network_address_get_port (G_NETWORK_ADDRESS (connectable)));
  if (socket_address == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "console-address '%s': give an IP address and a port, e.g. 127.0.0.1:8700",
                 address);
    return NULL;
  }
  console = g_new0 (LxConsole, 1);
  console->server = soup_server_new ("server-header", "lianxiao-sender", NULL);
  if (!soup_server_listen (console->server, socket_address, 0, error)) {
    g_prefix_error (error, "console-address '%s': ", address);
    g_object_unref (console->server);
    g_free (console);
    return NULL;
  }
  console->web_root = g_strdup (web_root);
  console->token = g_strdup (connection->token);
  console->password = g_strdup (password);
  console->school = g_strdup (connection->school);
  console->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  console->feeds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  console->proxy = lx_console_proxy_new (connection);
  console->handlers = handlers;
  console->data = data;
  soup_server_add_handler (console->server, "/console/", on_request, console, NULL);
  soup_server_add_handler (console->server, NULL, on_page, console, NULL);
  {
    g_autofree gchar *url = lx_console_get_url (console);
    g_message ("the teacher's console: %s", url);
  }
  return console;
}

void
lx_console_free (LxConsole *console)
{
  if (console == NULL)
    return;
  soup_server_disconnect (console->server);
  g_object_unref (console->server);
  lx_console_proxy_free (console->proxy);
  g_hash_table_unref (console->sessions);
  g_hash_table_unref (console->feeds);
  g_free (console->web_root);
  g_free (console->token);
  g_free (console->password);
  g_free (console->school);
  g_free (console);
}

void
lx_console_add_feed (LxConsole *console, const char *name, LxJpegFeed *feed)
{
  g_hash_table_insert (console->feeds, g_strdup (name), feed);
}

gchar *
lx_console_get_url (LxConsole *console)
{
  g_autoslist (GUri) uris = soup_server_get_uris (console->server);

  return uris ? g_uri_to_string (uris->data) : g_strdup ("?");
}
