/* The timetable store, on a real SQLite file: schools and their tokens, lessons and the rules that
 * refuse bad times and double bookings, and rows that survive reopening the file. */
#include "lx-field-labels.h"
#include "lx-store.h"
#include "lx-test-utils.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

typedef struct {
  gchar *directory;
  gchar *path;
  LxStore *store;
} Fixture;

static void
setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->directory = g_dir_make_tmp ("lx-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->directory, "lianxiao.db", NULL);
  fixture->store = lx_store_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  lx_store_close (fixture->store);
  lx_test_remove_directory (fixture->directory);
  g_free (fixture->directory);
  g_free (fixture->path);
}

static gchar *
add_school (Fixture *fixture, const char *id)
{
  LxSchoolRecord school = { (gchar *) id, (gchar *) "Test school", (gchar *) "Test county", 0 };
  g_autoptr (GError) error = NULL;
  gchar *token = NULL;

  g_assert_true (lx_store_add_school (fixture->store, &school, &token, &error));
  g_assert_no_error (error);
  return token;
}

/* UTC seconds of @local (ISO 8601 without offset) in @zone. */
static gint64
at (const char *local, const char *zone)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (zone);
  g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (local, tz);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

static LxLessonRecord *
lesson_new (const char *title, const char *sender, const char *receivers, const char *start,
            const char *end, const char *weekly_until)
{
  LxLessonRecord *lesson = g_new0 (LxLessonRecord, 1);

  lesson->title = g_strdup (title);
  lesson->teacher = g_strdup ("Ms Wang");
  lesson->sender = g_strdup (sender);
  lesson->receivers = g_strsplit (receivers, ",", -1);
  lesson->time_zone = g_strdup ("Asia/Shanghai");
  lesson->start = at (start, "Asia/Shanghai");
  lesson->end = at (end, "Asia/Shanghai");
  lesson->repeat_until = weekly_until ? at (weekly_until, "Asia/Shanghai") : 0;
  return lesson;
}

/* Three schools: the master school "city" and the classrooms "v1" and "v2". */
static void
add_schools (Fixture *fixture)
{
  g_free (add_school (fixture, "city"));
  g_free (add_school (fixture, "v1"));
  g_free (add_school (fixture, "v2"));
}

static void
test_schema_and_reopen (Fixture *fixture, gconstpointer data)
{
  g_autoptr (LxLessonRecord) lesson = NULL;
  g_autoptr (LxLessonRecord) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) schools = NULL;

  g_assert_cmpint (lx_store_get_schema_version (fixture->store), ==, LX_STORE_SCHEMA_VERSION);
  add_schools (fixture);
  lesson = lesson_new ("Maths 7A", "city", "v1,v2", "2026-12-01T10:00:00", "2026-12-01T10:45:00",
                       "2027-01-12T23:59:59");
  g_assert_true (lx_store_add_lesson (fixture->store, lesson, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lesson->id, >, 0);

  /* Closed and opened again: every row is still there. */
  lx_store_close (fixture->store);
  fixture->store = lx_store_open (fixture->path, &error);
  g_assert_no_error (error);
  schools = lx_store_list_schools (fixture->store, &error);
  g_assert_cmpuint (schools->len, ==, 3);
  again = lx_store_get_lesson (fixture->store, lesson->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->title, ==, "Maths 7A");
  g_assert_cmpstr (again->receivers[0], ==, "v1");
  g_assert_cmpstr (again->receivers[1], ==, "v2");
  g_assert_cmpint (again->start, ==, lesson->start);
  g_assert_cmpint (again->repeat_until, ==, lesson->repeat_until);
}

static void
test_newer_file_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *path = g_build_filename (fixture->directory, "newer.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (LxStore) store = NULL;
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = lx_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, LX_STORE_ERROR, LX_STORE_ERROR_DATABASE);
  g_assert_nonnull (strstr (error->message, "newer"));
}

