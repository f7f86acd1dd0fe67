/* The signaling protocol's messages and their JSON form: one table says which fields each message
 * has, and both decoding and encoding check a message against it, so the two can never disagree. */
#include "lx-protocol.h"

#include "lx-json.h"

#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_QUARK (lx - protocol - error - quark, lx_protocol_error)

static const char *const error_names[] = {
  [LX_PROTOCOL_ERROR_INVALID_JSON] = "invalid-json",
  [LX_PROTOCOL_ERROR_TOO_LARGE] = "too-large",
  [LX_PROTOCOL_ERROR_UNKNOWN_TYPE] = "unknown-type",
  [LX_PROTOCOL_ERROR_MISSING_FIELD] = "missing-field",
  [LX_PROTOCOL_ERROR_BAD_FIELD] = "bad-field",
  [LX_PROTOCOL_ERROR_UNSUPPORTED_VERSION] = "unsupported-version",
  [LX_PROTOCOL_ERROR_NOT_JOINED] = "not-joined",
  [LX_PROTOCOL_ERROR_ALREADY_JOINED] = "already-joined",
  [LX_PROTOCOL_ERROR_NOT_ALLOWED] = "not-allowed",
  [LX_PROTOCOL_ERROR_UNKNOWN_SCHOOL] = "unknown-school",
  [LX_PROTOCOL_ERROR_NO_SENDER] = "no-sender",
  [LX_PROTOCOL_ERROR_LESSON_HAS_SENDER] = "lesson-has-sender",
  [LX_PROTOCOL_ERROR_DUPLICATE_SCHOOL] = "duplicate-school",
  [LX_PROTOCOL_ERROR_BAD_TOKEN] = "bad-token",
  [LX_PROTOCOL_ERROR_NOT_BOOKED] = "not-booked",
  [LX_PROTOCOL_ERROR_RATE_LIMITED] = "rate-limited",
  [LX_PROTOCOL_ERROR_LESSON_FULL] = "lesson-full",
  [LX_PROTOCOL_ERROR_BAD_OFFER] = "bad-offer",
  [LX_PROTOCOL_ERROR_NO_COMMON_CODEC] = "no-common-codec",
  [LX_PROTOCOL_ERROR_FLOOR_FULL] = "floor-full",
  [LX_PROTOCOL_ERROR_NO_POLL] = "no-poll",
};

const char *
lx_protocol_error_to_string (LxProtocolError code)
{
  g_return_val_if_fail (code < G_N_ELEMENTS (error_names), "unknown");
  return error_names[code];
}

gboolean
lx_protocol_error_from_string (const char *name, LxProtocolError *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_names); i++) {
    if (g_strcmp0 (name, error_names[i]) == 0) {
      *code = i;
      return TRUE;
    }
  }
  return FALSE;
}

const char *
lx_role_to_string (LxRole role)
{
  switch (role) {
  case LX_ROLE_SENDER:
    return "sender";
  case LX_ROLE_RECEIVER:
    return "receiver";
  case LX_ROLE_NONE:
    break;
  }
  return "none";
}

gboolean
lx_protocol_video_codec_is_known (const char *codec)
{
  return g_strcmp0 (codec, LX_VIDEO_CODEC_H264) == 0 || g_strcmp0 (codec, LX_VIDEO_CODEC_VP8) == 0;
}

/* ---- The field table ---- */

typedef enum {
  KIND_ID,   /* a lesson or school id */
  KIND_TEXT, /* any UTF-8 string up to max_length bytes */
  KIND_INT,  /* an integer 0..max_value */
  KIND_BOOL,
  KIND_ROLE,  /* "sender" or "receiver" */
  KIND_CODE,  /* one of the error code strings */
  KIND_CODEC, /* a video codec a classroom decodes: "H264" or "VP8" */
  KIND_IDS,   /* a list of up to max_value ids (a GStrv), in order */
} FieldKind;

