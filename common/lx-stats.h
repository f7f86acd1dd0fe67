/* Statistics files: the programs rewrite a JSON file every second, atomically, so that a test, a
 * script or a monitoring agent always reads a whole, recent snapshot. */
#pragma once

#include "lx-delays.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Writes @root to @path through a temporary file and a rename. FALSE with @error on failure. */
gboolean lx_stats_write_file (const char *path, JsonNode *root, GError **error);

/* Adds the member @name with an integer value. */
void lx_stats_add_int (JsonBuilder *builder, const char *name, gint64 value);
void lx_stats_add_double (JsonBuilder *builder, const char *name, gdouble value);

/* Adds @name_p50_ms, @name_p95_ms, @name_p99_ms (-1 without samples) and @name_samples. */
void lx_stats_add_delays (JsonBuilder *builder, const char *name, const LxDelaySummary *summary);

/* Wall-clock time in milliseconds since the Unix epoch, for stamping statistics. */
gint64 lx_stats_now_ms (void);

G_END_DECLS
