/* The signaling server's rules, without a network: fake peers record what the registry sends them. */
#include "lx-lessons.h"

#include <string.h>

typedef struct {
  GPtrArray *inbox; /* LxMessage*, in arrival order */
  LxPeer *peer;
  gchar *closed; /* why the registry closed its connection, or NULL */
  guint close_code;
} FakePeer;

typedef struct {
  LxLessonRegistry *registry;
  FakePeer peers[6];
} Fixture;

static void
record (const LxMessage *message, gpointer data)
{
  FakePeer *fake = data;
  g_autoptr (GError) error = NULL;
  /* Through JSON and back, so that what the registry sends is checked as a peer would see it. */
  g_autofree gchar *json = lx_message_to_json (message, &error);

  g_assert_no_error (error);
  g_ptr_array_add (fake->inbox, lx_message_from_json (json, strlen (json), &error));
  g_assert_no_error (error);
}

static void
record_close (guint code, const char *reason, gpointer data)
{
  FakePeer *fake = data;
  fake->close_code = code;
  g_free (fake->closed);
  fake->closed = g_strdup (reason);
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  fixture->registry = lx_lesson_registry_new ();
  for (guint i = 0; i < G_N_ELEMENTS (fixture->peers); i++) {
    g_autofree gchar *name = g_strdup_printf ("fake-%u", i);
    fixture->peers[i].inbox = g_ptr_array_new_with_free_func ((GDestroyNotify) lx_message_free);
    fixture->peers[i].peer = lx_lesson_registry_add_peer (fixture->registry, name, record,
                                                          record_close, &fixture->peers[i]);
  }
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  lx_lesson_registry_free (fixture->registry);
  for (guint i = 0; i < G_N_ELEMENTS (fixture->peers); i++) {
    g_ptr_array_unref (fixture->peers[i].inbox);
    g_free (fixture->peers[i].closed);
  }
}

static void
send_json (Fixture *fixture, guint index, const char *json)
{
  lx_lesson_registry_handle (fixture->registry, fixture->peers[index].peer, json, strlen (json));
}

static void
hello (Fixture *fixture, guint index, const char *role, const char *lesson, const char *school)
{
  g_autofree gchar *json = g_strdup_printf (
      "{\"type\":\"hello\",\"version\":1,\"role\":\"%s\",\"lesson\":\"%s\",\"school\":\"%s\"}",
      role, lesson, school);
  send_json (fixture, index, json);
}

/* (transfer none) The oldest message @index has not read yet; fails if there is none. */
static LxMessage *
next_message (Fixture *fixture, guint index)
{
  GPtrArray *inbox = fixture->peers[index].inbox;
  static LxMessage *taken = NULL;

  g_clear_pointer (&taken, lx_message_free);
  if (inbox->len == 0)
    g_error ("peer %u expected a message, has none", index);
  taken = g_ptr_array_steal_index (inbox, 0);
  return taken;
}

static void
expect_type (Fixture *fixture, guint index, LxMessageType type)
{
  LxMessage *message = next_message (fixture, index);
  if (message->type != type)
    g_error ("peer %u expected '%s', got '%s' (%s)", index, lx_message_type_to_string (type),
             lx_message_type_to_string (message->type), message->message ? message->message : "");
}

static void
expect_error (Fixture *fixture, guint index, LxProtocolError code)
{
  LxMessage *message = next_message (fixture, index);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_ERROR);
  g_assert_cmpstr (message->code, ==, lx_protocol_error_to_string (code));
  g_assert_nonnull (message->message);
}

static void
expect_nothing (Fixture *fixture, guint index)
{
  g_assert_cmpuint (fixture->peers[index].inbox->len, ==, 0);
}

