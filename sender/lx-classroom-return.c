/* A classroom's picture and voice back to the teacher in a joint lesson (docs/protocol.md): our
 * offer receives them on m-lines of their own (recvonly, after the lesson's), and what arrives is
 * decoded here — the picture, with the school's name on it, to its tile of the teacher's wall; the
 * voice counted and, called on, mixed into the lesson (lx-lesson-sound.h). A classroom without a
 * camera or microphone answers those m-lines inactive and sends nothing. Main context, but for
 * the pad probes. */
#include "lx-classroom-private.h"
#include "lx-packet-probe.h"

/* Payload types of their own in the bundle: webrtcbin numbers the lesson's streams and their
 * repair streams from 96 up. */
#define RETURN_VIDEO_PAYLOAD_TYPE 120
#define RETURN_AUDIO_PAYLOAD_TYPE 121

static void
ask_for (LxClassroom *classroom, const char *caps_text)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string (caps_text);
  GstWebRTCRTPTransceiver *transceiver = NULL;

  g_signal_emit_by_name (classroom->webrtc, "add-transceiver",
                         GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &transceiver);
  gst_clear_object (&transceiver);
}

typedef struct {
  LxClassroom *classroom;
  GstPad *pad;
  gulong drop_probe; /* what arrives before the stream is linked goes nowhere, quietly */
} ArrivedStream;

/* (streaming thread) An unlinked pad would stop the classroom's whole receiving thread. */
static GstPadProbeReturn
drop_until_linked (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  return GST_PAD_PROBE_DROP;
}

static void
arrived_stream_free (gpointer data)
{
  ArrivedStream *arrived = data;

  lx_classroom_unref (arrived->classroom);
  gst_object_unref (arrived->pad);
  g_free (arrived);
}

/* (transfer floating) What decodes a return stream: RTP in ("sink"), raw out — the picture with
 * the school's name on "src" (the wall's) and from the tee "picture" (the lesson's, called on),
 * the voice at 48 kHz from the tee "voice". One decoding thread: a 320x180 picture needs no
 * more (libav's default is one a core, each a thread more per classroom). */
