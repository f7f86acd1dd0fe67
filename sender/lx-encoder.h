/* The shared encoders: raw video is encoded to H.264 once and raw audio to Opus once; the sender
 * puts a tee after each, from which every classroom's branch takes the same encoded buffers. */
#pragma once

#include "lx-protocol.h"
#include "lx-sender-config.h"

#include <gst/gst.h>

/* (transfer floating) A bin "video-encoder-LAYER": raw video at the capture size in ("sink"),
 * scaled to quality layer @layer and encoded at its bitrate, H.264 byte-stream access units with
 * SPS/PPS before every keyframe out ("src"). With @codec LX_VIDEO_CODEC_VP8
 * ("video-encoder-vp8-LAYER"): VP8 frames, for browsers without H.264. *@encoder (transfer none,
 * nullable) is its encoder element (for keyframe requests and timing). NULL with @error if no
 * usable encoder exists. */
GstElement *lx_encoder_video_new (const LxSenderConfig *config, guint layer, const char *codec,
                                  GstElement **encoder, GError **error);

/* (transfer floating) A bin "audio-encoder": raw audio in ("sink"), Opus out ("src"). */
GstElement *lx_encoder_audio_new (const LxSenderConfig *config, GError **error);

/* (transfer none) The name of the H.264 encoder that video-encoder=auto would choose here. */
const char *lx_encoder_pick_video_encoder (void);
