/* How a classroom's branch negotiates (see lx-classroom-private.h): it offers through signaling
 * and trickles its candidates (a classroom of the lesson), answers a player's offer with every
 * candidate in the answer (WHEP), or offers with every candidate to a WHIP endpoint; then follows
 * webrtcbin's connection state and the peer's RTCP. webrtcbin's callbacks hand their news to the
 * main context. */
#include "lx-classroom-private.h"
#include "lx-codec-preferences.h"

static gboolean send_complete_description (gpointer data);
static void release_media (LxClassroom *classroom);
static void answer_offer (LxClassroom *classroom);

static gboolean
on_description_set_main (gpointer data)
{
  LxClassroom *classroom = data;

  if (lx_classroom_get_state (classroom) == LX_CLASSROOM_CLOSED)
    return G_SOURCE_REMOVE;
  classroom->description_set = TRUE;
  /* Answering a player's offer: the answer is set, so the held media may go. */
  if (classroom->role == LX_CLASSROOM_ROLE_ANSWERS) {
    lx_classroom_set_state (classroom, LX_CLASSROOM_CONNECTING);
    release_media (classroom);
  }
  send_complete_description (classroom);
  return G_SOURCE_REMOVE;
}

/* For a peer that does not trickle: makes the @kind ("offer" or "answer") in @promise's reply
 * the local description; it leaves, complete, once ICE gathering is done. Takes @promise. */
static void
set_complete_local_description (LxClassroom *classroom, GstPromise *promise, const char *kind)
{
  g_autoptr (GError) error = NULL;
  GstWebRTCSessionDescription *description = lx_webrtc_take_description (promise, kind, &error);

  if (description == NULL) {
    g_warning ("classroom %s: webrtcbin could not create an %s: %s", classroom->school, kind,
               error->message);
    if (classroom->role == LX_CLASSROOM_ROLE_ANSWERS)
      lx_classroom_refuse_offer (classroom->context.signaling, classroom->school, error);
    lx_classroom_set_state (classroom, LX_CLASSROOM_FAILED);
    return;
  }
  lx_webrtc_set_description (classroom->webrtc, TRUE, description);
  gst_webrtc_session_description_free (description);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, on_description_set_main,
                              lx_classroom_ref (classroom), lx_classroom_unref);
}

static void
on_offer_created (GstPromise *promise, gpointer data)
{
  LxClassroom *classroom = data;

  /* Offered before the offer leaves, so that no answer can find the classroom unprepared. */
  lx_classroom_set_state (classroom, LX_CLASSROOM_OFFERED);
  /* A publication's offer leaves later, once it holds every candidate. */
  if (classroom->role == LX_CLASSROOM_ROLE_PUBLISHES) {
    set_complete_local_description (classroom, promise, "offer");
    return;
  }
  if (!lx_webrtc_publish_local_description (classroom->webrtc, promise,
                                            classroom->context.signaling, classroom->school))
    lx_classroom_set_state (classroom, LX_CLASSROOM_FAILED);
}

/* The transceiver's codec preferences for @branch (see lx-codec-preferences.h), or NULL while
 * its payloader or encoder has not said enough yet. */
static GstCaps *
codec_preferences (LxClassroom *classroom, MediaBranch *branch, gint offered_pt)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (branch->payloader, "src");
  g_autoptr (GstPad) sink = gst_element_get_static_pad (branch->payloader, "sink");
  g_autoptr (GstCaps) payloaded = gst_pad_get_current_caps (src);
  g_autoptr (GstCaps) encoded = gst_pad_get_current_caps (sink);
  const GstSDPMedia *media;

  if (payloaded == NULL)
    return NULL;
  if (classroom->role != LX_CLASSROOM_ROLE_ANSWERS)
    return lx_codec_preferences_for_offer (payloaded, encoded);
  media = lx_offer_media_with_payload (classroom->offer->sdp, offered_pt);
  return media ? lx_codec_preferences_for_answer (payloaded, media, offered_pt) : NULL;
}

