/* What the teacher's console shows of the sender, and what it does to it (see lx-console.h and
 * lx-sender-private.h): the sources, the microphone, the devices, going on the air and ending the
 * lesson, and the floor. */
#include "lx-sender-private.h"

/* The console's pictures: what goes out, and the classrooms' wall, small and a few a second —
 * enough to see, cheap to make (one JPEG each whatever the number of consoles open). */
#define PREVIEW_WIDTH 640
#define PREVIEW_HEIGHT 360
#define PREVIEW_FPS 10
#define WALL_FEED_WIDTH 960
#define WALL_FEED_HEIGHT 540
#define WALL_FEED_FPS 5

/* Sound muted while the teacher said so or the hold card shows. */
static void
apply_mute (LxSender *sender)
{
  gboolean hold =
      sender->picture && lx_lesson_picture_get_source (sender->picture) == LX_SOURCE_HOLD;

  if (sender->sound)
    lx_lesson_sound_set_muted (sender->sound, sender->teacher_muted || hold);
}

/* ---- What the console shows ---- */

static void
add_occurrence (JsonBuilder *builder, const LxOccurrence *occurrence)
{
  json_builder_begin_object (builder);
  lx_json_add_string (builder, "lesson", occurrence->lesson);
  lx_json_add_string (builder, "title", occurrence->title);
  lx_json_add_string (builder, "start", occurrence->start_local);
  lx_stats_add_int (builder, "start_utc", occurrence->start);
  lx_stats_add_int (builder, "end_utc", occurrence->end);
  lx_json_add_strings (builder, "receivers", (const char *const *) occurrence->receivers);
  lx_json_add_strings (builder, "receiver_names", (const char *const *) occurrence->receiver_names);
  json_builder_end_object (builder);
}

/* Today's lessons of this school, as the timetable has them (none without a token). */
static void
add_timetable (LxSender *sender, JsonBuilder *builder)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  json_builder_set_member_name (builder, "timetable");
  json_builder_begin_array (builder);
  if (sender->timetable)
    for (guint i = 0; i < lx_timetable_count (sender->timetable); i++) {
      const LxOccurrence *occurrence = lx_timetable_get (sender->timetable, i);
      /* today's: from the start of the day before now to a day ahead */
      if (occurrence->end >= now - 12 * 3600 && occurrence->start <= now + 24 * 3600)
        add_occurrence (builder, occurrence);
    }
  json_builder_end_array (builder);
}

