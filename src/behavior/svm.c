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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"

static void quiet(const char *s) { (void)s; }
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void quiet_init(void) { set_print_string_function(quiet); }

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
	free(m->nov_scale);
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
	bool shared;        /* nodes, hash and dict are a bh_svm_data's (prob_sub) */
};

/* A training set's LIBLINEAR rows, weighted and normalised once (binary and count weighting,
 * where a row's weighting does not depend on the other rows); trainings on subsets of it
 * take the rows' node pointers (prob_sub) instead of building their own. */
struct bh_svm_data {
	struct prob p;
	size_t *pos;        /* s->n: row of s -> its index in p, SIZE_MAX when absent */
};

static void prob_free(struct prob *p)
{
	free(p->y);
	free(p->x);
	free(p->cls_n);
	free(p->cls_of_fam);
	free(p->fam_of_cls);
	if (!p->shared) {
		free(p->nodes);
		free(p->hash);
		bh_map_free(&p->dict);
	}
	if (p->have_idf)
		bh_idf_free(&p->idf);
}

struct hix { uint64_t h; uint32_t i; };

static int hix_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct hix *)a)->h, y = ((const struct hix *)b)->h;
	return x < y ? -1 : x > y;
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
		/* nodes stay in hash order (renumbered below): LIBLINEAR's solvers and predict only take
		 * dot products, which do not need ascending indices */
		nd->index = 0;   /* bias: index filled below, once nfeat is known */
		nd->value = 1;
		nd++;
		(nd++)->index = -1;
		bh_vec_free(&v);
	}
	/* features renumbered by ascending hash: a row's nodes (in hash order) then index w in
	 * ascending order, which LIBLINEAR's dot products and updates walk faster than random
	 * order (same sums in the same order: the same weights) */
	struct hix *ord = bh_alloc((p->nfeat ? p->nfeat : 1) * sizeof *ord);
	uint32_t *rank = bh_alloc((p->nfeat ? p->nfeat : 1) * sizeof *rank);
	for (size_t f = 0; f < p->nfeat; f++)
		ord[f] = (struct hix){ p->hash[f], (uint32_t)f };
	qsort(ord, p->nfeat, sizeof *ord, hix_cmp);
	for (size_t j = 0; j < p->nfeat; j++) {
		rank[ord[j].i] = (uint32_t)j;
		p->hash[j] = ord[j].h;
	}
	bh_map_free(&p->dict);   /* numbers changed; not needed after the build */
	for (size_t r = 0; r < n; r++) {
		struct feature_node *q = p->x[r];
		for (; q->index != 0; q++)
			q->index = (int)rank[q->index - 1] + 1;
		q->index = (int)p->nfeat + 1;
	}
	free(ord);
	free(rank);
	p->p = (struct problem){ .l = (int)n, .n = (int)p->nfeat + 1, .y = p->y, .x = p->x, .bias = 1 };
}

/*
 * The problem of rows (a subset of d's) without building it: the rows'
 * nodes are d's.  Classes are numbered in order of first appearance, as
 * prob_build does, and d's features absent from rows get weight 0, so
 * LIBLINEAR computes the same weights as on prob_build(rows): its dual
 * solver only touches a row's own nodes.
 */
static void prob_sub(struct prob *p, const struct bh_svm_data *d, const struct bh_set *s, const size_t *rows,
		     size_t n)
{
	memset(p, 0, sizeof *p);
	p->shared = true;
	p->cls_of_fam = bh_alloc((s->nfam ? s->nfam : 1) * sizeof *p->cls_of_fam);
	p->fam_of_cls = bh_alloc((s->nfam ? s->nfam : 1) * sizeof *p->fam_of_cls);
	for (size_t f = 0; f < s->nfam; f++)
		p->cls_of_fam[f] = -1;
	p->cls_n = bh_calloc(s->nfam ? s->nfam : 1, sizeof *p->cls_n);
	p->x = bh_alloc((n ? n : 1) * sizeof *p->x);
	p->y = bh_alloc((n ? n : 1) * sizeof *p->y);
	for (size_t r = 0; r < n; r++) {
		int f = s->y[rows[r]];
		if (p->cls_of_fam[f] < 0) {
			p->fam_of_cls[p->k] = f;
			p->cls_of_fam[f] = (int)p->k++;
		}
		p->cls_n[p->cls_of_fam[f]]++;
		p->x[r] = d->p.x[d->pos[rows[r]]];
		p->y[r] = p->cls_of_fam[f];
	}
	p->hash = d->p.hash;
	p->nfeat = d->p.nfeat;
	p->p = (struct problem){ .l = (int)n, .n = (int)p->nfeat + 1, .y = p->y, .x = p->x, .bias = 1 };
}

