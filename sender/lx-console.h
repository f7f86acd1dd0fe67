/* The teacher's console: web pages served by the sender itself (on the loopback address unless
 * configured otherwise), from which the teacher runs the lesson — what goes out, the sources,
 * the classrooms, the floor, polls, going on the air and ending the lesson (docs/console.md).
 *
 *   browser ──HTTP──▶ console ─┬─ pages (console-web-root)
 *                              ├─ /console/state, commands ─▶ the sender (LxConsoleHandlers)
 *                              ├─ /console/NAME.mjpg ─▶ the sender's picture feeds (lx-jpeg-feed.h)
 *                              └─ /console/poll, /record ─▶ the signaling server's REST API,
 *                                 with the school's token (lx-console-proxy.h)
 *
 * Only the teacher gets in: the school's token or the console password, once, for a session
 * cookie. Main context. */
#pragma once

#include "lx-jpeg-feed.h"
#include "lx-settings.h"

#include <json-glib/json-glib.h>

#define LX_CONSOLE_ERROR (lx_console_error_quark ())
GQuark lx_console_error_quark (void);

typedef enum {
  LX_CONSOLE_ERROR_INVALID,  /* the request is wrong (400) */
  LX_CONSOLE_ERROR_CONFLICT, /* not now: not on the air, no screen... (409) */
} LxConsoleError;

typedef struct {
  /* (transfer full) The lesson as the console shows it (an object). */
  JsonNode *(*describe) (gpointer data);
  /* Carries out @command ("source", "mute", "on-air", "end", "floor", "device") with its @body;
   * FALSE with an LX_CONSOLE_ERROR. */
  gboolean (*command) (gpointer data, const char *command, JsonObject *body, GError **error);
  /* (transfer none, nullable) The lesson on the air, for the REST API's routes. */
  const char *(*lesson) (gpointer data);
} LxConsoleHandlers;

typedef struct _LxConsole LxConsole;

/* (transfer full) The console listening on @address (HOST:PORT), its pages from @web_root;
 * teachers get in with @connection's token or @password (either may be NULL, not both). NULL
 * with @error when it cannot listen. */
LxConsole *lx_console_new (const char *address, const char *web_root,
                           const LxConnectionSettings *connection, const char *password,
                           const LxConsoleHandlers *handlers, gpointer data, GError **error);
void lx_console_free (LxConsole *console);

/* Serves @feed at /console/NAME.mjpg (the console keeps no reference: free it after). */
void lx_console_add_feed (LxConsole *console, const char *name, LxJpegFeed *feed);
/* (transfer full) The address it listens on, as http://HOST:PORT/. */
gchar *lx_console_get_url (LxConsole *console);