static GstElement *
decoder_bin (LxClassroom *classroom, gboolean video, GError **error)
{
  g_autofree gchar *description =
      video ? g_strdup_printf ("rtph264depay name=first request-keyframe=true ! "
                               "avdec_h264 name=decoder max-threads=1 ! videoconvert ! "
                               "textoverlay name=label valignment=top halignment=left "
                               "font-desc=\"Sans 14\" shaded-background=true ! "
                               "tee name=picture allow-not-linked=true ! "
                               "queue name=last max-size-buffers=2 leaky=downstream")
            : g_strdup ("rtpopusdepay name=first ! opusdec name=decoder plc=true ! audioconvert ! "
                        "audioresample ! audio/x-raw,format=S16LE,layout=interleaved,rate=48000,"
                        "channels=2 ! tee name=voice allow-not-linked=true");
  /* (ghosted by hand: the parser would ghost the text overlay's text pad as well) */
  GstElement *bin = gst_parse_bin_from_description (description, FALSE, error);
  g_autoptr (GstElement) first = NULL;
  g_autoptr (GstPad) first_sink = NULL;

  if (bin == NULL)
    return NULL;
  first = gst_bin_get_by_name (GST_BIN (bin), "first");
  first_sink = gst_element_get_static_pad (first, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", first_sink));
  if (video) {
    g_autoptr (GstElement) last = gst_bin_get_by_name (GST_BIN (bin), "last");
    g_autoptr (GstPad) last_src = gst_element_get_static_pad (last, "src");
    gst_element_add_pad (bin, gst_ghost_pad_new ("src", last_src));
  }
  if (video) {
    g_autoptr (GstElement) label = gst_bin_get_by_name (GST_BIN (bin), "label");
    g_object_set (label, "text", classroom->school, NULL);
  }
  return bin;
}

/* Opens @outlet (see LxReturnOutlet) from @decoder's tee @tee_name to @input (transfer full). */
static gboolean
open_outlet (LxClassroom *classroom, GstElement *decoder, const char *tee_name, gboolean queued,
             LxReturnOutlet *outlet, GstPad *input)
{
  g_autoptr (GstElement) tee = gst_bin_get_by_name (GST_BIN (decoder), tee_name);
  g_autoptr (GstPad) out = NULL;

  outlet->input = input;
  outlet->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  if (queued) {
    g_autoptr (GstPad) queue_sink = NULL;
    outlet->queue = gst_element_factory_make ("queue", NULL);
    g_object_set (outlet->queue, "max-size-buffers", 2, "max-size-bytes", 0, "max-size-time",
                  (guint64) 0, "leaky", 2 /* downstream: the oldest goes */, NULL);
    gst_bin_add (GST_BIN (decoder), outlet->queue);
    /* Playing before the tee feeds it: a flushing pad would answer the decoder's push with an
     * error, and stop the classroom's picture. */
    gst_element_sync_state_with_parent (outlet->queue);
    queue_sink = gst_element_get_static_pad (outlet->queue, "sink");
    gst_pad_link (outlet->tee_pad, queue_sink);
    out = gst_element_get_static_pad (outlet->queue, "src");
  } else {
    out = gst_object_ref (outlet->tee_pad);
  }
  outlet->inner = gst_ghost_pad_new (NULL, out);
  gst_pad_set_active (outlet->inner, TRUE);
  gst_element_add_pad (decoder, outlet->inner);
  outlet->outer = gst_ghost_pad_new (NULL, outlet->inner);
  gst_pad_set_active (outlet->outer, TRUE);
  gst_element_add_pad (classroom->bin, outlet->outer);
  return gst_pad_link (outlet->outer, outlet->input) == GST_PAD_LINK_OK;
}

/* Closes @outlet; its input is the caller's to give back (transfer full: returned). */
static GstPad *
close_outlet (LxClassroom *classroom, GstElement *decoder, const char *tee_name,
              LxReturnOutlet *outlet)
{
  g_autoptr (GstElement) tee = gst_bin_get_by_name (GST_BIN (decoder), tee_name);

  /* Unlinked first, then off the tee, then stopped: the decoder's thread, pushing into the tee
   * meanwhile, only ever sees "not linked" from this branch, which the tee allows (a flushing
   * queue would stop the decoder, and the classroom's picture on the wall with it). */
  gst_pad_unlink (outlet->outer, outlet->input);
  gst_element_release_request_pad (tee, outlet->tee_pad);
  gst_clear_object (&outlet->tee_pad);
  if (outlet->queue) {
    gst_element_set_state (outlet->queue, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (decoder), outlet->queue);
    outlet->queue = NULL;
  }
  gst_element_remove_pad (classroom->bin, g_steal_pointer (&outlet->outer));
  gst_element_remove_pad (decoder, g_steal_pointer (&outlet->inner));
  return g_steal_pointer (&outlet->input);
}

/* The classroom's decoded voice into the lesson's mixer, its picture into the lesson's picture
 * (each once it arrives). */
static void
connect_voice (LxClassroom *classroom)
{
  if (classroom->voice.tee_pad || classroom->return_audio == NULL ||
      classroom->context.sound == NULL)
    return;
  if (!open_outlet (classroom, classroom->return_audio, "voice", FALSE, &classroom->voice,
                    lx_lesson_sound_add_voice (classroom->context.sound)))
    g_warning ("classroom %s: its voice cannot go into the lesson", classroom->school);
  else
    g_message ("classroom %s: its voice is in the lesson", classroom->school);
}

static void
connect_picture (LxClassroom *classroom)
{
  if (classroom->inset.tee_pad || classroom->return_video == NULL ||
      classroom->context.picture == NULL)
    return;
  if (!open_outlet (classroom, classroom->return_video, "picture", TRUE, &classroom->inset,
                    lx_lesson_picture_add_inset (classroom->context.picture)))
    g_warning ("classroom %s: its picture cannot go into the lesson", classroom->school);
  else
    g_message ("classroom %s: its picture is in the lesson", classroom->school);
}

static void
disconnect_voice (LxClassroom *classroom)
{
  g_autoptr (GstPad) input = NULL;

  if (classroom->voice.tee_pad == NULL)
    return;
  input = close_outlet (classroom, classroom->return_audio, "voice", &classroom->voice);
  lx_lesson_sound_remove_voice (classroom->context.sound, input);
  g_message ("classroom %s: its voice is out of the lesson", classroom->school);
}

static void
disconnect_picture (LxClassroom *classroom)
{
  g_autoptr (GstPad) input = NULL;

  if (classroom->inset.tee_pad == NULL)
    return;
  input = close_outlet (classroom, classroom->return_video, "picture", &classroom->inset);
  lx_lesson_picture_remove_inset (classroom->context.picture, input);
  g_message ("classroom %s: its picture is out of the lesson", classroom->school);
}

void
lx_classroom_set_speaking (LxClassroom *classroom, gboolean speaking)
{
  if (speaking == classroom->speaking || classroom->sound_selector == NULL)
    return;
  classroom->speaking = speaking;
  if (speaking && classroom->speakers_sound_pad == NULL) {
    GstElement *speakers_tee = lx_lesson_sound_get_speakers_tee (classroom->context.sound);
    GstPad *ghost;
    classroom->speakers_sound_pad =
        gst_element_request_pad_simple (classroom->sound_selector, "sink_%u");
    ghost = gst_ghost_pad_new (NULL, classroom->speakers_sound_pad);
    gst_pad_set_active (ghost, TRUE);
    gst_element_add_pad (classroom->bin, ghost);
    classroom->speakers_tee_pad = gst_element_request_pad_simple (speakers_tee, "src_%u");
    gst_pad_link (classroom->speakers_tee_pad, ghost);
  }
  /* It hears the lesson without its own voice while it speaks. */
  g_object_set (classroom->sound_selector, "active-pad",
                speaking ? classroom->speakers_sound_pad : classroom->lesson_sound_pad, NULL);
  if (speaking) {
    connect_voice (classroom);
    connect_picture (classroom);
  } else {
    disconnect_voice (classroom);
    disconnect_picture (classroom);
  }
}

static gboolean
link_arrived_stream (gpointer data)
{
  ArrivedStream *arrived = data;
  LxClassroom *classroom = arrived->classroom;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (arrived->pad);
  const GstStructure *structure = caps ? gst_caps_get_structure (caps, 0) : NULL;
  gboolean video =
      structure && g_strcmp0 (gst_structure_get_string (structure, "media"), "video") == 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) decoder = NULL;
  g_autoptr (GstPad) sink = NULL;
  GstPadLinkReturn link;
  GstElement *bin;

  if (lx_classroom_get_state (classroom) == LX_CLASSROOM_CLOSED)
    return G_SOURCE_REMOVE;
  if (video ? classroom->return_video != NULL : classroom->return_audio != NULL) {
    g_message ("classroom %s: a second %s stream from it, left aside", classroom->school,
               video ? "picture" : "voice");
    return G_SOURCE_REMOVE;
  }
  bin = decoder_bin (classroom, video, &error);
  if (bin == NULL) {
    g_warning ("classroom %s: cannot decode its %s: %s", classroom->school,
               video ? "picture" : "voice", error->message);
    return G_SOURCE_REMOVE;
  }
  gst_bin_add (GST_BIN (classroom->bin), bin);
  if (video)
    classroom->return_video = bin;
  else
    classroom->return_audio = bin;
  decoder = gst_bin_get_by_name (GST_BIN (bin), "decoder");
  {
    g_autoptr (GstPad) decoded = gst_element_get_static_pad (decoder, "src");
    lx_buffer_counter_add (decoded,
                           video ? &classroom->return_frames : &classroom->return_audio_buffers);
  }
  if (video && classroom->context.wall) {
    g_autoptr (GstPad) src = gst_element_get_static_pad (bin, "src");
    classroom->return_ghost = gst_ghost_pad_new (NULL, src);
    gst_pad_set_active (classroom->return_ghost, TRUE);
    gst_element_add_pad (classroom->bin, classroom->return_ghost);
    classroom->wall_tile = lx_wall_add_tile (classroom->context.wall, classroom->school);
    if (gst_pad_link (classroom->return_ghost, classroom->wall_tile) != GST_PAD_LINK_OK)
      g_warning ("classroom %s: its picture cannot go to the wall", classroom->school);
  } else if (video) {
    /* (no wall: the picture is counted, and goes nowhere) */
    GstElement *nowhere = gst_element_factory_make ("fakesink", NULL);
    g_object_set (nowhere, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (classroom->bin), nowhere);
    gst_element_link (bin, nowhere);
    gst_element_sync_state_with_parent (nowhere);
  }
  gst_element_sync_state_with_parent (bin);
  sink = gst_element_get_static_pad (bin, "sink");
  link = gst_pad_link (arrived->pad, sink);
  if (link != GST_PAD_LINK_OK) {
    g_autofree gchar *caps_text = caps ? gst_caps_to_string (caps) : g_strdup ("none");
    g_warning ("classroom %s: cannot link its %s (%s; %s)", classroom->school,
               video ? "picture" : "voice", gst_pad_link_get_name (link), caps_text);
    return G_SOURCE_REMOVE;
  }
  gst_pad_remove_probe (arrived->pad, arrived->drop_probe);
  g_message ("classroom %s: its %s arrives", classroom->school, video ? "picture" : "voice");
  /* (a class called on before its stream came: into the lesson with it) */
  if (!video && classroom->speaking)
    connect_voice (classroom);
  else if (video && classroom->speaking)
    connect_picture (classroom);
  return G_SOURCE_REMOVE;
}

