/* Configuration tables loaded from GKeyFiles and command-line options (see lx-config.h).
 * Everything goes through lx_config_set_value(), so a value is checked the same way wherever it
 * comes from. */
#include "lx-config.h"

#include <string.h>

G_DEFINE_QUARK (lx - config - error - quark, lx_config_error)

#define VALUE_PTR(config, key) ((gpointer) ((guint8 *) (config) + (key)->offset))

static const LxConfigKey *
find_key (const LxConfigKey *keys, const char *name)
{
  for (const LxConfigKey *key = keys; key->key != NULL; key++) {
    if (strcmp (key->key, name) == 0)
      return key;
  }
  return NULL;
}

static void
clear_value (const LxConfigKey *key, gpointer config)
{
  switch (key->type) {
  case LX_CONFIG_STRING:
  case LX_CONFIG_CHOICE:
    g_clear_pointer ((gchar **) VALUE_PTR (config, key), g_free);
    break;
  case LX_CONFIG_STRING_LIST:
    g_clear_pointer ((gchar ***) VALUE_PTR (config, key), g_strfreev);
    break;
  case LX_CONFIG_INT:
  case LX_CONFIG_BOOL:
    break;
  }
}

void
lx_config_clear (const LxConfigKey *keys, gpointer config)
{
  for (const LxConfigKey *key = keys; key->key != NULL; key++)
    clear_value (key, config);
}

static gboolean
parse_bool (const char *text, gboolean *value)
{
  static const char *const yes[] = { "true", "yes", "on", "1", NULL };
  static const char *const no[] = { "false", "no", "off", "0", NULL };

  if (g_strv_contains (yes, text))
    *value = TRUE;
  else if (g_strv_contains (no, text))
    *value = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gchar **
split_list (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr (GPtrArray) items = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++) {
    gchar *item = g_strstrip (parts[i]);
    if (*item != '\0')
      g_ptr_array_add (items, g_strdup (item));
  }
  if (items->len == 0)
    return NULL;
  g_ptr_array_add (items, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&items), FALSE);
}

static gboolean
bad_value (GError **error, const char *origin, const LxConfigKey *key, const char *expected,
           const char *value)
{
  g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
               "%s: key '%s' in [%s] must be %s, got '%s'", origin, key->key, key->group, expected,
               value);
  return FALSE;
}

static gboolean
set_from_text (const LxConfigKey *key, gpointer config, const char *value, const char *origin,
               GError **error)
{
  g_autofree gchar *text = g_strstrip (g_strdup (value ? value : ""));

  if (!g_utf8_validate (text, -1, NULL))
    return bad_value (error, origin, key, "UTF-8 text", "(not UTF-8)");
  switch (key->type) {
  case LX_CONFIG_STRING:
    clear_value (key, config);
    if (*text != '\0')
      *(gchar **) VALUE_PTR (config, key) = g_steal_pointer (&text);
    return TRUE;
  case LX_CONFIG_STRING_LIST:
    clear_value (key, config);
    *(gchar ***) VALUE_PTR (config, key) = split_list (text);
    return TRUE;
  case LX_CONFIG_CHOICE: {
    g_auto (GStrv) choices = g_strsplit (key->choices, "|", -1);
    if (!g_strv_contains ((const char *const *) choices, text)) {
      g_autofree gchar *expected = g_strdup_printf ("one of %s", key->choices);
      return bad_value (error, origin, key, expected, text);
    }
    clear_value (key, config);
    *(gchar **) VALUE_PTR (config, key) = g_steal_pointer (&text);
    return TRUE;
  }
  case LX_CONFIG_INT: {
    gint64 number;
    if (!g_ascii_string_to_signed (text, 10, key->min, key->max, &number, NULL)) {
      g_autofree gchar *expected = g_strdup_printf ("an integer %d-%d", key->min, key->max);
      return bad_value (error, origin, key, expected, text);
    }
    *(gint *) VALUE_PTR (config, key) = (gint) number;
    return TRUE;
  }
  case LX_CONFIG_BOOL:
    if (!parse_bool (text, (gboolean *) VALUE_PTR (config, key)))
      return bad_value (error, origin, key, "true or false", text);
    return TRUE;
  }
  return TRUE;
}

