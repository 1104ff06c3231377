/*
 * pg_job.c - the PostgreSQL backend's job queue, shared by workers on any
 * number of machines.
 *
 * Invariants (table jobs; status 0 queued, 1 running, 2 done, 3 failed):
 *   - at most one queued job per (kind, run_id): the partial unique index
 *     jobs_queued_once;
 *   - a job is claimable when queued, or running with lease_until in the
 *     past (its worker died or lost the database).  A claim is one
 *     statement: the oldest claimable row is locked with FOR UPDATE SKIP
 *     LOCKED (concurrent claimers skip it instead of waiting or taking it
 *     twice), its attempts incremented, claimed_by and lease_until set;
 *   - (id, claimed_by, attempts) names one attempt.  renew, finish and fail
 *     act only while the row still names the caller's attempt and is
 *     running; finish and fail lock the row first (SELECT ... FOR UPDATE),
 *     so a claim by a successor either happened before (the check fails:
 *     "lease lost", nothing written) or waits until the commit, after
 *     which the job is no longer claimable.  Hence one result set per job,
 *     whatever workers die or stall;
 *   - the clock is the database's (clock_timestamp()), never a worker's.
 *
 * Wake-ups: run_add, enqueue and a re-queueing fail NOTIFY botlens_jobs in
 * their transaction (delivered at commit); store_job_wait() LISTENs on its
 * connection and sleeps in poll() on the connection's socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg-int.h"

#define PG_ANALYZE_FLOWS 50000   /* flows loaded at once that call for ANALYZE */
#define LEASE_EPOCH "floor(extract(epoch FROM lease_until))::bigint"

/* ---- enqueue, claim, renew ---- */

static int enqueue_once(struct pg *p, const char *kind, const char *run)
{
	const char *args[2] = { kind, run };
	PGresult *r;
	int n;

	if (pg_x(p, "enqueue", "BEGIN", 0, NULL) < 0)
		return -1;
	r = pg_q(p, "enqueue", "INSERT INTO jobs (kind, run_id) VALUES ($1, $2)"
		 " ON CONFLICT (kind, run_id) WHERE status = 0 DO NOTHING RETURNING id", 2, args, PGRES_TUPLES_OK);
	if (!r)
		goto fail;
	n = PQntuples(r);
	PQclear(r);
	if (n && (pg_x(p, "enqueue", "UPDATE runs SET status = 0 WHERE id = $2 AND $1 = 'analyse'", 2, args) < 0 ||
		  pg_x(p, "enqueue", "NOTIFY " PG_CHANNEL, 0, NULL) < 0))
		goto fail;
	if (pg_x(p, "enqueue", "COMMIT", 0, NULL) < 0)
		goto fail;
	return n > 0;
fail:
	pg_rollback(p);
	return -1;
}

int pg_job_enqueue(struct store *s, const char *kind, int64_t run_id)
{
	char b[24];

	PG_I64(b, run_id);
	PG_RETRY(pg_of(s), enqueue_once(pg_of(s), kind, b));
}

static void job_row(const PGresult *r, int i, struct store_job *o)
{
	memset(o, 0, sizeof *o);
	o->id = pg_i64(r, i, 0);
	o->run_id = pg_i64(r, i, 1);
	pg_str(r, i, 2, o->kind, sizeof o->kind);
	o->attempts = (int)pg_i64(r, i, 3);
	pg_str(r, i, 4, o->worker, sizeof o->worker);
	o->lease_until = pg_i64(r, i, 5);
}

/* Drops the notifications received so far; true when there were any. */
static bool drain(struct pg *p)
{
	PGnotify *n;
	bool any = false;

	while ((n = PQnotifies(p->conn))) {
		any = true;
		PQfreemem(n);
	}
	return any;
}

