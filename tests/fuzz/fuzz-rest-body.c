/* libFuzzer target: the REST API's request bodies from untrusted bytes (lx-api-bodies.c), as a
 * school, as a lesson and as a floor action. Every refusal is a clear LX_API_ERROR; nothing else may happen. */
#include "lx-api-bodies.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_refusal (const GError *error)
{
  g_assert (error != NULL && error->domain == LX_API_ERROR && error->message != NULL &&
            g_utf8_validate (error->message, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  LxSchoolRecord school = { 0 };
  LxLessonRecord lesson = { 0 };
  g_autoptr (GError) school_error = NULL;
  g_autoptr (GError) lesson_error = NULL;
  const char *field = NULL;

  if (!lx_api_read_school ((const char *) data, size, &school, &field, &school_error))
    check_refusal (school_error);
  g_free (school.id);
  g_free (school.name);
  g_free (school.county);

  if (lx_api_read_lesson ((const char *) data, size, &lesson, &field, &lesson_error))
    g_assert (lesson.receivers != NULL && lesson.time_zone != NULL);
  else
    check_refusal (lesson_error);
  lx_lesson_record_clear (&lesson);

  {
    g_autoptr (GError) floor_error = NULL;
    g_autofree gchar *school_id = NULL;
    gboolean call_on = FALSE;
    if (lx_api_read_floor_action ((const char *) data, size, &call_on, &school_id, &field,
                                  &floor_error))
      g_assert (school_id != NULL && *school_id != '\0');
    else
      check_refusal (floor_error);
  }
  return 0;
}
