/*
 * test_worker.c - the analysis workers end to end (store/worker.h) on a
 * fresh store: a pool of two workers analyses a synthetic Storm capture
 * (results, behavior kinds spam and p2p, flows), behavior reports against
 * a model learnt here (family; the cluster job follows), a malformed
 * capture (fails alone with the reader's error), and jobs run by stand-in
 * binaries that sleep (killed at the time limit) or crash (the signal's
 * name).  Waiting polls the store's state until a bounded deadline.
 *
 *   BOTLENS        the botlens binary (default: ../botlens beside this test)
 *   BOTLENS_STORE  the store (default: a temporary SQLite directory)
 * tests/scripts/store.sh runs it against the sanitizer build.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "behavior/behavior.h"
#include "harness.h"
#include "store/store.h"
#include "store/worker.h"

static char dir[64], botlens[PATH_MAX], loc[PATH_MAX + 16];
static struct store *st;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[3 * PATH_MAX];

	snprintf(cmd, sizeof cmd, fmt, botlens, a, b);
	return system(cmd);
}

/* A run from a local file; its id. */
static int64_t submit(const char *path, const char *name, int type)
{
	struct store_run in;
	int64_t id = 0;
	bool existed;

	memset(&in, 0, sizeof in);
	if (store_blob_from_file(st, path, in.sha, &in.size) < 0) {
		fprintf(stderr, "test_worker: %s\n", store_error(st));
		return 0;
	}
	snprintf(in.name, sizeof in.name, "%s", name);
	in.type = type;
	return store_run_add(st, &in, &id, &existed) < 0 ? 0 : id;
}

/* Polls until run id is done or failed, at most `limit` seconds. */
static int wait_run(int64_t id, double limit, struct store_run *r)
{
	double end = now() + limit;
	struct timespec ts = { 0, 50 * 1000000L };

	while (now() < end) {
		if (store_run_get(st, id, r) == 1 && (r->status == STORE_DONE || r->status == STORE_FAILED))
			return r->status;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "  worker: %s\n", line);
}

/* Writes report i of the synthetic families into path. */
static unsigned write_report(const struct bh_synth_opts *o, size_t i, const char *path)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f = fopen(path, "w");
	unsigned fam = bh_synth_report(o, i, &buf, &len, &cap);

	if (f) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
	free(buf);
	return fam;
}

/* Training reports (NAME.FAMILY) for a model, and three new ones. */
static void make_reports(void)
{
	struct bh_synth_opts o = { .families = 3, .per_family = 20, .events = 150, .noise = 0.2, .seed = 3 };
	char path[PATH_MAX], fam[32];

	snprintf(path, sizeof path, "%s/train", dir);
	mkdir(path, 0700);
	for (size_t i = 0; i < 45; i++) {
		char tmp[PATH_MAX + 64];
		snprintf(tmp, sizeof tmp, "%s/train/r%zu", dir, i);
		bh_synth_family(write_report(&o, i, tmp), fam, sizeof fam);
		snprintf(path, sizeof path, "%s.%s", tmp, fam);
		rename(tmp, path);
	}
	for (size_t i = 45; i < 48; i++) {
		snprintf(path, sizeof path, "%s/new%zu.txt", dir, i);
		write_report(&o, i, path);
	}
}

struct names { char list[512]; };

static int add_name(void *ctx, const struct store_result *r)
{
	struct names *n = ctx;
	size_t l = strlen(n->list);

	snprintf(n->list + l, sizeof n->list - l, " %s", r->name);
	return 0;
}

static int count_flow(void *ctx, const struct store_flow *f)
{
	(void)f;
	(*(int *)ctx)++;
	return 0;
}

