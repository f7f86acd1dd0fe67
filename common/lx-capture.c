/* Capture sources (see lx-capture.h). Device names and file paths are set as properties after
 * parsing, never pasted into the pipeline description. */
#include "lx-capture.h"

/* Parses @description, whose last element is named "capture-caps", into a bin whose one ghost pad
 * "src" is that element's. (Letting the parser ghost every unlinked pad would also ghost the sink
 * of an element waiting for decodebin's dynamic pad, and break that link.) */
static GstElement *
parse_bin (const char *description, GError **error)
{
  GstElement *bin = gst_parse_bin_from_description (description, FALSE, error);
  g_autoptr (GstElement) last = NULL;
  g_autoptr (GstPad) src = NULL;

  if (bin == NULL) {
    g_prefix_error (error, "cannot build '%s': ", description);
    return NULL;
  }
  last = gst_bin_get_by_name (GST_BIN (bin), "capture-caps");
  src = gst_element_get_static_pad (last, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", src));
  return bin;
}

GstElement *
lx_capture_video_new (const LxCaptureSettings *settings, GError **error)
{
  g_autofree gchar *source = NULL;
  g_autofree gchar *description = NULL;
  GstElement *bin;

  if (g_str_equal (settings->video_source, "test")) {
    /* The clock overlay makes the picture move, and shows a newcomer that it is live. */
    source = g_strdup_printf ("videotestsrc is-live=true name=pattern ! "
                              "video/x-raw,width=%d,height=%d,framerate=%d/1 ! "
                              "timeoverlay name=overlay halignment=center valignment=bottom "
                              "font-desc=\"Sans %d\"",
                              settings->width, settings->height, settings->framerate,
                              MAX (8, settings->height / 30));
  } else if (g_str_equal (settings->video_source, "card")) {
    /* A still card (a break): one picture, a dark solid colour with its text in a CJK font,
     * drawn once and repeated live by imagefreeze (the same buffer again: no drawing per frame,
     * and no latency of its own for the compositor to wait for). */
    source = g_strdup_printf ("videotestsrc num-buffers=1 pattern=solid-color "
                              "foreground-color=0xff264653 ! "
                              "video/x-raw,width=%d,height=%d ! "
                              "textoverlay name=overlay halignment=center valignment=center "
                              "font-desc=\"WenQuanYi Zen Hei, Noto Sans CJK SC, Sans %d\" ! "
                              "imagefreeze is-live=true",
                              settings->width, settings->height, MAX (12, settings->height / 14));
  } else if (g_str_equal (settings->video_source, "v4l2")) {
    source = g_strdup ("v4l2src name=camera");
  } else if (g_str_equal (settings->video_source, "screen")) {
    /* use-damage=false: whole frames, not the damaged regions of the last one (which tear under
     * a compositor and cost more than they save at a lesson's frame rate). */
    source = g_strdup ("ximagesrc name=screen use-damage=false show-pointer=true");
  } else {
    if (settings->video_file == NULL) {
      g_set_error_literal (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                           "video-source=file needs video-file to be set");
      return NULL;
    }
    /* identity sync=true paces the file to the clock, as a camera would deliver it. */
    source = g_strdup ("filesrc name=file ! decodebin ! identity sync=true");
  }

  description =
      g_strdup_printf ("%s ! videoconvert ! videoscale ! videorate ! "
                       "capsfilter name=capture-caps "
                       "caps=\"video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1\"",
                       source, settings->width, settings->height, settings->framerate);
  bin = parse_bin (description, error);
  if (bin == NULL)
    return NULL;
  gst_object_set_name (GST_OBJECT (bin), "video-capture");

  if (g_str_equal (settings->video_source, "test")) {
    g_autoptr (GstElement) pattern = gst_bin_get_by_name (GST_BIN (bin), "pattern");
    g_autoptr (GstElement) overlay = gst_bin_get_by_name (GST_BIN (bin), "overlay");
    GParamSpec *spec = g_object_class_find_property (G_OBJECT_GET_CLASS (pattern), "pattern");
    if (g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (spec)->enum_class, settings->test_pattern) ==
        NULL) {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                   "test pattern '%s' is not one of videotestsrc's (gst-inspect-1.0 videotestsrc "
                   "lists them: smpte, ball, snow...)",
                   settings->test_pattern);
      gst_object_unref (gst_object_ref_sink (bin));
      return NULL;
    }
    gst_util_set_object_arg (G_OBJECT (pattern), "pattern", settings->test_pattern);
    g_object_set (overlay, "text", settings->test_text, NULL);
  } else if (g_str_equal (settings->video_source, "card")) {
    g_autoptr (GstElement) overlay = gst_bin_get_by_name (GST_BIN (bin), "overlay");
    g_object_set (overlay, "text", settings->test_text, NULL);
  } else if (g_str_equal (settings->video_source, "v4l2")) {
    g_autoptr (GstElement) camera = gst_bin_get_by_name (GST_BIN (bin), "camera");
    g_object_set (camera, "device", settings->video_device, NULL);
  } else if (g_str_equal (settings->video_source, "screen")) {
    g_autoptr (GstElement) screen = gst_bin_get_by_name (GST_BIN (bin), "screen");
    if (settings->video_device)
      g_object_set (screen, "display-name", settings->video_device, NULL);
  } else if (g_str_equal (settings->video_source, "file")) {
    g_autoptr (GstElement) file = gst_bin_get_by_name (GST_BIN (bin), "file");
    g_object_set (file, "location", settings->video_file, NULL);
  }
  return bin;
}

