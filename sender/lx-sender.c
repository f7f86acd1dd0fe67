/* The sender (see lx-sender.h):
 *
 *                    ┌▶ video-encoder-0 (H.264 720p, once) ─▶ video-tee-0 ─┬─▶ classroom A
 *   video-capture ─▶ raw-tee ─▶ video-encoder-1 (360p, once) ─▶ video-tee-1 ─┼─▶ classroom B
 *                    └▶ video-encoder-2 (180p, once) ─▶ video-tee-2 ─┤   (each takes one layer)
 *   audio-capture ─▶ audio-encoder (Opus, once) ─────────────▶ audio-tee ─┴─▶ ...
 * A classroom payloads its layer and sound, and encrypts and sends the packets itself, beside the
 * webrtcbin that negotiated its connection (lx-direct-sender.h). With the console, a screen or a
 * joint lesson, the video capture is the lesson's picture: camera, screen, hold card and the
 * called-on classrooms composed (lx-lesson-picture.h); the teacher's console is in
 * lx-sender-console.c.
 * Signaling messages arrive on the main context and are dispatched to the classroom they name. */
#include "lx-sender-private.h"

#include <glib-unix.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <string.h>

static void
quit (LxSender *sender, int status)
{
  sender->exit_status = status;
  g_main_loop_quit (sender->loop);
}

/* ---- Classrooms ---- */

/* The layers a branch in @video_codec takes (NULL with an encoder per classroom). */
static LxLayerSet *
layer_set_for (LxSender *sender, const char *video_codec)
{
  if (sender->config->encoder_per_classroom)
    return NULL;
  return g_strcmp0 (video_codec, LX_VIDEO_CODEC_VP8) == 0 ? sender->vp8 : sender->h264;
}

/* A branch in @video_codec closes: it no longer holds its layers. */
static void
release_layers (LxSender *sender, const char *video_codec)
{
  LxLayerSet *set = layer_set_for (sender, video_codec);

  if (set)
    lx_layer_set_release (set);
}

static void
remove_classroom (LxSender *sender, const char *school, const char *reason)
{
  gchar *key;
  LxClassroom *classroom;

  if (!g_hash_table_steal_extended (sender->classrooms, school, (gpointer *) &key,
                                    (gpointer *) &classroom))
    return;
  g_message ("classroom %s: leaving (%s)", key, reason);
  release_layers (sender, lx_classroom_get_video_codec (classroom));
  lx_classroom_close (classroom);
  g_free (key); /* last: @school may be this very key */
}

/* What a new branch in @video_codec shares with the others; it holds its layers until
 * release_layers(). FALSE with @error if the encoders it needs cannot start. */
static gboolean
make_context (LxSender *sender, const char *school, const char *video_codec,
              LxClassroomContext *context, GError **error)
{
  gboolean vp8 = g_strcmp0 (video_codec, LX_VIDEO_CODEC_VP8) == 0;
  LxLayerSet *layers = layer_set_for (sender, video_codec);

  *context = (LxClassroomContext){
    .config = sender->config,
    .pipeline = sender->pipeline,
    .audio_tee = sender->audio_tee,
    .ice = &sender->config->connection.ice,
    .signaling = sender->signaling,
    /* The naive baseline: each branch encodes the raw video itself. */
    .video_tees = { sender->raw_tee },
    .n_layers = 1,
    .video_codec = vp8 ? LX_VIDEO_CODEC_VP8 : LX_VIDEO_CODEC_H264,
    .wall = sender->wall,
    .sound = sender->sound,
    .picture = sender->picture,
  };
  return layers == NULL || lx_layer_set_hold (layers, school, context, error);
}

/* The classrooms called on speak in the lesson, and hear it without their own voices. */
static void
give_floor (LxSender *sender)
{
  GHashTableIter iter;
  const char *school;
  LxClassroom *classroom;

  g_hash_table_iter_init (&iter, sender->classrooms);
  while (g_hash_table_iter_next (&iter, (gpointer *) &school, (gpointer *) &classroom))
    lx_classroom_set_speaking (classroom, lx_floor_view_is_speaking (sender->floor, school));
}

/* The teacher's wall, where a joint lesson's classrooms show. */
#define WALL_WIDTH 1280
#define WALL_HEIGHT 720
#define WALL_FPS 10

static gboolean
make_wall (LxSender *sender, GError **error)
{
  const char *wall = sender->config->wall;
  gboolean display = g_getenv ("DISPLAY") || g_getenv ("WAYLAND_DISPLAY");

  /* (the console shows the classrooms' tiles from the wall: headless at least) */
  if (!sender->config->return_media ||
      (g_str_equal (wall, "off") && sender->config->console_address == NULL))
    return TRUE;
  sender->wall =
      lx_wall_new (sender->pipeline, WALL_WIDTH, WALL_HEIGHT, WALL_FPS,
                   g_str_equal (wall, "window") || (g_str_equal (wall, "auto") && display), error);
  return sender->wall != NULL;
}

