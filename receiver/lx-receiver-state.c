/* The classroom's state machine (see lx-receiver-state.h). */
#include "lx-receiver-state.h"

#define BIT(state) (1u << (state))
/* The states of a lesson joined through the signaling server, with or without a media session. */
#define IN_LESSON                                                                                  \
  (BIT (LX_RECEIVER_CONNECTING_TO_SERVER) | BIT (LX_RECEIVER_WAITING_FOR_SENDER) |                 \
   BIT (LX_RECEIVER_WAITING_FOR_OFFER) | WITH_SESSION)
/* The states in which a media session exists. */
#define WITH_SESSION                                                                               \
  (BIT (LX_RECEIVER_CONNECTING) | BIT (LX_RECEIVER_RECEIVING) | BIT (LX_RECEIVER_VIDEO_PAUSED) |   \
   BIT (LX_RECEIVER_RECONNECTING) | BIT (LX_RECEIVER_FAILED))
#define ANY ((1u << LX_RECEIVER_N_STATES) - 1)

/* For each state, the states it may be entered from. */
static const guint allowed_from[LX_RECEIVER_N_STATES] = {
  /* a lesson is joined (or the WHEP endpoint reached) from anywhere */
  [LX_RECEIVER_CONNECTING_TO_SERVER] = ANY,
  /* the server lost or refusing, in a lesson */
  [LX_RECEIVER_SERVER_UNREACHABLE] = IN_LESSON,
  /* the lesson is over, or none yet */
  [LX_RECEIVER_STANDBY] = ANY,
  /* the server's welcome, the teacher leaving, the teacher back */
  [LX_RECEIVER_WAITING_FOR_SENDER] = IN_LESSON,
  [LX_RECEIVER_WAITING_FOR_OFFER] = IN_LESSON,
  /* a new session: an offer (first, again, after a failure), or a WHEP offer */
  [LX_RECEIVER_CONNECTING] = IN_LESSON | BIT (LX_RECEIVER_WHEP_UNAVAILABLE),
  /* ICE connected, or pictures back after a card */
  [LX_RECEIVER_RECEIVING] = BIT (LX_RECEIVER_CONNECTING) | BIT (LX_RECEIVER_VIDEO_PAUSED) |
                            BIT (LX_RECEIVER_RECONNECTING),
  [LX_RECEIVER_VIDEO_PAUSED] =
      BIT (LX_RECEIVER_CONNECTING) | BIT (LX_RECEIVER_RECEIVING) | BIT (LX_RECEIVER_RECONNECTING),
  /* the media watchdog: a session without media, or a dead one replaced */
  [LX_RECEIVER_RECONNECTING] = WITH_SESSION,
  [LX_RECEIVER_FAILED] = WITH_SESSION,
  /* the WHEP endpoint refused an offer, or the session could not be made */
  [LX_RECEIVER_WHEP_UNAVAILABLE] = BIT (LX_RECEIVER_CONNECTING_TO_SERVER) | WITH_SESSION,
};

const char *
lx_receiver_state_to_string (LxReceiverState state)
{
  static const char *const names[LX_RECEIVER_N_STATES] = {
    [LX_RECEIVER_CONNECTING_TO_SERVER] = "connecting-to-server",
    [LX_RECEIVER_SERVER_UNREACHABLE] = "server-unreachable",
    [LX_RECEIVER_STANDBY] = "standby",
    [LX_RECEIVER_WAITING_FOR_SENDER] = "waiting-for-sender",
    [LX_RECEIVER_WAITING_FOR_OFFER] = "waiting-for-offer",
    [LX_RECEIVER_CONNECTING] = "connecting",
    [LX_RECEIVER_RECEIVING] = "receiving",
    [LX_RECEIVER_VIDEO_PAUSED] = "video-paused",
    [LX_RECEIVER_RECONNECTING] = "reconnecting",
    [LX_RECEIVER_FAILED] = "failed",
    [LX_RECEIVER_WHEP_UNAVAILABLE] = "whep-unavailable",
  };
  return state < LX_RECEIVER_N_STATES ? names[state] : "unknown";
}

gboolean
lx_receiver_state_allowed (LxReceiverState from, LxReceiverState to)
{
  if (from >= LX_RECEIVER_N_STATES || to >= LX_RECEIVER_N_STATES)
    return FALSE;
  return from == to || (allowed_from[to] & BIT (from)) != 0;
}

gboolean
lx_receiver_state_go (LxReceiverStateMachine *machine, LxReceiverState to)
{
  LxReceiverState from = machine->state;

  if (from == to)
    return TRUE;
  if (!lx_receiver_state_allowed (from, to)) {
    g_warning ("classroom %s: %s → %s is not a transition the classroom makes; staying %s",
               machine->school, lx_receiver_state_to_string (from),
               lx_receiver_state_to_string (to), lx_receiver_state_to_string (from));
    return FALSE;
  }
  machine->state = to;
  g_message ("classroom %s: %s → %s", machine->school, lx_receiver_state_to_string (from),
             lx_receiver_state_to_string (to));
  return TRUE;
}
