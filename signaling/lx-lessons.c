/* The signaling server's rules (see lx-lessons.h): one sender and any number of classrooms per
 * lesson; offers go from the sender to one classroom, answers and candidates back. */
#include "lx-lessons.h"
#include "lx-floor.h"
#include "lx-poll.h"
#include "lx-limits.h"

#include <string.h>

/* A classroom may raise and lower its hand 5 times at once, then once every 2 s: every change is
 * told to every peer of the lesson, so a stuck key must not flood them. */
#define HAND_CHANGES_PER_SECOND 0.5
#define HAND_CHANGES_AT_ONCE 5
/* Written questions: 3 at once, then one every 20 s (the teacher reads each). */
#define QUESTIONS_PER_SECOND 0.05
#define QUESTIONS_AT_ONCE 3

struct _LxPeer {
  guint64 id;
  gchar *description;
  LxRole role; /* LX_ROLE_NONE until hello is accepted */
  gchar *lesson_id;
  gchar *school;
  LxPeerSendFunc send;
  LxPeerCloseFunc close;
  gpointer send_data;
  gboolean media_up; /* a classroom: its media session with the sender was negotiated (or it says
                      * so, resuming); a sender: it resumed after a lost connection */
  gint64 joined_at;  /* UTC seconds */
  LxMessage *last_stats; /* (nullable) a receiver's latest report */
  gint64 kbps_sum;       /* over its reports, for the mean */
  guint reports;
  gint64 last_report_us; /* monotonic */
  gint rtt_ms;           /* a classroom's round-trip time, as its sender reports; -1 unknown */
  gchar *video_codec;    /* (nullable) a classroom's video codec from its hello; NULL: H.264 */
  gchar *offer;          /* (nullable) a classroom that offers (a WHEP player): its SDP offer */
  LxRateBucket hand_rate, question_rate; /* a classroom's */
};

typedef struct {
  gchar *id;
  LxPeer *sender;         /* (nullable) (not owned) */
  GHashTable *classrooms; /* school id → LxPeer* (not owned) */
  LxFloor *floor;
  LxPoll *poll;    /* (nullable) the last poll, open or closed */
  guint last_poll; /* its id: numbered from 1 in each lesson */
} LxLesson;

struct _LxLessonRegistry {
  GHashTable *lessons; /* lesson id → LxLesson* (owned) */
  GHashTable *peers;   /* LxPeer* set (owned) */
  guint64 next_peer_id;
  LxLessonHooks hooks;
  guint max_peers_per_lesson; /* 0: no limit */
  guint max_speakers;         /* classrooms called on at once, per lesson */
};

static void
lesson_free (LxLesson *lesson)
{
  g_hash_table_unref (lesson->classrooms);
  lx_floor_free (lesson->floor);
  lx_poll_free (lesson->poll);
  g_free (lesson->id);
  g_free (lesson);
}

static void
peer_free (LxPeer *peer)
{
  lx_message_free (peer->last_stats);
  g_free (peer->description);
  g_free (peer->lesson_id);
  g_free (peer->school);
  g_free (peer->video_codec);
  g_free (peer->offer);
  g_free (peer);
}

LxLessonRegistry *
lx_lesson_registry_new (void)
{
  LxLessonRegistry *registry = g_new0 (LxLessonRegistry, 1);

  registry->lessons =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) lesson_free);
  registry->peers = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) peer_free, NULL);
  registry->next_peer_id = 1;
  registry->max_speakers = LX_FLOOR_DEFAULT_SPEAKERS;
  return registry;
}

void
lx_lesson_registry_free (LxLessonRegistry *registry)
{
  g_hash_table_unref (registry->lessons);
  g_hash_table_unref (registry->peers);
  g_free (registry);
}

void
lx_lesson_registry_set_hooks (LxLessonRegistry *registry, const LxLessonHooks *hooks)
{
  registry->hooks = *hooks;
}

gboolean
lx_lesson_registry_get_classroom (LxLessonRegistry *registry, const char *lesson_id,
                                  const char *school, LxClassroomStatus *status)
{
  LxLesson *lesson = g_hash_table_lookup (registry->lessons, lesson_id);
  LxPeer *peer = lesson ? g_hash_table_lookup (lesson->classrooms, school) : NULL;

  memset (status, 0, sizeof (*status));
  status->rtt_ms = -1;
  if (peer == NULL)
    return FALSE;
  status->connected = TRUE;
  status->since = peer->joined_at;
  status->rtt_ms = peer->rtt_ms;
  if (peer->last_stats) {
    status->reported = TRUE;
    status->report_age = (g_get_monotonic_time () - peer->last_report_us) / G_USEC_PER_SEC;
    status->frames_decoded = peer->last_stats->frames_decoded;
    status->packets_lost = peer->last_stats->packets_lost;
    status->video_kbps = peer->last_stats->video_kbps;
    status->state = peer->last_stats->state;
  }
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b, gpointer data)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static GStrv
sorted_keys (GHashTable *table)
{
  g_autofree gchar **keys = (gchar **) g_hash_table_get_keys_as_array (table, NULL);
  GStrv copy = g_strdupv (keys);

  g_qsort_with_data (copy, g_strv_length (copy), sizeof (gchar *), compare_strings, NULL);
  return copy;
}

