/* One of a classroom's RTP streams sent beside its webrtcbin rather than through it. A packet
 * pushed through webrtcbin costs 50–70 µs of a core (docs/performance.md); encrypting and sending
 * it costs about 7. webrtcbin keeps its jobs — negotiation, ICE, the DTLS handshake, receiving
 * RTCP — and the direct sender takes from it the SRTP key the handshake produced and the ICE path
 * it chose, sends the stream's sender reports in webrtcbin's rounds of RTCP, and, for the video,
 * repairs losses with copies of webrtcbin's own repair elements (lx-direct-repair.h). */
#pragma once

#include <gst/gst.h>

typedef struct _LxDirectSender LxDirectSender;

/* Takes over the RTP packets leaving @payloader_src (the stream's payloader, linked to webrtcbin):
 * until lx_direct_sender_start() they are dropped (webrtcbin would hold them back until DTLS is up
 * anyway). */
LxDirectSender *lx_direct_sender_attach (GstPad *payloader_src);

/* What a video stream needs that webrtcbin's RTP session does only for the streams it sends:
 * keyframes for the peer's requests (PLI, FIR), and repair — copies of the repair elements
 * webrtcbin made (lx-direct-repair.h), answering the peer's NACKs. */
typedef enum {
  LX_DIRECT_SOUND = 0,
  LX_DIRECT_KEYFRAMES = 1 << 0,
  LX_DIRECT_REPAIR = 1 << 1,
} LxDirectVideo;

/* @webrtc is connected: takes its SRTP key, its ICE path and its RTCP session, and from then on
 * sends the packets itself (from @payloader_src, the pad it was attached to), with what @video
 * asks for. Where something is missing (a transport per stream instead of one bundle, a cipher
 * libsrtp is not given here) it returns FALSE with @error, and the packets go through webrtcbin
 * as they would without it. Main context. */
gboolean lx_direct_sender_start (LxDirectSender *sender, GstElement *webrtc, GstPad *payloader_src,
                                 LxDirectVideo video, GError **error);

/* (transfer none) (nullable) The FEC encoder and RTX sender the stream's packets go through now,
 * once started with repair. */
GstElement *lx_direct_sender_get_fec_encoder (LxDirectSender *sender);
GstElement *lx_direct_sender_get_rtx_sender (LxDirectSender *sender);

/* The packets sent so far are not repaired any more (for a few seconds, as long as a NACK for
 * them can come): the classroom stepped down because its link is congested, and their
 * retransmissions would only hold back the new layer's keyframe in the link's full queue. Any
 * thread. */
void lx_direct_sender_repair_from_now (LxDirectSender *sender);

/* Each packet a NACK asks for is sent again @copies times (1 or 2), one right after the other: on
 * a link that loses packets by chance, a retransmission is lost as often as the packet was, and
 * the classroom can only ask again with its next RTCP packet. Any thread. */
void lx_direct_sender_set_retransmission_copies (LxDirectSender *sender, guint copies);
guint lx_direct_sender_get_retransmission_copies (LxDirectSender *sender);

/* TRUE once started and sending (not gone through webrtcbin). Any thread. */
gboolean lx_direct_sender_is_sending (LxDirectSender *sender);
/* The stream's packets (not its retransmissions) sent directly so far. Any thread. */
guint64 lx_direct_sender_get_packets (LxDirectSender *sender);

/* Lets go of the stream (the probe keeps its own reference until it is removed). */
void lx_direct_sender_unref (LxDirectSender *sender);
