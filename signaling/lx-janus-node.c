/* A Janus node (see lx-janus-node.h). Every request is a POST of one JSON object to the node's
 * Janus API (/janus, /janus/SESSION, /janus/SESSION/HANDLE) with the API secret; the Streaming
 * plugin's requests used here (create, destroy, info) are answered synchronously. */
#include "lx-janus-node.h"

#include "lx-json.h"
#include "lx-stats.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

G_DEFINE_QUARK (lx - janus - error - quark, lx_janus_error)

/* Janus drops a session not heard of for session_timeout (60 s by default). */
#define KEEPALIVE_S 25
/* The Streaming plugin's "unauthorized" (a wrong admin key or mountpoint secret). */
#define STREAMING_UNAUTHORIZED 457

struct _LxJanusNode {
  SoupSession *http;
  GCancellable *cancellable;
  gchar *url, *api_secret, *admin_key;
  gint64 session, handle; /* 0 until connected */
  guint keepalive_timer;
  guint64 transactions;
};

LxJanusNode *
lx_janus_node_new (const char *url, const char *api_secret, const char *admin_key)
{
  LxJanusNode *node = g_new0 (LxJanusNode, 1);

  node->http = soup_session_new_with_options ("timeout", 10, NULL);
  node->cancellable = g_cancellable_new ();
  node->url = g_strdup (url);
  node->api_secret = g_strdup (api_secret);
  node->admin_key = g_strdup (admin_key);
  return node;
}

void
lx_janus_node_free (LxJanusNode *node)
{
  if (node == NULL)
    return;
  g_cancellable_cancel (node->cancellable);
  g_clear_handle_id (&node->keepalive_timer, g_source_remove);
  g_object_unref (node->cancellable);
  g_object_unref (node->http);
  g_free (node->url);
  g_free (node->api_secret);
  g_free (node->admin_key);
  g_free (node);
}

/* ---- One request ---- */

/* (transfer full) A request's JSON object, open: its "janus" verb, a transaction and the secret. */
static JsonBuilder *
begin_request (LxJanusNode *node, const char *verb)
{
  JsonBuilder *builder = json_builder_new ();
  g_autofree gchar *transaction = g_strdup_printf ("lx-%" G_GUINT64_FORMAT, ++node->transactions);

  json_builder_begin_object (builder);
  lx_json_add_string (builder, "janus", verb);
  lx_json_add_string (builder, "transaction", transaction);
  if (node->api_secret)
    lx_json_add_string (builder, "apisecret", node->api_secret);
  return builder;
}

/* (transfer full) The answer's result, or NULL with @error: Janus's own error ({"janus":
 * "error"}), or the plugin's ({"error_code": ...} in its data). */
static JsonObject *
read_answer (GBytes *body, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *answer, *result;
  const char *verb;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                   NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, LX_JANUS_ERROR, LX_JANUS_ERROR_FAILED, "not a Janus answer");
    return NULL;
  }
  answer = json_node_get_object (root);
  verb = json_object_get_string_member_with_default (answer, "janus", "");
  if (g_str_equal (verb, "error")) {
    JsonObject *reason = json_object_get_object_member (answer, "error");
    gint64 code = reason ? json_object_get_int_member_with_default (reason, "code", 0) : 0;
    g_set_error (error, LX_JANUS_ERROR,
                 code == SOUP_STATUS_FORBIDDEN ? LX_JANUS_ERROR_REFUSED : LX_JANUS_ERROR_FAILED,
                 "Janus: %s (%" G_GINT64_FORMAT ")",
                 reason ? json_object_get_string_member_with_default (reason, "reason", "?") : "?",
                 code);
    return NULL;
  }
  if (json_object_has_member (answer, "plugindata")) {
    JsonObject *plugin = json_object_get_object_member (answer, "plugindata");
    result = plugin ? json_object_get_object_member (plugin, "data") : NULL;
    if (result && json_object_has_member (result, "error_code")) {
      gint64 code = json_object_get_int_member (result, "error_code");
      g_set_error (error, LX_JANUS_ERROR,
                   code == STREAMING_UNAUTHORIZED ? LX_JANUS_ERROR_REFUSED : LX_JANUS_ERROR_FAILED,
                   "Janus Streaming: %s (%" G_GINT64_FORMAT ")",
                   json_object_get_string_member_with_default (result, "error", "?"), code);
      return NULL;
    }
  } else {
    result = json_object_get_object_member (answer, "data");
  }
  return json_object_ref (result ? result : answer);
}

