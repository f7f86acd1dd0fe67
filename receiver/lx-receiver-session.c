/* One media session of a classroom (see lx-receiver-session.h).
 *
 * Threads: the session is made, ended and read on the main context. webrtcbin calls back on its
 * own thread (candidates, the answer, connection state) and GStreamer's streaming threads add
 * pads and jitter buffers; those callbacks only touch the fields marked "atomic" or "streaming"
 * below, and hand anything for the owner to the main context, holding a reference. Setting the
 * pipeline to NULL joins all of those threads, so no callback runs once lx_receiver_session_end
 * has returned. */
#include "lx-receiver-session.h"

#include "lx-memory.h"
#include "lx-queue-meter.h"
#include "lx-echo.h"
#include "lx-return-media.h"
#include "lx-webrtc.h"

#include <gst/video/navigation.h>

struct _LxReceiverSession {
  const LxReceiverConfig *config;
  LxPlayback *playback; /* (not owned) outlives every session */
  LxReceiverSessionHandlers handlers;
  gpointer owner;
  gboolean ended;               /* main context: the owner is told nothing more */
  LxSignalingClient *signaling; /* (nullable) (owned) where candidates and the answer go */
  GstElement *pipeline;         /* (owned) */
  GstElement *webrtc;           /* (owned) lx_webrtc_new's reference; the pipeline holds one */
  guint bus_watch;
  LxLossCounts arrivals;       /* atomic: the session's packets as they arrived */
  guint metered_sessions;      /* streaming (new-jitterbuffer, serialised by rtpbin): bit N: RTP
                                * session N's input is counted */
  GHashTable *video_ssrcs;     /* main context, before any media: the offer's video SSRCs; read
                                * by new-jitterbuffer once media flows */
  GHashTable *audio_ssrcs;     /* the same, audio: read by the queue meter once media flows */
  LxQueueMeter *queue;         /* fed on a streaming thread, read on the main context (it locks) */
  GPtrArray *jitterbuffers;    /* (element-type GstElement) video ones; appended on a streaming
                                * thread, read on the main context: under lock */
  GMutex lock;                 /* for jitterbuffers and path_up_us */
  const char *failure;         /* (atomic) (nullable) why the session is dead: the first reason */
  gint video_linked;           /* (atomic) a video stream plays */
  gint loss_noticed;           /* (atomic) a retransmission request is on its way to the owner */
  gint64 path_up_us;           /* monotonic: ICE first connected, 0 not yet; under lock (set on
                                * webrtcbin's thread) */
  LxReturnMedia *return_media; /* main context: (nullable) the room's picture and voice back */
  GstElement *echo_probe;      /* main context: (nullable) what the speakers play (lx-echo.h) */
  gboolean microphone_open;    /* main context: the class has the floor */
};

LxReceiverSession *
lx_receiver_session_ref (LxReceiverSession *session)
{
  return g_atomic_rc_box_acquire (session);
}

static void
session_clear (LxReceiverSession *session)
{
  g_ptr_array_unref (session->jitterbuffers);
  g_hash_table_unref (session->video_ssrcs);
  g_hash_table_unref (session->audio_ssrcs);
  g_clear_pointer (&session->return_media, lx_return_media_free);
  gst_clear_object (&session->echo_probe);
  gst_clear_object (&session->webrtc);
  gst_clear_object (&session->pipeline);
  lx_queue_meter_free (session->queue); /* after the pipeline: its probe feeds it */
  g_clear_object (&session->signaling);
  g_mutex_clear (&session->lock);
  /* A session's webrtcbin keeps megabytes of packet stores and jitter buffers: give them back to
   * the system, not to a heap that only grows. */
  lx_memory_give_back ();
}

void
lx_receiver_session_unref (LxReceiverSession *session)
{
  g_atomic_rc_box_release_full (session, (GDestroyNotify) session_clear);
}

/* ---- Telling the owner, on the main context ---- */

typedef enum { TELL_CONNECTION_STATE, TELL_FAILED, TELL_LOSS_NOTICED } News;

