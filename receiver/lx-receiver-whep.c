/* Playing from a WHEP endpoint: the receiver offers (receive only, H.264 and Opus, every ICE
 * candidate in the offer), POSTs it, and plays what the answer brings, as in a lesson joined
 * through signaling. A refused offer is tried again a few seconds later; a session that stops
 * bringing media is replaced by the media watchdog (lx_receiver_whep_start). */
#include "lx-receiver-private.h"

#include "lx-webrtc.h"

/* A refused or unanswered offer is tried again after this. */
#define RETRY_S 5
/* How long a stopping classroom waits for the server to confirm the session's end. */
#define END_WAIT_MS 2000

/* What the classroom can play: the H.264 profile lx-playback decodes (constrained baseline,
 * packetization-mode 1, which every WHEP server's browsers and our sender produce) and Opus. */
#define VIDEO_CAPS                                                                                 \
  "application/x-rtp,media=video,encoding-name=H264,payload=96,clock-rate=90000,"                  \
  "packetization-mode=(string)1,profile-level-id=(string)42e01f,"                                  \
  "level-asymmetry-allowed=(string)1,rtcp-fb-nack-pli=(boolean)true"
#define AUDIO_CAPS                                                                                 \
  "application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000,"                 \
  "encoding-params=(string)2,useinbandfec=(string)1"

static gboolean
retry (gpointer data)
{
  LxReceiver *receiver = data;

  receiver->whep_retry_timer = 0;
  lx_receiver_whep_start (receiver);
  return G_SOURCE_REMOVE;
}

static void
retry_later (LxReceiver *receiver, const char *why)
{
  g_warning ("classroom %s: WHEP: %s; trying again in %d s", receiver->config->connection.school,
             why, RETRY_S);
  lx_receiver_stop_session (receiver);
  lx_receiver_set_state (receiver, "whep-unavailable");
  g_clear_handle_id (&receiver->whep_retry_timer, g_source_remove);
  receiver->whep_retry_timer = g_timeout_add_seconds (RETRY_S, retry, receiver);
}

static void
on_answer (GObject *source, GAsyncResult *result, gpointer data)
{
  LxReceiver *receiver = data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *sdp = lx_whip_client_offer_finish (receiver->whep, result, &error);
  GstWebRTCSessionDescription *answer;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* a newer session, or the end: touch nothing */
  g_clear_object (&receiver->whep_offer);
  answer = sdp ? lx_webrtc_description_from_text (GST_WEBRTC_SDP_TYPE_ANSWER, sdp, &error) : NULL;
  if (answer == NULL || receiver->webrtc == NULL) {
    retry_later (receiver, error ? error->message : "the session ended before the answer");
    g_clear_pointer (&answer, gst_webrtc_session_description_free);
    return;
  }
  g_message ("classroom %s: WHEP: session %s", receiver->config->connection.school,
             lx_whip_client_get_session_url (receiver->whep));
  lx_receiver_note_video_ssrcs (receiver, answer->sdp);
  lx_webrtc_set_description (receiver->webrtc, FALSE, answer);
  gst_webrtc_session_description_free (answer);
}

/* The offer leaves once it holds every candidate (WHEP servers need not take trickled ones). */
static gboolean
send_offer_when_complete (gpointer data)
{
  GstElement *webrtc = data;
  LxReceiver *receiver = g_object_get_data (G_OBJECT (webrtc), "lx-receiver");
  g_autofree gchar *offer = NULL;

  if (receiver == NULL || webrtc != receiver->webrtc || receiver->whep_offer)
    return G_SOURCE_REMOVE; /* an old session's, or sent already */
  offer = lx_webrtc_get_complete_description (webrtc);
  if (offer == NULL)
    return G_SOURCE_REMOVE;
  receiver->whep_offer = g_cancellable_new ();
  lx_whip_client_offer_async (receiver->whep, offer, receiver->whep_offer, on_answer, receiver);
  return G_SOURCE_REMOVE;
}

static void
on_gathering_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, send_offer_when_complete,
                              gst_object_ref (webrtc), gst_object_unref);
}

static void
on_offer_created (GstPromise *promise, gpointer data)
{
  GstElement *webrtc = data;
  g_autoptr (GError) error = NULL;
  GstWebRTCSessionDescription *offer = lx_webrtc_take_description (promise, "offer", &error);

  if (offer == NULL) {
    g_warning ("WHEP: webrtcbin could not create an offer: %s", error->message);
    return;
  }
  lx_webrtc_set_description (webrtc, TRUE, offer);
  gst_webrtc_session_description_free (offer);
  /* (gathering may be complete already) */
  on_gathering_state (G_OBJECT (webrtc), NULL, NULL);
}

static void
add_receiver (GstElement *webrtc, const char *caps_text)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string (caps_text);
  GstWebRTCRTPTransceiver *transceiver = NULL;

  g_signal_emit_by_name (webrtc, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                         caps, &transceiver);
  gst_clear_object (&transceiver);
}

void
lx_receiver_whep_start (LxReceiver *receiver)
{
  const LxReceiverConfig *config = receiver->config;
  g_autoptr (GError) error = NULL;
  GstPromise *promise;

  g_clear_handle_id (&receiver->whep_retry_timer, g_source_remove);
  if (receiver->whep == NULL) {
    receiver->whep = lx_whip_client_new (
        config->whep_url, config->whep_token ? config->whep_token : config->connection.token,
        config->connection.trusted_cas, &error);
    if (receiver->whep == NULL) {
      g_warning ("classroom %s: key 'whep-url': %s", config->connection.school, error->message);
      return;
    }
    g_message ("classroom %s: playing from the WHEP endpoint %s", config->connection.school,
               config->whep_url);
  }
  /* One session at a time: the server frees the last one at once. */
  if (receiver->whep_offer)
    g_cancellable_cancel (receiver->whep_offer);
  g_clear_object (&receiver->whep_offer);
  lx_whip_client_end_session (receiver->whep, 0);
  if (!lx_receiver_start_pipeline (receiver)) {
    retry_later (receiver, "no media session could be made");
    return;
  }
  g_object_set_data (G_OBJECT (receiver->webrtc), "lx-receiver", receiver);
  lx_webrtc_add_announced_ice_servers (receiver->webrtc,
                                       lx_whip_client_get_ice_servers (receiver->whep));
  add_receiver (receiver->webrtc, VIDEO_CAPS);
  add_receiver (receiver->webrtc, AUDIO_CAPS);
  g_signal_connect (receiver->webrtc, "notify::ice-gathering-state",
                    G_CALLBACK (on_gathering_state), receiver);
  promise = gst_promise_new_with_change_func (on_offer_created, gst_object_ref (receiver->webrtc),
                                              gst_object_unref);
  g_signal_emit_by_name (receiver->webrtc, "create-offer", NULL, promise);
}

void
lx_receiver_whep_end (LxReceiver *receiver)
{
  g_clear_handle_id (&receiver->whep_retry_timer, g_source_remove);
  if (receiver->whep == NULL)
    return;
  if (receiver->whep_offer)
    g_cancellable_cancel (receiver->whep_offer);
  g_clear_object (&receiver->whep_offer);
  lx_whip_client_end_session (receiver->whep, END_WAIT_MS);
  g_clear_pointer (&receiver->whep, lx_whip_client_free);
}
