/*
 * web_fixture.c - a store for bench/web_load.sh without analysing a
 * thousand captures: one real analysis (analyse_run on CAPTURE) whose
 * results (report, plot, ports, flows) every fixture run shares, RUNS runs
 * finished through the ordinary job calls (store_run_add, store_job_claim,
 * store_job_finish), and one more run of BIGFLOWS synthetic flows (the
 * "first flows page of a 1-million-flow run" figure).  Prints the big
 * run's id.
 *
 *   web_fixture DATA CAPTURE RUNS BIGFLOWS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "store/store.h"
#include "store/worker.h"

static const char *const names[] = { "info.json", "plot.png", "plot.svg", "ports.json", "report.json", "report.html",
				     "flows.tsv" };
#define NRES (sizeof names / sizeof *names)

static int add_run(struct store *s, const char *name, const char *content, int64_t *id)
{
	struct store_blob_w *w = store_blob_create(s);
	struct store_run run = { .type = STORE_RUN_CAPTURE, .submitted = time(NULL) };
	bool existed;

	if (!w || store_blob_write(w, content, strlen(content)) || store_blob_commit(w, run.sha, &run.size))
		return -1;
	snprintf(run.name, sizeof run.name, "%s", name);
	snprintf(run.tags, sizeof run.tags, "fixture bench");
	return store_run_add(s, &run, id, &existed);
}

static int finish(struct store *s, int64_t id, struct store_result *res, size_t nres, const char *tsv,
		  const char *kinds, const struct store_term *terms, size_t nterms)
{
	struct store_job j;

	if (store_job_claim(s, "fixture", 600, &j) != 1 || j.run_id != id) {
		fprintf(stderr, "web_fixture: claimed the wrong job (run %lld, not %lld)\n", (long long)j.run_id, (long long)id);
		return -1;
	}
	struct store_outcome o = { .results = res, .nresults = nres, .kinds = kinds, .hosts = 1, .terms = terms,
				   .nterms = nterms, .flows_tsv = tsv, .family = id % 3 ? NULL : "storm", .score = 1.5 };
	return store_job_finish(s, &j, &o);
}

static int big_tsv(const char *path, long n)
{
	FILE *f = fopen(path, "w");
	uint32_t x = 12345;

	if (!f)
		return -1;
	for (long i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		unsigned peer = (x >> 8) % 250000, dport = i % 10 == 0 ? 25 : 1024 + (x >> 4) % 64000;
		fprintf(f, "%.6f\t0.5\t%u\t192.168.1.10\t%ld\t198.%u.%u.%u\t%u\t3\t2\t300\t200\t-\tSF\n",
			1200000000.0 + (double)i / 100, i % 4 ? 17 : 6, 1024 + i % 60000, peer >> 16, (peer >> 8) & 255,
			peer & 255, dport);
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	char err[512], dir[] = "/tmp/web_fixture.XXXXXX", path[600], tsv[600];
	struct store_result res[NRES];

	if (argc != 5) {
		fprintf(stderr, "usage: web_fixture DATA CAPTURE RUNS BIGFLOWS\n");
		return 2;
	}
	long runs = atol(argv[3]), big = atol(argv[4]);
	struct store *s = store_open(argv[1], err, sizeof err);
	if (!s || !mkdtemp(dir)) {
		fprintf(stderr, "web_fixture: %s\n", s ? "mkdtemp failed" : err);
		return 1;
	}
	if (analyse_run(argv[2], STORE_RUN_CAPTURE, "fixture.pcap", NULL, dir, err, sizeof err)) {
		fprintf(stderr, "web_fixture: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < NRES; i++) {
		memset(&res[i], 0, sizeof res[i]);
		snprintf(res[i].name, sizeof res[i].name, "%s", names[i]);
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (store_blob_from_file(s, path, res[i].sha, &res[i].size)) {
			fprintf(stderr, "web_fixture: %s: %s\n", path, store_error(s));
			return 1;
		}
	}
	snprintf(tsv, sizeof tsv, "%s/flows.store.tsv", dir);
	struct store_term terms[] = { { "addr", "192.168.152.136" }, { "domain", "fixture.example" }, { "kind", "spam" } };
	for (long i = 0; i < runs; i++) {
		char name[64], content[64];
		int64_t id;
		snprintf(name, sizeof name, "fixture-%04ld.pcap", i);
		snprintf(content, sizeof content, "fixture run %ld\n", i);
		if (add_run(s, name, content, &id) || finish(s, id, res, NRES, tsv, "dns p2p spam download", terms, 3)) {
			fprintf(stderr, "web_fixture: run %ld: %s\n", i, store_error(s));
			return 1;
		}
	}
	int64_t id = 0;
	if (big > 0) {
		snprintf(tsv, sizeof tsv, "%s/big.tsv", dir);
		if (big_tsv(tsv, big) || add_run(s, "million-flows.pcap", "the big run\n", &id) ||
		    finish(s, id, res, NRES, tsv, "p2p spam", terms, 3)) {
			fprintf(stderr, "web_fixture: big run: %s\n", store_error(s));
			return 1;
		}
	}
	printf("%lld\n", (long long)id);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path)) {}
	store_close(s);
	return 0;
}
