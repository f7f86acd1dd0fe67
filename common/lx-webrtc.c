/* Shared webrtcbin set-up (see lx-webrtc.h). */
#include "lx-webrtc.h"

#include "lx-sdpfrag.h"

#include <nice/agent.h>

#include "lx-signaling-client.h"

#include <gst/sdp/sdp.h>

/* RTP sessions send RTCP at least every 5 s by default, and AVPF allows one early feedback packet
 * between two regular ones: a NACK for a lost packet could wait half a second, longer than the
 * jitter buffer waits for it. A short minimum interval lets a classroom's retransmission requests
 * leave in time; RTCP stays a few percent of the media's bandwidth. The sender's own reports only
 * serve lip sync and round-trip times (it handles NACKs as they arrive, whatever its interval):
 * fewer of them keep each extra classroom cheap. */
#define RTCP_MIN_INTERVAL_RECEIVING (100 * GST_MSECOND)
#define RTCP_MIN_INTERVAL_SENDING (500 * GST_MSECOND)
#define RTCP_BANDWIDTH_BYTES_PER_S 16000
/* libnice's pacing of connectivity checks (Ta), in ms (lx_webrtc_new). */
#define ICE_PACING_MS 5
#define ICE_SETTLED_PACING_MS 20

/* Each RTP session element is configured as rtpbin adds it, before it schedules its first RTCP
 * packet (later changes would only apply after that first packet, seconds into the lesson). */
static void
on_rtpbin_element_added (GstBin *rtpbin, GstElement *element, gpointer data)
{
  LxWebrtcRole role = GPOINTER_TO_INT (data);
  GstElementFactory *factory = gst_element_get_factory (element);
  g_autoptr (GObject) session = NULL;

  if (factory == NULL || !g_str_equal (GST_OBJECT_NAME (factory), "rtpsession"))
    return;
  g_object_get (element, "internal-session", &session, NULL);
  /* Probation holds back a new source's first packets until a few arrive in sequence: the
   * sender's retransmissions come on a source of their own, a few at a time, and would be held
   * back until too late. SRTP has authenticated every packet already. */
  g_object_set (session, "rtcp-min-interval",
                (guint64) (role == LX_WEBRTC_SENDING ? RTCP_MIN_INTERVAL_SENDING
                                                     : RTCP_MIN_INTERVAL_RECEIVING),
                "probation", 0, NULL);
  /* RTCP's share is a fraction of the session's bandwidth, which the session only learns after a
   * few seconds of media: until then it sends RTCP about once a second, and no NACK gets out in
   * time for the first keyframe. A fixed budget (a few percent of even the thinnest link) lets
   * RTCP run at the minimum interval from the first packet. */
  g_object_set (session, "rtcp-rr-bandwidth", RTCP_BANDWIDTH_BYTES_PER_S, "rtcp-rs-bandwidth",
                RTCP_BANDWIDTH_BYTES_PER_S, NULL);
}

/* (transfer full) (nullable) The libnice agent under @webrtc's ICE object (webrtcbin's own,
 * GstWebRTCNice; NULL under another ICE implementation). */