/*
 * Before a claim: LISTEN (once per connection), then drop the
 * notifications already received.  A claimer that finds nothing and then
 * waits must not miss a job added in between: the LISTEN is in effect
 * before the claim looks, and every notification read here is of a commit
 * the claim's snapshot sees; one arriving later stays queued and ends the
 * next wait at once.  (Draining here also keeps a busy worker, which
 * never waits, from piling notifications up in memory.)
 */
static int listen_ready(struct pg *p)
{
	if (!p->listening) {
		if (pg_x(p, "listen", "LISTEN " PG_CHANNEL, 0, NULL) < 0)
			return -1;
		p->listening = true;
	}
	if (!PQconsumeInput(p->conn)) {
		store_copy(p->sqlstate, sizeof p->sqlstate, "08000");
		return pg_fail_conn(p, "listen");
	}
	drain(p);
	return 0;
}

static int claim_once(struct pg *p, const char *worker, const char *lease, struct store_job *out)
{
	const char *args[2] = { worker, lease };
	PGresult *r;
	int n;

	if (listen_ready(p) < 0)
		return -1;
	r = pg_q(p, "claim",
			   "WITH c AS (SELECT id FROM jobs"
			   "   WHERE status = 0 OR (status = 1 AND lease_until < clock_timestamp())"
			   "   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED),"
			   " j AS (UPDATE jobs SET status = 1, attempts = jobs.attempts + 1, claimed_by = $1,"
			   "   lease_until = clock_timestamp() + make_interval(secs => $2::int)"
			   "   FROM c WHERE jobs.id = c.id"
			   "   RETURNING jobs.id, jobs.run_id, jobs.kind, jobs.attempts, jobs.claimed_by, " LEASE_EPOCH "),"
			   " u AS (UPDATE runs SET status = 1 FROM j WHERE runs.id = j.run_id AND j.kind = 'analyse')"
			   " SELECT * FROM j", 2, args, PGRES_TUPLES_OK);
	if (!r)
		return -1;
	n = PQntuples(r);
	if (n)
		job_row(r, 0, out);
	PQclear(r);
	return n > 0;
}

int pg_job_claim(struct store *s, const char *worker, int lease_s, struct store_job *out)
{
	char b[24];
	char *tofree;
	const char *w = pg_utf8(worker, &tofree);
	int rc, tries = 0;
	struct pg *p = pg_of(s);

	PG_I64(b, lease_s);   /* as given: a lease <= 0 is over at once (the suite expires leases so) */
	for (;;) {
		if (pg_enter(p) < 0) {
			rc = -1;
			break;
		}
		rc = claim_once(p, w, b, out);
		if (rc != -1 || !pg_again(p, &tries))
			break;
	}
	free(tofree);
	return rc;
}

/* The attempt's parameters: id, claimed_by, attempts. */
struct attempt {
	uint64_t nflows;             /* finish: flows loaded */
	char id[24], attempts[24];
	const char *args[5];
	char *tofree;
};

static void attempt_args(struct attempt *a, const struct store_job *j)
{
	a->nflows = 0;
	a->args[0] = PG_I64(a->id, j->id);
	a->args[1] = pg_utf8(j->worker, &a->tofree);
	a->args[2] = PG_I64(a->attempts, j->attempts);
}

static int renew_once(struct pg *p, struct attempt *a, struct store_job *j)
{
	PGresult *r = pg_q(p, "renew lease",
			   "UPDATE jobs SET lease_until = clock_timestamp() + make_interval(secs => $4::int)"
			   " WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND status = 1 RETURNING " LEASE_EPOCH,
			   4, a->args, PGRES_TUPLES_OK);
	int n;

	if (!r)
		return -1;
	n = PQntuples(r);
	if (n)
		j->lease_until = pg_i64(r, 0, 0);
	PQclear(r);
	return n ? 0 : 1;
}