static JsonNode *
describe (gpointer data)
{
  LxSender *sender = data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  const char *lesson = lx_lesson_follower_get_lesson (sender->lessons);

  json_builder_begin_object (builder);
  lx_json_add_string (builder, "school", sender->config->connection.school);
  lx_json_add_string (builder, "configured_lesson", sender->config->connection.lesson);
  lx_json_add_string (builder, "lesson", lesson);
  lx_stats_add_int (builder, "on_air", lesson != NULL);
  lx_stats_add_int (builder, "joined",
                    sender->signaling && lx_signaling_client_is_joined (sender->signaling));
  lx_stats_add_int (builder, "on_air_since_utc", lesson ? sender->on_air_since : 0);
  lx_stats_add_int (builder, "now_utc", g_get_real_time () / G_USEC_PER_SEC);
  lx_json_add_string (builder, "ended_lesson", sender->ended_lesson);
  lx_json_add_string (
      builder, "source",
      sender->picture ? lx_picture_source_to_string (lx_lesson_picture_get_source (sender->picture))
                      : "camera");
  lx_stats_add_int (builder, "has_screen",
                    sender->picture && lx_lesson_picture_has_screen (sender->picture));
  lx_stats_add_int (builder, "muted", sender->teacher_muted);
  lx_stats_add_int (builder, "sound_muted",
                    sender->sound ? lx_lesson_sound_get_muted (sender->sound) : TRUE);
  json_builder_set_member_name (builder, "meter_db");
  json_builder_add_double_value (builder,
                                 sender->sound ? lx_lesson_sound_read_meter (sender->sound) : -100);
  lx_stats_add_int (builder, "return_media", sender->config->return_media);
  lx_stats_add_int (builder, "wall", sender->wall_feed != NULL);
  if (sender->wall)
    lx_wall_add_json (sender->wall, builder);
  lx_floor_view_add_stats (sender->floor, builder);
  json_builder_set_member_name (builder, "poll");
  json_builder_begin_object (builder);
  lx_stats_add_int (builder, "poll_id", sender->poll_id);
  lx_json_add_string (builder, "question", sender->poll_question);
  lx_stats_add_int (builder, "choices", sender->poll_choices);
  lx_stats_add_int (builder, "open", sender->poll_open);
  json_builder_end_object (builder);
  lx_json_add_string (builder, "refusal", sender->refusal);
  add_timetable (sender, builder);
  if (sender->devices)
    lx_devices_add_json (sender->devices, builder);
  /* The classrooms as the statistics last had them (a second old at most). */
  json_builder_set_member_name (builder, "stats");
  if (sender->last_stats)
    json_builder_add_value (builder, json_node_copy (sender->last_stats));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- What it does ---- */

/* Makes *@error (another module's) the console's @code, its message kept: FALSE. */
static gboolean
refuse_as (GError **error, LxConsoleError code)
{
  GError *cause = *error;

  *error = g_error_new_literal (LX_CONSOLE_ERROR, code, cause->message);
  g_error_free (cause);
  return FALSE;
}

static gboolean
show_source (LxSender *sender, JsonObject *body, GError **error)
{
  const char *name = json_object_get_string_member_with_default (body, "source", NULL);
  LxPictureSource source;

  if (!lx_picture_source_from_string (name, &source)) {
    g_set_error (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_INVALID,
                 "source: camera, screen, screen-camera or hold, not '%s'", name ? name : "");
    return FALSE;
  }
  if (!lx_lesson_picture_show (sender->picture, source, error))
    return refuse_as (error, LX_CONSOLE_ERROR_CONFLICT);
  apply_mute (sender);
  return TRUE;
}

static gboolean
read_bool (JsonObject *body, const char *member, gboolean *value, GError **error)
{
  JsonNode *node = json_object_get_member (body, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN) {
    g_set_error (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_INVALID, "%s: true or false", member);
    return FALSE;
  }
  *value = json_node_get_boolean (node);
  return TRUE;
}

/* The teacher puts a lesson on the air: the one named (today's, from the timetable), else the
 * one configured or under way. */
static gboolean
go_on_air (LxSender *sender, JsonObject *body, GError **error)
{
  const char *lesson = json_object_get_string_member_with_default (body, "lesson", NULL);
  const LxOccurrence *current =
      sender->timetable
          ? lx_timetable_current (sender->timetable, g_get_real_time () / G_USEC_PER_SEC)
          : NULL;

  if (lesson == NULL)
    lesson = current ? current->lesson : sender->config->connection.lesson;
  if (lesson == NULL || !lx_protocol_id_is_valid (lesson)) {
    g_set_error_literal (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_INVALID,
                         "选一节课 · lesson: choose one of today's lessons");
    return FALSE;
  }
  if (g_strcmp0 (lesson, lx_lesson_follower_get_lesson (sender->lessons)) == 0)
    return TRUE;
  g_message ("console: the teacher puts lesson %s on the air", lesson);
  g_free (sender->chosen_lesson);
  sender->chosen_lesson = g_strdup (lesson);
  g_clear_pointer (&sender->ended_lesson, g_free);
  lx_sender_follow_lessons (sender);
  return TRUE;
}

/* The lesson ends: off the air (its classrooms show their standby card), and not joined again
 * while its time lasts. */
static gboolean
end_lesson (LxSender *sender, GError **error)
{
  const char *lesson = lx_lesson_follower_get_lesson (sender->lessons);
  const LxOccurrence *current =
      sender->timetable
          ? lx_timetable_current (sender->timetable, g_get_real_time () / G_USEC_PER_SEC)
          : NULL;

  if (lesson == NULL) {
    g_set_error_literal (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_CONFLICT,
                         "没有在上课 · no lesson on the air");
    return FALSE;
  }
  g_message ("console: the teacher ends lesson %s", lesson);
  g_free (sender->ended_lesson);
  sender->ended_lesson = g_strdup (lesson);
  sender->ended_until =
      current && g_str_equal (current->lesson, lesson) ? current->end : G_MAXINT64;
  g_clear_pointer (&sender->chosen_lesson, g_free);
  lx_sender_follow_lessons (sender);
  return TRUE;
}

/* Call on / hang up, through the lesson's signaling connection (the server's refusal, e.g.
 * floor-full, comes back as `refusal` in the state). */
static gboolean
give_floor (LxSender *sender, JsonObject *body, GError **error)
{
  const char *action = json_object_get_string_member_with_default (body, "action", "");
  const char *school = json_object_get_string_member_with_default (body, "school", NULL);
  gboolean call_on = g_str_equal (action, "call-on");
  g_autoptr (LxMessage) message = NULL;

  if ((!call_on && !g_str_equal (action, "hang-up")) || school == NULL ||
      !lx_protocol_id_is_valid (school)) {
    g_set_error_literal (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_INVALID,
                         "floor: {\"action\": \"call-on\" | \"hang-up\", \"school\": ID}");
    return FALSE;
  }
  if (sender->signaling == NULL || !lx_signaling_client_is_joined (sender->signaling)) {
    g_set_error_literal (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_CONFLICT,
                         "没有在上课 · no lesson on the air");
    return FALSE;
  }
  g_clear_pointer (&sender->refusal, g_free);
  message = lx_message_new (call_on ? LX_MESSAGE_CALL_ON : LX_MESSAGE_HANG_UP);
  message->school = g_strdup (school);
  lx_signaling_client_send (sender->signaling, message);
  return TRUE;
}

/* The capture of device @id, put in place of the camera or microphone in use. FALSE with @error
 * if it cannot be made, linked or started. */
static gboolean
replace_device (LxSender *sender, gboolean microphone, const char *id, GError **error)
{
  LxCaptureSettings settings;
  GstElement *capture;

  lx_sender_config_capture_settings (sender->config, &settings);
  capture = lx_devices_make_capture (sender->devices, microphone, id, &settings, error);
  if (capture == NULL)
    return FALSE;
  return microphone ? lx_lesson_sound_replace_microphone (sender->sound, capture, error)
                    : lx_lesson_picture_replace_camera (sender->picture, capture, error);
}

static gboolean
use_device (LxSender *sender, JsonObject *body, GError **error)
{
  const char *kind = json_object_get_string_member_with_default (body, "kind", "");
  const char *id = json_object_get_string_member_with_default (body, "id", NULL);
  gboolean microphone = g_str_equal (kind, "microphone");

  if ((!microphone && !g_str_equal (kind, "camera")) || id == NULL) {
    g_set_error_literal (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_INVALID,
                         "device: {\"kind\": \"camera\" | \"microphone\", \"id\": ID}");
    return FALSE;
  }
  if (microphone ? sender->sound == NULL : sender->picture == NULL) {
    g_set_error (error, LX_CONSOLE_ERROR, LX_CONSOLE_ERROR_CONFLICT,
                 "this sender has no %s to change", kind);
    return FALSE;
  }
  if (replace_device (sender, microphone, id, error)) {
    g_message ("console: the %s is now %s", kind, id);
    return TRUE;
  }
  /* The lesson keeps a picture and a sound: the test pattern or tone in the device's place (the
   * one given up is stopped already), and the teacher is told why. */
  g_warning ("console: the %s %s: %s; the test %s instead", kind, id, (*error)->message,
             microphone ? "tone" : "pattern");
  if (!replace_device (sender, microphone, microphone ? "test" : "test:smpte", NULL))
    g_warning ("console: the test %s would not start either", microphone ? "tone" : "pattern");
  g_prefix_error (error, "%s '%s' 用不了 · cannot be used: ",
                  microphone ? "麦克风 microphone" : "摄像头 camera", id);
  return refuse_as (error, LX_CONSOLE_ERROR_INVALID);
}

static gboolean
command (gpointer data, const char *name, JsonObject *body, GError **error)
{
  LxSender *sender = data;
  gboolean muted;

  if (g_str_equal (name, "source"))
    return show_source (sender, body, error);
  if (g_str_equal (name, "mute")) {
    if (!read_bool (body, "muted", &muted, error))
      return FALSE;
    sender->teacher_muted = muted;
    apply_mute (sender);
    return TRUE;
  }
  if (g_str_equal (name, "on-air"))
    return go_on_air (sender, body, error);
  if (g_str_equal (name, "end"))
    return end_lesson (sender, error);
  if (g_str_equal (name, "floor"))
    return give_floor (sender, body, error);
  return use_device (sender, body, error);
}

static const char *
current_lesson (gpointer data)
{
  LxSender *sender = data;
  const char *lesson = lx_lesson_follower_get_lesson (sender->lessons);

  /* after the end, its record */
  return lesson ? lesson : sender->ended_lesson;
}

static const LxConsoleHandlers console_handlers = { describe, command, current_lesson };

gboolean
lx_sender_start_console (LxSender *sender, GError **error)
{
  const LxSenderConfig *config = sender->config;
  LxCaptureSettings settings;

  sender->console =
      lx_console_new (config->console_address, config->console_web_root, &config->connection,
                      config->console_password, &console_handlers, sender, error);
  if (sender->console == NULL)
    return FALSE;
  sender->devices = lx_devices_new ();
  lx_sender_config_capture_settings (config, &settings);
  lx_devices_set_in_use (sender->devices, &settings);
  sender->preview = lx_jpeg_feed_new (sender->pipeline, sender->raw_tee, "console-preview",
                                      PREVIEW_WIDTH, PREVIEW_HEIGHT, PREVIEW_FPS, error);
  if (sender->preview == NULL)
    return FALSE;
  lx_console_add_feed (sender->console, "preview", sender->preview);
  if (sender->wall) {
    sender->wall_feed =
        lx_jpeg_feed_new (lx_wall_get_bin (sender->wall), lx_wall_get_output (sender->wall),
                          "console-wall", WALL_FEED_WIDTH, WALL_FEED_HEIGHT, WALL_FEED_FPS, error);
    if (sender->wall_feed == NULL)
      return FALSE;
    lx_console_add_feed (sender->console, "wall", sender->wall_feed);
  }
  return TRUE;
}

void
lx_sender_stop_console (LxSender *sender)
{
  /* (the feeds first: they end their viewers' answers while the connections are still up) */
  g_clear_pointer (&sender->preview, lx_jpeg_feed_free);
  g_clear_pointer (&sender->wall_feed, lx_jpeg_feed_free);
  g_clear_pointer (&sender->console, lx_console_free);
  g_clear_pointer (&sender->devices, lx_devices_free);
}
