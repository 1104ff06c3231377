/*
 * cmd_evaluate.c - `botlens evaluate INPUT... --folds K`: stratified K-fold
 * evaluation of learn + classify (DIMVA 2008, section 4): accuracy,
 * per-family precision/recall/F1, macro F1 and the confusion matrix of the
 * forced decision (best family), plus the rejection rate of known
 * families under learn's open-set test.  With --unknown-family F, F is
 * never trained on and its reports measure how often novel behavior is
 * rejected as unknown; with --open-set every family in turn.  Inside each
 * fold runs exactly learn's procedure (bh_svm_train with learn's options:
 * C by 3-fold cross-validation, the open-set calibration), so evaluate
 * measures what learn ships.  Exact duplicates are dropped before
 * folding unless --keep-duplicates.  The folds run in behavior/xval.c;
 * this file parses the options and prints the tally.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/bhcli.h"

enum { VO_FOLDS = 300, VO_UNKNOWN, VO_JOBS, VO_OPENSET, VO_KEEPDUPS };

static const struct cli_opt evaluate_opts[] = {
	BHCLI_EMBED_OPTS,
	BHCLI_INPUT_OPTS,
	BHCLI_OUT_OPTS,
	{ "folds", 'k', "K", "number of folds, 2-20 (default 5)", VO_FOLDS },
	{ "unknown-family", 'u', "F", "hold family F out of training; report how often it is rejected", VO_UNKNOWN },
	{ "open-set", 0, NULL, "hold every family out in turn: its share rejected, and the knowns' false rejection",
	  VO_OPENSET },
	BHCLI_TRAIN_OPTS,
	{ "keep-duplicates", 0, NULL, "keep exact duplicate reports (default: dropped before folding, as learn --dedup)",
	  VO_KEEPDUPS },
	{ "jobs", 'j', "N", "folds run in N processes, 1-64 (default: the CPUs online)", VO_JOBS },
	{ 0 },
};

struct eval_ctx {
	struct bhcli b;
	unsigned folds, jobs;
	const char *unknown;
	bool openset, keepdups;
	struct bh_train_opts t;
};

static int evaluate_opt(void *ctx, int id, const char *arg)
{
	struct eval_ctx *x = ctx;
	int rc = bhcli_opt(&x->b, id, arg);
	if (rc < 0)
		rc = bhcli_train_opt(&x->t, id, arg);
	if (rc >= 0)
		return rc;
	double v;
	switch (id) {
	case VO_FOLDS:
		if (!bhcli_num("folds", arg, 2, 20, &v) || v != floor(v))
			return EXIT_USAGE;
		x->folds = (unsigned)v;
		return 0;
	case VO_UNKNOWN: x->unknown = arg; return 0;
	case VO_OPENSET: x->openset = true; return 0;
	case VO_KEEPDUPS: x->keepdups = true; return 0;
	case VO_JOBS:
		if (!bhcli_num("jobs", arg, 1, 64, &v) || v != floor(v))
			return EXIT_USAGE;
		x->jobs = (unsigned)v;
		return 0;
	}
	return EXIT_INTERNAL;
}

/* The folds (behavior/xval.c); an exit code. */
static int run_folds(const struct eval_ctx *x, const struct bh_set *s, const unsigned *fold, int unk,
		     struct bh_tally *t)
{
	struct bh_xval_opts o = { .folds = x->folds, .jobs = x->jobs, .unk = unk, .embed = &x->b.in.embed,
				  .train = &x->t };
	char err[512];
	int rc = bh_xval(s, fold, &o, t, err, sizeof err);
	if (rc)
		cli_error("%s", err);
	return rc == 0 ? EXIT_OK : rc == BH_XVAL_TRAIN ? EXIT_INPUT : EXIT_INTERNAL;
}

/*
 * --open-set: each family with reports held out of training in turn
 * (bh_xval with unk = f, the same folds), its share rejected and the
 * known reports' false rejection; an exit code.
 */
