/* A classroom's stream sent beside its webrtcbin (see lx-direct-sender.h).
 *
 * Threads: lx_direct_sender_start() runs on the main context and sets up everything before it sets
 * the state. From then on the probe, on the branch's streaming thread, encrypts and sends the
 * packets (and the repair's RTX sender its retransmissions, from its own thread); the sender
 * report goes from webrtcbin's RTCP thread, from what the others last counted; the peer's RTCP is
 * read on its receiving thread. The SRTP session and the counts are under the lock. */
#include "lx-direct-sender.h"
#include "lx-direct-repair.h"
#include "lx-srtp.h"
#include "lx-webrtc.h"

#include <agent.h>
#include <gst/rtp/gstrtcpbuffer.h>
#include <gst/video/video.h>
#include <string.h>

/* The largest RTP packet handed to us (the payloader's MTU is at most 9000 bytes, lx-config). */
#define MAX_RTP_BYTES 9000

/* Room for a sender report and its CNAME. */
#define REPORT_BYTES 512

/* After a step down for congestion, the packets sent before it are not repaired for this long
 * (the link's queue and repair deadlines are over by then). */
#define OLD_PACKETS_UNREPAIRED_US (3 * G_USEC_PER_SEC)

typedef enum {
  WAITING,       /* not connected yet: packets dropped */
  SENDING,       /* packets encrypted and sent here */
  THROUGH_WEBRTC /* lx_direct_sender_start() failed: packets go on to webrtcbin */
} SenderState;

struct _LxDirectSender {
  gint state; /* SenderState, atomic */

  /* Set by lx_direct_sender_start() before the state becomes SENDING. */
  LxSrtp *srtp;           /* under the lock */
  GWeakRef webrtc;        /* (its clock, for the reports) */
  GWeakRef payloader_src; /* (where keyframe requests go up) */
  NiceAgent *agent;
  guint stream_id;
  guint component_id;
  gchar *cname;           /* webrtcbin's: players line our stream up with its own by it */
  LxDirectRepair *repair; /* (nullable) the video's FEC and retransmissions */

  guint clock_rate;   /* from the caps, atomic */
  guint ssrc;         /* the stream's own, from the caps (not its retransmissions'), atomic */
  GstSegment segment; /* the payloader's (streaming thread only) */

  GMutex lock; /* the SRTP session, what the report needs, and the repair's cut */
  /* A packet's RTP time and the running time of its capture (its PTS): the report counts the
   * RTP time of now from them. */
  guint32 anchor_rtp_time;
  GstClockTime anchor_running_time; /* GST_CLOCK_TIME_NONE before the first packet */
  guint64 packets;
  guint64 payload_octets;
  guint16 newest_seqnum;         /* of the stream's packets sent */
  gint repaired_from;            /* the oldest sequence number repaired; -1 all */
  gint64 repaired_from_until_us; /* (monotonic) until then */

  gint retransmission_copies; /* each NACKed packet sent again this many times, atomic */
};

static void
direct_sender_init (LxDirectSender *sender)
{
  g_mutex_init (&sender->lock);
  gst_segment_init (&sender->segment, GST_FORMAT_UNDEFINED);
  sender->anchor_running_time = GST_CLOCK_TIME_NONE;
  sender->repaired_from = -1;
  sender->retransmission_copies = 1;
  g_weak_ref_init (&sender->webrtc, NULL);
  g_weak_ref_init (&sender->payloader_src, NULL);
}

static LxDirectSender *
direct_sender_ref (LxDirectSender *sender)
{
  return g_atomic_rc_box_acquire (sender);
}

static void
direct_sender_clear (LxDirectSender *sender)
{
  g_clear_pointer (&sender->srtp, lx_srtp_free);
  g_clear_object (&sender->agent);
  g_free (sender->cname);
  g_clear_pointer (&sender->repair, lx_direct_repair_free);
  g_mutex_clear (&sender->lock);
  g_weak_ref_clear (&sender->webrtc);
  g_weak_ref_clear (&sender->payloader_src);
}

