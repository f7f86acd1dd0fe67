/* The signaling protocol: every message type round-trips through JSON, and malformed messages are
 * refused with the error code that names what is wrong. */
#include "lx-protocol.h"

#include <string.h>

static gchar *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "messages", name, NULL);
}

static void
assert_ids_equal (GStrv a, GStrv b)
{
  g_assert_true ((a == NULL) == (b == NULL));
  if (a)
    g_assert_true (g_strv_equal ((const char *const *) a, (const char *const *) b));
}

static void
assert_messages_equal (const LxMessage *a, const LxMessage *b)
{
  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpint (a->version, ==, b->version);
  g_assert_cmpint (a->role, ==, b->role);
  g_assert_cmpstr (a->lesson, ==, b->lesson);
  g_assert_cmpstr (a->school, ==, b->school);
  g_assert_cmpstr (a->token, ==, b->token);
  g_assert_cmpint (a->sender_present, ==, b->sender_present);
  g_assert_cmpstr (a->sdp, ==, b->sdp);
  g_assert_cmpstr (a->candidate, ==, b->candidate);
  g_assert_cmpint (a->mline_index, ==, b->mline_index);
  g_assert_cmpstr (a->reason, ==, b->reason);
  g_assert_cmpstr (a->code, ==, b->code);
  g_assert_cmpstr (a->message, ==, b->message);
  g_assert_cmpint (a->frames_decoded, ==, b->frames_decoded);
  g_assert_cmpint (a->packets_lost, ==, b->packets_lost);
  g_assert_cmpint (a->video_kbps, ==, b->video_kbps);
  g_assert_cmpint (a->rtt_ms, ==, b->rtt_ms);
  g_assert_cmpint (a->resume, ==, b->resume);
  g_assert_cmpint (a->loss_permille, ==, b->loss_permille);
  g_assert_cmpstr (a->video_codec, ==, b->video_codec);
  g_assert_cmpstr (a->lesson_state, ==, b->lesson_state);
  g_assert_cmpstr (a->schedule, ==, b->schedule);
  g_assert_cmpint (a->queue_ms, ==, b->queue_ms);
  g_assert_cmpint (a->arrived_kbps, ==, b->arrived_kbps);
  g_assert_cmpint (a->jitter_buffer_ms, ==, b->jitter_buffer_ms);
  assert_ids_equal (a->hands, b->hands);
  assert_ids_equal (a->speaking, b->speaking);
  g_assert_cmpstr (a->text, ==, b->text);
  g_assert_cmpint (a->poll_id, ==, b->poll_id);
  g_assert_cmpint (a->choices, ==, b->choices);
  g_assert_cmpint (a->poll_open, ==, b->poll_open);
  g_assert_cmpint (a->choice, ==, b->choice);
}

/* Every sample message in tests/data/messages decodes, and decode(encode(m)) == m. */
static void
test_sample_files_round_trip (void)
{
  g_autofree gchar *dir_path = data_path ("");
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  gboolean seen[LX_MESSAGE_N_TYPES] = { FALSE };
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = data_path (name);
    g_autofree gchar *contents = NULL;
    g_autofree gchar *json = NULL;
    g_autoptr (LxMessage) decoded = NULL;
    g_autoptr (LxMessage) again = NULL;
    g_autoptr (GError) error = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    decoded = lx_message_from_json (contents, length, &error);
    g_assert_no_error (error);
    /* The file is named after its type. */
    g_assert_true (g_str_has_prefix (name, lx_message_type_to_string (decoded->type)));
    seen[decoded->type] = TRUE;

    json = lx_message_to_json (decoded, &error);
    g_assert_no_error (error);
    again = lx_message_from_json (json, strlen (json), &error);
    g_assert_no_error (error);
    assert_messages_equal (decoded, again);
  }
  for (guint type = 0; type < LX_MESSAGE_N_TYPES; type++) {
    if (!seen[type])
      g_test_message ("no sample for message type %s", lx_message_type_to_string (type));
    g_assert_true (seen[type]);
  }
}

