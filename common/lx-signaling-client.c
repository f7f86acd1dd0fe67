/* The programs' side of the signaling protocol (see lx-signaling-client.h). */
#include "lx-signaling-client.h"

#include "lx-backoff.h"
#include "lx-tls.h"

#include <libsoup/soup.h>

struct _LxSignalingClient {
  GObject parent;

  gchar *url;
  LxRole role;
  gchar *lesson;
  gchar *school;
  gchar *token;
  GTlsDatabase *trusted_cas; /* (nullable) */

  GMainContext *context; /* where signals are emitted and the WebSocket lives */
  SoupSession *session;
  SoupWebsocketConnection *connection;
  GCancellable *cancellable;
  gboolean joined;      /* on this connection */
  gboolean ever_joined; /* on any: from then on, lost connections are retried */
  gboolean resume;      /* the next hello says the media is still flowing */
  gboolean stopped;
  LxBackoff reconnect; /* 1, 2, 4, then 5 s, each ±25 % */
  guint retry_source;
};

G_DEFINE_TYPE (LxSignalingClient, lx_signaling_client, G_TYPE_OBJECT)

enum { SIGNAL_JOINED, SIGNAL_MESSAGE, SIGNAL_DISCONNECTED, SIGNAL_CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
drop_connection (LxSignalingClient *client)
{
  if (client->connection == NULL)
    return;
  g_signal_handlers_disconnect_by_data (client->connection, client);
  if (soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&client->connection);
}

static void
lx_signaling_client_dispose (GObject *object)
{
  LxSignalingClient *client = LX_SIGNALING_CLIENT (object);

  client->stopped = TRUE;
  g_clear_handle_id (&client->retry_source, g_source_remove);
  if (client->cancellable)
    g_cancellable_cancel (client->cancellable);
  drop_connection (client);
  g_clear_object (&client->session);
  g_clear_object (&client->cancellable);
  g_clear_object (&client->trusted_cas);
  G_OBJECT_CLASS (lx_signaling_client_parent_class)->dispose (object);
}

static void
lx_signaling_client_finalize (GObject *object)
{
  LxSignalingClient *client = LX_SIGNALING_CLIENT (object);

  g_free (client->url);
  g_free (client->lesson);
  g_free (client->school);
  g_free (client->token);
  g_main_context_unref (client->context);
  G_OBJECT_CLASS (lx_signaling_client_parent_class)->finalize (object);
}

static void
lx_signaling_client_class_init (LxSignalingClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lx_signaling_client_dispose;
  object_class->finalize = lx_signaling_client_finalize;

  signals[SIGNAL_JOINED] = g_signal_new ("joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_DISCONNECTED] =
      g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
lx_signaling_client_init (LxSignalingClient *client)
{
  client->reconnect = (LxBackoff) LX_BACKOFF_INIT (1000, 5000, 25);
}

LxSignalingClient *
lx_signaling_client_new (const char *url, LxRole role, const char *lesson, const char *school,
                         const char *token, GTlsDatabase *trusted_cas)
{
  LxSignalingClient *client = g_object_new (LX_TYPE_SIGNALING_CLIENT, NULL);

  client->url = g_strdup (url);
  client->role = role;
  client->lesson = g_strdup (lesson);
  client->school = g_strdup (school);
  client->token = g_strdup (token);
  client->trusted_cas = trusted_cas ? g_object_ref (trusted_cas) : NULL;
  client->context = g_main_context_ref_thread_default ();
  return client;
}

static void
emit_closed (LxSignalingClient *client, GError *reason)
{
  if (client->stopped)
    return;
  client->stopped = TRUE;
  g_signal_emit (client, signals[SIGNAL_CLOSED], 0, reason);
}

static void connect_now (LxSignalingClient *client);

static gboolean
retry (gpointer data)
{
  LxSignalingClient *client = data;

  client->retry_source = 0;
  connect_now (client);
  return G_SOURCE_REMOVE;
}

/* The connection is gone (or could not be made). Before the first join that is the end; after it,
 * the client tries again. */
static void
connection_lost (LxSignalingClient *client, GError *reason)
{
  gboolean was_joined = client->joined;
  guint delay;

  if (client->stopped)
    return;
  drop_connection (client);
  client->joined = FALSE;
  if (!client->ever_joined) {
    emit_closed (client, reason);
    return;
  }
  delay = lx_backoff_next_ms (&client->reconnect);
  g_message ("signaling: %s; connecting again in %.1f s", reason->message, delay / 1000.0);
  g_clear_handle_id (&client->retry_source, g_source_remove);
  client->retry_source = g_timeout_add (delay, retry, client);
  if (was_joined)
    g_signal_emit (client, signals[SIGNAL_DISCONNECTED], 0, reason);
}

static void
on_websocket_message (SoupWebsocketConnection *connection, gint data_type, GBytes *bytes,
                      LxSignalingClient *client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) message = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (data_type != SOUP_WEBSOCKET_DATA_TEXT) {
    g_warning ("signaling: ignoring a binary WebSocket message from the server");
    return;
  }
  message = lx_message_from_json (data, length, &error);
  if (message == NULL) {
    g_warning ("signaling: ignoring an invalid message from the server: %s", error->message);
    return;
  }
  g_debug ("signaling: received %s", lx_message_type_to_string (message->type));

  if (!client->joined) {
    if (message->type == LX_MESSAGE_WELCOME) {
      client->joined = TRUE;
      client->ever_joined = TRUE;
      lx_backoff_reset (&client->reconnect);
      /* From now on a lost connection leaves the media as it is. */
      client->resume = TRUE;
      g_signal_emit (client, signals[SIGNAL_JOINED], 0, message);
    } else if (message->type == LX_MESSAGE_ERROR) {
      /* The server refused our hello: there is nothing to do on this connection. */
      g_autoptr (GError) refused = g_error_new (LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_NOT_ALLOWED,
                                                "server refused to join lesson '%s': %s (%s)",
                                                client->lesson, message->message, message->code);
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      emit_closed (client, refused);
    }
    return;
  }
  if (message->type == LX_MESSAGE_ERROR) {
    /* The server refused something we sent: worth a warning, nothing for the program to do. */
    g_warning ("signaling server refused a message: %s (%s)", message->message, message->code);
    return;
  }
  g_signal_emit (client, signals[SIGNAL_MESSAGE], 0, message);
}

static void
on_websocket_closed (SoupWebsocketConnection *connection, LxSignalingClient *client)
{
  g_autoptr (GError) error =
      g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "connection to the signaling server %s closed (code %u)", client->url,
                   soup_websocket_connection_get_close_code (connection));
  connection_lost (client, error);
}

static void
send_json (LxSignalingClient *client, const char *json)
{
  if (client->connection == NULL ||
      soup_websocket_connection_get_state (client->connection) != SOUP_WEBSOCKET_STATE_OPEN) {
    g_debug ("signaling: not connected, dropping a message");
    return;
  }
  soup_websocket_connection_send_text (client->connection, json);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (LxSignalingClient) client = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) hello = lx_message_new (LX_MESSAGE_HELLO);
  g_autofree gchar *json = NULL;
  SoupWebsocketConnection *connection;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (connection == NULL) {
    g_autoptr (GError) reason =
        g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "cannot connect to the signaling server %s: %s",
                     client->url, error->message);
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      connection_lost (client, reason);
    return;
  }
  if (client->stopped) {
    soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref (connection);
    return;
  }
  client->connection = connection;
  /* Our own limit is the protocol's; the library's default (128 KiB) stays as a backstop. */
  g_signal_connect (connection, "message", G_CALLBACK (on_websocket_message), client);
  g_signal_connect (connection, "closed", G_CALLBACK (on_websocket_closed), client);
  soup_websocket_connection_set_keepalive_interval (connection, 10);

  hello->version = LX_PROTOCOL_VERSION;
  hello->role = client->role;
  hello->lesson = g_strdup (client->lesson);
  hello->school = g_strdup (client->school);
  hello->token = g_strdup (client->token);
  hello->resume = client->resume;
  json = lx_message_to_json (hello, &error);
  if (json == NULL) {
    emit_closed (client, error);
    return;
  }
  send_json (client, json);
}

