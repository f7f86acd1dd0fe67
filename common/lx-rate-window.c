/* A rate over a recent window (see lx-rate-window.h). */
#include "lx-rate-window.h"

#include <string.h>

void
lx_rate_window_sample (LxRateWindow *window, gint64 now_us, guint64 bytes, gint64 every_us)
{
  if (window->at_us[window->newest] > 0 && now_us - window->at_us[window->newest] < every_us)
    return;
  window->newest = (window->newest + 1) % LX_RATE_WINDOW_SAMPLES;
  window->at_us[window->newest] = now_us;
  window->bytes[window->newest] = bytes;
}

gint64
lx_rate_window_kbps (const LxRateWindow *window, gint64 now_us, guint64 bytes, gint64 window_us,
                     gint64 least_us)
{
  gint oldest = -1;

  for (guint i = 0; i < LX_RATE_WINDOW_SAMPLES; i++) {
    gint64 at = window->at_us[i];
    if (at > 0 && now_us - at <= window_us && (oldest < 0 || at < window->at_us[oldest]))
      oldest = (gint) i;
  }
  if (oldest < 0 || now_us - window->at_us[oldest] < least_us || now_us == window->at_us[oldest])
    return -1;
  return (gint64) ((bytes - window->bytes[oldest]) * 8 * 1000 /
                   (guint64) (now_us - window->at_us[oldest]));
}

void
lx_rate_window_clear (LxRateWindow *window)
{
  memset (window, 0, sizeof *window);
}
