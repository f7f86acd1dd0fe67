/* The receiver (see lx-receiver.h): lessons, signaling, media sessions and the media watchdog.
 * Each offer from the sender gets a fresh session (lx-receiver-session.h), so a sender restart
 * never leaves half of an old session behind; the LxPlayback counters carry on across them. What
 * the classroom is doing is one state machine (lx-receiver-state.h). */
#include "lx-receiver.h"
#include "lx-receiver-private.h"

#include "lx-memory.h"
#include "lx-webrtc.h"

#include <glib-unix.h>
#include <string.h>

/* A refused WHEP offer is tried again after this. */
#define WHEP_RETRY_MS 5000

static void
quit (LxReceiver *receiver, int status)
{
  receiver->exit_status = status;
  g_main_loop_quit (receiver->loop);
}

static void
go (LxReceiver *receiver, LxReceiverState state)
{
  lx_receiver_state_go (&receiver->state, state);
}

/* ---- Media sessions ---- */

static void
end_session (LxReceiver *receiver)
{
  if (receiver->session == NULL)
    return;
  receiver->past_received = lx_receiver_session_packets_received (receiver->session);
  receiver->past_lost = lx_receiver_session_packets_lost (receiver->session);
  receiver->past_repair = lx_receiver_session_read_video_repair (receiver->session);
  g_clear_pointer (&receiver->session, lx_receiver_session_end);
  g_clear_handle_id (&receiver->jitter_step_timer, g_source_remove);
}

static void
on_session_connected (gpointer data)
{
  LxReceiver *receiver = data;

  lx_backoff_reset (&receiver->whep_retry);
  go (receiver, LX_RECEIVER_RECEIVING);
}

static void
on_session_failed (gpointer data, const char *why)
{
  LxReceiver *receiver = data;

  g_message ("classroom %s: the session is dead (%s)", receiver->config->connection.school, why);
  /* (the media watchdog negotiates a new one at its next look) */
  go (receiver, LX_RECEIVER_FAILED);
}

static void
on_session_loss_noticed (gpointer data)
{
  lx_receiver_size_jitter_buffer (data, TRUE, FALSE);
}

/* A key in the lesson's window: H raises or lowers the hand, A to D answer the teacher's poll
 * (a classroom's remote or keyboard; docs/joint-lesson.md). */
static void
on_session_key_pressed (gpointer data, const char *key)
{
  LxReceiver *receiver = data;
  g_autofree gchar *upper = g_ascii_strup (key, -1);

  if (g_str_equal (upper, "H"))
    lx_receiver_toggle_hand (receiver);
  else if (strlen (upper) == 1 && upper[0] >= 'A' && upper[0] <= 'D')
    lx_receiver_answer_poll (receiver, upper);
}

static const LxReceiverSessionHandlers session_handlers = {
  on_session_connected,
  on_session_failed,
  on_session_loss_noticed,
  on_session_key_pressed,
};

/* A fresh session (the last one ends), PLAYING, before any description. FALSE, logged, if
 * webrtcbin could not be made. */
static gboolean
start_session (LxReceiver *receiver)
{
  g_autoptr (GError) error = NULL;

  end_session (receiver);
  receiver->session = lx_receiver_session_new (
      receiver->config, receiver->playback, (guint) receiver->jitter.current_ms,
      receiver->signaling, &session_handlers, receiver, &error);
  if (receiver->session == NULL) {
    g_warning ("classroom %s: %s", receiver->config->connection.school, error->message);
    return FALSE;
  }
  if (receiver->fullscreen)
    lx_fullscreen_window_attach (receiver->fullscreen,
                                 lx_receiver_session_get_pipeline (receiver->session));
  lx_receiver_session_set_microphone_open (receiver->session, receiver->called_on);
  go (receiver, LX_RECEIVER_CONNECTING);
  lx_media_watch_session_started (&receiver->watch, g_get_monotonic_time ());
  lx_receiver_link_session_started (receiver);
  return TRUE;
}

/* The sender's offer, through signaling: a fresh session answers it. */
static void
answer_offer (LxReceiver *receiver, const char *sdp)
{
  g_autoptr (GError) error = NULL;
  GstWebRTCSessionDescription *offer =
      lx_webrtc_description_from_text (GST_WEBRTC_SDP_TYPE_OFFER, sdp, &error);

  if (offer == NULL) {
    g_warning ("classroom %s: unusable offer: %s", receiver->config->connection.school,
               error->message);
    return;
  }
  if (start_session (receiver))
    lx_receiver_session_answer (receiver->session, offer);
  gst_webrtc_session_description_free (offer);
}