int pg_job_renew(struct store *s, struct store_job *j, int lease_s)
{
	struct attempt a;
	char b[24];
	int rc, tries = 0;

	attempt_args(&a, j);
	a.args[3] = PG_I64(b, lease_s);
	for (;;) {
		if (pg_enter(pg_of(s)) < 0) {
			rc = -1;
			break;
		}
		rc = renew_once(pg_of(s), &a, j);
		if (rc != -1 || !pg_again(pg_of(s), &tries))
			break;
	}
	free(a.tofree);
	return rc;
}

/* Locks the job row of the attempt: 1 ours (*run set), 0 lease lost, -1 error.
 * Inside the caller's transaction. */
static int lock_attempt(struct pg *p, struct attempt *a, const char *what, int64_t *run)
{
	PGresult *r = pg_q(p, what, "SELECT run_id FROM jobs WHERE id = $1 AND claimed_by = $2 AND attempts = $3"
			   " AND status = 1 FOR UPDATE", 3, a->args, PGRES_TUPLES_OK);
	int n;

	if (!r)
		return -1;
	n = PQntuples(r);
	if (n)
		*run = pg_i64(r, 0, 0);
	PQclear(r);
	return n > 0;
}

/* ---- finish ---- */

/* A growable text buffer for array literals and COPY rows. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *q;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(q = realloc(b->p, cap))) {
			b->oom = true;
			return;
		}
		b->p = q, b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* An element of a text[] literal: quoted, with " and \ escaped. */
static void sb_array_item(struct sbuf *b, const char *s)
{
	char *tofree;

	s = pg_utf8(s, &tofree);
	sb_put(b, b->len > 1 ? ",\"" : "\"", b->len > 1 ? 2 : 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_put(b, "\\", 1);
		sb_put(b, s, 1);
	}
	sb_put(b, "\"", 1);
	free(tofree);
}

/* The outcome's terms, the family and each kind, as search terms of run. */
static int add_terms(struct pg *p, const char *run, const struct store_outcome *o)
{
	struct sbuf k = { 0 }, v = { 0 };
	const char *args[3];
	int rc;

	sb_put(&k, "{", 1);
	sb_put(&v, "{", 1);
	for (size_t i = 0; i < o->nterms; i++)
		if (o->terms[i].kind && o->terms[i].value && *o->terms[i].value) {
			sb_array_item(&k, o->terms[i].kind);
			sb_array_item(&v, o->terms[i].value);
		}
	if (o->family && *o->family) {
		sb_array_item(&k, "family");
		sb_array_item(&v, o->family);
	}
	for (const char *s = o->kinds ? o->kinds : ""; *s;) {
		size_t n = strcspn(s, " \t");
		if (n) {
			char word[64];
			snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), s);
			sb_array_item(&k, "kind");
			sb_array_item(&v, word);
		}
		s += n + strspn(s + n, " \t");
	}
	sb_put(&k, "}", 1);
	sb_put(&v, "}", 1);
	if (k.oom || v.oom) {
		free(k.p), free(v.p);
		p->sqlstate[0] = '\0';
		return store_fail(&p->base, "finish: out of memory");
	}
	args[0] = run, args[1] = k.p, args[2] = v.p;
	rc = pg_x(p, "finish: terms", "INSERT INTO terms (run_id, kind, value)"
		  " SELECT $1::bigint, t.k, lower(t.v) FROM unnest($2::text[], $3::text[]) AS t(k, v)"
		  " ON CONFLICT DO NOTHING", 3, args);
	free(k.p), free(v.p);
	return rc;
}

/* Ends a COPY: sends its end (or abort with msg), then reads the result. */
static int copy_end(struct pg *p, const char *msg)
{
	PGresult *r;
	int rc = 0;

	if (PQputCopyEnd(p->conn, msg) != 1)
		rc = pg_fail_conn(p, "finish: flows");
	while ((r = PQgetResult(p->conn))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
			const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			store_copy(p->sqlstate, sizeof p->sqlstate, st ? st : "");
			if (!msg)
				store_fail(&p->base, "finish: flows: %s", PQresultErrorMessage(r));
			rc = -1;
		}
		PQclear(r);
	}
	return msg ? -1 : rc;
}

