/* Layer choice from link reports (see lx-layer-chooser.h). */
#include "lx-layer-chooser.h"

#define FIRST_HOLD_MS 4000 /* a clean link waits this long before probing */
/* After a probe passed the link has shown more room: the next layer's probe follows soon. */
#define PASSED_HOLD_MS 2000
/* Each failed probe doubles the hold, up to this: a probe that fails costs a moment's queue, so a
 * line that grows again (a school's office goes home) is found within seconds. */
#define LONGEST_HOLD_MS 16000
/* Resuming paused video cannot be probed (nothing is sent to repeat): it is a real try, which
 * costs the sound a few seconds on a dead link, so failed tries wait up to a minute. */
#define LONGEST_RESUME_HOLD_MS 64000
#define FAILED_UP_WINDOW_MS 6000 /* stepping down this soon after stepping up: the step up failed */
/* After a change (or a failed probe), the next report still measures the old sending rate (and
 * the queue it filled): it decides nothing. */
#define SETTLE_MS 1500
#define CONNECT_SETTLE_MS 2000 /* the first keyframe's burst, and its repair, decide nothing */
/* After a step down the modem's buffer drains and the old layer's repairs finish first. */
#define DOWN_SETTLE_MS 2500
/* What a layer costs on the link beyond its video bitrate: the packets' headers (RTP, SRTP, UDP,
 * IP: 5 % of 1200-byte packets), the FEC added now, and the sound. */
#define OVERHEAD_PERCENT 105
#define AUDIO_KBPS 64
/* Of what a congested link delivered, the share a layer may take (the queue must drain). */
#define CARRY_PERCENT 90
/* A probe shows room for the layer above and this much more (x264 overshoots its target for
 * moments, and a link just big enough keeps a queue): a layer takes at most ~95 % of what its
 * probe proved, as one chosen after congestion takes at most CARRY_PERCENT of what arrived. */
#define PROBE_HEADROOM_PERCENT 105
/* A queue this long restarts the hold; shorter ones are a line's jitter (a delay line, Wi-Fi). */
#define HOLD_QUEUE_MS 30

void
lx_layer_chooser_init (LxLayerChooser *chooser, const LxLayerSpec *layers, guint n_layers,
                       guint min_layer, gboolean adapt, gint64 now_ms)
{
  *chooser = (LxLayerChooser){ 0 };
  chooser->n_layers = n_layers;
  chooser->layers = layers;
  chooser->min_layer = MIN (min_layer, n_layers - 1);
  chooser->layer = chooser->min_layer;
  chooser->adapt = adapt;
  chooser->hold_ms = FIRST_HOLD_MS;
  chooser->hold_until_ms = now_ms + FIRST_HOLD_MS;
  chooser->last_up_ms = -1;
  chooser->settle_until_ms = now_ms + SETTLE_MS;
}

void
lx_layer_chooser_connected (LxLayerChooser *chooser, gint64 now_ms)
{
  chooser->settle_until_ms = MAX (chooser->settle_until_ms, now_ms + CONNECT_SETTLE_MS);
  chooser->hold_until_ms = MAX (chooser->hold_until_ms, now_ms + chooser->hold_ms);
}

/* What @video_kbps of video costs on the link, with its overhead and the sound. */
static gint
on_the_link_kbps (const LxLayerChooser *chooser, gint video_kbps)
{
  return video_kbps * (OVERHEAD_PERCENT + chooser->fec_percent) / 100 + AUDIO_KBPS;
}

gint
lx_layer_chooser_link_kbps (const LxLayerChooser *chooser, guint layer)
{
  if (layer >= chooser->n_layers)
    return AUDIO_KBPS;
  return on_the_link_kbps (chooser, MAX (chooser->layers[layer].kbps, chooser->sent_kbps[layer]));
}

gboolean
lx_layer_chooser_far_less_arrived (const LxLayerChooser *chooser, const LxLinkReport *report,
                                   guint layer)
{
  gint sending_kbps = AUDIO_KBPS;

  /* (what the encoder really sends: a calm picture sends far less than its label) */
  if (layer < chooser->n_layers)
    sending_kbps =
        on_the_link_kbps (chooser, chooser->sent_kbps[layer] ? chooser->sent_kbps[layer]
                                                             : chooser->layers[layer].kbps);
  return report->arrived_kbps * 100 < sending_kbps * LX_LAYER_COLLAPSE_PERCENT;
}

