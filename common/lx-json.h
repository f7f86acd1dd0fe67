/* Reading one JSON object from untrusted bytes (a signaling message, a REST body), with the checks
 * both need before json-glib sees them: a size limit, UTF-8, and a nesting limit (json-glib's
 * parser recurses once per level; nothing we read nests deeper than a few levels). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LX_JSON_ERROR (lx_json_error_quark ())
GQuark lx_json_error_quark (void);

typedef enum {
  LX_JSON_ERROR_TOO_LARGE, /* over the size limit */
  LX_JSON_ERROR_INVALID,   /* not UTF-8, not JSON, nested too deep, or not an object */
} LxJsonError;

/* Arrays and objects inside one another, at most. */
#define LX_JSON_MAX_DEPTH 32

/* (transfer full) The JSON object @data holds, or NULL with @error. */
JsonObject *lx_json_parse_object (const char *data, gsize length, gsize max_length, GError **error);

/* Adds member @name to the object @builder is building: @value, or null when it is NULL. */
void lx_json_add_string (JsonBuilder *builder, const char *name, const char *value);
/* Adds member @name: an array of the strings of @values (NULL-terminated; NULL: empty). */
void lx_json_add_strings (JsonBuilder *builder, const char *name, const char *const *values);

G_END_DECLS
