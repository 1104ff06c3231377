/*
 * cmd_explain.c - `botlens explain MODEL`: each family's most
 * discriminative behavior, the n-grams with the largest weights in its
 * SVM (DIMVA 2008, section 4.3: "explanation of malware behavior").
 */
#include <stdlib.h>
#include <string.h>

#include "cli/bhcli.h"

int behavior_load_model(const char *path, struct bh_model *m);

enum { EO_FAMILY = 300, EO_TOP };

static const struct cli_opt explain_opts[] = {
	BHCLI_OUT_OPTS,
	{ "family", 'F', "NAME", "only this family (default: every family)", EO_FAMILY },
	{ "top", 'k', "K", "n-grams per family (default 10)", EO_TOP },
	{ 0 },
};

struct explain_ctx {
	struct bhcli b;
	const char *family;
	size_t top;
};

static int explain_opt(void *ctx, int id, const char *arg)
{
	struct explain_ctx *x = ctx;
	int rc = bhcli_opt(&x->b, id, arg);
	if (rc >= 0)
		return rc;
	double v;
	switch (id) {
	case EO_FAMILY: x->family = arg; return 0;
	case EO_TOP:
		if (!bhcli_num("top", arg, 1, 1e6, &v))
			return EXIT_USAGE;
		x->top = (size_t)v;
		return 0;
	}
	return EXIT_INTERNAL;
}

static const struct bh_model *sort_model;
static size_t sort_fam;

static int by_weight(const void *a, const void *b)
{
	double x = sort_model->w[*(const size_t *)a * sort_model->nfam + sort_fam];
	double y = sort_model->w[*(const size_t *)b * sort_model->nfam + sort_fam];
	return x < y ? 1 : x > y ? -1 : 0;
}

static void family(FILE *f, const struct explain_ctx *x, const struct bh_model *m, size_t c, size_t *ord)
{
	for (size_t i = 0; i < m->nfeat; i++)
		ord[i] = i;
	sort_model = m;
	sort_fam = c;
	qsort(ord, m->nfeat, sizeof *ord, by_weight);
	enum bhcli_fmt fmt = x->b.fmt;
	if (fmt == BHCLI_TEXT)
		fprintf(f, "%s%s\n", c && !x->family ? "\n" : "", m->fam[c]);
	for (size_t k = 0; k < x->top && k < m->nfeat; k++) {
		size_t r = ord[k];
		char hex[24];
		snprintf(hex, sizeof hex, "#%016llx", (unsigned long long)m->hash[r]);
		const char *g = m->ngram[r] ? m->ngram[r] : hex;
		double w = m->w[r * m->nfam + c];
		if (fmt == BHCLI_JSON) {
			fputs("{\"family\":", f);
			json_put_string(f, m->fam[c]);
			fprintf(f, ",\"rank\":%zu,\"weight\":%.6f,\"ngram\":", k + 1, w);
			json_put_string(f, g);
			fputs("}\n", f);
		} else if (fmt == BHCLI_TSV) {
			bhcli_str(f, fmt, m->fam[c]);
			fprintf(f, "\t%zu\t%.6f\t", k + 1, w);
			bhcli_str(f, fmt, g);
			fputc('\n', f);
		} else {
			fprintf(f, "  %3zu  %+.4f  ", k + 1, w);
			bhcli_str(f, fmt, g);
			fputc('\n', f);
		}
	}
}

int cmd_explain(int argc, char **argv)
{
	struct explain_ctx x = { .top = 10 };
	bhcli_init(&x.b);
	int rc = cli_parse(argc, argv, "explain", "[options] MODEL", explain_opts, explain_opt, &x, NULL,
			   "  botlens explain model.txt\n"
			   "  botlens explain --family ALLAPLE --top 20 model.txt\n");
	if (rc || (rc = bhcli_operands(&x.b, argc, argv, 1, "explain")))
		return rc;
	struct bh_model m;
	if ((rc = behavior_load_model(x.b.files[0], &m)))
		return rc;
	size_t only = m.nfam;
	if (x.family) {
		for (size_t c = 0; c < m.nfam; c++)
			if (!strcmp(m.fam[c], x.family))
				only = c;
		if (only == m.nfam) {
			cli_error("no family '%s' in '%s'", x.family, x.b.files[0]);
			cli_hint("'botlens explain %s' lists the families", x.b.files[0]);
			bh_model_free(&m);
			return EXIT_USAGE;
		}
	}
	FILE *f = cli_open_out(x.b.out);
	int ex = EXIT_OUTPUT;
	if (f) {
		if (x.b.fmt == BHCLI_TSV)
			fputs("family\trank\tweight\tngram\n", f);
		size_t *ord = bh_alloc((m.nfeat + 1) * sizeof *ord);
		for (size_t c = 0; c < m.nfam; c++)
			if (only == m.nfam || c == only)
				family(f, &x, &m, c, ord);
		free(ord);
		ex = cli_close_out(f, x.b.out);
	}
	bh_model_free(&m);
	return ex;
}
