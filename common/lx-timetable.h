/* A school's timetable, for programs that run unattended (a classroom's receiver, a master
 * school's sender): fetched from the signaling server's REST API with the school's own token
 * (GET /api/v1/schools/ID/timetable), again every half minute, so a lesson booked or cancelled
 * today is followed without anyone at the machine. */
#pragma once

#include "lx-protocol.h"
#include "lx-settings.h"

typedef struct {
  gchar *lesson; /* the id to join with */
  gchar *title;
  gchar *start_local;   /* "2026-12-01T10:00:00", the lesson's own time */
  gchar *time_zone;     /* the lesson's, e.g. "Asia/Shanghai" */
  gint64 start, end;    /* UTC seconds */
  GStrv receivers;      /* the classrooms booked (told to the sender only; else empty) ... */
  GStrv receiver_names; /* ... and their names, in the same order */
} LxOccurrence;

typedef struct _LxTimetable LxTimetable;

/* Who a classroom calls when its school id or token is wrong (the browser classroom says the
 * same). */
#define LX_CALL_IT_STAFF                                                                           \
  "请联系县电教站（管理员）发新令牌 · call your county IT staff for a new token"

/* (transfer full) Starts fetching the lessons in which @connection's school takes @role, from the
 * server of @connection's WebSocket URL (ws://HOST:PORT/ws → http://HOST:PORT/api/v1/). */
LxTimetable *lx_timetable_new (const LxConnectionSettings *connection, LxRole role);
void lx_timetable_free (LxTimetable *timetable);

/* (transfer none) The occurrence under way at @now (UTC seconds), or NULL. */
const LxOccurrence *lx_timetable_current (LxTimetable *timetable, gint64 now);
/* (transfer none) The next occurrence starting after @now, or NULL. */
const LxOccurrence *lx_timetable_next (LxTimetable *timetable, gint64 now);

/* The occurrences known, and the @index-th of them (transfer none; NULL past the end). */
guint lx_timetable_count (LxTimetable *timetable);
const LxOccurrence *lx_timetable_get (LxTimetable *timetable, guint index);

/* (transfer none) The school's name, once the server has answered, else NULL. */
const char *lx_timetable_get_school_name (LxTimetable *timetable);
/* (transfer none) Why the last fetch failed, or NULL after a successful one. */
const char *lx_timetable_get_problem (LxTimetable *timetable);