/* ---- Playing from a WHEP URL ---- */

static void whep_retry_later (LxReceiver *receiver, const char *why);

static void
whep_negotiate (LxReceiver *receiver)
{
  g_clear_handle_id (&receiver->whep_retry_timer, g_source_remove);
  if (!start_session (receiver)) {
    whep_retry_later (receiver, "no media session could be made");
    return;
  }
  lx_whep_source_negotiate (receiver->whep, receiver->session);
}

static gboolean
whep_retry (gpointer data)
{
  LxReceiver *receiver = data;

  receiver->whep_retry_timer = 0;
  whep_negotiate (receiver);
  return G_SOURCE_REMOVE;
}

static void
whep_retry_later (LxReceiver *receiver, const char *why)
{
  guint wait_ms = lx_backoff_next_ms (&receiver->whep_retry);

  g_warning ("classroom %s: WHEP: %s; trying again in %u s", receiver->config->connection.school,
             why, wait_ms / 1000);
  end_session (receiver);
  go (receiver, LX_RECEIVER_WHEP_UNAVAILABLE);
  g_clear_handle_id (&receiver->whep_retry_timer, g_source_remove);
  receiver->whep_retry_timer = g_timeout_add (wait_ms, whep_retry, receiver);
}

static void
on_whep_refused (gpointer data, LxReceiverSession *session, const char *why)
{
  LxReceiver *receiver = data;

  if (session == receiver->session) /* (not an old session's) */
    whep_retry_later (receiver, why);
}

/* ---- The media watchdog: a classroom never shows a frozen picture (lx-media-watch.h) ---- */

static void
negotiate_afresh (LxReceiver *receiver, const char *why)
{
  g_message ("classroom %s: %s; joining again to negotiate afresh",
             receiver->config->connection.school, why);
  end_session (receiver);
  go (receiver, LX_RECEIVER_RECONNECTING);
  lx_receiver_show_reconnecting (receiver);
  if (receiver->whep)
    whep_negotiate (receiver);
  else
    lx_signaling_client_rejoin (receiver->signaling);
}

static gboolean
watch_media (gpointer data)
{
  LxReceiver *receiver = data;
  LxPlaybackStats stats = lx_playback_get_stats (receiver->playback);
  LxReceiverSession *session = receiver->session;
  const char *failure = session ? lx_receiver_session_get_failure (session) : NULL;

  switch (lx_media_watch_look (
      &receiver->watch, g_get_monotonic_time (), stats.video_bytes + stats.audio_bytes,
      stats.frames_decoded, session && (receiver->signaling || receiver->whep),
      session && lx_receiver_session_packets_received (session) > 0,
      session ? lx_receiver_session_path_up_us (session) : 0, failure, receiver->card != NULL)) {
  case LX_WATCH_NEGOTIATE:
    negotiate_afresh (receiver, failure ? failure : "no media for a while");
    break;
  case LX_WATCH_RECONNECTING:
    go (receiver, LX_RECEIVER_RECONNECTING);
    lx_receiver_show_reconnecting (receiver);
    break;
  case LX_WATCH_VIDEO_PAUSED:
    go (receiver, LX_RECEIVER_VIDEO_PAUSED);
    lx_receiver_show_video_paused (receiver);
    break;
  case LX_WATCH_PICTURES_BACK:
    lx_receiver_hide_card (receiver);
    go (receiver, LX_RECEIVER_RECEIVING);
    break;
  case LX_WATCH_CARRY_ON:
    break;
  }
  return G_SOURCE_CONTINUE;
}

/* ---- Signaling ---- */

static void
sender_gone (LxReceiver *receiver, const char *why)
{
  end_session (receiver);
  if (g_str_equal (receiver->config->on_sender_left, "exit")) {
    g_message ("classroom %s: the sender %s; exiting as configured",
               receiver->config->connection.school, why);
    quit (receiver, LX_RECEIVER_EXIT_OK);
    return;
  }
  go (receiver, LX_RECEIVER_WAITING_FOR_SENDER);
  lx_receiver_show_waiting_for_teacher (receiver);
}

