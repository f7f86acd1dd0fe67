/* The classroom's timetable (see lx-timetable.h). */
#include "lx-timetable.h"

#include "lx-tls.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define REFRESH_SECONDS 30
#define DAYS_AHEAD 2

struct _LxTimetable {
  gchar *url;
  gchar *authorization;
  SoupSession *session;
  GCancellable *cancellable;
  GPtrArray *occurrences; /* LxOccurrence*, as the server sent them */
  gchar *school_name;     /* (nullable) until the first answer */
  gchar *problem;
  guint refresh_timer;
  gboolean fetching;
  LxRole role;
};

static void
occurrence_free (LxOccurrence *occurrence)
{
  g_free (occurrence->lesson);
  g_free (occurrence->title);
  g_free (occurrence->time_zone);
  g_free (occurrence->start_local);
  g_strfreev (occurrence->receivers);
  g_strfreev (occurrence->receiver_names);
  g_free (occurrence);
}

static void
set_problem (LxTimetable *timetable, gchar *problem)
{
  if (g_strcmp0 (problem, timetable->problem) != 0 && problem)
    g_warning ("timetable: %s", problem);
  g_free (timetable->problem);
  timetable->problem = problem;
}

static gint64
utc_seconds (JsonObject *object, const char *member)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (
      json_object_get_string_member_with_default (object, member, ""), NULL);
  return time ? g_date_time_to_unix (time) : 0;
}

/* (transfer full) The strings of @object's array @member (empty if none). */
static GStrv
read_strings (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array && i < json_array_get_length (array); i++) {
    JsonNode *element = json_array_get_element (array, i);
    const char *text = JSON_NODE_HOLDS_VALUE (element) ? json_node_get_string (element) : NULL;
    if (text)
      g_strv_builder_add (builder, text);
  }
  return g_strv_builder_end (builder);
}

static void
on_fetched (GObject *source, GAsyncResult *result, gpointer data)
{
  LxTimetable *timetable = data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonArray *array = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* freed meanwhile */
  timetable->fetching = FALSE;
  if (body == NULL) {
    set_problem (timetable, g_strdup_printf ("连不上服务器，正在重试 · cannot reach the server: %s",
                                             error->message));
    return;
  }
  /* Said for the people in the room (Chinese first): nobody there can fix a token, so say who
   * can. */
  switch (soup_message_get_status (message)) {
  case SOUP_STATUS_OK:
    break;
  case SOUP_STATUS_UNAUTHORIZED:
    set_problem (timetable,
                 g_strdup ("学校编号或令牌不对 · wrong school id or token\n" LX_CALL_IT_STAFF));
    return;
  case SOUP_STATUS_NOT_FOUND:
    set_problem (
        timetable,
        g_strdup ("服务器上没有这所学校 · this school is not on the server\n" LX_CALL_IT_STAFF));
    return;
  default:
    set_problem (timetable, g_strdup_printf ("服务器拒绝了课表，正在重试 · the server refused the "
                                             "timetable (HTTP %u)",
                                             soup_message_get_status (message)));
    return;
  }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                   NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (array = json_object_get_array_member (json_node_get_object (root), "lessons")) == NULL) {
    set_problem (timetable, g_strdup ("the server sent a timetable without its lessons"));
    return;
  }
  {
    JsonObject *school = json_object_get_object_member (json_node_get_object (root), "school");
    g_free (timetable->school_name);
    timetable->school_name =
        school ? g_strdup (json_object_get_string_member_with_default (school, "name", NULL))
               : NULL;
  }
  g_ptr_array_set_size (timetable->occurrences, 0);
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonObject *entry = json_array_get_object_element (array, i);
    LxOccurrence *occurrence;
    if (entry == NULL || g_strcmp0 (json_object_get_string_member_with_default (entry, "role", ""),
                                    lx_role_to_string (timetable->role)) != 0)
      continue; /* the school's other part is another program's business */
    occurrence = g_new0 (LxOccurrence, 1);
    occurrence->lesson = g_strdup_printf (
        "%" G_GINT64_FORMAT, json_object_get_int_member_with_default (entry, "lesson", 0));
    occurrence->title = g_strdup (json_object_get_string_member_with_default (entry, "title", ""));
    occurrence->start_local =
        g_strdup (json_object_get_string_member_with_default (entry, "start", ""));
    occurrence->receivers = read_strings (entry, "receivers");
    occurrence->receiver_names = read_strings (entry, "receiver_names");
    occurrence->time_zone =
        g_strdup (json_object_get_string_member_with_default (entry, "time_zone", "UTC"));
    occurrence->start = utc_seconds (entry, "start_utc");
    occurrence->end = utc_seconds (entry, "end_utc");
    g_ptr_array_add (timetable->occurrences, occurrence);
  }
  set_problem (timetable, NULL);
  g_debug ("timetable: %u lessons ahead", timetable->occurrences->len);
}

