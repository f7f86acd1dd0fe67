/* What one client may take of the signaling server, so that no client — a broken one, a flood, a
 * slow one that never says hello — can crowd out the lessons in progress. Each limit is a
 * configuration key ([limits] in signaling.conf); exceeding one gets a clear error or close code
 * and touches nothing else. */
#pragma once

#include <glib.h>

typedef struct {
  gint messages_per_second;     /* per connection, sustained (bursts of 5 s worth pass) */
  gint connections_per_address; /* open WebSocket connections from one IP address */
  gint peers_per_lesson;        /* the sender and its classrooms */
  gint pending_connections;     /* connected but not yet joined, server-wide */
  gint hello_timeout_s;         /* a connection that has not joined by then is closed */
  gint requests_per_second;     /* REST and WHEP requests from one IP address (bursts of 5 s) */
  gint speakers_per_lesson;     /* classrooms called on at once (signaling/lx-floor.h) */
} LxLimits;

/* The defaults: room for a sender with hundreds of classrooms (an offer and a dozen candidates
 * for each at its start), a school with many rooms behind one NAT address. */
#define LX_DEFAULT_MESSAGES_PER_SECOND 200
#define LX_DEFAULT_CONNECTIONS_PER_ADDRESS 64
#define LX_DEFAULT_PEERS_PER_LESSON 1000
#define LX_DEFAULT_PENDING_CONNECTIONS 256
#define LX_DEFAULT_HELLO_TIMEOUT_S 10
#define LX_DEFAULT_REQUESTS_PER_SECOND 20
#define LX_DEFAULT_SPEAKERS_PER_LESSON 1
#define LX_LIMITS_DEFAULT                                                                          \
  {                                                                                                \
    LX_DEFAULT_MESSAGES_PER_SECOND, LX_DEFAULT_CONNECTIONS_PER_ADDRESS,                            \
        LX_DEFAULT_PEERS_PER_LESSON, LX_DEFAULT_PENDING_CONNECTIONS, LX_DEFAULT_HELLO_TIMEOUT_S,   \
        LX_DEFAULT_REQUESTS_PER_SECOND, LX_DEFAULT_SPEAKERS_PER_LESSON                             \
  }

/* WebSocket close codes (RFC 6455 §7.4.1) for the limits. */
#define LX_CLOSE_POLICY_VIOLATION 1008 /* a message flood */
#define LX_CLOSE_HELLO_TIMEOUT 4001    /* joined nothing in time */
/* HTTP 429 (RFC 6585), which libsoup 3.2 has no name for. */
#define LX_HTTP_TOO_MANY_REQUESTS 429

/* A token bucket: @rate messages a second, up to 5 s worth at once. */
typedef struct {
  gdouble tokens;
  gint64 last_us;
  guint refused_this_second;
  gint64 second_us;
} LxRateBucket;

typedef enum {
  LX_RATE_OK,      /* within the rate */
  LX_RATE_REFUSED, /* over it: refuse this message */
  LX_RATE_FLOOD,   /* over it by more than the rate again in one second: close the connection */
} LxRateVerdict;

/* Counts one message arriving at @now_us (monotonic). */
LxRateVerdict lx_rate_bucket_take (LxRateBucket *bucket, gint rate, gint64 now_us);
/* Counts one action at @now_us (monotonic) against @per_second a second, up to @burst at once (a
 * new bucket is full): TRUE if it may be taken. */
gboolean lx_rate_bucket_allow (LxRateBucket *bucket, gdouble per_second, gdouble burst,
                               gint64 now_us);
