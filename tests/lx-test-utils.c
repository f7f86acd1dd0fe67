/* Test helpers (see lx-test-utils.h). */
#include "lx-test-utils.h"

#include <gst/video/video.h>

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

typedef struct {
  gboolean fired;
} Tick;

static gboolean
on_tick (gpointer data)
{
  ((Tick *) data)->fired = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
lx_test_wait_until (LxTestCondition condition, gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  GMainContext *context = g_main_context_get_thread_default ();

  while (!condition (data)) {
    Tick tick = { FALSE };
    guint timer;

    if (g_get_monotonic_time () >= deadline)
      return FALSE;
    /* Wake at least every 10 ms so that conditions on files and other processes are re-checked. */
    timer = g_timeout_add (10, on_tick, &tick);
    g_main_context_iteration (context, TRUE);
    if (!tick.fired)
      g_source_remove (timer);
  }
  return TRUE;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
lx_test_run_for (guint ms)
{
  lx_test_wait_until (never, NULL, ms);
}

gchar *
lx_test_program (const char *variable)
{
  const char *path = g_getenv (variable);

  if (path == NULL)
    g_error ("%s is not set: run the tests with 'meson test'", variable);
  return g_strdup (path);
}

/* A test that fails aborts at once: its programs must not outlive it (they would keep ports,
 * CPU and the test runner's pipes). */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocessLauncher *
lx_test_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return launcher;
}

GSubprocess *
lx_test_spawn (const char *log_path, const char *const *argv)
{
  return lx_test_spawn_with_flags (log_path, argv, G_SUBPROCESS_FLAGS_NONE);
}

GSubprocess *
lx_test_spawn_with_flags (const char *log_path, const char *const *argv, GSubprocessFlags flags)
{
  g_autoptr (GSubprocessLauncher) launcher = lx_test_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  g_subprocess_launcher_take_stderr_fd (launcher, -1);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE | flags);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

void
lx_test_remove_directory (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *file = g_build_filename (path, name, NULL);
    g_unlink (file);
  }
  g_rmdir (path);
}

/* (transfer full) @prefix followed by @argv, as one NULL-terminated vector of borrowed strings. */
static const char **
join_argv (const char *const *prefix, const char *const *argv)
{
  GPtrArray *joined = g_ptr_array_new ();

  for (guint i = 0; prefix && prefix[i]; i++)
    g_ptr_array_add (joined, (gpointer) prefix[i]);
  for (guint i = 0; argv[i]; i++)
    g_ptr_array_add (joined, (gpointer) argv[i]);
  g_ptr_array_add (joined, NULL);
  return (const char **) g_ptr_array_free (joined, FALSE);
}

GSubprocess *
lx_test_spawn_under (const char *const *prefix, const char *log_path, const char *const *argv)
{
  g_autofree const char **joined = join_argv (prefix, argv);
  return lx_test_spawn (log_path, joined);
}

/* Starts the server (again), on @signaling's port (0: a free one) and database, and reads the port
 * it prints. */
static void
launch_signaling (LxTestSignaling *signaling)
{
  g_autofree gchar *program = lx_test_program ("LX_SIGNALING");
  g_autofree gchar *database = g_build_filename (signaling->directory, "lianxiao.db", NULL);
  g_autofree gchar *port_text = g_strdup_printf ("%u", signaling->port);
  g_autofree gchar *token_option =
      g_strdup_printf ("--admin-token=%s", signaling->admin_token ? signaling->admin_token : "");
  const char *address = signaling->prefix ? "0.0.0.0" : "127.0.0.1";
  const char *fixed_argv[] = {
    program,  "--address",  address,
    "--port", port_text,    "--database",
    database, token_option, signaling->booked_only ? NULL : "--allow-unbooked-lessons",
    NULL
  };
  g_autofree const char **argv =
      join_argv (fixed_argv, (const char *const *) (signaling->extra_args ? signaling->extra_args
                                                                          : (gchar *[]){ NULL }));
  g_autofree const char **joined = join_argv ((const char *const *) signaling->prefix, argv);
  g_autoptr (GSubprocessLauncher) launcher = lx_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) output = NULL;
  g_autofree gchar *line = NULL;
  const char *port;

  /* LeakSanitizer 14's tracer crashes (SIGSEGV while it stops the world) when the server exits
   * after serving TLS; the same server's leaks are checked in every test without TLS. */
  if (signaling->tls && g_getenv ("ASAN_OPTIONS")) {
    g_autofree gchar *options = g_strdup_printf ("%s:detect_leaks=0", g_getenv ("ASAN_OPTIONS"));
    g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", options, TRUE);
  }
  signaling->process = g_subprocess_launcher_spawnv (launcher, joined, &error);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (signaling->process));
  /* The first line says where it listens (or the process died and the read returns NULL). */
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = strrchr (line, ':');
  g_assert_nonnull (port);
  signaling->port = (guint) g_ascii_strtoull (port + 1, NULL, 10);
  g_assert_cmpuint (signaling->port, >, 0);
  if (signaling->url == NULL)
    signaling->url =
        g_strdup_printf ("%s://127.0.0.1:%u/ws", signaling->tls ? "wss" : "ws", signaling->port);
}

