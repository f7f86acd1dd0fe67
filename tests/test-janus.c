/* A Janus node from Debian's package, started as the city runs one (configs/janus/, on loopback
 * with ports of its own), and the signaling server's client of it: a lesson's mountpoint created
 * with its secret and PIN and the layers as one simulcast stream, its ports said; wrong API
 * secrets, admin keys and mountpoint secrets refused; the mountpoint removed. */
#include "lx-janus-node.h"
#include "lx-test-utils.h"

#include <gio/gio.h>
#include <string.h>

#define API_SECRET "test-api-secret-4c1d"
#define ADMIN_KEY "test-admin-key-9e3a"

typedef struct {
  gchar *directory;
  GSubprocess *janus;
  gchar *url;
  LxJanusNode *node;
} Fixture;

/* configs/janus/NAME copied into the node's folder, each (from, to) replaced. */
static void
write_config (Fixture *fixture, const char *name, const char *const *replacements)
{
  g_autofree gchar *source =
      g_test_build_filename (G_TEST_DIST, "..", "configs", "janus", name, NULL);
  g_autofree gchar *target = g_build_filename (fixture->directory, name, NULL);
  g_autofree gchar *text = NULL;

  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  for (guint i = 0; replacements && replacements[i]; i += 2) {
    g_auto (GStrv) parts = g_strsplit (text, replacements[i], -1);
    g_assert_cmpuint (g_strv_length (parts), ==, 2); /* (each is there, once) */
    g_free (text);
    text = g_strjoinv (replacements[i + 1], parts);
  }
  g_assert_true (g_file_set_contents (target, text, -1, NULL));
}

typedef struct {
  gboolean done;
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Waiter *waiter = data;

  waiter->result = g_object_ref (result);
  waiter->done = TRUE;
}

static gboolean
waiter_done (gpointer data)
{
  return ((Waiter *) data)->done;
}

/* The result of an asynchronous call, waited for (10 s at most). */
static GAsyncResult *
wait_result (Waiter *waiter)
{
  g_assert_true (lx_test_wait_until (waiter_done, waiter, 10000));
  return waiter->result;
}

static gboolean
connect_node (LxJanusNode *node, GError **error)
{
  Waiter waiter = { 0 };
  g_autoptr (GAsyncResult) result = NULL;

  lx_janus_node_connect_async (node, on_done, &waiter);
  result = wait_result (&waiter);
  return lx_janus_node_connect_finish (node, result, error);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *http_port = NULL;
  g_autofree gchar *admin_port = NULL;
  g_autofree gchar *config = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline;

  if (!g_file_test ("/usr/bin/janus", G_FILE_TEST_IS_EXECUTABLE))
    return;
  fixture->directory = g_dir_make_tmp ("lx-janus-XXXXXX", &error);
  g_assert_no_error (error);
  http_port = g_strdup_printf ("port = %u", lx_test_free_port (G_SOCKET_TYPE_STREAM));
  admin_port = g_strdup_printf ("admin_port = %u", lx_test_free_port (G_SOCKET_TYPE_STREAM));
  write_config (fixture, "janus.jcfg",
                (const char *const[]){ "\"change-me-api-secret\"", "\"" API_SECRET "\"",
                                       "#ice_enforce_list = \"eth0\"", "ice_enforce_list = \"lo\"",
                                       NULL });
  write_config (fixture, "janus.plugin.streaming.jcfg",
                (const char *const[]){ "\"change-me-admin-key\"", "\"" ADMIN_KEY "\"", NULL });
  write_config (
      fixture, "janus.transport.http.jcfg",
      (const char *const[]){ "port = 8088", http_port, "admin_port = 7088", admin_port, NULL });
  config = g_build_filename (fixture->directory, "janus.jcfg", NULL);
  launcher = lx_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  fixture->janus = g_subprocess_launcher_spawn (launcher, &error, "/usr/bin/janus", "-F",
                                                fixture->directory, "-C", config, NULL);
  g_assert_no_error (error);
  fixture->url = g_strdup_printf ("http://127.0.0.1:%s/janus", http_port + strlen ("port = "));
  fixture->node = lx_janus_node_new (fixture->url, API_SECRET, ADMIN_KEY);
  /* Janus answers once its HTTP transport is up. */
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!connect_node (fixture->node, &error)) {
    g_assert_true (g_error_matches (error, LX_JANUS_ERROR, LX_JANUS_ERROR_UNREACHABLE));
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_clear_error (&error);
    lx_test_run_for (200);
  }
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->node, lx_janus_node_free);
  if (fixture->janus)
    g_assert_cmpint (lx_test_stop_process (fixture->janus, 5000), >=, 0);
  g_clear_object (&fixture->janus);
  if (fixture->directory)
    lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->url);
}

