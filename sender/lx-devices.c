/* The teacher's devices (see lx-devices.h). A device's id says how to capture it:
 * "test:PATTERN", "v4l2:/dev/videoN" for cameras; "test", "pulse:NAME", "alsa:NAME" for
 * microphones. */
#include "lx-devices.h"

#include "lx-json.h"

struct _LxDevices {
  GstDeviceMonitor *monitor;
  GList *present; /* GstDevice*: listed once at start, then kept up to date */
  guint bus_watch;
  gchar *camera, *microphone; /* ids in use */
};

typedef struct {
  const char *id, *name;
} Choice;

static const Choice test_cameras[] = {
  { "test:smpte", "测试图案 · Test pattern" },
  { "test:ball", "移动的球 · Moving ball" },
};
static const Choice test_microphones[] = { { "test", "测试音 · Test tone" } };

/* A device plugged in or out while the sender runs. */
static gboolean
on_device_message (GstBus *bus, GstMessage *message, gpointer data)
{
  LxDevices *devices = data;
  GstDevice *device = NULL;
  GList *known;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_DEVICE_ADDED) {
    gst_message_parse_device_added (message, &device);
    devices->present = g_list_append (devices->present, device);
  } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_DEVICE_REMOVED) {
    gst_message_parse_device_removed (message, &device);
    known = g_list_find (devices->present, device);
    if (known) {
      gst_object_unref (known->data);
      devices->present = g_list_delete_link (devices->present, known);
    }
    gst_object_unref (device);
  }
  return G_SOURCE_CONTINUE;
}

LxDevices *
lx_devices_new (void)
{
  LxDevices *devices = g_new0 (LxDevices, 1);
  g_autoptr (GstBus) bus = NULL;

  devices->monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (devices->monitor, "Video/Source", NULL);
  gst_device_monitor_add_filter (devices->monitor, "Audio/Source", NULL);
  if (!gst_device_monitor_start (devices->monitor))
    g_message ("no device monitor: only the test pattern and tone to choose from");
  /* Listed once: a provider that could not start (no PulseAudio server) probes again at every
   * listing, which the console's state asks for twice a second. */
  devices->present = gst_device_monitor_get_devices (devices->monitor);
  bus = gst_device_monitor_get_bus (devices->monitor);
  devices->bus_watch = gst_bus_add_watch (bus, on_device_message, devices);
  return devices;
}

void
lx_devices_free (LxDevices *devices)
{
  if (devices == NULL)
    return;
  g_source_remove (devices->bus_watch);
  gst_device_monitor_stop (devices->monitor);
  gst_object_unref (devices->monitor);
  g_list_free_full (devices->present, gst_object_unref);
  g_free (devices->camera);
  g_free (devices->microphone);
  g_free (devices);
}

/* (transfer full) @device's id, or NULL if it is not one we capture from. */
static gchar *
device_id (GstDevice *device)
{
  g_autoptr (GstStructure) properties = gst_device_get_properties (device);
  const char *path, *api;
  g_autofree gchar *internal = NULL;

  if (properties == NULL)
    return NULL;
  if (gst_device_has_classes (device, "Video/Source")) {
    path = gst_structure_get_string (properties, "device.path");
    if (path == NULL)
      path = gst_structure_get_string (properties, "api.v4l2.path");
    return path ? g_strconcat ("v4l2:", path, NULL) : NULL;
  }
  api = gst_structure_get_string (properties, "device.api");
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (device), "internal-name"))
    g_object_get (device, "internal-name", &internal, NULL);
  if (internal == NULL || (g_strcmp0 (api, "pulse") != 0 && g_strcmp0 (api, "alsa") != 0))
    return NULL;
  return g_strdup_printf ("%s:%s", api, internal);
}

static void
add_choice (JsonBuilder *builder, const char *id, const char *name)
{
  json_builder_begin_object (builder);
  lx_json_add_string (builder, "id", id);
  lx_json_add_string (builder, "name", name);
  json_builder_end_object (builder);
}

static void
add_list (LxDevices *devices, JsonBuilder *builder, gboolean microphones)
{
  const Choice *tests = microphones ? test_microphones : test_cameras;
  guint n_tests = microphones ? G_N_ELEMENTS (test_microphones) : G_N_ELEMENTS (test_cameras);

  json_builder_set_member_name (builder, microphones ? "microphones" : "cameras");
  json_builder_begin_array (builder);
  for (GList *l = devices->present; l; l = l->next) {
    g_autofree gchar *id = NULL;
    g_autofree gchar *name = NULL;
    if (gst_device_has_classes (l->data, "Audio/Source") != microphones)
      continue;
    id = device_id (l->data);
    name = gst_device_get_display_name (l->data);
    if (id)
      add_choice (builder, id, name);
  }
  for (guint i = 0; i < n_tests; i++)
    add_choice (builder, tests[i].id, tests[i].name);
  json_builder_end_array (builder);
}

void
lx_devices_add_json (LxDevices *devices, JsonBuilder *builder)
{
  add_list (devices, builder, FALSE);
  add_list (devices, builder, TRUE);
  lx_json_add_string (builder, "camera", devices->camera);
  lx_json_add_string (builder, "microphone", devices->microphone);
}

void
lx_devices_set_in_use (LxDevices *devices, const LxCaptureSettings *settings)
{
  g_free (devices->camera);
  g_free (devices->microphone);
  devices->camera = g_str_equal (settings->video_source, "test")
                        ? g_strconcat ("test:", settings->test_pattern, NULL)
                    : g_str_equal (settings->video_source, "v4l2")
                        ? g_strconcat ("v4l2:", settings->video_device, NULL)
                        : g_strdup (settings->video_source);
  devices->microphone =
      g_str_equal (settings->audio_source, "test") || settings->audio_device == NULL
          ? g_strdup (settings->audio_source)
          : g_strdup_printf ("%s:%s", settings->audio_source, settings->audio_device);
}

GstElement *
lx_devices_make_capture (LxDevices *devices, gboolean microphone, const char *id,
                         const LxCaptureSettings *settings, GError **error)
{
  LxCaptureSettings chosen = *settings;
  g_auto (GStrv) parts = g_strsplit (id, ":", 2);
  gboolean test = g_str_equal (parts[0], "test");
  GstElement *capture;

  if (microphone && (test || ((g_str_equal (parts[0], "pulse") || g_str_equal (parts[0], "alsa")) &&
                              parts[1] != NULL))) {
    chosen.audio_source = parts[0];
    chosen.audio_device = parts[1];
    capture = lx_capture_audio_new (&chosen, error);
  } else if (!microphone && parts[1] != NULL && (test || g_str_equal (parts[0], "v4l2"))) {
    chosen.video_source = parts[0];
    if (test)
      chosen.test_pattern = parts[1];
    else
      chosen.video_device = parts[1];
    capture = lx_capture_video_new (&chosen, error);
  } else {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "没有这个设备 · no such %s: '%s'",
                 microphone ? "microphone" : "camera", id);
    return NULL;
  }
  if (capture) {
    gchar **in_use = microphone ? &devices->microphone : &devices->camera;
    g_free (*in_use);
    *in_use = g_strdup (id);
  }
  return capture;
}
