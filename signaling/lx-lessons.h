/* Who is in which lesson, and the routing rules between them. Knows nothing of WebSockets: a peer
 * is anything with a send function, so the rules can be tested without a network. */
#pragma once

#include "lx-poll.h"
#include "lx-protocol.h"

G_BEGIN_DECLS

typedef struct _LxPeer LxPeer;
typedef struct _LxLessonRegistry LxLessonRegistry;

/* Delivers @message to the peer's connection. Called on the registry's thread. */
typedef void (*LxPeerSendFunc) (const LxMessage *message, gpointer user_data);
/* Why the registry closes a peer's connection, as WebSocket close codes (4000–4999: ours). */
#define LX_CLOSE_REPLACED 4000      /* a newer connection of the same school took its place */
#define LX_CLOSE_TOKEN_REVOKED 4002 /* the school's token was renewed, or the school deleted */

/* Closes the peer's connection (@code: one of the LX_CLOSE_ codes above); the registry has
 * already let go of its place in the lesson. lx_lesson_registry_remove_peer() follows as usual
 * when the connection is gone. */
typedef void (*LxPeerCloseFunc) (guint code, const char *reason, gpointer user_data);

typedef enum {
  LX_SCHOOL_JOINED,
  LX_SCHOOL_LEFT,
  LX_SCHOOL_REFUSED,
} LxSchoolEvent;

/* What the registry asks of the rest of the server (the timetable), all optional. */
typedef struct {
  /* May @hello join? FALSE with @error (LX_PROTOCOL_ERROR domain: BAD_TOKEN, NOT_BOOKED) if not. */
  gboolean (*authorize) (const LxMessage *hello, gpointer data, GError **error);
  /* A classroom's stay in a lesson ended: when it joined and left (UTC seconds), and what its
   * receiver reported (NULL if nothing): packets lost, frames decoded, mean video bitrate. */
  void (*classroom_left) (const char *lesson, const char *school, gint64 joined, gint64 left,
                          const LxMessage *last_stats, gint mean_kbps, gpointer data);
  /* Where @lesson stands now (LX_LESSON_STATE_*), and its time under way, next or last as people
   * read it (transfer full, nullable), for its sender's welcome. */
  void (*describe) (const char *lesson, gchar **state, gchar **schedule, gpointer data);
  /* What the status board says of a school that is not there: its program joined (@how NULL),
   * left (@how "left" or "link-lost"), or its hello was refused (@how the error code, @detail
   * the reason given). */
  void (*school_seen) (const char *school, LxSchoolEvent event, const char *how, const char *detail,
                       gpointer data);
  /* For the lesson's record: a classroom asked @text in writing; @poll was opened, answered or
   * closed. */
  void (*question_asked) (const char *lesson, const char *school, const char *text, gpointer data);
  void (*poll_changed) (const char *lesson, LxPoll *poll, gpointer data);
  gpointer data;
} LxLessonHooks;

/* (transfer full) An empty registry. */
LxLessonRegistry *lx_lesson_registry_new (void);
void lx_lesson_registry_free (LxLessonRegistry *registry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxLessonRegistry, lx_lesson_registry_free)

void lx_lesson_registry_set_hooks (LxLessonRegistry *registry, const LxLessonHooks *hooks);

/* (transfer none) A new peer, not yet in any lesson; owned by the registry until removed.
 * @description (an address, for logs) is copied. @send and @close get @data. */
LxPeer *lx_lesson_registry_add_peer (LxLessonRegistry *registry, const char *description,
                                     LxPeerSendFunc send, LxPeerCloseFunc close, gpointer data);

/* Handles one message received from @peer: a refused message gets an `error` reply and changes
 * nothing else. */
void lx_lesson_registry_handle (LxLessonRegistry *registry, LxPeer *peer, const char *data,
                                gsize length);

/* The peer's connection ended (@link_lost: without a goodbye): its lesson's other side is told,
 * and @peer is freed. */
void lx_lesson_registry_remove_peer (LxLessonRegistry *registry, LxPeer *peer, const char *reason,
                                     gboolean link_lost);

