/* The SQLite store (see lx-store.h). All statements run on the server's main thread; SQLite is
 * fast enough on a local file that a timetable's writes never hold the main loop noticeably. */
#include "lx-store-private.h"

#include "lx-field-labels.h"

#include "lx-secret.h"

#include "lx-protocol.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (lx - store - error - quark, lx_store_error)

#define MAX_TITLE_LENGTH 200
#define MAX_NAME_LENGTH 100
#define MAX_LESSON_SECONDS (12 * 3600)

/* Each entry upgrades the schema from version N to N + 1; never edit one that has shipped. */
static const char *const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE schools ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  county TEXT NOT NULL DEFAULT '',"
  "  token_salt TEXT NOT NULL,"
  "  token_hash TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL);"
  "CREATE TABLE lessons ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  title TEXT NOT NULL,"
  "  teacher TEXT NOT NULL DEFAULT '',"
  "  sender TEXT NOT NULL REFERENCES schools (id),"
  "  start_utc INTEGER NOT NULL,"
  "  end_utc INTEGER NOT NULL,"
  "  time_zone TEXT NOT NULL,"
  "  repeat_until_utc INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE lesson_receivers ("
  "  lesson_id INTEGER NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,"
  "  school_id TEXT NOT NULL REFERENCES schools (id),"
  "  PRIMARY KEY (lesson_id, school_id));"
  "CREATE TABLE attendance ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  lesson_id INTEGER NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,"
  "  school_id TEXT NOT NULL REFERENCES schools (id),"
  "  joined_utc INTEGER NOT NULL,"
  "  left_utc INTEGER NOT NULL,"
  "  frames_decoded INTEGER,"
  "  packets_lost INTEGER,"
  "  mean_kbps INTEGER);"
  "CREATE INDEX lessons_by_start ON lessons (start_utc);",
  /* 1 → 2: what the status board says of a school that is not there */
  "ALTER TABLE schools ADD COLUMN last_seen_utc INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE schools ADD COLUMN last_left TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE schools ADD COLUMN refusal TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE schools ADD COLUMN refusal_message TEXT NOT NULL DEFAULT '';"
  "ALTER TABLE schools ADD COLUMN refusal_utc INTEGER NOT NULL DEFAULT 0;",
  /* 2 → 3: the lesson's record beside its attendance: questions asked, polls and their tally */
  "CREATE TABLE lesson_questions ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  lesson_id INTEGER NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,"
  "  school_id TEXT NOT NULL,"
  "  text TEXT NOT NULL,"
  "  asked_utc INTEGER NOT NULL);"
  "CREATE TABLE lesson_polls ("
  "  lesson_id INTEGER NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,"
  "  opened_utc INTEGER NOT NULL,"
  "  poll_number INTEGER NOT NULL,"
  "  summary TEXT NOT NULL,"
  "  PRIMARY KEY (lesson_id, opened_utc, poll_number));",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == LX_STORE_SCHEMA_VERSION);

void
lx_school_record_free (LxSchoolRecord *school)
{
  if (school == NULL)
    return;
  g_free (school->id);
  g_free (school->name);
  g_free (school->county);
  g_free (school->last_left);
  g_free (school->refusal);
  g_free (school->refusal_message);
  g_free (school);
}

gboolean
lx_store_database_error (LxStore *store, GError **error, const char *doing)
{
  g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_DATABASE, "%s: %s: %s", store->path, doing,
               sqlite3_errmsg (store->db));
  return FALSE;
}

static gboolean
execute (LxStore *store, const char *sql, GError **error)
{
  char *message = NULL;

  if (sqlite3_exec (store->db, sql, NULL, NULL, &message) != SQLITE_OK) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_DATABASE, "%s: %s", store->path, message);
    sqlite3_free (message);
    return FALSE;
  }
  return TRUE;
}

/* (transfer full) A prepared statement, or NULL with @error. */
sqlite3_stmt *
lx_store_prepare (LxStore *store, const char *sql, GError **error)
{
  sqlite3_stmt *statement = NULL;

  if (sqlite3_prepare_v2 (store->db, sql, -1, &statement, NULL) != SQLITE_OK) {
    lx_store_database_error (store, error, "preparing a statement");
    return NULL;
  }
  return statement;
}

