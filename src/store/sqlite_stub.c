/*
 * sqlite_stub.c - placeholder for the SQLite backend until sqlite.c
 * lands.  Delete this file when sqlite.c defines store_sqlite_ops.
 */
#include "store/store-int.h"

const struct store_ops store_sqlite_ops = { .name = "sqlite" };