/* (webrtcbin's streaming thread) A stream from the classroom: linked on the main context, where
 * the bin changes. */
static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer data)
{
  ArrivedStream *arrived;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  arrived = g_new0 (ArrivedStream, 1);
  arrived->classroom = lx_classroom_ref (data);
  arrived->pad = gst_object_ref (pad);
  arrived->drop_probe =
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         drop_until_linked, NULL, NULL);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, link_arrived_stream, arrived,
                              arrived_stream_free);
}

void
lx_classroom_ask_for_return (LxClassroom *classroom)
{
  g_autofree gchar *video = g_strdup_printf (
      "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=%d,"
      "packetization-mode=(string)1,profile-level-id=(string)42e01f,"
      "level-asymmetry-allowed=(string)1",
      RETURN_VIDEO_PAYLOAD_TYPE);
  g_autofree gchar *audio = g_strdup_printf (
      "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=%d,"
      "encoding-params=(string)2,minptime=(string)10,useinbandfec=(string)1",
      RETURN_AUDIO_PAYLOAD_TYPE);

  ask_for (classroom, video);
  ask_for (classroom, audio);
  g_signal_connect_data (classroom->webrtc, "pad-added", G_CALLBACK (on_pad_added),
                         lx_classroom_ref (classroom), lx_classroom_closure_unref, 0);
}