gboolean
lx_layer_chooser_loss_is_capacity (const LxLayerChooser *chooser, const LxLinkReport *report)
{
  return report->queue_ms >= LX_LAYER_PROBE_QUEUE_MS || report->loss > LX_LAYER_PAUSE_LOSS ||
         (report->arrived_kbps > 0 &&
          lx_layer_chooser_far_less_arrived (chooser, report, chooser->layer));
}

gboolean
lx_layer_chooser_paused (const LxLayerChooser *chooser)
{
  return chooser->layer >= chooser->n_layers;
}

static void
changed (LxLayerChooser *chooser, guint layer, gint64 now_ms)
{
  chooser->layer = layer;
  chooser->heavy_reports = 0;
  chooser->queued_reports = 0;
  chooser->probe.kbps = 0;
  chooser->settle_until_ms = now_ms + SETTLE_MS;
}

/* The layer above (or resuming video) was too much for this link: wait longer before trying it
 * again. */
static void
up_failed (LxLayerChooser *chooser, gint64 now_ms, gint64 longest_ms)
{
  chooser->hold_ms = MIN (chooser->hold_ms * 2, longest_ms);
  chooser->hold_until_ms = now_ms + chooser->hold_ms;
}

static void
step_down (LxLayerChooser *chooser, guint layer, gint64 now_ms)
{
  if (chooser->last_up_ms >= 0 && now_ms - chooser->last_up_ms < FAILED_UP_WINDOW_MS)
    up_failed (chooser, now_ms,
               layer >= chooser->n_layers ? LONGEST_RESUME_HOLD_MS : LONGEST_HOLD_MS);
  changed (chooser, layer, now_ms);
  chooser->settle_until_ms = now_ms + DOWN_SETTLE_MS;
  chooser->hold_until_ms = MAX (chooser->hold_until_ms, now_ms + chooser->hold_ms);
}

static void
step_up (LxLayerChooser *chooser, guint layer, gint64 now_ms)
{
  changed (chooser, layer, now_ms);
  chooser->last_up_ms = now_ms;
  chooser->hold_until_ms = now_ms + chooser->hold_ms;
}

/* Where a congested link sends the classroom: the largest layer that what arrived can carry, at
 * least one step down (n_layers: not even the cheapest). Without a figure, one step. */
static guint
layer_carried (const LxLayerChooser *chooser, gint arrived_kbps)
{
  guint layer = chooser->layer + 1;

  if (arrived_kbps <= 0)
    return layer;
  while (layer < chooser->n_layers &&
         lx_layer_chooser_link_kbps (chooser, layer) > arrived_kbps * CARRY_PERCENT / 100)
    layer++;
  return layer;
}

/* Whether the report carries the classroom's own queue figure (every lianxiao-receiver's does; a
 * WHEP player's RTCP does not): then loss without a queue is chance, which repair mends, and only
 * a queue says the link is full. */
static gboolean
knows_queue (const LxLinkReport *report)
{
  return report->arrived_kbps > 0;
}

/* Loss that, with what the report says of the queue, means the link is full. */
static gboolean
congestion_loss (const LxLinkReport *report, gint queue_ms)
{
  if (!knows_queue (report))
    return report->loss > LX_LAYER_DOWN_LOSS;
  return (report->loss > LX_LAYER_DOWN_LOSS && queue_ms >= LX_LAYER_PROBE_QUEUE_MS) ||
         report->loss > LX_LAYER_PAUSE_LOSS;
}

/* The queue a report shows beyond the delay the link keeps without growing or losing packets: a
 * route that got longer (or a delay line added mid-lesson) reads as a queue at first; once it has
 * stayed put for three reports it is the line's own. */
#define QUEUE_GROWTH_MS 10
#define STEADY_REPORTS 3

static gint
queue_beyond_standing (LxLayerChooser *chooser, const LxLinkReport *report)
{
  gboolean steady = report->loss < LX_LAYER_UP_LOSS &&
                    ABS (report->queue_ms - chooser->last_queue_ms) < QUEUE_GROWTH_MS;

  chooser->steady_reports = steady ? chooser->steady_reports + 1 : 0;
  chooser->last_queue_ms = report->queue_ms;
  if (report->queue_ms < chooser->standing_queue_ms || chooser->steady_reports >= STEADY_REPORTS)
    chooser->standing_queue_ms = report->queue_ms;
  return MAX (report->queue_ms - chooser->standing_queue_ms, 0);
}

