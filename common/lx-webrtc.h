/* What the sender and the receiver do alike to a webrtcbin: keep ICE on the configured addresses,
 * with UPnP off and STUN/TURN from configuration, and turn SDP text into descriptions and back. */
#pragma once

#include <gst/gst.h>
#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

typedef struct {
  gchar **local_addresses; /* NULL: gather on every interface (production) */
  gchar *stun_server;      /* stun://host:port, or NULL */
  gchar *turn_server;      /* turn(s)://user:password@host:port, or NULL */
  gchar *transport_policy; /* all | relay (only through the TURN server) */
} LxIceSettings;

/* Which end of the media a webrtcbin is: it decides how often RTCP goes out (see lx-webrtc.c). */
typedef enum { LX_WEBRTC_SENDING, LX_WEBRTC_RECEIVING } LxWebrtcRole;

/* (transfer floating) A new webrtcbin named @name with max-bundle, ICE restricted as @ice says,
 * and its jitter buffers set to @latency_ms. NULL with @error if an address is refused. */
GstElement *lx_webrtc_new (const char *name, LxWebrtcRole role, const LxIceSettings *ice,
                           guint latency_ms, GError **error);

/* Paces @webrtc's connectivity checks every 5 ms until ICE is connected, instead of libnice's
 * 20 ms: a regular nomination takes three ticks, so 60 ms of every join's first picture became 15
 * (RFC 8445 allows 5 ms for real-time media; a classroom has a handful of candidate pairs). Only
 * between our own programs and pages: a WHEP player written elsewhere (werift) lost its DTLS
 * handshake to a connection this quick, and never retried it. */
void lx_webrtc_pace_checks_quickly (GstElement *webrtc);

/* Calls @each with every element made by @factory inside @bin (webrtcbin, or a bin of it), at any
 * depth, until it returns FALSE. */
void lx_webrtc_foreach_made_by (GstBin *bin, const char *factory,
                                gboolean (*each) (GstElement *element, gpointer data),
                                gpointer data);

/* (transfer full) (nullable) The element @webrtc (or a bin of it) made with @factory (its SRTP
 * encoder, its RTX sender...) if it made exactly one; @count (nullable): how many it made. */
GstElement *lx_webrtc_find_element (GstElement *webrtc, const char *factory, guint *count);

/* Adds @servers (stun:// and turn(s):// URLs a WHIP/WHEP endpoint announced; nullable) to a new
 * @webrtc, before it gathers: a STUN server where the configuration gave none, every TURN server. */
void lx_webrtc_add_announced_ice_servers (GstElement *webrtc, const char *const *servers);

/* (transfer full) A session description parsed from SDP text, or NULL with @error. */
GstWebRTCSessionDescription *lx_webrtc_description_from_text (GstWebRTCSDPType type,
                                                              const char *sdp, GError **error);

typedef struct _LxSignalingClient LxSignalingClient;

/* Makes @description @webrtc's local (@local) or remote description. A webrtcbin that is closing
 * (its classroom left that moment) answers through a promise; given none, GStreamer 1.22 leaks
 * that answer, so one is always given here and dropped. */
void lx_webrtc_set_description (GstElement *webrtc, gboolean local,
                                GstWebRTCSessionDescription *description);

/* Completes a create-offer or create-answer: sends the description in @promise's reply as an
 * `offer` or `answer` about @school through @signaling, then makes it @webrtc's local description.
 * Sending first means the peer never receives an ICE candidate before the description it belongs
 * to. Returns FALSE, logging why, if the reply holds no description. Takes @promise. */
gboolean lx_webrtc_publish_local_description (GstElement *webrtc, GstPromise *promise,
                                              LxSignalingClient *signaling, const char *school);

/* (transfer full) (nullable) For peers that do not trickle (WHIP, WHEP): @webrtc's local
 * description as SDP text with every ICE candidate and a=end-of-candidates, once ICE gathering is
 * complete; NULL before (call again on notify::ice-gathering-state). */
gchar *lx_webrtc_get_complete_description (GstElement *webrtc);

/* (transfer full) (nullable) The @kind ("offer" or "answer") a create-offer or create-answer
 * promise replied with, or NULL with @error (webrtcbin's own, where it gave one). Takes @promise. */
GstWebRTCSessionDescription *lx_webrtc_take_description (GstPromise *promise, const char *kind,
                                                         GError **error);

/* TRUE, with @error, when webrtcbin answered @promise (a set-remote-description, a create-offer...)
 * with its error, or not at all. Does not take @promise. */
gboolean lx_webrtc_promise_failed (GstPromise *promise, GError **error);

/* Creates the DTLS certificate this process will use, so that the first classroom does not wait for
 * key generation (webrtcbin makes one per process, on first use, otherwise). */
void lx_webrtc_prepare_dtls_certificate (void);

/* (transfer full) Restarts ICE on @webrtc's (bundled) transport, the one @transceiver sends on,
 * with the peer's new credentials and candidates in @peer_frag (an RFC 8840 sdpfrag): ours, new
 * credentials and every local candidate under @mid, as an sdpfrag for the peer; NULL with @error.
 * DTLS and the media go on over the new candidate pair. (webrtcbin 1.22 has no ICE restart: this
 * restarts the libnice stream under it.) */
gchar *lx_webrtc_restart_ice (GstElement *webrtc, GstWebRTCRTPTransceiver *transceiver,
                              const char *peer_frag, const char *mid, GError **error);

G_END_DECLS
