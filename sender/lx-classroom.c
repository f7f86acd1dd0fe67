/* A classroom's branch of the sender (see lx-classroom.h). Built and torn down on the main context;
 * webrtcbin calls back from its own threads, and those callbacks hold a reference on the classroom
 * and hand anything that touches shared state back to the main context. */
#include "lx-classroom-private.h"
#include "lx-codec-preferences.h"
#include "lx-encoder.h"
#include "lx-memory.h"
#include "lx-pads.h"

#include <gst/video/video.h>

#define VIDEO_PAYLOAD_TYPE 96
#define AUDIO_PAYLOAD_TYPE 97
/* After a classroom connects, its own keyframe is on the way: its decoder's requests for one
 * (PLI/FIR) in this time are redundant and would only add keyframes that every classroom pays for. */
#define JOIN_KEYFRAME_GRACE_US (1000 * 1000)

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
  gst_clear_caps (&classroom->first_video_caps);
  gst_clear_object (&classroom->fec_encoder);
  gst_clear_object (&classroom->bin);
  gst_clear_object (&classroom->webrtc); /* lx_webrtc_new's reference (the bin holds its own) */
  g_clear_pointer (&classroom->offer, gst_webrtc_session_description_free);
  g_clear_object (&classroom->rtp_session);
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

static void
set_state (LxClassroom *classroom, LxClassroomState state)
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

/* ---- Negotiation ---- */

static gboolean send_complete_description (gpointer data);

static void release_media (LxClassroom *classroom);

