/* A classroom's branch of the sender (see lx-classroom.h): its life — made, in a state, torn down.
 * Built and torn down on the main context; webrtcbin calls back from its own threads, and those
 * callbacks hold a reference on the classroom and hand anything that touches shared state back to
 * the main context. Its elements: lx-classroom-media.c; its negotiation:
 * lx-classroom-negotiation.c; following its link: lx-classroom-steering.c. */
#include "lx-classroom-private.h"
#include "lx-memory.h"
#include "lx-pads.h"

#define VIDEO_PAYLOAD_TYPE 96
#define AUDIO_PAYLOAD_TYPE 97

LxClassroom *
lx_classroom_ref (LxClassroom *classroom)
{
  return g_atomic_rc_box_acquire (classroom);
}

static void
classroom_clear (LxClassroom *classroom)
{
  g_clear_object (&classroom->video.transceiver);
  g_clear_object (&classroom->audio.transceiver);
  g_clear_pointer (&classroom->audio_direct, lx_direct_sender_unref);
  g_clear_pointer (&classroom->video_direct, lx_direct_sender_unref);
  gst_clear_caps (&classroom->first_video_caps);
  gst_clear_object (&classroom->fec_encoder);
  gst_clear_object (&classroom->rtx_sender);
  gst_clear_object (&classroom->bin);
  gst_clear_object (&classroom->webrtc); /* lx_webrtc_new's reference (the bin holds its own) */
  g_clear_pointer (&classroom->offer, gst_webrtc_session_description_free);
  g_clear_object (&classroom->rtp_session);
  gst_clear_object (&classroom->lesson_sound_pad);
  gst_clear_object (&classroom->speakers_sound_pad);
  gst_clear_object (&classroom->voice.tee_pad);
  gst_clear_object (&classroom->voice.input);
  gst_clear_object (&classroom->inset.tee_pad);
  gst_clear_object (&classroom->inset.input);
  g_free (classroom->school);
}

void
lx_classroom_unref (gpointer classroom)
{
  g_atomic_rc_box_release_full (classroom, (GDestroyNotify) classroom_clear);
}

void
lx_classroom_closure_unref (gpointer data, GClosure *closure)
{
  lx_classroom_unref (data);
}

const char *
lx_classroom_state_to_string (LxClassroomState state)
{
  static const char *const names[] = { "preparing", "offered", "connecting",
                                       "connected", "failed",  "closed" };
  return state < G_N_ELEMENTS (names) ? names[state] : "unknown";
}

LxClassroomState
lx_classroom_get_state (LxClassroom *classroom)
{
  return g_atomic_int_get (&classroom->state);
}

void
lx_classroom_set_state (LxClassroom *classroom, LxClassroomState state)
{
  LxClassroomState old = g_atomic_int_get (&classroom->state);
  if (old == state || old == LX_CLASSROOM_CLOSED)
    return;
  g_atomic_int_set (&classroom->state, state);
  g_message ("classroom %s: %s → %s", classroom->school, lx_classroom_state_to_string (old),
             lx_classroom_state_to_string (state));
}

const char *
lx_classroom_get_school (LxClassroom *classroom)
{
  return classroom->school;
}

const char *
lx_classroom_get_video_codec (LxClassroom *classroom)
{
  return classroom->context.video_codec;
}

gboolean
lx_classroom_offered_by_us (LxClassroom *classroom)
{
  return classroom->role == LX_CLASSROOM_ROLE_OFFERS;
}

gint64
lx_classroom_get_connect_ms (LxClassroom *classroom)
{
  return g_atomic_int_get (&classroom->connect_ms);
}

static void
free_news (gpointer data)
{
  ClassroomNews *news = data;
  lx_classroom_unref (news->classroom);
  g_free (news);
}

void
lx_classroom_tell_main_context (LxClassroom *classroom, GSourceFunc apply, gint value)
{
  ClassroomNews *news = g_new0 (ClassroomNews, 1);

  news->classroom = lx_classroom_ref (classroom);
  news->value = value;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, apply, news, free_news);
}

guint
lx_classroom_get_remote_candidates (LxClassroom *classroom)
{
  return classroom->remote_candidates;
}

gboolean
lx_classroom_contains (LxClassroom *classroom, GstObject *object)
{
  return object == GST_OBJECT (classroom->bin) ||
         gst_object_has_as_ancestor (object, GST_OBJECT (classroom->bin));
}

