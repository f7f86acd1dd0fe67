/* Test links in network namespaces (see lx-test-netlab.h). */
#include "lx-test-netlab.h"

#include <unistd.h>

#define MAX_CLASSROOMS 4

struct _LxTestNetlab {
  gchar *name;
  guint classrooms;
  gchar *prefixes[MAX_CLASSROOMS + 1][5]; /* ip netns exec NS NULL */
};

static gchar *
netlab_script (void)
{
  return g_test_build_filename (G_TEST_DIST, "lx-netlab", NULL);
}

/* Runs the script with @args; returns its exit status and (transfer full) its output. */
static gint
run_netlab (const char *const *args, gchar **output)
{
  g_autofree gchar *script = netlab_script ();
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  gint status = -1;

  g_ptr_array_add (argv, script);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (gchar **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, output, NULL,
                     &status, &error)) {
    if (output)
      *output = g_strdup (error->message);
    return -1;
  }
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

LxTestNetlab *
lx_test_netlab_new (guint classrooms)
{
  const char *check[] = { "check", NULL };
  g_autofree gchar *why = NULL;
  g_autofree gchar *count = g_strdup_printf ("%u", classrooms);
  LxTestNetlab *lab;

  g_assert_cmpuint (classrooms, <=, MAX_CLASSROOMS);
  if (run_netlab (check, &why) != 0) {
    g_autofree gchar *reason =
        g_strdup_printf ("impaired links need root features: %s", g_strstrip (why));
    g_test_skip (reason);
    return NULL;
  }
  lab = g_new0 (LxTestNetlab, 1);
  lab->name = g_strdup_printf ("lxt%d", (int) getpid ());
  lab->classrooms = classrooms;
  for (guint k = 0; k <= classrooms; k++) {
    lab->prefixes[k][0] = g_strdup ("ip");
    lab->prefixes[k][1] = g_strdup ("netns");
    lab->prefixes[k][2] = g_strdup ("exec");
    lab->prefixes[k][3] =
        k == 0 ? g_strdup_printf ("%s-hub", lab->name) : g_strdup_printf ("%s-c%u", lab->name, k);
  }
  {
    const char *sweep[] = { "sweep", "lxt", NULL };
    const char *up[] = { "up", lab->name, count, NULL };
    run_netlab (sweep, NULL); /* labs of test runs that aborted */
    g_assert_cmpint (run_netlab (up, NULL), ==, 0);
  }
  return lab;
}

void
lx_test_netlab_free (LxTestNetlab *lab)
{
  const char *down[] = { "down", lab->name, NULL };

  run_netlab (down, NULL);
  for (guint k = 0; k <= lab->classrooms; k++)
    for (guint i = 0; i < 4; i++)
      g_free (lab->prefixes[k][i]);
  g_free (lab->name);
  g_free (lab);
}

void
lx_test_netlab_set (LxTestNetlab *lab, const char *verb, guint classroom, guint value)
{
  g_autofree gchar *link = g_strdup_printf ("%u", classroom);
  g_autofree gchar *amount = g_strdup_printf ("%u", value);
  const char *args[] = { verb, lab->name, link, amount, NULL };

  g_assert_cmpint (run_netlab (args, NULL), ==, 0);
}

gboolean
lx_test_netlab_delay (LxTestNetlab *lab, guint classroom, guint down_ms, guint up_ms)
{
  const char *check[] = { "check-delay", NULL };
  g_autofree gchar *why = NULL;
  g_autofree gchar *link = g_strdup_printf ("%u", classroom);
  g_autofree gchar *down = g_strdup_printf ("%u", down_ms);
  g_autofree gchar *up = g_strdup_printf ("%u", up_ms);
  const char *args[] = { "delay", lab->name, link, down, up, NULL };

  if (run_netlab (check, &why) != 0) {
    g_autofree gchar *reason = g_strdup_printf ("delayed links: %s", g_strstrip (why));
    g_test_skip (reason);
    return FALSE;
  }
  g_assert_cmpint (run_netlab (args, NULL), ==, 0);
  return TRUE;
}

const char *const *
lx_test_netlab_prefix (LxTestNetlab *lab, guint classroom)
{
  g_assert_cmpuint (classroom, <=, lab->classrooms);
  return (const char *const *) lab->prefixes[classroom];
}
