/* The signaling server's HTTP and WebSocket endpoints (see lx-server.h). Everything runs on the
 * main context: libsoup delivers messages there, and the registry is only touched there. */
#include "lx-server.h"
#include "lx-web-files.h"

#include "lx-api.h"
#include "lx-lessons.h"
#include "lx-limits.h"
#include "lx-stats.h"
#include "lx-whep.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

/* A frame larger than the protocol allows still reaches us (up to this size) so that the peer gets
 * a clear `too-large` error instead of a closed connection. */
#define MAX_WEBSOCKET_PAYLOAD (4 * LX_PROTOCOL_MAX_MESSAGE_SIZE)

struct _LxServer {
  GObject parent;
  SoupServer *soup_server;
  LxLessonRegistry *registry;
  GHashTable *connections; /* SoupWebsocketConnection* → Connection* (owned) */
  LxApi *api;              /* (nullable) */
  LxWhep *whep;
  LxStore *store;  /* (nullable) (not owned) the timetable */
  gchar *web_root; /* (nullable) */
  gboolean allow_unbooked;
  guint port;
  LxLimits limits;
  gboolean tls;
  GHashTable *per_address; /* IP address text → number of open connections and handshakes under
                            * way (GINT_TO_POINTER) */
  GHashTable *handshakes;  /* SoupServerMessage* → its IP address text: WebSocket handshakes
                            * under way, holding their places from the moment their request is
                            * read */
  GHashTable *http_rates;  /* IP address text → LxRateBucket* of its REST and WHEP requests */
};

G_DEFINE_TYPE (LxServer, lx_server, G_TYPE_OBJECT)

typedef struct {
  LxServer *server; /* (not owned) */
  SoupWebsocketConnection *websocket;
  LxPeer *peer;   /* (owned by the registry) */
  gchar *address; /* the client's IP address */
  LxRateBucket rate;
  gint64 last_rate_error_us;
  guint hello_timer;
} Connection;

static void
count_address (LxServer *server, const char *address, gint change)
{
  gint count = GPOINTER_TO_INT (g_hash_table_lookup (server->per_address, address)) + change;

  if (count > 0)
    g_hash_table_insert (server->per_address, g_strdup (address), GINT_TO_POINTER (count));
  else
    g_hash_table_remove (server->per_address, address);
}

static void
connection_free (Connection *connection)
{
  count_address (connection->server, connection->address, -1);
  g_clear_handle_id (&connection->hello_timer, g_source_remove);
  g_signal_handlers_disconnect_by_data (connection->websocket, connection);
  g_object_unref (connection->websocket);
  g_free (connection->address);
  g_free (connection);
}

