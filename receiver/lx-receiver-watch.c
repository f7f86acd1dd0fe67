/* A classroom never shows a frozen picture, and its link is watched (see lx-receiver-private.h):
 * the cards shown instead of a picture, the media watchdog that renegotiates a dead session, the
 * link reports that steer the sender's layer choice, and the jitter buffer that grows on a lossy
 * link. */
#include "lx-receiver-private.h"

/* Without any packet this long, the classroom shows the "reconnecting" card instead of a frozen
 * picture; a brief ICE "disconnected" or a short dropout is ridden out behind it. */
#define MEDIA_SILENCE_CARD_US (2 * G_USEC_PER_SEC)
/* Sound but no new picture this long: the sender paused this classroom's video (its link cannot
 * carry even the cheapest layer). */
#define VIDEO_SILENCE_CARD_US (2 * G_USEC_PER_SEC)
/* How much longer than media-timeout-s a session may take to set up. */
#define SETTING_UP_TIMEOUT_FACTOR 3
/* A card goes once pictures flow again (half a second of them), not for a stray frame or two. */
#define CARD_OFF_FRAMES 15

/* ---- Cards: what the screen shows instead of a frozen picture ---- */

void
lx_receiver_show_card (LxReceiver *receiver, const char *card, const char *text)
{
  if (receiver->standby == NULL) {
    receiver->standby = lx_standby_new (receiver->config);
    if (receiver->fullscreen && lx_standby_get_pipeline (receiver->standby))
      lx_fullscreen_window_attach (receiver->fullscreen,
                                   lx_standby_get_pipeline (receiver->standby));
  }
  if (g_strcmp0 (receiver->card, card) != 0) {
    g_message ("classroom %s: showing the %s card", receiver->config->connection.school, card);
    receiver->card_frames_mark = lx_playback_get_stats (receiver->playback).frames_decoded;
  }
  receiver->card = card;
  lx_standby_show (receiver->standby, text);
}

static void
hide_card (LxReceiver *receiver)
{
  if (receiver->card == NULL)
    return;
  receiver->card = NULL;
  lx_standby_hide (receiver->standby);
  if (receiver->fullscreen && receiver->pipeline)
    lx_fullscreen_window_attach (receiver->fullscreen, receiver->pipeline);
}

static void
show_reconnecting (LxReceiver *receiver, const char *state)
{
  lx_receiver_set_state (receiver, state);
  lx_receiver_show_card (receiver, "reconnecting",
                         "正在重新连接… · Reconnecting…\n\n网络中断，课程会自动恢复\n"
                         "The link dropped; the lesson comes back by itself");
}

/* On a clean link the jitter buffer holds as little as configured; once packets go missing it holds
 * enough for a retransmission to arrive (a NACK rides on the next RTCP packet, up to ~100 ms away,
 * then a round trip): 200 ms at first, more each time packets are given up on all the same (a
 * long round trip, a lost NACK), up to the configured cap; back to the minimum after a clean half
 * minute. */
#define LOSSY_LINK_BUFFER_MS 200
#define LOSSY_LINK_GROWTH_MS 50
#define CLEAN_LINK_AFTER_US (30 * G_USEC_PER_SEC)
/* It grows in steps: each holds the picture back once by the step (a hitch shorter than a
 * freeze), where one jump to the full size would freeze it for the whole difference. */
#define GROWTH_STEP_MS 40
#define GROWTH_STEP_INTERVAL_MS 250

static gboolean
grow_jitter_buffer_again (gpointer data)
{
  LxReceiver *receiver = data;

  receiver->jitter_step_timer = 0;
  lx_receiver_tune_jitter_buffer (receiver, FALSE, FALSE);
  return G_SOURCE_REMOVE;
}

void
lx_receiver_tune_jitter_buffer (LxReceiver *receiver, gboolean packets_lost, gboolean repair_failed)
{
  const LxReceiverConfig *config = receiver->config;
  gint64 now = g_get_monotonic_time ();
  gboolean lossy;
  gint target, next;

  if (packets_lost)
    receiver->last_loss_us = now;
  lossy = receiver->last_loss_us && now - receiver->last_loss_us < CLEAN_LINK_AFTER_US;
  if (!lossy || receiver->lossy_buffer_ms == 0)
    receiver->lossy_buffer_ms = LOSSY_LINK_BUFFER_MS;
  else if (repair_failed && receiver->jitter_buffer_ms >= receiver->lossy_buffer_ms)
    receiver->lossy_buffer_ms = MIN (receiver->lossy_buffer_ms + LOSSY_LINK_GROWTH_MS,
                                     MAX (config->jitter_buffer_max_ms, LOSSY_LINK_BUFFER_MS));
  target = lossy ? MIN (config->jitter_buffer_max_ms,
                        MAX (config->jitter_buffer_ms, receiver->lossy_buffer_ms))
                 : config->jitter_buffer_ms;
  if (target == receiver->jitter_buffer_ms || receiver->webrtc == NULL)
    return;
  if (target > receiver->jitter_buffer_ms && receiver->jitter_step_timer)
    return; /* growing already: the next step comes on time */
  next = target > receiver->jitter_buffer_ms
             ? MIN (target, receiver->jitter_buffer_ms + GROWTH_STEP_MS)
             : target;
  if (next == target || receiver->jitter_buffer_ms == config->jitter_buffer_ms)
    g_message ("classroom %s: %s link: jitter buffer %d → %d ms%s", config->connection.school,
               target > receiver->jitter_buffer_ms ? "lossy" : "clean", receiver->jitter_buffer_ms,
               next, next == target ? "" : ", growing on");
  receiver->jitter_buffer_ms = next;
  /* webrtcbin passes it on to every jitter buffer; they announce the new latency, and the bus
   * handler applies it to the pipeline. */
  g_object_set (receiver->webrtc, "latency", (guint) next, NULL);
  if (next != target && receiver->jitter_step_timer == 0)
    receiver->jitter_step_timer =
        g_timeout_add (GROWTH_STEP_INTERVAL_MS, grow_jitter_buffer_again, receiver);
}

