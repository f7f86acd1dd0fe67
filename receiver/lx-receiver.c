/* The receiver (see lx-receiver.h). Each offer from the sender gets a fresh pipeline around a
 * fresh webrtcbin, so a sender restart never leaves half of an old session behind; the LxPlayback
 * counters carry on across them. */
#include "lx-receiver.h"
#include "lx-receiver-private.h"

#include "lx-fullscreen.h"
#include "lx-memory.h"
#include "lx-playback.h"
#include "lx-standby.h"
#include "lx-timetable.h"
#include "lx-signaling-client.h"
#include "lx-stats.h"
#include "lx-webrtc.h"

#include <glib-unix.h>
#include <gst/sdp/sdp.h>
#include <stdio.h>

#define SNAPSHOT_INTERVAL_S 5
#define SERVER_REPORT_INTERVAL_US (5 * G_USEC_PER_SEC)
static void
quit (LxReceiver *receiver, int status)
{
  receiver->exit_status = status;
  g_main_loop_quit (receiver->loop);
}

void
lx_receiver_set_state (LxReceiver *receiver, const char *state)
{
  if (g_strcmp0 (receiver->state, state) != 0)
    g_message ("classroom %s: %s", receiver->config->connection.school, state);
  receiver->state = state;
}

/* ---- One media session ---- */

void
lx_receiver_stop_session (LxReceiver *receiver)
{
  g_autoptr (GstBus) bus = NULL;

  if (receiver->pipeline == NULL)
    return;
  g_signal_handlers_disconnect_by_data (receiver->webrtc, receiver);
  gst_element_set_state (receiver->pipeline, GST_STATE_NULL);
  /* The session's bus watch holds its bus; and lx_webrtc_new's reference on the webrtcbin is
   * ours (the pipeline took one of its own): both kept every past session's webrtcbin — its
   * packet stores and jitter buffers, 13 MB a session — alive for good. */
  bus = gst_element_get_bus (receiver->pipeline);
  gst_bus_remove_watch (bus);
  gst_clear_object (&receiver->pipeline);
  gst_clear_object (&receiver->webrtc);
  g_ptr_array_set_size (receiver->video_jitterbuffers, 0);
  lx_memory_give_back ();
}

/* The webrtcbin that asked for an answer: the session may be replaced before the answer is ready. */
typedef struct {
  LxReceiver *receiver;
  GstElement *webrtc;
} AnswerRequest;

static void
free_answer_request (gpointer data)
{
  AnswerRequest *request = data;
  gst_object_unref (request->webrtc);
  g_free (request);
}

static void
on_answer_created (GstPromise *promise, gpointer data)
{
  AnswerRequest *request = data;

  lx_webrtc_publish_local_description (request->webrtc, promise, request->receiver->signaling,
                                       request->receiver->config->connection.school);
}

static void
on_ice_candidate (GstElement *webrtc, guint mline_index, gchar *candidate, gpointer data)
{
  LxReceiver *receiver = data;
  g_autoptr (LxMessage) message = lx_message_new (LX_MESSAGE_CANDIDATE);

  message->school = g_strdup (receiver->config->connection.school);
  message->mline_index = mline_index;
  message->candidate = g_strdup (candidate);
  lx_signaling_client_send (receiver->signaling, message);
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
  LxReceiver *receiver = data;

  GstWebRTCKind kind = GST_WEBRTC_KIND_UNKNOWN;

  g_object_get (transceiver, "kind", &kind, NULL);
  g_object_set (transceiver, "do-nack", receiver->config->loss_recovery, NULL);
  /* Likewise forward error correction: the answer names RED and ULPFEC only if asked to. */
  if (receiver->config->loss_recovery && kind == GST_WEBRTC_KIND_VIDEO)
    g_object_set (transceiver, "fec-type", GST_WEBRTC_FEC_TYPE_ULP_RED, NULL);
}

static gboolean
on_loss_noticed (gpointer data)
{
  LxReceiver *receiver = data;

  g_atomic_int_set (&receiver->loss_noticed, 0);
  lx_receiver_tune_jitter_buffer (receiver, TRUE, FALSE);
  return G_SOURCE_REMOVE;
}

/* A retransmission request leaving a video jitter buffer: the first sign of a lossy link, a
 * second before the statistics show it, so the jitter buffer starts growing while the first
 * keyframe (the burst most likely to lose a packet) can still be mended. */
