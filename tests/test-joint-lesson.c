/* A joint lesson with the real programs: a sender and two classrooms in a booked lesson. A
 * classroom raises its hand and asks in writing from its commands (standard input, as a button
 * box would), the teacher's side sees both, calls it on through the REST API with the sender
 * school's token, and the classroom knows it has the floor — the other does not. */
#include "lx-test-utils.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  gchar *directory;
  LxTestSignaling signaling;
  const char *lesson;
  GSubprocess *sender;
  gchar *sender_stats;
  gchar *wall_snapshot;
  GSubprocess *classroom[2];
  gchar *classroom_stats[2];
  gchar *classroom_snapshot[2];
} Fixture;

static const char *const schools[] = { "village-a", "village-b", NULL };

static gchar *
file_in (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->directory, name, NULL);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *log = NULL;

  fixture->directory = g_dir_make_tmp ("lx-joint-XXXXXX", &error);
  g_assert_no_error (error);
  lx_test_signaling_start_booked (&fixture->signaling, NULL);
  fixture->lesson = lx_test_book (&fixture->signaling, "Joint lesson", "master", schools);
  log = file_in (fixture, "sender.log");
  fixture->sender_stats = file_in (fixture, "sender.json");
  fixture->wall_snapshot = file_in (fixture, "wall.png");
  {
    /* (a white lesson, so that a classroom's dark picture in it shows) */
    const char *options[] = { "--test-pattern",
                              "white",
                              "--layers",
                              "320x240@300",
                              "--stats-json",
                              fixture->sender_stats,
                              "--return-media=true",
                              "--wall",
                              "headless",
                              "--wall-snapshot",
                              fixture->wall_snapshot,
                              NULL };
    fixture->sender = lx_test_start_in_lesson (&fixture->signaling, "LX_SENDER", fixture->lesson,
                                               "master", log, options);
  }
  /* The classrooms join a lesson already on the air. */
  lx_test_wait_for_stat (fixture->sender_stats, "frames_encoded", 30, 30000);
  for (guint i = 0; i < 2; i++) {
    g_autofree gchar *log_name = g_strdup_printf ("%s.log", schools[i]);
    g_autofree gchar *stats_name = g_strdup_printf ("%s.json", schools[i]);
    g_autofree gchar *classroom_log = file_in (fixture, log_name);
    /* Each classroom's voice a pitch of its own (village-b's the one listened for everywhere). */
    const char *options[] = { "--headless",
                              "--commands-on-stdin",
                              "--camera",
                              "test",
                              "--microphone",
                              "test",
                              "--test-tone-hz",
                              i == 0 ? "660" : "880",
                              "--measure-tone-hz",
                              "880",
                              "--stats-json",
                              NULL,
                              "--snapshot",
                              NULL,
                              NULL };
    g_autofree gchar *snapshot_name = g_strdup_printf ("%s.png", schools[i]);
    fixture->classroom_stats[i] = file_in (fixture, stats_name);
    fixture->classroom_snapshot[i] = file_in (fixture, snapshot_name);
    options[11] = fixture->classroom_stats[i];
    options[13] = fixture->classroom_snapshot[i];
    fixture->classroom[i] = lx_test_start_in_lesson_with_flags (
        &fixture->signaling, "LX_RECEIVER", fixture->lesson, schools[i], classroom_log, options,
        G_SUBPROCESS_FLAGS_STDIN_PIPE);
  }
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  for (guint i = 0; i < 2; i++) {
    g_assert_cmpint (lx_test_stop_process (fixture->classroom[i], 10000), ==, 0);
    g_clear_object (&fixture->classroom[i]);
    g_free (fixture->classroom_stats[i]);
    g_free (fixture->classroom_snapshot[i]);
  }
  g_assert_cmpint (lx_test_stop_process (fixture->sender, 10000), ==, 0);
  g_clear_object (&fixture->sender);
  {
    /* Taking a voice out of the lesson and classrooms leaving raise no GLib criticals. */
    g_autofree gchar *log = file_in (fixture, "sender.log");
    g_autofree gchar *text = NULL;
    g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
    g_assert_null (strstr (text, "CRITICAL"));
  }
  lx_test_signaling_stop (&fixture->signaling);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->sender_stats);
  g_free (fixture->wall_snapshot);
}

