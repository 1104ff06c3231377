/*
 * sqlite_flow.c - the flows table of the SQLite store: loading a job's
 * flows TSV (store.h, STORE_FLOW_COLUMNS) and the filtered, paginated
 * page the run page shows.
 *
 * A job's flows are loaded as a new flow set (flowsets: run, job,
 * attempt) in transactions of FLOW_BATCH flows, so a million-flow load
 * never holds the write lock for more than about half a second; the
 * finishing transaction points runs.flowset at the set, which makes it
 * visible at once, whole.  A set no run shows and no running job (same
 * attempt) is still loading is garbage: sq_flow_gc() removes it in
 * batches after finish, fail and recover (the old set of a re-analysed
 * run, a deleted run's, a load whose worker died or lost its lease).
 *
 * A flow is one row of flows(fset, seq, ...) where seq is its line in the
 * TSV; flows_ts (fset, ts, seq) gives the unfiltered page and flows_proto
 * (fset, proto, ts, seq) the protocol filter, both as an ordered index
 * range: the first page costs a few page reads however many flows the
 * run has.  An address or port filter ("orig or resp equals", "sport or
 * dport equals") is an OR over two columns, which no single index
 * orders, so each flow also has rows in flow_keys (fset, "a:ADDR" |
 * "p:PORT", ts, seq), one per distinct address and port: the page is
 * again an ordered range, joined to flows by (fset, seq).  With both
 * filters the key with fewer rows drives (counted up to a bound) and the
 * other is checked on the row.
 *
 * The TSV comes from the analysis child: every line goes through the
 * checked parser below (field count, numbers, lengths); a bad line fails
 * the load and the caller's transaction.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite-int.h"

#define FLOW_LINE_MAX 1024

/* Splits line (NUL-terminated, no newline) at tabs into exactly n fields. */
static bool split_tabs(char *line, char **f, int n)
{
	int i = 0;

	f[i++] = line;
	for (char *p = line; *p; p++) {
		if (*p != '\t')
			continue;
		if (i == n)
			return false;
		*p = '\0';
		f[i++] = p + 1;
	}
	return i == n;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_secs(const char *s, double *out)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && !*end && *out >= 0 && *out < 1e11;
}

static bool text_ok(const char *s, size_t max)
{
	return *s && strlen(s) < max;
}

/* One TSV line into f; false when any field is malformed. */
static bool flow_parse(char *line, struct store_flow *f)
{
	char *c[STORE_FLOW_COLUMNS];
	uint64_t v[7];

	if (!split_tabs(line, c, STORE_FLOW_COLUMNS) || !parse_secs(c[0], &f->ts) || !parse_secs(c[1], &f->duration) ||
	    !parse_u64(c[2], 255, &v[0]) || !parse_u64(c[4], 65535, &v[1]) || !parse_u64(c[6], 65535, &v[2]) ||
	    !parse_u64(c[7], INT64_MAX, &v[3]) || !parse_u64(c[8], INT64_MAX, &v[4]) ||
	    !parse_u64(c[9], INT64_MAX, &v[5]) || !parse_u64(c[10], INT64_MAX, &v[6]) ||
	    !text_ok(c[3], sizeof f->orig) || !text_ok(c[5], sizeof f->resp) ||
	    !text_ok(c[11], sizeof f->service) || !text_ok(c[12], sizeof f->state))
		return false;
	f->proto = (uint8_t)v[0];
	f->sport = (uint16_t)v[1], f->dport = (uint16_t)v[2];
	f->opkts = v[3], f->rpkts = v[4], f->obytes = v[5], f->rbytes = v[6];
	strcpy(f->orig, c[3]);
	strcpy(f->resp, c[5]);
	strcpy(f->service, c[11]);
	strcpy(f->state, c[12]);
	return true;
}

struct loader {
	struct sq *q;
	sqlite3_stmt *row, *key;
	int64_t fset;
};