static GstPadProbeReturn
notice_retransmission_request (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxReceiver *receiver = data;

  if (gst_event_has_name (GST_PAD_PROBE_INFO_EVENT (info), "GstRTPRetransmissionRequest") &&
      g_atomic_int_compare_and_exchange (&receiver->loss_noticed, 0, 1))
    g_idle_add (on_loss_noticed, receiver);
  return GST_PAD_PROBE_OK;
}

static void
on_new_jitterbuffer (GstElement *rtpbin, GstElement *jitterbuffer, guint session, guint ssrc,
                     gpointer data)
{
  LxReceiver *receiver = data;

  /* Requests only for real gaps: video arrives in bursts (a keyframe is dozens of packets at once,
   * then nothing), so "the next packet is late" guesses would flood the sender with requests for
   * packets it has not sent yet. */
  /* do-lost: a packet given up on is announced downstream, so the Opus decoder conceals it (or
   * rebuilds it from the next packet's FEC) instead of leaving a hole in the sound. */
  gboolean video = g_hash_table_contains (receiver->video_ssrcs, GUINT_TO_POINTER (ssrc));

  /* The first stream of an RTP session: count its input, every stream of it, from now on. */
  if (session < 32 && !(receiver->metered_sessions & (1u << session))) {
    g_autoptr (GstElement) rtp_session = NULL;
    g_signal_emit_by_name (rtpbin, "get-session", session, &rtp_session);
    if (rtp_session) {
      g_autoptr (GstPad) input = gst_element_get_static_pad (rtp_session, "recv_rtp_sink");
      if (input)
        lx_loss_meter_attach (input, &receiver->arrivals);
    }
    receiver->metered_sessions |= 1u << session;
  }

  g_object_set (jitterbuffer, "do-lost", TRUE, "do-retransmission",
                receiver->config->loss_recovery && video, "rtx-next-seqnum", FALSE, "rtx-delay", 5,
                "rtx-max-retries", -1, NULL);
  if (video) {
    g_autoptr (GstPad) sink = gst_element_get_static_pad (jitterbuffer, "sink");
    gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, notice_retransmission_request,
                       receiver, NULL);
    g_ptr_array_add (receiver->video_jitterbuffers, gst_object_ref (jitterbuffer));
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
  LxReceiver *receiver = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstObject) pipeline = gst_object_get_parent (GST_OBJECT (webrtc));

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC || pipeline == NULL)
    return;
  if (lx_playback_link_pad (receiver->playback, GST_ELEMENT (pipeline), pad, &error)) {
    if (is_video_pad (pad))
      g_atomic_int_set (&receiver->video_linked, TRUE);
    return;
  }
  sink_unplayable (GST_ELEMENT (pipeline), pad);
  /* (e.g. video still in RED: webrtcbin found no transceiver for the stream in time to put the
   * FEC decoder in front of it) A session without pictures is not one: negotiate again. But
   * beside a video stream already playing, such a stream is only a stray one (seen under the
   * sanitizers): the picture goes on, and should it stop, the media watchdog negotiates again. */
  if (g_atomic_int_get (&receiver->video_linked)) {
    g_message ("%s: a stray stream beside the video that plays, left aside", error->message);
    return;
  }
  g_warning ("%s; negotiating again", error->message);
  g_atomic_pointer_set (&receiver->session_failure, "a stream it cannot play");
}

static gboolean
on_connection_state_main (gpointer data)
{
  LxReceiver *receiver = data;
  GstWebRTCPeerConnectionState state;

  if (receiver->webrtc == NULL)
    return G_SOURCE_REMOVE;
  g_object_get (receiver->webrtc, "connection-state", &state, NULL);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    lx_receiver_set_state (receiver, "receiving");
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    /* "failed" is final for this session (unlike "disconnected", which the watchdog rides out):
     * negotiate afresh at once. */
    g_atomic_pointer_set (&receiver->session_failure, "ICE failed");
    lx_receiver_set_state (receiver, "failed");
  }
  return G_SOURCE_REMOVE;
}