void
lx_direct_sender_unref (LxDirectSender *sender)
{
  g_atomic_rc_box_release_full (sender, (GDestroyNotify) direct_sender_clear);
}

static void
direct_sender_closure_unref (gpointer data, GClosure *closure)
{
  lx_direct_sender_unref (data);
}

/* The RTP header's length, with its CSRCs and extension; 0 if @packet is not RTP version 2. */
static gsize
rtp_header_length (const guint8 *packet, gsize size)
{
  gsize length;

  if (size < 12 || (packet[0] >> 6) != 2)
    return 0;
  length = 12 + 4 * (packet[0] & 0x0f);
  if (packet[0] & 0x10) {
    if (size < length + 4)
      return 0;
    length += 4 + 4 * GST_READ_UINT16_BE (packet + length + 2);
  }
  return length <= size ? length : 0;
}

/* Sends @length bytes of @packet, protected (-1: it was not RTP), on the ICE path. */
static void
send_protected (LxDirectSender *sender, const guint8 *packet, gint length)
{
  if (length < 0)
    return;
  /* Non-blocking: a full socket drops the packet, as webrtcbin's ICE sink would. */
  nice_agent_send (sender->agent, sender->stream_id, sender->component_id, (guint) length,
                   (const gchar *) packet);
}

/* Sends @buffer (one RTP packet: the stream's, or a retransmission from the repair's own
 * thread). */
static void
send_packet (gpointer data, GstBuffer *buffer)
{
  LxDirectSender *sender = data;
  guint8 packet[MAX_RTP_BYTES + LX_SRTP_MAX_TRAILER];
  gsize size = gst_buffer_get_size (buffer);
  gint length;
  gsize header;
  guint32 ssrc;

  if (size > MAX_RTP_BYTES)
    return;
  gst_buffer_extract (buffer, 0, packet, size);
  header = rtp_header_length (packet, size);
  if (header == 0)
    return;
  ssrc = GST_READ_UINT32_BE (packet + 8);
  g_mutex_lock (&sender->lock);
  if (ssrc == (guint32) g_atomic_int_get (&sender->ssrc)) {
    sender->newest_seqnum = GST_READ_UINT16_BE (packet + 2);
    sender->packets++;
    sender->payload_octets += size - header - ((packet[0] & 0x20) ? packet[size - 1] : 0);
  }
  length = lx_srtp_protect (sender->srtp, packet, size);
  g_mutex_unlock (&sender->lock);
  send_protected (sender, packet, length);
}

static gboolean
send_listed_packet (GstBuffer **buffer, guint index, gpointer data)
{
  send_packet (data, *buffer);
  return TRUE;
}

/* From the stream's events, what the report needs: the stream's SSRC and RTP clock rate (its
 * caps) and its segment (for the packets' running times). Streaming thread. */
static void
note_event (LxDirectSender *sender, GstEvent *event)
{
  GstCaps *caps;
  const GstStructure *structure;
  gint clock_rate;
  guint ssrc;

  if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT)
    gst_event_copy_segment (event, &sender->segment);
  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return;
  gst_event_parse_caps (event, &caps);
  structure = gst_caps_get_structure (caps, 0);
  if (gst_structure_get_int (structure, "clock-rate", &clock_rate))
    g_atomic_int_set (&sender->clock_rate, (guint) clock_rate);
  if (gst_structure_get_uint (structure, "ssrc", &ssrc))
    g_atomic_int_set (&sender->ssrc, ssrc);
}

/* Notes @packet's RTP time and the running time of its capture (streaming thread). */
static void
note_anchor (LxDirectSender *sender, GstBuffer *packet)
{
  guint8 header[8];
  GstClockTime running_time;

  if (packet == NULL || sender->segment.format != GST_FORMAT_TIME ||
      !GST_BUFFER_PTS_IS_VALID (packet) || gst_buffer_extract (packet, 0, header, 8) != 8)
    return;
  running_time =
      gst_segment_to_running_time (&sender->segment, GST_FORMAT_TIME, GST_BUFFER_PTS (packet));
  if (!GST_CLOCK_TIME_IS_VALID (running_time))
    return;
  g_mutex_lock (&sender->lock);
  sender->anchor_rtp_time = GST_READ_UINT32_BE (header + 4);
  sender->anchor_running_time = running_time;
  g_mutex_unlock (&sender->lock);
}

