/* Publishing to a WHIP endpoint (see lx-whip-publisher.h). Main context only. */
#include "lx-whip-publisher.h"

#include "lx-backoff.h"
#include "lx-whip-client.h"

/* A session that is not up within this (ICE or DTLS never completes) is tried afresh. */
#define CONNECT_TIMEOUT_S 20
/* A media server that sends no RTCP for this long is gone (its receiver reports come every few
 * seconds), although ICE still says "connected". */
#define SILENCE_TIMEOUT_S 10
/* How long a stopping sender waits for the server to confirm the session's end. */
#define END_WAIT_MS 2000

struct _LxWhipPublisher {
  LxClassroomContext context;
  LxWhipClient *client;
  LxClassroom *branch;       /* (nullable) between attempts */
  GCancellable *cancellable; /* the offer under way */
  gint64 started_us;         /* monotonic: this attempt's start */
  LxBackoff retry;           /* 1 s after a failure, doubling to 30 s */
  guint sessions;
  guint retry_timer, check_timer;
};

static gboolean start_attempt (gpointer data);

static void
end_attempt (LxWhipPublisher *publisher)
{
  g_cancellable_cancel (publisher->cancellable);
  g_clear_object (&publisher->cancellable);
  lx_whip_client_end_session (publisher->client, 0);
  if (publisher->branch)
    lx_classroom_close (g_steal_pointer (&publisher->branch));
}

/* Something went wrong with this attempt: end it, and try again later. */
static void
retry_later (LxWhipPublisher *publisher, const char *why)
{
  guint wait_ms = lx_backoff_next_ms (&publisher->retry);

  end_attempt (publisher);
  g_warning ("WHIP: %s; publishing again in %u s", why, wait_ms / 1000);
  g_clear_handle_id (&publisher->retry_timer, g_source_remove);
  publisher->retry_timer = g_timeout_add (wait_ms, start_attempt, publisher);
}

static void
on_answer (GObject *source, GAsyncResult *result, gpointer data)
{
  LxWhipPublisher *publisher = data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *answer = lx_whip_client_offer_finish (publisher->client, result, &error);
  g_autofree gchar *why = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* (the publisher may be gone: touch nothing) */
  if (answer == NULL) {
    why = g_strdup (error->message);
    retry_later (publisher, why);
    return;
  }
  publisher->sessions++;
  g_message ("WHIP: the endpoint accepted the lesson (session %s)",
             lx_whip_client_get_session_url (publisher->client));
  if (publisher->branch == NULL || !lx_classroom_set_answer (publisher->branch, answer, &error)) {
    why = g_strdup_printf ("unusable answer: %s", error ? error->message : "no branch");
    retry_later (publisher, why);
  }
}

static void
deliver_offer (LxClassroom *branch, const char *offer, gpointer data)
{
  LxWhipPublisher *publisher = data;

  if (branch != publisher->branch)
    return;
  g_clear_object (&publisher->cancellable);
  publisher->cancellable = g_cancellable_new ();
  lx_whip_client_offer_async (publisher->client, offer, publisher->cancellable, on_answer,
                              publisher);
}

static gboolean
start_attempt (gpointer data)
{
  LxWhipPublisher *publisher = data;
  g_autoptr (GError) error = NULL;

  publisher->retry_timer = 0;
  publisher->started_us = g_get_monotonic_time ();
  publisher->context.announced_ice_servers = lx_whip_client_get_ice_servers (publisher->client);
  publisher->branch =
      lx_classroom_new_publication (&publisher->context, "whip", deliver_offer, publisher, &error);
  if (publisher->branch == NULL)
    retry_later (publisher, error->message);
  return G_SOURCE_REMOVE;
}

const char *
lx_whip_publisher_judge (LxClassroomState state, gint silence_s, gint64 attempt_s, gboolean *up)
{
  *up = FALSE;
  if (state == LX_CLASSROOM_CONNECTED && silence_s > SILENCE_TIMEOUT_S)
    return "the media server stopped answering (no RTCP)";
  if (state == LX_CLASSROOM_CONNECTED) {
    *up = TRUE;
    return NULL;
  }
  if (state == LX_CLASSROOM_FAILED)
    return "the connection to the media server failed";
  if (attempt_s > CONNECT_TIMEOUT_S)
    return "the connection to the media server did not come up";
  return NULL;
}

/* Once a second: a failed connection, or one that never comes up, is tried afresh. */
static gboolean
check_connection (gpointer data)
{
  LxWhipPublisher *publisher = data;
  const char *over;
  gboolean up;

  if (publisher->branch == NULL)
    return G_SOURCE_CONTINUE;
  over = lx_whip_publisher_judge (
      lx_classroom_get_state (publisher->branch), lx_classroom_get_silence_s (publisher->branch),
      (g_get_monotonic_time () - publisher->started_us) / G_USEC_PER_SEC, &up);
  if (up)
    lx_backoff_reset (&publisher->retry);
  if (over)
    retry_later (publisher, over);
  return G_SOURCE_CONTINUE;
}

LxWhipPublisher *
lx_whip_publisher_new (const LxClassroomContext *context, const char *url, const char *token,
                       GError **error)
{
  LxWhipClient *client =
      lx_whip_client_new (url, token, context->config->connection.trusted_cas, error);
  LxWhipPublisher *publisher;

  if (client == NULL) {
    g_prefix_error (error, "key 'whip-url': ");
    return NULL;
  }
  publisher = g_new0 (LxWhipPublisher, 1);
  publisher->context = *context;
  publisher->client = client;
  publisher->retry = (LxBackoff) LX_BACKOFF_INIT (1000, 30000, 0);
  g_message ("WHIP: publishing the lesson to %s", url);
  start_attempt (publisher);
  publisher->check_timer = g_timeout_add_seconds (1, check_connection, publisher);
  return publisher;
}

void
lx_whip_publisher_free (LxWhipPublisher *publisher)
{
  if (publisher == NULL)
    return;
  g_clear_handle_id (&publisher->retry_timer, g_source_remove);
  g_clear_handle_id (&publisher->check_timer, g_source_remove);
  g_cancellable_cancel (publisher->cancellable);
  g_clear_object (&publisher->cancellable);
  lx_whip_client_end_session (publisher->client, END_WAIT_MS);
  if (publisher->branch)
    lx_classroom_close (g_steal_pointer (&publisher->branch));
  lx_whip_client_free (publisher->client);
  g_free (publisher);
}

LxClassroom *
lx_whip_publisher_get_branch (LxWhipPublisher *publisher)
{
  return publisher->branch;
}

guint
lx_whip_publisher_get_sessions (LxWhipPublisher *publisher)
{
  return publisher->sessions;
}
