/*
 * inputs.h - the capture commands' shared frame (cli only).
 */
#ifndef BOTLENS_INPUTS_H
#define BOTLENS_INPUTS_H

#include <stddef.h>

#include "cli/cli.h"
#include "engine/run.h"

struct inputs_job {
	void *ctx;
	bool track_flows, track_hosts;
	bool hosts_light;  /* see run_opts */
	bool several;  /* set by inputs_run: more than one capture */
	/* Once, after operands are expanded, before any pass. */
	void (*begin)(void *ctx, size_t nfiles);
	/* Before a capture's pass: fill subs (up to 8), return how many. */
	unsigned (*setup)(void *ctx, struct run *r, struct run_sub *subs);
	/* After it (also after damage: results cover the readable part). */
	void (*finish)(void *ctx, struct run *r);
};

/* Runs every capture named by the operands; returns the exit code. */
int inputs_run(const struct cli_common *c, struct inputs_job *job);
int inputs_expand(char **ops, int nops, char ***files, size_t *nfiles);
void inputs_free(char **files, size_t n);
void inputs_run_opts(const struct cli_common *c, struct run_opts *o);
/* Warns on stderr when the capture's clock was never set (first packet before 1980), unless -q. */
void inputs_warn_clock(const struct cli_common *c, const struct run *r);
/* --host ADDR absent from run r: the error with a hint naming addresses r has; EXIT_USAGE. */
int inputs_host_absent(const struct run *r, const char *host);

#endif
