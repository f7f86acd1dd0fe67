/* The teacher's wall: every classroom's picture (the small one it sends back in a joint lesson),
 * one tile each in a grid that reflows as classrooms come and go, the school's name written on
 * it (by the classroom's branch). In a window of its own — a second screen on the teacher's PC —
 * or headless, with a PNG snapshot on request (tests, a remote look). Main context.
 *
 *   classroom ─▶ tile ─▶┐
 *   classroom ─▶ tile ─▶├─▶ compositor ─▶ notice ─▶ videoconvert ─▶ window, or nothing (headless)
 *   ...                 ┘                               └ the last picture, for snapshots
 *
 * A frozen picture stays on its tile, dimmed; the notice line at the bottom names the classrooms
 * whose picture is frozen or missing (both drawn by the wall, which goes on making frames when a
 * classroom's picture stops). */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>

typedef struct _LxWall LxWall;

/* (transfer full) The wall in @pipeline, @width x @height at @fps; in a window (@window) or
 * headless. NULL with @error when an element is missing. */
LxWall *lx_wall_new (GstElement *pipeline, gint width, gint height, gint fps, gboolean window,
                     GError **error);
void lx_wall_free (LxWall *wall);

/* (transfer full) A tile for @school: the compositor pad its picture links to. The grid reflows. */
GstPad *lx_wall_add_tile (LxWall *wall, const char *school);
/* @tile's classroom went: its place is given back, and the grid reflows. */
void lx_wall_remove_tile (LxWall *wall, GstPad *tile);
guint lx_wall_count_tiles (LxWall *wall);
/* @tile's picture has stopped (@frozen): dimmed; or goes again. */
void lx_wall_set_frozen (LxWall *wall, GstPad *tile, gboolean frozen);
/* The line at the bottom of the wall (UTF-8; "" none). */
void lx_wall_set_notice (LxWall *wall, const char *text);
/* TRUE if @object is one of the wall's elements (an error from it is the wall's). */
gboolean lx_wall_contains (LxWall *wall, GstObject *object);

/* Writes the wall as it looks now to @path as PNG. FALSE with @error before its first picture. */
gboolean lx_wall_save_snapshot (LxWall *wall, const char *path, GError **error);

/* (transfer none) The wall's bin, and the tee of its finished picture in it (the console's feed
 * links there). */
GstElement *lx_wall_get_bin (LxWall *wall);
GstElement *lx_wall_get_output (LxWall *wall);
/* Adds "wall_width", "wall_height" and "tiles": [{school, x, y, width, height}] (in the wall's
 * pixels), for the console to cut each classroom's tile out of the wall's picture. */
void lx_wall_add_json (LxWall *wall, JsonBuilder *builder);
