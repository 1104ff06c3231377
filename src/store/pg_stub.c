/*
 * pg_stub.c - placeholder for the PostgreSQL backend until pg.c lands:
 * store_open() on a postgresql:// location says this build lacks it.
 * Delete this file when pg.c defines store_pg_ops.
 */
#include "store/store-int.h"

const struct store_ops store_pg_ops = { .name = "postgresql" };
