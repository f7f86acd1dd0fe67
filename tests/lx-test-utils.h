/* Helpers shared by the tests: waiting with a deadline, starting the real programs, reading their
 * statistics files. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef gboolean (*LxTestCondition) (gpointer data);

/* Iterates the thread-default main context until @condition holds or @timeout_ms pass. Returns
 * whether it held. Never sleeps blindly: each iteration waits for an event or a 10 ms tick. */
gboolean lx_test_wait_until (LxTestCondition condition, gpointer data, guint timeout_ms);

/* Iterates the main context for @ms milliseconds (for observing that something keeps going). */
void lx_test_run_for (guint ms);

/* (transfer full) Path of a program built by meson, from the environment variable @variable that
 * tests/meson.build sets (LX_SIGNALING, LX_SENDER, LX_RECEIVER). */
gchar *lx_test_program (const char *variable);

/* A real lianxiao-signaling on 127.0.0.1 with a free port. */
typedef struct {
  GSubprocess *process;
  guint port;
  gchar *url;       /* ws://127.0.0.1:PORT/ws */
  gchar *directory; /* holds its database; removed when it stops */
  gchar *admin_token;
  gchar **prefix;       /* (nullable) what the command runs under (ip netns exec NS) */
  gchar **extra_args;   /* (nullable) more options for it */
  gboolean tls;         /* https:// and wss:// */
  gchar *ca_file;       /* (nullable) with tls: what REST requests trust */
  gboolean booked_only; /* as in production: only lessons booked through the API are joined */
  GHashTable *tokens;   /* (nullable) school → token, of the schools the test registered */
} LxTestSignaling;

/* Starts lianxiao-signaling as production runs it: only booked lessons, each school with its own
 * token, the REST API open to LX_TEST_ADMIN_TOKEN; @extra_args (nullable): more options. Book
 * with lx_test_book(). */
#define LX_TEST_ADMIN_TOKEN "test-admin-token-0123456789abcdef"
void lx_test_signaling_start_booked (LxTestSignaling *signaling, const char *const *extra_args);
/* Registers each school in @schools not registered yet (through the REST API), and books a lesson
 * now (from five minutes ago, for three hours) taught by @sender to @receivers. Returns the lesson
 * id to join with (owned by @signaling's hash of tokens: valid until it stops). */
const char *lx_test_book (LxTestSignaling *signaling, const char *title, const char *sender,
                          const char *const *receivers);
/* Starts @program (LX_SENDER or LX_RECEIVER: the variable naming it) in @lesson as @school with
 * its token, through @signaling's server, ICE on 127.0.0.1 only, with @options (NULL-terminated)
 * after; its output goes to @log. */
GSubprocess *lx_test_start_in_lesson (LxTestSignaling *signaling, const char *program,
                                      const char *lesson, const char *school, const char *log,
                                      const char *const *options);
/* The same with more @flags (G_SUBPROCESS_FLAGS_STDIN_PIPE: commands on its standard input). */
GSubprocess *lx_test_start_in_lesson_with_flags (LxTestSignaling *signaling, const char *program,
                                                 const char *lesson, const char *school,
                                                 const char *log, const char *const *options,
                                                 GSubprocessFlags flags);
/* (transfer none) The token of @school, registered by lx_test_book(). Fails the test if none. */
const char *lx_test_token (LxTestSignaling *signaling, const char *school);
/* An admin request to the REST API (@path under /api/v1/, @json the body or NULL); returns the
 * HTTP status and (transfer full) (optional) the JSON answer. */
guint lx_test_api (LxTestSignaling *signaling, const char *method, const char *path,
                   const char *json, JsonNode **answer);
/* The same with @token (NULL: none) instead of the admin token. */
guint lx_test_api_as (LxTestSignaling *signaling, const char *token, const char *method,
                      const char *path, const char *json, JsonNode **answer);

/* Starts lianxiao-signaling --port 0, with a database in a new temporary folder, only booked
 * lessons (as production) and the REST API open to @admin_token (NULL: API off), and reads the
 * port it prints. Fails the test if it cannot. */
void lx_test_signaling_start (LxTestSignaling *signaling, const char *admin_token);
/* Moves a running server, database and all, under @prefix (e.g. ip netns exec NS), listening on
 * every address of that network namespace on the same port: book through the REST API first,
 * while the test can still reach it on 127.0.0.1. Its exit status is checked on the way. */
void lx_test_signaling_move_under (LxTestSignaling *signaling, const char *const *prefix);
/* A server that lets clients open lessons nobody booked (--allow-unbooked-lessons), with more
 * options (@extra, NULL-terminated): for the protocol soak, whose test clients speak the protocol
 * by hand in hundreds of throwaway lessons; every test of the real programs books its lessons. */
void lx_test_signaling_start_unbooked (LxTestSignaling *signaling, const char *admin_token,
                                       const char *const *extra);
