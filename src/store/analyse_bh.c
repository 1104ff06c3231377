/*
 * analyse_bh.c - the behavior side of a job (worker.h): a behavior report
 * is classified against the server's model (classify.json, what
 * `botlens classify --format json` writes; its family and score go to the
 * run), and the store-wide "cluster" job clusters every report
 * (clusters.json, Malheur's prototypes and clusters as `botlens cluster`
 * computes them with its defaults).  Nothing here prints.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "behavior/behavior.h"
#include "render/behavior_out.h"
#include "store/analyse-int.h"
#include "store/worker.h"

struct an_read_err { char *err; size_t len; bool set; };

/* bh_input_read's per-file error: the first one is the answer. */
static bool on_err(void *ctx, const char *path, const char *msg)
{
	struct an_read_err *e = ctx;

	if (!e->set)
		snprintf(e->err, e->len, "%s", msg);
	e->set = true;
	return true;
}

/* Reads the reports in path into s (parse level and n-grams from embed). */
static int an_read(const char *path, const struct bh_embed_cfg *embed, struct bh_set *s, char *err, size_t errlen)
{
	struct bh_input_opts in = { .parse = { .level = embed->level }, .embed = *embed, .threads = 1 };
	struct an_read_err e = { err, errlen, false };
	char *paths[1] = { (char *)path };
	size_t before = s->n;

	bh_input_read(paths, 1, &in, s, on_err, &e);
	if (s->n > before)
		return 0;
	if (!e.set)
		snprintf(err, errlen, "no behavior report in the file");
	return -1;
}

static int an_load_model(const char *path, struct bh_model *m, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char why[256];
	int rc;

	if (!f) {
		snprintf(err, errlen, "cannot open model '%s': %s", path, strerror(errno));
		return -1;
	}
	rc = bh_model_load(m, f, why, sizeof why);
	fclose(f);
	if (rc)
		snprintf(err, errlen, "cannot read model '%s': %s", path, why);
	return rc ? -1 : 0;
}

/* classify.json for the first report of s, under the run's name (not the
 * job directory's); family and score into o. */
static int an_classify(const struct bh_model *m, struct bh_set *s, const char *name, const char *outdir,
		       struct an_outcome *o, char *err, size_t errlen)
{
	double *sc = bh_alloc(m->nfam * sizeof *sc);
	struct bh_contrib *top = bh_alloc(6 * sizeof *top);
	struct bh_verdict d;
	FILE *f = an_open(outdir, "classify.json", err, errlen);
	char *shown = strdup(name);
	int rc = -1;

	if (shown) {
		free(s->v[0].name);
		s->v[0].name = shown;
	}
	bh_classify(m, &s->v[0], true, 5, sc, top, &d);
	if (f) {
		bh_render_verdict(f, BH_OUT_JSON, m, &s->v[0], &d);
		rc = an_close(f, "classify.json", err, errlen);
	}
	if (rc == 0) {
		an_result(o, "classify.json");
		snprintf(o->family, sizeof o->family, "%s", d.unknown ? "unknown" : m->fam[d.best]);
		o->score = isfinite(sc[d.best]) ? sc[d.best] : 0;
	}
	free(sc);
	free(top);
	return rc;
}

int an_report(const char *path, const char *name, const char *model, const char *outdir, char *err, size_t errlen)
{
	struct bh_embed_cfg embed = bh_embed_cfg_default();
	struct bh_model m;
	struct an_outcome o;
	struct bh_set s;
	bool have_model = false;
	int rc = 0;

	an_outcome_init(&o);
	bh_set_init(&s);
	if (model && *model) {
		rc = an_load_model(model, &m, err, errlen);
		have_model = rc == 0;
		if (have_model)
			embed = m.embed;
	}
	if (rc == 0)
		rc = an_read(path, &embed, &s, err, errlen);
	if (rc == 0 && have_model)
		rc = an_classify(&m, &s, name, outdir, &o, err, errlen);
	if (rc == 0)
		rc = an_outcome_write(&o, outdir, err, errlen);
	if (have_model)
		bh_model_free(&m);
	bh_set_free(&s);
	an_outcome_free(&o);
	an_err_name(err, errlen, path, name);
	return rc;
}

/* A model with network families: some of its n-grams are network profile
 * events ("net.udp.dns ...", behavior/netprofile.c). */
static bool model_network(const struct bh_model *m)
{
	for (size_t i = 0; m->ngram && i < m->nfeat; i++)
		if (m->ngram[i] && !strncmp(m->ngram[i], "net.", 4))
			return true;
	return false;
}

