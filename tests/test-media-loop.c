/* The media path in one process, fast: the sender's H.264 layer and Opus, through a classroom
 * branch and its webrtcbin, to a classroom's session (its own webrtcbin) and its playback — two
 * webrtcbins negotiating over loopback with no signaling server and no other program. The
 * pictures are checked by what they show (the test pattern's colour bars), the sound by what it
 * is (decoded, not concealed). */
#include "lx-classroom.h"
#include "lx-config.h"
#include "lx-capture.h"
#include "lx-encoder.h"
#include "lx-layer-set.h"
#include "lx-playback.h"
#include "lx-receiver-config.h"
#include "lx-receiver-session.h"
#include "lx-sender-config.h"
#include "lx-test-utils.h"
#include "lx-webrtc.h"

#include <gst/rtp/rtp.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>

typedef struct {
  LxSenderConfig sender_config;
  LxReceiverConfig receiver_config;
  GstElement *pipeline; /* the sender's */
  GstElement *raw_tee, *audio_tee;
  LxLayerSet *layers;
  LxClassroom *branch;
  LxPlayback *playback;
  LxReceiverSession *session;
  gboolean connected;
  const char *failure;
  guint64 audio_goal_ms;
  gint report_loss_permille;  /* the link report the branch hears while waiting; 0 none */
  gboolean repair_off;        /* loss-recovery = false on both sides */
  gboolean through_webrtcbin; /* send-beside-webrtcbin = false */
  guint latency_ms;           /* the classroom's jitter buffers; 0: 50 ms, a clean link's */
  guint drop_every;           /* the classroom's link drops every Nth video packet; 0 none */
  guint video_ssrc;           /* the sender's video stream (not its retransmissions) */
  gint video_packets;         /* (atomic) of it, arrived at the classroom's RTP session */
  gint dropped;               /* (atomic) of them, dropped on the way */
} Loop;

static void
set (const LxConfigKey *keys, gpointer config, const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (lx_config_set_value (keys, config, key, value, "test", &error));
  g_assert_no_error (error);
}

/* The sender's half: the test pattern, encoded once into each of @layers in H.264, and a tone in
 * Opus; @cap (nullable) a classroom-max-kbps setting. */
static void
build_sender (Loop *loop, const char *layers, const char *cap)
{
  LxSenderConfig *config = &loop->sender_config;
  g_autoptr (GError) error = NULL;
  GstElement *capture, *encoder;
  LxCaptureSettings capture_settings;

  lx_config_set_defaults (lx_sender_config_keys, config);
  set (lx_sender_config_keys, config, "layers", layers);
  set (lx_sender_config_keys, config, "test-pattern", "smpte");
  set (lx_sender_config_keys, config, "ice-local-addresses", "127.0.0.1");
  set (lx_sender_config_keys, config, "school", "master");
  if (cap)
    set (lx_sender_config_keys, config, "classroom-max-kbps", cap);
  if (loop->repair_off)
    set (lx_sender_config_keys, config, "loss-recovery", "false");
  if (loop->through_webrtcbin)
    set (lx_sender_config_keys, config, "send-beside-webrtcbin", "false");
  g_assert_true (lx_sender_config_validate (config, &error));
  loop->pipeline = gst_object_ref_sink (gst_pipeline_new ("sender"));
  lx_sender_config_capture_settings (config, &capture_settings);
  capture = lx_capture_video_new (&capture_settings, &error);
  g_assert_no_error (error);
  gst_bin_add (GST_BIN (loop->pipeline), capture);
  loop->raw_tee = lx_tee_add_after (loop->pipeline, capture, NULL, "raw-tee", &error);
  g_assert_no_error (error);
  loop->layers =
      lx_layer_set_new (config, loop->pipeline, loop->raw_tee, LX_VIDEO_CODEC_H264, FALSE, &error);
  g_assert_no_error (error);
  capture = lx_capture_audio_new (&capture_settings, &error);
  g_assert_no_error (error);
  gst_bin_add (GST_BIN (loop->pipeline), capture);
  encoder = lx_encoder_audio_new (config, &error);
  g_assert_no_error (error);
  loop->audio_tee = lx_tee_add_after (loop->pipeline, capture, encoder, "audio-tee", &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_element_set_state (loop->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
}

static void
on_connected (gpointer data)
{
  ((Loop *) data)->connected = TRUE;
}

static void
on_failed (gpointer data, const char *why)
{
  ((Loop *) data)->failure = why;
}

static void
on_loss_noticed (gpointer data)
{
}

static const LxReceiverSessionHandlers handlers = { on_connected, on_failed, on_loss_noticed };

/* The SSRC of the video stream an offer announces: the first of its FID group (the second is its
 * retransmissions), or its only one. */
static guint
video_media_ssrc (const GstSDPMessage *sdp)
{
  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, m);
    const char *group = gst_sdp_media_get_attribute_val (media, "ssrc-group");
    const char *ssrc = gst_sdp_media_get_attribute_val (media, "ssrc");
    if (g_strcmp0 (gst_sdp_media_get_media (media), "video") != 0)
      continue;
    if (group && g_str_has_prefix (group, "FID "))
      return (guint) g_ascii_strtoull (group + 4, NULL, 10);
    if (ssrc)
      return (guint) g_ascii_strtoull (ssrc, NULL, 10);
  }
  g_error ("the offer announces no video SSRC");
}

