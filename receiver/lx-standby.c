/* The standby screen (see lx-standby.h):
 *
 *   videotestsrc (solid dark blue, 2 fps) → clockoverlay (the time, top) → textoverlay (CJK font)
 *     → videoconvert → sink
 *
 * Read from the back row of a classroom on a 1080p TV: large text (a fifth larger than it was), the
 * clock above it; the TV scales the 720p card up.
 * Two frames a second are plenty for text that changes once a minute, and cost the mini-PC
 * almost nothing between lessons. */
#include "lx-standby.h"
#include "lx-packet-probe.h"

#include "lx-screen-sink.h"

#include <stdio.h>
#include <string.h>

struct _LxStandby {
  GstElement *pipeline;
  GstElement *text;
  gboolean showing;
  gchar *card_text; /* what the card says (for the statistics, and tests) */
  gint frames;      /* cards drawn, atomic */
};

guint
lx_standby_get_frames (LxStandby *standby)
{
  return (guint) g_atomic_int_get (&standby->frames);
}

LxStandby *
lx_standby_new (const LxReceiverConfig *config, gint screen_width, gint screen_height)
{
  LxStandby *standby = g_new0 (LxStandby, 1);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *sink = config->headless
                               ? g_strdup ("fakesink sync=true")
                               : lx_screen_sink_description (screen_width, screen_height, TRUE);
  g_autofree gchar *description = g_strdup_printf (
      "videotestsrc is-live=true pattern=solid-color foreground-color=0xff1d3557 ! "
      "video/x-raw,width=1280,height=720,framerate=2/1 ! "
      "clockoverlay time-format=%%H:%%M font-desc=\"Sans Bold 36\" halignment=center "
      "valignment=top ypad=16 color=0xffe9c46a shaded-background=false ! "
      "textoverlay name=text font-desc=\"WenQuanYi Zen Hei, Noto Sans CJK SC, Sans 24\" "
      "halignment=center valignment=bottom ypad=16 line-alignment=center ! videoconvert ! %s",
      sink);

  /* Strict: a pipeline the parser only half built (a missing plugin) is no standby screen. */
  standby->pipeline =
      gst_parse_launch_full (description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
  if (standby->pipeline == NULL) {
    g_warning ("standby screen unavailable: %s", error->message);
    return standby;
  }
  standby->text = gst_bin_get_by_name (GST_BIN (standby->pipeline), "text");
  {
    g_autoptr (GstPad) text_src = gst_element_get_static_pad (standby->text, "src");
    lx_buffer_counter_add (text_src, &standby->frames);
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
  g_free (standby->card_text);
  g_free (standby);
}

void
lx_standby_show (LxStandby *standby, const char *text)
{
  g_autofree gchar *plain = NULL;

  g_free (standby->card_text);
  standby->card_text = g_strdup (text);
  if (standby->pipeline == NULL)
    return;
  /* textoverlay reads Pango markup: a school named "A&B" would otherwise show nothing. */
  plain = g_markup_escape_text (text, -1);
  g_object_set (standby->text, "text", plain, NULL);
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

const char *
lx_standby_get_text (LxStandby *standby)
{
  return standby->card_text ? standby->card_text : "";
}

GstElement *
lx_standby_get_pipeline (LxStandby *standby)
{
  return standby->pipeline;
}

static const char *const weekdays[] = { "星期一 Monday",   "星期二 Tuesday", "星期三 Wednesday",
                                        "星期四 Thursday", "星期五 Friday",  "星期六 Saturday",
                                        "星期日 Sunday" };

/* (transfer full) NULL for a date that is not "YYYY-MM-DD". */
static GDateTime *
parse_day (const char *text)
{
  gint year, month, day;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d", &year, &month, &day) != 3)
    return NULL;
  return g_date_time_new_utc (year, month, day, 0, 0, 0);
}

gchar *
lx_standby_compose (const char *school, const char *next_title, const char *next_start_local,
                    const char *problem, const char *today)
{
  GString *text = g_string_new (NULL);
  g_autoptr (GDateTime) day = parse_day (today);

  if (day)
    g_string_append_printf (text, "%s · %s\n", weekdays[g_date_time_get_day_of_week (day) - 1],
                            today);
  g_string_append_printf (text, "%s\n\n", school);
  if (next_title && next_start_local && strlen (next_start_local) >= 16) {
    /* "今天 Today  10:00", "明天 Tomorrow  10:00", or "星期三 Wednesday 12-09  10:00". */
    g_autofree gchar *date = g_strndup (next_start_local, 10);
    g_autofree gchar *time = g_strndup (next_start_local + 11, 5);
    g_autoptr (GDateTime) next_day = parse_day (date);
    g_autofree gchar *when = NULL;
    gint days =
        day && next_day ? (gint) (g_date_time_difference (next_day, day) / G_TIME_SPAN_DAY) : -1;
    if (days == 0)
      when = g_strdup ("今天 Today");
    else if (days == 1)
      when = g_strdup ("明天 Tomorrow");
    else if (next_day)
      when =
          g_strdup_printf ("%s %s", weekdays[g_date_time_get_day_of_week (next_day) - 1], date + 5);
    else
      when = g_strdup (date);
    g_string_append_printf (text, "下一节课 · Next lesson\n%s\n%s  %s", next_title, when, time);
  } else if (problem == NULL) {
    g_string_append (text, "最近没有课 · No lesson scheduled");
  }
  /* A timetable that could not be read says nothing about lessons: the problem alone, then. */
  if (problem)
    g_string_append_printf (text, next_title ? "\n(%s)" : "%s", problem);
  return g_string_free (text, FALSE);
}
