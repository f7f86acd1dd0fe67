/* lianxiao-signaling's configuration: where to listen. */
#pragma once

#include "lx-config.h"

typedef struct {
  gchar *address;
  gint port;
} LxSignalingConfig;

extern const LxConfigKey lx_signaling_config_keys[];
