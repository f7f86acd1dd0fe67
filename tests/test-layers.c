/* Quality layers without a network: the layer lists from configuration, and the per-classroom
 * layer choice driven by made-up links (link reports as a classroom would send them: loss, the
 * queue, what arrived). */
#include "lx-bitrate-meter.h"
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

static const LxLayerSpec layers[] = { { 1280, 720, 2500 }, { 640, 360, 800 }, { 320, 180, 250 } };

/* A link that carries @capacity_kbps behind a modem's 100 ms buffer and loses @random_loss of
 * packets anyway: what a classroom sending what @chooser says (its layer and any probe) would
 * report after a second of it. Too much for the link: the buffer stands full and drops the
 * excess; the rest arrives. */
static LxLinkReport
link_report (const LxLayerChooser *chooser, gint capacity_kbps, gdouble random_loss)
{
  gint offered = lx_layer_chooser_link_kbps (chooser, chooser->layer) + chooser->probe.kbps;
  LxLinkReport report = { random_loss, 0, offered };

  if (offered > capacity_kbps) {
    report.loss = MIN (1.0, 1.0 - (gdouble) capacity_kbps / offered + random_loss);
    report.queue_ms = 100;
    report.arrived_kbps = capacity_kbps;
  }
  return report;
}

typedef struct {
  guint seconds_on[4]; /* per layer (index 3: paused) */
  guint ups, downs;    /* layer changes */
  guint probes;        /* probes started */
} LinkRun;

/* Runs @chooser for @seconds on a link, one report a second. */
static void
run_link (LxLayerChooser *chooser, gint64 *now_ms, guint seconds, gint capacity_kbps,
          gdouble random_loss, LinkRun *run)
{
  for (guint i = 0; i < seconds; i++) {
    LxLinkReport report = link_report (chooser, capacity_kbps, random_loss);
    guint before = chooser->layer;
    gboolean probing = chooser->probe.kbps > 0;

    *now_ms += 1000;
    lx_layer_chooser_report (chooser, &report, *now_ms);
    run->ups += chooser->layer < before;
    run->downs += chooser->layer > before;
    run->probes += !probing && chooser->probe.kbps > 0;
    run->seconds_on[MIN (chooser->layer, 3)]++;
  }
}

static void
test_random_loss_keeps_the_layer (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  /* 5 % random loss on a fat link, no queue: retransmission's business, not a reason to step
   * down. */
  run_link (&chooser, &now, 120, 100000, 0.05, &run);
  g_assert_cmpuint (run.seconds_on[0], ==, 120);
}

static void
test_thin_link_settles_low (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  /* 600 kbit/s: the top layer is far too much, the middle one too. What arrived (600) carries
   * only the cheapest: straight there, not a step at a time. */
  run_link (&chooser, &now, 2, 600, 0.0, &run);
  g_assert_cmpuint (chooser.layer, ==, 2);
  g_assert_cmpuint (run.downs, ==, 1);
  /* Then it probes for the middle layer now and then, less and less often, and never switches up
   * to find out: the probes fail. */
  memset (&run, 0, sizeof (run));
  run_link (&chooser, &now, 300, 600, 0.0, &run);
  g_assert_cmpuint (run.seconds_on[2], ==, 300);
  g_assert_cmpuint (run.ups, ==, 0);
  g_assert_cmpuint (run.probes, >=, 10);
  g_assert_cmpuint (run.probes, <=, 22); /* after 4, 8, 16, 16, ... s */

  /* The link recovers: back to the top, a probed step at a time. */
  memset (&run, 0, sizeof (run));
  run_link (&chooser, &now, 200, 100000, 0.0, &run);
  g_assert_cmpuint (chooser.layer, ==, 0);
  g_assert_cmpuint (run.ups, ==, 2);
  g_assert_cmpuint (run.downs, ==, 0);
}

static void
test_highest_layer_that_fits (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  /* 1000 kbit/s: the middle layer (904 with its headers and sound) fits, the top one does not. */
  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  run_link (&chooser, &now, 60, 1000, 0.0, &run);
  g_assert_cmpuint (chooser.layer, ==, 1);
  /* Settled there: the probes for the top layer fail, the layer stays. */
  memset (&run, 0, sizeof (run));
  run_link (&chooser, &now, 200, 1000, 0.0, &run);
  g_assert_cmpuint (run.seconds_on[1], ==, 200);
  g_assert_cmpuint (run.probes, >=, 2);
}

