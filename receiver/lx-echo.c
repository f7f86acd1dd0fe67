/* Echo cancelling (see lx-echo.h). Both ends in LX_AUDIO_FORMAT: webrtcdsp wants the same rate
 * on both. */
#include "lx-echo.h"

#include "lx-capture.h"

#include <math.h>

GstElement *
lx_echo_probe_new (void)
{
  static gint serial;
  g_autofree gchar *name = g_strdup_printf ("lx-echo-probe-%d", g_atomic_int_add (&serial, 1));
  GstElement *probe = gst_element_factory_make ("webrtcechoprobe", name);

  if (probe == NULL) {
    g_warning ("echo cancelling: the GStreamer element 'webrtcechoprobe' is missing "
               "(gstreamer1.0-plugins-bad); the microphone goes uncancelled");
    return NULL;
  }
  return gst_object_ref_sink (probe);
}

/* (transfer floating) A new @factory, or NULL with @error. */
static GstElement *
make (const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "echo cancelling: the GStreamer element '%s' is missing", factory);
  return element;
}

static void
add_ghost (GstElement *bin, GstElement *element, const char *pad_name, const char *ghost_name)
{
  g_autoptr (GstPad) pad = gst_element_get_static_pad (element, pad_name);
  gst_element_add_pad (bin, gst_ghost_pad_new (ghost_name, pad));
}

GstElement *
lx_echo_far_end_new (GstElement *probe, const LxReceiverConfig *config, GError **error)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string (LX_AUDIO_FORMAT);
  GstElement *bin, *format, *played, *to_speakers, *to_room, *room;

  /* (a probe goes on one playback path: a second sound stream in the session plays without) */
  if (GST_OBJECT_PARENT (probe) != NULL) {
    g_warning ("echo cancelling: a second sound stream; it plays beside the echo probe");
    return gst_element_factory_make ("identity", NULL);
  }
  format = make ("capsfilter", error);
  if (format == NULL)
    return NULL;
  bin = gst_bin_new (NULL);
  g_object_set (format, "caps", caps, NULL);
  /* (the bin takes a reference of its own on the probe) */
  gst_bin_add_many (GST_BIN (bin), format, probe, NULL);
  gst_element_link (format, probe);
  add_ghost (bin, format, "sink", "sink");
  if (config->simulated_echo_ms <= 0) {
    add_ghost (bin, probe, "src", "src");
    return bin;
  }
  /* The simulated echo leaves beside the speakers, through a leaky queue (a test's echo path
   * never holds the lesson's sound), and enters the room when the speakers would play it (sync:
   * a headless classroom's own sink plays as soon as it decodes). */
  room = make ("interaudiosink", error);
  if (room == NULL) {
    gst_object_unref (gst_object_ref_sink (bin));
    return NULL;
  }
  played = gst_element_factory_make ("tee", NULL);
  to_speakers = gst_element_factory_make ("queue", NULL);
  to_room = gst_element_factory_make ("queue", NULL);
  g_object_set (to_room, "leaky", 2 /* downstream */, "max-size-time", 200 * GST_MSECOND, NULL);
  g_object_set (room, "channel", GST_OBJECT_NAME (probe), "sync", TRUE, "async", FALSE, NULL);
  gst_bin_add_many (GST_BIN (bin), played, to_speakers, to_room, room, NULL);
  gst_element_link_many (probe, played, to_speakers, NULL);
  gst_element_link_many (played, to_room, room, NULL);
  add_ghost (bin, to_speakers, "src", "src");
  return bin;
}

GstElement *
lx_echo_near_end_new (const char *probe_name, const LxReceiverConfig *config, GError **error)
{
  g_autoptr (GString) description = g_string_new (NULL);
  GstElement *bin;
  g_autoptr (GstElement) first = NULL;
  g_autoptr (GstElement) last = NULL;
  gboolean cancel = probe_name && config->echo_cancel;
  const char *canceller = cancel ? "webrtcdsp name=last" : "identity name=last";

  if (config->simulated_echo_ms > 0)
    /* The room: the microphone hears the speakers simulated_echo_ms later, that much quieter
     * (the mixer waits for the delayed echo). */
    g_string_append_printf (
        description,
        "audiomixer name=room latency=%" G_GUINT64_FORMAT " ! capsfilter caps=\"" LX_AUDIO_FORMAT
        "\" ! %s  identity name=first ! room.  interaudiosrc channel=%s ! capsfilter "
        "caps=\"" LX_AUDIO_FORMAT "\" ! identity ts-offset=%" G_GINT64_FORMAT
        " ! volume volume=%f ! room.",
        (guint64) (config->simulated_echo_ms + 50) * GST_MSECOND, canceller,
        probe_name ? probe_name : "lx-no-echo-probe",
        (gint64) config->simulated_echo_ms * GST_MSECOND,
        pow (10.0, config->simulated_echo_db / 20.0));
  else
    g_string_append_printf (description, "identity name=first ! %s", canceller);
  bin = gst_parse_bin_from_description (description->str, FALSE, error);
  if (bin == NULL) {
    g_prefix_error (error, "echo cancelling, the microphone's side: ");
    return NULL;
  }
  first = gst_bin_get_by_name (GST_BIN (bin), "first");
  last = gst_bin_get_by_name (GST_BIN (bin), "last");
  /* Not delay-agnostic: that mode pairs each 10 ms of the microphone with the next 10 ms the
   * probe holds, and the two drift apart — in the benchmark the echo came back after ~10 s, 7 dB
   * below instead of 60. Aligned by the buffers' times (the probe's: when the speakers play, its
   * buffer's running time plus the pipeline's latency), it held 60 dB for the whole run. */
  if (cancel)
    g_object_set (last, "probe", probe_name, "echo-cancel", TRUE, "delay-agnostic", FALSE, NULL);
  add_ghost (bin, first, "sink", "sink");
  add_ghost (bin, last, "src", "src");
  return bin;
}
