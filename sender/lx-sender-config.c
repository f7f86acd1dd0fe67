/* The table of lianxiao-sender's configuration keys (configs/sender.conf documents each). */
#include "lx-sender-config.h"

#define KEY(group, name, type, field, def, min, max, choices, text) \
  { group, name, type, G_STRUCT_OFFSET (LxSenderConfig, field), def, min, max, choices, text }

const LxConfigKey lx_sender_config_keys[] = {
  LX_CONNECTION_CONFIG_KEYS (LxSenderConfig, connection),
  KEY ("video", "video-source", LX_CONFIG_CHOICE, video_source, "test", 0, 0, "test|v4l2|file",
       "Where the picture comes from"),
  KEY ("video", "video-device", LX_CONFIG_STRING, video_device, "/dev/video0", 0, 0, NULL,
       "V4L2 camera device, for video-source=v4l2"),
  KEY ("video", "video-file", LX_CONFIG_STRING, video_file, NULL, 0, 0, NULL,
       "Video file to play as the lesson, for video-source=file"),
  KEY ("video", "test-pattern", LX_CONFIG_STRING, test_pattern, "smpte", 0, 0, NULL,
       "videotestsrc pattern for video-source=test (smpte, ball, ...)"),
  KEY ("video", "width", LX_CONFIG_INT, width, "1280", 16, 4096, NULL, "Picture width in pixels"),
  KEY ("video", "height", LX_CONFIG_INT, height, "720", 16, 4096, NULL, "Picture height in pixels"),
  KEY ("video", "framerate", LX_CONFIG_INT, framerate, "30", 1, 120, NULL, "Frames per second"),
  KEY ("video", "video-encoder", LX_CONFIG_STRING, video_encoder, "auto", 0, 0, NULL,
       "H.264 encoder element; auto: a hardware encoder when present, else x264enc"),
  KEY ("video", "video-bitrate-kbps", LX_CONFIG_INT, video_bitrate_kbps, "2000", 50, 50000, NULL,
       "Video bitrate in kbit/s"),
  KEY ("video", "keyframe-interval-s", LX_CONFIG_INT, keyframe_interval_s, "5", 1, 3600, NULL,
       "Seconds between scheduled keyframes (joining classrooms get one at once anyway)"),
  KEY ("video", "min-keyframe-interval-ms", LX_CONFIG_INT, min_keyframe_interval_ms, "250", 0,
       10000, NULL, "Keyframe requests closer together than this are merged into one"),
  KEY ("audio", "audio-source", LX_CONFIG_CHOICE, audio_source, "test", 0, 0,
       "test|pulse|alsa|none", "Where the sound comes from"),
  KEY ("audio", "audio-device", LX_CONFIG_STRING, audio_device, NULL, 0, 0, NULL,
       "PulseAudio source or ALSA device; empty: the default one"),
  KEY ("audio", "audio-bitrate-kbps", LX_CONFIG_INT, audio_bitrate_kbps, "48", 6, 510, NULL,
       "Opus bitrate in kbit/s"),
  KEY ("output", "stats-json", LX_CONFIG_STRING, stats_json, NULL, 0, 0, NULL,
       "File rewritten every second with the sender's statistics as JSON"),
  LX_CONFIG_END
};