static void
on_connection_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  g_main_context_invoke (NULL, on_connection_state_main, data);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  LxReceiver *receiver = data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;

  /* A sink's latency changed (a stream was added, the jitter buffer adapted): apply it, so
   * frames are shown after the jitter buffer's delay and not thrown away as late. */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_LATENCY && receiver->pipeline) {
    gst_bin_recalculate_latency (GST_BIN (receiver->pipeline));
    return G_SOURCE_CONTINUE;
  }
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;
  gst_message_parse_error (message, &error, &debug);
  g_warning ("classroom %s: media error from %s: %s (%s)", receiver->config->connection.school,
             GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message, debug ? debug : "");
  /* The session is dead; the watchdog negotiates a new one (never a classroom left on "failed"). */
  g_atomic_pointer_set (&receiver->session_failure, "media error");
  lx_receiver_set_state (receiver, "failed");
  return G_SOURCE_CONTINUE;
}

/* Which SSRCs the sender's description announces for video (its a=ssrc lines). */
void
lx_receiver_note_video_ssrcs (LxReceiver *receiver, const GstSDPMessage *sdp)
{
  g_hash_table_remove_all (receiver->video_ssrcs);
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    if (g_strcmp0 (gst_sdp_media_get_media (media), "video") != 0)
      continue;
    for (guint j = 0; j < gst_sdp_media_attributes_len (media); j++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, j);
      if (g_strcmp0 (attribute->key, "ssrc") == 0 && attribute->value)
        g_hash_table_add (receiver->video_ssrcs,
                          GUINT_TO_POINTER ((guint) g_ascii_strtoull (attribute->value, NULL, 10)));
    }
  }
}

gboolean
lx_receiver_start_pipeline (LxReceiver *receiver)
{
  const LxConnectionSettings *connection = &receiver->config->connection;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstElement) rtpbin = NULL;

  lx_receiver_stop_session (receiver);
  receiver->pipeline = gst_pipeline_new ("receiver");
  /* (no streaming thread of the previous session counts any more) */
  g_atomic_int_set (&receiver->arrivals.received, 0);
  g_atomic_int_set (&receiver->arrivals.expected, 0);
  receiver->metered_sessions = 0;
  if (receiver->jitter_buffer_ms == 0)
    receiver->jitter_buffer_ms = receiver->config->jitter_buffer_ms;
  receiver->webrtc = lx_webrtc_new ("webrtc", LX_WEBRTC_RECEIVING, &connection->ice,
                                    (guint) receiver->jitter_buffer_ms, &error);
  if (receiver->webrtc == NULL) {
    g_warning ("classroom %s: %s", connection->school, error->message);
    gst_clear_object (&receiver->pipeline);
    return FALSE;
  }
  gst_bin_add (GST_BIN (receiver->pipeline), receiver->webrtc);
  /* (a WHEP server takes every candidate in the offer instead) */
  if (receiver->signaling)
    g_signal_connect (receiver->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate),
                      receiver);
  g_signal_connect (receiver->webrtc, "pad-added", G_CALLBACK (on_pad_added), receiver);
  g_signal_connect (receiver->webrtc, "on-new-transceiver", G_CALLBACK (on_new_transceiver),
                    receiver);
  rtpbin = gst_bin_get_by_name (GST_BIN (receiver->webrtc), "rtpbin");
  g_signal_connect (rtpbin, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), receiver);
  g_signal_connect (receiver->webrtc, "notify::connection-state", G_CALLBACK (on_connection_state),
                    receiver);
  bus = gst_element_get_bus (receiver->pipeline);
  gst_bus_add_watch (bus, on_bus_message, receiver);
  if (receiver->fullscreen)
    lx_fullscreen_window_attach (receiver->fullscreen, receiver->pipeline);
  gst_element_set_state (receiver->pipeline, GST_STATE_PLAYING);
  lx_receiver_set_state (receiver, "connecting");
  receiver->media_seen_us = receiver->frames_seen_us = g_get_monotonic_time ();
  g_atomic_pointer_set (&receiver->session_failure, NULL);
  g_atomic_int_set (&receiver->video_linked, FALSE);
  return TRUE;
}

