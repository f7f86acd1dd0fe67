/* WHIP and WHEP, client side (see lx-whip-client.h). */
#include "lx-whip-client.h"

#include "lx-ice-link.h"

#include "lx-tls.h"

#include <libsoup/soup.h>
#include <string.h>

/* An endpoint that does not answer within this is unreachable for this attempt. */
#define HTTP_TIMEOUT_S 10
/* An SDP answer is a few kilobytes; anything much larger is not one. */
#define MAX_ANSWER_BYTES (256 * 1024)

G_DEFINE_QUARK (lx - whip - error - quark, lx_whip_error)

struct _LxWhipClient {
  SoupSession *session;
  gchar *url;
  gchar *token;       /* (nullable) never logged */
  gchar *session_url; /* (nullable) the open session, from Location */
  GStrv ice_servers;  /* announced in the last answer's Link headers; never logged (credentials) */
};

LxWhipClient *
lx_whip_client_new (const char *url, const char *token, GTlsDatabase *trusted_cas, GError **error)
{
  g_autoptr (GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  LxWhipClient *client;

  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)) {
    g_set_error (error, LX_WHIP_ERROR, LX_WHIP_ERROR_BAD_URL,
                 "'%s' is not an http:// or https:// URL", url ? url : "");
    return NULL;
  }
  client = g_new0 (LxWhipClient, 1);
  client->session =
      soup_session_new_with_options ("timeout", HTTP_TIMEOUT_S, "user-agent", "lianxiao", NULL);
  lx_tls_trust (client->session, trusted_cas);
  client->url = g_strdup (url);
  client->token = g_strdup (token);
  return client;
}

void
lx_whip_client_free (LxWhipClient *client)
{
  if (client == NULL)
    return;
  soup_session_abort (client->session);
  g_object_unref (client->session);
  g_free (client->url);
  g_free (client->token);
  g_free (client->session_url);
  g_strfreev (client->ice_servers);
  g_free (client);
}

const char *const *
lx_whip_client_get_ice_servers (LxWhipClient *client)
{
  return (const char *const *) client->ice_servers;
}

const char *
lx_whip_client_get_session_url (LxWhipClient *client)
{
  return client->session_url;
}

static SoupMessage *
new_request (LxWhipClient *client, const char *method, const char *url)
{
  SoupMessage *message = soup_message_new (method, url);

  if (message && client->token) {
    g_autofree gchar *authorization = g_strdup_printf ("Bearer %s", client->token);
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  authorization);
  }
  return message;
}

/* The first line of an error response's body: servers say there why they refused. */
static gchar *
reason_of (GBytes *body)
{
  gsize size = 0;
  const char *data = body ? g_bytes_get_data (body, &size) : NULL;
  g_autofree gchar *text = data ? g_strndup (data, MIN (size, 200)) : NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strdup ("");
  text[strcspn (text, "\r\n")] = '\0';
  return g_strdup_printf (": %s", g_strstrip (text));
}

/* Redirects followed at most (RFC 9725 §4.5: an endpoint may redirect with 307 or 308). */
#define MAX_REDIRECTS 5

typedef struct {
  LxWhipClient *client; /* a plain struct: its owner keeps it until the offer completes */
  SoupMessage *message;
  GBytes *offer;
  guint redirects;
} OfferRequest;

static void
free_offer_request (gpointer data)
{
  OfferRequest *request = data;
  g_clear_object (&request->message);
  g_bytes_unref (request->offer);
  g_free (request);
}

static void on_offer_sent (GObject *source, GAsyncResult *result, gpointer data);

