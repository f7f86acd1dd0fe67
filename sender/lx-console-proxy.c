/* The console's REST forwarding (see lx-console-proxy.h). */
#include "lx-console-proxy.h"

#include "lx-tls.h"

#include <string.h>

struct _LxConsoleProxy {
  SoupSession *session;
  GCancellable *cancellable;
  gchar *api;           /* (nullable) http://HOST:PORT/api/v1/ */
  gchar *authorization; /* (nullable) "Bearer TOKEN" */
};

LxConsoleProxy *
lx_console_proxy_new (const LxConnectionSettings *connection)
{
  LxConsoleProxy *proxy = g_new0 (LxConsoleProxy, 1);

  proxy->session = soup_session_new_with_options ("timeout", 10, NULL);
  lx_tls_trust (proxy->session, connection->trusted_cas);
  proxy->cancellable = g_cancellable_new ();
  proxy->api = lx_settings_api_url (connection);
  if (connection->token)
    proxy->authorization = g_strdup_printf ("Bearer %s", connection->token);
  return proxy;
}

void
lx_console_proxy_free (LxConsoleProxy *proxy)
{
  if (proxy == NULL)
    return;
  g_cancellable_cancel (proxy->cancellable);
  g_object_unref (proxy->cancellable);
  g_object_unref (proxy->session);
  g_free (proxy->api);
  g_free (proxy->authorization);
  g_free (proxy);
}

#define UNREACHABLE                                                                                   \
  "{\"error\":\"unreachable\",\"message\":\"连不上信令服务器 · the signaling server cannot " \
  "be reached\"}"

static void
respond (SoupServerMessage *message, guint status, const char *type, gconstpointer body,
         gsize length)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, type, SOUP_MEMORY_COPY, body, length);
  soup_server_message_unpause (message);
}

static void
on_answer (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (SoupServerMessage) message = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *request = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  const char *type;

  if (body == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    g_warning ("console: the signaling server's API: %s", error->message);
    respond (message, SOUP_STATUS_BAD_GATEWAY, "application/json", UNREACHABLE,
             strlen (UNREACHABLE));
    return;
  }
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (request), NULL);
  respond (message, soup_message_get_status (request), type ? type : "application/json",
           g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

void
lx_console_proxy_forward (LxConsoleProxy *proxy, SoupServerMessage *message, const char *api_path)
{
  g_autofree gchar *url = proxy->api ? g_strconcat (proxy->api, api_path, NULL) : NULL;
  g_autoptr (SoupMessage) request = NULL;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr (GBytes) content = NULL;

  soup_server_message_pause (message);
  request = url ? soup_message_new (soup_server_message_get_method (message), url) : NULL;
  if (request == NULL) {
    respond (message, SOUP_STATUS_BAD_GATEWAY, "application/json", UNREACHABLE,
             strlen (UNREACHABLE));
    return;
  }
  if (proxy->authorization)
    soup_message_headers_replace (soup_message_get_request_headers (request), "Authorization",
                                  proxy->authorization);
  if (body->length > 0) {
    content = soup_message_body_flatten (body);
    soup_message_set_request_body_from_bytes (request, "application/json", content);
  }
  soup_session_send_and_read_async (proxy->session, request, G_PRIORITY_DEFAULT, proxy->cancellable,
                                    on_answer, g_object_ref (message));
}
