/* A pad probe per packet (see lx-packet-probe.h). */
#include "lx-packet-probe.h"

typedef struct {
  LxPacketFunc func;
  gpointer data;
  GDestroyNotify destroy;
  gboolean taking; /* the packets stop here */
} PacketProbe;

static void
free_probe (gpointer data)
{
  PacketProbe *probe = data;

  if (probe->destroy)
    probe->destroy (probe->data);
  g_free (probe);
}

static gboolean
each_listed_packet (GstBuffer **packet, guint index, gpointer data)
{
  PacketProbe *probe = data;

  probe->func (probe->data, *packet);
  return TRUE;
}

static GstPadProbeReturn
each_packet (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  PacketProbe *probe = data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), each_listed_packet, probe);
  else
    probe->func (probe->data, GST_PAD_PROBE_INFO_BUFFER (info));
  return probe->taking ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static gulong
add_probe (GstPad *pad, LxPacketFunc func, gpointer data, GDestroyNotify destroy, gboolean taking)
{
  PacketProbe *probe = g_new0 (PacketProbe, 1);

  probe->func = func;
  probe->data = data;
  probe->destroy = destroy;
  probe->taking = taking;
  return gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                            each_packet, probe, free_probe);
}

gulong
lx_packet_probe_add (GstPad *pad, LxPacketFunc func, gpointer data, GDestroyNotify destroy)
{
  return add_probe (pad, func, data, destroy, FALSE);
}

gulong
lx_packet_probe_add_taking (GstPad *pad, LxPacketFunc func, gpointer data, GDestroyNotify destroy)
{
  return add_probe (pad, func, data, destroy, TRUE);
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

gulong
lx_buffer_counter_add (GstPad *pad, gint *count)
{
  return gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, count, NULL);
}