static GstPadProbeReturn
take_packets (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxDirectSender *sender = data;

  SenderState state = g_atomic_int_get (&sender->state);

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    note_event (sender, GST_PAD_PROBE_INFO_EVENT (info));
    if (state == SENDING && sender->repair)
      lx_direct_repair_forward_event (sender->repair, GST_PAD_PROBE_INFO_EVENT (info));
    return GST_PAD_PROBE_OK;
  }
  if (state == WAITING)
    return GST_PAD_PROBE_DROP;
  if (state == THROUGH_WEBRTC)
    return GST_PAD_PROBE_OK;
  note_anchor (sender, info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST
                           ? gst_buffer_list_get (GST_PAD_PROBE_INFO_BUFFER_LIST (info), 0)
                           : GST_PAD_PROBE_INFO_BUFFER (info));
  if (sender->repair)
    lx_direct_repair_push (sender->repair, gst_mini_object_ref (GST_PAD_PROBE_INFO_DATA (info)));
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), send_listed_packet, sender);
  else
    send_packet (sender, GST_PAD_PROBE_INFO_BUFFER (info));
  return GST_PAD_PROBE_DROP;
}

LxDirectSender *
lx_direct_sender_attach (GstPad *payloader_src)
{
  LxDirectSender *sender = g_atomic_rc_box_new0 (LxDirectSender);

  direct_sender_init (sender);
  gst_pad_add_probe (payloader_src,
                     GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST |
                         GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     take_packets, direct_sender_ref (sender),
                     (GDestroyNotify) lx_direct_sender_unref);
  return sender;
}

/* The RTP time our report pairs with the NTP time of now: the anchor packet's, on by the time since
 * its capture. Players line the streams up by these reports (rtpbin's lip sync delays the stream
 * that is ahead), so each must say where that stream's timeline is now. (webrtcbin's RTP session
 * counts on from its last packet sent by the whole running time of now — it has no running time
 * for the packet, since the sender never gives a classroom's webrtcbin a latency: gstrtpsession.c
 * warns "Can't determine running time for this packet". Every stream's report was then off by
 * its last packet's age as well, up to a frame: classrooms delayed the picture by the difference,
 * 0–30 ms more glass-to-glass from one lesson to the next, and by hundreds of ms at the start.) */
static gboolean
rtp_time_of_now (LxDirectSender *sender, guint32 anchor_rtp_time, GstClockTime anchor_running_time,
                 guint32 *rtp_time)
{
  g_autoptr (GstElement) webrtc = g_weak_ref_get (&sender->webrtc);
  g_autoptr (GstClock) clock = webrtc ? gst_element_get_clock (webrtc) : NULL;
  guint clock_rate = g_atomic_int_get (&sender->clock_rate);
  GstClockTimeDiff since_capture;

  if (clock == NULL || clock_rate == 0 || !GST_CLOCK_TIME_IS_VALID (anchor_running_time))
    return FALSE;
  since_capture = GST_CLOCK_DIFF (anchor_running_time,
                                  gst_clock_get_time (clock) - gst_element_get_base_time (webrtc));
  *rtp_time = anchor_rtp_time + (guint32) (gint32) (since_capture * clock_rate / GST_SECOND);
  return TRUE;
}

/* (RTCP thread) With each regular round of webrtcbin's RTCP, our stream's sender report and its
 * CNAME, as a compound packet of its own: a GStreamer player routes RTCP to a stream by the
 * compound's first SSRC. */
