/* The lesson's picture: what the teacher shows — the camera, the screen, the screen with the
 * camera in its top-right corner, or a "hold" card (a break) — with a picture of each classroom
 * called on in its bottom-right corner, composed once before the one set of encoders, so that
 * every classroom sees it. Switching source only shows and hides the compositor's inputs: the
 * encoders' input never changes size or format, so nothing is renegotiated.
 *
 *   camera ──▶┐
 *   screen ──▶├─▶ compositor ─▶ I420 at the lesson's size and rate ─▶ the raw tee (encoders)
 *   hold card ▶┤
 *   a called-on classroom's decoded picture (its school's name on it)
 *
 * Without the console, a screen or a joint lesson there is no compositor: camera ─▶ raw tee, as
 * before. Main context. */
#pragma once

#include <gst/gst.h>

typedef struct _LxLessonPicture LxLessonPicture;

typedef enum {
  LX_SOURCE_CAMERA,
  LX_SOURCE_SCREEN,
  LX_SOURCE_SCREEN_CAMERA, /* the screen, the camera small in its top-right corner */
  LX_SOURCE_HOLD,          /* the hold card (the sender mutes the sound with it) */
} LxPictureSource;

const char *lx_picture_source_to_string (LxPictureSource source);
/* FALSE if @text names no source ("camera", "screen", "screen-camera", "hold"). */
gboolean lx_picture_source_from_string (const char *text, LxPictureSource *source);

/* (transfer full) The lesson's picture from @camera and @screen (nullable: none), bins with one
 * "src" pad of raw video in @pipeline already, @width×@height at @fps, with a hold card saying
 * @hold_text; it shows the camera. NULL with @error when an element is missing or cannot link. */
LxLessonPicture *lx_lesson_picture_new (GstElement *pipeline, GstElement *camera,
                                        GstElement *screen, const char *hold_text, gint width,
                                        gint height, gint fps, GError **error);
void lx_lesson_picture_free (LxLessonPicture *picture);

/* Shows @source from the next frame on. FALSE with @error when it needs the screen and there is
 * none. */
gboolean lx_lesson_picture_show (LxLessonPicture *picture, LxPictureSource source, GError **error);
LxPictureSource lx_lesson_picture_get_source (LxLessonPicture *picture);
gboolean lx_lesson_picture_has_screen (LxLessonPicture *picture);
/* Puts @camera (a new capture bin, floating) in place of the camera, which stops and goes. FALSE
 * with @error if it cannot link or start: then there is no camera until another is put in. */
gboolean lx_lesson_picture_replace_camera (LxLessonPicture *picture, GstElement *camera,
                                           GError **error);

/* (transfer none) The element whose output is the composed picture (what the encoders take). */
GstElement *lx_lesson_picture_get_output (LxLessonPicture *picture);

/* (transfer full) An input for a called-on classroom's picture, placed beside the others'; its
 * frames show as they arrive (their own timestamps are the network's). */
GstPad *lx_lesson_picture_add_inset (LxLessonPicture *picture);
/* The picture linked to @input is no longer in the lesson: the input goes, the others move up. */
void lx_lesson_picture_remove_inset (LxLessonPicture *picture, GstPad *input);
guint lx_lesson_picture_count_insets (LxLessonPicture *picture);