static void
test_school_tokens (Fixture *fixture, gconstpointer data)
{
  g_autofree gchar *token = add_school (fixture, "v1");
  g_autofree gchar *other = add_school (fixture, "v2");
  g_autoptr (GError) error = NULL;
  LxSchoolRecord duplicate = { (gchar *) "v1", (gchar *) "Again", NULL, 0 };
  LxSchoolRecord bad_id = { (gchar *) "v 1", (gchar *) "Bad", NULL, 0 };
  LxSchoolRecord no_name = { (gchar *) "v3", (gchar *) "", NULL, 0 };

  g_assert_cmpuint (strlen (token), ==, 48);
  g_assert_cmpstr (token, !=, other);
  g_assert_true (lx_store_check_school_token (fixture->store, "v1", token));
  g_assert_false (lx_store_check_school_token (fixture->store, "v1", other));
  g_assert_false (lx_store_check_school_token (fixture->store, "v2", token));
  g_assert_false (lx_store_check_school_token (fixture->store, "nobody", token));
  g_assert_false (lx_store_check_school_token (fixture->store, "v1", ""));

  g_assert_false (lx_store_add_school (fixture->store, &duplicate, NULL, &error));
  g_assert_error (error, LX_STORE_ERROR, LX_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (lx_store_add_school (fixture->store, &bad_id, NULL, &error));
  g_assert_error (error, LX_STORE_ERROR, LX_STORE_ERROR_INVALID);
  /* Chinese first, naming the field as the pages do; then the field for programs. */
  g_assert_true (g_str_has_prefix (error->message, "编号："));
  g_assert_nonnull (strstr (error->message, " · field 'id'"));
  g_clear_error (&error);
  g_assert_false (lx_store_add_school (fixture->store, &no_name, NULL, &error));
  g_assert_true (g_str_has_prefix (error->message, "名称：不能为空 · field 'name'"));
}

typedef struct {
  const char *name;
  const char *sender, *receivers, *start, *end, *weekly_until, *time_zone;
  const char *field; /* named by the error */
} BadLesson;

static const BadLesson bad_lessons[] = {
  { "end-before-start", "city", "v1", "2026-12-01T10:00:00", "2026-12-01T09:00:00", NULL, NULL,
    "end" },
  { "too-long", "city", "v1", "2026-12-01T08:00:00", "2026-12-01T21:00:00", NULL, NULL, "end" },
  { "unknown-zone", "city", "v1", "2026-12-01T10:00:00", "2026-12-01T10:45:00", NULL,
    "Mars/Olympus", "time_zone" },
  { "unknown-sender", "nobody", "v1", "2026-12-01T10:00:00", "2026-12-01T10:45:00", NULL, NULL,
    "sender" },
  { "unknown-receiver", "city", "v1,ghost", "2026-12-01T10:00:00", "2026-12-01T10:45:00", NULL,
    NULL, "receivers" },
  { "sender-receives", "city", "v1,city", "2026-12-01T10:00:00", "2026-12-01T10:45:00", NULL, NULL,
    "receivers" },
  { "repeat-past-a-year", "city", "v1", "2026-12-01T10:00:00", "2026-12-01T10:45:00",
    "2028-01-01T00:00:00", NULL, "weekly_until" },
  { "repeat-before-start", "city", "v1", "2026-12-01T10:00:00", "2026-12-01T10:45:00",
    "2026-11-01T00:00:00", NULL, "weekly_until" },
};

static void
test_bad_lesson (Fixture *fixture, gconstpointer data)
{
  const BadLesson *bad = data;
  g_autoptr (LxLessonRecord) lesson =
      lesson_new ("Physics", bad->sender, bad->receivers, bad->start, bad->end, bad->weekly_until);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *prefix = g_strdup_printf ("%s：", lx_field_label (bad->field));
  g_autofree gchar *english = g_strdup_printf (" · field '%s'", bad->field);
  g_autoptr (GPtrArray) lessons = NULL;

  add_schools (fixture);
  if (bad->time_zone) {
    g_free (lesson->time_zone);
    lesson->time_zone = g_strdup (bad->time_zone);
  }
  g_assert_false (lx_store_add_lesson (fixture->store, lesson, &error));
  g_assert_error (error, LX_STORE_ERROR, LX_STORE_ERROR_INVALID);
  if (!g_str_has_prefix (error->message, prefix) || !strstr (error->message, english))
    g_error ("expected an error about %s, got '%s'", prefix, error->message);
  lessons = lx_store_list_lessons (fixture->store, 0, 0, NULL, NULL);
  g_assert_cmpuint (lessons->len, ==, 0); /* nothing stored */
}

typedef struct {
  const char *name;
  const char *sender, *receivers, *start, *end, *weekly_until;
  const char *clash_school; /* the school booked twice, named by the refusal; NULL: no clash */
} Booking;

/* Against "Maths": city → v1, Tuesdays 10:00-10:45 from 2026-12-01 to 2027-01-12. */
static const Booking bookings[] = {
  { "same-classroom-same-time", "city", "v1", "2026-12-01T10:30:00", "2026-12-01T11:00:00", NULL,
    "city" },
  { "same-sender-other-classroom", "city", "v2", "2026-12-01T10:00:00", "2026-12-01T10:45:00", NULL,
    "city" },
  { "classroom-now-sending", "v1", "v2", "2026-12-01T10:40:00", "2026-12-01T11:00:00", NULL, "v1" },
  { "third-tuesday", "v2", "v1", "2026-12-15T10:15:00", "2026-12-15T10:30:00", NULL, "v1" },
  { "weekly-meets-weekly", "v2", "v1", "2026-11-03T10:40:00", "2026-11-03T11:00:00",
    "2026-12-31T00:00:00", "v1" },
  { "back-to-back", "city", "v1", "2026-12-01T10:45:00", "2026-12-01T11:30:00", NULL, NULL },
  { "other-schools", "v2", "other", "2026-12-01T10:00:00", "2026-12-01T10:45:00", NULL, NULL },
  { "wednesday", "city", "v1", "2026-12-02T10:00:00", "2026-12-02T10:45:00", NULL, NULL },
  { "after-the-term", "city", "v1", "2027-01-19T10:00:00", "2027-01-19T10:45:00", NULL, NULL },
};

static void
test_booking (Fixture *fixture, gconstpointer data)
{
  const Booking *booking = data;
  g_autoptr (LxLessonRecord) maths = lesson_new ("Maths", "city", "v1", "2026-12-01T10:00:00",
                                                 "2026-12-01T10:45:00", "2027-01-12T23:59:59");
  g_autoptr (LxLessonRecord) lesson =
      lesson_new ("Second", booking->sender, booking->receivers, booking->start, booking->end,
                  booking->weekly_until);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) lessons = NULL;

  add_schools (fixture);
  g_free (add_school (fixture, "other"));
  g_assert_true (lx_store_add_lesson (fixture->store, maths, &error));
  g_assert_no_error (error);

  if (booking->clash_school) {
    g_autofree gchar *named = g_strdup_printf ("lesson %" G_GINT64_FORMAT " 'Maths'", maths->id);
    /* Chinese first, naming the school booked twice by its name, and the lesson it is in. */
    g_autofree gchar *chinese =
        g_strdup_printf ("时间冲突：Test school (%s) 在 ", booking->clash_school);
    g_autofree gchar *lesson_named =
        g_strdup_printf ("已经排了第 %" G_GINT64_FORMAT " 课「Maths」", maths->id);
    g_autofree gchar *english = g_strdup_printf ("(%s is booked into both)", booking->clash_school);
    g_assert_false (lx_store_add_lesson (fixture->store, lesson, &error));
    g_assert_error (error, LX_STORE_ERROR, LX_STORE_ERROR_CONFLICT);
    g_assert_nonnull (strstr (error->message, named));
    g_assert_true (g_str_has_prefix (error->message, chinese));
    g_assert_nonnull (strstr (error->message, lesson_named));
    g_assert_nonnull (strstr (error->message, english));
  } else {
    g_assert_true (lx_store_add_lesson (fixture->store, lesson, &error));
    g_assert_no_error (error);
  }
  lessons = lx_store_list_lessons (fixture->store, 0, 0, NULL, NULL);
  g_assert_cmpuint (lessons->len, ==, booking->clash_school ? 1 : 2);
}

