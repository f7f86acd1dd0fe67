/* The signaling server's database: schools, lessons and attendance in SQLite on disk (WAL mode),
 * with a versioned schema that upgrades older files in place. Every rule about what may be stored
 * (valid times, existing schools, no double booking) is checked here, so the REST API and any
 * other front end refuse the same things. */
#pragma once

#include "lx-schedule.h"

#include <glib.h>

G_BEGIN_DECLS

#define LX_STORE_ERROR (lx_store_error_quark ())
GQuark lx_store_error_quark (void);

typedef enum {
  LX_STORE_ERROR_DATABASE,  /* SQLite failed, or the file is not ours */
  LX_STORE_ERROR_INVALID,   /* a field is wrong; the message, Chinese first, holds
                             * "field 'NAME': " */
  LX_STORE_ERROR_NOT_FOUND, /* no such school or lesson */
  LX_STORE_ERROR_CONFLICT,  /* double booking, a duplicate id, or a school still in use */
} LxStoreError;

/* The schema version this build writes; older files are upgraded when opened. */
#define LX_STORE_SCHEMA_VERSION 3

typedef struct _LxStore LxStore;

typedef struct {
  gchar *id;
  gchar *name;
  gchar *county;
  gint64 created_at; /* UTC seconds */
  /* What the server last saw of the school's programs (filled when read; written with
   * lx_store_note_school_*), for the status board: */
  gint64 last_seen;       /* UTC seconds it was last connected; 0: never */
  gchar *last_left;       /* how it last left: "left", "link-lost"; "" while connected or never */
  gchar *refusal;         /* the protocol error code of its last refused hello, or "" */
  gchar *refusal_message; /* and the server's words for it */
  gint64 refusal_at;      /* UTC seconds; 0: never refused */
} LxSchoolRecord;

void lx_school_record_free (LxSchoolRecord *school);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxSchoolRecord, lx_school_record_free)

/* (transfer full) Opens or creates the database at @path and brings its schema up to date. */
LxStore *lx_store_open (const char *path, GError **error);
void lx_store_close (LxStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxStore, lx_store_close)

gint lx_store_get_schema_version (LxStore *store);

/* Registers @school and returns in @token (transfer full) its new secret token: it is shown this
 * once and stored only as a salted hash. */
gboolean lx_store_add_school (LxStore *store, const LxSchoolRecord *school, gchar **token,
                              GError **error);
/* (transfer full) */
LxSchoolRecord *lx_store_get_school (LxStore *store, const char *id, GError **error);
/* (transfer full) (element-type LxSchoolRecord) ordered by id. */
GPtrArray *lx_store_list_schools (LxStore *store, GError **error);
/* Changes @school's name and county (its id and token stay). */
gboolean lx_store_update_school (LxStore *store, const LxSchoolRecord *school, GError **error);
/* Refused with CONFLICT while a lesson names the school. */
gboolean lx_store_delete_school (LxStore *store, const char *id, GError **error);
/* Gives @id a new token, returned in @token (transfer full): the old one stops working at once.
 * FALSE with @error (NOT_FOUND) for an unknown school. */
gboolean lx_store_renew_school_token (LxStore *store, const char *id, gchar **token,
                                      GError **error);
/* The school's program joined (@left_how NULL: its last refusal is forgotten) or left ("left",
 * "link-lost") at @when. Unknown schools are ignored: a stranger's hello writes nothing. */
gboolean lx_store_note_school_seen (LxStore *store, const char *id, gint64 when,
                                    const char *left_how, GError **error);
/* The school's hello was refused with @code (a protocol error code) and @message at @when. */
gboolean lx_store_note_school_refused (LxStore *store, const char *id, const char *code,
                                       const char *message, gint64 when, GError **error);

/* TRUE if @token is @id's token (compared in constant time). */
gboolean lx_store_check_school_token (LxStore *store, const char *id, const char *token);

/* Validates @lesson, refuses a clash with any stored lesson (CONFLICT naming it), stores it and
 * sets its id. */
gboolean lx_store_add_lesson (LxStore *store, LxLessonRecord *lesson, GError **error);
/* Replaces the stored lesson @lesson->id with @lesson, under the same rules as adding one (a clash
 * with the lesson's own old self does not count). */
gboolean lx_store_update_lesson (LxStore *store, const LxLessonRecord *lesson, GError **error);
/* (transfer full) */
LxLessonRecord *lx_store_get_lesson (LxStore *store, gint64 id, GError **error);
/* (transfer full) (element-type LxLessonRecord) Lessons with an occurrence in [@from, @to) (both 0:
 * all) that @school (NULL: any) sends or receives, ordered by first start. */
GPtrArray *lx_store_list_lessons (LxStore *store, gint64 from, gint64 to, const char *school,
                                  GError **error);
gboolean lx_store_delete_lesson (LxStore *store, gint64 id, GError **error);

/* One classroom's stay in a lesson. */
typedef struct {
  gint64 lesson_id;
  gchar *school;
  gint64 joined, left;  /* UTC seconds */
  gboolean has_quality; /* FALSE: the receiver reported nothing */
  gint64 frames_decoded, packets_lost, mean_kbps;
} LxAttendanceRecord;

void lx_attendance_record_free (LxAttendanceRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxAttendanceRecord, lx_attendance_record_free)

gboolean lx_store_add_attendance (LxStore *store, const LxAttendanceRecord *record, GError **error);
/* (transfer full) (element-type LxAttendanceRecord) for @lesson_id (0: all) and @school (NULL:
 * all), by time. */
GPtrArray *lx_store_list_attendance (LxStore *store, gint64 lesson_id, const char *school,
                                     GError **error);

/* A question a classroom asked in writing during a lesson. */
typedef struct {
  gchar *school, *text;
  gint64 asked; /* UTC seconds */
} LxQuestionRecord;

void lx_question_record_free (LxQuestionRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxQuestionRecord, lx_question_record_free)

gboolean lx_store_add_question (LxStore *store, gint64 lesson_id, const char *school,
                                const char *text, gint64 asked, GError **error);
/* Keeps poll @number of @lesson_id opened at @opened (UTC seconds) as @summary (its JSON: question,
 * tally, answers), replacing what was kept of it: called at each change. */
gboolean lx_store_save_poll (LxStore *store, gint64 lesson_id, gint64 opened, gint64 number,
                             const char *summary, GError **error);
/* (transfer full) (element-type LxQuestionRecord) @lesson_id's questions asked in [@from, @to),
 * and (element-type utf8) its polls' summaries opened then, oldest first. */
GPtrArray *lx_store_list_questions (LxStore *store, gint64 lesson_id, gint64 from, gint64 to,
                                    GError **error);
GPtrArray *lx_store_list_polls (LxStore *store, gint64 lesson_id, gint64 from, gint64 to,
                                GError **error);

G_END_DECLS