static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static void test_pool(void)
{
	volatile sig_atomic_t stop = 0;
	char path[PATH_MAX + 32], model[PATH_MAX + 32], err[512] = "", meta[80];
	struct worker_cfg cfg = { .location = loc, .self_exe = botlens, .model = model, .jobs = 2, .tmpdir = dir,
				  .lease_s = 30, .time_limit_s = 120, .stop = &stop, .log = log_line };
	struct store_run r;
	struct names n = { "" };
	struct workers *w;
	int64_t cap, bad, rep[3];
	int nflows = 0;

	TEST("inputs")
	snprintf(path, sizeof path, "%s/storm.pcap", dir);
	CHECK(sh("'%s' synth --scenario storm-private -o '%s' --truth /dev/null", path, "") == 0);
	make_reports();
	snprintf(model, sizeof model, "%s/model.txt", dir);
	snprintf(path, sizeof path, "%s/train", dir);
	CHECK(sh("'%s' learn -q '%s' -o '%s'", path, model) == 0);
	snprintf(path, sizeof path, "%s/storm.pcap", dir);
	cap = submit(path, "storm.pcap", STORE_RUN_CAPTURE);
	snprintf(path, sizeof path, "%s/bad.pcap", dir);
	FILE *f = fopen(path, "w");
	fputs("this is not a capture at all, just text\n", f);
	fclose(f);
	bad = submit(path, "bad.pcap", STORE_RUN_CAPTURE);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/new%d.txt", dir, 45 + i);
		rep[i] = submit(path, path + strlen(dir) + 1, STORE_RUN_REPORT);
	}
	CHECK(cap > 0 && bad > 0 && rep[0] > 0 && rep[2] > 0);

	TEST("a pool of two workers")
	w = workers_start(&cfg, err, sizeof err);
	CHECK(w != NULL);
	CHECK(wait_run(cap, 300, &r) == STORE_DONE);
	CHECK(has_word(r.kinds, "spam"));
	CHECK(has_word(r.kinds, "p2p"));
	CHECK(r.hosts >= 1);
	CHECK(r.flows > 0);
	CHECK(store_result_list(st, cap, add_name, &n) == 0);
	CHECK(strstr(n.list, "report.json") && strstr(n.list, "report.html") && strstr(n.list, "plot.png") &&
	      strstr(n.list, "plot.svg") && strstr(n.list, "info.json") && strstr(n.list, "ports.json") &&
	      strstr(n.list, "flows.tsv"));
	{
		struct store_flow_query q = { .run = cap, .port = -1 };
		uint64_t total = 0;
		CHECK(store_flow_list(st, &q, count_flow, &nflows, &total) == 0);
		CHECK(nflows > 0 && total == r.flows);
	}
	CHECK(wait_run(bad, 120, &r) == STORE_FAILED);
	CHECK(strncmp(r.error, "'bad.pcap' is not a capture", 27) == 0);   /* the reader's error, the run's name */
	fprintf(stderr, "  malformed capture: %s\n", r.error);
	for (int i = 0; i < 3; i++) {
		CHECK(wait_run(rep[i], 120, &r) == STORE_DONE);
		CHECK(r.family[0] != '\0');
	}
	fprintf(stderr, "  report family: %s (score %.2f)\n", r.family, r.score);
	{
		double end = now() + 120;
		struct timespec ts = { 0, 50 * 1000000L };
		while (store_meta_get(st, "clusters", meta, sizeof meta) != 1 && now() < end)
			nanosleep(&ts, NULL);
		CHECK(store_meta_get(st, "clusters", meta, sizeof meta) == 1 && strlen(meta) == 64);
	}
	workers_stop(w);
	CHECK(stop == 1);
}

/* A stand-in for botlens: a shell script given `job ... --out DIR ...`. */
static void stand_in(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");

	fprintf(f, "#!/bin/sh\nout=\nwhile [ $# -gt 0 ]; do [ \"$1\" = --out ] && out=$2; shift; done\n%s\n", body);
	fclose(f);
	chmod(path, 0700);
}

static uint64_t mem_limit;      /* of the next one_job, 0 the default */