void
lx_config_set_defaults (const LxConfigKey *keys, gpointer config)
{
  for (const LxConfigKey *key = keys; key->key != NULL; key++) {
    g_autoptr (GError) error = NULL;
    if (!set_from_text (key, config, key->default_value, "default", &error))
      g_error ("programming error in a configuration table: %s", error->message);
  }
}

gboolean
lx_config_set_value (const LxConfigKey *keys, gpointer config, const char *name, const char *value,
                     const char *origin, GError **error)
{
  const LxConfigKey *key = find_key (keys, name);

  if (key == NULL) {
    g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_UNKNOWN_KEY, "%s: unknown key '%s'",
                 origin, name);
    return FALSE;
  }
  return set_from_text (key, config, value, origin, error);
}

/* GKeyFile does not say where a key was: find its line ourselves, for error messages. */
static guint
find_line (const char *contents, const char *group, const char *key)
{
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autofree gchar *current = NULL;

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = lines[i];
    while (g_ascii_isspace (*line))
      line++;
    if (*line == '[') {
      const char *end = strchr (line, ']');
      g_free (current);
      current = end ? g_strndup (line + 1, end - line - 1) : NULL;
      if (key == NULL && g_strcmp0 (current, group) == 0)
        return i + 1;
    } else if (key != NULL && g_strcmp0 (current, group) == 0 && g_str_has_prefix (line, key)) {
      const char *rest = line + strlen (key);
      while (*rest == ' ' || *rest == '\t')
        rest++;
      if (*rest == '=')
        return i + 1;
    }
  }
  return 0;
}

gboolean
lx_config_load_file (const LxConfigKey *keys, gpointer config, const char *path, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  g_autofree gchar *contents = NULL;
  g_auto (GStrv) groups = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &local_error)) {
    g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_READ, "%s", local_error->message);
    return FALSE;
  }
  if (!g_key_file_load_from_data (file, contents, length, G_KEY_FILE_NONE, &local_error)) {
    g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_READ, "%s: %s", path,
                 local_error->message);
    return FALSE;
  }

  groups = g_key_file_get_groups (file, NULL);
  for (guint g = 0; groups[g] != NULL; g++) {
    g_auto (GStrv) names = g_key_file_get_keys (file, groups[g], NULL, NULL);
    gboolean group_known = FALSE;

    for (const LxConfigKey *key = keys; key->key != NULL; key++)
      group_known |= strcmp (key->group, groups[g]) == 0;
    if (!group_known) {
      g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_UNKNOWN_KEY, "%s:%u: unknown group [%s]",
                   path, find_line (contents, groups[g], NULL), groups[g]);
      return FALSE;
    }

    for (guint k = 0; names[k] != NULL; k++) {
      const LxConfigKey *key = find_key (keys, names[k]);
      g_autofree gchar *origin =
          g_strdup_printf ("%s:%u", path, find_line (contents, groups[g], names[k]));
      g_autofree gchar *value = NULL;

      if (key == NULL || strcmp (key->group, groups[g]) != 0) {
        g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_UNKNOWN_KEY,
                     "%s: unknown key '%s' in [%s]", origin, names[k], groups[g]);
        return FALSE;
      }
      value = g_key_file_get_string (file, groups[g], names[k], &local_error);
      if (value == NULL) {
        /* (GKeyFile quotes a value that is not UTF-8 as it is: say so without the bytes) */
        g_autofree gchar *reason = g_utf8_make_valid (local_error->message, -1);
        if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_UNKNOWN_ENCODING))
          g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE,
                       "%s: key '%s' in [%s] is not valid UTF-8 text", origin, names[k], groups[g]);
        else
          g_set_error (error, LX_CONFIG_ERROR, LX_CONFIG_ERROR_BAD_VALUE, "%s: key '%s': %s",
                       origin, names[k], reason);
        return FALSE;
      }
      if (!set_from_text (key, config, value, origin, error))
        return FALSE;
    }
  }
  return TRUE;
}