gint
lx_store_get_schema_version (LxStore *store)
{
  g_autoptr (sqlite3_stmt) statement = lx_store_prepare (store, "PRAGMA user_version", NULL);
  return statement && sqlite3_step (statement) == SQLITE_ROW ? sqlite3_column_int (statement, 0)
                                                             : -1;
}

static gboolean
migrate (LxStore *store, GError **error)
{
  gint version = lx_store_get_schema_version (store);

  if (version > LX_STORE_SCHEMA_VERSION) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_DATABASE,
                 "%s: written by a newer Lianxiao (schema %d; this one knows up to %d)",
                 store->path, version, LX_STORE_SCHEMA_VERSION);
    return FALSE;
  }
  for (; version < LX_STORE_SCHEMA_VERSION; version++) {
    g_autofree gchar *set_version = g_strdup_printf ("PRAGMA user_version = %d;", version + 1);
    /* Each step in its own transaction: a crash leaves the file at a whole version. */
    if (!execute (store, "BEGIN IMMEDIATE;", error))
      return FALSE;
    if (!execute (store, migrations[version], error) || !execute (store, set_version, error)) {
      execute (store, "ROLLBACK;", NULL);
      g_prefix_error (error, "upgrading the schema to version %d: ", version + 1);
      return FALSE;
    }
    if (!execute (store, "COMMIT;", error))
      return FALSE;
    g_message ("database %s: schema upgraded to version %d", store->path, version + 1);
  }
  return TRUE;
}

LxStore *
lx_store_open (const char *path, GError **error)
{
  g_autoptr (LxStore) store = g_new0 (LxStore, 1);

  store->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    lx_store_database_error (store, error, "opening");
    return NULL;
  }
  sqlite3_busy_timeout (store->db, 2000);
  if (!execute (store, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;", error) ||
      !migrate (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

void
lx_store_close (LxStore *store)
{
  if (store == NULL)
    return;
  sqlite3_close (store->db);
  g_free (store->path);
  g_free (store);
}

/* ---- Schools ---- */

static gboolean invalid (GError **error, const char *field, const char *chinese, const char *format,
                         ...) G_GNUC_PRINTF (4, 5);

/* "结束时间：要晚于开始时间 · field 'end': must be after 'start'": Chinese first, for the people
 * at the pages and lianxiao-ctl; the English names the field for programs (lx-api.c reads it). */
static gboolean
invalid (GError **error, const char *field, const char *chinese, const char *format, ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_INVALID, "%s：%s · field '%s': %s",
               lx_field_label (field), chinese, field, text);
  return FALSE;
}

static gboolean
check_text (const char *text, const char *field, gsize max_length, gboolean required,
            GError **error)
{
  if (text == NULL || *text == '\0')
    return required ? invalid (error, field, "不能为空", "must not be empty") : TRUE;
  if (!g_utf8_validate (text, -1, NULL))
    return invalid (error, field, "文字编码不对（要 UTF-8）", "must be UTF-8");
  if (g_utf8_strlen (text, -1) > (glong) max_length)
    return invalid (error, field, "太长了", "must be at most %" G_GSIZE_FORMAT " characters",
                    max_length);
  return TRUE;
}

/* (transfer full) A new token, and in @salt and @hash (transfer full) all that is stored of it. */
static gchar *
new_secret (gchar **salt, gchar **hash)
{
  gchar *token = lx_secret_new_token ();

  *salt = lx_secret_new_salt ();
  *hash = lx_secret_hash (*salt, token);
  return token;
}

gboolean
lx_store_renew_school_token (LxStore *store, const char *id, gchar **token, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = NULL;
  g_autofree gchar *salt = NULL;
  g_autofree gchar *hash = NULL;
  g_autofree gchar *new_token = new_secret (&salt, &hash);

  statement = lx_store_prepare (
      store, "UPDATE schools SET token_salt = ?, token_hash = ? WHERE id = ?", error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, salt, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, hash, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, id, -1, SQLITE_STATIC);
  if (sqlite3_step (statement) != SQLITE_DONE)
    return lx_store_database_error (store, error, "renewing a token");
  if (sqlite3_changes (store->db) == 0) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_NOT_FOUND,
                 "没有编号为 %s 的学校 · no school '%s'", id, id);
    return FALSE;
  }
  *token = g_steal_pointer (&new_token);
  return TRUE;
}