typedef struct {
  LxReceiverSession *session;
  News news;
  const char *why;
} Telling;

static void
free_telling (gpointer data)
{
  Telling *telling = data;
  lx_receiver_session_unref (telling->session);
  g_free (telling);
}

static gboolean
tell_owner_main (gpointer data)
{
  Telling *telling = data;
  LxReceiverSession *session = telling->session;
  GstWebRTCPeerConnectionState state;

  if (session->ended)
    return G_SOURCE_REMOVE;
  switch (telling->news) {
  case TELL_CONNECTION_STATE:
    g_object_get (session->webrtc, "connection-state", &state, NULL);
    if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
      session->handlers.connected (session->owner);
    break;
  case TELL_FAILED:
    session->handlers.failed (session->owner, telling->why);
    break;
  case TELL_LOSS_NOTICED:
    g_atomic_int_set (&session->loss_noticed, 0);
    session->handlers.loss_noticed (session->owner);
    break;
  }
  return G_SOURCE_REMOVE;
}

static void
tell_owner (LxReceiverSession *session, News news, const char *why)
{
  Telling *telling = g_new0 (Telling, 1);

  telling->session = lx_receiver_session_ref (session);
  telling->news = news;
  telling->why = why;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, tell_owner_main, telling, free_telling);
}

/* The session is dead, for @why (a static string): the first reason is kept and told. */
static void
fail (LxReceiverSession *session, const char *why)
{
  if (g_atomic_pointer_compare_and_exchange (&session->failure, NULL, (gpointer) why))
    tell_owner (session, TELL_FAILED, why);
}

/* ---- webrtcbin's callbacks ---- */

static void
on_ice_candidate (GstElement *webrtc, guint mline_index, gchar *candidate, gpointer data)
{
  LxReceiverSession *session = data;
  g_autoptr (LxMessage) message = lx_message_new (LX_MESSAGE_CANDIDATE);

  message->school = g_strdup (session->config->connection.school);
  message->mline_index = mline_index;
  message->candidate = g_strdup (candidate);
  lx_signaling_client_send (session->signaling, message);
}

static void
on_connection_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  LxReceiverSession *session = data;
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtc, "connection-state", &state, NULL);
  /* "failed" is final for this session (unlike "disconnected", which the owner's watchdog rides
   * out). */
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
    fail (session, "ICE failed");
  else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    tell_owner (session, TELL_CONNECTION_STATE, NULL);
}

static void
on_ice_connection_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  LxReceiverSession *session = data;
  GstWebRTCICEConnectionState state;

  g_object_get (webrtc, "ice-connection-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
      state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED) {
    g_mutex_lock (&session->lock);
    if (session->path_up_us == 0)
      session->path_up_us = g_get_monotonic_time ();
    g_mutex_unlock (&session->lock);
  }
}

/* Loss recovery on the classroom's side, in two places because webrtcbin 1.22 needs both:
 * - each transceiver (made from the sender's offer, before the answer) says it will ask for lost
 *   packets again, so the answer accepts the sender's retransmission stream (RTX) and its forward
 *   error correction (RED/ULPFEC);
 * - each video jitter buffer really asks (NACK): webrtcbin decides that from a transceiver it
 *   cannot always find in a bundled session, and then asks for nothing. Audio has no
 *   retransmission stream (requests would only crowd the video's); Opus FEC and concealment cover
 *   its losses. The offer's a=ssrc lines say which stream is which. */
static void
on_new_transceiver (GstElement *webrtc, GstWebRTCRTPTransceiver *transceiver, gpointer data)
{
  LxReceiverSession *session = data;
  GstWebRTCKind kind = GST_WEBRTC_KIND_UNKNOWN;
  GstWebRTCRTPTransceiverDirection direction = GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_NONE;

  /* (the lesson's streams, made for the answer; not the room's own picture and voice going back,
   * lx-return-media.h) */
  g_object_get (transceiver, "kind", &kind, "direction", &direction, NULL);
  if (direction != GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY)
    return;
  g_object_set (transceiver, "do-nack", session->config->loss_recovery, NULL);
  /* Likewise forward error correction: the answer names RED and ULPFEC only if asked to. */
  if (session->config->loss_recovery && kind == GST_WEBRTC_KIND_VIDEO)
    g_object_set (transceiver, "fec-type", GST_WEBRTC_FEC_TYPE_ULP_RED, NULL);
}