/* Runs one capture run through a pool whose jobs run `exe`; the run's end. */
static int one_job(const char *exe, unsigned time_limit, int max_attempts, const char *tag, struct store_run *r)
{
	volatile sig_atomic_t stop = 0;
	struct worker_cfg cfg = { .location = loc, .self_exe = exe, .jobs = 1, .time_limit_s = time_limit, .tmpdir = dir,
				  .max_attempts = max_attempts, .mem_limit = mem_limit, .stop = &stop, .log = log_line };
	char path[PATH_MAX + 32], err[512];
	struct workers *w;
	int64_t id;
	int rc;

	snprintf(path, sizeof path, "%s/%s.pcap", dir, tag);
	FILE *f = fopen(path, "w");
	fprintf(f, "capture %s\n", tag);
	fclose(f);
	id = submit(path, path + strlen(dir) + 1, STORE_RUN_CAPTURE);
	if (!(w = workers_start(&cfg, err, sizeof err)))
		return -1;
	rc = wait_run(id, 60, r);
	workers_stop(w);
	fprintf(stderr, "  %s: %s\n", tag, r->error);
	return rc;
}

static void test_limits(void)
{
	char exe[PATH_MAX + 32];
	struct store_run r;
	struct store_stats s;
	uint64_t before;

	TEST("a dead worker's job directory is removed, a live one's kept")
	{
		pid_t dead = fork();
		char gone[PATH_MAX + 64], live[PATH_MAX + 64];
		if (dead == 0)
			_exit(0);
		waitpid(dead, NULL, 0);
		snprintf(gone, sizeof gone, "%s/botlens-job.%ld.abcdef", dir, (long)dead);
		snprintf(live, sizeof live, "%s/botlens-job.%ld.abcdef", dir, (long)getppid());
		CHECK(mkdir(gone, 0700) == 0 && mkdir(live, 0700) == 0);
		snprintf(exe, sizeof exe, "%s/ok.sh", dir);
		stand_in(exe, "echo '{\"results\":[]}' > $out/outcome.json");
		CHECK(one_job(exe, 30, 1, "sweep", &r) == STORE_DONE);
		CHECK(access(gone, F_OK) != 0);
		CHECK(access(live, F_OK) == 0);
		rmdir(live);
	}

	TEST("over its time limit: killed, failed")
	snprintf(exe, sizeof exe, "%s/slow.sh", dir);
	stand_in(exe, "exec sleep 60");
	CHECK(one_job(exe, 1, 1, "slow", &r) == STORE_FAILED);
	CHECK(strstr(r.error, "time limit of 1 s") != NULL);

	TEST("over its memory limit: the allocation fails, the job fails")
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED   /* sanitized builds run their children without RLIMIT_AS (worker_child.c) */
	snprintf(exe, sizeof exe, "%s/hungry.sh", dir);
	stand_in(exe, "exec dd bs=300M count=1 if=/dev/zero of=/dev/null");
	mem_limit = 128u << 20;
	CHECK(one_job(exe, 30, 1, "hungry", &r) == STORE_FAILED);
	CHECK(strstr(r.error, "memory exhausted") != NULL);
	mem_limit = 0;
#endif

	TEST("a crash fails the job with the signal and stderr, retried up to max_attempts")
	CHECK(store_stats(st, &s) == 0);
	before = s.failed_attempts;
	snprintf(exe, sizeof exe, "%s/crash.sh", dir);
	stand_in(exe, "echo 'botlens: about to crash' >&2; kill -SEGV $$");
	CHECK(one_job(exe, 30, 2, "crash", &r) == STORE_FAILED);
	CHECK(strstr(r.error, "SIGSEGV") != NULL);
	CHECK(strstr(r.error, "about to crash") != NULL);
	CHECK(store_stats(st, &s) == 0);
	CHECK_EQ_U(s.failed_attempts - before, 2);

	TEST("an exit status with the child's message")
	snprintf(exe, sizeof exe, "%s/exit5.sh", dir);
	stand_in(exe, "echo 'botlens: out of memory' >&2; exit 5");
	CHECK(one_job(exe, 30, 1, "exit5", &r) == STORE_FAILED);
	CHECK_STR(r.error, "analysis failed (exit 5): botlens: out of memory");
	CHECK(store_stats(st, &s) == 0);
	before = s.failed_attempts;
	snprintf(exe, sizeof exe, "%s/exit.sh", dir);
	stand_in(exe, "echo \"botlens: 'x.pcap': not a capture\" >&2; exit 3");
	CHECK(one_job(exe, 30, 3, "exit", &r) == STORE_FAILED);
	CHECK_STR(r.error, "'x.pcap': not a capture");    /* exit 3: the input refused, no retry */
	CHECK(store_stats(st, &s) == 0);
	CHECK_EQ_U(s.failed_attempts - before, 1);

	TEST("an outcome naming a path is refused")
	snprintf(exe, sizeof exe, "%s/evil.sh", dir);
	stand_in(exe, "echo '{\"results\":[{\"name\":\"../../etc/passwd\"}]}' > $out/outcome.json");
	CHECK(one_job(exe, 30, 1, "evil", &r) == STORE_FAILED);
	CHECK(strstr(r.error, "outside the allowed") != NULL);

	TEST("a result that is a symbolic link is refused")
	snprintf(exe, sizeof exe, "%s/link.sh", dir);
	stand_in(exe, "ln -s /etc/passwd $out/report.json; echo '{\"results\":[{\"name\":\"report.json\"}]}' > $out/outcome.json");
	CHECK(one_job(exe, 30, 1, "link", &r) == STORE_FAILED);
	CHECK(strstr(r.error, "not a file the analysis wrote") != NULL);

	TEST("an outcome that is not JSON is refused")
	snprintf(exe, sizeof exe, "%s/junk.sh", dir);
	stand_in(exe, "printf '{\"results\":[' > $out/outcome.json");
	CHECK(one_job(exe, 30, 1, "junk", &r) == STORE_FAILED);
	CHECK(strstr(r.error, "not a JSON object") != NULL);
}

