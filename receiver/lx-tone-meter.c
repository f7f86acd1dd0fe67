/* The decoded sound's pitch and loudness (see lx-tone-meter.h). */
#include "lx-tone-meter.h"

#include <math.h>

/* Samples closer to zero than this are noise: they neither start nor end a half-wave. */
#define NOISE_FLOOR 64

/* Feeds one sample to the Goertzel filter tuned to probe_hz (@coefficient: 2 cos (2π probe_hz /
 * @rate)); each quarter second, its strength. */
static void
probe (LxToneMeter *meter, gint sample, guint rate, gdouble coefficient)
{
  gdouble s0 = sample + coefficient * meter->probe_s1 - meter->probe_s2;
  guint64 block = rate / 4;

  meter->probe_s2 = meter->probe_s1;
  meter->probe_s1 = s0;
  if (++meter->probe_samples < block)
    return;
  {
    gdouble power = meter->probe_s1 * meter->probe_s1 + meter->probe_s2 * meter->probe_s2 -
                    coefficient * meter->probe_s1 * meter->probe_s2;
    /* (a sine of amplitude A gives power (A N / 2)^2; its RMS is A / sqrt 2) */
    gdouble amplitude = 2 * sqrt (MAX (power, 0)) / (gdouble) block;
    meter->probe_permille = (guint) (amplitude / G_SQRT2 * 1000 / 32768);
    meter->probe_dbfs = 20 * log10 (MAX (amplitude / G_SQRT2 / 32768, 1e-6));
  }
  meter->probe_samples = 0;
  meter->probe_s1 = meter->probe_s2 = 0;
}

void
lx_tone_meter_add (LxToneMeter *meter, const gint16 *samples, gsize frames, guint channels,
                   guint rate)
{
  gdouble coefficient;

  if (channels == 0 || rate == 0)
    return;
  coefficient = 2 * cos (2 * G_PI * meter->probe_hz / rate);
  for (gsize i = 0; i < frames; i++) {
    gint sample = samples[i * channels];
    gint sign = sample > NOISE_FLOOR ? 1 : sample < -NOISE_FLOOR ? -1 : 0;

    if (sign != 0) {
      if (meter->sign != 0 && sign != meter->sign)
        meter->crossings++;
      meter->sign = sign;
    }
    meter->sum_squares += (gdouble) sample * sample;
    if (meter->probe_hz)
      probe (meter, sample, rate, coefficient);
    if (++meter->samples < rate)
      continue;
    meter->tone_hz = (guint) (meter->crossings * rate / (2 * meter->samples));
    meter->level_permille = (guint) (sqrt (meter->sum_squares / meter->samples) * 1000 / 32768);
    meter->samples = meter->crossings = 0;
    meter->sum_squares = 0;
  }
}