/* ---- Command line ---- */

typedef struct {
  const LxConfigKey *keys;
  gchar *config_path;
  GPtrArray *overrides; /* alternating option name, value: applied after the file, in order */
} CommandLine;

static gboolean
remember_override (const gchar *option_name, const gchar *value, gpointer data, GError **error)
{
  CommandLine *command_line = data;
  const char *name = option_name + 2; /* skip "--" */

  /* A boolean option given alone (--headless) means true. */
  g_ptr_array_add (command_line->overrides, g_strdup (name));
  g_ptr_array_add (command_line->overrides, g_strdup (value ? value : "true"));
  return TRUE;
}

gboolean
lx_config_load (const LxConfigKey *keys, gpointer config, const char *summary,
                const char *default_path, int *argc, char ***argv, GError **error)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  g_autoptr (GPtrArray) descriptions = g_ptr_array_new_with_free_func (g_free);
  CommandLine command_line = { keys, NULL, g_ptr_array_new_with_free_func (g_free) };
  GOptionGroup *group;
  gboolean ok = FALSE;
  GOptionEntry config_entry = { "config",
                                'c',
                                0,
                                G_OPTION_ARG_FILENAME,
                                &command_line.config_path,
                                "Configuration file (GKeyFile); options given here override it",
                                "FILE" };

  g_array_append_val (entries, config_entry);
  for (const LxConfigKey *key = keys; key->key != NULL; key++) {
    gchar *description = g_strdup_printf ("%s [%s] (default: %s)", key->description, key->group,
                                          key->default_value ? key->default_value : "none");
    /* FLAG_FILENAME: values arrive as bytes, not converted from the locale's charset (which
     * would refuse a Chinese name under the C locale); set_from_text checks they are UTF-8. */
    GOptionEntry entry = {
      key->key,    0,   G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, remember_override,
      description, NULL
    };
    if (key->type == LX_CONFIG_BOOL)
      entry.flags |= G_OPTION_FLAG_OPTIONAL_ARG;
    else if (key->type == LX_CONFIG_CHOICE)
      entry.arg_description = key->choices;
    else if (key->type == LX_CONFIG_INT)
      entry.arg_description = "N";
    else
      entry.arg_description = "VALUE";
    g_ptr_array_add (descriptions, description);
    g_array_append_val (entries, entry);
  }

  group = g_option_group_new ("lianxiao", summary, "Show options", &command_line, NULL);
  g_option_group_add_entries (group, (const GOptionEntry *) entries->data);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context, summary);

  lx_config_set_defaults (keys, config);
  if (!g_option_context_parse (context, argc, argv, error))
    goto out;

  if (command_line.config_path != NULL) {
    if (!lx_config_load_file (keys, config, command_line.config_path, error))
      goto out;
  } else if (default_path != NULL && g_file_test (default_path, G_FILE_TEST_EXISTS)) {
    if (!lx_config_load_file (keys, config, default_path, error))
      goto out;
  }

  for (guint i = 0; i + 1 < command_line.overrides->len; i += 2) {
    const char *name = command_line.overrides->pdata[i];
    g_autofree gchar *origin = g_strdup_printf ("--%s", name);
    if (!lx_config_set_value (keys, config, name, command_line.overrides->pdata[i + 1], origin,
                              error))
      goto out;
  }
  ok = TRUE;

out:
  g_free (command_line.config_path);
  g_ptr_array_unref (command_line.overrides);
  return ok;
}