/* Whether the classroom's link drops @buffer (every loop->drop_every-th video packet). */
static gboolean
link_drops (Loop *loop, GstBuffer *buffer)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint ssrc;

  if (!gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return FALSE;
  ssrc = gst_rtp_buffer_get_ssrc (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  if (ssrc != loop->video_ssrc)
    return FALSE;
  if ((guint) g_atomic_int_add (&loop->video_packets, 1) % loop->drop_every != loop->drop_every - 1)
    return FALSE;
  g_atomic_int_inc (&loop->dropped);
  return TRUE;
}

static gboolean
drop_from_list (GstBuffer **buffer, guint index, gpointer data)
{
  if (link_drops (data, *buffer))
    gst_clear_buffer (buffer);
  return TRUE;
}

/* (a streaming thread) Between the classroom's network and its RTP session. */
static GstPadProbeReturn
lossy_link (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Loop *loop = data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    return link_drops (loop, GST_PAD_PROBE_INFO_BUFFER (info)) ? GST_PAD_PROBE_DROP
                                                               : GST_PAD_PROBE_OK;
  GST_PAD_PROBE_INFO_DATA (info) =
      gst_buffer_list_make_writable (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), drop_from_list, loop);
  return GST_PAD_PROBE_OK;
}

/* The classroom's link loses packets: on every RTP input of its webrtcbin's rtpbin, before the
 * RTP session counts or repairs anything, as a lossy network would. */
static void
make_link_lossy (Loop *loop)
{
  g_autoptr (GstElement) rtpbin =
      gst_bin_get_by_name (GST_BIN (lx_receiver_session_get_webrtc (loop->session)), "rtpbin");
  guint pads = 0;

  for (GList *l = GST_ELEMENT (rtpbin)->sinkpads; l; l = l->next) {
    if (!g_str_has_prefix (GST_PAD_NAME (l->data), "recv_rtp_sink_"))
      continue;
    gst_pad_add_probe (l->data, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                       lossy_link, loop, NULL);
    pads++;
  }
  g_assert_cmpuint (pads, >, 0);
}

typedef struct {
  GstElement *webrtc;
  gchar *description;
} Gathering;

static gboolean
poll_description (gpointer data)
{
  Gathering *gathering = data;

  if (gathering->description == NULL)
    gathering->description = lx_webrtc_get_complete_description (gathering->webrtc);
  return gathering->description != NULL;
}

/* The classroom's half answers the branch's offer: a session, its answer complete with
 * candidates, back to the branch. */
static void
answer (Loop *loop, const char *offer_sdp)
{
  LxReceiverConfig *config = &loop->receiver_config;
  g_autoptr (GError) error = NULL;
  GstWebRTCSessionDescription *offer, *answer;
  Gathering gathering = { NULL, NULL };
  GstPromise *promise;

  lx_config_set_defaults (lx_receiver_config_keys, config);
  set (lx_receiver_config_keys, config, "headless", "true");
  set (lx_receiver_config_keys, config, "ice-local-addresses", "127.0.0.1");
  set (lx_receiver_config_keys, config, "school", "classroom");
  /* (the playback keeps the last picture for snapshots only) */
  set (lx_receiver_config_keys, config, "snapshot", "unused.png");
  if (loop->repair_off)
    set (lx_receiver_config_keys, config, "loss-recovery", "false");
  loop->playback = lx_playback_new (config);
  loop->session =
      lx_receiver_session_new (config, loop->playback, loop->latency_ms ? loop->latency_ms : 50,
                               NULL, &handlers, loop, &error);
  g_assert_no_error (error);
  offer = lx_webrtc_description_from_text (GST_WEBRTC_SDP_TYPE_OFFER, offer_sdp, &error);
  g_assert_no_error (error);
  gathering.webrtc = lx_receiver_session_get_webrtc (loop->session);
  lx_receiver_session_note_ssrcs (loop->session, offer->sdp);
  loop->video_ssrc = video_media_ssrc (offer->sdp);
  lx_webrtc_set_description (gathering.webrtc, FALSE, offer);
  gst_webrtc_session_description_free (offer);
  promise = gst_promise_new ();
  g_signal_emit_by_name (gathering.webrtc, "create-answer", NULL, promise);
  gst_promise_wait (promise);
  answer = lx_webrtc_take_description (promise, "answer", &error);
  g_assert_no_error (error);
  lx_webrtc_set_description (gathering.webrtc, TRUE, answer);
  gst_webrtc_session_description_free (answer);
  g_assert_true (lx_test_wait_until (poll_description, &gathering, 10000));
  if (loop->drop_every)
    make_link_lossy (loop);
  g_assert_true (lx_classroom_set_answer (loop->branch, gathering.description, &error));
  g_assert_no_error (error);
  g_free (gathering.description);
}

