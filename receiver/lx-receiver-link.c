/* The classroom's link control loop (see lx-receiver-private.h), on its own one-second timer
 * whatever the statistics' interval: it tells the sender how the media arrives (the sender moves
 * the classroom between quality layers by it), tells the server for the attendance record, and
 * sizes the jitter buffer for the link (lx-jitter-sizing.h). A faster watch tells the sender at
 * once when a queue builds up on the link (lx-queue-meter.h). */
#include "lx-receiver-private.h"

/* The queue a routine report gives: what stayed over the last half second (a keyframe's burst
 * drains within it); an alarm gives the queue now (LX_QUEUE_NOW_WINDOW_MS), to be told at once of
 * a queue building up. */
#define STANDING_QUEUE_WINDOW_MS 500

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
  receiver->link_bytes = 0;
  lx_rate_window_clear (&receiver->arrivals);
}

/* What a report of a queue now says arrived: over the same last 100 ms as the queue it reports.
 * While a queue stands on the link, what arrives is what the link carries now; when its capacity
 * has just fallen, a longer window would still count what it carried before, and the sender would
 * step down to a layer that does not fit. */
#define RECENT_ARRIVAL_US (LX_QUEUE_NOW_WINDOW_MS * 1000)

/* kbit/s of @bytes_now - @bytes_then since the last link report (0 before one). */
static guint64
kbps_since_link_report (LxReceiver *receiver, guint64 bytes_now, guint64 bytes_then, gint64 now)
{
  if (receiver->link_us == 0)
    return 0;
  return (bytes_now - bytes_then) * 8 / (guint64) MAX ((now - receiver->link_us) / 1000, 1);
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

/* Tells the sender how the media arrived since the last report: the share of packets lost (before
 * repair), the video bitrate, the queue building up on the link and everything that arrived —
 * lately, for an alarm about a queue now (@now_alarm). */
static void
report_link (LxReceiver *receiver, const LxPlaybackStats *stats, gint64 now, gint queue_ms,
             gboolean now_alarm)
{
  guint64 video_kbps =
      kbps_since_link_report (receiver, stats->video_bytes, receiver->link_video_bytes, now);
  guint64 bytes = lx_receiver_session_bytes_received (receiver->session);
  gint64 recent_kbps = now_alarm ? lx_rate_window_kbps (&receiver->arrivals, now, bytes,
                                                        RECENT_ARRIVAL_US, RECENT_ARRIVAL_US / 2)
                                 : -1;
  guint64 arrived_kbps = recent_kbps >= 0
                             ? (guint64) recent_kbps
                             : kbps_since_link_report (receiver, bytes, receiver->link_bytes, now);
  gint lost = lx_receiver_session_packets_lost (receiver->session);
  gint received = lx_receiver_session_packets_received (receiver->session);
  gint lost_now = lost - receiver->link_lost, received_now = received - receiver->link_received;
  LxVideoRepair repair = lx_receiver_session_read_video_repair (receiver->session);
  gboolean repair_failed = repair.lost > receiver->link_unrepaired;
  g_autoptr (LxMessage) message = NULL;

  receiver->link_us = now;
  receiver->link_video_bytes = stats->video_bytes;
  receiver->link_bytes = bytes;
  receiver->link_lost = lost;
  receiver->link_received = received;
  receiver->link_unrepaired = repair.lost;
  if (lost_now + received_now <= 0)
    return; /* nothing arrived */
  lx_receiver_size_jitter_buffer (receiver, lost_now > 0, repair_failed);
  if (receiver->signaling == NULL)
    return; /* (a WHEP server learns the same from RTCP) */
  message = lx_message_new (LX_MESSAGE_LINK);
  message->loss_permille = (gint) ((gint64) lost_now * 1000 / (lost_now + received_now));
  message->video_kbps = (gint) MIN (video_kbps, (guint64) 1000000);
  message->queue_ms = MAX (queue_ms, 0);
  receiver->link_queue_ms = message->queue_ms;
  message->arrived_kbps = (gint) MIN (arrived_kbps, (guint64) 1000000);
  /* What the buffer is growing to rather than what it holds (the steps get there within about a
   * second): the sender keeps packets for retransmission as long as they can still be of use. */
  message->jitter_buffer_ms = receiver->jitter.target_ms;
  lx_signaling_client_send (receiver->signaling, message);
}

gboolean
lx_receiver_control_link (gpointer data)
{
  LxReceiver *receiver = data;
  LxPlaybackStats stats = lx_playback_get_stats (receiver->playback);
  gint64 now = g_get_monotonic_time ();

  if (receiver->session == NULL) {
    receiver->link_us = now;
    receiver->link_video_bytes = stats.video_bytes;
    return G_SOURCE_CONTINUE;
  }
  report_to_server (
      receiver, &stats,
      kbps_since_link_report (receiver, stats.video_bytes, receiver->link_video_bytes, now), now);
  /* The queue that stayed: a keyframe's burst drains within half a second. */
  report_link (receiver, &stats, now,
               lx_receiver_session_queue_ms (receiver->session, STANDING_QUEUE_WINDOW_MS), FALSE);
  return G_SOURCE_CONTINUE;
}

/* A queue this long on the link is news the sender needs now, not at the next second: the link
 * is about to drop packets (a modem's buffer holds 100–500 ms), or a probe is too much for it. */
#define QUEUE_ALARM_MS 15
#define EARLIEST_REPORT_US (250 * 1000)
/* A queue that grew this much since the last report (the link's capacity fell: the modem's
 * buffer fills at hundreds of milliseconds a second) is news sooner. */
#define QUEUE_SURGE_MS 40
#define EARLIEST_SURGE_REPORT_US (100 * 1000)

gboolean
lx_receiver_watch_queue (gpointer data)
{
  LxReceiver *receiver = data;
  gint64 now = g_get_monotonic_time ();
  gint queue_ms;

  if (receiver->session == NULL)
    return G_SOURCE_CONTINUE;
  lx_rate_window_sample (&receiver->arrivals, now,
                         lx_receiver_session_bytes_received (receiver->session), 0);
  if (receiver->signaling == NULL || now - receiver->link_us < EARLIEST_SURGE_REPORT_US)
    return G_SOURCE_CONTINUE;
  queue_ms = lx_receiver_session_queue_ms (receiver->session, LX_QUEUE_NOW_WINDOW_MS);
  if (queue_ms < QUEUE_ALARM_MS || (now - receiver->link_us < EARLIEST_REPORT_US &&
                                    queue_ms < receiver->link_queue_ms + QUEUE_SURGE_MS))
    return G_SOURCE_CONTINUE;
  {
    LxPlaybackStats stats = lx_playback_get_stats (receiver->playback);
    g_debug ("a queue of %d ms on the link: telling the sender now", queue_ms);
    report_link (receiver, &stats, now, queue_ms, TRUE);
  }
  return G_SOURCE_CONTINUE;
}

void
lx_receiver_link_stop (LxReceiver *receiver)
{
  g_clear_handle_id (&receiver->link_timer, g_source_remove);
  g_clear_handle_id (&receiver->queue_timer, g_source_remove);
  g_clear_handle_id (&receiver->jitter_step_timer, g_source_remove);
}