/* Offers (or answers) once every payloader knows its caps, so that never depends on timing. */
static gboolean
maybe_offer (gpointer data)
{
  LxClassroom *classroom = data;
  g_autoptr (GstCaps) video_caps = NULL;
  g_autoptr (GstCaps) audio_caps = NULL;
  GstPromise *promise;

  if (classroom->offer_started || lx_classroom_get_state (classroom) == LX_CLASSROOM_CLOSED)
    return G_SOURCE_REMOVE;
  video_caps = codec_preferences (classroom, &classroom->video, classroom->offer_payloads.video_pt);
  if (video_caps == NULL)
    return G_SOURCE_REMOVE;
  if (classroom->audio.payloader) {
    audio_caps =
        codec_preferences (classroom, &classroom->audio, classroom->offer_payloads.audio_pt);
    if (audio_caps == NULL)
      return G_SOURCE_REMOVE;
    g_object_set (classroom->audio.transceiver, "codec-preferences", audio_caps, NULL);
  }
  g_object_set (classroom->video.transceiver, "codec-preferences", video_caps, NULL);

  classroom->offer_started = TRUE;
  /* A player that offered (WHEP): the payloaders already use its payload types. */
  if (classroom->role == LX_CLASSROOM_ROLE_ANSWERS) {
    answer_offer (classroom);
    return G_SOURCE_REMOVE;
  }
  promise = gst_promise_new_with_change_func (on_offer_created, lx_classroom_ref (classroom),
                                              lx_classroom_unref);
  g_signal_emit_by_name (classroom->webrtc, "create-offer", NULL, promise);
  return G_SOURCE_REMOVE;
}

static void
on_payloader_caps (GObject *pad, GParamSpec *pspec, gpointer data)
{
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, maybe_offer, lx_classroom_ref (data),
                              lx_classroom_unref);
}

static void
on_ice_candidate (GstElement *webrtc, guint mline_index, gchar *candidate, gpointer data)
{
  LxClassroom *classroom = data;
  g_autoptr (LxMessage) message = lx_message_new (LX_MESSAGE_CANDIDATE);

  message->school = g_strdup (classroom->school);
  message->mline_index = mline_index;
  message->candidate = g_strdup (candidate);
  lx_signaling_client_send (classroom->context.signaling, message);
}

/* @branch leaves beside webrtcbin from now on (the video repaired by copies of webrtcbin's repair
 * elements, tuned by lx_classroom_configure_repair() before), or, where that cannot be, through
 * it. */
static void
start_direct (LxClassroom *classroom, LxDirectSender *sender, MediaBranch *branch)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstPad) payloader_src = NULL;
  gboolean video = branch == &classroom->video;

  if (sender == NULL)
    return;
  payloader_src = gst_element_get_static_pad (branch->payloader, "src");
  if (!lx_direct_sender_start (sender, classroom->webrtc, payloader_src,
                               !video ? LX_DIRECT_SOUND
                               : classroom->context.config->loss_recovery
                                   ? LX_DIRECT_KEYFRAMES | LX_DIRECT_REPAIR
                                   : LX_DIRECT_KEYFRAMES,
                               &error)) {
    g_message ("classroom %s: its %s goes through webrtcbin: %s", classroom->school,
               video ? "video" : "sound", error->message);
    return;
  }
  if (video) {
    gst_object_replace ((GstObject **) &classroom->fec_encoder,
                        GST_OBJECT (lx_direct_sender_get_fec_encoder (sender)));
    gst_object_replace ((GstObject **) &classroom->rtx_sender,
                        GST_OBJECT (lx_direct_sender_get_rtx_sender (sender)));
  }
}

static gboolean
apply_connection_state (gpointer data)
{
  ClassroomNews *change = data; /* value: the GstWebRTCPeerConnectionState */
  LxClassroom *classroom = change->classroom;

  if (lx_classroom_get_state (classroom) == LX_CLASSROOM_CLOSED)
    return G_SOURCE_REMOVE;
  if (change->value == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED &&
      lx_classroom_get_state (classroom) != LX_CLASSROOM_CONNECTED) {
    g_atomic_int_set (&classroom->connect_ms,
                      (gint) ((g_get_monotonic_time () - classroom->joined_at) / 1000));
    lx_classroom_set_state (classroom, LX_CLASSROOM_CONNECTED);
    g_atomic_int_set (&classroom->heard_s, (gint) (g_get_monotonic_time () / G_USEC_PER_SEC));
    lx_classroom_configure_repair (classroom);
    start_direct (classroom, classroom->audio_direct, &classroom->audio);
    start_direct (classroom, classroom->video_direct, &classroom->video);
    lx_layer_chooser_connected (&classroom->chooser, g_get_monotonic_time () / 1000);
    lx_classroom_watch_peer_rtcp (classroom);
    lx_classroom_release_backlog (classroom);
    /* The classroom can decode nothing until the next keyframe: ask for one now. */
    lx_layer_switch_request_keyframe (classroom->layer_switch, classroom->school);
  } else if (change->value == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    lx_classroom_set_state (classroom, LX_CLASSROOM_FAILED);
  }
  return G_SOURCE_REMOVE;
}

