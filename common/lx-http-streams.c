/* Open-ended HTTP answers (see lx-http-streams.h). */
#include "lx-http-streams.h"

struct _LxHttpStreams {
  GList *clients; /* SoupServerMessage* (ref) */
  void (*emptied) (gpointer data);
  gpointer data;
};

LxHttpStreams *
lx_http_streams_new (void (*emptied) (gpointer data), gpointer data)
{
  LxHttpStreams *streams = g_new0 (LxHttpStreams, 1);

  streams->emptied = emptied;
  streams->data = data;
  return streams;
}

static void
on_finished (SoupServerMessage *message, gpointer data)
{
  LxHttpStreams *streams = data;

  streams->clients = g_list_remove (streams->clients, message);
  g_signal_handlers_disconnect_by_data (message, streams);
  g_object_unref (message);
  if (streams->clients == NULL && streams->emptied)
    streams->emptied (streams->data);
}

void
lx_http_streams_free (LxHttpStreams *streams)
{
  if (streams == NULL)
    return;
  streams->emptied = NULL;
  while (streams->clients) {
    SoupServerMessage *message = streams->clients->data;
    soup_message_body_complete (soup_server_message_get_response_body (message));
    soup_server_message_unpause (message);
    on_finished (message, streams);
  }
  g_free (streams);
}

void
lx_http_streams_open (LxHttpStreams *streams, SoupServerMessage *message, const char *content_type)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", content_type);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache, no-store");
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  /* Sent chunks are dropped, so a page left open all day holds no memory. */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (message), FALSE);
  g_signal_connect (message, "finished", G_CALLBACK (on_finished), streams);
  streams->clients = g_list_prepend (streams->clients, g_object_ref (message));
  soup_server_message_pause (message);
}

void
lx_http_stream_send (SoupServerMessage *message, gconstpointer data, gsize length)
{
  soup_message_body_append (soup_server_message_get_response_body (message), SOUP_MEMORY_COPY, data,
                            length);
  soup_server_message_unpause (message);
}

void
lx_http_streams_send (LxHttpStreams *streams, gconstpointer data, gsize length)
{
  g_autoptr (GBytes) chunk = NULL;

  if (streams->clients == NULL)
    return;
  chunk = g_bytes_new (data, length);
  lx_http_streams_send_bytes (streams, chunk);
}

void
lx_http_streams_send_bytes (LxHttpStreams *streams, GBytes *chunk)
{
  for (GList *l = streams->clients; l; l = l->next) {
    soup_message_body_append_bytes (soup_server_message_get_response_body (l->data), chunk);
    soup_server_message_unpause (l->data);
  }
}

guint
lx_http_streams_count (LxHttpStreams *streams)
{
  return g_list_length (streams->clients);
}
