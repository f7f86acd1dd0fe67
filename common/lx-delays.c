/* Delay windows and stage timers (see lx-delays.h). */
#include "lx-delays.h"

#include <stdlib.h>
#include <string.h>

struct _LxDelayWindow {
  GMutex lock;
  gint64 *delays_us;
  guint size, count, next;
};

LxDelayWindow *
lx_delay_window_new (guint size)
{
  LxDelayWindow *window = g_new0 (LxDelayWindow, 1);

  g_mutex_init (&window->lock);
  window->size = size;
  window->delays_us = g_new0 (gint64, size);
  return window;
}

void
lx_delay_window_free (LxDelayWindow *window)
{
  if (window == NULL)
    return;
  g_mutex_clear (&window->lock);
  g_free (window->delays_us);
  g_free (window);
}

void
lx_delay_window_add (LxDelayWindow *window, gint64 delay_us)
{
  g_mutex_lock (&window->lock);
  window->delays_us[window->next] = delay_us;
  window->next = (window->next + 1) % window->size;
  window->count = MIN (window->count + 1, window->size);
  g_mutex_unlock (&window->lock);
}

static int
compare_delays (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of @count sorted delays, in milliseconds. */
static gdouble
percentile_ms (const gint64 *sorted, guint count, guint percent)
{
  guint rank = (count * percent + 99) / 100;
  return sorted[MAX (rank, 1) - 1] / 1000.0;
}

LxDelaySummary
lx_delay_window_summarize (LxDelayWindow *window)
{
  LxDelaySummary summary = { 0, -1, -1, -1 };
  g_autofree gint64 *sorted = g_new (gint64, window->size);

  g_mutex_lock (&window->lock);
  summary.count = window->count;
  memcpy (sorted, window->delays_us, window->count * sizeof (gint64));
  g_mutex_unlock (&window->lock);

  if (summary.count > 0) {
    qsort (sorted, summary.count, sizeof (gint64), compare_delays);
    summary.p50_ms = percentile_ms (sorted, summary.count, 50);
    summary.p95_ms = percentile_ms (sorted, summary.count, 95);
    summary.p99_ms = percentile_ms (sorted, summary.count, 99);
  }
  return summary;
}

/* ---- Stage timer ---- */

/* Buffers in flight inside the stage at once: an encoder or decoder holds a few at most. */
#define IN_FLIGHT 64

typedef struct {
  LxDelayWindow *window; /* (not owned) */
  GMutex lock;           /* guards the entries */
  struct {
    GstClockTime pts;
    gint64 entered_us;
  } entries[IN_FLIGHT];
  guint next_entry;
  /* What the element adds to timestamps (GstVideoEncoder shifts them by hours, to keep decoding
   * timestamps positive); learnt from the first buffer out, which is the oldest one in. */
  GstClockTimeDiff shift;
  gboolean shift_known;
} StageTimer;

static void
stage_timer_clear (StageTimer *timer)
{
  g_mutex_clear (&timer->lock);
}

/* Each of the two probes holds a reference: the timer goes with the last. */
static void
stage_timer_release (gpointer timer)
{
  g_atomic_rc_box_release_full (timer, (GDestroyNotify) stage_timer_clear);
}

static GstPadProbeReturn
on_input (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  StageTimer *timer = data;
  GstClockTime pts = GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info));

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&timer->lock);
  timer->entries[timer->next_entry].pts = pts;
  timer->entries[timer->next_entry].entered_us = g_get_monotonic_time ();
  timer->next_entry = (timer->next_entry + 1) % IN_FLIGHT;
  g_mutex_unlock (&timer->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_output (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  StageTimer *timer = data;
  GstClockTime pts = GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info));
  gint64 entered_us = -1;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&timer->lock);
  if (!timer->shift_known) {
    guint oldest = IN_FLIGHT;
    for (guint i = 0; i < IN_FLIGHT; i++) {
      if (GST_CLOCK_TIME_IS_VALID (timer->entries[i].pts) &&
          (oldest == IN_FLIGHT || timer->entries[i].entered_us < timer->entries[oldest].entered_us))
        oldest = i;
    }
    if (oldest < IN_FLIGHT) {
      timer->shift = GST_CLOCK_DIFF (timer->entries[oldest].pts, pts);
      timer->shift_known = TRUE;
    }
  }
  pts -= timer->shift;
  for (guint i = 0; i < IN_FLIGHT; i++) {
    if (timer->entries[i].pts == pts) {
      entered_us = timer->entries[i].entered_us;
      timer->entries[i].pts = GST_CLOCK_TIME_NONE; /* each buffer is timed once */
      break;
    }
  }
  g_mutex_unlock (&timer->lock);
  if (entered_us >= 0)
    lx_delay_window_add (timer->window, g_get_monotonic_time () - entered_us);
  return GST_PAD_PROBE_OK;
}

void
lx_stage_timer_attach (GstPad *input, GstPad *output, LxDelayWindow *window)
{
  StageTimer *timer = g_atomic_rc_box_new0 (StageTimer);

  g_mutex_init (&timer->lock);
  timer->window = window;
  for (guint i = 0; i < IN_FLIGHT; i++)
    timer->entries[i].pts = GST_CLOCK_TIME_NONE;
  gst_pad_add_probe (input, GST_PAD_PROBE_TYPE_BUFFER, on_input, g_atomic_rc_box_acquire (timer),
                     stage_timer_release);
  gst_pad_add_probe (output, GST_PAD_PROBE_TYPE_BUFFER, on_output, timer, stage_timer_release);
}
