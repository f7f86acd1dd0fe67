/* The floor under the cost of a classroom: what the two things every classroom must do for each
 * packet cost on this machine, whatever the rest of the pipeline does — encrypt it (AES-128-CM with
 * HMAC-SHA1-80: GStreamer's srtpenc, the element webrtcbin uses, and the sender's own SRTP beside
 * webrtcbin, sender/lx-srtp.c) and send it (one UDP datagram, to a socket on loopback that a
 * second thread reads, as a receiver would).
 *
 *   lx-bench-floor [PACKETS]
 *
 * Prints one JSON object: CPU nanoseconds per packet for each, measured on the thread that does the
 * work (CLOCK_THREAD_CPUTIME_ID; on loopback the kernel delivers the datagram in the sender's
 * context, so the send figure includes the receiving side's kernel work, as bench/run's
 * classrooms on loopback do). */
#include "lx-srtp.h"

#include <gst/gst.h>
#include <gst/rtp/rtp.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD_BYTES 1188 /* a full packet at rtp-mtu 1200 */
#define SSRC 0x11223344

static gint64
thread_cpu_ns (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_GINT64_CONSTANT (1000000000) + now.tv_nsec;
}

static GstBuffer *
make_packet (guint16 seqnum)
{
  GstBuffer *buffer = gst_rtp_buffer_new_allocate (PAYLOAD_BYTES, 0, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  GstMapInfo map;

  gst_rtp_buffer_map (buffer, GST_MAP_WRITE, &rtp);
  gst_rtp_buffer_set_ssrc (&rtp, SSRC);
  gst_rtp_buffer_set_payload_type (&rtp, 96);
  gst_rtp_buffer_set_seq (&rtp, seqnum);
  gst_rtp_buffer_set_timestamp (&rtp, seqnum * 3000u);
  gst_rtp_buffer_unmap (&rtp);
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  for (gsize i = 12; i < map.size; i++)
    map.data[i] = (guint8) (i * 7);
  gst_buffer_unmap (buffer, &map);
  return buffer;
}

/* srtpenc alone: a source pad pushing into its RTP sink pad, a fakesink after it. */
static double
srtp_ns_per_packet (guint packets)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *encoder = gst_element_factory_make ("srtpenc", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstBuffer) key = NULL;
  g_autoptr (GstPad) source = gst_pad_new ("src", GST_PAD_SRC);
  g_autoptr (GstPad) encoder_sink = NULL;
  g_autoptr (GstPad) encoder_src = NULL;
  g_autoptr (GstCaps) caps = NULL;
  guint8 key_bytes[30];
  GstSegment segment;
  gint64 start;

  if (encoder == NULL || sink == NULL) {
    g_printerr ("lx-bench-floor: srtpenc or fakesink is missing\n");
    exit (1);
  }
  for (guint i = 0; i < sizeof key_bytes; i++)
    key_bytes[i] = (guint8) (i * 13 + 1);
  key = gst_buffer_new_memdup (key_bytes, sizeof key_bytes);
  g_object_set (encoder, "key", key, NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), encoder, sink, NULL);
  encoder_sink = gst_element_request_pad_simple (encoder, "rtp_sink_%u");
  encoder_src = gst_element_get_static_pad (encoder, "rtp_src_0");
  if (encoder_src == NULL ||
      gst_pad_link (encoder_src, gst_element_get_static_pad (sink, "sink")) != GST_PAD_LINK_OK) {
    g_printerr ("lx-bench-floor: cannot link srtpenc\n");
    exit (1);
  }
  gst_pad_link (source, encoder_sink);
  gst_pad_set_active (source, TRUE);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_pad_push_event (source, gst_event_new_stream_start ("floor"));
  caps = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "video", "clock-rate",
                              G_TYPE_INT, 90000, "encoding-name", G_TYPE_STRING, "H264", "payload",
                              G_TYPE_INT, 96, "ssrc", G_TYPE_UINT, SSRC, NULL);
  gst_pad_push_event (source, gst_event_new_caps (caps));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (source, gst_event_new_segment (&segment));

  start = thread_cpu_ns ();
  for (guint i = 0; i < packets; i++) {
    if (gst_pad_push (source, make_packet ((guint16) i)) != GST_FLOW_OK) {
      g_printerr ("lx-bench-floor: srtpenc refused packet %u\n", i);
      exit (1);
    }
  }
  start = thread_cpu_ns () - start;
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return (double) start / packets;
}

