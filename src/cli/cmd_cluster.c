/*
 * cmd_cluster.c - `botlens cluster INPUT...`: Malheur's clustering of
 * behavior reports: farthest-first prototypes, linkage clustering of the
 * prototypes, rejection of small clusters; with --incremental STATE,
 * reports are first matched against the stored prototypes and the rest
 * clustered together with earlier rejected reports, so reports can come
 * one at a time.  When the reports carry labels, precision, recall,
 * F-measure and adjusted Rand index against them are printed twice:
 * with each rejected report its own singleton (botlens's convention) and
 * with all rejected reports as one cluster (Malheur's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/bhcli.h"

enum { KO_DP = 300, KO_DC, KO_LINK, KO_MIN, KO_INC };

static const struct cli_opt cluster_opts[] = {
	BHCLI_EMBED_OPTS,
	BHCLI_INPUT_OPTS,
	BHCLI_OUT_OPTS,
	{ "max-dist", 0, "D", "prototype radius: reports farther from every prototype make a new one (default 0.65)", KO_DP },
	{ "min-dist", 0, "D", "clusters closer than D are merged (default 0.95)", KO_DC },
	{ "linkage", 0, "L", "single, average or complete (default)", KO_LINK },
	{ "min-size", 0, "M", "clusters of fewer reports are rejected (default 3)", KO_MIN },
	{ "incremental", 'i', "STATE", "classify against and update the prototypes in STATE (created if absent)", KO_INC },
	{ 0 },
};

struct cluster_ctx {
	struct bhcli b;
	struct bh_cluster_opts o;
	bool opts_set;
	const char *state;
};

static int cluster_opt(void *ctx, int id, const char *arg)
{
	struct cluster_ctx *x = ctx;
	int rc = bhcli_opt(&x->b, id, arg);
	if (rc >= 0)
		return rc;
	double v;
	x->opts_set = true;
	switch (id) {
	case KO_DP: return bhcli_num("max-dist", arg, 0, 2, &x->o.max_dist_proto) ? 0 : EXIT_USAGE;
	case KO_DC: return bhcli_num("min-dist", arg, 0, 2, &x->o.min_dist_cluster) ? 0 : EXIT_USAGE;
	case KO_LINK:
		if ((rc = bh_linkage_parse(arg)) < 0) {
			cli_error("unknown linkage '%s'", arg);
			cli_hint("use single, average or complete");
			return EXIT_USAGE;
		}
		x->o.linkage = (enum bh_linkage)rc;
		return 0;
	case KO_MIN:
		if (!bhcli_num("min-size", arg, 1, 1e9, &v))
			return EXIT_USAGE;
		x->o.min_size = (size_t)v;
		return 0;
	case KO_INC: x->state = arg; x->opts_set = false; return 0;
	}
	return EXIT_INTERNAL;
}

/* Loads STATE if it exists; otherwise starts one from the options. */
static int load_state(struct cluster_ctx *x, struct bh_cstate *st)
{
	FILE *f = fopen(x->state, "r");
	if (!f) {
		if (errno != ENOENT) {
			cli_error("cannot open '%s': %s", x->state, strerror(errno));
			return EXIT_INPUT;
		}
		memset(st, 0, sizeof *st);
		st->embed = x->b.in.embed;
		st->opts = x->o;
		return 0;
	}
	char err[256];
	int rc = bh_cstate_load(st, f, err, sizeof err);
	fclose(f);
	if (rc) {
		cli_error("cannot read state '%s': %s", x->state, err);
		return rc == BH_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
	}
	if (x->b.embed_set || x->opts_set)
		cli_error("'%s' keeps its own embedding and clustering options; the given ones are ignored", x->state);
	x->b.in.embed = st->embed;
	x->b.in.parse.level = st->embed.level;
	return 0;
}

/* Writes STATE through a temporary file and rename, so a crash keeps the old one. */
static int save_state(const char *path, const struct bh_cstate *st)
{
	size_t n = strlen(path) + 8;
	char *tmp = bh_alloc(n);
	snprintf(tmp, n, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int rc = EXIT_OK;
	if (!f || bh_cstate_save(st, f) || fclose(f) || rename(tmp, path)) {
		cli_error("cannot write '%s': %s", path, strerror(errno ? errno : EIO));
		if (f)
			unlink(tmp);
		rc = EXIT_OUTPUT;
	}
	free(tmp);
	return rc;
}

int cmd_cluster(int argc, char **argv)
{
	struct cluster_ctx x = { .o = bh_cluster_opts_default() };
	bhcli_init(&x.b);
	int rc = cli_parse(argc, argv, "cluster", "[options] INPUT...", cluster_opts, cluster_opt, &x, NULL,
			   "  botlens cluster reports/\n"
			   "  botlens cluster --linkage average --min-size 5 --format tsv reports.tar.gz\n"
			   "  botlens cluster --incremental state.txt new-report.json\n");
	if (rc || (rc = bhcli_operands(&x.b, argc, argv, 1, "cluster"))) {
		bhcli_free(&x.b);
		return rc;
	}
	if (x.b.in.embed.weight == BH_W_TFIDF) {
		cli_error("cluster supports binary and count weights");
		cli_hint("TF-IDF needs a fixed corpus; use --weight binary or count");
		bhcli_free(&x.b);
		return EXIT_USAGE;
	}
	struct bh_cstate st;
	if (x.state && (rc = load_state(&x, &st))) {
		bhcli_free(&x.b);
		return rc;
	}
	struct bh_set s;
	bh_set_init(&s);
	int ex = bhcli_read(&x.b, &s);
	if (ex != EXIT_INPUT) {
		bhcli_dups(&x.b, &s, false, "clustering keeps them: equal reports fall in one cluster");
		for (size_t i = 0; i < s.n; i++)
			bh_vec_weight(&s.v[i], x.b.in.embed.weight, NULL);
		int *cl = bh_alloc((s.n + 1) * sizeof *cl);
		size_t nc;
		if (x.state) {
			int before = st.next_id;
			bh_cstate_update(&st, s.v, s.n, cl);
			nc = (size_t)(st.next_id - before);
			int sr = save_state(x.state, &st);
			ex = sr ? sr : ex;
		} else {
			nc = bh_cluster(s.v, s.n, &x.o, cl, NULL, NULL);
		}
		FILE *f = cli_open_out(x.b.out);
		if (f) {
			bh_render_clusters(f, x.b.fmt, &s, cl, nc);
			int oc = cli_close_out(f, x.b.out);
			ex = oc ? oc : ex;
		} else {
			ex = EXIT_OUTPUT;
		}
		free(cl);
	}
	if (x.state)
		bh_cstate_free(&st);
	bh_set_free(&s);
	bhcli_free(&x.b);
	return ex;
}
