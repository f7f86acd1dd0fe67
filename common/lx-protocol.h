/* The Lianxiao signaling protocol: message types and their JSON form.
 * One place decides what a valid message is; the server and both clients use it (docs/protocol.md). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LX_PROTOCOL_VERSION 1
/* Largest message accepted, in bytes of JSON. An SDP offer with two media and its candidates is ~5 KiB. */
#define LX_PROTOCOL_MAX_MESSAGE_SIZE (64 * 1024)
/* Lesson and school ids: 1..64 characters of [A-Za-z0-9_.-]. */
#define LX_PROTOCOL_MAX_ID_LENGTH 64

#define LX_PROTOCOL_ERROR (lx_protocol_error_quark ())
GQuark lx_protocol_error_quark (void);

/* Error codes, sent on the wire as the strings beside them (the `code` of an `error` message). */
typedef enum {
  LX_PROTOCOL_ERROR_INVALID_JSON,        /* "invalid-json": not JSON, or not a JSON object */
  LX_PROTOCOL_ERROR_TOO_LARGE,           /* "too-large": over LX_PROTOCOL_MAX_MESSAGE_SIZE */
  LX_PROTOCOL_ERROR_UNKNOWN_TYPE,        /* "unknown-type": `type` names no message */
  LX_PROTOCOL_ERROR_MISSING_FIELD,       /* "missing-field": a required field is absent */
  LX_PROTOCOL_ERROR_BAD_FIELD,           /* "bad-field": a field has the wrong type or value */
  LX_PROTOCOL_ERROR_UNSUPPORTED_VERSION, /* "unsupported-version": hello with another version */
  LX_PROTOCOL_ERROR_NOT_JOINED,          /* "not-joined": a message before hello */
  LX_PROTOCOL_ERROR_ALREADY_JOINED,      /* "already-joined": a second hello */
  LX_PROTOCOL_ERROR_NOT_ALLOWED,       /* "not-allowed": the message does not fit the peer's role */
  LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL,    /* "unknown-school": no such classroom in the lesson */
  LX_PROTOCOL_ERROR_NO_SENDER,         /* "no-sender": the lesson has no sender right now */
  LX_PROTOCOL_ERROR_LESSON_HAS_SENDER, /* "lesson-has-sender": a second sender for one lesson */
  LX_PROTOCOL_ERROR_DUPLICATE_SCHOOL,  /* "duplicate-school": the school is already in the lesson */
  LX_PROTOCOL_ERROR_BAD_TOKEN,         /* "bad-token": the school's token is missing or wrong */
  LX_PROTOCOL_ERROR_NOT_BOOKED,        /* "not-booked": the school is not booked into the lesson
                                          * in that role, or the lesson is unknown */
  LX_PROTOCOL_ERROR_RATE_LIMITED,      /* "rate-limited": more messages than the server allows */
  LX_PROTOCOL_ERROR_LESSON_FULL,       /* "lesson-full": the lesson has as many peers as allowed */
  LX_PROTOCOL_ERROR_BAD_OFFER,         /* "bad-offer": a classroom's SDP offer is malformed or
                                          * webrtcbin could not take it */
  LX_PROTOCOL_ERROR_NO_COMMON_CODEC,   /* "no-common-codec": a classroom's offer has no video the
                                          * sender can send */
  LX_PROTOCOL_ERROR_FLOOR_FULL,        /* "floor-full": as many classrooms are called on as the
                                          * lesson allows; hang one up first */
  LX_PROTOCOL_ERROR_NO_POLL,           /* "no-poll": an answer to a poll that is not open */
} LxProtocolError;

#define LX_PROTOCOL_ERROR_LAST LX_PROTOCOL_ERROR_NO_POLL

const char *lx_protocol_error_to_string (LxProtocolError code);
/* Returns FALSE when @name is no known code. */
gboolean lx_protocol_error_from_string (const char *name, LxProtocolError *code);

