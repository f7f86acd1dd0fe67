/* Writing statistics snapshots (see lx-stats.h). */
#include "lx-stats.h"

gboolean
lx_stats_write_file (const char *path, JsonNode *root, GError **error)
{
  g_autofree gchar *json = json_to_string (root, TRUE);
  return g_file_set_contents (path, json, -1, error);
}

gint64
lx_stats_now_ms (void)
{
  return g_get_real_time () / 1000;
}