/*
 * Bulk-loads the flows TSV (STORE_FLOW_COLUMNS columns) of run with COPY
 * FROM STDIN, inside the caller's transaction: each line gets the run and
 * its line number in front; backslashes are doubled (COPY's text format
 * escapes).  A line with the wrong number of columns aborts the COPY.
 */
static int copy_flows(struct pg *p, const char *run, const char *path, uint64_t *n)
{
	FILE *f = fopen(path, "r");
	struct sbuf b = { 0 };
	char *line = NULL, err[200];
	size_t cap = 0;
	ssize_t len;
	PGresult *r;

	*n = 0;
	if (!f) {
		p->sqlstate[0] = '\0';
		return store_fail(&p->base, "finish: cannot open '%s': %s", path, strerror(errno));
	}
	r = pg_q(p, "finish: flows", "COPY flows (run_id, seq, ts, duration, proto, orig, sport, resp, dport, opkts,"
		 " rpkts, obytes, rbytes, service, state) FROM STDIN", 0, NULL, PGRES_COPY_IN);
	if (!r) {
		fclose(f);
		return -1;
	}
	PQclear(r);
	err[0] = '\0';
	while ((len = getline(&line, &cap, f)) > 0) {
		char head[48];
		int tabs = 0;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		for (ssize_t i = 0; i < len; i++)
			tabs += line[i] == '\t';
		if (tabs != STORE_FLOW_COLUMNS - 1) {
			snprintf(err, sizeof err, "flows line %llu: %d columns, expected %d", (unsigned long long)*n + 1,
				 tabs + 1, STORE_FLOW_COLUMNS);
			break;
		}
		snprintf(head, sizeof head, "%s\t%llu\t", run, (unsigned long long)*n);
		sb_put(&b, head, strlen(head));
		for (ssize_t i = 0; i < len; i++)
			sb_put(&b, line[i] == '\\' ? "\\\\" : line + i, line[i] == '\\' ? 2 : 1);
		sb_put(&b, "\n", 1);
		(*n)++;
		if (b.len >= 65536 || b.oom) {
			if (b.oom || PQputCopyData(p->conn, b.p, (int)b.len) != 1) {
				snprintf(err, sizeof err, "%s", b.oom ? "out of memory" : PQerrorMessage(p->conn));
				break;
			}
			b.len = 0;
		}
	}
	if (!err[0] && ferror(f))
		snprintf(err, sizeof err, "cannot read '%s': %s", path, strerror(errno));
	if (!err[0] && b.len && PQputCopyData(p->conn, b.p, (int)b.len) != 1)
		snprintf(err, sizeof err, "%s", PQerrorMessage(p->conn));
	free(line);
	free(b.p);
	fclose(f);
	if (err[0]) {
		copy_end(p, err);
		if (PQstatus(p->conn) == CONNECTION_OK)
			p->sqlstate[0] = '\0';
		return store_fail(&p->base, "finish: %s", err);
	}
	return copy_end(p, NULL);
}