static gboolean
fetch (gpointer data)
{
  LxTimetable *timetable = data;
  g_autoptr (SoupMessage) message = NULL;

  if (timetable->fetching)
    return G_SOURCE_CONTINUE;
  message = soup_message_new (SOUP_METHOD_GET, timetable->url);
  if (message == NULL) {
    set_problem (timetable, g_strdup_printf ("'%s' is not a valid address", timetable->url));
    return G_SOURCE_CONTINUE;
  }
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                timetable->authorization);
  timetable->fetching = TRUE;
  soup_session_send_and_read_async (timetable->session, message, G_PRIORITY_DEFAULT,
                                    timetable->cancellable, on_fetched, timetable);
  return G_SOURCE_CONTINUE;
}

LxTimetable *
lx_timetable_new (const LxConnectionSettings *connection, LxRole role)
{
  LxTimetable *timetable = g_new0 (LxTimetable, 1);
  g_autofree gchar *api = lx_settings_api_url (connection);
  g_autofree gchar *school = g_uri_escape_string (connection->school, NULL, TRUE);

  timetable->role = role;
  timetable->occurrences = g_ptr_array_new_with_free_func ((GDestroyNotify) occurrence_free);
  timetable->session = soup_session_new ();
  lx_tls_trust (timetable->session, connection->trusted_cas);
  timetable->cancellable = g_cancellable_new ();
  timetable->authorization =
      g_strdup_printf ("Bearer %s", connection->token ? connection->token : "");
  timetable->url = api ? g_strdup_printf ("%sschools/%s/timetable?days=%d", api, school, DAYS_AHEAD)
                       : g_strdup (connection->server);
  fetch (timetable);
  timetable->refresh_timer = g_timeout_add_seconds (REFRESH_SECONDS, fetch, timetable);
  return timetable;
}

void
lx_timetable_free (LxTimetable *timetable)
{
  if (timetable == NULL)
    return;
  g_cancellable_cancel (timetable->cancellable);
  g_clear_handle_id (&timetable->refresh_timer, g_source_remove);
  g_object_unref (timetable->cancellable);
  g_object_unref (timetable->session);
  g_ptr_array_unref (timetable->occurrences);
  g_free (timetable->url);
  g_free (timetable->authorization);
  g_free (timetable->problem);
  g_free (timetable->school_name);
  g_free (timetable);
}

const char *
lx_timetable_get_school_name (LxTimetable *timetable)
{
  return timetable->school_name;
}

const LxOccurrence *
lx_timetable_current (LxTimetable *timetable, gint64 now)
{
  for (guint i = 0; i < timetable->occurrences->len; i++) {
    const LxOccurrence *occurrence = timetable->occurrences->pdata[i];
    if (occurrence->start <= now && now < occurrence->end)
      return occurrence;
  }
  return NULL;
}

const LxOccurrence *
lx_timetable_next (LxTimetable *timetable, gint64 now)
{
  const LxOccurrence *next = NULL;

  for (guint i = 0; i < timetable->occurrences->len; i++) {
    const LxOccurrence *occurrence = timetable->occurrences->pdata[i];
    if (occurrence->start > now && (next == NULL || occurrence->start < next->start))
      next = occurrence;
  }
  return next;
}

const char *
lx_timetable_get_problem (LxTimetable *timetable)
{
  return timetable->problem;
}

guint
lx_timetable_count (LxTimetable *timetable)
{
  return timetable->occurrences->len;
}

const LxOccurrence *
lx_timetable_get (LxTimetable *timetable, guint index)
{
  return index < timetable->occurrences->len ? timetable->occurrences->pdata[index] : NULL;
}
