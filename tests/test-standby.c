/* The standby card's text, as a classroom reads it from the back row: today's weekday and date,
 * the school, and the next lesson as "今天 Today", "明天 Tomorrow" or its weekday. */
#include "lx-standby.h"

static void
test_next_lesson_day (void)
{
  const struct {
    const char *start, *expected;
  } rows[] = {
    { "2026-12-07T10:00:00", "下一节课 · Next lesson\n数学\n今天 Today  10:00" },
    { "2026-12-08T08:30:00", "下一节课 · Next lesson\n数学\n明天 Tomorrow  08:30" },
    { "2026-12-10T14:00:00", "下一节课 · Next lesson\n数学\n星期四 Thursday 12-10  14:00" },
    /* across a month and a year */
    { "2027-01-01T09:00:00", "下一节课 · Next lesson\n数学\n星期五 Friday 01-01  09:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autofree gchar *text =
        lx_standby_compose ("新庄小学", "数学", rows[i].start, NULL, "2026-12-07");
    g_assert_true (g_str_has_prefix (text, "星期一 Monday · 2026-12-07\n新庄小学\n\n"));
    g_assert_true (g_str_has_suffix (text, rows[i].expected));
  }
}

static void
test_no_lesson_and_problem (void)
{
  g_autofree gchar *none = lx_standby_compose ("新庄小学", NULL, NULL, NULL, "2026-12-31");
  g_autofree gchar *problem =
      lx_standby_compose ("xinzhuang", NULL, NULL, "wrong token", "2026-12-31");

  g_assert_cmpstr (none, ==,
                   "星期四 Thursday · 2026-12-31\n新庄小学\n\n最近没有课 · No lesson scheduled");
  /* A timetable that could not be read claims no "no lesson": it says what is wrong. */
  g_assert_cmpstr (problem, ==, "星期四 Thursday · 2026-12-31\nxinzhuang\n\nwrong token");
  {
    g_autofree gchar *known = lx_standby_compose ("新庄小学", "数学", "2026-12-31T10:00:00",
                                                  "cannot reach the server", "2026-12-31");
    g_assert_true (g_str_has_suffix (known, "今天 Today  10:00\n(cannot reach the server)"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/standby/next-lesson-day", test_next_lesson_day);
  g_test_add_func ("/standby/no-lesson-and-problem", test_no_lesson_and_problem);
  return g_test_run ();
}
