/* lianxiao-ctl against a real lianxiao-signaling: schools and lessons added from the command line
 * (Chinese names included, whatever the locale), clashes and wrong tokens refused with a clear
 * message and exit status 1, bad usage with status 2. */
#include "lx-test-utils.h"

#include <string.h>

#define ADMIN_TOKEN "ctl-test-token-5512"

typedef struct {
  LxTestSignaling signaling;
  gchar *program;
  gchar *server;
  gchar *out, *err; /* of the last command */
  gint status;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  lx_test_signaling_start (&fixture->signaling, ADMIN_TOKEN);
  fixture->program = lx_test_program ("LX_CTL");
  fixture->server = g_strdup_printf ("--server=http://127.0.0.1:%u", fixture->signaling.port);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  lx_test_signaling_stop (&fixture->signaling);
  g_free (fixture->program);
  g_free (fixture->server);
  g_free (fixture->out);
  g_free (fixture->err);
}

/* Runs lianxiao-ctl with @token in its environment and the NULL-terminated arguments. */
static void
run (Fixture *fixture, const char *token, ...)
{
  g_autoptr (GSubprocessLauncher) launcher =
      lx_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  const char *argument;
  va_list args;

  g_ptr_array_add (argv, fixture->program);
  g_ptr_array_add (argv, fixture->server);
  va_start (args, token);
  while ((argument = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) argument);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_setenv (launcher, "LIANXIAO_ADMIN_TOKEN", token, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_pointer (&fixture->out, g_free);
  g_clear_pointer (&fixture->err, g_free);
  g_assert_true (
      g_subprocess_communicate_utf8 (process, NULL, NULL, &fixture->out, &fixture->err, &error));
  g_assert_no_error (error);
  fixture->status = g_subprocess_get_exit_status (process);
}

static void
expect (Fixture *fixture, gint status, const char *in_out, const char *in_err)
{
  if (fixture->status != status || (in_out && !strstr (fixture->out, in_out)) ||
      (in_err && !strstr (fixture->err, in_err)))
    g_error ("expected status %d, '%s' in stdout, '%s' in stderr; got %d:\n%s\n%s", status,
             in_out ? in_out : "", in_err ? in_err : "", fixture->status, fixture->out,
             fixture->err);
}

/* The terminal columns before @text on a line. */
static guint
columns_before (const char *line, const char *text)
{
  const char *found = strstr (line, text);
  guint columns = 0;

  g_assert_nonnull (found);
  for (const char *at = line; at < found; at = g_utf8_next_char (at))
    columns += g_unichar_iswide (g_utf8_get_char (at)) ? 2 : 1;
  return columns;
}

/* Every line of @output holding @text holds it at the same terminal column (two at least). */
static void
assert_column_lines_up (const char *output, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);
  gint column = -1;
  guint rows = 0;

  for (guint i = 0; lines[i]; i++) {
    if (!strstr (lines[i], text))
      continue;
    if (column < 0)
      column = (gint) columns_before (lines[i], text);
    if ((gint) columns_before (lines[i], text) != column)
      g_error ("'%s' is out of line:\n%s", text, output);
    rows++;
  }
  g_assert_cmpuint (rows, >=, 2);
}