/* Sender 0 and classrooms 1 and 2 in lesson "l", inboxes emptied. */
static void
join_lesson (Fixture *fixture)
{
  hello (fixture, 0, "sender", "l", "master");
  expect_type (fixture, 0, LX_MESSAGE_WELCOME);
  hello (fixture, 1, "receiver", "l", "a");
  expect_type (fixture, 1, LX_MESSAGE_WELCOME);
  expect_type (fixture, 0, LX_MESSAGE_CLASSROOM_JOINED);
  hello (fixture, 2, "receiver", "l", "b");
  expect_type (fixture, 2, LX_MESSAGE_WELCOME);
  expect_type (fixture, 0, LX_MESSAGE_CLASSROOM_JOINED);
}

/* The next message of @index must be the floor: @hands and @speaking, joined with commas. */
static void
expect_floor (Fixture *fixture, guint index, const char *hands, const char *speaking)
{
  LxMessage *message = next_message (fixture, index);
  g_autofree gchar *hands_now = NULL, *speaking_now = NULL;

  g_assert_cmpint (message->type, ==, LX_MESSAGE_FLOOR);
  hands_now = g_strjoinv (",", message->hands);
  speaking_now = g_strjoinv (",", message->speaking);
  g_assert_cmpstr (hands_now, ==, hands);
  g_assert_cmpstr (speaking_now, ==, speaking);
}

/* Every peer of the lesson (sender 0, classrooms 1 and 2) is told the floor as it stands. */
static void
expect_floor_everywhere (Fixture *fixture, const char *hands, const char *speaking)
{
  for (guint i = 0; i < 3; i++)
    expect_floor (fixture, i, hands, speaking);
}

/* Hands queue in the order raised; calling on takes the hand down; one speaker at a time by
 * default; hanging up frees the floor; a classroom that leaves is forgotten; a newcomer is told. */
static void
test_floor (Fixture *fixture, gconstpointer data)
{
  join_lesson (fixture);
  send_json (fixture, 2, "{\"type\":\"raise-hand\"}");
  expect_floor_everywhere (fixture, "b", "");
  send_json (fixture, 1, "{\"type\":\"raise-hand\"}");
  expect_floor_everywhere (fixture, "b,a", "");
  /* Raising it again changes nothing, and nobody is told. */
  send_json (fixture, 1, "{\"type\":\"raise-hand\"}");
  for (guint i = 0; i < 3; i++)
    expect_nothing (fixture, i);

  send_json (fixture, 0, "{\"type\":\"call-on\",\"school\":\"a\"}");
  expect_floor_everywhere (fixture, "b", "a");
  /* One at a time: b waits until a is hung up. */
  send_json (fixture, 0, "{\"type\":\"call-on\",\"school\":\"b\"}");
  expect_error (fixture, 0, LX_PROTOCOL_ERROR_FLOOR_FULL);
  expect_nothing (fixture, 1);
  send_json (fixture, 0, "{\"type\":\"hang-up\",\"school\":\"a\"}");
  expect_floor_everywhere (fixture, "b", "");
  send_json (fixture, 0, "{\"type\":\"call-on\",\"school\":\"b\"}");
  expect_floor_everywhere (fixture, "", "b");

  /* A classroom joining now hears who speaks. */
  hello (fixture, 3, "receiver", "l", "c");
  expect_type (fixture, 3, LX_MESSAGE_WELCOME);
  expect_floor (fixture, 3, "", "b");
  expect_type (fixture, 0, LX_MESSAGE_CLASSROOM_JOINED);

  /* The speaker leaves: the others are told the floor is free; hanging it up then is no error. */
  lx_lesson_registry_remove_peer (fixture->registry, fixture->peers[2].peer, "gone", TRUE);
  fixture->peers[2].peer = NULL;
  expect_type (fixture, 0, LX_MESSAGE_CLASSROOM_LEFT);
  expect_floor (fixture, 0, "", "");
  expect_floor (fixture, 1, "", "");
  expect_floor (fixture, 3, "", "");
  send_json (fixture, 0, "{\"type\":\"hang-up\",\"school\":\"b\"}");
  expect_nothing (fixture, 0);
  /* ...and it cannot be called on. */
  send_json (fixture, 0, "{\"type\":\"call-on\",\"school\":\"b\"}");
  expect_error (fixture, 0, LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL);
}