static void
on_connection_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtc, "connection-state", &state, NULL);
  lx_classroom_tell_main_context (data, apply_connection_state, (gint) state);
}

/* An answer webrtcbin refuses fails the classroom, with webrtcbin's reason in the log (a WHIP
 * publication then publishes again: lx-whip-publisher.c). */
static void
on_answer_set (GstPromise *promise, gpointer data)
{
  LxClassroom *classroom = data;
  g_autoptr (GError) error = NULL;

  if (lx_webrtc_promise_failed (promise, &error)) {
    g_warning ("classroom %s: webrtcbin refused the answer: %s", classroom->school, error->message);
    lx_classroom_set_state (classroom, LX_CLASSROOM_FAILED);
  }
  gst_promise_unref (promise);
}

gboolean
lx_classroom_set_answer (LxClassroom *classroom, const char *sdp, GError **error)
{
  GstWebRTCSessionDescription *answer =
      lx_webrtc_description_from_text (GST_WEBRTC_SDP_TYPE_ANSWER, sdp, error);

  if (answer == NULL)
    return FALSE;
  if (lx_classroom_get_state (classroom) != LX_CLASSROOM_OFFERED) {
    gst_webrtc_session_description_free (answer);
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                 "an answer arrived while the classroom was %s",
                 lx_classroom_state_to_string (lx_classroom_get_state (classroom)));
    return FALSE;
  }
  lx_classroom_set_state (classroom, LX_CLASSROOM_CONNECTING);
  g_signal_emit_by_name (classroom->webrtc, "set-remote-description", answer,
                         gst_promise_new_with_change_func (
                             on_answer_set, lx_classroom_ref (classroom), lx_classroom_unref));
  gst_webrtc_session_description_free (answer);
  return TRUE;
}

void
lx_classroom_add_candidate (LxClassroom *classroom, guint mline_index, const char *candidate)
{
  if (candidate[0] == '\0')
    return; /* end of candidates: libnice needs no word of it */
  classroom->remote_candidates++;
  g_signal_emit_by_name (classroom->webrtc, "add-ice-candidate", mline_index, candidate);
}

gchar *
lx_classroom_restart_ice (LxClassroom *classroom, const char *player_frag, GError **error)
{
  const char *mid;
  gchar *ours;

  if (classroom->role != LX_CLASSROOM_ROLE_ANSWERS) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                 "only a classroom that made its own offer restarts ICE this way");
    return NULL;
  }
  mid =
      gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (classroom->offer->sdp, 0), "mid");
  ours = lx_webrtc_restart_ice (classroom->webrtc, classroom->video.transceiver, player_frag, mid,
                                error);
  if (ours)
    g_message ("classroom %s: ICE restarted", classroom->school);
  return ours;
}

/* The player's offer, normalised into what webrtcbin takes (lx-offer.h). */
gboolean
lx_classroom_read_offer (LxClassroom *classroom, const char *sdp, GError **error)
{
  g_autoptr (GString) notes = g_string_new (NULL);
  GstSDPMessage *normalised = lx_offer_normalise (sdp, notes, error);

  if (normalised == NULL)
    return FALSE;
  if (notes->len > 0)
    g_message ("classroom %s: its offer, normalised for webrtcbin:\n%s", classroom->school,
               g_strchomp (notes->str));
  classroom->offer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, normalised);
  classroom->offer_payloads =
      lx_offer_find_payloads (classroom->offer->sdp, classroom->context.video_codec);
  if (classroom->offer_payloads.video_pt < 0) {
    g_set_error (error, LX_OFFER_ERROR, LX_OFFER_ERROR_NO_COMMON_CODEC,
                 "the offer has no %s video we can send (H.264: packetization-mode 1)",
                 classroom->context.video_codec);
    return FALSE;
  }
  return TRUE;
}