static void
on_signaling_message (LxSignalingClient *client, const LxMessage *message, LxReceiver *receiver)
{
  switch (message->type) {
  case LX_MESSAGE_OFFER:
    answer_offer (receiver, message->sdp);
    break;
  case LX_MESSAGE_CANDIDATE:
    if (receiver->session && message->candidate[0] != '\0')
      lx_receiver_session_add_ice_candidate (receiver->session, message->mline_index,
                                             message->candidate);
    break;
  case LX_MESSAGE_SENDER_JOINED:
    /* The sender lost its signaling connection and is back: the media never stopped. */
    if (message->resume && receiver->session)
      break;
    /* A new sender (or a restarted one): the old session is dead, a new offer is on its way. */
    end_session (receiver);
    go (receiver, LX_RECEIVER_WAITING_FOR_OFFER);
    break;
  case LX_MESSAGE_SENDER_LEFT:
    sender_gone (receiver, "left the lesson");
    if (g_strcmp0 (message->reason, LX_GOODBYE_LESSON_ENDED) == 0 &&
        receiver->state.state == LX_RECEIVER_WAITING_FOR_SENDER)
      lx_receiver_show_lesson_over (receiver);
    break;
  case LX_MESSAGE_POLL:
    lx_receiver_poll_note (receiver, message);
    break;
  case LX_MESSAGE_FLOOR:
    lx_receiver_floor_note (receiver, message);
    break;
  default:
    g_warning ("ignoring unexpected '%s' from the signaling server",
               lx_message_type_to_string (message->type));
    break;
  }
}

static void
on_signaling_joined (LxSignalingClient *client, const LxMessage *welcome, LxReceiver *receiver)
{
  g_message ("classroom %s: joined lesson %s", receiver->config->connection.school,
             welcome->lesson);
  lx_lesson_follower_joined (receiver->lessons);
  lx_receiver_floor_reset (receiver);
  /* Back after a lost signaling connection, with the media still flowing: nothing to do. */
  if (receiver->session)
    return;
  go (receiver,
      welcome->sender_present ? LX_RECEIVER_WAITING_FOR_OFFER : LX_RECEIVER_WAITING_FOR_SENDER);
}

/* The signaling connection dropped (the server restarted, the network is down): the client joins
 * again by itself, and media already flowing goes on meanwhile. */
static void
on_signaling_disconnected (LxSignalingClient *client, const GError *reason, LxReceiver *receiver)
{
  g_message ("classroom %s: signaling lost (%s); the media %s", receiver->config->connection.school,
             reason->message, receiver->session ? "goes on" : "is not flowing");
}

static void
on_signaling_closed (LxSignalingClient *client, const GError *reason, LxReceiver *receiver)
{
  if (receiver->timetable) {
    /* Unattended: the timetable joins again a while later. */
    g_warning ("classroom %s: %s", receiver->config->connection.school, reason->message);
    go (receiver, LX_RECEIVER_SERVER_UNREACHABLE);
    lx_lesson_follower_connection_lost (receiver->lessons, g_get_monotonic_time ());
    return;
  }
  g_printerr ("lianxiao-receiver: %s\n", reason->message);
  quit (receiver, LX_RECEIVER_EXIT_FAILED);
}

/* ---- Lessons: one joined at a time (lx-lesson-follower.h decides which) ---- */

static void
join_lesson (gpointer data, const char *lesson)
{
  LxReceiver *receiver = data;
  const LxConnectionSettings *connection = &receiver->config->connection;

  g_message ("classroom %s: joining lesson %s", connection->school, lesson);
  if (receiver->timetable && receiver->standby)
    lx_standby_hide (receiver->standby);
  receiver->signaling =
      lx_signaling_client_new (connection->server, LX_ROLE_RECEIVER, lesson, connection->school,
                               connection->token, connection->trusted_cas);
  g_signal_connect (receiver->signaling, "joined", G_CALLBACK (on_signaling_joined), receiver);
  g_signal_connect (receiver->signaling, "message", G_CALLBACK (on_signaling_message), receiver);
  g_signal_connect (receiver->signaling, "closed", G_CALLBACK (on_signaling_closed), receiver);
  g_signal_connect (receiver->signaling, "disconnected", G_CALLBACK (on_signaling_disconnected),
                    receiver);
  go (receiver, LX_RECEIVER_CONNECTING_TO_SERVER);
  lx_signaling_client_start (receiver->signaling);
}

