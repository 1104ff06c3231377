/*
 * sqlite.c - the embedded store: one data directory, SQLite for the rows
 * (here: connection, schema, runs, results, meta, stats), files for the
 * blobs (sqlite_blob.c), jobs in sqlite_job.c, flows in sqlite_flow.c.
 *
 *   DIR/botlens.db      the rows (WAL mode, synchronous=FULL, busy_timeout)
 *   DIR/blobs/ab/<sha>  committed blobs, content-addressed by SHA-256
 *   DIR/tmp/            blobs being written (swept by store_job_recover)
 *
 * Schema (version 1; doc/store.md has it with both backends):
 *   schema_version(version)             one row: the schema's version
 *   runs(id, sha UNIQUE, name, size, type, submitted, label, tags,
 *        status, error, family, score, kinds, hosts, flows, done_at, flowset)
 *   jobs(id, kind, run_id, status, attempts, failures, claimed_by,
 *        lease_until, error, created, started, finished)
 *        at most one queued job per (kind, run_id): a partial unique index
 *   results(run_id, name, sha, size, ctype)        PRIMARY KEY (run_id, name)
 *   terms(value NOCASE, kind, run_id)   search words of a run: label, tags,
 *        family, kinds, addresses, domain names
 *   flowsets(id, run_id, job_id, attempt, created)  one load of a run's flows;
 *        runs.flowset names the one shown, the others are garbage once their
 *        job is no longer running under that attempt (sqlite_flow.c)
 *   flows(fset, seq, ts, duration, proto, orig, sport, resp, dport,
 *        opkts, rpkts, obytes, rbytes, service, state)  PRIMARY KEY (fset, seq)
 *   flow_keys(fset, key, ts, seq)       "a:ADDR" and "p:PORT" of each flow,
 *        so a filtered page is an ordered index range, not a scan
 *   meta(key, value)                    store-wide values
 *
 * Jobs and the wake-up of waiting workers: sqlite_job.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/sqlite-int.h"

/* ---- small helpers ---- */

int sq_err(struct sq *q, const char *what)
{
	return store_fail(&q->base, "%s: %s", what, sqlite3_errmsg(q->db));
}

sqlite3_stmt *sq_prep(struct sq *q, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sq_err(q, "store");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int sq_exec(struct sq *q, const char *sql)
{
	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sq_err(q, "store");
	return 0;
}

int sq_done(struct sq *q, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sq_err(q, what);
}

void sq_col(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	store_copy(dst, len, (const char *)sqlite3_column_text(st, i));
}

int sq_begin(struct sq *q) { return sq_exec(q, "BEGIN IMMEDIATE"); }
int sq_commit(struct sq *q) { return sq_exec(q, "COMMIT"); }
void sq_rollback(struct sq *q) { sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL); }

/* Runs a one-integer query with up to two int64 parameters; -1 on error. */
int64_t sq_int(struct sq *q, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = sq_prep(q, sql);
	int64_t v = -1;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		sq_err(q, "store");
	sqlite3_finalize(st);
	return v;
}

/* ---- schema ---- */

