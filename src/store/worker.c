/*
 * worker.c - the analysis workers (worker.h): threads, each with its own
 * store connection, that claim a job, give its input to an isolated
 * child (worker_child.c), read the child's outcome (worker_outcome.c)
 * and finish or fail the job.
 *
 * A job's steps, in its private directory TMPDIR/botlens-job.PID.XXXXXX:
 *   analyse  the run's file copied to DIR/input, `botlens job --type
 *            capture|report [--model M] --name NAME --out DIR/out DIR/input`;
 *            a finished behavior report queues the store-wide cluster job
 *   cluster  every done behavior report copied to DIR/in/<run id>,
 *            `botlens job --type cluster --out DIR/out DIR/in`; the
 *            clusters.json blob is named in meta "clusters" (run 0 is no run)
 * then the result files become blobs and store_job_finish() writes the
 * outcome under the lease check.  Any failure is store_job_fail() with the
 * reason (the child's stderr tail, its signal, the limit it hit).  A job
 * claimed more than max_attempts times (its workers kept dying) is failed
 * without running.  The directory is removed at the end either way; a
 * starting pool removes those of processes that died.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/worker-int.h"

struct workers;

struct wk_thread {
	struct workers *w;
	pthread_t th;
	bool started;
	char name[96];
};

struct workers {
	struct worker_cfg cfg;          /* defaults filled, stop pointing at a live flag */
	volatile sig_atomic_t own_stop;
	char self[PATH_MAX];
	char host[64];
	struct wk_thread *t;
	unsigned n;
};