/* The sender's offer, through signaling: a fresh session answers it. */
static void
start_session (LxReceiver *receiver, const char *sdp)
{
  g_autoptr (GError) error = NULL;
  GstWebRTCSessionDescription *offer;
  AnswerRequest *request;
  GstPromise *promise;

  offer = lx_webrtc_description_from_text (GST_WEBRTC_SDP_TYPE_OFFER, sdp, &error);
  if (offer == NULL) {
    g_warning ("classroom %s: unusable offer: %s", receiver->config->connection.school,
               error->message);
    return;
  }
  if (!lx_receiver_start_pipeline (receiver)) {
    gst_webrtc_session_description_free (offer);
    return;
  }
  lx_receiver_note_video_ssrcs (receiver, offer->sdp);
  lx_webrtc_set_description (receiver->webrtc, FALSE, offer);
  gst_webrtc_session_description_free (offer);
  request = g_new0 (AnswerRequest, 1);
  request->receiver = receiver;
  request->webrtc = gst_object_ref (receiver->webrtc);
  promise = gst_promise_new_with_change_func (on_answer_created, request, free_answer_request);
  g_signal_emit_by_name (receiver->webrtc, "create-answer", NULL, promise);
}

/* ---- Signaling ---- */

static void
sender_gone (LxReceiver *receiver, const char *why)
{
  lx_receiver_stop_session (receiver);
  if (g_str_equal (receiver->config->on_sender_left, "exit")) {
    g_message ("classroom %s: the sender %s; exiting as configured",
               receiver->config->connection.school, why);
    quit (receiver, LX_RECEIVER_EXIT_OK);
    return;
  }
  lx_receiver_set_state (receiver, "waiting-for-sender");
  lx_receiver_show_card (receiver, "waiting-for-teacher",
                         "等待老师… · Waiting for the teacher…\n\n课程会自动继续\n"
                         "The lesson goes on by itself when the teacher is back");
}

static void
on_signaling_message (LxSignalingClient *client, const LxMessage *message, LxReceiver *receiver)
{
  switch (message->type) {
  case LX_MESSAGE_OFFER:
    start_session (receiver, message->sdp);
    break;
  case LX_MESSAGE_CANDIDATE:
    if (receiver->webrtc && message->candidate[0] != '\0')
      g_signal_emit_by_name (receiver->webrtc, "add-ice-candidate", message->mline_index,
                             message->candidate);
    break;
  case LX_MESSAGE_SENDER_JOINED:
    /* The sender lost its signaling connection and is back: the media never stopped. */
    if (message->resume && receiver->pipeline)
      break;
    /* A new sender (or a restarted one): the old session is dead, a new offer is on its way. */
    lx_receiver_stop_session (receiver);
    lx_receiver_set_state (receiver, "waiting-for-offer");
    break;
  case LX_MESSAGE_SENDER_LEFT:
    sender_gone (receiver, "left the lesson");
    break;
  default:
    g_warning ("ignoring unexpected '%s' from the signaling server",
               lx_message_type_to_string (message->type));
    break;
  }
}

static void
on_signaling_joined (LxSignalingClient *client, const LxMessage *welcome, LxReceiver *receiver)
{
  g_message ("classroom %s: joined lesson %s", receiver->config->connection.school,
             welcome->lesson);
  /* Back after a lost signaling connection, with the media still flowing: nothing to do. */
  if (receiver->pipeline)
    return;
  lx_receiver_set_state (receiver,
                         welcome->sender_present ? "waiting-for-offer" : "waiting-for-sender");
}

/* The signaling connection dropped (the server restarted, the network is down): the client joins
 * again by itself, and media already flowing goes on meanwhile. */
static void
on_signaling_disconnected (LxSignalingClient *client, const GError *reason, LxReceiver *receiver)
{
  g_message ("classroom %s: signaling lost (%s); the media %s", receiver->config->connection.school,
             reason->message, receiver->pipeline ? "goes on" : "is not flowing");
}

static void leave_lesson (LxReceiver *receiver);

static void
on_signaling_closed (LxSignalingClient *client, const GError *reason, LxReceiver *receiver)
{
  if (receiver->timetable) {
    /* Unattended: the timetable joins again on its next tick. */
    g_warning ("classroom %s: %s", receiver->config->connection.school, reason->message);
    leave_lesson (receiver);
    lx_receiver_set_state (receiver, "server-unreachable");
    receiver->next_join_us = g_get_monotonic_time () + lx_timetable_retry_delay_us ();
    return;
  }
  g_printerr ("lianxiao-receiver: %s\n", reason->message);
  quit (receiver, LX_RECEIVER_EXIT_FAILED);
}

