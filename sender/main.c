/* lianxiao-sender: loads the configuration and broadcasts one lesson until stopped. */
#include "lx-memory.h"
#include "lx-log.h"
#include "lx-sender.h"
#include "lx-webrtc.h"

#include <gst/gst.h>
#include <stdio.h>

/* Frees what the configuration holds, so a sanitizer build reports real leaks only. */
static void
clear_config (LxSenderConfig *config)
{
  lx_connection_settings_clear (&config->connection);
  lx_config_clear (lx_sender_config_keys, config);
  g_clear_pointer (&config->classroom_caps, g_hash_table_unref);
  lx_janus_target_clear (&config->janus_target);
}

int
main (int argc, char **argv)
{
  LxSenderConfig config = { 0 };
  g_autoptr (GError) error = NULL;
  LxSender *sender;
  int status = 2;

  lx_memory_limit_arenas ();
  lx_log_init ("lianxiao-sender");
  gst_init (&argc, &argv);
  if (!lx_config_load (lx_sender_config_keys, &config,
                       "Lianxiao sender: broadcasts a lesson from the master school to every "
                       "classroom that joins it.",
                       NULL, &argc, &argv, &error) ||
      !lx_settings_check_http_url ("whip-url", config.whip_url, &error) ||
      !lx_connection_settings_validate (&config.connection, config.whip_url || config.janus_rtp,
                                        &error) ||
      !lx_sender_config_validate (&config, &error)) {
    fprintf (stderr, "lianxiao-sender: %s\n", error->message);
    clear_config (&config);
    return status;
  }

  sender = lx_sender_new (&config, &error);
  if (sender == NULL) {
    fprintf (stderr, "lianxiao-sender: %s\n", error->message);
    clear_config (&config);
    return 1;
  }
  lx_webrtc_prepare_dtls_certificate ();
  status = lx_sender_run (sender);
  lx_sender_free (sender);
  clear_config (&config);
  return status;
}