static void
test_list_filters (Fixture *fixture, gconstpointer data)
{
  g_autoptr (LxLessonRecord) maths = lesson_new ("Maths", "city", "v1", "2026-12-01T10:00:00",
                                                 "2026-12-01T10:45:00", "2027-01-12T23:59:59");
  g_autoptr (LxLessonRecord) art =
      lesson_new ("Art", "city", "v2", "2026-12-02T14:00:00", "2026-12-02T14:45:00", NULL);
  g_autoptr (GPtrArray) day = NULL;
  g_autoptr (GPtrArray) v2 = NULL;
  g_autoptr (GPtrArray) later = NULL;

  add_schools (fixture);
  g_assert_true (lx_store_add_lesson (fixture->store, maths, NULL));
  g_assert_true (lx_store_add_lesson (fixture->store, art, NULL));

  /* Tuesday 2026-12-08 (a repeat of Maths): only Maths. */
  day = lx_store_list_lessons (fixture->store, at ("2026-12-08T00:00:00", "Asia/Shanghai"),
                               at ("2026-12-09T00:00:00", "Asia/Shanghai"), NULL, NULL);
  g_assert_cmpuint (day->len, ==, 1);
  g_assert_cmpstr (((LxLessonRecord *) day->pdata[0])->title, ==, "Maths");
  v2 = lx_store_list_lessons (fixture->store, 0, 0, "v2", NULL);
  g_assert_cmpuint (v2->len, ==, 1);
  g_assert_cmpstr (((LxLessonRecord *) v2->pdata[0])->title, ==, "Art");
  later = lx_store_list_lessons (fixture->store, at ("2027-02-01T00:00:00", "Asia/Shanghai"),
                                 at ("2027-03-01T00:00:00", "Asia/Shanghai"), NULL, NULL);
  g_assert_cmpuint (later->len, ==, 0);
}