gboolean
lx_store_add_school (LxStore *store, const LxSchoolRecord *school, gchar **token, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = NULL;
  g_autofree gchar *new_token = NULL;
  g_autofree gchar *salt = NULL;
  g_autofree gchar *hash = NULL;
  int status;

  if (!lx_protocol_id_is_valid (school->id))
    return invalid (error, "id", "只能用英文字母、数字和 _ . -（例如 xinzhuang）",
                    "must be 1-%d characters of A-Z a-z 0-9 _ . -", LX_PROTOCOL_MAX_ID_LENGTH);
  if (!check_text (school->name, "name", MAX_NAME_LENGTH, TRUE, error) ||
      !check_text (school->county, "county", MAX_NAME_LENGTH, FALSE, error))
    return FALSE;

  new_token = new_secret (&salt, &hash);
  statement =
      lx_store_prepare (store,
                        "INSERT INTO schools (id, name, county, token_salt, token_hash, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, school->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, school->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, school->county ? school->county : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 4, salt, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 5, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 6, g_get_real_time () / G_USEC_PER_SEC);
  status = sqlite3_step (statement);
  if (status == SQLITE_CONSTRAINT) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_CONFLICT,
                 "编号 %s 已经有学校用了 · school '%s' already exists", school->id, school->id);
    return FALSE;
  }
  if (status != SQLITE_DONE)
    return lx_store_database_error (store, error, "adding a school");
  if (token)
    *token = g_steal_pointer (&new_token);
  return TRUE;
}

#define SCHOOL_COLUMNS                                                                             \
  "id, name, county, created_at, last_seen_utc, last_left, refusal, refusal_message, refusal_utc"

static LxSchoolRecord *
read_school (sqlite3_stmt *statement)
{
  LxSchoolRecord *school = g_new0 (LxSchoolRecord, 1);

  school->id = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  school->name = g_strdup ((const char *) sqlite3_column_text (statement, 1));
  school->county = g_strdup ((const char *) sqlite3_column_text (statement, 2));
  school->created_at = sqlite3_column_int64 (statement, 3);
  school->last_seen = sqlite3_column_int64 (statement, 4);
  school->last_left = g_strdup ((const char *) sqlite3_column_text (statement, 5));
  school->refusal = g_strdup ((const char *) sqlite3_column_text (statement, 6));
  school->refusal_message = g_strdup ((const char *) sqlite3_column_text (statement, 7));
  school->refusal_at = sqlite3_column_int64 (statement, 8);
  return school;
}

LxSchoolRecord *
lx_store_get_school (LxStore *store, const char *id, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      lx_store_prepare (store, "SELECT " SCHOOL_COLUMNS " FROM schools WHERE id = ?", error);

  if (statement == NULL)
    return NULL;
  sqlite3_bind_text (statement, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (statement) != SQLITE_ROW) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_NOT_FOUND,
                 "没有编号为 %s 的学校 · no school '%s'", id, id);
    return NULL;
  }
  return read_school (statement);
}

GPtrArray *
lx_store_list_schools (LxStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      lx_store_prepare (store, "SELECT " SCHOOL_COLUMNS " FROM schools ORDER BY id", error);
  GPtrArray *schools;

  if (statement == NULL)
    return NULL;
  schools = g_ptr_array_new_with_free_func ((GDestroyNotify) lx_school_record_free);
  while (sqlite3_step (statement) == SQLITE_ROW)
    g_ptr_array_add (schools, read_school (statement));
  return schools;
}

