/* Quality layers: the sizes and bitrates the sender encodes the picture in (each once, whatever the
 * number of classrooms), and the per-school bitrate caps from configuration. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint width, height;
  gint kbps;
} LxLayerSpec;

#define LX_MAX_LAYERS 4

/* Parses "WIDTHxHEIGHT@KBPS" items, largest first (each layer smaller or equal in both dimensions
 * and cheaper than the one before). Fills @layers (room for LX_MAX_LAYERS) and returns the count,
 * or 0 with @error naming the item. */
guint lx_layers_parse (const char *const *items, LxLayerSpec *layers, GError **error);

/* Parses "SCHOOL=KBPS" items into (transfer full) a table school → kbps (GINT_TO_POINTER), or NULL
 * with @error naming the item. */
GHashTable *lx_layers_parse_caps (const char *const *items, GError **error);

/* The largest layer index whose bitrate fits @kbps (the last, cheapest layer if none does). */
guint lx_layers_fitting (const LxLayerSpec *layers, guint n_layers, gint kbps);

G_END_DECLS
