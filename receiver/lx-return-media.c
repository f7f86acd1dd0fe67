/* A classroom's picture and voice back to the teacher (see lx-return-media.h). */
#include "lx-return-media.h"
#include "lx-packet-probe.h"
#include "lx-capture.h"
#include "lx-echo.h"
#include "lx-tone-meter.h"

#include <gst/webrtc/webrtc.h>

struct _LxReturnMedia {
  GstElement *pipeline;
  GPtrArray *bins;        /* GstElement*: what was added to the pipeline, removed on free */
  GstElement *valve;      /* (nullable) the microphone's packets' gate */
  gint frames_sent;       /* the camera's encoded frames; atomic */
  GMutex lock;            /* for microphone: written by the microphone's streaming thread */
  LxToneMeter microphone; /* what the microphone sends (after echo cancelling), all along */
  gboolean echo_cancelling;
};

/* (streaming thread) Measures what the microphone sends, before its encoder. */
static GstPadProbeReturn
measure_microphone (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxReturnMedia *media = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&media->lock);
  /* (LX_AUDIO_FORMAT, lx-capture.h: S16LE, 48 kHz, stereo) */
  lx_tone_meter_add (&media->microphone, (const gint16 *) map.data, map.size / 4, 2, 48000);
  g_mutex_unlock (&media->lock);
  gst_buffer_unmap (buffer, &map);
  return GST_PAD_PROBE_OK;
}

/* The m-line's direction as written in @media: "sendonly", "recvonly", "inactive" or
 * "sendrecv". */
static const char *
direction_of (const GstSDPMedia *media)
{
  const char *const directions[] = { "sendonly", "recvonly", "inactive", "sendrecv" };

  for (guint i = 0; i < G_N_ELEMENTS (directions); i++)
    if (gst_sdp_media_get_attribute_val (media, directions[i]))
      return directions[i];
  return "sendrecv";
}

/* (transfer floating) The encoding half of a return stream: raw media in, RTP with payload type
 * @pt out, as a bin with ghost pads "sink" and "src". */
static GstElement *
encoder_bin (const LxReceiverConfig *config, gboolean video, guint pt, GError **error)
{
  g_autofree gchar *description =
      video ? g_strdup_printf (
                  "videoconvert ! x264enc name=encoder tune=zerolatency speed-preset=ultrafast "
                  "bitrate=%d key-int-max=%d bframes=0 ! "
                  "video/x-h264,profile=constrained-baseline,stream-format=byte-stream,"
                  "alignment=au ! "
                  "rtph264pay config-interval=-1 aggregate-mode=zero-latency pt=%u",
                  config->return_video_kbps, config->return_video_fps * 2, pt)
            : g_strdup_printf ("opusenc bitrate=32000 frame-size=20 inband-fec=true ! "
                               "rtpopuspay pt=%u ! valve name=valve drop=true",
                               pt);
  GstElement *bin = gst_parse_bin_from_description (description, TRUE, error);

  if (bin == NULL)
    g_prefix_error (error, "the classroom's %s to the teacher: ", video ? "picture" : "voice");
  return bin;
}

/* Links capture → encoder → a new sending transceiver of webrtcbin's whose codec preferences are
 * exactly @offered's format @pt: webrtcbin 1.22 makes no transceiver for an offer's m-line before
 * the answer, and then gives it the first unclaimed transceiver whose caps meet the m-line's —
 * the payload type keeps it from taking the lesson's own m-lines. */
static gboolean
attach_stream (LxReturnMedia *media, const LxReceiverConfig *config, GstElement *webrtc,
               const GstSDPMedia *offered, gboolean video, guint pt, const char *echo_probe,
               GError **error)
{
  const LxCaptureSettings settings = {
    .video_source = config->camera,
    .video_device = config->camera_device,
    .test_pattern = "ball",
    .test_text = config->connection.school,
    .width = config->return_video_width,
    .height = config->return_video_height,
    .framerate = config->return_video_fps,
    .audio_source = config->microphone,
    .audio_device = config->microphone_device,
    .test_tone_hz = config->test_tone_hz,
    .test_tone_beeps = config->test_tone_beeps,
  };
  g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autoptr (GstCaps) preferences = gst_sdp_media_get_caps_from_media (offered, (gint) pt);
  GstElement *capture, *encoder, *near_end = NULL;
  g_autoptr (GstPad) encoder_src = NULL;
  g_autoptr (GstPad) webrtc_sink = NULL;

  if (preferences == NULL) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                 "the sender's offer describes no payload type %u", pt);
    return FALSE;
  }
  /* (the SDP library names them application/x-unknown) */
  gst_structure_set_name (gst_caps_get_structure (preferences, 0), "application/x-rtp");
  gst_caps_set_simple (preferences, "media", G_TYPE_STRING, video ? "video" : "audio", NULL);
  capture =
      video ? lx_capture_video_new (&settings, error) : lx_capture_audio_new (&settings, error);
  if (capture == NULL)
    return FALSE;
  encoder = encoder_bin (config, video, pt, error);
  if (encoder && !video)
    near_end = lx_echo_near_end_new (echo_probe, config, error);
  if (encoder == NULL || (!video && near_end == NULL)) {
    gst_object_unref (gst_object_ref_sink (capture));
    if (encoder)
      gst_object_unref (gst_object_ref_sink (encoder));
    return FALSE;
  }
  gst_bin_add_many (GST_BIN (media->pipeline), capture, encoder, NULL);
  g_ptr_array_add (media->bins, gst_object_ref (capture));
  g_ptr_array_add (media->bins, gst_object_ref (encoder));
  if (near_end) {
    g_autoptr (GstPad) sent = gst_element_get_static_pad (encoder, "sink");
    gst_bin_add (GST_BIN (media->pipeline), near_end);
    g_ptr_array_add (media->bins, gst_object_ref (near_end));
    gst_element_link_many (capture, near_end, encoder, NULL);
    gst_pad_add_probe (sent, GST_PAD_PROBE_TYPE_BUFFER, measure_microphone, media, NULL);
    media->echo_cancelling = echo_probe != NULL && config->echo_cancel;
  } else {
    gst_element_link (capture, encoder);
  }
  if (!video)
    media->valve = gst_bin_get_by_name (GST_BIN (encoder), "valve");
  encoder_src = gst_element_get_static_pad (encoder, "src");
  if (video) {
    g_autoptr (GstElement) x264 = gst_bin_get_by_name (GST_BIN (encoder), "encoder");
    g_autoptr (GstPad) frames = gst_element_get_static_pad (x264, "src");
    lx_buffer_counter_add (frames, &media->frames_sent);
  }

  webrtc_sink = gst_element_request_pad_simple (webrtc, "sink_%u");
  g_object_get (webrtc_sink, "transceiver", &transceiver, NULL);
  g_object_set (transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                "codec-preferences", preferences, NULL);
  if (gst_pad_link (encoder_src, webrtc_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                 "cannot link the classroom's %s to webrtcbin", video ? "picture" : "voice");
    return FALSE;
  }
  gst_element_sync_state_with_parent (encoder);
  if (near_end)
    gst_element_sync_state_with_parent (near_end);
  gst_element_sync_state_with_parent (capture);
  g_message ("classroom %s: its %s goes to the teacher (payload type %u)",
             config->connection.school, video ? "picture" : "microphone", pt);
  return TRUE;
}

