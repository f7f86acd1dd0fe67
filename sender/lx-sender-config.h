/* lianxiao-sender's configuration: what to capture, how to encode it, where to send it. */
#pragma once

#include "lx-janus-relay.h"
#include "lx-layers.h"
#include "lx-capture.h"
#include "lx-settings.h"

typedef struct {
  LxConnectionSettings connection;

  gchar *video_source; /* test | v4l2 | file */
  gchar *video_device;
  gchar *video_file;
  gchar *test_pattern;
  gchar *screen_source;  /* none | x11 */
  gchar *screen_display; /* (nullable) $DISPLAY */
  gchar *start_source;   /* camera | screen | screen-camera */
  gchar **layers;        /* WIDTHxHEIGHT@KBPS, largest first */
  gint framerate;
  gchar *video_encoder; /* auto | x264enc | a hardware encoder element */
  gint keyframe_interval_s;
  gint min_keyframe_interval_ms;
  gchar *x264_tune; /* zerolatency | none */
  gchar *x264_speed_preset;
  gint bframes; /* -1: the encoder's own default */
  gint x264_vbv_ms;
  gboolean intra_refresh;
  gint encoder_threads; /* 0: automatic */
  gboolean latency_stamp;
  gboolean encoder_per_classroom; /* naive fan-out, for benchmarks */
  gint rtp_mtu;
  gboolean send_beside_webrtcbin; /* lx-direct-sender.h */
  gboolean loss_recovery;         /* NACK/RTX and ULPFEC for video, Opus in-band FEC for audio */
  gint fec_percentage;
  gchar **classroom_max_kbps; /* SCHOOL=KBPS */
  gboolean adapt_layers;

  gchar *audio_source; /* test | pulse | alsa | none */
  gchar *audio_device;
  gboolean test_tone_beeps; /* the test tone on the second only (lx-capture.h) */
  gint audio_bitrate_kbps;

  gchar *whip_url;   /* (nullable) a media server to publish to */
  gchar *whip_token; /* (nullable) its bearer token */
  gchar *janus_rtp;  /* (nullable) HOST:VIDEO1[/VIDEO2[/VIDEO3]],RTCP,AUDIO of a mountpoint */
  LxJanusTarget janus_target; /* ... parsed by lx_sender_config_validate() */

  gboolean return_media; /* ask every classroom for its picture and voice (a joint lesson) */
  gchar *wall;           /* auto | window | headless | off */
  gchar *wall_snapshot;  /* (nullable) PNG of the wall, refreshed with the statistics */

  gchar *console_address;  /* (nullable) HOST:PORT; no console */
  gchar *console_password; /* (nullable) */
  gchar *console_web_root;
  gchar *hold_text;
  gboolean wait_for_teacher; /* on the air from the console only */

  gchar *stats_json;
  gint stats_interval_ms;

  /* Derived by lx_sender_config_validate() */
  LxLayerSpec layer_specs[LX_MAX_LAYERS];
  guint n_layers;
  gint width, height;         /* the capture size: the first layer's */
  GHashTable *classroom_caps; /* school → kbps */
} LxSenderConfig;

extern const LxConfigKey lx_sender_config_keys[];

/* Derives what the keys alone do not give (the layers, the per-school caps) and checks it. FALSE
 * with @error naming the key. */
gboolean lx_sender_config_validate (LxSenderConfig *config, GError **error);

/* What the lesson's capture takes from @config (valid as long as @config). */
void lx_sender_config_capture_settings (const LxSenderConfig *config, LxCaptureSettings *settings);
