/* The keyframe request gate (see lx-keyframes.h). Requests travel upstream as GstForceKeyUnit
 * events; a probe on the encoder's src pad sees all of them, ours and those from the classrooms'
 * RTP sessions, and lets through at most one per interval. */
#include "lx-keyframes.h"

#include <gst/video/video.h>

struct _LxKeyframeGate {
  GstPad *encoder_src;
  GMainContext *context;
  GstClockTime min_interval;
  gulong event_probe, buffer_probe;

  GMutex lock;              /* guards what follows */
  GstClockTime last_forced; /* monotonic time, or GST_CLOCK_TIME_NONE */
  GSource *deferred;        /* a pending merged request, or NULL */
  LxKeyframeStats stats;
};

static GstClockTime
now (void)
{
  return g_get_monotonic_time () * GST_USECOND;
}

static gboolean
send_deferred (gpointer data)
{
  LxKeyframeGate *gate = data;

  g_mutex_lock (&gate->lock);
  g_clear_pointer (&gate->deferred, g_source_unref);
  g_mutex_unlock (&gate->lock);
  lx_keyframe_gate_request (gate, "merged requests");
  return G_SOURCE_REMOVE;
}

/* Decides, under the lock, whether a request goes to the encoder now. */
static gboolean
admit_request (LxKeyframeGate *gate)
{
  GstClockTime time = now ();
  gboolean admit = FALSE;

  g_mutex_lock (&gate->lock);
  gate->stats.requested++;
  if (!GST_CLOCK_TIME_IS_VALID (gate->last_forced) ||
      time - gate->last_forced >= gate->min_interval) {
    gate->last_forced = time;
    gate->stats.forced++;
    admit = TRUE;
  } else if (gate->deferred == NULL) {
    GstClockTime wait = gate->last_forced + gate->min_interval - time;
    gate->deferred = g_timeout_source_new ((guint) (wait / GST_MSECOND) + 1);
    g_source_set_callback (gate->deferred, send_deferred, gate, NULL);
    g_source_attach (gate->deferred, gate->context);
  }
  g_mutex_unlock (&gate->lock);
  return admit;
}

static GstPadProbeReturn
on_upstream_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (!gst_video_event_is_force_key_unit (event))
    return GST_PAD_PROBE_OK;
  return admit_request (data) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

static GstPadProbeReturn
on_encoded_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxKeyframeGate *gate = data;

  gboolean keyframe =
      !GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info), GST_BUFFER_FLAG_DELTA_UNIT);

  if (keyframe) {
    g_mutex_lock (&gate->lock);
    gate->stats.produced++;
    g_mutex_unlock (&gate->lock);
  }
  return GST_PAD_PROBE_OK;
}

LxKeyframeGate *
lx_keyframe_gate_new (GstPad *encoder_src, guint min_interval_ms)
{
  LxKeyframeGate *gate = g_new0 (LxKeyframeGate, 1);

  g_mutex_init (&gate->lock);
  gate->encoder_src = gst_object_ref (encoder_src);
  gate->context = g_main_context_ref_thread_default ();
  gate->min_interval = min_interval_ms * GST_MSECOND;
  gate->last_forced = GST_CLOCK_TIME_NONE;
  gate->event_probe = gst_pad_add_probe (encoder_src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
                                         on_upstream_event, gate, NULL);
  gate->buffer_probe =
      gst_pad_add_probe (encoder_src, GST_PAD_PROBE_TYPE_BUFFER, on_encoded_buffer, gate, NULL);
  return gate;
}

void
lx_keyframe_gate_free (LxKeyframeGate *gate)
{
  gst_pad_remove_probe (gate->encoder_src, gate->event_probe);
  gst_pad_remove_probe (gate->encoder_src, gate->buffer_probe);
  if (gate->deferred) {
    g_source_destroy (gate->deferred);
    g_source_unref (gate->deferred);
  }
  gst_object_unref (gate->encoder_src);
  g_main_context_unref (gate->context);
  g_mutex_clear (&gate->lock);
  g_free (gate);
}

void
lx_keyframe_gate_request (LxKeyframeGate *gate, const char *reason)
{
  g_debug ("keyframe requested: %s", reason);
  /* Sent into the encoder's src pad, so it passes the same probe as a classroom's PLI. */
  gst_pad_send_event (gate->encoder_src,
                      gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
}

LxKeyframeStats
lx_keyframe_gate_get_stats (LxKeyframeGate *gate)
{
  LxKeyframeStats stats;

  g_mutex_lock (&gate->lock);
  stats = gate->stats;
  g_mutex_unlock (&gate->lock);
  return stats;
}