static NiceAgent *
nice_agent_of (GstElement *webrtc)
{
  g_autoptr (GObject) ice = NULL;
  NiceAgent *agent = NULL;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  if (ice && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  return agent;
}

void
lx_webrtc_foreach_made_by (GstBin *bin, const char *factory,
                           gboolean (*each) (GstElement *element, gpointer data), gpointer data)
{
  g_autoptr (GstIterator) iterator = gst_bin_iterate_recurse (bin);
  GValue item = G_VALUE_INIT;
  gboolean more = TRUE;

  while (more && gst_iterator_next (iterator, &item) == GST_ITERATOR_OK) {
    GstElement *element = g_value_get_object (&item);
    GstElementFactory *made_by = gst_element_get_factory (element);
    if (made_by && g_str_equal (GST_OBJECT_NAME (made_by), factory))
      more = each (element, data);
    g_value_reset (&item);
  }
  g_value_unset (&item);
}

typedef struct {
  GstElement *first;
  guint count;
} Found;

static gboolean
count_made (GstElement *element, gpointer data)
{
  Found *found = data;

  if (found->count++ == 0)
    found->first = gst_object_ref (element);
  return TRUE;
}

GstElement *
lx_webrtc_find_element (GstElement *webrtc, const char *factory, guint *count)
{
  Found found = { NULL, 0 };

  lx_webrtc_foreach_made_by (GST_BIN (webrtc), factory, count_made, &found);
  if (count)
    *count = found.count;
  if (found.count != 1)
    gst_clear_object (&found.first);
  return found.first;
}

/* Once ICE has connected, the agent's timer ticks on at its pacing for the life of the
 * connection: back to libnice's own pacing, or every classroom would wake the sender 112 times a
 * second. */
static void
on_ice_state (GstElement *webrtc, GParamSpec *pspec, gpointer nice_agent)
{
  GstWebRTCICEConnectionState state;

  g_object_get (webrtc, "ice-connection-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
      state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED)
    g_object_set (nice_agent, "stun-pacing-timer", ICE_SETTLED_PACING_MS, NULL);
}

void
lx_webrtc_pace_checks_quickly (GstElement *webrtc)
{
  g_autoptr (GObject) nice_agent = G_OBJECT (nice_agent_of (webrtc));

  if (nice_agent == NULL ||
      !g_object_class_find_property (G_OBJECT_GET_CLASS (nice_agent), "stun-pacing-timer"))
    return;
  g_object_set (nice_agent, "stun-pacing-timer", ICE_PACING_MS, NULL);
  g_signal_connect_object (webrtc, "notify::ice-connection-state", G_CALLBACK (on_ice_state),
                           nice_agent, 0);
}

GstElement *
lx_webrtc_new (const char *name, LxWebrtcRole role, const LxIceSettings *ice, guint latency_ms,
               GError **error)
{
  g_autoptr (GstElement) webrtc = gst_element_factory_make ("webrtcbin", name);
  g_autoptr (GObject) ice_agent = NULL;
  g_autoptr (GObject) nice_agent = NULL;
  g_autoptr (GstElement) rtpbin = NULL;

  if (webrtc == NULL) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                         "the GStreamer element 'webrtcbin' is missing (gstreamer1.0-plugins-bad)");
    return NULL;
  }
  gst_object_ref_sink (webrtc);
  gst_util_set_object_arg (G_OBJECT (webrtc), "bundle-policy", "max-bundle");
  g_object_set (webrtc, "latency", latency_ms, NULL);
  if (ice->stun_server)
    g_object_set (webrtc, "stun-server", ice->stun_server, NULL);
  if (ice->turn_server)
    g_object_set (webrtc, "turn-server", ice->turn_server, NULL);
  if (ice->transport_policy)
    gst_util_set_object_arg (G_OBJECT (webrtc), "ice-transport-policy", ice->transport_policy);

  rtpbin = gst_bin_get_by_name (GST_BIN (webrtc), "rtpbin");
  if (rtpbin)
    g_signal_connect (rtpbin, "element-added", G_CALLBACK (on_rtpbin_element_added),
                      GINT_TO_POINTER (role));

  g_object_get (webrtc, "ice-agent", &ice_agent, NULL);
  /* No ICE over TCP host candidates: on a lossy link their checks can win over UDP's, and TCP
   * then turns every lost packet into a stall of the whole stream (seconds at 20 % loss) and
   * hides the loss from the layer choice. Firewalled schools reach us through TURN over TCP or
   * TLS, which carries UDP-style media all the same. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice_agent), "ice-tcp"))
    g_object_set (ice_agent, "ice-tcp", FALSE, NULL);
  nice_agent = G_OBJECT (nice_agent_of (webrtc));
  /* UPnP discovery multicasts SSDP at every start: never wanted in a classroom or a test. */
  if (nice_agent && g_object_class_find_property (G_OBJECT_GET_CLASS (nice_agent), "upnp"))
    g_object_set (nice_agent, "upnp", FALSE, NULL);
  for (guint i = 0; ice->local_addresses && ice->local_addresses[i]; i++) {
    gboolean added = FALSE;
    g_signal_emit_by_name (ice_agent, "add-local-ip-address", ice->local_addresses[i], &added);
    if (!added) {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                   "ICE refused local address '%s'", ice->local_addresses[i]);
      return NULL;
    }
  }
  return g_steal_pointer (&webrtc);
}