/* A layer's encoder sends more than its label (x264 overshoots on motion): the chooser counts what
 * it sends. 1000 kbit/s carries the middle layer as labelled (904 with headers and sound), not at
 * 900 kbit/s of video (1009): its probes fail and the classroom stays on the cheapest. */
static void
test_layer_as_sent (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  chooser.sent_kbps[1] = 900;
  g_assert_cmpint (lx_layer_chooser_link_kbps (&chooser, 1), ==, 900 * 105 / 100 + 64);
  run_link (&chooser, &now, 200, 1000, 0.0, &run);
  g_assert_cmpuint (chooser.layer, ==, 2);
  g_assert_cmpuint (run.seconds_on[1], ==, 0);
  /* Less than its label counts as the label: the picture may get busy again. */
  chooser.sent_kbps[1] = 300;
  g_assert_cmpint (lx_layer_chooser_link_kbps (&chooser, 1), ==, 800 * 105 / 100 + 64);
}

/* Seconds from the start of a fat link until the chooser, started on the cheapest layer, steps up
 * to the middle one, with a round trip of @rtt_ms (the link has carried far more before: its
 * probes rise quickly). */
static guint
seconds_to_step_up (gint rtt_ms)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };
  guint seconds = 0;

  lx_layer_chooser_init (&chooser, layers, 3, 2, TRUE, now);
  chooser.min_layer = 0;
  chooser.rtt_ms = rtt_ms;
  chooser.carried_kbps = 100000;
  while (chooser.layer == 2 && seconds < 60) {
    run_link (&chooser, &now, 1, 100000, 0.0, &run);
    seconds++;
  }
  return seconds;
}

/* The reports of a probe's last moments come back a round trip after them: the verdict waits for
 * them (on a long route a probe that overfills the link shows its queue only then). */
static void
test_probe_verdict_waits_a_round_trip (void)
{
  guint direct = seconds_to_step_up (0);

  g_assert_cmpuint (direct, <, 60);
  /* (one report a second: 1.5 s later is one or two reports later) */
  g_assert_cmpuint (seconds_to_step_up (1500), >=, direct + 1);
  g_assert_cmpuint (seconds_to_step_up (1500), <=, direct + 2);
}

/* A probe stops at the first report of a queue growing under it (a second report, a round trip
 * later on a long route, would come after the modem's buffer overflowed). */
static void
test_probe_stops_at_the_first_queue (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };
  LxLinkReport queued = { 0.0, 20, 900 };

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  chooser.layer = 1;
  while (chooser.probe.kbps == 0 && now < 60000)
    run_link (&chooser, &now, 1, 100000, 0.0, &run);
  g_assert_cmpint (chooser.probe.kbps, >, 0);
  now += 250;
  lx_layer_chooser_report (&chooser, &queued, now);
  g_assert_cmpint (chooser.probe.kbps, ==, 0);
  g_assert_cmpuint (chooser.layer, ==, 1);
}

/* FEC answers chance, not a full link: loss behind a queue, beyond chance, or with far less
 * arriving than the layer costs (a lesson's first second on a thin link, before any queue is
 * measured) is capacity; random loss, even heavy and with FEC on, is not. */
static void
test_loss_is_capacity (void)
{
  LxLayerChooser chooser;
  LxLinkReport first_second = { 0.243, 0, 370 }, queued = { 0.05, 20, 2600 };
  LxLinkReport chance = { 0.05, 0, 2600 }, heavy_chance = { 0.2, 0, 0 };

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, 0);
  g_assert_true (lx_layer_chooser_loss_is_capacity (&chooser, &first_second));
  g_assert_true (lx_layer_chooser_loss_is_capacity (&chooser, &queued));
  g_assert_false (lx_layer_chooser_loss_is_capacity (&chooser, &chance));
  chooser.fec_percent = 40;
  heavy_chance.arrived_kbps = lx_layer_chooser_link_kbps (&chooser, 0) * 8 / 10;
  g_assert_false (lx_layer_chooser_loss_is_capacity (&chooser, &heavy_chance));
  /* a calm picture sends far less than its label, and chance takes a fifth of that */
  chooser.sent_kbps[0] = 1500;
  heavy_chance.arrived_kbps = (1500 * (105 + 40) / 100 + 64) * 8 / 10;
  g_assert_false (lx_layer_chooser_loss_is_capacity (&chooser, &heavy_chance));
  heavy_chance.loss = 0.35;
  g_assert_true (lx_layer_chooser_loss_is_capacity (&chooser, &heavy_chance));
}

