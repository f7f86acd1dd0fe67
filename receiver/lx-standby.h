/* The standby screen between lessons: the school, and the next lesson's title and start, in
 * Chinese and English, rendered by GStreamer (no desktop needed), on the same screen the lesson
 * uses. */
#pragma once

#include "lx-receiver-config.h"

#include <gst/gst.h>

typedef struct _LxStandby LxStandby;

/* (transfer full) The standby screen, for an X11 full-screen window of @screen_width x
 * @screen_height (0: none; see lx-screen-sink.h). */
LxStandby *lx_standby_new (const LxReceiverConfig *config, gint screen_width, gint screen_height);
void lx_standby_free (LxStandby *standby);

/* Shows @text (its lines centred), starting the screen if it is not showing. */
void lx_standby_show (LxStandby *standby, const char *text);
void lx_standby_hide (LxStandby *standby);
gboolean lx_standby_is_showing (LxStandby *standby);

/* How many frames of the card have been drawn (it shows two a second). */
guint lx_standby_get_frames (LxStandby *standby);

/* (transfer none) What the card says now ("" before it first showed). */
const char *lx_standby_get_text (LxStandby *standby);

/* (transfer none) The pipeline, so a full-screen window can be attached to it. */
GstElement *lx_standby_get_pipeline (LxStandby *standby);

/* (transfer full) The card's text for @school: today's weekday and date (@today, "2026-12-06",
 * local; NULL leaves them out), and the next lesson — "今天 Today", "明天 Tomorrow" or its weekday,
 * and its time — or none. @next_title and @next_start_local ("2026-12-01T10:00:00") may be NULL;
 * @problem, if set, is shown too. */
gchar *lx_standby_compose (const char *school, const char *next_title, const char *next_start_local,
                           const char *problem, const char *today);