static gboolean
on_description_set_main (gpointer data)
{
  LxClassroom *classroom = data;

  if (lx_classroom_get_state (classroom) == LX_CLASSROOM_CLOSED)
    return G_SOURCE_REMOVE;
  classroom->description_set = TRUE;
  /* Answering a player's offer: the answer is set, so the held media may go. */
  if (classroom->role == LX_CLASSROOM_ROLE_ANSWERS) {
    set_state (classroom, LX_CLASSROOM_CONNECTING);
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
    set_state (classroom, LX_CLASSROOM_FAILED);
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
  set_state (classroom, LX_CLASSROOM_OFFERED);
  /* A publication's offer leaves later, once it holds every candidate. */
  if (classroom->role == LX_CLASSROOM_ROLE_PUBLISHES) {
    set_complete_local_description (classroom, promise, "offer");
    return;
  }
  if (!lx_webrtc_publish_local_description (classroom->webrtc, promise,
                                            classroom->context.signaling, classroom->school))
    set_state (classroom, LX_CLASSROOM_FAILED);
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

static void answer_offer (LxClassroom *classroom);

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

/* webrtcbin protects every packet alike (fec-percentage); keyframes deserve more: losing any of their
 * dozens of packets costs every picture up to the next one, and a joining classroom's first
 * picture is one. */
#define KEYFRAME_FEC_PERCENTAGE 50
/* How far back a retransmission can reach. webrtcbin's default, 100 packets, is less than a
 * keyframe and the round trip after it at 720p: the packets a NACK asks for were already gone. */
#define RETRANSMISSION_HISTORY_MS 1000

/* Tunes the repair elements webrtcbin made for this classroom once negotiation is done. */
static void
configure_repair (LxClassroom *classroom)
{
  g_autoptr (GstIterator) iterator = NULL;
  GValue item = G_VALUE_INIT;

  if (!classroom->context.config->loss_recovery)
    return;
  iterator = gst_bin_iterate_recurse (GST_BIN (classroom->webrtc));
  while (gst_iterator_next (iterator, &item) == GST_ITERATOR_OK) {
    GstElement *element = g_value_get_object (&item);
    GstElementFactory *factory = gst_element_get_factory (element);
    if (factory && g_str_equal (GST_OBJECT_NAME (factory), "rtpulpfecenc")) {
      /* Until the classroom reports losses, only keyframes are protected (see
       * lx_classroom_link_report): FEC on a clean link only costs CPU and bandwidth. */
      g_object_set (element, "percentage-important", KEYFRAME_FEC_PERCENTAGE, "percentage", 0,
                    NULL);
      gst_object_replace ((GstObject **) &classroom->fec_encoder, GST_OBJECT (element));
    } else if (factory && g_str_equal (GST_OBJECT_NAME (factory), "rtprtxsend"))
      g_object_set (element, "max-size-packets", 0, "max-size-time", RETRANSMISSION_HISTORY_MS,
                    NULL);
    g_value_reset (&item);
  }
  g_value_unset (&item);
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
    set_state (classroom, LX_CLASSROOM_CONNECTED);
    g_atomic_int_set (&classroom->heard_s, (gint) (g_get_monotonic_time () / G_USEC_PER_SEC));
    configure_repair (classroom);
    lx_classroom_watch_peer_rtcp (classroom);
    /* The classroom can decode nothing until the next keyframe: ask for one now. */
    lx_layer_switch_request_keyframe (classroom->layer_switch, classroom->school);
  } else if (change->value == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    set_state (classroom, LX_CLASSROOM_FAILED);
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
    set_state (classroom, LX_CLASSROOM_FAILED);
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
  set_state (classroom, LX_CLASSROOM_CONNECTING);
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

/* Keyframe requests from this classroom's receiver, on their way up to the shared encoder: those
 * made before its join keyframe could arrive are dropped here (the rest meet the shared gate). */
static GstPadProbeReturn
filter_keyframe_requests (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxClassroom *classroom = data;
  gint connect_ms;

  if (!gst_video_event_is_force_key_unit (GST_PAD_PROBE_INFO_EVENT (info)))
    return GST_PAD_PROBE_OK;
  connect_ms = g_atomic_int_get (&classroom->connect_ms);
  if (connect_ms < 0 ||
      g_get_monotonic_time () - classroom->joined_at - connect_ms * G_GINT64_CONSTANT (1000) <
          JOIN_KEYFRAME_GRACE_US)
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

/* ---- Building the branch ---- */

/* The video payloader's caps after a layer change differ from the negotiated ones only in what the
 * SDP does not carry (the new layer's SPS/PPS, which travel in-band before every keyframe anyway),
 * and webrtcbin refuses changed caps on a negotiated stream: webrtcbin keeps seeing the first caps.
 * (Dropping the event instead would leave it pending on the pad, to be retried before every
 * buffer.) */
static GstPadProbeReturn
keep_first_caps (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxClassroom *classroom = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  if (classroom->first_video_caps == NULL) {
    classroom->first_video_caps = gst_caps_ref (caps);
  } else if (!gst_caps_is_equal (caps, classroom->first_video_caps)) {
    gst_event_unref (event);
    GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (classroom->first_video_caps);
  }
  return GST_PAD_PROBE_OK;
}

/* Caps queries from the video payloader to webrtcbin get the payloader's own template: once
 * negotiated, webrtcbin's sink pad holds the SDP's caps, and rtph264pay would turn their
 * profile-level-id (a player's 42e01f: level 3.1) into a level our layers' streams (announced
 * level 4, lx-encoder.c) do not match, so that no other layer could be linked to the branch.
 * What webrtcbin sees stays the first caps (keep_first_caps). */
static GstPadProbeReturn
leave_levels_open (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
  GstCaps *filter = NULL;
  g_autoptr (GstCaps) template_caps = NULL;
  g_autoptr (GstCaps) caps = NULL;

  if (GST_QUERY_TYPE (query) != GST_QUERY_CAPS)
    return GST_PAD_PROBE_OK;
  gst_query_parse_caps (query, &filter);
  template_caps = gst_pad_get_pad_template_caps (pad);
  caps = filter ? gst_caps_intersect_full (filter, template_caps, GST_CAPS_INTERSECT_FIRST)
                : gst_caps_ref (template_caps);
  gst_query_set_caps_result (query, caps);
  return GST_PAD_PROBE_HANDLED;
}

/* An element made but never added to a bin. */
static void
drop_floating (GstElement **element)
{
  if (*element)
    gst_object_unref (gst_object_ref_sink (*element));
  *element = NULL;
}

/* Builds @branch's elements into the classroom's bin, up to webrtcbin. On failure, what is not in
 * the bin yet is freed; what is goes with the bin. */
static gboolean
build_media (LxClassroom *classroom, MediaBranch *branch, GstElement *tee, const char *kind,
             const char *payloader_factory, guint payload_type, GError **error)
{
  g_autofree gchar *ghost_name = g_strdup_printf ("%s_sink", kind);
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstElement *encoder = NULL;
  g_autoptr (GstPad) queue_sink = NULL;
  g_autoptr (GstPad) payloader_src = NULL;
  g_autoptr (GstPad) webrtc_sink = NULL;

  branch->payloader = gst_element_factory_make (payloader_factory, NULL);
  if (queue == NULL || branch->payloader == NULL) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "the GStreamer element '%s' is missing", payloader_factory);
    drop_floating (&queue);
    drop_floating (&branch->payloader);
    return FALSE;
  }
  branch->tee = tee;
  /* A classroom that cannot keep up loses its own oldest data, never blocks the tee. */
  g_object_set (queue, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time",
                (guint64) 500 * GST_MSECOND, NULL);
  gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");
  g_object_set (branch->payloader, "pt", payload_type, "mtu",
                (guint) classroom->context.config->rtp_mtu, NULL);
  if (g_str_equal (payloader_factory, "rtpvp8pay")) {
    /* Browsers expect 15-bit picture ids (they tell a lost frame from a skipped one by them). */
    gst_util_set_object_arg (G_OBJECT (branch->payloader), "picture-id-mode", "15-bit");
  } else if (g_str_equal (kind, "video")) {
    g_object_set (branch->payloader, "config-interval", -1, NULL);
    gst_util_set_object_arg (G_OBJECT (branch->payloader), "aggregate-mode", "zero-latency");
  }
  if (g_str_equal (kind, "video")) {
    /* min-keyframe-interval-ms = 0 (the naive baseline) lets every request through. A media
     * server's requests (a WHIP publication) speak for its players, who never saw the keyframe
     * that followed the publication's connection: none is redundant (the shared gate still
     * merges them). */
    if (classroom->context.keyframes[0] && classroom->role != LX_CLASSROOM_ROLE_PUBLISHES &&
        classroom->context.config->min_keyframe_interval_ms > 0) {
      g_autoptr (GstPad) payloader_sink = gst_element_get_static_pad (branch->payloader, "sink");
      gst_pad_add_probe (payloader_sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                         filter_keyframe_requests, classroom, NULL);
    }
    /* The naive baseline: this classroom's own encoder on the raw video. */
    if (classroom->context.config->encoder_per_classroom) {
      encoder = lx_encoder_video_new (classroom->context.config, 0, classroom->context.video_codec,
                                      NULL, error);
      if (encoder == NULL) {
        drop_floating (&queue);
        drop_floating (&branch->payloader);
        return FALSE;
      }
    }
  }
  gst_bin_add_many (GST_BIN (classroom->bin), queue, branch->payloader, NULL);
  if (encoder) {
    gst_bin_add (GST_BIN (classroom->bin), encoder);
    gst_element_link_many (queue, encoder, branch->payloader, NULL);
  } else {
    gst_element_link (queue, branch->payloader);
  }

  payloader_src = gst_element_get_static_pad (branch->payloader, "src");
  if (g_str_equal (kind, "video")) {
    gst_pad_add_probe (payloader_src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, keep_first_caps,
                       classroom, NULL);
    gst_pad_add_probe (payloader_src, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM, leave_levels_open, NULL,
                       NULL);
  }
  webrtc_sink = gst_element_request_pad_simple (classroom->webrtc, "sink_%u");
  if (gst_pad_link (payloader_src, webrtc_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                 "cannot link the %s payloader to webrtcbin", kind);
    return FALSE;
  }
  g_object_get (webrtc_sink, "transceiver", &branch->transceiver, NULL);
  g_object_set (branch->transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                NULL);
  /* Video losses are repaired by retransmission (NACK → RTX) where the round trip allows, and by
   * forward error correction (ULPFEC in RED) where it does not. Audio relies on Opus's own in-band
   * FEC (opusenc), which costs no extra stream. */
  if (g_str_equal (kind, "video") && classroom->context.config->loss_recovery) {
    g_object_set (branch->transceiver, "do-nack", TRUE, NULL);
    if (classroom->context.config->fec_percentage > 0)
      g_object_set (branch->transceiver, "fec-type", GST_WEBRTC_FEC_TYPE_ULP_RED, "fec-percentage",
                    (guint) classroom->context.config->fec_percentage, NULL);
  }
  g_signal_connect_data (payloader_src, "notify::caps", G_CALLBACK (on_payloader_caps),
                         lx_classroom_ref (classroom), lx_classroom_closure_unref, 0);

  queue_sink = gst_element_get_static_pad (queue, "sink");
  if (tee == NULL) {
    /* Video: its layer switch links a layer's tee to this selector (lx-layer-switch.h). */
    classroom->selector = gst_element_factory_make ("input-selector", NULL);
    gst_bin_add (GST_BIN (classroom->bin), classroom->selector);
    gst_element_link (classroom->selector, queue);
    return TRUE;
  }
  branch->ghost_pad = gst_ghost_pad_new (ghost_name, queue_sink);
  gst_element_add_pad (classroom->bin, branch->ghost_pad);
  return TRUE;
}

static gboolean
link_to_tee (MediaBranch *branch)
{
  branch->tee_pad = gst_element_request_pad_simple (branch->tee, "src_%u");
  return gst_pad_link (branch->tee_pad, branch->ghost_pad) == GST_PAD_LINK_OK;
}

/* ---- Answering a player's offer (WHEP) ---- */

/* The player's offer, normalised into what webrtcbin takes (lx-offer.h). */
static gboolean
read_offer (LxClassroom *classroom, const char *sdp, GError **error)
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
    set_state (classroom, LX_CLASSROOM_FAILED);
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

  set_state (classroom, LX_CLASSROOM_OFFERED);
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
  if (offer && !read_offer (classroom, offer, error))
    goto failed;
  classroom->bin = gst_object_ref_sink (gst_bin_new (name));
  classroom->webrtc = lx_webrtc_new (NULL, LX_WEBRTC_SENDING, context->ice, 0, error);
  if (classroom->webrtc == NULL)
    goto failed;
  lx_webrtc_add_announced_ice_servers (classroom->webrtc, context->announced_ice_servers);
  classroom->context.announced_ice_servers = NULL; /* (not the classroom's to keep) */
  gst_bin_add (GST_BIN (classroom->bin), classroom->webrtc);

  if (!build_media (
          classroom, &classroom->video, NULL, "video",
          g_strcmp0 (context->video_codec, LX_VIDEO_CODEC_VP8) == 0 ? "rtpvp8pay" : "rtph264pay",
          classroom->role == LX_CLASSROOM_ROLE_ANSWERS ? (guint) classroom->offer_payloads.video_pt
                                                       : VIDEO_PAYLOAD_TYPE,
          error))
    goto failed;
  if (context->audio_tee &&
      (classroom->role != LX_CLASSROOM_ROLE_ANSWERS || classroom->offer_payloads.audio_pt >= 0) &&
      !build_media (classroom, &classroom->audio, context->audio_tee, "audio", "rtpopuspay",
                    classroom->role == LX_CLASSROOM_ROLE_ANSWERS
                        ? (guint) classroom->offer_payloads.audio_pt
                        : AUDIO_PAYLOAD_TYPE,
                    error))
    goto failed;
  if (classroom->role == LX_CLASSROOM_ROLE_ANSWERS)
    hold_media (classroom);

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
  lx_layer_chooser_init (&classroom->chooser, context->n_layers, starting_layer (context, school),
                         context->config->adapt_layers && !context->config->encoder_per_classroom,
                         g_get_monotonic_time () / 1000);
  if (!lx_layer_switch_set (classroom->layer_switch, classroom->chooser.layer) ||
      (classroom->audio.payloader && !link_to_tee (&classroom->audio))) {
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

static void
release_tee_pad (MediaBranch *branch)
{
  if (branch->tee_pad == NULL)
    return;
  gst_element_release_request_pad (branch->tee, branch->tee_pad);
  gst_clear_object (&branch->tee_pad);
}

static gboolean
finish_close (gpointer data)
{
  LxClassroom *classroom = data;

  release_tee_pad (&classroom->video);
  release_tee_pad (&classroom->audio);
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
  unlinked (classroom);
  lx_classroom_unref (classroom);
}
