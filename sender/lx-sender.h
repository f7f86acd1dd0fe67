/* The sender: one pipeline that captures and encodes the lesson once, and a classroom branch for
 * every receiver the signaling server announces. */
#pragma once

#include "lx-sender-config.h"

typedef struct _LxSender LxSender;

/* (transfer full) Builds the capture and encoding pipeline. NULL with @error if it cannot. */
LxSender *lx_sender_new (const LxSenderConfig *config, GError **error);
void lx_sender_free (LxSender *sender);

/* Starts the pipeline, connects to the signaling server and runs until SIGINT/SIGTERM or a fatal
 * error. Returns the process exit status (0 on a requested stop). */
int lx_sender_run (LxSender *sender);
