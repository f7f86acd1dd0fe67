/* The retry waits (lx-backoff) and the lesson lifecycle (lx-lesson-follower) the sender and the
 * receiver share, and the WHIP publication's watchdog: on a fake clock, no timer, no network. */
#include "lx-backoff.h"
#include "lx-lesson-follower.h"
#include "lx-whip-publisher.h"

#include <string.h>

#define S (G_USEC_PER_SEC)

/* Waits double from the first to the last, and a success starts them over. */
static void
test_backoff_doubles_to_the_last (void)
{
  LxBackoff backoff = LX_BACKOFF_INIT (1000, 30000, 0);
  const guint expected[] = { 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (lx_backoff_next_ms (&backoff), ==, expected[i]);
  lx_backoff_reset (&backoff);
  g_assert_cmpuint (lx_backoff_next_ms (&backoff), ==, 1000);
  /* A thousand failures later the wait is still the last one (no overflow). */
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpuint (lx_backoff_next_ms (&backoff), <=, 30000);
  g_assert_cmpuint (lx_backoff_next_ms (&backoff), ==, 30000);
}

/* A fixed wait is a policy whose first and last waits are the same. */
static void
test_backoff_fixed (void)
{
  LxBackoff backoff = LX_BACKOFF_INIT (5000, 5000, 0);

  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (lx_backoff_next_ms (&backoff), ==, 5000);
}

/* Spread waits stay within their share, and really differ: a hundred classrooms come back spread
 * over the window, not in one instant. */
static void
test_backoff_spread (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  guint lowest = G_MAXUINT, highest = 0;

  for (guint classroom = 0; classroom < 100; classroom++) {
    LxBackoff backoff = LX_BACKOFF_INIT (1000, 5000, 25);
    guint wait;
    backoff.rand = rand;
    wait = lx_backoff_next_ms (&backoff);
    g_assert_cmpuint (wait, >=, 750);
    g_assert_cmpuint (wait, <=, 1250);
    lowest = MIN (lowest, wait);
    highest = MAX (highest, wait);
    lx_backoff_next_ms (&backoff);
    lx_backoff_next_ms (&backoff);
    wait = lx_backoff_next_ms (&backoff); /* the fourth: the last, 5 s */
    g_assert_cmpuint (wait, >=, 3750);
    g_assert_cmpuint (wait, <=, 6250);
  }
  g_assert_cmpuint (highest - lowest, >=, 300);
}

/* ---- The lesson lifecycle ---- */

typedef struct {
  GString *calls; /* "join:a leave:a …" */
} Recorder;

static void
record_join (gpointer owner, const char *lesson)
{
  g_string_append_printf (((Recorder *) owner)->calls, "join:%s ", lesson);
}

static void
record_leave (gpointer owner, const char *lesson)
{
  g_string_append_printf (((Recorder *) owner)->calls, "leave:%s ", lesson);
}

static const LxLessonFollowerHandlers handlers = { record_join, record_leave };

/* Returns the calls since the last look. */
static gchar *
take_calls (Recorder *recorder)
{
  gchar *calls = g_strdup (g_strchomp (recorder->calls->str));
  g_string_truncate (recorder->calls, 0);
  return calls;
}

#define ASSERT_CALLS(recorder, expected)                                                           \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_autofree gchar *calls = take_calls (recorder);                                               \
    g_assert_cmpstr (calls, ==, expected);                                                         \
  }                                                                                                \
  G_STMT_END

/* A school day: a lesson starts, another follows at once, a break, then the day is over. Each is
 * joined once, when it starts, and left when it ends. */
static void
test_follower_school_day (void)
{
  Recorder recorder = { g_string_new (NULL) };
  LxLessonFollower *follower = lx_lesson_follower_new (&handlers, &recorder);
  gint64 now = 1000 * S;

  lx_lesson_follower_follow (follower, NULL, now);
  ASSERT_CALLS (&recorder, "");
  for (guint tick = 0; tick < 3; tick++)
    lx_lesson_follower_follow (follower, "maths", now += S);
  ASSERT_CALLS (&recorder, "join:maths");
  g_assert_cmpstr (lx_lesson_follower_get_lesson (follower), ==, "maths");
  lx_lesson_follower_follow (follower, "music", now += S);
  ASSERT_CALLS (&recorder, "leave:maths join:music");
  lx_lesson_follower_follow (follower, NULL, now += S);
  lx_lesson_follower_follow (follower, NULL, now += S);
  ASSERT_CALLS (&recorder, "leave:music");
  g_assert_null (lx_lesson_follower_get_lesson (follower));
  lx_lesson_follower_follow (follower, "art", now += S);
  lx_lesson_follower_free (follower); /* the program stops in the lesson */
  ASSERT_CALLS (&recorder, "join:art leave:art");
  g_string_free (recorder.calls, TRUE);
}

