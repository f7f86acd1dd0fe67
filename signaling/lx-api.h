/* The REST API for IT staff, under /api/v1/ (docs/api.md): schools and lessons as JSON, each
 * request authorised by the admin token (Authorization: Bearer ...). */
#pragma once

#include "lx-lessons.h"
#include "lx-store.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

typedef struct _LxApi LxApi;

/* (transfer full) Serves the API on @server from @store (both outlive it). Requests must carry
 * @admin_token; with none configured the API answers 503. Days asked for with ?day= are days in
 * @time_zone. */
LxApi *lx_api_new (SoupServer *server, LxStore *store, const char *admin_token,
                   const char *time_zone);
void lx_api_free (LxApi *api);

/* Adds @school's name, when it was last seen and its last refusal to the open object, each
 * member's name after @prefix ("" for a school's own object, "sender_" in a lesson's). */
void lx_api_add_school_presence (JsonBuilder *builder, const LxSchoolRecord *school,
                                 const char *prefix);

/* GET /api/v1/status answers with what @describe returns (transfer full): the live state of the
 * lessons, for the status board. */
void lx_api_set_status_source (LxApi *api, JsonNode *(*describe) (gpointer data), gpointer data);

/* @revoked is called with a school whose token stopped working (renewed, or the school deleted),
 * so that its live connections are closed. */
void lx_api_set_revoke_hook (LxApi *api, void (*revoked) (const char *school, gpointer data),
                             gpointer data);
/* The lessons under way (@lessons outlives the API), for /api/v1/lessons/ID/floor. */
void lx_api_set_lessons (LxApi *api, LxLessonRegistry *lessons);
