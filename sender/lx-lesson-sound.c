/* The lesson's sound (see lx-lesson-sound.h). */
#include "lx-lesson-sound.h"
#include "lx-capture.h"
#include "lx-encoder.h"
#include "lx-layer-set.h"
#include "lx-pads.h"

#include <math.h>

/* One format for everything mixed (LX_AUDIO_FORMAT): a new input never makes the mixer change
 * what it puts out (and a refusal there would stop the teacher's own sound). */

/* How long the mixer waits for a classroom's voice, which crosses a network, before it mixes
 * without it: a jitter buffer's worth. The teacher's own sound is that much later in a joint
 * lesson (lip sync allows ~100 ms). */
#define VOICE_WAIT_MS 40

struct _LxLessonSound {
  GstElement *pipeline;
  GstElement *microphone; /* the capture bin (the pipeline holds it) */
  GstElement *volume;     /* mutes the teacher's microphone */
  gint peak;              /* the loudest sample since the meter was last read (0..32768); atomic */
  GstElement *tee;        /* the lesson's encoded sound */
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

/* (streaming thread) The sound meter: the loudest sample of the microphone (before muting, so
 * that a teacher can check the microphone while it is muted). */
static GstPadProbeReturn
measure_peak (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxLessonSound *sound = data;
  GstMapInfo map;
  gint peak = 0;

  if (!gst_buffer_map (GST_PAD_PROBE_INFO_BUFFER (info), &map, GST_MAP_READ))
    return GST_PAD_PROBE_OK;
  for (gsize i = 0; i < map.size / 2; i++)
    peak = MAX (peak, ABS ((gint) ((gint16 *) map.data)[i]));
  gst_buffer_unmap (GST_PAD_PROBE_INFO_BUFFER (info), &map);
  /* (a larger peak wins over one read at the same time: at worst one buffer's is lost) */
  if (peak > g_atomic_int_get (&sound->peak))
    g_atomic_int_set (&sound->peak, peak);
  return GST_PAD_PROBE_OK;
}

/* (transfer none) The volume element after @capture, with the meter on its input. */
static GstElement *
add_teacher_controls (LxLessonSound *sound, GstElement *capture, GError **error)
{
  g_autoptr (GstPad) input = NULL;

  sound->volume = add (sound->pipeline, "volume", "teacher-volume", error);
  if (sound->volume == NULL)
    return NULL;
  if (!gst_element_link (capture, sound->volume)) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "cannot link the teacher's microphone");
    return NULL;
  }
  input = gst_element_get_static_pad (sound->volume, "sink");
  gst_pad_add_probe (input, GST_PAD_PROBE_TYPE_BUFFER, measure_peak, sound, NULL);
  return sound->volume;
}

LxLessonSound *
lx_lesson_sound_new (GstElement *pipeline, GstElement *capture, const LxSenderConfig *config,
                     gboolean joint, GError **error)
{
  LxLessonSound *sound = g_new0 (LxLessonSound, 1);
  GstElement *encoder;

  sound->pipeline = gst_object_ref (pipeline);
  sound->microphone = capture;
  capture = add_teacher_controls (sound, capture, error);
  if (capture == NULL) {
    lx_lesson_sound_free (sound);
    return NULL;
  }
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

void
lx_lesson_sound_set_muted (LxLessonSound *sound, gboolean muted)
{
  g_object_set (sound->volume, "mute", muted, NULL);
}

gboolean
lx_lesson_sound_get_muted (LxLessonSound *sound)
{
  gboolean muted;

  g_object_get (sound->volume, "mute", &muted, NULL);
  return muted;
}

gdouble
lx_lesson_sound_read_meter (LxLessonSound *sound)
{
  gint peak = g_atomic_int_and (&sound->peak, 0);

  return peak > 0 ? 20 * log10 (peak / 32768.0) : -100;
}

gboolean
lx_lesson_sound_replace_microphone (LxLessonSound *sound, GstElement *microphone, GError **error)
{
  g_autoptr (GstPad) input = gst_element_get_static_pad (sound->volume, "sink");

  return lx_capture_replace (sound->pipeline, &sound->microphone, microphone, input, error);
}