/* A stuck key or a script: hands and questions past their rate are refused, each with one error,
 * and the other classrooms hear nothing of them. Questions reach the sender in the asker's name. */
static void
test_floor_flood (Fixture *fixture, gconstpointer data)
{
  LxMessage *message;
  guint refused = 0, questions = 0;

  join_lesson (fixture);
  for (guint i = 0; i < 50; i++)
    send_json (fixture, 1, i % 2 ? "{\"type\":\"lower-hand\"}" : "{\"type\":\"raise-hand\"}");
  while (fixture->peers[1].inbox->len > 0) {
    message = next_message (fixture, 1);
    refused +=
        message->type == LX_MESSAGE_ERROR &&
        g_str_equal (message->code, lx_protocol_error_to_string (LX_PROTOCOL_ERROR_RATE_LIMITED));
  }
  g_assert_cmpuint (refused, ==, 45);
  g_assert_cmpuint (fixture->peers[2].inbox->len, ==, 5); /* the five changes that passed */

  for (guint i = 0; i < 10; i++)
    send_json (fixture, 2, "{\"type\":\"question\",\"school\":\"a\",\"text\":\"为什么？\"}");
  while (fixture->peers[0].inbox->len > 0) {
    message = next_message (fixture, 0);
    if (message->type != LX_MESSAGE_QUESTION)
      continue;
    g_assert_cmpstr (message->school, ==, "b");
    g_assert_cmpstr (message->text, ==, "为什么？");
    questions++;
  }
  g_assert_cmpuint (questions, ==, 3);
}

static void
test_join_and_route (Fixture *fixture, gconstpointer data)
{
  LxMessage *message;

  /* A classroom that arrives first waits; the sender then hears of it. */
  hello (fixture, 1, "receiver", "l", "a");
  message = next_message (fixture, 1);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_WELCOME);
  g_assert_false (message->sender_present);
  hello (fixture, 0, "sender", "l", "master");
  expect_type (fixture, 0, LX_MESSAGE_WELCOME);
  expect_type (fixture, 1, LX_MESSAGE_SENDER_JOINED);
  message = next_message (fixture, 0);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_CLASSROOM_JOINED);
  g_assert_cmpstr (message->school, ==, "a");

  /* A classroom that arrives later is announced at once. */
  hello (fixture, 2, "receiver", "l", "b");
  message = next_message (fixture, 2);
  g_assert_true (message->sender_present);
  message = next_message (fixture, 0);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_CLASSROOM_JOINED);
  g_assert_cmpstr (message->school, ==, "b");

  /* The offer reaches classroom b only. */
  send_json (fixture, 0, "{\"type\":\"offer\",\"school\":\"b\",\"sdp\":\"v=0 for b\"}");
  message = next_message (fixture, 2);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_OFFER);
  g_assert_cmpstr (message->sdp, ==, "v=0 for b");
  expect_nothing (fixture, 1);

  /* The answer and candidates go back to the sender, labelled with b even if b claims to be a. */
  send_json (fixture, 2, "{\"type\":\"answer\",\"school\":\"a\",\"sdp\":\"v=0 from b\"}");
  message = next_message (fixture, 0);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_ANSWER);
  g_assert_cmpstr (message->school, ==, "b");
  g_assert_cmpstr (message->sdp, ==, "v=0 from b");
  send_json (fixture, 2, "{\"type\":\"candidate\",\"mline_index\":1,\"candidate\":\"c-b\"}");
  message = next_message (fixture, 0);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_CANDIDATE);
  g_assert_cmpstr (message->school, ==, "b");
  g_assert_cmpint (message->mline_index, ==, 1);
  g_assert_cmpstr (message->candidate, ==, "c-b");

  send_json (fixture, 0,
             "{\"type\":\"candidate\",\"school\":\"a\",\"mline_index\":0,\"candidate\":\"c-s\"}");
  message = next_message (fixture, 1);
  g_assert_cmpstr (message->candidate, ==, "c-s");
  expect_nothing (fixture, 2);
  g_assert_cmpuint (lx_lesson_registry_count_lessons (fixture->registry), ==, 1);
}