static gboolean
on_sending_rtcp (GObject *session, GstBuffer *buffer, gboolean early, gpointer data)
{
  LxDirectSender *sender = data;
  g_autoptr (GstBuffer) report = NULL;
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;
  guint8 bytes[REPORT_BYTES + LX_SRTP_MAX_TRAILER];
  guint32 ssrc, anchor_rtp_time, rtp_time;
  GstClockTime anchor_running_time;
  guint64 packets, octets;
  gsize size;
  gint length;

  if (early || g_atomic_int_get (&sender->state) != SENDING)
    return FALSE;
  g_mutex_lock (&sender->lock);
  ssrc = g_atomic_int_get (&sender->ssrc);
  anchor_rtp_time = sender->anchor_rtp_time;
  anchor_running_time = sender->anchor_running_time;
  packets = sender->packets;
  octets = sender->payload_octets;
  g_mutex_unlock (&sender->lock);
  if (packets == 0 || !rtp_time_of_now (sender, anchor_rtp_time, anchor_running_time, &rtp_time))
    return FALSE;

  report = gst_rtcp_buffer_new (REPORT_BYTES);
  gst_rtcp_buffer_map (report, GST_MAP_READWRITE, &rtcp);
  gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_SR, &packet);
  gst_rtcp_packet_sr_set_sender_info (&packet, ssrc,
                                      gst_rtcp_unix_to_ntp ((guint64) g_get_real_time () * 1000),
                                      rtp_time, (guint32) packets, (guint32) octets);
  if (sender->cname && gst_rtcp_buffer_add_packet (&rtcp, GST_RTCP_TYPE_SDES, &packet) &&
      gst_rtcp_packet_sdes_add_item (&packet, ssrc))
    gst_rtcp_packet_sdes_add_entry (&packet, GST_RTCP_SDES_CNAME, (guint8) strlen (sender->cname),
                                    (const guint8 *) sender->cname);
  gst_rtcp_buffer_unmap (&rtcp);
  size = gst_buffer_extract (report, 0, bytes, REPORT_BYTES);
  g_mutex_lock (&sender->lock);
  length = lx_srtp_protect_rtcp (sender->srtp, bytes, size);
  g_mutex_unlock (&sender->lock);
  send_protected (sender, bytes, length);
  return FALSE;
}

/* The oldest sequence number whose repair is asked for, -1 all (lx_direct_sender_repair_from_now). */
static gint
repaired_from (LxDirectSender *sender)
{
  gint oldest;

  g_mutex_lock (&sender->lock);
  if (sender->repaired_from >= 0 && g_get_monotonic_time () >= sender->repaired_from_until_us)
    sender->repaired_from = -1;
  oldest = sender->repaired_from;
  g_mutex_unlock (&sender->lock);
  return oldest;
}

void
lx_direct_sender_repair_from_now (LxDirectSender *sender)
{
  g_mutex_lock (&sender->lock);
  if (sender->packets > 0) {
    sender->repaired_from = (guint16) (sender->newest_seqnum + 1);
    sender->repaired_from_until_us = g_get_monotonic_time () + OLD_PACKETS_UNREPAIRED_US;
  }
  g_mutex_unlock (&sender->lock);
}

/* GStreamer's names for the SRTP profiles webrtcbin's DTLS handshake can agree on
 * (GstSrtpCipherType, GstSrtpAuthType), and their tag lengths. */
#define GST_SRTP_CIPHER_AES_128_ICM 1
#define GST_SRTP_AUTH_HMAC_SHA1_32 1
#define GST_SRTP_AUTH_HMAC_SHA1_80 2

static guint
tag_length (gint cipher, gint auth)
{
  if (cipher != GST_SRTP_CIPHER_AES_128_ICM)
    return 0;
  return auth == GST_SRTP_AUTH_HMAC_SHA1_80 ? 10 : auth == GST_SRTP_AUTH_HMAC_SHA1_32 ? 4 : 0;
}

/* The SRTP session for our packets and reports, with the key webrtcbin's handshake produced, as
 * its SRTP encoder uses it. */