void
lx_classroom_release_return (LxClassroom *classroom)
{
  disconnect_voice (classroom);
  disconnect_picture (classroom);
  if (classroom->wall_tile) {
    if (classroom->return_ghost)
      gst_pad_unlink (classroom->return_ghost, classroom->wall_tile);
    lx_wall_remove_tile (classroom->context.wall, classroom->wall_tile);
    gst_clear_object (&classroom->wall_tile);
  }
}

guint
lx_classroom_get_return_frames (LxClassroom *classroom)
{
  return (guint) g_atomic_int_get (&classroom->return_frames);
}

guint
lx_classroom_get_return_audio_buffers (LxClassroom *classroom)
{
  return (guint) g_atomic_int_get (&classroom->return_audio_buffers);
}

const char *
lx_picture_state_to_string (LxPictureState state)
{
  static const char *const names[] = { "none", "showing", "frozen", "missing" };
  return names[state];
}

LxPictureState
lx_classroom_watch_picture (LxClassroom *classroom, gint64 now_us)
{
  guint frames = lx_classroom_get_return_frames (classroom);
  LxPictureState state;

  if (lx_classroom_get_state (classroom) != LX_CLASSROOM_CONNECTED ||
      !classroom->context.config->return_media) {
    classroom->pictures_changed_us = 0;
    return classroom->picture = LX_PICTURE_NONE;
  }
  if (classroom->pictures_changed_us == 0 || frames != classroom->pictures_seen) {
    classroom->pictures_seen = frames;
    classroom->pictures_changed_us = now_us;
  }
  if (frames == 0)
    state = now_us - classroom->pictures_changed_us >= LX_PICTURE_MISSING_MS * 1000
                ? LX_PICTURE_MISSING
                : LX_PICTURE_SHOWING;
  else
    state = now_us - classroom->pictures_changed_us >= LX_PICTURE_FROZEN_MS * 1000
                ? LX_PICTURE_FROZEN
                : LX_PICTURE_SHOWING;
  if (state != classroom->picture && classroom->wall_tile) {
    lx_wall_set_frozen (classroom->context.wall, classroom->wall_tile, state == LX_PICTURE_FROZEN);
    if (state == LX_PICTURE_FROZEN || classroom->picture == LX_PICTURE_FROZEN)
      g_message ("classroom %s: its picture %s", classroom->school,
                 state == LX_PICTURE_FROZEN ? "stopped: frozen on the wall" : "goes again");
  }
  return classroom->picture = state;
}

LxPictureState
lx_classroom_get_picture (LxClassroom *classroom)
{
  return classroom->picture;
}
