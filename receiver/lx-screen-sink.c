/* The video sink for a classroom's screen (see lx-screen-sink.h). */
#include "lx-screen-sink.h"

#include <gst/gst.h>

/* Whether a sink of @factory_name can open the display here (installed, not ranked out, and the X
 * server has GL or XVideo for it). */
static gboolean
sink_usable (const char *factory_name)
{
  g_autoptr (GstElementFactory) factory = gst_element_factory_find (factory_name);
  GstElement *sink;
  gboolean usable;

  if (factory == NULL ||
      gst_plugin_feature_get_rank (GST_PLUGIN_FEATURE (factory)) < GST_RANK_MARGINAL)
    return FALSE;
  sink = gst_object_ref_sink (gst_element_factory_create (factory, NULL));
  usable = gst_element_set_state (sink, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS;
  gst_element_set_state (sink, GST_STATE_NULL);
  gst_object_unref (sink);
  return usable;
}

gchar *
lx_screen_sink_description (gint width, gint height, gboolean sync)
{
  const char *sync_text = sync ? "true" : "false";

  if (width <= 0 || height <= 0)
    return g_strdup_printf ("autovideosink sync=%s", sync_text);
  if (sink_usable ("glimagesink"))
    return g_strdup_printf ("glimagesink sync=%s", sync_text);
  if (sink_usable ("xvimagesink"))
    return g_strdup_printf ("xvimagesink sync=%s", sync_text);
  g_message ("video: no GL or XVideo here: scaled to %dx%d for ximagesink", width, height);
  return g_strdup_printf ("videoscale add-borders=true ! "
                          "video/x-raw,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
                          "ximagesink sync=%s",
                          width, height, sync_text);
}
