/* The table of lianxiao-sender's configuration keys (configs/sender.conf documents each). */
#include "lx-sender-config.h"

#define KEY(group, name, type, field, def, min, max, choices, text)                                \
  {                                                                                                \
    group, name, type, G_STRUCT_OFFSET (LxSenderConfig, field), def, min, max, choices, text       \
  }

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
  KEY ("video", "screen-source", LX_CONFIG_CHOICE, screen_source, "none", 0, 0, "none|x11",
       "Capture the teacher's screen too (x11: the X display), for the console's screen and "
       "screen + camera sources"),
  KEY ("video", "screen-display", LX_CONFIG_STRING, screen_display, NULL, 0, 0, NULL,
       "The X display to capture, e.g. :0; empty: $DISPLAY"),
  KEY ("video", "start-source", LX_CONFIG_CHOICE, start_source, "camera", 0, 0,
       "camera|screen|screen-camera",
       "What the lesson shows at first: the camera, the screen, or the screen with the camera in "
       "its corner (the console switches live)"),
  KEY ("video", "layers", LX_CONFIG_STRING_LIST, layers, "1280x720@2500,640x360@700,320x180@250", 0,
       0, NULL,
       "Quality layers, largest first, as WIDTHxHEIGHT@KBPS: the picture is captured at the "
       "first size and encoded once per layer; each classroom gets the layer its link carries"),
  KEY ("video", "framerate", LX_CONFIG_INT, framerate, "30", 1, 120, NULL, "Frames per second"),
  KEY ("video", "video-encoder", LX_CONFIG_STRING, video_encoder, "auto", 0, 0, NULL,
       "H.264 encoder element; auto: a hardware encoder when present, else x264enc"),
  KEY ("video", "keyframe-interval-s", LX_CONFIG_INT, keyframe_interval_s, "5", 1, 3600, NULL,
       "Seconds between scheduled keyframes (joining classrooms get one at once anyway)"),
  KEY ("video", "min-keyframe-interval-ms", LX_CONFIG_INT, min_keyframe_interval_ms, "400", 0,
       10000, NULL,
       "Keyframe requests closer together than this are merged into one (and a joining classroom's "
       "own requests in its first second are dropped); 0: every request is served"),
  KEY ("video", "x264-tune", LX_CONFIG_CHOICE, x264_tune, "zerolatency", 0, 0, "zerolatency|none",
       "x264 tuning: zerolatency (no lookahead, no frame buffering) or none (x264's default)"),
  KEY ("video", "x264-speed-preset", LX_CONFIG_CHOICE, x264_speed_preset, "ultrafast", 0, 0,
       "ultrafast|superfast|veryfast|faster|fast|medium|slow",
       "x264 speed preset: faster costs less CPU and latency, slower gives better pictures"),
  KEY ("video", "x264-vbv-ms", LX_CONFIG_INT, x264_vbv_ms, "250", 0, 10000, NULL,
       "x264: how far the stream may run ahead of its bitrate, in milliseconds of it (x264's "
       "default 600 let a 2.5 Mbit/s layer send 3.2 Mbit/s at times: a 3 Mbit/s line's modem "
       "dropped it)"),
  KEY ("video", "bframes", LX_CONFIG_INT, bframes, "0", -1, 16, NULL,
       "B-frames between reference frames (each adds a frame of delay); -1: the encoder's default"),
  KEY ("video", "intra-refresh", LX_CONFIG_BOOL, intra_refresh, "false", 0, 0, NULL,
       "x264: refresh the picture with a moving column of intra blocks instead of keyframes"),
  KEY ("video", "encoder-threads", LX_CONFIG_INT, encoder_threads, "0", 0, 64, NULL,
       "Encoder threads (sliced threads with zerolatency); 0: one per core"),
  KEY ("video", "latency-stamp", LX_CONFIG_BOOL, latency_stamp, "false", 0, 0, NULL,
       "Stamp each frame's capture time into the picture so receivers report glass-to-glass delay"),
  KEY ("video", "encoder-per-classroom", LX_CONFIG_BOOL, encoder_per_classroom, "false", 0, 0, NULL,
       "Benchmark baseline only: encode separately for every classroom (the naive fan-out)"),
  KEY ("network", "rtp-mtu", LX_CONFIG_INT, rtp_mtu, "1200", 400, 9000, NULL,
       "Largest RTP packet in bytes (keep under the path MTU, tunnels included)"),
  KEY ("network", "send-beside-webrtcbin", LX_CONFIG_BOOL, send_beside_webrtcbin, "true", 0, 0,
       NULL,
       "Encrypt and send each classroom's packets ourselves, with the keys and the ICE path its "
       "webrtcbin negotiated and copies of its repair elements, instead of pushing every packet "
       "through webrtcbin; false only to measure what it saves"),
  KEY ("network", "loss-recovery", LX_CONFIG_BOOL, loss_recovery, "true", 0, 0, NULL,
       "Repair lost packets: retransmission (NACK/RTX) and forward error correction (ULPFEC) for "
       "video, Opus in-band FEC for audio; false only to measure what they are worth"),
  KEY ("network", "classroom-max-kbps", LX_CONFIG_STRING_LIST, classroom_max_kbps, NULL, 0, 0, NULL,
       "Known link limits, as SCHOOL=KBPS: that classroom never gets a layer above it"),
  KEY ("network", "adapt-layers", LX_CONFIG_BOOL, adapt_layers, "true", 0, 0, NULL,
       "Move each classroom between layers by what its link carries (from its link reports); "
       "false keeps every classroom on the largest layer it is allowed"),
  KEY ("network", "fec-percentage", LX_CONFIG_INT, fec_percentage, "10", 0, 100, NULL,
       "Least video forward error correction, in percent of the media packets, for a classroom "
       "that reports loss (twice its loss rate, at most 50; none on a clean link)"),
  KEY ("publish", "whip-url", LX_CONFIG_STRING, whip_url, NULL, 0, 0, NULL,
       "WHIP endpoint (RFC 9725) of a media server to publish the lesson's top layer to, which "
       "then carries the fan-out; empty: none. With server empty, the lesson goes only there"),
  KEY ("publish", "janus-rtp", LX_CONFIG_STRING, janus_rtp, NULL, 0, 0, NULL,
       "A Janus Streaming mountpoint to relay the lesson to, each layer once, as "
       "HOST:VIDEO1[/VIDEO2[/VIDEO3]],RTCP,AUDIO (its ports, largest layer first; "
       "docs/city-scale.md); empty: none"),
  KEY ("publish", "whip-token", LX_CONFIG_STRING, whip_token, NULL, 0, 0, NULL,
       "Bearer token the WHIP endpoint expects (never logged); empty: none"),
  KEY ("audio", "audio-source", LX_CONFIG_CHOICE, audio_source, "test", 0, 0,
       "test|pulse|alsa|none", "Where the sound comes from"),
  KEY ("audio", "audio-device", LX_CONFIG_STRING, audio_device, NULL, 0, 0, NULL,
       "PulseAudio source or ALSA device; empty: the default one"),
  KEY ("audio", "test-tone-beeps", LX_CONFIG_BOOL, test_tone_beeps, "false", 0, 0, NULL,
       "audio-source=test: the tone only in the first 200 ms of every second of the wall clock "
       "(the sound delay benchmark's probe)"),
  KEY ("audio", "audio-bitrate-kbps", LX_CONFIG_INT, audio_bitrate_kbps, "48", 6, 510, NULL,
       "Opus bitrate in kbit/s"),
  KEY ("joint", "return-media", LX_CONFIG_BOOL, return_media, "false", 0, 0, NULL,
       "Ask every classroom for its picture (and, called on, its voice): a joint lesson; false: "
       "a broadcast, the classrooms only watch"),
  KEY ("joint", "wall", LX_CONFIG_CHOICE, wall, "auto", 0, 0, "auto|window|headless|off",
       "Where the classrooms' pictures show: a window of its own (a second screen), headless "
       "(only wall-snapshot), off; auto: a window when there is a display"),
  KEY ("joint", "wall-snapshot", LX_CONFIG_STRING, wall_snapshot, NULL, 0, 0, NULL,
       "PNG file refreshed with the statistics with the wall as it looks"),
  KEY ("console", "console-address", LX_CONFIG_STRING, console_address, NULL, 0, 0, NULL,
       "HOST:PORT of the teacher's console (web pages), or PORT alone for 127.0.0.1; empty: no "
       "console. Keep it on 127.0.0.1 unless a tablet at the lectern must reach it"),
  KEY ("console", "console-password", LX_CONFIG_STRING, console_password, NULL, 0, 0, NULL,
       "What the console asks the teacher for, if not the school's token (an ad-hoc lesson "
       "has none); never logged"),
  KEY ("console", "console-web-root", LX_CONFIG_STRING, console_web_root, "web", 0, 0, NULL,
       "The folder of the console's pages (console.html and what it loads)"),
  KEY ("console", "hold-text", LX_CONFIG_STRING, hold_text, "课间休息 · Break", 0, 0, NULL,
       "What the hold card says (the console's 'hold': a break, the sound muted)"),
  KEY ("console", "wait-for-teacher", LX_CONFIG_BOOL, wait_for_teacher, "false", 0, 0, NULL,
       "Go on the air only when the teacher presses 'on air' in the console (the timetable or "
       "lesson still say which lesson); false: at once, or at the booked time"),
  KEY ("output", "stats-json", LX_CONFIG_STRING, stats_json, NULL, 0, 0, NULL,
       "File rewritten every second with the sender's statistics as JSON"),
  KEY ("output", "stats-interval-ms", LX_CONFIG_INT, stats_interval_ms, "1000", 50, 60000, NULL,
       "How often statistics are printed and written"),
  LX_CONFIG_END
};