GStrv
lx_lesson_registry_list_lessons (LxLessonRegistry *registry)
{
  return sorted_keys (registry->lessons);
}

GStrv
lx_lesson_registry_list_classrooms (LxLessonRegistry *registry, const char *lesson_id)
{
  LxLesson *lesson = g_hash_table_lookup (registry->lessons, lesson_id);
  return lesson ? sorted_keys (lesson->classrooms) : g_new0 (gchar *, 1);
}

const char *
lx_lesson_registry_get_sender (LxLessonRegistry *registry, const char *lesson_id)
{
  LxLesson *lesson = g_hash_table_lookup (registry->lessons, lesson_id);
  return lesson && lesson->sender ? lesson->sender->school : NULL;
}

guint
lx_lesson_registry_count_lessons (LxLessonRegistry *registry)
{
  return g_hash_table_size (registry->lessons);
}

guint
lx_lesson_registry_count_peers (LxLessonRegistry *registry)
{
  return g_hash_table_size (registry->peers);
}

LxPeer *
lx_lesson_registry_add_peer (LxLessonRegistry *registry, const char *description,
                             LxPeerSendFunc send, LxPeerCloseFunc close, gpointer send_data)
{
  LxPeer *peer = g_new0 (LxPeer, 1);

  peer->id = registry->next_peer_id++;
  peer->rtt_ms = -1;
  peer->description = g_strdup (description);
  peer->send = send;
  peer->close = close;
  peer->send_data = send_data;
  g_hash_table_add (registry->peers, peer);
  return peer;
}

static void
send_message (LxPeer *peer, const LxMessage *message)
{
  peer->send (message, peer->send_data);
}

static void refuse (LxPeer *peer, LxProtocolError code, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

static void
refuse (LxPeer *peer, LxProtocolError code, const char *format, ...)
{
  g_autoptr (LxMessage) reply = NULL;
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_message ("peer %" G_GUINT64_FORMAT " (%s, lesson %s, school %s): refused: %s (%s)", peer->id,
             peer->description, peer->lesson_id ? peer->lesson_id : "-",
             peer->school ? peer->school : "-", text, lx_protocol_error_to_string (code));
  reply = lx_message_new_error (code, "%s", text);
  send_message (peer, reply);
}

/* Tells @peer that something about @classroom happened (classroom-joined / classroom-left);
 * @resume: the classroom's media session may still be up (keep it if you have it). */
static void
send_about_classroom (LxPeer *peer, LxMessageType type, const LxPeer *classroom, const char *reason,
                      gboolean resume)
{
  g_autoptr (LxMessage) message = lx_message_new (type);

  message->school = g_strdup (classroom->school);
  if (type == LX_MESSAGE_CLASSROOM_JOINED) {
    message->video_codec = g_strdup (classroom->video_codec);
    message->sdp = g_strdup (classroom->offer);
  }
  message->reason = g_strdup (reason);
  message->resume = resume;
  send_message (peer, message);
}

static void
send_to_classrooms (LxLesson *lesson, LxMessageType type, const char *reason, gboolean resume)
{
  GHashTableIter iter;
  LxPeer *classroom;
  g_autoptr (LxMessage) message = lx_message_new (type);

  message->reason = g_strdup (reason);
  message->resume = resume;
  g_hash_table_iter_init (&iter, lesson->classrooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &classroom))
    send_message (classroom, message);
}

/* A newer connection of the same school in the same role takes the older one's place (the older
 * one is usually dead: a network that dropped, a server that never heard the close). Its stay in
 * the lesson goes on, for the attendance record; the older connection is closed. */
