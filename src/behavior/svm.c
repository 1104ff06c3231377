/*
 * svm.c - one-vs-rest linear SVMs over behavior vectors, via LIBLINEAR
 * (Fan et al., JMLR 2008; solver L2R_L2LOSS_SVC_DUAL, which trains one
 * model per class against the rest when there are more than two), with
 * class weights for imbalance and C chosen by K-fold cross-validation.
 * Rejection of unknown behavior (the DIMVA 2008 score test and a distance
 * test to each family's prototypes) is openset.c's.
 *
 * LIBLINEAR draws from rand(); it is seeded from the caller's seed so runs
 * are reproducible.  Its progress output is silenced.
 */
#include <linear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"

static void quiet(const char *s) { (void)s; }

void bh_model_free(struct bh_model *m)
{
	for (size_t i = 0; m->fam && i < m->nfam; i++)
		free(m->fam[i]);
	for (size_t i = 0; m->ngram && i < m->nfeat; i++)
		free(m->ngram[i]);
	free(m->fam);
	free(m->ngram);
	free(m->hash);
	free(m->w);
	free(m->b);
	free(m->idf);
	for (size_t i = 0; m->proto && i < m->nproto; i++)
		bh_vec_free(&m->proto[i]);
	free(m->proto);
	free(m->proto_fam);
	free(m->dist_scale);
	free(m->score_off);
	bh_map_free(&m->idx);
	memset(m, 0, sizeof *m);
}

struct prob {
	struct problem p;
	struct feature_node *nodes;
	double *y;
	struct feature_node **x;
	size_t *cls_n;      /* reports per class */
	size_t k;           /* classes */
	int *cls_of_fam;    /* set family -> class, -1 absent */
	int *fam_of_cls;
	struct bh_map dict; /* hash -> feature index - 1 */
	uint64_t *hash;     /* feature index - 1 -> hash */
	size_t nfeat;
	struct bh_idf idf;
	bool have_idf;
};

static void prob_free(struct prob *p)
{
	free(p->nodes);
	free(p->y);
	free(p->x);
	free(p->cls_n);
	free(p->cls_of_fam);
	free(p->fam_of_cls);
	free(p->hash);
	bh_map_free(&p->dict);
	if (p->have_idf)
		bh_idf_free(&p->idf);
}

/* Builds the LIBLINEAR problem of rows (weighted, normalised, bias node last). */
static void prob_build(struct prob *p, const struct bh_set *s, const size_t *rows, size_t n,
		       const struct bh_embed_cfg *ec)
{
	memset(p, 0, sizeof *p);
	p->cls_of_fam = bh_alloc(s->nfam * sizeof *p->cls_of_fam);
	p->fam_of_cls = bh_alloc(s->nfam * sizeof *p->fam_of_cls);
	for (size_t f = 0; f < s->nfam; f++)
		p->cls_of_fam[f] = -1;
	p->cls_n = bh_calloc(s->nfam, sizeof *p->cls_n);
	size_t nnz = 0;
	for (size_t r = 0; r < n; r++) {
		int f = s->y[rows[r]];
		if (p->cls_of_fam[f] < 0) {
			p->fam_of_cls[p->k] = f;
			p->cls_of_fam[f] = (int)p->k++;
		}
		p->cls_n[p->cls_of_fam[f]]++;
		nnz += s->v[rows[r]].n + 2;
	}
	if (ec->weight == BH_W_TFIDF) {
		bh_idf_build(&p->idf, s, rows, n);
		p->have_idf = true;
	}
	bh_map_init(&p->dict, 4096);
	size_t hcap = 4096;
	p->hash = bh_alloc(hcap * sizeof *p->hash);
	p->nodes = bh_alloc(nnz * sizeof *p->nodes);
	p->x = bh_alloc(n * sizeof *p->x);
	p->y = bh_alloc(n * sizeof *p->y);
	struct feature_node *nd = p->nodes;
	for (size_t r = 0; r < n; r++) {
		struct bh_vec v;
		bh_vec_copy(&v, &s->v[rows[r]]);
		bh_vec_weight(&v, ec->weight, p->have_idf ? &p->idf : NULL);
		p->x[r] = nd;
		p->y[r] = p->cls_of_fam[s->y[rows[r]]];
		for (uint32_t i = 0; i < v.n; i++) {
			bool isnew;
			uint32_t *ix = bh_map_put(&p->dict, v.h[i], (uint32_t)p->nfeat, &isnew);
			if (isnew) {
				if (p->nfeat == hcap) {
					hcap *= 2;
					p->hash = bh_realloc(p->hash, hcap * sizeof *p->hash);
				}
				p->hash[p->nfeat++] = v.h[i];
			}
			*nd++ = (struct feature_node){ (int)*ix + 1, v.v[i] };
		}
		/* nodes stay in hash order: LIBLINEAR's solvers and predict only take
		 * dot products, which do not need ascending indices */
		nd->index = 0;   /* bias: index filled below, once nfeat is known */
		nd->value = 1;
		nd++;
		(nd++)->index = -1;
		bh_vec_free(&v);
	}
	for (size_t r = 0; r < n; r++) {
		struct feature_node *q = p->x[r];
		while (q->index != 0)
			q++;
		q->index = (int)p->nfeat + 1;
	}
	p->p = (struct problem){ .l = (int)n, .n = (int)p->nfeat + 1, .y = p->y, .x = p->x, .bias = 1 };
}