LxReturnMedia *
lx_return_media_attach (const LxReceiverConfig *config, GstElement *pipeline, GstElement *webrtc,
                        const GstSDPMessage *offer, const char *echo_probe, GError **error)
{
  g_autoptr (LxReturnMedia) media = g_new0 (LxReturnMedia, 1);

  g_mutex_init (&media->lock);
  media->microphone.probe_hz = (guint) config->measure_tone_hz;
  media->microphone.probe_dbfs = -120;
  media->pipeline = gst_object_ref (pipeline);
  media->bins = g_ptr_array_new_with_free_func (gst_object_unref);
  for (guint i = 0; i < gst_sdp_message_medias_len (offer); i++) {
    const GstSDPMedia *sdp_media = gst_sdp_message_get_media (offer, i);
    const char *kind = gst_sdp_media_get_media (sdp_media);
    gboolean video = g_strcmp0 (kind, "video") == 0;
    const char *source = video ? config->camera : config->microphone;

    if (!g_str_equal (direction_of (sdp_media), "recvonly") ||
        gst_sdp_media_formats_len (sdp_media) == 0 || g_str_equal (source, "none") ||
        (!video && g_strcmp0 (kind, "audio") != 0))
      continue;
    if (!attach_stream (
            media, config, webrtc, sdp_media, video,
            (guint) g_ascii_strtoull (gst_sdp_media_get_format (sdp_media, 0), NULL, 10),
            echo_probe, error))
      return NULL;
  }
  return g_steal_pointer (&media);
}

void
lx_return_media_free (LxReturnMedia *media)
{
  if (media == NULL)
    return;
  /* (the pipeline is stopped first by its owner, or still running: either way they go) */
  for (guint i = 0; i < media->bins->len; i++) {
    GstElement *bin = media->bins->pdata[i];
    gst_element_set_state (bin, GST_STATE_NULL);
    if (GST_OBJECT_PARENT (bin) == GST_OBJECT (media->pipeline))
      gst_bin_remove (GST_BIN (media->pipeline), bin);
  }
  g_ptr_array_unref (media->bins);
  gst_clear_object (&media->valve);
  g_mutex_clear (&media->lock);
  gst_object_unref (media->pipeline);
  g_free (media);
}

gboolean
lx_return_media_set_aside (LxReturnMedia *media, GstObject *source)
{
  for (guint i = 0; i < media->bins->len; i++) {
    GstElement *bin = media->bins->pdata[i];
    if (source == GST_OBJECT (bin) || gst_object_has_as_ancestor (source, GST_OBJECT (bin))) {
      /* (from the main context, not the streaming thread that posted the error) */
      gst_element_set_locked_state (bin, TRUE);
      gst_element_set_state (bin, GST_STATE_NULL);
      return TRUE;
    }
  }
  return FALSE;
}

void
lx_return_media_set_microphone_open (LxReturnMedia *media, gboolean open)
{
  if (media->valve)
    g_object_set (media->valve, "drop", !open, NULL);
}

guint64
lx_return_media_get_frames_sent (LxReturnMedia *media)
{
  return (guint64) g_atomic_int_get (&media->frames_sent);
}

gboolean
lx_return_media_is_microphone_open (LxReturnMedia *media)
{
  gboolean drop = TRUE;

  if (media->valve)
    g_object_get (media->valve, "drop", &drop, NULL);
  return !drop;
}

LxReturnMicrophone
lx_return_media_get_microphone (LxReturnMedia *media)
{
  LxReturnMicrophone microphone;

  g_mutex_lock (&media->lock);
  microphone.level_permille = media->microphone.level_permille;
  microphone.probe_dbfs = media->microphone.probe_dbfs;
  g_mutex_unlock (&media->lock);
  microphone.echo_cancelling = media->echo_cancelling;
  return microphone;
}
