/* The table of lianxiao-receiver's configuration keys (configs/receiver.conf documents each). */
#include "lx-receiver-config.h"

#define KEY(group, name, type, field, def, min, max, choices, text)                                \
  {                                                                                                \
    group, name, type, G_STRUCT_OFFSET (LxReceiverConfig, field), def, min, max, choices, text     \
  }

const LxConfigKey lx_receiver_config_keys[] = {
  LX_CONNECTION_CONFIG_KEYS (LxReceiverConfig, connection),
  KEY ("playback", "headless", LX_CONFIG_BOOL, headless, "false", 0, 0, NULL,
       "No window and no sound: decode, print statistics (servers, tests)"),
  KEY ("playback", "fullscreen", LX_CONFIG_BOOL, fullscreen, "false", 0, 0, NULL,
       "Show the lesson full screen"),
  KEY ("playback", "video-decoder", LX_CONFIG_STRING, video_decoder, "auto", 0, 0, NULL,
       "H.264 decoder element; auto: a hardware decoder when present, else avdec_h264"),
  KEY ("playback", "decoder-threading", LX_CONFIG_CHOICE, decoder_threading, "slice", 0, 0,
       "slice|frame|auto",
       "avdec_h264 threads: slice adds no delay; frame adds a frame of delay per thread"),
  KEY ("playback", "decode", LX_CONFIG_BOOL, decode, "true", 0, 0, NULL,
       "false: count the frames received without decoding them (fan-out benchmarks, headless)"),
  KEY ("playback", "sink-sync", LX_CONFIG_BOOL, sink_sync, "true", 0, 0, NULL,
       "Show each frame at its time (smooth); false shows it as soon as it is decoded"),
  KEY ("playback", "jitter-buffer-ms", LX_CONFIG_INT, jitter_buffer_ms, "20", 0, 5000, NULL,
       "Milliseconds of network jitter the receiver absorbs on a clean link (adds as much delay)"),
  KEY ("playback", "jitter-buffer-max-ms", LX_CONFIG_INT, jitter_buffer_max_ms, "400", 0, 5000,
       NULL,
       "On a lossy link the jitter buffer grows, up to this, so that retransmitted packets "
       "arrive in time (about two round trips); it shrinks back when the link is clean"),
  KEY ("playback", "processing-deadline-ms", LX_CONFIG_INT, processing_deadline_ms, "5", 0, 1000,
       NULL,
       "Milliseconds allowed to decode and show a frame beyond the jitter buffer (GStreamer's "
       "own default, 20, adds as much delay); raise it where frames arrive late at the screen"),
  KEY ("playback", "loss-recovery", LX_CONFIG_BOOL, loss_recovery, "true", 0, 0, NULL,
       "Ask for lost packets again (NACK) and use the sender's FEC; false only to measure what "
       "they are worth"),
  KEY ("network", "media-timeout-s", LX_CONFIG_INT, media_timeout_s, "6", 2, 600, NULL,
       "No packet at all for this long (or ICE failed): join the lesson again so the sender "
       "negotiates afresh; shorter dropouts are ridden out behind a \"reconnecting\" card"),
  KEY ("playback", "on-sender-left", LX_CONFIG_CHOICE, on_sender_left, "wait", 0, 0, "wait|exit",
       "When the teacher's sender goes away: wait for it to come back, or exit"),
  KEY ("whep", "whep-url", LX_CONFIG_STRING, whep_url, NULL, 0, 0, NULL,
       "Play the lesson from this WHEP endpoint (a media server's, or lianxiao-signaling's "
       "/whep/LESSON/SCHOOL) instead of joining through the signaling server; empty: none"),
  KEY ("whep", "whep-token", LX_CONFIG_STRING, whep_token, NULL, 0, 0, NULL,
       "Bearer token for the WHEP endpoint (never logged); empty: the school's token"),
  KEY ("floor", "commands-on-stdin", LX_CONFIG_BOOL, commands_on_stdin, "false", 0, 0, NULL,
       "Read the classroom's commands from standard input, one a line: hand (raise the hand, "
       "or lower it), ask TEXT (a question in writing) — for a button box or a technician's "
       "terminal"),
  KEY ("return", "camera", LX_CONFIG_CHOICE, camera, "none", 0, 0, "none|test|v4l2",
       "The room's camera, whose small picture goes to the teacher's wall: v4l2 (camera-device), "
       "test (a moving pattern with the school's id), none"),
  KEY ("return", "camera-device", LX_CONFIG_STRING, camera_device, "/dev/video0", 0, 0, NULL,
       "The V4L2 camera with camera=v4l2"),
  KEY ("return", "return-video-width", LX_CONFIG_INT, return_video_width, "320", 64, 1920, NULL,
       "Width of the room's picture to the teacher"),
  KEY ("return", "return-video-height", LX_CONFIG_INT, return_video_height, "180", 36, 1080, NULL,
       "Its height"),
  KEY ("return", "return-video-fps", LX_CONFIG_INT, return_video_fps, "15", 1, 30, NULL,
       "Its frames a second"),
  KEY ("return", "return-video-kbps", LX_CONFIG_INT, return_video_kbps, "150", 30, 2000, NULL,
       "Its bitrate in kbit/s"),
  KEY ("return", "microphone", LX_CONFIG_CHOICE, microphone, "none", 0, 0, "none|test|pulse|alsa",
       "The room's microphone, heard in the lesson only while the class is called on: pulse, "
       "alsa (microphone-device), test (a tone of test-tone-hz), none"),
  KEY ("return", "microphone-device", LX_CONFIG_STRING, microphone_device, NULL, 0, 0, NULL,
       "PulseAudio source or ALSA device; empty: the default one"),
  KEY ("return", "test-tone-hz", LX_CONFIG_INT, test_tone_hz, "880", 50, 20000, NULL,
       "The pitch of microphone=test, so a test can tell one classroom's voice from another's"),
  KEY ("return", "test-tone-beeps", LX_CONFIG_BOOL, test_tone_beeps, "false", 0, 0, NULL,
       "microphone=test: the tone only in the first 200 ms of every wall-clock second (the "
       "question-delay benchmark's probe)"),
  KEY ("return", "echo-cancel", LX_CONFIG_BOOL, echo_cancel, "true", 0, 0, NULL,
       "Cancel the lesson's sound that the microphone picks up from the room's speakers "
       "(webrtcdsp); off for a USB speakerphone that cancels its own echo"),
  KEY ("return", "simulated-echo-ms", LX_CONFIG_INT, simulated_echo_ms, "0", 0, 1000, NULL,
       "Tests: feed the sound played back into the microphone this much later, as a room's "
       "speakers would (0: no)"),
  KEY ("return", "simulated-echo-db", LX_CONFIG_INT, simulated_echo_db, "-6", -60, 0, NULL,
       "Tests: how much quieter that echo is than the sound played back, in dB"),
  KEY ("output", "stats-json", LX_CONFIG_STRING, stats_json, NULL, 0, 0, NULL,
       "File rewritten every second with this classroom's statistics as JSON"),
  KEY ("output", "stats-interval-ms", LX_CONFIG_INT, stats_interval_ms, "1000", 50, 60000, NULL,
       "How often statistics are printed and written"),
  KEY ("output", "measure-tone-hz", LX_CONFIG_INT, measure_tone_hz, "0", 0, 20000, NULL,
       "A pitch to listen for in the decoded sound, its strength in the statistics "
       "(audio_probe_permille), and in what the microphone sends (microphone_probe_db): which "
       "classroom's voice is heard, how much echo goes back, how late a beeping tone arrives "
       "(sound_delay_*_ms) (tests); 0: none"),
  KEY ("output", "snapshot", LX_CONFIG_STRING, snapshot, NULL, 0, 0, NULL,
       "PNG file refreshed every few seconds with the picture being received"),
  KEY ("output", "exit-after-frames", LX_CONFIG_INT, exit_after_frames, "0", 0, G_MAXINT, NULL,
       "Exit with status 0 once this many frames are decoded; 0: never"),
  KEY ("output", "timeout-s", LX_CONFIG_INT, timeout_s, "0", 0, G_MAXINT, NULL,
       "Give up after this many seconds: exit status 3 if exit-after-frames was not reached "
       "(or no frame was decoded); 0: never"),
  LX_CONFIG_END
};
