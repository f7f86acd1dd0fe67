/* The lesson's sound (see lx-lesson-sound.h). */
#include "lx-lesson-sound.h"
#include "lx-capture.h"
#include "lx-encoder.h"
#include "lx-layer-set.h"

/* One format for everything mixed (LX_AUDIO_FORMAT): a new input never makes the mixer change
 * what it puts out (and a refusal there would stop the teacher's own sound). */

/* How long the mixer waits for a classroom's voice, which crosses a network, before it mixes
 * without it: a jitter buffer's worth. The teacher's own sound is that much later in a joint
 * lesson (lip sync allows ~100 ms). */
#define VOICE_WAIT_MS 40

struct _LxLessonSound {
  GstElement *pipeline;
  GstElement *tee;          /* the lesson's encoded sound */
  GstElement *speakers_tee; /* (nullable) without the classrooms' voices */
  GstElement *mixer;        /* (nullable) */
};

/* (transfer none) A new element of @factory in @pipeline, playing with it. */
static GstElement *
add (GstElement *pipeline, const char *factory, const char *name, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "the GStreamer element '%s' is missing", factory);
    return NULL;
  }
  gst_bin_add (GST_BIN (pipeline), element);
  gst_element_sync_state_with_parent (element);
  return element;
}

static gboolean
build_mixed (LxLessonSound *sound, GstElement *capture, const LxSenderConfig *config,
             GError **error)
{
  GstElement *teacher, *to_mixer, *to_speakers, *encoder, *mixed;
  g_autoptr (GstCaps) format = gst_caps_from_string (LX_AUDIO_FORMAT);

  teacher = lx_tee_add_after (sound->pipeline, capture, NULL, "teacher-sound", error);
  if (teacher == NULL)
    return FALSE;
  gst_object_unref (teacher); /* (the pipeline holds it) */
  if ((to_mixer = add (sound->pipeline, "queue", "teacher-to-mixer", error)) == NULL ||
      (to_speakers = add (sound->pipeline, "queue", "teacher-to-speakers", error)) == NULL ||
      (sound->mixer = add (sound->pipeline, "audiomixer", "lesson-mixer", error)) == NULL ||
      (mixed = add (sound->pipeline, "capsfilter", "lesson-mixed", error)) == NULL)
    return FALSE;
  g_object_set (mixed, "caps", format, NULL);
  /* Not "ignore-inactive-pads": a pad is inactive until its first buffer, and when the mixer's
   * first deadline passes before the teacher's first buffer (a busy machine), every pad is
   * inactive, which GStreamer 1.22's audioaggregator takes for the end of every stream: it sends
   * EOS and the lesson has no sound, so no classroom is ever offered. Live, the mixer never waits
   * past its latency for a voice anyway: a silent pad is mixed as silence. */
  g_object_set (sound->mixer, "latency", (guint64) VOICE_WAIT_MS * GST_MSECOND, NULL);
  if (!gst_element_link_many (teacher, to_mixer, sound->mixer, mixed, NULL) ||
      !gst_element_link (teacher, to_speakers)) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "cannot link the teacher's sound to the lesson's mixer");
    return FALSE;
  }
  gst_object_ref (sound->mixer);
  if ((encoder = lx_encoder_audio_new (config, error)) == NULL ||
      (sound->tee = lx_tee_add_after (sound->pipeline, mixed, encoder, "audio-tee", error)) == NULL)
    return FALSE;
  if ((encoder = lx_encoder_audio_new (config, error)) == NULL)
    return FALSE;
  gst_object_set_name (GST_OBJECT (encoder), "speakers-audio-encoder");
  sound->speakers_tee =
      lx_tee_add_after (sound->pipeline, to_speakers, encoder, "speakers-audio-tee", error);
  return sound->speakers_tee != NULL;
}

LxLessonSound *
lx_lesson_sound_new (GstElement *pipeline, GstElement *capture, const LxSenderConfig *config,
                     gboolean joint, GError **error)
{
  LxLessonSound *sound = g_new0 (LxLessonSound, 1);
  GstElement *encoder;

  sound->pipeline = gst_object_ref (pipeline);
  if (joint) {
    if (!build_mixed (sound, capture, config, error)) {
      lx_lesson_sound_free (sound);
      return NULL;
    }
    return sound;
  }
  encoder = lx_encoder_audio_new (config, error);
  if (encoder == NULL ||
      (sound->tee = lx_tee_add_after (pipeline, capture, encoder, "audio-tee", error)) == NULL) {
    lx_lesson_sound_free (sound);
    return NULL;
  }
  return sound;
}

void
lx_lesson_sound_free (LxLessonSound *sound)
{
  if (sound == NULL)
    return;
  gst_clear_object (&sound->tee);
  gst_clear_object (&sound->speakers_tee);
  gst_clear_object (&sound->mixer);
  gst_object_unref (sound->pipeline);
  g_free (sound);
}

GstElement *
lx_lesson_sound_get_tee (LxLessonSound *sound)
{
  return sound->tee;
}

GstElement *
lx_lesson_sound_get_speakers_tee (LxLessonSound *sound)
{
  return sound->speakers_tee;
}

GstPad *
lx_lesson_sound_add_voice (LxLessonSound *sound)
{
  return sound->mixer ? gst_element_request_pad_simple (sound->mixer, "sink_%u") : NULL;
}

void
lx_lesson_sound_remove_voice (LxLessonSound *sound, GstPad *input)
{
  gst_element_release_request_pad (sound->mixer, input);
}
