/* The floor of a joint lesson (see lx-floor.h). */
#include "lx-floor.h"
#include "lx-protocol.h"

struct _LxFloor {
  GPtrArray *hands;    /* gchar* school, NULL-terminated, first raised first */
  GPtrArray *speaking; /* gchar* school, NULL-terminated, first called first */
  guint max_speakers;
};

static GPtrArray *
new_school_list (void)
{
  return g_ptr_array_new_null_terminated (4, g_free, TRUE);
}

static const char *const *
schools_of (GPtrArray *list)
{
  static const char *const none[] = { NULL };
  return list->pdata ? (const char *const *) list->pdata : none;
}

LxFloor *
lx_floor_new (guint max_speakers)
{
  LxFloor *floor = g_new0 (LxFloor, 1);

  floor->hands = new_school_list ();
  floor->speaking = new_school_list ();
  floor->max_speakers = CLAMP (max_speakers, 1, LX_FLOOR_MOST_SPEAKERS);
  return floor;
}

void
lx_floor_free (LxFloor *floor)
{
  if (floor == NULL)
    return;
  g_ptr_array_unref (floor->hands);
  g_ptr_array_unref (floor->speaking);
  g_free (floor);
}

static gboolean
list_has (GPtrArray *list, const char *school)
{
  return g_ptr_array_find_with_equal_func (list, school, g_str_equal, NULL);
}

static gboolean
list_remove (GPtrArray *list, const char *school)
{
  guint index;

  if (!g_ptr_array_find_with_equal_func (list, school, g_str_equal, &index))
    return FALSE;
  g_ptr_array_remove_index (list, index); /* (keeps the order) */
  return TRUE;
}

gboolean
lx_floor_raise_hand (LxFloor *floor, const char *school)
{
  if (list_has (floor->hands, school) || list_has (floor->speaking, school))
    return FALSE;
  g_ptr_array_add (floor->hands, g_strdup (school));
  return TRUE;
}

gboolean
lx_floor_lower_hand (LxFloor *floor, const char *school)
{
  return list_remove (floor->hands, school);
}

gboolean
lx_floor_call_on (LxFloor *floor, const char *school, gboolean *changed, GError **error)
{
  *changed = FALSE;
  if (list_has (floor->speaking, school))
    return TRUE;
  if (floor->speaking->len >= floor->max_speakers) {
    g_set_error (error, LX_PROTOCOL_ERROR, LX_PROTOCOL_ERROR_FLOOR_FULL,
                 "%u classroom%s called on already (%s%s), the most this lesson allows: hang up "
                 "first",
                 floor->speaking->len, floor->speaking->len == 1 ? " is" : "s are",
                 (const char *) g_ptr_array_index (floor->speaking, 0),
                 floor->speaking->len > 1 ? ", ..." : "");
    return FALSE;
  }
  list_remove (floor->hands, school);
  g_ptr_array_add (floor->speaking, g_strdup (school));
  *changed = TRUE;
  return TRUE;
}

gboolean
lx_floor_hang_up (LxFloor *floor, const char *school)
{
  return list_remove (floor->speaking, school);
}

gboolean
lx_floor_forget (LxFloor *floor, const char *school)
{
  gboolean lowered = list_remove (floor->hands, school);
  return list_remove (floor->speaking, school) || lowered;
}

const char *const *
lx_floor_get_hands (LxFloor *floor)
{
  return schools_of (floor->hands);
}

const char *const *
lx_floor_get_speaking (LxFloor *floor)
{
  return schools_of (floor->speaking);
}

gboolean
lx_floor_is_speaking (LxFloor *floor, const char *school)
{
  return list_has (floor->speaking, school);
}
