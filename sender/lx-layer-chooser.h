/* Chooses a classroom's quality layer from what its link reports: loss, the queue building up on
 * the link, and what the link delivered. Pure logic (no GStreamer), fed once per report, so it
 * can be tested with made-up links.
 *
 * Down: a queue that grows past a few tens of milliseconds, or loss behind a queue, is congestion
 * (a delay that stays put without loss is a longer route, not a queue), and so is a long queue
 * while the link delivers far less than the layer sends (its capacity fell; the modem's buffer is
 * about to overflow):
 * the classroom moves at once to the largest layer that what arrived can carry (not a step at a
 * time while the modem's buffer overflows). When even the cheapest layer is too much, video pauses
 * (audio goes on) and is tried again later. Loss without a queue is chance (up to 30 %): repair
 * mends it, and it changes nothing. Reports without a queue figure (a WHEP player's RTCP) are
 * judged by loss alone: over 10 % steps down, under 2 % is clean.
 *
 * Up: never switched to find out. After a clean hold the sender probes — sends padding at the
 * layer above's extra rate and 5 % more (lx-link-prober.h), rising quickly to what the link has
 * carried before and, on a long route, slowly beyond it (LxProbeRamp) — and steps up only if the
 * link stayed clean under it; a failed probe doubles the hold, so a link settles instead of
 * oscillating, and a passed one lets the next layer's probe follow after two seconds. The hold is
 * time spent calm: loss or a queue over 30 ms starts it again (shorter ones are a line's
 * jitter). */
#pragma once

#include "lx-layers.h"

#include <glib.h>

G_BEGIN_DECLS

/* How a probe rises to its rate: quickly up to what the link has already carried, then at a pace
 * whose queue a report can stop before the modem's buffer overflows (lx_probe_ramp_kbps). */
typedef struct {
  gint kbps;       /* what to send on top of the layer at the ramp's end; 0: no probe */
  gint quick_kbps; /* up to this, LX_PROBE_RAMP_KBPS_PER_S: the link has carried it before */
  gint slow_per_s; /* above it, kbit/s more each second */
} LxProbeRamp;

/* One report of the classroom's link. */
typedef struct {
  gdouble loss;      /* share of packets lost before repair since the last report, 0–1 */
  gint queue_ms;     /* what a queue on the link adds to the delay now; 0: none, or unknown */
  gint arrived_kbps; /* what the link delivered (media, repair, probes); 0: unknown */
} LxLinkReport;

typedef struct {
  guint n_layers;                /* layers 0 (largest) … n_layers - 1 (cheapest) */
  const LxLayerSpec *layers;     /* their bitrates (not owned: the configuration's) */
  guint min_layer;               /* the largest layer this classroom may have (a configured cap) */
  guint layer;                   /* the current layer, or n_layers when video is paused */
  gboolean adapt;                /* FALSE: stay on min_layer whatever happens */
  gint64 hold_until_ms;          /* no probe before */
  gint64 hold_ms;                /* the next hold after a failed probe */
  gint64 last_up_ms;             /* when the last step up (or resume) happened; -1 never */
  guint heavy_reports;           /* consecutive reports with heavy loss, on this layer */
  guint queued_reports;          /* consecutive reports with a long queue */
  gint standing_queue_ms;        /* a delay the link keeps without growing or losing (a longer
                               * route), judged as the line's own, not as congestion */
  gint last_queue_ms;            /* the last report's */
  guint steady_reports;          /* consecutive reports with the queue neither growing nor lossy */
  gint probe_start_queue_ms;     /* the queue when the probe began */
  guint probes, probes_passed;   /* probes started, and those that stepped up */
  gint64 settle_until_ms;        /* reports before this still measure the previous layer */
  LxProbeRamp probe;             /* probe.kbps > 0 while probing */
  gint carried_kbps;             /* the most the link has delivered (a report's arrived) */
  gint fec_percent;              /* the FEC the sender adds now (set by the caller) */
  gint rtt_ms;                   /* the link's round trip, 0 unknown (set by the caller) */
  gint sent_kbps[LX_MAX_LAYERS]; /* each layer's video as its encoder really sends it, 0 unknown
                                  * (set by the caller) */
  gint64 probe_until_ms;         /* a probe clean until then steps up */
} LxLayerChooser;