static gboolean
make_srtp_session (LxDirectSender *sender, GstElement *srtpenc, GError **error)
{
  g_autoptr (GstBuffer) key = NULL;
  gint cipher = 0, auth = 0, rtcp_cipher = 0, rtcp_auth = 0;
  gboolean random_key = TRUE;
  GstMapInfo map;

  g_object_get (srtpenc, "key", &key, "rtp-cipher", &cipher, "rtp-auth", &auth, "rtcp-cipher",
                &rtcp_cipher, "rtcp-auth", &rtcp_auth, "random-key", &random_key, NULL);
  if (key == NULL || random_key) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
                 "webrtcbin's SRTP encoder has no key from the DTLS handshake yet");
    return FALSE;
  }
  if (tag_length (cipher, auth) == 0 || tag_length (rtcp_cipher, rtcp_auth) == 0) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NOT_IMPLEMENTED,
                 "the DTLS handshake chose an SRTP profile not handled here (cipher %d, "
                 "authentication %d)",
                 cipher, auth);
    return FALSE;
  }
  if (!gst_buffer_map (key, &map, GST_MAP_READ)) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "the SRTP key cannot be read");
    return FALSE;
  }
  if (map.size == LX_SRTP_MASTER_LENGTH)
    sender->srtp =
        lx_srtp_new (map.data, tag_length (cipher, auth), tag_length (rtcp_cipher, rtcp_auth));
  else
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
                 "the SRTP key is %" G_GSIZE_FORMAT " bytes, not %d", map.size,
                 LX_SRTP_MASTER_LENGTH);
  gst_buffer_unmap (key, &map);
  return sender->srtp != NULL;
}

/* TRUE if @packet asks for a keyframe of @ssrc: a PLI, or a FIR with an entry for it. */
static gboolean
asks_for_keyframe (GstRTCPPacket *packet, guint32 ssrc)
{
  guint8 *fci;
  guint words;

  if (gst_rtcp_packet_get_type (packet) != GST_RTCP_TYPE_PSFB)
    return FALSE;
  if (gst_rtcp_packet_fb_get_type (packet) == GST_RTCP_PSFB_TYPE_PLI)
    return gst_rtcp_packet_fb_get_media_ssrc (packet) == ssrc;
  if (gst_rtcp_packet_fb_get_type (packet) != GST_RTCP_PSFB_TYPE_FIR)
    return FALSE;
  fci = gst_rtcp_packet_fb_get_fci (packet);
  words = gst_rtcp_packet_fb_get_fci_length (packet);
  for (guint i = 0; fci && i + 2 <= words; i += 2) /* entries of 8 bytes: SSRC, sequence */
    if (GST_READ_UINT32_BE (fci + 4 * i) == ssrc)
      return TRUE;
  return FALSE;
}

/* (the peer's RTCP thread) Its keyframe requests go up the branch as webrtcbin's RTP session would
 * send them for a stream of its own (it ignores requests about a stream it does not send), its
 * NACKs to the repair's RTX sender. */
static void
on_receiving_rtcp (GObject *session, GstBuffer *buffer, gpointer data)
{
  LxDirectSender *sender = data;
  guint32 ssrc = (guint32) g_atomic_int_get (&sender->ssrc);
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;
  gboolean keyframe = FALSE;
  gint oldest_repaired;

  if (!gst_rtcp_buffer_validate_reduced (buffer) ||
      !gst_rtcp_buffer_map (buffer, GST_MAP_READ, &rtcp))
    return;
  oldest_repaired = sender->repair ? repaired_from (sender) : -1;
  for (gboolean more = gst_rtcp_buffer_get_first_packet (&rtcp, &packet); more;
       more = gst_rtcp_packet_move_to_next (&packet)) {
    keyframe |= asks_for_keyframe (&packet, ssrc);
    if (sender->repair)
      lx_direct_repair_answer_nacks (sender->repair, &packet, ssrc, oldest_repaired,
                                     (guint) g_atomic_int_get (&sender->retransmission_copies));
  }
  gst_rtcp_buffer_unmap (&rtcp);
  if (keyframe) {
    g_autoptr (GstPad) payloader_src = g_weak_ref_get (&sender->payloader_src);
    if (payloader_src)
      gst_pad_send_event (payloader_src, gst_video_event_new_upstream_force_key_unit (
                                             GST_CLOCK_TIME_NONE, TRUE, 0));
  }
}

