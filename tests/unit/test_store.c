/*
 * test_store.c - the shared store suite: one binary, run once per backend.
 *
 *   BOTLENS_STORE unset          a fresh temporary SQLite data directory,
 *                                removed at the end
 *   BOTLENS_STORE=postgresql://  that database, emptied first (its public
 *                                schema dropped and re-created)
 *
 * Everything here holds for every backend; what only SQLite can show
 * (a damaged blob file, the temporary directory) sits in
 * `if (is_sqlite)` blocks.  Leases are expired without sleeping by
 * claiming with a negative lease.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <openssl/evp.h>

#include "harness.h"
#include "store/store.h"

static struct store *st;
static bool is_sqlite;
static char tmpdir[64];

/* ---- helpers ---- */

static void sha256_hex(const void *p, size_t n, char out[STORE_SHA_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void fill(unsigned char *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

/* Commits n bytes (in uneven chunks) as a blob. */
static int put_blob(const void *p, size_t n, char sha[STORE_SHA_HEX], uint64_t *size)
{
	struct store_blob_w *w = store_blob_create(st);
	const char *c = p;

	if (!w)
		return -1;
	while (n > 0) {
		size_t k = n < 7777 ? n : 7777;
		if (store_blob_write(w, c, k) < 0) {
			store_blob_abort(w);
			return -1;
		}
		c += k, n -= k;
	}
	return store_blob_commit(w, sha, size);
}

/* Reads a blob whole into buf (at most cap); bytes read or -1. */
static ssize_t get_blob(const char *sha, unsigned char *buf, size_t cap)
{
	struct store_blob_r *r;
	uint64_t size;
	size_t got = 0;
	ssize_t n;

	if (store_blob_open(st, sha, &r, &size) != 1)
		return -1;
	while ((n = store_blob_read(r, buf + got, cap - got > 5000 ? 5000 : cap - got)) > 0)
		got += (size_t)n;
	store_blob_close(r);
	return n < 0 ? -1 : (ssize_t)got;
}

static int64_t add_run(const char *name, int type, const char *label, const char *tags, bool *existed)
{
	struct store_run in;
	char text[300];
	bool ex = false;
	int64_t id = 0;

	memset(&in, 0, sizeof in);
	snprintf(text, sizeof text, "content of %s", name);
	if (put_blob(text, strlen(text), in.sha, &in.size) < 0)
		return -1;
	snprintf(in.name, sizeof in.name, "%s", name);
	snprintf(in.label, sizeof in.label, "%s", label ? label : "");
	snprintf(in.tags, sizeof in.tags, "%s", tags ? tags : "");
	in.type = type;
	if (store_run_add(st, &in, &id, &ex) < 0)
		return -1;
	if (existed)
		*existed = ex;
	return id;
}

/* Finishes every claimable job with an empty outcome: the job tests
 * start from an empty queue and know which job a claim returns. */
static int drain(void)
{
	struct store_outcome none = { 0 };
	struct store_job j;
	int n = 0, rc;

	while ((rc = store_job_claim(st, "drain", 60, &j)) == 1) {
		if (store_job_finish(st, &j, &none) != 0)
			return -1;
		n++;
	}
	return rc < 0 ? -1 : n;
}

/* SQLite only: a count straight from the database file (what the API
 * does not show: rows of garbage flow sets). */
static long long sqlite_count(const char *sql)
{
	char path[128];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	long long n = -1;

	snprintf(path, sizeof path, "%s/botlens.db", tmpdir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return n;
}

struct collect { int n; char names[16][256]; int64_t ids[16]; };

static int collect_run(void *ctx, const struct store_run *r)
{
	struct collect *c = ctx;

	if (c->n < 16) {
		snprintf(c->names[c->n], sizeof c->names[0], "%s", r->name);
		c->ids[c->n] = r->id;
	}
	c->n++;
	return 0;
}

static uint64_t list(const char *text, int type, enum store_sort sort, bool desc, uint32_t off, uint32_t lim,
		     struct collect *c)
{
	struct store_query q = { .text = text, .status = -1, .type = type, .sort = sort, .desc = desc,
				 .offset = off, .limit = lim };
	uint64_t total = 0;

	memset(c, 0, sizeof *c);
	if (store_run_list(st, &q, collect_run, c, &total) < 0)
		return (uint64_t)-1;
	return total;
}

/* ---- blobs ---- */

static void test_blobs(void)
{
	enum { N = 300000 };
	unsigned char *data = malloc(N), *back = malloc(N + 1);
	char sha[STORE_SHA_HEX], want[STORE_SHA_HEX], sha2[STORE_SHA_HEX];
	uint64_t size = 0;
	struct store_blob_r *r;

	TEST("blob round trip")
	fill(data, N, 7);
	sha256_hex(data, N, want);
	CHECK(put_blob(data, N, sha, &size) == 0);
	CHECK_STR(sha, want);
	CHECK_EQ_U(size, N);
	CHECK(get_blob(sha, back, N + 1) == N);
	CHECK(memcmp(data, back, N) == 0);
	CHECK(put_blob(data, N, sha2, &size) == 0);      /* same bytes: same blob, kept */
	CHECK_STR(sha2, want);
	CHECK(get_blob(sha, back, N + 1) == N);

	TEST("blob empty, absent, bad name")
	sha256_hex("", 0, want);
	CHECK(put_blob("", 0, sha, &size) == 0);
	CHECK_STR(sha, want);
	CHECK_EQ_U(size, 0);
	CHECK(get_blob(sha, back, N) == 0);
	want[0] = want[0] == 'f' ? 'e' : 'f';
	CHECK(store_blob_open(st, want, &r, &size) == 0);
	CHECK(store_blob_open(st, "../../etc/passwd", &r, &size) == -1);
	CHECK(store_blob_open(st, "ABCDEF", &r, &size) == -1);

	TEST("blob abort leaves nothing")
	{
		struct store_blob_w *w = store_blob_create(st);
		CHECK(w != NULL);
		CHECK(store_blob_write(w, "never seen", 10) == 0);
		store_blob_abort(w);
		sha256_hex("never seen", 10, want);
		CHECK(store_blob_open(st, want, &r, &size) == 0);
	}
	free(data);
	free(back);
}

/* SQLite keeps blobs as files: a damaged one must fail to read. */
static void test_blob_corrupt(void)
{
	char sha[STORE_SHA_HEX], path[256];
	unsigned char buf[64];
	uint64_t size;
	FILE *f;
	DIR *d;
	struct dirent *e;
	int left = 0;

	TEST("sqlite: damaged blob is a read error")
	CHECK(put_blob("precious bytes", 14, sha, &size) == 0);
	snprintf(path, sizeof path, "%s/blobs/%.2s/%s", tmpdir, sha, sha);
	f = fopen(path, "r+");
	CHECK(f != NULL);
	if (f) {
		fputc('P', f);
		fclose(f);
	}
	CHECK(get_blob(sha, buf, sizeof buf) == -1);
	CHECK(strstr(store_error(st), "does not match its hash") != NULL);

	TEST("sqlite: nothing left in tmp")
	snprintf(path, sizeof path, "%s/tmp", tmpdir);
	d = opendir(path);
	CHECK(d != NULL);
	while (d && (e = readdir(d)) != NULL)
		left += e->d_name[0] != '.';
	if (d)
		closedir(d);
	CHECK(left == 0);
}

/* A blob placed by a writer killed before its row: removed at recovery; named ones kept. */
static void test_blob_gc(void)
{
	char orphan[STORE_SHA_HEX], kept[STORE_SHA_HEX], meta[STORE_SHA_HEX], path[256], stray[256];
	uint64_t size;
	struct stat sb;

	TEST("sqlite: recovery removes blobs nothing names")
	CHECK(store_job_recover(st) >= 0);   /* no run, result or value names anything yet */
	CHECK(put_blob("never acknowledged", 18, orphan, &size) == 0);
	CHECK(put_blob("a model", 7, meta, &size) == 0);
	CHECK(store_meta_set(st, "gc-test", meta) == 0);
	int64_t run = add_run("gc-kept.pcap", 0, NULL, NULL, NULL);
	CHECK(run > 0);
	CHECK(put_blob("content of gc-kept.pcap", 23, kept, &size) == 0);  /* the run's own bytes */
	snprintf(stray, sizeof stray, "%s/blobs/%.2s/notes.txt", tmpdir, orphan);
	FILE *f = fopen(stray, "w");
	if (f) {
		fputs("not a blob\n", f);
		fclose(f);
	}
	CHECK(store_job_recover(st) >= 0);
	snprintf(path, sizeof path, "%s/blobs/%.2s/%s", tmpdir, orphan, orphan);
	CHECK(stat(path, &sb) != 0);
	snprintf(path, sizeof path, "%s/blobs/%.2s/%s", tmpdir, kept, kept);
	CHECK(stat(path, &sb) == 0);
	snprintf(path, sizeof path, "%s/blobs/%.2s/%s", tmpdir, meta, meta);
	CHECK(stat(path, &sb) == 0);
	CHECK(stat(stray, &sb) == 0);   /* a file that is not a blob's name is never removed */
	unlink(stray);
	unsigned char buf[64];
	CHECK(get_blob(kept, buf, sizeof buf) == 23);
	CHECK(store_meta_set(st, "gc-test", "") == 0);
	CHECK(store_run_delete(st, run) >= 0);   /* the run tests count from none */
}

static void test_blob_files(void)
{
	char src[128], dst[128], sha[STORE_SHA_HEX], want[STORE_SHA_HEX], buf[64] = "";
	uint64_t size;
	FILE *f;

	TEST("blob from and to a file")
	snprintf(src, sizeof src, "/tmp/test_store_src.%d", (int)getpid());
	snprintf(dst, sizeof dst, "/tmp/test_store_dst.%d", (int)getpid());
	f = fopen(src, "w");
	fputs("file bytes\n", f);
	fclose(f);
	CHECK(store_blob_from_file(st, src, sha, &size) == 0);
	sha256_hex("file bytes\n", 11, want);
	CHECK_STR(sha, want);
	CHECK_EQ_U(size, 11);
	unlink(dst);
	CHECK(store_blob_to_file(st, sha, dst) == 0);
	f = fopen(dst, "r");
	CHECK(f && fgets(buf, sizeof buf, f));
	if (f)
		fclose(f);
	CHECK_STR(buf, "file bytes\n");
	CHECK(store_blob_to_file(st, sha, dst) == -1);   /* never overwrites */
	unlink(src);
	unlink(dst);
}

/* ---- runs ---- */

static void test_runs(void)
{
	struct store_run r;
	struct collect c;
	bool existed = true;
	int64_t a, b, again;

	TEST("run add and dedupe")
	a = add_run("Storm-Sample.pcap", STORE_RUN_CAPTURE, "storm", "p2p honeynet", &existed);
	CHECK(a > 0);
	CHECK(!existed);
	again = add_run("other-name.pcap", STORE_RUN_CAPTURE, "x", "", &existed);  /* same bytes? no */
	CHECK(again > 0 && again != a);
	b = add_run("Storm-Sample.pcap", STORE_RUN_CAPTURE, "relabel", "", &existed);
	CHECK(b == a);
	CHECK(existed);
	CHECK(store_run_get(st, a, &r) == 1);
	CHECK_STR(r.name, "Storm-Sample.pcap");
	CHECK_STR(r.label, "storm");
	CHECK_STR(r.tags, "p2p honeynet");
	CHECK(r.type == STORE_RUN_CAPTURE);
	CHECK(r.status == STORE_QUEUED);
	CHECK(r.submitted > 0);
	CHECK(r.size == strlen("content of Storm-Sample.pcap"));
	{
		struct store_run r2;
		CHECK(store_run_by_sha(st, r.sha, &r2) == 1);
		CHECK(r2.id == a);
	}
	CHECK(store_run_get(st, a + 100000, &r) == 0);

	TEST("run list, search, sort, paginate")
	add_run("zeta.json", STORE_RUN_REPORT, "", "cuckoo", NULL);
	add_run("alpha.json", STORE_RUN_REPORT, "allaple", "", NULL);
	add_run("100%_real.pcap", STORE_RUN_CAPTURE, "", "", NULL);
	CHECK_EQ_U(list(NULL, 0, STORE_SORT_SUBMITTED, false, 0, 0, &c), 5);
	CHECK(c.n == 5);
	CHECK_EQ_U(list("", 0, STORE_SORT_NAME, false, 0, 0, &c), 5);
	CHECK_STR(c.names[0], "100%_real.pcap");
	CHECK_STR(c.names[1], "alpha.json");
	CHECK_STR(c.names[4], "zeta.json");
	CHECK_EQ_U(list(NULL, 0, STORE_SORT_NAME, true, 1, 2, &c), 5);
	CHECK(c.n == 2);
	CHECK_STR(c.names[0], "Storm-Sample.pcap");
	CHECK_STR(c.names[1], "other-name.pcap");
	CHECK_EQ_U(list(NULL, STORE_RUN_REPORT, STORE_SORT_NAME, false, 0, 0, &c), 2);
	CHECK_EQ_U(list("storm-sample", 0, STORE_SORT_NAME, false, 0, 0, &c), 1);     /* name, any case */
	CHECK(c.n == 1 && c.ids[0] == a);
	CHECK_EQ_U(list("HONEYNET", 0, STORE_SORT_NAME, false, 0, 0, &c), 1);         /* tag */
	CHECK_EQ_U(list("allaple", 0, STORE_SORT_NAME, false, 0, 0, &c), 1);          /* label */
	CHECK_EQ_U(list("honey", 0, STORE_SORT_NAME, false, 0, 0, &c), 0);            /* terms are whole */
	CHECK_EQ_U(list("%", 0, STORE_SORT_NAME, false, 0, 0, &c), 1);                /* no wildcards */
	CHECK_EQ_U(list("_", 0, STORE_SORT_NAME, false, 0, 0, &c), 1);
	CHECK(store_run_get(st, a, &r) == 1);
	{
		char pre[9];
		snprintf(pre, sizeof pre, "%.8s", r.sha);
		CHECK(list(pre, 0, STORE_SORT_NAME, false, 0, 0, &c) >= 1);
		CHECK(c.ids[0] == a || c.ids[1] == a);
	}
	CHECK_EQ_U(list(NULL, 0, STORE_SORT_SIZE, false, 0, 1000, &c), 5);
	CHECK_EQ_U(list(NULL, 0, STORE_SORT_FAMILY, true, 10, 5, &c), 5);
	CHECK(c.n == 0);
}

/* ---- jobs ---- */

static int job_status(int64_t id, char *err, size_t len)
{
	struct store_job j;
	int status = -1;

	return store_job_get(st, id, &j, &status, err, len) == 1 ? status : -1;
}

static void test_jobs_basic(void)
{
	struct store_job j, k;
	struct store_run r;
	char err[512];
	int64_t a;

	TEST("claim, renew, finish")
	CHECK(drain() >= 5);
	CHECK(store_job_claim(st, "w1", 60, &j) == 0);
	a = add_run("job-a.pcap", STORE_RUN_CAPTURE, "", "", NULL);
	CHECK(store_job_claim(st, "w1", 60, &j) == 1);
	CHECK(j.run_id == a);
	CHECK_STR(j.kind, "analyse");
	CHECK_STR(j.worker, "w1");
	CHECK(j.attempts == 1);
	CHECK(j.lease_until >= (int64_t)time(NULL) + 50);
	CHECK(store_job_claim(st, "w2", 60, &k) == 0);        /* leased: not claimable */
	CHECK(store_run_get(st, a, &r) == 1 && r.status == STORE_RUNNING);
	CHECK(job_status(j.id, err, sizeof err) == STORE_RUNNING);
	CHECK(store_job_renew(st, &j, 120) == 0);
	CHECK(j.lease_until >= (int64_t)time(NULL) + 110);
	{
		struct store_outcome o = { .family = "storm", .score = 1.25, .kinds = "spam p2p", .hosts = 1 };
		CHECK(store_job_finish(st, &j, &o) == 0);
	}
	CHECK(job_status(j.id, err, sizeof err) == STORE_DONE);
	CHECK(store_run_get(st, a, &r) == 1);
	CHECK(r.status == STORE_DONE);
	CHECK_STR(r.family, "storm");
	CHECK_STR(r.kinds, "spam p2p");
	CHECK(r.score == 1.25);
	CHECK(r.hosts == 1);
	CHECK(r.done_at > 0);
	CHECK(store_job_renew(st, &j, 60) == 1);              /* done: no longer ours */

	TEST("enqueue dedupe")
	CHECK(store_job_enqueue(st, "cluster", 0) == 1);
	CHECK(store_job_enqueue(st, "cluster", 0) == 0);
	CHECK(store_job_claim(st, "w1", 60, &j) == 1);
	CHECK_STR(j.kind, "cluster");
	CHECK(j.run_id == 0);
	CHECK(store_job_enqueue(st, "cluster", 0) == 1);      /* the first runs: a new one queues */
	CHECK(store_job_enqueue(st, "cluster", 0) == 0);
	{
		struct store_outcome none = { 0 };
		CHECK(store_job_finish(st, &j, &none) == 0);
	}
	CHECK(drain() == 1);
}

static void test_jobs_lease(void)
{
	struct store_job j1, j2, j3;
	struct store_run r;
	struct store_outcome none = { 0 };
	char err[512];
	int64_t a;

	TEST("expired lease is claimed again; the old holder is refused")
	a = add_run("job-lease.pcap", STORE_RUN_CAPTURE, "", "", NULL);
	CHECK(store_job_claim(st, "slow", -10, &j1) == 1);    /* a lease already over */
	CHECK(j1.run_id == a);
	CHECK(store_job_claim(st, "next", 60, &j2) == 1);
	CHECK(j2.id == j1.id);
	CHECK(j2.attempts == 2);
	CHECK_STR(j2.worker, "next");
	CHECK(store_job_renew(st, &j1, 60) == 1);
	{
		struct store_outcome o = { .family = "wrong" };
		CHECK(store_job_finish(st, &j1, &o) == 1);
	}
	CHECK(store_job_fail(st, &j1, "slow failed", 3) == 1);
	CHECK(store_run_get(st, a, &r) == 1 && r.status == STORE_RUNNING && r.family[0] == '\0');
	CHECK(store_job_finish(st, &j2, &none) == 0);
	CHECK(store_run_get(st, a, &r) == 1 && r.status == STORE_DONE);
	CHECK(store_job_finish(st, &j2, &none) == 1);         /* twice: refused */

	TEST("a forged attempt number is refused")
	a = add_run("job-forge.pcap", STORE_RUN_CAPTURE, "", "", NULL);
	CHECK(store_job_claim(st, "w", 60, &j3) == 1);
	j3.attempts++;
	CHECK(store_job_finish(st, &j3, &none) == 1);
	j3.attempts--;
	CHECK(store_job_finish(st, &j3, &none) == 0);
	(void)err;
}

/* A second connection that finds nothing to claim, says so, then waits
 * (20 s at most) and claims what woke it. */
struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool ready;
	int rc, claimed;
	long ms;
};

static void *wait_for_job(void *arg)
{
	struct waiter *w = arg;
	const char *env = getenv("BOTLENS_STORE");
	char err[512];
	struct store *s2 = store_open(env && *env ? env : tmpdir, err, sizeof err);
	struct store_outcome none = { 0 };
	struct store_job j;
	struct timespec t0, t1;

	w->rc = -1;
	if (s2 && store_job_claim(s2, "waiter", 60, &j) == 0) {
		pthread_mutex_lock(&w->mu);
		w->ready = true;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		w->rc = store_job_wait(s2, 20000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		w->ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		w->claimed = store_job_claim(s2, "waiter", 60, &j);
		if (w->claimed == 1)
			store_job_finish(s2, &j, &none);
	} else {
		pthread_mutex_lock(&w->mu);
		w->ready = true;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
	store_close(s2);
	return NULL;
}

static void test_jobs_retry(void)
{
	struct store_job j;
	struct store_run r;
	char err[512] = "";
	int64_t a;

	TEST("failures are retried up to max_attempts")
	a = add_run("job-retry.pcap", STORE_RUN_CAPTURE, "", "", NULL);
	CHECK(store_job_claim(st, "w", 60, &j) == 1);
	CHECK(j.run_id == a && j.attempts == 1);
	CHECK(store_job_fail(st, &j, "reader: truncated", 2) == 0);
	CHECK(job_status(j.id, err, sizeof err) == STORE_QUEUED);
	CHECK(store_run_get(st, a, &r) == 1 && r.status == STORE_QUEUED);
	CHECK_STR(r.error, "reader: truncated");
	CHECK(store_job_claim(st, "w", 60, &j) == 1);
	CHECK(j.run_id == a && j.attempts == 2);
	CHECK(store_job_fail(st, &j, "reader: truncated again", 2) == 0);
	CHECK(job_status(j.id, err, sizeof err) == STORE_FAILED);
	CHECK_STR(err, "reader: truncated again");
	CHECK(store_run_get(st, a, &r) == 1 && r.status == STORE_FAILED);
	CHECK_STR(r.error, "reader: truncated again");
	CHECK(store_job_claim(st, "w", 60, &j) == 0);

	TEST("recover re-queues running jobs")
	a = add_run("job-recover.pcap", STORE_RUN_CAPTURE, "", "", NULL);
	CHECK(store_job_claim(st, "dead", 600, &j) == 1);
	CHECK(store_job_recover(st) == 1);
	CHECK(store_run_get(st, a, &r) == 1 && r.status == STORE_QUEUED);
	CHECK(job_status(j.id, err, sizeof err) == STORE_QUEUED);
	{
		struct store_job k;
		struct store_outcome none = { 0 };
		CHECK(store_job_finish(st, &j, &none) == 1);  /* the dead worker's lease is gone */
		CHECK(store_job_claim(st, "alive", 60, &k) == 1);
		CHECK(k.id == j.id && k.attempts == 2);
		CHECK(store_job_recover(st) == 1);
		CHECK(store_job_claim(st, "alive", 60, &k) == 1);
		CHECK(store_job_finish(st, &k, &none) == 0);
	}
	CHECK(store_job_recover(st) == 0);

	TEST("wait wakes on a job queued by another connection")
	{
		struct waiter w = { 0 };
		pthread_t th;
		pthread_mutex_init(&w.mu, NULL);
		pthread_cond_init(&w.cv, NULL);
		CHECK(pthread_create(&th, NULL, wait_for_job, &w) == 0);
		pthread_mutex_lock(&w.mu);
		while (!w.ready)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		CHECK(store_job_enqueue(st, "cluster", 0) == 1);
		pthread_join(th, NULL);
		CHECK(w.rc == 0);
		CHECK(w.ms < 5000);                           /* not the 20 s timeout */
		CHECK(w.claimed == 1);
		CHECK(drain() == 0);                          /* the waiter finished it */
	}

	TEST("wait times out")
	{
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK(store_job_claim(st, "w", 60, &j) == 0);
		CHECK(store_job_wait(st, 50) == 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		CHECK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 5000);
	}
}

/* ---- outcome: results, terms, flows ---- */

#define NFLOWS 3000

/* Flow i of the synthetic table: ts a permutation of i (file order is not
 * time order), addresses and ports on small cycles. */
static void flow_of(int i, struct store_flow *f)
{
	int t = (i * 7919) % NFLOWS;

	memset(f, 0, sizeof *f);
	f->ts = 1200000000.0 + t + 0.25;
	f->duration = (double)(i % 10) / 4;
	f->proto = i % 3 == 0 ? 17 : 6;
	snprintf(f->orig, sizeof f->orig, "10.0.0.%d", 1 + i % 2);
	snprintf(f->resp, sizeof f->resp, i % 50 == 0 ? "10.0.0.1" : "192.0.2.%d", i % 40);
	f->sport = (uint16_t)(1024 + i % 500);
	f->dport = (uint16_t)(i % 5 == 0 ? 25 : i % 5 == 1 ? 80 : 1024 + i % 7);
	f->opkts = (uint64_t)i, f->rpkts = 2, f->obytes = (uint64_t)i * 100, f->rbytes = 5000000000ull;
	snprintf(f->service, sizeof f->service, "%s", f->dport == 25 ? "smtp" : "-");
	snprintf(f->state, sizeof f->state, "SF");
}

static bool flow_match(const struct store_flow *f, const char *addr, int port, int proto)
{
	return (!addr || !strcmp(f->orig, addr) || !strcmp(f->resp, addr)) &&
	       (port < 0 || f->sport == port || f->dport == port) && (!proto || f->proto == proto);
}

static void write_flows(const char *path, bool damaged)
{
	FILE *f = fopen(path, "w");
	struct store_flow fl;

	for (int i = 0; i < NFLOWS; i++) {
		flow_of(i, &fl);
		fprintf(f, "%.6f\t%.6f\t%u\t%s\t%u\t%s\t%u\t%llu\t%llu\t%llu\t%llu\t%s\t%s\n", fl.ts, fl.duration,
			fl.proto, fl.orig, fl.sport, fl.resp, fl.dport, (unsigned long long)fl.opkts,
			(unsigned long long)fl.rpkts, (unsigned long long)fl.obytes, (unsigned long long)fl.rbytes,
			fl.service, fl.state);
		if (damaged && i == NFLOWS / 2)
			fputs("1.0\tnot a number\t6\n", f);
	}
	fclose(f);
}

struct fcollect { int n; double last; bool ordered; bool all_match; const char *addr; int port, proto; };

static int collect_flow(void *ctx, const struct store_flow *f)
{
	struct fcollect *c = ctx;

	if (c->n > 0 && f->ts < c->last)
		c->ordered = false;
	if (!flow_match(f, c->addr, c->port, c->proto))
		c->all_match = false;
	c->last = f->ts;
	c->n++;
	return 0;
}

/* Checks one filter: total against a brute-force count, a page ordered
 * and matching, and the pages together cover the total. */
static void check_filter(int64_t run, const char *addr, int port, int proto)
{
	struct store_flow_query q = { .run = run, .addr = addr, .port = port, .proto = proto, .limit = 250 };
	struct fcollect c = { .ordered = true, .all_match = true, .addr = addr, .port = port, .proto = proto };
	uint64_t total = 0, want = 0, seen = 0;
	struct store_flow f;

	for (int i = 0; i < NFLOWS; i++) {
		flow_of(i, &f);
		want += flow_match(&f, addr, port, proto);
	}
	CHECK(store_flow_list(st, &q, collect_flow, &c, &total) == 0);
	CHECK_EQ_U(total, want);
	CHECK_EQ_U(c.n, want < 250 ? want : 250);
	for (q.offset = 0; q.offset < want + 250; q.offset += 250) {
		c.n = 0;
		CHECK(store_flow_list(st, &q, collect_flow, &c, NULL) == 0);
		seen += (uint64_t)c.n;
	}
	CHECK_EQ_U(seen, want);
	CHECK(c.ordered);
	CHECK(c.all_match);
}

static int count_result(void *ctx, const struct store_result *r)
{
	(*(int *)ctx)++;
	return strcmp(r->name, "report.json") == 0 ? 1 : 0;
}

static int64_t test_outcome(void)
{
	char path[128], sha[STORE_SHA_HEX];
	struct store_result res[2], got;
	struct store_term terms[] = { { "addr", "192.0.2.7" }, { "domain", "Evil.Example" } };
	struct store_outcome o = { .results = res, .nresults = 2, .family = "Storm", .kinds = "spam p2p",
				   .hosts = 1, .terms = terms, .nterms = 2, .flows_tsv = path };
	struct store_job j;
	struct store_run r;
	struct collect c;
	uint64_t size;
	int64_t a;
	int n = 0;

	TEST("finish with a damaged flows file writes nothing")
	snprintf(path, sizeof path, "/tmp/test_store_flows.%d", (int)getpid());
	memset(res, 0, sizeof res);
	CHECK(put_blob("{}", 2, sha, &size) == 0);
	snprintf(res[0].name, sizeof res[0].name, "report.json");
	snprintf(res[0].sha, sizeof res[0].sha, "%s", sha);
	res[0].size = size;
	snprintf(res[0].ctype, sizeof res[0].ctype, "application/json");
	res[1] = res[0];
	snprintf(res[1].name, sizeof res[1].name, "info.json");
	a = add_run("flows.pcap", STORE_RUN_CAPTURE, "", "", NULL);
	CHECK(store_job_claim(st, "w", 60, &j) == 1 && j.run_id == a);
	write_flows(path, true);
	CHECK(store_job_finish(st, &j, &o) == -1);
	CHECK(store_result_get(st, a, "report.json", &got) == 0);
	CHECK(store_run_get(st, a, &r) == 1 && r.status == STORE_RUNNING && r.flows == 0);

	TEST("finish writes results, terms and flows")
	write_flows(path, false);
	CHECK(store_job_finish(st, &j, &o) == 0);
	unlink(path);
	CHECK(store_run_get(st, a, &r) == 1 && r.status == STORE_DONE);
	CHECK_EQ_U(r.flows, NFLOWS);
	CHECK(store_result_get(st, a, "report.json", &got) == 1);
	CHECK_STR(got.sha, sha);
	CHECK_STR(got.ctype, "application/json");
	CHECK_EQ_U(got.size, 2);
	CHECK(store_result_get(st, a, "plot.png", &got) == 0);
	CHECK(store_result_list(st, a, count_result, &n) == 0);
	CHECK(n == 2);                                    /* info.json, then report.json stops */
	CHECK_EQ_U(list("evil.example", 0, STORE_SORT_NAME, false, 0, 0, &c), 1);
	CHECK(c.ids[0] == a);
	CHECK_EQ_U(list("192.0.2.7", 0, STORE_SORT_NAME, false, 0, 0, &c), 1);
	CHECK_EQ_U(list("SPAM", 0, STORE_SORT_NAME, false, 0, 0, &c), 2);  /* job-a.pcap too */
	CHECK_EQ_U(list("storm", 0, STORE_SORT_NAME, false, 0, 0, &c), 3); /* families, label */
	return a;
}

/* The flows of run a (finished by test_outcome): pages, filters, a
 * re-analysis, the run's deletion. */
static void test_flows(int64_t a)
{
	char path[128];
	struct store_outcome o = { .flows_tsv = path };
	struct store_result got;
	struct store_job j;
	struct store_run r;
	struct collect c;

	snprintf(path, sizeof path, "/tmp/test_store_flows.%d", (int)getpid());
	TEST("flows: pages and filters")
	check_filter(a, NULL, -1, 0);
	check_filter(a, "10.0.0.1", -1, 0);               /* orig or resp */
	check_filter(a, "192.0.2.7", -1, 0);
	check_filter(a, "203.0.113.9", -1, 0);            /* none */
	check_filter(a, NULL, 25, 0);
	check_filter(a, NULL, 1030, 0);                   /* sport or dport */
	check_filter(a, NULL, -1, 17);
	check_filter(a, "10.0.0.2", 80, 6);
	check_filter(a, "192.0.2.5", 25, 0);
	{
		struct store_flow_query q = { .run = a, .port = -1, .limit = 1 };
		struct fcollect fc = { .ordered = true, .all_match = true, .port = -1 };
		uint64_t total = 1;
		CHECK(store_flow_list(st, &q, collect_flow, &fc, NULL) == 0);
		CHECK(fc.n == 1 && fc.last == 1200000000.25);
		q.run = a + 100000;
		CHECK(store_flow_list(st, &q, collect_flow, &fc, &total) == 0);
		CHECK_EQ_U(total, 0);
	}

	TEST("re-analysis replaces the flows whole")
	CHECK(store_job_enqueue(st, "analyse", a) == 1);
	CHECK(store_job_claim(st, "w", 60, &j) == 1 && j.run_id == a);
	write_flows(path, false);
	CHECK(store_job_finish(st, &j, &o) == 0);
	unlink(path);
	check_filter(a, NULL, -1, 0);
	CHECK(store_run_get(st, a, &r) == 1);
	CHECK_EQ_U(r.flows, NFLOWS);
	if (is_sqlite) {   /* the damaged load's set and the first one are gone */
		CHECK(sqlite_count("SELECT count(*) FROM flowsets") == 1);
		CHECK(sqlite_count("SELECT count(*) FROM flows") == NFLOWS);
	}

	TEST("run delete")
	CHECK(store_run_delete(st, a) == 1);
	CHECK(store_run_delete(st, a) == 0);
	CHECK(store_run_get(st, a, &r) == 0);
	CHECK(store_result_get(st, a, "report.json", &got) == 0);
	CHECK_EQ_U(list("evil.example", 0, STORE_SORT_NAME, false, 0, 0, &c), 0);
	{
		struct store_flow_query q = { .run = a, .port = -1 };
		struct fcollect fc = { .ordered = true, .all_match = true, .port = -1 };
		uint64_t total = 1;
		CHECK(store_flow_list(st, &q, collect_flow, &fc, &total) == 0);
		CHECK_EQ_U(total, 0);
	}
	CHECK(store_job_recover(st) == 0);
	if (is_sqlite) {   /* the deleted run's flows collected */
		CHECK(sqlite_count("SELECT count(*) FROM flowsets") == 0);
		CHECK(sqlite_count("SELECT count(*) FROM flows") == 0);
		CHECK(sqlite_count("SELECT count(*) FROM flow_keys") == 0);
	}
}

/* ---- meta, stats ---- */

static void test_meta_stats(void)
{
	struct store_stats s;
	struct store_job j;
	char v[8];

	TEST("meta")
	CHECK(store_meta_get(st, "clusters", v, sizeof v) == 0);
	CHECK(store_meta_set(st, "clusters", "abc") == 0);
	CHECK(store_meta_get(st, "clusters", v, sizeof v) == 1);
	CHECK_STR(v, "abc");
	CHECK(store_meta_set(st, "clusters", "0123456789") == 0);
	CHECK(store_meta_get(st, "clusters", v, sizeof v) == 1);
	CHECK_STR(v, "0123456");

	TEST("stats")
	add_run("stats-1.pcap", STORE_RUN_CAPTURE, "", "", NULL);
	add_run("stats-2.pcap", STORE_RUN_CAPTURE, "", "", NULL);
	CHECK(store_job_claim(st, "host:1:0", 60, &j) == 1);
	CHECK(store_stats(st, &s) == 0);
	CHECK(s.runs >= 10);
	CHECK_EQ_U(s.queued, 1);
	CHECK_EQ_U(s.running, 1);
	CHECK(s.done >= 8);
	CHECK_EQ_U(s.failed, 1);
	CHECK(s.done_last_minute >= 8);
	CHECK(s.failed_attempts >= 2);
	CHECK(s.nworkers == 1);
	CHECK_STR(s.workers[0].worker, "host:1:0");
	CHECK(s.workers[0].running == 1);
}

/* ---- the store under test ---- */

/* A PostgreSQL database is emptied: the suite counts from zero. */
static int pg_empty(const char *url)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;
	int ok;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "test_store: %s", PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	r = PQexec(c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "test_store: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok ? 0 : -1;
}

static struct store *open_store(void)
{
	const char *loc = getenv("BOTLENS_STORE");
	char err[512];
	struct store *s;

	if (loc && *loc) {
		if (pg_empty(loc) < 0)
			return NULL;
	} else {
		snprintf(tmpdir, sizeof tmpdir, "/tmp/test_store.XXXXXX");
		if (!mkdtemp(tmpdir))
			return NULL;
		loc = tmpdir;
	}
	s = store_open(loc, err, sizeof err);
	if (!s)
		fprintf(stderr, "test_store: %s\n", err);
	return s;
}

static void test_open(void)
{
	int from = -1;

	TEST("open and migrate")
	CHECK(store_migrate(st, &from) == 0);
	CHECK(from == STORE_SCHEMA_VERSION);
	CHECK_STR(store_status_name(STORE_FAILED), "failed");
}

/* SQLite: a data directory from a newer botlens is refused, not altered. */
static void test_newer_schema(void)
{
	char d[160], err[512], path[200];
	struct store *s2;
	sqlite3 *db = NULL;

	TEST("sqlite: a newer schema is refused")
	snprintf(d, sizeof d, "%s/newer", tmpdir);
	s2 = store_open(d, err, sizeof err);
	CHECK(s2 != NULL);
	store_close(s2);
	snprintf(path, sizeof path, "%s/botlens.db", d);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK &&
	      sqlite3_exec(db, "UPDATE schema_version SET version = 99", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	s2 = store_open(d, err, sizeof err);
	CHECK(s2 == NULL);
	CHECK(strstr(err, "schema version 99 is newer") != NULL);
	store_close(s2);
}

int main(void)
{
	st = open_store();
	if (!st)
		return 1;
	is_sqlite = strcmp(store_backend(st), "sqlite") == 0;
	test_open();
	test_blobs();
	if (is_sqlite) {
		test_blob_corrupt();
		test_blob_gc();
		test_newer_schema();
	}
	test_blob_files();
	test_runs();
	test_jobs_basic();
	test_jobs_lease();
	test_jobs_retry();
	test_flows(test_outcome());
	test_meta_stats();
	store_close(st);
	if (tmpdir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "test_store: cannot remove %s\n", tmpdir);
	}
	return harness_report("store");
}