typedef enum {
  F_VERSION,
  F_ROLE,
  F_LESSON,
  F_SCHOOL,
  F_TOKEN,
  F_SENDER_PRESENT,
  F_SDP,
  F_CANDIDATE,
  F_MLINE_INDEX,
  F_REASON,
  F_CODE,
  F_MESSAGE,
  F_FRAMES_DECODED,
  F_PACKETS_LOST,
  F_VIDEO_KBPS,
  F_RTT_MS,
  F_RESUME,
  F_LOSS_PERMILLE,
  F_VIDEO_CODEC,
  F_LESSON_STATE,
  F_SCHEDULE,
  F_STATE,
  F_QUEUE_MS,
  F_ARRIVED_KBPS,
  F_JITTER_BUFFER_MS,
  F_HANDS,
  F_SPEAKING,
  F_TEXT,
  F_POLL_ID,
  F_CHOICES,
  F_POLL_OPEN,
  F_CHOICE,
  N_FIELDS
} Field;

typedef struct {
  const char *name;
  FieldKind kind;
  gsize offset;
  gint64 max; /* KIND_TEXT: bytes; KIND_INT: value */
} FieldInfo;

static const FieldInfo field_info[N_FIELDS] = {
  [F_VERSION] = { "version", KIND_INT, G_STRUCT_OFFSET (LxMessage, version), 1000 },
  [F_ROLE] = { "role", KIND_ROLE, G_STRUCT_OFFSET (LxMessage, role), 0 },
  [F_LESSON] = { "lesson", KIND_ID, G_STRUCT_OFFSET (LxMessage, lesson), 0 },
  [F_SCHOOL] = { "school", KIND_ID, G_STRUCT_OFFSET (LxMessage, school), 0 },
  [F_TOKEN] = { "token", KIND_TEXT, G_STRUCT_OFFSET (LxMessage, token), 512 },
  [F_SENDER_PRESENT] = { "sender_present", KIND_BOOL, G_STRUCT_OFFSET (LxMessage, sender_present),
                         0 },
  [F_SDP] = { "sdp", KIND_TEXT, G_STRUCT_OFFSET (LxMessage, sdp), 60 * 1024 },
  [F_CANDIDATE] = { "candidate", KIND_TEXT, G_STRUCT_OFFSET (LxMessage, candidate), 1024 },
  [F_MLINE_INDEX] = { "mline_index", KIND_INT, G_STRUCT_OFFSET (LxMessage, mline_index), 255 },
  [F_REASON] = { "reason", KIND_TEXT, G_STRUCT_OFFSET (LxMessage, reason), 256 },
  [F_CODE] = { "code", KIND_CODE, G_STRUCT_OFFSET (LxMessage, code), 0 },
  [F_MESSAGE] = { "message", KIND_TEXT, G_STRUCT_OFFSET (LxMessage, message), 1024 },
  [F_FRAMES_DECODED] = { "frames_decoded", KIND_INT, G_STRUCT_OFFSET (LxMessage, frames_decoded),
                         G_MAXINT },
  [F_PACKETS_LOST] = { "packets_lost", KIND_INT, G_STRUCT_OFFSET (LxMessage, packets_lost),
                       G_MAXINT },
  [F_VIDEO_KBPS] = { "video_kbps", KIND_INT, G_STRUCT_OFFSET (LxMessage, video_kbps), 1000000 },
  [F_RTT_MS] = { "rtt_ms", KIND_INT, G_STRUCT_OFFSET (LxMessage, rtt_ms), 600000 },
  [F_RESUME] = { "resume", KIND_BOOL, G_STRUCT_OFFSET (LxMessage, resume), 0 },
  [F_LOSS_PERMILLE] = { "loss_permille", KIND_INT, G_STRUCT_OFFSET (LxMessage, loss_permille),
                        1000 },
  [F_VIDEO_CODEC] = { "video_codec", KIND_CODEC, G_STRUCT_OFFSET (LxMessage, video_codec), 0 },
  [F_LESSON_STATE] = { "lesson_state", KIND_TEXT, G_STRUCT_OFFSET (LxMessage, lesson_state), 32 },
  [F_SCHEDULE] = { "schedule", KIND_TEXT, G_STRUCT_OFFSET (LxMessage, schedule), 256 },
  [F_STATE] = { "state", KIND_TEXT, G_STRUCT_OFFSET (LxMessage, state), 32 },
  [F_QUEUE_MS] = { "queue_ms", KIND_INT, G_STRUCT_OFFSET (LxMessage, queue_ms), 600000 },
  [F_ARRIVED_KBPS] = { "arrived_kbps", KIND_INT, G_STRUCT_OFFSET (LxMessage, arrived_kbps),
                       1000000 },
  [F_JITTER_BUFFER_MS] = { "jitter_buffer_ms", KIND_INT,
                           G_STRUCT_OFFSET (LxMessage, jitter_buffer_ms), 60000 },
  /* (as many hands as a lesson has peers: LX_DEFAULT_PEERS_PER_LESSON) */
  [F_HANDS] = { "hands", KIND_IDS, G_STRUCT_OFFSET (LxMessage, hands), 1000 },
  [F_SPEAKING] = { "speaking", KIND_IDS, G_STRUCT_OFFSET (LxMessage, speaking), 16 },
  /* (about 160 Chinese characters) */
  [F_TEXT] = { "text", KIND_TEXT, G_STRUCT_OFFSET (LxMessage, text), 500 },
  [F_POLL_ID] = { "poll_id", KIND_INT, G_STRUCT_OFFSET (LxMessage, poll_id), G_MAXINT },
  [F_CHOICES] = { "choices", KIND_INT, G_STRUCT_OFFSET (LxMessage, choices), 4 },
  [F_POLL_OPEN] = { "open", KIND_BOOL, G_STRUCT_OFFSET (LxMessage, poll_open), 0 },
  [F_CHOICE] = { "choice", KIND_INT, G_STRUCT_OFFSET (LxMessage, choice), 3 },
};