static void
add_classroom (LxSender *sender, const char *school, const char *video_codec, const char *offer)
{
  g_autoptr (GError) error = NULL;
  LxClassroomContext context;
  LxClassroom *classroom;

  if (!make_context (sender, school, video_codec, &context, &error)) {
    g_warning ("classroom %s: %s", school, error->message);
    return;
  }
  /* A classroom that reconnects before its old connection was noticed gone starts afresh. */
  remove_classroom (sender, school, "joined again");
  classroom = lx_classroom_new (&context, school, offer, &error);
  if (classroom == NULL) {
    g_warning ("%s", error->message);
    release_layers (sender, context.video_codec);
    if (offer)
      lx_classroom_refuse_offer (sender->signaling, school, error);
    return;
  }
  g_hash_table_insert (sender->classrooms, g_strdup (school), classroom);
  /* (back while called on: it speaks again) */
  lx_classroom_set_speaking (classroom, lx_floor_view_is_speaking (sender->floor, school));
}

/* A WHEP player restarts ICE: our new credentials and candidates go back, or why not. */
static void
restart_ice (LxSender *sender, const LxMessage *message)
{
  LxClassroom *classroom = g_hash_table_lookup (sender->classrooms, message->school);
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) reply = lx_message_new (LX_MESSAGE_ICE_RESTART);

  reply->sdp = classroom ? lx_classroom_restart_ice (classroom, message->sdp, &error) : NULL;
  if (reply->sdp == NULL) {
    if (error == NULL)
      g_set_error (&error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "no such classroom here");
    g_warning ("classroom %s: ICE restart refused: %s", message->school, error->message);
    lx_classroom_refuse_offer (sender->signaling, message->school, error);
    return;
  }
  reply->school = g_strdup (message->school);
  lx_signaling_client_send (sender->signaling, reply);
}

static void
on_signaling_message (LxSignalingClient *client, const LxMessage *message, LxSender *sender)
{
  g_autoptr (GError) error = NULL;
  LxClassroom *classroom;

  switch (message->type) {
  case LX_MESSAGE_CLASSROOM_JOINED:
    classroom = g_hash_table_lookup (sender->classrooms, message->school);
    /* Back after a lost signaling connection (ours or its own), its media still up: keep it. */
    if (message->resume && classroom &&
        lx_classroom_get_state (classroom) == LX_CLASSROOM_CONNECTED) {
      g_message ("classroom %s: back on signaling, its media went on", message->school);
      g_hash_table_remove (sender->unconfirmed, message->school);
      break;
    }
    add_classroom (sender, message->school, message->video_codec, message->sdp);
    break;
  case LX_MESSAGE_CLASSROOM_LEFT:
    g_hash_table_remove (sender->offered_again, message->school);
    remove_classroom (sender, message->school, message->reason ? message->reason : "left");
    break;
  case LX_MESSAGE_LINK:
    classroom = g_hash_table_lookup (sender->classrooms, message->school);
    if (classroom)
      lx_classroom_link_report (classroom, message);
    break;
  case LX_MESSAGE_ICE_RESTART:
    restart_ice (sender, message);
    break;
  case LX_MESSAGE_FLOOR:
    lx_floor_view_note_floor (sender->floor, message);
    give_floor (sender);
    break;
  case LX_MESSAGE_QUESTION:
    lx_floor_view_note_question (sender->floor, message);
    break;
  case LX_MESSAGE_POLL:
    /* (the tally is read through the API: /api/v1/lessons/ID/poll) */
    g_message ("poll %d %s: %s", message->poll_id, message->poll_open ? "open" : "closed",
               message->text);
    sender->poll_id = message->poll_id;
    g_free (sender->poll_question);
    sender->poll_question = g_strdup (message->text);
    sender->poll_choices = message->choices;
    sender->poll_open = message->poll_open;
    break;
  case LX_MESSAGE_ERROR:
    /* e.g. floor-full after the console's call-on: the console shows it */
    g_warning ("the signaling server refused: %s (%s)", message->code, message->message);
    g_free (sender->refusal);
    sender->refusal = g_strdup (message->message);
    break;
  case LX_MESSAGE_ANSWER:
  case LX_MESSAGE_CANDIDATE:
    classroom = g_hash_table_lookup (sender->classrooms, message->school);
    if (classroom == NULL) {
      g_warning ("classroom %s: %s for a classroom we do not have", message->school,
                 lx_message_type_to_string (message->type));
    } else if (message->type == LX_MESSAGE_ANSWER) {
      if (!lx_classroom_set_answer (classroom, message->sdp, &error)) {
        g_warning ("classroom %s: answer refused: %s", message->school, error->message);
        remove_classroom (sender, message->school, "unusable answer");
      }
    } else {
      lx_classroom_add_candidate (classroom, message->mline_index, message->candidate);
    }
    break;
  default:
    g_warning ("ignoring unexpected '%s' from the signaling server",
               lx_message_type_to_string (message->type));
    break;
  }
}

/* After we joined again (the server restarted, our connection dropped), classrooms that do not say
 * they are still here within this time are gone. */
#define CONFIRM_TIMEOUT_S 20

static gboolean
drop_unconfirmed (gpointer data)
{
  LxSender *sender = data;
  GHashTableIter iter;
  const char *school;

  sender->confirm_timer = 0;
  g_hash_table_iter_init (&iter, sender->unconfirmed);
  while (g_hash_table_iter_next (&iter, (gpointer *) &school, NULL))
    remove_classroom (sender, school, "did not come back after the signaling outage");
  g_hash_table_remove_all (sender->unconfirmed);
  return G_SOURCE_REMOVE;
}

/* Says where the lesson stands, as the server's timetable tells it: a teacher who typed the
 * wrong lesson number must not think the class is watching. */
