/* The lesson's picture (see lx-lesson-picture.h). */
#include "lx-lesson-picture.h"

/* The insets: this fraction of the picture's width each, 16:9 (the classrooms' pictures are),
 * side by side from the bottom-right corner leftwards, a margin apart. */
#define INSET_WIDTH_PERCENT 30
#define MARGIN_DIVISOR 64

struct _LxLessonPicture {
  GstElement *pipeline;
  GstElement *compositor;
  GstElement *output; /* the capsfilter after it */
  GPtrArray *insets;  /* GstPad*: the compositor's pads for the classrooms, first called first */
  gint width, height;
};

LxLessonPicture *
lx_lesson_picture_new (GstElement *pipeline, GstElement *capture, gint width, gint height, gint fps,
                       GError **error)
{
  LxLessonPicture *picture = g_new0 (LxLessonPicture, 1);
  g_autoptr (GstCaps) caps = gst_caps_new_simple (
      "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, width, "height",
      G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION, fps, 1, NULL);
  g_autoptr (GstPad) teacher = NULL;
  g_autoptr (GstPad) capture_src = NULL;

  picture->pipeline = gst_object_ref (pipeline);
  picture->insets = g_ptr_array_new_with_free_func (gst_object_unref);
  picture->width = width;
  picture->height = height;
  picture->compositor = gst_element_factory_make ("compositor", "lesson-picture");
  picture->output = gst_element_factory_make ("capsfilter", "lesson-picture-caps");
  if (picture->compositor == NULL || picture->output == NULL) {
    g_set_error_literal (
        error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "the GStreamer element 'compositor' is missing (gstreamer1.0-plugins-base)");
    gst_clear_object (&picture->compositor);
    gst_clear_object (&picture->output);
    lx_lesson_picture_free (picture);
    return NULL;
  }
  gst_object_ref_sink (picture->compositor);
  gst_object_ref_sink (picture->output);
  g_object_set (picture->output, "caps", caps, NULL);
  gst_bin_add_many (GST_BIN (pipeline), picture->compositor, picture->output, NULL);
  teacher = gst_element_request_pad_simple (picture->compositor, "sink_%u");
  g_object_set (teacher, "xpos", 0, "ypos", 0, "width", width, "height", height, "zorder", 0, NULL);
  capture_src = gst_element_get_static_pad (capture, "src");
  if (gst_pad_link (capture_src, teacher) != GST_PAD_LINK_OK ||
      !gst_element_link (picture->compositor, picture->output)) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "cannot link the teacher's camera to the lesson's picture");
    lx_lesson_picture_free (picture);
    return NULL;
  }
  gst_element_sync_state_with_parent (picture->compositor);
  gst_element_sync_state_with_parent (picture->output);
  return picture;
}

void
lx_lesson_picture_free (LxLessonPicture *picture)
{
  if (picture == NULL)
    return;
  g_ptr_array_unref (picture->insets);
  gst_clear_object (&picture->compositor);
  gst_clear_object (&picture->output);
  gst_object_unref (picture->pipeline);
  g_free (picture);
}

GstElement *
lx_lesson_picture_get_output (LxLessonPicture *picture)
{
  return picture->output;
}

static void
place_insets (LxLessonPicture *picture)
{
  gint width = picture->width * INSET_WIDTH_PERCENT / 100;
  gint height = width * 9 / 16;
  gint margin = picture->width / MARGIN_DIVISOR;

  for (guint i = 0; i < picture->insets->len; i++)
    g_object_set (picture->insets->pdata[i], "xpos",
                  picture->width - (gint) (i + 1) * (width + margin), "ypos",
                  picture->height - height - margin, "width", width, "height", height, "zorder",
                  (guint) i + 1, NULL);
}

/* (streaming thread) A classroom's frames carry the times the network gave them, later than the
 * teacher's camera by the trip and the jitter buffer: the compositor would find each too old
 * for the frame it makes and drop it. Each is restamped with the time it arrives, in a segment
 * of our own (running time = timestamp), so it shows in the next frame made. */
static GstPadProbeReturn
restamp_on_arrival (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstElement *compositor = data;
  GstBuffer *buffer;
  g_autoptr (GstClock) clock = NULL;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    GstSegment segment;
    if (GST_EVENT_TYPE (event) != GST_EVENT_SEGMENT)
      return GST_PAD_PROBE_OK;
    gst_segment_init (&segment, GST_FORMAT_TIME);
    GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_segment (&segment);
    gst_event_unref (event);
    return GST_PAD_PROBE_OK;
  }
  clock = gst_element_get_clock (compositor);
  if (clock == NULL)
    return GST_PAD_PROBE_DROP;
  buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_BUFFER_PTS (buffer) = gst_clock_get_time (clock) - gst_element_get_base_time (compositor);
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buffer) = GST_CLOCK_TIME_NONE;
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  return GST_PAD_PROBE_OK;
}

GstPad *
lx_lesson_picture_add_inset (LxLessonPicture *picture)
{
  GstPad *inset = gst_element_request_pad_simple (picture->compositor, "sink_%u");

  gst_pad_add_probe (inset, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     restamp_on_arrival, picture->compositor, NULL);
  g_ptr_array_add (picture->insets, gst_object_ref (inset));
  place_insets (picture);
  return inset;
}

void
lx_lesson_picture_remove_inset (LxLessonPicture *picture, GstPad *input)
{
  if (!g_ptr_array_remove (picture->insets, input))
    return;
  gst_element_release_request_pad (picture->compositor, input);
  place_insets (picture);
}

guint
lx_lesson_picture_count_insets (LxLessonPicture *picture)
{
  return picture->insets->len;
}