static int key_put(struct loader *l, const char *key, double ts, int64_t seq)
{
	sqlite3_bind_int64(l->key, 1, l->fset);
	sqlite3_bind_text(l->key, 2, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(l->key, 3, ts);
	sqlite3_bind_int64(l->key, 4, seq);
	if (sqlite3_step(l->key) != SQLITE_DONE)
		return sq_err(l->q, "flows");
	sqlite3_reset(l->key);
	return 0;
}

static int flow_keys_put(struct loader *l, const struct store_flow *f, int64_t seq)
{
	char k[64];

	snprintf(k, sizeof k, "a:%s", f->orig);
	if (key_put(l, k, f->ts, seq) < 0)
		return -1;
	snprintf(k, sizeof k, "a:%s", f->resp);
	if (strcmp(f->orig, f->resp) != 0 && key_put(l, k, f->ts, seq) < 0)
		return -1;
	snprintf(k, sizeof k, "p:%u", f->sport);
	if (key_put(l, k, f->ts, seq) < 0)
		return -1;
	snprintf(k, sizeof k, "p:%u", f->dport);
	return f->sport != f->dport ? key_put(l, k, f->ts, seq) : 0;
}

static int flow_put(struct loader *l, const struct store_flow *f, int64_t seq)
{
	sqlite3_stmt *st = l->row;

	sqlite3_bind_int64(st, 1, l->fset);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_double(st, 3, f->ts);
	sqlite3_bind_double(st, 4, f->duration);
	sqlite3_bind_int(st, 5, f->proto);
	sqlite3_bind_text(st, 6, f->orig, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 7, f->sport);
	sqlite3_bind_text(st, 8, f->resp, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 9, f->dport);
	sqlite3_bind_int64(st, 10, (int64_t)f->opkts);
	sqlite3_bind_int64(st, 11, (int64_t)f->rpkts);
	sqlite3_bind_int64(st, 12, (int64_t)f->obytes);
	sqlite3_bind_int64(st, 13, (int64_t)f->rbytes);
	sqlite3_bind_text(st, 14, f->service, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 15, f->state, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sq_err(l->q, "flows");
	sqlite3_reset(st);
	return flow_keys_put(l, f, seq);
}

#define FLOW_BATCH 50000        /* flows per transaction: one to two seconds of the write lock */

/* Ends a batch and lets waiting writers in before the next: SQLite's
 * busy handler polls (sleeps of up to 100 ms), so a loader that began
 * again at once would keep the lock for the whole load. */
static int batch_yield(struct sq *q)
{
	struct timespec pause = { 0, 120 * 1000000L };

	if (sq_exec(q, "COMMIT") < 0)
		return -1;
	nanosleep(&pause, NULL);
	return sq_exec(q, "BEGIN IMMEDIATE");
}

/* Reads the TSV line by line into the prepared inserts, a transaction
 * per FLOW_BATCH lines. */
static int flow_read(struct loader *l, FILE *in, const char *path, uint64_t *n)
{
	char line[FLOW_LINE_MAX];
	struct store_flow f;
	int rc = 0;

	if (sq_exec(l->q, "BEGIN IMMEDIATE") < 0)
		return -1;
	while (rc == 0 && fgets(line, sizeof line, in)) {
		size_t len = strlen(line);
		if (len == 0 || line[len - 1] != '\n') {
			rc = store_fail(&l->q->base, "'%s' line %" PRIu64 ": too long or unterminated", path, *n + 1);
			break;
		}
		line[len - 1] = '\0';
		memset(&f, 0, sizeof f);
		if (!flow_parse(line, &f))
			rc = store_fail(&l->q->base, "'%s' line %" PRIu64 ": not a flow row", path, *n + 1);
		else if ((rc = flow_put(l, &f, (int64_t)*n)) == 0 && ++*n % FLOW_BATCH == 0)
			rc = batch_yield(l->q);
	}
	if (rc == 0 && ferror(in))
		rc = store_fail(&l->q->base, "cannot read '%s': %s", path, strerror(errno));
	if (rc == 0)
		return sq_exec(l->q, "COMMIT");
	sqlite3_exec(l->q->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* A new flow set of j's run (its own transaction). */
static int64_t fset_new(struct sq *q, const struct store_job *j)
{
	sqlite3_stmt *st = sq_prep(q, "INSERT INTO flowsets(run_id, job_id, attempt, created) VALUES (?1, ?2, ?3, ?4)");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, j->run_id);
	sqlite3_bind_int64(st, 2, j->id);
	sqlite3_bind_int(st, 3, j->attempts);
	sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
	return sq_done(q, st, "flows") < 0 ? -1 : sqlite3_last_insert_rowid(q->db);
}

int sq_flow_load(struct sq *q, const struct store_job *j, const char *path, int64_t *fset, uint64_t *n)
{
	struct loader l = { .q = q };
	FILE *in;
	int rc = -1;

	*n = 0;
	if (!(in = fopen(path, "re")))
		return store_fail(&q->base, "cannot open '%s': %s", path, strerror(errno));
	if ((l.fset = fset_new(q, j)) < 0) {
		fclose(in);
		return -1;
	}
	*fset = l.fset;
	l.row = sq_prep(q, "INSERT INTO flows(fset, seq, ts, duration, proto, orig, sport, resp, dport,"
			   " opkts, rpkts, obytes, rbytes, service, state)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
	l.key = l.row ? sq_prep(q, "INSERT OR IGNORE INTO flow_keys(fset, key, ts, seq) VALUES (?1, ?2, ?3, ?4)")
		      : NULL;
	/* a big cache while loading: the key index is inserted in random
	 * order, and with the default 2 MB every insert reads pages back;
	 * no checkpoint after each batch either: the batches dirty the same
	 * index pages again and again, one checkpoint at the end copies them once */
	if (l.key && sq_exec(q, "PRAGMA cache_size = -262144; PRAGMA wal_autocheckpoint = 0") == 0) {
		rc = flow_read(&l, in, path, n);
		sqlite3_exec(q->db, "PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000", NULL, NULL, NULL);
		sqlite3_wal_checkpoint_v2(q->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	sqlite3_finalize(l.row);
	sqlite3_finalize(l.key);
	fclose(in);
	return rc;
}

/* ---- garbage: flow sets nobody shows or loads ---- */

/* One garbage set's id, 0 none, -1 error. */
static int64_t gc_next(struct sq *q)
{
	sqlite3_stmt *st = sq_prep(q, "SELECT id FROM flowsets f WHERE NOT EXISTS (SELECT 1 FROM runs r"
				      " WHERE r.flowset = f.id) AND NOT EXISTS (SELECT 1 FROM jobs j WHERE"
				      " j.id = f.job_id AND j.status = 1 AND j.attempts = f.attempt) LIMIT 1");
	int64_t id = -1;
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : rc == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return id;
}

/* Deletes up to FLOW_BATCH rows of set id from one table; rows deleted or -1. */
static int gc_batch(struct sq *q, const char *sql, int64_t id)
{
	sqlite3_stmt *st;
	int n;

	if (sq_exec(q, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (!(st = sq_prep(q, sql)))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (sq_done(q, st, "flows") < 0)
		goto fail;
	n = sqlite3_changes(q->db);
	if (sq_exec(q, "COMMIT") == 0)
		return n;
fail:
	sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

void sq_flow_gc(struct sq *q)
{
	static const char *const dels[] = {
		"DELETE FROM flows WHERE fset = ?1 AND seq IN (SELECT seq FROM flows WHERE fset = ?1 LIMIT 20000)",
		("DELETE FROM flow_keys WHERE (fset, key, ts, seq) IN (SELECT fset, key, ts, seq FROM flow_keys"
		 " WHERE fset = ?1 LIMIT 80000)"),
		"DELETE FROM flowsets WHERE id = ?1",
	};
	char keep[STORE_ERRLEN];
	int64_t id;

	memcpy(keep, q->base.err, sizeof keep);   /* the caller's answer stands */
	for (int sets = 0; sets < 64 && (id = gc_next(q)) > 0; sets++)
		for (size_t i = 0; i < sizeof dels / sizeof *dels; i++) {
			int n;
			struct timespec pause = { 0, 120 * 1000000L };   /* writers in between, as batch_yield */
			while ((n = gc_batch(q, dels[i], id)) > 0 && i < 2)
				nanosleep(&pause, NULL);
			if (n < 0)
				goto out;
		}
out:
	memcpy(q->base.err, keep, sizeof keep);
}

/* ---- the page ---- */

#define FLOW_COLS "f.ts, f.duration, f.proto, f.orig, f.resp, f.sport, f.dport, f.opkts, f.rpkts," \
		  " f.obytes, f.rbytes, f.service, f.state"

/* The query's plan: which rows drive it and what is checked on the row. */
struct plan {
	int64_t fset;               /* the run's flow set */
	char key[64];               /* driving flow_keys key, "" = the flows table */
	const char *addr;           /* address checked on the row, NULL none */
	int port;                   /* port checked on the row, -1 none */
};

/* flow_keys rows for key in run, counted up to 10,000. */
static int64_t key_rows(struct sq *q, int64_t fset, const char *key)
{
	sqlite3_stmt *st = sq_prep(q, "SELECT count(*) FROM (SELECT 1 FROM flow_keys WHERE fset = ?1"
				      " AND key = ?2 LIMIT 10000)");
	int64_t n = -1;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, fset);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		sq_err(q, "flows");
	sqlite3_finalize(st);
	return n;
}

static int plan_make(struct sq *q, const struct store_flow_query *fq, struct plan *p)
{
	char akey[64] = "", pkey[64] = "";

	p->key[0] = '\0';
	p->addr = NULL;
	p->port = -1;
	if (fq->addr && *fq->addr)
		snprintf(akey, sizeof akey, "a:%.48s", fq->addr);
	if (fq->port >= 0)
		snprintf(pkey, sizeof pkey, "p:%d", fq->port);
	if (akey[0] && pkey[0]) {
		int64_t na = key_rows(q, p->fset, akey), np = na < 0 ? -1 : key_rows(q, p->fset, pkey);
		if (np < 0)
			return -1;
		if (np < na) {
			snprintf(p->key, sizeof p->key, "%s", pkey);
			p->addr = fq->addr;
		} else {
			snprintf(p->key, sizeof p->key, "%s", akey);
			p->port = fq->port;
		}
	} else if (akey[0] || pkey[0]) {
		snprintf(p->key, sizeof p->key, "%s", akey[0] ? akey : pkey);
	}
	return 0;
}

/* The SELECT for a plan; with count, its row count instead. */
static void plan_sql(const struct plan *p, int proto, bool count, char *sql, size_t len)
{
	const char *from = p->key[0] ? " FROM flow_keys k CROSS JOIN flows f ON f.fset = k.fset AND f.seq = k.seq"
				       " WHERE k.fset = ?1 AND k.key = ?2"
				     : " FROM flows f WHERE f.fset = ?1";
	const char *order = p->key[0] ? " ORDER BY k.ts, k.seq" : " ORDER BY f.ts, f.seq";

	snprintf(sql, len, "SELECT %s%s%s%s%s%s", count ? "count(*)" : FLOW_COLS, from,
		 proto ? " AND f.proto = ?3" : "", p->addr ? " AND (f.orig = ?4 OR f.resp = ?4)" : "",
		 p->port >= 0 ? " AND (f.sport = ?5 OR f.dport = ?5)" : "", count ? "" : order);
	if (!count)
		snprintf(sql + strlen(sql), len - strlen(sql), " LIMIT ?6 OFFSET ?7");
}

static sqlite3_stmt *plan_stmt(struct sq *q, const struct plan *p, const struct store_flow_query *fq, bool count)
{
	char sql[1024];
	sqlite3_stmt *st;

	plan_sql(p, fq->proto, count, sql, sizeof sql);
	if (!(st = sq_prep(q, sql)))
		return NULL;
	sqlite3_bind_int64(st, 1, p->fset);
	if (p->key[0])
		sqlite3_bind_text(st, 2, p->key, -1, SQLITE_TRANSIENT);
	if (fq->proto)
		sqlite3_bind_int(st, 3, fq->proto);
	if (p->addr)
		sqlite3_bind_text(st, 4, p->addr, -1, SQLITE_TRANSIENT);
	if (p->port >= 0)
		sqlite3_bind_int(st, 5, p->port);
	if (!count) {
		sqlite3_bind_int64(st, 6, fq->limit == 0 ? 100 : fq->limit > 10000 ? 10000 : fq->limit);
		sqlite3_bind_int64(st, 7, fq->offset > INT64_MAX ? INT64_MAX : (int64_t)fq->offset);
	}
	return st;
}

static void flow_row(sqlite3_stmt *st, struct store_flow *f)
{
	memset(f, 0, sizeof *f);
	f->ts = sqlite3_column_double(st, 0);
	f->duration = sqlite3_column_double(st, 1);
	f->proto = (uint8_t)sqlite3_column_int(st, 2);
	sq_col(st, 3, f->orig, sizeof f->orig);
	sq_col(st, 4, f->resp, sizeof f->resp);
	f->sport = (uint16_t)sqlite3_column_int(st, 5);
	f->dport = (uint16_t)sqlite3_column_int(st, 6);
	f->opkts = (uint64_t)sqlite3_column_int64(st, 7);
	f->rpkts = (uint64_t)sqlite3_column_int64(st, 8);
	f->obytes = (uint64_t)sqlite3_column_int64(st, 9);
	f->rbytes = (uint64_t)sqlite3_column_int64(st, 10);
	sq_col(st, 11, f->service, sizeof f->service);
	sq_col(st, 12, f->state, sizeof f->state);
}

/* The page of plan p (its flow set chosen). */
static int flow_page(struct sq *q, const struct store_flow_query *fq, struct plan *p,
		     int (*cb)(void *ctx, const struct store_flow *f), void *ctx, uint64_t *total)
{
	struct store_flow f;
	sqlite3_stmt *st;
	int rc;

	if (plan_make(q, fq, p) < 0)
		return -1;
	if (total) {
		if (!(st = plan_stmt(q, p, fq, true)))
			return -1;
		rc = sqlite3_step(st);
		*total = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return sq_err(q, "flows");
	}
	if (!(st = plan_stmt(q, p, fq, false)))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		flow_row(st, &f);
		if (cb(ctx, &f))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_err(q, "flows");
}

/* One read transaction: the run's flow set and its page from the same
 * snapshot (a finishing job may switch the set, the collector remove
 * the old one). */
int sq_flow_list(struct store *s, const struct store_flow_query *fq,
		 int (*cb)(void *ctx, const struct store_flow *f), void *ctx, uint64_t *total)
{
	struct sq *q = sq_of(s);
	struct plan p = { 0 };
	sqlite3_stmt *st;
	int rc;

	if (total)
		*total = 0;
	if (sq_exec(q, "BEGIN") < 0)
		return -1;
	if (!(st = sq_prep(q, "SELECT flowset FROM runs WHERE id = ?1"))) {
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	sqlite3_bind_int64(st, 1, fq->run);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		p.fset = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = sq_err(q, "flows");
	else
		rc = p.fset > 0 ? flow_page(q, fq, &p, cb, ctx, total) : 0;
	sqlite3_exec(q->db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