static void
tell_lesson_state (const LxMessage *welcome, const char *school)
{
  const char *state = welcome->lesson_state;
  const char *when = welcome->schedule ? welcome->schedule : "?";

  if (g_strcmp0 (state, LX_LESSON_STATE_UPCOMING) == 0)
    g_warning ("lesson %s has not begun: it is booked for %s, and its classrooms join then. On "
               "the air as school %s meanwhile — is it the right lesson number?",
               welcome->lesson, when, school);
  else if (g_strcmp0 (state, LX_LESSON_STATE_OVER) == 0)
    g_warning ("lesson %s is over (its last time was %s): no classroom will join it. Is it the "
               "right lesson number?",
               welcome->lesson, when);
  else if (g_strcmp0 (state, LX_LESSON_STATE_UNDER_WAY) == 0)
    g_message ("lesson %s (%s): on the air as school %s", welcome->lesson, when, school);
  else if (g_strcmp0 (state, LX_LESSON_STATE_AD_HOC) == 0)
    g_message ("lesson %s: on the air as school %s (an ad-hoc lesson: not in the timetable, "
               "classrooms join it by this id)",
               welcome->lesson, school);
  else
    g_message ("lesson %s: on the air as school %s", welcome->lesson, school);
}

static void
on_signaling_joined (LxSignalingClient *client, const LxMessage *welcome, LxSender *sender)
{
  GHashTableIter iter;
  const char *school;

  lx_lesson_follower_joined (sender->lessons);
  if (g_hash_table_size (sender->classrooms) == 0) {
    tell_lesson_state (welcome, sender->config->connection.school);
    return;
  }
  g_message ("lesson %s: back on signaling; %u classrooms kept their media", welcome->lesson,
             g_hash_table_size (sender->classrooms));
  g_hash_table_iter_init (&iter, sender->classrooms);
  while (g_hash_table_iter_next (&iter, (gpointer *) &school, NULL))
    g_hash_table_add (sender->unconfirmed, g_strdup (school));
  g_clear_handle_id (&sender->confirm_timer, g_source_remove);
  sender->confirm_timer = g_timeout_add_seconds (CONFIRM_TIMEOUT_S, drop_unconfirmed, sender);
}

/* The signaling connection dropped: the client joins again by itself, the classrooms' media goes
 * on meanwhile. */
static void
on_signaling_disconnected (LxSignalingClient *client, const GError *reason, LxSender *sender)
{
  g_message ("lesson %s: signaling lost (%s); %u classrooms keep their media",
             lx_lesson_follower_get_lesson (sender->lessons), reason->message,
             g_hash_table_size (sender->classrooms));
}

static void
on_signaling_closed (LxSignalingClient *client, const GError *reason, LxSender *sender)
{
  if (sender->timetable || sender->console) {
    /* Unattended, or the teacher at the console: on the air again a while later. */
    g_warning ("%s", reason->message);
    g_free (sender->refusal);
    sender->refusal = g_strdup (reason->message);
    lx_lesson_follower_connection_lost (sender->lessons, g_get_monotonic_time ());
    return;
  }
  g_printerr ("lianxiao-sender: %s\n", reason->message);
  quit (sender, 1);
}

/* ---- On the air: one lesson at a time; the capture and the encoders keep running between ---- */

static void
join_lesson (gpointer data, const char *lesson)
{
  LxSender *sender = data;
  const LxConnectionSettings *connection = &sender->config->connection;

  g_message ("lesson %s: going on the air", lesson);
  sender->on_air_since = g_get_real_time () / G_USEC_PER_SEC;
  /* (a new lesson's floor and poll are empty until the server says otherwise) */
  lx_floor_view_free (sender->floor);
  sender->floor = lx_floor_view_new ();
  sender->poll_id = 0;
  sender->poll_open = FALSE;
  g_clear_pointer (&sender->refusal, g_free);
  sender->signaling =
      lx_signaling_client_new (connection->server, LX_ROLE_SENDER, lesson, connection->school,
                               connection->token, connection->trusted_cas);
  g_signal_connect (sender->signaling, "joined", G_CALLBACK (on_signaling_joined), sender);
  g_signal_connect (sender->signaling, "message", G_CALLBACK (on_signaling_message), sender);
  g_signal_connect (sender->signaling, "closed", G_CALLBACK (on_signaling_closed), sender);
  g_signal_connect (sender->signaling, "disconnected", G_CALLBACK (on_signaling_disconnected),
                    sender);
  lx_signaling_client_start (sender->signaling);
}

static void
leave_lesson (gpointer data, const char *lesson)
{
  LxSender *sender = data;
  GHashTableIter iter;
  LxClassroom *classroom;

  g_signal_handlers_disconnect_by_data (sender->signaling, sender);
  /* (the teacher ended it: the classrooms say the lesson is over) */
  lx_signaling_client_stop_because (sender->signaling, g_strcmp0 (lesson, sender->ended_lesson) == 0
                                                           ? LX_GOODBYE_LESSON_ENDED
                                                           : "bye");
  g_clear_object (&sender->signaling);
  g_hash_table_iter_init (&iter, sender->classrooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &classroom))
    release_layers (sender, lx_classroom_get_video_codec (classroom));
  g_hash_table_remove_all (sender->classrooms);
  g_hash_table_remove_all (sender->unconfirmed);
  g_clear_handle_id (&sender->confirm_timer, g_source_remove);
  g_message ("lesson %s: off the air", lesson);
}

static const LxLessonFollowerHandlers lesson_handlers = { join_lesson, leave_lesson };

