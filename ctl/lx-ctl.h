/* lianxiao-ctl's commands (see main.c): each turns its arguments into one REST request and prints
 * the answer as a table, or as JSON with --json. */
#pragma once

#include <glib.h>

typedef struct {
  gchar *server;  /* http://host:port */
  gchar *ca_file; /* (nullable) PEM CA certificates for an https:// server */
  gchar *token;
  gboolean json;
  /* lesson options */
  gchar *title, *teacher, *sender, *receivers, *start, *end, *time_zone, *weekly_until;
  gchar *day, *school, *county, *name;
  gboolean today;
} LxCtlOptions;

/* Parses the options in @args (UTF-8, whatever the locale), leaving the command words there. */
gboolean lx_ctl_parse (LxCtlOptions *options, gchar ***args, GError **error);
void lx_ctl_options_clear (LxCtlOptions *options);

/* The REST server's base URL from what someone typed after --server: a WebSocket address
 * (ws://HOST:PORT/ws, the programs' --server) or a trailing slash is understood; an address
 * without http:// or https:// is refused with the suggestion. Replaces *@url (transfer full). */
gboolean lx_ctl_server_url (const char *given, gchar **url, GError **error);

/* Runs the command in @argv[1..]; returns the exit status: 0 done, 1 refused or failed (the reason
 * is printed), 2 bad usage. */
int lx_ctl_run (const LxCtlOptions *options, int argc, char **argv);
