/* The classroom's statistics (see lx-receiver-private.h): printed, written to the statistics
 * file, and the snapshot saved, every stats-interval-ms. They only read: nothing the classroom
 * does depends on when they run. */
#include "lx-receiver-private.h"

#include "lx-json.h"
#include "lx-stats.h"

#include <math.h>
#include <stdio.h>

#define SNAPSHOT_INTERVAL_S 5

static void
write_stats_file (LxReceiver *receiver, const LxPlaybackStats *stats, guint64 fps,
                  guint64 video_kbps, guint64 audio_kbps, gint received, gint lost,
                  const LxVideoRepair *repair)
{
  const LxReceiverConfig *config = receiver->config;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  gint64 first_frame_ms =
      stats->first_frame_us ? (stats->first_frame_us - receiver->started_us) / 1000 : -1;

  json_builder_begin_object (builder);
  lx_stats_add_int (builder, "time_ms", lx_stats_now_ms ());
  lx_json_add_string (builder, "school", config->connection.school);
  lx_json_add_string (builder, "lesson", lx_lesson_follower_get_lesson (receiver->lessons));
  if (receiver->timetable) {
    lx_json_add_string (builder, "next_lesson", receiver->next_title ? receiver->next_title : "");
    lx_json_add_string (builder, "next_start", receiver->next_start ? receiver->next_start : "");
    lx_stats_add_int (builder, "standby_frames", lx_standby_get_frames (receiver->standby));
    lx_json_add_string (builder, "standby_text", lx_standby_get_text (receiver->standby));
  }
  lx_json_add_string (builder, "state", lx_receiver_state_to_string (receiver->state.state));
  lx_json_add_string (builder, "card", receiver->card);
  lx_json_add_string (builder, "signaling",
                      receiver->signaling == NULL                           ? "none"
                      : lx_signaling_client_is_joined (receiver->signaling) ? "joined"
                                                                            : "reconnecting");
  lx_stats_add_int (builder, "card_frames",
                    receiver->standby ? lx_standby_get_frames (receiver->standby) : 0);
  lx_stats_add_int (builder, "frames_decoded", stats->frames_decoded);
  lx_stats_add_int (builder, "fps", fps);
  lx_stats_add_int (builder, "width", stats->width);
  lx_stats_add_int (builder, "height", stats->height);
  lx_stats_add_int (builder, "video_kbps", video_kbps);
  lx_stats_add_int (builder, "audio_kbps", audio_kbps);
  lx_stats_add_int (builder, "audio_ms", stats->audio_ms);
  lx_stats_add_int (builder, "audio_gap_ms", stats->audio_gap_ms);
  lx_stats_add_int (builder, "audio_tone_hz", stats->audio_tone_hz);
  lx_stats_add_int (builder, "audio_probe_permille", stats->audio_probe_permille);
  lx_stats_add_int (builder, "audio_level_permille", stats->audio_level_permille);
  lx_stats_add_int (builder, "hand_up", receiver->hand_up);
  lx_stats_add_int (builder, "called_on", receiver->called_on);
  lx_stats_add_int (builder, "poll_id", receiver->poll_id);
  lx_stats_add_int (builder, "poll_open", receiver->poll_open);
  lx_json_add_string (builder, "poll_answer",
                      receiver->poll_answer >= 0 && receiver->poll_id
                          ? (const char *[]){ "A", "B", "C", "D" }[receiver->poll_answer]
                          : "");
  lx_stats_add_int (
      builder, "return_frames_sent",
      receiver->session ? (gint64) lx_receiver_session_return_frames_sent (receiver->session) : 0);
  {
    /* What the microphone sends, after echo cancelling (lx-echo.h). */
    LxReturnMicrophone microphone = { 0, -120, FALSE };
    if (receiver->session)
      lx_receiver_session_get_microphone (receiver->session, &microphone);
    lx_stats_add_int (builder, "echo_cancelling", microphone.echo_cancelling);
    lx_stats_add_int (builder, "microphone_level_permille", microphone.level_permille);
    lx_stats_add_double (builder, "microphone_probe_db", round (microphone.probe_dbfs * 10) / 10);
  }
  lx_stats_add_int (builder, "freezes", stats->freezes);
  lx_stats_add_int (builder, "freeze_ms", stats->freeze_ms);
  lx_stats_add_int (builder, "packets_received", received);
  lx_stats_add_int (builder, "packets_lost", lost);
  lx_stats_add_int (builder, "video_lost_after_repair", repair->lost);
  lx_stats_add_int (builder, "retransmission_requests", repair->retransmission_requests);
  lx_stats_add_int (builder, "retransmitted", repair->retransmitted);
  lx_stats_add_int (builder, "first_frame_ms", first_frame_ms);
  lx_stats_add_int (builder, "jitter_buffer_ms", receiver->jitter.current_ms);
  lx_stats_add_int (builder, "queue_ms",
                    receiver->session
                        ? lx_receiver_session_queue_ms (receiver->session, LX_QUEUE_NOW_WINDOW_MS)
                        : -1);
  lx_stats_add_int (builder, "keyframes", stats->keyframes);
  lx_stats_add_delays (builder, "g2g", &stats->glass_to_glass);
  lx_stats_add_delays (builder, "decode", &stats->decode);
  lx_stats_add_delays (builder, "sound_delay", &stats->sound_delay);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  if (!lx_stats_write_file (config->stats_json, root, &error))
    g_warning ("cannot write statistics: %s", error->message);
}