gboolean
lx_store_update_school (LxStore *store, const LxSchoolRecord *school, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = NULL;

  if (!check_text (school->name, "name", MAX_NAME_LENGTH, TRUE, error) ||
      !check_text (school->county, "county", MAX_NAME_LENGTH, FALSE, error))
    return FALSE;
  statement =
      lx_store_prepare (store, "UPDATE schools SET name = ?, county = ? WHERE id = ?", error);
  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, school->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, school->county ? school->county : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, school->id, -1, SQLITE_STATIC);
  if (sqlite3_step (statement) != SQLITE_DONE)
    return lx_store_database_error (store, error, "updating a school");
  if (sqlite3_changes (store->db) == 0) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_NOT_FOUND,
                 "没有编号为 %s 的学校 · no school '%s'", school->id, school->id);
    return FALSE;
  }
  return TRUE;
}

/* (transfer full) "新庄小学 (xinzhuang)", or the id alone for a school not stored. */
static gchar *
school_label (LxStore *store, const char *id)
{
  g_autoptr (LxSchoolRecord) school = lx_store_get_school (store, id, NULL);
  return school ? g_strdup_printf ("%s (%s)", school->name, id) : g_strdup (id);
}

gboolean
lx_store_delete_school (LxStore *store, const char *id, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      lx_store_prepare (store, "DELETE FROM schools WHERE id = ?", error);
  int status;

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, id, -1, SQLITE_STATIC);
  status = sqlite3_step (statement);
  if (status == SQLITE_CONSTRAINT) {
    g_autoptr (GPtrArray) lessons = lx_store_list_lessons (store, 0, 0, id, NULL);
    g_autoptr (GString) chinese = g_string_new ("");
    g_autoptr (GString) english = g_string_new ("");
    g_autofree gchar *label = school_label (store, id);
    for (guint i = 0; lessons && i < lessons->len; i++) {
      const LxLessonRecord *lesson = lessons->pdata[i];
      g_string_append_printf (chinese, "%s第 %" G_GINT64_FORMAT " 课「%s」", i ? "、" : "",
                              lesson->id, lesson->title);
      g_string_append_printf (english, "%s%" G_GINT64_FORMAT " '%s'", i ? ", " : "", lesson->id,
                              lesson->title);
    }
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_CONFLICT,
                 "%s 还排在课表里：%s，请先删除或修改这些课 · school '%s' is booked into "
                 "lessons %s; delete or change those first",
                 label, chinese->str, id, english->str);
    return FALSE;
  }
  if (status != SQLITE_DONE)
    return lx_store_database_error (store, error, "deleting a school");
  if (sqlite3_changes (store->db) == 0) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_NOT_FOUND,
                 "没有编号为 %s 的学校 · no school '%s'", id, id);
    return FALSE;
  }
  return TRUE;
}

gboolean
lx_store_note_school_seen (LxStore *store, const char *id, gint64 when, const char *left_how,
                           GError **error)
{
  /* Once in, an earlier refusal no longer explains anything. */
  g_autoptr (sqlite3_stmt) statement = lx_store_prepare (
      store,
      left_how ? "UPDATE schools SET last_seen_utc = ?, last_left = ? WHERE id = ?"
               : "UPDATE schools SET last_seen_utc = ?, last_left = ?, refusal = '', "
                 "refusal_message = '', refusal_utc = 0 WHERE id = ?",
      error);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, when);
  sqlite3_bind_text (statement, 2, left_how ? left_how : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 3, id, -1, SQLITE_STATIC);
  return sqlite3_step (statement) == SQLITE_DONE ||
         lx_store_database_error (store, error, "noting a visit");
}

gboolean
lx_store_note_school_refused (LxStore *store, const char *id, const char *code, const char *message,
                              gint64 when, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = lx_store_prepare (
      store, "UPDATE schools SET refusal = ?, refusal_message = ?, refusal_utc = ? WHERE id = ?",
      error);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_text (statement, 2, message, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 3, when);
  sqlite3_bind_text (statement, 4, id, -1, SQLITE_STATIC);
  return sqlite3_step (statement) == SQLITE_DONE ||
         lx_store_database_error (store, error, "noting a refusal");
}

