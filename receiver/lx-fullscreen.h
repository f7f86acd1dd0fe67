/* Full screen on an X11 display: a borderless window covering the whole screen, with no mouse
 * pointer, that the video sink draws into (X11 video sinks have no full-screen mode of their own;
 * Wayland and KMS sinks do, and need no window from us). */
#pragma once

#include <gst/gst.h>

typedef struct _LxFullscreenWindow LxFullscreenWindow;

/* (transfer full) Opens the X11 display named by $DISPLAY and shows a black full-screen window.
 * NULL with @error when there is no X11 display. */
LxFullscreenWindow *lx_fullscreen_window_new (GError **error);
void lx_fullscreen_window_free (LxFullscreenWindow *window);
/* The screen's size, which the window covers. */
void lx_fullscreen_window_get_size (LxFullscreenWindow *window, gint *width, gint *height);

/* Installs a bus handler on @pipeline that hands the window to whichever video sink asks for one
 * (the "prepare-window-handle" message), so it draws full screen. */
void lx_fullscreen_window_attach (LxFullscreenWindow *window, GstElement *pipeline);