static void
replace_same_school (LxLesson *lesson, LxPeer *peer)
{
  LxPeer *old = peer->role == LX_ROLE_SENDER
                    ? lesson->sender
                    : g_hash_table_lookup (lesson->classrooms, peer->school);

  if (old == NULL)
    return;
  g_message ("lesson %s: %s %s: a newer connection from %s replaces the one from %s", lesson->id,
             lx_role_to_string (peer->role), peer->school, peer->description, old->description);
  peer->joined_at = old->joined_at;
  peer->last_stats = g_steal_pointer (&old->last_stats);
  peer->kbps_sum = old->kbps_sum;
  peer->reports = old->reports;
  peer->last_report_us = old->last_report_us;
  peer->rtt_ms = old->rtt_ms;
  /* The old connection no longer speaks for anyone: what it still sends is refused, and its
   * close changes nothing in the lesson. */
  old->role = LX_ROLE_NONE;
  g_clear_pointer (&old->lesson_id, g_free);
  if (old->close)
    old->close (LX_CLOSE_REPLACED, "replaced by a newer connection", old->send_data);
}

static void
tell_school_seen (LxLessonRegistry *registry, const char *school, LxSchoolEvent event,
                  const char *how, const char *detail)
{
  if (registry->hooks.school_seen && school)
    registry->hooks.school_seen (school, event, how, detail, registry->hooks.data);
}

static void refuse_hello (LxLessonRegistry *registry, LxPeer *peer, const LxMessage *hello,
                          LxProtocolError code, const char *format, ...) G_GNUC_PRINTF (5, 6);

/* Refuses @hello, and remembers for the status board why the school could not join. */
static void
refuse_hello (LxLessonRegistry *registry, LxPeer *peer, const LxMessage *hello,
              LxProtocolError code, const char *format, ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  refuse (peer, code, "%s", text);
  tell_school_seen (registry, hello->school, LX_SCHOOL_REFUSED, lx_protocol_error_to_string (code),
                    text);
}

static LxMessage *
floor_message (LxLesson *lesson)
{
  LxMessage *message = lx_message_new (LX_MESSAGE_FLOOR);

  message->hands = g_strdupv ((GStrv) lx_floor_get_hands (lesson->floor));
  message->speaking = g_strdupv ((GStrv) lx_floor_get_speaking (lesson->floor));
  return message;
}

/* A peer joining assumes nobody's hand is up and nobody speaks: it is told otherwise. */
static void
send_floor_if_taken (LxLesson *lesson, LxPeer *peer)
{
  g_autoptr (LxMessage) message = NULL;

  if (!lx_floor_get_hands (lesson->floor)[0] && !lx_floor_get_speaking (lesson->floor)[0])
    return;
  message = floor_message (lesson);
  send_message (peer, message);
}

/* @message to the sender and every classroom of @lesson. */
static void
tell_everyone (LxLesson *lesson, LxMessage *message)
{
  GHashTableIter iter;
  LxPeer *classroom;

  if (lesson->sender)
    send_message (lesson->sender, message);
  g_hash_table_iter_init (&iter, lesson->classrooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &classroom))
    send_message (classroom, message);
}

/* The floor changed: everyone in the lesson is told how it stands now. */
static void
tell_floor (LxLesson *lesson)
{
  g_autoptr (LxMessage) message = floor_message (lesson);
  g_autofree gchar *hands = g_strjoinv (", ", message->hands);
  g_autofree gchar *speaking = g_strjoinv (", ", message->speaking);

  g_message ("lesson %s: floor: hands up [%s], speaking [%s]", lesson->id, hands, speaking);
  tell_everyone (lesson, message);
}

static LxMessage *
poll_message (LxPoll *poll)
{
  LxMessage *message = lx_message_new (LX_MESSAGE_POLL);

  message->poll_id = (gint) lx_poll_get_id (poll);
  message->text = g_strdup (lx_poll_get_question (poll));
  message->choices = (gint) lx_poll_get_n_choices (poll);
  message->poll_open = lx_poll_is_open (poll);
  return message;
}

/* A classroom joining while a poll is open is asked too. */
static void
send_poll_if_open (LxLesson *lesson, LxPeer *peer)
{
  g_autoptr (LxMessage) message = NULL;

  if (lesson->poll == NULL || !lx_poll_is_open (lesson->poll))
    return;
  message = poll_message (lesson->poll);
  send_message (peer, message);
}