/* What the server knows now of one classroom in a lesson. */
typedef struct {
  gboolean connected;
  gint64 since;                                  /* UTC seconds, when it joined */
  gboolean reported;                             /* its receiver has sent statistics */
  gint64 report_age;                             /* seconds since the last report */
  gint frames_decoded, packets_lost, video_kbps; /* from the last report */
  gint rtt_ms;                                   /* as the sender measures it; -1 unknown */
  const char *state; /* its receiver's own state, from its last report; NULL unknown */
} LxClassroomStatus;

/* Fills @status for @school in @lesson; returns FALSE (and connected = FALSE) if it is not there. */
gboolean lx_lesson_registry_get_classroom (LxLessonRegistry *registry, const char *lesson,
                                           const char *school, LxClassroomStatus *status);
/* (transfer full) The ids of the lessons with anyone connected, and of the classrooms in one. */
GStrv lx_lesson_registry_list_lessons (LxLessonRegistry *registry);
GStrv lx_lesson_registry_list_classrooms (LxLessonRegistry *registry, const char *lesson);
/* (transfer none) The school sending @lesson now, or NULL. */
const char *lx_lesson_registry_get_sender (LxLessonRegistry *registry, const char *lesson);

/* Closes every connection of @school (its token was revoked): its lessons are told it left.
 * Returns how many there were. */
guint lx_lesson_registry_disconnect_school (LxLessonRegistry *registry, const char *school,
                                            const char *reason);

/* At most @max_peers_per_lesson peers (sender included) in one lesson; 0: no limit. A hello past
 * it is refused with `lesson-full`. */
void lx_lesson_registry_set_max_peers (LxLessonRegistry *registry, guint max_peers_per_lesson);
/* At most @max_speakers classrooms called on at once in one lesson (1 to LX_FLOOR_MOST_SPEAKERS;
 * lessons under way keep what they had). A call-on past it is refused with `floor-full`. */
void lx_lesson_registry_set_max_speakers (LxLessonRegistry *registry, guint max_speakers);
guint lx_lesson_registry_get_max_speakers (LxLessonRegistry *registry);
/* The teacher's side, through the REST API: gives @school the floor of @lesson (@call_on) or
 * takes it back, as a `call-on` or `hang-up` from its sender would. FALSE with @error
 * (LX_PROTOCOL_ERROR: NO_SENDER when the lesson is not on air, UNKNOWN_SCHOOL, FLOOR_FULL). */
gboolean lx_lesson_registry_give_floor (LxLessonRegistry *registry, const char *lesson,
                                        const char *school, gboolean call_on, GError **error);
/* (transfer none) The hands up in @lesson, first raised first, and the classrooms called on;
 * valid until the floor next changes. FALSE when nobody is in the lesson. */
gboolean lx_lesson_registry_get_floor (LxLessonRegistry *registry, const char *lesson,
                                       const char *const **hands, const char *const **speaking);
/* The teacher's side, through the REST API: opens a quick poll in @lesson (replacing the last),
 * whose question and choices every classroom is sent; returns its id (from 1), 0 with @error
 * (NO_SENDER) when the lesson is not on air. Closing it tells everyone too (NO_POLL: none open). */
guint lx_lesson_registry_open_poll (LxLessonRegistry *registry, const char *lesson,
                                    const char *question, guint n_choices, GError **error);
gboolean lx_lesson_registry_close_poll (LxLessonRegistry *registry, const char *lesson,
                                        GError **error);
/* (transfer none) (nullable) @lesson's last poll, open or closed, with its answers. */
LxPoll *lx_lesson_registry_get_poll (LxLessonRegistry *registry, const char *lesson);
/* TRUE once @peer's hello was accepted. */
gboolean lx_peer_is_joined (const LxPeer *peer);

guint lx_lesson_registry_count_lessons (LxLessonRegistry *registry);
guint lx_lesson_registry_count_peers (LxLessonRegistry *registry);

G_END_DECLS
