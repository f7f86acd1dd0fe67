/* Taking a branch off a running tee: the way the classrooms, their layer switches and the VP8
 * layers leave without stopping what feeds them. */
#pragma once

#include <gst/gst.h>

/* Unlinks @src_pad from its peer as soon as no buffer is passing through it (an idle probe: at
 * once if it is idle now), then calls @then (@data) on that thread. @destroy (nullable) frees
 * @data after. */
void lx_pad_unlink_when_idle (GstPad *src_pad, void (*then) (gpointer data), gpointer data,
                              GDestroyNotify destroy);