static void
connect_now (LxSignalingClient *client)
{
  g_autoptr (SoupMessage) request = soup_message_new (SOUP_METHOD_GET, client->url);

  if (request == NULL) {
    g_autoptr (GError) error =
        g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "'%s' is not a valid signaling server URL", client->url);
    emit_closed (client, error);
    return;
  }
  if (client->session == NULL) {
    /* A dead network must not hold a connection attempt for TCP's minutes: give up after 5 s
     * (and try again). */
    client->session = soup_session_new_with_options ("timeout", 5, NULL);
    lx_tls_trust (client->session, client->trusted_cas);
  }
  g_clear_object (&client->cancellable);
  client->cancellable = g_cancellable_new ();
  soup_session_websocket_connect_async (client->session, request, NULL, NULL, G_PRIORITY_DEFAULT,
                                        client->cancellable, on_connected, g_object_ref (client));
}

void
lx_signaling_client_start (LxSignalingClient *client)
{
  g_return_if_fail (LX_IS_SIGNALING_CLIENT (client));
  connect_now (client);
}

void
lx_signaling_client_rejoin (LxSignalingClient *client)
{
  g_autoptr (GError) reason =
      g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "left to join afresh");

  if (client->stopped)
    return;
  client->resume = FALSE;
  if (client->cancellable)
    g_cancellable_cancel (client->cancellable);
  client->ever_joined = TRUE; /* retry until back, even if this client never joined */
  connection_lost (client, reason);
}

gboolean
lx_signaling_client_is_joined (LxSignalingClient *client)
{
  return client->joined;
}

typedef struct {
  LxSignalingClient *client;
  gchar *json;
} PendingSend;

static gboolean
send_pending (gpointer data)
{
  PendingSend *pending = data;
  send_json (pending->client, pending->json);
  return G_SOURCE_REMOVE;
}

static void
free_pending (gpointer data)
{
  PendingSend *pending = data;
  g_object_unref (pending->client);
  g_free (pending->json);
  g_free (pending);
}

gboolean
lx_signaling_client_send (LxSignalingClient *client, const LxMessage *message)
{
  g_autoptr (GError) error = NULL;
  PendingSend *pending;
  GSource *source;
  gchar *json = lx_message_to_json (message, &error);

  if (json == NULL) {
    g_warning ("signaling: not sending an invalid %s: %s",
               lx_message_type_to_string (message->type), error->message);
    return FALSE;
  }
  pending = g_new0 (PendingSend, 1);
  pending->client = g_object_ref (client);
  pending->json = json;
  /* Always through an idle source, even from the client's own thread, so that messages leave in
   * the order they were sent whichever thread sent them. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, send_pending, pending, free_pending);
  g_source_attach (source, client->context);
  g_source_unref (source);
  return TRUE;
}

void
lx_signaling_client_stop (LxSignalingClient *client)
{
  lx_signaling_client_stop_because (client, "bye");
}

void
lx_signaling_client_stop_because (LxSignalingClient *client, const char *reason)
{
  client->stopped = TRUE;
  g_clear_handle_id (&client->retry_source, g_source_remove);
  if (client->cancellable)
    g_cancellable_cancel (client->cancellable);
  if (client->connection &&
      soup_websocket_connection_get_state (client->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, reason);
}
