/* Schools behind strict firewalls: a classroom forced to relay-only (ice-transport-policy=relay)
 * still gets the lesson through a real TURN server (coturn, started here on loopback), and gets
 * nothing without one (so the relay really carried it). Skips, saying why, without coturn. */
#include "lx-test-utils.h"

#include <string.h>

typedef struct {
  gchar *directory;
  LxTestSignaling signaling;
  const char *lesson; /* booked, with a token for each school, as production runs */
  GSubprocess *sender, *turn;
  guint turn_port;
  gchar *turn_log;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *turnserver = g_find_program_in_path ("turnserver");
  g_autofree gchar *sender_log = NULL;

  if (turnserver == NULL) {
    g_test_skip ("coturn's turnserver is not installed (apt-get install coturn)");
    return;
  }
  fixture->directory = g_dir_make_tmp ("lx-turn-XXXXXX", &error);
  g_assert_no_error (error);
  lx_test_signaling_start_booked (&fixture->signaling, NULL);
  fixture->lesson = lx_test_book (&fixture->signaling, "Firewalled", "master",
                                  (const char *[]){ "behind-firewall", NULL });
  sender_log = g_build_filename (fixture->directory, "sender.log", NULL);
  {
    const char *options[] = { "--layers", "320x240@300", NULL };
    fixture->sender = lx_test_start_in_lesson (&fixture->signaling, "LX_SENDER", fixture->lesson,
                                               "master", sender_log, options);
  }
  fixture->turn_port = lx_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  fixture->turn_log = g_build_filename (fixture->directory, "turn.log", NULL);
  {
    g_autofree gchar *port = g_strdup_printf ("--listening-port=%u", fixture->turn_port);
    g_autofree gchar *pidfile = g_build_filename (fixture->directory, "turn.pid", NULL);
    g_autofree gchar *pid_option = g_strdup_printf ("--pidfile=%s", pidfile);
    /* Loopback only; peers on loopback allowed (coturn refuses them otherwise); verbose, so that
     * allocations show in the log. */
    const char *argv[] = { turnserver,
                           "-n",
                           "-v",
                           "--listening-ip=127.0.0.1",
                           "--relay-ip=127.0.0.1",
                           port,
                           "--min-port=49152",
                           "--max-port=65535",
                           "--lt-cred-mech",
                           "--user=school:s3cret",
                           "--realm=lianxiao",
                           "--allow-loopback-peers",
                           "--no-cli",
                           "--no-tls",
                           "--no-dtls",
                           "--log-file=stdout",
                           "--simple-log",
                           pid_option,
                           NULL };
    fixture->turn = lx_test_spawn (fixture->turn_log, argv);
  }
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->directory == NULL)
    return;
  lx_test_stop_process (fixture->turn, 5000);
  g_clear_object (&fixture->turn);
  g_assert_cmpint (lx_test_stop_process (fixture->sender, 10000), ==, 0);
  g_clear_object (&fixture->sender);
  lx_test_signaling_stop (&fixture->signaling);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->turn_log);
}

/* Runs a relay-only classroom until it decodes 30 frames or @timeout_s pass; its exit status. */
static gint
run_relay_only_classroom (Fixture *fixture, const char *turn_url, const char *timeout_s)
{
  g_autofree gchar *log = g_build_filename (fixture->directory, "classroom.log", NULL);
  g_autoptr (GSubprocess) receiver = NULL;
  const char *options[] = { "--turn-server",
                            turn_url,
                            "--ice-transport-policy",
                            "relay",
                            "--headless",
                            "--exit-after-frames",
                            "30",
                            "--timeout-s",
                            timeout_s,
                            NULL };

  receiver = lx_test_start_in_lesson (&fixture->signaling, "LX_RECEIVER", fixture->lesson,
                                      "behind-firewall", log, options);
  return lx_test_wait_for_exit (receiver, 60000);
}

static void
test_relay_only (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *good = NULL;
  g_autofree gchar *turn_output = NULL;

  if (fixture->directory == NULL)
    return;
  good = g_strdup_printf ("turn://school:s3cret@127.0.0.1:%u", fixture->turn_port);
  g_test_message ("relay-only, through coturn: the lesson arrives");
  g_assert_cmpint (run_relay_only_classroom (fixture, good, "30"), ==, 0);
  g_assert_true (g_file_get_contents (fixture->turn_log, &turn_output, NULL, NULL));
  g_assert_nonnull (strstr (turn_output, "ALLOCATE processed, success"));
  g_assert_nonnull (strstr (turn_output, "CREATE_PERMISSION processed, success"));

  g_test_message ("relay-only with a wrong password: nothing can arrive");
  {
    g_autofree gchar *bad =
        g_strdup_printf ("turn://school:wrong@127.0.0.1:%u", fixture->turn_port);
    g_assert_cmpint (run_relay_only_classroom (fixture, bad, "8"), ==, 3); /* timed out */
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/turn/relay-only", Fixture, NULL, setup, test_relay_only, teardown);
  return g_test_run ();
}