/* Starts it booked, as lx_test_signaling_start_booked(), serving https:// and wss:// with
 * @certificate (self-signed: also the CA file the REST requests trust) and @key (PEM files); url
 * is wss://. */
void lx_test_signaling_start_tls (LxTestSignaling *signaling, const char *certificate,
                                  const char *key);

/* Makes a self-signed certificate for 127.0.0.1 and localhost in @directory, returning the paths
 * of the certificate and its key (transfer full); FALSE, after g_test_skip(), without openssl. */
gboolean lx_test_make_certificate (const char *directory, gchar **certificate, gchar **key);

/* Kills the server at once (SIGKILL: no goodbye to anyone) and keeps its database. */
void lx_test_signaling_kill (LxTestSignaling *signaling);
/* Starts it again on the same port with the same database. */
void lx_test_signaling_restart (LxTestSignaling *signaling);
void lx_test_signaling_stop (LxTestSignaling *signaling);

/* (transfer full) A launcher whose processes are killed if the test process dies (a failed test
 * aborts at once, and its programs must not outlive it). */
GSubprocessLauncher *lx_test_launcher_new (GSubprocessFlags flags);

/* (transfer full) Starts @argv (NULL-terminated) with stdout and stderr going to @log_path. */
GSubprocess *lx_test_spawn (const char *log_path, const char *const *argv);
GSubprocess *lx_test_spawn_with_flags (const char *log_path, const char *const *argv,
                                       GSubprocessFlags flags);
/* The same, with @prefix (NULL-terminated, nullable) put in front of @argv. */
GSubprocess *lx_test_spawn_under (const char *const *prefix, const char *log_path,
                                  const char *const *argv);

/* Waits up to @timeout_ms for the process to exit by itself; kills it after that. Returns the exit
 * status, or -1 if it had to be killed (or died of a signal). */
gint lx_test_wait_for_exit (GSubprocess *process, guint timeout_ms);

/* Sends SIGTERM and waits up to @timeout_ms for the process to exit; kills it after that. Returns
 * the exit status, or -1 if it had to be killed. */
gint lx_test_stop_process (GSubprocess *process, guint timeout_ms);

/* (transfer full) The JSON object in @path, or NULL when the file is missing or incomplete. */
JsonObject *lx_test_read_json_object (const char *path);

/* Sends @message on @session, iterating the main context until the answer (a server on this
 * thread keeps working meanwhile), and returns (transfer full) the body, or NULL on failure. */
GBytes *lx_test_http (SoupSession *session, SoupMessage *message);

/* Removes @path and the files in it (not recursive). */
void lx_test_remove_directory (const char *path);
/* A free port on 127.0.0.1 for @type (TCP or UDP): bound, then let go for a program to take. */
guint16 lx_test_free_port (GSocketType type);

/* (transfer full) A string member of the statistics file @path, or NULL when unavailable. */
gchar *lx_test_stats_string (const char *path, const char *member);
/* A condition for lx_test_wait_until(): the string @member of the statistics file @path is
 * @value. */
typedef struct {
  const char *path;
  const char *member;
  const char *value;
} LxTestStatsString;
gboolean lx_test_stats_string_is (gpointer condition);

/* An integer member of the sender's view of @school in its statistics file @sender_stats (its
 * "classrooms"), or -2 when unavailable. */
gint64 lx_test_sender_classroom_int (const char *sender_stats, const char *school,
                                     const char *member);
/* (transfer full) (nullable) The same for a string member. */
gchar *lx_test_sender_classroom_string (const char *sender_stats, const char *school,
                                        const char *member);

/* An integer member of the statistics file @path, or -1 when unavailable. */
gint64 lx_test_stats_int (const char *path, const char *member);

/* Waits until @member in the statistics file @path reaches @at_least and returns its value; fails
 * the test, showing the file, if it does not within @timeout_ms. */
gint64 lx_test_wait_for_stat (const char *path, const char *member, gint64 at_least,
                              guint timeout_ms);

/* (transfer full) (nullable) The first a=fmtp line of @sdp that names one format parameter twice
 * (a strict parser refuses such a line), or NULL. */
gchar *lx_test_sdp_repeated_parameter (const char *sdp);

/* TRUE, after g_test_skip() with the reason, where node or werift (tests/media-server, an
 * independent WebRTC stack: the media server and the WHEP players) is missing. */
gboolean lx_test_werift_missing (void);

/* (transfer full) The PNG picture @path as packed RGB (3 bytes a pixel, rows of *@stride bytes),
 * decoded by GStreamer; NULL if it cannot be read. */
GBytes *lx_test_read_png (const char *path, gint *width, gint *height, gint *stride);
/* How many pixels of the RGB picture in the rectangle (@x, @y, @w, @h) have all three channels
 * at or above @level. */
guint lx_test_count_bright (GBytes *rgb, gint stride, gint x, gint y, gint w, gint h, guint8 level);
G_END_DECLS
