/* A picture saved as PNG (see lx-snapshot.h). */
#include "lx-snapshot.h"

#include <gst/video/video.h>

gboolean
lx_snapshot_save (GstSample *frame, const char *path, GError **error)
{
  g_autoptr (GstSample) png = NULL;
  g_autoptr (GstCaps) png_caps = gst_caps_new_empty_simple ("image/png");
  GstMapInfo map;
  gboolean ok;

  if (frame == NULL) {
    g_set_error_literal (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                         "no picture decoded yet");
    return FALSE;
  }
  png = gst_video_convert_sample (frame, png_caps, 5 * GST_SECOND, error);
  if (png == NULL)
    return FALSE;
  gst_buffer_map (gst_sample_get_buffer (png), &map, GST_MAP_READ);
  ok = g_file_set_contents (path, (const char *) map.data, map.size, error);
  gst_buffer_unmap (gst_sample_get_buffer (png), &map);
  return ok;
}