static int put_results(struct pg *p, struct attempt *a, const char *run, const struct store_outcome *o)
{
	for (size_t i = 0; i < o->nresults; i++) {
		const struct store_result *res = &o->results[i];
		char size[24], *f1, *f2;
		const char *args[7] = { run, pg_utf8(res->name, &f1), res->sha, PG_I64(size, res->size),
					pg_utf8(res->ctype, &f2), a->args[0], a->args[2] };
		int rc = pg_x(p, "finish: results",
			      "INSERT INTO results (run_id, name, sha, size, ctype, job_id, attempt)"
			      " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (run_id, name) DO UPDATE SET"
			      " sha = excluded.sha, size = excluded.size, ctype = excluded.ctype,"
			      " job_id = excluded.job_id, attempt = excluded.attempt", 7, args);

		free(f1), free(f2);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Each loaded flow under its addresses and ports (flow_keys, pg.c), one key per distinct value. */
static const char flow_keys_sql[] =
	"INSERT INTO flow_keys (run_id, key, ts, seq) SELECT * FROM ("
	" SELECT run_id, 'a' || orig, ts, seq FROM flows WHERE run_id = $1"
	" UNION ALL SELECT run_id, 'a' || resp, ts, seq FROM flows WHERE run_id = $1 AND resp <> orig"
	" UNION ALL SELECT run_id, 'p' || sport, ts, seq FROM flows WHERE run_id = $1"
	" UNION ALL SELECT run_id, 'p' || dport, ts, seq FROM flows WHERE run_id = $1 AND dport <> sport"
	") k ORDER BY 2, 3, 4";   /* in index order: appends, not random B-tree inserts */

static int finish_once(struct pg *p, struct attempt *a, const struct store_outcome *o)
{
	static const char *const clear[] = {
		"DELETE FROM results WHERE run_id = $1",
		"DELETE FROM flows WHERE run_id = $1",
		"DELETE FROM flow_keys WHERE run_id = $1",
		"DELETE FROM terms WHERE run_id = $1 AND kind NOT IN ('label', 'tag')",
	};
	int64_t run = 0;
	uint64_t nflows = 0;
	char b_run[24];
	int rc;

	if (pg_x(p, "finish", "BEGIN", 0, NULL) < 0)
		return -1;
	if ((rc = lock_attempt(p, a, "finish", &run)) <= 0) {
		pg_rollback(p);
		return rc < 0 ? -1 : 1;
	}
	PG_I64(b_run, run);
	for (size_t i = 0; run && i < sizeof clear / sizeof *clear; i++)
		if (pg_x(p, "finish", clear[i], 1, (const char *const[]){ b_run }) < 0)
			goto fail;
	if (put_results(p, a, b_run, o) < 0 || (run && add_terms(p, b_run, o) < 0))
		goto fail;
	if (run && o->flows_tsv && (pg_x(p, "finish", "SET LOCAL work_mem = '256MB'", 0, NULL) < 0 ||
				    copy_flows(p, b_run, o->flows_tsv, &nflows) < 0 ||
				    (nflows && pg_x(p, "finish: flow keys", flow_keys_sql, 1,
						    (const char *const[]){ b_run }) < 0)))
		goto fail;
	if (run) {
		char score[40], hosts[24], n[24], *f1, *f2;
		const char *args[6] = { b_run, pg_utf8(o->family ? o->family : "", &f1), score,
					pg_utf8(o->kinds ? o->kinds : "", &f2), PG_I64(hosts, o->hosts),
					PG_I64(n, nflows) };

		snprintf(score, sizeof score, "%.17g", o->score);
		rc = pg_x(p, "finish", "UPDATE runs SET status = 2, error = '', family = $2, score = $3, kinds = $4,"
			  " hosts = $5, flows = $6, done_at = floor(extract(epoch FROM clock_timestamp()))"
			  " WHERE id = $1", 6, args);
		free(f1), free(f2);
		if (rc < 0)
			goto fail;
	}
	if (pg_x(p, "finish", "UPDATE jobs SET status = 2, error = '', done_at = clock_timestamp() WHERE id = $1",
		 1, a->args) < 0 ||
	    pg_x(p, "finish", "COMMIT", 0, NULL) < 0)
		goto fail;
	a->nflows = nflows;
	return 0;
fail:
	pg_rollback(p);
	return -1;
}

int pg_job_finish(struct store *s, const struct store_job *j, const struct store_outcome *o)
{
	struct attempt a;
	int rc, tries = 0;

	attempt_args(&a, j);
	for (;;) {
		if (pg_enter(pg_of(s)) < 0) {
			rc = -1;
			break;
		}
		rc = finish_once(pg_of(s), &a, o);
		if (rc != -1 || !pg_again(pg_of(s), &tries))
			break;
	}
	free(a.tofree);
	/* a big run changes the flows tables' statistics: refresh them now rather than at
	 * autovacuum's next pass, so its pages get index plans at once (a failure only costs time) */
	if (rc == 0 && a.nflows >= PG_ANALYZE_FLOWS)
		PQclear(PQexec(pg_of(s)->conn, "ANALYZE flows, flow_keys"));
	return rc;
}

/* ---- fail ---- */

static int fail_once(struct pg *p, struct attempt *a, const char *error, int max_attempts, int attempts)
{
	int64_t run = 0;
	char b_run[24];
	const char *args[3];
	PGresult *r;
	int rc, dup = 0;

	if (pg_x(p, "fail", "BEGIN", 0, NULL) < 0)
		return -1;
	if ((rc = lock_attempt(p, a, "fail", &run)) <= 0) {
		pg_rollback(p);
		return rc < 0 ? -1 : 1;
	}
	args[0] = a->args[0], args[1] = error, args[2] = PG_I64(b_run, run);
	if (attempts < max_attempts) {
		/* a job of the same kind and run queued meanwhile takes this one's place */
		r = pg_q(p, "fail", "SELECT 1 FROM jobs o, jobs j WHERE j.id = $1 AND o.kind = j.kind"
			 " AND o.run_id = j.run_id AND o.status = 0", 1, args, PGRES_TUPLES_OK);
		if (!r)
			goto fail;
		dup = PQntuples(r) > 0;
		PQclear(r);
	}
	if (attempts < max_attempts && !dup) {
		if (pg_x(p, "fail", "UPDATE jobs SET status = 0, claimed_by = NULL, lease_until = NULL,"
			 " failures = failures + 1, error = $2 WHERE id = $1", 2, args) < 0 ||
		    pg_x(p, "fail", "UPDATE runs SET status = 0, error = $2 FROM jobs j WHERE j.id = $1"
			 " AND runs.id = $3 AND j.kind = 'analyse'", 3, args) < 0 ||
		    pg_x(p, "fail", "NOTIFY " PG_CHANNEL, 0, NULL) < 0)
			goto fail;
	} else if (pg_x(p, "fail", "UPDATE jobs SET status = 3, failures = failures + 1, error = $2,"
			" done_at = clock_timestamp() WHERE id = $1", 2, args) < 0 ||
		   (!dup && pg_x(p, "fail", "UPDATE runs SET status = 3, error = $2 FROM jobs j WHERE j.id = $1"
				 " AND runs.id = $3 AND j.kind = 'analyse'", 3, args) < 0)) {
		goto fail;
	}
	if (pg_x(p, "fail", "COMMIT", 0, NULL) < 0)
		goto fail;
	return 0;
fail:
	pg_rollback(p);
	return -1;
}

int pg_job_fail(struct store *s, const struct store_job *j, const char *error, int max_attempts)
{
	struct attempt a;
	char *tofree;
	const char *e = pg_utf8(error ? error : "", &tofree);
	int rc, tries = 0;

	attempt_args(&a, j);
	for (;;) {
		if (pg_enter(pg_of(s)) < 0) {
			rc = -1;
			break;
		}
		rc = fail_once(pg_of(s), &a, e, max_attempts > 0 ? max_attempts : 3, j->attempts);
		if (rc != -1 || !pg_again(pg_of(s), &tries))
			break;
	}
	free(a.tofree);
	free(tofree);
	return rc;
}

/* ---- wait, recover, get ---- */

static int wait_once(struct pg *p, int timeout_ms)
{
	struct pollfd pfd;
	int rc;

	if (!p->listening) {
		if (pg_x(p, "wait", "LISTEN " PG_CHANNEL, 0, NULL) < 0)
			return -1;
		p->listening = true;
	}
	if (!PQconsumeInput(p->conn)) {
		store_copy(p->sqlstate, sizeof p->sqlstate, "08000");
		return pg_fail_conn(p, "wait");
	}
	if (drain(p))
		return 0;
	pfd.fd = PQsocket(p->conn);
	pfd.events = POLLIN;
	pfd.revents = 0;
	rc = poll(&pfd, 1, timeout_ms < 0 ? 0 : timeout_ms);
	if (rc < 0 && errno != EINTR) {
		p->sqlstate[0] = '\0';
		return store_fail(&p->base, "wait: poll: %s", strerror(errno));
	}
	if (rc > 0) {
		if (!PQconsumeInput(p->conn)) {
			store_copy(p->sqlstate, sizeof p->sqlstate, "08000");
			return pg_fail_conn(p, "wait");
		}
		drain(p);
	}
	return 0;
}

int pg_job_wait(struct store *s, int timeout_ms)
{
	PG_RETRY(pg_of(s), wait_once(pg_of(s), timeout_ms));
}

/*
 * Every running job back to the queue (store.h: for a server that owns
 * every worker of its store; with workers elsewhere it costs them their
 * current job, which they then lose at finish, "lease lost" — redone, never
 * duplicated).  A running job whose (kind, run) has a queued job meanwhile
 * is superseded by it instead.
 */
static int recover_once(struct pg *p)
{
	PGresult *r;
	int n;

	if (pg_x(p, "recover", "BEGIN", 0, NULL) < 0 ||
	    pg_x(p, "recover", "UPDATE jobs SET status = 3, error = 'superseded by a queued job', done_at = clock_timestamp()"
		 " WHERE status = 1 AND EXISTS (SELECT 1 FROM jobs t WHERE t.status = 0 AND t.kind = jobs.kind"
		 " AND t.run_id = jobs.run_id)", 0, NULL) < 0 ||
	    pg_x(p, "recover", "UPDATE runs SET status = 0 FROM jobs j WHERE j.status = 1 AND j.kind = 'analyse'"
		 " AND runs.id = j.run_id", 0, NULL) < 0)
		goto fail;
	r = pg_q(p, "recover", "UPDATE jobs SET status = 0, claimed_by = NULL, lease_until = NULL WHERE status = 1",
		 0, NULL, PGRES_COMMAND_OK);
	if (!r)
		goto fail;
	n = atoi(PQcmdTuples(r));
	PQclear(r);
	if ((n > 0 && pg_x(p, "recover", "NOTIFY " PG_CHANNEL, 0, NULL) < 0) || pg_x(p, "recover", "COMMIT", 0, NULL) < 0)
		goto fail;
	return n;
fail:
	pg_rollback(p);
	return -1;
}

int pg_job_recover(struct store *s)
{
	PG_RETRY(pg_of(s), recover_once(pg_of(s)));
}

static int get_once(struct pg *p, const char *id, struct store_job *out, int *status, char *error, size_t errlen)
{
	PGresult *r = pg_q(p, "get job", "SELECT id, run_id, kind, attempts, claimed_by, " LEASE_EPOCH
			   ", status, error FROM jobs WHERE id = $1", 1, &id, PGRES_TUPLES_OK);
	int n;

	if (!r)
		return -1;
	n = PQntuples(r);
	if (n) {
		if (out)
			job_row(r, 0, out);
		if (status)
			*status = (int)pg_i64(r, 0, 6);
		if (error && errlen)
			pg_str(r, 0, 7, error, errlen);
	}
	PQclear(r);
	return n > 0;
}

int pg_job_get(struct store *s, int64_t id, struct store_job *out, int *status, char *error, size_t errlen)
{
	char b[24];

	PG_I64(b, id);
	PG_RETRY(pg_of(s), get_once(pg_of(s), b, out, status, error, errlen));
}