gboolean
lx_sender_config_validate (LxSenderConfig *config, GError **error)
{
  config->n_layers =
      lx_layers_parse ((const char *const *) config->layers, config->layer_specs, error);
  if (config->n_layers == 0)
    return FALSE;
  if (config->wait_for_teacher && config->console_address == NULL) {
    g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "wait-for-teacher needs console-address: the teacher goes on the air "
                         "from the console");
    return FALSE;
  }
  lx_janus_target_clear (&config->janus_target);
  if (config->janus_rtp && !lx_janus_target_parse (config->janus_rtp, &config->janus_target, error))
    return FALSE;
  config->width = config->layer_specs[0].width;
  config->height = config->layer_specs[0].height;
  g_clear_pointer (&config->classroom_caps, g_hash_table_unref);
  config->classroom_caps =
      lx_layers_parse_caps ((const char *const *) config->classroom_max_kbps, error);
  return config->classroom_caps != NULL;
}

void
lx_sender_config_capture_settings (const LxSenderConfig *config, LxCaptureSettings *settings)
{
  *settings = (LxCaptureSettings){
    .video_source = config->video_source,
    .video_device = config->video_device,
    .video_file = config->video_file,
    .test_pattern = config->test_pattern,
    .test_text = "Lianxiao test lesson",
    .width = config->width,
    .height = config->height,
    .framerate = config->framerate,
    .audio_source = config->audio_source,
    .audio_device = config->audio_device,
    .test_tone_hz = 440,
    .test_tone_beeps = config->test_tone_beeps,
  };
}