static void
deliver_offer (LxClassroom *branch, const char *offer, gpointer data)
{
  answer (data, offer);
}

static gboolean
playing (gpointer data)
{
  Loop *loop = data;
  LxPlaybackStats stats = lx_playback_get_stats (loop->playback);

  return loop->failure || (stats.frames_decoded >= 30 && stats.audio_ms >= 500);
}

static gboolean
more_sound (gpointer data)
{
  Loop *loop = data;
  return lx_playback_get_stats (loop->playback).audio_ms >= loop->audio_goal_ms;
}

/* The senders the classroom's RTP session has had a sender report from, and how many of them
 * gave the same name (CNAME) as the first: a player lines up the streams of one name by their
 * reports. */
static void
count_reported_senders (Loop *loop, guint *reported, guint *same_name)
{
  g_autoptr (GstElement) rtpbin =
      gst_bin_get_by_name (GST_BIN (lx_receiver_session_get_webrtc (loop->session)), "rtpbin");
  g_autoptr (GObject) session = NULL;
  GValueArray *sources = NULL; /* the session's property type, deprecated in GLib */
  g_autofree gchar *first_name = NULL;

  *reported = *same_name = 0;
  g_signal_emit_by_name (rtpbin, "get-internal-session", 0, &session);
  g_object_get (session, "sources", &sources, NULL);
  for (guint i = 0; sources && i < sources->n_values; i++) {
    GObject *source = g_value_get_object (&sources->values[i]);
    g_autoptr (GstStructure) stats = NULL;
    g_autoptr (GstStructure) sdes = NULL;
    gboolean internal = TRUE, have_sr = FALSE;
    const char *name;

    g_object_get (source, "stats", &stats, "sdes", &sdes, NULL);
    gst_structure_get_boolean (stats, "internal", &internal);
    gst_structure_get_boolean (stats, "have-sr", &have_sr);
    if (internal || !have_sr)
      continue;
    (*reported)++;
    name = sdes ? gst_structure_get_string (sdes, "cname") : NULL;
    if (name && first_name == NULL)
      first_name = g_strdup (name);
    if (name && g_str_equal (name, first_name))
      (*same_name)++;
  }
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (sources)
    g_value_array_free (sources);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static gboolean
both_streams_reported (gpointer data)
{
  guint reported, same_name;

  count_reported_senders (data, &reported, &same_name);
  return reported >= 2;
}

static gboolean
offered (gpointer data)
{
  return ((Loop *) data)->session != NULL;
}

/* The colour of the pixel at (@x, @y) of @picture, as RGB. */
static void
read_pixel (GstSample *picture, gint x, gint y, guint8 rgb[3])
{
  g_autoptr (GstCaps) caps =
      gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstSample) converted = gst_video_convert_sample (picture, caps, GST_SECOND, &error);
  GstVideoInfo info;
  GstVideoFrame frame;
  const guint8 *row;

  g_assert_no_error (error);
  gst_video_info_from_caps (&info, gst_sample_get_caps (converted));
  g_assert_true (
      gst_video_frame_map (&frame, &info, gst_sample_get_buffer (converted), GST_MAP_READ));
  row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
  memcpy (rgb, row + x * 3, 3);
  gst_video_frame_unmap (&frame);
}

/* The sender's half with @layers (and @cap), a classroom branch publishing to the classroom's
 * half, negotiated, until pictures and sound play. */
static void
loop_start (Loop *loop, const char *layers, const char *cap)
{
  g_autoptr (GError) error = NULL;
  LxClassroomContext context = { 0 };

  build_sender (loop, layers, cap);
  context.config = &loop->sender_config;
  context.pipeline = loop->pipeline;
  context.audio_tee = loop->audio_tee;
  context.ice = &loop->sender_config.connection.ice;
  g_assert_true (lx_layer_set_hold (loop->layers, "loop", &context, &error));
  loop->branch = lx_classroom_new_publication (&context, "loop", deliver_offer, loop, &error);
  g_assert_no_error (error);
  g_assert_true (lx_test_wait_until (offered, loop, 15000));
  g_assert_true (lx_test_wait_until (playing, loop, 20000));
  g_assert_null (loop->failure);
  g_assert_true (loop->connected);
  g_assert_cmpint (lx_classroom_get_state (loop->branch), ==, LX_CLASSROOM_CONNECTED);
}

