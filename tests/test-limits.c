/* The server's limits, tried as an attacker would over real WebSockets on 127.0.0.1: a message
 * flood, too many connections from one address, connections that never say hello, a crowded
 * lesson. Each is refused with its error or close code, and the lesson in progress beside it
 * keeps going. */
#include "lx-limits.h"
#include "lx-protocol.h"
#include "lx-server.h"
#include "lx-test-client.h"
#include "lx-test-utils.h"

#include <libsoup/soup.h>
#include <string.h>

#define STATS "{\"type\":\"stats\",\"frames_decoded\":1,\"packets_lost\":0,\"video_kbps\":1}"
#define OFFER "{\"type\":\"offer\",\"school\":\"village\",\"sdp\":\"v=0\"}"

typedef struct {
  LxServer *server;
  gchar *host_port;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  const LxLimits *limits = data;
  g_autoptr (GError) error = NULL;

  fixture->server = lx_server_new ();
  lx_server_set_limits (fixture->server, limits);
  g_assert_true (lx_server_listen (fixture->server, "127.0.0.1", 0, &error));
  fixture->host_port = g_strdup_printf ("127.0.0.1:%u", lx_server_get_port (fixture->server));
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->server);
  g_free (fixture->host_port);
}

/* A lesson in progress: its sender and one classroom, joined. */
typedef struct {
  LxTestClient *sender, *classroom;
} Lesson;

static Lesson
start_lesson (Fixture *fixture)
{
  Lesson lesson = { lx_test_client_new (fixture->host_port),
                    lx_test_client_new (fixture->host_port) };

  lx_test_client_hello (lesson.sender, "sender", "master");
  lx_test_client_expect_type (lesson.sender, LX_MESSAGE_WELCOME);
  lx_test_client_hello (lesson.classroom, "receiver", "village");
  lx_test_client_expect_type (lesson.classroom, LX_MESSAGE_WELCOME);
  lx_test_client_expect_type (lesson.sender, LX_MESSAGE_CLASSROOM_JOINED);
  return lesson;
}

/* The lesson still works: an offer reaches its classroom. */
static void
assert_lesson_goes_on (Lesson *lesson)
{
  g_autoptr (LxMessage) offer = NULL;

  lx_test_client_send (lesson->sender, OFFER);
  offer = lx_test_client_receive (lesson->classroom);
  g_assert_cmpint (offer->type, ==, LX_MESSAGE_OFFER);
  g_assert_false (lesson->sender->closed);
  g_assert_false (lesson->classroom->closed);
}

static void
end_lesson (Lesson *lesson)
{
  lx_test_client_free (lesson->sender);
  lx_test_client_free (lesson->classroom);
}

static void
test_rate_bucket (void)
{
  LxRateBucket bucket = { 0 };
  gint64 now = 1000 * G_USEC_PER_SEC;
  guint passed = 0, refused = 0;

  /* A burst of 5 s worth passes at once, then the rest of that second is refused... */
  for (guint i = 0; i < 60; i++) {
    LxRateVerdict verdict = lx_rate_bucket_take (&bucket, 10, now);
    passed += verdict == LX_RATE_OK;
    refused += verdict == LX_RATE_REFUSED;
  }
  g_assert_cmpuint (passed, ==, 50);
  g_assert_cmpuint (refused, ==, 10);
  /* ...and going on at more than twice the rate in one second is a flood. */
  g_assert_cmpint (lx_rate_bucket_take (&bucket, 10, now), ==, LX_RATE_FLOOD);
  /* Half a second later, five more messages pass. */
  now += G_USEC_PER_SEC / 2;
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (lx_rate_bucket_take (&bucket, 10, now), ==, LX_RATE_OK);
  g_assert_cmpint (lx_rate_bucket_take (&bucket, 10, now), !=, LX_RATE_OK);
}

