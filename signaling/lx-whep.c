/* WHEP sessions (see lx-whep.h): each is a classroom peer of the lesson registry whose messages
 * go to an HTTP request instead of a WebSocket. */
#include "lx-whep.h"

#include "lx-ice-link.h"
#include "lx-offer.h"
#include "lx-sdpfrag.h"

#include <string.h>

/* How long a player waits for the sender's answer (ICE gathering included). */
#define ANSWER_TIMEOUT_S 15
/* ... and for the sender's credentials after an ICE restart (nothing to gather again). */
#define RESTART_TIMEOUT_S 5

struct _LxWhep {
  LxLessonRegistry *registry;
  GHashTable *sessions; /* id → Session* (owned) */
  gchar *stun_link;     /* (nullable) Link header values */
  gchar *turn_link;     /* (nullable) */
};

typedef struct {
  LxWhep *whep;
  gchar *id;
  gchar *location;
  LxPeer *peer;               /* (owned by the registry) */
  SoupServerMessage *pending; /* (nullable) the POST waiting for the answer */
  guint timeout;
  gchar *etag;      /* "ID": what a PATCH names in If-Match */
  gchar *ice_ufrag; /* the player's ICE credentials (after normalising: one transport) */
  gchar **mids;     /* the offer's m-lines' mids, by index ("" where none) */
  SoupServerMessage *restarting; /* (nullable) the PATCH waiting for the sender's restart */
  guint restart_timeout;
} Session;

/* STUN and TURN servers in Link headers (RFC 9725 §4.6); TURN credentials only with an answer,
 * which only a player whose token was accepted gets. */
static void
add_ice_links (LxWhep *whep, SoupServerMessage *message, gboolean with_turn)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  if (whep->stun_link)
    soup_message_headers_append (headers, "Link", whep->stun_link);
  if (with_turn && whep->turn_link)
    soup_message_headers_append (headers, "Link", whep->turn_link);
}

/* The POST still waiting for the answer, no longer watched for its player leaving. */
static SoupServerMessage *
take_pending (Session *session)
{
  SoupServerMessage *message = session->pending;

  if (message)
    g_signal_handlers_disconnect_by_data (message, session);
  session->pending = NULL;
  return message;
}

static void on_restart_finished (SoupServerMessage *message, Session *session);

/* The PATCH still waiting for the sender's ICE restart, no longer watched. */
static SoupServerMessage *
take_restarting (Session *session)
{
  SoupServerMessage *message = session->restarting;

  if (message)
    g_signal_handlers_disconnect_by_func (message, on_restart_finished, session);
  session->restarting = NULL;
  g_clear_handle_id (&session->restart_timeout, g_source_remove);
  return message;
}

static void
on_restart_finished (SoupServerMessage *message, Session *session)
{
  take_restarting (session);
}

static void
answer_restart (Session *session, guint status, const char *content_type, const char *body)
{
  SoupServerMessage *message = take_restarting (session);

  if (message == NULL)
    return;
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, content_type, SOUP_MEMORY_COPY, body, strlen (body));
  if (status == SOUP_STATUS_OK) {
    /* A new ICE session: a new ETag (RFC 9725 §4.3.2). */
    g_free (session->etag);
    session->etag =
        g_strdup_printf ("\"%s-%" G_GINT64_FORMAT "\"", session->id, g_get_monotonic_time ());
    soup_message_headers_replace (soup_server_message_get_response_headers (message), "ETag",
                                  session->etag);
  }
  soup_server_message_unpause (message);
}

static gboolean
on_restart_timeout (gpointer data)
{
  Session *session = data;

  session->restart_timeout = 0;
  answer_restart (session, SOUP_STATUS_GATEWAY_TIMEOUT, "text/plain; charset=utf-8",
                  "the sender did not restart ICE in time\n");
  return G_SOURCE_REMOVE;
}

static void
session_free (Session *session)
{
  SoupServerMessage *pending = take_pending (session);
  SoupServerMessage *restarting = take_restarting (session);

  g_clear_handle_id (&session->timeout, g_source_remove);
  if (pending) {
    soup_server_message_set_status (pending, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
    soup_server_message_unpause (pending);
  }
  if (restarting) {
    soup_server_message_set_status (restarting, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
    soup_server_message_unpause (restarting);
  }
  g_free (session->id);
  g_free (session->location);
  g_free (session->ice_ufrag);
  g_free (session->etag);
  g_strfreev (session->mids);
  g_free (session);
}

static void
respond_text (SoupServerMessage *message, guint status, const char *text)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, text,
                                    strlen (text));
}