/* (streaming thread) Silences the tone outside the first LX_BEEP_MS of every wall-clock second.
 * A live source's buffer is captured at its running time: its wall-clock time is now, less how
 * long ago that was. */
static GstPadProbeReturn
beep_on_the_second (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstElement *element = data;
  g_autoptr (GstClock) clock = gst_element_get_clock (element);
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime running;
  gint64 start_us;
  GstMapInfo map;

  if (clock == NULL || !GST_BUFFER_PTS_IS_VALID (buffer))
    return GST_PAD_PROBE_OK;
  running = gst_clock_get_time (clock) - gst_element_get_base_time (element);
  start_us = g_get_real_time () - GST_CLOCK_DIFF (GST_BUFFER_PTS (buffer), running) / 1000;
  buffer = gst_buffer_make_writable (buffer);
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READWRITE))
    return GST_PAD_PROBE_OK;
  /* (S16LE stereo at 48 kHz: 4 bytes a frame) */
  for (gsize frame = 0; frame < map.size / 4; frame++) {
    gint64 at_ms = (start_us + (gint64) frame * G_USEC_PER_SEC / 48000) / 1000;
    if (at_ms % 1000 >= LX_BEEP_MS)
      ((gint32 *) map.data)[frame] = 0;
  }
  gst_buffer_unmap (buffer, &map);
  return GST_PAD_PROBE_OK;
}

GstElement *
lx_capture_audio_new (const LxCaptureSettings *settings, GError **error)
{
  const char *source;
  g_autofree gchar *description = NULL;
  GstElement *bin;

  if (g_str_equal (settings->audio_source, "none"))
    return NULL;
  /* The test tone comes in 10 ms buffers, as a microphone's do (alsasrc's and pulsesrc's
   * latency-time): each 20 ms Opus frame is whole, and sent, when its last buffer arrives. With
   * audiotestsrc's default 1024 samples (21.3 ms) a frame waited 0–21 ms for the buffer holding its
   * end, in a sawtooth, and the classroom read that as a queue of up to 16 ms on its link. */
  if (g_str_equal (settings->audio_source, "test"))
    source = "audiotestsrc is-live=true wave=sine name=tone volume=0.2 samplesperbuffer=480";
  else if (g_str_equal (settings->audio_source, "pulse"))
    source = "pulsesrc name=microphone";
  else
    source = "alsasrc name=microphone";

  description = g_strdup_printf ("%s ! audioconvert ! audioresample ! "
                                 "capsfilter name=capture-caps caps=\"" LX_AUDIO_FORMAT "\"",
                                 source);
  bin = parse_bin (description, error);
  if (bin == NULL)
    return NULL;
  gst_object_set_name (GST_OBJECT (bin), "audio-capture");
  if (g_str_equal (settings->audio_source, "test")) {
    g_autoptr (GstElement) tone = gst_bin_get_by_name (GST_BIN (bin), "tone");
    g_object_set (tone, "freq", (gdouble) settings->test_tone_hz, NULL);
    if (settings->test_tone_beeps) {
      g_autoptr (GstElement) caps = gst_bin_get_by_name (GST_BIN (bin), "capture-caps");
      g_autoptr (GstPad) src = gst_element_get_static_pad (caps, "src");
      gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, beep_on_the_second, caps, NULL);
    }
  } else if (settings->audio_device != NULL) {
    g_autoptr (GstElement) microphone = gst_bin_get_by_name (GST_BIN (bin), "microphone");
    g_object_set (microphone, "device", settings->audio_device, NULL);
  }
  return bin;
}
