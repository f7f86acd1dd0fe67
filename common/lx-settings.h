/* Settings the sender and the receiver share: how to reach the signaling server and which lesson
 * to join, and the ICE network settings. Each program embeds LxConnectionSettings in its config
 * struct and lists LX_CONNECTION_CONFIG_KEYS in its key table. */
#pragma once

#include "lx-config.h"
#include "lx-webrtc.h"

#include <gio/gio.h>

typedef struct {
  gchar *server; /* ws://host:port/ws */
  gchar *lesson;
  gchar *school;
  gchar *token;
  gboolean follow_timetable; /* join and leave lessons by the school's timetable */
  gchar *ca_file;            /* (nullable) PEM CA certificates to verify servers with */
  LxIceSettings ice;
  GTlsDatabase *trusted_cas; /* (nullable) loaded from ca_file by validation; see
                              * lx_connection_settings_clear() */
} LxConnectionSettings;

#define LX_CONNECTION_CONFIG_KEYS(Type, field)                                                     \
  { "signaling",                                                                                   \
    "server",                                                                                      \
    LX_CONFIG_STRING,                                                                              \
    G_STRUCT_OFFSET (Type, field.server),                                                          \
    "ws://127.0.0.1:8443/ws",                                                                      \
    0,                                                                                             \
    0,                                                                                             \
    NULL,                                                                                          \
    "WebSocket URL of lianxiao-signaling" },                                                       \
      { "signaling",                                                                               \
        "lesson",                                                                                  \
        LX_CONFIG_STRING,                                                                          \
        G_STRUCT_OFFSET (Type, field.lesson),                                                      \
        "demo-lesson",                                                                             \
        0,                                                                                         \
        0,                                                                                         \
        NULL,                                                                                      \
        "Id of the lesson to join" },                                                              \
      { "signaling", "school", LX_CONFIG_STRING,   G_STRUCT_OFFSET (Type, field.school), NULL, 0,  \
        0,           NULL,     "Id of this school" },                                              \
      { "signaling",                                                                               \
        "token",                                                                                   \
        LX_CONFIG_STRING,                                                                          \
        G_STRUCT_OFFSET (Type, field.token),                                                       \
        NULL,                                                                                      \
        0,                                                                                         \
        0,                                                                                         \
        NULL,                                                                                      \
        "This school's secret token (never logged)" },                                             \
      { "signaling",                                                                               \
        "follow-timetable",                                                                        \
        LX_CONFIG_BOOL,                                                                            \
        G_STRUCT_OFFSET (Type, field.follow_timetable),                                            \
        "false",                                                                                   \
        0,                                                                                         \
        0,                                                                                         \
        NULL,                                                                                      \
        "Join and leave lessons by the school's timetable (lesson is then ignored); needs "        \
        "token" },                                                                                 \
      { "signaling",                                                                               \
        "ca-file",                                                                                 \
        LX_CONFIG_STRING,                                                                          \
        G_STRUCT_OFFSET (Type, field.ca_file),                                                     \
        NULL,                                                                                      \
        0,                                                                                         \
        0,                                                                                         \
        NULL,                                                                                      \
        "PEM file of the CA certificates that sign the servers' (wss://, https://: signaling, "    \
        "WHIP/WHEP); empty: the system's CAs. Servers are always verified" },                      \
      { "network",                                                                                 \
        "ice-local-addresses",                                                                     \
        LX_CONFIG_STRING_LIST,                                                                     \
        G_STRUCT_OFFSET (Type, field.ice.local_addresses),                                         \
        NULL,                                                                                      \
        0,                                                                                         \
        0,                                                                                         \
        NULL,                                                                                      \
        "Comma-separated local IP addresses ICE may use; empty: every interface" },                \
      { "network",                                                                                 \
        "stun-server",                                                                             \
        LX_CONFIG_STRING,                                                                          \
        G_STRUCT_OFFSET (Type, field.ice.stun_server),                                             \
        NULL,                                                                                      \
        0,                                                                                         \
        0,                                                                                         \
        NULL,                                                                                      \
        "STUN server, stun://host:port; empty: none" },                                            \
      { "network",                                                                                 \
        "turn-server",                                                                             \
        LX_CONFIG_STRING,                                                                          \
        G_STRUCT_OFFSET (Type, field.ice.turn_server),                                             \
        NULL,                                                                                      \
        0,                                                                                         \
        0,                                                                                         \
        NULL,                                                                                      \
        "TURN server: turn://user:password@host:port (UDP), add ?transport=tcp for TCP, or "       \
        "turns://user:password@host:443 for TLS through strict firewalls; empty: none" },          \
  {                                                                                                \
    "network", "ice-transport-policy", LX_CONFIG_CHOICE,                                           \
        G_STRUCT_OFFSET (Type, field.ice.transport_policy), "all", 0, 0, "all|relay",              \
        "all: any working path; relay: only through the TURN server (networks that allow nothing " \
        "else)"                                                                                    \
  }

/* Checks what the keys alone cannot, and loads ca-file into trusted_cas: a school id and a lesson
 * id that the protocol accepts, and a signaling server unless the program's media goes elsewhere
 * without one (@media_elsewhere: WHIP, WHEP, a Janus mountpoint). Returns FALSE with @error
 * naming the key. */
/* Frees what validation derived (the configuration's keys are freed by lx_config_clear()). */
void lx_connection_settings_clear (LxConnectionSettings *settings);

gboolean lx_connection_settings_validate (LxConnectionSettings *settings, gboolean media_elsewhere,
                                          GError **error);
/* FALSE with @error naming @key unless @url (nullable: nothing to check) is http(s). */
gboolean lx_settings_check_http_url (const char *key, const char *url, GError **error);

/* (transfer full) The REST API's base of the signaling server of @connection's WebSocket URL
 * (ws://HOST:PORT/ws → http://HOST:PORT/api/v1/, wss → https), or NULL if it is no URL. */
gchar *lx_settings_api_url (const LxConnectionSettings *connection);