static void params(struct parameter *pa, const struct prob *p, double C, bool cw, int *wl, double *wv)
{
	memset(pa, 0, sizeof *pa);
	pa->solver_type = L2R_L2LOSS_SVC_DUAL;
	pa->eps = 0.1;
	pa->C = C;
	if (cw) {
		size_t n = (size_t)p->p.l;
		for (size_t c = 0; c < p->k; c++) {
			wl[c] = (int)c;
			wv[c] = (double)n / ((double)p->k * (double)p->cls_n[c]);
		}
		pa->nr_weight = (int)p->k;
		pa->weight_label = wl;
		pa->weight = wv;
	}
}

/* Balanced accuracy of C by cross-validation (robust to imbalance). */
static double cv_score(const struct prob *p, const struct parameter *pa, unsigned folds)
{
	double *t = bh_alloc((size_t)p->p.l * sizeof *t);
	cross_validation(&p->p, pa, (int)folds, t);
	double *hit = bh_calloc(p->k, sizeof *hit), s = 0;
	for (int i = 0; i < p->p.l; i++)
		hit[(size_t)p->y[i]] += t[i] == p->y[i];
	for (size_t c = 0; c < p->k; c++)
		s += hit[c] / (double)p->cls_n[c];
	free(t);
	free(hit);
	return s / (double)p->k;
}

/* Copies a LIBLINEAR model into m (families, weights by feature hash). */
static void convert(const struct model *lm, const struct prob *p, const struct bh_set *s,
		    const struct bh_embed_cfg *ec, const struct bh_ftab *ftab, struct bh_model *m)
{
	size_t K = (size_t)get_nr_class(lm);
	memset(m, 0, sizeof *m);
	m->embed = *ec;
	m->nfam = K;
	m->nfeat = p->nfeat;
	m->fam = bh_alloc(K * sizeof *m->fam);
	m->b = bh_alloc(K * sizeof *m->b);
	int *lab = bh_alloc(K * sizeof *lab);
	get_labels(lm, lab);
	for (size_t c = 0; c < K; c++) {
		m->fam[c] = bh_strdup(s->fam[p->fam_of_cls[lab[c]]]);
		m->b[c] = get_decfun_bias(lm, (int)c);
	}
	m->hash = bh_alloc(m->nfeat * sizeof *m->hash);
	m->w = bh_alloc(m->nfeat * K * sizeof *m->w);
	m->idf = bh_alloc(m->nfeat * sizeof *m->idf);
	m->ngram = bh_calloc(m->nfeat, sizeof *m->ngram);
	bh_map_init(&m->idx, m->nfeat);
	for (size_t f = 0; f < m->nfeat; f++) {
		m->hash[f] = p->hash[f];
		*bh_map_put(&m->idx, p->hash[f], (uint32_t)f, NULL) = (uint32_t)f;
		for (size_t c = 0; c < K; c++)
			m->w[f * K + c] = get_decfun_coef(lm, (int)f + 1, (int)c);
		m->idf[f] = p->have_idf ? bh_idf_get(&p->idf, p->hash[f]) : 1.0f;
		const char *g = ftab ? bh_ftab_get(ftab, p->hash[f]) : NULL;
		m->ngram[f] = g ? bh_strdup(g) : NULL;
	}
	m->idf_unseen = p->have_idf ? p->idf.unseen : 1.0f;
	free(lab);
}

static const double c_grid[] = { 0.1, 1, 10 };
#define NGRID (sizeof c_grid / sizeof *c_grid)