typedef struct {
  LxWhep *whep;
  gchar *id;
} Ending;

static void
ending_free (gpointer data)
{
  Ending *ending = data;
  g_free (ending->id);
  g_free (ending);
}

static gboolean
end_session_now (gpointer data)
{
  Ending *ending = data;
  Session *session = g_hash_table_lookup (ending->whep->sessions, ending->id);

  if (session) {
    lx_lesson_registry_remove_peer (ending->whep->registry, session->peer, "WHEP session ended",
                                    FALSE);
    g_hash_table_remove (ending->whep->sessions, ending->id);
  }
  return G_SOURCE_REMOVE;
}

/* Ends @session from the main loop (the registry may be calling us now); by id, since the player
 * may end it first. */
static void
end_session_later (Session *session)
{
  Ending *ending = g_new0 (Ending, 1);

  ending->whep = session->whep;
  ending->id = g_strdup (session->id);
  g_idle_add_full (G_PRIORITY_DEFAULT, end_session_now, ending, ending_free);
}

static void
fail_pending (Session *session, guint status, const char *text)
{
  SoupServerMessage *pending = take_pending (session);

  if (pending == NULL)
    return;
  respond_text (pending, status, text);
  soup_server_message_unpause (pending);
  end_session_later (session);
}

static guint
status_for_error (const char *code)
{
  LxProtocolError error;

  if (!lx_protocol_error_from_string (code, &error))
    return SOUP_STATUS_BAD_REQUEST;
  switch (error) {
  case LX_PROTOCOL_ERROR_BAD_TOKEN:
    return SOUP_STATUS_UNAUTHORIZED;
  case LX_PROTOCOL_ERROR_NOT_BOOKED:
    return SOUP_STATUS_FORBIDDEN;
  case LX_PROTOCOL_ERROR_NO_COMMON_CODEC:
    return SOUP_STATUS_NOT_ACCEPTABLE;
  default:
    return SOUP_STATUS_BAD_REQUEST;
  }
}

/* What the lesson registry tells this session's "classroom". */
static void
on_registry_message (const LxMessage *message, gpointer data)
{
  Session *session = data;

  switch (message->type) {
  case LX_MESSAGE_WELCOME:
    if (!message->sender_present)
      fail_pending (session, SOUP_STATUS_SERVICE_UNAVAILABLE,
                    "the lesson has no sender right now; try again when it starts\n");
    break;
  case LX_MESSAGE_ICE_RESTART:
    answer_restart (session, SOUP_STATUS_OK, "application/trickle-ice-sdpfrag", message->sdp);
    g_message ("WHEP session %s: ICE restarted", session->id);
    break;
  case LX_MESSAGE_OFFER_REFUSED:
    /* Once answered, what the sender refuses is the ICE restart, not the session. */
    if (session->pending == NULL && session->restarting) {
      g_autofree gchar *text = g_strdup_printf ("%s\n", message->message);
      g_message ("WHEP session %s: the sender could not restart ICE: %s", session->id,
                 message->message);
      answer_restart (session, SOUP_STATUS_UNPROCESSABLE_ENTITY, "text/plain; charset=utf-8", text);
      break;
    }
    /* fall through */
  case LX_MESSAGE_ERROR: {
    g_autofree gchar *text = g_strdup_printf ("%s\n", message->message);
    g_message ("WHEP session %s: %s: %s", session->id,
               message->type == LX_MESSAGE_ERROR ? "refused" : "the sender refused its offer",
               message->message);
    fail_pending (session, status_for_error (message->code), text);
    break;
  }
  case LX_MESSAGE_ANSWER: {
    SoupServerMessage *pending = take_pending (session);
    if (pending == NULL)
      break;
    g_clear_handle_id (&session->timeout, g_source_remove);
    soup_server_message_set_status (pending, SOUP_STATUS_CREATED, NULL);
    soup_message_headers_replace (soup_server_message_get_response_headers (pending), "Location",
                                  session->location);
    /* PATCH requests name it in If-Match (RFC 9725 §4.3.1). */
    soup_message_headers_replace (soup_server_message_get_response_headers (pending), "ETag",
                                  session->etag);
    add_ice_links (session->whep, pending, TRUE);
    soup_server_message_set_response (pending, "application/sdp", SOUP_MEMORY_COPY, message->sdp,
                                      strlen (message->sdp));
    soup_server_message_unpause (pending);
    g_message ("WHEP session %s: answered", session->id);
    break;
  }
  case LX_MESSAGE_SENDER_LEFT:
  case LX_MESSAGE_SENDER_JOINED:
    /* The media session the answer set up is gone; the player starts a new one. */
    if (message->type == LX_MESSAGE_SENDER_LEFT || !message->resume) {
      fail_pending (session, SOUP_STATUS_SERVICE_UNAVAILABLE, "the sender left\n");
      end_session_later (session);
    }
    break;
  default:
    break; /* trickled candidates: the answer carries them all */
  }
}