/* A probe rises quickly up to what the link has carried, then at its slow pace, and takes as long
 * as both parts need (1.5 s at least). */
static void
test_probe_ramp (void)
{
  LxProbeRamp ramp = { 1000, 400, 100 };

  g_assert_cmpint (lx_probe_ramp_kbps (&ramp, 0), ==, 0);
  g_assert_cmpint (lx_probe_ramp_kbps (&ramp, 1000), ==, 400);
  g_assert_cmpint (lx_probe_ramp_kbps (&ramp, 2000), ==, 500);
  g_assert_cmpint (lx_probe_ramp_kbps (&ramp, 7000), ==, 1000);
  g_assert_cmpint (lx_probe_ramp_kbps (&ramp, 60000), ==, 1000);
  g_assert_cmpint (lx_probe_ramp_ms (&ramp), ==, 7000);
  /* a small probe still takes 1.5 s */
  ramp = (LxProbeRamp){ 100, 400, 100 };
  g_assert_cmpint (lx_probe_ramp_kbps (&ramp, 750), ==, 50);
  g_assert_cmpint (lx_probe_ramp_ms (&ramp), ==, LX_PROBE_RAMP_MS);
}

/* The probe a 1000 kbit/s link with @rtt_ms of round trip gets on 360p, having carried 1000
 * kbit/s before: how it rises (every queue report clean). */
static LxProbeRamp
probe_on_thin_link (gint rtt_ms)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LxLinkReport clean = { 0.0, 0, 1000 };

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  chooser.layer = 1;
  chooser.rtt_ms = rtt_ms;
  while (chooser.probe.kbps == 0 && now < 60000) {
    now += 1000;
    lx_layer_chooser_report (&chooser, &clean, now);
  }
  g_assert_cmpint (chooser.probe.kbps, >, 0);
  return chooser.probe;
}

/* On a long route the link's answer to a probe comes a round trip late: above what the link has
 * carried the probe rises so slowly that the queue it builds meanwhile stays under half a modem's
 * 100 ms buffer. Simulated in 10 ms steps: the sender sends the layer and the probe into a 1000
 * kbit/s bottleneck; the classroom sees its queue half a round trip later and reports it once it
 * reaches 15 ms, which the sender hears half a round trip after that and stops. */