int bh_svm_train(const struct bh_set *s, const size_t *rows, size_t n, const struct bh_embed_cfg *ec,
		 const struct bh_ftab *ftab, const struct bh_train_opts *o, struct bh_model *m,
		 char *err, size_t errlen)
{
	set_print_string_function(quiet);
	struct prob p;
	prob_build(&p, s, rows, n, ec);
	if (p.k < 2) {
		snprintf(err, errlen, "need labelled reports of at least two families (found %zu)", p.k);
		prob_free(&p);
		return -1;
	}
	int *wl = bh_alloc(p.k * sizeof *wl);
	double *wv = bh_alloc(p.k * sizeof *wv);
	struct parameter pa;
	double C = o->C;
	if (C <= 0) {
		unsigned folds = o->cv_folds >= 2 ? o->cv_folds : 3;
		double best = -1;
		for (size_t i = 0; i < NGRID; i++) {
			params(&pa, &p, c_grid[i], o->class_weights, wl, wv);
			srand((unsigned)o->seed);
			double sc = cv_score(&p, &pa, folds);
			if (sc <= best + 1e-9)
				break;   /* a larger C that does not help: stop (it also trains slower) */
			best = sc;
			C = c_grid[i];
		}
	}
	params(&pa, &p, C, o->class_weights, wl, wv);
	const char *bad = check_parameter(&p.p, &pa);
	if (bad) {
		snprintf(err, errlen, "liblinear: %s", bad);
		free(wl);
		free(wv);
		prob_free(&p);
		return -1;
	}
	srand((unsigned)o->seed);
	struct model *lm = train(&p.p, &pa);
	convert(lm, &p, s, ec, ftab, m);
	m->C = C;
	m->threshold = -INFINITY;
	m->margin_threshold = -INFINITY;
	m->dist_threshold = INFINITY;
	m->cal.unknown_rej = -1;
	free_and_destroy_model(&lm);
	free(wl);
	free(wv);
	prob_free(&p);
	bh_protos_build(m, s, rows, n, o->protos);
	if (o->reject_q > 0)
		bh_openset_calibrate(s, rows, n, ec, o, m);
	return 0;
}

void bh_model_prepare(const struct bh_model *m, const struct bh_vec *v, struct bh_vec *out)
{
	bh_vec_copy(out, v);
	double ss = 0;
	for (uint32_t i = 0; i < out->n; i++) {
		float x = m->embed.weight == BH_W_BINARY ? 1.0f : out->v[i];
		if (m->embed.weight == BH_W_TFIDF) {
			uint32_t r = bh_map_get(&m->idx, out->h[i]);
			x *= r == UINT32_MAX ? m->idf_unseen : m->idf[r];
		}
		out->v[i] = x;
		ss += (double)x * x;
	}
	if (ss > 0)
		for (uint32_t i = 0; i < out->n; i++)
			out->v[i] = (float)(out->v[i] / sqrt(ss));
}

size_t bh_model_scores(const struct bh_model *m, const struct bh_vec *x, double *sc)
{
	size_t K = m->nfam;
	for (size_t c = 0; c < K; c++)
		sc[c] = m->b[c];
	for (uint32_t i = 0; i < x->n; i++) {
		uint32_t r = bh_map_get(&m->idx, x->h[i]);
		if (r == UINT32_MAX)
			continue;
		const double *w = m->w + (size_t)r * K;
		for (size_t c = 0; c < K; c++)
			sc[c] += w[c] * x->v[i];
	}
	size_t best = 0;
	for (size_t c = 1; c < K; c++)
		if (sc[c] > sc[best])
			best = c;
	return best;
}

size_t bh_model_top(const struct bh_model *m, const struct bh_vec *x, size_t f,
		    struct bh_contrib *out, size_t k)
{
	size_t n = 0;
	for (uint32_t i = 0; i < x->n; i++) {
		uint32_t r = bh_map_get(&m->idx, x->h[i]);
		if (r == UINT32_MAX)
			continue;
		double c = m->w[(size_t)r * m->nfam + f] * x->v[i];
		if (c <= 0)
			continue;
		size_t j = n < k ? n++ : k;
		if (j == k && c <= out[k - 1].w)
			continue;
		if (j == k)
			j = k - 1;
		while (j > 0 && out[j - 1].w < c) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = (struct bh_contrib){ x->h[i], c };
	}
	return n;
}
