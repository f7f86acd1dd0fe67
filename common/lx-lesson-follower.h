/* Which lesson a program is in, for the sender and the receiver alike: one lesson at a time,
 * joined when it is under way (by the timetable, or the one lesson given), left when it is over or
 * another one starts, and joined again a while after a lost connection (the wait grows while the
 * server stays away). The program does the joining and leaving (its signaling client, its media);
 * this decides when. Time is given, never read, so tests drive it with a fake clock. */
#pragma once

#include "lx-backoff.h"

#include <glib.h>

typedef struct {
  /* Join @lesson: make the signaling connection. */
  void (*join) (gpointer owner, const char *lesson);
  /* Leave the lesson joined: drop the signaling connection and every media session. */
  void (*leave) (gpointer owner, const char *lesson);
} LxLessonFollowerHandlers;

typedef struct _LxLessonFollower LxLessonFollower;

LxLessonFollower *lx_lesson_follower_new (const LxLessonFollowerHandlers *handlers, gpointer owner);
/* Leaves the lesson joined, if any. */
void lx_lesson_follower_free (LxLessonFollower *follower);

/* The lesson under way is @current (NULL between lessons) at @now_us (monotonic): joins it, or
 * leaves the one that is over. A lesson is not joined again before the wait after a lost
 * connection is over. */
void lx_lesson_follower_follow (LxLessonFollower *follower, const char *current, gint64 now_us);
/* Leaves the lesson joined, if any (the program stops, or moves on). */
void lx_lesson_follower_leave (LxLessonFollower *follower);
/* The lesson's connection is lost for good: leaves it, and follow() joins again no sooner than
 * the next wait (5 s at first, growing to a minute while failures follow each other). */
void lx_lesson_follower_connection_lost (LxLessonFollower *follower, gint64 now_us);
/* The lesson was joined: the next lost connection waits the first wait again. */
void lx_lesson_follower_joined (LxLessonFollower *follower);

/* (transfer none) (nullable) The lesson joined now. */
const char *lx_lesson_follower_get_lesson (LxLessonFollower *follower);
/* (transfer none) The policy of waits, for tests to seed its spread. */
LxBackoff *lx_lesson_follower_get_backoff (LxLessonFollower *follower);