typedef enum {
  LX_MESSAGE_HELLO,            /* client → server: join a lesson in a role */
  LX_MESSAGE_WELCOME,          /* server → client: hello accepted */
  LX_MESSAGE_CLASSROOM_JOINED, /* server → sender: a classroom is waiting for an offer */
  LX_MESSAGE_CLASSROOM_LEFT,   /* server → sender: a classroom went away */
  LX_MESSAGE_SENDER_JOINED, /* server → receivers: the sender (re)started; expect a new offer */
  LX_MESSAGE_SENDER_LEFT,   /* server → receivers: the sender went away */
  LX_MESSAGE_OFFER,         /* sender → receiver, through the server */
  LX_MESSAGE_ANSWER,        /* receiver → sender, through the server */
  LX_MESSAGE_CANDIDATE,     /* either way, through the server: one trickled ICE candidate */
  LX_MESSAGE_ERROR,         /* server → client: the last message was refused */
  LX_MESSAGE_STATS,         /* receiver → server: how the lesson arrives (for the record) */
  LX_MESSAGE_RTT,           /* sender → server: the round-trip time to one classroom */
  LX_MESSAGE_LINK,          /* receiver → sender, through the server, every second: how the
                                * media arrives (the sender picks the classroom's layer from it) */
  LX_MESSAGE_OFFER_REFUSED, /* sender → classroom, through the server: its offer (a WHEP
                                * player's) cannot be answered, or its ICE restart cannot be made;
                                * code and message say why */
  LX_MESSAGE_ICE_RESTART,   /* a classroom that offered (a WHEP player) → sender: restart ICE
                                * with these credentials and candidates; sender → classroom: ours
                                * (sdp: an RFC 8840 sdpfrag, both ways) */
  /* The floor of a joint lesson (signaling/lx-floor.h): */
  LX_MESSAGE_RAISE_HAND,  /* classroom → server: it has a question */
  LX_MESSAGE_LOWER_HAND,  /* classroom → server: no longer */
  LX_MESSAGE_CALL_ON,     /* sender → server: give @school the floor (its sound and picture go
                          * into the lesson) */
  LX_MESSAGE_HANG_UP,     /* sender → server: take the floor back from @school */
  LX_MESSAGE_FLOOR,       /* server → sender and every classroom, whenever it changes: the hands
                          * up in the order raised, and the classrooms called on */
  LX_MESSAGE_QUESTION,    /* classroom → server → sender: a question in writing */
  LX_MESSAGE_POLL,        /* server → sender and every classroom: a quick poll opened or
                           * closed (signaling/lx-poll.h): its id, question and choices */
  LX_MESSAGE_POLL_ANSWER, /* classroom → server: its choice (0 for A) in poll @poll_id */
  LX_MESSAGE_N_TYPES
} LxMessageType;

typedef enum {
  LX_ROLE_NONE,
  LX_ROLE_SENDER,
  LX_ROLE_RECEIVER,
} LxRole;

const char *lx_role_to_string (LxRole role);
const char *lx_message_type_to_string (LxMessageType type);

/* One message. Which fields are meaningful depends on @type (see lx-protocol.c's field table and
 * docs/protocol.md); the others are 0/NULL. All strings are owned by the message. */
