/* The client side of WHIP (RFC 9725, publishing) and WHEP (playback): both are one HTTP exchange.
 * The offer, with every ICE candidate in it (no trickle), is POSTed to the endpoint with a bearer
 * token; "201 Created" brings the answer and, in Location, the session's own URL, which a DELETE
 * ends. The sender publishes through it, the receiver plays through it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LX_WHIP_ERROR (lx_whip_error_quark ())
GQuark lx_whip_error_quark (void);

typedef enum {
  LX_WHIP_ERROR_BAD_URL,      /* the endpoint is not an http(s) URL */
  LX_WHIP_ERROR_REFUSED,      /* the endpoint answered with an HTTP error */
  LX_WHIP_ERROR_BAD_RESPONSE, /* 2xx without an SDP answer */
} LxWhipError;

typedef struct _LxWhipClient LxWhipClient;

/* (transfer full) A client of the endpoint @url, authenticating with @token (nullable: none),
 * verifying an https:// server against @trusted_cas (nullable: the system's CAs).
 * NULL with @error if @url is not an http:// or https:// URL. */
LxWhipClient *lx_whip_client_new (const char *url, const char *token, GTlsDatabase *trusted_cas,
                                  GError **error);
/* Ends the open session, if any (without waiting), then frees the client. */
/* Frees the client, abandoning any request under way: end the session first (a session left open
 * lasts until the server's own timeout). */
void lx_whip_client_free (LxWhipClient *client);

/* POSTs @offer (SDP text). Completes on the thread-default main context. */
void lx_whip_client_offer_async (LxWhipClient *client, const char *offer, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
/* (transfer full) The answer's SDP text, or NULL with @error. The session it opened is the one
 * lx_whip_client_end_session() ends. */
gchar *lx_whip_client_offer_finish (LxWhipClient *client, GAsyncResult *result, GError **error);

/* (transfer none) The STUN and TURN servers the endpoint announced in its last answer's Link
 * headers (RFC 9725 §4.6), as stun:// and turn(s):// URLs (credentials inside: never log them);
 * NULL before an answer. For the next session: this one gathered its candidates already. */
const char *const *lx_whip_client_get_ice_servers (LxWhipClient *client);

/* (transfer none) (nullable) The open session's URL (from Location). */
const char *lx_whip_client_get_session_url (LxWhipClient *client);

/* DELETEs the open session, if any, so the server frees it at once rather than on a timeout. With
 * @wait_ms > 0 the main context is iterated until the server replied or @wait_ms passed (for a
 * program about to exit). */
void lx_whip_client_end_session (LxWhipClient *client, guint wait_ms);

G_END_DECLS
