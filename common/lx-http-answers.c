/* JSON answers (see lx-http-answers.h). */
#include "lx-http-answers.h"

#include "lx-json.h"

#include <string.h>

void
lx_http_respond_json (SoupServerMessage *message, guint status, JsonNode *root)
{
  gchar *body = json_to_string (root, TRUE);

  soup_server_message_set_status (message, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Cache-Control",
                                "no-store");
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE, body,
                                    strlen (body));
}

void
lx_http_respond_error (SoupServerMessage *message, guint status, const char *code, const char *text,
                       const char *field)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  lx_json_add_string (builder, "error", code);
  lx_json_add_string (builder, "message", text);
  if (field)
    lx_json_add_string (builder, "field", field);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  lx_http_respond_json (message, status, root);
}