/* migrations[v] brings version v to v + 1. */
static const char *const migrations[] = {
	"CREATE TABLE schema_version(version INTEGER NOT NULL);"
	"INSERT INTO schema_version VALUES (0);"
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, sha TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	" size INTEGER NOT NULL, type INTEGER NOT NULL, submitted INTEGER NOT NULL,"
	" label TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '',"
	" status INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '',"
	" family TEXT NOT NULL DEFAULT '', score REAL NOT NULL DEFAULT 0,"
	" kinds TEXT NOT NULL DEFAULT '', hosts INTEGER NOT NULL DEFAULT 0,"
	" flows INTEGER NOT NULL DEFAULT 0, done_at INTEGER NOT NULL DEFAULT 0,"
	" flowset INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX runs_submitted ON runs(submitted);"
	"CREATE INDEX runs_name ON runs(name COLLATE NOCASE);"
	"CREATE INDEX runs_status ON runs(status);"
	"CREATE INDEX runs_flowset ON runs(flowset);"
	"CREATE TABLE jobs(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, run_id INTEGER NOT NULL,"
	" status INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0, claimed_by TEXT NOT NULL DEFAULT '',"
	" lease_until INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '',"
	" created INTEGER NOT NULL, started INTEGER NOT NULL DEFAULT 0,"
	" finished INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX jobs_status ON jobs(status, id);"
	"CREATE INDEX jobs_run ON jobs(run_id);"
	"CREATE INDEX jobs_finished ON jobs(finished) WHERE status = 2;"
	"CREATE UNIQUE INDEX jobs_queued ON jobs(kind, run_id) WHERE status = 0;"
	"CREATE TABLE results(run_id INTEGER NOT NULL, name TEXT NOT NULL, sha TEXT NOT NULL,"
	" size INTEGER NOT NULL, ctype TEXT NOT NULL, PRIMARY KEY(run_id, name)) WITHOUT ROWID;"
	"CREATE TABLE terms(value TEXT NOT NULL COLLATE NOCASE, kind TEXT NOT NULL,"
	" run_id INTEGER NOT NULL, PRIMARY KEY(value, kind, run_id)) WITHOUT ROWID;"
	"CREATE INDEX terms_run ON terms(run_id);"
	"CREATE TABLE flowsets(id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, job_id INTEGER NOT NULL,"
	" attempt INTEGER NOT NULL, created INTEGER NOT NULL);"
	"CREATE TABLE flows(fset INTEGER NOT NULL, seq INTEGER NOT NULL, ts REAL NOT NULL,"
	" duration REAL NOT NULL, proto INTEGER NOT NULL, orig TEXT NOT NULL,"
	" sport INTEGER NOT NULL, resp TEXT NOT NULL, dport INTEGER NOT NULL,"
	" opkts INTEGER NOT NULL, rpkts INTEGER NOT NULL, obytes INTEGER NOT NULL,"
	" rbytes INTEGER NOT NULL, service TEXT NOT NULL, state TEXT NOT NULL,"
	" PRIMARY KEY(fset, seq)) WITHOUT ROWID;"
	"CREATE INDEX flows_ts ON flows(fset, ts, seq);"
	"CREATE INDEX flows_proto ON flows(fset, proto, ts, seq);"
	"CREATE TABLE flow_keys(fset INTEGER NOT NULL, key TEXT NOT NULL, ts REAL NOT NULL,"
	" seq INTEGER NOT NULL, PRIMARY KEY(fset, key, ts, seq)) WITHOUT ROWID;"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
};

_Static_assert(sizeof migrations / sizeof *migrations == STORE_SCHEMA_VERSION,
	       "one migration per schema version");

/* The schema's version: 0 for an empty database; -1 on error. */
static int schema_version(struct sq *q)
{
	int64_t has = sq_int(q, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'", 0, 0);

	if (has <= 0)
		return (int)has;
	return (int)sq_int(q, "SELECT version FROM schema_version", 0, 0);
}

static int sq_migrate(struct store *s, int *from)
{
	struct sq *q = sq_of(s);
	char sql[64];
	int v;

	if (sq_begin(q) < 0)
		return -1;
	v = schema_version(q);
	if (from)
		*from = v;
	if (v < 0 || v > STORE_SCHEMA_VERSION) {
		sq_rollback(q);
		return v < 0 ? -1 : store_fail(s, "%s: schema version %d is newer than this botlens (%d)",
					       q->dir, v, STORE_SCHEMA_VERSION);
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof sql, "UPDATE schema_version SET version = %d", v + 1);
		if (sq_exec(q, migrations[v]) < 0 || sq_exec(q, sql) < 0) {
			sq_rollback(q);
			return -1;
		}
	}
	return sq_commit(q);
}

/* ---- open and close ---- */

