/* Decoding chains (see lx-playback.h):
 *
 *   webrtcbin video ─▶ queue ─▶ rtph264depay ─▶ h264parse ─▶ decoder ─▶ videoconvert ─▶ queue ─▶ sink
 *   webrtcbin audio ─▶ queue ─▶ rtpopusdepay ─▶ opusdec ─▶ audioconvert ─▶ audioresample ─▶ sink
 *
 * The depayloader waits for a keyframe and asks for one (RTCP PLI) when data is missing, so the
 * decoder never shows the grey frames of a stream joined mid-way; the frame counter therefore
 * counts only correct pictures. The queue before a synchronised sink keeps the sink's clock wait
 * from stalling the thread that runs jitter buffer, depayloader and decoder. */
#include "lx-playback.h"
#include "lx-capture.h"
#include "lx-echo.h"
#include "lx-snapshot.h"
#include "lx-screen-sink.h"

#include "lx-latency-stamp.h"

#include <gst/base/gstbasesink.h>
#include <gst/video/video.h>

/* What an RTP byte-counting probe needs: the counter, and the lock that guards it. */
typedef struct {
  LxPlayback *playback;
  guint64 *bytes;
} ByteCounter;

/* How long a frozen picture waits before asking for a keyframe again (and again). */
#define KEYFRAME_RETRY_US (400 * G_TIME_SPAN_MILLISECOND)

struct _LxPlayback {
  const LxReceiverConfig *config;
  ByteCounter video_rtp, audio_rtp;
  GMutex lock; /* guards what follows: written from streaming threads */
  LxPlaybackStats stats;
  GstBuffer *last_frame;
  GstCaps *last_caps;
  LxDelayWindow *glass_to_glass;
  LxDelayWindow *decode;
  LxDelayWindow *sound_delay;       /* a beeping probe's: from its source's microphone to here */
  gint64 last_shown_us;             /* monotonic, 0 before the first picture is shown */
  gint64 last_keyframe_request_us;  /* monotonic: our last request for a keyframe, 0 never */
  GstClockTime next_audio_pts;      /* where the next decoded sound should start */
  LxToneMeter tone;                 /* the decoded sound's pitch and loudness */
  GstElement *echo_probe;           /* (nullable) main context: the session's (lx-echo.h) */
  gint screen_width, screen_height; /* X11 full screen: the window's size; 0 otherwise */
  GThread *preloader;               /* loads the chains' plugins ahead of the first media */
};

static const char *const hardware_decoders[] = {
  "nvh264dec", "vah264dec", "vaapih264dec", "v4l2slh264dec", "v4l2h264dec",
};

const char *
lx_playback_pick_video_decoder (void)
{
  static const char *picked = NULL;

  if (g_once_init_enter (&picked)) {
    const char *choice = "avdec_h264";
    for (guint i = 0; i < G_N_ELEMENTS (hardware_decoders); i++) {
      g_autoptr (GstElement) element = gst_element_factory_make (hardware_decoders[i], NULL);
      gboolean usable;
      if (element == NULL)
        continue;
      gst_object_ref_sink (element);
      usable = gst_element_set_state (element, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS;
      gst_element_set_state (element, GST_STATE_NULL);
      if (usable) {
        choice = hardware_decoders[i];
        break;
      }
    }
    g_once_init_leave (&picked, choice);
  }
  return picked;
}

/* Makes (and drops) one element of each kind the decoding chains use, so that their plugins are
 * loaded before the first packet arrives: loading libav as the first video packet came out of the
 * jitter buffer took 45 ms, on the way to the first picture. In a thread of its own, beside the
 * signaling and ICE that the receiver waits for anyway. */
static void
preload (const char *factory)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element)
    gst_object_unref (gst_object_ref_sink (element));
}

static gpointer
preload_plugins (gpointer data)
{
  const LxReceiverConfig *config = data;
  static const char *const always[] = {
    "queue",   "rtph264depay", "h264parse",    "fakesink",
    "opusdec", "rtpopusdepay", "audioconvert", "audioresample",
  };

  for (guint i = 0; i < G_N_ELEMENTS (always); i++)
    preload (always[i]);
  /* (only where pictures are decoded: picking a decoder tries the hardware ones) */
  if (config->decode) {
    preload ("videoconvert");
    preload ("tee");
    preload (g_str_equal (config->video_decoder, "auto") ? lx_playback_pick_video_decoder ()
                                                         : config->video_decoder);
  }
  return NULL;
}

