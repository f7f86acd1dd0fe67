/* The teacher's wall (see lx-wall.h). */
#include "lx-wall.h"
#include "lx-json.h"
#include "lx-snapshot.h"
#include "lx-stats.h"

struct _LxWall {
  GstElement *pipeline;
  GstElement *bin; /* compositor ─▶ caps ─▶ videoconvert ─▶ sink */
  GstElement *compositor;
  GstElement *notice; /* the textoverlay naming frozen and missing pictures */
  GPtrArray *tiles;   /* GstPad*: the compositor's pads, first come first */
  GPtrArray *ghosts;  /* GstPad*: the bin's pad for each, in the same order */
  GPtrArray *schools; /* gchar*: each tile's school, in the same order */
  GstElement *output; /* the tee after the notice: the window, and the console's feed */
  gint width, height;
  GMutex lock;     /* for last */
  GstSample *last; /* (nullable) the last picture, for snapshots; streaming thread */
};

/* (streaming thread) Keeps the last picture the wall shows. */
static GstPadProbeReturn
keep_last_picture (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  LxWall *wall = data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstSample *sample = gst_sample_new (GST_PAD_PROBE_INFO_BUFFER (info), caps, NULL, NULL);

  g_mutex_lock (&wall->lock);
  if (wall->last)
    gst_sample_unref (wall->last);
  wall->last = sample;
  g_mutex_unlock (&wall->lock);
  return GST_PAD_PROBE_OK;
}

