/* A quick poll in a joint lesson: the teacher asks a question with 2 to 4 answers (A–D), every
 * classroom picks one (and may change its mind while the poll is open), the teacher sees the
 * tally and each classroom's answer. One at a time per lesson, kept by the signaling server
 * beside the floor (lx-floor.h); knows nothing of the network, so its rules are tested alone. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#define LX_POLL_MOST_CHOICES 4 /* A–D */
#define LX_POLL_QUESTION_BYTES 500

typedef struct _LxPoll LxPoll;

/* (transfer full) Poll @id, open: @question (UTF-8, at most LX_POLL_QUESTION_BYTES) with
 * @n_choices answers (2 to LX_POLL_MOST_CHOICES). */
LxPoll *lx_poll_new (guint id, const char *question, guint n_choices);
void lx_poll_free (LxPoll *poll);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxPoll, lx_poll_free)

/* @school answers @choice (0 for A) to poll @id. FALSE with @error (LX_PROTOCOL_ERROR_NO_POLL:
 * another poll, or this one closed; LX_PROTOCOL_ERROR_BAD_FIELD: no such choice). */
gboolean lx_poll_answer (LxPoll *poll, guint id, const char *school, guint choice, GError **error);
/* No more answers; the tally stays. */
void lx_poll_close (LxPoll *poll);
/* A classroom that left: its answer stays counted (it was given). */

guint lx_poll_get_id (LxPoll *poll);
const char *lx_poll_get_question (LxPoll *poll);
guint lx_poll_get_n_choices (LxPoll *poll);
gboolean lx_poll_is_open (LxPoll *poll);
/* How many classrooms chose @choice. */
guint lx_poll_count (LxPoll *poll, guint choice);
/* (transfer container) The schools that answered, sorted; each one's choice by
 * lx_poll_get_choice. */
GPtrArray *lx_poll_get_schools (LxPoll *poll);
gint lx_poll_get_choice (LxPoll *poll, const char *school); /* -1 none */

/* "A" for 0 ... "D" for 3. */
const char *lx_poll_choice_letter (guint choice);

/* When it was opened (UTC seconds). */
gint64 lx_poll_get_opened (LxPoll *poll);
/* Adds poll_id, question, choices, open, opened_utc, tally ({"A": n, ...}) and answers
 * ({school: "A"...}) to the open object: the REST API's answer, and what the store keeps. */
void lx_poll_add_json (LxPoll *poll, JsonBuilder *builder);
