/* The lesson's sound in a joint lesson: the teacher's microphone with the voices of the classrooms
 * called on mixed in, encoded once for every classroom; and for each classroom called on, a mix of
 * its own — the teacher and the other classrooms called on, without its own voice — encoded once
 * more, so that no class hears itself come back and the classes called on hear each other. One
 * encoder per speaker (a few at most), none per listening classroom.
 *
 *   microphone ─▶ tee ─▶ queue ─▶ audiomixer ─▶ opus ─▶ lesson tee ─▶ every classroom
 *                  │                 ▲ ▲
 *                  │                 │ └ a called-on classroom's voice (its tee: here, and ...)
 *                  └─▶ queue ─▶ audiomixer ─▶ opus ─▶ tee ─▶ speaker A  (one a speaker)
 *                                    ▲
 *                                    └ ... the other speakers' voices, not A's
 *
 * In a one-way lesson there is no mixer: microphone ─▶ opus ─▶ lesson tee, as before. Main
 * context. */
#pragma once

#include "lx-sender-config.h"

#include <gst/gst.h>

typedef struct _LxLessonSound LxLessonSound;

/* (transfer full) The lesson's sound from @capture (in @pipeline already), mixed (@joint) or not.
 * NULL with @error when an element is missing or cannot link. */
LxLessonSound *lx_lesson_sound_new (GstElement *pipeline, GstElement *capture,
                                    const LxSenderConfig *config, gboolean joint, GError **error);
void lx_lesson_sound_free (LxLessonSound *sound);

/* (transfer none) The lesson's encoded sound, for every classroom. */
GstElement *lx_lesson_sound_get_tee (LxLessonSound *sound);
/* TRUE in a joint lesson (its sound is mixed; speakers have mixes of their own). */
gboolean lx_lesson_sound_is_mixed (LxLessonSound *sound);

/* (transfer none) The encoded tee of @school's own mix while it is called on (made on the first
 * call); NULL with @error when an element is missing. */
GstElement *lx_lesson_sound_add_speaker (LxLessonSound *sound, const char *school, GError **error);
/* @school is no longer called on: its mix goes (unlink it from the tee first). */
void lx_lesson_sound_remove_speaker (LxLessonSound *sound, const char *school);

/* (transfer full) Where a called-on classroom's decoded voice goes: into the lesson's mixer and
 * the other speakers' mixes. NULL in a one-way lesson. */
GstPad *lx_lesson_sound_add_voice (LxLessonSound *sound, const char *school);
/* The voice linked to @input is no longer in the lesson (unlink it first). */
void lx_lesson_sound_remove_voice (LxLessonSound *sound, GstPad *input);