static void
leave_lesson (gpointer data, const char *lesson)
{
  LxReceiver *receiver = data;

  end_session (receiver);
  g_signal_handlers_disconnect_by_data (receiver->signaling, receiver);
  lx_signaling_client_stop (receiver->signaling);
  g_clear_object (&receiver->signaling);
  lx_receiver_floor_reset (receiver);
  g_message ("classroom %s: left lesson %s", receiver->config->connection.school, lesson);
}

static const LxLessonFollowerHandlers lesson_handlers = { join_lesson, leave_lesson };

/* Once a second, unattended: in the lesson under way, or on the standby screen. */
static gboolean
follow_timetable (gpointer data)
{
  LxReceiver *receiver = data;
  const char *school = receiver->config->connection.school;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const LxOccurrence *current = lx_timetable_current (receiver->timetable, now);
  const LxOccurrence *next;
  const char *name;
  g_autofree gchar *text = NULL;
  g_autofree gchar *today = NULL;
  g_autoptr (GDateTime) local_now = NULL;
  g_autoptr (GTimeZone) zone = NULL;

  lx_lesson_follower_follow (receiver->lessons, current ? current->lesson : NULL,
                             g_get_monotonic_time ());
  if (current)
    return G_SOURCE_CONTINUE;
  next = lx_timetable_next (receiver->timetable, now);
  g_free (receiver->next_title);
  g_free (receiver->poll_question);
  g_free (receiver->next_start);
  receiver->next_title = next ? g_strdup (next->title) : NULL;
  receiver->next_start = next ? g_strdup (next->start_local) : NULL;
  name = lx_timetable_get_school_name (receiver->timetable);
  /* "Today" is the lesson's (a box left on UTC still says 明天 for tomorrow's lesson). */
  zone = next ? g_time_zone_new_identifier (next->time_zone) : NULL;
  local_now = zone ? g_date_time_new_now (zone) : g_date_time_new_now_local ();
  today = g_date_time_format (local_now, "%Y-%m-%d");
  text = lx_standby_compose (name ? name : school, receiver->next_title, receiver->next_start,
                             lx_timetable_get_problem (receiver->timetable), today);
  lx_standby_show (receiver->standby, text);
  go (receiver, LX_RECEIVER_STANDBY);
  return G_SOURCE_CONTINUE;
}

/* ---- Exit conditions ---- */

