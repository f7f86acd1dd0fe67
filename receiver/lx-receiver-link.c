/* The classroom's link control loop (see lx-receiver-private.h), on its own one-second timer
 * whatever the statistics' interval: it tells the sender how the media arrives (the sender moves
 * the classroom between quality layers by it), tells the server for the attendance record, and
 * sizes the jitter buffer for the link (lx-jitter-sizing.h). */
#include "lx-receiver-private.h"

/* How often the server hears how the lesson arrives (it keeps the attendance record). */
#define SERVER_REPORT_INTERVAL_US (5 * G_USEC_PER_SEC)

static gboolean
grow_jitter_buffer_again (gpointer data)
{
  LxReceiver *receiver = data;

  receiver->jitter_step_timer = 0;
  lx_receiver_size_jitter_buffer (receiver, FALSE, FALSE);
  return G_SOURCE_REMOVE;
}

void
lx_receiver_size_jitter_buffer (LxReceiver *receiver, gboolean packets_lost, gboolean repair_failed)
{
  LxJitterSizing *jitter = &receiver->jitter;
  gint before = jitter->current_ms, now_ms;
  gboolean more_steps;

  if (receiver->session == NULL)
    return;
  now_ms = lx_jitter_sizing_update (jitter, g_get_monotonic_time (), packets_lost, repair_failed,
                                    receiver->jitter_step_timer != 0, &more_steps);
  if (now_ms == before)
    return;
  if (!more_steps || before == jitter->min_ms)
    g_message ("classroom %s: %s link: jitter buffer %d → %d ms%s",
               receiver->config->connection.school, now_ms > before ? "lossy" : "clean", before,
               now_ms, more_steps ? ", growing on" : "");
  lx_receiver_session_set_latency (receiver->session, (guint) now_ms);
  if (more_steps && receiver->jitter_step_timer == 0)
    receiver->jitter_step_timer =
        g_timeout_add (LX_JITTER_STEP_INTERVAL_MS, grow_jitter_buffer_again, receiver);
}

void
lx_receiver_link_session_started (LxReceiver *receiver)
{
  receiver->link_lost = receiver->link_received = 0;
  receiver->link_unrepaired = 0;
}

/* Every few seconds, in a session: the server keeps the attendance record and shows the state
 * to IT staff. */
static void
report_to_server (LxReceiver *receiver, const LxPlaybackStats *stats, guint64 video_kbps,
                  gint64 now)
{
  g_autoptr (LxMessage) message = NULL;

  if (receiver->signaling == NULL || now - receiver->server_report_us < SERVER_REPORT_INTERVAL_US)
    return;
  receiver->server_report_us = now;
  message = lx_message_new (LX_MESSAGE_STATS);
  message->frames_decoded = (gint) MIN (stats->frames_decoded, (guint64) G_MAXINT);
  message->packets_lost = lx_receiver_session_packets_lost (receiver->session);
  message->video_kbps = (gint) MIN (video_kbps, (guint64) 1000000);
  message->state = g_strdup (lx_receiver_state_to_string (receiver->state.state));
  lx_signaling_client_send (receiver->signaling, message);
}

gboolean
lx_receiver_control_link (gpointer data)
{
  LxReceiver *receiver = data;
  LxPlaybackStats stats = lx_playback_get_stats (receiver->playback);
  gint64 now = g_get_monotonic_time ();
  guint64 elapsed_ms = receiver->link_us ? (guint64) MAX ((now - receiver->link_us) / 1000, 1) : 0;
  guint64 video_kbps =
      elapsed_ms ? (stats.video_bytes - receiver->link_video_bytes) * 8 / elapsed_ms : 0;
  g_autoptr (LxMessage) message = NULL;
  gint lost, received, lost_now, received_now;
  LxVideoRepair repair;
  gboolean repair_failed;

  receiver->link_us = now;
  receiver->link_video_bytes = stats.video_bytes;
  if (receiver->session == NULL)
    return G_SOURCE_CONTINUE;
  report_to_server (receiver, &stats, video_kbps, now);
  lost = lx_receiver_session_packets_lost (receiver->session);
  received = lx_receiver_session_packets_received (receiver->session);
  lost_now = lost - receiver->link_lost;
  received_now = received - receiver->link_received;
  repair = lx_receiver_session_read_video_repair (receiver->session);
  repair_failed = repair.lost > receiver->link_unrepaired;
  receiver->link_lost = lost;
  receiver->link_received = received;
  receiver->link_unrepaired = repair.lost;
  if (lost_now + received_now <= 0)
    return G_SOURCE_CONTINUE; /* nothing arrived */
  lx_receiver_size_jitter_buffer (receiver, lost_now > 0, repair_failed);
  if (receiver->signaling == NULL)
    return G_SOURCE_CONTINUE; /* (a WHEP server learns the same from RTCP) */
  message = lx_message_new (LX_MESSAGE_LINK);
  message->loss_permille = (gint) ((gint64) lost_now * 1000 / (lost_now + received_now));
  message->video_kbps = (gint) MIN (video_kbps, (guint64) 1000000);
  lx_signaling_client_send (receiver->signaling, message);
  return G_SOURCE_CONTINUE;
}

void
lx_receiver_link_stop (LxReceiver *receiver)
{
  g_clear_handle_id (&receiver->link_timer, g_source_remove);
  g_clear_handle_id (&receiver->jitter_step_timer, g_source_remove);
}
