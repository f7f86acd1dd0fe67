/* The floor of a joint lesson through the real signaling server, as production runs it (booked
 * lesson, each school with its own token): a classroom raises its hand over its WebSocket, the
 * teacher's side sees it and calls it on through the REST API with the sender school's token,
 * every peer is told; a classroom's token cannot give the floor, and bad requests are refused
 * while the lesson goes on. */
#include "lx-test-client.h"
#include "lx-test-utils.h"

#include <string.h>

typedef struct {
  LxTestSignaling signaling;
  const char *lesson;
  gchar *host_port;
  LxTestClient *sender, *a, *b;
} Fixture;

static const char *const classrooms[] = { "village-a", "village-b", NULL };

static LxTestClient *
join (Fixture *fixture, const char *role, const char *school)
{
  LxTestClient *client = lx_test_client_new (fixture->host_port);

  lx_test_client_hello_full (client, role, fixture->lesson, school,
                             lx_test_token (&fixture->signaling, school));
  lx_test_client_expect_type (client, LX_MESSAGE_WELCOME);
  return client;
}

static void
setup (Fixture *fixture, gconstpointer data)
{
  lx_test_signaling_start_booked (&fixture->signaling, NULL);
  fixture->lesson = lx_test_book (&fixture->signaling, "Joint", "master", classrooms);
  fixture->host_port = g_strdup_printf ("127.0.0.1:%u", fixture->signaling.port);
  fixture->sender = join (fixture, "sender", "master");
  fixture->a = join (fixture, "receiver", "village-a");
  lx_test_client_expect_type (fixture->sender, LX_MESSAGE_CLASSROOM_JOINED);
  fixture->b = join (fixture, "receiver", "village-b");
  lx_test_client_expect_type (fixture->sender, LX_MESSAGE_CLASSROOM_JOINED);
}

static void
teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->a, lx_test_client_free);
  g_clear_pointer (&fixture->b, lx_test_client_free);
  g_clear_pointer (&fixture->sender, lx_test_client_free);
  lx_test_signaling_stop (&fixture->signaling);
  g_free (fixture->host_port);
}

/* The next message of @client is the floor: @hands and @speaking joined with commas. */
static void
expect_floor (LxTestClient *client, const char *hands, const char *speaking)
{
  g_autoptr (LxMessage) message = lx_test_client_receive (client);
  g_autofree gchar *hands_now = NULL, *speaking_now = NULL;

  g_assert_cmpstr (lx_message_type_to_string (message->type), ==, "floor");
  hands_now = g_strjoinv (",", message->hands);
  speaking_now = g_strjoinv (",", message->speaking);
  g_assert_cmpstr (hands_now, ==, hands);
  g_assert_cmpstr (speaking_now, ==, speaking);
}

static void
expect_floor_everywhere (Fixture *fixture, const char *hands, const char *speaking)
{
  expect_floor (fixture->sender, hands, speaking);
  expect_floor (fixture->a, hands, speaking);
  expect_floor (fixture->b, hands, speaking);
}

/* A REST floor request with @token; returns the status and, for 2xx/4xx, the answer's "error" or
 * the floor as "hands|speaking" in *@what. */
static guint
floor_request (Fixture *fixture, const char *token, const char *method, const char *json,
               gchar **what)
{
  g_autofree gchar *path = g_strdup_printf ("lessons/%s/floor", fixture->lesson);
  g_autoptr (JsonNode) answer = NULL;
  guint status = lx_test_api_as (&fixture->signaling, token, method, path, json, &answer);
  JsonObject *object = answer ? json_node_get_object (answer) : NULL;

  *what = NULL;
  if (object && json_object_has_member (object, "error")) {
    *what = g_strdup (json_object_get_string_member (object, "error"));
  } else if (object) {
    GString *floor = g_string_new (NULL);
    JsonArray *hands = json_object_get_array_member (object, "hands");
    JsonArray *speaking = json_object_get_array_member (object, "speaking");
    for (guint i = 0; i < json_array_get_length (hands); i++)
      g_string_append_printf (floor, "%s%s", i ? "," : "",
                              json_array_get_string_element (hands, i));
    g_string_append_c (floor, '|');
    for (guint i = 0; i < json_array_get_length (speaking); i++)
      g_string_append_printf (floor, "%s%s", i ? "," : "",
                              json_array_get_string_element (speaking, i));
    *what = g_string_free (floor, FALSE);
  }
  return status;
}

