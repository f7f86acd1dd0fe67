/* lianxiao-sender's configuration: what to capture, how to encode it, where to send it. */
#pragma once

#include "lx-settings.h"

typedef struct {
  LxConnectionSettings connection;

  gchar *video_source; /* test | v4l2 | file */
  gchar *video_device;
  gchar *video_file;
  gchar *test_pattern;
  gint width, height, framerate;
  gchar *video_encoder; /* auto | x264enc | a hardware encoder element */
  gint video_bitrate_kbps;
  gint keyframe_interval_s;
  gint min_keyframe_interval_ms;
  gchar *x264_tune;         /* zerolatency | none */
  gchar *x264_speed_preset;
  gint bframes;             /* -1: the encoder's own default */
  gboolean intra_refresh;
  gint encoder_threads;     /* 0: automatic */
  gboolean latency_stamp;
  gboolean encoder_per_classroom; /* naive fan-out, for benchmarks */
  gint rtp_mtu;

  gchar *audio_source; /* test | pulse | alsa | none */
  gchar *audio_device;
  gint audio_bitrate_kbps;

  gchar *stats_json;
  gint stats_interval_ms;
} LxSenderConfig;

extern const LxConfigKey lx_sender_config_keys[];
