/* The quality layers of one video codec, each encoded once from the raw video: per layer an
 * encoder, the tee every classroom's branch takes it from, and its keyframe gate. The H.264 set is
 * built with the pipeline; the VP8 set while it plays, with the first classroom that decodes only
 * VP8, and retired while it plays once the last one has gone. Main context only.
 *
 *   raw-tee ─▶ video-encoder-[CODEC-]N ─▶ video-tee-[CODEC-]N ─▶ classroom branches */
#pragma once

#include "lx-classroom.h"
#include "lx-keyframes.h"
#include "lx-sender-config.h"

#include <gst/gst.h>

typedef struct _LxLayerSet LxLayerSet;

/* (transfer full) Adds the encoders and tees of every configured layer in @codec
 * (LX_VIDEO_CODEC_H264 or LX_VIDEO_CODEC_VP8) to @pipeline after @raw_tee, playing if the pipeline
 * plays. NULL with @error if an encoder cannot be made or linked (what was added stays in the
 * pipeline, unlinked, until the pipeline goes). */
LxLayerSet *lx_layer_set_new (const LxSenderConfig *config, GstElement *pipeline,
                              GstElement *raw_tee, const char *codec, GError **error);
/* Frees the set; the pipeline must be stopped (its elements go with it). */
void lx_layer_set_free (LxLayerSet *set);
/* Stops the set's encoders and takes them and the tees out of the playing pipeline, once no
 * buffer is passing (the raw video goes on for the other codec), then frees the set. Its tees
 * must feed no branch any more (lx_layer_set_feeds_branches). */
void lx_layer_set_retire (LxLayerSet *set);

/* (transfer none) LX_VIDEO_CODEC_H264 or LX_VIDEO_CODEC_VP8 */
const char *lx_layer_set_get_codec (LxLayerSet *set);
guint lx_layer_set_get_n_layers (LxLayerSet *set);
/* (transfer none) Layer @layer's tee, keyframe gate and encoder element. */
GstElement *lx_layer_set_get_tee (LxLayerSet *set, guint layer);
LxKeyframeGate *lx_layer_set_get_keyframes (LxLayerSet *set, guint layer);
GstElement *lx_layer_set_get_encoder (LxLayerSet *set, guint layer);
/* Whether a tee of the set still feeds a branch (one may be closing). */
gboolean lx_layer_set_feeds_branches (LxLayerSet *set);
/* Fills @context's video tees, keyframe gates, layer count and codec from the set. */
void lx_layer_set_fill_context (LxLayerSet *set, LxClassroomContext *context);

/* (transfer full) Adds @encoder (nullable; floating) then a tee named @tee_name after @upstream
 * in @pipeline, playing if the pipeline plays, and returns the tee. The tees live in the pipeline
 * itself, beside the branches they feed, since pads can only be linked within one bin. NULL with
 * @error if they cannot be linked. */
GstElement *lx_tee_add_after (GstElement *pipeline, GstElement *upstream, GstElement *encoder,
                              const char *tee_name, GError **error);