void
lx_classroom_refuse_offer (LxSignalingClient *signaling, const char *school, const GError *error)
{
  g_autoptr (LxMessage) message = lx_message_new (LX_MESSAGE_OFFER_REFUSED);
  gboolean no_codec = g_error_matches (error, LX_OFFER_ERROR, LX_OFFER_ERROR_NO_COMMON_CODEC);
  GString *text = g_string_new (error->message);

  /* The protocol carries up to 1024 bytes of explanation: cut at a character's start. */
  while (text->len > 1000)
    g_string_truncate (text, g_utf8_find_prev_char (text->str, text->str + 1000) - text->str);
  message->school = g_strdup (school);
  message->code = g_strdup (lx_protocol_error_to_string (
      no_codec ? LX_PROTOCOL_ERROR_NO_COMMON_CODEC : LX_PROTOCOL_ERROR_BAD_OFFER));
  message->message = g_string_free (text, FALSE);
  lx_signaling_client_send (signaling, message);
}

static GstPadProbeReturn
hold (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  return GST_PAD_PROBE_OK; /* (a blocking probe: the data waits) */
}

/* webrtcbin 1.22 as the answerer aborts if media reaches it before the answer is set: buffers
 * wait at webrtcbin's sink pads (the caps go ahead: the answer is made from them). */
static GstPad *
webrtc_sink_of (MediaBranch *branch)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (branch->payloader, "src");
  return gst_pad_get_peer (src);
}

static void
hold_media (LxClassroom *classroom)
{
  MediaBranch *branches[] = { &classroom->video, &classroom->audio };

  for (guint i = 0; i < G_N_ELEMENTS (branches); i++) {
    g_autoptr (GstPad) sink = NULL;
    if (branches[i]->payloader == NULL || (sink = webrtc_sink_of (branches[i])) == NULL)
      continue;
    branches[i]->hold_probe = gst_pad_add_probe (
        sink, GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
        hold, NULL, NULL);
  }
}

static void
release_media (LxClassroom *classroom)
{
  MediaBranch *branches[] = { &classroom->video, &classroom->audio };

  for (guint i = 0; i < G_N_ELEMENTS (branches); i++) {
    g_autoptr (GstPad) sink = NULL;
    if (branches[i]->hold_probe == 0 || (sink = webrtc_sink_of (branches[i])) == NULL)
      continue;
    gst_pad_remove_probe (sink, branches[i]->hold_probe);
    branches[i]->hold_probe = 0;
  }
}

/* A peer that does not trickle (a WHEP player's answer, a WHIP publication's offer) gets the
 * local description once it is set and ICE gathering is complete, every candidate in it. */
static gboolean
send_complete_description (gpointer data)
{
  LxClassroom *classroom = data;
  g_autofree gchar *sdp = NULL;
  g_autoptr (LxMessage) message = NULL;

  if (!classroom->description_set || classroom->description_sent ||
      lx_classroom_get_state (classroom) == LX_CLASSROOM_CLOSED)
    return G_SOURCE_REMOVE;
  sdp = lx_webrtc_get_complete_description (classroom->webrtc);
  if (sdp == NULL)
    return G_SOURCE_REMOVE;
  classroom->description_sent = TRUE;
  if (classroom->role == LX_CLASSROOM_ROLE_PUBLISHES) {
    g_message ("classroom %s: offer ready, ICE candidates included", classroom->school);
    classroom->deliver_offer (classroom, sdp, classroom->deliver_data);
    return G_SOURCE_REMOVE;
  }
  message = lx_message_new (LX_MESSAGE_ANSWER);
  message->school = g_strdup (classroom->school);
  message->sdp = g_steal_pointer (&sdp);
  lx_signaling_client_send (classroom->context.signaling, message);
  g_message ("classroom %s: answered its offer, ICE candidates included", classroom->school);
  return G_SOURCE_REMOVE;
}

static void
on_gathering_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, send_complete_description,
                              lx_classroom_ref (data), lx_classroom_unref);
}