static void
prepare_signaling (LxTestSignaling *signaling, const char *admin_token)
{
  g_autoptr (GError) error = NULL;

  signaling->directory = g_dir_make_tmp ("lx-signaling-XXXXXX", &error);
  g_assert_no_error (error);
  signaling->admin_token = g_strdup (admin_token);
  signaling->port = 0;
}

void
lx_test_signaling_start (LxTestSignaling *signaling, const char *admin_token)
{
  prepare_signaling (signaling, admin_token);
  signaling->booked_only = TRUE;
  launch_signaling (signaling);
}

void
lx_test_signaling_start_booked (LxTestSignaling *signaling, const char *const *extra_args)
{
  prepare_signaling (signaling, LX_TEST_ADMIN_TOKEN);
  signaling->extra_args = g_strdupv ((gchar **) extra_args);
  signaling->booked_only = TRUE;
  signaling->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  launch_signaling (signaling);
}

guint
lx_test_api (LxTestSignaling *signaling, const char *method, const char *path, const char *json,
             JsonNode **answer)
{
  g_assert_nonnull (signaling->admin_token);
  return lx_test_api_as (signaling, signaling->admin_token, method, path, json, answer);
}

guint
lx_test_api_as (LxTestSignaling *signaling, const char *token, const char *method, const char *path,
                const char *json, JsonNode **answer)
{
  g_autofree gchar *url = g_strdup_printf (
      "%s://127.0.0.1:%u/api/v1/%s", signaling->tls ? "https" : "http", signaling->port, path);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  g_autofree gchar *authorization = g_strdup_printf ("Bearer %s", token);
  g_autoptr (GBytes) body = NULL;

  if (signaling->ca_file) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GTlsDatabase) trusted = g_tls_file_database_new (signaling->ca_file, &error);
    g_assert_no_error (error);
    soup_session_set_tls_database (session, trusted);
  }
  if (token)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  authorization);
  if (json) {
    g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
    soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  }
  body = lx_test_http (session, message);
  g_assert_nonnull (body);
  if (answer) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    *answer = NULL;
    if (g_bytes_get_size (body) > 0 &&
        json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                    NULL))
      *answer = json_node_copy (json_parser_get_root (parser));
  }
  return soup_message_get_status (message);
}

static void
register_school (LxTestSignaling *signaling, const char *school)
{
  g_autofree gchar *json = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"%s\"}", school, school);
  g_autoptr (JsonNode) answer = NULL;

  if (g_hash_table_contains (signaling->tokens, school))
    return;
  g_assert_cmpuint (lx_test_api (signaling, "POST", "schools", json, &answer), ==, 201);
  g_hash_table_insert (
      signaling->tokens, g_strdup (school),
      g_strdup (json_object_get_string_member (json_node_get_object (answer), "token")));
}

const char *
lx_test_book (LxTestSignaling *signaling, const char *title, const char *sender,
              const char *const *receivers)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) start = g_date_time_add_minutes (now, -5);
  g_autoptr (GDateTime) end = g_date_time_add_hours (now, 3);
  g_autofree gchar *start_text = g_date_time_format (start, "%Y-%m-%dT%H:%M:%S");
  g_autofree gchar *end_text = g_date_time_format (end, "%Y-%m-%dT%H:%M:%S");
  g_autoptr (GString) json = g_string_new (NULL);
  g_autoptr (JsonNode) answer = NULL;
  gchar *lesson;

  register_school (signaling, sender);
  g_string_append_printf (json, "{\"title\":\"%s\",\"sender\":\"%s\",\"receivers\":[", title,
                          sender);
  for (guint i = 0; receivers[i]; i++) {
    register_school (signaling, receivers[i]);
    g_string_append_printf (json, "%s\"%s\"", i ? "," : "", receivers[i]);
  }
  g_string_append_printf (json, "],\"start\":\"%s\",\"end\":\"%s\",\"time_zone\":\"UTC\"}",
                          start_text, end_text);
  g_assert_cmpuint (lx_test_api (signaling, "POST", "lessons", json->str, &answer), ==, 201);
  lesson = g_strdup_printf ("%" G_GINT64_FORMAT,
                            json_object_get_int_member (json_node_get_object (answer), "id"));
  /* (kept with the tokens, freed when the server stops) */
  g_hash_table_insert (signaling->tokens, g_strconcat ("lesson:", lesson, NULL), lesson);
  return lesson;
}

