/* A lesson's record beside its attendance (see lx-store.h): the questions its classrooms asked in
 * writing, and its polls with their tally, for the teacher after the lesson and IT staff later. */
#include "lx-store-private.h"

gboolean
lx_store_add_question (LxStore *store, gint64 lesson_id, const char *school, const char *text,
                       gint64 asked, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = lx_store_prepare (
      store,
      "INSERT INTO lesson_questions (lesson_id, school_id, text, asked_utc) VALUES (?, ?, ?, ?)",
      error);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, lesson_id);
  sqlite3_bind_text (statement, 2, school, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 4, asked);
  if (sqlite3_step (statement) != SQLITE_DONE)
    return lx_store_database_error (store, error, "recording a question");
  return TRUE;
}

gboolean
lx_store_save_poll (LxStore *store, gint64 lesson_id, gint64 opened, gint64 number,
                    const char *summary, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      lx_store_prepare (store,
                        "INSERT INTO lesson_polls (lesson_id, opened_utc, poll_number, summary)"
                        " VALUES (?, ?, ?, ?) ON CONFLICT (lesson_id, opened_utc, poll_number)"
                        " DO UPDATE SET summary = excluded.summary",
                        error);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, lesson_id);
  sqlite3_bind_int64 (statement, 2, opened);
  sqlite3_bind_int64 (statement, 3, number);
  sqlite3_bind_text (statement, 4, summary, -1, SQLITE_STATIC);
  if (sqlite3_step (statement) != SQLITE_DONE)
    return lx_store_database_error (store, error, "recording a poll");
  return TRUE;
}

void
lx_question_record_free (LxQuestionRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->school);
  g_free (record->text);
  g_free (record);
}

GPtrArray *
lx_store_list_questions (LxStore *store, gint64 lesson_id, gint64 from, gint64 to, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = lx_store_prepare (
      store,
      "SELECT school_id, text, asked_utc FROM lesson_questions"
      " WHERE lesson_id = ? AND asked_utc >= ? AND asked_utc < ? ORDER BY asked_utc, id",
      error);
  GPtrArray *records;

  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, lesson_id);
  sqlite3_bind_int64 (statement, 2, from);
  sqlite3_bind_int64 (statement, 3, to);
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) lx_question_record_free);
  while (sqlite3_step (statement) == SQLITE_ROW) {
    LxQuestionRecord *record = g_new0 (LxQuestionRecord, 1);
    record->school = g_strdup ((const char *) sqlite3_column_text (statement, 0));
    record->text = g_strdup ((const char *) sqlite3_column_text (statement, 1));
    record->asked = sqlite3_column_int64 (statement, 2);
    g_ptr_array_add (records, record);
  }
  return records;
}

GPtrArray *
lx_store_list_polls (LxStore *store, gint64 lesson_id, gint64 from, gint64 to, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      lx_store_prepare (store,
                        "SELECT summary FROM lesson_polls"
                        " WHERE lesson_id = ? AND opened_utc >= ? AND opened_utc < ? ORDER BY "
                        "opened_utc, poll_number",
                        error);
  GPtrArray *summaries;

  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, lesson_id);
  sqlite3_bind_int64 (statement, 2, from);
  sqlite3_bind_int64 (statement, 3, to);
  summaries = g_ptr_array_new_with_free_func (g_free);
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_ptr_array_add (summaries, g_strdup ((const char *) sqlite3_column_text (statement, 0)));
  return summaries;
}
