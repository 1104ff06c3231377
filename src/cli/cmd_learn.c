/*
 * cmd_learn.c - `botlens learn`: trains one-vs-rest linear SVMs on
 * labelled behavior reports and writes a model (DIMVA 2008, section 3),
 * with the open-set rejection of unknown families (behavior/openset.c)
 * calibrated inside: cross-fitted known reports, each family held out in
 * turn as the unknown one.  Also holds the helpers every behavior
 * subcommand shares (behavior/bhcli.h).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/bhcli.h"

/* ---- shared helpers ---- */
/* A directory entry the walk skipped on purpose (bh_input_opts.onnote). */
static void on_input_note(void *ctx, const char *path, const char *msg)
{
	const struct bhcli *b = ctx;
	if (!b->quiet)
		cli_error("warning: '%s': %s", path, msg);
}

void bhcli_init(struct bhcli *b)
{
	memset(b, 0, sizeof *b);
	b->in.parse.level = 1;
	b->in.embed = bh_embed_cfg_default();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	b->in.threads = cpus > 1 ? (cpus > 8 ? 8 : (unsigned)cpus) : 1;
	b->in.onnote = on_input_note;
}

void bhcli_free(struct bhcli *b)
{
	if (b->have_labels)
		bh_labels_free(&b->labels);
}

bool bhcli_num(const char *opt, const char *arg, double lo, double hi, double *out)
{
	if (cli_num(arg, lo, hi, out))
		return true;
	cli_error("invalid %s '%s': expected a number from %g to %g", opt, arg, lo, hi);
	return false;
}

int bhcli_opt(struct bhcli *b, int id, const char *arg)
{
	double v;
	int k;
	char err[256];
	switch (id) {
	case BHO_N:
		if (!bhcli_num("n-gram length", arg, 1, 8, &v) || v != floor(v))
			return EXIT_USAGE;
		b->in.embed.n = (unsigned)v;
		b->embed_set = true;
		return 0;
	case BHO_LEVEL:
		if (!bhcli_num("level", arg, 1, 9, &v) || v != floor(v))
			return EXIT_USAGE;
		b->in.embed.level = b->in.parse.level = (unsigned)v;
		b->embed_set = true;
		return 0;
	case BHO_WEIGHT:
		if ((k = bh_weight_parse(arg)) < 0) {
			cli_error("unknown weighting '%s'", arg);
			cli_hint("use binary, count or tfidf");
			return EXIT_USAGE;
		}
		b->in.embed.weight = (enum bh_weight)k;
		b->embed_set = true;
		return 0;
	case BHO_SEED:
		if (!bhcli_num("seed", arg, 0, 4294967295.0, &v) || v != floor(v))
			return EXIT_USAGE;
		b->in.embed.seed = (uint64_t)v;
		b->embed_set = true;
		return 0;
	case BHO_NETWORK: b->in.parse.network = true; return 0;
	case BHO_INFMT:
		if ((k = bh_fmt_parse(arg)) < 0) {
			cli_error("unknown input format '%s'", arg);
			cli_hint("use auto, cuckoo, mist, text or csv");
			return EXIT_USAGE;
		}
		b->in.parse.fmt = (enum bh_fmt)k;
		return 0;
	case BHO_LABELS:
		if (b->have_labels)
			bh_labels_free(&b->labels);
		int lrc = bh_labels_load(&b->labels, arg, err, sizeof err);
		if (lrc) {
			cli_error("cannot read labels '%s': %s", arg, err);
			bh_labels_free(&b->labels);
			b->have_labels = false;
			return lrc == BH_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
		}
		b->have_labels = true;
		b->in.labels = &b->labels;
		return 0;
	case BHO_FORMAT: {
		int f = cli_format_parse(arg, CLI_FMT(CLI_FMT_TEXT) | CLI_FMT(CLI_FMT_TSV) | CLI_FMT(CLI_FMT_JSON));
		if (f < 0)
			return EXIT_USAGE;
		b->fmt = f == CLI_FMT_TSV ? BH_OUT_TSV : f == CLI_FMT_JSON ? BH_OUT_JSON : BH_OUT_TEXT;
		return 0;
	}
	case BHO_OUT: b->out = arg; return 0;
	case BHO_QUIET: b->quiet = true; return 0;
	}
	return -1;
}

