/* Configuration: a program describes its keys once in a table; this loads them from a GKeyFile and
 * from command-line options of the same names, with errors that name the file, line and key. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LX_CONFIG_ERROR (lx_config_error_quark ())
GQuark lx_config_error_quark (void);

typedef enum {
  LX_CONFIG_ERROR_READ,        /* the file cannot be read or is not a key file */
  LX_CONFIG_ERROR_UNKNOWN_KEY, /* a group or key the program does not know */
  LX_CONFIG_ERROR_BAD_VALUE,   /* a value of the wrong type or out of range */
} LxConfigError;

typedef enum {
  LX_CONFIG_STRING,      /* gchar *, NULL when empty */
  LX_CONFIG_INT,         /* gint, checked against min..max */
  LX_CONFIG_BOOL,        /* gboolean: true/false, yes/no, 1/0 */
  LX_CONFIG_STRING_LIST, /* gchar **, comma-separated, NULL when empty */
  LX_CONFIG_CHOICE,      /* gchar *, one of `choices` ("a|b|c") */
} LxConfigType;

/* One configuration key. Its command-line option is --KEY, so keys are unique within a program. */
typedef struct {
  const char *group;
  const char *key;
  LxConfigType type;
  gsize offset;              /* where the value lives in the program's config struct */
  const char *default_value; /* written as in the file; NULL for an unset string or list */
  gint min, max;             /* LX_CONFIG_INT */
  const char *choices;       /* LX_CONFIG_CHOICE */
  const char *description;   /* for --help */
} LxConfigKey;

/* Tables end with an entry whose key is NULL. */
#define LX_CONFIG_END                                                                              \
  {                                                                                                \
    NULL, NULL, 0, 0, NULL, 0, 0, NULL, NULL                                                       \
  }

/* Sets every key of @config to its default. */
void lx_config_set_defaults (const LxConfigKey *keys, gpointer config);
/* Frees the strings @config holds (the struct itself is the caller's). */
void lx_config_clear (const LxConfigKey *keys, gpointer config);

/* Sets @key from its text form; @origin prefixes the error ("receiver.conf:12" or "--port"). */
gboolean lx_config_set_value (const LxConfigKey *keys, gpointer config, const char *key,
                              const char *value, const char *origin, GError **error);

/* Loads every key present in the file at @path over what @config holds. Unknown groups and keys
 * are errors, so that a misspelt key does not silently keep its default. */
gboolean lx_config_load_file (const LxConfigKey *keys, gpointer config, const char *path,
                              GError **error);

/* The whole start-up sequence of a program: defaults, then the file given with --config (or
 * @default_path when that exists and no --config was given), then the command-line options.
 * Consumes what it parses from @argc/@argv. */
gboolean lx_config_load (const LxConfigKey *keys, gpointer config, const char *summary,
                         const char *default_path, int *argc, char ***argv, GError **error);

G_END_DECLS