static void
test_long_route_probe_keeps_the_buffer (void)
{
  const gint capacity = 1000, one_way_ms = 150, step_ms = 10;
  LxLayerChooser chooser;
  gdouble queue_at[1000] = { 0 }; /* the bottleneck's queue (ms) at each step */
  gdouble queue = 0, peak = 0;
  gint64 now = 0, stop_at = -1;
  LxLinkReport clean = { 0.0, 0, capacity };
  LxProbeRamp quick = probe_on_thin_link (50);
  gint layer_kbps;

  /* a short route keeps the quick ramp all the way */
  g_assert_cmpint (quick.slow_per_s, ==, LX_PROBE_RAMP_KBPS_PER_S);

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  chooser.layer = 1;
  chooser.rtt_ms = 2 * one_way_ms;
  while (chooser.probe.kbps == 0 && now < 60000) {
    now += 1000;
    lx_layer_chooser_report (&chooser, &clean, now);
  }
  g_assert_cmpint (chooser.probe.kbps, >, 0);
  g_assert_cmpint (chooser.probe.slow_per_s, <, LX_PROBE_RAMP_KBPS_PER_S);
  layer_kbps = lx_layer_chooser_link_kbps (&chooser, chooser.layer);
  for (gint i = 0; i < (gint) G_N_ELEMENTS (queue_at); i++) {
    gint probe = chooser.probe.kbps > 0 ? lx_probe_ramp_kbps (&chooser.probe, i * step_ms) : 0;
    gint seen = i - (one_way_ms + one_way_ms) / step_ms; /* the step whose queue it reports */

    queue = MAX (queue + (gdouble) (layer_kbps + probe - capacity) / capacity * step_ms, 0);
    queue_at[i] = queue;
    peak = MAX (peak, queue);
    if (chooser.probe.kbps > 0 && seen >= 0 && queue_at[seen] >= LX_LAYER_PROBE_QUEUE_MS) {
      LxLinkReport alarm = { 0.0, (gint) queue_at[seen], capacity };
      lx_layer_chooser_report (&chooser, &alarm, now + i * step_ms);
      stop_at = i;
    }
  }
  g_test_message ("probe stopped after %" G_GINT64_FORMAT " ms; the queue peaked at %.0f ms",
                  stop_at * step_ms, peak);
  g_assert_cmpint (stop_at, >, 0);
  g_assert_cmpint (chooser.probe.kbps, ==, 0);
  g_assert_cmpuint (chooser.layer, ==, 1);
  g_assert_cmpfloat (peak, <, 50);
}

/* The encoder's real bitrate, from the buffers leaving its pad. */
static GstFlowReturn
accept_buffer (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  gst_buffer_unref (buffer);
  return GST_FLOW_OK;
}

static void
test_bitrate_meter (void)
{
  GstPad *src = gst_pad_new ("src", GST_PAD_SRC);
  GstPad *sink = gst_pad_new ("sink", GST_PAD_SINK);
  gint64 start = 1000 * G_USEC_PER_SEC;
  LxBitrateMeter *meter;

  gst_pad_set_chain_function (sink, accept_buffer);
  gst_pad_set_active (src, TRUE);
  gst_pad_set_active (sink, TRUE);
  g_assert_cmpint (gst_pad_link (src, sink), ==, GST_PAD_LINK_OK);
  gst_pad_push_event (src, gst_event_new_stream_start ("meter"));
  gst_pad_push_event (src, gst_event_new_caps (gst_caps_new_empty_simple ("video/x-h264")));
  {
    GstSegment segment;
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (src, gst_event_new_segment (&segment));
  }
  meter = lx_bitrate_meter_new (src);
  g_assert_cmpint (lx_bitrate_meter_read_kbps (meter, start), ==, 0);
  /* 125 000 bytes in a second: 1000 kbit/s; too short a time measured says nothing yet. */
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (gst_pad_push (src, gst_buffer_new_allocate (NULL, 1250, NULL)), ==,
                     GST_FLOW_OK);
  g_assert_cmpint (lx_bitrate_meter_read_kbps (meter, start + G_USEC_PER_SEC / 2), ==, 0);
  g_assert_cmpint (lx_bitrate_meter_read_kbps (meter, start + G_USEC_PER_SEC), ==, 1000);
  /* A quiet stretch: the rate falls as the window moves on, to nothing once it has passed. */
  g_assert_cmpint (lx_bitrate_meter_read_kbps (meter, start + 2 * G_USEC_PER_SEC), ==, 500);
  for (gint64 t = 2500; t <= 10000; t += 500)
    lx_bitrate_meter_read_kbps (meter, start + t * 1000);
  g_assert_cmpint (lx_bitrate_meter_read_kbps (meter, start + 10 * G_USEC_PER_SEC), ==, 0);
  lx_bitrate_meter_free (meter);
  gst_object_unref (src);
  gst_object_unref (sink);
}

static void
test_capacity_drop (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  run_link (&chooser, &now, 20, 3000, 0.0, &run);
  g_assert_cmpuint (run.seconds_on[0], ==, 20);
  /* 3000 → 800 kbit/s: the cheapest layer at the first report that sees it. */
  run_link (&chooser, &now, 1, 800, 0.0, &run);
  g_assert_cmpuint (chooser.layer, ==, 2);
  run_link (&chooser, &now, 10, 800, 0.0, &run);
  /* Back to 3000: probed back up to the top. */
  memset (&run, 0, sizeof (run));
  run_link (&chooser, &now, 40, 3000, 0.0, &run);
  g_assert_cmpuint (chooser.layer, ==, 0);
  g_assert_cmpuint (run.downs, ==, 0);
}