static void
on_answer (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  JsonObject *answer;

  if (body == NULL) {
    g_task_return_new_error (task, LX_JANUS_ERROR, LX_JANUS_ERROR_UNREACHABLE, "Janus node %s: %s",
                             (const char *) g_task_get_task_data (task), error->message);
    return;
  }
  if (soup_message_get_status (message) != SOUP_STATUS_OK) {
    g_task_return_new_error (task, LX_JANUS_ERROR, LX_JANUS_ERROR_UNREACHABLE,
                             "Janus node %s: HTTP %u", (const char *) g_task_get_task_data (task),
                             soup_message_get_status (message));
    return;
  }
  answer = read_answer (body, &error);
  if (answer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, answer, (GDestroyNotify) json_object_unref);
}

/* Sends @builder's request (transfer full; closed here) to the node, its session (@session) or
 * its handle (@handle too); @task (transfer full) gets the answer's result (a JsonObject) or the
 * error. */
static void
send_request (LxJanusNode *node, JsonBuilder *builder, gboolean session, gboolean handle,
              GTask *task)
{
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *text = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GBytes) body = NULL;
  gsize length;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  g_object_unref (builder);
  text = json_to_string (root, FALSE);
  url = handle    ? g_strdup_printf ("%s/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, node->url,
                                     node->session, node->handle)
        : session ? g_strdup_printf ("%s/%" G_GINT64_FORMAT, node->url, node->session)
                  : g_strdup (node->url);
  message = soup_message_new (SOUP_METHOD_POST, url);
  if (message == NULL) {
    g_task_return_new_error (task, LX_JANUS_ERROR, LX_JANUS_ERROR_UNREACHABLE,
                             "'%s' is not a Janus API address", node->url);
    g_object_unref (task);
    return;
  }
  g_task_set_task_data (task, g_strdup (node->url), g_free);
  length = strlen (text);
  body = g_bytes_new_take (g_steal_pointer (&text), length);
  soup_message_set_request_body_from_bytes (message, "application/json", body);
  soup_session_send_and_read_async (node->http, message, G_PRIORITY_DEFAULT, node->cancellable,
                                    on_answer, task);
}

/* A Streaming plugin request: the open @body (transfer full; its "request" written) goes in a
 * message; @task (transfer full) gets the plugin's answer. */
static void
send_plugin_request (LxJanusNode *node, JsonBuilder *body, GTask *task)
{
  JsonBuilder *builder = begin_request (node, "message");

  json_builder_end_object (body);
  json_builder_set_member_name (builder, "body");
  json_builder_add_value (builder, json_builder_get_root (body));
  g_object_unref (body);
  if (node->handle == 0) {
    g_object_unref (builder);
    g_task_return_new_error (task, LX_JANUS_ERROR, LX_JANUS_ERROR_FAILED,
                             "Janus node %s: not connected", node->url);
    g_object_unref (task);
    return;
  }
  send_request (node, builder, TRUE, TRUE, task);
}

static JsonBuilder *
begin_plugin_request (const char *request)
{
  JsonBuilder *body = json_builder_new ();

  json_builder_begin_object (body);
  lx_json_add_string (body, "request", request);
  return body;
}

/* ---- Connecting: a session, the Streaming plugin attached, kept alive ---- */