/* Messages built in code, with every field their type has, survive encoding and decoding. */
static void
test_built_messages_round_trip (void)
{
  for (guint type = 0; type < LX_MESSAGE_N_TYPES; type++) {
    g_autoptr (LxMessage) message = lx_message_new (type);
    g_autoptr (LxMessage) decoded = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree gchar *json = NULL;

    switch ((LxMessageType) type) {
    case LX_MESSAGE_HELLO:
      message->version = LX_PROTOCOL_VERSION;
      message->role = LX_ROLE_SENDER;
      message->lesson = g_strdup ("physics.9");
      message->school = g_strdup ("county_No-1");
      message->token = g_strdup ("tökén with ünïcode");
      break;
    case LX_MESSAGE_WELCOME:
      message->version = LX_PROTOCOL_VERSION;
      message->lesson = g_strdup ("physics.9");
      message->sender_present = FALSE;
      message->lesson_state = g_strdup (LX_LESSON_STATE_UPCOMING);
      message->schedule = g_strdup ("2026-12-07 10:00–10:45 Asia/Shanghai");
      break;
    case LX_MESSAGE_CLASSROOM_JOINED:
      message->school = g_strdup ("a");
      message->resume = TRUE;
      message->video_codec = g_strdup (LX_VIDEO_CODEC_VP8);
      break;
    case LX_MESSAGE_CLASSROOM_LEFT:
      message->school = g_strdup ("a");
      message->reason = g_strdup ("网络断开");
      break;
    case LX_MESSAGE_SENDER_JOINED:
      message->resume = TRUE;
      break;
    case LX_MESSAGE_SENDER_LEFT:
      message->reason = g_strdup ("stopped");
      break;
    case LX_MESSAGE_OFFER:
    case LX_MESSAGE_ANSWER:
      message->school = g_strdup ("b");
      message->sdp = g_strdup ("v=0\r\nline with \"quotes\" and \\ backslash\r\n");
      break;
    case LX_MESSAGE_CANDIDATE:
      message->school = g_strdup ("b");
      message->mline_index = 1;
      message->candidate = g_strdup ("candidate:1 1 UDP 1 127.0.0.1 5000 typ host");
      break;
    case LX_MESSAGE_ERROR:
      message->code = g_strdup ("bad-field");
      message->message = g_strdup ("hello: field 'school' must be ...");
      break;
    case LX_MESSAGE_STATS:
      message->frames_decoded = 2000000000;
      message->packets_lost = 17;
      message->video_kbps = 2480;
      break;
    case LX_MESSAGE_RTT:
      message->school = g_strdup ("b");
      message->rtt_ms = 37;
      break;
    case LX_MESSAGE_LINK:
      message->school = g_strdup ("b");
      message->loss_permille = 1000;
      message->video_kbps = 250;
      message->queue_ms = 85;
      message->arrived_kbps = 612;
      message->jitter_buffer_ms = 240;
      break;
    case LX_MESSAGE_ICE_RESTART:
      message->school = g_strdup ("whep-player");
      message->sdp = g_strdup ("a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n");
      break;
    case LX_MESSAGE_OFFER_REFUSED:
      message->school = g_strdup ("whep-player");
      message->code = g_strdup ("no-common-codec");
      message->message = g_strdup ("the offer has no video we can send");
      break;
    case LX_MESSAGE_RAISE_HAND:
    case LX_MESSAGE_LOWER_HAND:
      break;
    case LX_MESSAGE_CALL_ON:
    case LX_MESSAGE_HANG_UP:
      message->school = g_strdup ("village-2");
      break;
    case LX_MESSAGE_FLOOR: {
      const char *hands[] = { "village-3", "village-1", NULL };
      const char *speaking[] = { "village-2", NULL };
      message->hands = g_strdupv ((GStrv) hands);
      message->speaking = g_strdupv ((GStrv) speaking);
      break;
    }
    case LX_MESSAGE_QUESTION:
      message->school = g_strdup ("village-2");
      message->text = g_strdup ("老师，为什么天是蓝的？ Why is the sky blue?");
      break;
    case LX_MESSAGE_POLL:
      message->poll_id = 3;
      message->text = g_strdup ("光从空气射入水中，折射角比入射角：A 大 B 小 C 相等");
      message->choices = 3;
      message->poll_open = TRUE;
      break;
    case LX_MESSAGE_POLL_ANSWER:
      message->poll_id = 3;
      message->choice = 1;
      break;
    case LX_MESSAGE_N_TYPES:
      g_assert_not_reached ();
    }
    json = lx_message_to_json (message, &error);
    g_assert_no_error (error);
    decoded = lx_message_from_json (json, strlen (json), &error);
    g_assert_no_error (error);
    assert_messages_equal (message, decoded);
  }
}