/* A browser without H.264 says so in its hello; the sender hears it with the classroom, whether
 * the classroom came first or second. */
static void
test_video_codec_reaches_the_sender (Fixture *fixture, gconstpointer data)
{
  LxMessage *message;

  send_json (fixture, 1,
             "{\"type\":\"hello\",\"version\":1,\"role\":\"receiver\",\"lesson\":"
             "\"l\",\"school\":\"tv-box\",\"video_codec\":\"VP8\"}");
  expect_type (fixture, 1, LX_MESSAGE_WELCOME);
  hello (fixture, 0, "sender", "l", "master");
  expect_type (fixture, 0, LX_MESSAGE_WELCOME);
  message = next_message (fixture, 0);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_CLASSROOM_JOINED);
  g_assert_cmpstr (message->video_codec, ==, LX_VIDEO_CODEC_VP8);
  /* A native classroom names none: H.264. */
  hello (fixture, 2, "receiver", "l", "mini-pc");
  expect_type (fixture, 2, LX_MESSAGE_WELCOME);
  message = next_message (fixture, 0);
  g_assert_cmpstr (message->school, ==, "mini-pc");
  g_assert_null (message->video_codec);
}

/* A classroom that offers itself (a WHEP player): the sender hears its offer with it, answers it,
 * and may not send it an offer; to a classroom that waits for an offer it may not answer. */
static void
test_offering_classroom (Fixture *fixture, gconstpointer data)
{
  LxMessage *message;

  hello (fixture, 0, "sender", "l", "master");
  expect_type (fixture, 0, LX_MESSAGE_WELCOME);
  send_json (fixture, 1,
             "{\"type\":\"hello\",\"version\":1,\"role\":\"receiver\",\"lesson\":"
             "\"l\",\"school\":\"player\",\"sdp\":\"v=0 (the player's offer)\"}");
  expect_type (fixture, 1, LX_MESSAGE_WELCOME);
  message = next_message (fixture, 0);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_CLASSROOM_JOINED);
  g_assert_cmpstr (message->sdp, ==, "v=0 (the player's offer)");
  hello (fixture, 2, "receiver", "l", "mini-pc");
  expect_type (fixture, 2, LX_MESSAGE_WELCOME);
  message = next_message (fixture, 0);
  g_assert_null (message->sdp);

  send_json (fixture, 0, "{\"type\":\"offer\",\"school\":\"player\",\"sdp\":\"v=0\"}");
  expect_error (fixture, 0, LX_PROTOCOL_ERROR_NOT_ALLOWED);
  send_json (fixture, 0, "{\"type\":\"answer\",\"school\":\"mini-pc\",\"sdp\":\"v=0\"}");
  expect_error (fixture, 0, LX_PROTOCOL_ERROR_NOT_ALLOWED);
  expect_nothing (fixture, 2);
  send_json (fixture, 0, "{\"type\":\"answer\",\"school\":\"player\",\"sdp\":\"v=0 answer\"}");
  message = next_message (fixture, 1);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_ANSWER);
  g_assert_cmpstr (message->sdp, ==, "v=0 answer");
  /* Candidates go either way as before. */
  send_json (fixture, 0,
             "{\"type\":\"candidate\",\"school\":\"player\",\"mline_index\":0,"
             "\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 9 typ host\"}");
  expect_type (fixture, 1, LX_MESSAGE_CANDIDATE);
}

