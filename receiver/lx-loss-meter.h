/* Counts the RTP packets a classroom's link delivered and the ones it lost on the way, before
 * any repair: what the classroom reports to the sender about its link. It watches the RTP
 * session's input, where every stream (the retransmission stream too) still has its own SSRC and
 * sequence numbers, so a mended packet can never pass for one that arrived.
 *
 * GStreamer 1.22's RTP source statistics are no good for this: their "packets-lost" only moves
 * when a receiver report is written, so a second without one reads as a second without loss, and
 * a stalled link as a clean one. */
#pragma once

#include <gst/gst.h>

typedef struct {
  gint received; /* atomic: packets that arrived */
  gint expected; /* atomic: packets sent, by their sequence numbers */
  gsize bytes;   /* atomic (g_atomic_pointer_*): their bytes, every stream's */
} LxLossCounts;

/* Counts the RTP packets passing @pad (an RTP session's input) into @counts, which must outlive
 * the pad's streaming. */
void lx_loss_meter_attach (GstPad *pad, LxLossCounts *counts);
