/* The latency probe: the sender writes the wall-clock time a frame was captured into the picture
 * itself, as a row of black and white blocks in the top-left corner that survive H.264 compression
 * and scaling; the receiver reads it back after decoding and knows how old the frame is.
 *
 * Layout: 64 bits in two rows of 32 square blocks, each block width/80 pixels wide (so the code
 * scales with the picture): 48 bits of milliseconds since the Unix epoch, then a 16-bit check that
 * tells a real code from an ordinary picture. Both sides must share a clock: on one machine they
 * do; across machines, synchronise them with NTP or PTP (docs/performance.md). */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

#define LX_LATENCY_STAMP_BITS 64

/* Draws @time_ms into @frame (a writable frame in a YUV format whose first component is luma).
 * Returns FALSE when the picture is too small to hold the code. */
gboolean lx_latency_stamp_write (GstVideoFrame *frame, gint64 time_ms);

/* Reads a code from @frame. Returns FALSE when there is none (or it is damaged). */
gboolean lx_latency_stamp_read (const GstVideoFrame *frame, gint64 *time_ms);

G_END_DECLS
