/* Impaired links between real processes, for tests (a C face on tests/lx-netlab): a "hub"
 * network namespace for the signaling server and the sender, and one namespace per classroom,
 * each on its own veth link (198.18.K.1 ⇄ 198.18.K.2) that the test can make lossy, thin or cut. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LxTestNetlab LxTestNetlab;

/* (transfer full) A lab with @classrooms links, or NULL with g_test_skip() called and the reason
 * (not root, no nftables or tc, no network namespaces here). */
LxTestNetlab *lx_test_netlab_new (guint classrooms);
/* Removes the namespaces (and the links with them). */
void lx_test_netlab_free (LxTestNetlab *lab);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LxTestNetlab, lx_test_netlab_free)

/* Runs lx-netlab VERB on link @classroom (1-based) with @value: "loss" (percent), "rate"
 * (kbit/s), "cut", "cut-media", "mend". */
void lx_test_netlab_set (LxTestNetlab *lab, const char *verb, guint classroom, guint value);

/* Holds link @classroom's packets @down_ms on the way to the classroom and @up_ms on the way back
 * (lx-netlab delay: a delay line, since netem is missing). FALSE, after g_test_skip() with the
 * reason, where it cannot work here (no iptables, no NFQUEUE, the delay line not built). */
gboolean lx_test_netlab_delay (LxTestNetlab *lab, guint classroom, guint down_ms, guint up_ms);

/* (transfer none) The command prefix that runs a program in the hub (@classroom 0) or in a
 * classroom's namespace. */
const char *const *lx_test_netlab_prefix (LxTestNetlab *lab, guint classroom);

G_END_DECLS