/* The closed branch has left the sender's pipeline (it goes once its pads are idle). */
static gboolean
branch_gone (gpointer data)
{
  Loop *loop = data;
  gboolean found = FALSE;

  GST_OBJECT_LOCK (loop->pipeline);
  for (GList *l = GST_BIN (loop->pipeline)->children; l; l = l->next)
    found |= g_str_has_prefix (GST_OBJECT_NAME (l->data), "classroom-");
  GST_OBJECT_UNLOCK (loop->pipeline);
  return !found;
}

static void
loop_stop (Loop *loop)
{
  lx_receiver_session_end (loop->session);
  lx_classroom_close (loop->branch);
  g_assert_true (lx_test_wait_until (branch_gone, loop, 10000));
  gst_element_set_state (loop->pipeline, GST_STATE_NULL);
  lx_layer_set_free (loop->layers);
  gst_object_unref (loop->raw_tee);
  gst_object_unref (loop->audio_tee);
  gst_object_unref (loop->pipeline);
  lx_playback_free (loop->playback);
  lx_config_clear (lx_sender_config_keys, &loop->sender_config);
  lx_config_clear (lx_receiver_config_keys, &loop->receiver_config);
}

/* The width of the pictures the classroom decodes now. */
static gint
decoded_width (Loop *loop)
{
  return lx_playback_get_stats (loop->playback).width;
}

typedef struct {
  Loop *loop;
  gint width;
} WidthIs;

/* The classroom decodes pictures @width wide; while waiting, the branch hears the classroom's
 * link report @loss_permille (0: none is sent). */
static gboolean
decoding_width (gpointer data)
{
  WidthIs *condition = data;
  static gint64 last_report_us = 0;

  if (condition->loop->report_loss_permille > 0 &&
      g_get_monotonic_time () - last_report_us > G_USEC_PER_SEC / 2) {
    LxMessage report = { .loss_permille = condition->loop->report_loss_permille,
                         .video_kbps = 400 };
    last_report_us = g_get_monotonic_time ();
    lx_classroom_link_report (condition->loop->branch, &report);
  }
  return decoded_width (condition->loop) == condition->width;
}

/* Layer switching, without root: the classroom's link reports heavy loss and the branch moves it
 * to the smaller layer — seen in the pictures it decodes, 160 pixels wide from then on, and in
 * the layer the branch says it is on. */
static void
test_layer_switch (void)
{
  Loop loop = { 0 };
  WidthIs smaller = { &loop, 160 };
  guint64 frames;

  loop_start (&loop, "320x240@500,160x120@150", NULL);
  g_assert_cmpint (decoded_width (&loop), ==, 320);
  g_assert_cmpuint (lx_classroom_get_layer (loop.branch), ==, 0);
  loop.report_loss_permille = 200;
  g_assert_true (lx_test_wait_until (decoding_width, &smaller, 15000));
  g_assert_cmpuint (lx_classroom_get_layer (loop.branch), ==, 1);
  frames = lx_playback_get_stats (loop.playback).frames_decoded;
  loop.report_loss_permille = 0;
  lx_test_run_for (1000);
  g_assert_cmpuint (lx_playback_get_stats (loop.playback).frames_decoded, >, frames + 10);
  g_assert_cmpint (decoded_width (&loop), ==, 160);
  loop_stop (&loop);
}

/* A classroom whose link is known to be thin (classroom-max-kbps) never gets the layer above
 * its cap: its first picture is already the smaller one. */
static void
test_layer_cap (void)
{
  Loop loop = { 0 };

  loop_start (&loop, "320x240@500,160x120@150", "loop=200");
  g_assert_cmpint (decoded_width (&loop), ==, 160);
  g_assert_cmpuint (lx_classroom_get_layer (loop.branch), ==, 1);
  g_assert_cmpuint (lx_playback_get_stats (loop.playback).frames_decoded, >=, 30);
  loop_stop (&loop);
}

/* The delay the classroom's pipeline adds to every frame: its latency, as its sinks report it. */
static guint64
classroom_latency_ms (Loop *loop)
{
  GstElement *webrtc = lx_receiver_session_get_webrtc (loop->session);
  g_autoptr (GstObject) pipeline = gst_object_get_parent (GST_OBJECT (webrtc));
  g_autoptr (GstQuery) query = gst_query_new_latency ();
  GstClockTime min_latency = 0;
  gboolean live = FALSE;

  g_assert_true (gst_element_query (GST_ELEMENT (pipeline), query));
  gst_query_parse_latency (query, &live, &min_latency, NULL);
  g_assert_true (live);
  return min_latency / GST_MSECOND;
}