static void
send_to_websocket (const LxMessage *message, gpointer user_data)
{
  Connection *connection = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *json = lx_message_to_json (message, &error);

  if (json == NULL) {
    g_critical ("not sending an invalid %s: %s", lx_message_type_to_string (message->type),
                error->message);
    return;
  }
  if (soup_websocket_connection_get_state (connection->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (connection->websocket, json);
}

/* The registry lets go of this connection (replaced, or its token revoked). */
static void
close_websocket (guint code, const char *reason, gpointer user_data)
{
  Connection *connection = user_data;

  if (soup_websocket_connection_get_state (connection->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (connection->websocket, (gushort) code, reason);
}

static void
on_websocket_message (SoupWebsocketConnection *websocket, gint type, GBytes *bytes,
                      Connection *connection)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  /* (messages already read when the connection was closed) */
  if (soup_websocket_connection_get_state (websocket) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  switch (lx_rate_bucket_take (&connection->rate, connection->server->limits.messages_per_second,
                               g_get_monotonic_time ())) {
  case LX_RATE_OK:
    break;
  case LX_RATE_REFUSED:
    /* One error a second says it; more would only feed the flood. */
    if (g_get_monotonic_time () - connection->last_rate_error_us >= G_USEC_PER_SEC) {
      g_autoptr (LxMessage) reply = lx_message_new_error (
          LX_PROTOCOL_ERROR_RATE_LIMITED, "more than %d messages a second: messages dropped",
          connection->server->limits.messages_per_second);
      connection->last_rate_error_us = g_get_monotonic_time ();
      send_to_websocket (reply, connection);
    }
    return;
  case LX_RATE_FLOOD:
    g_message ("closing the connection from %s: message flood", connection->address);
    soup_websocket_connection_close (websocket, LX_CLOSE_POLICY_VIOLATION, "message flood");
    return;
  }
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    g_autoptr (LxMessage) reply =
        lx_message_new_error (LX_PROTOCOL_ERROR_INVALID_JSON, "binary messages are not accepted");
    send_to_websocket (reply, connection);
    return;
  }
  lx_lesson_registry_handle (connection->server->registry, connection->peer, data, length);
}

static void
on_websocket_closed (SoupWebsocketConnection *websocket, Connection *connection)
{
  LxServer *server = connection->server;
  gushort code = soup_websocket_connection_get_close_code (websocket);
  /* A teacher's end of the lesson is passed on as it is: the classrooms say the lesson is over. */
  gboolean ended = code == SOUP_WEBSOCKET_CLOSE_NORMAL &&
                   g_strcmp0 (soup_websocket_connection_get_close_data (websocket),
                              LX_GOODBYE_LESSON_ENDED) == 0;
  g_autofree gchar *reason = ended ? g_strdup (LX_GOODBYE_LESSON_ENDED)
                                   : g_strdup_printf ("connection closed, code %u", code);
  /* A program that stops says goodbye (1000, 1001); a link that drops, or a box switched off,
   * leaves the connection to time out (1006, or no code at all). */
  gboolean link_lost =
      code != SOUP_WEBSOCKET_CLOSE_NORMAL && code != SOUP_WEBSOCKET_CLOSE_GOING_AWAY;

  lx_lesson_registry_remove_peer (server->registry, connection->peer, reason, link_lost);
  g_hash_table_remove (server->connections, websocket);
}

/* A connection that has not joined within hello-timeout-s is closed: it holds a place that
 * unauthenticated clients share (pending-connections). */
static gboolean
on_hello_timeout (gpointer data)
{
  Connection *connection = data;

  connection->hello_timer = 0;
  if (!lx_peer_is_joined (connection->peer) &&
      soup_websocket_connection_get_state (connection->websocket) == SOUP_WEBSOCKET_STATE_OPEN) {
    g_message ("closing the connection from %s: no hello within %d s", connection->address,
               connection->server->limits.hello_timeout_s);
    soup_websocket_connection_close (connection->websocket, LX_CLOSE_HELLO_TIMEOUT,
                                     "no hello in time");
  }
  return G_SOURCE_REMOVE;
}

static gchar *
address_of (SoupServerMessage *message)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (message);

  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return g_strdup ("unknown");
  return g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
}

static guint
count_pending (LxServer *server)
{
  GHashTableIter iter;
  Connection *connection;
  guint pending = g_hash_table_size (server->handshakes);

  g_hash_table_iter_init (&iter, server->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &connection))
    pending += !lx_peer_is_joined (connection->peer);
  return pending;
}

/* A handshake that ended without a WebSocket (the client went away, the upgrade failed) gives its
 * place back. */
static void
on_handshake_finished (SoupServerMessage *message, LxServer *server)
{
  gpointer address;

  if (g_hash_table_steal_extended (server->handshakes, message, NULL, &address)) {
    count_address (server, address, -1);
    g_free (address);
  }
}

/* Before the WebSocket handshake: too many connections from this address, or too many not yet
 * joined, are refused with 503 (the client tries again later), costing the server nothing more.
 * A request let through holds its place at once: a burst of handshakes from one address cannot
 * all pass before the first of them is counted. */
static void
check_connection_limits (SoupServer *soup_server, SoupServerMessage *message, const char *path,
                         GHashTable *query, gpointer user_data)
{
  LxServer *server = user_data;
  g_autofree gchar *address = address_of (message);
  const char *why = NULL;

  if (GPOINTER_TO_INT (g_hash_table_lookup (server->per_address, address)) >=
      server->limits.connections_per_address)
    why = "too many connections from your address";
  else if (count_pending (server) >= (guint) server->limits.pending_connections)
    why = "too many connections are still joining; try again later";
  if (why == NULL) {
    count_address (server, address, +1);
    g_hash_table_insert (server->handshakes, message, g_steal_pointer (&address));
    g_signal_connect (message, "finished", G_CALLBACK (on_handshake_finished), server);
    return;
  }
  g_message ("refusing a connection from %s: %s", address, why);
  soup_server_message_set_status (message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Retry-After",
                                "5");
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_COPY, why, strlen (why));
}

