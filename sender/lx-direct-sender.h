/* One of a classroom's RTP streams sent beside its webrtcbin rather than through it. A packet
 * pushed through webrtcbin costs 50–70 µs of a core (docs/performance.md); encrypting and sending
 * it costs about 7. webrtcbin keeps its jobs — negotiation, ICE, the DTLS handshake, RTCP — and
 * the direct sender takes from it the SRTP key the handshake produced and the ICE path it chose,
 * and adds its stream's sender report to the RTCP webrtcbin sends (players line our stream up
 * with webrtcbin's own by it). For a stream that needs none of webrtcbin's repair: the sound (its
 * repair is Opus's own in-band FEC). */
#pragma once

#include <gst/gst.h>

typedef struct _LxDirectSender LxDirectSender;

/* Takes over the RTP packets leaving @payloader_src (the stream's payloader, linked to webrtcbin):
 * until lx_direct_sender_start() they are dropped (webrtcbin would hold them back until DTLS is up
 * anyway). */
LxDirectSender *lx_direct_sender_attach (GstPad *payloader_src);

/* @webrtc is connected: takes its SRTP key, its ICE path and its RTCP session, and from then on
 * sends the packets itself. Where something is missing (a transport per stream instead of one
 * bundle, a cipher libsrtp is not given here) it returns FALSE with @error, and the packets go
 * through webrtcbin as they would without it. Main context. */
gboolean lx_direct_sender_start (LxDirectSender *sender, GstElement *webrtc, GError **error);

/* Packets sent directly so far. Any thread. */
guint64 lx_direct_sender_get_packets (LxDirectSender *sender);

/* Lets go of the stream (the probe keeps its own reference until it is removed). */
void lx_direct_sender_unref (LxDirectSender *sender);
