/* The signaling server over real WebSockets on 127.0.0.1: bad input gets an error and the
 * connection goes on; routing works between connections; a vanished peer is reported. */
#include "lx-protocol.h"
#include "lx-server.h"
#include "lx-test-utils.h"

#include <libsoup/soup.h>
#include <string.h>

typedef struct {
  SoupWebsocketConnection *websocket;
  GPtrArray *inbox; /* LxMessage* */
  gboolean closed;
} Client;

typedef struct {
  LxServer *server;
  SoupSession *session;
  gchar *base_url;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->server = lx_server_new ();
  g_assert_true (lx_server_listen (fixture->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  fixture->session = soup_session_new ();
  fixture->base_url = g_strdup_printf ("127.0.0.1:%u", lx_server_get_port (fixture->server));
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->session);
  g_object_unref (fixture->server);
  g_free (fixture->base_url);
}

static void
on_message (SoupWebsocketConnection *websocket, gint type, GBytes *bytes, Client *client)
{
  gsize length;
  const char *text = g_bytes_get_data (bytes, &length);
  g_autoptr (GError) error = NULL;
  LxMessage *message = lx_message_from_json (text, length, &error);

  g_assert_no_error (error); /* the server only ever sends valid messages */
  g_ptr_array_add (client->inbox, message);
}

static void
on_closed (SoupWebsocketConnection *websocket, Client *client)
{
  client->closed = TRUE;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Client *client = data;
  g_autoptr (GError) error = NULL;

  client->websocket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
client_connected (gpointer data)
{
  return ((Client *) data)->websocket != NULL;
}

static Client *
client_new (Fixture *fixture)
{
  Client *client = g_new0 (Client, 1);
  g_autofree gchar *url = g_strdup_printf ("ws://%s/ws", fixture->base_url);
  g_autoptr (SoupMessage) request = soup_message_new (SOUP_METHOD_GET, url);

  client->inbox = g_ptr_array_new_with_free_func ((GDestroyNotify) lx_message_free);
  soup_session_websocket_connect_async (fixture->session, request, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_connected, client);
  g_assert_true (lx_test_wait_until (client_connected, client, 5000));
  soup_websocket_connection_set_max_incoming_payload_size (client->websocket, 0);
  g_signal_connect (client->websocket, "message", G_CALLBACK (on_message), client);
  g_signal_connect (client->websocket, "closed", G_CALLBACK (on_closed), client);
  return client;
}

static void
client_free (Client *client)
{
  if (soup_websocket_connection_get_state (client->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_signal_handlers_disconnect_by_data (client->websocket, client);
  g_object_unref (client->websocket);
  g_ptr_array_unref (client->inbox);
  g_free (client);
}

static gboolean
has_message (gpointer data)
{
  return ((Client *) data)->inbox->len > 0;
}

/* Waits for the next message; (transfer full). */
static LxMessage *
receive (Client *client)
{
  if (!lx_test_wait_until (has_message, client, 5000))
    g_error ("no message arrived within 5 s");
  return g_ptr_array_steal_index (client->inbox, 0);
}

static void
expect_error (Client *client, LxProtocolError code)
{
  g_autoptr (LxMessage) message = receive (client);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_ERROR);
  g_assert_cmpstr (message->code, ==, lx_protocol_error_to_string (code));
}

static void
expect_type (Client *client, LxMessageType type)
{
  g_autoptr (LxMessage) message = receive (client);
  g_assert_cmpstr (lx_message_type_to_string (message->type), ==, lx_message_type_to_string (type));
}

static void
send_hello (Client *client, const char *role, const char *school)
{
  g_autofree gchar *json = g_strdup_printf (
      "{\"type\":\"hello\",\"version\":1,\"role\":\"%s\",\"lesson\":\"l\",\"school\":\"%s\"}",
      role, school);
  soup_websocket_connection_send_text (client->websocket, json);
}

static GBytes *
http_request (Fixture *fixture, SoupMessage *message)
{
  return lx_test_http (fixture->session, message);
}

static void
test_healthz (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *url = g_strdup_printf ("http://%s/healthz", fixture->base_url);
  g_autofree gchar *missing = g_strdup_printf ("http://%s/nothing-here", fixture->base_url);
  g_autoptr (SoupMessage) get = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr (SoupMessage) post = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (SoupMessage) not_found = soup_message_new (SOUP_METHOD_GET, missing);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object;
  Client *client = client_new (fixture);

  send_hello (client, "receiver", "a");
  expect_type (client, LX_MESSAGE_WELCOME);

  body = http_request (fixture, get);
  g_assert_nonnull (body);
  g_assert_cmpuint (soup_message_get_status (get), ==, SOUP_STATUS_OK);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), &error));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "ok");
  g_assert_cmpint (json_object_get_int_member (object, "lessons"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "connections"), ==, 1);

  g_bytes_unref (http_request (fixture, post));
  g_assert_cmpuint (soup_message_get_status (post), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_bytes_unref (http_request (fixture, not_found));
  g_assert_cmpuint (soup_message_get_status (not_found), ==, SOUP_STATUS_NOT_FOUND);
  client_free (client);
}