/* ---- Lessons: one joined at a time ---- */

static void
join_lesson (LxReceiver *receiver, const char *lesson)
{
  const LxConnectionSettings *connection = &receiver->config->connection;

  g_message ("classroom %s: joining lesson %s", connection->school, lesson);
  receiver->lesson = g_strdup (lesson);
  receiver->signaling =
      lx_signaling_client_new (connection->server, LX_ROLE_RECEIVER, lesson, connection->school,
                               connection->token, connection->trusted_cas);
  g_signal_connect (receiver->signaling, "joined", G_CALLBACK (on_signaling_joined), receiver);
  g_signal_connect (receiver->signaling, "message", G_CALLBACK (on_signaling_message), receiver);
  g_signal_connect (receiver->signaling, "closed", G_CALLBACK (on_signaling_closed), receiver);
  g_signal_connect (receiver->signaling, "disconnected", G_CALLBACK (on_signaling_disconnected),
                    receiver);
  lx_receiver_set_state (receiver, "connecting-to-server");
  lx_signaling_client_start (receiver->signaling);
}

static void
leave_lesson (LxReceiver *receiver)
{
  lx_receiver_stop_session (receiver);
  if (receiver->signaling) {
    g_signal_handlers_disconnect_by_data (receiver->signaling, receiver);
    lx_signaling_client_stop (receiver->signaling);
    g_clear_object (&receiver->signaling);
  }
  if (receiver->lesson)
    g_message ("classroom %s: left lesson %s", receiver->config->connection.school,
               receiver->lesson);
  g_clear_pointer (&receiver->lesson, g_free);
}

/* Once a second, unattended: in the lesson under way, or on the standby screen. */
static gboolean
follow_timetable (gpointer data)
{
  LxReceiver *receiver = data;
  const char *school = receiver->config->connection.school;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const LxOccurrence *current = lx_timetable_current (receiver->timetable, now);
  const LxOccurrence *next;
  const char *name;
  g_autofree gchar *text = NULL;
  g_autofree gchar *today = NULL;
  g_autoptr (GDateTime) local_now = NULL;
  g_autoptr (GTimeZone) zone = NULL;

  if (current) {
    if (g_strcmp0 (receiver->lesson, current->lesson) != 0 &&
        g_get_monotonic_time () >= receiver->next_join_us) {
      leave_lesson (receiver);
      lx_standby_hide (receiver->standby);
      join_lesson (receiver, current->lesson);
    }
    return G_SOURCE_CONTINUE;
  }
  if (receiver->lesson)
    leave_lesson (receiver); /* the lesson is over */
  next = lx_timetable_next (receiver->timetable, now);
  g_free (receiver->next_title);
  g_free (receiver->next_start);
  receiver->next_title = next ? g_strdup (next->title) : NULL;
  receiver->next_start = next ? g_strdup (next->start_local) : NULL;
  name = lx_timetable_get_school_name (receiver->timetable);
  /* "Today" is the lesson's (a box left on UTC still says 明天 for tomorrow's lesson). */
  zone = next ? g_time_zone_new_identifier (next->time_zone) : NULL;
  local_now = zone ? g_date_time_new_now (zone) : g_date_time_new_now_local ();
  today = g_date_time_format (local_now, "%Y-%m-%d");
  text = lx_standby_compose (name ? name : school, receiver->next_title, receiver->next_start,
                             lx_timetable_get_problem (receiver->timetable), today);
  lx_standby_show (receiver->standby, text);
  lx_receiver_set_state (receiver, "standby");
  return G_SOURCE_CONTINUE;
}

/* ---- Statistics and exit conditions ---- */

typedef struct {
  guint64 lost, retransmission_requests, retransmitted;
} VideoRepairCounts;

/* The video jitter buffers' view, after repair: packets given up on (a visible glitch unless FEC
 * rebuilt them), retransmissions asked for and received. */