/* The capacity falls under the top layer: the first report sees a long queue before the modem's
 * buffer has dropped anything, and what arrived is far less than what is sent — straight down to
 * what it carries, without waiting for the loss. A keyframe's burst queues as long, but the link
 * then delivers all it can: no change. */
static void
test_capacity_falls_before_any_loss (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };
  LxLinkReport burst = { 0.0, 146, 2800 }, fallen = { 0.0, 146, 680 };

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  run_link (&chooser, &now, 20, 3000, 0.0, &run);
  now += 250;
  g_assert_false (lx_layer_chooser_report (&chooser, &burst, now));
  g_assert_cmpuint (chooser.layer, ==, 0);
  now += 250;
  g_assert_true (lx_layer_chooser_report (&chooser, &fallen, now));
  g_assert_cmpuint (chooser.layer, ==, 2);
}

/* A line whose delay jitters by 22 ms (a delay line, Wi-Fi) without loss is calm: its
 * reports do not restart the hold, and the probe for the layer above comes when the hold ends. */
static void
test_jittery_line_still_probes (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  gint64 first_probe_ms = -1;

  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  chooser.layer = 2;
  for (guint i = 0; i < 40 && first_probe_ms < 0; i++) {
    LxLinkReport report = { 0.0, (gint) (i % 2) * 22, 400 };
    now += 250;
    lx_layer_chooser_report (&chooser, &report, now);
    if (chooser.probe.kbps > 0)
      first_probe_ms = now;
  }
  g_assert_cmpint (first_probe_ms, >, 0);
  g_assert_cmpint (first_probe_ms, <=, 6000);
}

static void
test_flaky_link_stays_low (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  /* Loss every few seconds (a link that stalls now and then), as a classroom without a queue
   * figure reports it (a WHEP player's RTCP): the clean seconds between never add up to the hold,
   * so the classroom stays on the layer it started on, without probing. */
  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  chooser.layer = 2;
  for (guint i = 0; i < 120; i++) {
    LxLinkReport report = { i % 3 == 2 ? 0.05 : 0.0, 0, 0 };
    now += 1000;
    lx_layer_chooser_report (&chooser, &report, now);
    g_assert_cmpint (chooser.probe.kbps, ==, 0);
    run.seconds_on[MIN (chooser.layer, 3)]++;
  }
  g_assert_cmpuint (run.seconds_on[2], ==, 120);
  /* Clean from now on: it probes, then steps up after each clean probe. */
  run_link (&chooser, &now, 40, 100000, 0.0, &run);
  g_assert_cmpuint (chooser.layer, ==, 0);
}

static void
test_random_loss_is_no_reason_to_stay_low (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  /* A classroom that measures its queue, on a fat link losing 8 % at random: no queue, so the
   * loss is chance — it probes and climbs back to the top, and a bad second (15 % lost, no queue)
   * does not send it down. */
  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  chooser.layer = 2;
  run_link (&chooser, &now, 40, 100000, 0.08, &run);
  g_assert_cmpuint (chooser.layer, ==, 0);
  run_link (&chooser, &now, 5, 100000, 0.15, &run);
  g_assert_cmpuint (chooser.layer, ==, 0);
  g_assert_cmpuint (run.downs, ==, 0);
}

static void
test_longer_route_is_no_queue (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  /* 75 ms more one way from one second to the next (a longer route, a satellite hop): at first
   * it reads as a queue, but it stays put and nothing is lost — the top layer stays. */
  lx_layer_chooser_init (&chooser, layers, 3, 0, TRUE, now);
  run_link (&chooser, &now, 10, 100000, 0.0, &run);
  for (guint i = 0; i < 30; i++) {
    LxLinkReport report = { 0.0, 75 + (gint) (i % 3), 2700 };
    now += 1000;
    lx_layer_chooser_report (&chooser, &report, now);
    g_assert_cmpuint (chooser.layer, ==, 0);
  }
  /* A queue growing on top of it is congestion again. */
  for (guint i = 0; i < 4; i++) {
    LxLinkReport report = { 0.0, 75 + 40 * (gint) (i + 1), 2700 };
    now += 1000;
    lx_layer_chooser_report (&chooser, &report, now);
  }
  g_assert_cmpuint (chooser.layer, >, 0);
}

