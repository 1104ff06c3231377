/*
 * cmd_job.c - `botlens job` (internal, not in the help listing): one
 * analysis job in its own process, run by a worker (store/worker.c) under
 * resource limits.  It calls analyse_run() or analyse_cluster() and
 * prints their error; the worker reads DIR/outcome.json on exit 0 and
 * shows this command's stderr when it fails.
 *
 *   botlens job --type capture|report [--model M] --name NAME --out DIR FILE
 *   botlens job --type cluster --out DIR INDIR     (INDIR/<run id>: reports)
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "store/worker.h"

enum { JO_TYPE = 256, JO_MODEL, JO_NAME, JO_OUT };

static const struct cli_opt opts[] = {
	{ "type", 0, "T", "capture, report or cluster", JO_TYPE },
	{ "model", 0, "MODEL", "behavior model for classify", JO_MODEL },
	{ "name", 0, "NAME", "the run's file name, for messages", JO_NAME },
	{ "out", 0, "DIR", "existing directory for the results and outcome.json", JO_OUT },
	{ 0 },
};

struct job_args { const char *type, *model, *name, *out; };

static int opt_cb(void *ctx, int id, const char *arg)
{
	struct job_args *a = ctx;

	if (id == JO_TYPE)
		a->type = arg;
	else if (id == JO_MODEL)
		a->model = arg;
	else if (id == JO_NAME)
		a->name = arg;
	else if (id == JO_OUT)
		a->out = arg;
	return 0;
}

/* A run id as a directory entry's whole name, or 0. */
static int64_t run_of_name(const char *s)
{
	char *end;
	long long v;

	if (*s < '1' || *s > '9')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end ? 0 : (int64_t)v;
}

/* The cluster job: INDIR's entries are reports named by their run. */
static int job_cluster(const char *indir, const char *out)
{
	char **paths = NULL, err[1024];
	int64_t *runs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d = opendir(indir);
	int rc;

	if (!d) {
		cli_error("cannot open '%s': %s", indir, strerror(errno));
		return EXIT_INPUT;
	}
	while ((e = readdir(d)) != NULL) {
		int64_t run = run_of_name(e->d_name);
		if (!run)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			paths = realloc(paths, cap * sizeof *paths);
			runs = realloc(runs, cap * sizeof *runs);
			if (!paths || !runs) {
				cli_error("out of memory");
				exit(EXIT_INTERNAL);
			}
		}
		runs[n] = run;
		if (asprintf(&paths[n++], "%s/%s", indir, e->d_name) < 0) {
			cli_error("out of memory");
			exit(EXIT_INTERNAL);
		}
	}
	closedir(d);
	rc = analyse_cluster((const char *const *)paths, runs, n, out, err, sizeof err);
	if (rc)
		cli_error("%s", err);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(runs);
	return rc ? EXIT_INPUT : EXIT_OK;
}

int cmd_job(int argc, char **argv)
{
	struct job_args a = { 0 };
	char err[1024];
	int type, rc = cli_parse(argc, argv, "job", "--type T [--model M] --name NAME --out DIR FILE", opts, opt_cb, &a,
				 NULL, "  (internal: run by the analysis workers of `botlens serve` and `botlens worker`)\n");

	if (rc)
		return rc;
	if (!a.type || !a.out || optind != argc - 1) {
		cli_error("job needs --type, --out and one FILE");
		return EXIT_USAGE;
	}
	if (!strcmp(a.type, "cluster"))
		return job_cluster(argv[optind], a.out);
	type = !strcmp(a.type, "capture") ? STORE_RUN_CAPTURE : !strcmp(a.type, "report") ? STORE_RUN_REPORT : 0;
	if (!type) {
		cli_error("unknown --type '%s'", a.type);
		cli_hint("use capture, report or cluster");
		return EXIT_USAGE;
	}
	if (analyse_run(argv[optind], type, a.name, a.model, a.out, err, sizeof err)) {
		cli_error("%s", err);
		return EXIT_INPUT;
	}
	return EXIT_OK;
}