gboolean
lx_store_check_school_token (LxStore *store, const char *id, const char *token)
{
  g_autoptr (sqlite3_stmt) statement =
      lx_store_prepare (store, "SELECT token_salt, token_hash FROM schools WHERE id = ?", NULL);
  g_autofree gchar *hash = NULL;

  if (statement == NULL || token == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (statement) != SQLITE_ROW)
    return FALSE;
  hash = lx_secret_hash ((const char *) sqlite3_column_text (statement, 0), token);
  return lx_secret_equal (hash, (const char *) sqlite3_column_text (statement, 1));
}

/* ---- Lessons ---- */

static gboolean
school_exists (LxStore *store, const char *id)
{
  g_autoptr (LxSchoolRecord) school = lx_store_get_school (store, id, NULL);
  return school != NULL;
}

static gboolean
validate_lesson (LxStore *store, const LxLessonRecord *lesson, GError **error)
{
  g_autoptr (GTimeZone) zone = NULL;

  if (!check_text (lesson->title, "title", MAX_TITLE_LENGTH, TRUE, error) ||
      !check_text (lesson->teacher, "teacher", MAX_NAME_LENGTH, FALSE, error))
    return FALSE;
  if (lesson->time_zone == NULL || (zone = g_time_zone_new_identifier (lesson->time_zone)) == NULL)
    return invalid (error, "time_zone", "不认识这个时区（中国用 Asia/Shanghai）",
                    "'%s' is not a known time zone", lesson->time_zone ? lesson->time_zone : "");
  if (lesson->end <= lesson->start)
    return invalid (error, "end", "要晚于开始时间", "must be after 'start'");
  if (lesson->end - lesson->start > MAX_LESSON_SECONDS)
    return invalid (error, "end", "一节课最长 12 小时", "a lesson lasts at most %d hours",
                    MAX_LESSON_SECONDS / 3600);
  if (lesson->repeat_until != 0 &&
      (lesson->repeat_until < lesson->start ||
       lesson->repeat_until > lesson->start + (gint64) LX_SCHEDULE_MAX_WEEKS * 7 * 24 * 3600))
    return invalid (error, "weekly_until", "要在开始日期之后、一年之内",
                    "must be after 'start' and within %d weeks of it", LX_SCHEDULE_MAX_WEEKS);
  if (lesson->sender == NULL || !school_exists (store, lesson->sender))
    return invalid (error, "sender", "没有这所学校，请先登记", "no school '%s'",
                    lesson->sender ? lesson->sender : "");
  if (lesson->receivers == NULL || lesson->receivers[0] == NULL)
    return invalid (error, "receivers", "至少选一个听课教室", "must name at least one classroom");
  for (guint i = 0; lesson->receivers[i]; i++) {
    if (!school_exists (store, lesson->receivers[i]))
      return invalid (error, "receivers", "没有这所学校，请先登记", "no school '%s'",
                      lesson->receivers[i]);
    if (g_str_equal (lesson->receivers[i], lesson->sender))
      return invalid (error, "receivers", "主讲学校不能同时是听课教室",
                      "'%s' is the sending school", lesson->sender);
    for (guint j = 0; j < i; j++)
      if (g_str_equal (lesson->receivers[i], lesson->receivers[j]))
        return invalid (error, "receivers", "同一个学校选了两次", "'%s' is named twice",
                        lesson->receivers[i]);
  }
  return TRUE;
}

static gchar **
read_receivers (LxStore *store, gint64 lesson_id)
{
  g_autoptr (sqlite3_stmt) statement = lx_store_prepare (
      store, "SELECT school_id FROM lesson_receivers WHERE lesson_id = ? ORDER BY school_id", NULL);
  GPtrArray *receivers = g_ptr_array_new ();

  if (statement) {
    sqlite3_bind_int64 (statement, 1, lesson_id);
    while (sqlite3_step (statement) == SQLITE_ROW)
      g_ptr_array_add (receivers, g_strdup ((const char *) sqlite3_column_text (statement, 0)));
  }
  g_ptr_array_add (receivers, NULL);
  return (gchar **) g_ptr_array_free (receivers, FALSE);
}

