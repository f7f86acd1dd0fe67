/* Taking a branch off a running tee (see lx-pads.h). */
#include "lx-pads.h"

typedef struct {
  void (*then) (gpointer data);
  gpointer data;
  GDestroyNotify destroy;
} Unlink;

static GstPadProbeReturn
unlink_now (GstPad *src_pad, GstPadProbeInfo *info, gpointer user_data)
{
  Unlink *unlink = user_data;
  GstPad *peer = gst_pad_get_peer (src_pad);

  if (peer) {
    gst_pad_unlink (src_pad, peer);
    gst_object_unref (peer);
  }
  unlink->then (unlink->data);
  return GST_PAD_PROBE_REMOVE;
}

static void
free_unlink (gpointer user_data)
{
  Unlink *unlink = user_data;

  if (unlink->destroy)
    unlink->destroy (unlink->data);
  g_free (unlink);
}

void
lx_pad_unlink_when_idle (GstPad *src_pad, void (*then) (gpointer data), gpointer data,
                         GDestroyNotify destroy)
{
  Unlink *unlink = g_new0 (Unlink, 1);

  unlink->then = then;
  unlink->data = data;
  unlink->destroy = destroy;
  gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_IDLE, unlink_now, unlink, free_unlink);
}