/* Making the packets, which the srtpenc figure includes, counted apart to be taken off. */
static double
packet_ns_per_packet (guint packets)
{
  gint64 start = thread_cpu_ns ();

  for (guint i = 0; i < packets; i++)
    gst_buffer_unref (make_packet ((guint16) i));
  return (double) (thread_cpu_ns () - start) / packets;
}

/* The sender's own SRTP on the same packets (their making counted apart, as for srtpenc). */
static double
own_srtp_ns_per_packet (guint packets)
{
  guint8 master[LX_SRTP_MASTER_LENGTH];
  LxSrtp *srtp;
  gint64 start;

  for (guint i = 0; i < sizeof master; i++)
    master[i] = (guint8) (i * 13 + 1);
  srtp = lx_srtp_new (master, 10, 10);
  start = thread_cpu_ns ();
  for (guint i = 0; i < packets; i++) {
    GstBuffer *packet = make_packet ((guint16) i);
    guint8 bytes[PAYLOAD_BYTES + 12 + LX_SRTP_MAX_TRAILER];
    gsize size = gst_buffer_extract (packet, 0, bytes, PAYLOAD_BYTES + 12);
    if (lx_srtp_protect (srtp, bytes, size) < 0) {
      g_printerr ("lx-bench-floor: lx_srtp_protect refused packet %u\n", i);
      exit (1);
    }
    gst_buffer_unref (packet);
  }
  start = thread_cpu_ns () - start;
  lx_srtp_free (srtp);
  return (double) start / packets;
}

static gpointer
drain (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);
  char buffer[2048];

  while (recv (fd, buffer, sizeof buffer, 0) > 0)
    ;
  return NULL;
}

static double
udp_ns_per_packet (guint packets)
{
  int receiver = socket (AF_INET, SOCK_DGRAM, 0), sender = socket (AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;
  char datagram[PAYLOAD_BYTES + 12 + 10] = { 0 }; /* + RTP header + SRTP tag */
  GThread *reader;
  gint64 start;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (receiver, (struct sockaddr *) &address, sizeof address) != 0 ||
      getsockname (receiver, (struct sockaddr *) &address, &length) != 0) {
    perror ("lx-bench-floor: bind");
    exit (1);
  }
  reader = g_thread_new ("drain", drain, GINT_TO_POINTER (receiver));
  start = thread_cpu_ns ();
  for (guint i = 0; i < packets; i++) {
    if (sendto (sender, datagram, sizeof datagram, 0, (struct sockaddr *) &address,
                sizeof address) < 0) {
      perror ("lx-bench-floor: sendto");
      exit (1);
    }
    /* (a classroom's packets come a few at a time, not in one burst that fills the socket) */
    if (i % 64 == 63)
      g_usleep (200);
  }
  start = thread_cpu_ns () - start;
  shutdown (receiver, SHUT_RDWR);
  g_thread_join (reader);
  close (receiver);
  close (sender);
  return (double) start / packets;
}

int
main (int argc, char **argv)
{
  guint packets = argc > 1 ? (guint) atoi (argv[1]) : 200000;
  double srtp, own_srtp, packet, udp;

  gst_init (&argc, &argv);
  if (packets == 0) {
    g_printerr ("usage: lx-bench-floor [PACKETS]\n");
    return 2;
  }
  srtp_ns_per_packet (packets / 10); /* warm up: plugin loading, the cipher's first use */
  srtp = srtp_ns_per_packet (packets);
  own_srtp = own_srtp_ns_per_packet (packets);
  packet = packet_ns_per_packet (packets);
  udp = udp_ns_per_packet (packets);
  printf ("{\"packets\": %u, \"packet_bytes\": %d, \"srtp_ns\": %.0f, \"own_srtp_ns\": %.0f, "
          "\"udp_send_ns\": %.0f}\n",
          packets, PAYLOAD_BYTES + 12, srtp - packet, own_srtp - packet, udp);
  return 0;
}
