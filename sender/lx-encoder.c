/* Encoder bins (see lx-encoder.h):
 *
 *   sink → queue(leaky) → encoder → h264parse(config-interval=-1) → capsfilter → src
 *   sink → opusenc → src
 *
 * The leaky queue drops a raw frame rather than let a slow encoder build up delay; h264parse
 * repeats SPS/PPS before each keyframe so a classroom that joins mid-stream can decode. */
#include "lx-encoder.h"

/* Hardware H.264 encoders, most preferred first, and their property names for bitrate (kbit/s)
 * and keyframe distance (frames). x264enc is the software fallback. */
typedef struct {
  const char *factory;
  const char *bitrate_property;
  const char *gop_property;
} EncoderInfo;

static const EncoderInfo hardware_encoders[] = {
  { "nvh264enc", "bitrate", "gop-size" },
  { "vah264enc", "bitrate", "key-int-max" },
  { "vaapih264enc", "bitrate", "keyframe-period" },
  { "qsvh264enc", "bitrate", "gop-size" },
  { "v4l2h264enc", NULL, NULL },
};

/* An encoder element exists for a device only if it can open it: try to reach READY. */
static gboolean
encoder_usable (const char *factory)
{
  g_autoptr (GstElement) element = gst_element_factory_make (factory, NULL);
  gboolean usable;

  if (element == NULL)
    return FALSE;
  gst_object_ref_sink (element);
  usable = gst_element_set_state (element, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS;
  gst_element_set_state (element, GST_STATE_NULL);
  return usable;
}

const char *
lx_encoder_pick_video_encoder (void)
{
  static const char *picked = NULL;

  if (g_once_init_enter (&picked)) {
    const char *choice = "x264enc";
    for (guint i = 0; i < G_N_ELEMENTS (hardware_encoders); i++) {
      if (encoder_usable (hardware_encoders[i].factory)) {
        choice = hardware_encoders[i].factory;
        break;
      }
    }
    g_once_init_leave (&picked, choice);
  }
  return picked;
}

static GstElement *
make (const char *factory, const char *name, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, name);
  if (element == NULL)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "the GStreamer element '%s' is missing", factory);
  return element;
}

static void
configure_video_encoder (GstElement *encoder, const char *factory, const LxSenderConfig *config)
{
  guint gop = (guint) config->keyframe_interval_s * (guint) config->framerate;

  if (g_str_equal (factory, "x264enc")) {
    /* zerolatency: no lookahead, no frame buffering, sliced threads; ultrafast keeps it
     * constrained-baseline, the profile every browser decodes. */
    if (!g_str_equal (config->x264_tune, "none"))
      gst_util_set_object_arg (G_OBJECT (encoder), "tune", config->x264_tune);
    gst_util_set_object_arg (G_OBJECT (encoder), "speed-preset", config->x264_speed_preset);
    g_object_set (encoder, "bitrate", (guint) config->video_bitrate_kbps, "key-int-max", gop,
                  "intra-refresh", config->intra_refresh, "threads",
                  (guint) config->encoder_threads, NULL);
    if (config->bframes >= 0)
      g_object_set (encoder, "bframes", (guint) config->bframes, NULL);
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (hardware_encoders); i++) {
    const EncoderInfo *info = &hardware_encoders[i];
    if (!g_str_equal (info->factory, factory))
      continue;
    if (info->bitrate_property)
      g_object_set (encoder, info->bitrate_property, (guint) config->video_bitrate_kbps, NULL);
    if (info->gop_property)
      g_object_set (encoder, info->gop_property, gop, NULL);
  }
}

/* Assembles elements into a named bin, linked in order, with ghost "sink" and "src" pads. */
static GstElement *
chain_bin (const char *name, GstElement **elements, guint n_elements, GError **error)
{
  GstElement *bin = gst_bin_new (name);
  g_autoptr (GstPad) sink = NULL;
  g_autoptr (GstPad) src = NULL;

  for (guint i = 0; i < n_elements; i++)
    gst_bin_add (GST_BIN (bin), elements[i]);
  for (guint i = 0; i + 1 < n_elements; i++) {
    if (!gst_element_link (elements[i], elements[i + 1])) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION, "cannot link %s to %s",
                   GST_ELEMENT_NAME (elements[i]), GST_ELEMENT_NAME (elements[i + 1]));
      gst_object_unref (gst_object_ref_sink (bin));
      return NULL;
    }
  }
  sink = gst_element_get_static_pad (elements[0], "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", sink));
  src = gst_element_get_static_pad (elements[n_elements - 1], "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", src));
  return bin;
}

GstElement *
lx_encoder_video_new (const LxSenderConfig *config, GError **error)
{
  const char *factory = g_str_equal (config->video_encoder, "auto")
                            ? lx_encoder_pick_video_encoder ()
                            : config->video_encoder;
  GstElement *elements[4] = { NULL };
  g_autoptr (GstCaps) caps = NULL;

  elements[0] = make ("queue", "encoder-queue", error);
  elements[1] = make (factory, "encoder", error);
  elements[2] = make ("h264parse", NULL, error);
  elements[3] = make ("capsfilter", NULL, error);
  for (guint i = 0; i < G_N_ELEMENTS (elements); i++) {
    if (elements[i] == NULL) {
      for (guint j = 0; j < G_N_ELEMENTS (elements); j++)
        if (elements[j])
          gst_object_unref (gst_object_ref_sink (elements[j]));
      return NULL;
    }
  }
  g_debug ("video encoder: %s, %dx%d at %d fps, %d kbit/s, keyframe every %d s", factory,
           config->width, config->height, config->framerate, config->video_bitrate_kbps,
           config->keyframe_interval_s);

  g_object_set (elements[0], "max-size-buffers", 2, "max-size-bytes", 0, "max-size-time",
                (guint64) 0, NULL);
  gst_util_set_object_arg (G_OBJECT (elements[0]), "leaky", "downstream");
  configure_video_encoder (elements[1], factory, config);
  g_object_set (elements[2], "config-interval", -1, NULL);
  caps = gst_caps_from_string ("video/x-h264,stream-format=byte-stream,alignment=au");
  g_object_set (elements[3], "caps", caps, NULL);
  return chain_bin ("video-encoder", elements, G_N_ELEMENTS (elements), error);
}

GstElement *
lx_encoder_audio_new (const LxSenderConfig *config, GError **error)
{
  GstElement *elements[1] = { make ("opusenc", "audio-encoder-opus", error) };

  if (elements[0] == NULL)
    return NULL;
  g_object_set (elements[0], "bitrate", config->audio_bitrate_kbps * 1000, NULL);
  gst_util_set_object_arg (G_OBJECT (elements[0]), "frame-size", "20");
  return chain_bin ("audio-encoder", elements, G_N_ELEMENTS (elements), error);
}