#define LESSON_COLUMNS "id, title, teacher, sender, start_utc, end_utc, time_zone, repeat_until_utc"

static LxLessonRecord *
read_lesson (LxStore *store, sqlite3_stmt *statement)
{
  LxLessonRecord *lesson = g_new0 (LxLessonRecord, 1);

  lesson->id = sqlite3_column_int64 (statement, 0);
  lesson->title = g_strdup ((const char *) sqlite3_column_text (statement, 1));
  lesson->teacher = g_strdup ((const char *) sqlite3_column_text (statement, 2));
  lesson->sender = g_strdup ((const char *) sqlite3_column_text (statement, 3));
  lesson->start = sqlite3_column_int64 (statement, 4);
  lesson->end = sqlite3_column_int64 (statement, 5);
  lesson->time_zone = g_strdup ((const char *) sqlite3_column_text (statement, 6));
  lesson->repeat_until = sqlite3_column_int64 (statement, 7);
  lesson->receivers = read_receivers (store, lesson->id);
  return lesson;
}

GPtrArray *
lx_store_list_lessons (LxStore *store, gint64 from, gint64 to, const char *school, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = lx_store_prepare (
      store, "SELECT " LESSON_COLUMNS " FROM lessons ORDER BY start_utc, id", error);
  GPtrArray *lessons;

  if (statement == NULL)
    return NULL;
  lessons = g_ptr_array_new_with_free_func ((GDestroyNotify) lx_lesson_record_free);
  while (sqlite3_step (statement) == SQLITE_ROW) {
    LxLessonRecord *lesson = read_lesson (store, statement);
    gboolean wanted = TRUE;
    /* Recurrences make the time filter a computation, not a WHERE clause; a timetable holds
     * hundreds of lessons, not millions. */
    if (from != 0 || to != 0)
      wanted = lx_schedule_occurs_between (lesson, from, to);
    if (wanted && school != NULL)
      wanted = g_str_equal (lesson->sender, school) ||
               g_strv_contains ((const char *const *) lesson->receivers, school);
    if (wanted)
      g_ptr_array_add (lessons, lesson);
    else
      lx_lesson_record_free (lesson);
  }
  return lessons;
}

LxLessonRecord *
lx_store_get_lesson (LxStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      lx_store_prepare (store, "SELECT " LESSON_COLUMNS " FROM lessons WHERE id = ?", error);

  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, id);
  if (sqlite3_step (statement) != SQLITE_ROW) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_NOT_FOUND,
                 "没有第 %" G_GINT64_FORMAT " 课 · no lesson %" G_GINT64_FORMAT, id, id);
    return NULL;
  }
  return read_lesson (store, statement);
}

/* (transfer none) A school both lessons name, sending or receiving. */
static const char *
shared_school (const LxLessonRecord *a, const LxLessonRecord *b)
{
  if (g_str_equal (a->sender, b->sender) ||
      g_strv_contains ((const char *const *) b->receivers, a->sender))
    return a->sender;
  for (guint i = 0; a->receivers[i]; i++)
    if (g_str_equal (a->receivers[i], b->sender) ||
        g_strv_contains ((const char *const *) b->receivers, a->receivers[i]))
      return a->receivers[i];
  return a->sender;
}

static gboolean
refuse_clashes (LxStore *store, const LxLessonRecord *lesson, GError **error)
{
  g_autoptr (GPtrArray) lessons = lx_store_list_lessons (store, 0, 0, NULL, error);

  if (lessons == NULL)
    return FALSE;
  for (guint i = 0; i < lessons->len; i++) {
    const LxLessonRecord *other = lessons->pdata[i];
    gint64 when;
    if (other->id != lesson->id && lx_schedule_clash (lesson, other, &when)) {
      /* Said in the clashing lesson's own time, as its timetable shows it, naming the school
       * that would be in two places at once. */
      g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (other->time_zone);
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (when);
      g_autoptr (GDateTime) local =
          zone ? g_date_time_to_timezone (utc, zone) : g_date_time_ref (utc);
      g_autofree gchar *text = g_date_time_format (local, "%Y-%m-%d %H:%M");
      const char *school = shared_school (lesson, other);
      g_autofree gchar *label = school_label (store, school);
      g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_CONFLICT,
                   "时间冲突：%s 在 %s 已经排了第 %" G_GINT64_FORMAT " 课「%s」 · clashes with "
                   "lesson %" G_GINT64_FORMAT " '%s' at %s %s (%s is booked into both)",
                   label, text, other->id, other->title, other->id, other->title, text,
                   other->time_zone, school);
      return FALSE;
    }
  }
  return TRUE;
}

