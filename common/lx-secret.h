/* Tokens: making them, storing them only as salted hashes, and checking them in constant time.
 * The store keeps schools' tokens this way, and the admin token may be configured this way too
 * ("sha256:SALT:HASH", printed by `lianxiao-ctl hash-token`). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* (transfer full) A new random token (48 hex digits: 192 bits from the kernel). */
gchar *lx_secret_new_token (void);
/* (transfer full) A new random salt. */
gchar *lx_secret_new_salt (void);
/* (transfer full) The SHA-256 of @salt followed by @token, in hex. */
gchar *lx_secret_hash (const char *salt, const char *token);
/* TRUE if @given equals @expected; the time taken says nothing of where they differ. */
gboolean lx_secret_equal (const char *given, const char *expected);

/* (transfer full) "sha256:SALT:HASH" for @token, with a new salt: what may be stored. */
gchar *lx_secret_to_stored (const char *token);
/* TRUE if @token matches @stored: a "sha256:SALT:HASH" form, or (configuration written by hand)
 * the token itself. Constant time either way. */
gboolean lx_secret_matches (const char *stored, const char *token);

G_END_DECLS
