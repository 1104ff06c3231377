/*
 * pg.c - the PostgreSQL backend of the store (libpq): the connection and
 * its re-establishment, the schema and its versioned migrations, runs,
 * results, the flows listing, meta and stats.  Blobs are in pg_blob.c,
 * the job queue in pg_job.c; doc/store.md describes the schema.
 *
 * Many processes on many machines share one database: every worker is a
 * client like any other, coordination is the database's (row locks with
 * SKIP LOCKED, leases, LISTEN/NOTIFY), and a worker needs nothing but the
 * connection string.
 *
 * Migrations: migrations[] holds one SQL script per schema version; the
 * table schema_version lists the versions applied.  store_migrate() applies
 * the missing ones in one transaction under an advisory lock, so workers
 * started together on a fresh database migrate it once.  A fresh database
 * (no schema_version table) is migrated by store_open(); an older schema
 * must be migrated on purpose (`botlens db migrate`), a newer one is
 * refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/pg-int.h"
#include "util/utf8.h"

#define PG_LOCK_KEY "7164297567001817952"   /* advisory lock of migrations */
#define PG_RECONNECT_MS 60000                /* give up re-connecting after this long */

/* migrations[v - 1] brings the schema from version v - 1 to v. */
static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE blobs ("
	"  sha text PRIMARY KEY,"                 /* SHA-256 of the bytes, 64 hex digits */
	"  id bigint NOT NULL UNIQUE,"            /* its chunks' blob_id */
	"  size bigint NOT NULL,"
	"  nchunks integer NOT NULL,"
	"  created timestamptz NOT NULL DEFAULT now());"
	"CREATE SEQUENCE blob_ids;"
	"CREATE TABLE blob_chunks ("
	"  blob_id bigint NOT NULL,"
	"  seq integer NOT NULL,"
	"  data bytea NOT NULL,"
	"  PRIMARY KEY (blob_id, seq));"
	"ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;"
	"CREATE TABLE runs ("
	"  id bigserial PRIMARY KEY,"
	"  sha text NOT NULL UNIQUE,"
	"  name text NOT NULL DEFAULT '',"
	"  size bigint NOT NULL DEFAULT 0,"
	"  type smallint NOT NULL,"
	"  submitted bigint NOT NULL,"
	"  label text NOT NULL DEFAULT '',"
	"  tags text NOT NULL DEFAULT '',"
	"  status smallint NOT NULL DEFAULT 0,"
	"  error text NOT NULL DEFAULT '',"
	"  family text NOT NULL DEFAULT '',"
	"  score double precision NOT NULL DEFAULT 0,"
	"  kinds text NOT NULL DEFAULT '',"
	"  hosts integer NOT NULL DEFAULT 0,"
	"  flows bigint NOT NULL DEFAULT 0,"
	"  done_at bigint NOT NULL DEFAULT 0);"
	"CREATE INDEX runs_submitted ON runs (submitted, id);"
	"CREATE TABLE jobs ("
	"  id bigserial PRIMARY KEY,"
	"  kind text NOT NULL,"
	"  run_id bigint NOT NULL DEFAULT 0,"
	"  status smallint NOT NULL DEFAULT 0,"
	"  attempts integer NOT NULL DEFAULT 0,"
	"  failures integer NOT NULL DEFAULT 0,"
	"  claimed_by text,"
	"  lease_until timestamptz,"
	"  error text NOT NULL DEFAULT '',"
	"  created timestamptz NOT NULL DEFAULT now(),"
	"  done_at timestamptz);"
	"CREATE UNIQUE INDEX jobs_queued_once ON jobs (kind, run_id) WHERE status = 0;"
	"CREATE INDEX jobs_open ON jobs (id) WHERE status IN (0, 1);"
	"CREATE INDEX jobs_run ON jobs (run_id);"
	"CREATE INDEX jobs_done_at ON jobs (done_at) WHERE status = 2;"
	"CREATE TABLE results ("
	"  run_id bigint NOT NULL,"
	"  name text NOT NULL,"
	"  sha text NOT NULL,"
	"  size bigint NOT NULL,"
	"  ctype text NOT NULL,"
	"  job_id bigint NOT NULL,"               /* the job and attempt that wrote it */
	"  attempt integer NOT NULL,"
	"  PRIMARY KEY (run_id, name));"
	"CREATE TABLE flows ("
	"  run_id bigint NOT NULL,"
	"  seq integer NOT NULL,"                 /* line of the flows TSV: capture order */
	"  ts double precision NOT NULL,"
	"  duration double precision NOT NULL,"
	"  proto smallint NOT NULL,"
	"  orig text NOT NULL,"
	"  sport integer NOT NULL,"
	"  resp text NOT NULL,"
	"  dport integer NOT NULL,"
	"  opkts bigint NOT NULL,"
	"  rpkts bigint NOT NULL,"
	"  obytes bigint NOT NULL,"
	"  rbytes bigint NOT NULL,"
	"  service text NOT NULL,"
	"  state text NOT NULL,"
	"  PRIMARY KEY (run_id, seq));"
	"CREATE INDEX flows_ts ON flows (run_id, ts, seq);"
	/* each flow under its addresses ('a' || addr) and ports ('p' || port), in capture order:
	 * a filtered page is one ordered index range, whatever the filter's selectivity */
	"CREATE TABLE flow_keys ("
	"  run_id bigint NOT NULL,"
	"  key text NOT NULL,"
	"  ts double precision NOT NULL,"
	"  seq integer NOT NULL,"
	"  PRIMARY KEY (run_id, key, ts, seq));"
	"CREATE TABLE terms ("
	"  run_id bigint NOT NULL,"
	"  kind text NOT NULL,"
	"  value text NOT NULL,"                  /* lower case */
	"  PRIMARY KEY (run_id, kind, value));"
	"CREATE INDEX terms_value ON terms (value);"
	"CREATE TABLE meta ("
	"  key text PRIMARY KEY,"
	"  value text NOT NULL);",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof *migrations))
