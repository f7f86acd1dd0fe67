/* What a classroom's webrtcbin puts in its SDP for each codec (its transceivers' codec
 * preferences): complete format parameters whatever the timing, so that no peer reads a default
 * we did not mean (RFC 6184 reads H.264 without fmtp as single-NAL mode at level 1.0). */
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

/* (transfer full) (nullable) Codec preferences for an offer: @payloaded (the payloader's current
 * caps) without its per-session values, with the parameters of its codec filled in: H.264 gets
 * packetization-mode=1, level-asymmetry-allowed=1 and the profile-level-id of @encoded (the
 * encoder's caps: profile and level), Opus its minptime and in-band FEC, and video the feedback we
 * answer (NACK, PLI, FIR). NULL while @encoded does not say its profile and level yet. */
GstCaps *lx_codec_preferences_for_offer (const GstCaps *payloaded, const GstCaps *encoded);

/* (transfer full) Codec preferences for answering a player's offer: @payloaded (already carrying
 * the offer's payload type @pt) with the format parameters the offer gave @pt in @media, so the
 * answer takes the player's own parameters and webrtcbin finds the two alike. */
GstCaps *lx_codec_preferences_for_answer (const GstCaps *payloaded, const GstSDPMedia *media,
                                          gint pt);

/* (transfer full) (nullable) The profile-level-id ("42e028") for H.264 @encoded caps, from their
 * profile and level fields; NULL for a profile or level it does not know. */
gchar *lx_codec_h264_profile_level_id (const GstCaps *encoded);

G_END_DECLS