static void
test_message_flood (Fixture *fixture, gconstpointer data)
{
  Lesson lesson = start_lesson (fixture);
  LxTestClient *mallory = lx_test_client_new (fixture->host_port);
  gboolean rate_limited = FALSE;

  lx_test_client_hello (mallory, "receiver", "mallory");
  lx_test_client_expect_type (mallory, LX_MESSAGE_WELCOME);
  lx_test_client_expect_type (lesson.sender, LX_MESSAGE_CLASSROOM_JOINED);
  /* 20 a second, bursts of 100: the first 100 pass, then refusals, then the door. */
  for (guint i = 0; i < 300 && !mallory->closed; i++)
    lx_test_client_send (mallory, STATS);
  g_assert_true (lx_test_wait_until (lx_test_client_closed, mallory, 5000));
  g_assert_cmpuint (soup_websocket_connection_get_close_code (mallory->websocket), ==,
                    LX_CLOSE_POLICY_VIOLATION);
  for (guint i = 0; i < mallory->inbox->len; i++) {
    LxMessage *message = g_ptr_array_index (mallory->inbox, i);
    rate_limited |=
        message->type == LX_MESSAGE_ERROR && g_strcmp0 (message->code, "rate-limited") == 0;
  }
  g_assert_true (rate_limited);
  lx_test_client_expect_type (lesson.sender, LX_MESSAGE_CLASSROOM_LEFT);
  assert_lesson_goes_on (&lesson);
  lx_test_client_free (mallory);
  end_lesson (&lesson);
}

typedef struct {
  SoupWebsocketConnection *websocket;
  GError *error;
  gboolean done;
} Attempt;

static void
on_attempt (GObject *source, GAsyncResult *result, gpointer data)
{
  Attempt *attempt = data;
  attempt->websocket =
      soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &attempt->error);
  attempt->done = TRUE;
}

static gboolean
attempt_done (gpointer data)
{
  return ((Attempt *) data)->done;
}

/* Tries to open one more WebSocket; returns the HTTP status it got (101: accepted). */
static guint
try_to_connect (Fixture *fixture)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *url = g_strdup_printf ("ws://%s/ws", fixture->host_port);
  g_autoptr (SoupMessage) request = soup_message_new (SOUP_METHOD_GET, url);
  Attempt attempt = { NULL, NULL, FALSE };

  soup_session_websocket_connect_async (session, request, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_attempt, &attempt);
  g_assert_true (lx_test_wait_until (attempt_done, &attempt, 5000));
  g_clear_error (&attempt.error);
  g_clear_object (&attempt.websocket);
  return soup_message_get_status (request);
}

