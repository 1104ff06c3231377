/*
 * sqlite-int.h - what the SQLite backend's files share (sqlite.c: the
 * connection, schema, runs, jobs; sqlite_blob.c: blobs as files;
 * sqlite_flow.c: the flows table).  Schema and layout: sqlite.c's top
 * comment and doc/store.md.
 */
#ifndef BOTLENS_SQLITE_INT_H
#define BOTLENS_SQLITE_INT_H

#include <limits.h>
#include <sqlite3.h>

#include "store/store-int.h"

struct sq {
	struct store base;          /* first: store.c sees only this */
	sqlite3 *db;
	char dir[PATH_MAX];         /* the data directory */
	unsigned long seen_gen;     /* wake-up generation at the last claim */
};

static inline struct sq *sq_of(struct store *s) { return (struct sq *)s; }

/* s->err = "what: sqlite's message"; returns -1. */
int sq_err(struct sq *q, const char *what);
/* A prepared statement or NULL (error set). */
sqlite3_stmt *sq_prep(struct sq *q, const char *sql);
/* Runs SQL without results; 0 or -1. */
int sq_exec(struct sq *q, const char *sql);
/* Steps a statement that returns no row to its end and finalizes it. */
int sq_done(struct sq *q, sqlite3_stmt *st, const char *what);
/* Copies column i (text) into a fixed field. */
void sq_col(sqlite3_stmt *st, int i, char *dst, size_t len);

/* sqlite_blob.c */
struct store_blob_w *sq_blob_create(struct store *s);
int sq_blob_write(struct store_blob_w *w, const void *buf, size_t n);
int sq_blob_commit(struct store_blob_w *w, char sha[STORE_SHA_HEX], uint64_t *size);
void sq_blob_abort(struct store_blob_w *w);
int sq_blob_open(struct store *s, const char *sha, struct store_blob_r **r, uint64_t *size);
ssize_t sq_blob_read(struct store_blob_r *r, void *buf, size_t n);
void sq_blob_close(struct store_blob_r *r);
/* Removes what crashed writers left in DIR/tmp; how many. */
int sq_blob_sweep(struct sq *q);

/* sqlite_flow.c: loads a flows TSV for a run (inside the caller's
 * transaction; old flows of the run replaced); *n gets the count. */
int sq_flow_load(struct sq *q, int64_t run, const char *path, uint64_t *n);
int sq_flow_list(struct store *s, const struct store_flow_query *fq,
		 int (*cb)(void *ctx, const struct store_flow *f), void *ctx, uint64_t *total);

#endif
