/* Tokens and their hashes (see lx-secret.h). */
#include "lx-secret.h"

#include <stdio.h>
#include <string.h>

#define TOKEN_BYTES 24
#define SALT_BYTES 16
#define STORED_PREFIX "sha256:"

static gchar *
random_hex (guint bytes)
{
  GString *hex = g_string_sized_new (bytes * 2);
  guint8 buffer[64];
  gboolean from_kernel = FALSE;
  FILE *urandom = fopen ("/dev/urandom", "rb");

  g_assert (bytes <= sizeof (buffer));
  if (urandom) {
    from_kernel = fread (buffer, 1, bytes, urandom) == bytes;
    fclose (urandom);
  }
  if (!from_kernel) {
    /* Never expected on Linux; a weaker fallback beats no token. */
    g_autoptr (GRand) rand = g_rand_new ();
    for (guint i = 0; i < bytes; i++)
      buffer[i] = (guint8) g_rand_int_range (rand, 0, 256);
  }
  for (guint i = 0; i < bytes; i++)
    g_string_append_printf (hex, "%02x", buffer[i]);
  return g_string_free (hex, FALSE);
}

gchar *
lx_secret_new_token (void)
{
  return random_hex (TOKEN_BYTES);
}

gchar *
lx_secret_new_salt (void)
{
  return random_hex (SALT_BYTES);
}

gchar *
lx_secret_hash (const char *salt, const char *token)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (checksum, (const guchar *) salt, -1);
  g_checksum_update (checksum, (const guchar *) token, -1);
  return g_strdup (g_checksum_get_string (checksum));
}

gboolean
lx_secret_equal (const char *given, const char *expected)
{
  gsize given_length = strlen (given), expected_length = strlen (expected);
  guint8 difference = given_length != expected_length;

  /* Every byte of @expected compared, whatever the first difference. */
  for (gsize i = 0; i < expected_length; i++)
    difference |= (guint8) (expected[i] ^ (i < given_length ? given[i] : 0));
  return difference == 0;
}

gchar *
lx_secret_to_stored (const char *token)
{
  g_autofree gchar *salt = lx_secret_new_salt ();
  g_autofree gchar *hash = lx_secret_hash (salt, token);

  return g_strdup_printf (STORED_PREFIX "%s:%s", salt, hash);
}

gboolean
lx_secret_matches (const char *stored, const char *token)
{
  g_auto (GStrv) parts = NULL;
  g_autofree gchar *hash = NULL;

  if (stored == NULL || token == NULL)
    return FALSE;
  if (!g_str_has_prefix (stored, STORED_PREFIX))
    return lx_secret_equal (token, stored);
  parts = g_strsplit (stored + strlen (STORED_PREFIX), ":", 2);
  if (g_strv_length (parts) != 2)
    return FALSE;
  hash = lx_secret_hash (parts[0], token);
  return lx_secret_equal (hash, parts[1]);
}
