/*
 * cmd_explain.c - `botlens explain MODEL`: each family's most
 * discriminative behavior, the n-grams with the largest weights in its
 * SVM (DIMVA 2008, section 4.3: "explanation of malware behavior").
 */
#include <stdlib.h>
#include <string.h>

#include "cli/bhcli.h"


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
		if (x.b.fmt == BH_OUT_TSV)
			fputs("family\trank\tweight\tngram\n", f);
		size_t *ord = bh_alloc((m.nfeat + 1) * sizeof *ord);
		for (size_t c = 0; c < m.nfam; c++)
			if (only == m.nfam || c == only)
				bh_render_family(f, x.b.fmt, &m, c, x.top, x.family != NULL, ord);
		free(ord);
		ex = cli_close_out(f, x.b.out);
	}
	bh_model_free(&m);
	return ex;
}
