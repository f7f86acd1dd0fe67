/* The classroom's loss meter on made-up RTP streams: sequence numbers that wrap, gaps, two
 * streams side by side, duplicates and latecomers, counted as a link engineer would count them.
 * And its queue meter on made-up arrivals of the sound's packets. */
#include "lx-loss-meter.h"
#include "lx-queue-meter.h"

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
  LxLossCounts counts = { 0, 0, 0 };

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

/* ---- The queue meter ---- */

#define PACKET_MS 20
#define TICKS_PER_PACKET (48000 * PACKET_MS / 1000)

/* Feeds @meter the sound's packets @from_ms to @to_ms (sent every 20 ms, stamped at 48 kHz from
 * @first_timestamp), each arriving @line_ms plus what @queue_ms says the queue held then. */
static void
feed (LxQueueMeter *meter, guint32 ssrc, guint32 first_timestamp, gint from_ms, gint to_ms,
      gint line_ms, gint (*queue_ms) (gint sent_ms))
{
  for (gint sent = from_ms; sent < to_ms; sent += PACKET_MS) {
    guint32 timestamp = first_timestamp + (guint32) (sent / PACKET_MS) * TICKS_PER_PACKET;
    gint64 arrival_us = (gint64) (sent + line_ms + queue_ms (sent)) * 1000 + 5 * G_USEC_PER_SEC;
    lx_queue_meter_add (meter, ssrc, timestamp, 48000, arrival_us);
  }
}

static gint
no_queue (gint sent_ms)
{
  return 0;
}

/* From 10 s on, the link gets 50 ms more behind every second (sending above its capacity). */
static gint
growing_queue (gint sent_ms)
{
  return sent_ms < 10000 ? 0 : (sent_ms - 10000) / 20;
}

/* At 10 s a keyframe's burst queues 300 ms of packets, which drain within 300 ms. */
static gint
keyframe_burst (gint sent_ms)
{
  return sent_ms >= 10000 && sent_ms < 10300 ? 10300 - sent_ms : 0;
}

static gint64
at_ms (gint sent_ms)
{
  return (gint64) sent_ms * 1000 + 5 * G_USEC_PER_SEC + 80 * 1000;
}

static void
test_queue_meter (void)
{
  LxQueueMeter *meter = lx_queue_meter_new ();

  g_assert_cmpint (lx_queue_meter_read (meter, at_ms (0), 100), ==, -1); /* nothing yet */
  /* A long line (80 ms one way) with no queue: no queue, whatever the clocks' offset. */
  feed (meter, 1, 4000000000u, 0, 10000, 80, no_queue);
  g_assert_cmpint (lx_queue_meter_read (meter, at_ms (10000), 100), <=, 1);
  /* A queue growing 50 ms a second: seen growing, before any packet is lost. */
  feed (meter, 1, 4000000000u, 10000, 11000, 80, growing_queue);
  g_assert_cmpint (lx_queue_meter_read (meter, at_ms (11000) + 50000, 100), >=, 25);
  feed (meter, 1, 4000000000u, 11000, 12000, 80, growing_queue);
  g_assert_cmpint (lx_queue_meter_read (meter, at_ms (12000) + 100000, 100), >=, 75);
  /* Silence: nothing to say after a while. */
  g_assert_cmpint (lx_queue_meter_read (meter, at_ms (14000), 100), ==, -1);
  lx_queue_meter_free (meter);

  /* A keyframe's burst that drains at once is no standing queue (the timestamps wrap meanwhile). */
  meter = lx_queue_meter_new ();
  feed (meter, 2, 0xffffffffu - 48000 * 5, 0, 10000, 20, no_queue);
  feed (meter, 2, 0xffffffffu - 48000 * 5, 10000, 10200, 20, keyframe_burst);
  /* In the middle of the burst: seen over the last 100 ms, not over the last 500 ms. */
  g_assert_cmpint (lx_queue_meter_read (meter, at_ms (10200) + 100000, 100), >=, 100);
  g_assert_cmpint (lx_queue_meter_read (meter, at_ms (10200) + 100000, 500), <=, 1);
  feed (meter, 2, 0xffffffffu - 48000 * 5, 10200, 11000, 20, keyframe_burst);
  g_assert_cmpint (lx_queue_meter_read (meter, at_ms (11000), 100), <=, 1);
  /* A new stream (the sender restarted) starts afresh: its first packets define the line. */
  feed (meter, 3, 1000, 0, 2000, 20, no_queue);
  g_assert_cmpint (lx_queue_meter_read (meter, at_ms (2000), 100), <=, 1);
  lx_queue_meter_free (meter);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/loss-meter/clean", test_clean_stream);
  g_test_add_func ("/loss-meter/losses-and-repairs", test_losses_and_repairs);
  g_test_add_func ("/queue-meter/made-up-arrivals", test_queue_meter);
  return g_test_run ();
}
