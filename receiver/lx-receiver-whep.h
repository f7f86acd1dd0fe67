/* Playing from a WHEP endpoint instead of a lesson: the classroom offers (receive only, H.264 and
 * Opus, every ICE candidate in the offer), POSTs it, and plays what the answer brings, in a media
 * session its owner made, as in a lesson. One session at a time: the server is told the last one
 * ended before a new offer goes. Main context only. */
#pragma once

#include "lx-receiver-config.h"
#include "lx-receiver-session.h"

typedef struct _LxWhepSource LxWhepSource;

/* Told, on the main context, when the endpoint refused or did not answer @session's offer (or
 * the session could not offer at all): @why, for the log. */
typedef void (*LxWhepRefusedFunc) (gpointer owner, LxReceiverSession *session, const char *why);

/* (transfer full) For the config's whep-url and token; NULL with @error for a bad URL. */
LxWhepSource *lx_whep_source_new (const LxReceiverConfig *config, LxWhepRefusedFunc refused,
                                  gpointer owner, GError **error);
/* Ends the session at the server (waiting a moment for it to confirm) and frees the source. */
void lx_whep_source_free (LxWhepSource *source);
/* Negotiates @session (new, before any description) with the endpoint, after ending the last
 * session at the server. */
void lx_whep_source_negotiate (LxWhepSource *source, LxReceiverSession *session);
