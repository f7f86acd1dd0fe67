/* Delay measurements: a thread-safe window of the latest delays with their percentiles, and a
 * stage timer that measures how long buffers take between two pads (an encoder's or a decoder's
 * input and output), matching them by timestamp. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct {
  guint count; /* delays in the window; the percentiles are -1 when 0 */
  gdouble p50_ms, p95_ms, p99_ms;
} LxDelaySummary;

typedef struct _LxDelayWindow LxDelayWindow;

/* (transfer full) A window of the latest @size delays. */
LxDelayWindow *lx_delay_window_new (guint size);
void lx_delay_window_free (LxDelayWindow *window);
/* Thread-safe. */
void lx_delay_window_add (LxDelayWindow *window, gint64 delay_us);
LxDelaySummary lx_delay_window_summarize (LxDelayWindow *window);

/* Times each buffer from @input to @output (the pads of an encoder or a decoder, which keep
 * timestamps), matching them by timestamp, and adds the delays to @window. The timing lasts as long
 * as the pads; @window must outlive them. */
void lx_stage_timer_attach (GstPad *input, GstPad *output, LxDelayWindow *window);

G_END_DECLS
