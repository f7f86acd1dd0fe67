/* Statistics files: the programs rewrite a JSON file every second, atomically, so that a test, a
 * script or a monitoring agent always reads a whole, recent snapshot. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Writes @root to @path through a temporary file and a rename. FALSE with @error on failure. */
gboolean lx_stats_write_file (const char *path, JsonNode *root, GError **error);

/* Wall-clock time in milliseconds since the Unix epoch, for stamping statistics. */
gint64 lx_stats_now_ms (void);

G_END_DECLS
