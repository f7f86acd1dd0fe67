/* Configuration: the committed example files load, every key can be overridden on the command
 * line, and a bad file fails with a message naming the file, the line and the key. */
#include "lx-receiver-config.h"
#include "lx-sender-config.h"
#include "lx-signaling-config.h"

#include <glib/gstdio.h>
#include <unistd.h>
#include <string.h>

static gchar *
config_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "..", "configs", name, NULL);
}

static gchar *
write_temporary (const char *contents)
{
  g_autoptr (GError) error = NULL;
  gchar *path = NULL;
  gint fd = g_file_open_tmp ("lx-config-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_example_configs_load (void)
{
  g_autofree gchar *sender_path = config_path ("sender.conf");
  g_autofree gchar *receiver_path = config_path ("receiver.conf");
  g_autofree gchar *signaling_path = config_path ("signaling.conf");
  LxSenderConfig sender = { 0 };
  LxReceiverConfig receiver = { 0 };
  LxSignalingConfig signaling = { 0 };
  g_autoptr (GError) error = NULL;

  lx_config_set_defaults (lx_sender_config_keys, &sender);
  g_assert_true (lx_config_load_file (lx_sender_config_keys, &sender, sender_path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sender.connection.school, ==, "master-school");
  g_assert_cmpstr (sender.connection.ice.local_addresses[0], ==, "127.0.0.1");
  g_assert_null (sender.connection.ice.local_addresses[1]);
  g_assert_null (sender.connection.token); /* "token =" means none */
  g_assert_cmpstr (sender.video_source, ==, "test");
  g_assert_true (lx_connection_settings_validate (&sender.connection, FALSE, &error));
  g_assert_true (lx_sender_config_validate (&sender, &error));
  g_assert_cmpuint (sender.n_layers, ==, 3);
  g_assert_cmpint (sender.width, ==, 1280);
  g_assert_cmpint (sender.layer_specs[2].height, ==, 180);
  g_assert_cmpint (sender.layer_specs[1].kbps, ==, 700);
  g_clear_pointer (&sender.classroom_caps, g_hash_table_unref);

  lx_config_set_defaults (lx_receiver_config_keys, &receiver);
  g_assert_true (lx_config_load_file (lx_receiver_config_keys, &receiver, receiver_path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (receiver.connection.school, ==, "village-school-1");
  g_assert_cmpstr (receiver.on_sender_left, ==, "wait");
  g_assert_false (receiver.headless);
  g_assert_cmpint (receiver.jitter_buffer_ms, ==, 20);

  lx_config_set_defaults (lx_signaling_config_keys, &signaling);
  g_assert_true (
      lx_config_load_file (lx_signaling_config_keys, &signaling, signaling_path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (signaling.port, ==, 8443);

  lx_config_clear (lx_sender_config_keys, &sender);
  lx_config_clear (lx_receiver_config_keys, &receiver);
  lx_config_clear (lx_signaling_config_keys, &signaling);
}

typedef struct {
  const char *name;
  const char *contents;
  LxConfigError code;
  const char *expected; /* appears in the message, after the file name */
} BadFile;

static const BadFile bad_files[] = {
  { "int-not-a-number", "[playback]\nheadless = true\n\n[output]\ntimeout-s = soon\n",
    LX_CONFIG_ERROR_BAD_VALUE, ":5: key 'timeout-s' in [output] must be an integer" },
  { "int-out-of-range", "# comment\n[playback]\njitter-buffer-ms = 99999\n",
    LX_CONFIG_ERROR_BAD_VALUE,
    ":3: key 'jitter-buffer-ms' in [playback] must be an integer 0-5000" },
  { "bool-not-a-bool", "[playback]\nheadless = perhaps\n", LX_CONFIG_ERROR_BAD_VALUE,
    ":2: key 'headless' in [playback] must be true or false, got 'perhaps'" },
  { "choice-not-listed", "[playback]\non-sender-left = panic\n", LX_CONFIG_ERROR_BAD_VALUE,
    ":2: key 'on-sender-left' in [playback] must be one of wait|exit, got 'panic'" },
  { "unknown-key", "[playback]\nheadless = true\nfulscreen = true\n", LX_CONFIG_ERROR_UNKNOWN_KEY,
    ":3: unknown key 'fulscreen' in [playback]" },
  { "key-in-wrong-group", "[network]\nheadless = true\n", LX_CONFIG_ERROR_UNKNOWN_KEY,
    ":2: unknown key 'headless' in [network]" },
  { "unknown-group", "[playback]\nheadless = true\n[camera]\nwidth = 3\n",
    LX_CONFIG_ERROR_UNKNOWN_KEY, ":3: unknown group [camera]" },
  { "not-a-key-file", "this is not\na key file\n", LX_CONFIG_ERROR_READ, ": " },
  { "not-utf8", "[signaling]\nschool = \xff\xfe\n", LX_CONFIG_ERROR_BAD_VALUE,
    ":2: key 'school' in [signaling] is not valid UTF-8 text" },
  { "truncated-group", "[playback]\nheadless = true\n[outp", LX_CONFIG_ERROR_READ, ": " },
  { "int-overflow", "[output]\ntimeout-s = 99999999999999999999999\n", LX_CONFIG_ERROR_BAD_VALUE,
    ":2: key 'timeout-s' in [output] must be an integer" },
};

static void
test_bad_file (gconstpointer data)
{
  const BadFile *bad = data;
  g_autofree gchar *path = write_temporary (bad->contents);
  g_autofree gchar *expected = g_strconcat (path, bad->expected, NULL);
  LxReceiverConfig config = { 0 };
  g_autoptr (GError) error = NULL;

  lx_config_set_defaults (lx_receiver_config_keys, &config);
  g_assert_false (lx_config_load_file (lx_receiver_config_keys, &config, path, &error));
  g_assert_error (error, LX_CONFIG_ERROR, (gint) bad->code);
  if (!g_str_has_prefix (error->message, expected))
    g_error ("expected a message starting with '%s', got '%s'", expected, error->message);
  lx_config_clear (lx_receiver_config_keys, &config);
  g_unlink (path);
}

static void
test_missing_file (void)
{
  LxReceiverConfig config = { 0 };
  g_autoptr (GError) error = NULL;

  lx_config_set_defaults (lx_receiver_config_keys, &config);
  g_assert_false (
      lx_config_load_file (lx_receiver_config_keys, &config, "/nonexistent/r.conf", &error));
  g_assert_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_READ);
  g_assert_nonnull (strstr (error->message, "/nonexistent/r.conf"));
  lx_config_clear (lx_receiver_config_keys, &config);
}

/* Defaults, then the file, then the command line: the last word wins. */
static void
test_command_line_overrides_file (void)
{
  g_autofree gchar *path = write_temporary ("[signaling]\nschool = from-file\nlesson = l1\n"
                                            "[playback]\njitter-buffer-ms = 300\n");
  g_autofree gchar *config_option = g_strdup_printf ("--config=%s", path);
  const char *args[] = { "lianxiao-receiver",
                         config_option,
                         "--jitter-buffer-ms",
                         "15",
                         "--headless",
                         "--ice-local-addresses=127.0.0.1, 127.0.0.2",
                         NULL };
  int argc = G_N_ELEMENTS (args) - 1;
  g_auto (GStrv) argv = g_strdupv ((gchar **) args);
  /* The parser reorders the array it is given: give it a copy, free the strings from ours. */
  g_autofree gchar **argv_pointer = g_memdup2 (argv, sizeof (args));
  LxReceiverConfig config = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (lx_config_load (lx_receiver_config_keys, &config, "test", NULL, &argc,
                                 &argv_pointer, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config.connection.school, ==, "from-file"); /* file over default */
  g_assert_cmpint (config.jitter_buffer_ms, ==, 15);           /* command line over file */
  g_assert_true (config.headless);                             /* a bare boolean option */
  g_assert_cmpstr (config.on_sender_left, ==, "wait");         /* default */
  g_assert_cmpstr (config.connection.ice.local_addresses[1], ==, "127.0.0.2");
  lx_config_clear (lx_receiver_config_keys, &config);
  g_unlink (path);
}

static void
test_bad_command_line_value (void)
{
  const char *args[] = { "lianxiao-signaling", "--port", "http", NULL };
  int argc = G_N_ELEMENTS (args) - 1;
  g_auto (GStrv) argv = g_strdupv ((gchar **) args);
  g_autofree gchar **argv_pointer = g_memdup2 (argv, sizeof (args));
  LxSignalingConfig config = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_false (lx_config_load (lx_signaling_config_keys, &config, "test", NULL, &argc,
                                  &argv_pointer, &error));
  g_assert_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE);
  g_assert_cmpstr (error->message, ==,
                   "--port: key 'port' in [server] must be an integer 0-65535, got 'http'");
  lx_config_clear (lx_signaling_config_keys, &config);
}

static void
test_connection_settings_validation (void)
{
  LxSenderConfig config = { 0 };
  g_autoptr (GError) error = NULL;

  lx_config_set_defaults (lx_sender_config_keys, &config);
  g_assert_false (lx_connection_settings_validate (&config.connection, FALSE, &error));
  g_assert_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "'school'"));
  g_clear_error (&error);

  g_assert_true (lx_config_set_value (lx_sender_config_keys, &config, "school", "no spaces please",
                                      "test", NULL));
  g_assert_false (lx_connection_settings_validate (&config.connection, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "no spaces please"));
  g_clear_error (&error);

  g_assert_true (lx_config_set_value (lx_sender_config_keys, &config, "school", "ok", "t", NULL));
  g_assert_true (
      lx_config_set_value (lx_sender_config_keys, &config, "server", "http://x", "t", NULL));
  g_assert_false (lx_connection_settings_validate (&config.connection, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "ws://"));
  g_clear_error (&error);

  /* Publishing only through WHIP needs no signaling server; the WHIP URL must be http(s). */
  g_assert_true (lx_config_set_value (lx_sender_config_keys, &config, "server", "", "t", NULL));
  g_assert_false (lx_connection_settings_validate (&config.connection, FALSE, &error));
  g_clear_error (&error);
  g_assert_true (lx_connection_settings_validate (&config.connection, TRUE, &error));
  g_assert_true (lx_settings_check_http_url ("whip-url", "http://media.example/whip/1", &error));
  g_assert_false (lx_settings_check_http_url ("whip-url", "ws://media.example/whip/1", &error));
  g_assert_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "'whip-url'"));
  lx_config_clear (lx_sender_config_keys, &config);
}

/* The sender's janus-rtp: a mountpoint's host and ports, or a clear refusal. */
static void
test_janus_target (void)
{
  static const char *const refused[] = { "",
                                         "40002,40003,40004",
                                         "127.0.0.1:40002",
                                         "127.0.0.1:1/2/3/4,5,6",
                                         "127.0.0.1:a,5,6",
                                         "127.0.0.1:40002,70000,6" };
  LxJanusTarget target;
  g_autoptr (GError) error = NULL;

  g_assert_true (lx_janus_target_parse ("10.1.2.3:40002/40004,40003,40006", &target, &error));
  g_assert_cmpstr (target.host, ==, "10.1.2.3");
  g_assert_cmpint (target.video_ports[0], ==, 40002);
  g_assert_cmpint (target.video_ports[1], ==, 40004);
  g_assert_cmpint (target.video_ports[2], ==, 0);
  g_assert_cmpint (target.video_rtcp_port, ==, 40003);
  g_assert_cmpint (target.audio_port, ==, 40006);
  lx_janus_target_clear (&target);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_assert_false (lx_janus_target_parse (refused[i], &target, &error));
    g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
    g_assert_nonnull (strstr (error->message, "janus-rtp"));
    g_assert_null (target.host);
    g_clear_error (&error);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/example-files-load", test_example_configs_load);
  for (guint i = 0; i < G_N_ELEMENTS (bad_files); i++) {
    g_autofree gchar *path = g_strdup_printf ("/config/bad-file/%s", bad_files[i].name);
    g_test_add_data_func (path, &bad_files[i], test_bad_file);
  }
  g_test_add_func ("/config/bad-file/missing", test_missing_file);
  g_test_add_func ("/config/command-line-overrides-file", test_command_line_overrides_file);
  g_test_add_func ("/config/bad-command-line-value", test_bad_command_line_value);
  g_test_add_func ("/config/connection-settings", test_connection_settings_validation);
  g_test_add_func ("/config/janus-target", test_janus_target);
  return g_test_run ();
}