GSubprocess *
lx_test_start_in_lesson (LxTestSignaling *signaling, const char *program, const char *lesson,
                         const char *school, const char *log, const char *const *options)
{
  return lx_test_start_in_lesson_with_flags (signaling, program, lesson, school, log, options,
                                             G_SUBPROCESS_FLAGS_NONE);
}

GSubprocess *
lx_test_start_in_lesson_with_flags (LxTestSignaling *signaling, const char *program,
                                    const char *lesson, const char *school, const char *log,
                                    const char *const *options, GSubprocessFlags flags)
{
  g_autofree gchar *path = lx_test_program (program);
  const char *fixed[] = { path,
                          "--server",
                          signaling->url,
                          "--lesson",
                          lesson,
                          "--school",
                          school,
                          "--token",
                          lx_test_token (signaling, school),
                          "--ice-local-addresses",
                          "127.0.0.1",
                          NULL };
  g_autofree const char **argv = join_argv (fixed, options ? options : (const char *[]){ NULL });

  return lx_test_spawn_with_flags (log, argv, flags);
}

const char *
lx_test_token (LxTestSignaling *signaling, const char *school)
{
  const char *token = signaling->tokens ? g_hash_table_lookup (signaling->tokens, school) : NULL;

  if (token == NULL)
    g_error ("no token for school %s: book it with lx_test_book()", school);
  return token;
}

void
lx_test_signaling_start_tls (LxTestSignaling *signaling, const char *certificate, const char *key)
{
  const char *extra[] = { "--tls-certificate", certificate, "--tls-key", key, NULL };

  prepare_signaling (signaling, LX_TEST_ADMIN_TOKEN);
  signaling->extra_args = g_strdupv ((gchar **) extra);
  signaling->booked_only = TRUE;
  signaling->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  signaling->tls = TRUE;
  signaling->ca_file = g_strdup (certificate);
  launch_signaling (signaling);
}

void
lx_test_signaling_start_unbooked (LxTestSignaling *signaling, const char *admin_token,
                                  const char *const *extra)
{
  prepare_signaling (signaling, admin_token);
  signaling->extra_args = g_strdupv ((gchar **) extra);
  launch_signaling (signaling);
}