static void
assert_floor_request (Fixture *fixture, const char *token, const char *method, const char *json,
                      guint status, const char *what)
{
  g_autofree gchar *answer = NULL;

  g_assert_cmpuint (floor_request (fixture, token, method, json, &answer), ==, status);
  g_assert_cmpstr (answer, ==, what);
}

static void
test_hand_and_call_on (Fixture *fixture, gconstpointer data)
{
  const char *master = lx_test_token (&fixture->signaling, "master");
  const char *village_a = lx_test_token (&fixture->signaling, "village-a");

  g_test_message ("village-b raises its hand: everyone sees it");
  lx_test_client_send (fixture->b, "{\"type\":\"raise-hand\"}");
  expect_floor_everywhere (fixture, "village-b", "");

  g_test_message ("no token, a classroom's token: refused, nothing changes");
  assert_floor_request (fixture, NULL, "GET", NULL, 401, "unauthorized");
  assert_floor_request (fixture, village_a, "GET", NULL, 403, "forbidden");
  assert_floor_request (fixture, village_a, "POST",
                        "{\"action\":\"call-on\",\"school\":\"village-a\"}", 403, "forbidden");

  g_test_message ("the sender school reads the hands and calls village-b on");
  assert_floor_request (fixture, master, "GET", NULL, 200, "village-b|");
  assert_floor_request (fixture, master, "POST",
                        "{\"action\":\"call-on\",\"school\":\"village-b\"}", 200, "|village-b");
  expect_floor_everywhere (fixture, "", "village-b");

  g_test_message ("one speaker at a time; bad requests say what is wrong");
  assert_floor_request (fixture, master, "POST",
                        "{\"action\":\"call-on\",\"school\":\"village-a\"}", 409, "floor-full");
  assert_floor_request (fixture, master, "POST", "{\"action\":\"call-on\",\"school\":\"nobody\"}",
                        404, "unknown-school");
  assert_floor_request (fixture, master, "POST", "{\"action\":\"mute\",\"school\":\"village-a\"}",
                        400, "invalid");
  assert_floor_request (fixture, master, "POST", "{\"action\":\"call-on\"}", 400, "invalid");
  assert_floor_request (fixture, master, "POST", "not json", 400, "invalid");
  assert_floor_request (fixture, master, "DELETE", NULL, 405, "method");

  g_test_message ("IT staff hang up; the classroom's own hang-up over its socket is refused");
  lx_test_client_send (fixture->a, "{\"type\":\"hang-up\",\"school\":\"village-b\"}");
  lx_test_client_expect_error (fixture->a, LX_PROTOCOL_ERROR_NOT_ALLOWED);
  assert_floor_request (fixture, LX_TEST_ADMIN_TOKEN, "POST",
                        "{\"action\":\"hang-up\",\"school\":\"village-b\"}", 200, "|");
  expect_floor_everywhere (fixture, "", "");

  g_test_message ("the sender goes: the lesson is off the air, and calling on says so");
  g_clear_pointer (&fixture->sender, lx_test_client_free);
  lx_test_client_expect_type (fixture->a, LX_MESSAGE_SENDER_LEFT);
  assert_floor_request (fixture, master, "POST",
                        "{\"action\":\"call-on\",\"school\":\"village-a\"}", 409, "no-sender");
}

/* A stuck key: the hand flood is refused past its rate, with errors to the flooder only; the
 * others see each change that passed, and the server goes on serving them. */
static void
test_hand_flood (Fixture *fixture, gconstpointer data)
{
  guint floors = 0, refused = 0;

  for (guint i = 0; i < 40; i++)
    lx_test_client_send (fixture->a,
                         i % 2 ? "{\"type\":\"lower-hand\"}" : "{\"type\":\"raise-hand\"}");
  lx_test_client_send (fixture->a, "{\"type\":\"question\",\"text\":\"老师，第三题怎么做？\"}");
  while (floors + refused < 40) {
    g_autoptr (LxMessage) message = lx_test_client_receive (fixture->a);
    floors += message->type == LX_MESSAGE_FLOOR;
    refused +=
        message->type == LX_MESSAGE_ERROR &&
        g_str_equal (message->code, lx_protocol_error_to_string (LX_PROTOCOL_ERROR_RATE_LIMITED));
  }
  g_assert_cmpuint (floors, ==, 5);
  g_assert_cmpuint (refused, ==, 35);
  for (guint i = 0; i < 5; i++)
    expect_floor (fixture->b, i % 2 ? "" : "village-a", "");
  /* The question that followed still reached the teacher, in village-a's name. */
  for (guint i = 0; i < 5; i++)
    expect_floor (fixture->sender, i % 2 ? "" : "village-a", "");
  {
    g_autoptr (LxMessage) question = lx_test_client_receive (fixture->sender);
    g_assert_cmpint (question->type, ==, LX_MESSAGE_QUESTION);
    g_assert_cmpstr (question->school, ==, "village-a");
    g_assert_cmpstr (question->text, ==, "老师，第三题怎么做？");
  }
}

