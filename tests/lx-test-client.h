/* A WebSocket signaling client for tests: connects to a server on this thread's main context,
 * collects what it receives, and waits (with a deadline) for the next message. */
#pragma once

#include "lx-protocol.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  SoupSession *session;
  SoupWebsocketConnection *websocket;
  GPtrArray *inbox; /* LxMessage*, oldest first */
  gboolean closed;
} LxTestClient;

/* (transfer full) Connected to ws://@host_port/ws; fails the test if it cannot. */
LxTestClient *lx_test_client_new (const char *host_port);
void lx_test_client_free (LxTestClient *client);

/* Frees @client after its connection drops without a goodbye (no close frame). */
void lx_test_client_drop (LxTestClient *client);
void lx_test_client_send (LxTestClient *client, const char *json);
/* hello in lesson @lesson as @school, with @token (NULL: none). */
void lx_test_client_hello_full (LxTestClient *client, const char *role, const char *lesson,
                                const char *school, const char *token);
/* hello in lesson "l", without a token. */
void lx_test_client_hello (LxTestClient *client, const char *role, const char *school);

/* (transfer full) The next message; fails the test after 5 s without one. */
LxMessage *lx_test_client_receive (LxTestClient *client);
void lx_test_client_expect_type (LxTestClient *client, LxMessageType type);
void lx_test_client_expect_error (LxTestClient *client, LxProtocolError code);

/* For lx_test_wait_until: TRUE once the server closed the connection. */
gboolean lx_test_client_closed (gpointer client);

G_END_DECLS