/* Stores @lesson's row and its classrooms: a new row when @lesson->id is 0 (setting it), else over
 * the existing one. Runs inside the caller's transaction. */
static gboolean
write_lesson (LxStore *store, LxLessonRecord *lesson, GError **error)
{
  gboolean update = lesson->id != 0;
  g_autoptr (sqlite3_stmt) row = lx_store_prepare (
      store,
      update ? "UPDATE lessons SET title = ?1, teacher = ?2, sender = ?3, start_utc = ?4,"
               " end_utc = ?5, time_zone = ?6, repeat_until_utc = ?7 WHERE id = ?8"
             : "INSERT INTO lessons (title, teacher, sender, start_utc, end_utc, time_zone,"
               " repeat_until_utc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      error);
  g_autoptr (sqlite3_stmt) forget = NULL;

  if (row == NULL)
    return FALSE;
  sqlite3_bind_text (row, 1, lesson->title, -1, SQLITE_STATIC);
  sqlite3_bind_text (row, 2, lesson->teacher ? lesson->teacher : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (row, 3, lesson->sender, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (row, 4, lesson->start);
  sqlite3_bind_int64 (row, 5, lesson->end);
  sqlite3_bind_text (row, 6, lesson->time_zone, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (row, 7, lesson->repeat_until);
  if (update)
    sqlite3_bind_int64 (row, 8, lesson->id);
  if (sqlite3_step (row) != SQLITE_DONE)
    return lx_store_database_error (store, error, update ? "updating a lesson" : "adding a lesson");
  if (update && sqlite3_changes (store->db) == 0) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_NOT_FOUND,
                 "没有第 %" G_GINT64_FORMAT " 课 · no lesson %" G_GINT64_FORMAT, lesson->id,
                 lesson->id);
    return FALSE;
  }
  if (!update)
    lesson->id = sqlite3_last_insert_rowid (store->db);

  forget = lx_store_prepare (store, "DELETE FROM lesson_receivers WHERE lesson_id = ?", error);
  if (forget == NULL)
    return FALSE;
  sqlite3_bind_int64 (forget, 1, lesson->id);
  if (sqlite3_step (forget) != SQLITE_DONE)
    return lx_store_database_error (store, error, "rebooking classrooms");
  for (guint i = 0; lesson->receivers[i]; i++) {
    g_autoptr (sqlite3_stmt) receiver = lx_store_prepare (
        store, "INSERT INTO lesson_receivers (lesson_id, school_id) VALUES (?, ?)", error);
    if (receiver == NULL)
      return FALSE;
    sqlite3_bind_int64 (receiver, 1, lesson->id);
    sqlite3_bind_text (receiver, 2, lesson->receivers[i], -1, SQLITE_STATIC);
    if (sqlite3_step (receiver) != SQLITE_DONE)
      return lx_store_database_error (store, error, "booking a classroom");
  }
  return TRUE;
}

/* Validates, checks clashes and writes, as one transaction: no double booking slips in between. */
static gboolean
store_lesson (LxStore *store, LxLessonRecord *lesson, GError **error)
{
  gint64 id = lesson->id;

  if (!validate_lesson (store, lesson, error))
    return FALSE;
  if (!execute (store, "BEGIN IMMEDIATE;", error))
    return FALSE;
  if (!refuse_clashes (store, lesson, error) || !write_lesson (store, lesson, error)) {
    execute (store, "ROLLBACK;", NULL);
    lesson->id = id;
    return FALSE;
  }
  return execute (store, "COMMIT;", error);
}

gboolean
lx_store_add_lesson (LxStore *store, LxLessonRecord *lesson, GError **error)
{
  lesson->id = 0;
  return store_lesson (store, lesson, error);
}

gboolean
lx_store_update_lesson (LxStore *store, const LxLessonRecord *lesson, GError **error)
{
  LxLessonRecord copy = *lesson;

  if (lesson->id <= 0) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_NOT_FOUND,
                 "没有第 %" G_GINT64_FORMAT " 课 · no lesson %" G_GINT64_FORMAT, lesson->id,
                 lesson->id);
    return FALSE;
  }
  return store_lesson (store, &copy, error);
}

