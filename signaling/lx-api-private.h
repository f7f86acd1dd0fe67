/* What the REST API's route files share (lx-api.c, lx-api-floor.c, lx-api-poll.c). */
#pragma once

#include "lx-api.h"
#include "lx-http-answers.h"
#include "lx-http-streams.h"
#include "lx-lessons.h"

struct _LxApi {
  SoupServer *server;
  LxStore *store;
  gchar *admin_token;
  GTimeZone *time_zone;
  JsonNode *(*describe_status) (gpointer data);
  gpointer status_data;
  void (*revoked) (const char *school, gpointer data);
  gpointer revoked_data;
  LxHttpStreams *status_streams; /* the open /status/events answers */
  guint status_timer;
  LxLessonRegistry *lessons; /* (nullable) who is in which lesson now: the floor */
};

/* A body refused: 413 or 400, naming the field at fault. */
void lx_api_respond_body_error (SoupServerMessage *message, const GError *error, const char *field);
/* (transfer none) The request's body (never NULL: an empty body is empty text). */
const char *lx_api_body_of (SoupServerMessage *message, gsize *length);
/* (transfer none) The token of "Authorization: Bearer TOKEN", or NULL. */
const char *lx_api_bearer_token (SoupServerMessage *message);
/* 401 with a WWW-Authenticate challenge. */
void lx_api_refuse_unauthorized (SoupServerMessage *message, const char *text);

/* TRUE when the request carries the admin token (@admin) or the token of the school that sends
 * @lesson_id; otherwise answers 401 or 403 and returns FALSE (lx-api-floor.c). */
gboolean lx_api_may_act_for_lesson (LxApi *api, SoupServerMessage *message, const char *lesson_id,
                                    gboolean admin);
/* A lesson's control route (the floor, the poll): the tokens checked as above, then GET @read,
 * POST @act, anything else 405 (lx-api-floor.c). */
typedef void (*LxApiLessonHandler) (LxApi *api, SoupServerMessage *message, const char *lesson_id);
void lx_api_lesson_control (LxApi *api, SoupServerMessage *message, const char *method,
                            const char *lesson_id, gboolean admin, LxApiLessonHandler read,
                            LxApiLessonHandler act);
/* /api/v1/lessons/ID/poll: its quick poll (lx-api-poll.c). */
void lx_api_poll (LxApi *api, SoupServerMessage *message, const char *method, const char *lesson_id,
                  gboolean admin);
/* A store error as its HTTP answer (404 for a missing row, 409 a conflict, else 500). */
void lx_api_respond_store_error (SoupServerMessage *message, const GError *error);
/* One attendance row, as GET /attendance lists them. */
void lx_api_add_attendance (JsonBuilder *builder, const LxAttendanceRecord *record);
/* /api/v1/lessons/ID/record: who attended, the questions and the polls of an occurrence
 * (lx-api-record.c). */
void lx_api_record (LxApi *api, SoupServerMessage *message, const char *method,
                    const char *lesson_id, GHashTable *query, gboolean admin);
/* /api/v1/lessons/ID/floor: the floor of a joint lesson (lx-api-floor.c). */
void lx_api_floor (LxApi *api, SoupServerMessage *message, const char *method,
                   const char *lesson_id, gboolean admin);