static void
test_lessons_are_separate (Fixture *fixture, gconstpointer data)
{
  hello (fixture, 0, "sender", "l1", "master");
  expect_type (fixture, 0, LX_MESSAGE_WELCOME);
  hello (fixture, 1, "sender", "l2", "master");
  expect_type (fixture, 1, LX_MESSAGE_WELCOME);
  hello (fixture, 2, "receiver", "l2", "a");
  expect_type (fixture, 2, LX_MESSAGE_WELCOME);
  expect_type (fixture, 1, LX_MESSAGE_CLASSROOM_JOINED);
  expect_nothing (fixture, 0);
  /* The sender of l1 cannot reach a classroom of l2. */
  send_json (fixture, 0, "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"v=0\"}");
  expect_error (fixture, 0, LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL);
  expect_nothing (fixture, 2);
  g_assert_cmpuint (lx_lesson_registry_count_lessons (fixture->registry), ==, 2);
}

typedef struct {
  const char *name;
  guint peer; /* who sends it, after join_lesson() (0 sender, 1-2 classrooms, 3 not joined) */
  const char *json;
  LxProtocolError code;
} RefusedCase;

static const RefusedCase refused_cases[] = {
  { "not-json", 1, "{not json", LX_PROTOCOL_ERROR_INVALID_JSON },
  { "offer-before-hello", 3, "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"v=0\"}",
    LX_PROTOCOL_ERROR_NOT_JOINED },
  { "second-hello", 1,
    "{\"type\":\"hello\",\"version\":1,\"role\":\"receiver\",\"lesson\":\"m\",\"school\":\"z\"}",
    LX_PROTOCOL_ERROR_ALREADY_JOINED },
  { "old-version", 3,
    "{\"type\":\"hello\",\"version\":7,\"role\":\"receiver\",\"lesson\":\"l\",\"school\":\"z\"}",
    LX_PROTOCOL_ERROR_UNSUPPORTED_VERSION },
  { "second-sender", 3,
    "{\"type\":\"hello\",\"version\":1,\"role\":\"sender\",\"lesson\":\"l\",\"school\":\"y\"}",
    LX_PROTOCOL_ERROR_LESSON_HAS_SENDER },
  { "classroom-offers", 1, "{\"type\":\"offer\",\"school\":\"b\",\"sdp\":\"v=0\"}",
    LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "sender-answers", 0, "{\"type\":\"answer\",\"school\":\"a\",\"sdp\":\"v=0\"}",
    LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "sender-candidate-without-school", 0,
    "{\"type\":\"candidate\",\"mline_index\":0,\"candidate\":\"c\"}",
    LX_PROTOCOL_ERROR_MISSING_FIELD },
  { "offer-to-unknown-school", 0, "{\"type\":\"offer\",\"school\":\"nobody\",\"sdp\":\"v=0\"}",
    LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL },
  { "client-sends-welcome", 1,
    "{\"type\":\"welcome\",\"version\":1,\"lesson\":\"l\",\"sender_present\":true}",
    LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "client-sends-sender-left", 1, "{\"type\":\"sender-left\"}", LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "sender-raises-hand", 0, "{\"type\":\"raise-hand\"}", LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "classroom-calls-on", 1, "{\"type\":\"call-on\",\"school\":\"b\"}",
    LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "classroom-hangs-up-another", 1, "{\"type\":\"hang-up\",\"school\":\"b\"}",
    LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "call-on-unknown-school", 0, "{\"type\":\"call-on\",\"school\":\"nobody\"}",
    LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL },
  { "sender-asks-question", 0, "{\"type\":\"question\",\"text\":\"?\"}",
    LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "client-sends-floor", 1, "{\"type\":\"floor\",\"hands\":[\"a\"],\"speaking\":[\"a\"]}",
    LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "hand-before-hello", 3, "{\"type\":\"raise-hand\"}", LX_PROTOCOL_ERROR_NOT_JOINED },
  { "poll-answer-before-hello", 3, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":0}",
    LX_PROTOCOL_ERROR_NOT_JOINED },
  { "poll-answer-without-poll", 1, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":0}",
    LX_PROTOCOL_ERROR_NO_POLL },
  { "poll-answer-out-of-range", 1, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":9}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "sender-answers-poll", 0, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":0}",
    LX_PROTOCOL_ERROR_NOT_ALLOWED },
  { "client-sends-poll", 1,
    "{\"type\":\"poll\",\"poll_id\":1,\"text\":\"?\",\"choices\":2,\"open\":true}",
    LX_PROTOCOL_ERROR_NOT_ALLOWED },
};

