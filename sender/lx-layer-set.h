/* The quality layers of one video codec, each encoded once from the raw video: per layer an
 * encoder, the tee every classroom's branch takes it from, and its keyframe gate. The H.264 set is
 * built with the pipeline; the VP8 set while it plays, with the first classroom that decodes only
 * VP8, and retired while it plays once the last one has gone (the set keeps count). Main context
 * only.
 *
 *   raw-tee ─▶ video-encoder-[CODEC-]N ─▶ video-tee-[CODEC-]N ─▶ classroom branches */
#pragma once

#include "lx-classroom.h"
#include "lx-keyframes.h"
#include "lx-sender-config.h"

#include <gst/gst.h>

typedef struct _LxLayerSet LxLayerSet;

/* (transfer full) The layers in @codec (LX_VIDEO_CODEC_H264 or LX_VIDEO_CODEC_VP8), fed from
 * @raw_tee in @pipeline. Unless @on_demand, their encoders and tees are added now, playing if the
 * pipeline plays, and stay until the pipeline goes; NULL with @error if an encoder cannot be made
 * or linked. An on-demand set starts them with its first holder and retires them 10 s after its
 * last holder let go, once no branch is fed any more (the raw video goes on for the other codec). */
LxLayerSet *lx_layer_set_new (const LxSenderConfig *config, GstElement *pipeline,
                              GstElement *raw_tee, const char *codec, gboolean on_demand,
                              GError **error);
/* Frees the set; the pipeline must be stopped (its elements go with it). */
void lx_layer_set_free (LxLayerSet *set);

/* A classroom (or publication) named @holder takes the set's layers: starts the encoders if they
 * are stopped, and fills @context's video tees, keyframe gates, layer count and codec. FALSE with
 * @error, holding nothing, if the encoders cannot start. */
gboolean lx_layer_set_hold (LxLayerSet *set, const char *holder, LxClassroomContext *context,
                            GError **error);
/* A holder let go (its branch is closing). */
void lx_layer_set_release (LxLayerSet *set);

/* The layers whose encoders run (0 while an on-demand set is stopped). */
guint lx_layer_set_get_n_layers (LxLayerSet *set);
/* (transfer none) Layer @layer's tee, keyframe gate and encoder element. */
GstElement *lx_layer_set_get_tee (LxLayerSet *set, guint layer);
LxKeyframeGate *lx_layer_set_get_keyframes (LxLayerSet *set, guint layer);
GstElement *lx_layer_set_get_encoder (LxLayerSet *set, guint layer);

/* (transfer full) Adds @encoder (nullable; floating) then a tee named @tee_name after @upstream
 * in @pipeline, playing if the pipeline plays, and returns the tee. The tees live in the pipeline
 * itself, beside the branches they feed, since pads can only be linked within one bin. NULL with
 * @error if they cannot be linked. */
GstElement *lx_tee_add_after (GstElement *pipeline, GstElement *upstream, GstElement *encoder,
                              const char *tee_name, GError **error);
