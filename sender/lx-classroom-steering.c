/* How a classroom's link is judged and followed (see lx-classroom.h): its round trip, its own link
 * reports or, without them, what its RTCP shows; from them its layer, its forward error correction
 * and how often each retransmission goes out. Main context, but for the RTCP callback, which hands
 * its findings over. */
#include "lx-classroom-private.h"

/* Forward error correction on every packet while the classroom loses some at random (and for half
 * a minute after), none otherwise: on a clean link it would only cost each classroom CPU and
 * bandwidth, and on a full one it would add to the congestion. Its
 * strength follows the loss: fec-percentage at least, twice the loss rate at most 50 % (at 20 %
 * loss one FEC packet per ten media packets mends little, and every unmended packet freezes the
 * picture until a keyframe). */
#define FEC_AFTER_LOSS_US (30 * G_USEC_PER_SEC)
#define CONGESTION_TAIL_US (5 * G_USEC_PER_SEC)
#define FEC_MOST_PERCENTAGE 50
/* Meanwhile keyframes deserve more: losing any of their dozens of packets costs every picture up
 * to the next one. */
#define KEYFRAME_FEC_PERCENTAGE 50
/* From this much loss by chance, every retransmission goes out twice. A packet is given up on when
 * the classroom's jitter buffer stops waiting (at most 400 ms), and the classroom asks again only
 * with its next RTCP packet (every ~110 ms, its RTCP budget): three or four tries. At 20 % loss
 * each try (the NACK there, the retransmission back) succeeded 64 % of the time, and 4 % of the
 * lost packets stayed lost, each freezing the picture until a keyframe (bench/run, 20 % loss row:
 * 78–177 packets in 30 s); with two copies a try succeeds 77 % of the time. The copies cost the
 * link the loss rate once more: only while the loss is chance, never capacity, and only after two
 * reports in a row (a thin link's first report can look like chance: nothing queued yet). */
#define RETRANSMIT_TWICE_PERMILLE 100
#define RETRANSMIT_TWICE_REPORTS 2

/* The classroom's loss by chance (per mille): none where the loss is the link's capacity (or
 * was, a moment ago), where repair would only add to the congestion and the layer steps down
 * instead. Notes how long the link counts as lossy. */
static gint
chance_loss_permille (LxClassroom *classroom, const LxLinkReport *report, gint64 now)
{
  gint loss_permille = (gint) (report->loss * 1000 + 0.5);

  if (lx_layer_chooser_loss_is_capacity (&classroom->chooser, report) ||
      now < classroom->congested_until_us)
    loss_permille = 0;
  if (loss_permille >= 5)
    classroom->lossy_until_us = now + FEC_AFTER_LOSS_US;
  return loss_permille;
}

static void
adapt_retransmissions (LxClassroom *classroom, gint loss_permille, gint64 now)
{
  guint current, copies;

  if (classroom->video_direct == NULL || classroom->rtx_sender == NULL)
    return; /* (nothing is retransmitted: loss recovery is off) */
  current = lx_direct_sender_get_retransmission_copies (classroom->video_direct);
  classroom->very_lossy_reports =
      loss_permille >= RETRANSMIT_TWICE_PERMILLE ? classroom->very_lossy_reports + 1 : 0;
  if (classroom->very_lossy_reports >= RETRANSMIT_TWICE_REPORTS)
    copies = 2;
  else if (loss_permille >= RETRANSMIT_TWICE_PERMILLE / 2)
    copies = current; /* (no flapping around the threshold) */
  else if (loss_permille >= 5 || now >= classroom->lossy_until_us)
    copies = 1;
  else
    copies = current; /* a clean second changes nothing */
  if (copies == current)
    return;
  g_message ("classroom %s: each retransmission sent %u time%s", classroom->school, copies,
             copies > 1 ? "s" : "");
  lx_direct_sender_set_retransmission_copies (classroom->video_direct, copies);
}

