/* Which lesson a program is in (see lx-lesson-follower.h). */
#include "lx-lesson-follower.h"

/* After a lost connection: 5 s (± a second, so a hundred classrooms that lost the server together
 * do not knock on its door in the same instant), doubling to a minute while it stays away. */
#define REJOIN_FIRST_MS 5000
#define REJOIN_LAST_MS 60000
#define REJOIN_SPREAD_PERCENT 20

struct _LxLessonFollower {
  LxLessonFollowerHandlers handlers;
  gpointer owner;
  gchar *lesson;       /* (nullable) the lesson joined now */
  gint64 next_join_us; /* monotonic: no join before, after a lost connection */
  LxBackoff rejoin;
};

LxLessonFollower *
lx_lesson_follower_new (const LxLessonFollowerHandlers *handlers, gpointer owner)
{
  LxLessonFollower *follower = g_new0 (LxLessonFollower, 1);

  follower->handlers = *handlers;
  follower->owner = owner;
  follower->rejoin =
      (LxBackoff) LX_BACKOFF_INIT (REJOIN_FIRST_MS, REJOIN_LAST_MS, REJOIN_SPREAD_PERCENT);
  return follower;
}

void
lx_lesson_follower_free (LxLessonFollower *follower)
{
  if (follower == NULL)
    return;
  lx_lesson_follower_leave (follower);
  g_free (follower);
}

void
lx_lesson_follower_leave (LxLessonFollower *follower)
{
  g_autofree gchar *lesson = g_steal_pointer (&follower->lesson);

  if (lesson)
    follower->handlers.leave (follower->owner, lesson);
}

void
lx_lesson_follower_follow (LxLessonFollower *follower, const char *current, gint64 now_us)
{
  if (current == NULL) {
    lx_lesson_follower_leave (follower); /* the lesson is over */
    return;
  }
  if (g_strcmp0 (follower->lesson, current) == 0 || now_us < follower->next_join_us)
    return;
  lx_lesson_follower_leave (follower);
  follower->lesson = g_strdup (current);
  follower->handlers.join (follower->owner, current);
}

void
lx_lesson_follower_connection_lost (LxLessonFollower *follower, gint64 now_us)
{
  lx_lesson_follower_leave (follower);
  follower->next_join_us = now_us + (gint64) lx_backoff_next_ms (&follower->rejoin) * 1000;
}

void
lx_lesson_follower_joined (LxLessonFollower *follower)
{
  lx_backoff_reset (&follower->rejoin);
}

const char *
lx_lesson_follower_get_lesson (LxLessonFollower *follower)
{
  return follower->lesson;
}

LxBackoff *
lx_lesson_follower_get_backoff (LxLessonFollower *follower)
{
  return &follower->rejoin;
}