_Static_assert(sizeof migrations / sizeof *migrations == STORE_SCHEMA_VERSION,
	       "one migration per schema version");

/* ---- helpers ---- */

/* The server's message without its trailing newline. */
static void set_err(struct pg *p, const char *what, const char *msg)
{
	size_t n = strlen(msg);

	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	snprintf(p->base.err, sizeof p->base.err, "%s: %.*s", what, (int)n, msg);
}

int pg_fail_conn(struct pg *p, const char *what)
{
	set_err(p, what, PQerrorMessage(p->conn));
	return -1;
}

PGresult *pg_q(struct pg *p, const char *what, const char *sql, int n, const char *const *params,
	       ExecStatusType want)
{
	PGresult *r = PQexecParams(p->conn, sql, n, NULL, params, NULL, NULL, 0);
	const char *st;

	if (r && PQresultStatus(r) == want) {
		p->sqlstate[0] = '\0';
		return r;
	}
	st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	store_copy(p->sqlstate, sizeof p->sqlstate, st ? st : "");
	set_err(p, what, r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(p->conn));
	PQclear(r);
	return NULL;
}

int pg_x(struct pg *p, const char *what, const char *sql, int n, const char *const *params)
{
	PGresult *r = pg_q(p, what, sql, n, params, PGRES_COMMAND_OK);

	PQclear(r);
	return r ? 0 : -1;
}

void pg_rollback(struct pg *p)
{
	if (PQstatus(p->conn) == CONNECTION_OK && PQtransactionStatus(p->conn) != PQTRANS_IDLE)
		PQclear(PQexec(p->conn, "ROLLBACK"));
}

