/*
 * store.h - where uploaded runs, their analysis jobs and their results
 * live (`botlens serve`, `botlens worker`, `botlens db`).
 *
 * One interface, two backends behind it (store-int.h, struct store_ops):
 *   - SQLite (sqlite.c), the embedded default: a data directory holding
 *     `botlens.db` (WAL mode, synchronous=FULL) and the blobs as files,
 *     content-addressed by SHA-256 (`blobs/ab/abcdef...`), written to
 *     `tmp/`, fsync'd, renamed, directory fsync'd;
 *   - PostgreSQL (pg.c, libpq): blobs in the database in chunks, so a
 *     worker needs nothing but the connection string.
 * store_open() picks the backend from the location: `postgresql://...`
 * or `postgres://...` (or a libpq "key=value" string starting with
 * "host=" / "dbname=") is PostgreSQL, anything else is a data directory.
 *
 * The web code (src/web/) and the workers (worker.c) call only what is
 * declared here; a backend never knows about HTTP or about analyses.
 *
 * Threads: a struct store is one connection.  It is used by one thread at
 * a time; a server opens one per thread (store_open() is cheap enough).
 *
 * Errors: functions return 0 (or a documented positive answer) on
 * success and -1 on error, with a message in store_error(s) naming what
 * failed (never a password of the connection string).
 *
 * The job model (both backends):
 *   - a run is one uploaded file, unique by SHA-256 (the same bytes
 *     uploaded twice are one run: store_run_add() says it existed);
 *   - adding a run queues one job of kind "analyse" for it in the same
 *     transaction; other kinds ("cluster": re-cluster all behavior
 *     reports, run_id 0) are queued by store_job_enqueue(), at most one
 *     queued job per (kind, run_id);
 *   - a worker claims a job under a lease (claimed_by, lease_until): a job
 *     is claimable when queued, or running with an expired lease (its
 *     worker died); claiming increments attempts;
 *   - the worker renews the lease while it works and ends the job with
 *     store_job_finish() (all results, the run's summary and its flows
 *     in one transaction) or store_job_fail(); both check that the lease
 *     is still the caller's (same claimed_by and attempt) so a slow
 *     worker whose job was re-claimed cannot write a second result set;
 *   - a failed attempt is re-queued until max_attempts, then the job and
 *     its run are failed with the last error.
 */
#ifndef BOTLENS_STORE_H
#define BOTLENS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define STORE_SHA_HEX 65        /* 64 hex digits and the NUL */
#define STORE_SCHEMA_VERSION 1  /* bump with a migration in both backends */

struct store;

/* Opens (and creates when absent: a directory, or the schema in an empty
 * database) the store at `location`.  Migrations run only through
 * store_migrate(); opening a store whose schema is older than
 * STORE_SCHEMA_VERSION fails with a message saying to run
 * `botlens db migrate`, newer fails too.  A fresh store is migrated by
 * store_open() itself.  NULL on error with the message in err. */
struct store *store_open(const char *location, char *err, size_t errlen);
void store_close(struct store *s);
const char *store_error(const struct store *s);
const char *store_backend(const struct store *s);   /* "sqlite" or "postgresql" */
/* Brings the schema to STORE_SCHEMA_VERSION (idempotent); *from gets the
 * version found (0 = empty). */
int store_migrate(struct store *s, int *from);

/* ---- blobs: content-addressed, streamed both ways ---- */

struct store_blob_w;
struct store_blob_r;

/* A new blob: bytes are streamed in, hashed on the way; commit makes them
 * durable (SQLite: fsync of file and directory; PostgreSQL: committed
 * rows) and returns the SHA-256 in hex.  An existing blob with the same
 * hash is kept and the new bytes dropped.  Abort (or an error) leaves
 * nothing visible.  commit and abort free w. */
struct store_blob_w *store_blob_create(struct store *s);
int store_blob_write(struct store_blob_w *w, const void *buf, size_t n);
int store_blob_commit(struct store_blob_w *w, char sha[STORE_SHA_HEX], uint64_t *size);
void store_blob_abort(struct store_blob_w *w);

/* Reading: 1 and *r set, 0 no such blob, -1 error.  store_blob_read()
 * returns bytes read, 0 at the end, -1 on error; at the end the bytes'
 * SHA-256 is checked against the name and a mismatch is an error
 * ("blob <sha>: content does not match its hash"). */
