/* Encoder bins (see lx-encoder.h):
 *
 *   sink → queue(leaky) → [videoscale → capsfilter WxH] → encoder → h264parse → capssetter → src
 *   sink → opusenc → src
 *
 * The leaky queue drops a raw frame rather than let a slow encoder build up delay; h264parse
 * repeats SPS/PPS before each keyframe so a classroom that joins mid-stream can decode (and so a
 * classroom can move to this layer at any keyframe). The capssetter gives every layer the same
 * H.264 level in its caps: a classroom moving between layers then keeps the RTP caps it negotiated
 * (the level only bounds what the decoder must handle; the largest layer's bound covers all). */
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
configure_video_encoder (GstElement *encoder, const char *factory, const LxSenderConfig *config,
                         guint kbps)
{
  guint gop = (guint) config->keyframe_interval_s * (guint) config->framerate;

  if (g_str_equal (factory, "vp8enc")) {
    /* Real time: a frame's encoding never waits for later frames; error resilience lets a
     * browser decode on after a lost packet. */
    g_object_set (encoder, "deadline", (gint64) 1, "cpu-used", 8, "lag-in-frames", 0,
                  "target-bitrate", (gint) kbps * 1000, "keyframe-max-dist", (gint) gop, "threads",
                  MAX (config->encoder_threads, 1), NULL);
    gst_util_set_object_arg (G_OBJECT (encoder), "end-usage", "cbr");
    gst_util_set_object_arg (G_OBJECT (encoder), "error-resilient", "default");
    return;
  }
  if (g_str_equal (factory, "x264enc")) {
    /* zerolatency: no lookahead, no frame buffering, sliced threads; ultrafast keeps it
     * constrained-baseline, the profile every browser decodes. */
    if (!g_str_equal (config->x264_tune, "none"))
      gst_util_set_object_arg (G_OBJECT (encoder), "tune", config->x264_tune);
    gst_util_set_object_arg (G_OBJECT (encoder), "speed-preset", config->x264_speed_preset);
    g_object_set (encoder, "bitrate", kbps, "key-int-max", gop, "intra-refresh",
                  config->intra_refresh, "threads", (guint) config->encoder_threads,
                  "vbv-buf-capacity", (guint) config->x264_vbv_ms, NULL);
    if (config->bframes >= 0)
      g_object_set (encoder, "bframes", (guint) config->bframes, NULL);
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (hardware_encoders); i++) {
    const EncoderInfo *info = &hardware_encoders[i];
    if (!g_str_equal (info->factory, factory))
      continue;
    if (info->bitrate_property)
      g_object_set (encoder, info->bitrate_property, kbps, NULL);
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

/* The level every layer's caps announce (see the top of this file): 4.0 covers up to 1080p30. */
#define ANNOUNCED_LEVEL "4"

GstElement *
lx_encoder_video_new (const LxSenderConfig *config, guint layer, const char *codec,
                      GstElement **encoder_out, GError **error)
{
  const LxLayerSpec *spec = &config->layer_specs[layer];
  gboolean vp8 = g_strcmp0 (codec, LX_VIDEO_CODEC_VP8) == 0;
  const char *factory = vp8 ? "vp8enc"
                        : g_str_equal (config->video_encoder, "auto")
                            ? lx_encoder_pick_video_encoder ()
                            : config->video_encoder;
  gboolean scaled = spec->width != config->width || spec->height != config->height;
  g_autofree gchar *encoder_name = g_strdup_printf ("encoder-%s%u", vp8 ? "vp8-" : "", layer);
  g_autofree gchar *bin_name = g_strdup_printf ("video-encoder-%s%u", vp8 ? "vp8-" : "", layer);
  g_autoptr (GPtrArray) elements = g_ptr_array_new ();
  GstElement *queue, *encoder, *parser = NULL, *setter = NULL, *filter, *scale_filter = NULL;
  g_autoptr (GstCaps) caps = NULL;

  g_ptr_array_add (elements, queue = make ("queue", NULL, error));
  if (scaled) {
    g_ptr_array_add (elements, make ("videoscale", NULL, error));
    g_ptr_array_add (elements, scale_filter = make ("capsfilter", NULL, error));
  }
  g_ptr_array_add (elements, encoder = make (factory, encoder_name, error));
  if (!vp8) {
    g_ptr_array_add (elements, parser = make ("h264parse", NULL, error));
    g_ptr_array_add (elements, setter = make ("capssetter", NULL, error));
  }
  g_ptr_array_add (elements, filter = make ("capsfilter", NULL, error));
  for (guint i = 0; i < elements->len; i++) {
    if (g_ptr_array_index (elements, i) == NULL) {
      for (guint j = 0; j < elements->len; j++)
        if (g_ptr_array_index (elements, j))
          gst_object_unref (gst_object_ref_sink (g_ptr_array_index (elements, j)));
      return NULL;
    }
  }
  g_debug ("video layer %u: %s, %dx%d at %d fps, %d kbit/s, keyframe every %d s", layer, factory,
           spec->width, spec->height, config->framerate, spec->kbps, config->keyframe_interval_s);

  g_object_set (queue, "max-size-buffers", 2, "max-size-bytes", 0, "max-size-time", (guint64) 0,
                NULL);
  gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");
  if (scale_filter) {
    g_autoptr (GstCaps) size = gst_caps_new_simple ("video/x-raw", "width", G_TYPE_INT, spec->width,
                                                    "height", G_TYPE_INT, spec->height, NULL);
    g_object_set (scale_filter, "caps", size, NULL);
  }
  configure_video_encoder (encoder, factory, config, (guint) spec->kbps);
  if (encoder_out)
    *encoder_out = encoder;
  if (vp8) {
    caps = gst_caps_from_string ("video/x-vp8");
    g_object_set (filter, "caps", caps, NULL);
    return chain_bin (bin_name, (GstElement **) elements->pdata, elements->len, error);
  }
  g_object_set (parser, "config-interval", -1, NULL);
  caps = gst_caps_from_string ("video/x-h264,level=(string)" ANNOUNCED_LEVEL);
  g_object_set (setter, "caps", caps, NULL);
  gst_clear_caps (&caps);
  caps = gst_caps_from_string ("video/x-h264,stream-format=byte-stream,alignment=au");
  g_object_set (filter, "caps", caps, NULL);
  return chain_bin (bin_name, (GstElement **) elements->pdata, elements->len, error);
}

GstElement *
lx_encoder_audio_new (const LxSenderConfig *config, GError **error)
{
  GstElement *elements[1] = { make ("opusenc", "audio-encoder-opus", error) };

  if (elements[0] == NULL)
    return NULL;
  g_object_set (elements[0], "bitrate", config->audio_bitrate_kbps * 1000, NULL);
  gst_util_set_object_arg (G_OBJECT (elements[0]), "frame-size", "20");
  /* In-band FEC: each packet carries a coarse copy of the previous one, so a single lost packet
   * is rebuilt by the receiver's decoder rather than concealed. Opus spends bits on it only when
   * told to expect loss. */
  if (config->loss_recovery)
    g_object_set (elements[0], "inband-fec", TRUE, "packet-loss-percentage", 10, NULL);
  return chain_bin ("audio-encoder", elements, G_N_ELEMENTS (elements), error);
}
