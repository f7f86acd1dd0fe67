/* The console's way to the signaling server's REST API: a request from the teacher's page (the
 * lesson's poll, its record, the school's timetable) forwarded with the school's own token, which
 * the page never sees, and the answer passed back as it came. Main context. */
#pragma once

#include "lx-settings.h"

#include <libsoup/soup.h>

typedef struct _LxConsoleProxy LxConsoleProxy;

/* (transfer full) Forwards to @connection's server with its token. */
LxConsoleProxy *lx_console_proxy_new (const LxConnectionSettings *connection);
void lx_console_proxy_free (LxConsoleProxy *proxy);

/* Answers @message (paused meanwhile) with the API's answer to the same method and body at
 * @api_path (below /api/v1/, e.g. "lessons/42/poll"); 502 when the server cannot be reached. */
void lx_console_proxy_forward (LxConsoleProxy *proxy, SoupServerMessage *message,
                               const char *api_path);
