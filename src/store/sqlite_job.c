/*
 * sqlite_job.c - the SQLite store's jobs (store.h, "The job model"):
 * queue, claim under a lease, renew, finish, fail, recover, and the
 * wake-up of waiting workers.  Schema: sqlite.c's top comment.
 *
 * A claim is one BEGIN IMMEDIATE transaction (SQLite has one writer at a
 * time, so two claimers cannot take the same job); finish and fail check
 * in their transaction that the job is still running under the caller's
 * claimed_by and attempt.  store_job_wait() sleeps on a process-wide
 * condition variable signalled by whatever makes a job claimable in this
 * process (run_add, enqueue, fail, recover); each connection remembers
 * the generation it saw at its last claim, so a wake-up that comes
 * between "nothing to claim" and the wait is not lost.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite-int.h"

/* ---- the process-wide wake-up ---- */

static pthread_mutex_t wake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static unsigned long wake_gen;

static void wake_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&wake_cv, &a);
	pthread_condattr_destroy(&a);
}

void sq_wake_all(void)
{
	pthread_once(&wake_once, wake_init);
	pthread_mutex_lock(&wake_mu);
	wake_gen++;
	pthread_cond_broadcast(&wake_cv);
	pthread_mutex_unlock(&wake_mu);
}

unsigned long sq_wake_gen(void)
{
	unsigned long g;

	pthread_once(&wake_once, wake_init);
	pthread_mutex_lock(&wake_mu);
	g = wake_gen;
	pthread_mutex_unlock(&wake_mu);
	return g;
}

/* Returns at once when something happened since this connection's last
 * claim: a wake-up between "nothing to claim" and the wait is not lost. */
int sq_job_wait(struct store *s, int timeout_ms)
{
	struct sq *q = sq_of(s);
	struct timespec until;

	pthread_once(&wake_once, wake_init);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L)
		until.tv_sec++, until.tv_nsec -= 1000000000L;
	pthread_mutex_lock(&wake_mu);
	while (wake_gen == q->seen_gen) {
		if (pthread_cond_timedwait(&wake_cv, &wake_mu, &until) == ETIMEDOUT)
			break;
	}
	q->seen_gen = wake_gen;
	pthread_mutex_unlock(&wake_mu);
	return 0;
}

/* ---- jobs ---- */

int sq_job_enqueue(struct store *s, const char *kind, int64_t run)
{
	struct sq *q = sq_of(s);
	int64_t n = sq_job_insert(q, kind, run);

	if (n > 0)
		sq_wake_all();
	return n < 0 ? -1 : n > 0;
}

static int claim_take(struct sq *q, const char *worker, int lease_s, struct store_job *out)
{
	int64_t now = (int64_t)time(NULL);
	sqlite3_stmt *st = sq_prep(q, "SELECT id, kind, run_id, attempts FROM jobs WHERE status = 0"
				      " OR (status = 1 AND lease_until < ?1) ORDER BY id LIMIT 1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 0 : sq_err(q, "claim");
	}
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(st, 0);
	sq_col(st, 1, out->kind, sizeof out->kind);
	out->run_id = sqlite3_column_int64(st, 2);
	out->attempts = sqlite3_column_int(st, 3) + 1;
	sqlite3_finalize(st);
	store_copy(out->worker, sizeof out->worker, worker);
	out->lease_until = now + lease_s;
	st = sq_prep(q, "UPDATE jobs SET status = 1, attempts = ?2, claimed_by = ?3, lease_until = ?4,"
			" started = ?5 WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, out->id);
	sqlite3_bind_int(st, 2, out->attempts);
	sqlite3_bind_text(st, 3, out->worker, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, out->lease_until);
	sqlite3_bind_int64(st, 5, now);
	if (sq_done(q, st, "claim") < 0)
		return -1;
	if (out->run_id > 0 && !(st = sq_prep(q, "UPDATE runs SET status = 1 WHERE id = ?1")))
		return -1;
	if (out->run_id > 0) {
		sqlite3_bind_int64(st, 1, out->run_id);
		return sq_done(q, st, "claim") < 0 ? -1 : 1;
	}
	return 1;
}

int sq_job_claim(struct store *s, const char *worker, int lease_s, struct store_job *out)
{
	struct sq *q = sq_of(s);
	int rc;

	q->seen_gen = sq_wake_gen();
	if (sq_begin(q) < 0)
		return -1;
	rc = claim_take(q, worker, lease_s, out);
	if (rc < 0 || sq_commit(q) < 0) {
		sq_rollback(q);
		return -1;
	}
	return rc;
}

/* A statement over one job, bound ?1 id, ?2 claimed_by, ?3 attempts. */
static sqlite3_stmt *job_stmt(struct sq *q, const char *sql, const struct store_job *j)
{
	sqlite3_stmt *st = sq_prep(q, sql);

	if (st) {
		sqlite3_bind_int64(st, 1, j->id);
		sqlite3_bind_text(st, 2, j->worker, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 3, j->attempts);
	}
	return st;
}

#define JOB_OURS "id = ?1 AND status = 1 AND claimed_by = ?2 AND attempts = ?3"

int sq_job_renew(struct store *s, struct store_job *j, int lease_s)
{
	struct sq *q = sq_of(s);
	int64_t until = (int64_t)time(NULL) + lease_s;
	sqlite3_stmt *st = job_stmt(q, "UPDATE jobs SET lease_until = ?4 WHERE " JOB_OURS, j);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 4, until);
	if (sq_done(q, st, "renew") < 0)
		return -1;
	if (sqlite3_changes(q->db) != 1)
		return 1;
	j->lease_until = until;
	return 0;
}

