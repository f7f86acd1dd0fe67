/* The lesson's sound (see lx-lesson-sound.h). */
#include "lx-lesson-sound.h"
#include "lx-encoder.h"
#include "lx-layer-set.h"

/* One format for everything mixed: a new input never makes a mixer change what it puts out
 * (and a refusal there would stop the teacher's own sound). */
#define MIXED_FORMAT "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2"

/* How long a mixer waits for a classroom's voice, which crosses a network, before it mixes
 * without it: a jitter buffer's worth. The teacher's own sound is that much later in a joint
 * lesson (lip sync allows ~100 ms). */
#define VOICE_WAIT_MS 40

/* A mixer's input fed from a tee: both request pads, released together. */
typedef struct {
  GstElement *tee, *mixer; /* (not owned) */
  GstPad *tee_pad, *mixer_pad;
} Feed;

/* A called-on classroom's own mix: the teacher and the other speakers, encoded for it alone. */
typedef struct {
  gchar *school;
  GstElement *elements[5]; /* queue (the teacher's) ─▶ audiomixer ─▶ format ─▶ opus ─▶ tee */
  GstPad *teacher_pad; /* the teacher's tee's pad feeding the queue */
} SpeakerMix;

#define MIX_MIXER(mix) ((mix)->elements[1])
#define MIX_TEE(mix) ((mix)->elements[4])

/* A called-on classroom's decoded voice, fanned out to the lesson's mixer and to the other
 * speakers' mixes. */
typedef struct {
  gchar *school;
  GstElement *tee;
  GArray *feeds; /* Feed */
} Voice;

struct _LxLessonSound {
  GstElement *pipeline;
  const LxSenderConfig *config;
  GstElement *tee;     /* the lesson's encoded sound */
  GstElement *teacher; /* (nullable) the teacher's raw sound's tee (a joint lesson) */
  GstElement *mixer;   /* (nullable) the lesson's mixer (a joint lesson) */
  GPtrArray *speakers; /* SpeakerMix* */
  GPtrArray *voices;   /* Voice* */
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

static void
set_up_mixer (GstElement *mixer)
{
  /* Not "ignore-inactive-pads": a pad is inactive until its first buffer, and when the mixer's
   * first deadline passes before the teacher's first buffer (a busy machine), every pad is
   * inactive, which GStreamer 1.22's audioaggregator takes for the end of every stream: it sends
   * EOS and the lesson has no sound, so no classroom is ever offered. Live, the mixer never waits
   * past its latency for a voice anyway: a silent pad is mixed as silence. */
  g_object_set (mixer, "latency", (guint64) VOICE_WAIT_MS * GST_MSECOND, NULL);
}

static gboolean
feed (Feed *feed, GstElement *tee, GstElement *mixer)
{
  feed->tee = tee;
  feed->mixer = mixer;
  feed->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  feed->mixer_pad = gst_element_request_pad_simple (mixer, "sink_%u");
  return gst_pad_link (feed->tee_pad, feed->mixer_pad) == GST_PAD_LINK_OK;
}

/* Unlinked first: the tee's thread then only sees "not linked", which it allows. */
static void
unfeed (Feed *feed)
{
  gst_pad_unlink (feed->tee_pad, feed->mixer_pad);
  gst_element_release_request_pad (feed->tee, feed->tee_pad);
  gst_element_release_request_pad (feed->mixer, feed->mixer_pad);
  gst_clear_object (&feed->tee_pad);
  gst_clear_object (&feed->mixer_pad);
}

static gboolean
build_mixed (LxLessonSound *sound, GstElement *capture, GError **error)
{
  GstElement *to_mixer, *encoder, *mixed;
  g_autoptr (GstCaps) format = gst_caps_from_string (MIXED_FORMAT);

  sound->teacher = lx_tee_add_after (sound->pipeline, capture, NULL, "teacher-sound", error);
  if (sound->teacher == NULL)
    return FALSE;
  if ((to_mixer = add (sound->pipeline, "queue", "teacher-to-mixer", error)) == NULL ||
      (sound->mixer = add (sound->pipeline, "audiomixer", "lesson-mixer", error)) == NULL ||
      (mixed = add (sound->pipeline, "capsfilter", "lesson-mixed", error)) == NULL)
    return FALSE;
  gst_object_ref (sound->mixer);
  g_object_set (mixed, "caps", format, NULL);
  set_up_mixer (sound->mixer);
  if (!gst_element_link_many (sound->teacher, to_mixer, sound->mixer, mixed, NULL)) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "cannot link the teacher's sound to the lesson's mixer");
    return FALSE;
  }
  encoder = lx_encoder_audio_new (sound->config, error);
  sound->tee =
      encoder ? lx_tee_add_after (sound->pipeline, mixed, encoder, "audio-tee", error) : NULL;
  return sound->tee != NULL;
}

