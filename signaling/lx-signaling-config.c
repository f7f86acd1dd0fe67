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
  { "limits", "messages-per-second", LX_CONFIG_INT,
    G_STRUCT_OFFSET (LxSignalingConfig, limits.messages_per_second),
    G_STRINGIFY (LX_DEFAULT_MESSAGES_PER_SECOND), 1, 100000, NULL,
    "Messages a connection may send per second (bursts of 5 s worth pass); more are refused "
    "with rate-limited, twice as many closes it (1008)" },
  { "limits", "connections-per-address", LX_CONFIG_INT,
    G_STRUCT_OFFSET (LxSignalingConfig, limits.connections_per_address),
    G_STRINGIFY (LX_DEFAULT_CONNECTIONS_PER_ADDRESS), 1, 100000, NULL,
    "Open WebSocket connections from one IP address (a school's rooms share its NAT address); "
    "more get HTTP 503" },
  { "limits", "peers-per-lesson", LX_CONFIG_INT,
    G_STRUCT_OFFSET (LxSignalingConfig, limits.peers_per_lesson),
    G_STRINGIFY (LX_DEFAULT_PEERS_PER_LESSON), 2, 1000000, NULL,
    "The sender and classrooms one lesson may have; more get lesson-full" },
  { "limits", "pending-connections", LX_CONFIG_INT,
    G_STRUCT_OFFSET (LxSignalingConfig, limits.pending_connections),
    G_STRINGIFY (LX_DEFAULT_PENDING_CONNECTIONS), 1, 1000000, NULL,
    "Connections not yet joined, server-wide; more get HTTP 503" },
  { "limits", "hello-timeout-s", LX_CONFIG_INT,
    G_STRUCT_OFFSET (LxSignalingConfig, limits.hello_timeout_s),
    G_STRINGIFY (LX_DEFAULT_HELLO_TIMEOUT_S), 1, 3600, NULL,
    "A connection that has not joined a lesson after this many seconds is closed (4001)" },
  LX_CONFIG_END
};
