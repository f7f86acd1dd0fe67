/* Playing from a WHEP endpoint (see lx-receiver-whep.h). */
#include "lx-receiver-whep.h"

#include "lx-webrtc.h"
#include "lx-whip-client.h"

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

struct _LxWhepSource {
  const LxReceiverConfig *config;
  LxWhipClient *client;
  LxWhepRefusedFunc refused;
  gpointer owner;
  LxReceiverSession *session; /* (nullable) the one being negotiated or played */
  GCancellable *offering;     /* (nullable) its offer is on its way to the server */
};

static void
refuse (LxWhepSource *source, const char *why)
{
  source->refused (source->owner, source->session, why);
}

static void
on_answer (GObject *object, GAsyncResult *result, gpointer data)
{
  LxWhepSource *source = data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *sdp = lx_whip_client_offer_finish (source->client, result, &error);
  GstWebRTCSessionDescription *answer;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* a newer session, or the end: touch nothing */
  g_clear_object (&source->offering);
  answer = sdp ? lx_webrtc_description_from_text (GST_WEBRTC_SDP_TYPE_ANSWER, sdp, &error) : NULL;
  if (answer == NULL) {
    refuse (source, error->message);
    return;
  }
  g_message ("classroom %s: WHEP: session %s", source->config->connection.school,
             lx_whip_client_get_session_url (source->client));
  lx_receiver_session_note_ssrcs (source->session, answer->sdp);
  lx_webrtc_set_description (lx_receiver_session_get_webrtc (source->session), FALSE, answer);
  gst_webrtc_session_description_free (answer);
}

/* A session of the source, with its reference, for a callback on another thread or later. */
typedef struct {
  LxWhepSource *source;
  LxReceiverSession *session;
} SourceSession;

static SourceSession *
source_session_new (LxWhepSource *source, LxReceiverSession *session)
{
  SourceSession *pair = g_new0 (SourceSession, 1);

  pair->source = source;
  pair->session = lx_receiver_session_ref (session);
  return pair;
}

static void
source_session_free (gpointer data)
{
  SourceSession *pair = data;
  lx_receiver_session_unref (pair->session);
  g_free (pair);
}

/* The offer leaves once it holds every candidate (WHEP servers need not take trickled ones). */
static gboolean
send_offer_when_complete (gpointer data)
{
  SourceSession *gathered = data;
  LxWhepSource *source = gathered->source;
  g_autofree gchar *offer = NULL;

  if (gathered->session != source->session || source->offering)
    return G_SOURCE_REMOVE; /* an old session's, or sent already */
  offer = lx_webrtc_get_complete_description (lx_receiver_session_get_webrtc (source->session));
  if (offer == NULL)
    return G_SOURCE_REMOVE;
  source->offering = g_cancellable_new ();
  lx_whip_client_offer_async (source->client, offer, source->offering, on_answer, source);
  return G_SOURCE_REMOVE;
}

/* (webrtcbin's thread, or the main context) */
static void
check_gathering (LxWhepSource *source, LxReceiverSession *session)
{
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, send_offer_when_complete,
                              source_session_new (source, session), source_session_free);
}

/* The session is the data of its webrtcbin's handlers: lx_receiver_session_end disconnects them. */
static void
on_gathering_state (GObject *webrtc, GParamSpec *pspec, gpointer data)
{
  LxWhepSource *source = g_object_get_data (webrtc, "lx-whep-source");

  check_gathering (source, data);
}

/* (webrtcbin's thread) */
static void
on_offer_created (GstPromise *promise, gpointer data)
{
  SourceSession *request = data;
  GstElement *webrtc = lx_receiver_session_get_webrtc (request->session);
  g_autoptr (GError) error = NULL;
  GstWebRTCSessionDescription *offer = lx_webrtc_take_description (promise, "offer", &error);

  if (offer == NULL) {
    g_warning ("WHEP: webrtcbin could not create an offer: %s", error->message);
    return;
  }
  lx_webrtc_set_description (webrtc, TRUE, offer);
  gst_webrtc_session_description_free (offer);
  /* (gathering may be complete already) */
  check_gathering (request->source, request->session);
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

LxWhepSource *
lx_whep_source_new (const LxReceiverConfig *config, LxWhepRefusedFunc refused, gpointer owner,
                    GError **error)
{
  LxWhipClient *client = lx_whip_client_new (
      config->whep_url, config->whep_token ? config->whep_token : config->connection.token,
      config->connection.trusted_cas, error);
  LxWhepSource *source;

  if (client == NULL)
    return NULL;
  source = g_new0 (LxWhepSource, 1);
  source->config = config;
  source->client = client;
  source->refused = refused;
  source->owner = owner;
  g_message ("classroom %s: playing from the WHEP endpoint %s", config->connection.school,
             config->whep_url);
  return source;
}

static void
forget_session (LxWhepSource *source, guint wait_ms)
{
  if (source->offering)
    g_cancellable_cancel (source->offering);
  g_clear_object (&source->offering);
  lx_whip_client_end_session (source->client, wait_ms);
  g_clear_pointer (&source->session, lx_receiver_session_unref);
}

void
lx_whep_source_negotiate (LxWhepSource *source, LxReceiverSession *session)
{
  GstElement *webrtc = lx_receiver_session_get_webrtc (session);
  GstPromise *promise;

  forget_session (source, 0); /* the server frees the last one at once */
  source->session = lx_receiver_session_ref (session);
  g_object_set_data (G_OBJECT (webrtc), "lx-whep-source", source);
  lx_webrtc_add_announced_ice_servers (webrtc, lx_whip_client_get_ice_servers (source->client));
  add_receiver (webrtc, VIDEO_CAPS);
  add_receiver (webrtc, AUDIO_CAPS);
  g_signal_connect (webrtc, "notify::ice-gathering-state", G_CALLBACK (on_gathering_state),
                    session);
  promise = gst_promise_new_with_change_func (
      on_offer_created, source_session_new (source, session), source_session_free);
  g_signal_emit_by_name (webrtc, "create-offer", NULL, promise);
}

void
lx_whep_source_free (LxWhepSource *source)
{
  if (source == NULL)
    return;
  forget_session (source, END_WAIT_MS);
  lx_whip_client_free (source->client);
  g_free (source);
}