/* The lesson for the air now: the teacher's choice at the console; else, unless the teacher is
 * to start it, the timetable's lesson under way (unattended) or the one configured — never one
 * the teacher ended while its time lasts. */
static const char *
lesson_for_the_air (LxSender *sender)
{
  const LxConnectionSettings *connection = &sender->config->connection;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *lesson = NULL;

  if (sender->ended_lesson && now >= sender->ended_until)
    g_clear_pointer (&sender->ended_lesson, g_free);
  if (sender->chosen_lesson) {
    lesson = sender->chosen_lesson;
  } else if (!sender->config->wait_for_teacher) {
    const LxOccurrence *current = connection->follow_timetable && sender->timetable
                                      ? lx_timetable_current (sender->timetable, now)
                                      : NULL;
    lesson = connection->follow_timetable ? (current ? current->lesson : NULL) : connection->lesson;
  }
  return g_strcmp0 (lesson, sender->ended_lesson) == 0 ? NULL : lesson;
}

void
lx_sender_follow_lessons (LxSender *sender)
{
  lx_lesson_follower_follow (sender->lessons, lesson_for_the_air (sender), g_get_monotonic_time ());
}

/* Once a second: on the air for the lesson under way, off between lessons (and again after a
 * lost connection). */
static gboolean
follow_lessons (gpointer data)
{
  lx_sender_follow_lessons (data);
  return G_SOURCE_CONTINUE;
}

/* ---- Looking after the classrooms, once a second whatever the statistics' interval ---- */

/* A classroom of the lesson whose ICE or DTLS failed (on a lossy line a first handshake can) is
 * offered a new connection at once — its receiver answers any offer with a fresh session — rather
 * than left to notice the silence (its watchdog waits 18 s for a first packet). Once every 30 s at
 * most: a dead line is left to the classroom, which joins again when it can. Other classrooms
 * whose connection failed are gone for good (a WHEP player or a publication starts its own). */
#define OFFER_AGAIN_INTERVAL_US (30 * G_USEC_PER_SEC)

static void
drop_failed_classrooms (LxSender *sender)
{
  GHashTableIter iter;
  const char *school;
  LxClassroom *classroom;
  g_autoptr (GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, sender->classrooms);
  while (g_hash_table_iter_next (&iter, (gpointer *) &school, (gpointer *) &classroom))
    if (lx_classroom_get_state (classroom) == LX_CLASSROOM_FAILED)
      g_ptr_array_add (failed, g_strdup (school));
  for (guint i = 0; i < failed->len; i++) {
    const char *name = g_ptr_array_index (failed, i);
    gint64 *offered_again = g_hash_table_lookup (sender->offered_again, name);
    g_autofree gchar *video_codec = NULL;

    classroom = g_hash_table_lookup (sender->classrooms, name);
    if (!lx_classroom_offered_by_us (classroom) ||
        (offered_again && now - *offered_again < OFFER_AGAIN_INTERVAL_US)) {
      remove_classroom (sender, name, "its connection failed");
      continue;
    }
    video_codec = g_strdup (lx_classroom_get_video_codec (classroom));
    remove_classroom (sender, name, "its connection failed: offering it a new one");
    g_hash_table_insert (sender->offered_again, g_strdup (name), g_memdup2 (&now, sizeof now));
    sender->connections_offered_again++;
    add_classroom (sender, name, video_codec, NULL);
  }
}

/* Every few seconds, each classroom's round-trip time to the server, for the status board (and the
 * statistics file). */
static void
report_rtts (LxSender *sender)
{
  GHashTableIter iter;
  LxClassroom *classroom;
  gint64 now = g_get_monotonic_time ();

  if (sender->signaling == NULL || now - sender->last_rtt_report_us < 5 * G_USEC_PER_SEC)
    return;
  sender->last_rtt_report_us = now;
  g_hash_table_iter_init (&iter, sender->classrooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &classroom)) {
    g_autoptr (LxMessage) message = NULL;
    if (lx_classroom_get_rtt_ms (classroom) < 0)
      continue;
    message = lx_message_new (LX_MESSAGE_RTT);
    message->school = g_strdup (lx_classroom_get_school (classroom));
    message->rtt_ms = lx_classroom_get_rtt_ms (classroom);
    lx_signaling_client_send (sender->signaling, message);
  }
}

/* The wall marks the classrooms whose picture is frozen (dimmed tiles) or missing, and says
 * which on its notice line. */
static void
watch_pictures (LxSender *sender)
{
  g_autoptr (GString) frozen = g_string_new (NULL);
  g_autoptr (GString) missing = g_string_new (NULL);
  g_autofree gchar *notice = NULL;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  LxClassroom *classroom;

  g_hash_table_iter_init (&iter, sender->classrooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &classroom)) {
    LxPictureState state = lx_classroom_watch_picture (classroom, now);
    GString *list = state == LX_PICTURE_FROZEN    ? frozen
                    : state == LX_PICTURE_MISSING ? missing
                                                  : NULL;
    if (list)
      g_string_append_printf (list, "%s%s", list->len ? ", " : "",
                              lx_classroom_get_school (classroom));
  }
  if (sender->wall == NULL)
    return;
  notice = g_strdup_printf ("%s%s%s%s%s", frozen->len ? "frozen: " : "", frozen->str,
                            frozen->len && missing->len ? "   " : "",
                            missing->len ? "no picture: " : "", missing->str);
  lx_wall_set_notice (sender->wall, notice);
}