static void
assert_both_streams_reported (Loop *loop)
{
  guint reported, same_name;

  g_assert_true (lx_test_wait_until (both_streams_reported, loop, 5000));
  count_reported_senders (loop, &reported, &same_name);
  g_assert_cmpuint (reported, ==, 2);
  g_assert_cmpuint (same_name, ==, 2);
}

/* Sound keeps coming, decoded rather than missing, over the next second (the start, with its first
 * packets on their way, may miss some), and it is the sender's tone: 440 Hz, at a fifth of full
 * scale. */
static void
assert_tone_for_a_second (Loop *loop)
{
  LxPlaybackStats stats = lx_playback_get_stats (loop->playback), later;

  loop->audio_goal_ms = stats.audio_ms + 1000;
  g_assert_true (lx_test_wait_until (more_sound, loop, 10000));
  later = lx_playback_get_stats (loop->playback);
  g_assert_cmpuint (later.audio_gap_ms - stats.audio_gap_ms, <, 250);
  g_assert_cmpuint (later.audio_tone_hz, >=, 430);
  g_assert_cmpuint (later.audio_tone_hz, <=, 450);
  g_assert_cmpuint (later.audio_level_permille, >=, 70);
}

/* With send-beside-webrtcbin = false (what the fan-out benchmark compares against) sound and
 * picture go through webrtcbin, as they did before: still heard, still reported. */
static void
test_through_webrtcbin (void)
{
  Loop loop = { .through_webrtcbin = TRUE };

  loop_start (&loop, "320x240@500", NULL);
  assert_tone_for_a_second (&loop);
  g_assert_cmpuint (lx_classroom_get_sent_directly (loop.branch, FALSE), ==, 0);
  g_assert_cmpuint (lx_classroom_get_sent_directly (loop.branch, TRUE), ==, 0);
  assert_both_streams_reported (&loop);
  loop_stop (&loop);
}

/* The last sender report of a stream, as the classroom's RTP session holds it. */
typedef struct {
  guint ssrc;
  guint64 ntp_time; /* NTP, 32.32 fixed point */
  guint rtp_time;
  gint clock_rate;
} Report;

/* The latest sender report of (up to) two streams the classroom has one from. */
static guint
read_reports (Loop *loop, Report reports[2])
{
  g_autoptr (GstElement) rtpbin =
      gst_bin_get_by_name (GST_BIN (lx_receiver_session_get_webrtc (loop->session)), "rtpbin");
  g_autoptr (GObject) session = NULL;
  GValueArray *sources = NULL; /* the session's property type, deprecated in GLib */
  guint n = 0;

  g_signal_emit_by_name (rtpbin, "get-internal-session", 0, &session);
  g_object_get (session, "sources", &sources, NULL);
  for (guint i = 0; sources && i < sources->n_values && n < 2; i++) {
    g_autoptr (GstStructure) stats = NULL;
    gboolean internal = TRUE, have_sr = FALSE;
    Report report = { 0 };

    g_object_get (g_value_get_object (&sources->values[i]), "stats", &stats, NULL);
    gst_structure_get_boolean (stats, "internal", &internal);
    gst_structure_get_boolean (stats, "have-sr", &have_sr);
    if (internal || !have_sr ||
        !gst_structure_get (stats, "ssrc", G_TYPE_UINT, &report.ssrc, "sr-ntptime", G_TYPE_UINT64,
                            &report.ntp_time, "sr-rtptime", G_TYPE_UINT, &report.rtp_time,
                            "clock-rate", G_TYPE_INT, &report.clock_rate, NULL) ||
        report.clock_rate <= 0)
      continue;
    reports[n++] = report;
  }
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (sources)
    g_value_array_free (sources);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return n;
}

typedef struct {
  Loop *loop;
  Report first[2], later[2]; /* later[i]: a newer report of first[i]'s stream (0 until then) */
  guint n;
} ReportWatch;

static gboolean
reports_renewed (gpointer data)
{
  ReportWatch *watch = data;
  Report now[2];
  guint n = read_reports (watch->loop, now);

  for (guint i = 0; i < watch->n; i++)
    for (guint j = 0; j < n; j++)
      if (now[j].ssrc == watch->first[i].ssrc && now[j].ntp_time != watch->first[i].ntp_time)
        watch->later[i] = now[j];
  return watch->n == 2 && watch->later[0].ssrc != 0 && watch->later[1].ssrc != 0;
}