LxPlayback *
lx_playback_new (const LxReceiverConfig *config)
{
  LxPlayback *playback = g_new0 (LxPlayback, 1);

  playback->config = config;
  playback->tone.probe_hz = (guint) config->measure_tone_hz;
  g_mutex_init (&playback->lock);
  playback->video_rtp = (ByteCounter){ playback, &playback->stats.video_bytes };
  playback->audio_rtp = (ByteCounter){ playback, &playback->stats.audio_bytes };
  playback->glass_to_glass = lx_delay_window_new (LX_PLAYBACK_DELAY_WINDOW);
  playback->next_audio_pts = GST_CLOCK_TIME_NONE;
  playback->decode = lx_delay_window_new (LX_PLAYBACK_DELAY_WINDOW);
  playback->sound_delay = lx_delay_window_new (LX_PLAYBACK_DELAY_WINDOW);
  playback->preloader = g_thread_new ("lx-preload", preload_plugins, (gpointer) config);
  return playback;
}

void
lx_playback_free (LxPlayback *playback)
{
  g_thread_join (playback->preloader);
  gst_clear_buffer (&playback->last_frame);
  gst_clear_caps (&playback->last_caps);
  gst_clear_object (&playback->echo_probe);
  lx_delay_window_free (playback->glass_to_glass);
  lx_delay_window_free (playback->decode);
  lx_delay_window_free (playback->sound_delay);
  g_mutex_clear (&playback->lock);
  g_free (playback);
}

LxPlaybackStats
lx_playback_get_stats (LxPlayback *playback)
{
  LxPlaybackStats stats;

  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&playback->lock);
  stats = playback->stats;
  /* A freeze still going on counts too: a screen stuck for good must not read as no freeze. */
  if (playback->last_shown_us && now - playback->last_shown_us > LX_PLAYBACK_FREEZE_MS * 1000)
    stats.freeze_ms += (guint64) (now - playback->last_shown_us) / 1000;
  g_mutex_unlock (&playback->lock);
  stats.glass_to_glass = lx_delay_window_summarize (playback->glass_to_glass);
  stats.sound_delay = lx_delay_window_summarize (playback->sound_delay);
  stats.decode = lx_delay_window_summarize (playback->decode);
  return stats;
}

/* ---- Counting probes ---- */

/* On a depayloader's input: counts the RTP bytes received, for the bitrate. */
static GstPadProbeReturn
count_rtp_bytes (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  ByteCounter *counter = data;
  gsize size = gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));

  g_mutex_lock (&counter->playback->lock);
  *counter->bytes += size;
  g_mutex_unlock (&counter->playback->lock);
  return GST_PAD_PROBE_OK;
}

/* On the video depayloader's input, while the picture is frozen although packets arrive: asks
 * the sender for a keyframe again. After a loss that retransmission could not mend, the
 * depayloader waits for a keyframe and asks once; that request (an RTCP PLI) is lost as easily
 * as media on a lossy link, and without another the picture would stay frozen until the
 * encoder's next periodic keyframe, seconds away. The sender's keyframe gate merges requests,
 * so asking again costs the other classrooms nothing beyond its rate limit. */
static GstPadProbeReturn
ask_again_for_keyframe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxPlayback *playback = data;
  gint64 now = g_get_monotonic_time ();
  gboolean ask;

  g_mutex_lock (&playback->lock);
  ask = playback->last_shown_us && now - playback->last_shown_us >= KEYFRAME_RETRY_US &&
        now - playback->last_keyframe_request_us >= KEYFRAME_RETRY_US;
  if (ask)
    playback->last_keyframe_request_us = now;
  g_mutex_unlock (&playback->lock);
  if (ask) {
    g_debug ("picture frozen with video arriving: asking for a keyframe again");
    gst_pad_push_event (pad,
                        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
  }
  return GST_PAD_PROBE_OK;
}

/* A picture came out of the decoder (under the lock). */
static void
note_picture (LxPlayback *playback)
{
  if (playback->stats.frames_decoded++ == 0)
    playback->stats.first_frame_us = g_get_monotonic_time ();
}

/* A picture reached the screen: a wait over LX_PLAYBACK_FREEZE_MS since the one before is a
 * freeze (the screen showed the same picture all that time). Measured here, at display time,
 * because the decoder's output is bursty by design (the jitter buffer holds packets while a lost
 * one is resent, then lets them all go, still in time to be shown). */
