/* The latency stamp: it reads back what was written, survives real H.264 compression and scaling,
 * and ordinary pictures are not mistaken for stamped ones. */
#include "lx-latency-stamp.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

static GstBuffer *
new_frame (GstVideoInfo *info, const char *format, gint width, gint height, guint8 luma)
{
  GstBuffer *buffer;
  GstVideoFrame frame;

  gst_video_info_set_format (info, gst_video_format_from_string (format), width, height);
  buffer = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  gst_buffer_memset (buffer, 0, luma, GST_VIDEO_INFO_SIZE (info));
  g_assert_true (gst_video_frame_map (&frame, info, buffer, GST_MAP_READ));
  gst_video_frame_unmap (&frame);
  return buffer;
}

static void
test_round_trip (void)
{
  const char *formats[] = { "I420", "NV12" };
  const gint64 times[] = { 0, 1, 1795913962825, (G_GINT64_CONSTANT (1) << 48) - 1 };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    for (guint t = 0; t < G_N_ELEMENTS (times); t++) {
      GstVideoInfo info;
      g_autoptr (GstBuffer) buffer = new_frame (&info, formats[f], 320, 240, 128);
      GstVideoFrame frame;
      gint64 read = -1;

      g_assert_true (gst_video_frame_map (&frame, &info, buffer, GST_MAP_READWRITE));
      g_assert_true (lx_latency_stamp_write (&frame, times[t]));
      g_assert_true (lx_latency_stamp_read (&frame, &read));
      g_assert_cmpint (read, ==, times[t]);
      gst_video_frame_unmap (&frame);
    }
  }
}

static void
test_plain_pictures_have_no_stamp (void)
{
  const guint8 lumas[] = { 0, 16, 128, 235, 255 };

  for (guint i = 0; i < G_N_ELEMENTS (lumas); i++) {
    GstVideoInfo info;
    g_autoptr (GstBuffer) buffer = new_frame (&info, "I420", 640, 360, lumas[i]);
    GstVideoFrame frame;
    gint64 read;

    g_assert_true (gst_video_frame_map (&frame, &info, buffer, GST_MAP_READ));
    g_assert_false (lx_latency_stamp_read (&frame, &read));
    gst_video_frame_unmap (&frame);
  }
}

static void
test_too_small (void)
{
  GstVideoInfo info;
  g_autoptr (GstBuffer) buffer = new_frame (&info, "I420", 64, 48, 128);
  GstVideoFrame frame;

  g_assert_true (gst_video_frame_map (&frame, &info, buffer, GST_MAP_READWRITE));
  g_assert_false (lx_latency_stamp_write (&frame, 42));
  gst_video_frame_unmap (&frame);
}

typedef struct {
  GstVideoInfo info;
  gint64 next_time;
} Stamper;

static GstPadProbeReturn
stamp_frame (GstPad *pad, GstPadProbeInfo *probe, gpointer data)
{
  Stamper *stamper = data;
  GstBuffer *buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (probe));
  GstVideoFrame frame;

  GST_PAD_PROBE_INFO_DATA (probe) = buffer;
  g_assert_true (gst_video_frame_map (&frame, &stamper->info, buffer, GST_MAP_WRITE));
  g_assert_true (lx_latency_stamp_write (&frame, stamper->next_time));
  stamper->next_time += 33;
  gst_video_frame_unmap (&frame);
  return GST_PAD_PROBE_OK;
}

/* Stamped moving pictures through x264 at a low bitrate, the decoder, and a scaler to half size:
 * every frame's stamp reads back exactly, in order. */
static void
test_survives_compression_and_scaling (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (
      "videotestsrc pattern=ball num-buffers=60 ! video/x-raw,format=I420,width=640,height=360,"
      "framerate=30/1 ! identity name=stamp ! x264enc tune=zerolatency speed-preset=ultrafast "
      "bitrate=300 ! h264parse ! avdec_h264 ! videoscale ! video/x-raw,width=320,height=180 ! "
      "videoconvert ! video/x-raw,format=I420 ! appsink name=out sync=false",
      &error);
  g_autoptr (GstElement) stamp = NULL;
  g_autoptr (GstElement) out = NULL;
  g_autoptr (GstPad) stamp_src = NULL;
  Stamper stamper = { .next_time = 1795913962825 };
  gint64 expected = stamper.next_time;
  guint frames = 0;
  GstSample *sample;

  g_assert_no_error (error);
  gst_video_info_set_format (&stamper.info, GST_VIDEO_FORMAT_I420, 640, 360);
  stamp = gst_bin_get_by_name (GST_BIN (pipeline), "stamp");
  out = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  stamp_src = gst_element_get_static_pad (stamp, "src");
  gst_pad_add_probe (stamp_src, GST_PAD_PROBE_TYPE_BUFFER, stamp_frame, &stamper, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (out))) != NULL) {
    GstVideoInfo info;
    GstVideoFrame frame;
    gint64 read = -1;

    g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
    g_assert_cmpint (GST_VIDEO_INFO_WIDTH (&info), ==, 320);
    g_assert_true (
        gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ));
    g_assert_true (lx_latency_stamp_read (&frame, &read));
    g_assert_cmpint (read, ==, expected);
    expected += 33;
    frames++;
    gst_video_frame_unmap (&frame);
    gst_sample_unref (sample);
  }
  g_assert_cmpuint (frames, ==, 60);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/latency-stamp/round-trip", test_round_trip);
  g_test_add_func ("/latency-stamp/plain-pictures", test_plain_pictures_have_no_stamp);
  g_test_add_func ("/latency-stamp/too-small", test_too_small);
  g_test_add_func ("/latency-stamp/survives-compression", test_survives_compression_and_scaling);
  return g_test_run ();
}
