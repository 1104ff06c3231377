/*
 * pg-int.h - what the PostgreSQL backend's files share: pg.c (the
 * connection, reconnection, schema and migrations, runs, results, flows
 * listing, meta, stats), pg_blob.c (blobs as chunked bytea rows),
 * pg_job.c (the job queue: claim under a lease, renew, finish with the
 * flows bulk-loaded by COPY, fail, LISTEN/NOTIFY).  Schema: pg.c's
 * migrations[] and doc/store.md.
 *
 * Connection loss: every operation runs through PG_RETRY, which
 * re-establishes a lost connection (PQreset with a bounded back-off) before
 * the operation and runs the operation again when it failed because the
 * connection dropped (or a deadlock was detected).  Operations are written
 * so that running them again is safe: a transaction that was cut is rolled
 * back by the server, and job_finish/job_fail check the lease first, so a
 * commit whose acknowledgement was lost is not repeated (the second try
 * finds the lease gone and answers 1).
 */
#ifndef BOTLENS_PG_INT_H
#define BOTLENS_PG_INT_H

#include <libpq-fe.h>

#include "store/store-int.h"

#define PG_CHUNK (1u << 20)      /* bytes per blob_chunks row */
#define PG_CHANNEL "botlens_jobs" /* NOTIFY channel: a job may be claimable */
#define PG_TRIES 5               /* runs of one operation across reconnections */

struct pg {
	struct store base;           /* first: store.c sees only this */
	PGconn *conn;
	char where[256];             /* the location with any password masked, for messages */
	char sqlstate[6];            /* of the last failed statement, "" none */
	bool listening;              /* LISTEN issued on this connection */
	bool in_blob;                /* a blob writer holds the open transaction */
};

static inline struct pg *pg_of(struct store *s) { return (struct pg *)s; }

/* Runs sql with n text parameters (NULL = SQL NULL).  Returns the result
 * when its status is `want` (PGRES_COMMAND_OK, PGRES_TUPLES_OK), else NULL
 * with s->err = "what: server's message" and p->sqlstate set. */
PGresult *pg_q(struct pg *p, const char *what, const char *sql, int n, const char *const *params,
	       ExecStatusType want);
/* Like pg_q for statements without rows; 0 or -1. */
int pg_x(struct pg *p, const char *what, const char *sql, int n, const char *const *params);
/* ROLLBACK, ignoring errors (the connection may be gone). */
void pg_rollback(struct pg *p);
/* Sets s->err from the connection's message; returns -1. */
int pg_fail_conn(struct pg *p, const char *what);

/* Before an operation: -1 when a blob writer holds the connection, or the
 * connection is lost and cannot be re-established. */
int pg_enter(struct pg *p);
/* After an operation failed: true when it should run again (connection
 * lost and re-established, deadlock, serialization failure), at most
 * PG_TRIES times. */
bool pg_again(struct pg *p, int *tries);
/* Re-establishes a lost connection with a bounded back-off; 0 or -1. */
int pg_reconnect(struct pg *p);

#define PG_RETRY(p, call)                                        \
	do {                                                     \
		int tries_ = 0, rc_;                             \
		for (;;) {                                       \
			if (pg_enter(p) < 0)                     \
				return -1;                       \
			rc_ = (call);                            \
			if (rc_ != -1 || !pg_again(p, &tries_))  \
				return rc_;                      \
		}                                                \
	} while (0)

/* Text of an integer for a parameter. */
#define PG_I64(buf, v) (snprintf(buf, sizeof buf, "%lld", (long long)(v)), (const char *)buf)
/* Integer column (0 when NULL). */
int64_t pg_i64(const PGresult *r, int row, int col);
double pg_f64(const PGresult *r, int row, int col);
/* Copies a text column into a fixed field. */
void pg_str(const PGresult *r, int row, int col, char *dst, size_t len);
/* s or a copy with invalid UTF-8 bytes replaced (the database holds UTF-8
 * text); *tofree gets the copy to free, NULL when s was returned. */
const char *pg_utf8(const char *s, char **tofree);

/* pg_blob.c */
struct store_blob_w *pg_blob_create(struct store *s);
int pg_blob_write(struct store_blob_w *w, const void *buf, size_t n);
int pg_blob_commit(struct store_blob_w *w, char sha[STORE_SHA_HEX], uint64_t *size);
void pg_blob_abort(struct store_blob_w *w);
int pg_blob_open(struct store *s, const char *sha, struct store_blob_r **r, uint64_t *size);
ssize_t pg_blob_read(struct store_blob_r *r, void *buf, size_t n);
void pg_blob_close(struct store_blob_r *r);

/* pg_job.c */
int pg_job_enqueue(struct store *s, const char *kind, int64_t run_id);
int pg_job_claim(struct store *s, const char *worker, int lease_s, struct store_job *out);
int pg_job_renew(struct store *s, struct store_job *j, int lease_s);
int pg_job_finish(struct store *s, const struct store_job *j, const struct store_outcome *o);
int pg_job_fail(struct store *s, const struct store_job *j, const char *error, int max_attempts);
int pg_job_wait(struct store *s, int timeout_ms);
int pg_job_recover(struct store *s);
int pg_job_get(struct store *s, int64_t id, struct store_job *out, int *status, char *error, size_t errlen);

#endif
