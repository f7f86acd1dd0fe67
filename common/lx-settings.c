/* Cross-key checks for the shared connection settings (see lx-settings.h). */
#include "lx-settings.h"

#include "lx-protocol.h"
#include "lx-tls.h"

gboolean
lx_settings_check_http_url (const char *key, const char *url, GError **error)
{
  if (url && !g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://")) {
    g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
                 "key '%s' must be an http:// or https:// URL, got '%s'", key, url);
    return FALSE;
  }
  return TRUE;
}

gboolean
lx_connection_settings_validate (LxConnectionSettings *settings, gboolean media_elsewhere,
                                 GError **error)
{
  if (settings->school == NULL) {
    g_set_error_literal (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
                         "key 'school' in [signaling] must be set (this school's id)");
    return FALSE;
  }
  if (!lx_protocol_id_is_valid (settings->school)) {
    g_set_error (
        error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
        "key 'school' in [signaling] must be 1-%d characters of A-Z a-z 0-9 _ . -, got '%s'",
        LX_PROTOCOL_MAX_ID_LENGTH, settings->school);
    return FALSE;
  }
  if (settings->lesson == NULL || !lx_protocol_id_is_valid (settings->lesson)) {
    g_set_error (
        error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
        "key 'lesson' in [signaling] must be 1-%d characters of A-Z a-z 0-9 _ . -, got '%s'",
        LX_PROTOCOL_MAX_ID_LENGTH, settings->lesson ? settings->lesson : "");
    return FALSE;
  }
  g_clear_object (&settings->trusted_cas);
  if (settings->ca_file) {
    settings->trusted_cas = lx_tls_database_new (settings->ca_file, error);
    if (settings->trusted_cas == NULL) {
      g_prefix_error (error, "key 'ca-file' in [signaling]: ");
      return FALSE;
    }
  }
  /* Media through WHIP, WHEP or Janus alone needs no signaling server. */
  if (settings->server == NULL && media_elsewhere)
    return TRUE;
  if (settings->server == NULL || !(g_str_has_prefix (settings->server, "ws://") ||
                                    g_str_has_prefix (settings->server, "wss://"))) {
    g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
                 "key 'server' in [signaling] must be a ws:// or wss:// URL, got '%s'",
                 settings->server ? settings->server : "");
    return FALSE;
  }
  return TRUE;
}

void
lx_connection_settings_clear (LxConnectionSettings *settings)
{
  g_clear_object (&settings->trusted_cas);
}

gchar *
lx_settings_api_url (const LxConnectionSettings *connection)
{
  g_autoptr (GUri) websocket =
      connection->server ? g_uri_parse (connection->server, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autofree gchar *port = NULL;

  if (websocket == NULL)
    return NULL;
  port = g_uri_get_port (websocket) > 0 ? g_strdup_printf (":%d", g_uri_get_port (websocket))
                                        : g_strdup ("");
  return g_strdup_printf ("%s://%s%s/api/v1/",
                          g_str_equal (g_uri_get_scheme (websocket), "wss") ? "https" : "http",
                          g_uri_get_host (websocket), port);
}
