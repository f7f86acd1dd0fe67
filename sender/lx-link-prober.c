/* Probing a link with retransmissions (see lx-link-prober.h). */
#include "lx-link-prober.h"

#include "lx-layer-chooser.h"
#include "lx-packet-probe.h"

#include <gst/rtp/rtp.h>

#define TICK_MS 10
/* Probes repeat the newest few packets (all well within the retransmission history). */
#define RECENT_PACKETS 8

/* What the streaming thread sees going into the retransmission history. Shared by the prober and
 * its pad probe (reference-counted: a probe may still be running while the prober goes). */
typedef struct {
  guint32 video_ssrc;
  gint newest_seqnum; /* atomic: of the video stream; -1 none yet */
  gint packet_bytes;  /* atomic: the video packets' average size */
} History;

struct _LxLinkProber {
  GstElement *rtx_sender;
  GstPad *rtx_src;
  gulong history_probe;
  History *history;
  LxProbeRamp ramp;
  gint64 started_us;
  guint timer;
  gint64 budget_bytes, last_tick_us;
  guint next;
};

/* (streaming thread) The video packets going into the retransmission history. */
static void
note_packet (gpointer data, GstBuffer *buffer)
{
  History *history = data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gint size = (gint) gst_buffer_get_size (buffer);

  if (!gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return;
  if (gst_rtp_buffer_get_ssrc (&rtp) == history->video_ssrc) {
    gint average = g_atomic_int_get (&history->packet_bytes);
    g_atomic_int_set (&history->newest_seqnum, gst_rtp_buffer_get_seq (&rtp));
    g_atomic_int_set (&history->packet_bytes, average ? (average * 7 + size) / 8 : size);
  }
  gst_rtp_buffer_unmap (&rtp);
}

static void
release_history (gpointer history)
{
  g_atomic_rc_box_release (history);
}

LxLinkProber *
lx_link_prober_new (GstElement *rtx_sender, guint32 video_ssrc)
{
  LxLinkProber *prober = g_new0 (LxLinkProber, 1);
  g_autoptr (GstPad) sink = gst_element_get_static_pad (rtx_sender, "sink");

  prober->rtx_sender = gst_object_ref (rtx_sender);
  prober->rtx_src = gst_element_get_static_pad (rtx_sender, "src");
  prober->history = g_atomic_rc_box_new0 (History);
  prober->history->video_ssrc = video_ssrc;
  prober->history->newest_seqnum = -1;
  prober->history_probe = lx_packet_probe_add (
      sink, note_packet, g_atomic_rc_box_acquire (prober->history), release_history);
  return prober;
}

void
lx_link_prober_free (LxLinkProber *prober)
{
  g_autoptr (GstPad) sink = NULL;

  if (prober == NULL)
    return;
  g_clear_handle_id (&prober->timer, g_source_remove);
  sink = gst_element_get_static_pad (prober->rtx_sender, "sink");
  gst_pad_remove_probe (sink, prober->history_probe);
  g_atomic_rc_box_release (prober->history);
  gst_object_unref (prober->rtx_src);
  gst_object_unref (prober->rtx_sender);
  g_free (prober);
}

/* Asks the retransmission sender for one of the newest video packets again. */
static void
request_packet (LxLinkProber *prober, gint newest)
{
  guint16 seqnum = (guint16) (newest - (gint) (prober->next++ % RECENT_PACKETS));
  GstStructure *request =
      gst_structure_new ("GstRTPRetransmissionRequest", "seqnum", G_TYPE_UINT, (guint) seqnum,
                         "ssrc", G_TYPE_UINT, prober->history->video_ssrc, NULL);

  gst_pad_send_event (prober->rtx_src, gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM, request));
}

static gboolean
tick (gpointer data)
{
  LxLinkProber *prober = data;
  gint64 now = g_get_monotonic_time ();
  gint newest = g_atomic_int_get (&prober->history->newest_seqnum);
  gint packet_bytes = g_atomic_int_get (&prober->history->packet_bytes);

  gint kbps = lx_probe_ramp_kbps (&prober->ramp, (now - prober->started_us) / 1000);

  /* The budget follows the clock, not the ticks: a late tick sends what it owes. */
  prober->budget_bytes += (now - prober->last_tick_us) * kbps / 8000;
  prober->last_tick_us = now;
  if (newest < 0 || packet_bytes <= 0)
    return G_SOURCE_CONTINUE;
  while (prober->budget_bytes >= packet_bytes) {
    request_packet (prober, newest);
    prober->budget_bytes -= packet_bytes;
  }
  return G_SOURCE_CONTINUE;
}

void
lx_link_prober_set_ramp (LxLinkProber *prober, const LxProbeRamp *ramp)
{
  prober->ramp = *ramp;
  if (ramp->kbps <= 0) {
    g_clear_handle_id (&prober->timer, g_source_remove);
    return;
  }
  if (prober->timer == 0) {
    prober->budget_bytes = 0;
    prober->started_us = prober->last_tick_us = g_get_monotonic_time ();
    prober->timer = g_timeout_add (TICK_MS, tick, prober);
  }
}
