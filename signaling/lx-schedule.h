/* The timetable's rules, as plain computations: a lesson's occurrences (one-off or weekly) and
 * whether two lessons clash. Times are UTC seconds; weekly repeats follow the lesson's own time
 * zone, so a lesson stays at 10:00 local time across a daylight-saving change. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A weekly lesson may repeat for at most this many weeks (a school year). */
#define LX_SCHEDULE_MAX_WEEKS 53

typedef struct {
  gint64 id;
  gchar *title;
  gchar *teacher;
  gchar *sender;     /* the master school's id */
  gchar **receivers; /* the classrooms' school ids, NULL-terminated */
  gint64 start;      /* first occurrence, UTC seconds */
  gint64 end;
  gchar *time_zone;    /* IANA name, e.g. "Asia/Shanghai" */
  gint64 repeat_until; /* UTC seconds: weekly until this moment (inclusive); 0: once */
} LxLessonRecord;

void lx_lesson_record_clear (LxLessonRecord *lesson);
void lx_lesson_record_free (LxLessonRecord *lesson);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxLessonRecord, lx_lesson_record_free)

/* Calls @func for each occurrence's start and end (UTC seconds), in order, until it returns FALSE
 * or the occurrences end. */
typedef gboolean (*LxOccurrenceFunc) (gint64 start, gint64 end, gpointer data);
void lx_schedule_foreach_occurrence (const LxLessonRecord *lesson, LxOccurrenceFunc func,
                                     gpointer data);

/* TRUE if @a and @b share a school (sending or receiving) and an occurrence of one overlaps an
 * occurrence of the other; @when receives the start of the first clash. */
gboolean lx_schedule_clash (const LxLessonRecord *a, const LxLessonRecord *b, gint64 *when);

/* TRUE if some occurrence of @lesson overlaps [@from, @to). */
gboolean lx_schedule_occurs_between (const LxLessonRecord *lesson, gint64 from, gint64 to);

G_END_DECLS