/* Buckets idle this long are forgotten (a full bucket is what a new one would be). */
#define RATE_FORGET_US (60 * G_USEC_PER_SEC)

static void
forget_idle_buckets (LxServer *server, gint64 now)
{
  GHashTableIter iter;
  LxRateBucket *bucket;

  g_hash_table_iter_init (&iter, server->http_rates);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &bucket))
    if (now - bucket->last_us > RATE_FORGET_US)
      g_hash_table_iter_remove (&iter);
}

/* REST and WHEP requests, per address: past the rate, 429 and nothing else is done. */
static void
check_request_rate (SoupServer *soup_server, SoupServerMessage *message, const char *path,
                    GHashTable *query, gpointer user_data)
{
  LxServer *server = user_data;
  g_autofree gchar *address = address_of (message);
  LxRateBucket *bucket = g_hash_table_lookup (server->http_rates, address);
  gint64 now = g_get_monotonic_time ();
  static const char text[] = "too many requests from your address; try again in a second\n";

  if (bucket == NULL) {
    if (g_hash_table_size (server->http_rates) >= 4096)
      forget_idle_buckets (server, now);
    bucket = g_new0 (LxRateBucket, 1);
    g_hash_table_insert (server->http_rates, g_strdup (address), bucket);
  }
  if (lx_rate_bucket_take (bucket, server->limits.requests_per_second, now) == LX_RATE_OK)
    return;
  soup_server_message_set_status (message, LX_HTTP_TOO_MANY_REQUESTS, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Retry-After",
                                "1");
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, text,
                                    sizeof text - 1);
}

static void
on_websocket (SoupServer *soup_server, SoupServerMessage *message, const char *path,
              SoupWebsocketConnection *websocket, gpointer user_data)
{
  LxServer *server = user_data;
  Connection *connection = g_new0 (Connection, 1);
  GSocketAddress *remote = soup_server_message_get_remote_address (message);
  g_autofree gchar *description = NULL;

  /* Its place was taken when its request was read (check_connection_limits). */
  if (g_hash_table_steal_extended (server->handshakes, message, NULL,
                                   (gpointer *) &connection->address))
    g_signal_handlers_disconnect_by_func (message, on_handshake_finished, server);
  else
    count_address (server, connection->address = address_of (message), +1);
  description =
      g_strdup_printf ("%s:%u", connection->address,
                       G_IS_INET_SOCKET_ADDRESS (remote)
                           ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote))
                           : 0);
  connection->hello_timer =
      g_timeout_add_seconds ((guint) server->limits.hello_timeout_s, on_hello_timeout, connection);
  connection->server = server;
  connection->websocket = g_object_ref (websocket);
  connection->peer = lx_lesson_registry_add_peer (server->registry, description, send_to_websocket,
                                                  close_websocket, connection);
  soup_websocket_connection_set_max_incoming_payload_size (websocket, MAX_WEBSOCKET_PAYLOAD);
  soup_websocket_connection_set_keepalive_interval (websocket, 10);
  g_signal_connect (websocket, "message", G_CALLBACK (on_websocket_message), connection);
  g_signal_connect (websocket, "closed", G_CALLBACK (on_websocket_closed), connection);
  g_hash_table_insert (server->connections, websocket, connection);
  g_debug ("new WebSocket connection from %s", description);
}

