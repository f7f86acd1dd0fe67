/* A classroom's elements (see lx-classroom-private.h): queue, payloader and, for the naive
 * baseline, an encoder per medium, linked to webrtcbin and, once built, to the tees; and the repair
 * elements webrtcbin made, tuned. Main context, but for the pad probes. */
#include "lx-classroom-private.h"
#include "lx-encoder.h"

#include <gst/video/video.h>

/* After a classroom connects, its own keyframe is on the way: its decoder's requests for one
 * (PLI/FIR) in this time are redundant and would only add keyframes that every classroom pays for. */
#define JOIN_KEYFRAME_GRACE_US (1000 * 1000)

/* How far back a retransmission can reach: as far as one can still be of use. A classroom's jitter
 * buffer waits for a missing packet as long as its link reports say (on a clean link only a few
 * tens of milliseconds, on a lossy one up to its cap: the receiver's jitter-buffer-max-ms, 400 ms
 * by default, assumed for a classroom that does not report it), and its NACK reaches us up to a
 * round trip after that, so the history holds that wait, the classroom's round trip and a margin
 * for RTCP's timing (a NACK rides on the next RTCP packet, ~100 ms apart); 1 s until the round
 * trip is known. (webrtcbin's default, 100 packets, is less than a keyframe and the round trip
 * after it at 720p.) Every packet held costs the classroom its buffer and header, ~0.7 KB: at
 * 720p, ~0.2 KB a millisecond of history. */
#define RETRANSMISSION_HISTORY_MS 1000
#define RECEIVER_JITTER_CAP_MS 400
#define HISTORY_MARGIN_MS 100
/* Changes smaller than this are not worth a property set. */
#define HISTORY_STEP_MS 50

/* The video payloader's caps after a layer change differ from the negotiated ones only in what the
 * SDP does not carry (the new layer's SPS/PPS, which travel in-band before every keyframe anyway),
 * and webrtcbin refuses changed caps on a negotiated stream: webrtcbin keeps seeing the first caps.
 * (Dropping the event instead would leave it pending on the pad, to be retried before every
 * buffer.) */
static GstPadProbeReturn
keep_first_caps (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxClassroom *classroom = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  if (classroom->first_video_caps == NULL) {
    classroom->first_video_caps = gst_caps_ref (caps);
  } else if (!gst_caps_is_equal (caps, classroom->first_video_caps)) {
    gst_event_unref (event);
    GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (classroom->first_video_caps);
  }
  return GST_PAD_PROBE_OK;
}

/* Caps queries from the video payloader to webrtcbin get the payloader's own template: once
 * negotiated, webrtcbin's sink pad holds the SDP's caps, and rtph264pay would turn their
 * profile-level-id (a player's 42e01f: level 3.1) into a level our layers' streams (announced
 * level 4, lx-encoder.c) do not match, so that no other layer could be linked to the branch.
 * What webrtcbin sees stays the first caps (keep_first_caps). */
static GstPadProbeReturn
leave_levels_open (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
  GstCaps *filter = NULL;
  g_autoptr (GstCaps) template_caps = NULL;
  g_autoptr (GstCaps) caps = NULL;

  if (GST_QUERY_TYPE (query) != GST_QUERY_CAPS)
    return GST_PAD_PROBE_OK;
  gst_query_parse_caps (query, &filter);
  template_caps = gst_pad_get_pad_template_caps (pad);
  caps = filter ? gst_caps_intersect_full (filter, template_caps, GST_CAPS_INTERSECT_FIRST)
                : gst_caps_ref (template_caps);
  gst_query_set_caps_result (query, caps);
  return GST_PAD_PROBE_HANDLED;
}

/* Keyframe requests from this classroom's receiver, on their way up to the shared encoder: those
 * made before its join keyframe could arrive are dropped here (the rest meet the shared gate). */
