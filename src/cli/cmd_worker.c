/*
 * cmd_worker.c - `botlens worker --db LOCATION [--jobs N] [--model M]
 * [--max-attempts N] [--lease S]`: analysis workers without the web server,
 * against a store shared with it (PostgreSQL: any number of machines).
 * workers_run() (store/worker.h) does the work; this file parses options,
 * turns SIGINT/SIGTERM into its stop flag and prints one line per job.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/worker.h"

enum { WK_LOCATION = 300, WK_JOBS, WK_MODEL, WK_ATTEMPTS, WK_LEASE, WK_NAME, WK_TIME, WK_QUIET };

static const struct cli_opt worker_opts[] = {
	{ "db", 0, "LOCATION", "the store: postgresql://... (or a data directory; default botlens-data)", WK_LOCATION },
	{ "jobs", 'j', "N", "jobs run at once, 1-64 (default 1)", WK_JOBS },
	{ "model", 'm', "MODEL", "behavior model that reports are classified with (botlens learn)", WK_MODEL },
	{ "max-attempts", 0, "N", "attempts of a job before it is failed, 1-100 (default 3)", WK_ATTEMPTS },
	{ "lease", 0, "SEC", "lease of a claimed job, renewed every third of it, 1-3600 (default 30)", WK_LEASE },
	{ "name", 0, "NAME", "worker name in the store (default hostname:pid)", WK_NAME },
	{ "time-limit", 0, "SEC", "wall-clock limit of one job, 1-86400 (default 600)", WK_TIME },
	{ "quiet", 'q', NULL, "no line per job on standard error", WK_QUIET },
	{ 0 },
};

static const char worker_examples[] =
	"  botlens worker --db 'postgresql://botlens@dbhost/botlens' --jobs 2 --model families.model\n"
	"  botlens worker --db 'postgresql:///botlens?host=/run/postgresql' --lease 60 --max-attempts 5\n";

static volatile sig_atomic_t worker_stop;

static void on_signal(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "botlens worker: %s\n", line);
}

static int worker_cb(void *ctx, int id, const char *arg)
{
	struct worker_cfg *c = ctx;
	double v;

	switch (id) {
	case WK_LOCATION: c->location = arg; return 0;
	case WK_MODEL: c->model = arg; return 0;
	case WK_NAME: c->name = arg; return 0;
	case WK_QUIET: c->log = NULL; return 0;
	case WK_JOBS:
		if (!cli_num(arg, 1, 64, &v) || v != (unsigned)v)
			return cli_bad_value("jobs", arg, "a whole number from 1 to 64");
		c->jobs = (unsigned)v;
		return 0;
	case WK_ATTEMPTS:
		if (!cli_num(arg, 1, 100, &v) || v != (int)v)
			return cli_bad_value("max-attempts", arg, "a whole number from 1 to 100");
		c->max_attempts = (int)v;
		return 0;
	case WK_LEASE:
		if (!cli_num(arg, 1, 3600, &v) || v != (int)v)
			return cli_bad_value("lease", arg, "whole seconds from 1 to 3600");
		c->lease_s = (int)v;
		return 0;
	case WK_TIME:
		if (!cli_num(arg, 1, 86400, &v) || v != (unsigned)v)
			return cli_bad_value("time-limit", arg, "whole seconds from 1 to 86400");
		c->time_limit_s = (unsigned)v;
		return 0;
	}
	return EXIT_INTERNAL;
}

int cmd_worker(int argc, char **argv)
{
	struct worker_cfg cfg = { .location = "botlens-data", .jobs = 1, .log = log_line };
	struct sigaction sa;
	char err[512];
	int rc = cli_parse(argc, argv, "worker", "--db LOCATION [--jobs N] [--model MODEL] [--max-attempts N] [--lease SEC]",
			   worker_opts, worker_cb, &cfg, NULL, worker_examples);

	if (rc || (rc = cli_no_operands(argc, argv, "worker")))
		return rc;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;   /* no SA_RESTART: a waiting worker wakes up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	cfg.stop = &worker_stop;
	if (workers_run(&cfg, err, sizeof err) < 0) {
		cli_error("%s", err);
		return EXIT_INPUT;
	}
	return EXIT_OK;
}