static void
test_delete (Fixture *fixture, gconstpointer data)
{
  g_autoptr (LxLessonRecord) maths =
      lesson_new ("Maths", "city", "v1", "2026-12-01T10:00:00", "2026-12-01T10:45:00", NULL);
  g_autoptr (GError) error = NULL;

  add_schools (fixture);
  g_assert_true (lx_store_add_lesson (fixture->store, maths, NULL));
  g_assert_false (lx_store_delete_school (fixture->store, "v1", &error));
  g_assert_error (error, LX_STORE_ERROR, LX_STORE_ERROR_CONFLICT);
  /* It names the lessons that hold the school, so that staff know what to change. */
  {
    g_autofree gchar *lessons =
        g_strdup_printf ("：第 %" G_GINT64_FORMAT " 课「Maths」，", maths->id);
    g_assert_true (g_str_has_prefix (error->message, "Test school (v1) 还排在课表里"));
    g_assert_nonnull (strstr (error->message, lessons));
  }
  g_clear_error (&error);
  g_assert_true (lx_store_delete_lesson (fixture->store, maths->id, &error));
  g_assert_no_error (error);
  g_assert_true (lx_store_delete_school (fixture->store, "v1", &error));
  g_assert_false (lx_store_delete_lesson (fixture->store, maths->id, &error));
  g_assert_error (error, LX_STORE_ERROR, LX_STORE_ERROR_NOT_FOUND);
}

/* A lesson's record: its questions and its poll (saved again at each answer: one row, the last
 * summary), kept across reopening, by the window asked for; gone with the lesson. */