/* While probing: the link stayed clean under the extra sending until the probe's end (step up),
 * or it did not (the probe stops; the link settles before the next report counts). */
static gboolean
judge_probe (LxLayerChooser *chooser, const LxLinkReport *report, gint64 now_ms)
{
  gdouble tolerated = knows_queue (report) ? LX_LAYER_DOWN_LOSS : LX_LAYER_UP_LOSS;
  gint grown = report->queue_ms - chooser->probe_start_queue_ms;

  /* The first queue reported under the probe is the link's answer: by then the probe has gone on
   * for a round trip more, and on a long route a second report would come after the modem's
   * buffer overflowed (frames late behind the probe, packets lost: a freeze). On a steady line the
   * queue reads 0–2 ms. */
  if (report->loss > tolerated || grown >= LX_LAYER_PROBE_QUEUE_MS) {
    chooser->probe.kbps = 0;
    chooser->settle_until_ms = now_ms + SETTLE_MS;
    up_failed (chooser, now_ms, LONGEST_HOLD_MS);
    return FALSE;
  }
  if (now_ms < chooser->probe_until_ms + chooser->rtt_ms)
    return FALSE;
  /* The link carries more than it did: the next probe need not wait long. */
  chooser->probes_passed++;
  step_up (chooser, chooser->layer - 1, now_ms);
  chooser->hold_ms = FIRST_HOLD_MS;
  chooser->hold_until_ms = now_ms + PASSED_HOLD_MS;
  return TRUE;
}

/* How long the quick part of @ramp takes. */
static gint64
quick_part_ms (const LxProbeRamp *ramp)
{
  return (gint64) ramp->quick_kbps * 1000 / LX_PROBE_RAMP_KBPS_PER_S;
}

gint
lx_probe_ramp_kbps (const LxProbeRamp *ramp, gint64 elapsed_ms)
{
  gint64 quick_ms = quick_part_ms (ramp);
  gint64 staged;

  elapsed_ms = MAX (elapsed_ms, 0);
  staged = elapsed_ms <= quick_ms
               ? LX_PROBE_RAMP_KBPS_PER_S * elapsed_ms / 1000
               : ramp->quick_kbps + ramp->slow_per_s * (elapsed_ms - quick_ms) / 1000;
  return (gint) MIN (
      MIN (staged, ramp->kbps * MIN (elapsed_ms, LX_PROBE_RAMP_MS) / LX_PROBE_RAMP_MS), ramp->kbps);
}

gint64
lx_probe_ramp_ms (const LxProbeRamp *ramp)
{
  gint64 quick_ms = quick_part_ms (ramp);
  gint64 staged_ms =
      ramp->kbps <= ramp->quick_kbps
          ? (gint64) ramp->kbps * 1000 / LX_PROBE_RAMP_KBPS_PER_S
          : quick_ms + (gint64) (ramp->kbps - ramp->quick_kbps) * 1000 / MAX (ramp->slow_per_s, 1);

  return MAX (LX_PROBE_RAMP_MS, staged_ms);
}

/* Above what the link has carried, a probe that overfills it builds a queue of s·t²/2c (s its
 * rise in kbit/s a second, c the link's kbit/s); the first report of its 15 ms comes a round trip
 * and the meter's window (~50 ms) later, L in all, and the probe stops then. For that queue to stay
 * under ~50 ms, half a modem's smallest buffer: s ≤ 0.02·c/L² — 400 kbit/s a second up to ~170
 * ms of round trip on a 1 Mbit/s link, 160 at 300 ms. */
#define SLOW_RAMP_FLOOR_KBPS_PER_S 50

static gint
slow_ramp_per_s (const LxLayerChooser *chooser, gint carried_kbps)
{
  gint64 reach_ms = chooser->rtt_ms + 50;

  return (gint) CLAMP ((gint64) carried_kbps * 20000 / (reach_ms * reach_ms),
                       SLOW_RAMP_FLOOR_KBPS_PER_S, LX_PROBE_RAMP_KBPS_PER_S);
}

