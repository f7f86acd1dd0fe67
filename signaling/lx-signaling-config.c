/* The table of lianxiao-signaling's configuration keys (configs/signaling.conf documents each). */
#include "lx-signaling-config.h"

const LxConfigKey lx_signaling_config_keys[] = {
  { "server", "address", LX_CONFIG_STRING, G_STRUCT_OFFSET (LxSignalingConfig, address),
    "127.0.0.1", 0, 0, NULL, "IP address to listen on (0.0.0.0 for every interface)" },
  { "server", "port", LX_CONFIG_INT, G_STRUCT_OFFSET (LxSignalingConfig, port), "8443", 0, 65535,
    NULL, "TCP port to listen on; 0 picks a free port and prints it" },
  { "store", "database", LX_CONFIG_STRING, G_STRUCT_OFFSET (LxSignalingConfig, database),
    "lianxiao.db", 0, 0, NULL, "SQLite file holding schools, lessons and attendance" },
  { "store", "allow-unbooked-lessons", LX_CONFIG_BOOL,
    G_STRUCT_OFFSET (LxSignalingConfig, allow_unbooked_lessons), "false", 0, 0, NULL,
    "Admit lessons that are not in the timetable, with no token check (demos, tests)" },
  { "api", "admin-token", LX_CONFIG_STRING, G_STRUCT_OFFSET (LxSignalingConfig, admin_token),
    NULL, 0, 0, NULL, "Token IT staff send to use the REST API; empty: the API is off" },
  { "api", "time-zone", LX_CONFIG_STRING, G_STRUCT_OFFSET (LxSignalingConfig, time_zone),
    "Asia/Shanghai", 0, 0, NULL, "Time zone of the days asked for with ?day=" },
  { "api", "web-root", LX_CONFIG_STRING, G_STRUCT_OFFSET (LxSignalingConfig, web_root), "web", 0,
    0, NULL, "Folder of the web pages for IT staff (served at /); empty: none" },
  LX_CONFIG_END
};
