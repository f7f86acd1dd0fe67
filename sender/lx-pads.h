/* Taking a branch off a running tee: the way the classrooms, their layer switches and the VP8
 * layers leave without stopping what feeds them; and a capture replaced while the lesson runs. */
#pragma once

#include <gst/gst.h>

/* Unlinks @src_pad from its peer as soon as no buffer is passing through it (an idle probe: at
 * once if it is idle now), then calls @then (@data) on that thread. @destroy (nullable) frees
 * @data after. */
void lx_pad_unlink_when_idle (GstPad *src_pad, void (*then) (gpointer data), gpointer data,
                              GDestroyNotify destroy);

/* Puts @replacement (a capture bin, floating, with a "src" pad) in place of *@current (nullable)
 * in @pipeline, linked to @sink. The old capture is stopped before it is unlinked (a live source
 * pushing into nothing would fail the pipeline) and goes. If the new one cannot link or start (a
 * camera that is not there), it goes too, *@current is NULL, and FALSE comes with @error; its own
 * error message, posted meanwhile, then comes from an element no longer in the pipeline. */
gboolean lx_capture_replace (GstElement *pipeline, GstElement **current, GstElement *replacement,
                             GstPad *sink, GError **error);