static void
handle_hello (LxLessonRegistry *registry, LxPeer *peer, const LxMessage *hello)
{
  LxLesson *lesson;
  g_autoptr (LxMessage) welcome = NULL;

  if (hello->version != LX_PROTOCOL_VERSION) {
    refuse_hello (registry, peer, hello, LX_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
                  "protocol version %d is not supported; this server speaks version %d",
                  hello->version, LX_PROTOCOL_VERSION);
    return;
  }

  if (registry->hooks.authorize) {
    g_autoptr (GError) error = NULL;
    if (!registry->hooks.authorize (hello, registry->hooks.data, &error)) {
      refuse_hello (registry, peer, hello, error->code, "%s", error->message);
      return;
    }
  }

  lesson = g_hash_table_lookup (registry->lessons, hello->lesson);
  if (hello->role == LX_ROLE_SENDER && lesson && lesson->sender &&
      !g_str_equal (lesson->sender->school, hello->school)) {
    refuse_hello (registry, peer, hello, LX_PROTOCOL_ERROR_LESSON_HAS_SENDER,
                  "lesson '%s' already has a sender (school '%s')", hello->lesson,
                  lesson->sender->school);
    return;
  }

  /* (a school joining again takes its own place: it adds no peer) */
  if (lesson && registry->max_peers_per_lesson > 0 &&
      g_hash_table_size (lesson->classrooms) + (lesson->sender != NULL) >=
          registry->max_peers_per_lesson &&
      !(hello->role == LX_ROLE_SENDER && lesson->sender) &&
      !(hello->role == LX_ROLE_RECEIVER &&
        g_hash_table_contains (lesson->classrooms, hello->school))) {
    refuse_hello (registry, peer, hello, LX_PROTOCOL_ERROR_LESSON_FULL,
                  "lesson '%s' already has %u peers, the most allowed", hello->lesson,
                  registry->max_peers_per_lesson);
    return;
  }

  if (lesson == NULL) {
    lesson = g_new0 (LxLesson, 1);
    lesson->id = g_strdup (hello->lesson);
    lesson->classrooms = g_hash_table_new (g_str_hash, g_str_equal);
    lesson->floor = lx_floor_new (registry->max_speakers);
    g_hash_table_insert (registry->lessons, lesson->id, lesson);
  }
  peer->role = hello->role;
  peer->lesson_id = g_strdup (hello->lesson);
  peer->school = g_strdup (hello->school);
  peer->video_codec = g_strdup (hello->video_codec);
  peer->offer = hello->role == LX_ROLE_RECEIVER ? g_strdup (hello->sdp) : NULL;
  peer->joined_at = g_get_real_time () / G_USEC_PER_SEC;
  peer->media_up = hello->resume;
  replace_same_school (lesson, peer);
  tell_school_seen (registry, peer->school, LX_SCHOOL_JOINED, NULL, NULL);

  welcome = lx_message_new (LX_MESSAGE_WELCOME);
  welcome->version = LX_PROTOCOL_VERSION;
  welcome->lesson = g_strdup (lesson->id);

  if (peer->role == LX_ROLE_SENDER) {
    GHashTableIter iter;
    LxPeer *classroom;

    lesson->sender = peer;
    g_message ("lesson %s: sender %s joined from %s%s (%u classrooms waiting)", lesson->id,
               peer->school, peer->description, hello->resume ? ", resuming" : "",
               g_hash_table_size (lesson->classrooms));
    welcome->sender_present = TRUE;
    /* A mistyped lesson number must not look like a lesson under way. */
    if (registry->hooks.describe)
      registry->hooks.describe (lesson->id, &welcome->lesson_state, &welcome->schedule,
                                registry->hooks.data);
    send_message (peer, welcome);
    send_floor_if_taken (lesson, peer);
    send_poll_if_open (lesson, peer);
    /* Classrooms whose sender restarted drop their old media session first; after a lost
     * signaling connection (resume), the media goes on as it was. */
    send_to_classrooms (lesson, LX_MESSAGE_SENDER_JOINED, NULL, hello->resume);
    g_hash_table_iter_init (&iter, lesson->classrooms);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &classroom)) {
      classroom->media_up = classroom->media_up && hello->resume;
      send_about_classroom (peer, LX_MESSAGE_CLASSROOM_JOINED, classroom, NULL,
                            classroom->media_up);
    }
  } else {
    g_hash_table_replace (lesson->classrooms, peer->school, peer);
    g_message ("lesson %s: classroom %s joined from %s%s (sender %s)", lesson->id, peer->school,
               peer->description, hello->resume ? ", resuming" : "",
               lesson->sender ? "present" : "not yet here");
    welcome->sender_present = lesson->sender != NULL;
    send_message (peer, welcome);
    send_floor_if_taken (lesson, peer);
    send_poll_if_open (lesson, peer);
    if (lesson->sender)
      send_about_classroom (lesson->sender, LX_MESSAGE_CLASSROOM_JOINED, peer, NULL, hello->resume);
  }
}