gboolean
lx_direct_sender_start (LxDirectSender *sender, GstElement *webrtc, GstPad *payloader_src,
                        LxDirectVideo video, GError **error)
{
  g_autoptr (GstElement) srtpenc = NULL;
  g_autoptr (GstElement) ice_sink = NULL;
  g_autoptr (GstElement) rtpbin = NULL;
  g_autoptr (GObject) session = NULL;
  g_autoptr (GstStructure) sdes = NULL;
  guint encoders, ice_sinks;

  g_return_val_if_fail (g_atomic_int_get (&sender->state) == WAITING, FALSE);
  srtpenc = lx_webrtc_find_element (webrtc, "srtpenc", &encoders);
  ice_sink = lx_webrtc_find_element (webrtc, "nicesink", &ice_sinks);
  rtpbin = gst_bin_get_by_name (GST_BIN (webrtc), "rtpbin");
  if (rtpbin)
    g_signal_emit_by_name (rtpbin, "get-internal-session", 0, &session);
  if (srtpenc == NULL || ice_sink == NULL || session == NULL) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
                 "webrtcbin has %u SRTP encoders and %u ICE sinks (one bundled transport "
                 "expected)",
                 encoders, ice_sinks);
    goto through_webrtc;
  }
  if (!make_srtp_session (sender, srtpenc, error))
    goto through_webrtc;
  g_object_get (ice_sink, "agent", &sender->agent, "stream", &sender->stream_id, "component",
                &sender->component_id, NULL);
  g_object_get (session, "sdes", &sdes, NULL);
  if (sdes)
    sender->cname = g_strdup (gst_structure_get_string (sdes, "cname"));
  g_weak_ref_set (&sender->webrtc, webrtc);
  g_weak_ref_set (&sender->payloader_src, payloader_src);
  g_signal_connect_data (session, "on-sending-rtcp", G_CALLBACK (on_sending_rtcp),
                         direct_sender_ref (sender), direct_sender_closure_unref, 0);
  if (video & LX_DIRECT_REPAIR)
    sender->repair =
        lx_direct_repair_new (webrtc, payloader_src, send_packet, direct_sender_ref (sender),
                              (GDestroyNotify) lx_direct_sender_unref);
  if (video != LX_DIRECT_SOUND)
    g_signal_connect_data (session, "on-receiving-rtcp", G_CALLBACK (on_receiving_rtcp),
                           direct_sender_ref (sender), direct_sender_closure_unref, 0);
  g_atomic_int_set (&sender->state, SENDING);
  return TRUE;

through_webrtc:
  g_atomic_int_set (&sender->state, THROUGH_WEBRTC);
  return FALSE;
}

gboolean
lx_direct_sender_is_sending (LxDirectSender *sender)
{
  return g_atomic_int_get (&sender->state) == SENDING;
}

guint64
lx_direct_sender_get_packets (LxDirectSender *sender)
{
  guint64 packets;

  g_mutex_lock (&sender->lock);
  packets = sender->packets;
  g_mutex_unlock (&sender->lock);
  return packets;
}

void
lx_direct_sender_set_retransmission_copies (LxDirectSender *sender, guint copies)
{
  g_atomic_int_set (&sender->retransmission_copies, (gint) CLAMP (copies, 1, 2));
}

guint
lx_direct_sender_get_retransmission_copies (LxDirectSender *sender)
{
  return (guint) g_atomic_int_get (&sender->retransmission_copies);
}

GstElement *
lx_direct_sender_get_fec_encoder (LxDirectSender *sender)
{
  return sender->repair ? lx_direct_repair_get_fec_encoder (sender->repair) : NULL;
}

GstElement *
lx_direct_sender_get_rtx_sender (LxDirectSender *sender)
{
  return sender->repair ? lx_direct_repair_get_rtx_sender (sender->repair) : NULL;
}
