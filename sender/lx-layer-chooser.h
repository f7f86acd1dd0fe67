/* Chooses a classroom's quality layer from what its link reports: loss in RTCP receiver reports.
 * Pure logic (no GStreamer), fed once per report interval, so it can be tested with made-up links.
 *
 * Heavy loss steps down a layer at once; a clean link steps up after a hold time that doubles each
 * time stepping up fails (the link could not carry the layer above), so a link settles instead of
 * oscillating. When even the cheapest layer loses heavily, video pauses (audio goes on) and is
 * tried again later. Random loss alone (a few percent) changes nothing: retransmission repairs it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint n_layers;         /* layers 0 (largest) … n_layers - 1 (cheapest) */
  guint min_layer;        /* the largest layer this classroom may have (a configured cap) */
  guint layer;            /* the current layer, or n_layers when video is paused */
  gboolean adapt;         /* FALSE: stay on min_layer whatever happens */
  gint64 hold_until_ms;   /* no step up before */
  gint64 hold_ms;         /* the next hold after a failed step up */
  gint64 last_up_ms;      /* when the last step up (or resume) happened; -1 never */
  guint heavy_reports;    /* consecutive reports with heavy loss, on this layer */
  gint64 settle_until_ms; /* reports before this still measure the previous layer */
} LxLayerChooser;

/* Loss fractions that decide. */
#define LX_LAYER_DOWN_LOSS 0.10  /* above: congestion, step down */
#define LX_LAYER_UP_LOSS 0.02    /* below: clean enough to try the layer above */
#define LX_LAYER_PAUSE_LOSS 0.30 /* above, on the cheapest layer, twice in a row: pause video */

void lx_layer_chooser_init (LxLayerChooser *chooser, guint n_layers, guint min_layer,
                            gboolean adapt, gint64 now_ms);

/* Feeds one report: the fraction of video packets lost since the last one (0–1). Returns TRUE if
 * the layer changed (read chooser->layer). */
gboolean lx_layer_chooser_report (LxLayerChooser *chooser, gdouble loss, gint64 now_ms);

gboolean lx_layer_chooser_paused (const LxLayerChooser *chooser);

G_END_DECLS
