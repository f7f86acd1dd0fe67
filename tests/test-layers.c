/* Quality layers without a network: the layer lists from configuration, and the per-classroom
 * layer choice driven by made-up links (loss reports as a classroom would send them). */
#include "lx-config.h"
#include "lx-layer-chooser.h"
#include "lx-layers.h"

#include <string.h>

static void
test_parse_layers (void)
{
  const char *items[] = { "1280x720@2500", "640x360@800", "320x180@250", NULL };
  LxLayerSpec layers[LX_MAX_LAYERS];
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (lx_layers_parse (items, layers, &error), ==, 3);
  g_assert_no_error (error);
  g_assert_cmpint (layers[0].width, ==, 1280);
  g_assert_cmpint (layers[1].height, ==, 360);
  g_assert_cmpint (layers[2].kbps, ==, 250);
  /* The largest layer a link of so many kbit/s carries. */
  g_assert_cmpuint (lx_layers_fitting (layers, 3, 5000), ==, 0);
  g_assert_cmpuint (lx_layers_fitting (layers, 3, 1000), ==, 1);
  g_assert_cmpuint (lx_layers_fitting (layers, 3, 600), ==, 2);
  g_assert_cmpuint (lx_layers_fitting (layers, 3, 100), ==, 2); /* the cheapest, always */
}

typedef struct {
  const char *name;
  const char *items[6];
  const char *message; /* a part of the expected error */
} BadLayers;

static const BadLayers bad_layers[] = {
  { "empty", { NULL }, "at least one layer" },
  { "no-bitrate", { "1280x720", NULL }, "'1280x720' is not WIDTHxHEIGHT@KBPS" },
  { "odd-size", { "1281x720@2000", NULL }, "'1281x720@2000'" },
  { "letters", { "wide@2000", NULL }, "'wide@2000'" },
  { "trailing", { "640x360@800kbps", NULL }, "'640x360@800kbps'" },
  { "growing", { "640x360@800", "1280x720@2500", NULL }, "smaller and cheaper" },
  { "dearer", { "1280x720@800", "640x360@900", NULL }, "smaller and cheaper" },
  { "too-many",
    { "1280x720@2500", "960x540@1500", "640x360@800", "480x270@500", "320x180@250", NULL },
    "at most 4" },
};

static void
test_bad_layers (gconstpointer data)
{
  const BadLayers *bad = data;
  LxLayerSpec layers[LX_MAX_LAYERS];
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (lx_layers_parse (bad->items, layers, &error), ==, 0);
  g_assert_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, bad->message));
}

static void
test_parse_caps (void)
{
  const char *good[] = { "village-1=1000", "mountain=600", NULL };
  const char *bad[] = { "village-1", NULL };
  const char *low[] = { "village-1=10", NULL };
  g_autoptr (GHashTable) caps = NULL;
  g_autoptr (GError) error = NULL;

  caps = lx_layers_parse_caps (good, &error);
  g_assert_no_error (error);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (caps, "mountain")), ==, 600);
  g_assert_null (lx_layers_parse_caps (bad, &error));
  g_assert_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE);
  g_clear_error (&error);
  g_assert_null (lx_layers_parse_caps (low, &error));
  g_assert_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE);
}

/* ---- The chooser on made-up links ---- */

static const gint layer_kbps[] = { 2500, 800, 250 };

/* A link that carries @capacity_kbps and loses @random_loss of packets anyway: what a classroom on
 * @layer (3: paused, audio only) would report. */
static gdouble
link_loss (guint layer, gint capacity_kbps, gdouble random_loss)
{
  gint kbps = (layer < 3 ? layer_kbps[layer] : 0) + 50; /* audio */
  gdouble congestion = kbps > capacity_kbps ? 1.0 - (gdouble) capacity_kbps / kbps : 0.0;
  return MIN (1.0, congestion + random_loss);
}

/* Runs @chooser for @seconds on a link, one report a second; returns the seconds spent per layer
 * (index 3: paused). */
static void
run_link (LxLayerChooser *chooser, gint64 *now_ms, guint seconds, gint capacity_kbps,
          gdouble random_loss, guint time_on[4])
{
  for (guint i = 0; i < seconds; i++) {
    *now_ms += 1000;
    lx_layer_chooser_report (chooser, link_loss (chooser->layer, capacity_kbps, random_loss),
                             *now_ms);
    time_on[MIN (chooser->layer, 3)]++;
  }
}