/* A retransmission request leaving a video jitter buffer: the first sign of a lossy link, a
 * second before the counts show it, so the jitter buffer starts growing while the first keyframe
 * (the burst most likely to lose a packet) can still be mended. */
static GstPadProbeReturn
notice_retransmission_request (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxReceiverSession *session = data;

  if (gst_event_has_name (GST_PAD_PROBE_INFO_EVENT (info), "GstRTPRetransmissionRequest") &&
      g_atomic_int_compare_and_exchange (&session->loss_noticed, 0, 1))
    tell_owner (session, TELL_LOSS_NOTICED, NULL);
  return GST_PAD_PROBE_OK;
}

static void
on_new_jitterbuffer (GstElement *rtpbin, GstElement *jitterbuffer, guint rtp_session, guint ssrc,
                     gpointer data)
{
  LxReceiverSession *session = data;
  gboolean video = g_hash_table_contains (session->video_ssrcs, GUINT_TO_POINTER (ssrc));

  /* The first stream of an RTP session: count its input, every stream of it, from now on. */
  if (rtp_session < 32 && !(session->metered_sessions & (1u << rtp_session))) {
    g_autoptr (GstElement) element = NULL;
    g_signal_emit_by_name (rtpbin, "get-session", rtp_session, &element);
    if (element) {
      g_autoptr (GstPad) input = gst_element_get_static_pad (element, "recv_rtp_sink");
      if (input) {
        lx_loss_meter_attach (input, &session->arrivals);
        lx_queue_meter_attach (session->queue, input, session->audio_ssrcs);
      }
    }
    session->metered_sessions |= 1u << rtp_session;
  }

  /* Requests only for real gaps: video arrives in bursts (a keyframe is dozens of packets at once,
   * then nothing), so "the next packet is late" guesses would flood the sender with requests for
   * packets it has not sent yet. do-lost: a packet given up on is announced downstream, so the
   * Opus decoder conceals it (or rebuilds it from the next packet's FEC) instead of leaving a hole
   * in the sound. */
  g_object_set (jitterbuffer, "do-lost", TRUE, "do-retransmission",
                session->config->loss_recovery && video, "rtx-next-seqnum", FALSE, "rtx-delay", 5,
                "rtx-max-retries", -1, NULL);
  if (video) {
    g_autoptr (GstPad) sink = gst_element_get_static_pad (jitterbuffer, "sink");
    gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, notice_retransmission_request,
                       session, NULL);
    g_mutex_lock (&session->lock);
    g_ptr_array_add (session->jitterbuffers, gst_object_ref (jitterbuffer));
    g_mutex_unlock (&session->lock);
  }
}

/* A stream we cannot play goes nowhere quietly: left unlinked, its "not-linked" would stop the
 * whole session, sound and pictures included. */
static void
sink_unplayable (GstElement *pipeline, GstPad *pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (sink, "sink");

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  gst_pad_link (pad, sink_pad);
}

static gboolean
is_video_pad (GstPad *pad)
{
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  return g_strcmp0 (gst_structure_get_string (gst_caps_get_structure (caps, 0), "media"),
                    "video") == 0;
}

