/* What an encoder really sends, measured at its output: a layer configured for 700 kbit/s may
 * send 800 on a busy picture (x264's rate control overshoots on motion) or 200 on a still slide,
 * and the layer choice needs what it costs on the link, not its label. The probe counts on the
 * streaming thread; the reading is for one thread (the main context). */
#pragma once

#include <gst/gst.h>

typedef struct _LxBitrateMeter LxBitrateMeter;

/* Counts the bytes of the buffers leaving @pad. */
LxBitrateMeter *lx_bitrate_meter_new (GstPad *pad);
void lx_bitrate_meter_free (LxBitrateMeter *meter);

/* kbit/s over about the last 4 s at @now_us (monotonic), 0 until a second has been measured. */
gint lx_bitrate_meter_read_kbps (LxBitrateMeter *meter, gint64 now_us);
