/* The lesson's picture in a joint lesson: the teacher's camera, with a larger picture of each
 * classroom called on in its bottom-right corner, composed once before the one set of encoders,
 * so that every classroom sees who asks.
 *
 *   camera ─▶ compositor ─▶ I420 at the camera's size and rate ─▶ the raw tee (encoders)
 *                 ▲
 *                 └ a called-on classroom's decoded picture (its school's name on it)
 *
 * A one-way lesson has no compositor: camera ─▶ raw tee, as before. Main context. */
#pragma once

#include <gst/gst.h>

typedef struct _LxLessonPicture LxLessonPicture;

/* (transfer full) The lesson's picture from @capture (in @pipeline already), @width×@height at
 * @fps; NULL with @error when an element is missing or cannot link. */
LxLessonPicture *lx_lesson_picture_new (GstElement *pipeline, GstElement *capture, gint width,
                                        gint height, gint fps, GError **error);
void lx_lesson_picture_free (LxLessonPicture *picture);

/* (transfer none) The element whose output is the composed picture (what the encoders take). */
GstElement *lx_lesson_picture_get_output (LxLessonPicture *picture);

/* (transfer full) An input for a called-on classroom's picture, placed beside the others'; its
 * frames show as they arrive (their own timestamps are the network's). */
GstPad *lx_lesson_picture_add_inset (LxLessonPicture *picture);
/* The picture linked to @input is no longer in the lesson: the input goes, the others move up. */
void lx_lesson_picture_remove_inset (LxLessonPicture *picture, GstPad *input);
guint lx_lesson_picture_count_insets (LxLessonPicture *picture);
