/* One gate for every keyframe request that reaches the shared video encoder: a classroom joining,
 * or a receiver's PLI/FIR arriving through its webrtcbin. Requests closer together than a minimum
 * interval are merged into one keyframe at the end of that interval, so joins and lossy classrooms
 * cannot make the encoder emit a keyframe storm that every classroom pays for. */
#pragma once

#include <gst/gst.h>

typedef struct _LxKeyframeGate LxKeyframeGate;

typedef struct {
  guint64 requested; /* requests seen: joins and PLI/FIR */
  guint64 forced;    /* requests passed to the encoder */
  guint64 produced;  /* keyframes the encoder produced (scheduled ones included) */
} LxKeyframeStats;

/* (transfer full) A gate on the encoder's @encoder_src pad, counting the keyframes leaving it.
 * The deferred keyframe is sent from the thread-default main context of the caller. */
LxKeyframeGate *lx_keyframe_gate_new (GstPad *encoder_src, guint min_interval_ms);
void lx_keyframe_gate_free (LxKeyframeGate *gate);

/* Asks for a keyframe now (thread-safe); @reason goes to the debug log. */
void lx_keyframe_gate_request (LxKeyframeGate *gate, const char *reason);

LxKeyframeStats lx_keyframe_gate_get_stats (LxKeyframeGate *gate);