void
lx_webrtc_add_announced_ice_servers (GstElement *webrtc, const char *const *servers)
{
  for (guint i = 0; servers && servers[i]; i++) {
    g_autofree gchar *stun = NULL;
    gboolean added = FALSE;
    if (g_str_has_prefix (servers[i], "stun://")) {
      g_object_get (webrtc, "stun-server", &stun, NULL);
      if (stun == NULL)
        g_object_set (webrtc, "stun-server", servers[i], NULL);
    } else {
      g_signal_emit_by_name (webrtc, "add-turn-server", servers[i], &added);
      if (!added)
        g_warning ("webrtcbin did not take a TURN server the endpoint announced");
    }
  }
}

GstWebRTCSessionDescription *
lx_webrtc_description_from_text (GstWebRTCSDPType type, const char *sdp, GError **error)
{
  GstSDPMessage *message = NULL;

  if (gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK ||
      gst_sdp_message_medias_len (message) == 0) {
    if (message)
      gst_sdp_message_free (message);
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
                 "the %s is not a usable SDP description", gst_webrtc_sdp_type_to_string (type));
    return NULL;
  }
  return gst_webrtc_session_description_new (type, message);
}

void
lx_webrtc_prepare_dtls_certificate (void)
{
  /* A dtlssrtpdec generates the process-wide certificate when it is created; asking for its PEM
   * makes sure that has happened. */
  g_autoptr (GstElement) decoder = gst_element_factory_make ("dtlssrtpdec", NULL);
  g_autofree gchar *pem = NULL;

  if (decoder == NULL)
    return;
  gst_object_ref_sink (decoder);
  g_object_get (decoder, "pem", &pem, NULL);
}

void
lx_webrtc_set_description (GstElement *webrtc, gboolean local,
                           GstWebRTCSessionDescription *description)
{
  GstPromise *promise = gst_promise_new ();

  g_signal_emit_by_name (webrtc, local ? "set-local-description" : "set-remote-description",
                         description, promise);
  gst_promise_unref (promise);
}

gboolean
lx_webrtc_publish_local_description (GstElement *webrtc, GstPromise *promise,
                                     LxSignalingClient *signaling, const char *school)
{
  const GstStructure *reply = gst_promise_get_reply (promise);
  gboolean is_offer = reply && gst_structure_has_field (reply, "offer");
  g_autoptr (GError) error = NULL;
  GstWebRTCSessionDescription *description =
      lx_webrtc_take_description (promise, is_offer ? "offer" : "answer", &error);
  g_autoptr (LxMessage) message = NULL;

  if (description == NULL) {
    g_warning ("school %s: webrtcbin could not create a session description: %s", school,
               error->message);
    return FALSE;
  }

  message = lx_message_new (is_offer ? LX_MESSAGE_OFFER : LX_MESSAGE_ANSWER);
  message->school = g_strdup (school);
  message->sdp = gst_sdp_message_as_text (description->sdp);
  lx_signaling_client_send (signaling, message);
  lx_webrtc_set_description (webrtc, TRUE, description);
  gst_webrtc_session_description_free (description);
  return TRUE;
}

gchar *
lx_webrtc_get_complete_description (GstElement *webrtc)
{
  GstWebRTCICEGatheringState gathering;
  GstWebRTCSessionDescription *local = NULL;
  g_autoptr (GstSDPMessage) sdp = NULL;

  g_object_get (webrtc, "ice-gathering-state", &gathering, "local-description", &local, NULL);
  if (gathering != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE || local == NULL) {
    g_clear_pointer (&local, gst_webrtc_session_description_free);
    return NULL;
  }
  /* webrtcbin writes each gathered candidate into its local description; only the end of them is
   * left to say. */
  gst_sdp_message_copy (local->sdp, &sdp);
  gst_webrtc_session_description_free (local);
  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++)
    gst_sdp_media_add_attribute ((GstSDPMedia *) gst_sdp_message_get_media (sdp, m),
                                 "end-of-candidates", NULL);
  return gst_sdp_message_as_text (sdp);
}

GstWebRTCSessionDescription *
lx_webrtc_take_description (GstPromise *promise, const char *kind, GError **error)
{
  GstWebRTCSessionDescription *description = NULL;

  if (lx_webrtc_promise_failed (promise, error)) {
    gst_promise_unref (promise);
    return NULL;
  }
  gst_structure_get (gst_promise_get_reply (promise), kind, GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                     &description, NULL);
  gst_promise_unref (promise);
  if (description == NULL)
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "webrtcbin replied with no %s",
                 kind);
  return description;
}