static int mkdir_p(const char *path)
{
	return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static int make_layout(const char *dir, char *err, size_t errlen)
{
	static const char *const subs[] = { "", "/blobs", "/tmp" };
	char path[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
		snprintf(path, sizeof path, "%s%s", dir, subs[i]);
		if (mkdir_p(path) < 0) {
			snprintf(err, errlen, "cannot create '%s': %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Pragmas, then the version check (an empty database is migrated). */
static int sq_setup(struct sq *q)
{
	int v;

	sqlite3_busy_timeout(q->db, 30000);
	if (sq_exec(q, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;"
			  " PRAGMA journal_size_limit=67108864") < 0)
		return -1;
	v = schema_version(q);
	if (v < 0)
		return -1;
	if (v == 0)
		return sq_migrate(&q->base, NULL);
	if (v < STORE_SCHEMA_VERSION)
		return store_fail(&q->base, "%s: schema version %d is older than %d: run `botlens db migrate`",
				  q->dir, v, STORE_SCHEMA_VERSION);
	if (v > STORE_SCHEMA_VERSION)
		return store_fail(&q->base, "%s: schema version %d is newer than this botlens (%d)",
				  q->dir, v, STORE_SCHEMA_VERSION);
	return 0;
}

static void sq_close(struct store *s)
{
	struct sq *q = sq_of(s);

	sqlite3_close(q->db);
	free(q);
}

static struct store *sq_open(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];
	struct sq *q;

	if (strlen(dir) >= PATH_MAX - 128) {
		snprintf(err, errlen, "'%.80s...': data directory name too long", dir);
		return NULL;
	}
	if (make_layout(dir, err, errlen) < 0)
		return NULL;
	q = calloc(1, sizeof *q);
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->base.ops = &store_sqlite_ops;
	snprintf(q->dir, sizeof q->dir, "%s", dir);
	snprintf(path, sizeof path, "%s/botlens.db", dir);
	if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK || sq_setup(q) < 0) {
		if (!q->base.err[0])
			sq_err(q, path);
		snprintf(err, errlen, "%s", q->base.err);
		sq_close(&q->base);
		return NULL;
	}
	q->seen_gen = sq_wake_gen();
	return &q->base;
}

/* ---- runs ---- */

#define RUN_COLS "id, sha, name, size, type, submitted, label, tags, status, error," \
		 " family, score, kinds, hosts, flows, done_at"

static void run_row(sqlite3_stmt *st, struct store_run *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	sq_col(st, 1, r->sha, sizeof r->sha);
	sq_col(st, 2, r->name, sizeof r->name);
	r->size = (uint64_t)sqlite3_column_int64(st, 3);
	r->type = sqlite3_column_int(st, 4);
	r->submitted = sqlite3_column_int64(st, 5);
	sq_col(st, 6, r->label, sizeof r->label);
	sq_col(st, 7, r->tags, sizeof r->tags);
	r->status = sqlite3_column_int(st, 8);
	sq_col(st, 9, r->error, sizeof r->error);
	sq_col(st, 10, r->family, sizeof r->family);
	r->score = sqlite3_column_double(st, 11);
	sq_col(st, 12, r->kinds, sizeof r->kinds);
	r->hosts = (uint32_t)sqlite3_column_int64(st, 13);
	r->flows = (uint64_t)sqlite3_column_int64(st, 14);
	r->done_at = sqlite3_column_int64(st, 15);
}

/* One run by a WHERE clause on a bound int64 or text. */
static int run_one(struct sq *q, const char *where, int64_t id, const char *text, struct store_run *out)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "SELECT " RUN_COLS " FROM runs WHERE %s", where);
	if (!(st = sq_prep(q, sql)))
		return -1;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		run_row(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : sq_err(q, "run");
}

static int sq_run_get(struct store *s, int64_t id, struct store_run *out)
{
	return run_one(sq_of(s), "id = ?1", id, NULL, out);
}

static int sq_run_by_sha(struct store *s, const char *sha, struct store_run *out)
{
	return run_one(sq_of(s), "sha = ?1", 0, sha, out);
}

int sq_term_add(struct sq *q, int64_t run, const char *kind, const char *value)
{
	sqlite3_stmt *st;

	if (!value || !*value)
		return 0;
	st = sq_prep(q, "INSERT OR IGNORE INTO terms(value, kind, run_id) VALUES (?1, ?2, ?3)");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, value, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, run);
	return sq_done(q, st, "term");
}

/* Each space-separated word of `words` as a term of `kind`. */
int sq_term_words(struct sq *q, int64_t run, const char *kind, const char *words)
{
	char w[256];

	while (words && *words) {
		size_t n = strcspn(words, " \t");
		if (n > 0 && n < sizeof w) {
			memcpy(w, words, n);
			w[n] = '\0';
			if (sq_term_add(q, run, kind, w) < 0)
				return -1;
		}
		words += n;
		words += strspn(words, " \t");
	}
	return 0;
}

int64_t sq_job_insert(struct sq *q, const char *kind, int64_t run)
{
	sqlite3_stmt *st = sq_prep(q, "INSERT OR IGNORE INTO jobs(kind, run_id, created) VALUES (?1, ?2, ?3)");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, run);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	if (sq_done(q, st, "job") < 0)
		return -1;
	return sqlite3_changes(q->db);
}

