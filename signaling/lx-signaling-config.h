/* lianxiao-signaling's configuration: where to listen, where the timetable lives, who may edit it. */
#pragma once

#include "lx-config.h"
#include "lx-limits.h"

typedef struct {
  gchar *address;
  gint port;
  gchar *tls_certificate; /* (nullable) PEM: with tls_key, https:// and wss:// */
  gchar *tls_key;
  gchar *database;
  gboolean allow_unbooked_lessons;
  gchar *admin_token;
  gchar *time_zone;
  gchar *web_root;
  LxLimits limits;
  gchar *whep_stun_server; /* (nullable) announced to WHEP players in Link headers */
  gchar *whep_turn_server; /* (nullable) the same, with its credentials */
} LxSignalingConfig;

extern const LxConfigKey lx_signaling_config_keys[];