/* A refused message gets exactly one error reply, reaches nobody else and changes nothing: the
 * lesson then works as before. */
static void
test_refused (Fixture *fixture, gconstpointer data)
{
  const RefusedCase *refused = data;
  LxMessage *message;

  join_lesson (fixture);
  send_json (fixture, refused->peer, refused->json);
  expect_error (fixture, refused->peer, refused->code);
  for (guint i = 0; i < G_N_ELEMENTS (fixture->peers); i++)
    expect_nothing (fixture, i);

  g_assert_cmpuint (lx_lesson_registry_count_lessons (fixture->registry), ==, 1);
  send_json (fixture, 0, "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"v=0 still works\"}");
  message = next_message (fixture, 1);
  g_assert_cmpstr (message->sdp, ==, "v=0 still works");
}

/* A classroom vanishing mid-negotiation: the sender is told, the other classroom carries on. */
static void
test_classroom_vanishes (Fixture *fixture, gconstpointer data)
{
  LxMessage *message;

  join_lesson (fixture);
  send_json (fixture, 0, "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"v=0\"}");
  expect_type (fixture, 1, LX_MESSAGE_OFFER);
  lx_lesson_registry_remove_peer (fixture->registry, fixture->peers[1].peer, "connection lost",
                                  FALSE);
  fixture->peers[1].peer = NULL;
  message = next_message (fixture, 0);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_CLASSROOM_LEFT);
  g_assert_cmpstr (message->school, ==, "a");
  g_assert_cmpstr (message->reason, ==, "connection lost");
  expect_nothing (fixture, 2);

  /* Its late candidates have nowhere to go; b's negotiation is untouched. */
  send_json (fixture, 0,
             "{\"type\":\"candidate\",\"school\":\"a\",\"mline_index\":0,\"candidate\":\"c\"}");
  expect_error (fixture, 0, LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL);
  send_json (fixture, 0, "{\"type\":\"offer\",\"school\":\"b\",\"sdp\":\"v=0\"}");
  expect_type (fixture, 2, LX_MESSAGE_OFFER);

  /* The school may come back under the same id. */
  hello (fixture, 3, "receiver", "l", "a");
  expect_type (fixture, 3, LX_MESSAGE_WELCOME);
  expect_type (fixture, 0, LX_MESSAGE_CLASSROOM_JOINED);
}

/* The sender vanishing: every classroom is told; a restarted sender is announced and told of every
 * classroom still waiting. */
static void
test_sender_restarts (Fixture *fixture, gconstpointer data)
{
  LxMessage *message;
  gboolean seen_a = FALSE, seen_b = FALSE;

  join_lesson (fixture);
  lx_lesson_registry_remove_peer (fixture->registry, fixture->peers[0].peer, "crashed", FALSE);
  fixture->peers[0].peer = NULL;
  message = next_message (fixture, 1);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_SENDER_LEFT);
  g_assert_cmpstr (message->reason, ==, "crashed");
  expect_type (fixture, 2, LX_MESSAGE_SENDER_LEFT);

  send_json (fixture, 1, "{\"type\":\"answer\",\"sdp\":\"v=0\"}");
  expect_error (fixture, 1, LX_PROTOCOL_ERROR_NO_SENDER);

  hello (fixture, 3, "sender", "l", "master");
  expect_type (fixture, 3, LX_MESSAGE_WELCOME);
  expect_type (fixture, 1, LX_MESSAGE_SENDER_JOINED);
  expect_type (fixture, 2, LX_MESSAGE_SENDER_JOINED);
  for (guint i = 0; i < 2; i++) {
    message = next_message (fixture, 3);
    g_assert_cmpint (message->type, ==, LX_MESSAGE_CLASSROOM_JOINED);
    seen_a |= g_str_equal (message->school, "a");
    seen_b |= g_str_equal (message->school, "b");
  }
  g_assert_true (seen_a && seen_b);
}

