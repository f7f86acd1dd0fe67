/* Loss on the link, from sequence numbers (see lx-loss-meter.h). */
#include "lx-loss-meter.h"

#include <gst/rtp/rtp.h>

typedef struct {
  LxLossCounts *counts;
  GHashTable *highest; /* SSRC → the newest sequence number seen (as a pointer) */
} Meter;

static void
free_meter (gpointer data)
{
  Meter *meter = data;

  g_hash_table_unref (meter->highest);
  g_free (meter);
}

static void
count_packet (Meter *meter, GstBuffer *buffer)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gpointer key, value;
  guint32 ssrc;
  guint16 seq;
  gint ahead;

  if (!gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return;
  g_atomic_pointer_add (&meter->counts->bytes, gst_buffer_get_size (buffer));
  ssrc = gst_rtp_buffer_get_ssrc (&rtp);
  seq = gst_rtp_buffer_get_seq (&rtp);
  gst_rtp_buffer_unmap (&rtp);

  key = GUINT_TO_POINTER (ssrc);
  if (!g_hash_table_lookup_extended (meter->highest, key, NULL, &value)) {
    g_hash_table_insert (meter->highest, key, GUINT_TO_POINTER (seq));
    g_atomic_int_inc (&meter->counts->expected);
  } else {
    ahead = gst_rtp_buffer_compare_seqnum ((guint16) GPOINTER_TO_UINT (value), seq);
    if (ahead > 0) {
      /* The gap before it: lost, unless a packet of it turns up late (counted then). */
      g_atomic_int_add (&meter->counts->expected, ahead);
      g_hash_table_insert (meter->highest, key, GUINT_TO_POINTER (seq));
    } else if (ahead == 0 || ahead < -1000) {
      return; /* a duplicate, or a stray from long ago */
    }
  }
  g_atomic_int_inc (&meter->counts->received);
}

static gboolean
count_listed_packet (GstBuffer **buffer, guint index, gpointer data)
{
  count_packet (data, *buffer);
  return TRUE;
}

static GstPadProbeReturn
count_packets (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), count_listed_packet, data);
  else
    count_packet (data, GST_PAD_PROBE_INFO_BUFFER (info));
  return GST_PAD_PROBE_OK;
}

void
lx_loss_meter_attach (GstPad *pad, LxLossCounts *counts)
{
  Meter *meter = g_new0 (Meter, 1);

  meter->counts = counts;
  meter->highest = g_hash_table_new (NULL, NULL);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, count_packets,
                     meter, free_meter);
}