/* The largest layer a school may have: all of them, unless configuration caps its link. */
static guint
starting_layer (const LxClassroomContext *context, const char *school)
{
  gpointer cap = g_hash_table_lookup (context->config->classroom_caps, school);

  if (cap == NULL)
    return 0;
  return lx_layers_fitting (context->config->layer_specs, context->n_layers, GPOINTER_TO_INT (cap));
}

static LxClassroom *
classroom_new (const LxClassroomContext *context, const char *school, const char *offer,
               LxClassroomOfferFunc deliver_offer, gpointer deliver_data, GError **error)
{
  static gint serial = 0;
  LxClassroom *classroom = g_atomic_rc_box_new0 (LxClassroom);
  /* Unique even while an earlier branch of the same school is still being torn down. */
  g_autofree gchar *name =
      g_strdup_printf ("classroom-%s-%d", school, g_atomic_int_add (&serial, 1));

  classroom->context = *context;
  classroom->school = g_strdup (school);
  classroom->joined_at = g_get_monotonic_time ();
  classroom->connect_ms = -1;
  classroom->rtt_ms = -1;
  classroom->loss_permille = -1;
  classroom->role = offer           ? LX_CLASSROOM_ROLE_ANSWERS
                    : deliver_offer ? LX_CLASSROOM_ROLE_PUBLISHES
                                    : LX_CLASSROOM_ROLE_OFFERS;
  classroom->deliver_offer = deliver_offer;
  classroom->deliver_data = deliver_data;
  if (offer && !lx_classroom_read_offer (classroom, offer, error))
    goto failed;
  classroom->bin = gst_object_ref_sink (gst_bin_new (name));
  classroom->webrtc = lx_webrtc_new (NULL, LX_WEBRTC_SENDING, context->ice, 0, error);
  if (classroom->webrtc == NULL)
    goto failed;
  if (classroom->role == LX_CLASSROOM_ROLE_OFFERS)
    lx_webrtc_pace_checks_quickly (classroom->webrtc);
  lx_webrtc_add_announced_ice_servers (classroom->webrtc, context->announced_ice_servers);
  classroom->context.announced_ice_servers = NULL; /* (not the classroom's to keep) */
  gst_bin_add (GST_BIN (classroom->bin), classroom->webrtc);

  if (!lx_classroom_build_media (
          classroom, &classroom->video, NULL, "video",
          g_strcmp0 (context->video_codec, LX_VIDEO_CODEC_VP8) == 0 ? "rtpvp8pay" : "rtph264pay",
          classroom->role == LX_CLASSROOM_ROLE_ANSWERS ? (guint) classroom->offer_payloads.video_pt
                                                       : VIDEO_PAYLOAD_TYPE,
          error))
    goto failed;
  if (context->audio_tee &&
      (classroom->role != LX_CLASSROOM_ROLE_ANSWERS || classroom->offer_payloads.audio_pt >= 0) &&
      !lx_classroom_build_media (
          classroom, &classroom->audio, context->audio_tee, "audio", "rtpopuspay",
          classroom->role == LX_CLASSROOM_ROLE_ANSWERS ? (guint) classroom->offer_payloads.audio_pt
                                                       : AUDIO_PAYLOAD_TYPE,
          error))
    goto failed;
  if (classroom->role == LX_CLASSROOM_ROLE_OFFERS && context->config->return_media)
    lx_classroom_ask_for_return (classroom);
  lx_classroom_start_negotiation (classroom);

  /* The branch is PLAYING before the tee feeds it (webrtcbin misbehaves otherwise). */
  gst_bin_add (GST_BIN (context->pipeline), classroom->bin);
  if (!gst_element_sync_state_with_parent (classroom->bin)) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
                 "classroom %s: the branch would not start", school);
    gst_bin_remove (GST_BIN (context->pipeline), classroom->bin);
    goto failed;
  }
  classroom->layer_switch =
      lx_layer_switch_new (classroom->bin, classroom->selector, context->video_tees,
                           context->keyframes, context->n_layers, school);
  lx_layer_chooser_init (&classroom->chooser, context->config->layer_specs, context->n_layers,
                         starting_layer (context, school),
                         context->config->adapt_layers && !context->config->encoder_per_classroom,
                         g_get_monotonic_time () / 1000);
  if (!lx_layer_switch_set (classroom->layer_switch, classroom->chooser.layer) ||
      (classroom->audio.payloader && !lx_classroom_link_to_tee (&classroom->audio))) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                 "classroom %s: cannot link the branch to the encoders", school);
    lx_classroom_close (classroom);
    return NULL;
  }
  g_message ("classroom %s: branch added, waiting for the encoded stream to %s", school,
             classroom->role == LX_CLASSROOM_ROLE_ANSWERS ? "answer its offer" : "offer");
  return classroom;