static GstPadProbeReturn
filter_keyframe_requests (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxClassroom *classroom = data;
  gint connect_ms;

  if (!gst_video_event_is_force_key_unit (GST_PAD_PROBE_INFO_EVENT (info)))
    return GST_PAD_PROBE_OK;
  connect_ms = g_atomic_int_get (&classroom->connect_ms);
  if (connect_ms < 0 ||
      g_get_monotonic_time () - classroom->joined_at - connect_ms * G_GINT64_CONSTANT (1000) <
          JOIN_KEYFRAME_GRACE_US)
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

/* An element made but never added to a bin. */
static void
drop_floating (GstElement **element)
{
  if (*element)
    gst_object_unref (gst_object_ref_sink (*element));
  *element = NULL;
}

/* Builds @branch's elements into the classroom's bin, up to webrtcbin. On failure, what is not in
 * the bin yet is freed; what is goes with the bin. */
gboolean
lx_classroom_build_media (LxClassroom *classroom, MediaBranch *branch, GstElement *tee,
                          const char *kind, const char *payloader_factory, guint payload_type,
                          GError **error)
{
  g_autofree gchar *ghost_name = g_strdup_printf ("%s_sink", kind);
  /* Where the classroom has a queue (its packets through webrtcbin, or the naive baseline's own
   * encoder), named for its thread ("video-queue:src"): top and perf show the classroom's cost by
   * it. */
  g_autofree gchar *queue_name = g_strdup_printf ("%s-queue", kind);
  gboolean beside_webrtcbin = classroom->context.config->send_beside_webrtcbin;
  /* Packets sent beside webrtcbin (lx-direct-sender.h) are protected, encrypted and sent on the
   * encoder's thread without ever waiting: a classroom needs no queue of its own to keep it from
   * blocking the others, and a thread woken for every packet or frame cost more than sending it.
   * (The naive baseline's encoder per classroom keeps its thread.) */
  gboolean queued = !beside_webrtcbin || (classroom->context.config->encoder_per_classroom &&
                                          branch == &classroom->video);
  GstElement *queue = queued ? gst_element_factory_make ("queue", queue_name) : NULL;
  GstElement *encoder = NULL;
  g_autoptr (GstPad) branch_sink = NULL;
  g_autoptr (GstPad) payloader_src = NULL;
  g_autoptr (GstPad) webrtc_sink = NULL;

  branch->payloader = gst_element_factory_make (payloader_factory, NULL);
  if ((queue == NULL && queued) || branch->payloader == NULL) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "the GStreamer element '%s' is missing", payloader_factory);
    drop_floating (&queue);
    drop_floating (&branch->payloader);
    return FALSE;
  }
  branch->tee = tee;
  branch->queue = queue;
  /* A classroom that cannot keep up loses its own oldest data, never blocks the tee. Until it is
   * connected (webrtcbin holds packets back until DTLS is up) the queue keeps only the newest
   * buffer: the backlog of ICE and DTLS (half a second on a long round trip, and a keyframe) went
   * out in one burst that overflowed a thin line's modem at every join, and reached the classroom
   * stale. Its first picture is the keyframe asked for when it connects. */
  if (queue) {
    g_object_set (queue, "max-size-buffers", 1, "max-size-bytes", 0, "max-size-time",
                  (guint64) 500 * GST_MSECOND, NULL);
    gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");
  }
  g_object_set (branch->payloader, "pt", payload_type, "mtu",
                (guint) classroom->context.config->rtp_mtu, NULL);
  if (g_str_equal (payloader_factory, "rtpvp8pay")) {
    /* Browsers expect 15-bit picture ids (they tell a lost frame from a skipped one by them). */
    gst_util_set_object_arg (G_OBJECT (branch->payloader), "picture-id-mode", "15-bit");
  } else if (g_str_equal (kind, "video")) {
    g_object_set (branch->payloader, "config-interval", -1, NULL);
    gst_util_set_object_arg (G_OBJECT (branch->payloader), "aggregate-mode", "zero-latency");
  }
  if (g_str_equal (kind, "video")) {
    /* min-keyframe-interval-ms = 0 (the naive baseline) lets every request through. A media
     * server's requests (a WHIP publication) speak for its players, who never saw the keyframe
     * that followed the publication's connection: none is redundant (the shared gate still
     * merges them). */
    if (classroom->context.keyframes[0] && classroom->role != LX_CLASSROOM_ROLE_PUBLISHES &&
        classroom->context.config->min_keyframe_interval_ms > 0) {
      g_autoptr (GstPad) payloader_sink = gst_element_get_static_pad (branch->payloader, "sink");
      gst_pad_add_probe (payloader_sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                         filter_keyframe_requests, classroom, NULL);
    }
    /* The naive baseline: this classroom's own encoder on the raw video. */
    if (classroom->context.config->encoder_per_classroom) {
      encoder = lx_encoder_video_new (classroom->context.config, 0, classroom->context.video_codec,
                                      NULL, error);
      if (encoder == NULL) {
        drop_floating (&queue);
        drop_floating (&branch->payloader);
        return FALSE;
      }
    }
  }
  gst_bin_add (GST_BIN (classroom->bin), branch->payloader);
  if (queue)
    gst_bin_add (GST_BIN (classroom->bin), queue);
  if (encoder) {
    gst_bin_add (GST_BIN (classroom->bin), encoder);
    gst_element_link_many (queue, encoder, branch->payloader, NULL);
  } else if (queue) {
    gst_element_link (queue, branch->payloader);
  }

  payloader_src = gst_element_get_static_pad (branch->payloader, "src");
  if (g_str_equal (kind, "video")) {
    gst_pad_add_probe (payloader_src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, keep_first_caps,
                       classroom, NULL);
    gst_pad_add_probe (payloader_src, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM, leave_levels_open, NULL,
                       NULL);
  }
  webrtc_sink = gst_element_request_pad_simple (classroom->webrtc, "sink_%u");
  if (gst_pad_link (payloader_src, webrtc_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                 "cannot link the %s payloader to webrtcbin", kind);
    return FALSE;
  }
  g_object_get (webrtc_sink, "transceiver", &branch->transceiver, NULL);
  /* The sound needs nothing of webrtcbin's per packet (no retransmission, no FEC, no layers): it
   * leaves beside it, once connected (lx-direct-sender.h). */
  if (beside_webrtcbin && branch == &classroom->audio)
    classroom->audio_direct = lx_direct_sender_attach (payloader_src);
  else if (beside_webrtcbin)
    classroom->video_direct = lx_direct_sender_attach (payloader_src);
  g_object_set (branch->transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                NULL);
  /* Video losses are repaired by retransmission (NACK → RTX) where the round trip allows, and by
   * forward error correction (ULPFEC in RED) where it does not. Audio relies on Opus's own in-band
   * FEC (opusenc), which costs no extra stream. */
  if (g_str_equal (kind, "video") && classroom->context.config->loss_recovery) {
    g_object_set (branch->transceiver, "do-nack", TRUE, NULL);
    if (classroom->context.config->fec_percentage > 0)
      g_object_set (branch->transceiver, "fec-type", GST_WEBRTC_FEC_TYPE_ULP_RED, "fec-percentage",
                    (guint) classroom->context.config->fec_percentage, NULL);
  }

  branch_sink = gst_element_get_static_pad (queue ? queue : branch->payloader, "sink");
  /* A joint lesson: the sound comes from the lesson's tee, or, called on, from the speakers'. */
  if (tee && g_str_equal (kind, "audio") && classroom->context.sound &&
      lx_lesson_sound_get_speakers_tee (classroom->context.sound)) {
    g_autoptr (GstPad) selected = NULL;
    classroom->sound_selector = gst_element_factory_make ("input-selector", NULL);
    g_object_set (classroom->sound_selector, "sync-streams", FALSE, NULL);
    gst_bin_add (GST_BIN (classroom->bin), classroom->sound_selector);
    gst_element_link (classroom->sound_selector, queue ? queue : branch->payloader);
    classroom->lesson_sound_pad =
        gst_element_request_pad_simple (classroom->sound_selector, "sink_%u");
    gst_object_replace ((GstObject **) &branch_sink, GST_OBJECT (classroom->lesson_sound_pad));
  }
  if (tee == NULL) {
    /* Video: its layer switch links a layer's tee to this selector (lx-layer-switch.h). */
    classroom->selector = gst_element_factory_make ("input-selector", NULL);
    gst_bin_add (GST_BIN (classroom->bin), classroom->selector);
    gst_element_link (classroom->selector, queue ? queue : branch->payloader);
    return TRUE;
  }
  branch->ghost_pad = gst_ghost_pad_new (ghost_name, branch_sink);
  gst_element_add_pad (classroom->bin, branch->ghost_pad);
  return TRUE;
}

