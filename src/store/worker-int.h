/*
 * worker-int.h - the parts of a worker (worker.c: the pool and a job's
 * steps; worker_child.c: the analysis child under limits;
 * worker_outcome.c: reading what the child wrote).
 */
#ifndef BOTLENS_WORKER_INT_H
#define BOTLENS_WORKER_INT_H

#include <limits.h>

#include "store/store.h"
#include "store/worker.h"

#define WK_ERRLEN 1024
#define WK_MAX_RESULTS 16
#define WK_MAX_TERMS 1000

/* One job in progress: its directory and what the child must do. */
struct wk_job {
	struct store *s;
	struct store_job j;
	const struct worker_cfg *cfg;    /* defaults filled */
	char dir[PATH_MAX];              /* private: DIR/input, DIR/in/, DIR/out/, DIR/stderr */
	char err[WK_ERRLEN];
	bool permanent;                  /* the input itself was refused: no retry */
};

/*
 * Runs `cfg->self_exe job ARGS...` with its stderr in DIR/stderr under the
 * limits of cfg, renewing the lease while it runs.  0 exited 0; -1 failed
 * (err: the exit status or signal and the stderr tail, or the time limit;
 * exit 3, the input refused, sets permanent and err is the child's message);
 * 1 stop asked or lease lost: the child was killed and the job is left to
 * its lease (err says which).
 */
int wk_child_run(struct wk_job *k, char *const *args);

/* The child's outcome.json, checked: only result names of a fixed table,
 * regular files in DIR/out, bounded strings. */
struct wk_outcome {
	struct store_result results[WK_MAX_RESULTS];
	size_t nresults;
	char family[64];
	bool has_family;
	double score;
	char kinds[256];
	uint32_t hosts;
	struct store_term terms[WK_MAX_TERMS];
	size_t nterms;
	char *strings;                   /* the terms' values, one allocation */
	char flows[PATH_MAX + 32];       /* DIR/out/flows.store.tsv or "" */
};
/* Reads and checks DIR/out/outcome.json and stores the result files as
 * blobs.  0, or -1 with err. */
int wk_outcome_read(struct wk_job *k, struct wk_outcome *o);
void wk_outcome_free(struct wk_outcome *o);

#endif