/* Runs lianxiao-ctl with @token and @args (NULL-terminated) against the fixture's server; returns
 * its exit status and (transfer full) what it printed. */
static gint
run_ctl (Fixture *fixture, const char *token, const char *const *args, gchar **out, gchar **err)
{
  g_autoptr (GSubprocessLauncher) launcher =
      lx_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree gchar *program = lx_test_program ("LX_CTL");
  g_autofree gchar *server = g_strdup_printf ("--server=http://%s", fixture->host_port);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (argv, program);
  g_ptr_array_add (argv, server);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LIANXIAO_ADMIN_TOKEN", token, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error));
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

/* The teacher's side from a terminal: lianxiao-ctl with the sender school's token reads the
 * hands and calls a classroom on; with a classroom's token it is refused, saying why. */
static void
test_from_the_command_line (Fixture *fixture, gconstpointer data)
{
  const char *master = lx_test_token (&fixture->signaling, "master");
  const char *village_b = lx_test_token (&fixture->signaling, "village-b");
  const char *show[] = { "lesson", "floor", fixture->lesson, NULL };
  const char *call_on[] = { "lesson", "call-on", fixture->lesson, "village-a", NULL };
  g_autofree gchar *out = NULL, *err = NULL;

  lx_test_client_send (fixture->a, "{\"type\":\"raise-hand\"}");
  expect_floor_everywhere (fixture, "village-a", "");
  g_assert_cmpint (run_ctl (fixture, master, show, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "hands up (in order): village-a"));
  g_assert_nonnull (strstr (out, "on air"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, village_b, call_on, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "sender school"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_ctl (fixture, master, call_on, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "speaking: village-a"));
  expect_floor_everywhere (fixture, "", "village-a");
}

/* The next message of @client is poll @id, open or not. */
static void
expect_poll (LxTestClient *client, gint id, gboolean open)
{
  g_autoptr (LxMessage) message = lx_test_client_receive (client);

  g_assert_cmpstr (lx_message_type_to_string (message->type), ==, "poll");
  g_assert_cmpint (message->poll_id, ==, id);
  g_assert_cmpint (message->poll_open, ==, open);
  g_assert_cmpint (message->choices, ==, 3);
  g_assert_cmpstr (message->text, ==, "折射角比入射角：A 大 B 小 C 相等");
}

/* A REST poll request with @token: its status, and the answer's "error" or its tally and
 * answers as "A=1,B=0,C=1|village-a=C,village-b=A" in *@what. */
static guint
poll_request (Fixture *fixture, const char *token, const char *method, const char *json,
              gchar **what)
{
  g_autofree gchar *path = g_strdup_printf ("lessons/%s/poll", fixture->lesson);
  g_autoptr (JsonNode) answer = NULL;
  guint status = lx_test_api_as (&fixture->signaling, token, method, path, json, &answer);
  JsonObject *object = answer ? json_node_get_object (answer) : NULL;

  *what = NULL;
  if (object && json_object_has_member (object, "error")) {
    *what = g_strdup (json_object_get_string_member (object, "error"));
  } else if (object) {
    GString *text = g_string_new (NULL);
    const char *members[] = { "tally", "answers" };
    for (guint m = 0; m < 2; m++) {
      JsonObject *part = json_object_get_object_member (object, members[m]);
      g_autoptr (GList) names = json_object_get_members (part);
      if (m)
        g_string_append_c (text, '|');
      for (GList *l = names; l; l = l->next) {
        JsonNode *value = json_object_get_member (part, l->data);
        g_autofree gchar *shown =
            json_node_get_value_type (value) == G_TYPE_STRING
                ? g_strdup (json_node_get_string (value))
                : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));
        g_string_append_printf (text, "%s%s=%s", l->prev ? "," : "", (const char *) l->data, shown);
      }
    }
    *what = g_string_free (text, FALSE);
  }
  return status;
}