/* Passes an offer, answer, candidate or offer refusal on, naming the classroom it concerns. */
static void
forward (LxPeer *to, const LxMessage *message, const char *school)
{
  g_autoptr (LxMessage) copy = lx_message_new (message->type);

  copy->school = g_strdup (school);
  copy->sdp = g_strdup (message->sdp);
  copy->candidate = g_strdup (message->candidate);
  copy->mline_index = message->mline_index;
  copy->code = g_strdup (message->code);
  copy->message = g_strdup (message->message);
  send_message (to, copy);
}

static void
route_negotiation (LxLesson *lesson, LxPeer *peer, const LxMessage *message)
{
  const char *type = lx_message_type_to_string (message->type);

  if (peer->role == LX_ROLE_SENDER) {
    LxPeer *classroom;
    if (message->school == NULL) {
      refuse (peer, LX_PROTOCOL_ERROR_MISSING_FIELD, "%s: a sender must name the 'school'", type);
      return;
    }
    classroom = g_hash_table_lookup (lesson->classrooms, message->school);
    if (classroom == NULL) {
      refuse (peer, LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL, "%s: no classroom '%s' in lesson '%s'", type,
              message->school, lesson->id);
      return;
    }
    /* A sender answers (or refuses, or restarts ICE with) only a classroom that offered (a WHEP
     * player), and offers only to others. */
    if (message->type != LX_MESSAGE_CANDIDATE &&
        (message->type != LX_MESSAGE_OFFER) != (classroom->offer != NULL)) {
      refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED, "%s: classroom '%s' %s", type, message->school,
              classroom->offer ? "made its own offer: answer it" : "waits for an offer");
      return;
    }
    if (message->type == LX_MESSAGE_ANSWER)
      classroom->media_up = TRUE;
    g_debug ("lesson %s: %s from the sender to classroom %s", lesson->id, type, classroom->school);
    forward (classroom, message, classroom->school);
  } else {
    if (message->type == LX_MESSAGE_OFFER || message->type == LX_MESSAGE_OFFER_REFUSED) {
      refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED,
              "a classroom answers offers, it does not make "
              "or refuse them");
      return;
    }
    if (message->type == LX_MESSAGE_ICE_RESTART && peer->offer == NULL) {
      refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED,
              "ice-restart: only a classroom that made its "
              "own offer restarts ICE this way; others join again");
      return;
    }
    if (lesson->sender == NULL) {
      refuse (peer, LX_PROTOCOL_ERROR_NO_SENDER, "%s: lesson '%s' has no sender right now", type,
              lesson->id);
      return;
    }
    g_debug ("lesson %s: %s from classroom %s to the sender", lesson->id, type, peer->school);
    if (message->type == LX_MESSAGE_ANSWER)
      peer->media_up = TRUE;
    /* Whatever `school` a classroom wrote, it speaks only for itself. */
    forward (lesson->sender, message, peer->school);
  }
}

/* A classroom's hand, or its question in writing: its own, whatever it writes. */
static void
handle_classroom_floor (LxLessonRegistry *registry, LxLesson *lesson, LxPeer *peer,
                        const LxMessage *message)
{
  const char *type = lx_message_type_to_string (message->type);
  gint64 now = g_get_monotonic_time ();
  gboolean question = message->type == LX_MESSAGE_QUESTION;

  if (peer->role != LX_ROLE_RECEIVER) {
    refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED, "%s: only classrooms %s", type,
            question ? "ask questions" : "raise and lower hands");
    return;
  }
  if (question && lesson->sender == NULL) {
    refuse (peer, LX_PROTOCOL_ERROR_NO_SENDER, "question: lesson '%s' has no sender right now",
            lesson->id);
    return;
  }
  if (question ? !lx_rate_bucket_allow (&peer->question_rate, QUESTIONS_PER_SECOND,
                                        QUESTIONS_AT_ONCE, now)
               : !lx_rate_bucket_allow (&peer->hand_rate, HAND_CHANGES_PER_SECOND,
                                        HAND_CHANGES_AT_ONCE, now)) {
    refuse (peer, LX_PROTOCOL_ERROR_RATE_LIMITED, "%s: %s", type,
            question ? "at most one question every 20 seconds (3 at once)"
                     : "the hand went up and down too often (at most once every 2 seconds)");
    return;
  }
  if (question) {
    g_autoptr (LxMessage) copy = lx_message_new (LX_MESSAGE_QUESTION);
    copy->school = g_strdup (peer->school);
    copy->text = g_strdup (message->text);
    g_message ("lesson %s: classroom %s asks in writing (%zu bytes)", lesson->id, peer->school,
               strlen (message->text));
    send_message (lesson->sender, copy);
    if (registry->hooks.question_asked)
      registry->hooks.question_asked (lesson->id, peer->school, message->text,
                                      registry->hooks.data);
  } else if (message->type == LX_MESSAGE_RAISE_HAND
                 ? lx_floor_raise_hand (lesson->floor, peer->school)
                 : lx_floor_lower_hand (lesson->floor, peer->school)) {
    tell_floor (lesson);
  }
}