static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer data)
{
  LxReceiverSession *session = data;
  g_autoptr (GError) error = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  if (lx_playback_link_pad (session->playback, session->pipeline, pad, &error)) {
    if (is_video_pad (pad))
      g_atomic_int_set (&session->video_linked, TRUE);
    return;
  }
  sink_unplayable (session->pipeline, pad);
  /* (e.g. video still in RED: webrtcbin found no transceiver for the stream in time to put the
   * FEC decoder in front of it) A session without pictures is not one: negotiate again. But
   * beside a video stream already playing, such a stream is only a stray one (seen under the
   * sanitizers): the picture goes on, and should it stop, the media watchdog negotiates again. */
  if (g_atomic_int_get (&session->video_linked)) {
    g_message ("%s: a stray stream beside the video that plays, left aside", error->message);
    return;
  }
  g_warning ("%s; negotiating again", error->message);
  fail (session, "a stream it cannot play");
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  LxReceiverSession *session = data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;

  /* A sink's latency changed (a stream was added, the jitter buffer adapted): apply it, so
   * frames are shown after the jitter buffer's delay and not thrown away as late. */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_LATENCY) {
    gst_bin_recalculate_latency (GST_BIN (session->pipeline));
    return G_SOURCE_CONTINUE;
  }
  /* A key in the window the lesson shows in (a remote, a keyboard): the classroom's commands. */
  if (gst_navigation_message_get_type (message) == GST_NAVIGATION_MESSAGE_EVENT &&
      session->handlers.key_pressed) {
    g_autoptr (GstEvent) event = NULL;
    const char *key = NULL;
    if (gst_navigation_message_parse_event (message, &event) &&
        gst_navigation_event_get_type (event) == GST_NAVIGATION_EVENT_KEY_PRESS &&
        gst_navigation_event_parse_key_event (event, &key))
      session->handlers.key_pressed (session->owner, key);
    return G_SOURCE_CONTINUE;
  }
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;
  gst_message_parse_error (message, &error, &debug);
  /* A camera or microphone that fails (unplugged, busy) costs the teacher the class's picture or
   * voice, never the class the lesson. */
  if (session->return_media &&
      lx_return_media_set_aside (session->return_media, GST_MESSAGE_SRC (message))) {
    g_warning ("classroom %s: %s failed: %s; the lesson plays on without it",
               session->config->connection.school, GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
               error->message);
    return G_SOURCE_CONTINUE;
  }
  g_warning ("classroom %s: media error from %s: %s (%s)", session->config->connection.school,
             GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message, debug ? debug : "");
  fail (session, "media error");
  return G_SOURCE_CONTINUE;
}

/* ---- The session ---- */

LxReceiverSession *
lx_receiver_session_new (const LxReceiverConfig *config, LxPlayback *playback, guint latency_ms,
                         LxSignalingClient *signaling, const LxReceiverSessionHandlers *handlers,
                         gpointer owner, GError **error)
{
  GstElement *webrtc =
      lx_webrtc_new ("webrtc", LX_WEBRTC_RECEIVING, &config->connection.ice, latency_ms, error);
  LxReceiverSession *session;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstElement) rtpbin = NULL;

  if (webrtc == NULL)
    return NULL;
  if (signaling) /* (our sender's offer; a media server's WHEP answer keeps libnice's pacing) */
    lx_webrtc_pace_checks_quickly (webrtc);
  session = g_atomic_rc_box_new0 (LxReceiverSession);
  session->config = config;
  session->playback = playback;
  session->handlers = *handlers;
  session->owner = owner;
  session->signaling = signaling ? g_object_ref (signaling) : NULL;
  session->webrtc = webrtc;
  session->video_ssrcs = g_hash_table_new (NULL, NULL);
  session->audio_ssrcs = g_hash_table_new (NULL, NULL);
  session->queue = lx_queue_meter_new ();
  session->jitterbuffers = g_ptr_array_new_with_free_func (gst_object_unref);
  g_mutex_init (&session->lock);
  session->pipeline = gst_object_ref_sink (gst_pipeline_new ("receiver"));
  gst_bin_add (GST_BIN (session->pipeline), webrtc);
  /* (a WHEP server takes every candidate in the offer instead) */
  if (signaling)
    g_signal_connect (webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), session);
  g_signal_connect (webrtc, "pad-added", G_CALLBACK (on_pad_added), session);
  g_signal_connect (webrtc, "on-new-transceiver", G_CALLBACK (on_new_transceiver), session);
  g_signal_connect (webrtc, "notify::connection-state", G_CALLBACK (on_connection_state), session);
  g_signal_connect (webrtc, "notify::ice-connection-state", G_CALLBACK (on_ice_connection_state),
                    session);
  rtpbin = gst_bin_get_by_name (GST_BIN (webrtc), "rtpbin");
  g_signal_connect (rtpbin, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), session);
  bus = gst_element_get_bus (session->pipeline);
  session->bus_watch = gst_bus_add_watch (bus, on_bus_message, session);
  gst_element_set_state (session->pipeline, GST_STATE_PLAYING);
  return session;
}

