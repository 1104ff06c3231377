/*
 * sqlite.c - the embedded store: one data directory, SQLite for the rows,
 * files for the blobs (sqlite_blob.c), the flows table in sqlite_flow.c.
 *
 *   DIR/botlens.db      the rows (WAL mode, synchronous=FULL, busy_timeout)
 *   DIR/blobs/ab/<sha>  committed blobs, content-addressed by SHA-256
 *   DIR/tmp/            blobs being written (swept by store_job_recover)
 *
 * Schema (version 1; doc/store.md has it with both backends):
 *   schema_version(version)             one row: the schema's version
 *   runs(id, sha UNIQUE, name, size, type, submitted, label, tags,
 *        status, error, family, score, kinds, hosts, flows, done_at)
 *   jobs(id, kind, run_id, status, attempts, failures, claimed_by,
 *        lease_until, error, created, started, finished)
 *        at most one queued job per (kind, run_id): a partial unique index
 *   results(run_id, name, sha, size, ctype)        PRIMARY KEY (run_id, name)
 *   terms(value NOCASE, kind, run_id)   search words of a run: label, tags,
 *        family, kinds, addresses, domain names
 *   flows(run_id, seq, ts, duration, proto, orig, sport, resp, dport,
 *        opkts, rpkts, obytes, rbytes, service, state)  PRIMARY KEY (run_id, seq)
 *   flow_keys(run_id, key, ts, seq)     "a:ADDR" and "p:PORT" of each flow,
 *        so a filtered page is an ordered index range, not a scan
 *   meta(key, value)                    store-wide values
 *
 * Jobs: a claim is one BEGIN IMMEDIATE transaction (SQLite has one writer
 * at a time, so two claimers cannot take the same job); finish and fail
 * check in their transaction that the job is still running under the
 * caller's claimed_by and attempt.  store_job_wait() sleeps on a
 * process-wide condition variable signalled by whatever makes a job
 * claimable in this process (run_add, enqueue, fail, recover).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

static void wake_all(void)
{
	pthread_once(&wake_once, wake_init);
	pthread_mutex_lock(&wake_mu);
	wake_gen++;
	pthread_cond_broadcast(&wake_cv);
	pthread_mutex_unlock(&wake_mu);
}

static unsigned long wake_now(void)
{
	unsigned long g;

	pthread_mutex_lock(&wake_mu);
	g = wake_gen;
	pthread_mutex_unlock(&wake_mu);
	return g;
}

/* Returns at once when something happened since this connection's last
 * claim: a wake-up between "nothing to claim" and the wait is not lost. */
static int sq_job_wait(struct store *s, int timeout_ms)
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

static int begin(struct sq *q) { return sq_exec(q, "BEGIN IMMEDIATE"); }
static int commit(struct sq *q) { return sq_exec(q, "COMMIT"); }
static void rollback(struct sq *q) { sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL); }

/* Runs a one-integer query with up to two int64 parameters; -1 on error. */
static int64_t sq_int(struct sq *q, const char *sql, int64_t a, int64_t b)
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
	" flows INTEGER NOT NULL DEFAULT 0, done_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX runs_submitted ON runs(submitted);"
	"CREATE INDEX runs_name ON runs(name COLLATE NOCASE);"
	"CREATE INDEX runs_status ON runs(status);"
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
	"CREATE TABLE flows(run_id INTEGER NOT NULL, seq INTEGER NOT NULL, ts REAL NOT NULL,"
	" duration REAL NOT NULL, proto INTEGER NOT NULL, orig TEXT NOT NULL,"
	" sport INTEGER NOT NULL, resp TEXT NOT NULL, dport INTEGER NOT NULL,"
	" opkts INTEGER NOT NULL, rpkts INTEGER NOT NULL, obytes INTEGER NOT NULL,"
	" rbytes INTEGER NOT NULL, service TEXT NOT NULL, state TEXT NOT NULL,"
	" PRIMARY KEY(run_id, seq)) WITHOUT ROWID;"
	"CREATE INDEX flows_ts ON flows(run_id, ts, seq);"
	"CREATE INDEX flows_proto ON flows(run_id, proto, ts, seq);"
	"CREATE TABLE flow_keys(run_id INTEGER NOT NULL, key TEXT NOT NULL, ts REAL NOT NULL,"
	" seq INTEGER NOT NULL, PRIMARY KEY(run_id, key, ts, seq)) WITHOUT ROWID;"
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

	if (begin(q) < 0)
		return -1;
	v = schema_version(q);
	if (from)
		*from = v;
	if (v < 0 || v > STORE_SCHEMA_VERSION) {
		rollback(q);
		return v < 0 ? -1 : store_fail(s, "%s: schema version %d is newer than this botlens (%d)",
					       q->dir, v, STORE_SCHEMA_VERSION);
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof sql, "UPDATE schema_version SET version = %d", v + 1);
		if (sq_exec(q, migrations[v]) < 0 || sq_exec(q, sql) < 0) {
			rollback(q);
			return -1;
		}
	}
	return commit(q);
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
	q->seen_gen = (pthread_once(&wake_once, wake_init), wake_now());
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