typedef struct {
  Field field;
  gboolean required;
} FieldUse;

#define REQUIRED(f)                                                                                \
  {                                                                                                \
    f, TRUE                                                                                        \
  }
#define OPTIONAL(f)                                                                                \
  {                                                                                                \
    f, FALSE                                                                                       \
  }
#define END                                                                                        \
  {                                                                                                \
    N_FIELDS, FALSE                                                                                \
  }

typedef struct {
  const char *name;
  FieldUse uses[10];
} TypeInfo;

static const TypeInfo type_info[LX_MESSAGE_N_TYPES] = {
  [LX_MESSAGE_HELLO] = { "hello",
                         { REQUIRED (F_VERSION), REQUIRED (F_ROLE), REQUIRED (F_LESSON),
                           REQUIRED (F_SCHOOL), OPTIONAL (F_TOKEN), OPTIONAL (F_RESUME),
                           OPTIONAL (F_VIDEO_CODEC), OPTIONAL (F_SDP), END } },
  [LX_MESSAGE_WELCOME] = { "welcome",
                           { REQUIRED (F_VERSION), REQUIRED (F_LESSON), REQUIRED (F_SENDER_PRESENT),
                             OPTIONAL (F_LESSON_STATE), OPTIONAL (F_SCHEDULE), END } },
  [LX_MESSAGE_CLASSROOM_JOINED] = { "classroom-joined",
                                    { REQUIRED (F_SCHOOL), OPTIONAL (F_RESUME),
                                      OPTIONAL (F_VIDEO_CODEC), OPTIONAL (F_SDP), END } },
  [LX_MESSAGE_CLASSROOM_LEFT] = { "classroom-left",
                                  { REQUIRED (F_SCHOOL), OPTIONAL (F_REASON), END } },
  [LX_MESSAGE_SENDER_JOINED] = { "sender-joined", { OPTIONAL (F_RESUME), END } },
  [LX_MESSAGE_SENDER_LEFT] = { "sender-left", { OPTIONAL (F_REASON), END } },
  [LX_MESSAGE_OFFER] = { "offer", { REQUIRED (F_SCHOOL), REQUIRED (F_SDP), END } },
  /* A receiver may leave `school` out of what it sends: the server knows who it is. */
  [LX_MESSAGE_ANSWER] = { "answer", { OPTIONAL (F_SCHOOL), REQUIRED (F_SDP), END } },
  [LX_MESSAGE_CANDIDATE] = { "candidate",
                             { OPTIONAL (F_SCHOOL), REQUIRED (F_MLINE_INDEX),
                               REQUIRED (F_CANDIDATE), END } },
  [LX_MESSAGE_ERROR] = { "error", { REQUIRED (F_CODE), REQUIRED (F_MESSAGE), END } },
  [LX_MESSAGE_STATS] = { "stats",
                         { REQUIRED (F_FRAMES_DECODED), REQUIRED (F_PACKETS_LOST),
                           REQUIRED (F_VIDEO_KBPS), OPTIONAL (F_STATE), END } },
  [LX_MESSAGE_RTT] = { "rtt", { REQUIRED (F_SCHOOL), REQUIRED (F_RTT_MS), END } },
  /* Like answers, a receiver may leave `school` out: the server names it for the sender. */
  [LX_MESSAGE_LINK] = { "link",
                        { OPTIONAL (F_SCHOOL), REQUIRED (F_LOSS_PERMILLE), REQUIRED (F_VIDEO_KBPS),
                          OPTIONAL (F_QUEUE_MS), OPTIONAL (F_ARRIVED_KBPS),
                          OPTIONAL (F_JITTER_BUFFER_MS), END } },
  [LX_MESSAGE_OFFER_REFUSED] = { "offer-refused",
                                 { REQUIRED (F_SCHOOL), REQUIRED (F_CODE), REQUIRED (F_MESSAGE),
                                   END } },
  /* Like answers, a classroom may leave `school` out: the server names it for the sender. */
  [LX_MESSAGE_ICE_RESTART] = { "ice-restart", { OPTIONAL (F_SCHOOL), REQUIRED (F_SDP), END } },
  [LX_MESSAGE_RAISE_HAND] = { "raise-hand", { END } },
  [LX_MESSAGE_LOWER_HAND] = { "lower-hand", { END } },
  [LX_MESSAGE_CALL_ON] = { "call-on", { REQUIRED (F_SCHOOL), END } },
  [LX_MESSAGE_HANG_UP] = { "hang-up", { REQUIRED (F_SCHOOL), END } },
  [LX_MESSAGE_FLOOR] = { "floor", { REQUIRED (F_HANDS), REQUIRED (F_SPEAKING), END } },
  /* Like answers, a classroom may leave `school` out: the server names it for the sender. */
  [LX_MESSAGE_QUESTION] = { "question", { OPTIONAL (F_SCHOOL), REQUIRED (F_TEXT), END } },
  [LX_MESSAGE_POLL] = { "poll",
                        { REQUIRED (F_POLL_ID), REQUIRED (F_TEXT), REQUIRED (F_CHOICES),
                          REQUIRED (F_POLL_OPEN), END } },
  [LX_MESSAGE_POLL_ANSWER] = { "poll-answer", { REQUIRED (F_POLL_ID), REQUIRED (F_CHOICE), END } },
};

