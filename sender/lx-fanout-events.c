/* The events an encoded stream carries to the classrooms. Every event that reaches a classroom
 * travels through a dozen pads inside its webrtcbin, for each classroom.
 *
 * Tags: h264parse sends the stream's bitrate as tags every few frames, and each classroom's ICE
 * sink posted them to the bus. No classroom needs them: they stop before the tee.
 *
 * The segment: every encoded stream carries the very same segment event.
 * A classroom's audio and video share one transport (BUNDLE): webrtcbin's rtpfunnel merges them,
 * and each time the next packet comes from the other stream it pushes that stream's segment event
 * downstream — through a dozen pads (the RTP session, the RTX sender, the SRTP encoder, the ICE
 * sink...) some sixty times a second per classroom: a sixth of a classroom's cost (1.29 → 1.08 %
 * of a core, docs/performance.md). A pad that already holds the same event object (the pointer,
 * not an equal copy) forwards nothing, so the switch costs nothing when both streams carry one
 * event.
 *
 * The encoders' segments differ (x264enc starts its segment at 1000 hours, to keep decoding
 * timestamps positive; opusenc at 0), so each stream's timestamps are moved by the difference:
 * the running time of every buffer — what the RTP timestamps and the RTCP sender reports are
 * made from — stays what it was. */
#include "lx-fanout-events.h"

/* Where the shared segment starts: where x264enc's does, so that H.264 is not moved at all. */
#define SHARED_SEGMENT_START (1000 * 3600 * GST_SECOND)

static GstEvent *
shared_segment (void)
{
  static GstEvent *event;

  if (g_once_init_enter (&event)) {
    GstSegment segment;
    gst_segment_init (&segment, GST_FORMAT_TIME);
    segment.start = segment.position = SHARED_SEGMENT_START;
    g_once_init_leave (&event, gst_event_new_segment (&segment));
  }
  return event;
}

typedef struct {
  /* Added to every timestamp since the last segment; what a segment that cannot be shared
   * (another rate, another format) leaves alone is marked by shared = FALSE. */
  GstClockTimeDiff shift;
  gboolean shared;
} StreamShift;

static GstClockTime
moved (GstClockTime time, GstClockTimeDiff shift)
{
  return GST_CLOCK_TIME_IS_VALID (time) ? (GstClockTime) ((GstClockTimeDiff) time + shift) : time;
}

static GstPadProbeReturn
prepare_for_fanout (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  StreamShift *stream = data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buffer;
    if (!stream->shared || stream->shift == 0)
      return GST_PAD_PROBE_OK;
    /* The encoder's own buffer, not shared yet: no copy. */
    buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
    GST_BUFFER_PTS (buffer) = moved (GST_BUFFER_PTS (buffer), stream->shift);
    GST_BUFFER_DTS (buffer) = moved (GST_BUFFER_DTS (buffer), stream->shift);
    GST_PAD_PROBE_INFO_DATA (info) = buffer;
  } else {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
    const GstSegment *segment;
    if (GST_EVENT_TYPE (event) == GST_EVENT_TAG)
      return GST_PAD_PROBE_DROP;
    if (GST_EVENT_TYPE (event) != GST_EVENT_SEGMENT)
      return GST_PAD_PROBE_OK;
    gst_event_parse_segment (event, &segment);
    /* Only a plain live segment maps to the shared one by a shift alone. */
    stream->shared = segment->format == GST_FORMAT_TIME && segment->rate == 1.0 &&
                     segment->applied_rate == 1.0 && segment->offset == 0 &&
                     !GST_CLOCK_TIME_IS_VALID (segment->stop);
    if (!stream->shared)
      return GST_PAD_PROBE_OK;
    /* running time = ts - start + base, the same before and after. */
    stream->shift = (GstClockTimeDiff) SHARED_SEGMENT_START - (GstClockTimeDiff) segment->start +
                    (GstClockTimeDiff) segment->base;
    gst_event_unref (event);
    GST_PAD_PROBE_INFO_DATA (info) = gst_event_ref (shared_segment ());
  }
  return GST_PAD_PROBE_OK;
}

void
lx_fanout_events_attach (GstPad *pad)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     prepare_for_fanout, g_new0 (StreamShift, 1), g_free);
}