struct bh_svm_data *bh_svm_data_new(const struct bh_set *s, const size_t *rows, size_t n,
				    const struct bh_embed_cfg *ec)
{
	if (ec->weight == BH_W_TFIDF)
		return NULL;
	struct bh_svm_data *d = bh_alloc(sizeof *d);
	prob_build(&d->p, s, rows, n, ec);
	d->pos = bh_alloc((s->n ? s->n : 1) * sizeof *d->pos);
	for (size_t i = 0; i < s->n; i++)
		d->pos[i] = SIZE_MAX;
	for (size_t r = 0; r < n; r++)
		d->pos[rows[r]] = r;
	return d;
}

void bh_svm_data_free(struct bh_svm_data *d)
{
	if (!d)
		return;
	prob_free(&d->p);
	free(d->pos);
	free(d);
}

/* rows' problem: sliced from d when d holds every one of them, else built. */
static void prob_get(struct prob *p, const struct bh_svm_data *d, const struct bh_set *s, const size_t *rows,
		     size_t n, const struct bh_embed_cfg *ec)
{
	bool all = d != NULL;
	for (size_t r = 0; all && r < n; r++)
		all = d->pos[rows[r]] != SIZE_MAX;
	if (all)
		prob_sub(p, d, s, rows, n);
	else
		prob_build(p, s, rows, n, ec);
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

/* Trains at C on rows (no prototypes, no calibration) into m; 0, or -1 with err filled. */
static int fit(const struct bh_svm_data *d, const struct bh_set *s, const size_t *rows, size_t n,
	       const struct bh_embed_cfg *ec, const struct bh_ftab *ftab, double C, const struct bh_train_opts *o,
	       struct bh_model *m, char *err, size_t errlen)
{
	struct prob p;
	prob_get(&p, d, s, rows, n, ec);
	if (p.k < 2) {
		snprintf(err, errlen, "need labelled reports of at least two families (found %zu)", p.k);
		prob_free(&p);
		memset(m, 0, sizeof *m);
		return -1;
	}
	int *wl = bh_alloc(p.k * sizeof *wl);
	double *wv = bh_alloc(p.k * sizeof *wv);
	struct parameter pa;
	params(&pa, &p, C, o->class_weights, wl, wv);
	const char *bad = check_parameter(&p.p, &pa);
	if (bad) {
		snprintf(err, errlen, "liblinear: %s", bad);
		free(wl);
		free(wv);
		prob_free(&p);
		memset(m, 0, sizeof *m);
		return -1;
	}
	srand((unsigned)o->seed);
	struct model *lm = train(&p.p, &pa);
	convert(lm, &p, s, ec, ftab, m);
	m->C = C;
	m->threshold = -INFINITY;
	m->margin_threshold = -INFINITY;
	m->dist_threshold = INFINITY;
	m->open_threshold = INFINITY;
	m->cal.unknown_rej = -1;
	free_and_destroy_model(&lm);
	free(wl);
	free(wv);
	prob_free(&p);
	return 0;
}

/*
 * Chooses C from the grid by K-fold cross-validation over rows (folds:
 * bh_folds with seed ^ 0xca11b, the calibration's), scored by balanced
 * accuracy; the grid stops at the first C that does not improve (a larger
 * C also trains slower), or at a perfect score, which none can improve.  Each fold model is trained exactly as the
 * calibration trains its fold models at that C, so the chosen C's K
 * models are kept in *fm for it (bh_openset_calibrate).  A fold whose
 * training fails (fewer than two families in it) counts its reports as
 * misses.
 */
/* choose_c's fold trainings at one C, one task per fold. */
struct cvjob {
	const struct bh_svm_data *d;
	const struct bh_set *s;
	const size_t *rows;
	size_t n;
	const int *y;
	const unsigned *fold;
	const struct bh_embed_cfg *ec;
	const struct bh_train_opts *o;
	double C;
	struct bh_model *cur;  /* K */
	size_t *hit;           /* K x (nfam + 1): right answers per fold and family */
	unsigned K;
	const struct bh_ftab *ftab;
	struct bh_model *spec; /* task K, when given: the final model at this C, trained meanwhile */
	int spec_rc;
};

static void cv_task(void *ctx, size_t k)
{
	struct cvjob *j = ctx;
	const struct bh_set *s = j->s;
	if (k == j->K) {
		char why[160];
		j->spec_rc = fit(j->d, s, j->rows, j->n, j->ec, j->ftab, j->C, j->o, j->spec, why, sizeof why);
		return;
	}
	size_t *tr = bh_alloc((j->n ? j->n : 1) * sizeof *tr), ntr = 0, *hit = j->hit + k * (s->nfam + 1);
	for (size_t i = 0; i < j->n; i++)
		if (j->fold[i] != k)
			tr[ntr++] = j->rows[i];
	char why[160];
	struct bh_model *m = &j->cur[k];
	if (!fit(j->d, s, tr, ntr, j->ec, NULL, j->C, j->o, m, why, sizeof why)) {
		double *sc = bh_alloc(m->nfam * sizeof *sc);
		for (size_t i = 0; i < j->n; i++) {
			if (j->fold[i] != k)
				continue;
			struct bh_vec v;
			bh_model_prepare(m, &s->v[j->rows[i]], &v);
			size_t b = bh_model_scores(m, &v, sc);
			hit[j->y[i]] += bh_set_family(s, m->fam[b]) == j->y[i];
			bh_vec_free(&v);
		}
		free(sc);
	}
	free(tr);
}

static double choose_c(const struct bh_svm_data *d, const struct bh_set *s, const size_t *rows, size_t n,
		       const struct bh_embed_cfg *ec, const struct bh_ftab *ftab, const struct bh_train_opts *o,
		       unsigned K, struct bh_model **fm, struct bh_model *spec)
{
	int *y = bh_alloc((n ? n : 1) * sizeof *y);
	unsigned *fold = bh_alloc((n ? n : 1) * sizeof *fold);
	for (size_t i = 0; i < n; i++)
		y[i] = s->y[rows[i]];
	bh_folds(y, n, K, o->seed ^ 0xca11b, fold);
	size_t *nf = bh_calloc(s->nfam + 1, sizeof *nf);
	for (size_t i = 0; i < n; i++)
		nf[y[i]]++;
	double best = -1, C = c_grid[0];
	*fm = NULL;
	struct cvjob j = { .d = d, .s = s, .rows = rows, .n = n, .y = y, .fold = fold, .ec = ec, .o = o, .K = K,
			   .ftab = ftab, .spec_rc = -1 };
	j.hit = bh_alloc(K * (s->nfam + 1) * sizeof *j.hit);
	for (size_t g = 0; g < NGRID; g++) {
		j.C = c_grid[g];
		j.cur = bh_calloc(K, sizeof *j.cur);
		memset(j.hit, 0, K * (s->nfam + 1) * sizeof *j.hit);
		/* on several threads, the final model at the grid's first C (the usual choice) trains
		 * alongside the K fold models of that C, which balances them (K = 3 on 2 threads) */
		j.spec = g == 0 && o->threads > 1 && spec ? spec : NULL;
		bh_par_for(K + (j.spec != NULL), o->threads, cv_task, &j);
		if (j.spec && j.spec_rc)
			bh_model_free(spec);
		double score = 0;
		size_t nc = 0;
		for (size_t f = 0; f < s->nfam; f++)
			if (nf[f]) {
				size_t h = 0;
				for (unsigned k = 0; k < K; k++)
					h += j.hit[k * (s->nfam + 1) + f];
				score += (double)h / (double)nf[f];
				nc++;
			}
		score = nc ? score / (double)nc : 0;
		if (score <= best + 1e-9) {
			for (unsigned k = 0; k < K; k++)
				bh_model_free(&j.cur[k]);
			free(j.cur);
			break;
		}
		best = score;
		C = c_grid[g];
		for (unsigned k = 0; *fm && k < K; k++)
			bh_model_free(&(*fm)[k]);
		free(*fm);
		*fm = j.cur;
		if (best >= 1 - 1e-9)
			break;   /* no larger C can score higher: the grid would stop there anyway */
	}
	free(y);
	free(fold);
	free(nf);
	free(j.hit);
	return C;
}

int bh_svm_train_on(const struct bh_svm_data *d, const struct bh_set *s, const size_t *rows, size_t n,
		    const struct bh_embed_cfg *ec, const struct bh_ftab *ftab, const struct bh_train_opts *o,
		    struct bh_model *m, char *err, size_t errlen)
{
	pthread_once(&quiet_once, quiet_init);
	unsigned K = o->cv_folds >= 2 ? o->cv_folds : 3;
	double C = o->C;
	struct bh_model *fm = NULL;
	size_t nfam = 0;
	bool *seen = bh_calloc(s->nfam + 1, sizeof *seen);
	for (size_t i = 0; i < n; i++)
		if (!seen[s->y[rows[i]]])
			seen[s->y[rows[i]]] = true, nfam++;
	free(seen);
	struct bh_model spec = { 0 };
	if (nfam >= 2 && C <= 0)
		C = choose_c(d, s, rows, n, ec, ftab, o, K, &fm, &spec);
	if (spec.nfam && spec.C == C) {
		*m = spec;
	} else if (bh_model_free(&spec), fit(d, s, rows, n, ec, ftab, C, o, m, err, errlen)) {
		for (unsigned k = 0; fm && k < K; k++)
			bh_model_free(&fm[k]);
		free(fm);
		return -1;
	}
	bh_protos_build(m, s, rows, n, o->protos);
	if (o->reject_q > 0) {
		bh_openset_calibrate(s, rows, n, ec, o, d, fm, m);
	} else {
		for (unsigned k = 0; fm && k < K; k++)
			bh_model_free(&fm[k]);
		free(fm);
	}
	return 0;
}

int bh_svm_train(const struct bh_set *s, const size_t *rows, size_t n, const struct bh_embed_cfg *ec,
		 const struct bh_ftab *ftab, const struct bh_train_opts *o, struct bh_model *m,
		 char *err, size_t errlen)
{
	struct bh_svm_data *d = bh_svm_data_new(s, rows, n, ec);
	int r = bh_svm_train_on(d, s, rows, n, ec, ftab, o, m, err, errlen);
	bh_svm_data_free(d);
	return r;
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
