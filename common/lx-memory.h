/* Memory a session freed, given back to the system (see lx-memory.c). */
#pragma once

#include <glib.h>

/* LX_MALLOC_DEFAULTS=1 in the environment leaves glibc as it is (no arena limit, no trimming):
 * the naive baseline of bench/soak.py. */

/* At the start of a long-lived program, before any thread: at most two malloc arenas. glibc
 * makes one per thread up to eight per core, and what a session's threads freed in theirs stays
 * there; with two (and lx_memory_give_back), a classroom's resident size stops growing from one
 * renegotiation to the next. */
void lx_memory_limit_arenas (void);

/* After a session's pipeline is gone: the C library's free lists (one arena per thread that
 * allocated, and every session brings new streaming threads) go back to the system, instead of
 * being kept for allocations that may never come. A no-op outside glibc. */
void lx_memory_give_back (void);
