/* The lesson's picture (see lx-lesson-picture.h). */
#include "lx-lesson-picture.h"

#include "lx-capture.h"
#include "lx-pads.h"

/* The insets: this fraction of the picture's width each, 16:9 (the classrooms' pictures are),
 * side by side from the bottom-right corner leftwards, a margin apart. */
#define INSET_WIDTH_PERCENT 30
#define MARGIN_DIVISOR 64

/* The camera over the screen: this fraction of the picture's width, in the top-right corner. */
#define CAMERA_INSET_PERCENT 25
/* Above the insets (zorder 1 + their index): the hold card covers everything. */
#define HOLD_ZORDER 100

struct _LxLessonPicture {
  GstElement *pipeline;
  GstElement *compositor;
  GstElement *output;                         /* the capsfilter after it */
  GstElement *camera;                         /* the camera's capture bin (the pipeline holds it) */
  GstPad *camera_pad, *screen_pad, *hold_pad; /* compositor inputs; screen_pad nullable */
  LxPictureSource source;
  GPtrArray *insets; /* GstPad*: the compositor's pads for the classrooms, first called first */
  gint width, height;
};

static const char *const source_names[] = { "camera", "screen", "screen-camera", "hold" };

const char *
lx_picture_source_to_string (LxPictureSource source)
{
  return source_names[source];
}

gboolean
lx_picture_source_from_string (const char *text, LxPictureSource *source)
{
  for (guint i = 0; i < G_N_ELEMENTS (source_names); i++) {
    if (g_strcmp0 (text, source_names[i]) == 0) {
      *source = (LxPictureSource) i;
      return TRUE;
    }
  }
  return FALSE;
}

/* (transfer full) A compositor input for @capture's "src" pad, or NULL if it cannot link. */
static GstPad *
link_input (LxLessonPicture *picture, GstElement *capture, guint zorder)
{
  GstPad *input = gst_element_request_pad_simple (picture->compositor, "sink_%u");
  g_autoptr (GstPad) src = gst_element_get_static_pad (capture, "src");

  g_object_set (input, "xpos", 0, "ypos", 0, "width", picture->width, "height", picture->height,
                "zorder", zorder, "alpha", 0.0, NULL);
  if (gst_pad_link (src, input) != GST_PAD_LINK_OK) {
    gst_element_release_request_pad (picture->compositor, input);
    gst_object_unref (input);
    return NULL;
  }
  return input;
}

/* (transfer floating) The hold card, added to the pipeline; NULL with @error. */
static GstElement *
make_hold_card (LxLessonPicture *picture, const char *text, gint fps, GError **error)
{
  LxCaptureSettings card = { .video_source = "card",
                             .test_text = text,
                             .width = picture->width,
                             .height = picture->height,
                             .framerate = fps };
  GstElement *bin = lx_capture_video_new (&card, error);

  if (bin == NULL)
    return NULL;
  gst_object_set_name (GST_OBJECT (bin), "hold-card");
  gst_bin_add (GST_BIN (picture->pipeline), bin);
  return bin;
}

LxLessonPicture *
lx_lesson_picture_new (GstElement *pipeline, GstElement *camera, GstElement *screen,
                       const char *hold_text, gint width, gint height, gint fps, GError **error)
{
  LxLessonPicture *picture = g_new0 (LxLessonPicture, 1);
  g_autoptr (GstCaps) caps = gst_caps_new_simple (
      "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, width, "height",
      G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION, fps, 1, NULL);
  GstElement *hold;

  picture->pipeline = gst_object_ref (pipeline);
  picture->insets = g_ptr_array_new_with_free_func (gst_object_unref);
  picture->width = width;
  picture->height = height;
  picture->camera = camera;
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
  /* Black where nothing shows (a screen of another shape), never the checkerboard. */
  gst_util_set_object_arg (G_OBJECT (picture->compositor), "background", "black");
  g_object_set (picture->output, "caps", caps, NULL);
  gst_bin_add_many (GST_BIN (pipeline), picture->compositor, picture->output, NULL);
  hold = make_hold_card (picture, hold_text, fps, error);
  if (hold == NULL) {
    lx_lesson_picture_free (picture);
    return NULL;
  }
  picture->camera_pad = link_input (picture, camera, 1);
  picture->screen_pad = screen ? link_input (picture, screen, 0) : NULL;
  picture->hold_pad = link_input (picture, hold, HOLD_ZORDER);
  if (picture->camera_pad == NULL || (screen && picture->screen_pad == NULL) ||
      picture->hold_pad == NULL || !gst_element_link (picture->compositor, picture->output)) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "cannot link the teacher's camera, screen and hold card to the "
                         "lesson's picture");
    lx_lesson_picture_free (picture);
    return NULL;
  }
  lx_lesson_picture_show (picture, LX_SOURCE_CAMERA, NULL);
  gst_element_sync_state_with_parent (hold);
  gst_element_sync_state_with_parent (picture->compositor);
  gst_element_sync_state_with_parent (picture->output);
  return picture;
}

gboolean
lx_lesson_picture_show (LxLessonPicture *picture, LxPictureSource source, GError **error)
{
  gboolean screen = source == LX_SOURCE_SCREEN || source == LX_SOURCE_SCREEN_CAMERA;
  gint inset_width = picture->width * CAMERA_INSET_PERCENT / 100;
  gint margin = picture->width / MARGIN_DIVISOR;

  if (screen && picture->screen_pad == NULL) {
    g_set_error_literal (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                         "没有屏幕采集 · this sender captures no screen (screen-source in "
                         "sender.conf)");
    return FALSE;
  }
  /* An input at alpha 0 is skipped by the compositor (not even converted): hidden sources cost
   * their capture only, and show again from their next frame. */
  if (source == LX_SOURCE_SCREEN_CAMERA)
    g_object_set (picture->camera_pad, "xpos", picture->width - inset_width - margin, "ypos",
                  margin, "width", inset_width, "height", inset_width * 9 / 16, "alpha", 1.0, NULL);
  else
    g_object_set (picture->camera_pad, "xpos", 0, "ypos", 0, "width", picture->width, "height",
                  picture->height, "alpha", source == LX_SOURCE_CAMERA ? 1.0 : 0.0, NULL);
  if (picture->screen_pad)
    g_object_set (picture->screen_pad, "alpha", screen ? 1.0 : 0.0, NULL);
  g_object_set (picture->hold_pad, "alpha", source == LX_SOURCE_HOLD ? 1.0 : 0.0, NULL);
  if (source != picture->source)
    g_message ("the lesson shows: %s", lx_picture_source_to_string (source));
  picture->source = source;
  return TRUE;
}

LxPictureSource
lx_lesson_picture_get_source (LxLessonPicture *picture)
{
  return picture->source;
}

gboolean
lx_lesson_picture_has_screen (LxLessonPicture *picture)
{
  return picture->screen_pad != NULL;
}

gboolean
lx_lesson_picture_replace_camera (LxLessonPicture *picture, GstElement *camera, GError **error)
{
  return lx_capture_replace (picture->pipeline, &picture->camera, camera, picture->camera_pad,
                             error);
}

void
lx_lesson_picture_free (LxLessonPicture *picture)
{
  if (picture == NULL)
    return;
  g_ptr_array_unref (picture->insets);
  gst_clear_object (&picture->camera_pad);
  gst_clear_object (&picture->screen_pad);
  gst_clear_object (&picture->hold_pad);
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
