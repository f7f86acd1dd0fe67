/* A small, cheap view of a picture for the teacher's console: the raw frames of a tee, a few a
 * second, scaled down and JPEG-encoded once whatever the number of viewers, served as an MJPEG
 * stream (multipart/x-mixed-replace, which an <img> plays). Encoding stops while nobody watches.
 *
 *   tee ─▶ queue (leaky, 1 frame) ─▶ valve ─▶ videorate ─▶ videoscale ─▶ jpegenc ─▶ appsink
 *
 * Main context, but for the appsink's callback, which hands each picture over to it. */
#pragma once

#include <gst/gst.h>
#include <libsoup/soup.h>

typedef struct _LxJpegFeed LxJpegFeed;

/* (transfer full) A feed of @tee's pictures (in @pipeline), @width×@height at @fps; NULL with
 * @error when an element is missing. */
LxJpegFeed *lx_jpeg_feed_new (GstElement *pipeline, GstElement *tee, const char *name, gint width,
                              gint height, gint fps, GError **error);
void lx_jpeg_feed_free (LxJpegFeed *feed);

/* Answers @message with the stream, until its client goes. */
void lx_jpeg_feed_serve (LxJpegFeed *feed, SoupServerMessage *message);
/* How many pictures were encoded, and how many clients watch now. */
guint64 lx_jpeg_feed_count_pictures (LxJpegFeed *feed);
guint lx_jpeg_feed_count_viewers (LxJpegFeed *feed);
