/* lianxiao-ctl: the IT staff's command line for the timetable, a client of lianxiao-signaling's
 * REST API (docs/api.md), for scripting a term's schools and lessons.
 *
 *   lianxiao-ctl school add ID NAME [--county COUNTY]
 *   lianxiao-ctl school list | school show ID | school edit ID [--name N] [--county C]
 *   lianxiao-ctl school token ID | school delete ID
 *   lianxiao-ctl lesson add --title T --sender ID --receivers ID,ID --start "2026-12-01 10:00"
 *                           --end "2026-12-01 10:45" [--teacher N] [--time-zone Z] [--weekly-until D]
 *   lianxiao-ctl lesson list [--today | --day YYYY-MM-DD] [--school ID] | lesson delete ID
 *   lianxiao-ctl lesson edit NUMBER [--title T] [--start ...] ...   (what is given changes)
 *   lianxiao-ctl hash-token < token     the admin token as signaling.conf may store it (no input:
 *                                       a new token, and its hash)
 *
 * The server is --server (default http://127.0.0.1:8443) and the admin token comes from
 * $LIANXIAO_ADMIN_TOKEN (or --token, which other users of the machine can see in `ps`). */
#include "lx-ctl.h"
#include "lx-log.h"

#include <stdio.h>

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = g_strdupv (argv);
  LxCtlOptions options = { 0 };
  int status;

  lx_log_init ("lianxiao-ctl");
  if (!lx_ctl_parse (&options, &args, &error)) {
    fprintf (stderr, "lianxiao-ctl: %s\n(lianxiao-ctl --help lists the commands)\n",
             error->message);
    lx_ctl_options_clear (&options);
    return 2;
  }
  status = lx_ctl_run (&options, (int) g_strv_length (args), args);
  lx_ctl_options_clear (&options);
  return status;
}
