/* WHEP, the WebRTC-HTTP egress protocol (draft-ietf-wish-whep): any standard WebRTC player watches
 * a lesson. POST /whep/LESSON/SCHOOL with the player's SDP offer (application/sdp) and the school's
 * token as a bearer token: 201 Created, the sender's answer (every ICE candidate of ours in it), a
 * Location and an ETag for the session, and the STUN/TURN servers in Link headers. The player's
 * own candidates may follow: PATCH on the Location with application/trickle-ice-sdpfrag (204);
 * a PATCH with new ICE credentials restarts ICE (200, ours in the body, a new ETag); DELETE ends
 * the session. The player joins the lesson as its school's classroom would, under the
 * same rules (token, booking), and its school's place in the lesson is the session's while it
 * lasts. An offer that cannot be answered is refused at once: 400 (malformed, or webrtcbin's own
 * reason), 406 (no video we can send). */
#pragma once

#include "lx-lessons.h"

#include <libsoup/soup.h>

typedef struct _LxWhep LxWhep;

/* (transfer full) Serves WHEP on @server for the lessons of @registry (which must outlive it). */
LxWhep *lx_whep_new (SoupServer *server, LxLessonRegistry *registry);
void lx_whep_free (LxWhep *whep);

/* STUN and TURN servers (nullable) to announce in Link headers: the STUN server with every answer
 * and OPTIONS, the TURN server (credentials included) only with answers. FALSE with @error if
 * either is not a stun:// or turn(s):// URL. */
gboolean lx_whep_set_ice_servers (LxWhep *whep, const char *stun_server, const char *turn_server,
                                  GError **error);
