/* Untrusted JSON in (see lx-json.h). */
#include "lx-json.h"

G_DEFINE_QUARK (lx - json - error - quark, lx_json_error)

/* TRUE if no array or object in @data nests deeper than LX_JSON_MAX_DEPTH (brackets inside
 * strings do not count). */
static gboolean
depth_is_reasonable (const char *data, gsize length)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++) {
    char c = data[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '[' || c == '{') {
      if (++depth > LX_JSON_MAX_DEPTH)
        return FALSE;
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return TRUE;
}

JsonObject *
lx_json_parse_object (const char *data, gsize length, gsize max_length, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) parse_error = NULL;
  JsonNode *root;

  if (length > max_length) {
    g_set_error (error, LX_JSON_ERROR, LX_JSON_ERROR_TOO_LARGE,
                 "%" G_GSIZE_FORMAT " bytes is over the limit of %" G_GSIZE_FORMAT " bytes", length,
                 max_length);
    return NULL;
  }
  if (!g_utf8_validate (data, (gssize) length, NULL)) {
    g_set_error_literal (error, LX_JSON_ERROR, LX_JSON_ERROR_INVALID, "not valid UTF-8");
    return NULL;
  }
  if (!depth_is_reasonable (data, length)) {
    g_set_error (error, LX_JSON_ERROR, LX_JSON_ERROR_INVALID, "nested deeper than %d levels",
                 LX_JSON_MAX_DEPTH);
    return NULL;
  }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &parse_error)) {
    /* json-glib quotes the input, and an escape such as \666 in it turns into bytes that are
     * not UTF-8: the error goes back to the client inside JSON, so it must be valid text. */
    g_autofree gchar *reason = g_utf8_make_valid (parse_error->message, -1);
    g_set_error (error, LX_JSON_ERROR, LX_JSON_ERROR_INVALID, "not valid JSON: %s", reason);
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, LX_JSON_ERROR, LX_JSON_ERROR_INVALID, "not a JSON object");
    return NULL;
  }
  return json_object_ref (json_node_get_object (root));
}

void
lx_json_add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
lx_json_add_strings (JsonBuilder *builder, const char *name, const char *const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values && values[i]; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}
