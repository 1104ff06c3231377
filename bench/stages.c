/*
 * stages.c - the serial cost of each stage of a `botlens flows` pass.
 *
 * Runs the engine's pass (engine/run.h) in one thread on FILE, with its
 * batches and prefetching as `botlens flows --threads 1` has them, but
 * stopping after a stage:
 *   read   records read, filtered, counted and decoded (no flow table)
 *   flows  the same plus the flow table: lookups, creation, TCP state,
 *          expiry; ended flows go to no subscriber (no rows written)
 * `botlens flows --threads 1 -q -o /dev/null FILE` adds the rows; the
 * differences are the stages' costs (bench/stages.sh).  Prints
 * "records flows".
 *
 * usage: stages read|flows FILE
 */
#include <stdio.h>
#include <string.h>

#include "engine/run.h"

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "read") && strcmp(argv[1], "flows"))) {
		fprintf(stderr, "usage: stages read|flows FILE\n");
		return 2;
	}
	struct run_opts o = { .reader = CAP_READER_NATIVE, .threads = 1, .track_flows = !strcmp(argv[1], "flows") };
	flow_cfg_default(&o.flow);
	struct run r;
	char err[CAP_ERRLEN];
	if (run_open(&r, argv[2], &o, err, sizeof err) != CAP_OK) {
		fprintf(stderr, "stages: %s\n", err);
		return 1;
	}
	int rc = run_loop(&r, NULL, 0);
	if (rc != CAP_EOF) {
		fprintf(stderr, "stages: %s\n", r.err);
		run_close(&r);
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)r.records,
	       (unsigned long long)(r.flows ? flowtab_total(r.flows) : 0));
	run_close(&r);
	return 0;
}