int64_t pg_i64(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double pg_f64(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

void pg_str(const PGresult *r, int row, int col, char *dst, size_t len)
{
	store_copy(dst, len, PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

const char *pg_utf8(const char *s, char **tofree)
{
	*tofree = NULL;
	if (!s || utf8_valid(s))
		return s;
	*tofree = utf8_fix(s);
	return *tofree ? *tofree : "";
}

/*
 * The location with the password masked, for messages: the password of
 * a URL's user information (postgresql://user:SECRET@host/db) and any
 * `password=` parameter (URL query or key=value string).
 */
static void mask_location(const char *loc, char *out, size_t len)
{
	char buf[2048];   /* each "***" may be longer than what it masks: room for the growth */
	const char *at, *colon, *slash, *p;

	store_copy(buf, 1024, loc);
	if ((p = strstr(buf, "://"))) {
		p += 3;
		slash = p + strcspn(p, "/?");
		at = memchr(p, '@', (size_t)(slash - p));
		colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
		if (colon) {
			memmove((char *)colon + 4, at, strlen(at) + 1);
			memcpy((char *)colon + 1, "***", 3);
		}
	}
	for (char *q = buf; (q = strstr(q, "password")) != NULL;) {
		char *v = q + 8, *end;

		while (*v == ' ')
			v++;
		if (*v != '=') {
			q = v;
			continue;
		}
		v++;
		while (*v == ' ')
			v++;
		if (*v == '\'') {
			end = v + 1;
			while (*end && *end != '\'')
				end += end[0] == '\\' && end[1] ? 2 : 1;
			if (*end)
				end++;
		} else {
			end = v + strcspn(v, "& \t");
		}
		memmove(v + 3, end, strlen(end) + 1);
		memcpy(v, "***", 3);
		q = v + 3;
	}
	store_copy(out, len, buf);
}

/* libpq prints server notices on stderr by default; the library never prints. */
static void quiet_notices(void *arg, const char *msg) { (void)arg, (void)msg; }

static int conn_setup(struct pg *p)
{
	PQsetNoticeProcessor(p->conn, quiet_notices, NULL);
	if (PQsetClientEncoding(p->conn, "UTF8") != 0)
		return pg_fail_conn(p, "cannot set the client encoding");
	p->listening = false;
	return 0;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Re-establishes the connection: PQreset, retried with a doubling pause
 * (50 ms to 2 s) for at most PG_RECONNECT_MS, which covers a database
 * restart or a fail-over.  -1 with the message when it stays down.
 */
int pg_reconnect(struct pg *p)
{
	long waited = 0, pause = 50;

	for (;;) {
		PQreset(p->conn);
		if (PQstatus(p->conn) == CONNECTION_OK)
			return conn_setup(p);
		if (waited >= PG_RECONNECT_MS) {
			char what[320];

			snprintf(what, sizeof what, "cannot reconnect to %s", p->where);
			return pg_fail_conn(p, what);
		}
		nap_ms(pause);
		waited += pause;
		pause = pause * 2 > 2000 ? 2000 : pause * 2;
	}
}

int pg_enter(struct pg *p)
{
	if (p->in_blob)
		return store_fail(&p->base, "a blob is being written on this connection");
	if (PQstatus(p->conn) != CONNECTION_OK)
		return pg_reconnect(p);
	return 0;
}

bool pg_again(struct pg *p, int *tries)
{
	bool lost = PQstatus(p->conn) != CONNECTION_OK || !strncmp(p->sqlstate, "08", 2) ||
		    !strncmp(p->sqlstate, "57P", 3);
	bool conflict = !strcmp(p->sqlstate, "40P01") || !strcmp(p->sqlstate, "40001");

	if (p->in_blob || ++*tries >= PG_TRIES || !(lost || conflict))
		return false;
	if (lost) {
		/* the server may still be up for a moment after it cut us (shutdown) */
		if (PQstatus(p->conn) == CONNECTION_OK)
			PQreset(p->conn);
		return pg_reconnect(p) == 0;
	}
	return true;
}

/* ---- open, close, migrate ---- */

/* The schema version: 0 when the database has no schema_version table. */
static int schema_version(struct pg *p, int *v)
{
	PGresult *r = pg_q(p, "cannot read the schema version", "SELECT to_regclass('schema_version') IS NOT NULL",
			   0, NULL, PGRES_TUPLES_OK);
	bool have;

	if (!r)
		return -1;
	have = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	*v = 0;
	if (!have)
		return 0;
	r = pg_q(p, "cannot read the schema version", "SELECT coalesce(max(version), 0) FROM schema_version",
		 0, NULL, PGRES_TUPLES_OK);
	if (!r)
		return -1;
	*v = (int)pg_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

/*
 * Under a session-level advisory lock taken before the transaction starts:
 * the transaction then begins after any concurrent migration committed,
 * so its catalog lookups see that migration's tables (a transaction-level
 * lock taken inside the transaction would leave stale "no such table"
 * entries in the backend's catalog cache).
 */
static int migrate_txn(struct pg *p, int *from)
{
	int v;
	char buf[16];
	const char *arg[1];

	if (pg_x(p, "migrate", "BEGIN", 0, NULL) < 0 || schema_version(p, &v) < 0)
		goto fail;
	*from = v;
	if (v > NMIGRATIONS) {
		pg_rollback(p);
		p->sqlstate[0] = '\0';
		return store_fail(&p->base, "%s has schema version %d, newer than this botlens (%d): upgrade botlens",
				  p->where, v, NMIGRATIONS);
	}
	if (v == 0 && pg_x(p, "migrate", "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
			   " applied timestamptz NOT NULL DEFAULT now())", 0, NULL) < 0)
		goto fail;
	for (; v < NMIGRATIONS; v++) {
		char what[64];
		PGresult *r;

		snprintf(what, sizeof what, "migration to schema version %d", v + 1);
		r = PQexec(p->conn, migrations[v]);   /* a multi-statement script: PQexec, no parameters */
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			store_copy(p->sqlstate, sizeof p->sqlstate, st ? st : "");
			set_err(p, what, r ? PQresultErrorMessage(r) : PQerrorMessage(p->conn));
			PQclear(r);
			goto fail;
		}
		PQclear(r);
		arg[0] = PG_I64(buf, v + 1);
		if (pg_x(p, what, "INSERT INTO schema_version (version) VALUES ($1)", 1, arg) < 0)
			goto fail;
	}
	if (pg_x(p, "migrate", "COMMIT", 0, NULL) < 0)
		goto fail;
	return 0;
fail:
	pg_rollback(p);
	return -1;
}

static int migrate_once(struct pg *p, int *from)
{
	PGresult *r = pg_q(p, "migrate", "SELECT pg_advisory_lock(" PG_LOCK_KEY ")", 0, NULL, PGRES_TUPLES_OK);
	int rc;

	if (!r)
		return -1;
	PQclear(r);
	rc = migrate_txn(p, from);
	if (PQstatus(p->conn) == CONNECTION_OK)   /* a lost connection released it */
		PQclear(PQexec(p->conn, "SELECT pg_advisory_unlock(" PG_LOCK_KEY ")"));
	return rc;
}

static int pg_migrate(struct store *s, int *from)
{
	int dummy;

	PG_RETRY(pg_of(s), migrate_once(pg_of(s), from ? from : &dummy));
}

static void pg_close(struct store *s)
{
	struct pg *p = pg_of(s);

	if (!p)
		return;
	PQfinish(p->conn);
	free(p);
}

/* Connects; check = the schema must be this botlens's (a fresh database
 * is migrated), else no check (`botlens db migrate` opens that way). */
static struct store *pg_open_as(const char *loc, bool check, char *err, size_t errlen)
{
	struct pg *p = calloc(1, sizeof *p);
	int v;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->base.ops = &store_pg_ops;
	mask_location(loc, p->where, sizeof p->where);
	p->conn = PQconnectdb(loc);
	if (!p->conn) {
		snprintf(err, errlen, "cannot connect to %s: out of memory", p->where);
		free(p);
		return NULL;
	}
	if (PQstatus(p->conn) != CONNECTION_OK) {
		char what[320];

		snprintf(what, sizeof what, "cannot connect to %s", p->where);
		pg_fail_conn(p, what);
		goto fail;
	}
	if (conn_setup(p) < 0)
		goto fail;
	if (!check)
		return &p->base;
	if (schema_version(p, &v) < 0)
		goto fail;
	if (v == 0) {   /* a fresh database */
		if (pg_migrate(&p->base, &v) < 0)
			goto fail;
		return &p->base;
	}
	if (v < STORE_SCHEMA_VERSION) {
		store_fail(&p->base, "%s has schema version %d, this botlens needs %d: run 'botlens db migrate --db LOCATION'",
			   p->where, v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (v > STORE_SCHEMA_VERSION) {
		store_fail(&p->base, "%s has schema version %d, newer than this botlens (%d): upgrade botlens",
			   p->where, v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	return &p->base;
fail:
	snprintf(err, errlen, "%s", p->base.err);
	pg_close(&p->base);
	return NULL;
}

static struct store *pg_open(const char *loc, char *err, size_t errlen)
{
	return pg_open_as(loc, true, err, errlen);
}

static struct store *pg_open_migrate(const char *loc, char *err, size_t errlen)
{
	return pg_open_as(loc, false, err, errlen);
}

/* ---- runs ---- */

#define RUN_COLS "id, sha, name, size, type, submitted, label, tags, status, error, family, score," \
		 " kinds, hosts, flows, done_at"

static void run_row(const PGresult *r, int i, struct store_run *o)
{
	memset(o, 0, sizeof *o);
	o->id = pg_i64(r, i, 0);
	pg_str(r, i, 1, o->sha, sizeof o->sha);
	pg_str(r, i, 2, o->name, sizeof o->name);
	o->size = (uint64_t)pg_i64(r, i, 3);
	o->type = (int)pg_i64(r, i, 4);
	o->submitted = pg_i64(r, i, 5);
	pg_str(r, i, 6, o->label, sizeof o->label);
	pg_str(r, i, 7, o->tags, sizeof o->tags);
	o->status = (int)pg_i64(r, i, 8);
	pg_str(r, i, 9, o->error, sizeof o->error);
	pg_str(r, i, 10, o->family, sizeof o->family);
	o->score = pg_f64(r, i, 11);
	pg_str(r, i, 12, o->kinds, sizeof o->kinds);
	o->hosts = (uint32_t)pg_i64(r, i, 13);
	o->flows = (uint64_t)pg_i64(r, i, 14);
	o->done_at = pg_i64(r, i, 15);
}

/* The run's label and tags as search terms (lower case), inside the caller's transaction. */
static int add_run_terms(struct pg *p, const char *run, const char *label, const char *tags)
{
	const char *args[3] = { run, label, tags };

	return pg_x(p, "run terms",
		    "INSERT INTO terms (run_id, kind, value)"
		    " SELECT $1::bigint, 'label', lower($2) WHERE $2 <> ''"
		    " UNION SELECT $1::bigint, 'tag', lower(t) FROM regexp_split_to_table($3, '\\s+') t WHERE t <> ''"
		    " ON CONFLICT DO NOTHING", 3, args);
}

static int run_add_once(struct pg *p, const struct store_run *in, int64_t *id, bool *existed)
{
	char b_size[24], b_type[24], b_sub[24], *f1, *f2, *f3;
	const char *args[7];
	PGresult *r;
	int rc = -1;

	args[0] = in->sha;
	args[1] = pg_utf8(in->name, &f1);
	args[2] = PG_I64(b_size, in->size);
	args[3] = PG_I64(b_type, in->type);
	args[4] = PG_I64(b_sub, in->submitted ? in->submitted : (int64_t)time(NULL));
	args[5] = pg_utf8(in->label, &f2);
	args[6] = pg_utf8(in->tags, &f3);
	if (pg_x(p, "add run", "BEGIN", 0, NULL) < 0)
		goto out;
	r = pg_q(p, "add run",
		 "INSERT INTO runs (sha, name, size, type, submitted, label, tags) VALUES ($1, $2, $3, $4, $5, $6, $7)"
		 " ON CONFLICT (sha) DO NOTHING RETURNING id", 7, args, PGRES_TUPLES_OK);
	if (!r)
		goto out;
	if (PQntuples(r) == 0) {   /* the same bytes were uploaded before */
		PQclear(r);
		pg_rollback(p);
		r = pg_q(p, "add run", "SELECT id FROM runs WHERE sha = $1", 1, args, PGRES_TUPLES_OK);
		if (!r)
			goto out;
		if (PQntuples(r) == 1) {
			*id = pg_i64(r, 0, 0);
			*existed = true;
			rc = 0;
		} else {   /* deleted in between */
			p->sqlstate[0] = '\0';
			store_fail(&p->base, "add run: run %s vanished while being added", in->sha);
		}
		PQclear(r);
		goto out;
	}
	*id = pg_i64(r, 0, 0);
	PQclear(r);
	{
		char b_id[24];
		const char *a[1] = { PG_I64(b_id, *id) };

		if (add_run_terms(p, a[0], args[5], args[6]) < 0 ||
		    pg_x(p, "add run", "INSERT INTO jobs (kind, run_id) VALUES ('analyse', $1)", 1, a) < 0 ||
		    pg_x(p, "add run", "NOTIFY " PG_CHANNEL, 0, NULL) < 0 || pg_x(p, "add run", "COMMIT", 0, NULL) < 0)
			goto out;
	}
	*existed = false;
	rc = 0;
out:
	if (rc < 0)
		pg_rollback(p);
	free(f1), free(f2), free(f3);
	return rc;
}

static int pg_run_add(struct store *s, const struct store_run *in, int64_t *id, bool *existed)
{
	PG_RETRY(pg_of(s), run_add_once(pg_of(s), in, id, existed));
}

static int run_get_once(struct pg *p, const char *sql, const char *arg, struct store_run *out)
{
	PGresult *r = pg_q(p, "get run", sql, 1, &arg, PGRES_TUPLES_OK);
	int found;

	if (!r)
		return -1;
	found = PQntuples(r) > 0;
	if (found)
		run_row(r, 0, out);
	PQclear(r);
	return found;
}

static int pg_run_get(struct store *s, int64_t id, struct store_run *out)
{
	char b[24];

	PG_I64(b, id);
	PG_RETRY(pg_of(s), run_get_once(pg_of(s), "SELECT " RUN_COLS " FROM runs WHERE id = $1", b, out));
}

static int pg_run_by_sha(struct store *s, const char *sha, struct store_run *out)
{
	if (!store_sha_ok(sha))
		return 0;
	PG_RETRY(pg_of(s), run_get_once(pg_of(s), "SELECT " RUN_COLS " FROM runs WHERE sha = $1", sha, out));
}

static int run_delete_once(struct pg *p, const char *id)
{
	static const char *const sql[] = {
		"DELETE FROM jobs WHERE run_id = $1",
		"DELETE FROM flow_keys WHERE run_id = $1",
		"DELETE FROM results WHERE run_id = $1",
		"DELETE FROM flows WHERE run_id = $1",
		"DELETE FROM terms WHERE run_id = $1",
	};
	PGresult *r;
	int n;

	if (pg_x(p, "delete run", "BEGIN", 0, NULL) < 0)
		return -1;
	r = pg_q(p, "delete run", "DELETE FROM runs WHERE id = $1", 1, &id, PGRES_COMMAND_OK);
	if (!r)
		goto fail;
	n = atoi(PQcmdTuples(r));
	PQclear(r);
	for (size_t i = 0; n && i < sizeof sql / sizeof *sql; i++)
		if (pg_x(p, "delete run", sql[i], 1, &id) < 0)
			goto fail;
	if (pg_x(p, "delete run", "COMMIT", 0, NULL) < 0)
		goto fail;
	return n > 0;
fail:
	pg_rollback(p);
	return -1;
}

static int pg_run_delete(struct store *s, int64_t id)
{
	char b[24];

	if (id <= 0)
		return 0;
	PG_I64(b, id);
	PG_RETRY(pg_of(s), run_delete_once(pg_of(s), b));
}

/* A run query's WHERE clause and its parameters. */
struct run_where {
	char sql[512];
	const char *args[8];
	char buf[8][600];
	int n;
};

static const char *where_arg(struct run_where *w, const char *v)
{
	store_copy(w->buf[w->n], sizeof w->buf[w->n], v);
	w->args[w->n] = w->buf[w->n];
	return w->buf[w->n++];
}

static void where_and(struct run_where *w, const char *fmt, int a, int b, int c)
{
	size_t len = strlen(w->sql);

	snprintf(w->sql + len, sizeof w->sql - len, len ? " AND " : " WHERE ");
	len = strlen(w->sql);
	snprintf(w->sql + len, sizeof w->sql - len, fmt, a, b, c);
}

/*
 * The search text matches a SHA-256 prefix (when it is hexadecimal), a
 * substring of the name (LIKE with its wildcards escaped) or a whole term,
 * all without regard to ASCII case.
 */
static void build_where(struct run_where *w, const struct store_query *q)
{
	w->sql[0] = '\0';
	w->n = 0;
	if (q->text && *q->text) {
		char low[512], like[1100];
		size_t i, j = 0;
		bool hex = true;
		char *tofree;
		const char *t = pg_utf8(q->text, &tofree);

		store_copy(low, sizeof low, t);
		free(tofree);
		for (i = 0; low[i]; i++) {
			if (low[i] >= 'A' && low[i] <= 'Z')
				low[i] = (char)(low[i] - 'A' + 'a');
			if (!((low[i] >= '0' && low[i] <= '9') || (low[i] >= 'a' && low[i] <= 'f')))
				hex = false;
		}
		like[j++] = '%';
		for (i = 0; low[i] && j < sizeof like - 3; i++) {
			if (low[i] == '%' || low[i] == '_' || low[i] == '\\')
				like[j++] = '\\';
			like[j++] = low[i];
		}
		like[j++] = '%';
		like[j] = '\0';
		where_arg(w, like);
		where_arg(w, low);
		if (hex && strlen(low) <= 64)
			where_and(w, "(lower(r.name) LIKE lower($%d) ESCAPE '\\' OR EXISTS (SELECT 1 FROM terms t WHERE"
				  " t.run_id = r.id AND t.value = lower($%d)) OR r.sha LIKE $%d || '%%')", 1, 2, 2);
		else
			where_and(w, "(lower(r.name) LIKE lower($%d) ESCAPE '\\' OR EXISTS (SELECT 1 FROM terms t WHERE"
				  " t.run_id = r.id AND t.value = lower($%d)))", 1, 2, 0);
	}
	if (q->status >= 0) {
		char b[24];
		where_arg(w, PG_I64(b, q->status));
		where_and(w, "r.status = $%d", w->n, 0, 0);
	}
	if (q->type > 0) {
		char b[24];
		where_arg(w, PG_I64(b, q->type));
		where_and(w, "r.type = $%d", w->n, 0, 0);
	}
}

static int run_list_once(struct pg *p, const struct store_query *q,
			 int (*cb)(void *ctx, const struct store_run *r), void *ctx, uint64_t *total)
{
	static const char *const order[] = {
		[STORE_SORT_SUBMITTED] = "r.submitted", [STORE_SORT_NAME] = "lower(r.name COLLATE \"C\") COLLATE \"C\"",
		[STORE_SORT_SIZE] = "r.size", [STORE_SORT_STATUS] = "r.status",
		[STORE_SORT_FAMILY] = "lower(r.family COLLATE \"C\") COLLATE \"C\"",
	};
	struct run_where w;
	char sql[1024];
	uint32_t limit = q->limit ? (q->limit > 1000 ? 1000 : q->limit) : 50;
	const char *dir = q->desc ? "DESC" : "ASC";
	PGresult *r;
	int i, n;

	build_where(&w, q);
	if (total) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM runs r%s", w.sql);
		if (!(r = pg_q(p, "list runs", sql, w.n, w.args, PGRES_TUPLES_OK)))
			return -1;
		*total = (uint64_t)pg_i64(r, 0, 0);
		PQclear(r);
	}
	snprintf(sql, sizeof sql, "SELECT " RUN_COLS " FROM runs r%s ORDER BY %s %s, r.id %s LIMIT %u OFFSET %u",
		 w.sql, (unsigned)q->sort <= STORE_SORT_FAMILY ? order[q->sort] : order[0], dir, dir, limit,
		 q->offset);
	if (!(r = pg_q(p, "list runs", sql, w.n, w.args, PGRES_TUPLES_OK)))
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		struct store_run run;

		run_row(r, i, &run);
		if (cb(ctx, &run))
			break;
	}
	PQclear(r);
	return 0;
}

static int pg_run_list(struct store *s, const struct store_query *q,
		       int (*cb)(void *ctx, const struct store_run *r), void *ctx, uint64_t *total)
{
	PG_RETRY(pg_of(s), run_list_once(pg_of(s), q, cb, ctx, total));
}

/* ---- results ---- */

static void result_row(const PGresult *r, int i, struct store_result *o)
{
	memset(o, 0, sizeof *o);
	pg_str(r, i, 0, o->name, sizeof o->name);
	pg_str(r, i, 1, o->sha, sizeof o->sha);
	o->size = (uint64_t)pg_i64(r, i, 2);
	pg_str(r, i, 3, o->ctype, sizeof o->ctype);
}

static int result_once(struct pg *p, const char *run, const char *name,
		       int (*cb)(void *ctx, const struct store_result *r), void *ctx, struct store_result *one)
{
	const char *args[2] = { run, name };
	PGresult *r = name ? pg_q(p, "get result", "SELECT name, sha, size, ctype FROM results WHERE run_id = $1"
				  " AND name = $2", 2, args, PGRES_TUPLES_OK)
			   : pg_q(p, "list results", "SELECT name, sha, size, ctype FROM results WHERE run_id = $1"
				  " ORDER BY name COLLATE \"C\"", 1, args, PGRES_TUPLES_OK);
	int i, n;

	if (!r)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		struct store_result res;

		result_row(r, i, one ? one : &res);
		if (!one && cb(ctx, &res))
			break;
	}
	PQclear(r);
	return one ? n > 0 : 0;
}

static int pg_result_get(struct store *s, int64_t run, const char *name, struct store_result *out)
{
	char b[24];
	char *tofree;
	int rc;

	PG_I64(b, run);
	name = pg_utf8(name, &tofree);
	{
		int tries = 0;
		for (;;) {
			if (pg_enter(pg_of(s)) < 0) {
				rc = -1;
				break;
			}
			rc = result_once(pg_of(s), b, name, NULL, NULL, out);
			if (rc != -1 || !pg_again(pg_of(s), &tries))
				break;
		}
	}
	free(tofree);
	return rc;
}

static int pg_result_list(struct store *s, int64_t run, int (*cb)(void *ctx, const struct store_result *r),
			  void *ctx)
{
	char b[24];

	PG_I64(b, run);
	PG_RETRY(pg_of(s), result_once(pg_of(s), b, NULL, cb, ctx, NULL));
}

/* ---- flows ---- */

/*
 * A page of flows.  Unfiltered or by protocol only: the (run_id, ts, seq)
 * index in order.  By address and/or port: flow_keys drives (the address's
 * key when both are given), its (run_id, key, ts, seq) range already in
 * capture order, each flow fetched by its primary key and checked against
 * the other filters, so the first page costs about LIMIT index probes even
 * on a million flows.
 */
static int flow_list_once(struct pg *p, const struct store_flow_query *q,
			  int (*cb)(void *ctx, const struct store_flow *f), void *ctx, uint64_t *total)
{
	struct run_where w = { .n = 0 };
	char sql[1024], b[24], key[64];
	const char *from = " FROM flows f";
	uint32_t limit = q->limit ? (q->limit > 10000 ? 10000 : q->limit) : 100;
	const char *order = "f.ts, f.seq";
	bool addr = q->addr && *q->addr;
	PGresult *r;
	int i, n;

	where_arg(&w, PG_I64(b, q->run));
	if (addr || q->port >= 0) {
		char *tofree = NULL;

		if (addr)
			snprintf(key, sizeof key, "a%s", pg_utf8(q->addr, &tofree));
		else
			snprintf(key, sizeof key, "p%d", q->port);
		free(tofree);
		where_arg(&w, key);
		from = " FROM flow_keys k JOIN flows f ON f.run_id = k.run_id AND f.seq = k.seq";
		order = "k.ts, k.seq";
		where_and(&w, "k.run_id = $1 AND k.key = $2", 0, 0, 0);
		if (addr && q->port >= 0) {
			where_arg(&w, PG_I64(b, q->port));
			where_and(&w, "(f.sport = $%d OR f.dport = $%d)", w.n, w.n, 0);
		}
	} else {
		where_and(&w, "f.run_id = $1", 0, 0, 0);
	}
	if (q->proto > 0) {
		where_arg(&w, PG_I64(b, q->proto));
		where_and(&w, "f.proto = $%d", w.n, 0, 0);
	}
	if (total) {
		snprintf(sql, sizeof sql, "SELECT count(*)%s%s", from, w.sql);
		if (!(r = pg_q(p, "list flows", sql, w.n, w.args, PGRES_TUPLES_OK)))
			return -1;
		*total = (uint64_t)pg_i64(r, 0, 0);
		PQclear(r);
	}
	snprintf(sql, sizeof sql, "SELECT f.ts, f.duration, f.proto, f.orig, f.resp, f.sport, f.dport, f.opkts,"
		 " f.rpkts, f.obytes, f.rbytes, f.service, f.state%s%s ORDER BY %s LIMIT %u OFFSET %llu", from, w.sql,
		 order, limit, (unsigned long long)q->offset);
	if (!(r = pg_q(p, "list flows", sql, w.n, w.args, PGRES_TUPLES_OK)))
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		struct store_flow f;

		memset(&f, 0, sizeof f);
		f.ts = pg_f64(r, i, 0);
		f.duration = pg_f64(r, i, 1);
		f.proto = (uint8_t)pg_i64(r, i, 2);
		pg_str(r, i, 3, f.orig, sizeof f.orig);
		pg_str(r, i, 4, f.resp, sizeof f.resp);
		f.sport = (uint16_t)pg_i64(r, i, 5);
		f.dport = (uint16_t)pg_i64(r, i, 6);
		f.opkts = (uint64_t)pg_i64(r, i, 7);
		f.rpkts = (uint64_t)pg_i64(r, i, 8);
		f.obytes = (uint64_t)pg_i64(r, i, 9);
		f.rbytes = (uint64_t)pg_i64(r, i, 10);
		pg_str(r, i, 11, f.service, sizeof f.service);
		pg_str(r, i, 12, f.state, sizeof f.state);
		if (cb(ctx, &f))
			break;
	}
	PQclear(r);
	return 0;
}

static int pg_flow_list(struct store *s, const struct store_flow_query *q,
			int (*cb)(void *ctx, const struct store_flow *f), void *ctx, uint64_t *total)
{
	PG_RETRY(pg_of(s), flow_list_once(pg_of(s), q, cb, ctx, total));
}

/* ---- meta ---- */

static int meta_get_once(struct pg *p, const char *key, char *value, size_t len)
{
	PGresult *r = pg_q(p, "get meta", "SELECT value FROM meta WHERE key = $1", 1, &key, PGRES_TUPLES_OK);
	int found;

	if (!r)
		return -1;
	found = PQntuples(r) > 0;
	if (found)
		pg_str(r, 0, 0, value, len);
	PQclear(r);
	return found;
}

static int pg_meta_get(struct store *s, const char *key, char *value, size_t len)
{
	PG_RETRY(pg_of(s), meta_get_once(pg_of(s), key, value, len));
}

static int meta_set_once(struct pg *p, const char *key, const char *value)
{
	char *f1, *f2;
	const char *args[2] = { pg_utf8(key, &f1), pg_utf8(value, &f2) };
	int rc = pg_x(p, "set meta", "INSERT INTO meta (key, value) VALUES ($1, $2)"
		      " ON CONFLICT (key) DO UPDATE SET value = excluded.value", 2, args);

	free(f1), free(f2);
	return rc;
}

static int pg_meta_set(struct store *s, const char *key, const char *value)
{
	PG_RETRY(pg_of(s), meta_set_once(pg_of(s), key, value));
}

/* ---- stats ---- */

static int stats_once(struct pg *p, struct store_stats *o)
{
	PGresult *r;
	int i, n;

	memset(o, 0, sizeof *o);
	r = pg_q(p, "stats",
		 "SELECT (SELECT count(*) FROM runs),"
		 " count(*) FILTER (WHERE status = 0), count(*) FILTER (WHERE status = 1),"
		 " count(*) FILTER (WHERE status = 2), count(*) FILTER (WHERE status = 3),"
		 " count(*) FILTER (WHERE status = 2 AND done_at > now() - interval '60 seconds'),"
		 " coalesce(sum(failures), 0),"
		 " count(DISTINCT claimed_by) FILTER (WHERE status = 1)"
		 " FROM jobs", 0, NULL, PGRES_TUPLES_OK);
	if (!r)
		return -1;
	o->runs = (uint64_t)pg_i64(r, 0, 0);
	o->queued = (uint64_t)pg_i64(r, 0, 1);
	o->running = (uint64_t)pg_i64(r, 0, 2);
	o->done = (uint64_t)pg_i64(r, 0, 3);
	o->failed = (uint64_t)pg_i64(r, 0, 4);
	o->done_last_minute = (uint64_t)pg_i64(r, 0, 5);
	o->failed_attempts = (uint64_t)pg_i64(r, 0, 6);
	o->nworkers = (unsigned)pg_i64(r, 0, 7);
	PQclear(r);
	r = pg_q(p, "stats", "SELECT claimed_by, count(*) FROM jobs WHERE status = 1 GROUP BY claimed_by"
		 " ORDER BY claimed_by COLLATE \"C\" LIMIT 32", 0, NULL, PGRES_TUPLES_OK);
	if (!r)
		return -1;
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		pg_str(r, i, 0, o->workers[i].worker, sizeof o->workers[i].worker);
		o->workers[i].running = (uint32_t)pg_i64(r, i, 1);
	}
	PQclear(r);
	return 0;
}

static int pg_stats(struct store *s, struct store_stats *out)
{
	PG_RETRY(pg_of(s), stats_once(pg_of(s), out));
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.open_migrate = pg_open_migrate,
	.close = pg_close,
	.migrate = pg_migrate,
	.blob_create = pg_blob_create,
	.blob_write = pg_blob_write,
	.blob_commit = pg_blob_commit,
	.blob_abort = pg_blob_abort,
	.blob_open = pg_blob_open,
	.blob_read = pg_blob_read,
	.blob_close = pg_blob_close,
	.run_add = pg_run_add,
	.run_get = pg_run_get,
	.run_by_sha = pg_run_by_sha,
	.run_delete = pg_run_delete,
	.run_list = pg_run_list,
	.result_get = pg_result_get,
	.result_list = pg_result_list,
	.flow_list = pg_flow_list,
	.job_enqueue = pg_job_enqueue,
	.job_claim = pg_job_claim,
	.job_renew = pg_job_renew,
	.job_finish = pg_job_finish,
	.job_fail = pg_job_fail,
	.job_wait = pg_job_wait,
	.job_recover = pg_job_recover,
	.job_get = pg_job_get,
	.meta_get = pg_meta_get,
	.meta_set = pg_meta_set,
	.stats = pg_stats,
};