static void
note_shown (LxPlayback *playback)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&playback->lock);
  if (playback->last_shown_us && now - playback->last_shown_us > LX_PLAYBACK_FREEZE_MS * 1000) {
    playback->stats.freezes++;
    playback->stats.freeze_ms += (guint64) (now - playback->last_shown_us) / 1000;
    g_debug ("picture frozen for %" G_GINT64_FORMAT " ms", (now - playback->last_shown_us) / 1000);
  }
  playback->last_shown_us = now;
  g_mutex_unlock (&playback->lock);
}

/* On the decoder's output: counts pictures, notes their size, keeps the last for snapshots (a
 * reference, not a copy). */
static GstPadProbeReturn
count_decoded_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxPlayback *playback = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstVideoInfo video_info;
  gboolean have_info = caps && gst_video_info_from_caps (&video_info, caps);

  g_mutex_lock (&playback->lock);
  note_picture (playback);
  if (have_info) {
    playback->stats.width = GST_VIDEO_INFO_WIDTH (&video_info);
    playback->stats.height = GST_VIDEO_INFO_HEIGHT (&video_info);
  }
  if (playback->config->snapshot) {
    gst_buffer_replace (&playback->last_frame, buffer);
    gst_caps_replace (&playback->last_caps, caps);
  }
  g_mutex_unlock (&playback->lock);
  return GST_PAD_PROBE_OK;
}

/* Where a frame is shown, after the same clock wait as the display (the observer sink's handoff):
 * reads the sender's latency stamp, if any, and records how old the frame is. */
static void
on_frame_shown (GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer data)
{
  LxPlayback *playback = data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstVideoInfo video_info;
  GstVideoFrame frame;
  gint64 stamp_ms, delay_ms = -1;

  note_shown (playback);
  if (caps == NULL || !gst_video_info_from_caps (&video_info, caps) ||
      !gst_video_frame_map (&frame, &video_info, buffer, GST_MAP_READ))
    return;
  if (lx_latency_stamp_read (&frame, &stamp_ms))
    delay_ms = g_get_real_time () / 1000 - stamp_ms;
  gst_video_frame_unmap (&frame);

  if (delay_ms >= 0)
    lx_delay_window_add (playback->glass_to_glass, delay_ms * 1000);
}

/* On the parser's output: one buffer per received picture. Counts keyframes, and, when not
 * decoding, the pictures themselves. */
static GstPadProbeReturn
count_parsed_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxPlayback *playback = data;
  gboolean keyframe =
      !GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info), GST_BUFFER_FLAG_DELTA_UNIT);

  g_mutex_lock (&playback->lock);
  playback->stats.keyframes += keyframe;
  if (!playback->config->decode) {
    g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
    const GstStructure *structure = caps ? gst_caps_get_structure (caps, 0) : NULL;
    note_picture (playback);
    if (structure) {
      gst_structure_get_int (structure, "width", &playback->stats.width);
      gst_structure_get_int (structure, "height", &playback->stats.height);
    }
  }
  g_mutex_unlock (&playback->lock);
  return GST_PAD_PROBE_OK;
}

/* Feeds the decoder's output (signed 16-bit, interleaved) to the tone meter. */
static void
measure_tone (LxPlayback *playback, GstPad *pad, GstBuffer *buffer)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const GstStructure *structure = caps ? gst_caps_get_structure (caps, 0) : NULL;
  gint rate = 0, channels = 0;
  GstMapInfo map;
  gsize frames;

  if (structure == NULL ||
      !g_str_has_prefix (gst_structure_get_string (structure, "format") ?: "", "S16") ||
      !gst_structure_get_int (structure, "rate", &rate) ||
      !gst_structure_get_int (structure, "channels", &channels) || channels <= 0 ||
      !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;
  frames = map.size / (sizeof (gint16) * (gsize) channels);
  lx_tone_meter_add (&playback->tone, (const gint16 *) map.data, frames, (guint) channels,
                     (guint) rate);
  /* A beeping probe (test-tone-beeps) starts on the wall clock's second: how late it is heard
   * here, as decoded now (the buffer's last sample is now), is the sound's delay. */
  if (playback->tone.onset_frame >= 0) {
    gint64 heard_us = g_get_real_time () - (gint64) (frames - (gsize) playback->tone.onset_frame) *
                                               G_USEC_PER_SEC / rate;
    gint64 late_ms = (heard_us / 1000) % 1000;
    /* (a beep is LX_BEEP_MS long, a second apart: later than 800 ms is not one of ours) */
    if (late_ms < 1000 - LX_BEEP_MS)
      lx_delay_window_add (playback->sound_delay, late_ms * 1000);
  }
  gst_buffer_unmap (buffer, &map);
}