static void
test_unknown_members_are_ignored (void)
{
  const char *json = "{\"type\":\"sender-left\",\"reason\":\"x\",\"future_field\":[1,2,{}]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) message = lx_message_from_json (json, strlen (json), &error);

  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_SENDER_LEFT);
  g_assert_cmpstr (message->reason, ==, "x");
}

typedef struct {
  const char *name;
  const char *json;
  LxProtocolError code;
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "link-queue-negative",
    "{\"type\":\"link\",\"loss_permille\":0,\"video_kbps\":1,\"queue_ms\":-5}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "link-arrived-not-number",
    "{\"type\":\"link\",\"loss_permille\":0,\"video_kbps\":1,\"arrived_kbps\":\"a lot\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "floor-hands-not-array", "{\"type\":\"floor\",\"hands\":\"a\",\"speaking\":[]}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "floor-hand-not-id", "{\"type\":\"floor\",\"hands\":[\"a b\"],\"speaking\":[]}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "floor-hand-number", "{\"type\":\"floor\",\"hands\":[\"a\",7],\"speaking\":[]}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "floor-too-many-speaking",
    "{\"type\":\"floor\",\"hands\":[],\"speaking\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
    "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "floor-missing-speaking", "{\"type\":\"floor\",\"hands\":[]}",
    LX_PROTOCOL_ERROR_MISSING_FIELD },
  { "call-on-nobody", "{\"type\":\"call-on\"}", LX_PROTOCOL_ERROR_MISSING_FIELD },
  { "question-empty-missing", "{\"type\":\"question\"}", LX_PROTOCOL_ERROR_MISSING_FIELD },
  { "empty", "", LX_PROTOCOL_ERROR_INVALID_JSON },
  { "not-json", "hello server", LX_PROTOCOL_ERROR_INVALID_JSON },
  { "truncated", "{\"type\":\"offer\",\"school\":\"a\"", LX_PROTOCOL_ERROR_INVALID_JSON },
  { "array", "[1,2,3]", LX_PROTOCOL_ERROR_INVALID_JSON },
  { "string", "\"hello\"", LX_PROTOCOL_ERROR_INVALID_JSON },
  { "invalid-utf8", "{\"type\":\"sender-left\",\"reason\":\"\xff\xfe\"}",
    LX_PROTOCOL_ERROR_INVALID_JSON },
  { "no-type", "{}", LX_PROTOCOL_ERROR_MISSING_FIELD },
  { "type-not-string", "{\"type\":5}", LX_PROTOCOL_ERROR_BAD_FIELD },
  { "unknown-type", "{\"type\":\"dance\"}", LX_PROTOCOL_ERROR_UNKNOWN_TYPE },
  { "hello-missing-school",
    "{\"type\":\"hello\",\"version\":1,\"role\":\"sender\",\"lesson\":\"l\"}",
    LX_PROTOCOL_ERROR_MISSING_FIELD },
  { "hello-version-string",
    "{\"type\":\"hello\",\"version\":\"1\",\"role\":\"sender\",\"lesson\":\"l\",\"school\":\"s\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "hello-bad-role",
    "{\"type\":\"hello\",\"version\":1,\"role\":\"teacher\",\"lesson\":\"l\",\"school\":\"s\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "hello-school-with-space",
    "{\"type\":\"hello\",\"version\":1,\"role\":\"sender\",\"lesson\":\"l\",\"school\":\"a b\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "hello-school-too-long",
    "{\"type\":\"hello\",\"version\":1,\"role\":\"sender\",\"lesson\":\"l\",\"school\":"
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "hello-unknown-codec",
    "{\"type\":\"hello\",\"version\":1,\"role\":\"receiver\",\"lesson\":\"l\",\"school\":\"s\","
    "\"video_codec\":\"H265\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "hello-codec-not-string",
    "{\"type\":\"hello\",\"version\":1,\"role\":\"receiver\",\"lesson\":\"l\",\"school\":\"s\","
    "\"video_codec\":8}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "hello-empty-lesson",
    "{\"type\":\"hello\",\"version\":1,\"role\":\"sender\",\"lesson\":\"\",\"school\":\"s\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "candidate-negative-index", "{\"type\":\"candidate\",\"mline_index\":-1,\"candidate\":\"c\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "candidate-fractional-index",
    "{\"type\":\"candidate\",\"mline_index\":1.5,\"candidate\":\"c\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "candidate-missing", "{\"type\":\"candidate\",\"mline_index\":0}",
    LX_PROTOCOL_ERROR_MISSING_FIELD },
  { "offer-sdp-null", "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":null}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "offer-sdp-object", "{\"type\":\"offer\",\"school\":\"a\",\"sdp\":{\"v\":0}}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "welcome-present-string",
    "{\"type\":\"welcome\",\"version\":1,\"lesson\":\"l\",\"sender_present\":\"yes\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "error-unknown-code", "{\"type\":\"error\",\"code\":\"oops\",\"message\":\"m\"}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "stats-negative",
    "{\"type\":\"stats\",\"frames_decoded\":-5,\"packets_lost\":0,"
    "\"video_kbps\":1}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
  { "stats-huge",
    "{\"type\":\"stats\",\"frames_decoded\":99999999999,\"packets_lost\":0,"
    "\"video_kbps\":1}",
    LX_PROTOCOL_ERROR_BAD_FIELD },
};

static void
test_invalid_message (gconstpointer data)
{
  const InvalidCase *invalid = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) message =
      lx_message_from_json (invalid->json, strlen (invalid->json), &error);

  g_assert_null (message);
  g_assert_error (error, LX_PROTOCOL_ERROR, (gint) invalid->code);
  g_assert_nonnull (error->message);
}

/* 10 000 arrays inside one another: refused before json-glib recurses into them; 32 levels pass
 * the check (and the message is refused for what it is: an unknown member is ignored). */
static void
test_deeply_nested_message (void)
{
  g_autoptr (GString) json = g_string_new ("{\"type\":\"sender-left\",\"reason\":\"r\",\"x\":");
  g_autoptr (GString) shallow =
      g_string_new ("{\"type\":\"sender-left\",\"reason\":\"[[[[\",\"x\":");
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) message = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (json, '[');
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (json, ']');
  g_string_append_c (json, '}');
  message = lx_message_from_json (json->str, json->len, &error);
  g_assert_null (message);
  g_assert_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_INVALID_JSON);
  g_assert_nonnull (strstr (error->message, "nested deeper"));

  /* (brackets in strings do not count) */
  for (guint i = 0; i < 31; i++)
    g_string_append_c (shallow, '[');
  for (guint i = 0; i < 31; i++)
    g_string_append_c (shallow, ']');
  g_string_append_c (shallow, '}');
  g_clear_error (&error);
  message = lx_message_from_json (shallow->str, shallow->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, LX_MESSAGE_SENDER_LEFT);
  g_assert_cmpstr (message->reason, ==, "[[[[");
}

/* json-glib quotes the faulty input in its error, and an octal escape turns into bytes that are
 * not UTF-8 (found by tests/fuzz): the error the server sends back must still be valid text. */
static void
test_error_text_is_utf8 (void)
{
  static const struct {
    const char *json;
    LxProtocolError code;
  } cases[] = {
    { "{\"t\\\\\\666666\"\\\\~:", LX_PROTOCOL_ERROR_INVALID_JSON },
    { "{\"type\":\" 01N badns=-\\6000\\r\\n\"}", LX_PROTOCOL_ERROR_UNKNOWN_TYPE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (LxMessage) message =
        lx_message_from_json (cases[i].json, strlen (cases[i].json), &error);
    g_autoptr (LxMessage) reply = NULL;
    g_autofree gchar *encoded = NULL;

    g_assert_null (message);
    g_assert_error (error, LX_PROTOCOL_ERROR, (gint) cases[i].code);
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
    reply = lx_message_new_error (error->code, "%s", error->message);
    encoded = lx_message_to_json (reply, NULL);
    g_assert_nonnull (encoded);
  }
}

static void
test_oversized_message (void)
{
  g_autoptr (GString) json = g_string_new ("{\"type\":\"offer\",\"school\":\"a\",\"sdp\":\"");
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) message = NULL;

  while (json->len <= LX_PROTOCOL_MAX_MESSAGE_SIZE)
    g_string_append (json, "a=candidate-padding-line\\r\\n");
  g_string_append (json, "\"}");
  message = lx_message_from_json (json->str, json->len, &error);
  g_assert_null (message);
  g_assert_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_TOO_LARGE);
}

static void
test_field_too_long (void)
{
  g_autofree gchar *sdp = g_strnfill (61 * 1024, 'x');
  g_autofree gchar *json = g_strdup_printf ("{\"type\":\"answer\",\"sdp\":\"%s\"}", sdp);
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) message = lx_message_from_json (json, strlen (json), &error);

  g_assert_null (message);
  g_assert_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD);
  g_assert_nonnull (strstr (error->message, "'sdp'"));
}

