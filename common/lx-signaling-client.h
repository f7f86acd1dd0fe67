/* A WebSocket connection to lianxiao-signaling, shared by the sender and the receiver: it joins a
 * lesson with `hello`, hands each valid incoming message to the "message" signal, and sends
 * messages from any thread.
 *
 * Once joined, a lost connection (the server restarted, the network dropped) is not the end: the
 * client says so ("disconnected") and connects again by itself, 1 s, 2 s, 4 s, then every 5 s
 * apart (each ±25 %, so a hundred classrooms do not all knock at once), joining with
 * `resume: true` — media that flows meanwhile is left alone. */
#pragma once

#include "lx-protocol.h"

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LxSignalingClient LxSignalingClient;

#define LX_TYPE_SIGNALING_CLIENT (lx_signaling_client_get_type ())
G_DECLARE_FINAL_TYPE (LxSignalingClient, lx_signaling_client, LX, SIGNALING_CLIENT, GObject)

/* (transfer full) A client for the server at @url (ws:// or wss://) that will join @lesson as
 * @school in @role. Signals are emitted on the thread-default main context of the caller.
 *
 * Signals:
 *   "joined"       (LxSignalingClient *, const LxMessage *welcome)  after each successful hello
 *   "message"      (LxSignalingClient *, const LxMessage *message)  every message after welcome
 *                                                                   (`error` replies are logged)
 *   "disconnected" (LxSignalingClient *, const GError *reason)      lost after joining; the client
 *                                                                   is connecting again
 *   "closed"       (LxSignalingClient *, const GError *reason)      the end: the first connection
 *                                                                   failed, or a hello was refused */
LxSignalingClient *lx_signaling_client_new (const char *url, LxRole role, const char *lesson,
                                            const char *school, const char *token,
                                            GTlsDatabase *trusted_cas);

/* Connects and sends hello. The outcome arrives as "joined" or "closed". */
void lx_signaling_client_start (LxSignalingClient *client);

/* Sends @message; safe to call from any thread (it is sent from the client's main context, in
 * call order). Returns FALSE, logging why, if the message is invalid. */
gboolean lx_signaling_client_send (LxSignalingClient *client, const LxMessage *message);

/* Leaves and joins again at once as a newcomer (`resume: false`), so the sender negotiates this
 * classroom's media afresh; retries like after a lost connection until it is back. */
void lx_signaling_client_rejoin (LxSignalingClient *client);

/* TRUE while joined (between "joined" and "disconnected"). */
gboolean lx_signaling_client_is_joined (LxSignalingClient *client);

/* Closes the connection politely. No "closed" signal follows. */
void lx_signaling_client_stop (LxSignalingClient *client);
/* The same, saying why in the close frame: LX_GOODBYE_LESSON_ENDED from a sender whose teacher
 * ended the lesson (its classrooms are told so in sender-left). */
void lx_signaling_client_stop_because (LxSignalingClient *client, const char *reason);

G_END_DECLS
