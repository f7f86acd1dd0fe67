/* Reading a player's SDP offer (WHEP: the player offers, the sender answers). Offers come in every
 * shape the standards allow; webrtcbin 1.22 takes fewer. lx_offer_normalise() rewrites what it
 * refuses into what it takes, meaning the same thing, and says clearly what no rewriting can save;
 * lx_offer_find_payloads() says which payload types the offer gave the codecs we send (webrtcbin
 * answers with the offer's numbers but does not renumber what our payloaders produce). */
#pragma once

#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

#define LX_OFFER_ERROR (lx_offer_error_quark ())
GQuark lx_offer_error_quark (void);

typedef enum {
  LX_OFFER_ERROR_MALFORMED,       /* not SDP, or no WebRTC offer: no media, no ICE credentials, no
                                   * DTLS fingerprint (HTTP 400) */
  LX_OFFER_ERROR_NO_COMMON_CODEC, /* no video we can send in it (HTTP 406) */
} LxOfferError;

/* (transfer full) @text parsed and rewritten for webrtcbin 1.22, or NULL with @error
 * (LX_OFFER_ERROR_MALFORMED) naming what is wrong:
 * - session-level ICE credentials, DTLS fingerprint and setup role are copied into every m-line;
 * - under BUNDLE, every bundled m-line takes the ICE credentials, fingerprint and setup role of the
 *   offerer-tagged m-line (the first in the group, RFC 8843 §7.2.1), and candidates only it
 *   carries: the others' transports are the ones BUNDLE drops (webrtcbin refuses "different
 *   ice-ufrag values in bundle");
 * - mDNS candidates (.local) are dropped: libnice 0.1.21 cannot resolve them.
 * What it changed is added to @notes (nullable), one line each. */
GstSDPMessage *lx_offer_normalise (const char *text, GString *notes, GError **error);

typedef struct {
  gint video_pt; /* -1: no video we can send */
  gint audio_pt; /* -1: no Opus */
} LxOfferPayloads;

/* The payload types @offer gives @video_codec (LX_VIDEO_CODEC_*; H.264 in packetization-mode 1, in
 * constrained baseline if offered, else another profile whose decoders take constrained baseline)
 * and Opus. */
LxOfferPayloads lx_offer_find_payloads (const GstSDPMessage *offer, const char *video_codec);

/* The video codec to send a player whose @offer this is: H.264 where it takes it, else VP8; NULL
 * with @error (LX_OFFER_ERROR_NO_COMMON_CODEC) when neither. */
const char *lx_offer_pick_video_codec (const GstSDPMessage *offer, GError **error);

/* (transfer none) (nullable) The parameters of @pt's fmtp line in @media ("a=fmtp:PT ..."). */
const char *lx_offer_fmtp_of (const GstSDPMedia *media, gint pt);
/* (transfer none) (nullable) The first m-line of @offer that lists payload type @pt. */
const GstSDPMedia *lx_offer_media_with_payload (const GstSDPMessage *offer, gint pt);

G_END_DECLS