/* Each stream's sender reports say where its timeline is at the time they give (counted from a
 * packet's capture time): from one report to the next, its RTP time moves on as much as the
 * clock did. Players line sound and picture up by them. (Counted as webrtcbin's RTP session
 * counts them for a stream it sends — from its last packet by the whole running time of now — it
 * moved on twice as fast, off by each packet's age besides: classrooms delayed the picture by the
 * difference, 0–30 ms more glass-to-glass from one lesson to the next, hundreds of ms at first.) */
static void
assert_reports_follow_the_clock (Loop *loop)
{
  ReportWatch watch = { loop };

  watch.n = read_reports (loop, watch.first);
  g_assert_cmpuint (watch.n, ==, 2);
  g_assert_true (lx_test_wait_until (reports_renewed, &watch, 5000));
  for (guint i = 0; i < 2; i++) {
    gdouble clock_s = (gdouble) (watch.later[i].ntp_time - watch.first[i].ntp_time) / 4294967296.0;
    gdouble rtp_s = (gdouble) (gint32) (watch.later[i].rtp_time - watch.first[i].rtp_time) /
                    watch.first[i].clock_rate;
    g_test_message ("stream %08x: reports %.3f s apart, RTP time %.3f s on", watch.first[i].ssrc,
                    clock_s, rtp_s);
    g_assert_cmpfloat (fabs (rtp_s - clock_s), <, 0.005);
  }
}

static void
test_two_webrtcbins (void)
{
  Loop loop = { 0 };
  g_autoptr (GstSample) picture = NULL;
  const GstStructure *structure;
  gint width = 0, height = 0;
  /* The SMPTE pattern's top bars, left to right: white, yellow, cyan, green, magenta, red, blue
   * (which of red, green and blue each has; a lit one reads high, an unlit one low). */
  static const gboolean bars[7][3] = {
    { 1, 1, 1 }, { 1, 1, 0 }, { 0, 1, 1 }, { 0, 1, 0 }, { 1, 0, 1 }, { 1, 0, 0 }, { 0, 0, 1 },
  };

  loop_start (&loop, "320x240@500", NULL);
  assert_tone_for_a_second (&loop);
  g_assert_cmpuint (lx_receiver_session_packets_received (loop.session), >, 0);
  /* Both left beside webrtcbin (lx-direct-sender.h), with sender reports of their own under one
   * name, so that the classroom can line picture and sound up. */
  g_assert_cmpuint (lx_classroom_get_sent_directly (loop.branch, FALSE), >, 0);
  g_assert_cmpuint (lx_classroom_get_sent_directly (loop.branch, TRUE), >, 0);
  assert_both_streams_reported (&loop);
  assert_reports_follow_the_clock (&loop);
  /* Pictures: the colour bars, where the pattern draws them. */
  picture = lx_playback_get_last_picture (loop.playback);
  g_assert_nonnull (picture);
  structure = gst_caps_get_structure (gst_sample_get_caps (picture), 0);
  gst_structure_get_int (structure, "width", &width);
  gst_structure_get_int (structure, "height", &height);
  g_assert_cmpint (width, ==, 320);
  g_assert_cmpint (height, ==, 240);
  for (guint bar = 0; bar < 7; bar++) {
    guint8 rgb[3];
    read_pixel (picture, (gint) (width * (2 * bar + 1) / 14), height / 3, rgb);
    for (guint c = 0; c < 3; c++)
      if (bars[bar][c] ? rgb[c] < 150 : rgb[c] > 70)
        g_error ("bar %u reads %u,%u,%u: not the pattern's", bar, rgb[0], rgb[1], rgb[2]);
  }
  /* Pictures are shown at their time plus the jitter buffer's 50 ms and the 5 ms allowed for
   * decoding (processing-deadline-ms), not GStreamer's 20. */
  g_assert_cmpuint (classroom_latency_ms (&loop), ==, 50 + 5);

  loop_stop (&loop);
}

static GstTracer *
leaks_tracer (void)
{
  GList *tracers = gst_tracing_get_active_tracers ();
  GstTracer *found = NULL;

  for (GList *l = tracers; l; l = l->next)
    if (found == NULL && g_str_equal (G_OBJECT_TYPE_NAME (l->data), "GstLeaksTracer"))
      found = gst_object_ref (l->data);
  g_list_free_full (tracers, gst_object_unref);
  g_assert_nonnull (found);
  return found;
}

/* How many objects of @type_name are in @field ("objects-created-list" or "objects-removed-list")
 * of a leaks tracer checkpoint. */
static gint
count_in (const GstStructure *checkpoint, const char *field, const char *type_name)
{
  const GValue *list = gst_structure_get_value (checkpoint, field);
  gint count = 0;

  for (guint i = 0; list && i < gst_value_list_get_size (list); i++) {
    const GstStructure *entry = gst_value_get_structure (gst_value_list_get_value (list, i));
    count += g_strcmp0 (gst_structure_get_string (entry, "type-name"), type_name) == 0;
  }
  return count;
}

