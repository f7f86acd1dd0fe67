/* The lesson into a Janus mountpoint (see lx-janus-relay.h). */
#include "lx-janus-relay.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_INTERVAL_S 1
#define RELAY_SSRC 0x4c580000u /* "LX": the RTCP reports' own source */

struct _LxJanusRelay {
  GstElement *pipeline;
  GPtrArray *branches; /* GstElement* bins, each on a tee (request pad in their qdata) */
  GPtrArray *tee_pads; /* GstPad*: the tees' pads, in the same order */
  GPtrArray *tees;     /* GstElement* */
  LxKeyframeGate *gates[LX_JANUS_RELAY_MAX_LAYERS];
  guint n_gates;
  GSocket *rtcp;
  GSocketAddress *janus_rtcp;
  GSource *rtcp_source;
  guint report_timer;
  guint keyframe_requests;
};

gboolean
lx_janus_target_parse (const char *text, LxJanusTarget *target, GError **error)
{
  g_auto (GStrv) fields = NULL;
  g_auto (GStrv) video = NULL;
  const char *colon = text ? strrchr (text, ':') : NULL;
  gint64 value;

  *target = (LxJanusTarget){ 0 };
  if (colon == NULL || colon == text)
    goto invalid;
  fields = g_strsplit (colon + 1, ",", -1);
  if (g_strv_length (fields) != 3)
    goto invalid;
  video = g_strsplit (fields[0], "/", -1);
  if (g_strv_length (video) < 1 || g_strv_length (video) > LX_JANUS_RELAY_MAX_LAYERS)
    goto invalid;
  for (guint i = 0; video[i]; i++) {
    if (!g_ascii_string_to_signed (video[i], 10, 1, 65535, &value, NULL))
      goto invalid;
    target->video_ports[i] = (gint) value;
  }
  if (!g_ascii_string_to_signed (fields[1], 10, 1, 65535, &value, NULL))
    goto invalid;
  target->video_rtcp_port = (gint) value;
  if (!g_ascii_string_to_signed (fields[2], 10, 1, 65535, &value, NULL))
    goto invalid;
  target->audio_port = (gint) value;
  target->host = g_strndup (text, (gsize) (colon - text));
  return TRUE;

invalid:
  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
               "janus-rtp: give HOST:VIDEO1[/VIDEO2[/VIDEO3]],RTCP,AUDIO (the mountpoint's ports, "
               "largest layer first), not '%s'",
               text ? text : "");
  *target = (LxJanusTarget){ 0 };
  return FALSE;
}

void
lx_janus_target_clear (LxJanusTarget *target)
{
  g_clear_pointer (&target->host, g_free);
}

/* One branch: @tee ─▶ queue ─▶ @payloader ─▶ udpsink to @host:@port. */
static gboolean
add_branch (LxJanusRelay *relay, GstElement *tee, const char *payloader, const char *host,
            gint port, GError **error)
{
  g_autofree gchar *description = g_strdup_printf (
      "queue max-size-buffers=0 max-size-bytes=0 max-size-time=500000000 leaky=downstream ! "
      "%s ! udpsink name=sink sync=false async=false",
      payloader);
  GstElement *bin = gst_parse_bin_from_description (description, TRUE, error);
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstPad) input = NULL;
  GstPad *tee_pad;

  if (bin == NULL) {
    g_prefix_error (error, "the relay to Janus: ");
    return FALSE;
  }
  sink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  g_object_set (sink, "host", host, "port", port, NULL);
  gst_bin_add (GST_BIN (relay->pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  input = gst_element_get_static_pad (bin, "sink");
  g_ptr_array_add (relay->branches, gst_object_ref (bin));
  g_ptr_array_add (relay->tee_pads, tee_pad);
  g_ptr_array_add (relay->tees, gst_object_ref (tee));
  if (gst_pad_link (tee_pad, input) != GST_PAD_LINK_OK) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "the relay to Janus: cannot link it to the lesson");
    return FALSE;
  }
  return TRUE;
}

/* An empty receiver report from our socket: Janus latches its address as the source's. */
static gboolean
send_report (gpointer data)
{
  LxJanusRelay *relay = data;
  guint8 report[8] = { 0x80, 201, 0, 1 };

  report[4] = RELAY_SSRC >> 24;
  report[5] = (RELAY_SSRC >> 16) & 0xff;
  report[6] = (RELAY_SSRC >> 8) & 0xff;
  report[7] = RELAY_SSRC & 0xff;
  g_socket_send_to (relay->rtcp, relay->janus_rtcp, (const gchar *) report, sizeof report, NULL,
                    NULL);
  return G_SOURCE_CONTINUE;
}

/* RTCP from Janus: a PLI (payload-specific feedback 206, format 1) or FIR (format 4) anywhere in
 * the compound packet asks the encoders for a keyframe. */
