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

gboolean
lx_capture_replace (GstElement *pipeline, GstElement **current, GstElement *replacement,
                    GstPad *sink, GError **error)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (replacement, "src");

  if (*current) {
    gst_element_set_state (*current, GST_STATE_NULL);
    gst_pad_unlink (GST_PAD_PEER (sink), sink);
    gst_bin_remove (GST_BIN (pipeline), *current);
  }
  *current = replacement;
  gst_bin_add (GST_BIN (pipeline), replacement);
  if (gst_pad_link (src, sink) != GST_PAD_LINK_OK) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
                         "it cannot link to the lesson");
  } else if (!gst_element_sync_state_with_parent (replacement)) {
    g_set_error_literal (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ,
                         "it would not start (is it plugged in, and not in use by another "
                         "program?)");
  } else {
    return TRUE;
  }
  gst_element_set_state (replacement, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (pipeline), replacement);
  *current = NULL;
  return FALSE;
}