static void
test_empty_lesson_is_forgotten (Fixture *fixture, gconstpointer data)
{
  join_lesson (fixture);
  for (guint i = 0; i < 3; i++) {
    lx_lesson_registry_remove_peer (fixture->registry, fixture->peers[i].peer, "bye", FALSE);
    fixture->peers[i].peer = NULL;
  }
  g_assert_cmpuint (lx_lesson_registry_count_lessons (fixture->registry), ==, 0);
  g_assert_cmpuint (lx_lesson_registry_count_peers (fixture->registry), ==,
                    G_N_ELEMENTS (fixture->peers) - 3);
}

static void
hello_resuming (Fixture *fixture, guint index, const char *role, const char *school)
{
  g_autofree gchar *json = g_strdup_printf (
      "{\"type\":\"hello\",\"version\":1,\"role\":\"%s\",\"lesson\":\"l\",\"school\":\"%s\","
      "\"resume\":true}",
      role, school);
  send_json (fixture, index, json);
}

/* A school whose token was revoked loses its connections; nobody else is touched. */
static void
test_revoked_school_disconnected (Fixture *fixture, gconstpointer data)
{
  join_lesson (fixture);
  g_assert_cmpuint (lx_lesson_registry_disconnect_school (fixture->registry, "a", "revoked"), ==,
                    1);
  g_assert_cmpstr (fixture->peers[1].closed, ==, "revoked");
  g_assert_cmpuint (fixture->peers[1].close_code, ==, LX_CLOSE_TOKEN_REVOKED);
  g_assert_null (fixture->peers[0].closed);
  g_assert_null (fixture->peers[2].closed);
  /* Its connection closes: the sender hears the classroom left. */
  lx_lesson_registry_remove_peer (fixture->registry, fixture->peers[1].peer, "closed", FALSE);
  fixture->peers[1].peer = NULL;
  expect_type (fixture, 0, LX_MESSAGE_CLASSROOM_LEFT);
  g_assert_cmpuint (lx_lesson_registry_disconnect_school (fixture->registry, "nobody", "x"), ==, 0);
}

/* A classroom whose connection died unnoticed joins again: the newer connection takes the old
 * one's place (which is closed), the sender hears it joined again, and nobody hears it left. */
static void
test_newer_connection_replaces (Fixture *fixture, gconstpointer data)
{
  LxMessage *message;

  join_lesson (fixture);
  hello (fixture, 3, "receiver", "l", "a");
  expect_type (fixture, 3, LX_MESSAGE_WELCOME);
  g_assert_cmpstr (fixture->peers[1].closed, ==, "replaced by a newer connection");
  g_assert_cmpuint (fixture->peers[1].close_code, ==, LX_CLOSE_REPLACED);
  message = next_message (fixture, 0);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_CLASSROOM_JOINED);
  g_assert_cmpstr (message->school, ==, "a");
  g_assert_false (message->resume);
  for (guint i = 0; i < G_N_ELEMENTS (fixture->peers); i++)
    expect_nothing (fixture, i);

  /* The old connection speaks for nobody now, and its end changes nothing. */
  send_json (fixture, 1, "{\"type\":\"answer\",\"sdp\":\"v=0\"}");
  expect_error (fixture, 1, LX_PROTOCOL_ERROR_NOT_JOINED);
  lx_lesson_registry_remove_peer (fixture->registry, fixture->peers[1].peer, "closed", FALSE);
  fixture->peers[1].peer = NULL;
  expect_nothing (fixture, 0);
  /* The new one is the classroom. */
  send_json (fixture, 0, "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"v=0 new\"}");
  message = next_message (fixture, 3);
  g_assert_cmpstr (message->sdp, ==, "v=0 new");
}