static void
assert_poll_request (Fixture *fixture, const char *token, const char *method, const char *json,
                     guint status, const char *what)
{
  g_autofree gchar *answer = NULL;

  g_assert_cmpuint (poll_request (fixture, token, method, json, &answer), ==, status);
  g_assert_cmpstr (answer, ==, what);
}

static void
test_poll (Fixture *fixture, gconstpointer data)
{
  const char *master = lx_test_token (&fixture->signaling, "master");
  const char *village_a = lx_test_token (&fixture->signaling, "village-a");
  const char *open = "{\"action\":\"open\",\"question\":\"折射角比入射角：A 大 B 小 C 相等\","
                     "\"choices\":3}";
  const char *show[] = { "lesson", "poll", fixture->lesson, NULL };
  const char *close[] = { "lesson", "poll", fixture->lesson, "close", NULL };
  g_autofree gchar *out = NULL, *err = NULL;

  g_test_message ("no poll yet: nothing to show, nothing to answer");
  assert_poll_request (fixture, master, "GET", NULL, 404, "no-poll");
  lx_test_client_send (fixture->a, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":0}");
  lx_test_client_expect_error (fixture->a, LX_PROTOCOL_ERROR_NO_POLL);

  g_test_message ("a classroom's token cannot open one; the sender school's can, and all hear");
  assert_poll_request (fixture, village_a, "POST", open, 403, "forbidden");
  assert_poll_request (fixture, master, "POST", "{\"action\":\"open\",\"choices\":3}", 400,
                       "invalid");
  assert_poll_request (fixture, master, "POST",
                       "{\"action\":\"open\",\"question\":\"?\",\"choices\":7}", 400, "invalid");
  assert_poll_request (fixture, master, "POST", open, 200, "A=0,B=0,C=0|");
  expect_poll (fixture->sender, 1, TRUE);
  expect_poll (fixture->a, 1, TRUE);
  expect_poll (fixture->b, 1, TRUE);

  g_test_message ("each classroom answers for itself; a changed mind counts once");
  lx_test_client_send (fixture->a, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":1}");
  lx_test_client_send (fixture->a, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":2}");
  /* (a school named in the message changes nothing: a classroom answers only for itself) */
  lx_test_client_send (fixture->b, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":0,"
                                   "\"school\":\"village-a\"}");
  lx_test_client_send (fixture->b, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":3}");
  lx_test_client_expect_error (fixture->b, LX_PROTOCOL_ERROR_BAD_FIELD);
  lx_test_client_send (fixture->b, "{\"type\":\"poll-answer\",\"poll_id\":9,\"choice\":0}");
  lx_test_client_expect_error (fixture->b, LX_PROTOCOL_ERROR_NO_POLL);
  lx_test_client_send (fixture->b, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":0}");
  lx_test_client_send (fixture->sender, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":0}");
  lx_test_client_expect_error (fixture->sender, LX_PROTOCOL_ERROR_NOT_ALLOWED);
  assert_poll_request (fixture, master, "GET", NULL, 200, "A=1,B=0,C=1|village-a=C,village-b=A");

  g_test_message ("the teacher closes it from the command line: the tally stays, answers stop");
  g_assert_cmpint (run_ctl (fixture, master, close, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "closed"));
  expect_poll (fixture->a, 1, FALSE);
  lx_test_client_send (fixture->a, "{\"type\":\"poll-answer\",\"poll_id\":1,\"choice\":0}");
  lx_test_client_expect_error (fixture->a, LX_PROTOCOL_ERROR_NO_POLL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (fixture, master, show, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "A: 1"));
  g_assert_nonnull (strstr (out, "village-a → C"));
  assert_poll_request (fixture, master, "POST", "{\"action\":\"close\"}", 409, "no-poll");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/floor/hand-and-call-on", Fixture, NULL, setup, test_hand_and_call_on, teardown);
  g_test_add ("/floor/hand-flood", Fixture, NULL, setup, test_hand_flood, teardown);
  g_test_add ("/floor/poll", Fixture, NULL, setup, test_poll, teardown);
  g_test_add ("/floor/from-the-command-line", Fixture, NULL, setup, test_from_the_command_line,
              teardown);
  return g_test_run ();
}