gboolean
lx_receiver_report_stats (gpointer data)
{
  LxReceiver *receiver = data;
  const LxReceiverConfig *config = receiver->config;
  LxPlaybackStats stats = lx_playback_get_stats (receiver->playback);
  LxPlaybackStats *last = &receiver->last_stats;
  gint64 now_us = g_get_monotonic_time ();
  /* Rates over the time since the last report (the final report comes early), per second. */
  guint64 interval_ms = receiver->last_stats_us
                            ? (guint64) MAX ((now_us - receiver->last_stats_us) / 1000, 1)
                            : (guint64) config->stats_interval_ms;
  guint64 fps = (stats.frames_decoded - last->frames_decoded) * 1000 / interval_ms;
  guint64 video_kbps = (stats.video_bytes - last->video_bytes) * 8 / interval_ms;
  guint64 audio_kbps = (stats.audio_bytes - last->audio_bytes) * 8 / interval_ms;
  LxVideoRepair repair = receiver->past_repair;
  gint received = receiver->past_received, lost = receiver->past_lost;

  if (receiver->session) {
    repair = lx_receiver_session_read_video_repair (receiver->session);
    received = lx_receiver_session_packets_received (receiver->session);
    lost = lx_receiver_session_packets_lost (receiver->session);
  }
  printf ("classroom %s: %s, %" G_GUINT64_FORMAT " frames (%" G_GUINT64_FORMAT " fps) %dx%d, "
          "video %" G_GUINT64_FORMAT " kbit/s, audio %" G_GUINT64_FORMAT " kbit/s "
          "(%" G_GUINT64_FORMAT " ms decoded), %d packets lost",
          config->connection.school, lx_receiver_state_to_string (receiver->state.state),
          stats.frames_decoded, fps, stats.width, stats.height, video_kbps, audio_kbps,
          stats.audio_ms, lost);
  if (stats.glass_to_glass.count > 0)
    printf (", delay p50 %.0f ms p95 %.0f ms", stats.glass_to_glass.p50_ms,
            stats.glass_to_glass.p95_ms);
  printf ("\n");
  fflush (stdout);
  *last = stats;
  receiver->last_stats_us = now_us;

  if (config->stats_json)
    write_stats_file (receiver, &stats, fps, video_kbps, audio_kbps, received, lost, &repair);
  if (config->snapshot && stats.frames_decoded > 0 &&
      now_us - receiver->last_snapshot_us >= SNAPSHOT_INTERVAL_S * G_USEC_PER_SEC) {
    g_autoptr (GError) error = NULL;
    receiver->last_snapshot_us = now_us;
    if (!lx_playback_save_snapshot (receiver->playback, config->snapshot, &error))
      g_warning ("cannot save a snapshot: %s", error->message);
  }
  return G_SOURCE_CONTINUE;
}