failed:
  g_prefix_error (error, "classroom %s: ", school);
  lx_classroom_unref (classroom);
  return NULL;
}

LxClassroom *
lx_classroom_new (const LxClassroomContext *context, const char *school, const char *offer,
                  GError **error)
{
  return classroom_new (context, school, offer, NULL, NULL, error);
}

LxClassroom *
lx_classroom_new_publication (const LxClassroomContext *context, const char *name,
                              LxClassroomOfferFunc deliver_offer, gpointer user_data,
                              GError **error)
{
  return classroom_new (context, name, NULL, deliver_offer, user_data, error);
}

/* ---- Tearing down ---- */

static void
disconnect_callbacks (LxClassroom *classroom, MediaBranch *branch)
{
  g_autoptr (GstPad) payloader_src = NULL;

  if (branch->payloader == NULL)
    return;
  payloader_src = gst_element_get_static_pad (branch->payloader, "src");
  g_signal_handlers_disconnect_by_data (payloader_src, classroom);
}

static gboolean
finish_close (gpointer data)
{
  LxClassroom *classroom = data;

  lx_classroom_release_tee_pad (&classroom->video);
  lx_classroom_release_tee_pad (&classroom->audio);
  if (classroom->speakers_tee_pad) {
    gst_element_release_request_pad (lx_lesson_sound_get_speakers_tee (classroom->context.sound),
                                     classroom->speakers_tee_pad);
    gst_clear_object (&classroom->speakers_tee_pad);
  }
  /* The callbacks hold references on the classroom: drop them, or branch and classroom would keep
   * each other alive. */
  g_signal_handlers_disconnect_by_data (classroom->webrtc, classroom);
  {
    g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (classroom->webrtc), "rtpbin");
    g_signal_handlers_disconnect_by_data (rtpbin, classroom);
  }
  disconnect_callbacks (classroom, &classroom->video);
  disconnect_callbacks (classroom, &classroom->audio);
  if (classroom->rtp_session)
    g_signal_handlers_disconnect_by_data (classroom->rtp_session, classroom);
  lx_classroom_release_return (classroom);
  gst_element_set_state (classroom->bin, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (classroom->context.pipeline), classroom->bin);
  g_message ("classroom %s: branch removed", classroom->school);
  lx_memory_give_back ();
  return G_SOURCE_REMOVE;
}

/* One of the branch's links to a tee is gone; after the last, the branch is removed. */
static void
unlinked (gpointer data)
{
  LxClassroom *classroom = data;

  if (g_atomic_int_dec_and_test (&classroom->pending_unlinks))
    g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, finish_close,
                                lx_classroom_ref (classroom), lx_classroom_unref);
}

static void
layers_unlinked (gpointer data)
{
  unlinked (data);
  lx_classroom_unref (data);
}

void
lx_classroom_close (LxClassroom *classroom)
{
  MediaBranch *branches[] = { &classroom->video, &classroom->audio };

  g_atomic_int_set (&classroom->state, LX_CLASSROOM_CLOSED);
  g_clear_pointer (&classroom->prober, lx_link_prober_free);
  g_atomic_int_set (&classroom->pending_unlinks, 1); /* held until every probe is added */
  if (classroom->layer_switch) {
    g_atomic_int_inc (&classroom->pending_unlinks);
    lx_layer_switch_close (g_steal_pointer (&classroom->layer_switch), layers_unlinked,
                           lx_classroom_ref (classroom));
  }
  for (guint i = 0; i < G_N_ELEMENTS (branches); i++) {
    if (branches[i]->tee_pad == NULL)
      continue;
    g_atomic_int_inc (&classroom->pending_unlinks);
    lx_pad_unlink_when_idle (branches[i]->tee_pad, unlinked, lx_classroom_ref (classroom),
                             lx_classroom_unref);
  }
  if (classroom->speakers_tee_pad) {
    g_atomic_int_inc (&classroom->pending_unlinks);
    lx_pad_unlink_when_idle (classroom->speakers_tee_pad, unlinked, lx_classroom_ref (classroom),
                             lx_classroom_unref);
  }
  unlinked (classroom);
  lx_classroom_unref (classroom);
}