/* Sends the layer above's extra: quickly up to what the link has delivered before (its capacity
 * then: a probe there rarely fills it), then at the pace a report can still stop. */
static void
start_probe (LxLayerChooser *chooser, const LxLinkReport *report, gint64 now_ms)
{
  gint sending = lx_layer_chooser_link_kbps (chooser, chooser->layer);
  gint carried = MAX (chooser->carried_kbps, sending);

  chooser->probe.kbps =
      lx_layer_chooser_link_kbps (chooser, chooser->layer - 1) * PROBE_HEADROOM_PERCENT / 100 -
      sending;
  chooser->probe.quick_kbps = carried - sending;
  chooser->probe.slow_per_s = slow_ramp_per_s (chooser, carried);
  chooser->probe_start_queue_ms = report->queue_ms;
  chooser->probes++;
  chooser->probe_until_ms = now_ms + lx_probe_ramp_ms (&chooser->probe) + LX_PROBE_HOLD_MS;
}

gboolean
lx_layer_chooser_report (LxLayerChooser *chooser, const LxLinkReport *report, gint64 now_ms)
{
  guint cheapest = chooser->n_layers - 1;
  gboolean queued, low_loss, clean, calm, collapsed, congested;
  gint queue_ms;

  /* (even while settling: a congested link delivers its capacity) */
  chooser->carried_kbps = MAX (chooser->carried_kbps, report->arrived_kbps);
  if (!chooser->adapt || now_ms < chooser->settle_until_ms)
    return FALSE;
  queue_ms = queue_beyond_standing (chooser, report);
  queued = queue_ms >= LX_LAYER_DOWN_QUEUE_MS;
  low_loss = report->loss < (knows_queue (report) ? LX_LAYER_DOWN_LOSS : LX_LAYER_UP_LOSS);
  clean = low_loss && queue_ms < LX_LAYER_CLEAN_QUEUE_MS;
  calm = low_loss && queue_ms < HOLD_QUEUE_MS;
  /* (a keyframe's burst queues too, but the link then delivers all it can) */
  collapsed = queued && knows_queue (report) &&
              lx_layer_chooser_far_less_arrived (chooser, report, chooser->layer);
  chooser->heavy_reports = report->loss > LX_LAYER_PAUSE_LOSS ? chooser->heavy_reports + 1 : 0;
  /* (a long queue that stays put, without loss, is being taken for the line's own) */
  chooser->queued_reports =
      queued && chooser->steady_reports == 0 ? chooser->queued_reports + 1 : 0;
  /* A long queue is congestion when it stays growing (a keyframe's burst drains) or comes with
   * loss. */
  congested = congestion_loss (report, queue_ms) || collapsed ||
              (queued && (chooser->queued_reports >= 3 || report->loss >= LX_LAYER_UP_LOSS));

  if (lx_layer_chooser_paused (chooser)) {
    /* Paused video sends nothing to measure; audio's loss still tells a dead link from a
     * recovered one. */
    if (!congested && now_ms >= chooser->hold_until_ms) {
      step_up (chooser, cheapest, now_ms);
      return TRUE;
    }
    return FALSE;
  }
  if (chooser->probe.kbps > 0)
    return judge_probe (chooser, report, now_ms);
  /* The hold is time spent calm: a report with loss or a long queue starts it again. */
  if (!calm)
    chooser->hold_until_ms = MAX (chooser->hold_until_ms, now_ms + chooser->hold_ms);
  if (congested) {
    if (chooser->layer < cheapest) {
      step_down (chooser, MIN (layer_carried (chooser, report->arrived_kbps), cheapest), now_ms);
      return TRUE;
    }
    if (chooser->heavy_reports >= 2) {
      step_down (chooser, chooser->n_layers, now_ms);
      return TRUE;
    }
    return FALSE;
  }
  if (clean && chooser->layer > chooser->min_layer && now_ms >= chooser->hold_until_ms) {
    /* Never switch up to find out: send the layer above's extra for a while first. */
    start_probe (chooser, report, now_ms);
    return FALSE;
  }
  /* A link that stays clean on its layer earns back quick probes, slowly. */
  if (clean && chooser->last_up_ms >= 0 &&
      now_ms - chooser->last_up_ms > 4 * LONGEST_RESUME_HOLD_MS)
    chooser->hold_ms = FIRST_HOLD_MS;
  return FALSE;
}
