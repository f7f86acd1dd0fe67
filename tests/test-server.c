/* The signaling server over real WebSockets on 127.0.0.1: bad input gets an error and the
 * connection goes on; routing works between connections; a vanished peer is reported. */
#include "lx-protocol.h"
#include "lx-server.h"
#include "lx-test-client.h"
#include "lx-test-utils.h"

#include <libsoup/soup.h>
#include <string.h>

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
  LxTestClient *client = lx_test_client_new (fixture->base_url);

  lx_test_client_hello (client, "receiver", "a");
  lx_test_client_expect_type (client, LX_MESSAGE_WELCOME);

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
  lx_test_client_free (client);
}

/* Garbage of every kind gets an error reply; the same connection then joins normally. */
static void
test_bad_input_keeps_connection (Fixture *fixture, gconstpointer data)
{
  LxTestClient *client = lx_test_client_new (fixture->base_url);
  g_autoptr (GBytes) binary = g_bytes_new_static ("\x00\x01\x02", 3);
  GString *oversized = g_string_new ("{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"");

  soup_websocket_connection_send_text (client->websocket, "definitely not json");
  lx_test_client_expect_error (client, LX_PROTOCOL_ERROR_INVALID_JSON);
  soup_websocket_connection_send_message (client->websocket, SOUP_WEBSOCKET_DATA_BINARY, binary);
  lx_test_client_expect_error (client, LX_PROTOCOL_ERROR_INVALID_JSON);
  soup_websocket_connection_send_text (client->websocket, "{\"type\":\"teleport\"}");
  lx_test_client_expect_error (client, LX_PROTOCOL_ERROR_UNKNOWN_TYPE);
  soup_websocket_connection_send_text (client->websocket,
                                       "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"v=0\"}");
  lx_test_client_expect_error (client, LX_PROTOCOL_ERROR_NOT_JOINED);
  while (oversized->len < 100 * 1024)
    g_string_append (oversized, "padding padding padding ");
  g_string_append (oversized, "\"}");
  soup_websocket_connection_send_text (client->websocket, oversized->str);
  g_string_free (oversized, TRUE);
  lx_test_client_expect_error (client, LX_PROTOCOL_ERROR_TOO_LARGE);

  lx_test_client_hello (client, "sender", "master");
  lx_test_client_expect_type (client, LX_MESSAGE_WELCOME);
  g_assert_false (client->closed);
  lx_test_client_free (client);
}

/* A frame beyond what the server reads at all closes that connection only. */
static void
test_huge_frame_closes_only_that_connection (Fixture *fixture, gconstpointer data)
{
  LxTestClient *sender = lx_test_client_new (fixture->base_url);
  LxTestClient *attacker = lx_test_client_new (fixture->base_url);
  gchar *huge = g_strnfill (2 * 1024 * 1024, 'x');

  lx_test_client_hello (sender, "sender", "master");
  lx_test_client_expect_type (sender, LX_MESSAGE_WELCOME);
  soup_websocket_connection_send_text (attacker->websocket, huge);
  g_free (huge);
  g_assert_true (lx_test_wait_until (lx_test_client_closed, attacker, 5000));

  /* The lesson goes on for everyone else. */
  {
    LxTestClient *classroom = lx_test_client_new (fixture->base_url);
    lx_test_client_hello (classroom, "receiver", "a");
    lx_test_client_expect_type (classroom, LX_MESSAGE_WELCOME);
    lx_test_client_expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);
    lx_test_client_free (classroom);
  }
  g_assert_false (sender->closed);
  lx_test_client_free (attacker);
  lx_test_client_free (sender);
}

static gboolean
one_connection_left (gpointer data)
{
  return lx_server_count_connections (data) == 2;
}

static void
test_route_and_vanish (Fixture *fixture, gconstpointer data)
{
  LxTestClient *sender = lx_test_client_new (fixture->base_url);
  LxTestClient *a = lx_test_client_new (fixture->base_url);
  LxTestClient *b = lx_test_client_new (fixture->base_url);
  g_autoptr (LxMessage) message = NULL;
  g_autoptr (LxMessage) left = NULL;
  g_autoptr (LxMessage) answer = NULL;
  g_autoptr (LxMessage) link = NULL;

  lx_test_client_hello (sender, "sender", "master");
  lx_test_client_expect_type (sender, LX_MESSAGE_WELCOME);
  lx_test_client_hello (a, "receiver", "a");
  lx_test_client_expect_type (a, LX_MESSAGE_WELCOME);
  lx_test_client_expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);
  lx_test_client_hello (b, "receiver", "b");
  lx_test_client_expect_type (b, LX_MESSAGE_WELCOME);
  lx_test_client_expect_type (sender, LX_MESSAGE_CLASSROOM_JOINED);

  soup_websocket_connection_send_text (sender->websocket,
                                       "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"v=0 a\"}");
  message = lx_test_client_receive (a);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_OFFER);
  g_assert_cmpstr (message->sdp, ==, "v=0 a");

  /* a vanishes before answering: the sender is told, b is unaffected. */
  lx_test_client_free (a);
  left = lx_test_client_receive (sender);
  g_assert_cmpint (left->type, ==, LX_MESSAGE_CLASSROOM_LEFT);
  g_assert_cmpstr (left->school, ==, "a");
  g_assert_true (lx_test_wait_until (one_connection_left, fixture->server, 5000));

  soup_websocket_connection_send_text (b->websocket, "{\"type\":\"answer\",\"sdp\":\"v=0 b\"}");
  answer = lx_test_client_receive (sender);
  g_assert_cmpint (answer->type, ==, LX_MESSAGE_ANSWER);
  g_assert_cmpstr (answer->school, ==, "b");
  g_assert_cmpuint (b->inbox->len, ==, 0);

  /* b's link report reaches the sender whole (the queue, what arrived, its jitter buffer), in b's name
   * whatever school it wrote. */
  lx_test_client_send (b, "{\"type\":\"link\",\"school\":\"someone-else\",\"loss_permille\":12,"
                          "\"video_kbps\":690,\"queue_ms\":42,\"arrived_kbps\":905,"
                          "\"jitter_buffer_ms\":160}");
  link = lx_test_client_receive (sender);
  g_assert_cmpint (link->type, ==, LX_MESSAGE_LINK);
  g_assert_cmpstr (link->school, ==, "b");
  g_assert_cmpint (link->loss_permille, ==, 12);
  g_assert_cmpint (link->video_kbps, ==, 690);
  g_assert_cmpint (link->queue_ms, ==, 42);
  g_assert_cmpint (link->arrived_kbps, ==, 905);
  g_assert_cmpint (link->jitter_buffer_ms, ==, 160);

  /* The sender vanishes: b is told. */
  lx_test_client_free (sender);
  lx_test_client_expect_type (b, LX_MESSAGE_SENDER_LEFT);
  lx_test_client_free (b);
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