static VideoRepairCounts
read_video_repair (LxReceiver *receiver)
{
  VideoRepairCounts counts = { 0, 0, 0 };

  for (guint i = 0; i < receiver->video_jitterbuffers->len; i++) {
    g_autoptr (GstStructure) stats = NULL;
    guint64 lost = 0, requests = 0, retransmitted = 0;

    g_object_get (g_ptr_array_index (receiver->video_jitterbuffers, i), "stats", &stats, NULL);
    gst_structure_get (stats, "num-lost", G_TYPE_UINT64, &lost, "rtx-count", G_TYPE_UINT64,
                       &requests, "rtx-success-count", G_TYPE_UINT64, &retransmitted, NULL);
    counts.lost += lost;
    counts.retransmission_requests += requests;
    counts.retransmitted += retransmitted;
  }
  return counts;
}

/* Tells the server how the lesson arrives (every few seconds, while in a session): it keeps the
 * attendance record and shows it to IT staff. */
static void
report_to_server (LxReceiver *receiver, const LxPlaybackStats *stats, guint64 video_kbps)
{
  g_autoptr (LxMessage) message = NULL;
  gint64 now = g_get_monotonic_time ();

  if (receiver->signaling == NULL || receiver->webrtc == NULL ||
      now - receiver->last_report_us < SERVER_REPORT_INTERVAL_US)
    return;
  receiver->last_report_us = now;
  message = lx_message_new (LX_MESSAGE_STATS);
  message->frames_decoded = (gint) MIN (stats->frames_decoded, (guint64) G_MAXINT);
  message->packets_lost = lx_receiver_packets_lost (receiver);
  message->video_kbps = (gint) MIN (video_kbps, (guint64) 1000000);
  message->state = g_strdup (receiver->state);
  lx_signaling_client_send (receiver->signaling, message);
}

