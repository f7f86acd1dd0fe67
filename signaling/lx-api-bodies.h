/* The REST API's request bodies, from untrusted bytes to records: everything the API reads from
 * clients, apart from the routes (lx-api.c) so that it is tested, and fuzzed, on its own. */
#pragma once

#include "lx-store.h"

G_BEGIN_DECLS

#define LX_API_ERROR (lx_api_error_quark ())
GQuark lx_api_error_quark (void);

typedef enum {
  LX_API_ERROR_TOO_LARGE, /* over LX_API_MAX_BODY_BYTES: 413 */
  LX_API_ERROR_INVALID,   /* not one JSON object, or a field of the wrong kind: 400 */
} LxApiError;

#define LX_API_MAX_BODY_BYTES (64 * 1024)

/* A school's body: `id`, `name`, `county` (each a string or absent; the store checks values).
 * Fills @school with copies. FALSE with @error, and @field (transfer none, nullable) naming the
 * field at fault. */
gboolean lx_api_read_school (const char *data, gsize length, LxSchoolRecord *school,
                             const char **field, GError **error);

/* A lesson's body: `title`, `teacher`, `sender`, `receivers` (a list of school ids), `start` and
 * `end` (local date-times in `time_zone`), `weekly_until` (a date, optional). Fills @lesson with
 * copies (times in UTC seconds). FALSE with @error and @field as above. */
gboolean lx_api_read_lesson (const char *data, gsize length, LxLessonRecord *lesson,
                             const char **field, GError **error);

/* A floor action's body: `action` ("call-on" or "hang-up") and `school`, both required. Fills
 * @call_on and @school (a copy). FALSE with @error and @field as above. */
gboolean lx_api_read_floor_action (const char *data, gsize length, gboolean *call_on,
                                   gchar **school, const char **field, GError **error);

/* A poll action's body: `action` ("open" or "close"); to open, `question` (1 to 500 bytes) and
 * `choices` (2 to 4, default 4: A–D). Fills @open, @question (a copy) and @n_choices. FALSE with
 * @error and @field as above. */
gboolean lx_api_read_poll_action (const char *data, gsize length, gboolean *open, gchar **question,
                                  guint *n_choices, const char **field, GError **error);

G_END_DECLS