/* The poll changed: kept for the lesson's record. */
static void
note_poll (LxLessonRegistry *registry, LxLesson *lesson)
{
  if (registry->hooks.poll_changed)
    registry->hooks.poll_changed (lesson->id, lesson->poll, registry->hooks.data);
}

/* A classroom's answer to the open poll: its own, counted once (the last it gave). */
static void
handle_poll_answer (LxLessonRegistry *registry, LxLesson *lesson, LxPeer *peer,
                    const LxMessage *message)
{
  g_autoptr (GError) error = NULL;

  if (peer->role != LX_ROLE_RECEIVER) {
    refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED, "poll-answer: only classrooms answer polls");
    return;
  }
  /* (changing one's mind shares the hand's budget: a flood is refused the same way) */
  if (!lx_rate_bucket_allow (&peer->hand_rate, HAND_CHANGES_PER_SECOND, HAND_CHANGES_AT_ONCE,
                             g_get_monotonic_time ())) {
    refuse (peer, LX_PROTOCOL_ERROR_RATE_LIMITED,
            "poll-answer: answers changed too often (at most once every 2 seconds)");
    return;
  }
  if (lesson->poll == NULL) {
    refuse (peer, LX_PROTOCOL_ERROR_NO_POLL, "poll-answer: lesson '%s' has no poll", lesson->id);
    return;
  }
  if (!lx_poll_answer (lesson->poll, (guint) message->poll_id, peer->school,
                       (guint) message->choice, &error)) {
    refuse (peer, error->code, "poll-answer: %s", error->message);
    return;
  }
  g_message ("lesson %s: poll %d: %s answers %s", lesson->id, message->poll_id, peer->school,
             lx_poll_choice_letter ((guint) message->choice));
  note_poll (registry, lesson);
}

static LxLesson *
lesson_on_air (LxLessonRegistry *registry, const char *lesson_id, GError **error)
{
  LxLesson *lesson = g_hash_table_lookup (registry->lessons, lesson_id);

  if (lesson == NULL || lesson->sender == NULL) {
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_NO_SENDER,
                 "lesson '%s' is not on air: it has no sender right now", lesson_id);
    return NULL;
  }
  return lesson;
}

guint
lx_lesson_registry_open_poll (LxLessonRegistry *registry, const char *lesson_id,
                              const char *question, guint n_choices, GError **error)
{
  LxLesson *lesson = lesson_on_air (registry, lesson_id, error);
  g_autoptr (LxMessage) message = NULL;

  if (lesson == NULL)
    return 0;
  lx_poll_free (lesson->poll);
  lesson->poll = lx_poll_new (++lesson->last_poll, question, n_choices);
  message = poll_message (lesson->poll);
  g_message ("lesson %s: poll %u opened (%u answers)", lesson_id, lesson->last_poll, n_choices);
  tell_everyone (lesson, message);
  note_poll (registry, lesson);
  return lesson->last_poll;
}

gboolean
lx_lesson_registry_close_poll (LxLessonRegistry *registry, const char *lesson_id, GError **error)
{
  LxLesson *lesson = lesson_on_air (registry, lesson_id, error);
  g_autoptr (LxMessage) message = NULL;

  if (lesson == NULL)
    return FALSE;
  if (lesson->poll == NULL || !lx_poll_is_open (lesson->poll)) {
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_NO_POLL,
                 "lesson '%s' has no open poll", lesson_id);
    return FALSE;
  }
  lx_poll_close (lesson->poll);
  message = poll_message (lesson->poll);
  g_message ("lesson %s: poll %u closed", lesson_id, lx_poll_get_id (lesson->poll));
  tell_everyone (lesson, message);
  note_poll (registry, lesson);
  return TRUE;
}

LxPoll *
lx_lesson_registry_get_poll (LxLessonRegistry *registry, const char *lesson_id)
{
  LxLesson *lesson = g_hash_table_lookup (registry->lessons, lesson_id);
  return lesson ? lesson->poll : NULL;
}

/* Gives @school the floor (@call_on) or takes it back; everyone is told of a change. A school
 * not in the lesson cannot be called on (UNKNOWN_SCHOOL), nor one past the lesson's speakers
 * (FLOOR_FULL); hanging up one that is not speaking (it may just have left) is no error. */
