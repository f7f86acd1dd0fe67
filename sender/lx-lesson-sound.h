/* The lesson's sound in a joint lesson: the teacher's microphone with the voices of the classrooms
 * called on mixed in, encoded once for every classroom; and, for the classrooms called on, the
 * teacher's sound without their voices, encoded once more, so that no class hears itself come
 * back (with several called on at once, they hear the teacher but not each other).
 *
 *   microphone ─▶ tee ─▶ queue ─▶ audiomixer ─▶ opus ─▶ lesson tee ─▶ every classroom
 *                  │                 ▲ ▲
 *                  │                 │ └ a called-on classroom's voice
 *                  └─▶ queue ─▶ opus ─▶ speakers' tee ─▶ the classrooms called on
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

/* (transfer none) The lesson's encoded sound, for every classroom; the same without the
 * classrooms' voices, for those called on (NULL in a one-way lesson). */
GstElement *lx_lesson_sound_get_tee (LxLessonSound *sound);
GstElement *lx_lesson_sound_get_speakers_tee (LxLessonSound *sound);

/* (transfer full) A mixer input for a called-on classroom's decoded voice; NULL in a one-way
 * lesson. */
GstPad *lx_lesson_sound_add_voice (LxLessonSound *sound);
/* The voice linked to @input is no longer in the lesson: the input goes. */
void lx_lesson_sound_remove_voice (LxLessonSound *sound, GstPad *input);

/* Mutes the teacher's microphone (the classrooms' voices go on), or not. */
void lx_lesson_sound_set_muted (LxLessonSound *sound, gboolean muted);
gboolean lx_lesson_sound_get_muted (LxLessonSound *sound);
/* The microphone's loudest moment since the last reading, in dBFS (-100: silence), muted or not. */
gdouble lx_lesson_sound_read_meter (LxLessonSound *sound);
/* Puts @microphone (a new capture bin, floating) in place of the microphone, which stops and
 * goes. FALSE with @error if it cannot link or start: then there is none until another is put in. */
gboolean lx_lesson_sound_replace_microphone (LxLessonSound *sound, GstElement *microphone,
                                             GError **error);