const char *
lx_message_type_to_string (LxMessageType type)
{
  g_return_val_if_fail (type < LX_MESSAGE_N_TYPES, "unknown");
  return type_info[type].name;
}

static gboolean
message_type_from_string (const char *name, LxMessageType *type)
{
  for (guint i = 0; i < LX_MESSAGE_N_TYPES; i++) {
    if (strcmp (name, type_info[i].name) == 0) {
      *type = i;
      return TRUE;
    }
  }
  return FALSE;
}

#define FIELD_PTR(message, info) ((gpointer) ((guint8 *) (message) + (info)->offset))

/* ---- Messages ---- */

LxMessage *
lx_message_new (LxMessageType type)
{
  LxMessage *message = g_new0 (LxMessage, 1);
  message->type = type;
  return message;
}

void
lx_message_free (LxMessage *message)
{
  if (message == NULL)
    return;
  for (guint i = 0; i < N_FIELDS; i++) {
    const FieldInfo *info = &field_info[i];
    if (info->kind == KIND_ID || info->kind == KIND_TEXT || info->kind == KIND_CODE ||
        info->kind == KIND_CODEC)
      g_free (*(gchar **) FIELD_PTR (message, info));
    else if (info->kind == KIND_IDS)
      g_strfreev (*(GStrv *) FIELD_PTR (message, info));
  }
  g_free (message);
}