static void
on_healthz (SoupServer *soup_server, SoupServerMessage *message, const char *path,
            GHashTable *query, gpointer user_data)
{
  LxServer *server = user_data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  gchar *body;

  if (soup_server_message_get_method (message) != SOUP_METHOD_GET &&
      soup_server_message_get_method (message) != SOUP_METHOD_HEAD) {
    soup_server_message_set_status (message, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    return;
  }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  lx_stats_add_int (builder, "protocol_version", LX_PROTOCOL_VERSION);
  lx_stats_add_int (builder, "lessons", lx_lesson_registry_count_lessons (server->registry));
  lx_stats_add_int (builder, "connections", g_hash_table_size (server->connections));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE, body,
                                    strlen (body));
}

/* Static files under web_root; everything else is 404. */
static void
on_other_path (SoupServer *soup_server, SoupServerMessage *message, const char *path,
               GHashTable *query, gpointer user_data)
{
  LxServer *server = user_data;

  lx_web_files_serve (message, server->web_root, path);
}

void
lx_server_serve_files (LxServer *server, const char *root)
{
  g_free (server->web_root);
  server->web_root = g_strdup (root);
}

void
lx_server_set_tls_certificate (LxServer *server, GTlsCertificate *certificate)
{
  g_object_set (server->soup_server, "tls-certificate", certificate, NULL);
  server->tls = TRUE;
}

void
lx_server_set_limits (LxServer *server, const LxLimits *limits)
{
  server->limits = *limits;
  lx_lesson_registry_set_max_peers (server->registry, (guint) limits->peers_per_lesson);
  lx_lesson_registry_set_max_speakers (server->registry, (guint) limits->speakers_per_lesson);
}

gboolean
lx_server_set_whep_ice_servers (LxServer *server, const char *stun_server, const char *turn_server,
                                GError **error)
{
  return lx_whep_set_ice_servers (server->whep, stun_server, turn_server, error);
}

static void
lx_server_dispose (GObject *object)
{
  LxServer *server = LX_SERVER (object);

  g_clear_pointer (&server->api, lx_api_free);
  if (server->handshakes) {
    GHashTableIter iter;
    gpointer message;
    g_hash_table_iter_init (&iter, server->handshakes);
    while (g_hash_table_iter_next (&iter, &message, NULL))
      g_signal_handlers_disconnect_by_func (message, on_handshake_finished, server);
  }
  g_clear_pointer (&server->handshakes, g_hash_table_unref);
  if (server->soup_server)
    soup_server_disconnect (server->soup_server);
  g_clear_object (&server->soup_server);
  /* Connections and WHEP sessions are freed before the registry that their peers live in. */
  g_clear_pointer (&server->connections, g_hash_table_unref);
  g_clear_pointer (&server->whep, lx_whep_free);
  g_clear_pointer (&server->registry, lx_lesson_registry_free);
  g_clear_pointer (&server->web_root, g_free);
  g_clear_pointer (&server->per_address, g_hash_table_unref);
  g_clear_pointer (&server->http_rates, g_hash_table_unref);
  G_OBJECT_CLASS (lx_server_parent_class)->dispose (object);
}

static void
lx_server_class_init (LxServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lx_server_dispose;
}

static void
lx_server_init (LxServer *server)
{
  LxLimits defaults = LX_LIMITS_DEFAULT;

  server->registry = lx_lesson_registry_new ();
  server->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->handshakes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  server->http_rates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lx_server_set_limits (server, &defaults);
  server->connections = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) connection_free);
  server->soup_server = soup_server_new ("server-header", "lianxiao-signaling", NULL);
  soup_server_add_handler (server->soup_server, NULL, on_other_path, server, NULL);
  soup_server_add_handler (server->soup_server, "/healthz", on_healthz, server, NULL);
  soup_server_add_early_handler (server->soup_server, "/ws", check_connection_limits, server, NULL);
  soup_server_add_early_handler (server->soup_server, "/api", check_request_rate, server, NULL);
  soup_server_add_early_handler (server->soup_server, "/whep", check_request_rate, server, NULL);
  soup_server_add_websocket_handler (server->soup_server, "/ws", NULL, NULL, on_websocket, server,
                                     NULL);
  server->whep = lx_whep_new (server->soup_server, server->registry);
}