int bhcli_operands(struct bhcli *b, int argc, char **argv, int need, const char *cmd)
{
	b->files = argv + optind;
	b->nfiles = argc - optind;
	if (b->in.parse.level > 1 && (b->in.parse.fmt == BH_FMT_TEXT || b->in.parse.fmt == BH_FMT_CSV)) {
		cli_error("--level %u does not apply to %s input: its events carry no arguments", b->in.parse.level,
			  bh_fmt_names[b->in.parse.fmt]);
		cli_hint("drop --level, or use it with Cuckoo/CAPE, MIST or capture inputs");
		return EXIT_USAGE;
	}
	if (b->nfiles < need) {
		cli_error("%s needs %s", cmd, need > 1 ? "a model and inputs" : "an input (report, directory or archive)");
		cli_hint("see 'botlens %s -h'", cmd);
		return EXIT_USAGE;
	}
	return 0;
}

static bool on_input_err(void *ctx, const char *path, const char *msg)
{
	struct bhcli *b = ctx;
	if (!b->quiet)
		cli_error("cannot read '%s': %s", path, msg);
	return true;
}

int bhcli_read(struct bhcli *b, struct bh_set *set)
{
	int bad = bh_input_read(b->files, (size_t)b->nfiles, &b->in, set, on_input_err, b);
	if (!set->n) {
		cli_error("no report could be read");
		return EXIT_INPUT;
	}
	if (bad && b->quiet)
		cli_error("%d input(s) skipped (damaged or unreadable)", bad);
	return bad ? EXIT_DAMAGED : EXIT_OK;
}

void bhcli_train_defaults(struct bh_train_opts *t)
{
	*t = (struct bh_train_opts){ .C = 0, .cv_folds = 3, .class_weights = true, .reject_q = 0.05, .protos = 32 };
}

int bhcli_train_opt(struct bh_train_opts *t, int id, const char *arg)
{
	double v;
	switch (id) {
	case BHO_C: return bhcli_num("C", arg, 1e-6, 1e6, &t->C) ? 0 : EXIT_USAGE;
	case BHO_CV:
		if (!bhcli_num("cv-folds", arg, 2, 20, &v) || v != floor(v))
			return EXIT_USAGE;
		t->cv_folds = (unsigned)v;
		return 0;
	case BHO_REJECT: return bhcli_num("reject", arg, 0, 0.5, &t->reject_q) ? 0 : EXIT_USAGE;
	case BHO_PROTOS:
		if (!bhcli_num("prototypes", arg, 0, 1000, &v) || v != floor(v))
			return EXIT_USAGE;
		t->protos = (unsigned)v;
		return 0;
	case BHO_NOWEIGHTS: t->class_weights = false; return 0;
	}
	return -1;
}

size_t bhcli_dups(const struct bhcli *b, struct bh_set *s, bool drop, const char *how)
{
	struct bh_dups d;
	bh_dups_find(s, &d);
	size_t dropped = 0;
	if (d.groups && drop)
		dropped = bh_dups_drop(s, &d);
	if (d.groups && !b->quiet) {
		fprintf(stderr, "botlens: %zu duplicate report(s) (identical n-gram counts) in %zu group(s), "
				"%zu group(s) with conflicting labels; ", d.dups, d.groups, d.conflicts);
		if (drop)
			fprintf(stderr, "%zu report(s) dropped (%s)\n", dropped, how);
		else
			fprintf(stderr, "kept (%s)\n", how);
	}
	free(d.group);
	return dropped;
}

/* ---- learn ---- */
enum { LO_DEDUP = 300 };

static const struct cli_opt learn_opts[] = {
	BHCLI_EMBED_OPTS,
	BHCLI_INPUT_OPTS,
	{ "output", 'o', "MODEL", "write the model to MODEL (required)", BHO_OUT },
	{ "quiet", 'q', NULL, "no warnings for skipped reports", BHO_QUIET },
	BHCLI_TRAIN_OPTS,
	{ "dedup", 0, NULL, "drop exact duplicate reports (all of a group whose labels conflict) before training",
	  LO_DEDUP },
	{ 0 },
};

struct learn_ctx {
	struct bhcli b;
	struct bh_train_opts t;
	bool dedup;
};

static int learn_opt(void *ctx, int id, const char *arg)
{
	struct learn_ctx *x = ctx;
	int rc = bhcli_opt(&x->b, id, arg);
	if (rc < 0)
		rc = bhcli_train_opt(&x->t, id, arg);
	if (rc >= 0)
		return rc;
	if (id == LO_DEDUP) {
		x->dedup = true;
		return 0;
	}
	return EXIT_INTERNAL;
}

