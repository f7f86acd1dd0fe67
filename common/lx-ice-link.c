/* STUN/TURN servers ⇄ Link headers (see lx-ice-link.h). */
#include "lx-ice-link.h"

#include <gio/gio.h>
#include <string.h>

gchar *
lx_ice_link_from_url (const char *url, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  g_autofree gchar *address = NULL;
  const char *query;

  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      !(g_str_equal (scheme, "stun") || g_str_equal (scheme, "turn") ||
        g_str_equal (scheme, "turns"))) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "'%s' is no stun://HOST:PORT or turn(s)://USER:PASSWORD@HOST:PORT", url);
    return NULL;
  }
  address = g_uri_get_port (uri) > 0
                ? g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri))
                : g_strdup (g_uri_get_host (uri));
  if (g_str_equal (scheme, "stun"))
    return g_strdup_printf ("<stun:%s>; rel=\"ice-server\"", address);
  query = g_uri_get_query (uri);
  return g_strdup_printf ("<%s:%s?transport=%s>; rel=\"ice-server\"; username=\"%s\"; "
                          "credential=\"%s\"; credential-type=\"password\"",
                          scheme, address,
                          query && strstr (query, "transport=tcp") ? "tcp"
                          : g_str_equal (scheme, "turns")          ? "tcp"
                                                                   : "udp",
                          g_uri_get_user (uri) ? g_uri_get_user (uri) : "",
                          g_uri_get_password (uri) ? g_uri_get_password (uri) : "");
}

/* The value of parameter @name in @params ("; a=b; c=\"d;e\""), unquoted, or NULL. */
static gchar *
parameter (const char *params, const char *name)
{
  const char *at = params;
  gsize length = strlen (name);

  while (*at) {
    const char *value_end;
    at += strspn (at, "; \t");
    if (g_ascii_strncasecmp (at, name, length) == 0 && at[length] == '=') {
      at += length + 1;
      if (*at == '"') {
        value_end = strchr (at + 1, '"');
        return value_end ? g_strndup (at + 1, value_end - at - 1) : NULL;
      }
      return g_strndup (at, strcspn (at, "; \t"));
    }
    /* Past this parameter, its quoted value included. */
    while (*at && *at != ';') {
      if (*at == '"') {
        const char *closing = strchr (at + 1, '"');
        at = closing ? closing : at + strlen (at) - 1;
      }
      at++;
    }
  }
  return NULL;
}

/* One link ("<uri>; params") as a URL of ours, or NULL. */
static gchar *
read_link (const char *link)
{
  const char *open = strchr (link, '<');
  const char *close = open ? strchr (open, '>') : NULL;
  g_autofree gchar *target = NULL;
  g_autofree gchar *rel = NULL;
  g_autofree gchar *username = NULL;
  g_autofree gchar *credential = NULL;
  g_autofree gchar *user = NULL;
  g_autofree gchar *password = NULL;
  const char *colon;
  g_autofree gchar *address = NULL;
  gboolean tcp;

  if (close == NULL)
    return NULL;
  rel = parameter (close + 1, "rel");
  if (g_strcmp0 (rel, "ice-server") != 0)
    return NULL;
  target = g_strndup (open + 1, close - open - 1);
  colon = strchr (target, ':');
  if (colon == NULL || colon[1] == '\0')
    return NULL;
  address = g_strndup (colon + 1, strcspn (colon + 1, "?"));
  if (g_str_has_prefix (target, "stun:"))
    return g_strdup_printf ("stun://%s", address);
  if (!g_str_has_prefix (target, "turn:") && !g_str_has_prefix (target, "turns:"))
    return NULL;
  username = parameter (close + 1, "username");
  credential = parameter (close + 1, "credential");
  if (username == NULL || credential == NULL)
    return NULL;
  user = g_uri_escape_string (username, NULL, FALSE);
  password = g_uri_escape_string (credential, NULL, FALSE);
  tcp = strstr (target, "transport=tcp") != NULL && g_str_has_prefix (target, "turn:");
  return g_strdup_printf ("%.*s://%s:%s@%s%s", (int) (colon - target), target, user, password,
                          address, tcp ? "?transport=tcp" : "");
}

GStrv
lx_ice_link_parse (const char *links)
{
  g_autoptr (GStrvBuilder) servers = g_strv_builder_new ();
  gboolean quoted = FALSE, bracketed = FALSE;
  const char *start = links;

  /* Links are separated by commas outside quotes and angle brackets. */
  if (links == NULL)
    return g_strv_builder_end (servers);
  for (const char *at = links;; at++) {
    if (*at == '"' && !bracketed)
      quoted = !quoted;
    else if (*at == '<' && !quoted)
      bracketed = TRUE;
    else if (*at == '>' && !quoted)
      bracketed = FALSE;
    if (*at == '\0' || (*at == ',' && !quoted && !bracketed)) {
      g_autofree gchar *link = g_strndup (start, at - start);
      g_autofree gchar *server = read_link (link);
      if (server)
        g_strv_builder_add (servers, server);
      if (*at == '\0')
        break;
      start = at + 1;
    }
  }
  return g_strv_builder_end (servers);
}
