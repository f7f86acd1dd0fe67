/* The repair of a video stream sent beside webrtcbin (lx-direct-sender.h): copies of the forward
 * error correction (ULPFEC), its RED wrapping and the retransmission sender (RTX) that webrtcbin
 * made for the stream from what was negotiated, in the same order and with the same settings, on
 * a side chain of their own — webrtcbin's stay where they are and see nothing. Packets go in at
 * its head; what comes out at its tail (the stream's packets, FEC among them, and retransmissions
 * from the RTX sender's own thread) is handed to @send. The peer's NACKs, read from its RTCP, ask
 * the RTX sender for the packets again, as webrtcbin's RTP session would ask its own. */
#pragma once

#include "lx-packet-probe.h"

#include <gst/gst.h>
#include <gst/rtp/gstrtcpbuffer.h>

typedef struct _LxDirectRepair LxDirectRepair;

/* (nullable) The side chain for the repair elements @webrtc made (none: NULL), added to the bin
 * that holds @payloader_src's element and started, its head given the sticky events
 * @payloader_src carries. @send gets every packet from its tail, on either thread; @destroy
 * (nullable) frees @send_data once the tail is gone. Main context. */
LxDirectRepair *lx_direct_repair_new (GstElement *webrtc, GstPad *payloader_src, LxPacketFunc send,
                                      gpointer send_data, GDestroyNotify destroy);
void lx_direct_repair_free (LxDirectRepair *repair);

/* Streaming thread: a packet, or a list of them, into the side chain (transfer full)... */
void lx_direct_repair_push (LxDirectRepair *repair, GstMiniObject *packets);
/* ... and an event that followed them (transfer none). */
void lx_direct_repair_forward_event (LxDirectRepair *repair, GstEvent *event);

/* RTCP thread: answers @packet (one of the peer's RTCP packets), if it NACKs @media_ssrc — the
 * packets from sequence number @oldest on (-1: all of them), each sent again @copies times. */
void lx_direct_repair_answer_nacks (LxDirectRepair *repair, GstRTCPPacket *packet,
                                    guint32 media_ssrc, gint oldest, guint copies);

/* (transfer none) (nullable) Its FEC encoder (rtpulpfecenc: the classroom's steering sets its
 * strength) and its RTX sender (rtprtxsend: the link prober asks it for probe packets). */
GstElement *lx_direct_repair_get_fec_encoder (LxDirectRepair *repair);
GstElement *lx_direct_repair_get_rtx_sender (LxDirectRepair *repair);
