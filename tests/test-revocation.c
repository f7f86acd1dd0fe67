/* Taking a school's access away, end to end with the real programs and booked lessons: IT staff
 * renew a token (a stolen mini-PC) or delete a school, and what that school is playing stops at
 * once — a WHEP player's session as well as a classroom's signaling connection — while the old
 * token opens nothing again and the other classrooms keep their lesson. */
#include "lx-test-utils.h"

#include <string.h>

typedef struct {
  gchar *directory;
  LxTestSignaling signaling;
  const char *lesson;
  GSubprocess *sender;
  gchar *sender_stats;
} Fixture;

static const char *const classrooms[] = { "player", "classroom", "neighbour", NULL };

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

  fixture->directory = g_dir_make_tmp ("lx-revocation-XXXXXX", &error);
  g_assert_no_error (error);
  lx_test_signaling_start_booked (&fixture->signaling, NULL);
  fixture->lesson = lx_test_book (&fixture->signaling, "Revocation", "master", classrooms);
  log = file_in (fixture, "sender.log");
  fixture->sender_stats = file_in (fixture, "sender.json");
  {
    const char *options[] = {
      "--test-pattern",      "ball", "--layers", "320x240@300", "--stats-json",
      fixture->sender_stats, NULL
    };
    fixture->sender = lx_test_start_in_lesson (&fixture->signaling, "LX_SENDER", fixture->lesson,
                                               "master", log, options);
  }
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_assert_cmpint (lx_test_stop_process (fixture->sender, 10000), ==, 0);
  g_clear_object (&fixture->sender);
  lx_test_signaling_stop (&fixture->signaling);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->sender_stats);
}

/* A classroom joined through signaling with @school's token (or a WHEP player, with @whep). */
static GSubprocess *
start_classroom (Fixture *fixture, const char *school, gboolean whep)
{
  g_autofree gchar *log_name = g_strdup_printf ("%s.log", school);
  g_autofree gchar *stats_name = g_strdup_printf ("%s.json", school);
  g_autofree gchar *log = file_in (fixture, log_name);
  g_autofree gchar *stats = file_in (fixture, stats_name);
  g_autofree gchar *whep_url = g_strdup_printf ("http://127.0.0.1:%u/whep/%s/%s",
                                                fixture->signaling.port, fixture->lesson, school);
  const char *options[] = { "--headless", "--media-timeout-s",        "2",      "--stats-json",
                            stats,        whep ? "--whep-url" : NULL, whep_url, NULL };

  return lx_test_start_in_lesson (&fixture->signaling, "LX_RECEIVER", fixture->lesson, school, log,
                                  options);
}

static gchar *
stats_of (Fixture *fixture, const char *school)
{
  g_autofree gchar *name = g_strdup_printf ("%s.json", school);
  return file_in (fixture, name);
}

typedef struct {
  const char *path;
  const char *school;
} InSender;

