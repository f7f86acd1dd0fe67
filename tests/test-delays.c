/* Delay windows give the right percentiles; stage timers time real elements, including encoders
 * that shift their output timestamps. */
#include "lx-delays.h"

static void
test_percentiles (void)
{
  LxDelayWindow *window = lx_delay_window_new (100);
  LxDelaySummary summary = lx_delay_window_summarize (window);

  g_assert_cmpuint (summary.count, ==, 0);
  g_assert_cmpfloat (summary.p50_ms, ==, -1);
  /* 1..100 ms, in shuffled order. */
  for (guint i = 0; i < 100; i++)
    lx_delay_window_add (window, ((i * 37) % 100 + 1) * 1000);
  summary = lx_delay_window_summarize (window);
  g_assert_cmpuint (summary.count, ==, 100);
  g_assert_cmpfloat (summary.p50_ms, ==, 50);
  g_assert_cmpfloat (summary.p95_ms, ==, 95);
  g_assert_cmpfloat (summary.p99_ms, ==, 99);
  /* The window keeps only the latest 100: 100 more of 500 ms push the others out. */
  for (guint i = 0; i < 100; i++)
    lx_delay_window_add (window, 500 * 1000);
  summary = lx_delay_window_summarize (window);
  g_assert_cmpfloat (summary.p50_ms, ==, 500);
  lx_delay_window_free (window);
}

/* Runs @expected_frames frames through the element named "stage" in @description; returns the
 * median time it held them. */
static gdouble
time_element (const char *description, guint expected_frames)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *launch = g_strdup_printf (
      "videotestsrc num-buffers=%u ! video/x-raw,width=320,height=240,framerate=30/1 ! %s ! "
      "fakesink sync=false",
      expected_frames, description);
  g_autoptr (GstElement) pipeline = gst_parse_launch (launch, &error);
  g_autoptr (GstElement) stage = NULL;
  g_autoptr (GstPad) input = NULL;
  g_autoptr (GstPad) output = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;
  LxDelayWindow *window = lx_delay_window_new (1000);
  LxDelaySummary summary;

  g_assert_no_error (error);
  stage = gst_bin_get_by_name (GST_BIN (pipeline), "stage");
  input = gst_element_get_static_pad (stage, "sink");
  output = gst_element_get_static_pad (stage, "src");
  lx_stage_timer_attach (input, output, window);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  summary = lx_delay_window_summarize (window);
  g_assert_cmpuint (summary.count, ==, expected_frames);
  g_assert_cmpfloat (summary.p50_ms, >=, 0);
  g_assert_cmpfloat (summary.p50_ms, <=, summary.p99_ms);
  g_clear_object (&pipeline);
  lx_delay_window_free (window);
  return summary.p50_ms;
}

static void
test_stage_timer_plain_element (void)
{
  time_element ("videoconvert name=stage ! video/x-raw,format=RGB", 30);
  time_element ("identity name=stage", 30);
}

/* x264enc's base class shifts output timestamps by a thousand hours, and with B-frames outputs
 * frames out of order: every frame is still timed. */
static void
test_stage_timer_encoder (void)
{
  /* Two B-frames and the lookahead hold each frame for several frame times. */
  g_assert_cmpfloat (time_element ("x264enc name=stage speed-preset=ultrafast bframes=2", 40), >,
                     0);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/delays/percentiles", test_percentiles);
  g_test_add_func ("/delays/stage-timer/plain-element", test_stage_timer_plain_element);
  g_test_add_func ("/delays/stage-timer/encoder", test_stage_timer_encoder);
  return g_test_run ();
}
