/* The Chinese names people know the REST API's fields by, for errors said Chinese first (the store's
 * and the request bodies' alike). */
#pragma once

#include <glib.h>

/* (transfer none) "结束时间" for "end"; @field itself for a field without one. */
const char *lx_field_label (const char *field);
