/* The sender's own view of a classroom's link, from made-up RTCP: report blocks about our video
 * stream, NACKs for it, and what must not count (other streams, malformed packets, short windows). */
#include "lx-peer-link.h"

#include <gst/rtp/gstrtcpbuffer.h>

#define VIDEO_SSRC 0x11112222u
#define AUDIO_SSRC 0x33334444u
#define PEER_SSRC 0x55556666u
#define SECOND G_USEC_PER_SEC

/* A receiver report from the peer with one block about @block_ssrc (@lsr and @dlsr: the last
 * sender report of ours it had, and how long it held it, in 1/65536 s), left mapped in @rtcp for
 * more packets. */
static GstBuffer *
start_peer_report (GstRTCPBuffer *rtcp, guint32 block_ssrc, guint32 highest_seq, gint32 lost,
                   guint32 lsr, guint32 dlsr)
{
  GstBuffer *buffer = gst_rtcp_buffer_new (1400);
  GstRTCPPacket packet;

  gst_rtcp_buffer_map (buffer, GST_MAP_READWRITE, rtcp);
  g_assert_true (gst_rtcp_buffer_add_packet (rtcp, GST_RTCP_TYPE_RR, &packet));
  gst_rtcp_packet_rr_set_ssrc (&packet, PEER_SSRC);
  g_assert_true (gst_rtcp_packet_add_rb (&packet, block_ssrc, 0, lost, highest_seq, 0, lsr, dlsr));
  return buffer;
}

/* A receiver report from the peer with one block about @block_ssrc, and NACKs for @nack_fcis
 * packets of @nack_ssrc (each with @bitmask: more packets after it). */
static GstBuffer *
peer_rtcp_about (guint32 block_ssrc, guint32 highest_seq, gint32 lost, guint32 nack_ssrc,
                 guint nack_fcis, guint16 bitmask)
{
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstBuffer *buffer = start_peer_report (&rtcp, block_ssrc, highest_seq, lost, 0, 0);
  GstRTCPPacket packet;

  if (nack_fcis > 0) {
    guint8 *fci;
    g_assert_true (gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_RTPFB, &packet));
    gst_rtcp_packet_fb_set_type (&packet, GST_RTCP_RTPFB_TYPE_NACK);
    gst_rtcp_packet_fb_set_sender_ssrc (&packet, PEER_SSRC);
    gst_rtcp_packet_fb_set_media_ssrc (&packet, nack_ssrc);
    g_assert_true (gst_rtcp_packet_fb_set_fci_length (&packet, (guint16) nack_fcis));
    fci = gst_rtcp_packet_fb_get_fci (&packet);
    for (guint i = 0; i < nack_fcis; i++) {
      GST_WRITE_UINT16_BE (fci + 4 * i, (guint16) (highest_seq - 50 + 17 * i));
      GST_WRITE_UINT16_BE (fci + 4 * i + 2, bitmask);
    }
  }
  gst_rtcp_buffer_unmap (&rtcp);
  return buffer;
}

/* The same, its report block and NACKs about one stream, @ssrc. */
static GstBuffer *
peer_rtcp (guint32 ssrc, guint32 highest_seq, gint32 lost, guint nack_fcis, guint16 bitmask)
{
  return peer_rtcp_about (ssrc, highest_seq, lost, ssrc, nack_fcis, bitmask);
}

static void
feed (LxPeerLink *link, GstBuffer *buffer)
{
  lx_peer_link_read_rtcp (link, buffer, 0);
  gst_buffer_unref (buffer);
}

/* The peer's report whose block about @ssrc says our report of NTP time @sent_ntp arrived and was
 * held @held_ms before this one left, read at @now_ntp: the round trip it makes (-1 none). */
static gint
round_trip_of (guint32 ssrc, guint64 sent_ntp, guint held_ms, guint64 now_ntp)
{
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstBuffer *buffer =
      start_peer_report (&rtcp, ssrc, 100, 0, (guint32) (sent_ntp >> 16), held_ms * 65536 / 1000);
  LxPeerLink link;

  gst_rtcp_buffer_unmap (&rtcp);
  lx_peer_link_init (&link, VIDEO_SSRC, 0, 0);
  lx_peer_link_read_rtcp (&link, buffer, now_ntp);
  gst_buffer_unref (buffer);
  return link.rtt_ms;
}

/* The round trip from a block's "last sender report" and "delay since": 250 ms after our report of
 * 12:00:00 left, a block held 100 ms by the peer says 150 ms; one about another stream, or that
 * had no report of ours yet, says nothing. */
