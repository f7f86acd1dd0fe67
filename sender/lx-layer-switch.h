/* Which quality layer one classroom's video comes from, changed while the lesson runs:
 *
 *   video-tee-0 ─┐ (the current layer's tee pad)
 *   video-tee-2 ─┼─▶ input-selector ─▶ (the classroom's payloader)
 *                └ (a pending layer: linked, its buffers dropped until its first keyframe; then
 *                   the selector switches to it and the old layer's pad is released)
 *
 * So a classroom changes layer only at a keyframe of the new layer (its decoder never sees a
 * picture that refers to frames it did not get), and no layer is encoded twice. Its first layer,
 * before it is connected, goes on the air at once and without a keyframe of its own: nothing
 * reaches the classroom before then, and it gets its keyframe when it connects. Pausing unlinks
 * the video altogether (the classroom keeps its audio). */
#pragma once

#include "lx-keyframes.h"
#include "lx-layers.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _LxLayerSwitch LxLayerSwitch;

/* (transfer full) A switch feeding @selector (an input-selector inside @bin, which sits in the
 * same bin as @tees) from one of the @n_layers @tees; @gates (each nullable) are asked for the
 * keyframe a switch waits for. Starts on no layer: call lx_layer_switch_set(). Main context only. */
LxLayerSwitch *lx_layer_switch_new (GstElement *bin, GstElement *selector, GstElement *const *tees,
                                    LxKeyframeGate *const *gates, guint n_layers,
                                    const char *school);

/* Moves to @layer (n_layers: pause video). Returns FALSE if the tee could not be linked. */
gboolean lx_layer_switch_set (LxLayerSwitch *layer_switch, guint layer);
/* The same, for a link whose queue is full (its capacity fell): the old layer stops at once and
 * the new layer's keyframe is asked for @drain_ms later, once the link's queue has drained —
 * sent into a full modem buffer it would be lost, and the picture frozen for a round trip more
 * until it is repaired. */
gboolean lx_layer_switch_set_after_drain (LxLayerSwitch *layer_switch, guint layer, guint drain_ms);

/* The layer on the air now (n_layers when paused or not started). */
guint lx_layer_switch_get_current (LxLayerSwitch *layer_switch);

/* Asks the current layer's encoder for a keyframe (a classroom just connected). */
void lx_layer_switch_request_keyframe (LxLayerSwitch *layer_switch, const char *reason);

/* Unlinks every tee pad when the tee is between buffers, then calls @done once on the thread that
 * unlinked the last one (at once if none was linked), and frees the switch. */
void lx_layer_switch_close (LxLayerSwitch *layer_switch, GDestroyNotify done, gpointer data);

G_END_DECLS