static void
adapt_fec (LxClassroom *classroom, gint loss_permille, gint64 now)
{
  guint least = (guint) classroom->context.config->fec_percentage;
  guint percentage;

  if (classroom->fec_encoder == NULL)
    return;
  if (now >= classroom->lossy_until_us)
    percentage = 0;
  else if (loss_permille >= 5)
    percentage = CLAMP ((guint) loss_permille / 5, least, MAX (least, FEC_MOST_PERCENTAGE));
  else
    percentage = classroom->fec_percentage; /* a clean second on a lossy link changes nothing */
  if (percentage == classroom->fec_percentage)
    return;
  g_message ("classroom %s: forward error correction on %u %% of the packets", classroom->school,
             percentage);
  classroom->fec_percentage = percentage;
  g_object_set (classroom->fec_encoder, "percentage", percentage, "percentage-important",
                percentage > 0 ? KEYFRAME_FEC_PERCENTAGE : 0, NULL);
}

/* Probes the link for the layer above while the chooser asks (lx-link-prober.h); without a
 * retransmission sender (loss recovery off) a probe is a clean hold. */
static void
follow_probe (LxClassroom *classroom)
{
  const LxProbeRamp *ramp = &classroom->chooser.probe;

  if (ramp->kbps > 0 && classroom->prober == NULL && classroom->rtx_sender && classroom->video_ssrc)
    classroom->prober = lx_link_prober_new (classroom->rtx_sender, classroom->video_ssrc);
  if (classroom->prober)
    lx_link_prober_set_ramp (classroom->prober, ramp);
}

/* The longest a step down waits for the link's queue to drain before the new layer's keyframe
 * (a modem's buffer holds 100–500 ms; a freeze meanwhile is already under way). */
#define MOST_DRAIN_MS 250

/* How long a step down from @layer should let the link drain first: as long as its queue, if the
 * queue overflows (packets lost behind it, or far less arriving than the layer sends: the
 * capacity fell); 0 for a queue that only grows (the old layer's pictures still arrive). */
static guint
drain_ms (LxClassroom *classroom, const LxLinkReport *report, guint layer)
{
  gboolean overflowing = report->loss >= LX_LAYER_UP_LOSS ||
                         lx_layer_chooser_far_less_arrived (&classroom->chooser, report, layer);

  if (report->queue_ms < LX_LAYER_DOWN_QUEUE_MS || !overflowing)
    return 0;
  return (guint) MIN (report->queue_ms, MOST_DRAIN_MS);
}

/* The classroom's layer and FEC follow what its link shows: the share of packets lost before
 * repair, the queue building up, what arrived. */
