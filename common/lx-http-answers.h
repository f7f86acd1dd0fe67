/* JSON answers of the HTTP servers (lianxiao-signaling's REST API, lianxiao-sender's console):
 * a document, or an error as {"error": CODE, "message": TEXT, "field": NAME} — the message for
 * people (Chinese first, then English), the code and field for programs. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

/* Answers @message with @status and @root as JSON (never cached). */
void lx_http_respond_json (SoupServerMessage *message, guint status, JsonNode *root);
/* Answers @message with @status and the error @code, @text and @field (nullable). */
void lx_http_respond_error (SoupServerMessage *message, guint status, const char *code,
                            const char *text, const char *field);