static void
send_offer (GTask *task, const char *url)
{
  OfferRequest *request = g_task_get_task_data (task);

  g_clear_object (&request->message);
  request->message = new_request (request->client, "POST", url);
  /* (redirects are ours to follow: libsoup would turn some into a GET without the offer) */
  soup_message_add_flags (request->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (request->message, "application/sdp", request->offer);
  soup_session_send_and_read_async (request->client->session, request->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_offer_sent, task);
}

/* A POST redirected with 307/308 is sent again, with the same offer and token. TRUE if it was. */
static gboolean
follow_redirect (GTask *task, guint status)
{
  OfferRequest *request = g_task_get_task_data (task);
  const char *location = soup_message_headers_get_one (
      soup_message_get_response_headers (request->message), "Location");
  g_autofree gchar *base = NULL;
  g_autofree gchar *target = NULL;

  if ((status != SOUP_STATUS_TEMPORARY_REDIRECT && status != SOUP_STATUS_PERMANENT_REDIRECT) ||
      location == NULL || request->redirects >= MAX_REDIRECTS)
    return FALSE;
  base = g_uri_to_string (soup_message_get_uri (request->message));
  target = g_uri_resolve_relative (base, location, G_URI_FLAGS_NONE, NULL);
  if (target == NULL ||
      (!g_str_has_prefix (target, "http://") && !g_str_has_prefix (target, "https://")))
    return FALSE;
  request->redirects++;
  send_offer (task, target);
  return TRUE;
}

static void
on_offer_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  OfferRequest *request = g_task_get_task_data (task);
  LxWhipClient *client = request->client;
  SoupMessage *message = request->message;
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status = soup_message_get_status (message);
  const char *content_type, *location, *answer;
  g_autofree gchar *base = NULL;
  gsize size = 0;

  if (body == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  if (follow_redirect (task, status)) {
    g_steal_pointer (&task); /* (sent again: the task goes on) */
    return;
  }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    g_autofree gchar *reason = reason_of (body);
    g_task_return_new_error (task, LX_WHIP_ERROR, LX_WHIP_ERROR_REFUSED,
                             "the endpoint refused the offer: HTTP %u %s%s", status,
                             soup_message_get_reason_phrase (message), reason);
    return;
  }
  content_type = soup_message_headers_get_content_type (headers, NULL);
  answer = g_bytes_get_data (body, &size);
  if (g_strcmp0 (content_type, "application/sdp") != 0 || size == 0 || size > MAX_ANSWER_BYTES ||
      memchr (answer, '\0', size) != NULL) {
    g_task_return_new_error (task, LX_WHIP_ERROR, LX_WHIP_ERROR_BAD_RESPONSE,
                             "the endpoint answered HTTP %u with %s, not an SDP answer", status,
                             content_type ? content_type : "no content type");
    return;
  }
  /* Location may be relative to the endpoint's URL (after any redirect). */
  location = soup_message_headers_get_one (headers, "Location");
  base = g_uri_to_string (soup_message_get_uri (message));
  g_free (client->session_url);
  client->session_url =
      location ? g_uri_resolve_relative (base, location, G_URI_FLAGS_NONE, NULL) : NULL;
  if (client->session_url == NULL)
    g_warning ("the endpoint %s gave no usable Location: its session cannot be ended", client->url);
  /* STUN and TURN servers the endpoint announces (RFC 9725 §4.6), for the sessions to come. */
  g_strfreev (client->ice_servers);
  client->ice_servers = lx_ice_link_parse (soup_message_headers_get_list (headers, "Link"));
  if (client->ice_servers[0])
    g_message ("the endpoint %s announced %u STUN/TURN servers", client->url,
               g_strv_length (client->ice_servers));
  g_task_return_pointer (task, g_strndup (answer, size), g_free);
}

void
lx_whip_client_offer_async (LxWhipClient *client, const char *offer, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  OfferRequest *request = g_new0 (OfferRequest, 1);

  request->client = client;
  request->offer = g_bytes_new (offer, strlen (offer));
  g_task_set_source_tag (task, lx_whip_client_offer_async);
  g_task_set_task_data (task, request, free_offer_request);
  send_offer (task, client->url);
}

gchar *
lx_whip_client_offer_finish (LxWhipClient *client, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* One DELETE: shared by its reply and a caller waiting for it (g_rc_box). */
typedef struct {
  gchar *url;
  gboolean done;
} EndRequest;

static void
clear_end_request (gpointer data)
{
  g_free (((EndRequest *) data)->url);
}

static void
on_session_ended (GObject *source, GAsyncResult *result, gpointer data)
{
  EndRequest *request = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (body == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("could not end the session %s: %s", request->url, error->message);
  request->done = TRUE;
  g_rc_box_release_full (request, clear_end_request);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
lx_whip_client_end_session (LxWhipClient *client, guint wait_ms)
{
  g_autoptr (SoupMessage) message = NULL;
  EndRequest *request;
  gboolean timed_out = FALSE;
  guint timer;

  if (client->session_url == NULL)
    return;
  message = new_request (client, "DELETE", client->session_url);
  if (message == NULL) {
    g_clear_pointer (&client->session_url, g_free);
    return;
  }
  request = g_rc_box_new0 (EndRequest);
  request->url = g_steal_pointer (&client->session_url);
  soup_session_send_and_read_async (client->session, message, G_PRIORITY_DEFAULT, NULL,
                                    on_session_ended, g_rc_box_acquire (request));
  if (wait_ms > 0) {
    timer = g_timeout_add (wait_ms, set_flag, &timed_out);
    while (!request->done && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    if (!timed_out)
      g_source_remove (timer);
  }
  g_rc_box_release_full (request, clear_end_request);
}