static int open_set(const struct eval_ctx *x, const struct bh_set *s, int ex)
{
	size_t nf = 0;
	for (size_t f = 0; f < s->nfam; f++)
		for (size_t i = 0; i < s->n; i++)
			if (s->y[i] == (int)f) {
				nf++;
				break;
			}
	if (nf < 3) {
		cli_error("--open-set needs reports of at least 3 families (found %zu)", nf);
		cli_hint("with one held out, training needs two");
		return EXIT_USAGE;
	}
	unsigned *fold = bh_alloc(s->n * sizeof *fold);
	bh_folds(s->y, s->n, x->folds, x->b.in.embed.seed ^ 0xf01d, fold);
	struct bh_openset_row *row = bh_calloc(s->nfam, sizeof *row);
	size_t nr = 0;
	int r = 0;
	for (size_t f = 0; f < s->nfam && !r; f++) {
		struct bh_tally t = { 0 };
		bh_conf_init(&t.forced, s->nfam);
		r = run_folds(x, s, fold, (int)f, &t);
		if (!r && t.unk)
			row[nr++] = (struct bh_openset_row){ .fam = f, .unk = t.unk, .unk_rej = t.unk_rej,
							     .known = t.known, .known_rej = t.known_rej,
							     .accuracy = bh_conf_accuracy(&t.forced) };
		bh_conf_free(&t.forced);
	}
	if (r) {
		ex = r;
	} else {
		FILE *f = cli_open_out(x->b.out);
		if (f) {
			bh_render_openset(f, x->b.fmt, s, row, nr, x->folds, x->t.reject_q);
			int oc = cli_close_out(f, x->b.out);
			ex = oc ? oc : ex;
		} else {
			ex = EXIT_OUTPUT;
		}
	}
	free(row);
	free(fold);
	return ex;
}

int cmd_evaluate(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct eval_ctx x = { .folds = 5, .jobs = cpus > 1 ? (unsigned)(cpus < 64 ? cpus : 64) : 1 };
	bhcli_init(&x.b);
	bhcli_train_defaults(&x.t);
	int rc = cli_parse(argc, argv, "evaluate", "[options] INPUT... [--folds K]", evaluate_opts, evaluate_opt, &x,
			   NULL,
			   "  botlens evaluate --folds 5 MalBehavD-V1-dataset.csv\n"
			   "  botlens evaluate --folds 5 --unknown-family ALLAPLE reports/\n"
			   "  botlens evaluate --open-set --format tsv reports/\n");
	if (rc || (rc = bhcli_operands(&x.b, argc, argv, 1, "evaluate"))) {
		bhcli_free(&x.b);
		return rc;
	}
	x.t.seed = x.b.in.embed.seed;
	struct bh_set s;
	bh_set_init(&s);
	int ex = bhcli_read(&x.b, &s);
	int unk = -1;
	if (x.openset && x.unknown) {
		cli_error("--open-set holds every family out in turn; --unknown-family names one");
		cli_hint("give one of them");
		ex = EXIT_USAGE;
	}
	if (ex == EXIT_OK || ex == EXIT_DAMAGED)
		bhcli_dups(&x.b, &s, !x.keepdups, x.keepdups ? "--keep-duplicates" : "evaluation drops them; --keep-duplicates keeps them");
	if ((ex == EXIT_OK || ex == EXIT_DAMAGED) && x.unknown && (unk = bh_set_family(&s, x.unknown)) < 0) {
		cli_error("no report of family '%s'", x.unknown);
		ex = EXIT_USAGE;
	}
	if ((ex == EXIT_OK || ex == EXIT_DAMAGED) && x.openset) {
		ex = open_set(&x, &s, ex);
	} else if (ex == EXIT_OK || ex == EXIT_DAMAGED) {
		struct bh_tally t = { 0 };
		bh_conf_init(&t.forced, s.nfam);
		unsigned *fold = bh_alloc(s.n * sizeof *fold);
		bh_folds(s.y, s.n, x.folds, x.b.in.embed.seed ^ 0xf01d, fold);
		int r = run_folds(&x, &s, fold, unk, &t);
		if (r)
			ex = r;
		FILE *f = ex == EXIT_OK || ex == EXIT_DAMAGED ? cli_open_out(x.b.out) : NULL;
		if (f) {
			bh_render_eval(f, x.b.fmt, &s, &t, x.folds, unk >= 0 ? x.unknown : NULL);
			int oc = cli_close_out(f, x.b.out);
			ex = oc ? oc : ex;
		} else if (ex == EXIT_OK || ex == EXIT_DAMAGED) {
			ex = EXIT_OUTPUT;
		}
		free(fold);
		bh_conf_free(&t.forced);
	}
	bh_set_free(&s);
	bhcli_free(&x.b);
	return ex;
}