static void
steer (LxClassroom *classroom, const LxLinkReport *report, gint video_kbps)
{
  gint loss_permille = (gint) (report->loss * 1000 + 0.5);
  gboolean probing = classroom->chooser.probe.kbps > 0;
  gint64 now = g_get_monotonic_time ();
  gint chance_permille;
  guint drain = 0;

  if (lx_classroom_get_state (classroom) != LX_CLASSROOM_CONNECTED ||
      classroom->layer_switch == NULL)
    return;
  g_atomic_int_set (&classroom->loss_permille, loss_permille);
  classroom->queue_ms = report->queue_ms;
  lx_classroom_fit_retransmission_history (classroom);
  chance_permille = chance_loss_permille (classroom, report, now);
  adapt_fec (classroom, chance_permille, now);
  adapt_retransmissions (classroom, chance_permille, now);
  classroom->chooser.fec_percent = (gint) classroom->fec_percentage;
  classroom->chooser.rtt_ms = MAX (g_atomic_int_get (&classroom->rtt_ms), 0);
  for (guint i = 0; i < classroom->context.n_layers; i++)
    classroom->chooser.sent_kbps[i] =
        classroom->context.bitrates[i]
            ? lx_bitrate_meter_read_kbps (classroom->context.bitrates[i], g_get_monotonic_time ())
            : 0;
  g_debug ("classroom %s: link report: %.1f %% lost, queue %d ms, %d kbit/s arrived (layer %u, "
           "probing %d kbit/s; it sends %d kbit/s)",
           classroom->school, report->loss * 100, report->queue_ms, report->arrived_kbps,
           lx_classroom_get_layer (classroom), classroom->chooser.probe.kbps,
           lx_layer_chooser_link_kbps (&classroom->chooser, lx_classroom_get_layer (classroom)));
  if (lx_layer_chooser_report (&classroom->chooser, report, g_get_monotonic_time () / 1000)) {
    /* Stepped down: the losses of the next seconds are the congestion's tail, not chance. */
    if (classroom->chooser.layer > lx_classroom_get_layer (classroom)) {
      classroom->congested_until_us = g_get_monotonic_time () + CONGESTION_TAIL_US;
      if (classroom->video_direct)
        lx_direct_sender_repair_from_now (classroom->video_direct);
      drain = drain_ms (classroom, report, lx_classroom_get_layer (classroom));
    }
    g_message ("classroom %s: %.1f %% of packets lost at %d kbit/s (%d kbit/s arrived), queue "
               "%d ms, round trip %d ms: %s",
               classroom->school, report->loss * 100, video_kbps, report->arrived_kbps,
               report->queue_ms, g_atomic_int_get (&classroom->rtt_ms),
               lx_layer_chooser_paused (&classroom->chooser) ? "pausing video" : "changing layer");
    lx_layer_switch_set_after_drain (classroom->layer_switch, classroom->chooser.layer, drain);
  } else if (probing != (classroom->chooser.probe.kbps > 0)) {
    g_message ("classroom %s: %s", classroom->school,
               probing ? "the link did not carry the probe: staying on this layer"
                       : "probing the link for the layer above");
  }
  follow_probe (classroom);
}

void
lx_classroom_link_report (LxClassroom *classroom, const LxMessage *message)
{
  LxLinkReport report = { message->loss_permille / 1000.0, message->queue_ms,
                          message->arrived_kbps };

  classroom->last_link_report_us = g_get_monotonic_time ();
  classroom->steered_by_rtcp = FALSE;
  classroom->jitter_buffer_ms = message->jitter_buffer_ms;
  steer (classroom, &report, message->video_kbps);
}

/* What its RTCP shows steers a classroom that does not report its link (a WHEP player): reports of
 * its own, when they come, are better (they see what arrived, repaired or not) and take over. */
#define OWN_REPORTS_FRESH_US (3 * G_USEC_PER_SEC)

static gboolean
apply_observed_loss (gpointer data)
{
  ClassroomNews *observed = data;
  LxClassroom *classroom = observed->classroom;

  if (classroom->last_link_report_us > 0 &&
      g_get_monotonic_time () - classroom->last_link_report_us < OWN_REPORTS_FRESH_US)
    return G_SOURCE_REMOVE;
  g_debug ("classroom %s: its RTCP shows %.1f %% of video packets lost", classroom->school,
           observed->value / 10.0);
  if (!classroom->steered_by_rtcp)
    g_message ("classroom %s: no link reports of its own: steering by its RTCP", classroom->school);
  classroom->steered_by_rtcp = TRUE;
  {
    LxLinkReport report = { observed->value / 1000.0, 0, 0 };
    steer (classroom, &report, -1);
  }
  return G_SOURCE_REMOVE;
}

/* The video packets we have sent the classroom (media and FEC: the sequence numbers the receiver
 * expects): counted beside webrtcbin, or from its RTP session's statistics. Not from a streaming
 * thread holding the session lock. */