/* A branch that cannot be built (its own encoder is missing: the naive baseline with a misspelt
 * encoder) is refused with the reason, leaves the pipeline as it was, and leaks nothing (the
 * sanitizer suite's leak check runs this too). */
static void
test_branch_refused (void)
{
  LxSenderConfig config = { 0 };
  g_autoptr (GError) error = NULL;
  LxClassroomContext context = { 0 };
  GstElement *pipeline = gst_object_ref_sink (gst_pipeline_new ("sender"));
  GstElement *capture, *raw_tee;
  LxCaptureSettings capture_settings;
  LxClassroom *branch;
  g_autoptr (GstTracer) tracer = leaks_tracer ();
  g_autoptr (GstStructure) checkpoint = NULL;

  lx_config_set_defaults (lx_sender_config_keys, &config);
  set (lx_sender_config_keys, &config, "layers", "320x240@500");
  set (lx_sender_config_keys, &config, "encoder-per-classroom", "true");
  set (lx_sender_config_keys, &config, "video-encoder", "no-such-encoder");
  set (lx_sender_config_keys, &config, "audio-source", "none");
  set (lx_sender_config_keys, &config, "ice-local-addresses", "127.0.0.1");
  g_assert_true (lx_sender_config_validate (&config, &error));
  lx_sender_config_capture_settings (&config, &capture_settings);
  capture = lx_capture_video_new (&capture_settings, &error);
  g_assert_no_error (error);
  gst_bin_add (GST_BIN (pipeline), capture);
  raw_tee = lx_tee_add_after (pipeline, capture, NULL, "raw-tee", &error);
  g_assert_no_error (error);
  context.config = &config;
  context.pipeline = pipeline;
  context.ice = &config.connection.ice;
  context.video_tees[0] = raw_tee;
  context.n_layers = 1;
  context.video_codec = "H264";
  g_signal_emit_by_name (tracer, "activity-start-tracking");
  branch = lx_classroom_new_publication (&context, "broken", deliver_offer, NULL, &error);
  g_assert_null (branch);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "no-such-encoder"));
  g_assert_cmpint (GST_BIN (pipeline)->numchildren, ==, 2); /* the capture and its tee */
  /* Every element the branch made is gone again. */
  g_signal_emit_by_name (tracer, "activity-get-checkpoint", &checkpoint);
  g_signal_emit_by_name (tracer, "activity-stop-tracking");
  g_assert_nonnull (checkpoint);
  g_assert_cmpint (count_in (checkpoint, "objects-created-list", "GstQueue"), >, 0);
  g_assert_cmpint (count_in (checkpoint, "objects-created-list", "GstQueue"), ==,
                   count_in (checkpoint, "objects-removed-list", "GstQueue"));
  g_assert_cmpint (count_in (checkpoint, "objects-created-list", "GstRtpH264Pay"), ==,
                   count_in (checkpoint, "objects-removed-list", "GstRtpH264Pay"));
  g_assert_cmpint (count_in (checkpoint, "objects-created-list", "GstWebRTCBin"), ==,
                   count_in (checkpoint, "objects-removed-list", "GstWebRTCBin"));
  gst_object_unref (raw_tee);
  gst_object_unref (pipeline);
  lx_config_clear (lx_sender_config_keys, &config);
}

static gboolean
every_drop_settled (gpointer data)
{
  Loop *loop = data;
  LxVideoRepair repair = lx_receiver_session_read_video_repair (loop->session);
  guint dropped = (guint) g_atomic_int_get (&loop->dropped);

  return dropped >= 20 && repair.retransmitted + repair.lost >= dropped;
}

/* A lesson over a link that drops every 25th video packet: the packets given up on,
 * and the ones retransmitted, after repair. The jitter buffers hold 200 ms, what the classroom
 * gives a lossy link (lx-jitter-sizing.h). */
static LxVideoRepair
lossy_lesson (gboolean repair_off, guint *dropped)
{
  Loop loop = { .repair_off = repair_off, .drop_every = 25, .latency_ms = 200 };
  LxVideoRepair repair;
  guint64 frames;

  loop_start (&loop, "320x240@500", NULL);
  frames = lx_playback_get_stats (loop.playback).frames_decoded;
  /* Twenty packets dropped, and each of them mended or given up on by now. */
  g_assert_true (lx_test_wait_until (every_drop_settled, &loop, 30000));
  g_assert_cmpuint (lx_playback_get_stats (loop.playback).frames_decoded, >, frames);
  repair = lx_receiver_session_read_video_repair (loop.session);
  *dropped = (guint) g_atomic_int_get (&loop.dropped);
  loop_stop (&loop);
  return repair;
}

