/* WHEP, the WebRTC-HTTP egress protocol (draft-ietf-wish-whep): any standard WebRTC player watches
 * a lesson. POST /whep/LESSON/SCHOOL with the player's SDP offer (application/sdp) and the school's
 * token as a bearer token: 201 Created, the sender's answer (ICE candidates included: no trickle)
 * and a Location for the session; DELETE on that ends it. The player joins the lesson as its
 * school's classroom would, under the same rules (token, booking), and its school's place in the
 * lesson is the session's while it lasts. */
#pragma once

#include "lx-lessons.h"

#include <libsoup/soup.h>

typedef struct _LxWhep LxWhep;

/* (transfer full) Serves WHEP on @server for the lessons of @registry (which must outlive it). */
LxWhep *lx_whep_new (SoupServer *server, LxLessonRegistry *registry);
void lx_whep_free (LxWhep *whep);