LxWall *
lx_wall_new (GstElement *pipeline, gint width, gint height, gint fps, gboolean window,
             GError **error)
{
  g_autofree gchar *description = g_strdup_printf (
      "compositor name=compositor background=black latency=%d ! "
      "video/x-raw,width=%d,height=%d,framerate=%d/1 ! "
      "textoverlay name=notice valignment=bottom halignment=left font-desc=\"Sans 18\" "
      "shaded-background=true wait-text=false ! tee name=output ! queue ! "
      "videoconvert name=convert ! %s",
      (gint) (100 * GST_MSECOND), width, height, fps,
      window ? "autovideosink sync=false" : "fakesink sync=false async=false");
  GstElement *bin = gst_parse_bin_from_description (description, FALSE, error);
  g_autoptr (GstElement) convert = NULL;
  g_autoptr (GstPad) convert_src = NULL;
  LxWall *wall;

  if (bin == NULL) {
    g_prefix_error (error, "the teacher's wall: ");
    return NULL;
  }
  wall = g_new0 (LxWall, 1);
  wall->pipeline = gst_object_ref (pipeline);
  wall->bin = gst_object_ref (bin);
  gst_object_set_name (GST_OBJECT (bin), "wall");
  wall->compositor = gst_bin_get_by_name (GST_BIN (bin), "compositor");
  wall->notice = gst_bin_get_by_name (GST_BIN (bin), "notice");
  wall->output = gst_bin_get_by_name (GST_BIN (bin), "output");
  wall->schools = g_ptr_array_new_with_free_func (g_free);
  wall->tiles = g_ptr_array_new_with_free_func (gst_object_unref);
  wall->ghosts = g_ptr_array_new_with_free_func (gst_object_unref);
  wall->width = width;
  wall->height = height;
  g_mutex_init (&wall->lock);
  convert = gst_bin_get_by_name (GST_BIN (bin), "convert");
  convert_src = gst_element_get_static_pad (convert, "src");
  gst_pad_add_probe (convert_src, GST_PAD_PROBE_TYPE_BUFFER, keep_last_picture, wall, NULL);
  gst_bin_add (GST_BIN (pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  return wall;
}

void
lx_wall_free (LxWall *wall)
{
  if (wall == NULL)
    return;
  gst_element_set_state (wall->bin, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (wall->bin) == GST_OBJECT (wall->pipeline))
    gst_bin_remove (GST_BIN (wall->pipeline), wall->bin);
  g_ptr_array_unref (wall->tiles);
  g_ptr_array_unref (wall->ghosts);
  gst_object_unref (wall->compositor);
  gst_object_unref (wall->notice);
  gst_object_unref (wall->output);
  g_ptr_array_unref (wall->schools);
  gst_object_unref (wall->bin);
  gst_object_unref (wall->pipeline);
  if (wall->last)
    gst_sample_unref (wall->last);
  g_mutex_clear (&wall->lock);
  g_free (wall);
}

/* A grid as square as the tiles allow, each tile 16:9 within its cell. */
static void
reflow (LxWall *wall)
{
  guint n = wall->tiles->len;
  guint columns = 1, rows;
  gint cell_width, cell_height, tile_width, tile_height;

  while (columns * columns < n)
    columns++;
  rows = n ? (n + columns - 1) / columns : 1;
  cell_width = wall->width / (gint) columns;
  cell_height = wall->height / (gint) rows;
  tile_width = MIN (cell_width, cell_height * 16 / 9);
  tile_height = tile_width * 9 / 16;

  for (guint i = 0; i < n; i++) {
    gint column = (gint) (i % columns), row = (gint) (i / columns);
    g_object_set (wall->tiles->pdata[i], "xpos",
                  column * cell_width + (cell_width - tile_width) / 2, "ypos",
                  row * cell_height + (cell_height - tile_height) / 2, "width", tile_width,
                  "height", tile_height, NULL);
  }
}

GstPad *
lx_wall_add_tile (LxWall *wall, const char *school)
{
  GstPad *tile = gst_element_request_pad_simple (wall->compositor, "sink_%u");
  /* (the classroom links from outside the wall's bin) */
  GstPad *ghost = gst_ghost_pad_new (NULL, tile);

  gst_pad_set_active (ghost, TRUE);
  gst_element_add_pad (wall->bin, ghost);
  g_ptr_array_add (wall->tiles, tile);
  g_ptr_array_add (wall->ghosts, gst_object_ref (ghost));
  g_ptr_array_add (wall->schools, g_strdup (school));
  reflow (wall);
  g_message ("wall: %s's picture in tile %u", school, wall->tiles->len);
  return gst_object_ref (ghost);
}

void
lx_wall_remove_tile (LxWall *wall, GstPad *ghost)
{
  guint index;
  GstPad *tile;

  if (!g_ptr_array_find (wall->ghosts, ghost, &index))
    return;
  tile = gst_object_ref (wall->tiles->pdata[index]);
  g_ptr_array_remove_index (wall->tiles, index);
  g_ptr_array_remove_index (wall->ghosts, index);
  g_ptr_array_remove_index (wall->schools, index);
  gst_element_remove_pad (wall->bin, ghost);
  gst_element_release_request_pad (wall->compositor, tile);
  gst_object_unref (tile);
  reflow (wall);
}

guint
lx_wall_count_tiles (LxWall *wall)
{
  return wall->tiles->len;
}

void
lx_wall_set_frozen (LxWall *wall, GstPad *ghost, gboolean frozen)
{
  guint index;

  if (g_ptr_array_find (wall->ghosts, ghost, &index))
    g_object_set (wall->tiles->pdata[index], "alpha", frozen ? 0.35 : 1.0, NULL);
}

void
lx_wall_set_notice (LxWall *wall, const char *text)
{
  g_autofree gchar *shown = NULL;

  /* (set once a second: the overlay lays its text out again only when it changes) */
  g_object_get (wall->notice, "text", &shown, NULL);
  if (g_strcmp0 (shown, text) != 0)
    g_object_set (wall->notice, "text", text, NULL);
}

gboolean
lx_wall_contains (LxWall *wall, GstObject *object)
{
  return object == GST_OBJECT (wall->bin) ||
         gst_object_has_as_ancestor (object, GST_OBJECT (wall->bin));
}

gboolean
lx_wall_save_snapshot (LxWall *wall, const char *path, GError **error)
{
  g_autoptr (GstSample) last = NULL;

  g_mutex_lock (&wall->lock);
  last = wall->last ? gst_sample_ref (wall->last) : NULL;
  g_mutex_unlock (&wall->lock);
  return lx_snapshot_save (last, path, error);
}

GstElement *
lx_wall_get_bin (LxWall *wall)
{
  return wall->bin;
}

GstElement *
lx_wall_get_output (LxWall *wall)
{
  return wall->output;
}

void
lx_wall_add_json (LxWall *wall, JsonBuilder *builder)
{
  lx_stats_add_int (builder, "wall_width", wall->width);
  lx_stats_add_int (builder, "wall_height", wall->height);
  json_builder_set_member_name (builder, "tiles");
  json_builder_begin_array (builder);
  for (guint i = 0; i < wall->tiles->len; i++) {
    gint x, y, width, height;
    g_object_get (wall->tiles->pdata[i], "xpos", &x, "ypos", &y, "width", &width, "height", &height,
                  NULL);
    json_builder_begin_object (builder);
    lx_json_add_string (builder, "school", wall->schools->pdata[i]);
    lx_stats_add_int (builder, "x", x);
    lx_stats_add_int (builder, "y", y);
    lx_stats_add_int (builder, "width", width);
    lx_stats_add_int (builder, "height", height);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
}