/* Types a command into classroom @i (a line on its standard input). */
static void
command (Fixture *fixture, guint i, const char *line)
{
  GOutputStream *input = g_subprocess_get_stdin_pipe (fixture->classroom[i]);
  g_autofree gchar *text = g_strconcat (line, "\n", NULL);
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (input, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

typedef struct {
  const char *path, *member, *joined;
} ListIs;

/* The sender's statistics list, @member, joined with commas, is @joined. */
static gboolean
sender_list_is (gpointer data)
{
  ListIs *condition = data;
  g_autoptr (JsonObject) stats = lx_test_read_json_object (condition->path);
  g_autoptr (GString) joined = g_string_new (NULL);
  JsonArray *list;

  if (stats == NULL || !json_object_has_member (stats, condition->member))
    return FALSE;
  list = json_object_get_array_member (stats, condition->member);
  for (guint i = 0; i < json_array_get_length (list); i++)
    g_string_append_printf (joined, "%s%s", i ? "," : "", json_array_get_string_element (list, i));
  return g_str_equal (joined->str, condition->joined);
}

static gboolean
question_arrived (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr (JsonObject) stats = lx_test_read_json_object (fixture->sender_stats);
  JsonArray *questions;
  JsonObject *question;

  if (stats == NULL || !json_object_has_member (stats, "questions"))
    return FALSE;
  questions = json_object_get_array_member (stats, "questions");
  if (json_array_get_length (questions) != 1)
    return FALSE;
  question = json_array_get_object_element (questions, 0);
  return g_str_equal (json_object_get_string_member (question, "school"), "village-b") &&
         g_str_equal (json_object_get_string_member (question, "text"), "老师，光为什么会折射？");
}

typedef struct {
  const char *path, *member;
  gint64 value;
} StatIs;

static gboolean
stat_is (gpointer data)
{
  StatIs *condition = data;
  return lx_test_stats_int (condition->path, condition->member) == condition->value;
}

static void
wait_for_classroom (Fixture *fixture, guint i, const char *member, gint64 value)
{
  StatIs condition = { fixture->classroom_stats[i], member, value };

  if (!lx_test_wait_until (stat_is, &condition, 10000))
    g_error ("%s's %s never became %" G_GINT64_FORMAT, schools[i], member, value);
}

/* A member of the sender's view of @school, or -2 when unavailable. */
static gint64
sender_classroom_int (Fixture *fixture, const char *school, const char *member)
{
  return lx_test_sender_classroom_int (fixture->sender_stats, school, member);
}

typedef struct {
  Fixture *fixture;
  const char *school, *member;
  gint64 at_least;
} SenderSees;

static gboolean
sender_sees (gpointer data)
{
  SenderSees *condition = data;
  return sender_classroom_int (condition->fixture, condition->school, condition->member) >=
         condition->at_least;
}

static void
wait_for_sender (Fixture *fixture, const char *school, const char *member, gint64 at_least)
{
  SenderSees condition = { fixture, school, member, at_least };

  if (!lx_test_wait_until (sender_sees, &condition, 15000))
    g_error ("the sender's %s of %s never reached %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT ")",
             member, school, at_least, sender_classroom_int (fixture, school, member));
}

static gboolean
wall_snapshot_taken (gpointer data)
{
  Fixture *fixture = data;
  return g_file_test (fixture->wall_snapshot, G_FILE_TEST_EXISTS);
}

/* The wall's snapshot shows two tiles side by side (1280x720, two 640x360 tiles in the middle
 * band), each with its classroom's moving ball and name in white, and nothing above them. */
static void
check_wall (Fixture *fixture)
{
  gint width = 0, height = 0, stride = 0;
  g_autoptr (GBytes) rgb = NULL;
  guint left, right, above;

  g_assert_true (lx_test_wait_until (wall_snapshot_taken, fixture, 10000));
  lx_test_run_for (1500); /* (a picture with both tiles in it) */
  rgb = lx_test_read_png (fixture->wall_snapshot, &width, &height, &stride);
  g_assert_nonnull (rgb);
  g_assert_cmpint (width, ==, 1280);
  g_assert_cmpint (height, ==, 720);
  left = lx_test_count_bright (rgb, stride, 0, 180, 640, 360, 200);
  right = lx_test_count_bright (rgb, stride, 640, 180, 640, 360, 200);
  above = lx_test_count_bright (rgb, stride, 0, 0, 1280, 170, 200);
  g_test_message ("wall: %u bright pixels in the left tile, %u in the right, %u above", left, right,
                  above);
  g_assert_cmpuint (left, >, 300);
  g_assert_cmpuint (right, >, 300);
  g_assert_cmpuint (above, ==, 0);
}

/* How much of the lesson's bottom-right corner, where a called-on classroom's picture goes, is
 * the white of the teacher's test picture in classroom @i's last decoded picture, in per mille
 * (-1 before there is one). The classrooms' pictures are a dark room with a ball. */
static gint
white_in_corner (Fixture *fixture, guint i)
{
  gint width = 0, height = 0, stride = 0;
  g_autoptr (GBytes) rgb =
      lx_test_read_png (fixture->classroom_snapshot[i], &width, &height, &stride);
  gint x, y, w, h;

  if (rgb == NULL)
    return -1;
  /* The middle of where the first inset goes: 30 % of the width, 16:9, a 64th of the width
   * from the corner (sender/lx-lesson-picture.c). */
  w = width * 30 / 100, h = w * 9 / 16;
  x = width - width / 64 - w * 9 / 10, y = height - width / 64 - h * 9 / 10;
  w = w * 8 / 10, h = h * 8 / 10;
  return (gint) (lx_test_count_bright (rgb, stride, x, y, w, h, 200) * 1000 / (guint) (w * h));
}

typedef struct {
  Fixture *fixture;
  guint classroom;
  gboolean inset; /* expect the called-on classroom's picture in the corner */
} CornerIs;

static gboolean
corner_is (gpointer data)
{
  CornerIs *condition = data;
  gint white = white_in_corner (condition->fixture, condition->classroom);
  return condition->inset ? white >= 0 && white < 300 : white > 900;
}

static void
wait_for_corner (Fixture *fixture, guint i, gboolean inset)
{
  CornerIs condition = { fixture, i, inset };

  if (!lx_test_wait_until (corner_is, &condition, 10000))
    g_error ("%s's picture: the corner is %d per mille white, expected %s", schools[i],
             white_in_corner (fixture, i), inset ? "village-b's picture in it" : "none");
  g_test_message ("%s's picture: the corner is %d per mille white", schools[i],
                  white_in_corner (fixture, i));
}

/* village-b's pitch (880 Hz) in classroom @i's decoded sound: there at a test tone's strength
 * (@heard), or gone. */
static gboolean
probe_heard (gpointer data)
{
  StatIs *condition = data;
  gint64 permille = lx_test_stats_int (condition->path, condition->member);
  return condition->value ? permille >= 50 : permille >= 0 && permille < 10;
}

static void
wait_for_probe (Fixture *fixture, guint i, gboolean heard)
{
  StatIs condition = { fixture->classroom_stats[i], "audio_probe_permille", heard };

  if (!lx_test_wait_until (probe_heard, &condition, heard ? 10000 : 3000))
    g_error ("village-b's voice at %s: %" G_GINT64_FORMAT " per mille, expected %s", schools[i],
             lx_test_stats_int (fixture->classroom_stats[i], "audio_probe_permille"),
             heard ? "to hear it" : "silence");
}

static void
floor_request (Fixture *fixture, const char *action, const char *school)
{
  g_autofree gchar *path = g_strdup_printf ("lessons/%s/floor", fixture->lesson);
  g_autofree gchar *body =
      g_strdup_printf ("{\"action\":\"%s\",\"school\":\"%s\"}", action, school);

  g_assert_cmpuint (lx_test_api_as (&fixture->signaling,
                                    lx_test_token (&fixture->signaling, "master"), "POST", path,
                                    body, NULL),
                    ==, 200);
}

/* The sender's word on @school's picture on the wall: "showing", "frozen" or "missing". */
static gboolean
picture_is (Fixture *fixture, const char *school, const char *state)
{
  g_autofree gchar *picture =
      lx_test_sender_classroom_string (fixture->sender_stats, school, "picture");
  return g_strcmp0 (picture, state) == 0;
}

typedef struct {
  Fixture *fixture;
  const char *school, *state;
} PictureIs;

static gboolean
picture_condition (gpointer data)
{
  PictureIs *condition = data;
  return picture_is (condition->fixture, condition->school, condition->state);
}

static void
wait_for_picture (Fixture *fixture, const char *school, const char *state)
{
  PictureIs condition = { fixture, school, state };

  if (!lx_test_wait_until (picture_condition, &condition, 10000))
    g_error ("%s's picture never became %s", school, state);
}

static void
test_hand_question_call_on (Fixture *fixture, gconstpointer data)
{
  ListIs hands = { fixture->sender_stats, "hands", "village-b" };
  ListIs speaking = { fixture->sender_stats, "speaking", "village-b" };

  for (guint i = 0; i < 2; i++)
    lx_test_wait_for_stat (fixture->classroom_stats[i], "frames_decoded", 10, 30000);

  g_test_message ("every classroom's picture reaches the teacher's wall; no sound yet");
  for (guint i = 0; i < 2; i++)
    wait_for_sender (fixture, schools[i], "return_frames", 30);
  g_assert_cmpint (lx_test_stats_int (fixture->sender_stats, "wall_tiles"), ==, 2);
  check_wall (fixture);
  for (guint i = 0; i < 2; i++) {
    g_assert_cmpint (sender_classroom_int (fixture, schools[i], "return_audio_buffers"), ==, 0);
    wait_for_corner (fixture, i, FALSE);
  }

  g_test_message ("village-b's button: its hand goes up, the teacher's side sees it");
  command (fixture, 1, "hand");
  g_assert_true (lx_test_wait_until (sender_list_is, &hands, 10000));
  wait_for_classroom (fixture, 1, "hand_up", 1);

  g_test_message ("a question in writing reaches the teacher's side in its name");
  command (fixture, 1, "ask 老师，光为什么会折射？");
  g_assert_true (lx_test_wait_until (question_arrived, fixture, 10000));

  g_test_message ("a quick poll: village-a answers B from its commands, the teacher sees it");
  {
    g_autofree gchar *path = g_strdup_printf ("lessons/%s/poll", fixture->lesson);
    const char *master = lx_test_token (&fixture->signaling, "master");
    g_autoptr (JsonNode) answer = NULL;
    g_assert_cmpuint (lx_test_api_as (&fixture->signaling, master, "POST", path,
                                      "{\"action\":\"open\",\"question\":\"光速多少？\"}", NULL),
                      ==, 200);
    wait_for_classroom (fixture, 0, "poll_open", 1);
    command (fixture, 0, "answer b");
    wait_for_classroom (fixture, 0, "poll_id", 1);
    for (gint tries = 0; tries < 100; tries++) {
      JsonObject *answers;
      g_clear_pointer (&answer, json_node_unref);
      g_assert_cmpuint (lx_test_api_as (&fixture->signaling, master, "GET", path, NULL, &answer),
                        ==, 200);
      answers = json_object_get_object_member (json_node_get_object (answer), "answers");
      if (json_object_has_member (answers, "village-a")) {
        g_assert_cmpstr (json_object_get_string_member (answers, "village-a"), ==, "B");
        break;
      }
      g_assert_cmpint (tries, <, 99);
      lx_test_run_for (100);
    }
  }

  g_test_message ("the teacher calls village-b on: it has the floor, its hand comes down");
  floor_request (fixture, "call-on", "village-b");
  g_assert_true (lx_test_wait_until (sender_list_is, &speaking, 10000));
  wait_for_classroom (fixture, 1, "called_on", 1);
  wait_for_classroom (fixture, 1, "hand_up", 0);
  g_assert_cmpint (lx_test_stats_int (fixture->classroom_stats[0], "called_on"), ==, 0);
  g_test_message ("its voice reaches the teacher now; the other class stays silent");
  wait_for_sender (fixture, "village-b", "return_audio_buffers", 50);
  g_assert_cmpint (sender_classroom_int (fixture, "village-a", "return_audio_buffers"), ==, 0);
  g_test_message ("every other classroom hears it in the lesson; it does not hear itself");
  wait_for_probe (fixture, 0, TRUE);
  lx_test_run_for (1000);
  g_test_message ("village-b's 880 Hz: %" G_GINT64_FORMAT
                  " per mille at village-a, %" G_GINT64_FORMAT " at village-b",
                  lx_test_stats_int (fixture->classroom_stats[0], "audio_probe_permille"),
                  lx_test_stats_int (fixture->classroom_stats[1], "audio_probe_permille"));
  g_assert_cmpint (lx_test_stats_int (fixture->classroom_stats[1], "audio_probe_permille"), <, 10);
  /* (it hears the teacher all the same) */
  g_assert_cmpint (lx_test_stats_int (fixture->classroom_stats[1], "audio_tone_hz"), >=, 430);
  g_assert_cmpint (lx_test_stats_int (fixture->classroom_stats[1], "audio_tone_hz"), <=, 450);
  g_test_message ("every classroom sees village-b's picture in the lesson's corner");
  for (guint i = 0; i < 2; i++)
    wait_for_corner (fixture, i, TRUE);
  g_assert_cmpint (lx_test_stats_int (fixture->sender_stats, "lesson_insets"), ==, 1);

  g_test_message ("village-a raises its hand meanwhile; the teacher hangs village-b up");
  command (fixture, 0, "hand");
  wait_for_classroom (fixture, 0, "hand_up", 1);
  floor_request (fixture, "hang-up", "village-b");
  g_test_message ("hung up: its voice is gone from the lesson");
  wait_for_probe (fixture, 0, FALSE);
  wait_for_classroom (fixture, 1, "called_on", 0);
  {
    /* Hung up: its voice stops (what was on the way still arrives, and the sender's statistics
     * are a second old at most). */
    gint64 heard;
    lx_test_run_for (1500);
    heard = sender_classroom_int (fixture, "village-b", "return_audio_buffers");
    lx_test_run_for (1500);
    g_assert_cmpint (sender_classroom_int (fixture, "village-b", "return_audio_buffers"), ==,
                     heard);
  }
  g_test_message ("and its picture is gone from the lesson");
  for (guint i = 0; i < 2; i++)
    wait_for_corner (fixture, i, FALSE);
  g_assert_cmpint (lx_test_stats_int (fixture->sender_stats, "lesson_insets"), ==, 0);
  hands.joined = "village-a";
  g_assert_true (lx_test_wait_until (sender_list_is, &hands, 10000));
  /* Its picture goes on reaching the wall (out of the lesson's picture, not out of the wall). */
  wait_for_sender (fixture, "village-b", "return_frames",
                   sender_classroom_int (fixture, "village-b", "return_frames") + 15);
  /* The lesson itself went on all along. */
  for (guint i = 0; i < 2; i++) {
    gint64 frames = lx_test_stats_int (fixture->classroom_stats[i], "frames_decoded");
    lx_test_wait_for_stat (fixture->classroom_stats[i], "frames_decoded", frames + 10, 10000);
  }

  g_test_message ("village-a's PC hangs for a few seconds: its tile is marked frozen, then not");
  g_assert_true (picture_is (fixture, "village-a", "showing"));
  kill (atoi (g_subprocess_get_identifier (fixture->classroom[0])), SIGSTOP);
  wait_for_picture (fixture, "village-a", "frozen");
  g_assert_true (picture_is (fixture, "village-b", "showing"));
  kill (atoi (g_subprocess_get_identifier (fixture->classroom[0])), SIGCONT);
  wait_for_picture (fixture, "village-a", "showing");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/joint-lesson/hand-question-call-on", Fixture, NULL, setup,
              test_hand_question_call_on, teardown);
  return g_test_run ();
}