static void
on_answer_created (GstPromise *promise, gpointer data)
{
  set_complete_local_description (data, promise, "answer");
}

static void
on_offer_set (GstPromise *promise, gpointer data)
{
  LxClassroom *classroom = data;
  g_autoptr (GError) error = NULL;
  GstPromise *answered;

  /* webrtcbin's own reason ("media 1 has different ice-ufrag values in bundle") goes to the log
   * and to the player, which then hears a 4xx at once instead of waiting for a timeout. */
  if (lx_webrtc_promise_failed (promise, &error)) {
    gst_promise_unref (promise);
    g_prefix_error (&error, "webrtcbin refused the offer: ");
    g_warning ("classroom %s: %s", classroom->school, error->message);
    lx_classroom_refuse_offer (classroom->context.signaling, classroom->school, error);
    lx_classroom_set_state (classroom, LX_CLASSROOM_FAILED);
    return;
  }
  gst_promise_unref (promise);
  answered = gst_promise_new_with_change_func (on_answer_created, lx_classroom_ref (classroom),
                                               lx_classroom_unref);
  g_signal_emit_by_name (classroom->webrtc, "create-answer", NULL, answered);
}

static void
answer_offer (LxClassroom *classroom)
{
  GstPromise *promise = gst_promise_new_with_change_func (
      on_offer_set, lx_classroom_ref (classroom), lx_classroom_unref);

  lx_classroom_set_state (classroom, LX_CLASSROOM_OFFERED);
  g_signal_emit_by_name (classroom->webrtc, "set-remote-description", classroom->offer, promise);
}

/* RTCP from the peer (its receiver reports, at least every few seconds while it lives). */
static void
on_ssrc_active (GstElement *rtpbin, guint session, guint ssrc, gpointer data)
{
  LxClassroom *classroom = data;
  g_atomic_int_set (&classroom->heard_s, (gint) (g_get_monotonic_time () / G_USEC_PER_SEC));
}

gint
lx_classroom_get_silence_s (LxClassroom *classroom)
{
  if (lx_classroom_get_state (classroom) != LX_CLASSROOM_CONNECTED)
    return 0;
  return (gint) (g_get_monotonic_time () / G_USEC_PER_SEC) - g_atomic_int_get (&classroom->heard_s);
}

void
lx_classroom_start_negotiation (LxClassroom *classroom)
{
  MediaBranch *branches[] = { &classroom->video, &classroom->audio };

  /* A player's offer is answered from the payloaders' caps; the media waits for the answer. */
  if (classroom->role == LX_CLASSROOM_ROLE_ANSWERS)
    hold_media (classroom);
  /* We offer (or answer) once every payloader knows its caps. */
  for (guint i = 0; i < G_N_ELEMENTS (branches); i++) {
    g_autoptr (GstPad) payloader_src = NULL;
    if (branches[i]->payloader == NULL)
      continue;
    payloader_src = gst_element_get_static_pad (branches[i]->payloader, "src");
    g_signal_connect_data (payloader_src, "notify::caps", G_CALLBACK (on_payloader_caps),
                           lx_classroom_ref (classroom), lx_classroom_closure_unref, 0);
  }

  /* Candidates trickle to a classroom we offer to through signaling; a player that offered gets
   * them in the answer, a WHIP endpoint in the offer. */
  if (classroom->role == LX_CLASSROOM_ROLE_OFFERS)
    g_signal_connect_data (classroom->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate),
                           lx_classroom_ref (classroom), lx_classroom_closure_unref, 0);
  else
    g_signal_connect_data (classroom->webrtc, "notify::ice-gathering-state",
                           G_CALLBACK (on_gathering_state), lx_classroom_ref (classroom),
                           lx_classroom_closure_unref, 0);
  {
    g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (classroom->webrtc), "rtpbin");
    g_signal_connect_data (rtpbin, "on-ssrc-active", G_CALLBACK (on_ssrc_active),
                           lx_classroom_ref (classroom), lx_classroom_closure_unref, 0);
  }
  g_signal_connect_data (classroom->webrtc, "notify::connection-state",
                         G_CALLBACK (on_connection_state), lx_classroom_ref (classroom),
                         lx_classroom_closure_unref, 0);
}
