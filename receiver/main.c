/* lianxiao-receiver: loads the configuration and plays the lesson until stopped. */
#include "lx-log.h"
#include "lx-memory.h"
#include "lx-receiver.h"
#include "lx-webrtc.h"

#include <gst/gst.h>
#include <stdio.h>

int
main (int argc, char **argv)
{
  LxReceiverConfig config = { 0 };
  g_autoptr (GError) error = NULL;
  LxReceiver *receiver;
  int status;

  lx_memory_limit_arenas ();
  lx_log_init ("lianxiao-receiver");
  gst_init (&argc, &argv);
  if (!lx_config_load (lx_receiver_config_keys, &config,
                       "Lianxiao receiver: plays the lesson in a rural classroom.", NULL, &argc,
                       &argv, &error) ||
      !lx_settings_check_http_url ("whep-url", config.whep_url, &error) ||
      !lx_connection_settings_validate (&config.connection, config.whep_url != NULL, &error)) {
    fprintf (stderr, "lianxiao-receiver: %s\n", error->message);
    lx_connection_settings_clear (&config.connection);
    lx_config_clear (lx_receiver_config_keys, &config);
    return LX_RECEIVER_EXIT_USAGE;
  }

  /* The DTLS key is made now, not while the classroom waits for its first picture. */
  lx_webrtc_prepare_dtls_certificate ();
  receiver = lx_receiver_new (&config);
  status = lx_receiver_run (receiver);
  lx_receiver_free (receiver);
  lx_connection_settings_clear (&config.connection);
  lx_config_clear (lx_receiver_config_keys, &config);
  return status;
}
