/* How long to wait before trying again, for every retry in the programs: the signaling
 * connection, a WHIP publication, a WHEP session, a lesson joined again after a lost connection.
 * Each wait doubles from the first to the last, and is spread ± a share of itself, so that a
 * hundred classrooms that lost the server in the same instant do not come back in the same one.
 * It only computes waits: the caller owns the timer (and the clock), so it is tested without
 * either. */
#pragma once

#include <glib.h>

typedef struct {
  guint first_ms, last_ms; /* the first wait, and the longest */
  guint spread_percent;    /* each wait is spread ± this share of itself */
  guint attempts;          /* failures since the last success */
  GRand *rand;             /* (nullable) a test's seeded generator; GLib's otherwise */
} LxBackoff;

/* A policy: waits of @first_ms, doubling up to @last_ms, each ± @spread_percent. */
#define LX_BACKOFF_INIT(first_ms, last_ms, spread_percent)                                         \
  {                                                                                                \
    (first_ms), (last_ms), (spread_percent), 0, NULL                                               \
  }

/* The wait before the next attempt, after one more failure. */
guint lx_backoff_next_ms (LxBackoff *backoff);
/* An attempt succeeded: the next failure waits the first wait again. */
void lx_backoff_reset (LxBackoff *backoff);
