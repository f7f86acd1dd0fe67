/* TLS for the programs' HTTP and WebSocket clients: the server's certificate is always verified,
 * against the system's CAs (libsoup's default), or against the CAs of the configured `ca-file`,
 * for a city whose servers carry certificates from its own CA. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* (transfer full) A database trusting exactly the CA certificates in @ca_file (PEM), or NULL with
 * @error saying why the file is unusable. */
GTlsDatabase *lx_tls_database_new (const char *ca_file, GError **error);

/* Makes @session verify servers against @trusted_cas (NULL: the system's CAs, unchanged). */
void lx_tls_trust (SoupSession *session, GTlsDatabase *trusted_cas);

G_END_DECLS
