/* lianxiao-receiver's configuration: which lesson to join and how to show it. */
#pragma once

#include "lx-settings.h"

typedef struct {
  LxConnectionSettings connection;

  gboolean headless; /* no window, no sound card: statistics only */
  gboolean fullscreen;
  gchar *video_decoder;     /* auto | an H.264 decoder element */
  gchar *decoder_threading; /* slice | frame | auto (avdec_h264) */
  gboolean decode;          /* FALSE: count frames without decoding (fan-out benchmarks) */
  gboolean sink_sync;
  gint jitter_buffer_ms;       /* the jitter buffer's delay on a clean link */
  gint processing_deadline_ms; /* time a synchronised sink allows for decoding and showing */
  gint jitter_buffer_max_ms;   /* the most it may grow to on a lossy link, for retransmissions */
  gboolean loss_recovery;      /* ask for retransmissions, use FEC */
  gint media_timeout_s;        /* no media this long: negotiate afresh */
  gchar *on_sender_left;       /* wait | exit */
  gchar
      *whep_url; /* (nullable) play from this WHEP endpoint instead of joining through signaling */
  gchar *whep_token; /* (nullable) its bearer token; unset: the school's token */

  gboolean commands_on_stdin; /* read the classroom's commands (hand, ask) from standard input */
  /* The classroom's picture and voice to the teacher (lx-return-media.h) */
  gchar *camera;        /* none | test | v4l2 */
  gchar *camera_device; /* v4l2 */
  gint return_video_width, return_video_height, return_video_fps, return_video_kbps;
  gchar *microphone;        /* none | test | pulse | alsa */
  gchar *microphone_device; /* (nullable) */
  gint test_tone_hz;        /* microphone=test: the sine's pitch */
  gboolean test_tone_beeps; /* microphone=test: on the second only (lx-capture.h) */
  gboolean echo_cancel;     /* cancel the speakers' sound in the microphone (lx-echo.h) */
  gint simulated_echo_ms;   /* tests: the played sound into the microphone this late; 0 none */
  gint simulated_echo_db;   /* ... this much quieter */

  gchar *stats_json;
  gint stats_interval_ms;
  gint measure_tone_hz; /* a pitch to listen for in the decoded sound (tests); 0 none */
  gchar *snapshot;
  gint exit_after_frames;
  gint timeout_s;
} LxReceiverConfig;

extern const LxConfigKey lx_receiver_config_keys[];