gboolean
lx_store_delete_lesson (LxStore *store, gint64 id, GError **error)
{
  g_autoptr (sqlite3_stmt) statement =
      lx_store_prepare (store, "DELETE FROM lessons WHERE id = ?", error);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, id);
  if (sqlite3_step (statement) != SQLITE_DONE)
    return lx_store_database_error (store, error, "deleting a lesson");
  if (sqlite3_changes (store->db) == 0) {
    g_set_error (error, LX_STORE_ERROR, LX_STORE_ERROR_NOT_FOUND,
                 "没有第 %" G_GINT64_FORMAT " 课 · no lesson %" G_GINT64_FORMAT, id, id);
    return FALSE;
  }
  return TRUE;
}

/* ---- Attendance ---- */

void
lx_attendance_record_free (LxAttendanceRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->school);
  g_free (record);
}

gboolean
lx_store_add_attendance (LxStore *store, const LxAttendanceRecord *record, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = lx_store_prepare (
      store,
      "INSERT INTO attendance (lesson_id, school_id, joined_utc, left_utc, frames_decoded,"
      " packets_lost, mean_kbps) VALUES (?, ?, ?, ?, ?, ?, ?)",
      error);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_int64 (statement, 1, record->lesson_id);
  sqlite3_bind_text (statement, 2, record->school, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (statement, 3, record->joined);
  sqlite3_bind_int64 (statement, 4, record->left);
  /* Unknown quality (no report from the receiver) is NULL, not zero. */
  if (record->has_quality) {
    sqlite3_bind_int64 (statement, 5, record->frames_decoded);
    sqlite3_bind_int64 (statement, 6, record->packets_lost);
    sqlite3_bind_int64 (statement, 7, record->mean_kbps);
  }
  if (sqlite3_step (statement) != SQLITE_DONE)
    return lx_store_database_error (store, error, "recording attendance");
  return TRUE;
}

GPtrArray *
lx_store_list_attendance (LxStore *store, gint64 lesson_id, const char *school, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = lx_store_prepare (
      store,
      "SELECT lesson_id, school_id, joined_utc, left_utc, frames_decoded, packets_lost, mean_kbps"
      " FROM attendance WHERE (?1 = 0 OR lesson_id = ?1) AND (?2 IS NULL OR school_id = ?2)"
      " ORDER BY joined_utc, id",
      error);
  GPtrArray *records;

  if (statement == NULL)
    return NULL;
  sqlite3_bind_int64 (statement, 1, lesson_id);
  if (school)
    sqlite3_bind_text (statement, 2, school, -1, SQLITE_STATIC);
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) lx_attendance_record_free);
  while (sqlite3_step (statement) == SQLITE_ROW) {
    LxAttendanceRecord *record = g_new0 (LxAttendanceRecord, 1);
    record->lesson_id = sqlite3_column_int64 (statement, 0);
    record->school = g_strdup ((const char *) sqlite3_column_text (statement, 1));
    record->joined = sqlite3_column_int64 (statement, 2);
    record->left = sqlite3_column_int64 (statement, 3);
    record->has_quality = sqlite3_column_type (statement, 4) != SQLITE_NULL;
    record->frames_decoded = sqlite3_column_int64 (statement, 4);
    record->packets_lost = sqlite3_column_int64 (statement, 5);
    record->mean_kbps = sqlite3_column_int64 (statement, 6);
    g_ptr_array_add (records, record);
  }
  return records;
}
