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
lx_capture_video_new (const LxSenderConfig *config, GError **error)
{
  g_autofree gchar *source = NULL;
  g_autofree gchar *description = NULL;
  GstElement *bin;

  if (g_str_equal (config->video_source, "test")) {
    /* The clock overlay makes the picture move, and shows a newcomer that it is live. */
    source =
        g_strdup_printf ("videotestsrc is-live=true pattern=%s ! "
                         "video/x-raw,width=%d,height=%d,framerate=%d/1 ! "
                         "timeoverlay halignment=center valignment=bottom font-desc=\"Sans 24\" "
                         "text=\"Lianxiao test lesson\"",
                         config->test_pattern, config->width, config->height, config->framerate);
  } else if (g_str_equal (config->video_source, "v4l2")) {
    source = g_strdup ("v4l2src name=camera");
  } else {
    if (config->video_file == NULL) {
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
                       source, config->width, config->height, config->framerate);
  bin = parse_bin (description, error);
  if (bin == NULL)
    return NULL;
  gst_object_set_name (GST_OBJECT (bin), "video-capture");

  if (g_str_equal (config->video_source, "v4l2")) {
    g_autoptr (GstElement) camera = gst_bin_get_by_name (GST_BIN (bin), "camera");
    g_object_set (camera, "device", config->video_device, NULL);
  } else if (g_str_equal (config->video_source, "file")) {
    g_autoptr (GstElement) file = gst_bin_get_by_name (GST_BIN (bin), "file");
    g_object_set (file, "location", config->video_file, NULL);
  }
  return bin;
}

GstElement *
lx_capture_audio_new (const LxSenderConfig *config, GError **error)
{
  const char *source;
  g_autofree gchar *description = NULL;
  GstElement *bin;

  if (g_str_equal (config->audio_source, "none"))
    return NULL;
  /* The test tone comes in 10 ms buffers, as a microphone's do (alsasrc's and pulsesrc's
   * latency-time): each 20 ms Opus frame is whole, and sent, when its last buffer arrives. With
   * audiotestsrc's default 1024 samples (21.3 ms) a frame waited 0–21 ms for the buffer holding its
   * end, in a sawtooth, and the classroom read that as a queue of up to 16 ms on its link. */
  if (g_str_equal (config->audio_source, "test"))
    source = "audiotestsrc is-live=true wave=sine freq=440 volume=0.2 samplesperbuffer=480";
  else if (g_str_equal (config->audio_source, "pulse"))
    source = "pulsesrc name=microphone";
  else
    source = "alsasrc name=microphone";

  description =
      g_strdup_printf ("%s ! audioconvert ! audioresample ! "
                       "capsfilter name=capture-caps caps=\"audio/x-raw,rate=48000,channels=2\"",
                       source);
  bin = parse_bin (description, error);
  if (bin == NULL)
    return NULL;
  gst_object_set_name (GST_OBJECT (bin), "audio-capture");
  if (config->audio_device != NULL && !g_str_equal (config->audio_source, "test")) {
    g_autoptr (GstElement) microphone = gst_bin_get_by_name (GST_BIN (bin), "microphone");
    g_object_set (microphone, "device", config->audio_device, NULL);
  }
  return bin;
}