static gboolean
look_after_classrooms (gpointer data)
{
  LxSender *sender = data;

  drop_failed_classrooms (sender);
  report_rtts (sender);
  watch_pictures (sender);
  return G_SOURCE_CONTINUE;
}

/* ---- Statistics: read and written out, never acted on ---- */

/* A classroom's layer in its statistics: its index (-1 when video is paused) and size. */
static void
add_layer (JsonBuilder *builder, const LxSenderConfig *config, guint layer)
{
  gboolean paused = layer >= config->n_layers;
  g_autofree gchar *size = paused ? g_strdup ("paused")
                                  : g_strdup_printf ("%dx%d", config->layer_specs[layer].width,
                                                     config->layer_specs[layer].height);

  lx_stats_add_int (builder, "layer", paused ? -1 : (gint64) layer);
  json_builder_set_member_name (builder, "layer_size");
  json_builder_add_string_value (builder, size);
}

/* The WHIP publication: its state now, and how many sessions the endpoint accepted. */
static void
add_publication (JsonBuilder *builder, LxWhipPublisher *publisher)
{
  LxClassroom *branch = lx_whip_publisher_get_branch (publisher);

  json_builder_set_member_name (builder, "publication");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (
      builder,
      branch ? lx_classroom_state_to_string (lx_classroom_get_state (branch)) : "retrying");
  lx_stats_add_int (builder, "sessions", lx_whip_publisher_get_sessions (publisher));
  lx_stats_add_int (builder, "connect_ms", branch ? lx_classroom_get_connect_ms (branch) : -1);
  json_builder_end_object (builder);
}

static gboolean
report_stats (gpointer data)
{
  LxSender *sender = data;
  LxKeyframeStats keyframes = { 0 };
  LxDelaySummary encode;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  GHashTableIter iter;
  LxClassroom *classroom;
  guint connected = 0;

  for (guint i = 0; sender->h264 && i < lx_layer_set_get_n_layers (sender->h264); i++) {
    LxKeyframeStats layer =
        lx_keyframe_gate_get_stats (lx_layer_set_get_keyframes (sender->h264, i));
    keyframes.requested += layer.requested;
    keyframes.forced += layer.forced;
    keyframes.produced += layer.produced;
  }
  json_builder_begin_object (builder);
  lx_stats_add_int (builder, "time_ms", lx_stats_now_ms ());
  lx_json_add_string (builder, "lesson", lx_lesson_follower_get_lesson (sender->lessons));
  lx_stats_add_int (builder, "frames_encoded", g_atomic_int_get (&sender->frames_sent));
  lx_stats_add_int (builder, "vp8_layers",
                    sender->vp8 ? lx_layer_set_get_n_layers (sender->vp8) : 0);
  lx_stats_add_int (builder, "keyframes_requested", keyframes.requested);
  lx_stats_add_int (builder, "keyframes_forced", keyframes.forced);
  lx_stats_add_int (builder, "keyframes_produced", keyframes.produced);
  encode = lx_delay_window_summarize (sender->encode);
  lx_stats_add_delays (builder, "encode", &encode);
  lx_floor_view_add_stats (sender->floor, builder);
  json_builder_set_member_name (builder, "classrooms");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, sender->classrooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &classroom)) {
    guint probes, probes_passed;
    LxClassroomState state = lx_classroom_get_state (classroom);
    connected += state == LX_CLASSROOM_CONNECTED;
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "school");
    json_builder_add_string_value (builder, lx_classroom_get_school (classroom));
    json_builder_set_member_name (builder, "state");
    json_builder_add_string_value (builder, lx_classroom_state_to_string (state));
    lx_stats_add_int (builder, "connect_ms", lx_classroom_get_connect_ms (classroom));
    lx_stats_add_int (builder, "rtt_ms", lx_classroom_get_rtt_ms (classroom));
    lx_stats_add_int (builder, "queue_ms", lx_classroom_get_queue_ms (classroom));
    lx_stats_add_int (builder, "audio_sent_directly",
                      (gint64) lx_classroom_get_sent_directly (classroom, FALSE));
    lx_stats_add_int (builder, "video_sent_directly",
                      (gint64) lx_classroom_get_sent_directly (classroom, TRUE));
    lx_stats_add_int (builder, "probe_kbps", lx_classroom_get_probe_kbps (classroom));
    lx_classroom_get_probes (classroom, &probes, &probes_passed);
    lx_stats_add_int (builder, "probes", probes);
    lx_stats_add_int (builder, "probes_passed", probes_passed);
    lx_stats_add_int (builder, "retransmission_copies",
                      lx_classroom_get_retransmission_copies (classroom));
    lx_stats_add_int (builder, "retransmission_history_ms",
                      lx_classroom_get_retransmission_history_ms (classroom));
    lx_stats_add_int (builder, "remote_candidates", lx_classroom_get_remote_candidates (classroom));
    lx_stats_add_int (builder, "return_frames", lx_classroom_get_return_frames (classroom));
    lx_json_add_string (builder, "picture",
                        lx_picture_state_to_string (lx_classroom_get_picture (classroom)));
    lx_stats_add_int (builder, "return_audio_buffers",
                      lx_classroom_get_return_audio_buffers (classroom));
    add_layer (builder, sender->config, lx_classroom_get_layer (classroom));
    json_builder_set_member_name (builder, "loss");
    json_builder_add_double_value (builder, lx_classroom_get_loss (classroom));
    /* Where the loss comes from: the classroom's own reports, or its RTCP (a WHEP player). */
    json_builder_set_member_name (builder, "loss_from");
    json_builder_add_string_value (
        builder, lx_classroom_is_steered_by_rtcp (classroom) ? "rtcp" : "link-reports");
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  lx_stats_add_int (builder, "classrooms_connected", connected);
  lx_stats_add_int (builder, "connections_offered_again", sender->connections_offered_again);
  lx_stats_add_int (builder, "wall_tiles", sender->wall ? lx_wall_count_tiles (sender->wall) : 0);
  lx_stats_add_int (builder, "lesson_insets",
                    sender->picture ? lx_lesson_picture_count_insets (sender->picture) : 0);
  if (sender->publisher)
    add_publication (builder, sender->publisher);
  if (sender->janus)
    lx_stats_add_int (builder, "janus_keyframe_requests",
                      lx_janus_relay_count_keyframe_requests (sender->janus));
  json_builder_end_object (builder);

  printf ("sender: %u classrooms (%u connected), %" G_GUINT64_FORMAT " frames encoded, "
          "%" G_GUINT64_FORMAT " keyframes (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
          " requests forced)\n",
          g_hash_table_size (sender->classrooms), connected,
          (guint64) g_atomic_int_get (&sender->frames_sent), keyframes.produced, keyframes.forced,
          keyframes.requested);
  fflush (stdout);

  if (sender->wall && sender->config->wall_snapshot) {
    g_autoptr (GError) snapshot_error = NULL;
    if (!lx_wall_save_snapshot (sender->wall, sender->config->wall_snapshot, &snapshot_error) &&
        !g_error_matches (snapshot_error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED))
      g_warning ("wall-snapshot: %s", snapshot_error->message);
  }
  root = json_builder_get_root (builder);
  g_clear_pointer (&sender->last_stats, json_node_unref);
  sender->last_stats = json_node_ref (root);
  if (sender->config->stats_json) {
    if (!lx_stats_write_file (sender->config->stats_json, root, &error))
      g_warning ("cannot write statistics: %s", error->message);
  }
  return G_SOURCE_CONTINUE;
}

