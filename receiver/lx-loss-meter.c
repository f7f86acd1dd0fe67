/* Loss before repair, from sequence numbers (see lx-loss-meter.h). */
#include "lx-loss-meter.h"

#include <gst/rtp/rtp.h>

typedef struct {
  LxLossCounts *counts;
  gboolean started;
  guint16 highest; /* the newest sequence number seen */
} Stream;

static GstPadProbeReturn
count_packet (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Stream *stream = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint16 seq;
  gint ahead;

  /* A retransmission mends a loss; it does not undo it. */
  if (GST_BUFFER_FLAG_IS_SET (buffer, GST_RTP_BUFFER_FLAG_RETRANSMISSION) ||
      !gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK;
  seq = gst_rtp_buffer_get_seq (&rtp);
  gst_rtp_buffer_unmap (&rtp);

  if (!stream->started) {
    stream->started = TRUE;
    stream->highest = seq;
    g_atomic_int_inc (&stream->counts->expected);
  } else {
    ahead = gst_rtp_buffer_compare_seqnum (stream->highest, seq);
    if (ahead > 0) {
      /* The gap before it, lost unless it turns up late (counted as received then). */
      g_atomic_int_add (&stream->counts->expected, ahead);
      stream->highest = seq;
    } else if (ahead == 0 || ahead < -1000) {
      return GST_PAD_PROBE_OK; /* a duplicate, or a stray from long ago */
    }
  }
  g_atomic_int_inc (&stream->counts->received);
  return GST_PAD_PROBE_OK;
}

void
lx_loss_meter_attach (GstElement *jitterbuffer, LxLossCounts *counts)
{
  g_autoptr (GstPad) sink = gst_element_get_static_pad (jitterbuffer, "sink");
  Stream *stream = g_new0 (Stream, 1);

  stream->counts = counts;
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER, count_packet, stream, g_free);
}
