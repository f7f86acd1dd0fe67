/* The video sink for a classroom's screen, for the lesson and the cards alike. In an X11 full-
 * screen window, glimagesink and xvimagesink scale the picture to the window themselves (on the
 * GPU, or the video overlay hardware); ximagesink — a mini-PC without GL or XVideo — draws it at
 * its own size in a corner, so there the picture is scaled to the screen first, in software, its
 * shape kept with black borders. Elsewhere autovideosink chooses (Wayland and KMS sinks go full
 * screen themselves). */
#pragma once

#include <glib.h>

/* (transfer full) A gst-launch description of the sink: for an X11 full-screen window of @width x
 * @height, or autovideosink when @width is 0. @sync: the sink waits for each frame's time. */
gchar *lx_screen_sink_description (gint width, gint height, gboolean sync);