/* A lost connection: the lesson is left, not joined again before the wait is over, then joined
 * again; the waits grow while the server stays away, and start over once a join succeeds. */
static void
test_follower_connection_lost (void)
{
  Recorder recorder = { g_string_new (NULL) };
  LxLessonFollower *follower = lx_lesson_follower_new (&handlers, &recorder);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  gint64 now = 1000 * S, lost_at;
  gint64 waits[3];

  lx_lesson_follower_get_backoff (follower)->rand = rand;
  lx_lesson_follower_follow (follower, "maths", now);
  ASSERT_CALLS (&recorder, "join:maths");
  for (guint failure = 0; failure < 3; failure++) {
    lost_at = now;
    lx_lesson_follower_connection_lost (follower, now);
    ASSERT_CALLS (&recorder, "leave:maths");
    /* Ticks every 100 ms until it joins again. */
    do {
      now += S / 10;
      lx_lesson_follower_follow (follower, "maths", now);
    } while (lx_lesson_follower_get_lesson (follower) == NULL && now - lost_at < 120 * S);
    ASSERT_CALLS (&recorder, "join:maths");
    waits[failure] = now - lost_at;
  }
  g_assert_cmpint (waits[0], >=, 4 * S);
  g_assert_cmpint (waits[0], <=, 6 * S + S / 10);
  g_assert_cmpint (waits[1], >=, 8 * S);
  g_assert_cmpint (waits[2], >=, 16 * S);
  /* Joined: the next loss waits the first wait again. */
  lx_lesson_follower_joined (follower);
  lost_at = now;
  lx_lesson_follower_connection_lost (follower, now);
  do {
    now += S / 10;
    lx_lesson_follower_follow (follower, "maths", now);
  } while (lx_lesson_follower_get_lesson (follower) == NULL);
  g_assert_cmpint (now - lost_at, <=, 6 * S + S / 10);
  /* The lesson over while waiting: nothing is joined, nothing left twice. */
  lx_lesson_follower_connection_lost (follower, now);
  lx_lesson_follower_follow (follower, NULL, now + 60 * S);
  ASSERT_CALLS (&recorder, "leave:maths join:maths leave:maths");
  lx_lesson_follower_free (follower);
  ASSERT_CALLS (&recorder, "");
  g_string_free (recorder.calls, TRUE);
}

/* The WHIP publication's watchdog: a connected publication carries on (and its next failure
 * waits the first wait again); a failed one, one that never comes up within 20 s, and one whose
 * media server fell silent for over 10 s are tried afresh. */
static void
test_publication_watchdog (void)
{
  gboolean up = TRUE;

  g_assert_null (lx_whip_publisher_judge (LX_CLASSROOM_OFFERED, 0, 5, &up));
  g_assert_false (up);
  g_assert_null (lx_whip_publisher_judge (LX_CLASSROOM_CONNECTING, 0, 20, &up));
  g_assert_nonnull (lx_whip_publisher_judge (LX_CLASSROOM_CONNECTING, 0, 21, &up));
  g_assert_nonnull (strstr (lx_whip_publisher_judge (LX_CLASSROOM_FAILED, 0, 1, &up), "failed"));
  g_assert_null (lx_whip_publisher_judge (LX_CLASSROOM_CONNECTED, 10, 3600, &up));
  g_assert_true (up);
  g_assert_nonnull (
      strstr (lx_whip_publisher_judge (LX_CLASSROOM_CONNECTED, 11, 3600, &up), "no RTCP"));
  g_assert_false (up);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/backoff/doubles-to-the-last", test_backoff_doubles_to_the_last);
  g_test_add_func ("/backoff/fixed", test_backoff_fixed);
  g_test_add_func ("/backoff/spread", test_backoff_spread);
  g_test_add_func ("/lesson-follower/school-day", test_follower_school_day);
  g_test_add_func ("/lesson-follower/connection-lost", test_follower_connection_lost);
  g_test_add_func ("/whip-publisher/watchdog", test_publication_watchdog);
  return g_test_run ();
}