static int run_insert(struct sq *q, const struct store_run *in, int64_t *id)
{
	sqlite3_stmt *st = sq_prep(q, "INSERT INTO runs(sha, name, size, type, submitted, label, tags)"
				      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, in->sha, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, in->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (int64_t)in->size);
	sqlite3_bind_int(st, 4, in->type);
	sqlite3_bind_int64(st, 5, in->submitted ? in->submitted : (int64_t)time(NULL));
	sqlite3_bind_text(st, 6, in->label, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, in->tags, -1, SQLITE_TRANSIENT);
	if (sq_done(q, st, "run") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(q->db);
	if (sq_term_add(q, *id, "label", in->label) < 0 || sq_term_words(q, *id, "tag", in->tags) < 0)
		return -1;
	return sq_job_insert(q, "analyse", *id) < 0 ? -1 : 0;
}

static int sq_run_add(struct store *s, const struct store_run *in, int64_t *id, bool *existed)
{
	struct sq *q = sq_of(s);
	struct store_run old;
	int rc;

	if (sq_begin(q) < 0)
		return -1;
	rc = run_one(q, "sha = ?1", 0, in->sha, &old);
	*existed = rc == 1;
	if (rc == 1)
		*id = old.id;
	else if (rc == 0)
		rc = run_insert(q, in, id);
	if (rc < 0 || sq_commit(q) < 0) {
		sq_rollback(q);
		return -1;
	}
	if (!*existed)
		sq_wake_all();
	return 0;
}

static int sq_run_delete(struct store *s, int64_t id)
{
	static const char *const dels[] = {
		"DELETE FROM jobs WHERE run_id = ?1", "DELETE FROM results WHERE run_id = ?1",
		"DELETE FROM terms WHERE run_id = ?1", "DELETE FROM runs WHERE id = ?1",
	};
	struct sq *q = sq_of(s);
	int changed = 0;

	if (id <= 0)
		return 0;
	if (sq_begin(q) < 0)
		return -1;
	for (size_t i = 0; i < sizeof dels / sizeof *dels; i++) {
		sqlite3_stmt *st = sq_prep(q, dels[i]);
		if (!st)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		if (sq_done(q, st, "delete") < 0)
			goto fail;
		changed = sqlite3_changes(q->db);
	}
	if (sq_commit(q) < 0)
		goto fail;
	return changed > 0;
fail:
	sq_rollback(q);
	return -1;
}

/* A LIKE pattern: text with % _ \ escaped, then "%" (prefix) or "%...%". */
static char *like_pattern(const char *text, bool prefix_only)
{
	size_t n = strlen(text);
	char *p = malloc(2 * n + 3), *o = p;

	if (!p)
		return NULL;
	if (!prefix_only)
		*o++ = '%';
	for (; *text; text++) {
		if (*text == '%' || *text == '_' || *text == '\\')
			*o++ = '\\';
		*o++ = *text;
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

#define RUN_WHERE " WHERE (?1 < 0 OR status = ?1) AND (?2 = 0 OR type = ?2) AND (?3 IS NULL" \
		  " OR sha LIKE ?4 ESCAPE '\\' OR name LIKE ?5 ESCAPE '\\'"                 \
		  " OR id IN (SELECT run_id FROM terms WHERE value = ?3))"

static int run_bind(sqlite3_stmt *st, const struct store_query *qu, const char *text)
{
	char *pre = text ? like_pattern(text, true) : NULL, *sub = text ? like_pattern(text, false) : NULL;

	if (text && (!pre || !sub)) {
		free(pre);
		free(sub);
		return -1;
	}
	sqlite3_bind_int(st, 1, qu->status);
	sqlite3_bind_int(st, 2, qu->type);
	if (text) {
		sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, pre, -1, free);
		sqlite3_bind_text(st, 5, sub, -1, free);
	}
	return 0;
}

static int run_count(struct sq *q, const struct store_query *qu, const char *text, uint64_t *total)
{
	sqlite3_stmt *st = sq_prep(q, "SELECT count(*) FROM runs" RUN_WHERE);
	int rc;

	if (!st)
		return -1;
	if (run_bind(st, qu, text) < 0) {
		sqlite3_finalize(st);
		return store_fail(&q->base, "runs: out of memory");
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*total = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : sq_err(q, "runs");
}

static int sq_run_list(struct store *s, const struct store_query *qu,
		       int (*cb)(void *ctx, const struct store_run *r), void *ctx, uint64_t *total)
{
	static const char *const order[] = {
		[STORE_SORT_SUBMITTED] = "submitted", [STORE_SORT_NAME] = "name COLLATE NOCASE",
		[STORE_SORT_SIZE] = "size", [STORE_SORT_STATUS] = "status",
		[STORE_SORT_FAMILY] = "family COLLATE NOCASE",
	};
	struct sq *q = sq_of(s);
	const char *text = qu->text && *qu->text ? qu->text : NULL;
	const char *dir = qu->desc ? "DESC" : "ASC";
	unsigned sort = (unsigned)qu->sort < sizeof order / sizeof *order ? (unsigned)qu->sort : 0;
	uint32_t limit = qu->limit == 0 ? 50 : qu->limit > 1000 ? 1000 : qu->limit;
	char sql[768];
	struct store_run r;
	sqlite3_stmt *st;
	int rc;

	if (total && run_count(q, qu, text, total) < 0)
		return -1;
	snprintf(sql, sizeof sql, "SELECT " RUN_COLS " FROM runs" RUN_WHERE " ORDER BY %s %s, id %s LIMIT %u OFFSET %u",
		 order[sort], dir, dir, limit, qu->offset);
	if (!(st = sq_prep(q, sql)))
		return -1;
	if (run_bind(st, qu, text) < 0) {
		sqlite3_finalize(st);
		return store_fail(s, "runs: out of memory");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		run_row(st, &r);
		if (cb(ctx, &r))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_err(q, "runs");
}

/* ---- results ---- */

static void result_row(sqlite3_stmt *st, struct store_result *r)
{
	memset(r, 0, sizeof *r);
	sq_col(st, 0, r->name, sizeof r->name);
	sq_col(st, 1, r->sha, sizeof r->sha);
	r->size = (uint64_t)sqlite3_column_int64(st, 2);
	sq_col(st, 3, r->ctype, sizeof r->ctype);
}

static int sq_result_get(struct store *s, int64_t run, const char *name, struct store_result *out)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_prep(q, "SELECT name, sha, size, ctype FROM results WHERE run_id = ?1 AND name = ?2");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		result_row(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : sq_err(q, "result");
}

static int sq_result_list(struct store *s, int64_t run,
			  int (*cb)(void *ctx, const struct store_result *r), void *ctx)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_prep(q, "SELECT name, sha, size, ctype FROM results WHERE run_id = ?1 ORDER BY name");
	struct store_result r;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		result_row(st, &r);
		if (cb(ctx, &r))
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_err(q, "results");
}

/* ---- meta and stats ---- */

static int sq_meta_get(struct store *s, const char *key, char *value, size_t len)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_prep(q, "SELECT value FROM meta WHERE key = ?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		sq_col(st, 0, value, len);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : sq_err(q, "meta");
}

static int sq_meta_set(struct store *s, const char *key, const char *value)
{
	struct sq *q = sq_of(s);
	sqlite3_stmt *st = sq_prep(q, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	return sq_done(q, st, "meta");
}

static int stats_workers(struct sq *q, struct store_stats *out)
{
	sqlite3_stmt *st = sq_prep(q, "SELECT claimed_by, count(*) FROM jobs WHERE status = 1"
				      " GROUP BY claimed_by ORDER BY claimed_by");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->nworkers < sizeof out->workers / sizeof *out->workers) {
			struct store_worker_stat *w = &out->workers[out->nworkers];
			sq_col(st, 0, w->worker, sizeof w->worker);
			w->running = (uint32_t)sqlite3_column_int(st, 1);
		}
		out->nworkers++;
	}
	sqlite3_finalize(st);
	if (out->nworkers > sizeof out->workers / sizeof *out->workers)
		out->nworkers = sizeof out->workers / sizeof *out->workers;
	return rc == SQLITE_DONE ? 0 : sq_err(q, "stats");
}

static int sq_stats(struct store *s, struct store_stats *out)
{
	struct sq *q = sq_of(s);
	uint64_t *by_status[] = { &out->queued, &out->running, &out->done, &out->failed };
	int64_t v;

	memset(out, 0, sizeof *out);
	if (sq_exec(q, "BEGIN") < 0)
		return -1;
	if ((v = sq_int(q, "SELECT count(*) FROM runs", 0, 0)) < 0)
		goto fail;
	out->runs = (uint64_t)v;
	for (int i = 0; i < 4; i++) {
		if ((v = sq_int(q, "SELECT count(*) FROM jobs WHERE status = ?1", i, 0)) < 0)
			goto fail;
		*by_status[i] = (uint64_t)v;
	}
	if ((v = sq_int(q, "SELECT count(*) FROM jobs WHERE status = 2 AND finished >= ?1",
			(int64_t)time(NULL) - 60, 0)) < 0)
		goto fail;
	out->done_last_minute = (uint64_t)v;
	if ((v = sq_int(q, "SELECT coalesce(sum(failures), 0) FROM jobs", 0, 0)) < 0)
		goto fail;
	out->failed_attempts = (uint64_t)v;
	if (stats_workers(q, out) < 0)
		goto fail;
	return sq_exec(q, "COMMIT");
fail:
	sq_rollback(q);
	return -1;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
	.blob_create = sq_blob_create,
	.blob_write = sq_blob_write,
	.blob_commit = sq_blob_commit,
	.blob_abort = sq_blob_abort,
	.blob_open = sq_blob_open,
	.blob_read = sq_blob_read,
	.blob_close = sq_blob_close,
	.run_add = sq_run_add,
	.run_get = sq_run_get,
	.run_by_sha = sq_run_by_sha,
	.run_delete = sq_run_delete,
	.run_list = sq_run_list,
	.result_get = sq_result_get,
	.result_list = sq_result_list,
	.flow_list = sq_flow_list,
	.job_enqueue = sq_job_enqueue,
	.job_claim = sq_job_claim,
	.job_renew = sq_job_renew,
	.job_finish = sq_job_finish,
	.job_fail = sq_job_fail,
	.job_wait = sq_job_wait,
	.job_recover = sq_job_recover,
	.job_get = sq_job_get,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.stats = sq_stats,
};