/* The botlens binary: $BOTLENS, else ../botlens beside this test. */
static int find_botlens(void)
{
	const char *env = getenv("BOTLENS");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return realpath(env, botlens) ? 0 : -1;
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(botlens, sizeof botlens, "%s/../botlens", self);
	return access(botlens, X_OK);
}

/* Under LeakSanitizer the children would report fontconfig's one cached
 * pattern (tests/lsan.supp) and exit non-zero: the suppressions of the
 * source tree this test was built in, unless the caller chose some. */
static void lsan_suppressions(void)
{
	char self[PATH_MAX], supp[PATH_MAX + 64], opt[PATH_MAX + 128];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (getenv("LSAN_OPTIONS") || n <= 0)
		return;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(supp, sizeof supp, "%s/../../tests/lsan.supp", self);
	if (access(supp, R_OK) == 0) {
		snprintf(opt, sizeof opt, "suppressions=%s:print_suppressions=0", supp);
		setenv("LSAN_OPTIONS", opt, 0);
	}
}

int main(void)
{
	const char *env = getenv("BOTLENS_STORE");
	char err[512], cmd[128];

	lsan_suppressions();

	snprintf(dir, sizeof dir, "/tmp/test_worker.XXXXXX");
	if (find_botlens() < 0 || !mkdtemp(dir)) {
		fprintf(stderr, "test_worker: no botlens binary (set BOTLENS) or no temporary directory\n");
		return 1;
	}
	snprintf(loc, sizeof loc, "%s", env && *env ? env : dir);
	if (!env || !*env)
		snprintf(loc, sizeof loc, "%s/store", dir);
	if (!(st = store_open(loc, err, sizeof err))) {
		fprintf(stderr, "test_worker: %s\n", err);
		return 1;
	}
	test_pool();
	test_limits();
	store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_worker: cannot remove %s\n", dir);
	return harness_report("worker");
}