int an_capture_class(const char *path, const char *name, const char *model, const char *outdir,
		     struct an_outcome *o, char *err, size_t errlen)
{
	struct bh_model m;
	struct bh_set s;
	int rc;

	if (!model || !*model || an_load_model(model, &m, err, errlen) < 0)
		return model && *model ? -1 : 0;
	bh_set_init(&s);
	rc = model_network(&m) ? an_read(path, &m.embed, &s, err, errlen) : 1;
	if (rc == 0)
		rc = an_classify(&m, &s, name, outdir, o, err, errlen);
	bh_set_free(&s);
	bh_model_free(&m);
	return rc < 0 ? -1 : 0;
}

/* ---- the store-wide cluster job ---- */

/* clusters.json from the reports' clusters (cl[i]: cluster or -1). */
static json_object *an_clusters_json(const int64_t *run_of, size_t n, const int *cl, size_t nc,
				     const size_t *protos, size_t nprotos)
{
	json_object *j = json_object_new_object(), *a = json_object_new_array(), *rej = json_object_new_array();

	for (size_t c = 0; c < nc; c++) {
		json_object *o = json_object_new_object(), *mem = json_object_new_array();
		int64_t proto = 0;
		for (size_t p = 0; p < nprotos && !proto; p++)
			if (cl[protos[p]] == (int)c)
				proto = run_of[protos[p]];
		for (size_t i = 0; i < n; i++)
			if (cl[i] == (int)c)
				json_object_array_add(mem, json_object_new_int64(run_of[i]));
		if (!proto && json_object_array_length(mem))
			proto = json_object_get_int64(json_object_array_get_idx(mem, 0));
		json_object_object_add(o, "id", json_object_new_int64((int64_t)c + 1));
		json_object_object_add(o, "prototype", json_object_new_int64(proto));
		json_object_object_add(o, "members", mem);
		json_object_array_add(a, o);
	}
	for (size_t i = 0; i < n; i++)
		if (cl[i] < 0)
			json_object_array_add(rej, json_object_new_int64(run_of[i]));
	json_object_object_add(j, "clusters", a);
	json_object_object_add(j, "rejected", rej);
	return j;
}

/* Reads every report; run_of[i] is vector i's run.  Unreadable ones are skipped. */
static int64_t *an_read_all(const char *const *paths, const int64_t *runs, size_t n, struct bh_set *s)
{
	struct bh_embed_cfg embed = bh_embed_cfg_default();
	int64_t *run_of = NULL;
	size_t cap = 0;
	char err[256];

	for (size_t i = 0; i < n; i++) {
		size_t before = s->n;
		if (an_read(paths[i], &embed, s, err, sizeof err) < 0)
			continue;
		if (s->n > cap) {
			cap = s->n * 2;
			run_of = realloc(run_of, cap * sizeof *run_of);
			if (!run_of)
				return NULL;
		}
		for (size_t k = before; k < s->n; k++)
			run_of[k] = runs[i];
	}
	return run_of ? run_of : calloc(1, sizeof *run_of);
}

int analyse_cluster(const char *const *paths, const int64_t *runs, size_t n, const char *outdir, char *err,
		    size_t errlen)
{
	struct bh_cluster_opts co = bh_cluster_opts_default();
	struct an_outcome o;
	struct bh_set s;
	size_t *protos = NULL, nprotos = 0, nc = 0;
	int64_t *run_of;
	int *cl = NULL, rc = -1;
	FILE *f;

	bh_set_init(&s);
	an_outcome_init(&o);
	run_of = an_read_all(paths, runs, n, &s);
	if (!run_of) {
		snprintf(err, errlen, "cluster: out of memory");
		goto out;
	}
	for (size_t i = 0; i < s.n; i++)
		bh_vec_weight(&s.v[i], BH_W_BINARY, NULL);
	cl = bh_alloc((s.n + 1) * sizeof *cl);
	if (s.n)
		nc = bh_cluster(s.v, s.n, &co, cl, &protos, &nprotos);
	if ((f = an_open(outdir, "clusters.json", err, errlen)) != NULL) {
		json_object *j = an_clusters_json(run_of, s.n, cl, nc, protos, nprotos);
		fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN), f);
		json_object_put(j);
		rc = an_close(f, "clusters.json", err, errlen);
	}
	if (rc == 0) {
		an_result(&o, "clusters.json");
		rc = an_outcome_write(&o, outdir, err, errlen);
	}
out:
	free(cl);
	free(protos);
	free(run_of);
	bh_set_free(&s);
	an_outcome_free(&o);
	return rc;
}
