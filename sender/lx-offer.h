/* Reading a player's SDP offer (WHEP: the player offers, the sender answers): which payload types
 * it gave the codecs we send. webrtcbin 1.22 answers with the offer's numbers but does not renumber
 * what our payloaders produce, so they must be told. */
#pragma once

#include <gst/sdp/sdp.h>

typedef struct {
  gint video_pt; /* -1: no video we can send */
  gint audio_pt; /* -1: no Opus */
} LxOfferPayloads;

/* The payload types @offer gives @video_codec (LX_VIDEO_CODEC_*: for H.264, packetization-mode 1
 * in a profile every decoder of constrained baseline takes) and Opus. */
LxOfferPayloads lx_offer_find_payloads (const GstSDPMessage *offer, const char *video_codec);