/* ---- Pipeline ---- */

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  LxSender *sender = data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;
  GHashTableIter iter;
  const char *school;
  LxClassroom *classroom;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;
  gst_message_parse_error (message, &error, &debug);
  /* A classroom's own failure ends that classroom, never the lesson. */
  g_hash_table_iter_init (&iter, sender->classrooms);
  while (g_hash_table_iter_next (&iter, (gpointer *) &school, (gpointer *) &classroom)) {
    if (lx_classroom_contains (classroom, GST_MESSAGE_SRC (message))) {
      g_autofree gchar *reason = g_strdup_printf ("error: %s", error->message);
      remove_classroom (sender, school, reason);
      return G_SOURCE_CONTINUE;
    }
  }
  /* (an element of a classroom already removed, whose error came after it) */
  if (!gst_object_has_as_ancestor (GST_MESSAGE_SRC (message), GST_OBJECT (sender->pipeline))) {
    g_message ("an error from %s, already gone: %s", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
               error->message);
    return G_SOURCE_CONTINUE;
  }
  /* The wall shows the classrooms to the teacher; the lesson goes on without it. */
  if (sender->wall && lx_wall_contains (sender->wall, GST_MESSAGE_SRC (message))) {
    g_warning ("the teacher's wall failed (%s: %s); the lesson goes on without it",
               GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message);
    return G_SOURCE_CONTINUE;
  }
  g_printerr ("lianxiao-sender: %s: %s\n(%s)\n", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
              error->message, debug ? debug : "");
  quit (sender, 1);
  return G_SOURCE_CONTINUE;
}

static gboolean
end_of_video (gpointer data)
{
  g_message ("the lesson's video ended");
  quit (data, 0);
  return G_SOURCE_REMOVE;
}

/* Where the video enters the tee: counts the frames, and notices the end of a file. Only a file
 * ends by itself (the recorded lesson is over); the pipeline never posts EOS itself, since
 * webrtcbin's sinks do not. */
static GstPadProbeReturn
on_video_to_tee (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxSender *sender = data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    g_atomic_int_inc (&sender->frames_sent);
  else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    g_main_context_invoke (NULL, end_of_video, sender);
  return GST_PAD_PROBE_OK;
}

/* Stamps the wall-clock capture time into each raw frame (the latency probe). */
static GstPadProbeReturn
stamp_capture_time (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxSender *sender = data;
  GstVideoFrame frame;
  GstBuffer *buffer;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    GstCaps *caps;
    if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
      gst_event_parse_caps (event, &caps);
      gst_video_info_from_caps (&sender->capture_info, caps);
    }
    return GST_PAD_PROBE_OK;
  }
  /* Usually no copy: the source's buffer has no other owner yet. */
  buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (gst_video_frame_map (&frame, &sender->capture_info, buffer, GST_MAP_WRITE)) {
    lx_latency_stamp_write (&frame, g_get_real_time () / 1000);
    gst_video_frame_unmap (&frame);
  }
  return GST_PAD_PROBE_OK;
}

