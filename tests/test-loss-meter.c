/* The classroom's loss meter on made-up RTP streams: sequence numbers that wrap, gaps, two
 * streams side by side, duplicates and latecomers, counted as a link engineer would count them. */
#include "lx-loss-meter.h"

#include <gst/app/app.h>
#include <gst/rtp/rtp.h>

typedef struct {
  guint16 seq;
  guint32 ssrc;
} Packet;

/* Pushes @packets through a pad the meter watches (an identity standing in for the RTP session)
 * and returns what it counted. */
static LxLossCounts
count (const Packet *packets, guint n_packets)
{
  g_autoptr (GstElement) pipeline = gst_parse_launch (
      "appsrc name=src format=time caps=application/x-rtp,media=video,clock-rate=90000,"
      "encoding-name=H264,payload=96 ! identity name=stand-in ! fakesink sync=false",
      NULL);
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_autoptr (GstElement) stand_in = gst_bin_get_by_name (GST_BIN (pipeline), "stand-in");
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstPad) input = gst_element_get_static_pad (stand_in, "sink");
  g_autoptr (GstMessage) message = NULL;
  LxLossCounts counts = { 0, 0 };

  lx_loss_meter_attach (input, &counts);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (guint i = 0; i < n_packets; i++) {
    GstBuffer *buffer = gst_rtp_buffer_new_allocate (100, 0, 0);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

    g_assert_true (gst_rtp_buffer_map (buffer, GST_MAP_WRITE, &rtp));
    gst_rtp_buffer_set_payload_type (&rtp, 96);
    gst_rtp_buffer_set_ssrc (&rtp, packets[i].ssrc);
    gst_rtp_buffer_set_seq (&rtp, packets[i].seq);
    gst_rtp_buffer_unmap (&rtp);
    g_assert_cmpint (gst_app_src_push_buffer (GST_APP_SRC (src), buffer), ==, GST_FLOW_OK);
  }
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  message = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return counts;
}

static void
test_clean_stream (void)
{
  Packet packets[50];
  LxLossCounts counts;

  for (guint i = 0; i < G_N_ELEMENTS (packets); i++)
    packets[i] = (Packet){ (guint16) (1000 + i), 0x1234 };
  counts = count (packets, G_N_ELEMENTS (packets));
  g_assert_cmpint (counts.expected, ==, 50);
  g_assert_cmpint (counts.received, ==, 50);
}

static void
test_losses_and_repairs (void)
{
  const guint32 video = 0x1234, retransmissions = 0x5678;
  const Packet packets[] = {
    { 65534, video },
    { 65535, video },
    { 0, video },             /* across the wrap */
    { 2, video },             /* 1 lost */
    { 700, retransmissions }, /* 1 mended: its own stream */
    { 3, video },
    { 3, video },             /* a duplicate counts once */
    { 6, video },             /* 4 and 5 lost */
    { 702, retransmissions }, /* 701 lost too */
    { 4, video },             /* 4 was only late */
  };
  LxLossCounts counts = count (packets, G_N_ELEMENTS (packets));

  g_assert_cmpint (counts.expected, ==, 9 + 3); /* 65534 … 6, and 700 … 702 */
  g_assert_cmpint (counts.received, ==, 7 + 2);
  g_assert_cmpint (counts.expected - counts.received, ==, 3); /* 1, 5 and 701 */
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/loss-meter/clean", test_clean_stream);
  g_test_add_func ("/loss-meter/losses-and-repairs", test_losses_and_repairs);
  return g_test_run ();
}
