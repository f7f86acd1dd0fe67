/* Logging: each folder logs under its own GLib log domain ("lx-signaling", "lx-sender",
 * "lx-receiver", "lx-common"), so G_MESSAGES_DEBUG=lx-sender tells the story of one program. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Installs a log writer that stamps each line with the wall-clock time and the program name and
 * writes it to stderr. Debug messages are shown for the domains listed in G_MESSAGES_DEBUG. */
void lx_log_init (const char *program);

G_END_DECLS