static gboolean
create (LxJanusNode *node, const LxMountpointSpec *spec, LxMountpointPorts *ports, GError **error)
{
  Waiter waiter = { 0 };
  g_autoptr (GAsyncResult) result = NULL;

  lx_janus_node_create_mountpoint_async (node, spec, on_done, &waiter);
  result = wait_result (&waiter);
  return lx_janus_node_create_mountpoint_finish (node, result, ports, error);
}

static gboolean
read_info (LxJanusNode *node, gint64 id, const char *secret, LxMountpointInfo *info, GError **error)
{
  Waiter waiter = { 0 };
  g_autoptr (GAsyncResult) result = NULL;

  lx_janus_node_read_info_async (node, id, secret, on_done, &waiter);
  result = wait_result (&waiter);
  return lx_janus_node_read_info_finish (node, result, info, error);
}

/* The viewers of @id (-1 with @error). */
static gint
count_viewers (LxJanusNode *node, gint64 id, const char *secret, GError **error)
{
  LxMountpointInfo info;

  return read_info (node, id, secret, &info, error) ? info.viewers : -1;
}

static gboolean
destroy (LxJanusNode *node, gint64 id, const char *secret, GError **error)
{
  Waiter waiter = { 0 };
  g_autoptr (GAsyncResult) result = NULL;

  lx_janus_node_destroy_mountpoint_async (node, id, secret, on_done, &waiter);
  result = wait_result (&waiter);
  return lx_janus_node_destroy_mountpoint_finish (node, result, error);
}