/* The sender's statistics list @school among its classrooms. */
static gboolean
sender_has (gpointer data)
{
  InSender *in = data;
  g_autoptr (JsonObject) stats = lx_test_read_json_object (in->path);
  JsonArray *list;

  if (stats == NULL || !json_object_has_member (stats, "classrooms"))
    return FALSE;
  list = json_object_get_array_member (stats, "classrooms");
  for (guint i = 0; i < json_array_get_length (list); i++)
    if (g_strcmp0 (
            json_object_get_string_member (json_array_get_object_element (list, i), "school"),
            in->school) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
sender_lacks (gpointer data)
{
  InSender *in = data;
  g_autoptr (JsonObject) stats = lx_test_read_json_object (in->path);
  return stats && !sender_has (data);
}

/* A WHEP player's token is renewed: its session ends at once (the sender drops its branch), its
 * offers with the old token are refused from then on, and the classroom beside it plays on. */
static void
test_whep_session_token_renewed (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *player_stats = stats_of (fixture, "player");
  g_autofree gchar *neighbour_stats = stats_of (fixture, "neighbour");
  g_autoptr (GSubprocess) player = start_classroom (fixture, "player", TRUE);
  g_autoptr (GSubprocess) neighbour = start_classroom (fixture, "neighbour", FALSE);
  InSender player_in = { fixture->sender_stats, "player" };
  LxTestStatsString refused = { player_stats, "state", "whep-unavailable" };
  g_autoptr (JsonNode) renewed = NULL;
  gint64 frames;

  lx_test_wait_for_stat (player_stats, "frames_decoded", 10, 30000);
  lx_test_wait_for_stat (neighbour_stats, "frames_decoded", 10, 30000);
  g_assert_true (lx_test_wait_until (sender_has, &player_in, 5000));

  g_assert_cmpuint (
      lx_test_api (&fixture->signaling, "POST", "schools/player/token", NULL, &renewed), ==, 200);
  g_assert_true (lx_test_wait_until (sender_lacks, &player_in, 10000));
  /* Its watchdog offers again, with the old token: refused, and refused again a while later. */
  g_assert_true (lx_test_wait_until (lx_test_stats_string_is, &refused, 20000));
  g_assert_false (sender_has (&player_in));
  /* The classroom beside it never stopped. */
  frames = lx_test_stats_int (neighbour_stats, "frames_decoded");
  lx_test_wait_for_stat (neighbour_stats, "frames_decoded", frames + 30, 10000);
  g_assert_cmpint (lx_test_stop_process (player, 10000), ==, 0);
  g_assert_cmpint (lx_test_stop_process (neighbour, 10000), ==, 0);
}

/* A school is taken out of the lesson and deleted while its classroom plays: its connection is
 * closed at once, it cannot join again (its token opens nothing) and so it stops with status 1,
 * saying why; the classroom beside it plays on. */
static void
test_school_deleted (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *classroom_stats = stats_of (fixture, "classroom");
  g_autofree gchar *neighbour_stats = stats_of (fixture, "neighbour");
  g_autofree gchar *classroom_log = file_in (fixture, "classroom.log");
  g_autoptr (GSubprocess) classroom = start_classroom (fixture, "classroom", FALSE);
  g_autoptr (GSubprocess) neighbour = start_classroom (fixture, "neighbour", FALSE);
  g_autofree gchar *path = g_strdup_printf ("lessons/%s", fixture->lesson);
  g_autoptr (JsonNode) lesson = NULL;
  g_autoptr (JsonNode) edited = NULL;
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree gchar *without = NULL;
  g_autofree gchar *output = NULL;
  JsonArray *receivers;
  gint64 frames;

  lx_test_wait_for_stat (classroom_stats, "frames_decoded", 10, 30000);
  lx_test_wait_for_stat (neighbour_stats, "frames_decoded", 10, 30000);
  /* Staff first take it out of the lesson (a booked school cannot be deleted), then delete it. */
  g_assert_cmpuint (lx_test_api (&fixture->signaling, "GET", path, NULL, &lesson), ==, 200);
  receivers = json_array_new ();
  json_array_add_string_element (receivers, "player");
  json_array_add_string_element (receivers, "neighbour");
  json_object_set_array_member (json_node_get_object (lesson), "receivers", receivers);
  json_generator_set_root (generator, lesson);
  without = json_generator_to_data (generator, NULL);
  g_assert_cmpuint (lx_test_api (&fixture->signaling, "PUT", path, without, &edited), ==, 200);
  g_assert_cmpuint (lx_test_api (&fixture->signaling, "DELETE", "schools/classroom", NULL, NULL),
                    ==, 204);

  g_assert_cmpint (lx_test_wait_for_exit (classroom, 20000), ==, 1);
  g_assert_true (g_file_get_contents (classroom_log, &output, NULL, NULL));
  g_assert_nonnull (strstr (output, "server refused to join lesson"));
  frames = lx_test_stats_int (neighbour_stats, "frames_decoded");
  lx_test_wait_for_stat (neighbour_stats, "frames_decoded", frames + 30, 10000);
  g_assert_cmpint (lx_test_stop_process (neighbour, 10000), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/revocation/whep-session-token-renewed", Fixture, NULL, setup,
              test_whep_session_token_renewed, teardown);
  g_test_add ("/revocation/school-deleted", Fixture, NULL, setup, test_school_deleted, teardown);
  return g_test_run ();
}