/* A newer connection of the same school took the session's place, or its token was revoked. */
static void
on_registry_close (guint code, const char *reason, gpointer data)
{
  Session *session = data;

  fail_pending (session, SOUP_STATUS_CONFLICT, reason);
  end_session_later (session);
}

static gboolean
on_answer_timeout (gpointer data)
{
  Session *session = data;

  session->timeout = 0;
  fail_pending (session, SOUP_STATUS_GATEWAY_TIMEOUT, "the sender did not answer in time\n");
  return G_SOURCE_REMOVE;
}

/* The player went away before the answer: so does its session. */
static void
on_request_finished (SoupServerMessage *message, Session *session)
{
  take_pending (session);
  end_session_later (session);
}

static const char *
bearer_token (SoupServerMessage *message)
{
  const char *authorization = soup_message_headers_get_one (
      soup_server_message_get_request_headers (message), "Authorization");

  if (authorization && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    return authorization + 7;
  return NULL;
}

/* What a later PATCH is read against: the m-lines' mids and the ICE username fragment in use. */
static void
remember_transport (Session *session, const GstSDPMessage *offer)
{
  g_autoptr (GStrvBuilder) mids = g_strv_builder_new ();

  for (guint m = 0; m < gst_sdp_message_medias_len (offer); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (offer, m);
    const char *mid = gst_sdp_media_get_attribute_val (media, "mid");
    g_strv_builder_add (mids, mid ? mid : "");
    if (session->ice_ufrag == NULL)
      session->ice_ufrag = g_strdup (gst_sdp_media_get_attribute_val (media, "ice-ufrag"));
  }
  session->mids = g_strv_builder_end (mids);
}

static void
start_session (LxWhep *whep, SoupServerMessage *message, const char *lesson, const char *school)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  const char *type = soup_message_headers_get_content_type (
      soup_server_message_get_request_headers (message), NULL);
  g_autoptr (GBytes) offer = NULL;
  g_autofree gchar *sdp = NULL;
  g_autoptr (GstSDPMessage) normalised = NULL;
  const char *video_codec;
  g_autoptr (LxMessage) hello = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *json = NULL;
  Session *session;

  if (g_strcmp0 (type, "application/sdp") != 0) {
    respond_text (message, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                  "send an SDP offer as application/sdp\n");
    return;
  }
  offer = soup_message_body_flatten (body);
  sdp = g_strndup (g_bytes_get_data (offer, NULL), g_bytes_get_size (offer));
  /* What the sender would refuse is refused here, at once and with the reason. */
  normalised = lx_offer_normalise (sdp, NULL, &error);
  video_codec = normalised ? lx_offer_pick_video_codec (normalised, &error) : NULL;
  if (video_codec == NULL) {
    g_autofree gchar *text = g_strdup_printf ("%s\n", error->message);
    g_message ("WHEP: refused an offer for lesson %s from %s: %s", lesson, school, error->message);
    respond_text (message,
                  g_error_matches (error, LX_OFFER_ERROR, LX_OFFER_ERROR_NO_COMMON_CODEC)
                      ? SOUP_STATUS_NOT_ACCEPTABLE
                      : SOUP_STATUS_BAD_REQUEST,
                  text);
    return;
  }
  hello = lx_message_new (LX_MESSAGE_HELLO);
  hello->version = LX_PROTOCOL_VERSION;
  hello->role = LX_ROLE_RECEIVER;
  hello->lesson = g_strdup (lesson);
  hello->school = g_strdup (school);
  hello->token = g_strdup (bearer_token (message));
  hello->sdp = g_steal_pointer (&sdp);
  /* A player that takes no H.264 we can send gets VP8. */
  if (g_str_equal (video_codec, LX_VIDEO_CODEC_VP8))
    hello->video_codec = g_strdup (LX_VIDEO_CODEC_VP8);
  /* The same checks as any message: ids, sizes, UTF-8. */
  json = lx_message_to_json (hello, &error);
  if (json == NULL) {
    respond_text (message, SOUP_STATUS_BAD_REQUEST, error->message);
    return;
  }

  session = g_new0 (Session, 1);
  session->whep = whep;
  session->id = g_uuid_string_random ();
  session->location = g_strdup_printf ("/whep/%s/%s/%s", lesson, school, session->id);
  session->etag = g_strdup_printf ("\"%s\"", session->id);
  remember_transport (session, normalised);
  session->pending = message;
  g_signal_connect (message, "finished", G_CALLBACK (on_request_finished), session);
  session->peer = lx_lesson_registry_add_peer (whep->registry, "a WHEP player", on_registry_message,
                                               on_registry_close, session);
  g_hash_table_insert (whep->sessions, session->id, session);
  session->timeout = g_timeout_add_seconds (ANSWER_TIMEOUT_S, on_answer_timeout, session);
  soup_server_message_pause (message);
  g_message ("WHEP session %s: %s plays lesson %s", session->id, school, lesson);
  lx_lesson_registry_handle (whep->registry, session->peer, json, strlen (json));
}