LxLessonSound *
lx_lesson_sound_new (GstElement *pipeline, GstElement *capture, const LxSenderConfig *config,
                     gboolean joint, GError **error)
{
  LxLessonSound *sound = g_new0 (LxLessonSound, 1);
  GstElement *encoder;

  sound->pipeline = gst_object_ref (pipeline);
  sound->config = config;
  sound->speakers = g_ptr_array_new ();
  sound->voices = g_ptr_array_new ();
  if (joint) {
    if (!build_mixed (sound, capture, error)) {
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
  /* (the classrooms gave their voices and mixes back before) */
  g_warn_if_fail (sound->speakers->len == 0 && sound->voices->len == 0);
  g_ptr_array_unref (sound->speakers);
  g_ptr_array_unref (sound->voices);
  gst_clear_object (&sound->tee);
  gst_clear_object (&sound->teacher);
  gst_clear_object (&sound->mixer);
  gst_object_unref (sound->pipeline);
  g_free (sound);
}

GstElement *
lx_lesson_sound_get_tee (LxLessonSound *sound)
{
  return sound->tee;
}

gboolean
lx_lesson_sound_is_mixed (LxLessonSound *sound)
{
  return sound->mixer != NULL;
}

static SpeakerMix *
find_speaker (LxLessonSound *sound, const char *school)
{
  for (guint i = 0; i < sound->speakers->len; i++) {
    SpeakerMix *mix = sound->speakers->pdata[i];
    if (g_str_equal (mix->school, school))
      return mix;
  }
  return NULL;
}

static void
speaker_mix_free (LxLessonSound *sound, SpeakerMix *mix)
{
  if (mix->teacher_pad) {
    g_autoptr (GstPad) queue_sink = gst_element_get_static_pad (mix->elements[0], "sink");
    gst_pad_unlink (mix->teacher_pad, queue_sink);
    gst_element_release_request_pad (sound->teacher, mix->teacher_pad);
    gst_clear_object (&mix->teacher_pad);
  }
  for (guint i = 0; i < G_N_ELEMENTS (mix->elements); i++) {
    if (mix->elements[i] == NULL)
      continue;
    gst_element_set_state (mix->elements[i], GST_STATE_NULL);
    gst_bin_remove (GST_BIN (sound->pipeline), mix->elements[i]);
  }
  g_free (mix->school);
  g_free (mix);
}

GstElement *
lx_lesson_sound_add_speaker (LxLessonSound *sound, const char *school, GError **error)
{
  const char *factories[] = { "queue", "audiomixer", "capsfilter", NULL, "tee" };
  g_autoptr (GstCaps) format = gst_caps_from_string (MIXED_FORMAT);
  SpeakerMix *mix = find_speaker (sound, school);
  g_autoptr (GstPad) queue_sink = NULL;

  if (mix)
    return MIX_TEE (mix);
  mix = g_new0 (SpeakerMix, 1);
  mix->school = g_strdup (school);
  for (guint i = 0; i < G_N_ELEMENTS (mix->elements); i++) {
    GstElement *element = factories[i] ? gst_element_factory_make (factories[i], NULL)
                                       : lx_encoder_audio_new (sound->config, error);
    if (element == NULL) {
      if (factories[i])
        g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                     "the GStreamer element '%s' is missing", factories[i]);
      speaker_mix_free (sound, mix);
      return NULL;
    }
    /* (the encoder's own name is the lesson's encoder's: each speaker's is its own) */
    if (factories[i] == NULL) {
      g_autofree gchar *name = g_strdup_printf ("audio-encoder-for-%s", school);
      gst_object_set_name (GST_OBJECT (element), name);
    }
    if (!gst_bin_add (GST_BIN (sound->pipeline), element)) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
                   "cannot add the sound for %s while it speaks", school);
      speaker_mix_free (sound, mix);
      return NULL;
    }
    mix->elements[i] = element;
  }
  g_object_set (mix->elements[2], "caps", format, NULL);
  g_object_set (MIX_TEE (mix), "allow-not-linked", TRUE, NULL);
  set_up_mixer (MIX_MIXER (mix));
  /* Playing before the teacher's tee feeds it (a flushing pad would answer with an error). */
  for (guint i = 0; i < G_N_ELEMENTS (mix->elements); i++)
    gst_element_sync_state_with_parent (mix->elements[i]);
  mix->teacher_pad = gst_element_request_pad_simple (sound->teacher, "src_%u");
  queue_sink = gst_element_get_static_pad (mix->elements[0], "sink");
  if (!gst_element_link_many (mix->elements[0], mix->elements[1], mix->elements[2],
                              mix->elements[3], mix->elements[4], NULL) ||
      gst_pad_link (mix->teacher_pad, queue_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                 "cannot build the sound for %s while it speaks", school);
    speaker_mix_free (sound, mix);
    return NULL;
  }
  g_ptr_array_add (sound->speakers, mix);
  /* It hears the others called on, not itself. */
  for (guint i = 0; i < sound->voices->len; i++) {
    Voice *voice = sound->voices->pdata[i];
    Feed link;
    if (g_str_equal (voice->school, school))
      continue;
    if (feed (&link, voice->tee, MIX_MIXER (mix)))
      g_array_append_val (voice->feeds, link);
    else
      unfeed (&link);
  }
  return MIX_TEE (mix);
}

