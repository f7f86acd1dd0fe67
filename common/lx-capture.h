/* Raw inputs: a bin producing raw video at a given size and rate, and one producing raw audio, from
 * a test source, a camera or a file, and a microphone — the lesson's on the sender, a classroom's
 * return picture and voice on the receiver. */
#pragma once

#include <gst/gst.h>

typedef struct {
  const char *video_source; /* test | v4l2 | file | screen (X11) | card (still text) */
  const char *video_device; /* (nullable) v4l2: the camera's device; screen: the X display
                             * (NULL: $DISPLAY) */
  const char *video_file;   /* (nullable) file: what to play */
  const char *test_pattern; /* test: a videotestsrc pattern */
  const char *test_text;    /* test: written over the picture, above a running clock; card:
                             * the card's text */
  gint width, height, framerate;
  const char *audio_source; /* test | pulse | alsa | none */
  const char *audio_device; /* (nullable) the PulseAudio source or ALSA device */
  gint test_tone_hz;        /* test: the sine's pitch */
  gboolean test_tone_beeps; /* test: the tone only in the first LX_BEEP_MS of every wall-clock
                             * second (a probe in the sound, as the latency stamp is in the
                             * picture: where it is heard, its onset tells the delay) */
} LxCaptureSettings;

#define LX_BEEP_MS 200

/* (transfer floating) A bin with one "src" pad of video/x-raw,format=I420 at the size and frame
 * rate asked for, or NULL with @error (a missing plugin, a bad device setting). */
GstElement *lx_capture_video_new (const LxCaptureSettings *settings, GError **error);

/* The raw sound every capture gives, and every mixer and echo canceller takes: one format, so
 * that nothing between them converts or renegotiates. */
#define LX_AUDIO_FORMAT "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2"

/* (transfer floating) A bin with one "src" pad of LX_AUDIO_FORMAT, or NULL with @error.
 * With audio_source "none" it returns NULL and leaves @error unset. */
GstElement *lx_capture_audio_new (const LxCaptureSettings *settings, GError **error);
