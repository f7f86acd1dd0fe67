/* A rate over a recent window, from a running byte count sampled now and then: a ring of (time,
 * count) samples, and the rate from the oldest one still inside the window to now. Serves the
 * sender's measure of what each encoder really sends (over 4 s) and the classroom's measure of
 * what arrived over the last 100 ms (for a queue alarm). Not thread-safe: one thread samples and
 * reads. */
#pragma once

#include <glib.h>

#define LX_RATE_WINDOW_SAMPLES 9

typedef struct {
  gint64 at_us[LX_RATE_WINDOW_SAMPLES]; /* monotonic; 0: none yet */
  guint64 bytes[LX_RATE_WINDOW_SAMPLES];
  guint newest;
} LxRateWindow;

/* Notes the running count @bytes at @now_us, unless the newest sample is younger than
 * @every_us (0: always); the oldest sample goes. */
void lx_rate_window_sample (LxRateWindow *window, gint64 now_us, guint64 bytes, gint64 every_us);
/* kbit/s from the oldest sample at most @window_us old to @bytes at @now_us, or -1 if the samples
 * reach back less than @least_us. */
gint64 lx_rate_window_kbps (const LxRateWindow *window, gint64 now_us, guint64 bytes,
                            gint64 window_us, gint64 least_us);
/* Forgets every sample. */
void lx_rate_window_clear (LxRateWindow *window);
