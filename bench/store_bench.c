/*
 * store_bench.c - the store's figures for bench/RESULTS.md: blob write and
 * read throughput, loading a run of N flows (store_job_finish with a flows
 * TSV), and the time of the first flows page, unfiltered and filtered
 * (the run page's target: < 200 ms on 1,000,000 flows).
 *
 *   store_bench LOCATION [NFLOWS] [BLOB_MB]
 *
 * LOCATION is a fresh data directory or a postgresql:// URL (an empty
 * database).  The flows look like a sandbox run: one sandbox host as the
 * originator of almost every flow, a few hundred thousand peers, ports
 * spread like a P2P bot's.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int write_tsv(const char *path, long n)
{
	FILE *f = fopen(path, "w");
	uint32_t x = 12345;

	if (!f)
		return -1;
	for (long i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		unsigned peer = (x >> 8) % 250000, dport = i % 10 == 0 ? 25 : 1024 + (x >> 4) % 64000;
		fprintf(f, "%.6f\t0.5\t%u\t%s\t%ld\t198.%u.%u.%u\t%u\t3\t2\t300\t200\t-\tSF\n",
			1200000000.0 + (double)i / 100, i % 4 ? 17 : 6, i % 1000 ? "192.168.1.10" : "192.168.1.11",
			1024 + i % 60000, peer >> 16, (peer >> 8) & 255, peer & 255, dport);
	}
	return fclose(f);
}

/* Another connection writing while the flows load: its worst wait. */
struct writer { const char *loc; volatile int stop; double worst; long n; };

static void *write_meta(void *arg)
{
	struct writer *w = arg;
	char err[512];
	struct store *s = store_open(w->loc, err, sizeof err);

	while (s && !w->stop) {
		double t0 = now();
		struct timespec ts = { 0, 100 * 1000000L };
		store_meta_set(s, "bench", "x");
		if (now() - t0 > w->worst)
			w->worst = now() - t0;
		w->n++;
		nanosleep(&ts, NULL);
	}
	store_close(s);
	return NULL;
}

static int nop(void *ctx, const struct store_flow *f) { (*(int *)ctx)++; return 0; }

static void page(struct store *s, int64_t run, const char *what, const char *addr, int port, int proto)
{
	struct store_flow_query q = { .run = run, .addr = addr, .port = port, .proto = proto, .limit = 100 };
	int n = 0;
	double t0 = now();

	if (store_flow_list(s, &q, nop, &n, NULL) < 0)
		fprintf(stderr, "store_bench: %s\n", store_error(s));
	printf("first page %-28s %3d rows %8.2f ms\n", what, n, (now() - t0) * 1e3);
}

static void blobs(struct store *s, int mb)
{
	static char buf[1 << 20];
	struct store_blob_w *w = store_blob_create(s);
	struct store_blob_r *r;
	char sha[STORE_SHA_HEX];
	uint64_t size;
	double t0 = now();

	memset(buf, 'x', sizeof buf);
	for (int i = 0; w && i < mb; i++) {
		buf[0] = (char)i;
		store_blob_write(w, buf, sizeof buf);
	}
	if (!w || store_blob_commit(w, sha, &size) < 0)
		return;
	printf("blob write %d MiB: %.0f MiB/s\n", mb, mb / (now() - t0));
	t0 = now();
	if (store_blob_open(s, sha, &r, &size) == 1) {
		while (store_blob_read(r, buf, sizeof buf) > 0)
			;
		store_blob_close(r);
	}
	printf("blob read  %d MiB: %.0f MiB/s\n", mb, mb / (now() - t0));
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	char err[512], tsv[64] = "/tmp/store_bench.XXXXXX";
	struct store_run in = { .type = STORE_RUN_CAPTURE };
	struct store_job j;
	struct store *s;
	int64_t run;
	bool existed;
	double t0;
	int fd;

	if (argc < 2 || !(s = store_open(argv[1], err, sizeof err)))
		return fprintf(stderr, "usage: store_bench LOCATION [NFLOWS] [BLOB_MB]%s%s\n", argc < 2 ? "" : ": ",
			       argc < 2 ? "" : err), 2;
	blobs(s, argc > 3 ? atoi(argv[3]) : 64);
	memset(in.sha, 'a', 64);
	snprintf(in.name, sizeof in.name, "bench.pcap");
	if ((fd = mkstemp(tsv)) < 0 || close(fd) < 0 || write_tsv(tsv, n) < 0)
		return 1;
	if (store_run_add(s, &in, &run, &existed) < 0 || store_job_claim(s, "bench", 3600, &j) != 1)
		return fprintf(stderr, "store_bench: %s\n", store_error(s)), 1;
	struct writer wr = { .loc = argv[1] };
	pthread_t th;
	if (!getenv("NO_WRITER"))
		pthread_create(&th, NULL, write_meta, &wr);
	else
		wr.stop = 1;
	t0 = now();
	struct store_outcome o = { .flows_tsv = tsv };
	if (store_job_finish(s, &j, &o) != 0)
		return fprintf(stderr, "store_bench: %s\n", store_error(s)), 1;
	double took = now() - t0;
	wr.stop = 1;
	if (!getenv("NO_WRITER"))
		pthread_join(th, NULL);
	printf("load %ld flows: %.1f s (%.0f flows/s); another writer meanwhile: %ld writes, worst wait %.2f s\n",
	       n, took, n / took, wr.n, wr.worst);
	unlink(tsv);
	page(s, run, "(all)", NULL, -1, 0);
	page(s, run, "addr=sandbox (most)", "192.168.1.10", -1, 0);
	page(s, run, "addr=second host (0.1%)", "192.168.1.11", -1, 0);
	page(s, run, "port=25 (10%)", NULL, 25, 0);
	page(s, run, "proto=6 (25%)", NULL, -1, 6);
	page(s, run, "addr=sandbox port=25", "192.168.1.10", 25, 0);
	page(s, run, "addr=rare port=25 proto=6", "192.168.1.11", 25, 6);
	page(s, run, "addr=absent", "203.0.113.1", -1, 0);
	store_close(s);
	return 0;
}