/* Garbage of every kind gets an error reply; the same connection then joins normally. */
static void
test_bad_input_keeps_connection (Fixture *fixture, gconstpointer data)
{
  Client *client = client_new (fixture);
  g_autoptr (GBytes) binary = g_bytes_new_static ("\x00\x01\x02", 3);
  GString *oversized = g_string_new ("{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"");

  soup_websocket_connection_send_text (client->websocket, "definitely not json");
  expect_error (client, LX_PROTOCOL_ERROR_INVALID_JSON);
  soup_websocket_connection_send_message (client->websocket, SOUP_WEBSOCKET_DATA_BINARY, binary);
  expect_error (client, LX_PROTOCOL_ERROR_INVALID_JSON);
  soup_websocket_connection_send_text (client->websocket, "{\"type\":\"teleport\"}");
  expect_error (client, LX_PROTOCOL_ERROR_UNKNOWN_TYPE);
  soup_websocket_connection_send_text (client->websocket,
                                       "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"v=0\"}");
  expect_error (client, LX_PROTOCOL_ERROR_NOT_JOINED);
  while (oversized->len < 100 * 1024)
    g_string_append (oversized, "padding padding padding ");
  g_string_append (oversized, "\"}");
  soup_websocket_connection_send_text (client->websocket, oversized->str);
  g_string_free (oversized, TRUE);
  expect_error (client, LX_PROTOCOL_ERROR_TOO_LARGE);

  send_hello (client, "sender", "master");
  expect_type (client, LX_MESSAGE_WELCOME);
  g_assert_false (client->closed);
  client_free (client);
}

static gboolean
client_closed (gpointer data)
{
  return ((Client *) data)->closed;
}

/* A frame beyond what the server reads at all closes that connection only. */
static void
test_huge_frame_closes_only_that_connection (Fixture *fixture, gconstpointer data)
{
  Client *sender = client_new (fixture);
  Client *attacker = client_new (fixture);
  gchar *huge = g_strnfill (2 * 1024 * 1024, 'x');

  send_hello (sender, "sender", "master");
  expect_type (sender, LX_MESSAGE_WELCOME);
  soup_websocket_connection_send_text (attacker->websocket, huge);
  g_free (huge);
  g_assert_true (lx_test_wait_until (client_closed, attacker, 5000));

  /* The lesson goes on for everyone else. */
  {
    Client *classroom = client_new (fixture);
    send_hello (classroom, "receiver", "a");
    expect_type (classroom, LX_MESSAGE_WELCOME);
    expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);
    client_free (classroom);
  }
  g_assert_false (sender->closed);
  client_free (attacker);
  client_free (sender);
}

static gboolean
one_connection_left (gpointer data)
{
  return lx_server_count_connections (data) == 2;
}

static void
test_route_and_vanish (Fixture *fixture, gconstpointer data)
{
  Client *sender = client_new (fixture);
  Client *a = client_new (fixture);
  Client *b = client_new (fixture);
  g_autoptr (LxMessage) message = NULL;
  g_autoptr (LxMessage) left = NULL;
  g_autoptr (LxMessage) answer = NULL;

  send_hello (sender, "sender", "master");
  expect_type (sender, LX_MESSAGE_WELCOME);
  send_hello (a, "receiver", "a");
  expect_type (a, LX_MESSAGE_WELCOME);
  expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);
  send_hello (b, "receiver", "b");
  expect_type (b, LX_MESSAGE_WELCOME);
  expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);

  soup_websocket_connection_send_text (sender->websocket,
                                       "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"v=0 a\"}");
  message = receive (a);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_OFFER);
  g_assert_cmpstr (message->sdp, ==, "v=0 a");

  /* a vanishes before answering: the sender is told, b is unaffected. */
  client_free (a);
  left = receive (sender);
  g_assert_cmpint (left->type, ==, LX_MESSAGE_CLASSROOM_LEFT);
  g_assert_cmpstr (left->school, ==, "a");
  g_assert_true (lx_test_wait_until (one_connection_left, fixture->server, 5000));

  soup_websocket_connection_send_text (b->websocket, "{\"type\":\"answer\",\"sdp\":\"v=0 b\"}");
  answer = receive (sender);
  g_assert_cmpint (answer->type, ==, LX_MESSAGE_ANSWER);
  g_assert_cmpstr (answer->school, ==, "b");
  g_assert_cmpuint (b->inbox->len, ==, 0);

  /* The sender vanishes: b is told. */
  client_free (sender);
  expect_type (b, LX_MESSAGE_SENDER_LEFT);
  client_free (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/server/healthz", Fixture, NULL, setup, test_healthz, teardown);
  g_test_add ("/server/bad-input-keeps-connection", Fixture, NULL, setup,
              test_bad_input_keeps_connection, teardown);
  g_test_add ("/server/huge-frame-closes-only-that-connection", Fixture, NULL, setup,
              test_huge_frame_closes_only_that_connection, teardown);
  g_test_add ("/server/route-and-vanish", Fixture, NULL, setup, test_route_and_vanish, teardown);
  return g_test_run ();
}
