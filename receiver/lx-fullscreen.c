/* The full-screen window (see lx-fullscreen.h). The window is override-redirect: it covers the
 * screen whether or not a window manager runs, as on a kiosk mini-PC that boots straight into X. */
#include "lx-fullscreen.h"

#include <X11/Xlib.h>
#include <gst/video/videooverlay.h>

struct _LxFullscreenWindow {
  Display *display;
  Window window;
  Cursor blank_cursor;
  gint width, height;
};

static Cursor
make_blank_cursor (Display *display, Window window)
{
  static const char empty[8] = { 0 };
  XColor black = { 0 };
  Pixmap pixmap = XCreateBitmapFromData (display, window, empty, 8, 8);
  Cursor cursor = XCreatePixmapCursor (display, pixmap, pixmap, &black, &black, 0, 0);

  XFreePixmap (display, pixmap);
  return cursor;
}

LxFullscreenWindow *
lx_fullscreen_window_new (GError **error)
{
  LxFullscreenWindow *window;
  Display *display = XOpenDisplay (NULL);
  XSetWindowAttributes attributes = { 0 };
  int screen;

  if (display == NULL) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE,
                 "full screen needs an X11 display, and '%s' cannot be opened",
                 g_getenv ("DISPLAY") ? g_getenv ("DISPLAY") : "(DISPLAY not set)");
    return NULL;
  }
  window = g_new0 (LxFullscreenWindow, 1);
  window->display = display;
  screen = DefaultScreen (display);
  attributes.override_redirect = True;
  attributes.background_pixel = BlackPixel (display, screen);
  window->width = DisplayWidth (display, screen);
  window->height = DisplayHeight (display, screen);
  window->window = XCreateWindow (
      display, RootWindow (display, screen), 0, 0, (unsigned) DisplayWidth (display, screen),
      (unsigned) DisplayHeight (display, screen), 0, CopyFromParent, InputOutput, CopyFromParent,
      CWOverrideRedirect | CWBackPixel, &attributes);
  XStoreName (display, window->window, "Lianxiao");
  window->blank_cursor = make_blank_cursor (display, window->window);
  XDefineCursor (display, window->window, window->blank_cursor);
  XMapRaised (display, window->window);
  XSync (display, False);
  g_message ("full screen: %dx%d", DisplayWidth (display, screen), DisplayHeight (display, screen));
  return window;
}

void
lx_fullscreen_window_get_size (LxFullscreenWindow *window, gint *width, gint *height)
{
  *width = window->width;
  *height = window->height;
}

void
lx_fullscreen_window_free (LxFullscreenWindow *window)
{
  if (window == NULL)
    return;
  XFreeCursor (window->display, window->blank_cursor);
  XDestroyWindow (window->display, window->window);
  XCloseDisplay (window->display);
  g_free (window);
}

static GstBusSyncReply
hand_over_window (GstBus *bus, GstMessage *message, gpointer data)
{
  LxFullscreenWindow *window = data;

  if (!gst_is_video_overlay_prepare_window_handle_message (message))
    return GST_BUS_PASS;
  /* Asked from a streaming thread: only the window id crosses, our Display stays on ours. */
  gst_video_overlay_set_window_handle (GST_VIDEO_OVERLAY (GST_MESSAGE_SRC (message)),
                                       (guintptr) window->window);
  gst_message_unref (message);
  return GST_BUS_DROP;
}

void
lx_fullscreen_window_attach (LxFullscreenWindow *window, GstElement *pipeline)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  gst_bus_set_sync_handler (bus, hand_over_window, window, NULL);
}