static void wk_log(const struct worker_cfg *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wk_log(const struct worker_cfg *c, const char *fmt, ...)
{
	char line[WK_ERRLEN + 200];
	va_list ap;

	if (!c->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	c->log(c->log_ctx, line);
}

static double secs_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Job directories of workers that died (kill -9, a crash) stay behind:
 * their name holds the pid of the process that made them, and a pool
 * starting removes those whose process is gone. */
static void sweep_dead_dirs(const char *tmpdir)
{
	char path[PATH_MAX + 300];
	struct dirent *e;
	DIR *d = opendir(tmpdir);

	while (d && (e = readdir(d)) != NULL) {
		char *end;
		long pid;
		if (strncmp(e->d_name, "botlens-job.", 12) != 0)
			continue;
		pid = strtol(e->d_name + 12, &end, 10);
		if (end == e->d_name + 12 || *end != '.' || pid <= 0 || pid == (long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
		rm_tree(path);
	}
	if (d)
		closedir(d);
}

/* Makes the job's directory and DIR/out. */
static int job_dir(struct wk_job *k)
{
	char out[PATH_MAX + 8];

	snprintf(k->dir, sizeof k->dir, "%s/botlens-job.%ld.XXXXXX", k->cfg->tmpdir, (long)getpid());
	if (!mkdtemp(k->dir)) {
		snprintf(k->err, sizeof k->err, "cannot create a directory in '%s': %s", k->cfg->tmpdir, strerror(errno));
		k->dir[0] = '\0';
		return -1;
	}
	snprintf(out, sizeof out, "%s/out", k->dir);
	if (mkdir(out, 0700) < 0) {
		snprintf(k->err, sizeof k->err, "cannot create '%s': %s", out, strerror(errno));
		return -1;
	}
	return 0;
}

/* Writes the outcome under the lease; the cluster job names its blob in
 * meta "clusters" first.  0 done, 1 lease lost, -1 error (err). */
static int job_finish(struct wk_job *k, struct wk_outcome *wo)
{
	struct store_outcome o = { .results = wo->results, .nresults = wo->nresults,
				   .family = wo->has_family ? wo->family : NULL, .score = wo->score,
				   .kinds = wo->kinds[0] ? wo->kinds : NULL, .hosts = wo->hosts,
				   .terms = wo->terms, .nterms = wo->nterms,
				   .flows_tsv = wo->flows[0] ? wo->flows : NULL };
	int rc;

	if (k->j.run_id == 0) {
		for (size_t i = 0; i < wo->nresults; i++)
			if (!strcmp(wo->results[i].name, "clusters.json") &&
			    store_meta_set(k->s, "clusters", wo->results[i].sha) < 0)
				goto fail;
		o.nresults = 0;
	}
	rc = store_job_finish(k->s, &k->j, &o);
	if (rc >= 0)
		return rc;
fail:
	snprintf(k->err, sizeof k->err, "storing the outcome: %s", store_error(k->s));
	return -1;
}

/* Runs the child on args, then reads and stores its outcome. */
static int job_child_and_finish(struct wk_job *k, char *const *args)
{
	struct wk_outcome *wo;
	int rc = wk_child_run(k, args);

	if (rc != 0)
		return rc;
	if (!(wo = malloc(sizeof *wo))) {
		snprintf(k->err, sizeof k->err, "out of memory");
		return -1;
	}
	rc = wk_outcome_read(k, wo);
	if (rc == 0)
		rc = job_finish(k, wo);
	wk_outcome_free(wo);
	free(wo);
	return rc;
}

/* A capture's input as DIR/input.pcap, or DIR/input.pcap.gz when it is
 * gzip-compressed: the network profile reader (behavior/netprofile.c)
 * takes a gzip file for a capture by that name only.  Keeps the old name
 * when the rename fails (the analysis still reads it). */
static void input_capture_name(char *input, size_t len)
{
	unsigned char m[2] = { 0, 0 };
	char to[PATH_MAX + 32];
	FILE *f = fopen(input, "rbe");

	if (f) {
		if (fread(m, 1, 2, f) != 2)
			m[0] = 0;
		fclose(f);
	}
	snprintf(to, sizeof to, "%s%s", input, m[0] == 0x1f && m[1] == 0x8b ? ".pcap.gz" : ".pcap");
	if (strlen(to) < len && rename(input, to) == 0)
		snprintf(input, len, "%s", to);
}

/* The "analyse" job: the run's file through `botlens job`. */
static int job_analyse(struct wk_job *k)
{
	char input[PATH_MAX + 16], out[PATH_MAX + 16], self[PATH_MAX];
	struct store_run r;
	char *args[16];
	int n = 0, rc = store_run_get(k->s, k->j.run_id, &r);

	if (rc <= 0) {
		snprintf(k->err, sizeof k->err, "run %" PRId64 ": %s", k->j.run_id, rc ? store_error(k->s) : "no such run");
		return -1;
	}
	snprintf(input, sizeof input, "%s/input", k->dir);
	snprintf(out, sizeof out, "%s/out", k->dir);
	snprintf(self, sizeof self, "%s", k->cfg->self_exe);
	if (store_blob_to_file(k->s, r.sha, input) < 0) {
		snprintf(k->err, sizeof k->err, "run %" PRId64 ": %s", r.id, store_error(k->s));
		return -1;
	}
	if (r.type == STORE_RUN_CAPTURE)
		input_capture_name(input, sizeof input);
	args[n++] = self, args[n++] = "job", args[n++] = "--type";
	args[n++] = r.type == STORE_RUN_REPORT ? "report" : "capture";
	if (k->cfg->model)   /* captures too: their network profile, when the model has network families */
		args[n++] = "--model", args[n++] = (char *)k->cfg->model;
	args[n++] = "--name", args[n++] = r.name, args[n++] = "--out", args[n++] = out;
	args[n++] = "--", args[n++] = input, args[n] = NULL;
	rc = job_child_and_finish(k, args);
	if (rc == 0 && r.type == STORE_RUN_REPORT && store_job_enqueue(k->s, "cluster", 0) < 0)
		wk_log(k->cfg, "job %" PRId64 ": cannot queue the cluster job: %s", k->j.id, store_error(k->s));
	return rc;
}

struct report_list { int64_t *id; char (*sha)[STORE_SHA_HEX]; size_t n, cap; bool oom; };

static int add_report(void *ctx, const struct store_run *r)
{
	struct report_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		int64_t *id = realloc(l->id, cap * sizeof *id);
		if (id)
			l->id = id;
		char (*sha)[STORE_SHA_HEX] = id ? realloc(l->sha, cap * sizeof *sha) : NULL;
		if (!sha)
			return l->oom = true, 1;
		l->sha = sha, l->cap = cap;
	}
	l->id[l->n] = r->id;
	memcpy(l->sha[l->n++], r->sha, STORE_SHA_HEX);
	return 0;
}

/* Every done behavior report's file into DIR/in/<run id>. */
static int gather_reports(struct wk_job *k, const char *indir)
{
	struct report_list l = { 0 };
	struct store_query q = { .status = STORE_DONE, .type = STORE_RUN_REPORT, .limit = 1000 };
	int rc = 0;

	for (size_t before = 1; rc == 0 && before != l.n && !l.oom; q.offset += 1000) {
		before = l.n;
		rc = store_run_list(k->s, &q, add_report, &l, NULL);
	}
	if (rc < 0 || l.oom)
		snprintf(k->err, sizeof k->err, "listing reports: %s", l.oom ? "out of memory" : store_error(k->s));
	for (size_t i = 0; rc == 0 && !l.oom && i < l.n; i++) {
		char path[PATH_MAX + 64];
		snprintf(path, sizeof path, "%s/%" PRId64, indir, l.id[i]);
		if (store_blob_to_file(k->s, l.sha[i], path) < 0) {
			snprintf(k->err, sizeof k->err, "run %" PRId64 ": %s", l.id[i], store_error(k->s));
			rc = -1;
		}
	}
	free(l.id);
	free(l.sha);
	return rc < 0 || l.oom ? -1 : 0;
}

/* The store-wide "cluster" job. */
static int job_cluster(struct wk_job *k)
{
	char indir[PATH_MAX + 16], out[PATH_MAX + 16], self[PATH_MAX];
	char *args[] = { self, "job", "--type", "cluster", "--out", out, "--", indir, NULL };

	snprintf(indir, sizeof indir, "%s/in", k->dir);
	snprintf(out, sizeof out, "%s/out", k->dir);
	snprintf(self, sizeof self, "%s", k->cfg->self_exe);
	if (mkdir(indir, 0700) < 0) {
		snprintf(k->err, sizeof k->err, "cannot create '%s': %s", indir, strerror(errno));
		return -1;
	}
	if (gather_reports(k, indir) < 0)
		return -1;
	return job_child_and_finish(k, args);
}

/* One claimed job from start to end. */
static void job_run(const struct worker_cfg *cfg, struct store *s, const struct store_job *j)
{
	struct wk_job *k = calloc(1, sizeof *k);
	struct timespec t0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!k)
		return;   /* the lease runs out and the job comes back */
	k->s = s, k->j = *j, k->cfg = cfg;
	if (j->attempts > cfg->max_attempts) {
		snprintf(k->err, sizeof k->err, "given up after %d attempts: its workers stopped or died each time",
			 j->attempts - 1);
		rc = -1;
	} else if (job_dir(k) < 0) {
		rc = -1;
	} else {
		rc = !strcmp(j->kind, "cluster") ? job_cluster(k) : !strcmp(j->kind, "analyse") ? job_analyse(k)
			: (snprintf(k->err, sizeof k->err, "unknown job kind '%s'", j->kind), -1);
	}
	if (rc < 0 && store_job_fail(s, &k->j, k->err, k->permanent ? j->attempts : cfg->max_attempts) < 0)
		wk_log(cfg, "job %" PRId64 ": cannot record its failure: %s", j->id, store_error(s));
	if (rc == 0)
		wk_log(cfg, "job %" PRId64 " %s run %" PRId64 " done in %.1f s", j->id, j->kind, j->run_id, secs_since(&t0));
	else
		wk_log(cfg, "job %" PRId64 " %s run %" PRId64 " %s: %s", j->id, j->kind, j->run_id,
		       rc < 0 ? "failed" : "left", rc == 1 && !k->err[0] ? "lease lost" : k->err);
	rm_tree(k->dir);
	free(k);
}

/* ---- the pool ---- */

/* The stop flag is a sig_atomic_t (a signal handler may set it); threads
 * read it with an atomic load so that they see a store from another
 * thread without a data race. */
static bool stopping(const struct workers *w) { return __atomic_load_n(w->cfg.stop, __ATOMIC_ACQUIRE) != 0; }

/* Sleeps up to ms, waking early when stop is set. */
static void nap(const struct workers *w, int ms)
{
	struct timespec ts = { 0, 50 * 1000000L };

	for (int t = 0; t < ms && !stopping(w); t += 50)
		nanosleep(&ts, NULL);
}

/* One worker thread: its own connection; reconnects after an error. */
static void *wk_main(void *arg)
{
	struct wk_thread *t = arg;
	struct workers *w = t->w;
	struct store *s = NULL;
	struct store_job j;
	char err[512];

	while (!stopping(w)) {
		if (!s && !(s = store_open(w->cfg.location, err, sizeof err))) {
			wk_log(&w->cfg, "%s: %s", t->name, err);
			nap(w, 2000);
			continue;
		}
		int rc = store_job_claim(s, t->name, w->cfg.lease_s, &j);
		if (rc < 0) {
			wk_log(&w->cfg, "%s: %s", t->name, store_error(s));
			store_close(s);
			s = NULL;
			nap(w, 1000);
		} else if (rc == 0) {
			store_job_wait(s, 500);
		} else {
			job_run(&w->cfg, s, &j);
		}
	}
	store_close(s);
	return NULL;
}

/* Fills defaults; the stop flag is the caller's or the pool's own. */
static int pool_init(struct workers *w, const struct worker_cfg *cfg, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	ssize_t n;

	w->cfg = *cfg;
	if (!w->cfg.stop)
		w->cfg.stop = &w->own_stop;
	if (!w->cfg.self_exe) {
		n = readlink("/proc/self/exe", w->self, sizeof w->self - 1);
		if (n <= 0) {
			snprintf(err, errlen, "cannot find the botlens binary: %s", strerror(errno));
			return -1;
		}
		w->self[n] = '\0';
		w->cfg.self_exe = w->self;
	}
	if (!w->cfg.tmpdir)
		w->cfg.tmpdir = tmp && *tmp ? tmp : "/tmp";
	if (!w->cfg.name) {
		char h[48] = "localhost";
		gethostname(h, sizeof h - 1);
		h[sizeof h - 1] = '\0';
		snprintf(w->host, sizeof w->host, "%s:%ld", h, (long)getpid());
		w->cfg.name = w->host;
	}
	w->cfg.jobs = w->cfg.jobs ? w->cfg.jobs : 1;
	w->cfg.lease_s = w->cfg.lease_s > 0 ? w->cfg.lease_s : 30;
	w->cfg.max_attempts = w->cfg.max_attempts > 0 ? w->cfg.max_attempts : 3;
	w->cfg.time_limit_s = w->cfg.time_limit_s ? w->cfg.time_limit_s : 600;
	w->cfg.mem_limit = w->cfg.mem_limit ? w->cfg.mem_limit : (uint64_t)4 << 30;
	return 0;
}

struct workers *workers_start(const struct worker_cfg *cfg, char *err, size_t errlen)
{
	struct workers *w = calloc(1, sizeof *w);

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (pool_init(w, cfg, err, errlen) < 0) {
		free(w);
		return NULL;
	}
	sweep_dead_dirs(w->cfg.tmpdir);
	if (!(w->t = calloc(w->cfg.jobs, sizeof *w->t))) {
		snprintf(err, errlen, "out of memory");
		free(w);
		return NULL;
	}
	for (w->n = 0; w->n < w->cfg.jobs; w->n++) {
		struct wk_thread *t = &w->t[w->n];
		t->w = w;
		snprintf(t->name, sizeof t->name, "%s:%u", w->cfg.name, w->n);
		if (pthread_create(&t->th, NULL, wk_main, t) != 0) {
			snprintf(err, errlen, "cannot start a worker thread: %s", strerror(errno));
			workers_stop(w);
			return NULL;
		}
		t->started = true;
	}
	return w;
}

void workers_stop(struct workers *w)
{
	if (!w)
		return;
	__atomic_store_n(w->cfg.stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < w->n; i++)
		if (w->t[i].started)
			pthread_join(w->t[i].th, NULL);
	free(w->t);
	free(w);
}

int workers_run(const struct worker_cfg *cfg, char *err, size_t errlen)
{
	struct store *s = store_open(cfg->location, err, errlen);
	struct workers *w;

	if (!s)
		return -1;
	store_close(s);
	err[0] = '\0';
	if (!(w = workers_start(cfg, err, errlen)))
		return -1;
	while (!stopping(w))
		nap(w, 1000);
	workers_stop(w);
	return 0;
}