static GstPadProbeReturn
count_decoded_audio (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxPlayback *playback = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime duration = GST_BUFFER_DURATION (buffer), pts = GST_BUFFER_PTS (buffer);

  if (!GST_CLOCK_TIME_IS_VALID (duration))
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&playback->lock);
  playback->stats.audio_ms += duration / GST_MSECOND;
  /* Sound missing between two decoded buffers (nothing decoded, nothing concealed) is a gap. */
  if (GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (playback->next_audio_pts) &&
      pts > playback->next_audio_pts + 5 * GST_MSECOND) {
    playback->stats.audio_gap_ms += (pts - playback->next_audio_pts) / GST_MSECOND;
    g_debug ("audio: %" G_GUINT64_FORMAT " ms missing at %" GST_TIME_FORMAT,
             (pts - playback->next_audio_pts) / GST_MSECOND, GST_TIME_ARGS (pts));
  }
  if (GST_CLOCK_TIME_IS_VALID (pts))
    playback->next_audio_pts = pts + duration;
  measure_tone (playback, pad, buffer);
  playback->stats.audio_tone_hz = playback->tone.tone_hz;
  playback->stats.audio_level_permille = playback->tone.level_permille;
  playback->stats.audio_probe_permille = playback->tone.probe_permille;
  g_mutex_unlock (&playback->lock);
  return GST_PAD_PROBE_OK;
}

static void
add_probe (GstElement *element, const char *pad_name, GstPadProbeCallback callback, gpointer data)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, pad_name);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, callback, data, NULL);
}

/* ---- Chains ---- */

/* A synchronised sink shows a frame at its timestamp plus the pipeline's latency, and adds its
 * "processing-deadline" to that latency: the time it allows for decoding and converting. The
 * jitter buffer passes a frame on as soon as it is whole, so decoding has the jitter buffer's
 * delay and this; GStreamer's 20 ms were most of the glass-to-glass delay no stage accounted for. */
static void
set_processing_deadline (LxPlayback *playback, GObject *sink)
{
  if (GST_IS_BASE_SINK (sink))
    g_object_set (sink, "processing-deadline",
                  (guint64) playback->config->processing_deadline_ms * GST_MSECOND, NULL);
}

/* The same for every sink inside a bin made from a description. */
static void
set_processing_deadline_within (LxPlayback *playback, GstBin *bin)
{
  g_autoptr (GstIterator) iterator = gst_bin_iterate_recurse (bin);
  GValue item = G_VALUE_INIT;

  while (gst_iterator_next (iterator, &item) == GST_ITERATOR_OK) {
    set_processing_deadline (playback, g_value_get_object (&item));
    g_value_reset (&item);
  }
  g_value_unset (&item);
}

/* An auto sink's real sink, once it has picked one. */
static void
on_sink_child_added (GstChildProxy *proxy, GObject *child, const char *name, gpointer data)
{
  LxPlayback *playback = data;

  set_processing_deadline (playback, child);
  /* Sinks that can go full screen say so with a "fullscreen" property (waylandsink, ...); kmssink
   * always covers the screen. */
  if (playback->config->fullscreen &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (child), "fullscreen"))
    g_object_set (child, "fullscreen", TRUE, NULL);
}

/* A sink that shows nothing but keeps the display's timing: the latency probe reads frames there.
 * Headless, it is the only video sink. */
static GstElement *
make_observer (LxPlayback *playback)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);

  g_object_set (sink, "sync", playback->config->sink_sync, "async", FALSE, "enable-last-sample",
                FALSE, "signal-handoffs", TRUE, NULL);
  set_processing_deadline (playback, G_OBJECT (sink));
  g_signal_connect (sink, "handoff", G_CALLBACK (on_frame_shown), playback);
  return sink;
}

/* X11 full screen: the sink lx-screen-sink.h describes, or autovideosink if it cannot be made. */
static GstElement *
make_screen_sink (LxPlayback *playback)
{
  g_autofree gchar *description = lx_screen_sink_description (
      playback->screen_width, playback->screen_height, playback->config->sink_sync);
  g_autoptr (GError) error = NULL;
  GstElement *sink = gst_parse_bin_from_description_full (description, TRUE, NULL,
                                                          GST_PARSE_FLAG_FATAL_ERRORS, &error);

  if (sink) {
    set_processing_deadline_within (playback, GST_BIN (sink));
    return sink;
  }
  g_warning ("video: %s: %s; autovideosink instead", description, error->message);
  sink = gst_element_factory_make ("autovideosink", NULL);
  g_signal_connect (sink, "child-added", G_CALLBACK (on_sink_child_added), playback);
  return sink;
}

