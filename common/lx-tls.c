/* Client-side TLS (see lx-tls.h). */
#include "lx-tls.h"

GTlsDatabase *
lx_tls_database_new (const char *ca_file, GError **error)
{
  g_autoptr (GError) tls_error = NULL;
  GTlsDatabase *database = g_tls_file_database_new (ca_file, &tls_error);

  if (database == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "cannot read CA certificates from %s: %s", ca_file, tls_error->message);
  return database;
}

void
lx_tls_trust (SoupSession *session, GTlsDatabase *trusted_cas)
{
  if (trusted_cas)
    soup_session_set_tls_database (session, trusted_cas);
}
