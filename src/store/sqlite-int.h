/*
 * sqlite-int.h - what the SQLite backend's files share (sqlite.c: the
 * connection, schema, runs; sqlite_job.c: jobs; sqlite_blob.c: blobs as
 * files; sqlite_flow.c: the flows table).  Schema and layout: sqlite.c's top
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

/* Transactions: BEGIN IMMEDIATE (the write lock at once), COMMIT, ROLLBACK. */
int sq_begin(struct sq *q);
int sq_commit(struct sq *q);
void sq_rollback(struct sq *q);
/* A one-integer query with up to two int64 parameters; -1 on error. */
int64_t sq_int(struct sq *q, const char *sql, int64_t a, int64_t b);
/* Search terms of a run: one value, or each space-separated word. */
int sq_term_add(struct sq *q, int64_t run, const char *kind, const char *value);
int sq_term_words(struct sq *q, int64_t run, const char *kind, const char *words);
/* Queues a job unless one of (kind, run) is queued: 1, 0, or -1. */
int64_t sq_job_insert(struct sq *q, const char *kind, int64_t run);

/* sqlite_job.c: the wake-up (generation counter and condition variable)
 * and the jobs' ops. */
void sq_wake_all(void);
unsigned long sq_wake_gen(void);
int sq_job_enqueue(struct store *s, const char *kind, int64_t run);
int sq_job_claim(struct store *s, const char *worker, int lease_s, struct store_job *out);
int sq_job_renew(struct store *s, struct store_job *j, int lease_s);
int sq_job_finish(struct store *s, const struct store_job *j, const struct store_outcome *o);
int sq_job_fail(struct store *s, const struct store_job *j, const char *error, int max_attempts);
int sq_job_wait(struct store *s, int timeout_ms);
int sq_job_recover(struct store *s);
int sq_job_get(struct store *s, int64_t id, struct store_job *out, int *status, char *error, size_t errlen);

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
/* Removes committed blobs no run, result or store-wide value names (a writer
 * killed before its row); only for the store's one user.  How many, or -1. */
int sq_blob_gc(struct sq *q);

/* sqlite_flow.c: loads a flows TSV as a new flow set of job j's run, in
 * transactions of its own (call outside one); *fset and *n get the set
 * and its count.  Nothing reads the set until the run points to it. */
int sq_flow_load(struct sq *q, const struct store_job *j, const char *path, int64_t *fset, uint64_t *n);
/* Removes flow sets no run shows and no running job is loading, in
 * batches; errors are left for the next call. */
void sq_flow_gc(struct sq *q);
int sq_flow_list(struct store *s, const struct store_flow_query *fq,
		 int (*cb)(void *ctx, const struct store_flow *f), void *ctx, uint64_t *total);

#endif