gboolean
lx_test_make_certificate (const char *directory, gchar **certificate, gchar **key)
{
  g_autofree gchar *openssl = g_find_program_in_path ("openssl");
  g_autoptr (GError) error = NULL;
  gint status = -1;

  if (openssl == NULL) {
    g_test_skip ("openssl is not installed (Debian: openssl)");
    return FALSE;
  }
  *certificate = g_build_filename (directory, "server.crt", NULL);
  *key = g_build_filename (directory, "server.key", NULL);
  {
    const char *argv[] = { openssl,
                           "req",
                           "-x509",
                           "-newkey",
                           "ec",
                           "-pkeyopt",
                           "ec_paramgen_curve:prime256v1",
                           "-nodes",
                           "-days",
                           "1",
                           "-subj",
                           "/CN=lianxiao test server",
                           "-addext",
                           "subjectAltName=IP:127.0.0.1,DNS:localhost",
                           "-keyout",
                           *key,
                           "-out",
                           *certificate,
                           NULL };
    g_spawn_sync (NULL, (gchar **) argv, NULL,
                  G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                  &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return TRUE;
}

void
lx_test_signaling_move_under (LxTestSignaling *signaling, const char *const *prefix)
{
  g_assert_cmpint (lx_test_stop_process (signaling->process, 5000), ==, 0);
  g_clear_object (&signaling->process);
  signaling->prefix = g_strdupv ((gchar **) prefix);
  launch_signaling (signaling);
}

void
lx_test_signaling_kill (LxTestSignaling *signaling)
{
  g_subprocess_force_exit (signaling->process);
  lx_test_wait_for_exit (signaling->process, 5000);
  g_clear_object (&signaling->process);
}

void
lx_test_signaling_restart (LxTestSignaling *signaling)
{
  g_assert_null (signaling->process);
  launch_signaling (signaling);
}

void
lx_test_signaling_stop (LxTestSignaling *signaling)
{
  if (signaling->process) {
    g_assert_cmpint (lx_test_stop_process (signaling->process, 5000), ==, 0);
    g_clear_object (&signaling->process);
  }
  g_clear_pointer (&signaling->url, g_free);
  g_clear_pointer (&signaling->admin_token, g_free);
  g_clear_pointer (&signaling->prefix, g_strfreev);
  g_clear_pointer (&signaling->extra_args, g_strfreev);
  g_clear_pointer (&signaling->ca_file, g_free);
  g_clear_pointer (&signaling->tokens, g_hash_table_unref);
  if (signaling->directory) {
    lx_test_remove_directory (signaling->directory);
    g_clear_pointer (&signaling->directory, g_free);
  }
}

static void
on_process_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

gint
lx_test_wait_for_exit (GSubprocess *process, guint timeout_ms)
{
  gboolean done = FALSE;

  g_subprocess_wait_async (process, NULL, on_process_done, &done);
  if (!lx_test_wait_until (flag_set, &done, timeout_ms)) {
    g_subprocess_force_exit (process);
    lx_test_wait_until (flag_set, &done, 5000);
    return -1;
  }
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

gint
lx_test_stop_process (GSubprocess *process, guint timeout_ms)
{
  if (g_subprocess_get_identifier (process) != NULL)
    g_subprocess_send_signal (process, SIGTERM);
  return lx_test_wait_for_exit (process, timeout_ms);
}

JsonObject *
lx_test_read_json_object (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_mapped_file (parser, path, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

gchar *
lx_test_stats_string (const char *path, const char *member)
{
  g_autoptr (JsonObject) object = lx_test_read_json_object (path);

  if (object == NULL || !json_object_has_member (object, member))
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (object, member, NULL));
}

gboolean
lx_test_stats_string_is (gpointer data)
{
  LxTestStatsString *condition = data;
  g_autofree gchar *value = lx_test_stats_string (condition->path, condition->member);

  return g_strcmp0 (value, condition->value) == 0;
}

gint64
lx_test_stats_int (const char *path, const char *member)
{
  g_autoptr (JsonObject) object = lx_test_read_json_object (path);

  if (object == NULL || !json_object_has_member (object, member))
    return -1;
  return json_object_get_int_member (object, member);
}

typedef struct {
  const char *path;
  const char *member;
  gint64 at_least;
} StatsCondition;

static gboolean
stats_reach (gpointer data)
{
  StatsCondition *condition = data;
  return lx_test_stats_int (condition->path, condition->member) >= condition->at_least;
}

gint64
lx_test_wait_for_stat (const char *path, const char *member, gint64 at_least, guint timeout_ms)
{
  StatsCondition condition = { path, member, at_least };

  if (!lx_test_wait_until (stats_reach, &condition, timeout_ms)) {
    g_autofree gchar *contents = NULL;
    g_file_get_contents (path, &contents, NULL, NULL);
    g_error ("%s: '%s' did not reach %" G_GINT64_FORMAT " within %u ms; last statistics:\n%s", path,
             member, at_least, timeout_ms, contents ? contents : "(none)");
  }
  return lx_test_stats_int (path, member);
}

typedef struct {
  GBytes *body;
  gboolean done;
} Response;

static void
on_response (GObject *source, GAsyncResult *result, gpointer data)
{
  Response *response = data;
  response->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  response->done = TRUE;
}

GBytes *
lx_test_http (SoupSession *session, SoupMessage *message)
{
  Response response = { NULL, FALSE };

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, on_response,
                                    &response);
  g_assert_true (lx_test_wait_until (flag_set, &response.done, 10000));
  return response.body;
}

/* The name of a "name=value" format parameter. */
static gchar *
parameter_name (const char *pair)
{
  return g_strndup (pair, strcspn (pair, "="));
}

gchar *
lx_test_sdp_repeated_parameter (const char *sdp)
{
  g_auto (GStrv) lines = g_strsplit (sdp, "\r\n", -1);

  for (guint i = 0; lines[i]; i++) {
    g_auto (GStrv) pairs = NULL;
    if (!g_str_has_prefix (lines[i], "a=fmtp:") || !strchr (lines[i], ' '))
      continue;
    pairs = g_strsplit (strchr (lines[i], ' ') + 1, ";", -1);
    for (guint a = 0; pairs[a]; a++) {
      g_autofree gchar *name = parameter_name (pairs[a]);
      for (guint b = a + 1; pairs[b]; b++) {
        g_autofree gchar *other = parameter_name (pairs[b]);
        if (g_str_equal (name, other))
          return g_strdup (lines[i]);
      }
    }
  }
  return NULL;
}

gboolean
lx_test_werift_missing (void)
{
  g_autofree gchar *werift =
      g_test_build_filename (G_TEST_DIST, "media-server", "node_modules", "werift", NULL);
  g_autofree gchar *node = g_find_program_in_path ("node");

  if (node == NULL) {
    g_test_skip ("node is not installed (scripts/setup installs it)");
    return TRUE;
  }
  if (!g_file_test (werift, G_FILE_TEST_IS_DIR)) {
    g_test_skip (
        "werift is not installed: run 'npm ci' in tests/media-server (scripts/setup does)");
    return TRUE;
  }
  return FALSE;
}

GBytes *
lx_test_read_png (const char *path, gint *width, gint *height, gint *stride)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) file = NULL, sink = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) end = NULL;
  g_autoptr (GstSample) sample = NULL;
  GstVideoInfo info;
  GBytes *rgb = NULL;

  gst_init (NULL, NULL);
  pipeline = gst_parse_launch ("filesrc name=file ! pngdec ! videoconvert ! "
                               "video/x-raw,format=RGB ! "
                               "fakesink name=sink enable-last-sample=true sync=false",
                               &error);
  g_assert_no_error (error);
  file = gst_bin_get_by_name (GST_BIN (pipeline), "file");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (file, "location", path, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  end = gst_bus_timed_pop_filtered (bus, 5 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (end && GST_MESSAGE_TYPE (end) == GST_MESSAGE_EOS) {
    g_object_get (sink, "last-sample", &sample, NULL);
    if (sample && gst_video_info_from_caps (&info, gst_sample_get_caps (sample))) {
      GstBuffer *buffer = gst_sample_get_buffer (sample);
      gsize size = gst_buffer_get_size (buffer);
      gpointer data = g_malloc (size);
      gst_buffer_extract (buffer, 0, data, size);
      rgb = g_bytes_new_take (data, size);
      *width = GST_VIDEO_INFO_WIDTH (&info);
      *height = GST_VIDEO_INFO_HEIGHT (&info);
      *stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
    }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return rgb;
}

guint
lx_test_count_bright (GBytes *rgb, gint stride, gint x, gint y, gint w, gint h, guint8 level)
{
  const guint8 *data = g_bytes_get_data (rgb, NULL);
  guint bright = 0;

  for (gint row = y; row < y + h; row++)
    for (gint column = x; column < x + w; column++) {
      const guint8 *pixel = data + (gsize) row * (gsize) stride + (gsize) column * 3;
      bright += pixel[0] >= level && pixel[1] >= level && pixel[2] >= level;
    }
  return bright;
}

/* (transfer full) (nullable) The sender's statistics' object for @school. */
static JsonObject *
sender_classroom (const char *sender_stats, const char *school)
{
  g_autoptr (JsonObject) stats = lx_test_read_json_object (sender_stats);
  JsonArray *classrooms;

  if (stats == NULL || !json_object_has_member (stats, "classrooms"))
    return NULL;
  classrooms = json_object_get_array_member (stats, "classrooms");
  for (guint i = 0; i < json_array_get_length (classrooms); i++) {
    JsonObject *classroom = json_array_get_object_element (classrooms, i);
    if (g_strcmp0 (json_object_get_string_member (classroom, "school"), school) == 0)
      return json_object_ref (classroom);
  }
  return NULL;
}

gint64
lx_test_sender_classroom_int (const char *sender_stats, const char *school, const char *member)
{
  g_autoptr (JsonObject) classroom = sender_classroom (sender_stats, school);
  return classroom ? json_object_get_int_member_with_default (classroom, member, -2) : -2;
}

gchar *
lx_test_sender_classroom_string (const char *sender_stats, const char *school, const char *member)
{
  g_autoptr (JsonObject) classroom = sender_classroom (sender_stats, school);
  return classroom ? g_strdup (json_object_get_string_member_with_default (classroom, member, NULL))
                   : NULL;
}

guint16
lx_test_free_port (GSocketType type)
{
  g_autoptr (GSocket) socket = g_socket_new (
      G_SOCKET_FAMILY_IPV4, type,
      type == G_SOCKET_TYPE_STREAM ? G_SOCKET_PROTOCOL_TCP : G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}