LxServer *
lx_server_new (void)
{
  return g_object_new (LX_TYPE_SERVER, NULL);
}

/* Connections the kernel queues before the server accepts them. GLib's default, 10, drops the
 * SYNs of a burst (a city's classrooms reconnecting at once after a restart): each dropped one
 * waits 1, 3, 7 s... to try again. The kernel caps it at net.core.somaxconn. */
#define LISTEN_BACKLOG 1024

gboolean
lx_server_listen (LxServer *server, const char *address, guint port, GError **error)
{
  g_autoptr (GInetAddress) inet_address = g_inet_address_new_from_string (address);
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocket) socket = NULL;
  GSList *listeners;

  if (inet_address == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "'%s' is not an IP address to listen on", address);
    return FALSE;
  }
  socket_address = g_inet_socket_address_new (inet_address, port);
  socket = g_socket_new (g_inet_address_get_family (inet_address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, socket_address, TRUE, error) || !g_socket_listen (socket, error) ||
      !soup_server_listen_socket (server->soup_server, socket,
                                  server->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return FALSE;

  /* Ask the listening socket itself: with port 0 only it knows the port picked. */
  listeners = soup_server_get_listeners (server->soup_server);
  local = listeners ? g_socket_get_local_address (listeners->data, error) : NULL;
  g_slist_free (listeners);
  if (local == NULL)
    return FALSE;
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return TRUE;
}

guint
lx_server_get_port (LxServer *server)
{
  return server->port;
}

/* (transfer full) The booked lesson @lesson_id names, or NULL. */
static LxLessonRecord *
booked_lesson (LxServer *server, const char *lesson_id)
{
  gint64 id;

  if (!g_ascii_string_to_signed (lesson_id, 10, 1, G_MAXINT64, &id, NULL))
    return NULL;
  return lx_store_get_lesson (server->store, id, NULL);
}

static gboolean
authorize_hello (const LxMessage *hello, gpointer data, GError **error)
{
  LxServer *server = data;
  g_autoptr (LxLessonRecord) lesson = booked_lesson (server, hello->lesson);
  gboolean booked;

  if (lesson == NULL) {
    if (server->allow_unbooked)
      return TRUE;
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_NOT_BOOKED,
                 "lesson '%s' is not in the timetable", hello->lesson);
    return FALSE;
  }
  /* The token first: a stranger learns nothing about who is booked where. */
  if (!lx_store_check_school_token (server->store, hello->school, hello->token)) {
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_TOKEN,
                 "wrong or missing token for school '%s'", hello->school);
    return FALSE;
  }
  booked = hello->role == LX_ROLE_SENDER
               ? g_str_equal (lesson->sender, hello->school)
               : g_strv_contains ((const char *const *) lesson->receivers, hello->school);
  if (!booked) {
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_NOT_BOOKED,
                 "school '%s' is not booked into lesson %s as %s", hello->school, hello->lesson,
                 lx_role_to_string (hello->role));
    return FALSE;
  }
  return TRUE;
}

static void
record_attendance (const char *lesson_id, const char *school, gint64 joined, gint64 left,
                   const LxMessage *last_stats, gint mean_kbps, gpointer data)
{
  LxServer *server = data;
  g_autoptr (LxLessonRecord) lesson = booked_lesson (server, lesson_id);
  g_autoptr (GError) error = NULL;
  LxAttendanceRecord record = { 0 };

  if (lesson == NULL)
    return; /* ad-hoc lessons leave no record */
  record.lesson_id = lesson->id;
  record.school = (gchar *) school;
  record.joined = joined;
  record.left = left;
  if (last_stats) {
    record.has_quality = TRUE;
    record.frames_decoded = last_stats->frames_decoded;
    record.packets_lost = last_stats->packets_lost;
    record.mean_kbps = mean_kbps;
  }
  if (!lx_store_add_attendance (server->store, &record, &error))
    g_warning ("lesson %s: classroom %s: %s", lesson_id, school, error->message);
}

