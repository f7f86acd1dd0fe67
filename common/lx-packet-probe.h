/* Watching the RTP packets that pass a pad, one at a time whether they come alone or in a
 * buffer list — what the classroom's loss and queue meters and the sender's link prober share;
 * and counting the buffers (frames) that pass one. */
#pragma once

#include <gst/gst.h>

/* Called on a streaming thread with each packet (read only). */
typedef void (*LxPacketFunc) (gpointer data, GstBuffer *packet);

/* Adds a pad probe on @pad that calls @func with @data on every packet passing it; @destroy
 * (nullable) frees @data once the probe is gone. Returns the probe's id. */
gulong lx_packet_probe_add (GstPad *pad, LxPacketFunc func, gpointer data, GDestroyNotify destroy);
/* The same, but the packets go no further than @func (the pad need not be linked). */
gulong lx_packet_probe_add_taking (GstPad *pad, LxPacketFunc func, gpointer data,
                                   GDestroyNotify destroy);

/* Adds a pad probe on @pad that counts the buffers passing it into *@count (atomically; it must
 * outlive the probe). Returns the probe's id. */
gulong lx_buffer_counter_add (GstPad *pad, gint *count);
