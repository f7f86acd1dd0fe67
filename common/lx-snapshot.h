/* A picture saved as PNG: the classroom's screen, the teacher's wall — for a technician's look
 * and for the tests' pixel checks. */
#pragma once

#include <gst/gst.h>

/* Writes @frame (a raw video sample, nullable) to @path as PNG. FALSE with @error when there is
 * no picture yet, or it cannot be converted or written. */
gboolean lx_snapshot_save (GstSample *frame, const char *path, GError **error);