static gboolean
check_exit_conditions (gpointer data)
{
  LxReceiver *receiver = data;
  const LxReceiverConfig *config = receiver->config;
  LxPlaybackStats stats = lx_playback_get_stats (receiver->playback);
  gint64 elapsed_s = (g_get_monotonic_time () - receiver->started_us) / G_USEC_PER_SEC;

  if (config->exit_after_frames > 0 &&
      stats.frames_decoded >= (guint64) config->exit_after_frames) {
    g_message ("classroom %s: %" G_GUINT64_FORMAT " frames decoded, exiting as asked",
               config->connection.school, stats.frames_decoded);
    quit (receiver, LX_RECEIVER_EXIT_OK);
  } else if (config->timeout_s > 0 && elapsed_s >= config->timeout_s) {
    gboolean enough = config->exit_after_frames == 0 && stats.frames_decoded > 0;
    if (enough) {
      quit (receiver, LX_RECEIVER_EXIT_OK);
    } else {
      g_printerr ("lianxiao-receiver: timed out after %d s with %" G_GUINT64_FORMAT
                  " frames decoded\n",
                  config->timeout_s, stats.frames_decoded);
      quit (receiver, LX_RECEIVER_EXIT_TIMEOUT);
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit_signal (gpointer data)
{
  quit (data, LX_RECEIVER_EXIT_OK);
  return G_SOURCE_CONTINUE;
}

LxReceiver *
lx_receiver_new (const LxReceiverConfig *config)
{
  LxReceiver *receiver = g_new0 (LxReceiver, 1);

  receiver->config = config;
  receiver->poll_answer = -1;
  receiver->state.state = LX_RECEIVER_CONNECTING_TO_SERVER;
  receiver->state.school = config->connection.school;
  receiver->playback = lx_playback_new (config);
  receiver->loop = g_main_loop_new (NULL, FALSE);
  receiver->lessons = lx_lesson_follower_new (&lesson_handlers, receiver);
  receiver->whep_retry = (LxBackoff) LX_BACKOFF_INIT (WHEP_RETRY_MS, WHEP_RETRY_MS, 0);
  receiver->watch.timeout_us = (gint64) config->media_timeout_s * G_USEC_PER_SEC;
  receiver->jitter = (LxJitterSizing) LX_JITTER_SIZING_INIT (config->jitter_buffer_ms,
                                                             config->jitter_buffer_max_ms);
  return receiver;
}

void
lx_receiver_free (LxReceiver *receiver)
{
  g_clear_handle_id (&receiver->stats_timer, g_source_remove);
  g_clear_handle_id (&receiver->check_timer, g_source_remove);
  g_clear_handle_id (&receiver->watch_timer, g_source_remove);
  g_clear_handle_id (&receiver->follow_timer, g_source_remove);
  g_clear_handle_id (&receiver->whep_retry_timer, g_source_remove);
  lx_receiver_link_stop (receiver);
  lx_receiver_floor_stop (receiver);
  lx_lesson_follower_free (receiver->lessons);
  end_session (receiver);
  g_clear_pointer (&receiver->whep, lx_whep_source_free);
  lx_timetable_free (receiver->timetable);
  lx_standby_free (receiver->standby);
  g_free (receiver->next_title);
  g_free (receiver->poll_question);
  g_free (receiver->next_start);
  lx_playback_free (receiver->playback);
  lx_fullscreen_window_free (receiver->fullscreen);
  g_main_loop_unref (receiver->loop);
  g_free (receiver);
}

int
lx_receiver_run (LxReceiver *receiver)
{
  const LxReceiverConfig *config = receiver->config;
  guint sigint = g_unix_signal_add (SIGINT, on_quit_signal, receiver);
  guint sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, receiver);

  receiver->started_us = g_get_monotonic_time ();
  /* Wayland and KMS sinks go full screen themselves (lx-playback.c); X11 needs our window. */
  if (config->fullscreen && !config->headless && g_getenv ("DISPLAY") &&
      !g_getenv ("WAYLAND_DISPLAY")) {
    g_autoptr (GError) error = NULL;
    receiver->fullscreen = lx_fullscreen_window_new (&error);
    if (receiver->fullscreen == NULL) {
      g_warning ("%s; showing the lesson in a window", error->message);
    } else {
      lx_fullscreen_window_get_size (receiver->fullscreen, &receiver->screen_width,
                                     &receiver->screen_height);
      lx_playback_set_screen (receiver->playback, receiver->screen_width, receiver->screen_height);
    }
  }
  if (config->connection.follow_timetable) {
    receiver->timetable = lx_timetable_new (&config->connection, LX_ROLE_RECEIVER);
    receiver->standby = lx_standby_new (config, receiver->screen_width, receiver->screen_height);
    if (receiver->fullscreen && lx_standby_get_pipeline (receiver->standby))
      lx_fullscreen_window_attach (receiver->fullscreen,
                                   lx_standby_get_pipeline (receiver->standby));
    receiver->follow_timer = g_timeout_add_seconds (1, follow_timetable, receiver);
  } else if (config->whep_url) {
    g_autoptr (GError) error = NULL;
    receiver->whep = lx_whep_source_new (config, on_whep_refused, receiver, &error);
    if (receiver->whep)
      whep_negotiate (receiver);
    else
      g_warning ("classroom %s: key 'whep-url': %s", config->connection.school, error->message);
  } else {
    lx_lesson_follower_follow (receiver->lessons, config->connection.lesson,
                               g_get_monotonic_time ());
  }
  receiver->stats_timer =
      g_timeout_add ((guint) config->stats_interval_ms, lx_receiver_report_stats, receiver);
  receiver->check_timer = g_timeout_add (100, check_exit_conditions, receiver);
  receiver->watch_timer = g_timeout_add (500, watch_media, receiver);
  receiver->link_timer = g_timeout_add_seconds (1, lx_receiver_control_link, receiver);
  receiver->queue_timer = g_timeout_add (20, lx_receiver_watch_queue, receiver);
  lx_receiver_floor_start (receiver);

  g_main_loop_run (receiver->loop);
  /* The WHEP server frees the session at once. */
  end_session (receiver);
  g_clear_pointer (&receiver->whep, lx_whep_source_free);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  /* Final statistics, so the file holds the whole count, and a final snapshot, so the file shows
   * the last picture even for short runs. */
  lx_receiver_report_stats (receiver);
  if (config->snapshot)
    lx_playback_save_snapshot (receiver->playback, config->snapshot, NULL);
  return receiver->exit_status;
}
