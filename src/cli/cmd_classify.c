/*
 * cmd_classify.c - `botlens classify MODEL INPUT...`: per report, the
 * family with the highest SVM score, or "unknown" when that score is
 * below the model's rejection threshold (DIMVA 2008, section 3.3); the
 * score, the runner-up, and the n-grams that added most to the decision.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bhcli.h"

enum { CO_TOP = 300, CO_NOREJECT };

static const struct cli_opt classify_opts[] = {
	BHCLI_INPUT_OPTS,
	BHCLI_OUT_OPTS,
	{ "top", 0, "K", "features shown per report (default 3)", CO_TOP },
	{ "no-reject", 0, NULL, "always name the best family, never 'unknown'", CO_NOREJECT },
	{ 0 },
};

struct classify_ctx {
	struct bhcli b;
	size_t top;
	bool noreject;
};

static int classify_opt(void *ctx, int id, const char *arg)
{
	struct classify_ctx *x = ctx;
	int rc = bhcli_opt(&x->b, id, arg);
	if (rc >= 0)
		return rc;
	double v;
	switch (id) {
	case CO_TOP:
		if (!bhcli_num("top", arg, 0, 100, &v))
			return EXIT_USAGE;
		x->top = (size_t)v;
		return 0;
	case CO_NOREJECT: x->noreject = true; return 0;
	}
	return EXIT_INTERNAL;
}

/* Opens and loads a model, printing the error (bhcli.h). */
int behavior_load_model(const char *path, struct bh_model *m)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		return EXIT_INPUT;
	}
	char err[256];
	int rc = bh_model_load(m, f, err, sizeof err);
	fclose(f);
	if (rc) {
		cli_error("cannot read model '%s': %s", path, err);
		if (rc == BH_ENOMEM)
			return EXIT_INTERNAL;
		cli_hint("models are written by 'botlens learn -o MODEL'");
		return EXIT_INPUT;
	}
	return 0;
}

int cmd_classify(int argc, char **argv)
{
	struct classify_ctx x = { .top = 3 };
	bhcli_init(&x.b);
	int rc = cli_parse(argc, argv, "classify", "[options] MODEL INPUT...", classify_opts, classify_opt, &x, NULL,
			   "  botlens classify model.txt sample.json\n"
			   "  botlens classify --format json --top 5 model.txt reports.tar.gz\n");
	if (rc || (rc = bhcli_operands(&x.b, argc, argv, 2, "classify"))) {
		bhcli_free(&x.b);
		return rc;
	}
	struct bh_model m;
	if ((rc = behavior_load_model(x.b.files[0], &m))) {
		bhcli_free(&x.b);
		return rc;
	}
	x.b.files++;
	x.b.nfiles--;
	x.b.in.embed = m.embed;
	x.b.in.parse.level = m.embed.level;
	struct bh_set s;
	bh_set_init(&s);
	int ex = bhcli_read(&x.b, &s);
	FILE *f = ex == EXIT_INPUT ? NULL : cli_open_out(x.b.out);
	if (f) {
		if (x.b.fmt == BH_OUT_TSV)
			fputs("report\tfamily\tscore\trunner_up\trunner_up_score\tfeatures\n", f);
		double *sc = bh_alloc(m.nfam * sizeof *sc);
		struct bh_contrib *top = bh_alloc((x.top + 1) * sizeof *top);
		for (size_t i = 0; i < s.n; i++) {
			struct bh_verdict d;
			bh_classify(&m, &s.v[i], !x.noreject, x.top, sc, top, &d);
			bh_render_verdict(f, x.b.fmt, &m, &s.v[i], &d);
		}
		free(sc);
		free(top);
		int oc = cli_close_out(f, x.b.out);
		ex = oc ? oc : ex;
	} else if (ex != EXIT_INPUT) {
		ex = EXIT_OUTPUT;
	}
	bh_set_free(&s);
	bh_model_free(&m);
	bhcli_free(&x.b);
	return ex;
}
