/* STUN and TURN servers as WHIP and WHEP announce them (RFC 9725 §4.6): HTTP Link headers with
 * rel="ice-server", e.g.
 *   Link: <stun:stun.city.example:3478>; rel="ice-server"
 *   Link: <turn:turn.city.example:3478?transport=udp>; rel="ice-server"; username="u";
 *         credential="p"; credential-type="password"
 * and back into the URLs webrtcbin and our configuration files take (stun://HOST:PORT,
 * turn(s)://USER:PASSWORD@HOST:PORT[?transport=tcp]). Our WHEP endpoint writes them, our WHIP and
 * WHEP clients read them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* (transfer full) The Link header value announcing @url (a stun:// or turn(s):// URL of ours), or
 * NULL with @error when @url is neither. */
gchar *lx_ice_link_from_url (const char *url, GError **error);

/* (transfer full) The STUN and TURN servers announced in @links (one or more Link header values,
 * comma-separated as HTTP joins them) as URLs of ours, in their order; Links of another rel, or
 * that cannot be read, are left out. Never NULL. */
GStrv lx_ice_link_parse (const char *links);

G_END_DECLS