void
lx_receiver_session_end (LxReceiverSession *session)
{
  g_autoptr (GstElement) rtpbin = NULL;

  if (session == NULL)
    return;
  session->ended = TRUE;
  /* (joins webrtcbin's thread and every streaming thread: no callback runs after this) */
  gst_element_set_state (session->pipeline, GST_STATE_NULL);
  g_clear_pointer (&session->return_media, lx_return_media_free);
  if (session->echo_probe) {
    lx_playback_set_echo_probe (session->playback, NULL);
    gst_clear_object (&session->echo_probe);
  }
  g_signal_handlers_disconnect_by_data (session->webrtc, session);
  rtpbin = gst_bin_get_by_name (GST_BIN (session->webrtc), "rtpbin");
  if (rtpbin)
    g_signal_handlers_disconnect_by_data (rtpbin, session);
  /* The bus watch holds the bus, which holds the pipeline's messages: left in place it kept every
   * past session's webrtcbin alive for good. */
  g_clear_handle_id (&session->bus_watch, g_source_remove);
  lx_receiver_session_unref (session);
}

GstElement *
lx_receiver_session_get_webrtc (LxReceiverSession *session)
{
  return session->webrtc;
}

GstElement *
lx_receiver_session_get_pipeline (LxReceiverSession *session)
{
  return session->pipeline;
}

static void
on_answer_created (GstPromise *promise, gpointer data)
{
  LxReceiverSession *session = data;

  lx_webrtc_publish_local_description (session->webrtc, promise, session->signaling,
                                       session->config->connection.school);
}

void
lx_receiver_session_answer (LxReceiverSession *session, GstWebRTCSessionDescription *offer)
{
  GstPromise *promise;

  lx_receiver_session_note_ssrcs (session, offer->sdp);
  lx_webrtc_set_description (session->webrtc, FALSE, offer);
  if (session->return_media == NULL) {
    g_autoptr (GError) error = NULL;
    /* An open microphone hears the speakers: its echo cancelling reads what they play (and a
     * simulated echo path takes it from there). */
    if (session->echo_probe == NULL && !g_str_equal (session->config->microphone, "none") &&
        (session->config->echo_cancel || session->config->simulated_echo_ms > 0)) {
      session->echo_probe = lx_echo_probe_new ();
      lx_playback_set_echo_probe (session->playback, session->echo_probe);
    }
    session->return_media = lx_return_media_attach (
        session->config, session->pipeline, session->webrtc, offer->sdp,
        session->echo_probe ? GST_OBJECT_NAME (session->echo_probe) : NULL, &error);
    if (session->return_media == NULL)
      g_warning ("classroom %s: %s; the teacher will not see or hear the class",
                 session->config->connection.school, error->message);
    else
      lx_return_media_set_microphone_open (session->return_media, session->microphone_open);
  }
  promise = gst_promise_new_with_change_func (on_answer_created, lx_receiver_session_ref (session),
                                              (GDestroyNotify) lx_receiver_session_unref);
  g_signal_emit_by_name (session->webrtc, "create-answer", NULL, promise);
}

