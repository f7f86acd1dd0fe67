/* Publishing the lesson to a WHIP endpoint (RFC 9725): a city's own WebRTC media server (Janus and
 * the like) takes the lesson's top layer and carries the fan-out to hundreds of classrooms. The
 * publication is one more branch on the shared encoders (lx-classroom.h); if the server refuses
 * it, or the connection fails, it is ended and tried again, waiting longer each time. */
#pragma once

#include "lx-classroom.h"

typedef struct _LxWhipPublisher LxWhipPublisher;

/* (transfer full) Starts publishing to @url with @token (nullable) through branches built from
 * @context. NULL with @error if @url is unusable. */
LxWhipPublisher *lx_whip_publisher_new (const LxClassroomContext *context, const char *url,
                                        const char *token, GError **error);
/* Ends the session on the server (waiting a moment for its reply) and removes the branch. */
void lx_whip_publisher_free (LxWhipPublisher *publisher);

/* (transfer none) (nullable) The branch on the air now, for statistics. */
LxClassroom *lx_whip_publisher_get_branch (LxWhipPublisher *publisher);
/* Sessions the endpoint accepted so far (1 while the first one lasts). */
guint lx_whip_publisher_get_sessions (LxWhipPublisher *publisher);

/* The publication's watchdog, once a second: what to make of the branch's @state, @silence_s
 * (seconds since the media server's last RTCP) and @attempt_s (seconds since this attempt
 * started). Returns NULL while all is well (*@up: it is connected, so the next failure waits the
 * first wait again), or why the attempt is over and a new one is due. */
const char *lx_whip_publisher_judge (LxClassroomState state, gint silence_s, gint64 attempt_s,
                                     gboolean *up);