LxMessage *
lx_message_new_error (LxProtocolError code, const char *format, ...)
{
  LxMessage *message = lx_message_new (LX_MESSAGE_ERROR);
  va_list args;

  va_start (args, format);
  message->code = g_strdup (lx_protocol_error_to_string (code));
  message->message = g_strdup_vprintf (format, args);
  va_end (args);
  /* The explanation must itself fit the protocol's limit; long ones are cut at a UTF-8 boundary. */
  if ((gint64) strlen (message->message) > field_info[F_MESSAGE].max) {
    gchar *end =
        g_utf8_find_prev_char (message->message, message->message + field_info[F_MESSAGE].max);
    *end = '\0';
  }
  return message;
}

gboolean
lx_protocol_id_is_valid (const char *id)
{
  gsize length;

  if (id == NULL)
    return FALSE;
  length = strlen (id);
  if (length == 0 || length > LX_PROTOCOL_MAX_ID_LENGTH)
    return FALSE;
  for (const char *p = id; *p; p++) {
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  }
  return TRUE;
}

static gboolean
field_is_set (const LxMessage *message, const FieldInfo *info)
{
  switch (info->kind) {
  case KIND_ID:
  case KIND_TEXT:
  case KIND_CODE:
  case KIND_CODEC:
    return *(gchar **) FIELD_PTR (message, info) != NULL;
  case KIND_IDS:
    return *(GStrv *) FIELD_PTR (message, info) != NULL;
  case KIND_ROLE:
    return *(LxRole *) FIELD_PTR (message, info) != LX_ROLE_NONE;
  case KIND_INT:
  case KIND_BOOL:
    return TRUE;
  }
  return FALSE;
}

/* Checks one present field's value against its kind's rules. */
static gboolean
validate_field (const LxMessage *message, const FieldInfo *info, GError **error)
{
  const char *type_name = type_info[message->type].name;
  const gchar *text = NULL;

  switch (info->kind) {
  case KIND_ID:
    text = *(gchar **) FIELD_PTR (message, info);
    if (!lx_protocol_id_is_valid (text)) {
      g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                   "%s: field '%s' must be 1-%d characters of A-Z a-z 0-9 _ . -", type_name,
                   info->name, LX_PROTOCOL_MAX_ID_LENGTH);
      return FALSE;
    }
    return TRUE;
  case KIND_TEXT:
    text = *(gchar **) FIELD_PTR (message, info);
    if ((gint64) strlen (text) > info->max) {
      g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                   "%s: field '%s' is longer than %" G_GINT64_FORMAT " bytes", type_name,
                   info->name, info->max);
      return FALSE;
    }
    if (!g_utf8_validate (text, -1, NULL)) {
      g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                   "%s: field '%s' is not valid UTF-8", type_name, info->name);
      return FALSE;
    }
    return TRUE;
  case KIND_CODE: {
    LxProtocolError code;
    text = *(gchar **) FIELD_PTR (message, info);
    if (!lx_protocol_error_from_string (text, &code)) {
      g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                   "%s: field '%s' names no known error code", type_name, info->name);
      return FALSE;
    }
    return TRUE;
  }
  case KIND_CODEC:
    text = *(gchar **) FIELD_PTR (message, info);
    if (!lx_protocol_video_codec_is_known (text)) {
      g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                   "%s: field '%s' must be \"H264\" or \"VP8\"", type_name, info->name);
      return FALSE;
    }
    return TRUE;
  case KIND_INT: {
    gint value = *(gint *) FIELD_PTR (message, info);
    if (value < 0 || value > info->max) {
      g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                   "%s: field '%s' must be an integer 0-%" G_GINT64_FORMAT, type_name, info->name,
                   info->max);
      return FALSE;
    }
    return TRUE;
  }
  case KIND_IDS: {
    GStrv ids = *(GStrv *) FIELD_PTR (message, info);
    if (g_strv_length (ids) > info->max) {
      g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                   "%s: field '%s' lists more than %" G_GINT64_FORMAT " ids", type_name, info->name,
                   info->max);
      return FALSE;
    }
    for (guint i = 0; ids[i]; i++) {
      if (!lx_protocol_id_is_valid (ids[i])) {
        g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                     "%s: field '%s' must list ids of 1-%d characters of A-Z a-z 0-9 _ . -",
                     type_name, info->name, LX_PROTOCOL_MAX_ID_LENGTH);
        return FALSE;
      }
    }
    return TRUE;
  }
  case KIND_ROLE:
  case KIND_BOOL:
    return TRUE;
  }
  return TRUE;
}