void
lx_receiver_session_note_ssrcs (LxReceiverSession *session, const GstSDPMessage *sdp)
{
  g_hash_table_remove_all (session->video_ssrcs);
  g_hash_table_remove_all (session->audio_ssrcs);
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    const char *kind = gst_sdp_media_get_media (media);
    GHashTable *ssrcs = g_strcmp0 (kind, "video") == 0   ? session->video_ssrcs
                        : g_strcmp0 (kind, "audio") == 0 ? session->audio_ssrcs
                                                         : NULL;
    for (guint j = 0; ssrcs && j < gst_sdp_media_attributes_len (media); j++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, j);
      if (g_strcmp0 (attribute->key, "ssrc") == 0 && attribute->value)
        g_hash_table_add (ssrcs,
                          GUINT_TO_POINTER ((guint) g_ascii_strtoull (attribute->value, NULL, 10)));
    }
  }
}

void
lx_receiver_session_add_ice_candidate (LxReceiverSession *session, guint mline_index,
                                       const char *candidate)
{
  g_signal_emit_by_name (session->webrtc, "add-ice-candidate", mline_index, candidate);
}

void
lx_receiver_session_set_latency (LxReceiverSession *session, guint latency_ms)
{
  /* webrtcbin passes it on to every jitter buffer; they announce the new latency, and the bus
   * handler applies it to the pipeline. */
  g_object_set (session->webrtc, "latency", latency_ms, NULL);
}

gint64
lx_receiver_session_path_up_us (LxReceiverSession *session)
{
  gint64 path_up_us;

  g_mutex_lock (&session->lock);
  path_up_us = session->path_up_us;
  g_mutex_unlock (&session->lock);
  return path_up_us;
}

gint
lx_receiver_session_packets_received (LxReceiverSession *session)
{
  return g_atomic_int_get (&session->arrivals.received);
}

guint64
lx_receiver_session_bytes_received (LxReceiverSession *session)
{
  return (guint64) g_atomic_pointer_get (&session->arrivals.bytes);
}

gint
lx_receiver_session_queue_ms (LxReceiverSession *session, gint window_ms)
{
  return lx_queue_meter_read (session->queue, g_get_monotonic_time (), window_ms);
}

gint
lx_receiver_session_packets_lost (LxReceiverSession *session)
{
  return MAX (g_atomic_int_get (&session->arrivals.expected) -
                  g_atomic_int_get (&session->arrivals.received),
              0);
}

LxVideoRepair
lx_receiver_session_read_video_repair (LxReceiverSession *session)
{
  LxVideoRepair counts = { 0, 0, 0 };

  g_mutex_lock (&session->lock);
  for (guint i = 0; i < session->jitterbuffers->len; i++) {
    g_autoptr (GstStructure) stats = NULL;
    guint64 lost = 0, requests = 0, retransmitted = 0;

    g_object_get (g_ptr_array_index (session->jitterbuffers, i), "stats", &stats, NULL);
    gst_structure_get (stats, "num-lost", G_TYPE_UINT64, &lost, "rtx-count", G_TYPE_UINT64,
                       &requests, "rtx-success-count", G_TYPE_UINT64, &retransmitted, NULL);
    counts.lost += lost;
    counts.retransmission_requests += requests;
    counts.retransmitted += retransmitted;
  }
  g_mutex_unlock (&session->lock);
  return counts;
}

const char *
lx_receiver_session_get_failure (LxReceiverSession *session)
{
  return g_atomic_pointer_get (&session->failure);
}

void
lx_receiver_session_set_microphone_open (LxReceiverSession *session, gboolean open)
{
  session->microphone_open = open;
  if (session->return_media)
    lx_return_media_set_microphone_open (session->return_media, open);
}

guint64
lx_receiver_session_return_frames_sent (LxReceiverSession *session)
{
  return session->return_media ? lx_return_media_get_frames_sent (session->return_media) : 0;
}

gboolean
lx_receiver_session_get_microphone (LxReceiverSession *session, LxReturnMicrophone *microphone)
{
  if (session->return_media == NULL)
    return FALSE;
  *microphone = lx_return_media_get_microphone (session->return_media);
  return TRUE;
}