void
lx_playback_set_screen (LxPlayback *playback, gint width, gint height)
{
  playback->screen_width = width;
  playback->screen_height = height;
}

static GstElement *
make_sink (LxPlayback *playback, gboolean video)
{
  GstElement *sink;

  if (playback->config->headless) {
    if (video)
      return make_observer (playback);
    sink = gst_element_factory_make ("fakesink", NULL);
    g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, NULL);
    return sink;
  }
  if (video && playback->screen_width > 0)
    return make_screen_sink (playback);
  sink = gst_element_factory_make (video ? "autovideosink" : "autoaudiosink", NULL);
  if (video && !playback->config->sink_sync)
    g_object_set (sink, "sync", FALSE, NULL);
  g_signal_connect (sink, "child-added", G_CALLBACK (on_sink_child_added), playback);
  return sink;
}

static GstElement *
make_element (const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);
  if (element == NULL)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "the GStreamer element '%s' is missing", factory);
  return element;
}

/* Adds the elements to @pipeline, links them in order, starts them and links @pad to the first. */
static gboolean
add_chain (GstElement *pipeline, GstPad *pad, GstElement **elements, guint n, GError **error)
{
  g_autoptr (GstPad) sink = NULL;

  for (guint i = 0; i < n; i++) {
    if (elements[i] == NULL) {
      for (guint j = 0; j < n; j++)
        if (elements[j])
          gst_object_unref (gst_object_ref_sink (elements[j]));
      return FALSE;
    }
  }
  for (guint i = 0; i < n; i++)
    gst_bin_add (GST_BIN (pipeline), elements[i]);
  for (guint i = 0; i + 1 < n; i++) {
    if (!gst_element_link (elements[i], elements[i + 1])) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link %s to %s",
                   GST_ELEMENT_NAME (elements[i]), GST_ELEMENT_NAME (elements[i + 1]));
      return FALSE;
    }
  }
  for (guint i = 0; i < n; i++)
    gst_element_sync_state_with_parent (elements[i]);
  sink = gst_element_get_static_pad (elements[0], "sink");
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "cannot link webrtcbin's pad to the decoding chain");
    return FALSE;
  }
  return TRUE;
}

/* tee → queue → observer, beside the display. */
static gboolean
add_observer_branch (LxPlayback *playback, GstElement *pipeline, GstElement *tee, GError **error)
{
  GstElement *queue = make_element ("queue", error);
  GstElement *observer = make_observer (playback);

  if (queue == NULL)
    return FALSE;
  gst_bin_add_many (GST_BIN (pipeline), queue, observer, NULL);
  if (!gst_element_link_many (tee, queue, observer, NULL)) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "cannot link the latency observer");
    return FALSE;
  }
  gst_element_sync_state_with_parent (queue);
  gst_element_sync_state_with_parent (observer);
  return TRUE;
}

static gboolean
link_video (LxPlayback *playback, GstElement *pipeline, GstPad *pad, GError **error)
{
  const LxReceiverConfig *config = playback->config;
  const char *decoder_name = g_str_equal (config->video_decoder, "auto")
                                 ? lx_playback_pick_video_decoder ()
                                 : config->video_decoder;
  GstElement *depayloader = make_element ("rtph264depay", error);
  GstElement *parser = make_element ("h264parse", error);
  GstElement *decoder = NULL, *tee = NULL;
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();

  g_ptr_array_add (chain, make_element ("queue", error));
  g_ptr_array_add (chain, depayloader);
  g_ptr_array_add (chain, parser);
  if (config->decode) {
    decoder = make_element (decoder_name, error);
    g_ptr_array_add (chain, decoder);
    g_ptr_array_add (chain, make_element ("videoconvert", error));
    /* With a display, the latency observer watches beside it (add_observer_branch). */
    if (!config->headless) {
      tee = make_element ("tee", error);
      g_ptr_array_add (chain, tee);
    }
    g_ptr_array_add (chain, make_element ("queue", error));
  }
  g_ptr_array_add (chain, make_sink (playback, TRUE));

  if (depayloader && parser) {
    g_object_set (depayloader, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, NULL);
    add_probe (depayloader, "sink", count_rtp_bytes, &playback->video_rtp);
    add_probe (depayloader, "sink", ask_again_for_keyframe, playback);
    add_probe (parser, "src", count_parsed_frame, playback);
  }
  if (decoder) {
    /* Frame threading holds frames back; slice threading does not. */
    if (g_str_equal (decoder_name, "avdec_h264") &&
        !g_str_equal (config->decoder_threading, "auto"))
      gst_util_set_object_arg (G_OBJECT (decoder), "thread-type", config->decoder_threading);
    g_autoptr (GstPad) decoder_sink = gst_element_get_static_pad (decoder, "sink");
    g_autoptr (GstPad) decoder_src = gst_element_get_static_pad (decoder, "src");
    add_probe (decoder, "src", count_decoded_frame, playback);
    lx_stage_timer_attach (decoder_sink, decoder_src, playback->decode);
  }
  if (!add_chain (pipeline, pad, (GstElement **) chain->pdata, chain->len, error))
    return FALSE;
  if (tee && !add_observer_branch (playback, pipeline, tee, error))
    return FALSE;
  g_message ("video: %s", config->decode ? decoder_name : "counting frames without decoding");
  return TRUE;
}

