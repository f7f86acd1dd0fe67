/* An encoder's real bitrate (see lx-bitrate-meter.h). */
#include "lx-bitrate-meter.h"

#include "lx-rate-window.h"

/* Readings are kept at most this often, as many as cover the window. */
#define CHECKPOINT_US (500 * 1000)
#define WINDOW_US (4 * G_USEC_PER_SEC)
G_STATIC_ASSERT (WINDOW_US / CHECKPOINT_US + 1 <= LX_RATE_WINDOW_SAMPLES);

struct _LxBitrateMeter {
  GstPad *pad;
  gulong probe;
  guint64 bytes; /* atomic: counted by the streaming thread */
  LxRateWindow checkpoints;
};

static GstPadProbeReturn
count_bytes (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxBitrateMeter *meter = data;

  /* (64-bit atomics on the platforms we build for; GLib has none for guint64 add) */
  __atomic_fetch_add (&meter->bytes, gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info)),
                      __ATOMIC_RELAXED);
  return GST_PAD_PROBE_OK;
}

LxBitrateMeter *
lx_bitrate_meter_new (GstPad *pad)
{
  LxBitrateMeter *meter = g_new0 (LxBitrateMeter, 1);

  meter->pad = gst_object_ref (pad);
  meter->probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_bytes, meter, NULL);
  return meter;
}

void
lx_bitrate_meter_free (LxBitrateMeter *meter)
{
  gst_pad_remove_probe (meter->pad, meter->probe);
  gst_object_unref (meter->pad);
  g_free (meter);
}

gint
lx_bitrate_meter_read_kbps (LxBitrateMeter *meter, gint64 now_us)
{
  guint64 bytes = __atomic_load_n (&meter->bytes, __ATOMIC_RELAXED);

  lx_rate_window_sample (&meter->checkpoints, now_us, bytes, CHECKPOINT_US);
  return (gint) MAX (lx_rate_window_kbps (&meter->checkpoints, now_us, bytes,
                                          WINDOW_US + CHECKPOINT_US, G_USEC_PER_SEC),
                     0);
}
