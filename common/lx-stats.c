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

void
lx_stats_add_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
lx_stats_add_double (JsonBuilder *builder, const char *name, gdouble value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

void
lx_stats_add_delays (JsonBuilder *builder, const char *name, const LxDelaySummary *summary)
{
  const struct {
    const char *suffix;
    gdouble value;
  } members[] = { { "p50_ms", summary->p50_ms },
                  { "p95_ms", summary->p95_ms },
                  { "p99_ms", summary->p99_ms } };
  g_autofree gchar *samples = g_strdup_printf ("%s_samples", name);

  for (guint i = 0; i < G_N_ELEMENTS (members); i++) {
    g_autofree gchar *member = g_strdup_printf ("%s_%s", name, members[i].suffix);
    json_builder_set_member_name (builder, member);
    json_builder_add_double_value (builder, members[i].value);
  }
  lx_stats_add_int (builder, samples, summary->count);
}