/* The server restarted: everyone joins again with resume. The sender learns which classrooms
 * still have their media, classrooms learn the sender's media goes on. */
static void
test_resume_after_server_restart (Fixture *fixture, gconstpointer data)
{
  LxMessage *message;

  hello_resuming (fixture, 1, "receiver", "a");
  expect_type (fixture, 1, LX_MESSAGE_WELCOME);
  hello (fixture, 2, "receiver", "l", "b"); /* a newcomer */
  expect_type (fixture, 2, LX_MESSAGE_WELCOME);
  hello_resuming (fixture, 0, "sender", "master");
  expect_type (fixture, 0, LX_MESSAGE_WELCOME);
  for (guint i = 1; i <= 2; i++) {
    message = next_message (fixture, i);
    g_assert_cmpint (message->type, ==, LX_MESSAGE_SENDER_JOINED);
    g_assert_true (message->resume);
  }
  for (guint i = 0; i < 2; i++) {
    message = next_message (fixture, 0);
    g_assert_cmpint (message->type, ==, LX_MESSAGE_CLASSROOM_JOINED);
    g_assert_cmpint (message->resume, ==, g_str_equal (message->school, "a"));
  }

  /* A sender that starts afresh (a restarted process) resumes nothing. */
  lx_lesson_registry_remove_peer (fixture->registry, fixture->peers[0].peer, "gone", FALSE);
  fixture->peers[0].peer = NULL;
  expect_type (fixture, 1, LX_MESSAGE_SENDER_LEFT);
  expect_type (fixture, 2, LX_MESSAGE_SENDER_LEFT);
  hello (fixture, 3, "sender", "l", "master");
  expect_type (fixture, 3, LX_MESSAGE_WELCOME);
  message = next_message (fixture, 1);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_SENDER_JOINED);
  g_assert_false (message->resume);
  message = next_message (fixture, 3);
  g_assert_false (message->resume);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/lessons/join-and-route", Fixture, NULL, setup, test_join_and_route, teardown);
  g_test_add ("/lessons/video-codec", Fixture, NULL, setup, test_video_codec_reaches_the_sender,
              teardown);
  g_test_add ("/lessons/offering-classroom", Fixture, NULL, setup, test_offering_classroom,
              teardown);
  g_test_add ("/lessons/separate", Fixture, NULL, setup, test_lessons_are_separate, teardown);
  g_test_add ("/lessons/floor", Fixture, NULL, setup, test_floor, teardown);
  g_test_add ("/lessons/floor-flood", Fixture, NULL, setup, test_floor_flood, teardown);
  for (guint i = 0; i < G_N_ELEMENTS (refused_cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/lessons/refused/%s", refused_cases[i].name);
    g_test_add (path, Fixture, &refused_cases[i], setup, test_refused, teardown);
  }
  g_test_add ("/lessons/classroom-vanishes", Fixture, NULL, setup, test_classroom_vanishes,
              teardown);
  g_test_add ("/lessons/sender-restarts", Fixture, NULL, setup, test_sender_restarts, teardown);
  g_test_add ("/lessons/revoked-school-disconnected", Fixture, NULL, setup,
              test_revoked_school_disconnected, teardown);
  g_test_add ("/lessons/newer-connection-replaces", Fixture, NULL, setup,
              test_newer_connection_replaces, teardown);
  g_test_add ("/lessons/resume-after-server-restart", Fixture, NULL, setup,
              test_resume_after_server_restart, teardown);
  g_test_add ("/lessons/empty-lesson-forgotten", Fixture, NULL, setup,
              test_empty_lesson_is_forgotten, teardown);
  return g_test_run ();
}