/* The m-line index of @mid in the session's offer, or -1. */
static gint
mline_of (Session *session, const char *mid)
{
  for (guint i = 0; session->mids[i]; i++)
    if (g_str_equal (session->mids[i], mid))
      return (gint) i;
  return -1;
}

/* Sends @message (built here) into the lesson as the session's classroom said it: the same checks
 * as any classroom's message (sizes, UTF-8). FALSE with @error if it fails them. */
static gboolean
send_as_player (Session *session, LxMessage *message, GError **error)
{
  g_autofree gchar *json = lx_message_to_json (message, error);

  if (json == NULL)
    return FALSE;
  lx_lesson_registry_handle (session->whep->registry, session->peer, json, strlen (json));
  return TRUE;
}

static void
respond_patch_error (SoupServerMessage *message, guint status, const char *what,
                     const GError *error)
{
  g_autofree gchar *reason = g_strdup_printf ("%s: %s\n", what, error->message);
  respond_text (message, status, reason);
}

/* The player's new credentials and candidates go to the sender, whose own come back in the
 * answer to this PATCH (200, RFC 9725 §4.3.2); the session waits with it. */
static void
restart_ice (Session *session, SoupServerMessage *message, const char *frag_text,
             const LxSdpfrag *frag)
{
  g_autoptr (LxMessage) restart = lx_message_new (LX_MESSAGE_ICE_RESTART);
  g_autoptr (GError) error = NULL;

  if (session->restarting) {
    respond_text (message, SOUP_STATUS_CONFLICT, "an ICE restart is already under way\n");
    return;
  }
  restart->sdp = g_strdup (frag_text);
  if (!send_as_player (session, restart, &error)) {
    respond_patch_error (message, SOUP_STATUS_BAD_REQUEST, "ice restart", error);
    return;
  }
  g_free (session->ice_ufrag);
  session->ice_ufrag = g_strdup (frag->ice_ufrag);
  session->restarting = message;
  g_signal_connect (message, "finished", G_CALLBACK (on_restart_finished), session);
  session->restart_timeout = g_timeout_add_seconds (RESTART_TIMEOUT_S, on_restart_timeout, session);
  soup_server_message_pause (message);
  g_message ("WHEP session %s: the player restarts ICE", session->id);
}

/* A PATCH (application/trickle-ice-sdpfrag, RFC 8840): the player's trickled candidates, each
 * passed to the sender like a classroom's (204); or, with new ICE credentials, an ICE restart. */