typedef struct {
  gint64 now, start, end;
  gboolean found; /* an occurrence not over yet */
} Occurrence;

/* Keeps the occurrence that has not ended yet, or else the last one. */
static gboolean
find_occurrence (gint64 start, gint64 end, gpointer data)
{
  Occurrence *occurrence = data;

  occurrence->start = start;
  occurrence->end = end;
  occurrence->found = end > occurrence->now;
  return !occurrence->found;
}

/* "2026-12-07 10:00–10:45 Asia/Shanghai", in the lesson's own time zone. */
static gchar *
format_occurrence (const LxLessonRecord *lesson, gint64 start, gint64 end)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (lesson->time_zone);
  g_autoptr (GDateTime) utc_start = g_date_time_new_from_unix_utc (start);
  g_autoptr (GDateTime) utc_end = g_date_time_new_from_unix_utc (end);
  g_autoptr (GDateTime) local_start = NULL;
  g_autoptr (GDateTime) local_end = NULL;
  g_autofree gchar *from = NULL;
  g_autofree gchar *to = NULL;

  if (zone == NULL)
    zone = g_time_zone_new_utc ();
  local_start = g_date_time_to_timezone (utc_start, zone);
  local_end = g_date_time_to_timezone (utc_end, zone);
  from = g_date_time_format (local_start, "%Y-%m-%d %H:%M");
  to = g_date_time_format (local_end, "%H:%M");
  return g_strdup_printf ("%s–%s %s", from, to, lesson->time_zone);
}

static void
describe_lesson (const char *lesson_id, gchar **state, gchar **schedule, gpointer data)
{
  LxServer *server = data;
  g_autoptr (LxLessonRecord) lesson = booked_lesson (server, lesson_id);
  Occurrence occurrence = { .now = g_get_real_time () / G_USEC_PER_SEC };

  if (lesson == NULL) {
    *state = g_strdup (LX_LESSON_STATE_AD_HOC);
    return;
  }
  lx_schedule_foreach_occurrence (lesson, find_occurrence, &occurrence);
  *state = g_strdup (!occurrence.found                   ? LX_LESSON_STATE_OVER
                     : occurrence.start > occurrence.now ? LX_LESSON_STATE_UPCOMING
                                                         : LX_LESSON_STATE_UNDER_WAY);
  *schedule = format_occurrence (lesson, occurrence.start, occurrence.end);
}

static void
note_school_seen (const char *school, LxSchoolEvent event, const char *how, const char *detail,
                  gpointer data)
{
  LxServer *server = data;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean noted =
      event == LX_SCHOOL_REFUSED
          ? lx_store_note_school_refused (server->store, school, how, detail, now, &error)
          : lx_store_note_school_seen (server->store, school, now, how, &error);

  if (!noted)
    g_warning ("school %s: %s", school, error->message);
}

/* The lesson's record (a lesson of the timetable): its questions and polls, kept as they happen,
 * so that a crash loses none. */
static void
record_question (const char *lesson_id, const char *school, const char *text, gpointer data)
{
  LxServer *server = data;
  g_autoptr (LxLessonRecord) lesson = booked_lesson (server, lesson_id);
  g_autoptr (GError) error = NULL;

  if (lesson && !lx_store_add_question (server->store, lesson->id, school, text,
                                        g_get_real_time () / G_USEC_PER_SEC, &error))
    g_warning ("lesson %s: classroom %s's question: %s", lesson_id, school, error->message);
}

