/* The decoded sound's pitch and loudness (see lx-tone-meter.h). */
#include "lx-tone-meter.h"

#include <math.h>

/* Samples closer to zero than this are noise: they neither start nor end a half-wave. */
#define NOISE_FLOOR 64

void
lx_tone_meter_add (LxToneMeter *meter, const gint16 *samples, gsize frames, guint channels,
                   guint rate)
{
  if (channels == 0 || rate == 0)
    return;
  for (gsize i = 0; i < frames; i++) {
    gint sample = samples[i * channels];
    gint sign = sample > NOISE_FLOOR ? 1 : sample < -NOISE_FLOOR ? -1 : 0;

    if (sign != 0) {
      if (meter->sign != 0 && sign != meter->sign)
        meter->crossings++;
      meter->sign = sign;
    }
    meter->sum_squares += (gdouble) sample * sample;
    if (++meter->samples < rate)
      continue;
    meter->tone_hz = (guint) (meter->crossings * rate / (2 * meter->samples));
    meter->level_permille = (guint) (sqrt (meter->sum_squares / meter->samples) * 1000 / 32768);
    meter->samples = meter->crossings = 0;
    meter->sum_squares = 0;
  }
}
