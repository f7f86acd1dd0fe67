/* lianxiao-signaling: parses options, loads the configuration and runs the server until SIGINT or
 * SIGTERM. */
#include "lx-log.h"
#include "lx-server.h"
#include "lx-signaling-config.h"
#include "lx-store.h"

#include <glib-unix.h>
#include <stdio.h>

static gboolean
on_quit_signal (gpointer loop)
{
  g_message ("stopping");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  LxSignalingConfig config = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (LxStore) store = NULL;
  g_autoptr (LxServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;

  lx_log_init ("lianxiao-signaling");
  if (!lx_config_load (lx_signaling_config_keys, &config,
                       "Lianxiao signaling server: routes lesson set-up between the sender and the "
                       "classrooms.",
                       NULL, &argc, &argv, &error)) {
    fprintf (stderr, "lianxiao-signaling: %s\n", error->message);
    lx_config_clear (lx_signaling_config_keys, &config);
    return 2;
  }

  store = lx_store_open (config.database, &error);
  if (store == NULL) {
    fprintf (stderr, "lianxiao-signaling: %s\n", error->message);
    lx_config_clear (lx_signaling_config_keys, &config);
    return 1;
  }
  server = lx_server_new ();
  lx_server_set_limits (server, &config.limits);
  if (!lx_server_set_whep_ice_servers (server, config.whep_stun_server, config.whep_turn_server,
                                       &error)) {
    fprintf (stderr, "lianxiao-signaling: [whep]: %s\n", error->message);
    g_clear_object (&server);
    lx_config_clear (lx_signaling_config_keys, &config);
    return 2;
  }
  lx_server_set_timetable (server, store, config.allow_unbooked_lessons);
  lx_server_enable_api (server, store, config.admin_token, config.time_zone);
  if (config.web_root)
    lx_server_serve_files (server, config.web_root);
  if (config.tls_certificate || config.tls_key) {
    g_autoptr (GTlsCertificate) certificate =
        config.tls_certificate && config.tls_key
            ? g_tls_certificate_new_from_files (config.tls_certificate, config.tls_key, &error)
            : NULL;
    if (certificate == NULL) {
      fprintf (stderr, "lianxiao-signaling: keys 'tls-certificate' and 'tls-key' in [server]: %s\n",
               error ? error->message : "set both, or neither");
      g_clear_object (&server);
      lx_config_clear (lx_signaling_config_keys, &config);
      return 2;
    }
    lx_server_set_tls_certificate (server, certificate);
  }
  if (!lx_server_listen (server, config.address, config.port, &error)) {
    fprintf (stderr, "lianxiao-signaling: cannot listen on %s:%d: %s\n", config.address,
             config.port, error->message);
    g_clear_object (&server);
    lx_config_clear (lx_signaling_config_keys, &config);
    return 1;
  }
  /* Tests and scripts read this line to learn the port when --port 0 was given. */
  printf ("lianxiao-signaling: listening on %s://%s:%u/ (WebSocket %s://%s:%u/ws)\n",
          config.tls_certificate ? "https" : "http", config.address, lx_server_get_port (server),
          config.tls_certificate ? "wss" : "ws", config.address, lx_server_get_port (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);

  g_clear_object (&server); /* before the store it serves from */
  lx_config_clear (lx_signaling_config_keys, &config);
  return 0;
}