static void
test_lesson_record (Fixture *fixture, gconstpointer data)
{
  g_autoptr (LxLessonRecord) maths =
      lesson_new ("Maths", "city", "v1,v2", "2026-12-01T10:00:00", "2026-12-01T10:45:00", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) questions = NULL;
  g_autoptr (GPtrArray) polls = NULL;
  g_autoptr (GPtrArray) other_week = NULL;

  add_schools (fixture);
  g_assert_true (lx_store_add_lesson (fixture->store, maths, NULL));
  g_assert_true (lx_store_add_question (fixture->store, maths->id, "v2", "为什么？",
                                        maths->start + 60, &error));
  g_assert_true (lx_store_save_poll (fixture->store, maths->id, maths->start + 120, 1,
                                     "{\"tally\":{\"A\":0}}", &error));
  g_assert_true (lx_store_save_poll (fixture->store, maths->id, maths->start + 120, 1,
                                     "{\"tally\":{\"A\":1}}", &error));
  g_assert_no_error (error);

  lx_store_close (fixture->store);
  fixture->store = lx_store_open (fixture->path, &error);
  g_assert_no_error (error);
  questions = lx_store_list_questions (fixture->store, maths->id, maths->start, maths->end, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (questions->len, ==, 1);
  g_assert_cmpstr (((LxQuestionRecord *) questions->pdata[0])->school, ==, "v2");
  g_assert_cmpstr (((LxQuestionRecord *) questions->pdata[0])->text, ==, "为什么？");
  polls = lx_store_list_polls (fixture->store, maths->id, maths->start, maths->end, &error);
  g_assert_cmpuint (polls->len, ==, 1);
  g_assert_cmpstr (polls->pdata[0], ==, "{\"tally\":{\"A\":1}}");
  other_week = lx_store_list_questions (fixture->store, maths->id, maths->start + 7 * 86400,
                                        maths->end + 7 * 86400, &error);
  g_assert_cmpuint (other_week->len, ==, 0);

  g_assert_true (lx_store_delete_lesson (fixture->store, maths->id, &error));
  g_clear_pointer (&questions, g_ptr_array_unref);
  questions = lx_store_list_questions (fixture->store, maths->id, 0, G_MAXINT64, &error);
  g_assert_cmpuint (questions->len, ==, 0);
}

/* A weekly lesson keeps its local time across a daylight-saving change. */
static void
test_weekly_follows_local_time (Fixture *fixture, gconstpointer data)
{
  LxLessonRecord lesson = { 0 };
  g_autoptr (GPtrArray) starts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Europe/Berlin");

  lesson.sender = (gchar *) "a";
  lesson.time_zone = (gchar *) "Europe/Berlin";
  lesson.start = at ("2026-10-20T10:00:00", "Europe/Berlin"); /* summer time */
  lesson.end = lesson.start + 45 * 60;
  lesson.repeat_until = at ("2026-11-10T12:00:00", "Europe/Berlin"); /* winter time */
  for (gint64 week = 0; week < 4; week++) {
    g_autofree gchar *local = g_strdup_printf (
        "2026-%s10:00:00", (const char *[]){ "10-20T", "10-27T", "11-03T", "11-10T" }[week]);
    g_assert_true (lx_schedule_occurs_between (&lesson, at (local, "Europe/Berlin"),
                                               at (local, "Europe/Berlin") + 60));
  }
  /* Not at 09:00 or 11:00 local after the change. */
  g_assert_false (lx_schedule_occurs_between (&lesson, at ("2026-11-03T09:00:00", "Europe/Berlin"),
                                              at ("2026-11-03T09:59:00", "Europe/Berlin")));
  g_assert_false (lx_schedule_occurs_between (&lesson, at ("2026-11-17T10:00:00", "Europe/Berlin"),
                                              at ("2026-11-17T11:00:00", "Europe/Berlin")));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/schema-and-reopen", Fixture, NULL, setup, test_schema_and_reopen, teardown);
  g_test_add ("/store/newer-file-refused", Fixture, NULL, setup, test_newer_file_refused, teardown);
  g_test_add ("/store/school-tokens", Fixture, NULL, setup, test_school_tokens, teardown);
  for (guint i = 0; i < G_N_ELEMENTS (bad_lessons); i++) {
    g_autofree gchar *path = g_strdup_printf ("/store/bad-lesson/%s", bad_lessons[i].name);
    g_test_add (path, Fixture, &bad_lessons[i], setup, test_bad_lesson, teardown);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bookings); i++) {
    g_autofree gchar *path = g_strdup_printf ("/store/booking/%s", bookings[i].name);
    g_test_add (path, Fixture, &bookings[i], setup, test_booking, teardown);
  }
  g_test_add ("/store/list-filters", Fixture, NULL, setup, test_list_filters, teardown);
  g_test_add ("/store/delete", Fixture, NULL, setup, test_delete, teardown);
  g_test_add ("/store/lesson-record", Fixture, NULL, setup, test_lesson_record, teardown);
  g_test_add ("/store/weekly-follows-local-time", Fixture, NULL, setup,
              test_weekly_follows_local_time, teardown);
  return g_test_run ();
}