/* Loss repair is worth something, proven against the same lossy link with repair off: with it,
 * retransmissions mend nearly every dropped packet; without, every one is given up on. */
static void
test_repair_against_none (void)
{
  guint dropped_on = 0, dropped_off = 0;
  LxVideoRepair on = lossy_lesson (FALSE, &dropped_on);
  LxVideoRepair off = lossy_lesson (TRUE, &dropped_off);

  g_test_message ("repair on: %u dropped, %" G_GUINT64_FORMAT " retransmitted, %" G_GUINT64_FORMAT
                  " given up on; off: %u dropped, %" G_GUINT64_FORMAT " given up on",
                  dropped_on, on.retransmitted, on.lost, dropped_off, off.lost);
  g_assert_cmpuint (dropped_on, >=, 20);
  g_assert_cmpuint (dropped_off, >=, 20);
  /* Off: nothing asked again, (nearly) every dropped packet lost for good. */
  g_assert_cmpuint (off.retransmission_requests, ==, 0);
  g_assert_cmpuint (off.lost, >=, dropped_off * 8 / 10);
  /* On: the dropped packets came back; few or none were given up on. */
  g_assert_cmpuint (on.retransmitted, >=, dropped_on * 8 / 10);
  g_assert_cmpuint (on.lost, <=, dropped_on / 10);
}

/* Whether @pipeline holds an element named @name. */
static gboolean
has_child (GstElement *pipeline, const char *name)
{
  g_autoptr (GstElement) child = gst_bin_get_by_name (GST_BIN (pipeline), name);

  return child != NULL;
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer counter)
{
  g_atomic_int_inc ((gint *) counter);
  return GST_PAD_PROBE_OK;
}

static gboolean
counted_some (gpointer counter)
{
  return g_atomic_int_get ((gint *) counter) >= 5;
}

/* The VP8 layers run only while a classroom holds them: none before the first, started (and
 * encoding) with it, and still the same encoders for a browser that reloads at once. */
static void
test_vp8_on_demand (void)
{
  Loop loop = { 0 };
  g_autoptr (GError) error = NULL;
  LxClassroomContext first = { 0 }, again = { 0 };
  g_autoptr (GstPad) tee_sink = NULL;
  gint encoded = 0;
  LxLayerSet *vp8;

  build_sender (&loop, "320x240@500,160x120@150", NULL);
  vp8 = lx_layer_set_new (&loop.sender_config, loop.pipeline, loop.raw_tee, LX_VIDEO_CODEC_VP8,
                          TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lx_layer_set_get_n_layers (vp8), ==, 0);
  g_assert_false (has_child (loop.pipeline, "video-encoder-vp8-0"));

  g_assert_true (lx_layer_set_hold (vp8, "browser", &first, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (first.video_codec, ==, LX_VIDEO_CODEC_VP8);
  g_assert_cmpuint (first.n_layers, ==, 2);
  g_assert_nonnull (first.keyframes[1]);
  g_assert_true (has_child (loop.pipeline, "video-encoder-vp8-1"));
  tee_sink = gst_element_get_static_pad (first.video_tees[0], "sink");
  gst_pad_add_probe (tee_sink, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, &encoded, NULL);
  g_assert_true (lx_test_wait_until (counted_some, &encoded, 10000));

  lx_layer_set_release (vp8);
  g_assert_true (lx_layer_set_hold (vp8, "browser", &again, &error));
  g_assert_true (again.video_tees[0] == first.video_tees[0]);
  lx_layer_set_release (vp8);

  gst_element_set_state (loop.pipeline, GST_STATE_NULL);
  lx_layer_set_free (vp8);
  lx_layer_set_free (loop.layers);
  gst_object_unref (loop.raw_tee);
  gst_object_unref (loop.audio_tee);
  gst_object_unref (loop.pipeline);
  lx_config_clear (lx_sender_config_keys, &loop.sender_config);
}

int
main (int argc, char **argv)
{
  /* The leaks tracer counts the objects a refused branch must not leave behind. */
  g_setenv ("GST_TRACERS", "leaks", TRUE);
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/media-loop/two-webrtcbins", test_two_webrtcbins);
  g_test_add_func ("/media-loop/through-webrtcbin", test_through_webrtcbin);
  g_test_add_func ("/media-loop/branch-refused", test_branch_refused);
  g_test_add_func ("/media-loop/layer-switch", test_layer_switch);
  g_test_add_func ("/media-loop/layer-cap", test_layer_cap);
  g_test_add_func ("/media-loop/repair-against-none", test_repair_against_none);
  g_test_add_func ("/media-loop/vp8-on-demand", test_vp8_on_demand);
  return g_test_run ();
}