gboolean
lx_webrtc_promise_failed (GstPromise *promise, GError **error)
{
  const GstStructure *reply;
  GError *reason = NULL;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                 "webrtcbin did not reply (it is shutting down)");
    return TRUE;
  }
  reply = gst_promise_get_reply (promise);
  if (reply && gst_structure_has_field_typed (reply, "error", G_TYPE_ERROR)) {
    gst_structure_get (reply, "error", G_TYPE_ERROR, &reason, NULL);
    g_propagate_error (error, reason);
    return TRUE;
  }
  return FALSE;
}

/* The libnice agent and stream under @transceiver's transport (bundled: the only one). webrtcbin
 * 1.22 cannot restart ICE itself; libnice can, on the stream webrtcbin made. (transfer full) */
static NiceAgent *
nice_stream_of (GstElement *webrtc, GstWebRTCRTPTransceiver *transceiver, guint *stream_id,
                GError **error)
{
  g_autoptr (GstWebRTCRTPSender) sender = NULL;
  g_autoptr (GstWebRTCDTLSTransport) dtls = NULL;
  g_autoptr (GstWebRTCICETransport) ice_transport = NULL;
  g_autoptr (GObject) stream = NULL;
  NiceAgent *agent = NULL;

  g_object_get (transceiver, "sender", &sender, NULL);
  if (sender)
    g_object_get (sender, "transport", &dtls, NULL);
  if (dtls)
    g_object_get (dtls, "transport", &ice_transport, NULL);
  if (ice_transport && g_object_class_find_property (G_OBJECT_GET_CLASS (ice_transport), "stream"))
    g_object_get (ice_transport, "stream", &stream, NULL);
  agent = nice_agent_of (webrtc);
  if (agent == NULL || stream == NULL) {
    g_clear_object (&agent);
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NOT_IMPLEMENTED,
                 "this webrtcbin has no libnice stream to restart");
    return NULL;
  }
  g_object_get (stream, "stream-id", stream_id, NULL);
  return agent;
}

gchar *
lx_webrtc_restart_ice (GstElement *webrtc, GstWebRTCRTPTransceiver *transceiver,
                       const char *peer_frag, const char *mid, GError **error)
{
  g_autoptr (LxSdpfrag) frag = lx_sdpfrag_parse (peer_frag, error);
  g_autoptr (GObject) agent_object = NULL;
  g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *ufrag = NULL;
  g_autofree gchar *pwd = NULL;
  GSList *remote = NULL, *local;
  NiceAgent *agent;
  guint stream_id = 0;

  if (frag == NULL)
    return NULL;
  if (frag->ice_ufrag == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "an ICE restart needs the peer's new a=ice-ufrag and a=ice-pwd");
    return NULL;
  }
  agent_object = (GObject *) nice_stream_of (webrtc, transceiver, &stream_id, error);
  agent = (NiceAgent *) agent_object;
  if (agent == NULL)
    return NULL;
  /* New local credentials; the local candidates stay, the remote ones go. */
  if (!nice_agent_restart_stream (agent, stream_id) ||
      !nice_agent_set_remote_credentials (agent, stream_id, frag->ice_ufrag, frag->ice_pwd)) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
                 "libnice could not restart stream %u", stream_id);
    return NULL;
  }
  for (guint i = 0; i < frag->candidates->len; i++) {
    const LxSdpfragCandidate *candidate = g_ptr_array_index (frag->candidates, i);
    NiceCandidate *parsed =
        nice_agent_parse_remote_candidate_sdp (agent, stream_id, candidate->candidate);
    if (parsed && parsed->component_id == NICE_COMPONENT_TYPE_RTP)
      remote = g_slist_append (remote, parsed);
    else if (parsed)
      nice_candidate_free (parsed);
  }
  if (remote)
    nice_agent_set_remote_candidates (agent, stream_id, NICE_COMPONENT_TYPE_RTP, remote);
  g_slist_free_full (remote, (GDestroyNotify) nice_candidate_free);
  nice_agent_get_local_credentials (agent, stream_id, &ufrag, &pwd);
  local = nice_agent_get_local_candidates (agent, stream_id, NICE_COMPONENT_TYPE_RTP);
  for (GSList *item = local; item; item = item->next)
    g_ptr_array_add (candidates, nice_agent_generate_local_candidate_sdp (agent, item->data));
  g_slist_free_full (local, (GDestroyNotify) nice_candidate_free);
  g_ptr_array_add (candidates, NULL);
  return lx_sdpfrag_write (ufrag, pwd, mid, (const char *const *) candidates->pdata);
}