static void
test_timetable_from_the_command_line (Fixture *fixture, gconstpointer data)
{
  const char *token;

  run (fixture, ADMIN_TOKEN, "school", "add", "city", "City No.1 Middle School", "--county", "新县",
       NULL);
  expect (fixture, 0, "token: ", NULL);
  token = strstr (fixture->out, "token: ") + strlen ("token: ");
  g_assert_cmpuint (strspn (token, "0123456789abcdef"), ==, 48);
  /* and the link that opens the school's browser classroom, with that token */
  {
    g_autofree gchar *link = g_strdup_printf ("classroom link: http://127.0.0.1:%u/classroom.html"
                                              "#school=city&token=%.48s",
                                              fixture->signaling.port, token);
    expect (fixture, 0, link, NULL);
  }
  run (fixture, ADMIN_TOKEN, "school", "add", "xinzhuang", "新庄小学", "--county", "新县", NULL);
  expect (fixture, 0, "新庄小学", NULL);
  run (fixture, ADMIN_TOKEN, "school", "list", NULL);
  expect (fixture, 0, "City No.1 Middle School", NULL);
  expect (fixture, 0, "名称 NAME", NULL); /* a header row */
  /* The county column starts at the same place on a terminal after a Chinese name as after an
   * English one (a wide character takes two columns). */
  assert_column_lines_up (fixture->out, "新县");

  run (fixture, ADMIN_TOKEN, "lesson", "add", "--title", "数学 七年级", "--teacher", "王老师",
       "--sender", "city", "--receivers", "xinzhuang", "--start", "2026-12-01 10:00", "--end",
       "2026-12-01 10:45", "--weekly-until", "2027-01-12", NULL);
  expect (fixture, 0, "数学 七年级", NULL);

  /* The third Tuesday clashes with it. */
  run (fixture, ADMIN_TOKEN, "lesson", "add", "--title", "Art", "--sender", "xinzhuang",
       "--receivers", "city", "--start", "2026-12-15 10:30", "--end", "2026-12-15 11:00", NULL);
  /* In words, Chinese first, naming the school booked twice; no bare status number. */
  expect (fixture, 1, NULL,
          "lianxiao-ctl: 冲突 · conflict: 时间冲突：新庄小学 (xinzhuang) 在 "
          "2026-12-15 10:30 已经排了第 1 课「数学 七年级」");
  expect (fixture, 1, NULL,
          "clashes with lesson 1 '数学 七年级' at 2026-12-15 10:30 Asia/Shanghai");
  g_assert_null (strstr (fixture->err, "409"));

  /* Dates in another form are answered with the option's own form, before asking the server. */
  run (fixture, ADMIN_TOKEN, "lesson", "add", "--title", "Art", "--sender", "xinzhuang",
       "--receivers", "city", "--start", "12/15 10:30", "--end", "2026-12-15 11:00", NULL);
  expect (fixture, 2, NULL, "--start \"12/15 10:30\" 看不懂：要写成 --start \"YYYY-MM-DD HH:MM\"");
  run (fixture, ADMIN_TOKEN, "lesson", "list", "--day", "2026-13-01", NULL);
  expect (fixture, 2, NULL, "要写成 --day YYYY-MM-DD");
  /* What the server refuses about a date names the option to change. */
  run (fixture, ADMIN_TOKEN, "lesson", "add", "--title", "Art", "--sender", "xinzhuang",
       "--receivers", "city", "--start", "2026-12-16 10:30", "--end", "2026-12-16 10:00", NULL);
  expect (fixture, 1, NULL, "结束时间：要晚于开始时间");
  expect (fixture, 1, NULL, "请改 --end \"YYYY-MM-DD HH:MM\"");

  /* --day shows that day's occurrence of a weekly lesson, with its teacher. */
  run (fixture, ADMIN_TOKEN, "lesson", "list", "--day", "2026-12-22", NULL);
  expect (fixture, 0, "2026-12-22 10:00–10:45", NULL);
  expect (fixture, 0, "王老师", NULL);

  /* lesson edit changes what is given, the rest stays. */
  run (fixture, ADMIN_TOKEN, "lesson", "edit", "1", "--title", "数学 八年级", NULL);
  expect (fixture, 0, "第 1 课已修改 · lesson 1 changed", NULL);
  expect (fixture, 0, "数学 八年级", NULL);
  expect (fixture, 0, "王老师", NULL);
  expect (fixture, 0, "2026-12-01 10:00–10:45", NULL);
  run (fixture, ADMIN_TOKEN, "lesson", "edit", "1", "--start", "2026-12-01 10:15", "--end",
       "2026-12-01 11:00", NULL);
  expect (fixture, 0, "2026-12-01 10:15–11:00", NULL);
  expect (fixture, 0, "数学 八年级", NULL);

  run (fixture, ADMIN_TOKEN, "lesson", "list", "--day", "2026-12-08", NULL);
  expect (fixture, 0, "数学 八年级", NULL);
  run (fixture, ADMIN_TOKEN, "lesson", "list", "--day", "2026-12-09", NULL);
  expect (fixture, 0, NULL, NULL);
  g_assert_cmpstr (fixture->out, ==, "没有课 · no lessons\n");
  run (fixture, ADMIN_TOKEN, "--json", "lesson", "list", "--school", "xinzhuang", NULL);
  expect (fixture, 0, "\"weekly_until\" : \"2027-01-12\"", NULL);

  /* A mistyped school is named, not an empty list. */
  run (fixture, ADMIN_TOKEN, "lesson", "list", "--school", "xinzhaung", NULL);
  expect (fixture, 1, NULL, "找不到 · not found: 没有编号为 xinzhaung 的学校");

  /* A booked school cannot go: the refusal names its lessons. */
  run (fixture, ADMIN_TOKEN, "school", "delete", "xinzhuang", NULL);
  expect (fixture, 1, NULL, "新庄小学 (xinzhuang) 还排在课表里：第 1 课「数学 八年级」");

  run (fixture, ADMIN_TOKEN, "lesson", "delete", "1", NULL);
  expect (fixture, 0, "lesson 1 deleted", NULL);
  run (fixture, ADMIN_TOKEN, "lesson", "list", NULL);
  g_assert_cmpstr (fixture->out, ==, "没有课 · no lessons\n");
}

