/* The decoded sound's pitch and loudness (see lx-tone-meter.h). */
#include "lx-tone-meter.h"

#include <math.h>

/* Samples closer to zero than this are noise: they neither start nor end a half-wave. */
#define NOISE_FLOOR 64

/* Feeds @sample to @filter (@coefficient: 2 cos (2π f / rate), f the pitch). At the end of each
 * block of @block samples: TRUE, the pitch's strength as RMS over full scale in *@rms (a sine of
 * amplitude A gives power (A N / 2)^2; its RMS is A / sqrt 2), and the next block begins. */
static gboolean
goertzel_feed (LxGoertzel *filter, gint sample, gdouble coefficient, guint64 block, gdouble *rms)
{
  gdouble s0 = sample + coefficient * filter->s1 - filter->s2;
  gdouble power;

  filter->s2 = filter->s1;
  filter->s1 = s0;
  if (++filter->samples < block)
    return FALSE;
  power = filter->s1 * filter->s1 + filter->s2 * filter->s2 - coefficient * filter->s1 * filter->s2;
  *rms = 2 * sqrt (MAX (power, 0)) / (gdouble) block / G_SQRT2 / 32768;
  filter->samples = 0;
  filter->s1 = filter->s2 = 0;
  return TRUE;
}

/* Feeds one sample to the probe's filter; each quarter second, its strength. */
static void
probe (LxToneMeter *meter, gint sample, guint rate, gdouble coefficient)
{
  gdouble rms;

  if (!goertzel_feed (&meter->probe, sample, coefficient, rate / 4, &rms))
    return;
  meter->probe_permille = (guint) (rms * 1000);
  meter->probe_dbfs = 20 * log10 (MAX (rms, 1e-6));
}

/* An onset block's strength in thousandths of full scale: on above ON, off below OFF (a test
 * tone sounds at ~140; a neighbour pitch leaks a few). */
#define ONSET_ON_PERMILLE 25
#define ONSET_OFF_PERMILLE 8

/* Feeds one sample to the 5 ms onset detector; TRUE when the pitch starts sounding with it. */
static gboolean
onset (LxToneMeter *meter, gint sample, guint rate, gdouble coefficient)
{
  gdouble rms;

  if (!goertzel_feed (&meter->onset, sample, coefficient, rate / 200, &rms))
    return FALSE;
  if (!meter->sounding && rms * 1000 >= ONSET_ON_PERMILLE) {
    meter->sounding = TRUE;
    return TRUE;
  }
  if (meter->sounding && rms * 1000 < ONSET_OFF_PERMILLE)
    meter->sounding = FALSE;
  return FALSE;
}

void
lx_tone_meter_add (LxToneMeter *meter, const gint16 *samples, gsize frames, guint channels,
                   guint rate)
{
  gdouble coefficient;

  if (channels == 0 || rate == 0)
    return;
  coefficient = 2 * cos (2 * G_PI * meter->probe_hz / rate);
  meter->onset_frame = -1;
  for (gsize i = 0; i < frames; i++) {
    gint sample = samples[i * channels];
    gint sign = sample > NOISE_FLOOR ? 1 : sample < -NOISE_FLOOR ? -1 : 0;

    if (sign != 0) {
      if (meter->sign != 0 && sign != meter->sign)
        meter->crossings++;
      meter->sign = sign;
    }
    meter->sum_squares += (gdouble) sample * sample;
    if (meter->probe_hz) {
      probe (meter, sample, rate, coefficient);
      /* (the block ends here: the onset is where it began) */
      if (onset (meter, sample, rate, coefficient) && meter->onset_frame < 0)
        meter->onset_frame = (gssize) i - (gssize) (rate / 200) + 1;
    }
    if (++meter->samples < rate)
      continue;
    meter->tone_hz = (guint) (meter->crossings * rate / (2 * meter->samples));
    meter->level_permille = (guint) (sqrt (meter->sum_squares / meter->samples) * 1000 / 32768);
    meter->samples = meter->crossings = 0;
    meter->sum_squares = 0;
  }
}
