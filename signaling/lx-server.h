/* lianxiao-signaling's network side: a libsoup server with the WebSocket endpoint /ws, on which
 * each connection is a peer of the lesson registry, and the HTTP endpoint /healthz. */
#pragma once

#include "lx-limits.h"

#include <gio/gio.h>
#include <glib-object.h>

G_BEGIN_DECLS

#define LX_TYPE_SERVER (lx_server_get_type ())
G_DECLARE_FINAL_TYPE (LxServer, lx_server, LX, SERVER, GObject)

/* (transfer full) A server, not yet listening. */
LxServer *lx_server_new (void);

/* From now on, listens with TLS (https:// and wss://) using @certificate (with its private key). */
void lx_server_set_tls_certificate (LxServer *server, GTlsCertificate *certificate);

/* Listens on @address:@port (port 0 picks a free one). Returns FALSE with @error if it cannot. */
gboolean lx_server_listen (LxServer *server, const char *address, guint port, GError **error);

/* The port actually listened on, after lx_server_listen(). */
guint lx_server_get_port (LxServer *server);

typedef struct _LxStore LxStore;

/* Checks every hello against the timetable in @store (which must outlive the server): a booked
 * lesson (its id is the lesson's number) admits only the schools booked into it, in their role,
 * with their token, and records each classroom's attendance. Lessons not in the timetable are
 * admitted only if @allow_unbooked. */
void lx_server_set_timetable (LxServer *server, LxStore *store, gboolean allow_unbooked);

/* Serves the REST API (/api/v1/) from @store, which must outlive the server; see lx-api.h. */
void lx_server_enable_api (LxServer *server, LxStore *store, const char *admin_token,
                           const char *time_zone);

/* Serves the files under @root (the web pages for IT staff) at /; index.html for /. */
void lx_server_serve_files (LxServer *server, const char *root);

/* Replaces the limits (LX_LIMITS_DEFAULT until then); they apply to new messages and connections. */
void lx_server_set_limits (LxServer *server, const LxLimits *limits);
/* STUN and TURN servers (nullable; stun://HOST:PORT, turn(s)://USER:PASSWORD@HOST:PORT) announced
 * to WHEP players in Link headers. FALSE with @error if either is not such a URL. */
gboolean lx_server_set_whep_ice_servers (LxServer *server, const char *stun_server,
                                         const char *turn_server, GError **error);

/* Number of open WebSocket connections (joined or not). */
guint lx_server_count_connections (LxServer *server);

G_END_DECLS
