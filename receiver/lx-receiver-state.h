/* What a classroom is doing, as one state machine: each state, the transitions allowed between
 * them, and each change logged once. The statistics JSON, the stats message to the server (and so
 * the status board) and the tests read the states by their names; docs/receiver-states.md
 * describes them. Main context only. */
#pragma once

#include <glib.h>

typedef enum {
  LX_RECEIVER_CONNECTING_TO_SERVER, /* joining a lesson (or reaching the WHEP endpoint) */
  LX_RECEIVER_SERVER_UNREACHABLE,   /* unattended: the server refused or is away; trying again */
  LX_RECEIVER_STANDBY,              /* unattended, between lessons: the standby card */
  LX_RECEIVER_WAITING_FOR_SENDER,   /* in the lesson, the teacher is not (yet) on the air */
  LX_RECEIVER_WAITING_FOR_OFFER,    /* the teacher is on the air; their offer is on its way */
  LX_RECEIVER_CONNECTING,           /* a media session is being set up */
  LX_RECEIVER_RECEIVING,            /* pictures and sound play */
  LX_RECEIVER_VIDEO_PAUSED,         /* sound only: the sender paused this classroom's video */
  LX_RECEIVER_RECONNECTING,         /* no media for a moment: riding it out, or negotiating again */
  LX_RECEIVER_FAILED,           /* the session is dead (ICE failed, media error); replaced soon */
  LX_RECEIVER_WHEP_UNAVAILABLE, /* the WHEP endpoint refused or did not answer; trying again */
  LX_RECEIVER_N_STATES
} LxReceiverState;

typedef struct {
  LxReceiverState state;
  const char *school; /* for the log */
} LxReceiverStateMachine;

const char *lx_receiver_state_to_string (LxReceiverState state);
/* Whether a classroom may go from @from to @to (staying is always allowed). */
gboolean lx_receiver_state_allowed (LxReceiverState from, LxReceiverState to);
/* Moves @machine to @to, logging the change once; a transition that is not allowed is refused,
 * with a warning (a bug), and the state stays. Returns whether the state is @to now. */
gboolean lx_receiver_state_go (LxReceiverStateMachine *machine, LxReceiverState to);