static void
record_poll (const char *lesson_id, LxPoll *poll, gpointer data)
{
  LxServer *server = data;
  g_autoptr (LxLessonRecord) lesson = booked_lesson (server, lesson_id);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *summary = NULL;

  if (lesson == NULL)
    return;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  lx_poll_add_json (poll, builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  summary = json_to_string (root, FALSE);
  if (!lx_store_save_poll (server->store, lesson->id, lx_poll_get_opened (poll),
                           lx_poll_get_id (poll), summary, &error))
    g_warning ("lesson %s: poll %u: %s", lesson_id, lx_poll_get_id (poll), error->message);
}

void
lx_server_set_timetable (LxServer *server, LxStore *store, gboolean allow_unbooked)
{
  LxLessonHooks hooks = { .authorize = authorize_hello,
                          .classroom_left = record_attendance,
                          .describe = describe_lesson,
                          .school_seen = note_school_seen,
                          .question_asked = record_question,
                          .poll_changed = record_poll,
                          .data = server };

  server->store = store;
  server->allow_unbooked = allow_unbooked;
  lx_lesson_registry_set_hooks (server->registry, &hooks);
}

/* Why a school is, or is not, in its lesson, in one word the board and lianxiao-ctl explain:
 * "receiving" or "no-picture" while connected; else the code of its refusal since it was last
 * connected ("bad-token", "not-booked", "lesson-full"...), "never-connected", "link-lost" or
 * "left". */
static const char *
explain_school (const LxSchoolRecord *school, gboolean connected, gboolean receiving)
{
  if (connected)
    return receiving ? "receiving" : "no-picture";
  if (school == NULL)
    return "never-connected";
  if (school->refusal[0])
    return school->refusal;
  if (school->last_seen == 0)
    return "never-connected";
  return g_str_equal (school->last_left, "link-lost") ? "link-lost" : "left";
}

/* The schools by id, read once for a whole status (a board refreshes every second: one query,
 * not one per classroom). */
typedef GHashTable SchoolIndex;

static SchoolIndex *
index_schools (LxServer *server)
{
  g_autoptr (GPtrArray) schools =
      server->store ? lx_store_list_schools (server->store, NULL) : NULL;
  GHashTable *index =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) lx_school_record_free);

  for (guint i = 0; schools && i < schools->len; i++) {
    LxSchoolRecord *school = schools->pdata[i];
    g_hash_table_insert (index, school->id, school);
  }
  if (schools)
    g_ptr_array_set_free_func (schools, NULL); /* the index owns them now */
  return index;
}

static void
add_classroom_status (JsonBuilder *builder, LxServer *server, SchoolIndex *schools,
                      const char *lesson, const char *school_id)
{
  const LxSchoolRecord *school = g_hash_table_lookup (schools, school_id);
  LxClassroomStatus status;
  /* Receiving: its receiver reported moving video in the last 15 s. */
  gboolean receiving;

  lx_lesson_registry_get_classroom (server->registry, lesson, school_id, &status);
  receiving = status.reported && status.report_age < 15 && status.video_kbps > 0;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "school");
  json_builder_add_string_value (builder, school_id);
  lx_api_add_school_presence (builder, school, "");
  json_builder_set_member_name (builder, "connected");
  json_builder_add_boolean_value (builder, status.connected);
  json_builder_set_member_name (builder, "receiving");
  json_builder_add_boolean_value (builder, receiving);
  json_builder_set_member_name (builder, "why");
  json_builder_add_string_value (builder, explain_school (school, status.connected, receiving));
  if (status.connected) {
    lx_stats_add_int (builder, "since_utc", status.since);
  }
  if (status.state) {
    json_builder_set_member_name (builder, "state");
    json_builder_add_string_value (builder, status.state);
  }
  if (status.rtt_ms >= 0) {
    lx_stats_add_int (builder, "rtt_ms", status.rtt_ms);
  }
  if (status.reported) {
    lx_stats_add_int (builder, "video_kbps", status.video_kbps);
    lx_stats_add_int (builder, "packets_lost", status.packets_lost);
    lx_stats_add_int (builder, "frames_decoded", status.frames_decoded);
    lx_stats_add_int (builder, "report_age_s", status.report_age);
  }
  json_builder_end_object (builder);
}