/* The raw video's tee, then each quality layer encoded once into a tee per layer. */
static gboolean
add_video_layers (LxSender *sender, GstElement *capture, GError **error)
{
  g_autoptr (GstPad) encoder_sink = NULL;
  g_autoptr (GstPad) encoder_src = NULL;
  GstElement *encoder;

  sender->raw_tee = lx_tee_add_after (sender->pipeline, capture, NULL, "raw-tee", error);
  if (sender->raw_tee == NULL)
    return FALSE;
  /* The naive baseline encodes in every classroom's branch, from the raw video. */
  if (sender->config->encoder_per_classroom)
    return TRUE;
  sender->h264 = lx_layer_set_new (sender->config, sender->pipeline, sender->raw_tee,
                                   LX_VIDEO_CODEC_H264, FALSE, error);
  if (sender->h264 == NULL)
    return FALSE;
  /* A browser without H.264: VP8 layers too, while such a classroom watches. */
  sender->vp8 = lx_layer_set_new (sender->config, sender->pipeline, sender->raw_tee,
                                  LX_VIDEO_CODEC_VP8, TRUE, error);
  /* The time frames spend in the largest layer's encoder. */
  encoder = lx_layer_set_get_encoder (sender->h264, 0);
  encoder_sink = gst_element_get_static_pad (encoder, "sink");
  encoder_src = gst_element_get_static_pad (encoder, "src");
  lx_stage_timer_attach (encoder_sink, encoder_src, sender->encode);
  return TRUE;
}

/* The lesson's picture from the camera (@camera), the screen if there is one, and the hold card. */
static gboolean
make_picture (LxSender *sender, GstElement *camera, const LxCaptureSettings *camera_settings,
              GError **error)
{
  const LxSenderConfig *config = sender->config;
  LxCaptureSettings screen_settings = *camera_settings;
  GstElement *screen = NULL;

  if (!g_str_equal (config->screen_source, "none")) {
    screen_settings.video_source = "screen";
    screen_settings.video_device = config->screen_display;
    screen = lx_capture_video_new (&screen_settings, error);
    if (screen == NULL)
      return FALSE;
    gst_object_set_name (GST_OBJECT (screen), "screen-capture");
    gst_bin_add (GST_BIN (sender->pipeline), screen);
  }
  sender->picture = lx_lesson_picture_new (sender->pipeline, camera, screen, config->hold_text,
                                           camera_settings->width, camera_settings->height,
                                           camera_settings->framerate, error);
  return sender->picture != NULL;
}

LxSender *
lx_sender_new (const LxSenderConfig *config, GError **error)
{
  LxSender *sender = g_new0 (LxSender, 1);
  GstElement *capture;
  LxCaptureSettings capture_settings;
  g_autoptr (GstPad) tee_sink = NULL;

  sender->config = config;
  sender->floor = lx_floor_view_new ();
  sender->classrooms =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) lx_classroom_close);
  sender->unconfirmed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sender->offered_again = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sender->loop = g_main_loop_new (NULL, FALSE);
  sender->lessons = lx_lesson_follower_new (&lesson_handlers, sender);
  sender->pipeline = gst_pipeline_new ("sender");
  sender->encode = lx_delay_window_new (300);
  if (!make_wall (sender, error))
    goto failed;

  lx_sender_config_capture_settings (config, &capture_settings);
  capture = lx_capture_video_new (&capture_settings, error);
  if (capture == NULL)
    goto failed;
  gst_bin_add (GST_BIN (sender->pipeline), capture);
  if (config->latency_stamp) {
    g_autoptr (GstPad) capture_src = gst_element_get_static_pad (capture, "src");
    gst_pad_add_probe (capture_src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                       stamp_capture_time, sender, NULL);
  }
  /* The console's sources, the screen, or a joint lesson's speakers: composed before the
   * encoders. */
  if (config->return_media || config->console_address ||
      !g_str_equal (config->screen_source, "none")) {
    LxPictureSource start;
    if (!make_picture (sender, capture, &capture_settings, error))
      goto failed;
    capture = lx_lesson_picture_get_output (sender->picture);
    lx_picture_source_from_string (config->start_source, &start);
    if (!lx_lesson_picture_show (sender->picture, start, error))
      goto failed;
  }
  if (!add_video_layers (sender, capture, error))
    goto failed;

  capture = lx_capture_audio_new (&capture_settings, error);
  if (capture != NULL) {
    gst_bin_add (GST_BIN (sender->pipeline), capture);
    sender->sound =
        lx_lesson_sound_new (sender->pipeline, capture, config, config->return_media, error);
    if (sender->sound == NULL)
      goto failed;
    sender->audio_tee = gst_object_ref (lx_lesson_sound_get_tee (sender->sound));
  } else if (error && *error) {
    goto failed;
  }

  /* The largest layer's frames are the lesson's frames (the others are the same pictures). */
  tee_sink = gst_element_get_static_pad (
      sender->h264 ? lx_layer_set_get_tee (sender->h264, 0) : sender->raw_tee, "sink");
  gst_pad_add_probe (tee_sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     on_video_to_tee, sender, NULL);
  return sender;

failed:
  lx_sender_free (sender);
  return NULL;
}

static gboolean
start_publishing (LxSender *sender)
{
  g_autoptr (GError) error = NULL;
  LxClassroomContext context;

  if (!make_context (sender, "whip", LX_VIDEO_CODEC_H264, &context, &error))
    goto failed;
  sender->publisher = lx_whip_publisher_new (&context, sender->config->whip_url,
                                             sender->config->whip_token, &error);
  if (sender->publisher)
    return TRUE;
  release_layers (sender, LX_VIDEO_CODEC_H264);
failed:
  g_printerr ("lianxiao-sender: %s\n", error->message);
  return FALSE;
}