void
lx_playback_set_echo_probe (LxPlayback *playback, GstElement *probe)
{
  gst_object_replace ((GstObject **) &playback->echo_probe, (GstObject *) probe);
}

static gboolean
link_audio (LxPlayback *playback, GstElement *pipeline, GstPad *pad, GError **error)
{
  /* (the speakers' side of echo cancelling before the sink, or nothing) */
  GstElement *far_end = playback->echo_probe
                            ? lx_echo_far_end_new (playback->echo_probe, playback->config, error)
                            : gst_element_factory_make ("identity", NULL);
  GstElement *elements[] = {
    make_element ("queue", error),         make_element ("rtpopusdepay", error),
    make_element ("opusdec", error),       make_element ("audioconvert", error),
    make_element ("audioresample", error), far_end,
    make_sink (playback, FALSE),
  };

  if (elements[1] && elements[2]) {
    add_probe (elements[1], "sink", count_rtp_bytes, &playback->audio_rtp);
    add_probe (elements[2], "src", count_decoded_audio, playback);
    /* A lost packet is rebuilt from the next one's in-band FEC where the sender sent it, and
     * concealed otherwise: the sound never stops for a lost packet. */
    if (playback->config->loss_recovery)
      g_object_set (elements[2], "use-inband-fec", TRUE, "plc", TRUE, NULL);
  }
  if (!add_chain (pipeline, pad, elements, G_N_ELEMENTS (elements), error))
    return FALSE;
  /* The echo probe learns how late the speakers play from the pipeline's latency, sent to the
   * sinks only when it is worked out again: a chain linked while playing asks for that. */
  if (playback->echo_probe)
    gst_element_post_message (
        elements[G_N_ELEMENTS (elements) - 1],
        gst_message_new_latency (GST_OBJECT (elements[G_N_ELEMENTS (elements) - 1])));
  return TRUE;
}

gboolean
lx_playback_link_pad (LxPlayback *playback, GstElement *pipeline, GstPad *pad, GError **error)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const GstStructure *structure;
  const char *media, *encoding;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  structure = gst_caps_get_structure (caps, 0);
  media = gst_structure_get_string (structure, "media");
  encoding = gst_structure_get_string (structure, "encoding-name");

  if (g_strcmp0 (media, "video") == 0 && g_strcmp0 (encoding, "H264") == 0)
    return link_video (playback, pipeline, pad, error);
  if (g_strcmp0 (media, "audio") == 0 && g_strcmp0 (encoding, "OPUS") == 0)
    return link_audio (playback, pipeline, pad, error);
  g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_CODEC_NOT_FOUND,
               "cannot play %s encoded as %s", media ? media : "unknown media",
               encoding ? encoding : "unknown");
  return FALSE;
}

GstSample *
lx_playback_get_last_picture (LxPlayback *playback)
{
  GstSample *frame = NULL;

  g_mutex_lock (&playback->lock);
  if (playback->last_frame && playback->last_caps)
    frame = gst_sample_new (playback->last_frame, playback->last_caps, NULL, NULL);
  g_mutex_unlock (&playback->lock);
  return frame;
}

gboolean
lx_playback_save_snapshot (LxPlayback *playback, const char *path, GError **error)
{
  g_autoptr (GstSample) frame = lx_playback_get_last_picture (playback);
  return lx_snapshot_save (frame, path, error);
}