/* The one check both directions share: every required field present, every present field valid. */
static gboolean
validate_message (const LxMessage *message, GError **error)
{
  const TypeInfo *type = &type_info[message->type];

  for (const FieldUse *use = type->uses; use->field != N_FIELDS; use++) {
    const FieldInfo *info = &field_info[use->field];
    if (!field_is_set (message, info)) {
      if (use->required) {
        g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_MISSING_FIELD,
                     "%s: missing field '%s'", type->name, info->name);
        return FALSE;
      }
      continue;
    }
    if (!validate_field (message, info, error))
      return FALSE;
  }
  return TRUE;
}

/* ---- Decoding ---- */

static gboolean
bad_type (GError **error, LxMessageType type, const FieldInfo *info, const char *expected)
{
  g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD, "%s: field '%s' must be %s",
               type_info[type].name, info->name, expected);
  return FALSE;
}

/* Copies one JSON member into the message, checking only its JSON type. */
static gboolean
read_field (LxMessage *message, const FieldInfo *info, JsonNode *node, GError **error)
{
  GType value_type =
      JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (info->kind) {
  case KIND_ID:
  case KIND_TEXT:
  case KIND_CODE:
  case KIND_CODEC:
    if (value_type != G_TYPE_STRING)
      return bad_type (error, message->type, info, "a string");
    *(gchar **) FIELD_PTR (message, info) = json_node_dup_string (node);
    return TRUE;
  case KIND_INT: {
    gint64 value;
    if (value_type != G_TYPE_INT64)
      return bad_type (error, message->type, info, "an integer");
    value = json_node_get_int (node);
    if (value < 0 || value > info->max)
      return bad_type (error, message->type, info, "an integer in range");
    *(gint *) FIELD_PTR (message, info) = (gint) value;
    return TRUE;
  }
  case KIND_IDS: {
    JsonArray *array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
    guint length = array ? json_array_get_length (array) : 0;
    GStrv ids;
    if (array == NULL)
      return bad_type (error, message->type, info, "an array of ids");
    ids = g_new0 (gchar *, length + 1);
    *(GStrv *) FIELD_PTR (message, info) = ids; /* (freed with the message, even half read) */
    for (guint i = 0; i < length; i++) {
      JsonNode *element = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return bad_type (error, message->type, info, "an array of ids");
      ids[i] = json_node_dup_string (element);
    }
    return TRUE;
  }
  case KIND_BOOL:
    if (value_type != G_TYPE_BOOLEAN)
      return bad_type (error, message->type, info, "true or false");
    *(gboolean *) FIELD_PTR (message, info) = json_node_get_boolean (node);
    return TRUE;
  case KIND_ROLE: {
    const char *role = value_type == G_TYPE_STRING ? json_node_get_string (node) : NULL;
    if (g_strcmp0 (role, "sender") == 0)
      message->role = LX_ROLE_SENDER;
    else if (g_strcmp0 (role, "receiver") == 0)
      message->role = LX_ROLE_RECEIVER;
    else
      return bad_type (error, message->type, info, "\"sender\" or \"receiver\"");
    return TRUE;
  }
  }
  return TRUE;
}