static gboolean
give_floor (LxLesson *lesson, const char *school, gboolean call_on, GError **error)
{
  gboolean changed;

  if (!call_on) {
    if (lx_floor_hang_up (lesson->floor, school))
      tell_floor (lesson);
    return TRUE;
  }
  if (!g_hash_table_contains (lesson->classrooms, school)) {
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL,
                 "no classroom '%s' in lesson '%s'", school, lesson->id);
    return FALSE;
  }
  if (!lx_floor_call_on (lesson->floor, school, &changed, error))
    return FALSE;
  if (changed)
    tell_floor (lesson);
  return TRUE;
}

/* The teacher's side gives a classroom the floor or takes it back. */
static void
handle_call (LxLesson *lesson, LxPeer *peer, const LxMessage *message)
{
  const char *type = lx_message_type_to_string (message->type);
  g_autoptr (GError) error = NULL;

  if (peer->role != LX_ROLE_SENDER)
    refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED, "%s: only the lesson's sender gives the floor",
            type);
  else if (!give_floor (lesson, message->school, message->type == LX_MESSAGE_CALL_ON, &error))
    refuse (peer, error->code, "%s: %s", type, error->message);
}

gboolean
lx_lesson_registry_give_floor (LxLessonRegistry *registry, const char *lesson_id,
                               const char *school, gboolean call_on, GError **error)
{
  LxLesson *lesson = lesson_on_air (registry, lesson_id, error);
  return lesson && give_floor (lesson, school, call_on, error);
}

gboolean
lx_lesson_registry_get_floor (LxLessonRegistry *registry, const char *lesson_id,
                              const char *const **hands, const char *const **speaking)
{
  LxLesson *lesson = g_hash_table_lookup (registry->lessons, lesson_id);

  if (lesson == NULL)
    return FALSE;
  *hands = lx_floor_get_hands (lesson->floor);
  *speaking = lx_floor_get_speaking (lesson->floor);
  return TRUE;
}

guint
lx_lesson_registry_get_max_speakers (LxLessonRegistry *registry)
{
  return registry->max_speakers;
}

void
lx_lesson_registry_handle (LxLessonRegistry *registry, LxPeer *peer, const char *data, gsize length)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) message = lx_message_from_json (data, length, &error);
  LxLesson *lesson;

  if (message == NULL) {
    refuse (peer, error->code, "%s", error->message);
    return;
  }

  if (peer->role == LX_ROLE_NONE) {
    if (message->type == LX_MESSAGE_HELLO)
      handle_hello (registry, peer, message);
    else
      refuse (peer, LX_PROTOCOL_ERROR_NOT_JOINED, "send 'hello' before '%s'",
              lx_message_type_to_string (message->type));
    return;
  }

  lesson = g_hash_table_lookup (registry->lessons, peer->lesson_id);
  g_assert (lesson != NULL); /* a joined peer's lesson lives until the peer leaves */

  switch (message->type) {
  case LX_MESSAGE_HELLO:
    refuse (peer, LX_PROTOCOL_ERROR_ALREADY_JOINED, "already joined lesson '%s' as %s",
            peer->lesson_id, lx_role_to_string (peer->role));
    break;
  case LX_MESSAGE_OFFER:
  case LX_MESSAGE_ANSWER:
  case LX_MESSAGE_CANDIDATE:
  case LX_MESSAGE_OFFER_REFUSED:
  case LX_MESSAGE_ICE_RESTART:
    route_negotiation (lesson, peer, message);
    break;
  case LX_MESSAGE_RTT: {
    LxPeer *classroom = peer->role == LX_ROLE_SENDER
                            ? g_hash_table_lookup (lesson->classrooms, message->school)
                            : NULL;
    if (peer->role != LX_ROLE_SENDER)
      refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED, "only senders report 'rtt'");
    else if (classroom == NULL)
      refuse (peer, LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL, "rtt: no classroom '%s' in lesson '%s'",
              message->school, lesson->id);
    else
      classroom->rtt_ms = message->rtt_ms;
    break;
  }
  case LX_MESSAGE_LINK:
    if (peer->role != LX_ROLE_RECEIVER) {
      refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED, "only classrooms report their 'link'");
    } else if (lesson->sender) {
      /* Whatever `school` a classroom wrote, it speaks only for itself. */
      g_autoptr (LxMessage) copy = lx_message_new (LX_MESSAGE_LINK);
      copy->school = g_strdup (peer->school);
      copy->loss_permille = message->loss_permille;
      copy->video_kbps = message->video_kbps;
      copy->queue_ms = message->queue_ms;
      copy->arrived_kbps = message->arrived_kbps;
      copy->jitter_buffer_ms = message->jitter_buffer_ms;
      send_message (lesson->sender, copy);
    }
    break;
  case LX_MESSAGE_RAISE_HAND:
  case LX_MESSAGE_LOWER_HAND:
  case LX_MESSAGE_QUESTION:
    handle_classroom_floor (registry, lesson, peer, message);
    break;
  case LX_MESSAGE_CALL_ON:
  case LX_MESSAGE_HANG_UP:
    handle_call (lesson, peer, message);
    break;
  case LX_MESSAGE_POLL_ANSWER:
    handle_poll_answer (registry, lesson, peer, message);
    break;
  case LX_MESSAGE_STATS:
    if (peer->role != LX_ROLE_RECEIVER) {
      refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED, "only classrooms report 'stats'");
      break;
    }
    /* Kept for the attendance record (and, later, the live status board). */
    lx_message_free (peer->last_stats);
    peer->last_stats = g_steal_pointer (&message);
    peer->kbps_sum += peer->last_stats->video_kbps;
    peer->reports++;
    peer->last_report_us = g_get_monotonic_time ();
    break;
  default:
    refuse (peer, LX_PROTOCOL_ERROR_NOT_ALLOWED, "only the server sends '%s'",
            lx_message_type_to_string (message->type));
    break;
  }
}

