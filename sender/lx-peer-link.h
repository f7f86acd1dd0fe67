/* How a classroom's link carries our video, as the sender itself sees it in the RTCP that comes
 * back: the packets the receiver asked for again (NACKs: each one it missed before repair) and the
 * losses its report blocks count. Classrooms of ours report their link themselves (`link`
 * messages); a WHEP player from another stack does not, and is steered by this instead. Pure logic
 * on RTCP buffers: fed from the RTCP thread, tested with made-up packets. */
#pragma once

#include <gst/gst.h>
#include <gst/rtp/gstrtcpbuffer.h>

G_BEGIN_DECLS

typedef struct {
  guint32 video_ssrc;
  gboolean have_block;              /* a report block about video_ssrc has arrived */
  guint32 lost;                     /* its cumulative count of packets lost */
  guint32 base_lost;                /* ... at the window's start */
  guint64 base_sent;                /* video packets we had sent at the window's start */
  guint nacked;                     /* distinct packets asked for again in the window */
  gint rtt_ms;                      /* from the last report block that had our report; -1 none */
  guint8 nacked_seqnums[65536 / 8]; /* which: a packet asked for twice counts once */
  gint64 window_start_us;
} LxPeerLink;

void lx_peer_link_init (LxPeerLink *link, guint32 video_ssrc, guint64 packets_sent, gint64 now_us);

/* Reads one compound RTCP packet the peer sent: its report blocks about video_ssrc and its generic
 * NACKs for it. Anything else, or malformed, is skipped. @now_ntp: the wall clock now, in NTP's
 * 64-bit format, for the round trip (a block's "last sender report" is that report's NTP time). */
void lx_peer_link_read_rtcp (LxPeerLink *link, GstBuffer *rtcp, guint64 now_ntp);

/* Calls @func with each packet a generic NACK (RFC 4585 §6.2.1) about @media_ssrc asks for again;
 * each FCI names a packet and, in its bitmask, up to 16 more. Anything else is skipped. */
void lx_rtcp_foreach_nacked (GstRTCPPacket *packet, guint32 media_ssrc,
                             void (*func) (guint16 seqnum, gpointer data), gpointer data);

/* TRUE once the window (a second) that began at the last lx_peer_link_take_loss() is over: the
 * caller need not count the packets sent before. */
gboolean lx_peer_link_window_over (const LxPeerLink *link, gint64 now_us);

/* Once a window of at least a second is over: TRUE with the share of the video packets we sent in
 * it (@packets_sent: all so far) that the receiver lost before repair, per thousand — the larger
 * of what its NACKs and its report blocks say (reports count a packet that retransmission repaired
 * as received, and some receivers send no report blocks at all while they send NACKs); the next
 * window starts. FALSE before. */
gboolean lx_peer_link_take_loss (LxPeerLink *link, gint64 now_us, guint64 packets_sent,
                                 gint *loss_permille);

G_END_DECLS
