/* TLS with the real programs on loopback, with a self-signed certificate made for the run: a
 * lesson booked over https:// and taught over wss:// with the certificate's CA file given; a
 * receiver without it refuses the server (certificates are always verified); REST over https://
 * with lianxiao-ctl; a server given half a key pair, and a CA file that is not one, are clear
 * errors. */
#include "lx-test-utils.h"

#include <string.h>

typedef struct {
  gchar *directory;
  gchar *certificate, *key;
  gboolean skipped;
  LxTestSignaling signaling;
  const char *lesson; /* booked, over https:// */
} Fixture;

static gchar *
file_in (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->directory, name, NULL);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->directory = g_dir_make_tmp ("lx-tls-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->skipped =
      !lx_test_make_certificate (fixture->directory, &fixture->certificate, &fixture->key);
  if (fixture->skipped)
    return;
  lx_test_signaling_start_tls (&fixture->signaling, fixture->certificate, fixture->key);
  fixture->lesson = lx_test_book (&fixture->signaling, "secure", "master",
                                  (const char *[]){ "village", "careful", NULL });
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  lx_test_signaling_stop (&fixture->signaling);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->certificate);
  g_free (fixture->key);
}

/* A receiver in the booked lesson that stops after 30 frames; @ca_file (nullable) what it trusts. */
static GSubprocess *
start_receiver (Fixture *fixture, const char *school, const char *ca_file)
{
  g_autofree gchar *log_name = g_strdup_printf ("%s.log", school);
  g_autofree gchar *log = file_in (fixture, log_name);
  g_autofree gchar *ca_option = g_strdup_printf ("--ca-file=%s", ca_file ? ca_file : "");
  const char *options[] = {
    "--headless", "--exit-after-frames", "30", "--timeout-s", "40", ca_option, NULL
  };

  return lx_test_start_in_lesson (&fixture->signaling, "LX_RECEIVER", fixture->lesson, school, log,
                                  options);
}

static gchar *
log_of (Fixture *fixture, const char *school)
{
  g_autofree gchar *name = g_strdup_printf ("%s.log", school);
  g_autofree gchar *path = file_in (fixture, name);
  gchar *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return text ? text : g_strdup ("");
}

static void
test_lesson_over_wss (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *sender_log = NULL;
  g_autofree gchar *ca_option = NULL;
  g_autoptr (GSubprocess) sender = NULL;
  g_autoptr (GSubprocess) village = NULL;
  g_autoptr (GSubprocess) trusting_nobody = NULL;
  g_autofree gchar *refused_log = NULL;

  if (fixture->skipped)
    return;
  g_assert_true (g_str_has_prefix (fixture->signaling.url, "wss://"));
  sender_log = file_in (fixture, "sender.log");
  ca_option = g_strdup_printf ("--ca-file=%s", fixture->certificate);
  sender = lx_test_start_in_lesson (&fixture->signaling, "LX_SENDER", fixture->lesson, "master",
                                    sender_log,
                                    (const char *[]){ "--layers", "320x240@300", ca_option, NULL });
  village = start_receiver (fixture, "village", fixture->certificate);
  g_assert_cmpint (lx_test_wait_for_exit (village, 60000), ==, 0);

  /* Without the CA file, the self-signed server is refused, and the receiver says why. */
  trusting_nobody = start_receiver (fixture, "careful", NULL);
  g_assert_cmpint (lx_test_wait_for_exit (trusting_nobody, 30000), !=, 0);
  refused_log = log_of (fixture, "careful");
  g_assert_nonnull (strstr (refused_log, "certificate"));
  g_assert_cmpint (lx_test_stop_process (sender, 10000), ==, 0);
}

/* lianxiao-ctl over https://: with the CA file it lists the schools; without, it refuses. */
static void
test_rest_over_https (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *ctl = lx_test_program ("LX_CTL");
  g_autofree gchar *server = NULL;
  g_autofree gchar *ca_option = NULL;
  g_autofree gchar *output = NULL;
  g_autofree gchar *errors = NULL;
  gint status = -1;

  if (fixture->skipped)
    return;
  server = g_strdup_printf ("https://127.0.0.1:%u", fixture->signaling.port);
  ca_option = g_strdup_printf ("--ca-file=%s", fixture->certificate);
  {
    const char *argv[] = { ctl,       "--server", server, "--token", LX_TEST_ADMIN_TOKEN,
                           ca_option, "school",   "list", NULL };
    g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output,
                                 &errors, &status, NULL));
  }
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (output, "careful")); /* the schools the test registered over https */
  g_clear_pointer (&errors, g_free);
  g_clear_pointer (&output, g_free);
  {
    const char *argv[] = { ctl,      "--server", server, "--token", LX_TEST_ADMIN_TOKEN,
                           "school", "list",     NULL };
    g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output,
                                 &errors, &status, NULL));
  }
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_null (strstr (output, "careful"));
  g_assert_nonnull (strstr (errors, "certificate"));
}

static void
test_bad_tls_settings (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *signaling = lx_test_program ("LX_SIGNALING");
  g_autofree gchar *receiver = lx_test_program ("LX_RECEIVER");
  g_autofree gchar *errors = NULL;
  g_autofree gchar *not_a_ca = NULL;
  gint status = -1;

  if (fixture->skipped)
    return;
  {
    const char *argv[] = {
      signaling, "--port", "0", "--tls-certificate", fixture->certificate, NULL
    };
    g_spawn_sync (fixture->directory, (gchar **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                  NULL, &errors, &status, NULL);
  }
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 2);
  g_assert_nonnull (strstr (errors, "tls-key"));
  g_clear_pointer (&errors, g_free);

  not_a_ca = file_in (fixture, "server.key"); /* a key, not certificates */
  {
    g_autofree gchar *ca_option = g_strdup_printf ("--ca-file=%s", not_a_ca);
    const char *argv[] = { receiver,  "--school",   "x", "--server", fixture->signaling.url,
                           ca_option, "--headless", NULL };
    g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                  &errors, &status, NULL);
  }
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 2);
  g_assert_nonnull (strstr (errors, "ca-file"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/tls/lesson-over-wss", Fixture, NULL, setup, test_lesson_over_wss, teardown);
  g_test_add ("/tls/rest-over-https", Fixture, NULL, setup, test_rest_over_https, teardown);
  g_test_add ("/tls/bad-settings", Fixture, NULL, setup, test_bad_tls_settings, teardown);
  return g_test_run ();
}