static void
test_mountpoint (Fixture *fixture, gconstpointer data)
{
  LxMountpointSpec lesson = { 42, "lesson 42", "lesson-42-secret", "lesson-42-pin", 3 };
  LxMountpointPorts ports;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) distinct = g_hash_table_new (NULL, NULL);

  if (fixture->janus == NULL) {
    g_test_skip ("Debian's janus is not installed (scripts/setup installs it)");
    return;
  }
  g_assert_true (create (fixture->node, &lesson, &ports, &error));
  g_assert_no_error (error);
  /* Three layers, the video's RTCP and the sound: five ports, all different, in the plugin's
   * range. */
  for (guint i = 0; i < 3; i++)
    g_hash_table_add (distinct, GINT_TO_POINTER (ports.video_ports[i]));
  g_hash_table_add (distinct, GINT_TO_POINTER (ports.video_rtcp_port));
  g_hash_table_add (distinct, GINT_TO_POINTER (ports.audio_port));
  g_assert_cmpuint (g_hash_table_size (distinct), ==, 5);
  g_assert_cmpint (ports.audio_port, >=, 40001);
  g_assert_cmpint (ports.audio_port, <=, 50000);
  g_assert_cmpint (count_viewers (fixture->node, 42, "lesson-42-secret", &error), ==, 0);
  g_assert_no_error (error);

  /* The same id again is refused; the wrong secret neither reads nor removes it. */
  g_assert_false (create (fixture->node, &lesson, &ports, &error));
  g_assert_error (error, LX_JANUS_ERROR, LX_JANUS_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (count_viewers (fixture->node, 42, "another-lesson's-secret", &error), ==, -1);
  g_assert_error (error, LX_JANUS_ERROR, LX_JANUS_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_false (destroy (fixture->node, 42, "another-lesson's-secret", &error));
  g_assert_error (error, LX_JANUS_ERROR, LX_JANUS_ERROR_REFUSED);
  g_clear_error (&error);

  /* Removed with its own secret: gone, and the id free again. */
  g_assert_true (destroy (fixture->node, 42, "lesson-42-secret", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_viewers (fixture->node, 42, "lesson-42-secret", &error), ==, -1);
  g_assert_error (error, LX_JANUS_ERROR, LX_JANUS_ERROR_FAILED);
  g_clear_error (&error);
  lesson.n_layers = 1;
  g_assert_true (create (fixture->node, &lesson, &ports, &error));
  g_assert_cmpint (ports.video_ports[1], ==, 0);
}

static void
test_refusals (Fixture *fixture, gconstpointer data)
{
  g_autoptr (LxJanusNode) wrong_secret = NULL;
  g_autoptr (LxJanusNode) wrong_key = NULL;
  g_autoptr (GError) error = NULL;
  LxMountpointSpec lesson = { 7, "lesson 7", "s", "p", 2 };
  LxMountpointPorts ports;

  if (fixture->janus == NULL) {
    g_test_skip ("Debian's janus is not installed (scripts/setup installs it)");
    return;
  }
  /* Without the API secret there is no session at all. */
  wrong_secret = lx_janus_node_new (fixture->url, "not-the-api-secret", ADMIN_KEY);
  g_assert_false (connect_node (wrong_secret, &error));
  g_assert_error (error, LX_JANUS_ERROR, LX_JANUS_ERROR_REFUSED);
  g_clear_error (&error);
  /* With it but not the admin key, no mountpoint. */
  wrong_key = lx_janus_node_new (fixture->url, API_SECRET, "not-the-admin-key");
  g_assert_true (connect_node (wrong_key, &error));
  g_assert_false (create (wrong_key, &lesson, &ports, &error));
  g_assert_error (error, LX_JANUS_ERROR, LX_JANUS_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "admin_key"));
  g_clear_error (&error);
  /* A node that is not there: unreachable, said as such. */
  {
    g_autoptr (LxJanusNode) gone =
        lx_janus_node_new ("http://127.0.0.1:9/janus", API_SECRET, ADMIN_KEY);
    g_assert_false (connect_node (gone, &error));
    g_assert_error (error, LX_JANUS_ERROR, LX_JANUS_ERROR_UNREACHABLE);
  }
}

/* A sender relays each of its layers and its sound to the mountpoint: Janus receives them. */
static void
test_relay (Fixture *fixture, gconstpointer data)
{
  LxMountpointSpec lesson = { 77, "lesson 77", "lesson-77-secret", "lesson-77-pin", 2 };
  LxMountpointPorts ports;
  LxMountpointInfo info = { 0, -1, -1 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) sender = NULL;
  g_autofree gchar *program = lx_test_program ("LX_SENDER");
  g_autofree gchar *target = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  gint64 deadline;

  if (fixture->janus == NULL) {
    g_test_skip ("Debian's janus is not installed (scripts/setup installs it)");
    return;
  }
  g_assert_true (create (fixture->node, &lesson, &ports, &error));
  target = g_strdup_printf ("127.0.0.1:%d/%d,%d,%d", ports.video_ports[0], ports.video_ports[1],
                            ports.video_rtcp_port, ports.audio_port);
  launcher = lx_test_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  sender = g_subprocess_launcher_spawn (launcher, &error, program, "--server=", "--school",
                                        "master", "--lesson", "77", "--layers",
                                        "320x180@300,160x90@100", "--janus-rtp", target, NULL);
  g_assert_no_error (error);
  /* Janus's ages count from the mountpoint's creation until a packet comes: fresh ones (under
   * half a second), again and again, say the packets keep coming. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (guint fresh = 0; fresh < 4;) {
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    lx_test_run_for (250);
    g_assert_true (read_info (fixture->node, 77, "lesson-77-secret", &info, &error));
    fresh = info.video_age_ms < 500 && info.audio_age_ms < 500 ? fresh + 1 : 0;
  }
  g_assert_cmpint (lx_test_stop_process (sender, 5000), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/janus/mountpoint", Fixture, NULL, setup, test_mountpoint, teardown);
  g_test_add ("/janus/refusals", Fixture, NULL, setup, test_refusals, teardown);
  g_test_add ("/janus/relay", Fixture, NULL, setup, test_relay, teardown);
  return g_test_run ();
}
