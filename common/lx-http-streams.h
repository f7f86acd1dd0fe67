/* Open-ended HTTP answers sent to as things happen: the status board's server-sent events
 * (lianxiao-signaling), the teacher's console's MJPEG pictures (lianxiao-sender). Each chunk goes
 * to every client still there; what was sent is not kept. Main context. */
#pragma once

#include <libsoup/soup.h>

typedef struct _LxHttpStreams LxHttpStreams;

/* (transfer full) No client yet; @emptied (nullable) is called when the last one goes. */
LxHttpStreams *lx_http_streams_new (void (*emptied) (gpointer data), gpointer data);
/* Ends every answer still open (while their connections are up: before the server goes). */
void lx_http_streams_free (LxHttpStreams *streams);

/* Answers @message 200 with @content_type, chunked, sent to by lx_http_streams_send() until its
 * client goes. */
void lx_http_streams_open (LxHttpStreams *streams, SoupServerMessage *message,
                           const char *content_type);
/* Sends @length bytes of @data to every client (copied once for all of them); or @chunk, shared. */
void lx_http_streams_send (LxHttpStreams *streams, gconstpointer data, gsize length);
void lx_http_streams_send_bytes (LxHttpStreams *streams, GBytes *chunk);
/* ... or to the one answer @message, opened above (its first chunk). */
void lx_http_stream_send (SoupServerMessage *message, gconstpointer data, gsize length);
guint lx_http_streams_count (LxHttpStreams *streams);
