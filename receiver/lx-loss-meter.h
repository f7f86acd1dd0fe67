/* Counts, as they arrive, the RTP packets of one stream and the ones the link lost, before any
 * repair: what a classroom reports to the sender about its link.
 *
 * GStreamer 1.22's RTP source statistics are no good for this: their "packets-lost" only moves
 * when a receiver report is written, so a second without one reads as a second without loss, and
 * a stalled link as a clean one. */
#pragma once

#include <gst/gst.h>

typedef struct {
  gint received; /* atomic: packets that came the first time (retransmissions excluded) */
  gint expected; /* atomic: packets the sender sent, by their sequence numbers */
} LxLossCounts;

/* Counts the packets entering @jitterbuffer (its sink pad) into @counts, which must outlive the
 * jitter buffer's streaming. Several streams may add to the same counts. */
void lx_loss_meter_attach (GstElement *jitterbuffer, LxLossCounts *counts);