int store_blob_open(struct store *s, const char *sha, struct store_blob_r **r, uint64_t *size);
ssize_t store_blob_read(struct store_blob_r *r, void *buf, size_t n);
void store_blob_close(struct store_blob_r *r);
/* Convenience over the above (common code, store.c): copy a blob to a new
 * file at path (created 0600, fsync'd), or a file into a new blob. */
int store_blob_to_file(struct store *s, const char *sha, const char *path);
int store_blob_from_file(struct store *s, const char *path, char sha[STORE_SHA_HEX], uint64_t *size);

/* ---- runs ---- */

enum store_run_type { STORE_RUN_CAPTURE = 1, STORE_RUN_REPORT = 2 };
enum store_status { STORE_QUEUED = 0, STORE_RUNNING = 1, STORE_DONE = 2, STORE_FAILED = 3 };
const char *store_status_name(int status);   /* "queued", "running", "done", "failed" */

struct store_run {
	int64_t id;
	char sha[STORE_SHA_HEX];    /* of the uploaded file (its blob) */
	char name[256];             /* file name as uploaded (display only, never a path) */
	uint64_t size;
	int type;                   /* enum store_run_type */
	int64_t submitted;          /* Unix seconds */
	char label[64];             /* optional, from the submitter */
	char tags[256];             /* optional, space-separated words */
	/* filled by the analysis (store_job_finish), empty before */
	int status;                 /* enum store_status */
	char error[512];            /* why the last attempt failed */
	char family[64];            /* classify's answer ("unknown" when rejected) */
	double score;               /* its score */
	char kinds[256];            /* behavior kinds found, space-separated */
	uint32_t hosts;             /* hosts explained */
	uint64_t flows;             /* flows stored for the run */
	int64_t done_at;            /* Unix seconds, 0 before */
};

/* Adds a run (fields id, status, error and the analysis fields of `in`
 * are ignored) whose file blob in->sha is already committed, and queues
 * its "analyse" job, in one durable transaction.  When a run with the same
 * SHA-256 exists: *id gets it, *existed is true and nothing changes. */
int store_run_add(struct store *s, const struct store_run *in, int64_t *id, bool *existed);
/* 1 found, 0 absent, -1 error. */
int store_run_get(struct store *s, int64_t id, struct store_run *out);
int store_run_by_sha(struct store *s, const char *sha, struct store_run *out);
/* Deletes the run, its jobs, results, flows and terms (blobs no longer
 * referenced may be removed later).  1 deleted, 0 absent. */
int store_run_delete(struct store *s, int64_t id);

enum store_sort { STORE_SORT_SUBMITTED, STORE_SORT_NAME, STORE_SORT_SIZE, STORE_SORT_STATUS, STORE_SORT_FAMILY };

struct store_query {
	const char *text;           /* NULL/"" = all; else matches (case-insensitive) a SHA-256
				     * prefix, a substring of the name, or a whole term: kind,
				     * family, label, tag, address, domain name (store_term) */
	int status;                 /* -1 any */
	int type;                   /* 0 any */
	enum store_sort sort;
	bool desc;
	uint32_t offset, limit;     /* limit 0 = 50; at most 1000 */
};
/* Calls cb for each matching run in order; cb returning non-zero stops.
 * *total (when not NULL) gets the number of matches. */
int store_run_list(struct store *s, const struct store_query *q,
		   int (*cb)(void *ctx, const struct store_run *r), void *ctx, uint64_t *total);

/* ---- results of a run ---- */

struct store_result {
	char name[64];              /* "report.json", "report.html", "plot.png", "plot.svg",
				     * "info.json", "ports.json", "flows.tsv", "classify.json" ... */
	char sha[STORE_SHA_HEX];    /* its blob */
	uint64_t size;
	char ctype[64];             /* Content-Type */
};
/* 1 found, 0 absent. */
int store_result_get(struct store *s, int64_t run, const char *name, struct store_result *out);
int store_result_list(struct store *s, int64_t run,
		      int (*cb)(void *ctx, const struct store_result *r), void *ctx);

/* ---- flows of a run (the flows table, filterable, paginated) ---- */

struct store_flow {
	double ts, duration;        /* Unix seconds */
	uint8_t proto;              /* IP protocol */
	char orig[48], resp[48];    /* addresses as text */
	uint16_t sport, dport;
	uint64_t opkts, rpkts, obytes, rbytes;
	char service[32];           /* application protocol ("-" unknown) */
	char state[16];             /* Zeek conn_state */
};
/* The flows TSV that a job hands to store_job_finish() (flows_tsv): one
 * flow per line, tab-separated, in this order, no header:
 *   ts duration proto orig sport resp dport opkts rpkts obytes rbytes service state
 * ts/duration as decimal seconds, proto as a number. */
