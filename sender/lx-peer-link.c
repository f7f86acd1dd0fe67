/* A classroom's link as its RTCP shows it (see lx-peer-link.h). */
#include "lx-peer-link.h"

#include <gst/rtp/gstrtcpbuffer.h>
#include <string.h>

#define WINDOW_US G_USEC_PER_SEC

void
lx_peer_link_init (LxPeerLink *link, guint32 video_ssrc, guint64 packets_sent, gint64 now_us)
{
  memset (link, 0, sizeof *link);
  link->video_ssrc = video_ssrc;
  link->base_sent = packets_sent;
  link->window_start_us = now_us;
  link->rtt_ms = -1;
}

static void
read_report_blocks (LxPeerLink *link, GstRTCPPacket *packet, guint64 now_ntp)
{
  for (guint i = 0; i < gst_rtcp_packet_get_rb_count (packet); i++) {
    guint32 ssrc, highest_seq, jitter, lsr, dlsr;
    guint8 fraction_lost;
    gint32 lost;

    gst_rtcp_packet_get_rb (packet, i, &ssrc, &fraction_lost, &lost, &highest_seq, &jitter, &lsr,
                            &dlsr);
    if (ssrc != link->video_ssrc)
      continue;
    /* The round trip (RFC 3550 §6.4.1), in NTP's short format (1/65536 s): now, less the time our
     * report was sent, less the time the peer held it. */
    if (lsr != 0) {
      guint32 round_trip = (guint32) (now_ntp >> 16) - lsr - dlsr;
      if (round_trip < 10 * 65536) /* (a clock that jumped, or a report not ours) */
        link->rtt_ms = (gint) (round_trip * 1000.0 / 65536 + 0.5);
    }
    /* The cumulative count is 24 bits, signed (duplicates can make it negative). */
    link->lost = (guint32) MAX (lost, 0);
    if (!link->have_block)
      link->base_lost = link->lost; /* (what it lost before this window is not this window's) */
    link->have_block = TRUE;
  }
}

void
lx_rtcp_foreach_nacked (GstRTCPPacket *packet, guint32 media_ssrc,
                        void (*func) (guint16 seqnum, gpointer data), gpointer data)
{
  guint8 *fci;
  guint words;

  if (gst_rtcp_packet_get_type (packet) != GST_RTCP_TYPE_RTPFB ||
      gst_rtcp_packet_fb_get_type (packet) != GST_RTCP_RTPFB_TYPE_NACK ||
      gst_rtcp_packet_fb_get_media_ssrc (packet) != media_ssrc)
    return;
  fci = gst_rtcp_packet_fb_get_fci (packet);
  words = gst_rtcp_packet_fb_get_fci_length (packet);
  if (fci == NULL)
    return;
  for (guint i = 0; i < words; i++) {
    guint16 seqnum = GST_READ_UINT16_BE (fci + 4 * i);
    guint16 bitmask = GST_READ_UINT16_BE (fci + 4 * i + 2);
    for (guint bit = 0; bit <= 16; bit++)
      if (bit == 0 || (bitmask & (1u << (bit - 1))))
        func ((guint16) (seqnum + bit), data);
  }
}

/* A packet asked for twice in the window counts once. */
static void
count_nacked (guint16 missed, gpointer data)
{
  LxPeerLink *link = data;

  if (!(link->nacked_seqnums[missed / 8] & (1u << (missed % 8)))) {
    link->nacked_seqnums[missed / 8] |= (guint8) (1u << (missed % 8));
    link->nacked++;
  }
}

void
lx_peer_link_read_rtcp (LxPeerLink *link, GstBuffer *rtcp, guint64 now_ntp)
{
  GstRTCPBuffer buffer = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;
  gboolean more;

  if (!gst_rtcp_buffer_validate_reduced (rtcp) ||
      !gst_rtcp_buffer_map (rtcp, GST_MAP_READ, &buffer))
    return;
  for (more = gst_rtcp_buffer_get_first_packet (&buffer, &packet); more;
       more = gst_rtcp_packet_move_to_next (&packet)) {
    switch (gst_rtcp_packet_get_type (&packet)) {
    case GST_RTCP_TYPE_RR:
    case GST_RTCP_TYPE_SR:
      read_report_blocks (link, &packet, now_ntp);
      break;
    case GST_RTCP_TYPE_RTPFB:
      lx_rtcp_foreach_nacked (&packet, link->video_ssrc, count_nacked, link);
      break;
    default:
      break;
    }
  }
  gst_rtcp_buffer_unmap (&buffer);
}

gboolean
lx_peer_link_window_over (const LxPeerLink *link, gint64 now_us)
{
  return now_us - link->window_start_us >= WINDOW_US;
}

gboolean
lx_peer_link_take_loss (LxPeerLink *link, gint64 now_us, guint64 packets_sent, gint *loss_permille)
{
  guint64 sent = packets_sent - link->base_sent;
  guint32 reported = link->lost >= link->base_lost ? link->lost - link->base_lost : 0;

  if (!lx_peer_link_window_over (link, now_us))
    return FALSE;
  /* Nothing sent (video paused): nothing lost either. */
  *loss_permille =
      sent == 0 ? 0 : (gint) MIN (1000, 1000 * (guint64) MAX (reported, link->nacked) / sent);
  link->base_sent = packets_sent;
  link->base_lost = link->lost;
  link->nacked = 0;
  memset (link->nacked_seqnums, 0, sizeof link->nacked_seqnums);
  link->window_start_us = now_us;
  return TRUE;
}