static gboolean
on_rtcp (GSocket *socket, GIOCondition condition, gpointer data)
{
  LxJanusRelay *relay = data;
  guint8 packet[1500];
  gssize length = g_socket_receive (socket, (gchar *) packet, sizeof packet, NULL, NULL);
  gboolean keyframe = FALSE;

  for (gssize at = 0; length > 0 && at + 4 <= length;) {
    guint format = packet[at] & 0x1f, type = packet[at + 1];
    gsize size = ((gsize) ((packet[at + 2] << 8) | packet[at + 3]) + 1) * 4;
    if (type == 206 && (format == 1 || format == 4))
      keyframe = TRUE;
    at += (gssize) size;
  }
  if (keyframe) {
    relay->keyframe_requests++;
    for (guint i = 0; i < relay->n_gates; i++)
      lx_keyframe_gate_request (relay->gates[i], "a Janus viewer");
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
open_rtcp (LxJanusRelay *relay, const LxJanusTarget *target, GError **error)
{
  g_autoptr (GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) local = g_inet_socket_address_new (any, 0);
  g_autoptr (GInetAddress) janus = g_inet_address_new_from_string (target->host);

  if (janus == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "janus-rtp: '%s' is not an IPv4 address", target->host);
    return FALSE;
  }
  relay->rtcp =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (relay->rtcp == NULL || !g_socket_bind (relay->rtcp, local, FALSE, error))
    return FALSE;
  relay->janus_rtcp = g_inet_socket_address_new (janus, (guint16) target->video_rtcp_port);
  relay->rtcp_source = g_socket_create_source (relay->rtcp, G_IO_IN, NULL);
  g_source_set_callback (relay->rtcp_source, G_SOURCE_FUNC (on_rtcp), relay, NULL);
  g_source_attach (relay->rtcp_source, NULL);
  send_report (relay);
  relay->report_timer = g_timeout_add_seconds (REPORT_INTERVAL_S, send_report, relay);
  return TRUE;
}

LxJanusRelay *
lx_janus_relay_new (GstElement *pipeline, GstElement *const *layer_tees,
                    LxKeyframeGate *const *gates, guint n, GstElement *audio_tee,
                    const LxJanusTarget *target, GError **error)
{
  LxJanusRelay *relay = g_new0 (LxJanusRelay, 1);
  guint layers = 0;

  relay->pipeline = gst_object_ref (pipeline);
  relay->branches = g_ptr_array_new_with_free_func (gst_object_unref);
  relay->tee_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  relay->tees = g_ptr_array_new_with_free_func (gst_object_unref);
  for (guint i = 0; i < LX_JANUS_RELAY_MAX_LAYERS && target->video_ports[i]; i++)
    layers++;
  if (layers > n) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                 "janus-rtp: %u video ports for %u layers", layers, n);
    lx_janus_relay_free (relay);
    return NULL;
  }
  for (guint i = 0; i < layers; i++) {
    g_autofree gchar *payloader = g_strdup_printf (
        "rtph264pay pt=96 ssrc=%u config-interval=-1 aggregate-mode=zero-latency mtu=1200",
        RELAY_SSRC + 1 + i);
    relay->gates[relay->n_gates++] = gates[i];
    if (!add_branch (relay, layer_tees[i], payloader, target->host, target->video_ports[i],
                     error)) {
      lx_janus_relay_free (relay);
      return NULL;
    }
  }
  if ((audio_tee && !add_branch (relay, audio_tee, "rtpopuspay pt=111 mtu=1200", target->host,
                                 target->audio_port, error)) ||
      !open_rtcp (relay, target, error)) {
    lx_janus_relay_free (relay);
    return NULL;
  }
  g_message ("relaying the lesson to Janus at %s (%u layers and the sound)", target->host, layers);
  return relay;
}

void
lx_janus_relay_free (LxJanusRelay *relay)
{
  if (relay == NULL)
    return;
  g_clear_handle_id (&relay->report_timer, g_source_remove);
  if (relay->rtcp_source) {
    g_source_destroy (relay->rtcp_source);
    g_source_unref (relay->rtcp_source);
  }
  g_clear_object (&relay->rtcp);
  g_clear_object (&relay->janus_rtcp);
  for (guint i = 0; i < relay->branches->len; i++) {
    GstElement *bin = relay->branches->pdata[i];
    gst_element_set_state (bin, GST_STATE_NULL);
    if (i < relay->tee_pads->len)
      gst_element_release_request_pad (relay->tees->pdata[i], relay->tee_pads->pdata[i]);
    gst_bin_remove (GST_BIN (relay->pipeline), bin);
  }
  g_ptr_array_unref (relay->branches);
  g_ptr_array_unref (relay->tee_pads);
  g_ptr_array_unref (relay->tees);
  gst_object_unref (relay->pipeline);
  g_free (relay);
}

guint
lx_janus_relay_count_keyframe_requests (LxJanusRelay *relay)
{
  return relay->keyframe_requests;
}
