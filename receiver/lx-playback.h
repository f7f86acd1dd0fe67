/* What a classroom does with the media webrtcbin hands it: depayload, decode (hardware when
 * present), show or play it, and count what arrived. One LxPlayback lives as long as the receiver,
 * so its counters survive renegotiations with a restarted sender. */
#pragma once

#include "lx-delays.h"
#include "lx-receiver-config.h"
#include "lx-tone-meter.h"

#include <gst/gst.h>

typedef struct _LxPlayback LxPlayback;

/* Delays are kept for the last this many frames. */
#define LX_PLAYBACK_DELAY_WINDOW 300
/* A longer wait for the next picture is a freeze a classroom sees. */
#define LX_PLAYBACK_FREEZE_MS 100

typedef struct {
  guint64 frames_decoded; /* correct frames only: decoding starts at a keyframe (without
                           * decoding: frames received) */
  guint64 keyframes;      /* keyframes received */
  gint width, height;
  guint64 video_bytes; /* RTP payload bytes received for video */
  guint64 audio_bytes;
  guint64 audio_ms;           /* decoded audio, in milliseconds */
  guint64 freezes;            /* waits over LX_PLAYBACK_FREEZE_MS for the next picture */
  guint64 freeze_ms;          /* their total length */
  guint64 audio_gap_ms;       /* sound missing (neither decoded nor concealed) */
  guint audio_tone_hz;        /* the decoded sound's pitch over the last second (lx-tone-meter.h) */
  guint audio_level_permille; /* and its loudness, RMS over full scale in thousandths */
  guint audio_probe_permille; /* the strength of the pitch listened for (measure-tone-hz) */
  gint64 first_frame_us;      /* monotonic time of the first decoded frame, 0 before */
  /* Capture-to-shown delay read from the sender's latency stamps, over the last
   * LX_PLAYBACK_DELAY_WINDOW stamped frames (count 0 and percentiles -1 without stamps). */
  LxDelaySummary glass_to_glass;
  LxDelaySummary sound_delay; /* a beeping probe's onsets (test-tone-beeps at their source) */
  /* Time each frame spent in the decoder, over the last LX_PLAYBACK_DELAY_WINDOW frames. */
  LxDelaySummary decode;
} LxPlaybackStats;

/* (transfer full) */
LxPlayback *lx_playback_new (const LxReceiverConfig *config);
void lx_playback_free (LxPlayback *playback);

/* The video goes full screen in an X11 window of @width x @height (lx-fullscreen.h): sinks that
 * cannot scale get the picture scaled to it. Before the first stream. */
void lx_playback_set_screen (LxPlayback *playback, gint width, gint height);

/* Builds the decoding chain for one webrtcbin src pad (from "pad-added", on a streaming thread)
 * inside @pipeline and links it. FALSE with @error for media it cannot play. */
/* The lesson's sound goes through @probe (nullable: no longer) before the speakers, for the
 * microphone's echo cancelling (lx-echo.h); set before the sound's pad is linked. */
void lx_playback_set_echo_probe (LxPlayback *playback, GstElement *probe);

gboolean lx_playback_link_pad (LxPlayback *playback, GstElement *pipeline, GstPad *pad,
                               GError **error);

LxPlaybackStats lx_playback_get_stats (LxPlayback *playback);

/* (transfer full) (nullable) The last decoded picture, NULL before the first. */
GstSample *lx_playback_get_last_picture (LxPlayback *playback);

/* Writes the last decoded picture to @path as PNG. FALSE with @error if there is none yet. */
gboolean lx_playback_save_snapshot (LxPlayback *playback, const char *path, GError **error);

/* (transfer none) The H.264 decoder that video-decoder=auto would choose here. */
const char *lx_playback_pick_video_decoder (void);