static int term_add(struct sq *q, int64_t run, const char *kind, const char *value)
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
static int term_words(struct sq *q, int64_t run, const char *kind, const char *words)
{
	char w[256];

	while (words && *words) {
		size_t n = strcspn(words, " \t");
		if (n > 0 && n < sizeof w) {
			memcpy(w, words, n);
			w[n] = '\0';
			if (term_add(q, run, kind, w) < 0)
				return -1;
		}
		words += n;
		words += strspn(words, " \t");
	}
	return 0;
}

static int64_t job_insert(struct sq *q, const char *kind, int64_t run)
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
	if (term_add(q, *id, "label", in->label) < 0 || term_words(q, *id, "tag", in->tags) < 0)
		return -1;
	return job_insert(q, "analyse", *id) < 0 ? -1 : 0;
}

static int sq_run_add(struct store *s, const struct store_run *in, int64_t *id, bool *existed)
{
	struct sq *q = sq_of(s);
	struct store_run old;
	int rc;

	if (begin(q) < 0)
		return -1;
	rc = run_one(q, "sha = ?1", 0, in->sha, &old);
	*existed = rc == 1;
	if (rc == 1)
		*id = old.id;
	else if (rc == 0)
		rc = run_insert(q, in, id);
	if (rc < 0 || commit(q) < 0) {
		rollback(q);
		return -1;
	}
	if (!*existed)
		wake_all();
	return 0;
}

