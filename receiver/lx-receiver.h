/* The classroom side: joins a lesson through the signaling server, answers the sender's offer,
 * plays what arrives and reports statistics every second. */
#pragma once

#include "lx-receiver-config.h"

typedef struct _LxReceiver LxReceiver;

/* Exit statuses of lianxiao-receiver. */
enum {
  LX_RECEIVER_EXIT_OK = 0,      /* stopped, reached exit-after-frames, or the sender left */
  LX_RECEIVER_EXIT_FAILED = 1,  /* signaling or media failed */
  LX_RECEIVER_EXIT_USAGE = 2,   /* bad configuration */
  LX_RECEIVER_EXIT_TIMEOUT = 3, /* timeout-s passed before enough frames were decoded */
};

/* (transfer full) */
LxReceiver *lx_receiver_new (const LxReceiverConfig *config);
void lx_receiver_free (LxReceiver *receiver);

/* Runs until stopped (SIGINT/SIGTERM) or an exit condition; returns the exit status. */
int lx_receiver_run (LxReceiver *receiver);