static guint64
packets_sent (LxClassroom *classroom)
{
  g_autoptr (GObject) source = NULL;
  g_autoptr (GstStructure) stats = NULL;
  guint64 sent = 0;

  if (classroom->video_direct && lx_direct_sender_is_sending (classroom->video_direct))
    return lx_direct_sender_get_packets (classroom->video_direct);
  g_signal_emit_by_name (classroom->rtp_session, "get-source-by-ssrc", classroom->video_ssrc,
                         &source);
  if (source)
    g_object_get (source, "stats", &stats, NULL);
  if (stats)
    gst_structure_get_uint64 (stats, "packets-sent", &sent);
  return sent;
}

/* (RTCP thread, before the session takes its lock) Each RTCP packet from the classroom; about once
 * a second, the loss it shows. */
static void
on_receiving_rtcp (GObject *session, GstBuffer *buffer, gpointer data)
{
  LxClassroom *classroom = data;
  LxPeerLink *link = &classroom->peer_link;
  gint loss_permille;
  gint64 now = g_get_monotonic_time ();

  lx_peer_link_read_rtcp (link, buffer, gst_rtcp_unix_to_ntp ((guint64) g_get_real_time () * 1000));
  if (link->rtt_ms >= 0)
    g_atomic_int_set (&classroom->rtt_ms, link->rtt_ms);
  if (!lx_peer_link_window_over (link, now) ||
      !lx_peer_link_take_loss (link, now, packets_sent (classroom), &loss_permille))
    return;
  lx_classroom_tell_main_context (classroom, apply_observed_loss, loss_permille);
}

void
lx_classroom_watch_peer_rtcp (LxClassroom *classroom)
{
  g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (classroom->webrtc), "rtpbin");
  g_autoptr (GstPad) src = gst_element_get_static_pad (classroom->video.payloader, "src");
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (src);
  guint ssrc = 0;

  if (rtpbin == NULL || caps == NULL ||
      !gst_structure_get_uint (gst_caps_get_structure (caps, 0), "ssrc", &ssrc))
    return;
  g_signal_emit_by_name (rtpbin, "get-internal-session", 0, &classroom->rtp_session);
  if (classroom->rtp_session == NULL)
    return;
  classroom->video_ssrc = ssrc;
  lx_peer_link_init (&classroom->peer_link, ssrc, packets_sent (classroom),
                     g_get_monotonic_time ());
  g_signal_connect_data (classroom->rtp_session, "on-receiving-rtcp",
                         G_CALLBACK (on_receiving_rtcp), lx_classroom_ref (classroom),
                         lx_classroom_closure_unref, 0);
}

gboolean
lx_classroom_is_steered_by_rtcp (LxClassroom *classroom)
{
  return classroom->steered_by_rtcp;
}

guint
lx_classroom_get_layer (LxClassroom *classroom)
{
  return classroom->layer_switch ? lx_layer_switch_get_current (classroom->layer_switch)
                                 : classroom->context.n_layers;
}

gdouble
lx_classroom_get_loss (LxClassroom *classroom)
{
  gint permille = g_atomic_int_get (&classroom->loss_permille);
  return permille < 0 ? -1 : permille / 1000.0;
}

gint
lx_classroom_get_rtt_ms (LxClassroom *classroom)
{
  return g_atomic_int_get (&classroom->rtt_ms);
}

guint64
lx_classroom_get_sent_directly (LxClassroom *classroom, gboolean video)
{
  LxDirectSender *sender = video ? classroom->video_direct : classroom->audio_direct;

  return sender ? lx_direct_sender_get_packets (sender) : 0;
}

gint
lx_classroom_get_queue_ms (LxClassroom *classroom)
{
  return classroom->queue_ms;
}

gint
lx_classroom_get_probe_kbps (LxClassroom *classroom)
{
  return classroom->chooser.probe.kbps;
}

guint
lx_classroom_get_retransmission_copies (LxClassroom *classroom)
{
  return classroom->video_direct
             ? lx_direct_sender_get_retransmission_copies (classroom->video_direct)
             : 1;
}

void
lx_classroom_get_probes (LxClassroom *classroom, guint *started, guint *passed)
{
  *started = classroom->chooser.probes;
  *passed = classroom->chooser.probes_passed;
}