static void
test_dead_link_pauses_video (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  lx_layer_chooser_init (&chooser, layers, 3, 2, TRUE, now);
  /* 200 kbit/s: not even the cheapest layer. */
  run_link (&chooser, &now, 5, 200, 0.0, &run);
  g_assert_true (lx_layer_chooser_paused (&chooser));
  /* Audio alone fits: video stays paused for a while, then is tried again, and pauses again. */
  memset (&run, 0, sizeof (run));
  run_link (&chooser, &now, 60, 200, 0.0, &run);
  g_assert_cmpuint (run.seconds_on[3], >=, 50);
  /* The link comes back: video resumes by itself. */
  run_link (&chooser, &now, 120, 1000, 0.0, &run);
  g_assert_false (lx_layer_chooser_paused (&chooser));
  g_assert_cmpuint (chooser.layer, ==, 2); /* the configured cap */
}

static void
test_fixed_layer (void)
{
  LxLayerChooser chooser;
  gint64 now = 0;
  LinkRun run = { 0 };

  lx_layer_chooser_init (&chooser, layers, 3, 1, FALSE, now);
  run_link (&chooser, &now, 30, 300, 0.0, &run);
  g_assert_cmpuint (run.seconds_on[1], ==, 30);
  g_assert_cmpuint (run.probes, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_test_add_func ("/layers/parse", test_parse_layers);
  for (guint i = 0; i < G_N_ELEMENTS (bad_layers); i++) {
    g_autofree gchar *path = g_strdup_printf ("/layers/bad/%s", bad_layers[i].name);
    g_test_add_data_func (path, &bad_layers[i], test_bad_layers);
  }
  g_test_add_func ("/layers/caps", test_parse_caps);
  g_test_add_func ("/layers/chooser/random-loss-keeps-the-layer", test_random_loss_keeps_the_layer);
  g_test_add_func ("/layers/chooser/thin-link-settles-low", test_thin_link_settles_low);
  g_test_add_func ("/layers/chooser/highest-layer-that-fits", test_highest_layer_that_fits);
  g_test_add_func ("/layers/chooser/capacity-drop", test_capacity_drop);
  g_test_add_func ("/layers/chooser/layer-as-sent", test_layer_as_sent);
  g_test_add_func ("/layers/chooser/probe-verdict-waits-a-round-trip",
                   test_probe_verdict_waits_a_round_trip);
  g_test_add_func ("/layers/chooser/probe-stops-at-the-first-queue",
                   test_probe_stops_at_the_first_queue);
  g_test_add_func ("/layers/chooser/loss-is-capacity", test_loss_is_capacity);
  g_test_add_func ("/layers/chooser/probe-ramp", test_probe_ramp);
  g_test_add_func ("/layers/chooser/long-route-probe-keeps-the-buffer",
                   test_long_route_probe_keeps_the_buffer);
  g_test_add_func ("/layers/bitrate-meter", test_bitrate_meter);
  g_test_add_func ("/layers/chooser/capacity-falls-before-any-loss",
                   test_capacity_falls_before_any_loss);
  g_test_add_func ("/layers/chooser/jittery-line-still-probes", test_jittery_line_still_probes);
  g_test_add_func ("/layers/chooser/flaky-link-stays-low", test_flaky_link_stays_low);
  g_test_add_func ("/layers/chooser/random-loss-is-no-reason-to-stay-low",
                   test_random_loss_is_no_reason_to_stay_low);
  g_test_add_func ("/layers/chooser/longer-route-is-no-queue", test_longer_route_is_no_queue);
  g_test_add_func ("/layers/chooser/dead-link-pauses-video", test_dead_link_pauses_video);
  g_test_add_func ("/layers/chooser/fixed-layer", test_fixed_layer);
  return g_test_run ();
}
