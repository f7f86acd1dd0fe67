/* Quality layer lists (see lx-layers.h). */
#include "lx-layers.h"

#include "lx-config.h"

#include <stdlib.h>
#include <string.h>

static gboolean
parse_int (const char *text, const char *end, gint min, gint max, gint *value)
{
  gchar *stop = NULL;
  gint64 number;

  if (text == end || !g_ascii_isdigit (*text))
    return FALSE;
  number = g_ascii_strtoll (text, &stop, 10);
  if (stop != end || number < min || number > max)
    return FALSE;
  *value = (gint) number;
  return TRUE;
}

guint
lx_layers_parse (const char *const *items, LxLayerSpec *layers, GError **error)
{
  guint n = 0;

  for (guint i = 0; items && items[i]; i++) {
    const char *item = items[i];
    const char *x = strchr (item, 'x');
    const char *at = strchr (item, '@');
    LxLayerSpec layer;

    if (n == LX_MAX_LAYERS) {
      g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE, "layers: at most %d layers",
                   LX_MAX_LAYERS);
      return 0;
    }
    if (x == NULL || at == NULL || at < x || !parse_int (item, x, 16, 4096, &layer.width) ||
        !parse_int (x + 1, at, 16, 4096, &layer.height) ||
        !parse_int (at + 1, item + strlen (item), 30, 50000, &layer.kbps) || layer.width % 2 ||
        layer.height % 2) {
      g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
                   "layers: '%s' is not WIDTHxHEIGHT@KBPS (even sizes 16–4096, 30–50000 kbit/s)",
                   item);
      return 0;
    }
    if (n > 0 && (layer.width > layers[n - 1].width || layer.height > layers[n - 1].height ||
                  layer.kbps >= layers[n - 1].kbps)) {
      g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
                   "layers: '%s' must be smaller and cheaper than the layer before it", item);
      return 0;
    }
    layers[n++] = layer;
  }
  if (n == 0)
    g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
                 "layers: at least one layer is needed");
  return n;
}

GHashTable *
lx_layers_parse_caps (const char *const *items, GError **error)
{
  g_autoptr (GHashTable) caps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; items && items[i]; i++) {
    const char *equals = strchr (items[i], '=');
    gint kbps;

    if (equals == NULL || equals == items[i] ||
        !parse_int (equals + 1, items[i] + strlen (items[i]), 30, 1000000, &kbps)) {
      g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
                   "classroom-max-kbps: '%s' is not SCHOOL=KBPS (30 or more)", items[i]);
      return NULL;
    }
    g_hash_table_insert (caps, g_strndup (items[i], (gsize) (equals - items[i])),
                         GINT_TO_POINTER (kbps));
  }
  return g_steal_pointer (&caps);
}

guint
lx_layers_fitting (const LxLayerSpec *layers, guint n_layers, gint kbps)
{
  for (guint i = 0; i < n_layers; i++)
    if (layers[i].kbps <= kbps)
      return i;
  return n_layers - 1;
}