gboolean
lx_classroom_link_to_tee (MediaBranch *branch)
{
  branch->tee_pad = gst_element_request_pad_simple (branch->tee, "src_%u");
  return gst_pad_link (branch->tee_pad, branch->ghost_pad) == GST_PAD_LINK_OK;
}

void
lx_classroom_release_tee_pad (MediaBranch *branch)
{
  if (branch->tee_pad == NULL)
    return;
  gst_element_release_request_pad (branch->tee, branch->tee_pad);
  gst_clear_object (&branch->tee_pad);
}

void
lx_classroom_release_backlog (LxClassroom *classroom)
{
  if (classroom->video.queue)
    g_object_set (classroom->video.queue, "max-size-buffers", 0, NULL);
  if (classroom->audio.queue)
    g_object_set (classroom->audio.queue, "max-size-buffers", 0, NULL);
}

/* Until the classroom reports losses, nothing is protected (lx-classroom-steering.c): FEC on a
 * clean link only costs CPU and bandwidth, and on a capped one it makes every keyframe overflow
 * the modem's buffer. */
static gboolean
tune_fec_encoder (GstElement *element, gpointer data)
{
  LxClassroom *classroom = data;

  g_object_set (element, "percentage-important", 0, "percentage", 0, NULL);
  gst_object_replace ((GstObject **) &classroom->fec_encoder, GST_OBJECT (element));
  return TRUE;
}

