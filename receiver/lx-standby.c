/* The standby screen (see lx-standby.h):
 *
 *   videotestsrc (solid dark blue, 2 fps) → textoverlay (CJK font) → videoconvert → sink
 *
 * Two frames a second are plenty for text that changes once a minute, and cost the mini-PC
 * almost nothing between lessons. */
#include "lx-standby.h"

#include <string.h>

struct _LxStandby {
  GstElement *pipeline;
  GstElement *text;
  gboolean showing;
  gint frames; /* cards drawn, atomic */
};

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxStandby *standby = data;
  g_atomic_int_inc (&standby->frames);
  return GST_PAD_PROBE_OK;
}

guint
lx_standby_get_frames (LxStandby *standby)
{
  return (guint) g_atomic_int_get (&standby->frames);
}

LxStandby *
lx_standby_new (const LxReceiverConfig *config)
{
  LxStandby *standby = g_new0 (LxStandby, 1);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *description = g_strdup_printf (
      "videotestsrc is-live=true pattern=solid-color foreground-color=0xff1d3557 ! "
      "video/x-raw,width=1280,height=720,framerate=2/1 ! "
      "textoverlay name=text font-desc=\"WenQuanYi Zen Hei, Noto Sans CJK SC, Sans 20\" "
      "halignment=center valignment=center line-alignment=center ! videoconvert ! %s",
      config->headless ? "fakesink sync=true" : "autovideosink");

  /* Strict: a pipeline the parser only half built (a missing plugin) is no standby screen. */
  standby->pipeline = gst_parse_launch_full (description, NULL, GST_PARSE_FLAG_FATAL_ERRORS,
                                             &error);
  if (standby->pipeline == NULL) {
    g_warning ("standby screen unavailable: %s", error->message);
    return standby;
  }
  standby->text = gst_bin_get_by_name (GST_BIN (standby->pipeline), "text");
  {
    g_autoptr (GstPad) text_src = gst_element_get_static_pad (standby->text, "src");
    gst_pad_add_probe (text_src, GST_PAD_PROBE_TYPE_BUFFER, count_frame, standby, NULL);
  }
  return standby;
}

void
lx_standby_free (LxStandby *standby)
{
  if (standby == NULL)
    return;
  if (standby->pipeline) {
    gst_element_set_state (standby->pipeline, GST_STATE_NULL);
    gst_object_unref (standby->text);
    gst_object_unref (standby->pipeline);
  }
  g_free (standby);
}

void
lx_standby_show (LxStandby *standby, const char *text)
{
  if (standby->pipeline == NULL)
    return;
  g_object_set (standby->text, "text", text, NULL);
  if (!standby->showing) {
    gst_element_set_state (standby->pipeline, GST_STATE_PLAYING);
    standby->showing = TRUE;
  }
}

void
lx_standby_hide (LxStandby *standby)
{
  if (standby->pipeline == NULL || !standby->showing)
    return;
  gst_element_set_state (standby->pipeline, GST_STATE_NULL);
  standby->showing = FALSE;
}

gboolean
lx_standby_is_showing (LxStandby *standby)
{
  return standby->showing;
}

GstElement *
lx_standby_get_pipeline (LxStandby *standby)
{
  return standby->pipeline;
}

gchar *
lx_standby_compose (const char *school, const char *next_title, const char *next_start_local,
                    const char *problem)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "%s\n\n", school);
  if (next_title && next_start_local && strlen (next_start_local) >= 16) {
    /* "2026-12-01T10:00:00" → "2026-12-01  10:00": read alike in Chinese and English. */
    g_autofree gchar *date = g_strndup (next_start_local, 10);
    g_autofree gchar *time = g_strndup (next_start_local + 11, 5);
    g_string_append_printf (text, "下一节课 · Next lesson\n\n%s\n%s  %s", next_title, date, time);
  } else {
    g_string_append (text, "现在没有课 · No lesson scheduled");
  }
  if (problem)
    g_string_append_printf (text, "\n\n(%s)", problem);
  return g_string_free (text, FALSE);
}