/* 1 when j's lease is still the caller's, 0 lost, -1 error. */
static int lease_ours(struct sq *q, const struct store_job *j)
{
	sqlite3_stmt *st = job_stmt(q, "SELECT count(*) FROM jobs WHERE " JOB_OURS, j);
	int rc, n = 0;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? n == 1 : sq_err(q, "lease");
}

/* Runs sql with ?1 = id for each statement of a small fixed list. */
static int exec_id(struct sq *q, const char *sql, int64_t id)
{
	sqlite3_stmt *st = sq_prep(q, sql);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return sq_done(q, st, "store");
}

static int outcome_results(struct sq *q, int64_t run, const struct store_outcome *o)
{
	if (exec_id(q, "DELETE FROM results WHERE run_id = ?1", run) < 0)
		return -1;
	for (size_t i = 0; i < o->nresults; i++) {
		const struct store_result *r = &o->results[i];
		sqlite3_stmt *st = sq_prep(q, "INSERT OR REPLACE INTO results(run_id, name, sha, size, ctype)"
					      " VALUES (?1, ?2, ?3, ?4, ?5)");
		if (!st)
			return -1;
		if (!store_sha_ok(r->sha)) {
			sqlite3_finalize(st);
			return store_fail(&q->base, "result '%s': bad blob name", r->name);
		}
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_text(st, 2, r->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, r->sha, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 4, (int64_t)r->size);
		sqlite3_bind_text(st, 5, r->ctype, -1, SQLITE_TRANSIENT);
		if (sq_done(q, st, "result") < 0)
			return -1;
	}
	return 0;
}

static int outcome_terms(struct sq *q, int64_t run, const struct store_outcome *o)
{
	if (exec_id(q, "DELETE FROM terms WHERE run_id = ?1 AND kind NOT IN ('label', 'tag')", run) < 0 ||
	    sq_term_add(q, run, "family", o->family) < 0 || sq_term_words(q, run, "kind", o->kinds) < 0)
		return -1;
	for (size_t i = 0; i < o->nterms; i++)
		if (sq_term_add(q, run, o->terms[i].kind, o->terms[i].value) < 0)
			return -1;
	return 0;
}

static int outcome_run(struct sq *q, int64_t run, const struct store_outcome *o, int64_t fset, uint64_t flows)
{
	sqlite3_stmt *st = sq_prep(q, "UPDATE runs SET status = 2, error = '', family = ?2, score = ?3,"
				      " kinds = ?4, hosts = ?5, flows = ?6, done_at = ?7, flowset = ?8 WHERE id = ?1");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, o->family ? o->family : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 3, o->score);
	sqlite3_bind_text(st, 4, o->kinds ? o->kinds : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, o->hosts);
	sqlite3_bind_int64(st, 6, (int64_t)flows);
	sqlite3_bind_int64(st, 7, (int64_t)time(NULL));
	sqlite3_bind_int64(st, 8, fset);
	return sq_done(q, st, "run");
}