static gboolean
report_stats (gpointer data)
{
  LxReceiver *receiver = data;
  const LxReceiverConfig *config = receiver->config;
  LxPlaybackStats stats = lx_playback_get_stats (receiver->playback);
  LxPlaybackStats *last = &receiver->last_stats;
  gint64 now_us = g_get_monotonic_time ();
  /* Rates over the time since the last report (the final report comes early), per second. */
  guint64 interval_ms = receiver->last_stats_us
                            ? (guint64) MAX ((now_us - receiver->last_stats_us) / 1000, 1)
                            : (guint64) config->stats_interval_ms;
  guint64 fps = (stats.frames_decoded - last->frames_decoded) * 1000 / interval_ms;
  guint64 video_kbps = (stats.video_bytes - last->video_bytes) * 8 / interval_ms;
  guint64 audio_kbps = (stats.audio_bytes - last->audio_bytes) * 8 / interval_ms;
  gint64 first_frame_ms =
      stats.first_frame_us ? (stats.first_frame_us - receiver->started_us) / 1000 : -1;
  VideoRepairCounts repair = read_video_repair (receiver);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GError) error = NULL;

  report_to_server (receiver, &stats, video_kbps);
  lx_receiver_report_link (receiver, video_kbps, repair.lost);
  printf ("classroom %s: %s, %" G_GUINT64_FORMAT " frames (%" G_GUINT64_FORMAT " fps) %dx%d, "
          "video %" G_GUINT64_FORMAT " kbit/s, audio %" G_GUINT64_FORMAT " kbit/s "
          "(%" G_GUINT64_FORMAT " ms decoded), %d packets lost",
          config->connection.school, receiver->state, stats.frames_decoded, fps, stats.width,
          stats.height, video_kbps, audio_kbps, stats.audio_ms,
          lx_receiver_packets_lost (receiver));
  if (stats.glass_to_glass.count > 0)
    printf (", delay p50 %.0f ms p95 %.0f ms", stats.glass_to_glass.p50_ms,
            stats.glass_to_glass.p95_ms);
  printf ("\n");
  fflush (stdout);
  *last = stats;
  receiver->last_stats_us = now_us;

  if (config->stats_json) {
    g_autoptr (JsonNode) root = NULL;

    json_builder_begin_object (builder);
    lx_stats_add_int (builder, "time_ms", lx_stats_now_ms ());
    json_builder_set_member_name (builder, "school");
    json_builder_add_string_value (builder, config->connection.school);
    json_builder_set_member_name (builder, "lesson");
    if (receiver->lesson)
      json_builder_add_string_value (builder, receiver->lesson);
    else
      json_builder_add_null_value (builder);
    if (receiver->timetable) {
      json_builder_set_member_name (builder, "next_lesson");
      json_builder_add_string_value (builder, receiver->next_title ? receiver->next_title : "");
      json_builder_set_member_name (builder, "next_start");
      json_builder_add_string_value (builder, receiver->next_start ? receiver->next_start : "");
      lx_stats_add_int (builder, "standby_frames", lx_standby_get_frames (receiver->standby));
      json_builder_set_member_name (builder, "standby_text");
      json_builder_add_string_value (builder, lx_standby_get_text (receiver->standby));
    }
    json_builder_set_member_name (builder, "state");
    json_builder_add_string_value (builder, receiver->state);
    json_builder_set_member_name (builder, "card");
    if (receiver->card)
      json_builder_add_string_value (builder, receiver->card);
    else
      json_builder_add_null_value (builder);
    json_builder_set_member_name (builder, "signaling");
    json_builder_add_string_value (builder, receiver->signaling == NULL ? "none"
                                            : lx_signaling_client_is_joined (receiver->signaling)
                                                ? "joined"
                                                : "reconnecting");
    lx_stats_add_int (builder, "card_frames",
                      receiver->standby ? lx_standby_get_frames (receiver->standby) : 0);
    lx_stats_add_int (builder, "frames_decoded", stats.frames_decoded);
    lx_stats_add_int (builder, "fps", fps);
    lx_stats_add_int (builder, "width", stats.width);
    lx_stats_add_int (builder, "height", stats.height);
    lx_stats_add_int (builder, "video_kbps", video_kbps);
    lx_stats_add_int (builder, "audio_kbps", audio_kbps);
    lx_stats_add_int (builder, "audio_ms", stats.audio_ms);
    lx_stats_add_int (builder, "audio_gap_ms", stats.audio_gap_ms);
    lx_stats_add_int (builder, "freezes", stats.freezes);
    lx_stats_add_int (builder, "freeze_ms", stats.freeze_ms);
    lx_stats_add_int (builder, "packets_received", g_atomic_int_get (&receiver->arrivals.received));
    lx_stats_add_int (builder, "packets_lost", lx_receiver_packets_lost (receiver));
    lx_stats_add_int (builder, "video_lost_after_repair", repair.lost);
    lx_stats_add_int (builder, "retransmission_requests", repair.retransmission_requests);
    lx_stats_add_int (builder, "retransmitted", repair.retransmitted);
    lx_stats_add_int (builder, "first_frame_ms", first_frame_ms);
    lx_stats_add_int (builder, "jitter_buffer_ms", receiver->jitter_buffer_ms);
    lx_stats_add_int (builder, "keyframes", stats.keyframes);
    lx_stats_add_delays (builder, "g2g", &stats.glass_to_glass);
    lx_stats_add_delays (builder, "decode", &stats.decode);
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    if (!lx_stats_write_file (config->stats_json, root, &error))
      g_warning ("cannot write statistics: %s", error->message);
  }

  if (config->snapshot && stats.frames_decoded > 0 &&
      g_get_monotonic_time () - receiver->last_snapshot_us >=
          SNAPSHOT_INTERVAL_S * G_USEC_PER_SEC) {
    receiver->last_snapshot_us = g_get_monotonic_time ();
    g_clear_error (&error);
    if (!lx_playback_save_snapshot (receiver->playback, config->snapshot, &error))
      g_warning ("cannot save a snapshot: %s", error->message);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
check_exit_conditions (gpointer data)
{
  LxReceiver *receiver = data;
  const LxReceiverConfig *config = receiver->config;
  LxPlaybackStats stats = lx_playback_get_stats (receiver->playback);
  gint64 elapsed_s = (g_get_monotonic_time () - receiver->started_us) / G_USEC_PER_SEC;

  if (config->exit_after_frames > 0 &&
      stats.frames_decoded >= (guint64) config->exit_after_frames) {
    g_message ("classroom %s: %" G_GUINT64_FORMAT " frames decoded, exiting as asked",
               config->connection.school, stats.frames_decoded);
    quit (receiver, LX_RECEIVER_EXIT_OK);
  } else if (config->timeout_s > 0 && elapsed_s >= config->timeout_s) {
    gboolean enough = config->exit_after_frames == 0 && stats.frames_decoded > 0;
    if (enough) {
      quit (receiver, LX_RECEIVER_EXIT_OK);
    } else {
      g_printerr ("lianxiao-receiver: timed out after %d s with %" G_GUINT64_FORMAT
                  " frames decoded\n",
                  config->timeout_s, stats.frames_decoded);
      quit (receiver, LX_RECEIVER_EXIT_TIMEOUT);
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit_signal (gpointer data)
{
  quit (data, LX_RECEIVER_EXIT_OK);
  return G_SOURCE_CONTINUE;
}

LxReceiver *
lx_receiver_new (const LxReceiverConfig *config)
{
  LxReceiver *receiver = g_new0 (LxReceiver, 1);

  receiver->config = config;
  receiver->playback = lx_playback_new (config);
  receiver->loop = g_main_loop_new (NULL, FALSE);
  receiver->state = "connecting-to-server";
  receiver->video_ssrcs = g_hash_table_new (NULL, NULL);
  receiver->video_jitterbuffers = g_ptr_array_new_with_free_func (gst_object_unref);
  return receiver;
}

void
lx_receiver_free (LxReceiver *receiver)
{
  g_clear_handle_id (&receiver->stats_timer, g_source_remove);
  g_clear_handle_id (&receiver->check_timer, g_source_remove);
  g_clear_handle_id (&receiver->watch_timer, g_source_remove);
  g_clear_handle_id (&receiver->jitter_step_timer, g_source_remove);
  g_clear_handle_id (&receiver->follow_timer, g_source_remove);
  leave_lesson (receiver);
  lx_receiver_whep_end (receiver);
  lx_timetable_free (receiver->timetable);
  lx_standby_free (receiver->standby);
  g_free (receiver->next_title);
  g_free (receiver->next_start);
  lx_playback_free (receiver->playback);
  g_hash_table_unref (receiver->video_ssrcs);
  g_ptr_array_unref (receiver->video_jitterbuffers);
  lx_fullscreen_window_free (receiver->fullscreen);
  g_main_loop_unref (receiver->loop);
  g_free (receiver);
}

int
lx_receiver_run (LxReceiver *receiver)
{
  const LxConnectionSettings *connection = &receiver->config->connection;
  guint sigint = g_unix_signal_add (SIGINT, on_quit_signal, receiver);
  guint sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, receiver);

  receiver->started_us = g_get_monotonic_time ();
  /* Wayland and KMS sinks go full screen themselves (lx-playback.c); X11 needs our window. */
  if (receiver->config->fullscreen && !receiver->config->headless && g_getenv ("DISPLAY") &&
      !g_getenv ("WAYLAND_DISPLAY")) {
    g_autoptr (GError) error = NULL;
    receiver->fullscreen = lx_fullscreen_window_new (&error);
    if (receiver->fullscreen == NULL)
      g_warning ("%s; showing the lesson in a window", error->message);
  }
  if (receiver->config->connection.follow_timetable) {
    receiver->timetable = lx_timetable_new (connection, LX_ROLE_RECEIVER);
    receiver->standby = lx_standby_new (receiver->config);
    if (receiver->fullscreen && lx_standby_get_pipeline (receiver->standby))
      lx_fullscreen_window_attach (receiver->fullscreen,
                                   lx_standby_get_pipeline (receiver->standby));
    receiver->follow_timer = g_timeout_add_seconds (1, follow_timetable, receiver);
  } else if (receiver->config->whep_url) {
    lx_receiver_whep_start (receiver);
  } else {
    join_lesson (receiver, connection->lesson);
  }
  receiver->stats_timer =
      g_timeout_add ((guint) receiver->config->stats_interval_ms, report_stats, receiver);
  receiver->check_timer = g_timeout_add (100, check_exit_conditions, receiver);
  receiver->watch_timer = g_timeout_add (500, lx_receiver_watch_media, receiver);

  g_main_loop_run (receiver->loop);
  lx_receiver_whep_end (receiver); /* the server frees the session at once */

  g_source_remove (sigint);
  g_source_remove (sigterm);
  /* Final statistics, so the file holds the whole count, and a final snapshot, so the file shows
   * the last picture even for short runs. */
  report_stats (receiver);
  if (receiver->config->snapshot)
    lx_playback_save_snapshot (receiver->playback, receiver->config->snapshot, NULL);
  return receiver->exit_status;
}