void
lx_lesson_sound_remove_speaker (LxLessonSound *sound, const char *school)
{
  SpeakerMix *mix = find_speaker (sound, school);

  if (mix == NULL)
    return;
  /* The others' voices leave its mixer first. */
  for (guint i = 0; i < sound->voices->len; i++) {
    Voice *voice = sound->voices->pdata[i];
    for (guint j = voice->feeds->len; j-- > 0;) {
      Feed *link = &g_array_index (voice->feeds, Feed, j);
      if (link->mixer != MIX_MIXER (mix))
        continue;
      unfeed (link);
      g_array_remove_index (voice->feeds, j);
    }
  }
  g_ptr_array_remove (sound->speakers, mix);
  speaker_mix_free (sound, mix);
}

GstPad *
lx_lesson_sound_add_voice (LxLessonSound *sound, const char *school)
{
  Voice *voice;

  if (sound->mixer == NULL)
    return NULL;
  voice = g_new0 (Voice, 1);
  voice->school = g_strdup (school);
  voice->feeds = g_array_new (FALSE, TRUE, sizeof (Feed));
  voice->tee = gst_element_factory_make ("tee", NULL);
  g_object_set (voice->tee, "allow-not-linked", TRUE, NULL);
  gst_bin_add (GST_BIN (sound->pipeline), voice->tee);
  gst_element_sync_state_with_parent (voice->tee);
  g_ptr_array_add (sound->voices, voice);
  /* Into the lesson's mixer, and every other speaker's. */
  {
    Feed link;
    if (feed (&link, voice->tee, sound->mixer))
      g_array_append_val (voice->feeds, link);
    else
      unfeed (&link);
  }
  for (guint i = 0; i < sound->speakers->len; i++) {
    SpeakerMix *mix = sound->speakers->pdata[i];
    Feed link;
    if (g_str_equal (mix->school, school))
      continue;
    if (feed (&link, voice->tee, MIX_MIXER (mix)))
      g_array_append_val (voice->feeds, link);
    else
      unfeed (&link);
  }
  return gst_element_get_static_pad (voice->tee, "sink");
}

void
lx_lesson_sound_remove_voice (LxLessonSound *sound, GstPad *input)
{
  for (guint i = 0; i < sound->voices->len; i++) {
    Voice *voice = sound->voices->pdata[i];
    if (GST_PAD_PARENT (input) != GST_ELEMENT (voice->tee))
      continue;
    for (guint j = 0; j < voice->feeds->len; j++)
      unfeed (&g_array_index (voice->feeds, Feed, j));
    g_array_unref (voice->feeds);
    gst_element_set_state (voice->tee, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (sound->pipeline), voice->tee);
    g_ptr_array_remove_index (sound->voices, i);
    g_free (voice->school);
    g_free (voice);
    return;
  }
}