static void
test_round_trip (void)
{
  guint64 sent = gst_rtcp_unix_to_ntp (G_GUINT64_CONSTANT (1796644800) * GST_SECOND);
  guint64 now =
      gst_rtcp_unix_to_ntp (G_GUINT64_CONSTANT (1796644800) * GST_SECOND + 250 * GST_MSECOND);

  g_assert_cmpint (round_trip_of (AUDIO_SSRC, sent, 100, now), ==, -1);
  g_assert_cmpint (round_trip_of (VIDEO_SSRC, 0, 0, now), ==, -1);
  g_assert_cmpint (round_trip_of (VIDEO_SSRC, sent, 100, now), >=, 149);
  g_assert_cmpint (round_trip_of (VIDEO_SSRC, sent, 100, now), <=, 151);
}

/* 10 of the 100 packets sent in a second lost, by the receiver's own count. */
static void
test_report_blocks (void)
{
  LxPeerLink link;
  gint loss = -1;

  lx_peer_link_init (&link, VIDEO_SSRC, 1000, 0);
  feed (&link, peer_rtcp (VIDEO_SSRC, 70000, 40, 0, 0));
  feed (&link, peer_rtcp (VIDEO_SSRC, 70050, 45, 0, 0));
  g_assert_false (lx_peer_link_take_loss (&link, SECOND / 2, 1050, &loss)); /* under a second */
  feed (&link, peer_rtcp (VIDEO_SSRC, 70100, 50, 0, 0));
  g_assert_true (lx_peer_link_take_loss (&link, SECOND, 1100, &loss));
  g_assert_cmpint (loss, ==, 100);
  /* The next window starts where this one ended: a clean second reads 0. */
  feed (&link, peer_rtcp (VIDEO_SSRC, 70200, 50, 0, 0));
  g_assert_true (lx_peer_link_take_loss (&link, 2 * SECOND, 1200, &loss));
  g_assert_cmpint (loss, ==, 0);
}

/* Retransmission repaired every loss, so the reports say 0; the NACKs say 25 of 100 were missed
 * (5 requests, each for a packet and 4 more in its bitmask), however often they are asked for. */
static void
test_nacks_count_what_repair_hid (void)
{
  LxPeerLink link;
  gint loss = -1;

  lx_peer_link_init (&link, VIDEO_SSRC, 0, 0);
  feed (&link, peer_rtcp (VIDEO_SSRC, 500, 0, 0, 0));
  feed (&link, peer_rtcp (VIDEO_SSRC, 600, 0, 5, 0x000f));
  feed (&link, peer_rtcp (VIDEO_SSRC, 600, 0, 5, 0x000f)); /* asked again */
  g_assert_true (lx_peer_link_take_loss (&link, SECOND, 100, &loss));
  g_assert_cmpint (loss, ==, 250);
}

/* A receiver whose RTCP carries no report block about the video, only NACKs (webrtcbin 1.22's on
 * a lossy link: its early feedback goes without): the packets we sent are the measure. */
static void
test_nacks_without_report_blocks (void)
{
  LxPeerLink link;
  gint loss = -1;

  lx_peer_link_init (&link, VIDEO_SSRC, 0, 0);
  feed (&link, peer_rtcp (AUDIO_SSRC, 1, 0, 0, 0));
  /* NACKs for 3 × 17 video packets, beside a block about the audio. */
  feed (&link, peer_rtcp_about (AUDIO_SSRC, 2, 0, VIDEO_SSRC, 3, 0xffff));
  g_assert_false (link.have_block);
  g_assert_true (lx_peer_link_take_loss (&link, SECOND, 200, &loss));
  g_assert_cmpint (loss, ==, 255);
}

/* Blocks about the audio, NACKs for another stream, and bytes that are no RTCP count nothing;
 * a second with nothing sent (video paused) loses nothing. */
static void
test_other_streams_and_garbage (void)
{
  LxPeerLink link;
  gint loss = -1;
  static const guint8 garbage[] = { 0x80, 0xc9, 0x00, 0x07, 1, 2, 3 };

  lx_peer_link_init (&link, VIDEO_SSRC, 0, 0);
  feed (&link, peer_rtcp (AUDIO_SSRC, 1000, 0, 3, 0xffff));
  feed (&link, peer_rtcp (AUDIO_SSRC, 1050, 30, 3, 0xffff));
  feed (&link, gst_buffer_new_memdup (garbage, sizeof garbage));
  g_assert_true (lx_peer_link_take_loss (&link, SECOND, 100, &loss));
  g_assert_cmpint (loss, ==, 0);
  g_assert_true (lx_peer_link_take_loss (&link, 2 * SECOND, 100, &loss));
  g_assert_cmpint (loss, ==, 0);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/peer-link/report-blocks", test_report_blocks);
  g_test_add_func ("/peer-link/round-trip", test_round_trip);
  g_test_add_func ("/peer-link/nacks-count-what-repair-hid", test_nacks_count_what_repair_hid);
  g_test_add_func ("/peer-link/nacks-without-report-blocks", test_nacks_without_report_blocks);
  g_test_add_func ("/peer-link/other-streams-and-garbage", test_other_streams_and_garbage);
  return g_test_run ();
}