void
lx_lesson_registry_remove_peer (LxLessonRegistry *registry, LxPeer *peer, const char *reason,
                                gboolean link_lost)
{
  LxLesson *lesson =
      peer->lesson_id ? g_hash_table_lookup (registry->lessons, peer->lesson_id) : NULL;

  if (lesson != NULL) {
    if (peer->role == LX_ROLE_SENDER) {
      g_message ("lesson %s: sender %s left (%s)", lesson->id, peer->school, reason);
      lesson->sender = NULL;
      send_to_classrooms (lesson, LX_MESSAGE_SENDER_LEFT, reason, FALSE);
    } else {
      g_message ("lesson %s: classroom %s left (%s)", lesson->id, peer->school, reason);
      g_hash_table_remove (lesson->classrooms, peer->school);
      if (registry->hooks.classroom_left)
        registry->hooks.classroom_left (lesson->id, peer->school, peer->joined_at,
                                        g_get_real_time () / G_USEC_PER_SEC, peer->last_stats,
                                        peer->reports ? (gint) (peer->kbps_sum / peer->reports) : 0,
                                        registry->hooks.data);
      if (lesson->sender)
        send_about_classroom (lesson->sender, LX_MESSAGE_CLASSROOM_LEFT, peer, reason, FALSE);
      if (lx_floor_forget (lesson->floor, peer->school))
        tell_floor (lesson);
    }
    tell_school_seen (registry, peer->school, LX_SCHOOL_LEFT, link_lost ? "link-lost" : "left",
                      reason);
    if (lesson->sender == NULL && g_hash_table_size (lesson->classrooms) == 0)
      g_hash_table_remove (registry->lessons, lesson->id);
  }
  g_hash_table_remove (registry->peers, peer);
}

void
lx_lesson_registry_set_max_peers (LxLessonRegistry *registry, guint max_peers_per_lesson)
{
  registry->max_peers_per_lesson = max_peers_per_lesson;
}

void
lx_lesson_registry_set_max_speakers (LxLessonRegistry *registry, guint max_speakers)
{
  registry->max_speakers = CLAMP (max_speakers, 1, LX_FLOOR_MOST_SPEAKERS);
}

gboolean
lx_peer_is_joined (const LxPeer *peer)
{
  return peer->role != LX_ROLE_NONE;
}

guint
lx_lesson_registry_disconnect_school (LxLessonRegistry *registry, const char *school,
                                      const char *reason)
{
  g_autoptr (GPtrArray) doomed = g_ptr_array_new ();
  GHashTableIter iter;
  LxPeer *peer;

  /* (collected first: closing may remove peers) */
  g_hash_table_iter_init (&iter, registry->peers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &peer, NULL))
    if (peer->role != LX_ROLE_NONE && g_strcmp0 (peer->school, school) == 0)
      g_ptr_array_add (doomed, peer);
  for (guint i = 0; i < doomed->len; i++) {
    peer = doomed->pdata[i];
    g_message ("lesson %s: school %s disconnected: %s", peer->lesson_id, school, reason);
    if (peer->close)
      peer->close (LX_CLOSE_TOKEN_REVOKED, reason, peer->send_data);
  }
  return doomed->len;
}
