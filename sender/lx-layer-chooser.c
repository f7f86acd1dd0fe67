/* Layer choice from link reports (see lx-layer-chooser.h). */
#include "lx-layer-chooser.h"

#define FIRST_HOLD_MS 4000 /* a clean link waits this long before stepping up */
#define LONGEST_HOLD_MS 64000
#define FAILED_UP_WINDOW_MS 6000 /* stepping down this soon after stepping up: the step up failed */
/* After a change, the next report still measures the old layer (and the queue it filled): it
 * decides nothing. */
#define SETTLE_MS 1500

void
lx_layer_chooser_init (LxLayerChooser *chooser, guint n_layers, guint min_layer, gboolean adapt,
                       gint64 now_ms)
{
  chooser->n_layers = n_layers;
  chooser->min_layer = MIN (min_layer, n_layers - 1);
  chooser->layer = chooser->min_layer;
  chooser->adapt = adapt;
  chooser->hold_ms = FIRST_HOLD_MS;
  chooser->hold_until_ms = now_ms + FIRST_HOLD_MS;
  chooser->last_up_ms = -1;
  chooser->heavy_reports = 0;
  chooser->settle_until_ms = now_ms + SETTLE_MS;
}

static void
changed (LxLayerChooser *chooser, guint layer, gint64 now_ms)
{
  chooser->layer = layer;
  chooser->heavy_reports = 0;
  chooser->settle_until_ms = now_ms + SETTLE_MS;
}

gboolean
lx_layer_chooser_paused (const LxLayerChooser *chooser)
{
  return chooser->layer >= chooser->n_layers;
}

static void
step_down (LxLayerChooser *chooser, guint layer, gint64 now_ms)
{
  /* Going down soon after going up: the layer above is too much for this link; wait longer
   * before trying it again. */
  if (chooser->last_up_ms >= 0 && now_ms - chooser->last_up_ms < FAILED_UP_WINDOW_MS)
    chooser->hold_ms = MIN (chooser->hold_ms * 2, LONGEST_HOLD_MS);
  changed (chooser, layer, now_ms);
  chooser->hold_until_ms = now_ms + chooser->hold_ms;
}

gboolean
lx_layer_chooser_report (LxLayerChooser *chooser, gdouble loss, gint64 now_ms)
{
  guint cheapest = chooser->n_layers - 1;

  if (!chooser->adapt || now_ms < chooser->settle_until_ms)
    return FALSE;
  chooser->heavy_reports = loss > LX_LAYER_PAUSE_LOSS ? chooser->heavy_reports + 1 : 0;

  if (lx_layer_chooser_paused (chooser)) {
    /* Paused video sends nothing to measure; audio's loss still tells a dead link from a
     * recovered one. */
    if (loss < LX_LAYER_DOWN_LOSS && now_ms >= chooser->hold_until_ms) {
      changed (chooser, cheapest, now_ms);
      chooser->last_up_ms = now_ms;
      chooser->hold_until_ms = now_ms + chooser->hold_ms;
      return TRUE;
    }
    return FALSE;
  }
  /* The hold is time spent clean: a report that is not clean starts it again. */
  if (loss >= LX_LAYER_UP_LOSS)
    chooser->hold_until_ms = MAX (chooser->hold_until_ms, now_ms + chooser->hold_ms);
  if (loss > LX_LAYER_DOWN_LOSS) {
    if (chooser->layer < cheapest) {
      step_down (chooser, chooser->layer + 1, now_ms);
      return TRUE;
    }
    if (chooser->heavy_reports >= 2) {
      step_down (chooser, chooser->n_layers, now_ms);
      return TRUE;
    }
    return FALSE;
  }
  if (loss < LX_LAYER_UP_LOSS && chooser->layer > chooser->min_layer &&
      now_ms >= chooser->hold_until_ms) {
    changed (chooser, chooser->layer - 1, now_ms);
    chooser->last_up_ms = now_ms;
    chooser->hold_until_ms = now_ms + chooser->hold_ms;
    return TRUE;
  }
  /* A link that stays clean on its layer earns back quick step ups, slowly. */
  if (loss < LX_LAYER_UP_LOSS && chooser->last_up_ms >= 0 &&
      now_ms - chooser->last_up_ms > 4 * LONGEST_HOLD_MS)
    chooser->hold_ms = FIRST_HOLD_MS;
  return FALSE;
}
