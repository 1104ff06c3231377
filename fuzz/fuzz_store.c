/*
 * fuzz_store.c - libFuzzer harness for what the store takes from an
 * analysis child (untrusted: it parsed hostile input), against a SQLite
 * store in a temporary directory (under /dev/shm when there is one).
 * Byte 0 chooses:
 *   even  the rest is a flows TSV handed to store_job_finish (the
 *         checked loader, sqlite_flow.c); a load that succeeds must list
 *         back as many flows as it counted, each with both addresses
 *   odd   the rest is a job's outcome.json read by the worker
 *         (worker_outcome.c) beside a regular report.json and a symbolic
 *         link named plot.png; what it accepts must name only those
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "store/worker-int.h"

static struct store *st;
static char dir[64], tsv[96];
static struct wk_job job;
static struct worker_cfg cfg;
static int64_t run;

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb, (void)flag, (void)f;
	return remove(path), 0;
}

/* The temporary store goes when libFuzzer exits. */
static void cleanup(void)
{
	store_close(st);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	char err[512], path[160];
	struct store_run in = { .type = STORE_RUN_CAPTURE, .size = 1 };
	bool existed;

	snprintf(dir, sizeof dir, "%s/fuzz_store.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir) || !(st = store_open(dir, err, sizeof err)))
		abort();
	memset(in.sha, 'a', 64);
	snprintf(in.name, sizeof in.name, "fuzz.pcap");
	if (store_run_add(st, &in, &run, &existed) < 0)
		abort();
	snprintf(tsv, sizeof tsv, "%s/flows.tsv", dir);
	snprintf(job.dir, sizeof job.dir, "%s/job", dir);
	snprintf(path, sizeof path, "%s/out", job.dir);
	mkdir(job.dir, 0700);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/out/report.json", job.dir);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs("{}", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/out/plot.png", job.dir);
	if (symlink("/etc/passwd", path) < 0)
		abort();
	job.s = st;
	job.cfg = &cfg;
	atexit(cleanup);
}

static int count(void *ctx, const struct store_flow *f)
{
	if (!f->orig[0] || !f->resp[0])
		abort();
	(*(uint64_t *)ctx)++;
	return 0;
}

static void flows(const uint8_t *data, size_t size)
{
	struct store_outcome o = { .flows_tsv = tsv };
	struct store_flow_query q = { .run = run, .port = -1, .limit = 10000 };
	struct store_run r;
	struct store_job j;
	uint64_t listed = 0, total = 0;
	FILE *f = fopen(tsv, "w");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	store_job_enqueue(st, "analyse", run);
	if (store_job_claim(st, "fuzz", 60, &j) != 1)
		abort();
	if (store_job_finish(st, &j, &o) != 0) {
		store_job_fail(st, &j, "fuzz", 1);
		return;
	}
	if (store_run_get(st, run, &r) != 1 || store_flow_list(st, &q, count, &listed, &total) < 0)
		abort();
	if (total != r.flows || listed != (r.flows < 10000 ? r.flows : 10000))
		abort();
}

static void outcome(const uint8_t *data, size_t size)
{
	char path[160];
	struct wk_outcome *o = malloc(sizeof *o);
	FILE *f;

	snprintf(path, sizeof path, "%s/out/outcome.json", job.dir);
	if (!o || !(f = fopen(path, "w")) || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (wk_outcome_read(&job, o) == 0)
		for (size_t i = 0; i < o->nresults; i++)
			if (strcmp(o->results[i].name, "report.json") != 0)
				abort();
	wk_outcome_free(o);
	free(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!st)
		setup();
	if (size == 0)
		return 0;
	if (data[0] % 2 == 0)
		flows(data + 1, size - 1);
	else
		outcome(data + 1, size - 1);
	return 0;
}