static void
test_connections_per_address (Fixture *fixture, gconstpointer data)
{
  Lesson lesson = start_lesson (fixture);
  LxTestClient *third = lx_test_client_new (fixture->host_port);

  /* Three from 127.0.0.1 are open: a fourth is refused before the handshake... */
  g_assert_cmpuint (try_to_connect (fixture), ==, SOUP_STATUS_SERVICE_UNAVAILABLE);
  assert_lesson_goes_on (&lesson);
  /* ...until one of them leaves. */
  lx_test_client_free (third);
  lx_test_run_for (200);
  g_assert_cmpuint (try_to_connect (fixture), ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
  end_lesson (&lesson);
}

#define BURST 120

typedef struct {
  SoupSession *session;
  SoupMessage *request;
  Attempt attempt;
} BurstAttempt;

static gboolean
burst_done (gpointer data)
{
  BurstAttempt *attempts = data;

  for (guint i = 0; i < BURST; i++)
    if (!attempts[i].attempt.done)
      return FALSE;
  return TRUE;
}

/* 120 WebSocket handshakes at once from one address, limit 64: each handshake counts from the
 * moment its request is read, so exactly 64 open and 56 get 503 before any handshake — and the 64
 * stay open (none is dropped afterwards without a close frame). */
static void
test_connection_burst (Fixture *fixture, gconstpointer data)
{
  const LxLimits *limits = data;
  g_autofree gchar *url = g_strdup_printf ("ws://%s/ws", fixture->host_port);
  BurstAttempt *attempts = g_new0 (BurstAttempt, BURST);
  guint opened = 0, refused = 0, other = 0, still_open = 0;

  for (guint i = 0; i < BURST; i++) {
    attempts[i].session = soup_session_new ();
    attempts[i].request = soup_message_new (SOUP_METHOD_GET, url);
    soup_session_websocket_connect_async (attempts[i].session, attempts[i].request, NULL, NULL,
                                          G_PRIORITY_DEFAULT, NULL, on_attempt,
                                          &attempts[i].attempt);
  }
  if (!lx_test_wait_until (burst_done, attempts, 20000)) {
    guint pending = 0;
    for (guint i = 0; i < BURST; i++)
      pending += !attempts[i].attempt.done;
    g_error ("%u of %u WebSocket handshakes had no answer in 20 s", pending, BURST);
  }
  for (guint i = 0; i < BURST; i++) {
    guint status = soup_message_get_status (attempts[i].request);
    opened += status == SOUP_STATUS_SWITCHING_PROTOCOLS;
    refused += status == SOUP_STATUS_SERVICE_UNAVAILABLE;
    other += status != SOUP_STATUS_SWITCHING_PROTOCOLS && status != SOUP_STATUS_SERVICE_UNAVAILABLE;
  }
  g_test_message ("%u opened, %u refused with 503, %u other", opened, refused, other);
  g_assert_cmpuint (opened, ==, (guint) limits->connections_per_address);
  g_assert_cmpuint (refused, ==, BURST - (guint) limits->connections_per_address);
  /* Within the hello timeout, nothing closes the accepted ones. */
  lx_test_run_for (1000);
  for (guint i = 0; i < BURST; i++)
    still_open += attempts[i].attempt.websocket &&
                  soup_websocket_connection_get_state (attempts[i].attempt.websocket) ==
                      SOUP_WEBSOCKET_STATE_OPEN;
  g_assert_cmpuint (still_open, ==, opened);
  for (guint i = 0; i < BURST; i++) {
    g_clear_error (&attempts[i].attempt.error);
    g_clear_object (&attempts[i].attempt.websocket);
    g_clear_object (&attempts[i].request);
    g_clear_object (&attempts[i].session);
  }
  g_free (attempts);
  /* Once they are gone, their places are free again. */
  lx_test_run_for (200);
  g_assert_cmpuint (try_to_connect (fixture), ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
}

static void
test_silent_connections (Fixture *fixture, gconstpointer data)
{
  Lesson lesson = start_lesson (fixture);
  LxTestClient *silent[2] = { lx_test_client_new (fixture->host_port),
                              lx_test_client_new (fixture->host_port) };

  /* Two connections that have not joined fill the pending places: a third waits its turn. */
  g_assert_cmpuint (try_to_connect (fixture), ==, SOUP_STATUS_SERVICE_UNAVAILABLE);
  /* Saying nothing for hello-timeout-s (1 s) closes them with 4001. */
  for (guint i = 0; i < 2; i++) {
    g_assert_true (lx_test_wait_until (lx_test_client_closed, silent[i], 5000));
    g_assert_cmpuint (soup_websocket_connection_get_close_code (silent[i]->websocket), ==,
                      LX_CLOSE_HELLO_TIMEOUT);
    lx_test_client_free (silent[i]);
  }
  g_assert_cmpuint (try_to_connect (fixture), ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
  /* The joined ones were never timed out. */
  assert_lesson_goes_on (&lesson);
  end_lesson (&lesson);
}

/* GETs @path and returns the status. */
static guint
http_get (SoupSession *session, const char *url)
{
  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr (GBytes) body = lx_test_http (session, message);

  return soup_message_get_status (message);
}

/* REST and WHEP requests from one address: a burst of 5 s worth (4 a second here) passes, the
 * rest get 429 until the bucket refills; WebSocket lessons are untouched. */
static void
test_http_requests (Fixture *fixture, gconstpointer data)
{
  Lesson lesson = start_lesson (fixture);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree gchar *api = g_strdup_printf ("http://%s/api/v1/schools", fixture->host_port);
  g_autofree gchar *whep = g_strdup_printf ("http://%s/whep/l/village", fixture->host_port);
  g_autofree gchar *health = g_strdup_printf ("http://%s/healthz", fixture->host_port);
  guint refused = 0, first_refused = 0;

  for (guint i = 0; i < 40; i++) {
    if (http_get (session, i % 2 ? api : whep) == LX_HTTP_TOO_MANY_REQUESTS && refused++ == 0)
      first_refused = i;
  }
  /* The burst (20) passes; then most are refused (a few pass as the bucket refills, 4 a second,
   * more on a slow machine). */
  g_assert_cmpuint (first_refused, >=, 20);
  g_assert_cmpuint (refused, >=, 5);
  /* Other paths are not counted, and the lesson goes on. */
  g_assert_cmpuint (http_get (session, health), ==, SOUP_STATUS_OK);
  assert_lesson_goes_on (&lesson);
  /* A second later, requests pass again. */
  lx_test_run_for (1100);
  g_assert_cmpuint (http_get (session, api), !=, LX_HTTP_TOO_MANY_REQUESTS);
  end_lesson (&lesson);
}

static void
test_lesson_full (Fixture *fixture, gconstpointer data)
{
  Lesson lesson = start_lesson (fixture);
  LxTestClient *second = lx_test_client_new (fixture->host_port);
  LxTestClient *third = lx_test_client_new (fixture->host_port);
  LxTestClient *again = lx_test_client_new (fixture->host_port);
  LxTestClient *elsewhere = lx_test_client_new (fixture->host_port);

  lx_test_client_hello (second, "receiver", "hills");
  lx_test_client_expect_type (second, LX_MESSAGE_WELCOME);
  /* Three peers in lesson "l": a fourth is refused... */
  lx_test_client_hello (third, "receiver", "river");
  lx_test_client_expect_error (third, LX_PROTOCOL_ERROR_LESSON_FULL);
  /* ...but a school joining again takes its own place, and another lesson has its own room. */
  lx_test_client_hello (again, "receiver", "hills");
  lx_test_client_expect_type (again, LX_MESSAGE_WELCOME);
  lx_test_client_hello_full (elsewhere, "receiver", "other-lesson", "river", NULL);
  lx_test_client_expect_type (elsewhere, LX_MESSAGE_WELCOME);
  assert_lesson_goes_on (&lesson);
  lx_test_client_free (second);
  lx_test_client_free (third);
  lx_test_client_free (again);
  lx_test_client_free (elsewhere);
  end_lesson (&lesson);
}

int
main (int argc, char **argv)
{
  static const LxLimits flood = { 20, 100, 100, 100, 10, 20 };
  static const LxLimits per_address = { 200, 3, 100, 100, 10, 20 };
  static const LxLimits pending = { 200, 100, 100, 2, 1, 20 };
  static const LxLimits lesson_full = { 200, 100, 3, 100, 10, 20 };
  static const LxLimits requests = { 200, 100, 100, 100, 10, 4 };
  static const LxLimits burst = { 200, 64, 100, 256, 10, 20 };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/limits/rate-bucket", test_rate_bucket);
  g_test_add ("/limits/message-flood", Fixture, &flood, setup, test_message_flood, teardown);
  g_test_add ("/limits/connections-per-address", Fixture, &per_address, setup,
              test_connections_per_address, teardown);
  g_test_add ("/limits/connection-burst", Fixture, &burst, setup, test_connection_burst, teardown);
  g_test_add ("/limits/silent-connections", Fixture, &pending, setup, test_silent_connections,
              teardown);
  g_test_add ("/limits/http-requests", Fixture, &requests, setup, test_http_requests, teardown);
  g_test_add ("/limits/lesson-full", Fixture, &lesson_full, setup, test_lesson_full, teardown);
  return g_test_run ();
}
