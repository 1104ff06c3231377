/*
 * worker.h - analysis workers: claim a job from the store, analyse its run
 * in an isolated child process, write the outcome back (`botlens serve
 * --workers N` runs them as threads; `botlens worker` runs them alone
 * against a shared PostgreSQL store).
 *
 * A job's analysis runs in a child process: the worker copies the run's
 * file from the store into a private temporary directory, then runs
 * `cfg->self_exe job ...` (the hidden subcommand `botlens job`, which calls
 * analyse_run() below) under setrlimit (address space, CPU time, file
 * size) and a wall-clock limit; a child that crashes or runs over fails
 * alone, with its error recorded on the job.  The worker thread renews the
 * job's lease while the child runs, stores the result files as blobs and
 * finishes the job (store_job_finish) with the outcome the child wrote.
 */
#ifndef BOTLENS_WORKER_H
#define BOTLENS_WORKER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct worker_cfg {
	const char *location;       /* the store (store_open) */
	const char *model;          /* behavior model for classify, NULL none */
	const char *self_exe;       /* the botlens binary to run jobs with; NULL = /proc/self/exe */
	const char *tmpdir;         /* NULL = $TMPDIR or /tmp */
	const char *name;           /* worker name prefix; NULL = hostname:pid */
	unsigned jobs;              /* concurrent jobs (threads); 0 = 1 */
	int lease_s;                /* 0 = 30; renewed every lease_s/3 */
	int max_attempts;           /* 0 = 3 */
	unsigned time_limit_s;      /* per job, 0 = 600 */
	uint64_t mem_limit;         /* per job address space, 0 = 4 GiB */
	volatile sig_atomic_t *stop; /* set non-zero to stop after the current jobs */
	/* one line per job event ("job 12 run 7 done in 1.2 s"), NULL = silent */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

/* A pool of worker threads in the caller's process (`serve`).  NULL on
 * error.  workers_stop() sets the stop flag, wakes and joins them; jobs
 * still running are left to their lease (or store_job_recover). */
struct workers;
struct workers *workers_start(const struct worker_cfg *cfg, char *err, size_t errlen);
void workers_stop(struct workers *w);

/* Runs cfg->jobs workers until *cfg->stop (`botlens worker`); returns 0,
 * or -1 with a message when the store cannot be reached at all. */
int workers_run(const struct worker_cfg *cfg, char *err, size_t errlen);

/*
 * What one job computes (the child's side, no store involved): analyses
 * the file at `path` (type: enum store_run_type) and writes into the
 * existing directory `outdir` the result files and `outcome.json`:
 *   { "results": [ { "name": "report.json", "ctype": "application/json" }, ... ],
 *     "family": "...", "score": 1.5, "kinds": "spam p2p", "hosts": 1,
 *     "terms": [ { "kind": "addr", "value": "10.0.0.1" }, ... ],
 *     "flows_tsv": "flows.store.tsv" }
 * Captures: info.json, plot.png, plot.svg, ports.json, report.json,
 * report.html, flows.tsv (Zeek-like, for download) and the flows table
 * in the STORE_FLOW_COLUMNS format; behavior reports: classify.json
 * against `model` when given.  0 or -1 with the reader's message in err.
 */
int analyse_run(const char *path, int type, const char *display_name, const char *model,
		const char *outdir, char *err, size_t errlen);

/*
 * The store-wide "cluster" job: clusters every behavior report given
 * (paths, with their run ids) and writes `clusters.json` into outdir:
 *   { "clusters": [ { "id": 1, "prototype": RUN, "members": [RUN, ...] } ],
 *     "rejected": [RUN, ...] }
 */
int analyse_cluster(const char *const *paths, const int64_t *runs, size_t n,
		    const char *outdir, char *err, size_t errlen);

#endif