LxMessage *
lx_message_from_json (const char *data, gsize length, GError **error)
{
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (LxMessage) message = NULL;
  g_autoptr (JsonObject) object = NULL;
  JsonNode *type_node;
  LxMessageType type;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  object = lx_json_parse_object (data, length, LX_PROTOCOL_MAX_MESSAGE_SIZE, &parse_error);
  if (object == NULL) {
    g_set_error (error, LX_PROTOCOL_ERROR,
                 g_error_matches (parse_error, LX_JSON_ERROR, LX_JSON_ERROR_TOO_LARGE)
                     ? LX_PROTOCOL_ERROR_TOO_LARGE
                     : LX_PROTOCOL_ERROR_INVALID_JSON,
                 "message: %s", parse_error->message);
    return NULL;
  }
  type_node = json_object_get_member (object, "type");
  if (type_node == NULL) {
    g_set_error_literal (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_MISSING_FIELD,
                         "message has no 'type' field");
    return NULL;
  }
  if (!JSON_NODE_HOLDS_VALUE (type_node) || json_node_get_value_type (type_node) != G_TYPE_STRING) {
    g_set_error_literal (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_BAD_FIELD,
                         "field 'type' must be a string");
    return NULL;
  }
  if (!message_type_from_string (json_node_get_string (type_node), &type)) {
    /* (the type comes back in the error: valid text, even cut short, even from an escape such
     * as \600 that json-glib turns into bytes that are not UTF-8) */
    g_autofree gchar *cut = g_strndup (json_node_get_string (type_node), 64);
    g_autofree gchar *shown = g_utf8_make_valid (cut, -1);
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_UNKNOWN_TYPE,
                 "unknown message type '%s'", shown);
    return NULL;
  }

  message = lx_message_new (type);
  /* Members the message type does not define are ignored, so that newer peers can add fields. */
  for (const FieldUse *use = type_info[type].uses; use->field != N_FIELDS; use++) {
    const FieldInfo *info = &field_info[use->field];
    JsonNode *node = json_object_get_member (object, info->name);
    if (node != NULL && !read_field (message, info, node, error))
      return NULL;
  }
  if (!validate_message (message, error))
    return NULL;
  return g_steal_pointer (&message);
}

/* ---- Encoding ---- */

gchar *
lx_message_to_json (const LxMessage *message, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *json = NULL;

  g_return_val_if_fail (message != NULL && message->type < LX_MESSAGE_N_TYPES, NULL);

  if (!validate_message (message, error))
    return NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type_info[message->type].name);
  for (const FieldUse *use = type_info[message->type].uses; use->field != N_FIELDS; use++) {
    const FieldInfo *info = &field_info[use->field];
    if (!field_is_set (message, info))
      continue;
    json_builder_set_member_name (builder, info->name);
    switch (info->kind) {
    case KIND_ID:
    case KIND_TEXT:
    case KIND_CODE:
    case KIND_CODEC:
      json_builder_add_string_value (builder, *(gchar **) FIELD_PTR (message, info));
      break;
    case KIND_INT:
      json_builder_add_int_value (builder, *(gint *) FIELD_PTR (message, info));
      break;
    case KIND_IDS: {
      GStrv ids = *(GStrv *) FIELD_PTR (message, info);
      json_builder_begin_array (builder);
      for (guint i = 0; ids[i]; i++)
        json_builder_add_string_value (builder, ids[i]);
      json_builder_end_array (builder);
      break;
    }
    case KIND_BOOL:
      json_builder_add_boolean_value (builder, *(gboolean *) FIELD_PTR (message, info));
      break;
    case KIND_ROLE:
      json_builder_add_string_value (builder, lx_role_to_string (message->role));
      break;
    }
  }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  /* Escaping can make a message longer than its fields: the peer would refuse it, so refuse it here. */
  if (strlen (json) > LX_PROTOCOL_MAX_MESSAGE_SIZE) {
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_TOO_LARGE,
                 "%s: encoded message is over the limit of %d bytes", type_info[message->type].name,
                 LX_PROTOCOL_MAX_MESSAGE_SIZE);
    return NULL;
  }
  return g_steal_pointer (&json);
}
