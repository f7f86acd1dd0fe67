/* The store's insides, shared by its files: lx-store.c (schools, lessons, attendance) and
 * lx-store-record.c (each lesson's questions and polls). */
#pragma once

#include "lx-store.h"

#include <sqlite3.h>

struct _LxStore {
  sqlite3 *db;
  gchar *path;
};

/* (transfer full) A prepared statement, or NULL with @error. */
sqlite3_stmt *lx_store_prepare (LxStore *store, const char *sql, GError **error);
/* Sets @error from SQLite's last error while @doing; returns FALSE. */
gboolean lx_store_database_error (LxStore *store, GError **error, const char *doing);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)
