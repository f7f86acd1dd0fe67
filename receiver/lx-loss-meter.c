/* Loss on the link, from sequence numbers (see lx-loss-meter.h). */
#include "lx-loss-meter.h"

#include "lx-packet-probe.h"

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
count_packet (gpointer data, GstBuffer *buffer)
{
  Meter *meter = data;
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

void
lx_loss_meter_attach (GstPad *pad, LxLossCounts *counts)
{
  Meter *meter = g_new0 (Meter, 1);

  meter->counts = counts;
  meter->highest = g_hash_table_new (NULL, NULL);
  lx_packet_probe_add (pad, count_packet, meter, free_meter);
}