static void
test_refusals (Fixture *fixture, gconstpointer data)
{
  /* A wrong token and no token are told apart, each saying what to do. */
  run (fixture, "not-the-token", "school", "list", NULL);
  expect (fixture, 1, NULL, "管理令牌不对");
  run (fixture, "", "school", "list", NULL);
  expect (fixture, 1, NULL, "没有管理令牌：请设置环境变量 LIANXIAO_ADMIN_TOKEN");
  run (fixture, ADMIN_TOKEN, "lesson", "add", "--title", "No sender", NULL);
  expect (fixture, 2, NULL, "lesson add needs");
  run (fixture, ADMIN_TOKEN, "dance", NULL);
  expect (fixture, 2, NULL, "expected a command");
  /* --help lists every command with its arguments. */
  run (fixture, ADMIN_TOKEN, "--help", NULL);
  expect (fixture, 0, "school delete ID", NULL);
  expect (fixture, 0, "lesson list [--today | --day YYYY-MM-DD] [--school ID]", NULL);
  expect (fixture, 0, "--start \"YYYY-MM-DD HH:MM\"", NULL);
  expect (fixture, 0, "school show ID", NULL);
  expect (fixture, 0, "school edit ID [--name NAME] [--county NAME]", NULL);
  expect (fixture, 0, "school token ID", NULL);
  expect (fixture, 0, "lesson edit NUMBER", NULL);
  run (fixture, ADMIN_TOKEN, "school", "add", "bad id", "Name", NULL);
  expect (fixture, 1, NULL, "编号：只能用英文字母");
  expect (fixture, 1, NULL, "field 'id'");
}

/* school show, edit and token: what the staff pages do, from the command line. */
static void
test_school_verbs (Fixture *fixture, gconstpointer data)
{
  const char *token;
  g_autofree gchar *first = NULL;

  run (fixture, ADMIN_TOKEN, "school", "add", "shanhou", "山后小学", NULL);
  expect (fixture, 0, "山后小学", NULL);
  first = g_strndup (strstr (fixture->out, "token: ") + strlen ("token: "), 48);
  run (fixture, ADMIN_TOKEN, "school", "show", "shanhou", NULL);
  expect (fixture, 0, "名称 name:      山后小学", NULL);
  expect (fixture, 0, "从未连接 never connected", NULL);
  expect (fixture, 0, "lessons in the next 7 days: 没有 none", NULL);

  run (fixture, ADMIN_TOKEN, "school", "edit", "shanhou", "--name", "山后中心小学", "--county",
       "后县", NULL);
  expect (fixture, 0, "school shanhou changed", NULL);
  run (fixture, ADMIN_TOKEN, "school", "show", "shanhou", NULL);
  expect (fixture, 0, "山后中心小学", NULL);
  expect (fixture, 0, "后县", NULL);
  run (fixture, ADMIN_TOKEN, "school", "edit", "shanhou", NULL);
  expect (fixture, 2, NULL, "--name NAME and/or --county COUNTY");

  run (fixture, ADMIN_TOKEN, "school", "token", "shanhou", NULL);
  expect (fixture, 0, "classroom link: ", NULL);
  token = strstr (fixture->out, "token: ") + strlen ("token: ");
  g_assert_cmpuint (strspn (token, "0123456789abcdef"), ==, 48);
  g_assert_false (g_str_has_prefix (token, first));
  run (fixture, ADMIN_TOKEN, "school", "token", "nosuch", NULL);
  expect (fixture, 1, NULL, "没有编号为 nosuch 的学校");
  run (fixture, ADMIN_TOKEN, "school", "delete", "shanhou", NULL);
  expect (fixture, 0, "school shanhou deleted", NULL);
}

/* What people type after --server: the programs' WebSocket address and a trailing slash work; no
 * scheme gets the suggestion; https:// against a plain server gives up in seconds with a hint. */
static void
test_server_addresses (Fixture *fixture, gconstpointer data)
{
  const char *const forms[] = { "--server=http://127.0.0.1:%u/", "--server=ws://127.0.0.1:%u/ws",
                                "--server= http://127.0.0.1:%u " };
  g_autofree gchar *plain = g_strdup (fixture->server);

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++) {
    g_free (fixture->server);
    fixture->server = g_strdup_printf (forms[i], fixture->signaling.port);
    run (fixture, ADMIN_TOKEN, "school", "list", NULL);
    expect (fixture, 0, NULL, NULL);
  }
  g_free (fixture->server);
  fixture->server = g_strdup_printf ("--server=127.0.0.1:%u", fixture->signaling.port);
  run (fixture, ADMIN_TOKEN, "school", "list", NULL);
  expect (fixture, 2, NULL, "did you mean --server http://127.0.0.1:");
  g_free (fixture->server);
  fixture->server = g_strdup_printf ("--server=https://127.0.0.1:%u", fixture->signaling.port);
  run (fixture, ADMIN_TOKEN, "school", "list", NULL);
  expect (fixture, 1, NULL, "does the server speak https?");
  g_free (fixture->server);
  fixture->server = g_steal_pointer (&plain);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/ctl/timetable", Fixture, NULL, setup, test_timetable_from_the_command_line,
              teardown);
  g_test_add ("/ctl/refusals", Fixture, NULL, setup, test_refusals, teardown);
  g_test_add ("/ctl/school-verbs", Fixture, NULL, setup, test_school_verbs, teardown);
  g_test_add ("/ctl/server-addresses", Fixture, NULL, setup, test_server_addresses, teardown);
  return g_test_run ();
}