/* Loss fractions that decide. */
#define LX_LAYER_DOWN_LOSS 0.10  /* above (behind a queue, or with no queue figure): congestion */
#define LX_LAYER_UP_LOSS 0.02    /* below, with no queue figure: clean enough to probe */
#define LX_LAYER_PAUSE_LOSS 0.30 /* above, on the cheapest layer, twice in a row: pause video */
/* Queueing delays that decide (a modem's buffer drops packets past 100–500 ms). */
#define LX_LAYER_DOWN_QUEUE_MS 60 /* at least, growing 3 reports running or with loss: congestion */
#define LX_LAYER_PROBE_QUEUE_MS 15 /* at least, once while probing: the layer above does not fit */
#define LX_LAYER_CLEAN_QUEUE_MS 15 /* below: clean enough to probe */
/* A long queue while the link delivers less than this share of what the layer sends: its
 * capacity fell, and the modem's buffer will overflow within the next report. */
#define LX_LAYER_COLLAPSE_PERCENT 60
/* A probe ramps up to its rate over 1.5 s at least, 400 kbit/s a second at most (a link that
 * cannot carry it shows a queue growing slowly, reported before the modem's buffer overflows and
 * drops the lesson's own packets) — slower above what the link has carried on a long route
 * (LxProbeRamp) — then holds it for a second, and a round trip more: the reports of
 * its last moments come back that much later. */
#define LX_PROBE_RAMP_MS 1500
#define LX_PROBE_RAMP_KBPS_PER_S 400
#define LX_PROBE_HOLD_MS 1000

/* What @ramp sends @elapsed_ms after the probe began, in kbit/s. */
gint lx_probe_ramp_kbps (const LxProbeRamp *ramp, gint64 elapsed_ms);
/* How long @ramp takes to reach its rate. */
gint64 lx_probe_ramp_ms (const LxProbeRamp *ramp);

void lx_layer_chooser_init (LxLayerChooser *chooser, const LxLayerSpec *layers, guint n_layers,
                            guint min_layer, gboolean adapt, gint64 now_ms);

/* Feeds one report. Returns TRUE if the layer changed (read chooser->layer); chooser->probe
 * says whether to probe, and how much, from now on. */
gboolean lx_layer_chooser_report (LxLayerChooser *chooser, const LxLinkReport *report,
                                  gint64 now_ms);

/* The media starts flowing: the first keyframe's burst (and its repair) decides nothing. */
void lx_layer_chooser_connected (LxLayerChooser *chooser, gint64 now_ms);

gboolean lx_layer_chooser_paused (const LxLayerChooser *chooser);

/* What sending @layer costs on the link, in kbit/s: its video (as configured, or as sent when its
 * encoder sends more) with RTP and repair overhead and the FEC added now, and the sound. */
gint lx_layer_chooser_link_kbps (const LxLayerChooser *chooser, guint layer);
/* TRUE if far less arrived (@report) than @layer's video as its encoder sends it (its label
 * until measured) costs on the link: the link's capacity fell under it (with a long queue, its
 * buffer overflows within the next report). */
gboolean lx_layer_chooser_far_less_arrived (const LxLayerChooser *chooser,
                                            const LxLinkReport *report, guint layer);
/* TRUE if @report's loss is the link's capacity, not chance: behind a queue, more than chance ever
 * takes, or while far less arrived than the current layer costs (a link overflowing before its
 * queue is measured: a lesson's first second). */
gboolean lx_layer_chooser_loss_is_capacity (const LxLayerChooser *chooser,
                                            const LxLinkReport *report);

G_END_DECLS
