/* The floor of a joint lesson: which classrooms have a hand up (in the order raised) and which
 * the teacher has called on — their sound and picture go into the lesson. One per lesson, kept by
 * the signaling server, the one place every classroom's hand and the teacher's calls meet. Knows
 * nothing of the network, so its rules are tested on their own. */
#pragma once

#include <glib.h>

typedef struct _LxFloor LxFloor;

/* How many classrooms may be called on at once, by default and at most (a few voices still mix
 * into something a room can follow). */
#define LX_FLOOR_DEFAULT_SPEAKERS 1
#define LX_FLOOR_MOST_SPEAKERS 4

/* (transfer full) An empty floor that lets @max_speakers classrooms speak at once (1 to
 * LX_FLOOR_MOST_SPEAKERS). */
LxFloor *lx_floor_new (guint max_speakers);
void lx_floor_free (LxFloor *floor);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxFloor, lx_floor_free)

/* Each returns TRUE when the floor changed (everyone must be told), FALSE when it already was so. */

/* @school raises its hand: it joins the end of the queue (a classroom called on needs none). */
gboolean lx_floor_raise_hand (LxFloor *floor, const char *school);
gboolean lx_floor_lower_hand (LxFloor *floor, const char *school);
/* The teacher gives @school the floor; its hand, if up, comes down. FALSE with @error
 * (LX_PROTOCOL_ERROR_FLOOR_FULL) when as many classrooms as allowed are called on already. */
gboolean lx_floor_call_on (LxFloor *floor, const char *school, gboolean *changed, GError **error);
gboolean lx_floor_hang_up (LxFloor *floor, const char *school);
/* @school left the lesson: its hand comes down and it is hung up. */
gboolean lx_floor_forget (LxFloor *floor, const char *school);

/* (transfer none) The schools with a hand up, first raised first; the schools called on, in the
 * order called. NULL-terminated, valid until the floor next changes. */
const char *const *lx_floor_get_hands (LxFloor *floor);
const char *const *lx_floor_get_speaking (LxFloor *floor);
gboolean lx_floor_is_speaking (LxFloor *floor, const char *school);