static void
add_lesson_status (JsonBuilder *builder, LxServer *server, SchoolIndex *schools, const char *lesson,
                   const LxLessonRecord *booked)
{
  const char *sender = lx_lesson_registry_get_sender (server->registry, lesson);
  const char *sender_id = booked ? booked->sender : sender ? sender : "";
  const LxSchoolRecord *sender_school = g_hash_table_lookup (schools, sender_id);
  g_auto (GStrv) connected = lx_lesson_registry_list_classrooms (server->registry, lesson);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "lesson");
  json_builder_add_string_value (builder, lesson);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, booked ? booked->title : "");
  if (booked) {
    json_builder_set_member_name (builder, "teacher");
    json_builder_add_string_value (builder, booked->teacher ? booked->teacher : "");
  }
  json_builder_set_member_name (builder, "sender");
  json_builder_add_string_value (builder, sender_id);
  lx_api_add_school_presence (builder, sender_school, "sender_");
  json_builder_set_member_name (builder, "sender_connected");
  json_builder_add_boolean_value (builder, sender != NULL);
  json_builder_set_member_name (builder, "sender_why");
  json_builder_add_string_value (builder,
                                 sender ? "on-air" : explain_school (sender_school, FALSE, FALSE));
  json_builder_set_member_name (builder, "classrooms");
  json_builder_begin_array (builder);
  /* Every booked classroom, connected or not; and any connected to an ad-hoc lesson. */
  for (guint i = 0; booked && booked->receivers[i]; i++)
    add_classroom_status (builder, server, schools, lesson, booked->receivers[i]);
  for (guint i = 0; !booked && connected[i]; i++)
    add_classroom_status (builder, server, schools, lesson, connected[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* The status board's data: the timetable's lessons under way now, and ad-hoc lessons in
 * progress, with every classroom's state. */
static JsonNode *
describe_status (gpointer data)
{
  LxServer *server = data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_auto (GStrv) live = lx_lesson_registry_list_lessons (server->registry);
  g_autoptr (GPtrArray) running = NULL;
  g_autoptr (GHashTable) shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) schools = index_schools (server);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (server->store)
    running = lx_store_list_lessons (server->store, now, now + 1, NULL, NULL);
  json_builder_begin_array (builder);
  for (guint i = 0; running && i < running->len; i++) {
    const LxLessonRecord *booked = running->pdata[i];
    gchar *id = g_strdup_printf ("%" G_GINT64_FORMAT, booked->id);
    add_lesson_status (builder, server, schools, id, booked);
    g_hash_table_add (shown, id);
  }
  for (guint i = 0; live[i]; i++) {
    g_autoptr (LxLessonRecord) booked = NULL;
    if (g_hash_table_contains (shown, live[i]))
      continue;
    /* Ad-hoc, or a booked lesson someone joined outside its time. */
    booked = server->store ? booked_lesson (server, live[i]) : NULL;
    add_lesson_status (builder, server, schools, live[i], booked);
  }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

static void
disconnect_school (const char *school, gpointer data)
{
  LxServer *server = data;
  lx_lesson_registry_disconnect_school (server->registry, school, "the school's token was revoked");
}

void
lx_server_enable_api (LxServer *server, LxStore *store, const char *admin_token,
                      const char *time_zone)
{
  g_clear_pointer (&server->api, lx_api_free);
  server->api = lx_api_new (server->soup_server, store, admin_token, time_zone);
  lx_api_set_status_source (server->api, describe_status, server);
  lx_api_set_revoke_hook (server->api, disconnect_school, server);
  lx_api_set_lessons (server->api, server->registry);
}

guint
lx_server_count_connections (LxServer *server)
{
  return g_hash_table_size (server->connections);
}