static int sq_run_delete(struct store *s, int64_t id)
{
	static const char *const dels[] = {
		"DELETE FROM jobs WHERE run_id = ?1", "DELETE FROM results WHERE run_id = ?1",
		"DELETE FROM terms WHERE run_id = ?1", "DELETE FROM flows WHERE run_id = ?1",
		"DELETE FROM flow_keys WHERE run_id = ?1", "DELETE FROM runs WHERE id = ?1",
	};
	struct sq *q = sq_of(s);
	int changed = 0;

	if (id <= 0)
		return 0;
	if (begin(q) < 0)
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
	if (commit(q) < 0)
		goto fail;
	return changed > 0;
fail:
	rollback(q);
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

/* ---- jobs ---- */

static int sq_job_enqueue(struct store *s, const char *kind, int64_t run)
{
	struct sq *q = sq_of(s);
	int64_t n = job_insert(q, kind, run);

	if (n > 0)
		wake_all();
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

static int sq_job_claim(struct store *s, const char *worker, int lease_s, struct store_job *out)
{
	struct sq *q = sq_of(s);
	int rc;

	q->seen_gen = wake_now();
	if (begin(q) < 0)
		return -1;
	rc = claim_take(q, worker, lease_s, out);
	if (rc < 0 || commit(q) < 0) {
		rollback(q);
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

static int sq_job_renew(struct store *s, struct store_job *j, int lease_s)
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
	    term_add(q, run, "family", o->family) < 0 || term_words(q, run, "kind", o->kinds) < 0)
		return -1;
	for (size_t i = 0; i < o->nterms; i++)
		if (term_add(q, run, o->terms[i].kind, o->terms[i].value) < 0)
			return -1;
	return 0;
}

static int outcome_run(struct sq *q, int64_t run, const struct store_outcome *o, uint64_t flows)
{
	sqlite3_stmt *st = sq_prep(q, "UPDATE runs SET status = 2, error = '', family = ?2, score = ?3,"
				      " kinds = ?4, hosts = ?5, flows = ?6, done_at = ?7 WHERE id = ?1");

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, o->family ? o->family : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 3, o->score);
	sqlite3_bind_text(st, 4, o->kinds ? o->kinds : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, o->hosts);
	sqlite3_bind_int64(st, 6, (int64_t)flows);
	sqlite3_bind_int64(st, 7, (int64_t)time(NULL));
	return sq_done(q, st, "run");
}

static int finish_write(struct sq *q, const struct store_job *j, const struct store_outcome *o)
{
	uint64_t nflows = 0;
	sqlite3_stmt *st;

	if (outcome_results(q, j->run_id, o) < 0)
		return -1;
	if (j->run_id > 0) {
		if (outcome_terms(q, j->run_id, o) < 0)
			return -1;
		if (o->flows_tsv ? sq_flow_load(q, j->run_id, o->flows_tsv, &nflows) < 0
				 : exec_id(q, "DELETE FROM flows WHERE run_id = ?1", j->run_id) < 0 ||
					   exec_id(q, "DELETE FROM flow_keys WHERE run_id = ?1", j->run_id) < 0)
			return -1;
		if (outcome_run(q, j->run_id, o, nflows) < 0)
			return -1;
	}
	st = sq_prep(q, "UPDATE jobs SET status = 2, error = '', finished = ?2 WHERE id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	return sq_done(q, st, "job");
}

static int sq_job_finish(struct store *s, const struct store_job *j, const struct store_outcome *o)
{
	struct sq *q = sq_of(s);
	int rc;

	if (begin(q) < 0)
		return -1;
	rc = lease_ours(q, j);
	if (rc == 1)
		rc = finish_write(q, j, o) < 0 ? -1 : 0;
	else if (rc == 0)
		rc = 1;
	if (rc != 0 || commit(q) < 0) {
		rollback(q);
		return rc == 1 ? 1 : -1;
	}
	return 0;
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

static int sq_job_fail(struct store *s, const struct store_job *j, const char *error, int max_attempts)
{
	struct sq *q = sq_of(s);
	int rc;

	if (max_attempts <= 0)
		max_attempts = 3;
	if (begin(q) < 0)
		return -1;
	rc = lease_ours(q, j);
	if (rc == 1)
		rc = fail_write(q, j, error ? error : "failed", j->attempts < max_attempts ? 0 : 3);
	else if (rc == 0) {
		rollback(q);
		return 1;
	}
	if (rc < 0 || commit(q) < 0) {
		rollback(q);
		return -1;
	}
	if (rc == 0)
		wake_all();
	return 0;
}

static int sq_job_recover(struct store *s)
{
	struct sq *q = sq_of(s);
	int n;

	if (begin(q) < 0)
		return -1;
	if (sq_exec(q, "UPDATE jobs SET status = 3, error = 'superseded by a queued job' WHERE status = 1"
		       " AND EXISTS (SELECT 1 FROM jobs t WHERE t.status = 0 AND t.kind = jobs.kind"
		       " AND t.run_id = jobs.run_id);"
		       "UPDATE runs SET status = 0 WHERE id IN (SELECT run_id FROM jobs WHERE status = 1)") < 0 ||
	    sq_exec(q, "UPDATE jobs SET status = 0, claimed_by = '', lease_until = 0 WHERE status = 1") < 0) {
		rollback(q);
		return -1;
	}
	n = sqlite3_changes(q->db);
	if (commit(q) < 0) {
		rollback(q);
		return -1;
	}
	sq_blob_sweep(q);
	if (n > 0)
		wake_all();
	return n;
}

static int sq_job_get(struct store *s, int64_t id, struct store_job *out, int *status, char *error, size_t errlen)
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
	rollback(q);
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