/* A written question is at most 500 bytes: 167 three-byte characters (501) are too many. */
static void
test_question_too_long (void)
{
  g_autoptr (GString) json = g_string_new ("{\"type\":\"question\",\"text\":\"");
  g_autoptr (GError) error = NULL;
  g_autoptr (LxMessage) message = NULL;

  for (guint i = 0; i < 167; i++)
    g_string_append (json, "问");
  g_string_append (json, "\"}");
  message = lx_message_from_json (json->str, json->len, &error);
  g_assert_null (message);
  g_assert_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD);
  g_assert_nonnull (strstr (error->message, "'text'"));
}

static void
test_encoding_refuses_invalid (void)
{
  g_autoptr (LxMessage) message = lx_message_new (LX_MESSAGE_OFFER);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *json = NULL;

  message->school = g_strdup ("a");
  json = lx_message_to_json (message, &error);
  g_assert_null (json);
  g_assert_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_MISSING_FIELD);
  g_assert_nonnull (strstr (error->message, "'sdp'"));
}

static void
test_error_codes_round_trip (void)
{
  for (LxProtocolError code = LX_PROTOCOL_ERROR_INVALID_JSON; code <= LX_PROTOCOL_ERROR_LAST;
       code++) {
    LxProtocolError parsed;
    g_assert_true (lx_protocol_error_from_string (lx_protocol_error_to_string (code), &parsed));
    g_assert_cmpint (parsed, ==, code);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/protocol/round-trip/sample-files", test_sample_files_round_trip);
  g_test_add_func ("/protocol/round-trip/built", test_built_messages_round_trip);
  g_test_add_func ("/protocol/round-trip/error-codes", test_error_codes_round_trip);
  g_test_add_func ("/protocol/unknown-members-ignored", test_unknown_members_are_ignored);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/protocol/invalid/%s", invalid_cases[i].name);
    g_test_add_data_func (path, &invalid_cases[i], test_invalid_message);
  }
  g_test_add_func ("/protocol/invalid/oversized", test_oversized_message);
  g_test_add_func ("/protocol/invalid/deeply-nested", test_deeply_nested_message);
  g_test_add_func ("/protocol/invalid/error-text-is-utf8", test_error_text_is_utf8);
  g_test_add_func ("/protocol/invalid/field-too-long", test_field_too_long);
  g_test_add_func ("/protocol/invalid/question-too-long", test_question_too_long);
  g_test_add_func ("/protocol/encode-refuses-invalid", test_encoding_refuses_invalid);
  return g_test_run ();
}
