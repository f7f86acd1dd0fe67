/* glibc keeps what a thread freed in that thread's arena, for that arena's next allocation. A
 * box that renegotiates all day gets new streaming threads each time, often a new arena, and its
 * resident size only grows (13 MB a session, measured) though nothing is leaked: malloc_trim
 * returns the free pages of every arena. */
#include "lx-memory.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

void
lx_memory_limit_arenas (void)
{
#ifdef __GLIBC__
  /* (MALLOC_ARENA_MAX in the environment still wins: it is read when malloc starts) */
  if (g_getenv ("MALLOC_ARENA_MAX") == NULL)
    mallopt (M_ARENA_MAX, 2);
#endif
}

void
lx_memory_give_back (void)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
}