static void
on_keepalive (GObject *source, GAsyncResult *result, gpointer data)
{
  LxJanusNode *node = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = g_task_propagate_pointer (G_TASK (result), &error);

  if (answer == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Janus node %s: keepalive: %s", node->url, error->message);
}

static gboolean
keep_alive (gpointer data)
{
  LxJanusNode *node = data;

  send_request (node, begin_request (node, "keepalive"), TRUE, FALSE,
                g_task_new (NULL, node->cancellable, on_keepalive, node));
  return G_SOURCE_CONTINUE;
}

static gint64
read_id (JsonObject *answer)
{
  return json_object_get_int_member_with_default (answer, "id", 0);
}

static void
on_attached (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  LxJanusNode *node = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = g_task_propagate_pointer (G_TASK (result), &error);

  if (answer == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  node->handle = read_id (answer);
  g_clear_handle_id (&node->keepalive_timer, g_source_remove);
  node->keepalive_timer = g_timeout_add_seconds (KEEPALIVE_S, keep_alive, node);
  g_task_return_boolean (task, TRUE);
}

static void
on_session (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  LxJanusNode *node = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = g_task_propagate_pointer (G_TASK (result), &error);
  JsonBuilder *builder;

  if (answer == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  node->session = read_id (answer);
  builder = begin_request (node, "attach");
  lx_json_add_string (builder, "plugin", "janus.plugin.streaming");
  send_request (node, builder, TRUE, FALSE,
                g_task_new (NULL, node->cancellable, on_attached, g_steal_pointer (&task)));
}

void
lx_janus_node_connect_async (LxJanusNode *node, GAsyncReadyCallback callback, gpointer data)
{
  GTask *task = g_task_new (NULL, node->cancellable, callback, data);
  JsonBuilder *builder = begin_request (node, "create");

  g_task_set_source_tag (task, lx_janus_node_connect_async);
  g_task_set_task_data (task, node, NULL);
  node->session = node->handle = 0;
  send_request (node, builder, FALSE, FALSE,
                g_task_new (NULL, node->cancellable, on_session, task));
}

gboolean
lx_janus_node_connect_finish (LxJanusNode *node, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- The lessons' mountpoints ---- */

/* A plugin request's answer, handed to the caller's task as it came. */
static void
pass_answer (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer = g_task_propagate_pointer (G_TASK (result), &error);

  if (answer == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&answer), (GDestroyNotify) json_object_unref);
}

/* Opens one of a mountpoint's media: its port 0 (Janus picks one from its rtp_port_range). */
static void
begin_media (JsonBuilder *body, const char *type, const char *mid, gint pt, const char *codec)
{
  json_builder_begin_object (body);
  lx_json_add_string (body, "type", type);
  lx_json_add_string (body, "mid", mid);
  lx_stats_add_int (body, "port", 0);
  lx_stats_add_int (body, "pt", pt);
  lx_json_add_string (body, "codec", codec);
}

void
lx_janus_node_create_mountpoint_async (LxJanusNode *node, const LxMountpointSpec *spec,
                                       GAsyncReadyCallback callback, gpointer data)
{
  GTask *task = g_task_new (NULL, node->cancellable, callback, data);
  JsonBuilder *body = begin_plugin_request ("create");
  guint layers = CLAMP (spec->n_layers, 1, 3);

  lx_json_add_string (body, "type", "rtp");
  lx_json_add_string (body, "admin_key", node->admin_key);
  lx_stats_add_int (body, "id", spec->id);
  lx_json_add_string (body, "description", spec->description);
  lx_json_add_string (body, "secret", spec->secret);
  lx_json_add_string (body, "pin", spec->pin);
  json_builder_set_member_name (body, "is_private");
  json_builder_add_boolean_value (body, TRUE);
  json_builder_set_member_name (body, "media");
  json_builder_begin_array (body);
  /* The layers as one simulcast stream (port, port2, port3: largest first, as Janus's substreams
   * 0, 1, 2 go). The RTCP port lets Janus send the viewers' keyframe requests back to the sender. */
  begin_media (body, "video", "v", 96, "h264");
  lx_stats_add_int (body, "rtcpport", 0);
  lx_json_add_string (body, "fmtp", "profile-level-id=42e01f;packetization-mode=1");
  if (layers > 1) {
    json_builder_set_member_name (body, "simulcast");
    json_builder_add_boolean_value (body, TRUE);
    lx_stats_add_int (body, "port2", 0);
  }
  if (layers > 2)
    lx_stats_add_int (body, "port3", 0);
  json_builder_end_object (body);
  begin_media (body, "audio", "a", 111, "opus");
  json_builder_end_object (body);
  json_builder_end_array (body);
  send_plugin_request (node, body, g_task_new (NULL, node->cancellable, pass_answer, task));
}

gboolean
lx_janus_node_create_mountpoint_finish (LxJanusNode *node, GAsyncResult *result,
                                        LxMountpointPorts *ports, GError **error)
{
  g_autoptr (JsonObject) answer = g_task_propagate_pointer (G_TASK (result), error);
  JsonObject *stream;
  JsonArray *media;

  if (answer == NULL)
    return FALSE;
  *ports = (LxMountpointPorts){ 0 };
  stream = json_object_get_object_member (answer, "stream");
  media = stream ? json_object_get_array_member (stream, "ports") : NULL;
  for (guint i = 0; media && i < json_array_get_length (media); i++) {
    JsonObject *port = json_array_get_object_element (media, i);
    if (g_strcmp0 (json_object_get_string_member_with_default (port, "type", ""), "video") == 0) {
      ports->video_ports[0] = json_object_get_int_member_with_default (port, "port", 0);
      ports->video_ports[1] = json_object_get_int_member_with_default (port, "port_2", 0);
      ports->video_ports[2] = json_object_get_int_member_with_default (port, "port_3", 0);
      ports->video_rtcp_port = json_object_get_int_member_with_default (port, "rtcp_port", 0);
    } else {
      ports->audio_port = json_object_get_int_member_with_default (port, "port", 0);
    }
  }
  if (ports->video_ports[0] == 0 || ports->audio_port == 0) {
    g_set_error_literal (error, LX_JANUS_ERROR, LX_JANUS_ERROR_FAILED,
                         "Janus created the mountpoint without saying its ports");
    return FALSE;
  }
  return TRUE;
}

/* A request about mountpoint @id, with its @secret. */
static void
send_mountpoint_request (LxJanusNode *node, const char *request, gint64 id, const char *secret,
                         GAsyncReadyCallback callback, gpointer data)
{
  GTask *task = g_task_new (NULL, node->cancellable, callback, data);
  JsonBuilder *body = begin_plugin_request (request);

  lx_stats_add_int (body, "id", id);
  lx_json_add_string (body, "secret", secret);
  send_plugin_request (node, body, g_task_new (NULL, node->cancellable, pass_answer, task));
}

void
lx_janus_node_destroy_mountpoint_async (LxJanusNode *node, gint64 id, const char *secret,
                                        GAsyncReadyCallback callback, gpointer data)
{
  send_mountpoint_request (node, "destroy", id, secret, callback, data);
}

gboolean
lx_janus_node_destroy_mountpoint_finish (LxJanusNode *node, GAsyncResult *result, GError **error)
{
  g_autoptr (JsonObject) answer = g_task_propagate_pointer (G_TASK (result), error);

  return answer != NULL;
}

void
lx_janus_node_read_info_async (LxJanusNode *node, gint64 id, const char *secret,
                               GAsyncReadyCallback callback, gpointer data)
{
  send_mountpoint_request (node, "info", id, secret, callback, data);
}

gboolean
lx_janus_node_read_info_finish (LxJanusNode *node, GAsyncResult *result, LxMountpointInfo *info,
                                GError **error)
{
  g_autoptr (JsonObject) answer = g_task_propagate_pointer (G_TASK (result), error);
  JsonObject *about = answer ? json_object_get_object_member (answer, "info") : NULL;
  JsonArray *media;

  if (answer == NULL)
    return FALSE;
  /* (Janus says "viewers" only when asked with the mountpoint's secret) */
  if (about == NULL || !json_object_has_member (about, "viewers")) {
    g_set_error_literal (error, LX_JANUS_ERROR, LX_JANUS_ERROR_REFUSED,
                         "Janus gave the mountpoint's information without its viewers");
    return FALSE;
  }
  *info = (LxMountpointInfo){ (gint) json_object_get_int_member (about, "viewers"), -1, -1 };
  media = json_object_get_array_member (about, "media");
  for (guint i = 0; media && i < json_array_get_length (media); i++) {
    JsonObject *one = json_array_get_object_element (media, i);
    gint64 age = json_object_get_int_member_with_default (one, "age_ms", -1);
    if (g_strcmp0 (json_object_get_string_member_with_default (one, "type", ""), "video") == 0)
      info->video_age_ms = age;
    else
      info->audio_age_ms = age;
  }
  return TRUE;
}
