/* Coming back by itself, end to end on loopback: the signaling server killed (no goodbye to anyone)
 * and restarted while a lesson runs — media already flowing goes on, and everyone joins again; the
 * sender killed and restarted — the classroom resumes the lesson without anyone touching it. */
#include "lx-test-utils.h"

#include <string.h>

typedef struct {
  gchar *directory;
  LxTestSignaling signaling;
  const char *lesson; /* booked, with a token for each school, as production runs */
  GSubprocess *sender, *receiver;
  gchar *receiver_stats, *sender_stats;
} Fixture;

static gchar *
file_in (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->directory, name, NULL);
}

static GSubprocess *
start_sender (Fixture *fixture, const char *log_name)
{
  g_autofree gchar *log = file_in (fixture, log_name);
  const char *options[] = { "--layers", "320x240@300", "--stats-json", fixture->sender_stats,
                            NULL };
  return lx_test_start_in_lesson (&fixture->signaling, "LX_SENDER", fixture->lesson, "master", log,
                                  options);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *log = NULL;

  fixture->directory = g_dir_make_tmp ("lx-reconnect-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->receiver_stats = file_in (fixture, "village.json");
  fixture->sender_stats = file_in (fixture, "sender.json");
  log = file_in (fixture, "village.log");
  lx_test_signaling_start_booked (&fixture->signaling, NULL);
  fixture->lesson =
      lx_test_book (&fixture->signaling, "Comeback", "master", (const char *[]){ "village", NULL });
  fixture->sender = start_sender (fixture, "sender.log");
  {
    const char *options[] = { "--headless",   "--stats-interval-ms",   "200",
                              "--stats-json", fixture->receiver_stats, NULL };
    fixture->receiver = lx_test_start_in_lesson (&fixture->signaling, "LX_RECEIVER",
                                                 fixture->lesson, "village", log, options);
  }
  lx_test_wait_for_stat (fixture->receiver_stats, "frames_decoded", 30, 30000);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_assert_cmpint (lx_test_stop_process (fixture->receiver, 10000), ==, 0);
  g_assert_cmpint (lx_test_stop_process (fixture->sender, 10000), ==, 0);
  g_clear_object (&fixture->receiver);
  g_clear_object (&fixture->sender);
  lx_test_signaling_stop (&fixture->signaling);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->receiver_stats);
  g_free (fixture->sender_stats);
}

static gboolean
signaling_is (gpointer data)
{
  const char *const *expected = data;
  g_autofree gchar *state = lx_test_stats_string (expected[0], "signaling");
  return g_strcmp0 (state, expected[1]) == 0;
}

static void
test_signaling_restart (Fixture *fixture, gconstpointer data)
{
  const char *reconnecting[] = { fixture->receiver_stats, "reconnecting" };
  const char *joined[] = { fixture->receiver_stats, "joined" };
  gint64 before, during;

  g_test_message ("the signaling server dies: media already flowing goes on");
  lx_test_signaling_kill (&fixture->signaling);
  g_assert_true (lx_test_wait_until (signaling_is, reconnecting, 5000));
  before = lx_test_stats_int (fixture->receiver_stats, "frames_decoded");
  /* A hundred more pictures while the server is away (awaited: how fast is the benchmark's to
   * say), and no card over them. */
  during = lx_test_wait_for_stat (fixture->receiver_stats, "frames_decoded", before + 100, 20000);
  g_assert_true (signaling_is (reconnecting));
  g_assert_null (lx_test_stats_string (fixture->receiver_stats, "card"));

  g_test_message ("it comes back: both join again by themselves, the picture never stopped");
  lx_test_signaling_restart (&fixture->signaling);
  g_assert_true (lx_test_wait_until (signaling_is, joined, 15000));
  lx_test_wait_for_stat (fixture->receiver_stats, "frames_decoded", during + 60, 5000);
  /* The same media session throughout: the sender kept its classroom, not a new one. */
  g_assert_cmpint (lx_test_stats_int (fixture->sender_stats, "classrooms_connected"), ==, 1);
}

static void
test_sender_restart (Fixture *fixture, gconstpointer data)
{
  gint64 before;

  g_test_message ("the sender dies without a word");
  g_subprocess_force_exit (fixture->sender);
  lx_test_wait_for_exit (fixture->sender, 5000);
  g_clear_object (&fixture->sender);
  lx_test_run_for (2000);
  before = lx_test_stats_int (fixture->receiver_stats, "frames_decoded");
  {
    g_autofree gchar *card = lx_test_stats_string (fixture->receiver_stats, "card");
    g_assert_nonnull (card); /* no frozen picture: waiting for the teacher, or reconnecting */
  }

  g_test_message ("a new sender: the classroom resumes by itself");
  fixture->sender = start_sender (fixture, "sender-2.log");
  lx_test_wait_for_stat (fixture->receiver_stats, "frames_decoded", before + 60, 20000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/reconnect/signaling-restart", Fixture, NULL, setup, test_signaling_restart,
              teardown);
  g_test_add ("/reconnect/sender-restart", Fixture, NULL, setup, test_sender_restart, teardown);
  return g_test_run ();
}