static gboolean
tune_rtx_sender (GstElement *element, gpointer data)
{
  LxClassroom *classroom = data;

  g_object_set (element, "max-size-packets", 0, "max-size-time", RETRANSMISSION_HISTORY_MS, NULL);
  classroom->history_ms = RETRANSMISSION_HISTORY_MS;
  gst_object_replace ((GstObject **) &classroom->rtx_sender, GST_OBJECT (element));
  return TRUE;
}

void
lx_classroom_fit_retransmission_history (LxClassroom *classroom)
{
  gint rtt_ms = g_atomic_int_get (&classroom->rtt_ms);
  gint wait_ms =
      classroom->jitter_buffer_ms > 0 ? classroom->jitter_buffer_ms : RECEIVER_JITTER_CAP_MS;
  gint history_ms = wait_ms + rtt_ms + HISTORY_MARGIN_MS;

  if (classroom->rtx_sender == NULL || rtt_ms < 0 ||
      ABS (history_ms - classroom->history_ms) < HISTORY_STEP_MS)
    return;
  g_object_set (classroom->rtx_sender, "max-size-time", (guint) history_ms, NULL);
  classroom->history_ms = history_ms;
}

gint
lx_classroom_get_retransmission_history_ms (LxClassroom *classroom)
{
  return classroom->rtx_sender ? classroom->history_ms : 0;
}

/* Tunes the repair elements webrtcbin made for this classroom once negotiation is done. */
void
lx_classroom_configure_repair (LxClassroom *classroom)
{
  if (!classroom->context.config->loss_recovery)
    return;
  lx_webrtc_foreach_made_by (GST_BIN (classroom->webrtc), "rtpulpfecenc", tune_fec_encoder,
                             classroom);
  lx_webrtc_foreach_made_by (GST_BIN (classroom->webrtc), "rtprtxsend", tune_rtx_sender, classroom);
}