static void
test_random_loss_keeps_the_layer (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  guint time_on[4] = { 0 };

  lx_layer_chooser_init (&chooser, 3, 0, TRUE, now);
  /* 5 % random loss on a fat link: retransmission's business, not a reason to step down. */
  run_link (&chooser, &now, 120, 100000, 0.05, time_on);
  g_assert_cmpuint (time_on[0], ==, 120);
}

static void
test_thin_link_settles_low (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  guint time_on[4] = { 0 };
  guint ups = 0;

  lx_layer_chooser_init (&chooser, 3, 0, TRUE, now);
  /* 600 kbit/s: the top layer is far too much, the middle one a little. */
  /* A step down at each report, each change let to settle for a report. */
  run_link (&chooser, &now, 5, 600, 0.0, time_on);
  g_assert_cmpuint (chooser.layer, ==, 2);
  /* Then it probes upwards now and then, less and less often: it settles. */
  for (guint i = 0; i < 300; i++) {
    guint before = chooser.layer;
    run_link (&chooser, &now, 1, 600, 0.0, time_on);
    ups += chooser.layer < before;
  }
  g_assert_cmpuint (time_on[2], >=, 285);
  g_assert_cmpuint (ups, <=, 8); /* after 4, 8, 16, 32, 64, 64, 64 s */
  g_assert_cmpuint (time_on[3], ==, 0);

  /* The link recovers: back to the top, a step at a time. */
  memset (time_on, 0, sizeof (time_on));
  run_link (&chooser, &now, 200, 100000, 0.0, time_on);
  g_assert_cmpuint (chooser.layer, ==, 0);
}

static void
test_flaky_link_stays_low (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  guint time_on[4] = { 0 };

  /* Loss every few seconds (a link that stalls now and then): the clean seconds between never
   * add up to the hold, so the classroom stays on the layer it started on. */
  lx_layer_chooser_init (&chooser, 3, 0, TRUE, now);
  chooser.layer = 2;
  for (guint i = 0; i < 120; i++) {
    now += 1000;
    lx_layer_chooser_report (&chooser, i % 3 == 2 ? 0.05 : 0.0, now);
    time_on[MIN (chooser.layer, 3)]++;
  }
  g_assert_cmpuint (time_on[2], ==, 120);
  /* Clean from now on: it steps up after the hold. */
  run_link (&chooser, &now, 20, 100000, 0.0, time_on);
  g_assert_cmpuint (chooser.layer, ==, 0);
}

static void
test_dead_link_pauses_video (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  guint time_on[4] = { 0 };

  lx_layer_chooser_init (&chooser, 3, 2, TRUE, now);
  /* 200 kbit/s: not even the cheapest layer. */
  run_link (&chooser, &now, 5, 200, 0.0, time_on);
  g_assert_true (lx_layer_chooser_paused (&chooser));
  /* Audio alone fits: video stays paused for a while, then is tried again, and pauses again. */
  memset (time_on, 0, sizeof (time_on));
  run_link (&chooser, &now, 60, 200, 0.0, time_on);
  g_assert_cmpuint (time_on[3], >=, 50);
  /* The link comes back: video resumes by itself. */
  run_link (&chooser, &now, 120, 1000, 0.0, time_on);
  g_assert_false (lx_layer_chooser_paused (&chooser));
  g_assert_cmpuint (chooser.layer, ==, 2); /* the configured cap */
}

static void
test_fixed_layer (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  guint time_on[4] = { 0 };

  lx_layer_chooser_init (&chooser, 3, 1, FALSE, now);
  run_link (&chooser, &now, 30, 300, 0.0, time_on);
  g_assert_cmpuint (time_on[1], ==, 30);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/layers/parse", test_parse_layers);
  for (guint i = 0; i < G_N_ELEMENTS (bad_layers); i++) {
    g_autofree gchar *path = g_strdup_printf ("/layers/bad/%s", bad_layers[i].name);
    g_test_add_data_func (path, &bad_layers[i], test_bad_layers);
  }
  g_test_add_func ("/layers/caps", test_parse_caps);
  g_test_add_func ("/layers/chooser/random-loss-keeps-the-layer", test_random_loss_keeps_the_layer);
  g_test_add_func ("/layers/chooser/thin-link-settles-low", test_thin_link_settles_low);
  g_test_add_func ("/layers/chooser/flaky-link-stays-low", test_flaky_link_stays_low);
  g_test_add_func ("/layers/chooser/dead-link-pauses-video", test_dead_link_pauses_video);
  g_test_add_func ("/layers/chooser/fixed-layer", test_fixed_layer);
  return g_test_run ();
}