/* Tells the sender, about once a second, how the media arrives: the share of packets lost before
 * any repair, over both streams (a link measure), and the video bitrate. The sender moves this
 * classroom between quality layers by it. */
void
lx_receiver_report_link (LxReceiver *receiver, guint64 video_kbps, guint64 video_lost_after_repair)
{
  gboolean repair_failed;
  g_autoptr (LxMessage) message = NULL;
  gint64 now = g_get_monotonic_time ();
  gint lost = lx_receiver_packets_lost (receiver);
  gint received = g_atomic_int_get (&receiver->arrivals.received);
  gint lost_now = lost - receiver->link_lost, received_now = received - receiver->link_received;

  if (receiver->webrtc == NULL || now - receiver->last_link_us < G_USEC_PER_SEC * 9 / 10)
    return;
  receiver->last_link_us = now;
  receiver->link_lost = lost;
  receiver->link_received = received;
  /* (a new session counts afresh) */
  repair_failed = video_lost_after_repair > receiver->link_unrepaired;
  receiver->link_unrepaired = video_lost_after_repair;
  if (lost_now < 0 || received_now < 0 || lost_now + received_now == 0)
    return; /* a new session started counting afresh, or nothing arrived */
  lx_receiver_tune_jitter_buffer (receiver, lost_now > 0, repair_failed);
  message = lx_message_new (LX_MESSAGE_LINK);
  message->loss_permille = (gint) ((gint64) lost_now * 1000 / (lost_now + received_now));
  message->video_kbps = (gint) MIN (video_kbps, (guint64) 1000000);
  if (receiver->signaling) /* (a WHEP server learns the same from RTCP) */
    lx_signaling_client_send (receiver->signaling, message);
}

/* Twice a second, in a lesson: a classroom never shows a frozen picture. No packets for a moment:
 * the "reconnecting" card (a brief dropout or ICE "disconnected" is ridden out behind it). ICE
 * failed, or still nothing after media-timeout-s: join again as a newcomer, so the sender
 * negotiates afresh (again every media-timeout-s while nothing comes). Sound without pictures: the
 * sender paused this classroom's video; a card says so. */
gboolean
lx_receiver_watch_media (gpointer data)
{
  LxReceiver *receiver = data;
  LxPlaybackStats stats = lx_playback_get_stats (receiver->playback);
  guint64 bytes = stats.video_bytes + stats.audio_bytes;
  gint64 now = g_get_monotonic_time ();
  gint64 timeout_us = (gint64) receiver->config->media_timeout_s * G_USEC_PER_SEC;
  const char *failure;

  if (bytes != receiver->watched_bytes)
    receiver->media_seen_us = now;
  if (stats.frames_decoded != receiver->watched_frames)
    receiver->frames_seen_us = now;
  receiver->watched_bytes = bytes;
  receiver->watched_frames = stats.frames_decoded;
  if ((receiver->signaling == NULL && receiver->whep == NULL) || receiver->pipeline == NULL)
    return G_SOURCE_CONTINUE; /* between lessons, or waiting for the teacher: other cards */

  /* A session that has had no packet yet is still setting up: on a lossy link each lost ICE or
   * DTLS handshake packet waits for a retransmission timer (1 s, then 2, 4 …), and starting
   * again would only start that wait over. */
  if (g_atomic_int_get (&receiver->arrivals.received) == 0)
    timeout_us *= SETTING_UP_TIMEOUT_FACTOR;
  failure = g_atomic_pointer_get (&receiver->session_failure);
  if (failure || now - receiver->media_seen_us >= timeout_us) {
    if (receiver->rejoined_us == 0 || now - receiver->rejoined_us >= timeout_us) {
      g_message ("classroom %s: %s; joining again to negotiate afresh",
                 receiver->config->connection.school, failure ? failure : "no media for a while");
      receiver->rejoined_us = now;
      lx_receiver_stop_session (receiver);
      show_reconnecting (receiver, "reconnecting");
      if (receiver->whep)
        lx_receiver_whep_start (receiver);
      else
        lx_signaling_client_rejoin (receiver->signaling);
    }
  } else if (now - receiver->media_seen_us >= MEDIA_SILENCE_CARD_US) {
    show_reconnecting (receiver, "reconnecting");
  } else if (now - receiver->frames_seen_us >= VIDEO_SILENCE_CARD_US && stats.frames_decoded > 0) {
    lx_receiver_set_state (receiver, "video-paused");
    lx_receiver_show_card (receiver, "video-paused",
                           "视频暂停 · Video paused\n\n网络太慢，老师的声音继续\n"
                           "The link is too slow for pictures; the teacher's voice goes on");
  } else if (receiver->card &&
             stats.frames_decoded >= receiver->card_frames_mark + CARD_OFF_FRAMES) {
    hide_card (receiver);
    lx_receiver_set_state (receiver, "receiving");
  }
  return G_SOURCE_CONTINUE;
}
