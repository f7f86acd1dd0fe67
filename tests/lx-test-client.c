/* The test signaling client (see lx-test-client.h). */
#include "lx-test-client.h"

#include "lx-test-utils.h"

static void
on_message (SoupWebsocketConnection *websocket, gint type, GBytes *bytes, LxTestClient *client)
{
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);
  g_autoptr (GError) error = NULL;
  LxMessage *message = lx_message_from_json (text, length, &error);

  g_assert_no_error (error); /* the server only ever sends valid messages */
  g_ptr_array_add (client->inbox, message);
}

static void
on_closed (SoupWebsocketConnection *websocket, LxTestClient *client)
{
  client->closed = TRUE;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  LxTestClient *client = data;
  g_autoptr (GError) error = NULL;

  client->websocket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
client_connected (gpointer data)
{
  return ((LxTestClient *) data)->websocket != NULL;
}

LxTestClient *
lx_test_client_new (const char *host_port)
{
  LxTestClient *client = g_new0 (LxTestClient, 1);
  g_autofree gchar *url = g_strdup_printf ("ws://%s/ws", host_port);
  g_autoptr (SoupMessage) request = soup_message_new (SOUP_METHOD_GET, url);

  client->session = soup_session_new ();
  client->inbox = g_ptr_array_new_with_free_func ((GDestroyNotify) lx_message_free);
  soup_session_websocket_connect_async (client->session, request, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_connected, client);
  g_assert_true (lx_test_wait_until (client_connected, client, 5000));
  soup_websocket_connection_set_max_incoming_payload_size (client->websocket, 0);
  g_signal_connect (client->websocket, "message", G_CALLBACK (on_message), client);
  g_signal_connect (client->websocket, "closed", G_CALLBACK (on_closed), client);
  return client;
}

void
lx_test_client_free (LxTestClient *client)
{
  if (soup_websocket_connection_get_state (client->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_signal_handlers_disconnect_by_data (client->websocket, client);
  g_object_unref (client->websocket);
  g_object_unref (client->session);
  g_ptr_array_unref (client->inbox);
  g_free (client);
}

void
lx_test_client_drop (LxTestClient *client)
{
  /* The socket closed under the WebSocket: no close frame, as when a link drops. */
  g_io_stream_close (soup_websocket_connection_get_io_stream (client->websocket), NULL, NULL);
  lx_test_client_free (client);
}

void
lx_test_client_send (LxTestClient *client, const char *json)
{
  soup_websocket_connection_send_text (client->websocket, json);
}

void
lx_test_client_hello_full (LxTestClient *client, const char *role, const char *lesson,
                           const char *school, const char *token)
{
  g_autofree gchar *token_member =
      token ? g_strdup_printf (",\"token\":\"%s\"", token) : g_strdup ("");
  g_autofree gchar *json = g_strdup_printf (
      "{\"type\":\"hello\",\"version\":1,\"role\":\"%s\",\"lesson\":\"%s\",\"school\":\"%s\"%s}",
      role, lesson, school, token_member);
  lx_test_client_send (client, json);
}

void
lx_test_client_hello (LxTestClient *client, const char *role, const char *school)
{
  lx_test_client_hello_full (client, role, "l", school, NULL);
}

static gboolean
has_message (gpointer data)
{
  return ((LxTestClient *) data)->inbox->len > 0;
}

LxMessage *
lx_test_client_receive (LxTestClient *client)
{
  if (!lx_test_wait_until (has_message, client, 5000))
    g_error ("no message arrived within 5 s");
  return g_ptr_array_steal_index (client->inbox, 0);
}

void
lx_test_client_expect_error (LxTestClient *client, LxProtocolError code)
{
  g_autoptr (LxMessage) message = lx_test_client_receive (client);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_ERROR);
  g_assert_cmpstr (message->code, ==, lx_protocol_error_to_string (code));
}

void
lx_test_client_expect_type (LxTestClient *client, LxMessageType type)
{
  g_autoptr (LxMessage) message = lx_test_client_receive (client);
  g_assert_cmpstr (lx_message_type_to_string (message->type), ==, lx_message_type_to_string (type));
}

gboolean
lx_test_client_closed (gpointer client)
{
  return ((LxTestClient *) client)->closed;
}
