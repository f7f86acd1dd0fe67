/* What the decoded sound is, not just how much of it came: its dominant pitch (from how often the
 * waveform crosses zero) and its loudness, each over the last whole second. For the teacher's
 * tone in tests and for "sound is playing" on a technician's screen: concealment of lost packets
 * counts as decoded sound, but not as a steady tone at the right pitch. */
#pragma once

#include <glib.h>

/* A Goertzel filter's state over one block of samples: one pitch's strength in it. */
typedef struct {
  gdouble s1, s2;
  guint64 samples;
} LxGoertzel;

typedef struct {
  guint64 samples;      /* in the second being measured */
  guint64 crossings;    /* zero crossings in it */
  gdouble sum_squares;  /* of its samples, for the loudness */
  gint sign;            /* of the last sample clear of the noise floor: -1, 1, 0 none yet */
  guint tone_hz;        /* over the last whole second; 0 before one */
  guint level_permille; /* its loudness: RMS over full scale, in thousandths */
  /* One pitch listened for (probe_hz, 0 none) among others (a classroom's voice mixed with the
   * teacher's): its strength over the last quarter second (a Goertzel filter), RMS over full
   * scale in thousandths. */
  guint probe_hz;
  LxGoertzel probe;
  guint probe_permille;
  gdouble
      probe_dbfs; /* the same in dB below full scale (-120 for nothing): echo is measured in dB */
  /* Where the pitch listened for starts sounding (a beeping probe, lx-capture.h): judged over
   * 5 ms blocks, it sounds once a block is loud and the one before was quiet. */
  LxGoertzel onset;
  gboolean sounding;
  gssize onset_frame; /* in the last lx_tone_meter_add's frames: where it began; -1 none */
} LxToneMeter;

/* Adds @frames frames of interleaved signed 16-bit sound, @channels per frame, at @rate Hz (the
 * first channel is measured). */
void lx_tone_meter_add (LxToneMeter *meter, const gint16 *samples, gsize frames, guint channels,
                        guint rate);