typedef struct {
  LxMessageType type;
  gint version;  /* hello, welcome */
  LxRole role;   /* hello */
  gchar *lesson; /* hello, welcome */
  gchar *school; /* hello; offer/answer/candidate/classroom-*: the classroom concerned */
  gchar *token;  /* hello, optional: the school's token (required by timetabled lessons) */
  gboolean sender_present; /* welcome, for receivers */
  gchar *sdp;              /* offer, answer; hello (a classroom that offers itself: a WHEP
                            * player) and classroom-joined: that classroom's offer */
  gchar *candidate;        /* candidate */
  gint mline_index;        /* candidate */
  gchar *reason;           /* classroom-left, sender-left */
  gchar *code;             /* error, offer-refused: one of the LxProtocolError strings */
  gchar *message;          /* error, offer-refused: human-readable explanation */
  gint frames_decoded;     /* stats: since the classroom joined */
  gint packets_lost;       /* stats: since the classroom joined */
  gint video_kbps;         /* stats, link: over the last interval */
  gint rtt_ms;             /* rtt: round-trip time to the classroom @school */
  gboolean resume;         /* hello: rejoining after a lost signaling connection, media still
                            * flowing; classroom-joined, sender-joined: that peer resumes */
  gint loss_permille;      /* link: packets lost before any repair, per thousand, last second */
  gchar *video_codec;      /* hello (receivers), classroom-joined: the video codec the classroom
                            * decodes, LX_VIDEO_CODEC_*; NULL means H.264 */
  gchar *lesson_state;     /* welcome (senders): LX_LESSON_STATE_*, where the server knows it */
  gchar *schedule;         /* welcome (senders): the lesson's time under way, next or last, as
                            * people read it ("2026-12-07 10:00–10:45 Asia/Shanghai") */
  gchar *state;            /* stats, optional: the classroom's own state ("playing", "waiting-for-
                            * sender"...), for the status board */
  gint queue_ms;           /* link, optional: how much a queue on the link delays the packets now
                            * (0: none, or not known) */
  gint arrived_kbps;       /* link, optional: everything that arrived (media, repair, probes) over
                            * the interval; 0: not known */
  GStrv hands;             /* floor: the schools with a hand up, first raised first */
  GStrv speaking;          /* floor: the schools called on */
  gchar *text;             /* question: the question, UTF-8 */
  gint jitter_buffer_ms;   /* link, optional: how long the classroom's jitter buffer waits for a
                            * missing packet, now or within the next second; 0: not known */
  gint poll_id;            /* poll, poll-answer */
  gint choices;            /* poll: how many answers (2 to 4: A to D); text is its question */
  gboolean poll_open;      /* poll: answers are taken */
  gint choice;             /* poll-answer: 0 for A ... 3 for D */
} LxMessage;

/* Video codecs: H.264 (every native classroom, most browsers), VP8 (browsers without H.264). */
#define LX_VIDEO_CODEC_H264 "H264"
#define LX_VIDEO_CODEC_VP8 "VP8"
gboolean lx_protocol_video_codec_is_known (const char *codec);

/* A sender's goodbye (the close frame's reason) when its teacher ended the lesson, passed on to
 * the classrooms as sender-left's reason: they show that the lesson is over. */
#define LX_GOODBYE_LESSON_ENDED "lesson-ended"

/* Where a lesson stands, told to its sender in welcome: not in the timetable, under way now, yet
 * to come, or over (its last time is past). */
#define LX_LESSON_STATE_AD_HOC "ad-hoc"
#define LX_LESSON_STATE_UNDER_WAY "under-way"
#define LX_LESSON_STATE_UPCOMING "upcoming"
#define LX_LESSON_STATE_OVER "over"

/* (transfer full) A zeroed message of @type. */
LxMessage *lx_message_new (LxMessageType type);
void lx_message_free (LxMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxMessage, lx_message_free)

/* (transfer full) An `error` message carrying @code and a formatted explanation. */
LxMessage *lx_message_new_error (LxProtocolError code, const char *format, ...)
    G_GNUC_PRINTF (2, 3);

/* Parses and validates @length bytes of JSON. Returns (transfer full) the message, or NULL with
 * @error set in LX_PROTOCOL_ERROR naming the problem (and the field, where one is at fault). */
LxMessage *lx_message_from_json (const char *data, gsize length, GError **error);

/* Returns (transfer full) the message as compact JSON. The message must be valid: encoding checks
 * the same rules as decoding and returns NULL with @error otherwise. */
gchar *lx_message_to_json (const LxMessage *message, GError **error);

/* TRUE if @id is a valid lesson or school id. */
gboolean lx_protocol_id_is_valid (const char *id);

G_END_DECLS