static void
patch_session (LxWhep *whep, Session *session, SoupServerMessage *message)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  const char *if_match = soup_message_headers_get_one (headers, "If-Match");
  g_autoptr (GBytes) body =
      soup_message_body_flatten (soup_server_message_get_request_body (message));
  g_autofree gchar *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_autoptr (GError) error = NULL;
  g_autoptr (LxSdpfrag) frag = NULL;

  if (g_strcmp0 (type, "application/trickle-ice-sdpfrag") != 0) {
    respond_text (message, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                  "send candidates as application/trickle-ice-sdpfrag\n");
    return;
  }
  if (if_match && !g_str_equal (if_match, "*") && !g_str_equal (if_match, session->etag)) {
    respond_text (message, SOUP_STATUS_PRECONDITION_FAILED, "If-Match names another session\n");
    return;
  }
  frag = lx_sdpfrag_parse (text, &error);
  if (frag == NULL) {
    respond_patch_error (message, SOUP_STATUS_BAD_REQUEST, "sdpfrag", error);
    return;
  }
  if (frag->ice_ufrag && g_strcmp0 (frag->ice_ufrag, session->ice_ufrag) != 0) {
    restart_ice (session, message, text, frag);
    return;
  }
  for (guint i = 0; i < frag->candidates->len; i++) {
    const LxSdpfragCandidate *trickled = g_ptr_array_index (frag->candidates, i);
    g_autoptr (LxMessage) candidate = lx_message_new (LX_MESSAGE_CANDIDATE);
    gint mline = trickled->mid ? mline_of (session, trickled->mid) : 0;

    if (mline < 0) {
      g_autofree gchar *reason = g_strdup_printf ("no m-line has mid '%s'\n", trickled->mid);
      respond_text (message, SOUP_STATUS_BAD_REQUEST, reason);
      return;
    }
    candidate->mline_index = mline;
    candidate->candidate = g_strdup (trickled->candidate);
    if (!send_as_player (session, candidate, &error)) {
      respond_patch_error (message, SOUP_STATUS_BAD_REQUEST, "candidate", error);
      return;
    }
  }
  g_debug ("WHEP session %s: %u candidates trickled", session->id, frag->candidates->len);
  soup_server_message_set_status (message, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
on_whep (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query,
         gpointer data)
{
  LxWhep *whep = data;
  const char *method = soup_server_message_get_method (message);
  g_auto (GStrv) parts = g_strsplit (path + strlen ("/whep/"), "/", -1);
  guint n_parts = g_strv_length (parts);
  Session *session;

  if (!g_str_has_prefix (path, "/whep/") || n_parts < 2 || n_parts > 3 ||
      !lx_protocol_id_is_valid (parts[0]) || !lx_protocol_id_is_valid (parts[1])) {
    respond_text (message, SOUP_STATUS_NOT_FOUND, "WHEP endpoints are /whep/LESSON/SCHOOL\n");
    return;
  }
  if (n_parts == 2) {
    if (method == SOUP_METHOD_OPTIONS) {
      soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                    "Accept-Post", "application/sdp");
      add_ice_links (whep, message, FALSE);
      soup_server_message_set_status (message, SOUP_STATUS_NO_CONTENT, NULL);
    } else if (method == SOUP_METHOD_POST) {
      start_session (whep, message, parts[0], parts[1]);
    } else {
      respond_text (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "POST an SDP offer here\n");
    }
    return;
  }
  session = g_hash_table_lookup (whep->sessions, parts[2]);
  if (session == NULL || !g_str_equal (session->location, path)) {
    respond_text (message, SOUP_STATUS_NOT_FOUND, "no such WHEP session\n");
    return;
  }
  if (method == SOUP_METHOD_DELETE) {
    g_message ("WHEP session %s: ended by the player", session->id);
    lx_lesson_registry_remove_peer (whep->registry, session->peer, "the player ended the session",
                                    FALSE);
    g_hash_table_remove (whep->sessions, session->id);
    soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  } else if (g_str_equal (method, "PATCH")) {
    patch_session (whep, session, message);
  } else {
    respond_text (message, SOUP_STATUS_METHOD_NOT_ALLOWED,
                  "PATCH trickles candidates, DELETE ends the session\n");
  }
}

LxWhep *
lx_whep_new (SoupServer *server, LxLessonRegistry *registry)
{
  LxWhep *whep = g_new0 (LxWhep, 1);

  whep->registry = registry;
  whep->sessions =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) session_free);
  soup_server_add_handler (server, "/whep", on_whep, whep, NULL);
  return whep;
}

gboolean
lx_whep_set_ice_servers (LxWhep *whep, const char *stun_server, const char *turn_server,
                         GError **error)
{
  g_autofree gchar *stun_link = NULL;
  g_autofree gchar *turn_link = NULL;

  if ((stun_server && !(stun_link = lx_ice_link_from_url (stun_server, error))) ||
      (turn_server && !(turn_link = lx_ice_link_from_url (turn_server, error))))
    return FALSE;
  if (stun_link && !g_str_has_prefix (stun_link, "<stun:")) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "stun-server must be a stun:// URL, got '%s'", stun_server);
    return FALSE;
  }
  if (turn_link && g_str_has_prefix (turn_link, "<stun:")) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "turn-server must be a turn:// or turns:// URL, got a STUN one");
    return FALSE;
  }
  g_free (whep->stun_link);
  whep->stun_link = g_steal_pointer (&stun_link);
  g_free (whep->turn_link);
  whep->turn_link = g_steal_pointer (&turn_link);
  return TRUE;
}

void
lx_whep_free (LxWhep *whep)
{
  if (whep == NULL)
    return;
  g_free (whep->stun_link);
  g_free (whep->turn_link);
  g_hash_table_unref (whep->sessions);
  g_free (whep);
}
