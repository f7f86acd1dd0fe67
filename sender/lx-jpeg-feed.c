/* The console's MJPEG feeds (see lx-jpeg-feed.h). */
#include "lx-jpeg-feed.h"

#include "lx-http-streams.h"

#include <gst/app/gstappsink.h>
#include <string.h>

#define BOUNDARY "lxpicture"

struct _LxJpegFeed {
  GstElement *pipeline;
  GstElement *bin;
  GstElement *valve;
  GstPad *tee_pad; /* the tee's request pad feeding the bin */
  GstElement *tee;
  LxHttpStreams *viewers;
  guint64 pictures;
  GMainContext *context;
  gboolean closed; /* freed by its owner; the pictures on their way still hold it */
};

typedef struct {
  LxJpegFeed *feed;
  GBytes *jpeg;
} Picture;

/* (main context) One picture to every viewer: a part of the multipart answer each. */
static gboolean
send_picture (gpointer data)
{
  Picture *picture = data;
  LxJpegFeed *feed = picture->feed;
  gsize size = g_bytes_get_size (picture->jpeg);
  g_autofree gchar *head = g_strdup_printf (
      "--" BOUNDARY "\r\nContent-Type: image/jpeg\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
      size);

  if (feed->closed)
    return G_SOURCE_REMOVE;
  feed->pictures++;
  lx_http_streams_send (feed->viewers, head, strlen (head));
  lx_http_streams_send_bytes (feed->viewers, picture->jpeg);
  lx_http_streams_send (feed->viewers, "\r\n", 2);
  return G_SOURCE_REMOVE;
}

static void
feed_clear (gpointer data)
{
  LxJpegFeed *feed = data;

  g_main_context_unref (feed->context);
}

static void
picture_free (gpointer data)
{
  Picture *picture = data;

  g_bytes_unref (picture->jpeg);
  g_atomic_rc_box_release_full (picture->feed, feed_clear);
  g_free (picture);
}

/* (streaming thread) */
static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer data)
{
  LxJpegFeed *feed = data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer = sample ? gst_sample_get_buffer (sample) : NULL;
  GstMapInfo map;
  Picture *picture;

  if (buffer == NULL || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  picture = g_new0 (Picture, 1);
  picture->feed = g_atomic_rc_box_acquire (feed);
  picture->jpeg = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);
  g_main_context_invoke_full (feed->context, G_PRIORITY_DEFAULT, send_picture, picture,
                              picture_free);
  return GST_FLOW_OK;
}

/* Nobody watches: no more pictures are encoded. */
static void
on_last_viewer_gone (gpointer data)
{
  LxJpegFeed *feed = data;

  g_object_set (feed->valve, "drop", TRUE, NULL);
}

LxJpegFeed *
lx_jpeg_feed_new (GstElement *pipeline, GstElement *tee, const char *name, gint width, gint height,
                  gint fps, GError **error)
{
  g_autofree gchar *description = g_strdup_printf (
      "queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
      "valve name=valve drop=true ! videorate drop-only=true ! videoscale ! "
      "video/x-raw,width=%d,height=%d,framerate=%d/1,pixel-aspect-ratio=1/1 ! videoconvert ! "
      "jpegenc quality=75 ! appsink name=sink sync=false async=false max-buffers=2 drop=true",
      width, height, fps);
  GstElement *bin = gst_parse_bin_from_description (description, TRUE, error);
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstPad) bin_sink = NULL;
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };
  LxJpegFeed *feed;

  if (bin == NULL) {
    g_prefix_error (error, "the console's picture: ");
    return NULL;
  }
  feed = g_atomic_rc_box_new0 (LxJpegFeed);
  feed->context = g_main_context_ref_thread_default ();
  feed->viewers = lx_http_streams_new (on_last_viewer_gone, feed);
  feed->pipeline = gst_object_ref (pipeline);
  feed->tee = gst_object_ref (tee);
  feed->bin = gst_object_ref (bin);
  gst_object_set_name (GST_OBJECT (bin), name);
  feed->valve = gst_bin_get_by_name (GST_BIN (bin), "valve");
  sink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, feed, NULL);
  gst_bin_add (GST_BIN (pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  feed->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  bin_sink = gst_element_get_static_pad (bin, "sink");
  if (gst_pad_link (feed->tee_pad, bin_sink) != GST_PAD_LINK_OK) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "the console's picture: cannot link it to the video");
    lx_jpeg_feed_free (feed);
    return NULL;
  }
  return feed;
}

void
lx_jpeg_feed_free (LxJpegFeed *feed)
{
  if (feed == NULL)
    return;
  lx_http_streams_free (feed->viewers);
  gst_element_set_state (feed->bin, GST_STATE_NULL);
  if (feed->tee_pad) {
    gst_element_release_request_pad (feed->tee, feed->tee_pad);
    gst_object_unref (feed->tee_pad);
  }
  if (GST_OBJECT_PARENT (feed->bin) == GST_OBJECT (feed->pipeline))
    gst_bin_remove (GST_BIN (feed->pipeline), feed->bin);
  gst_object_unref (feed->valve);
  gst_object_unref (feed->bin);
  gst_object_unref (feed->tee);
  gst_object_unref (feed->pipeline);
  feed->closed = TRUE;
  g_atomic_rc_box_release_full (feed, feed_clear);
}

void
lx_jpeg_feed_serve (LxJpegFeed *feed, SoupServerMessage *message)
{
  lx_http_streams_open (feed->viewers, message, "multipart/x-mixed-replace; boundary=" BOUNDARY);
  g_object_set (feed->valve, "drop", FALSE, NULL);
}

guint64
lx_jpeg_feed_count_pictures (LxJpegFeed *feed)
{
  return feed->pictures;
}

guint
lx_jpeg_feed_count_viewers (LxJpegFeed *feed)
{
  return lx_http_streams_count (feed->viewers);
}