#define STORE_FLOW_COLUMNS 13

struct store_flow_query {
	int64_t run;
	const char *addr;           /* NULL or an address: orig or resp equals it */
	int port;                   /* -1 any: sport or dport equals it */
	int proto;                  /* 0 any */
	uint64_t offset;
	uint32_t limit;             /* 0 = 100; at most 10000 */
};
/* Flows in capture order (ts).  *total (when not NULL) gets the number of
 * matches; counting may cost a scan, pass NULL when it is not shown. */
int store_flow_list(struct store *s, const struct store_flow_query *q,
		    int (*cb)(void *ctx, const struct store_flow *f), void *ctx, uint64_t *total);

/* ---- jobs ---- */

struct store_job {
	int64_t id, run_id;         /* run_id 0 for store-wide jobs */
	char kind[16];              /* "analyse", "cluster" */
	int attempts;               /* including this one */
	char worker[64];            /* claimed_by */
	int64_t lease_until;        /* Unix seconds */
};

/* Queues a job unless one of the same (kind, run_id) is already queued.
 * 1 queued, 0 already there. */
int store_job_enqueue(struct store *s, const char *kind, int64_t run_id);
/* Claims the oldest claimable job for `worker` (a name unique among live
 * workers, e.g. host:pid:n) for lease_s seconds and marks its run running.
 * 1 claimed (*out filled), 0 nothing to do, -1 error. */
int store_job_claim(struct store *s, const char *worker, int lease_s, struct store_job *out);
/* Extends the lease.  0 done, 1 the lease is no longer ours (the job was
 * re-claimed: stop working on it), -1 error. */
int store_job_renew(struct store *s, struct store_job *j, int lease_s);

struct store_term { const char *kind, *value; };   /* kind: "kind", "family", "addr", "domain", "tag" */

struct store_outcome {
	/* results: blobs already committed */
	const struct store_result *results;
	size_t nresults;
	/* summary of the run */
	const char *family;         /* NULL none */
	double score;
	const char *kinds;          /* space-separated, NULL none */
	uint32_t hosts;
	/* search terms of the run (addresses, domain names seen, kinds ...) */
	const struct store_term *terms;
	size_t nterms;
	/* flows: a local file in the STORE_FLOW_COLUMNS format, NULL none */
	const char *flows_tsv;
};
/* Writes the outcome, marks job and run done, in one transaction that
 * first checks the lease is still j's.  0 done, 1 lease lost (nothing
 * written), -1 error (nothing written). */
int store_job_finish(struct store *s, const struct store_job *j, const struct store_outcome *o);
/* Records a failed attempt: re-queued while attempts < max_attempts, else
 * job and run failed with `error`.  Checks the lease like finish.
 * 0 done, 1 lease lost, -1 error. */
int store_job_fail(struct store *s, const struct store_job *j, const char *error, int max_attempts);
/* Waits until a job may be claimable or timeout_ms passes (PostgreSQL:
 * LISTEN/NOTIFY; SQLite: a process-wide condition signalled by
 * run_add/enqueue/fail, so workers in other processes see new jobs at the
 * timeout).  0 woken or timed out, -1 error. */
int store_job_wait(struct store *s, int timeout_ms);
/* At the start of a server that owns every worker of its store (SQLite:
 * one process), jobs left running by a previous process are re-queued at
 * once instead of waiting for their leases.  Returns how many (>= 0). */
int store_job_recover(struct store *s);
/* Gets one job's state: 1 found, 0 absent. status is enum store_status. */
int store_job_get(struct store *s, int64_t id, struct store_job *out, int *status, char *error, size_t errlen);

/* ---- store-wide values (cluster state, model name ...) ---- */

/* 1 found (value copied, NUL-terminated, truncated to len), 0 absent. */
int store_meta_get(struct store *s, const char *key, char *value, size_t len);
int store_meta_set(struct store *s, const char *key, const char *value);

/* ---- status (`botlens status`, the status page) ---- */

struct store_worker_stat { char worker[64]; uint32_t running; };
struct store_stats {
	uint64_t runs, queued, running, done, failed;
	uint64_t done_last_minute;      /* jobs finished in the last 60 s */
	uint64_t failed_attempts;       /* attempts that failed (retried or not) */
	struct store_worker_stat workers[32];
	unsigned nworkers;              /* distinct workers with running jobs (at most 32 listed) */
};
int store_stats(struct store *s, struct store_stats *out);

#endif