/* Each layer once, and the sound, to a Janus mountpoint (lx-janus-relay.h). */
static gboolean
start_relaying (LxSender *sender, GError **error)
{
  GstElement *tees[LX_JANUS_RELAY_MAX_LAYERS];
  LxKeyframeGate *gates[LX_JANUS_RELAY_MAX_LAYERS];
  guint n = 0;

  if (sender->h264 == NULL) {
    g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "janus-rtp needs the shared encoders (not encoder-per-classroom)");
    return FALSE;
  }
  for (; n < MIN (lx_layer_set_get_n_layers (sender->h264), LX_JANUS_RELAY_MAX_LAYERS); n++) {
    tees[n] = lx_layer_set_get_tee (sender->h264, n);
    gates[n] = lx_layer_set_get_keyframes (sender->h264, n);
  }
  sender->janus = lx_janus_relay_new (sender->pipeline, tees, gates, n, sender->audio_tee,
                                      &sender->config->janus_target, error);
  return sender->janus != NULL;
}

static void
stop_publishing (LxSender *sender)
{
  if (sender->publisher == NULL)
    return;
  g_clear_pointer (&sender->publisher, lx_whip_publisher_free);
  release_layers (sender, LX_VIDEO_CODEC_H264);
}

void
lx_sender_free (LxSender *sender)
{
  g_clear_handle_id (&sender->stats_timer, g_source_remove);
  g_clear_handle_id (&sender->control_timer, g_source_remove);
  g_clear_handle_id (&sender->follow_timer, g_source_remove);
  stop_publishing (sender);
  g_clear_pointer (&sender->janus, lx_janus_relay_free);
  lx_sender_stop_console (sender);
  g_clear_pointer (&sender->lessons, lx_lesson_follower_free);
  g_clear_pointer (&sender->floor, lx_floor_view_free);
  lx_timetable_free (sender->timetable);
  gst_element_set_state (sender->pipeline, GST_STATE_NULL);
  g_clear_pointer (&sender->h264, lx_layer_set_free);
  g_clear_pointer (&sender->vp8, lx_layer_set_free);
  gst_object_unref (sender->pipeline);
  sender->pipeline = NULL;
  lx_delay_window_free (sender->encode); /* after the pipeline: its timer feeds the window */
  g_hash_table_unref (sender->classrooms);
  g_clear_pointer (&sender->wall, lx_wall_free); /* after the classrooms: they give tiles back */
  g_clear_pointer (&sender->sound, lx_lesson_sound_free);     /* ... and their voices */
  g_clear_pointer (&sender->picture, lx_lesson_picture_free); /* ... and pictures */
  g_hash_table_unref (sender->unconfirmed);
  g_hash_table_unref (sender->offered_again);
  g_free (sender->chosen_lesson);
  g_free (sender->ended_lesson);
  g_free (sender->poll_question);
  g_free (sender->refusal);
  g_clear_pointer (&sender->last_stats, json_node_unref);
  gst_clear_object (&sender->raw_tee);
  gst_clear_object (&sender->audio_tee);
  g_main_loop_unref (sender->loop);
  g_free (sender);
}

static gboolean
on_quit_signal (gpointer data)
{
  g_message ("stopping the lesson");
  quit (data, 0);
  return G_SOURCE_CONTINUE;
}

int
lx_sender_run (LxSender *sender)
{
  const LxConnectionSettings *connection = &sender->config->connection;
  g_autoptr (GstBus) bus = gst_element_get_bus (sender->pipeline);
  guint sigint = g_unix_signal_add (SIGINT, on_quit_signal, sender);
  guint sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, sender);
  g_autoptr (GError) error = NULL;

  gst_bus_add_watch (bus, on_bus_message, sender);
  if (gst_element_set_state (sender->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_printerr ("lianxiao-sender: the capture pipeline would not start (see the log above)\n");
    gst_bus_remove_watch (bus);
    return 1;
  }

  if (sender->config->whip_url && !start_publishing (sender)) {
    gst_bus_remove_watch (bus);
    return 1;
  }
  if (sender->config->janus_rtp && !start_relaying (sender, &error)) {
    g_printerr ("lianxiao-sender: %s\n", error->message);
    gst_bus_remove_watch (bus);
    return 1;
  }
  if (sender->config->console_address && !lx_sender_start_console (sender, &error)) {
    g_printerr ("lianxiao-sender: %s\n", error->message);
    gst_bus_remove_watch (bus);
    return 1;
  }
  if (connection->server == NULL) {
    g_message ("no signaling server: the lesson goes only to the WHIP endpoint or Janus");
  } else {
    /* (the console shows today's lessons from the timetable too) */
    if (connection->follow_timetable || (sender->console && connection->token))
      sender->timetable = lx_timetable_new (connection, LX_ROLE_SENDER);
    lx_sender_follow_lessons (sender);
    if (connection->follow_timetable || sender->console)
      sender->follow_timer = g_timeout_add_seconds (1, follow_lessons, sender);
  }
  sender->stats_timer =
      g_timeout_add ((guint) sender->config->stats_interval_ms, report_stats, sender);
  sender->control_timer = g_timeout_add_seconds (1, look_after_classrooms, sender);

  g_main_loop_run (sender->loop);
  report_stats (sender);    /* the final counts */
  stop_publishing (sender); /* ends its session */

  g_source_remove (sigint);
  g_source_remove (sigterm);
  gst_bus_remove_watch (bus);
  return sender->exit_status;
}
