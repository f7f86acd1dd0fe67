/* The WHIP/WHEP client against an in-process HTTP server that answers as endpoints do (and as
 * broken ones do): the answer and the session's URL are taken, every refusal is a clear error, and
 * DELETE reaches the session with the token. */
#include "lx-test-utils.h"
#include "lx-whip-client.h"

#include <string.h>

#define ANSWER "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"

typedef struct {
  SoupServer *server;
  gchar *base;    /* http://127.0.0.1:PORT */
  gchar *deleted; /* (nullable) the path a DELETE reached, with its Authorization */
} Fixture;

/* /ok: 201 + answer + relative Location; /refuse: 401 with a reason; /text: 201 in text/plain;
 * /moved: 307 to /ok (RFC 9725 §4.5: clients follow redirects). */
static void
handle (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query,
        gpointer data)
{
  Fixture *fixture = data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (message);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (message);
  const char *method = soup_server_message_get_method (message);

  if (g_str_equal (method, "DELETE")) {
    g_free (fixture->deleted);
    fixture->deleted =
        g_strdup_printf ("%s %s", path, soup_message_headers_get_one (request, "Authorization"));
    soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  } else if (g_str_equal (path, "/ok")) {
    g_assert_cmpstr (soup_message_headers_get_content_type (request, NULL), ==, "application/sdp");
    g_assert_cmpstr (soup_message_headers_get_one (request, "Authorization"), ==, "Bearer sesame");
    soup_message_headers_replace (response, "Location", "ok/session-1");
    /* The STUN and TURN servers, as RFC 9725 §4.6 announces them. */
    soup_message_headers_append (response, "Link",
                                 "<stun:stun.city.example:3478>; rel=\"ice-server\"");
    soup_message_headers_append (response, "Link",
                                 "<turn:turn.city.example:3478?transport=udp>; rel=\"ice-server\"; "
                                 "username=\"u\"; credential=\"p\"; credential-type=\"password\"");
    soup_server_message_set_response (message, "application/sdp", SOUP_MEMORY_STATIC, ANSWER,
                                      strlen (ANSWER));
    soup_server_message_set_status (message, SOUP_STATUS_CREATED, NULL);
  } else if (g_str_equal (path, "/refuse")) {
    soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC,
                                      "no such stream\nmore", 19);
    soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
  } else if (g_str_equal (path, "/text")) {
    soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, "hello", 5);
    soup_server_message_set_status (message, SOUP_STATUS_CREATED, NULL);
  } else if (g_str_equal (path, "/moved")) {
    soup_message_headers_replace (response, "Location", "/ok");
    soup_server_message_set_status (message, SOUP_STATUS_TEMPORARY_REDIRECT, NULL);
  } else {
    soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
  }
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handle, fixture, NULL);
  g_assert_true (
      soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (fixture->server);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->server);
  g_free (fixture->base);
  g_free (fixture->deleted);
}

typedef struct {
  GAsyncResult *result;
} Done;

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  ((Done *) data)->result = g_object_ref (result);
}

static gboolean
done (gpointer data)
{
  return ((Done *) data)->result != NULL;
}

/* Offers to @path; returns the answer or NULL with @error. */
static gchar *
offer_to (Fixture *fixture, LxWhipClient *client, GError **error)
{
  Done request = { NULL };
  gchar *answer;

  lx_whip_client_offer_async (client, "v=0\r\n", NULL, on_done, &request);
  g_assert_true (lx_test_wait_until (done, &request, 10000));
  answer = lx_whip_client_offer_finish (client, request.result, error);
  g_object_unref (request.result);
  return answer;
}

static LxWhipClient *
client_for (Fixture *fixture, const char *path)
{
  g_autofree gchar *url = g_strconcat (fixture->base, path, NULL);
  g_autoptr (GError) error = NULL;
  LxWhipClient *client = lx_whip_client_new (url, "sesame", NULL, &error);

  g_assert_no_error (error);
  return client;
}

static void
test_session (Fixture *fixture, gconstpointer data)
{
  const char *path = data;
  LxWhipClient *client = client_for (fixture, path);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *answer = offer_to (fixture, client, &error);
  g_autofree gchar *session = g_strconcat (fixture->base, "/ok/session-1", NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (answer, ==, ANSWER);
  /* The announced servers, for the next session's webrtcbin. */
  {
    const char *const *servers = lx_whip_client_get_ice_servers (client);
    g_assert_nonnull (servers);
    g_assert_cmpuint (g_strv_length ((gchar **) servers), ==, 2);
    g_assert_cmpstr (servers[0], ==, "stun://stun.city.example:3478");
    g_assert_cmpstr (servers[1], ==, "turn://u:p@turn.city.example:3478");
  }
  /* Location is relative to the endpoint that answered (after the redirect). */
  g_assert_cmpstr (lx_whip_client_get_session_url (client), ==, session);
  lx_whip_client_end_session (client, 5000);
  g_assert_cmpstr (fixture->deleted, ==, "/ok/session-1 Bearer sesame");
  g_assert_null (lx_whip_client_get_session_url (client));
  lx_whip_client_free (client);
}

static void
test_refused (Fixture *fixture, gconstpointer data)
{
  LxWhipClient *client = client_for (fixture, "/refuse");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *answer = offer_to (fixture, client, &error);

  g_assert_null (answer);
  g_assert_error (error, LX_WHIP_ERROR, LX_WHIP_ERROR_REFUSED);
  g_assert_cmpstr (error->message, ==,
                   "the endpoint refused the offer: HTTP 404 Not Found: no such stream");
  lx_whip_client_end_session (client, 1000); /* no session: nothing to end */
  g_assert_null (fixture->deleted);
  lx_whip_client_free (client);
}

static void
test_not_sdp (Fixture *fixture, gconstpointer data)
{
  LxWhipClient *client = client_for (fixture, "/text");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *answer = offer_to (fixture, client, &error);

  g_assert_null (answer);
  g_assert_error (error, LX_WHIP_ERROR, LX_WHIP_ERROR_BAD_RESPONSE);
  g_assert_nonnull (strstr (error->message, "text/plain"));
  lx_whip_client_free (client);
}

static void
test_bad_urls (void)
{
  const char *urls[] = { "ws://127.0.0.1/whip", "127.0.0.1:8080/whip", "", "http//x" };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++) {
    g_autoptr (GError) error = NULL;
    g_assert_null (lx_whip_client_new (urls[i], NULL, NULL, &error));
    g_assert_error (error, LX_WHIP_ERROR, LX_WHIP_ERROR_BAD_URL);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/whip-client/session", Fixture, "/ok", setup, test_session, teardown);
  g_test_add ("/whip-client/redirected", Fixture, "/moved", setup, test_session, teardown);
  g_test_add ("/whip-client/refused", Fixture, NULL, setup, test_refused, teardown);
  g_test_add ("/whip-client/not-sdp", Fixture, NULL, setup, test_not_sdp, teardown);
  g_test_add_func ("/whip-client/bad-urls", test_bad_urls);
  return g_test_run ();
}
