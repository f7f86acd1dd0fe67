/* Occurrences and clashes of lessons (see lx-schedule.h). */
#include "lx-schedule.h"

void
lx_lesson_record_clear (LxLessonRecord *lesson)
{
  g_clear_pointer (&lesson->title, g_free);
  g_clear_pointer (&lesson->teacher, g_free);
  g_clear_pointer (&lesson->sender, g_free);
  g_clear_pointer (&lesson->receivers, g_strfreev);
  g_clear_pointer (&lesson->time_zone, g_free);
}

void
lx_lesson_record_free (LxLessonRecord *lesson)
{
  if (lesson == NULL)
    return;
  lx_lesson_record_clear (lesson);
  g_free (lesson);
}

void
lx_schedule_foreach_occurrence (const LxLessonRecord *lesson, LxOccurrenceFunc func, gpointer data)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (lesson->time_zone);
  g_autoptr (GDateTime) first = NULL;
  gint64 duration = lesson->end - lesson->start;

  if (zone == NULL)
    zone = g_time_zone_new_utc ();
  first = g_date_time_new_from_unix_utc (lesson->start);
  {
    g_autoptr (GDateTime) local = g_date_time_to_timezone (first, zone);
    for (gint week = 0; week < LX_SCHEDULE_MAX_WEEKS; week++) {
      g_autoptr (GDateTime) occurrence = g_date_time_add_weeks (local, week);
      gint64 start = g_date_time_to_unix (occurrence);
      if (week > 0 && (lesson->repeat_until == 0 || start > lesson->repeat_until))
        return;
      if (!func (start, start + duration, data))
        return;
    }
  }
}

static gboolean
share_a_school (const LxLessonRecord *a, const LxLessonRecord *b)
{
  if (g_strcmp0 (a->sender, b->sender) == 0)
    return TRUE;
  for (guint i = 0; a->receivers && a->receivers[i]; i++) {
    if (g_strcmp0 (a->receivers[i], b->sender) == 0 ||
        (b->receivers && g_strv_contains ((const char *const *) b->receivers, a->receivers[i])))
      return TRUE;
  }
  return b->receivers && g_strv_contains ((const char *const *) b->receivers, a->sender);
}

typedef struct {
  const LxLessonRecord *other;
  gint64 from, to; /* the interval looked at */
  gboolean found;
  gint64 when;
} Search;

static gboolean
overlaps_interval (gint64 start, gint64 end, gpointer data)
{
  Search *search = data;

  if (start >= search->to)
    return FALSE; /* occurrences only get later */
  if (end > search->from) {
    search->found = TRUE;
    search->when = MAX (start, search->from);
    return FALSE;
  }
  return TRUE;
}

gboolean
lx_schedule_occurs_between (const LxLessonRecord *lesson, gint64 from, gint64 to)
{
  Search search = { NULL, from, to, FALSE, 0 };

  lx_schedule_foreach_occurrence (lesson, overlaps_interval, &search);
  return search.found;
}

static gboolean
clashes_with_other (gint64 start, gint64 end, gpointer data)
{
  Search *search = data;
  Search inner = { NULL, start, end, FALSE, 0 };

  lx_schedule_foreach_occurrence (search->other, overlaps_interval, &inner);
  if (inner.found) {
    search->found = TRUE;
    search->when = inner.when;
    return FALSE;
  }
  return TRUE;
}

gboolean
lx_schedule_clash (const LxLessonRecord *a, const LxLessonRecord *b, gint64 *when)
{
  Search search = { b, 0, 0, FALSE, 0 };

  if (!share_a_school (a, b))
    return FALSE;
  lx_schedule_foreach_occurrence (a, clashes_with_other, &search);
  if (search.found && when)
    *when = search.when;
  return search.found;
}