int cmd_learn(int argc, char **argv)
{
	struct learn_ctx x;
	x.dedup = false;   /* set only by --dedup */
	bhcli_init(&x.b);
	bhcli_train_defaults(&x.t);
	x.t.threads = x.b.in.threads;   /* trainings on the CPUs too (the same model for any number) */
	int rc = cli_parse(argc, argv, "learn", "[options] INPUT... -o MODEL", learn_opts, learn_opt, &x, NULL,
			   "  botlens learn reports/ -o model.txt\n"
			   "  botlens learn --labels labels.tsv --ngram 3 runs.tar.gz -o model.txt\n"
			   "  botlens learn MalBehavD-V1-dataset.csv -o malbehavd.model\n"
			   "  botlens learn --dedup --reject 0.02 --prototypes 64 reports/ -o model.txt\n");
	if (rc || (rc = bhcli_operands(&x.b, argc, argv, 1, "learn"))) {
		bhcli_free(&x.b);
		return rc;
	}
	if (!x.b.out) {
		cli_error("learn needs an output model file");
		cli_hint("add -o MODEL");
		bhcli_free(&x.b);
		return EXIT_USAGE;
	}
	x.t.seed = x.b.in.embed.seed;
	struct bh_ftab ft;
	bh_ftab_init(&ft);
	x.b.in.ftab = &ft;
	struct bh_set s;
	bh_set_init(&s);
	int ex = bhcli_read(&x.b, &s);
	struct bh_model m;
	char err[256];
	if (ex != EXIT_INPUT)
		bhcli_dups(&x.b, &s, x.dedup, x.dedup ? "--dedup" : "give --dedup to drop them");
	size_t *rows = bh_alloc((s.n ? s.n : 1) * sizeof *rows), n = 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.y[i] >= 0)
			rows[n++] = i;
	if (ex != EXIT_INPUT && n < s.n && !x.b.quiet)
		cli_error("%zu report(s) without a family are not used", s.n - n);
	if (ex != EXIT_INPUT && bh_svm_train(&s, rows, n, &x.b.in.embed, &ft, &x.t, &m, err, sizeof err)) {
		cli_error("cannot learn: %s", err);
		cli_hint("name reports NAME.FAMILY or give --labels FILE");
		ex = EXIT_INPUT;
	} else if (ex != EXIT_INPUT) {
		FILE *f = cli_open_out(x.b.out);
		if (!f) {
			ex = EXIT_OUTPUT;
		} else {
			bh_model_save(&m, f);
			int oc = cli_close_out(f, x.b.out);
			ex = oc ? oc : ex;
		}
		if (!x.b.quiet) {
			char ts[32] = "none", tm[32] = "none", td[32] = "none";
			if (isfinite(m.threshold))
				snprintf(ts, sizeof ts, "%.4g", m.threshold);
			if (isfinite(m.margin_threshold))
				snprintf(tm, sizeof tm, "%.4g", m.margin_threshold);
			if (isfinite(m.dist_threshold))
				snprintf(td, sizeof td, "%.4g", m.dist_threshold);
			char to[192];
			if (isfinite(m.open_threshold))
				snprintf(to, sizeof to, "open-set test: unknown when %.4g*(-score) + %.4g*(-margin) + "
							"%.4g*distance + %.4g*novelty > %.4g",
					 m.open_w[0], m.open_w[1], m.open_w[2], m.open_w[3], m.open_threshold);
			else
				snprintf(to, sizeof to, "thresholds: score %s, margin %s, distance %s", ts, tm, td);
			fprintf(stderr, "botlens: learned %zu families from %zu reports, %zu features, C=%g, %zu prototypes; %s\n",
				m.nfam, n, m.nfeat, m.C, m.nproto, to);
			if (x.t.reject_q > 0 && m.cal.unknown_rej >= 0)
				fprintf(stderr, "botlens: calibration: %.1f%% of known reports rejected (cross-fitted, budget %.1f%%), "
						"%.1f%% of unseen families (each of %zu held out in turn)\n",
					100 * m.cal.known_rej, 100 * m.cal.budget, 100 * m.cal.unknown_rej, m.cal.heldout);
			else if (x.t.reject_q > 0)
				fprintf(stderr, "botlens: calibration: %.1f%% of known reports rejected (cross-fitted, budget %.1f%%); "
						"fewer than 3 families, so no family could be held out: the distance alone "
						"(the score alone without prototypes) at the budget\n",
					100 * m.cal.known_rej, 100 * m.cal.budget);
		}
		bh_model_free(&m);
	}
	free(rows);
	bh_set_free(&s);
	bh_ftab_free(&ft);
	bhcli_free(&x.b);
	return ex;
}