/* The outcome's rows; the flows were loaded before, as flow set fset. */
static int finish_write(struct sq *q, const struct store_job *j, const struct store_outcome *o, int64_t fset,
			uint64_t nflows)
{
	sqlite3_stmt *st;

	if (outcome_results(q, j->run_id, o) < 0)
		return -1;
	if (j->run_id > 0 && (outcome_terms(q, j->run_id, o) < 0 || outcome_run(q, j->run_id, o, fset, nflows) < 0))
		return -1;
	st = sq_prep(q, "UPDATE jobs SET status = 2, error = '', finished = ?2 WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	return sq_done(q, st, "job");
}

/*
 * The flows are loaded first, in batches of their own transactions (a
 * million flows take seconds; other writers must not wait that long),
 * as a new flow set no reader sees; the finishing transaction checks
 * the lease and points the run at the set.  Sets left behind (the old
 * one, a lost lease, a failed load) are removed afterwards.
 */
int sq_job_finish(struct store *s, const struct store_job *j, const struct store_outcome *o)
{
	struct sq *q = sq_of(s);
	uint64_t nflows = 0;
	int64_t fset = 0;
	int rc;

	if (j->run_id > 0 && o->flows_tsv && sq_flow_load(q, j, o->flows_tsv, &fset, &nflows) < 0)
		return -1;
	if (sq_begin(q) < 0)
		return -1;
	rc = lease_ours(q, j);
	if (rc == 1)
		rc = finish_write(q, j, o, fset, nflows) < 0 ? -1 : 0;
	else if (rc == 0)
		rc = 1;
	if (rc != 0 || sq_commit(q) < 0) {
		sq_rollback(q);
		rc = rc == 1 ? 1 : -1;
	}
	if (rc >= 0)
		sq_flow_gc(q);
	return rc;
}

/* Sets the job's row after a failed attempt: queued again (status 0) or
 * failed (3); its run follows.  A queued twin of the same (kind, run_id)
 * takes over instead of a re-queue (at most one queued per pair). */
static int fail_write(struct sq *q, const struct store_job *j, const char *error, int status)
{
	sqlite3_stmt *st;

	if (status == 0 && sq_int(q, "SELECT count(*) FROM jobs WHERE status = 0 AND run_id = ?1 AND kind ="
				     " (SELECT kind FROM jobs WHERE id = ?2)", j->run_id, j->id) > 0)
		status = 3;
	st = sq_prep(q, "UPDATE jobs SET status = ?2, error = ?3, failures = failures + 1, claimed_by = '',"
			" lease_until = 0, finished = ?4 WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int(st, 2, status);
	sqlite3_bind_text(st, 3, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, status == 3 ? (int64_t)time(NULL) : 0);
	if (sq_done(q, st, "job") < 0)
		return -1;
	if (j->run_id <= 0)
		return status;
	if (!(st = sq_prep(q, "UPDATE runs SET status = ?2, error = ?3 WHERE id = ?1")))
		return -1;
	sqlite3_bind_int64(st, 1, j->run_id);
	sqlite3_bind_int(st, 2, status);
	sqlite3_bind_text(st, 3, error, -1, SQLITE_TRANSIENT);
	return sq_done(q, st, "run") < 0 ? -1 : status;
}

int sq_job_fail(struct store *s, const struct store_job *j, const char *error, int max_attempts)
{
	struct sq *q = sq_of(s);
	int rc;

	if (max_attempts <= 0)
		max_attempts = 3;
	if (sq_begin(q) < 0)
		return -1;
	rc = lease_ours(q, j);
	if (rc == 1)
		rc = fail_write(q, j, error ? error : "failed", j->attempts < max_attempts ? 0 : 3);
	else if (rc == 0) {
		sq_rollback(q);
		return 1;
	}
	if (rc < 0 || sq_commit(q) < 0) {
		sq_rollback(q);
		return -1;
	}
	if (rc == 0)
		sq_wake_all();
	sq_flow_gc(q);
	return 0;
}

int sq_job_recover(struct store *s)
{
	struct sq *q = sq_of(s);
	int n;

	if (sq_begin(q) < 0)
		return -1;
	if (sq_exec(q, "UPDATE jobs SET status = 3, error = 'superseded by a queued job' WHERE status = 1"
		       " AND EXISTS (SELECT 1 FROM jobs t WHERE t.status = 0 AND t.kind = jobs.kind"
		       " AND t.run_id = jobs.run_id);"
		       "UPDATE runs SET status = 0 WHERE id IN (SELECT run_id FROM jobs WHERE status = 1)") < 0 ||
	    sq_exec(q, "UPDATE jobs SET status = 0, claimed_by = '', lease_until = 0 WHERE status = 1") < 0) {
		sq_rollback(q);
		return -1;
	}
	n = sqlite3_changes(q->db);
	if (sq_commit(q) < 0) {
		sq_rollback(q);
		return -1;
	}
	sq_blob_sweep(q);
	sq_blob_gc(q);   /* best effort, as the sweep: a leftover file harms no reader */
	sq_flow_gc(q);
	if (n > 0)
		sq_wake_all();
	return n;
}

int sq_job_get(struct store *s, int64_t id, struct store_job *out, int *status, char *error, size_t errlen)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_prep(q, "SELECT id, run_id, kind, attempts, claimed_by, lease_until, status, error"
				      " FROM jobs WHERE id = ?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = sqlite3_column_int64(st, 0);
		out->run_id = sqlite3_column_int64(st, 1);
		sq_col(st, 2, out->kind, sizeof out->kind);
		out->attempts = sqlite3_column_int(st, 3);
		sq_col(st, 4, out->worker, sizeof out->worker);
		out->lease_until = sqlite3_column_int64(st, 5);
		if (status)
			*status = sqlite3_column_int(st, 6);
		if (error)
			sq_col(st, 7, error, errlen);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : sq_err(q, "job");
}
