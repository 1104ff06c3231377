/*
 * openset.c - rejection of unknown families (open-set classification).
 *
 * DIMVA 2008 rejects a report whose best SVM score is low.  Measured, that
 * test barely separates new families from known ones: a report of an
 * unseen family often scores high for the family whose n-grams it shares.
 * So a second test, after Malheur (Rieck et al., JCS 2011, section 3.2):
 * the distance from the report to the support of the family the SVM
 * chose, i.e. to that family's nearest prototype.  And a third: the
 * margin between the best and the runner-up score, low when a report
 * looks like two families at once (what an unseen family that shares
 * call sequences with two known ones does).  A report is unknown when
 * its best score is below `threshold`, OR its margin below
 * `margin_threshold`, OR that distance above `dist_threshold` — each
 * relative to the chosen family (score and margin minus the family's
 * typical value, distance over its typical distance: scale()).
 *
 * Prototypes: per family, farthest-first traversal (Gonzalez 1985) of its
 * training reports' prepared (weighted, L2-normalised) vectors, up to
 * `protos` of them: the first report, then repeatedly the report farthest
 * from every prototype chosen so far.  Distances are Euclidean between
 * unit vectors, 0..sqrt(2); n-grams the model never saw lower the dot
 * product, so novel behavior is far.
 *
 * Calibration (bh_openset_calibrate), inside learn:
 *   known points   cross-fitted: rows split into cv_folds stratified folds;
 *                  each fold is scored by a model (SVMs + prototypes)
 *                  trained on the other folds.
 *   unknown points leave-one-family-out: each family F in turn is scored
 *                  by a model trained on one fold model's training rows
 *                  (fold F mod K) without F's: the same size as the
 *                  models that scored the known points, and for binary
 *                  and count weighting the same prototypes as that fold
 *                  model (needs >= 3 families, so that 2 remain).
 *   choice         among triples (score, margin, distance thresholds) taken
 *                  from the known points' quantiles, those rejecting at
 *                  most reject_q of the known points; of these, the triple
 *                  rejecting the most unknown points (mean over held-out
 *                  families), then the one rejecting fewest knowns.
 *   fewer than 3 families: no unknown points; the distance test alone (or
 *                  the score test without prototypes) at reject_q.
 * The thresholds are thus calibrated on cross-fitted models of the same
 * procedure and applied to the model trained on all rows; evaluate
 * measures what that gives on reports the model never saw.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"

static double second(const double *sc, size_t k, size_t best);

/* Family index in m of each family of s (-1: absent from m). */
static int *fam_map(const struct bh_model *m, const struct bh_set *s)
{
	int *c = bh_alloc((s->nfam ? s->nfam : 1) * sizeof *c);
	for (size_t f = 0; f < s->nfam; f++) {
		c[f] = -1;
		for (size_t k = 0; k < m->nfam; k++)
			if (!strcmp(m->fam[k], s->fam[f]))
				c[f] = (int)k;
	}
	return c;
}

/*
 * Farthest-first over one family's members x[0..k) (prepared), appending
 * up to max prototypes to m.  The members' features are renumbered
 * 0..V-1 once, so each round is one dense dot product per member (a
 * prototype spread into `dense`, then cleared): O(max * total nnz).
 */
static void farthest_first(struct bh_model *m, size_t c, const struct bh_vec *x, size_t k, unsigned max,
			   double *mind)
{
	struct bh_map ix;
	size_t tot = 0;
	for (size_t i = 0; i < k; i++)
		tot += x[i].n;
	bh_map_init(&ix, tot / 4 + 16);
	uint32_t **id = bh_alloc((k ? k : 1) * sizeof *id), V = 0;
	for (size_t i = 0; i < k; i++) {
		id[i] = bh_alloc((x[i].n ? x[i].n : 1) * sizeof **id);
		for (uint32_t j = 0; j < x[i].n; j++) {
			bool isnew;
			uint32_t *v = bh_map_put(&ix, x[i].h[j], V, &isnew);
			V += isnew;
			id[i][j] = *v;
		}
		mind[i] = INFINITY;
	}
	float *dense = bh_calloc(V ? V : 1, sizeof *dense);
	size_t pick = 0;
	for (unsigned p = 0; p < max && k; p++) {
		bh_vec_copy(&m->proto[m->nproto], &x[pick]);
		m->proto_fam[m->nproto++] = (uint32_t)c;
		const struct bh_vec *q = &x[pick];
		for (uint32_t j = 0; j < q->n; j++)
			dense[id[pick][j]] = q->v[j];
		size_t far = 0;
		for (size_t i = 0; i < k; i++) {
			double dot = 0;
			for (uint32_t j = 0; j < x[i].n; j++)
				dot += (double)x[i].v[j] * dense[id[i][j]];
			double d = 2.0 - 2.0 * dot;
			d = d > 0 ? sqrt(d) : 0;
			mind[i] = d < mind[i] ? d : mind[i];
			far = mind[i] > mind[far] ? i : far;
		}
		for (uint32_t j = 0; j < q->n; j++)
			dense[id[pick][j]] = 0;
		if (mind[far] <= 1e-9)  /* every member is a prototype's copy */
			break;
		pick = far;
	}
	for (size_t i = 0; i < k; i++)
		free(id[i]);
	free(id);
	free(dense);
	bh_map_free(&ix);
}

void bh_protos_build(struct bh_model *m, const struct bh_set *s, const size_t *rows, size_t n, unsigned max)
{
	if (!max || !n)
		return;
	int *cls = fam_map(m, s);
	struct bh_vec *x = bh_alloc(n * sizeof *x);
	double *mind = bh_alloc(n * sizeof *mind);
	size_t *mem = bh_alloc(n * sizeof *mem);
	m->proto = bh_alloc((size_t)max * m->nfam * sizeof *m->proto);
	m->proto_fam = bh_alloc((size_t)max * m->nfam * sizeof *m->proto_fam);
	for (size_t c = 0; c < m->nfam; c++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (s->y[rows[i]] >= 0 && cls[s->y[rows[i]]] == (int)c)
				mem[k++] = rows[i];
		for (size_t i = 0; i < k; i++)
			bh_model_prepare(m, &s->v[mem[i]], &x[i]);
		farthest_first(m, c, x, k, max, mind);
		for (size_t i = 0; i < k; i++)
			bh_vec_free(&x[i]);
	}
	free(x);
	free(mind);
	free(mem);
	free(cls);
}

double bh_model_dist(const struct bh_model *m, const struct bh_vec *x, size_t fam)
{
	double best = INFINITY;
	for (size_t p = 0; p < m->nproto; p++)
		if (m->proto_fam[p] == fam) {
			double d = bh_vec_dist(x, &m->proto[p]);
			best = d < best ? d : best;
		}
	return best;
}

bool bh_model_unknown(const struct bh_model *m, const struct bh_vec *x, size_t best, const double *sc,
		      double *dist)
{
	double d = m->nproto ? bh_model_dist(m, x, best) : INFINITY;
	if (m->dist_scale && m->dist_scale[best] > 0)
		d /= m->dist_scale[best];
	if (dist)
		*dist = d;
	double so = m->score_off ? m->score_off[best] : 0, mo = m->score_off ? m->score_off[m->nfam + best] : 0;
	return sc[best] - so < m->threshold || sc[best] - second(sc, m->nfam, best) - mo < m->margin_threshold ||
	       (m->nproto && d > m->dist_threshold);
}

/* One scored report: best score, margin to the runner-up, distance to the best family's support,
 * family held out (-1: known). */
struct pt { double s, m, d; int fam, pred; };

/* The runner-up's score. */
static double second(const double *sc, size_t k, size_t best)
{
	double r = -INFINITY;
	for (size_t c = 0; c < k; c++)
		if (c != best && sc[c] > r)
			r = sc[c];
	return r;
}

/*
 * Distances to many prototypes, fast (the calibration asks thousands):
 * per family of a model, its prototypes' features renumbered 0..V-1, so
 * a query spreads x into a dense array once (one lookup per feature)
 * and each prototype is one gather over its own features.  Built on
 * first use of the family.
 */
struct pidx {
	bool built;
	struct bh_map ix;
	uint32_t V;
	size_t *pr;           /* the family's prototypes (indices in m->proto) */
	uint32_t **id;        /* per prototype: its features' dense numbers */
	size_t np;
	float *xd;            /* V, zero between queries */
};

static void pidx_build(struct pidx *px, const struct bh_model *m, size_t c)
{
	px->built = true;
	px->pr = bh_alloc((m->nproto ? m->nproto : 1) * sizeof *px->pr);
	px->id = bh_alloc((m->nproto ? m->nproto : 1) * sizeof *px->id);
	bh_map_init(&px->ix, 1024);
	for (size_t p = 0; p < m->nproto; p++) {
		if (m->proto_fam[p] != c)
			continue;
		const struct bh_vec *q = &m->proto[p];
		uint32_t *id = bh_alloc((q->n ? q->n : 1) * sizeof *id);
		for (uint32_t j = 0; j < q->n; j++) {
			bool isnew;
			uint32_t *v = bh_map_put(&px->ix, q->h[j], px->V, &isnew);
			px->V += isnew;
			id[j] = *v;
		}
		px->pr[px->np] = p;
		px->id[px->np++] = id;
	}
	px->xd = bh_calloc(px->V ? px->V : 1, sizeof *px->xd);
}

/* As bh_model_dist(m, x, c). */
static double pidx_dist(struct pidx *px, const struct bh_model *m, size_t c, const struct bh_vec *x)
{
	if (!px->built)
		pidx_build(px, m, c);
	for (uint32_t j = 0; j < x->n; j++) {
		uint32_t k = bh_map_get(&px->ix, x->h[j]);
		if (k != UINT32_MAX)
			px->xd[k] = x->v[j];
	}
	double best = INFINITY;
	for (size_t i = 0; i < px->np; i++) {
		const struct bh_vec *q = &m->proto[px->pr[i]];
		double dot = 0;
		for (uint32_t j = 0; j < q->n; j++)
			dot += (double)q->v[j] * px->xd[px->id[i][j]];
		double d = 2.0 - 2.0 * dot;
		d = d > 0 ? sqrt(d) : 0;
		best = d < best ? d : best;
	}
	for (uint32_t j = 0; j < x->n; j++) {
		uint32_t k = bh_map_get(&px->ix, x->h[j]);
		if (k != UINT32_MAX)
			px->xd[k] = 0;
	}
	return best;
}

static void pidx_free(struct pidx *px, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		if (!px[c].built)
			continue;
		for (size_t i = 0; i < px[c].np; i++)
			free(px[c].id[i]);
		free(px[c].id);
		free(px[c].pr);
		free(px[c].xd);
		bh_map_free(&px[c].ix);
	}
	free(px);
}

/*
 * Trains on rows tr (no calibration) and scores rows te into pts (fam:
 * held-out family or -1).  pm: take the distances from pm's prototypes
 * instead of building the model's own.  Right when every family's
 * training rows are the same in both models and the weighting does not
 * depend on the training rows (binary, count): a family's prototypes
 * depend only on its own reports, so leave-one-family-out models share
 * the final model's.
 */
static void score_rows(const struct bh_set *s, const size_t *tr, size_t ntr, const size_t *te, size_t nte,
		       const struct bh_embed_cfg *ec, const struct bh_train_opts *o, int fam, const struct bh_model *pm,
		       struct pt *pts, size_t *npts, struct bh_model *keep)
{
	struct bh_train_opts so = *o;
	so.reject_q = 0;
	so.protos = pm ? 0 : so.protos;
	struct bh_model m;
	char err[160];
	if (bh_svm_train(s, tr, ntr, ec, NULL, &so, &m, err, sizeof err)) {
		if (keep)
			memset(keep, 0, sizeof *keep);
		return;
	}
	double *sc = bh_alloc(m.nfam * sizeof *sc);
	const struct bh_model *dm = pm ? pm : &m;
	struct pidx *px = bh_calloc(dm->nfam, sizeof *px);
	for (size_t i = 0; i < nte; i++) {
		struct bh_vec x;
		bh_model_prepare(&m, &s->v[te[i]], &x);
		size_t b = bh_model_scores(&m, &x, sc);
		double d = 0;
		for (size_t c = 0; dm->nproto && c < dm->nfam; c++)
			if (!strcmp(dm->fam[c], m.fam[b]))
				d = pidx_dist(&px[c], dm, c, &x);
		pts[*npts] = (struct pt){ sc[b], sc[b] - second(sc, m.nfam, b), d, fam, bh_set_family(s, m.fam[b]) };
		++*npts;
		bh_vec_free(&x);
	}
	pidx_free(px, dm->nfam);
	free(sc);
	if (keep)
		*keep = m;
	else
		bh_model_free(&m);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

#define CANDS 24   /* candidate thresholds per test */

/*
 * Candidate thresholds of one test from the known points' values v
 * (sorted ascending; a point is rejected when its value is below the
 * threshold): cand[j] rejects about the j*step lowest knowns, cand[0]
 * none.  Returns the number of candidates.
 */
static size_t cands(double *v, size_t nk, size_t R, double *cand)
{
	qsort(v, nk, sizeof *v, dbl_cmp);
	size_t step = R / (CANDS - 1) + 1, n = 0;
	for (size_t j = 0; j <= R && n < CANDS; j += step)
		cand[n++] = j ? v[j] : -INFINITY;
	return n;
}

/* The first candidate that rejects x (cand[j] > x), or n when none does. */
static uint8_t rank(double x, const double *cand, size_t n)
{
	size_t j = 1;
	while (j < n && !(x < cand[j]))
		j++;
	return (uint8_t)j;
}

/*
 * Picks the three thresholds (score, margin, distance) from the points
 * (nk known first, then unknown ones): every candidate triple within the
 * budget, the most unknowns rejected (mean over held-out families), then
 * the fewest knowns.  Without unknown points: the budget goes to the
 * distance test (Malheur's rule), or to the score test without
 * prototypes.  A point's rank per test is the first candidate that
 * rejects it, so a triple rejects it when any rank is at most its index.
 */
static void choose(const struct pt *p, size_t nk, size_t nu, size_t nfam, double q, bool dist, struct bh_model *m)
{
	size_t np = nk + nu, R = (size_t)floor(q * (double)nk);
	double *v = bh_alloc((nk ? nk : 1) * sizeof *v), cs[CANDS], cm[CANDS], cd[CANDS];
	for (size_t i = 0; i < nk; i++)
		v[i] = p[i].s;
	size_t ns = cands(v, nk, R, cs);
	for (size_t i = 0; i < nk; i++)
		v[i] = p[i].m;
	size_t nm = cands(v, nk, R, cm);
	for (size_t i = 0; i < nk; i++)
		v[i] = -p[i].d;   /* distances: rejected when above, i.e. -d below */
	size_t nd = dist ? cands(v, nk, R, cd) : 1;
	uint8_t *rk = bh_alloc((np ? np : 1) * 3);
	for (size_t i = 0; i < np; i++) {
		rk[3 * i] = rank(p[i].s, cs, ns);
		rk[3 * i + 1] = rank(p[i].m, cm, nm);
		rk[3 * i + 2] = dist ? rank(-p[i].d, cd, nd) : 1;
	}
	size_t *ut = bh_calloc(nfam + 1, sizeof *ut), *ur = bh_alloc((nfam + 1) * sizeof *ur), nheld = 0;
	for (size_t i = nk; i < np; i++)
		ut[p[i].fam]++;
	for (size_t f = 0; f < nfam; f++)
		nheld += ut[f] > 0;
	double best_u = -1;
	size_t best_k = SIZE_MAX, bs = 0, bm = 0, bd = 0;
	for (size_t js = 0; js < ns; js++)
		for (size_t jm = 0; jm < nm; jm++)
			for (size_t jd = 0; jd < nd; jd++) {
				size_t kr = 0;
				for (size_t i = 0; i < nk && kr <= R; i++)
					kr += rk[3 * i] <= js || rk[3 * i + 1] <= jm || rk[3 * i + 2] <= jd;
				if (kr > R)
					continue;
				double u = 0;
				if (nheld) {
					memset(ur, 0, (nfam + 1) * sizeof *ur);
					for (size_t i = nk; i < np; i++)
						ur[p[i].fam] += rk[3 * i] <= js || rk[3 * i + 1] <= jm || rk[3 * i + 2] <= jd;
					for (size_t f = 0; f < nfam; f++)
						u += ut[f] ? (double)ur[f] / (double)ut[f] : 0;
					u /= (double)nheld;
				} else {
					u = dist ? (double)jd - 0.001 * (double)(js + jm) : (double)js - 0.001 * (double)jm;
				}
				if (u > best_u + 1e-12 || (fabs(u - best_u) <= 1e-12 && kr < best_k))
					best_u = u, best_k = kr, bs = js, bm = jm, bd = jd;
			}
	m->threshold = cs[bs];
	m->margin_threshold = cm[bm];
	m->dist_threshold = dist && bd ? -cd[bd] : INFINITY;
	m->cal = (struct bh_calib){ .budget = q, .known_rej = nk && best_k != SIZE_MAX ? (double)best_k / (double)nk : 0,
				    .unknown_rej = nheld ? best_u : -1, .heldout = nheld };
	free(v);
	free(rk);
	free(ut);
	free(ur);
}

/*
 * Per-family normalisation: the median cross-fitted distance of the
 * known reports the SVM gave to each family (the pooled median for a
 * family with fewer than 5) scales its distances, and the medians of
 * their best score and margin are subtracted from its scores and
 * margins (0 for a family with fewer than 5), so one threshold per test
 * fits tight and loose, confident and hesitant families alike.  Applies
 * them to every point by its predicted family and keeps them in m (by
 * m's family order).  On the synthetic overlapping families the offsets
 * added 2-5 points of unseen-family rejection (bench/RESULTS.md).
 */
static void scale(const struct bh_set *s, struct pt *p, size_t nk, size_t np, struct bh_model *m)
{
	double *v = bh_alloc((nk ? nk : 1) * sizeof *v), *med = bh_alloc((s->nfam + 1) * sizeof *med);
	for (size_t i = 0; i < nk; i++)
		v[i] = p[i].d;
	qsort(v, nk, sizeof *v, dbl_cmp);
	double all = nk ? v[nk / 2] : 1;
	for (size_t f = 0; f < s->nfam; f++) {
		size_t k = 0;
		for (size_t i = 0; i < nk; i++)
			if (p[i].pred == (int)f)
				v[k++] = p[i].d;
		qsort(v, k, sizeof *v, dbl_cmp);
		med[f] = k >= 5 && v[k / 2] > 0 ? v[k / 2] : all > 0 ? all : 1;
	}
	for (size_t i = 0; i < np; i++)
		p[i].d /= p[i].pred >= 0 ? med[p[i].pred] : (all > 0 ? all : 1);
	/* per-family offsets of score and margin: the median of the knowns given to the family */
	double *so = bh_alloc((s->nfam + 1) * sizeof *so), *mo = bh_alloc((s->nfam + 1) * sizeof *mo);
	for (int t = 0; t < 2; t++) {
		double *o = t ? mo : so;
		for (size_t f = 0; f < s->nfam; f++) {
			size_t k = 0;
			for (size_t i = 0; i < nk; i++)
				if (p[i].pred == (int)f)
					v[k++] = t ? p[i].m : p[i].s;
			qsort(v, k, sizeof *v, dbl_cmp);
			o[f] = k >= 5 ? v[k / 2] : 0;
		}
	}
	for (size_t i = 0; i < np; i++)
		if (p[i].pred >= 0)
			p[i].s -= so[p[i].pred], p[i].m -= mo[p[i].pred];
	free(m->score_off);
	m->score_off = bh_alloc(2 * m->nfam * sizeof *m->score_off);
	for (size_t c = 0; c < m->nfam; c++) {
		int f = bh_set_family(s, m->fam[c]);
		m->score_off[c] = f >= 0 ? so[f] : 0;
		m->score_off[m->nfam + c] = f >= 0 ? mo[f] : 0;
	}
	free(so);
	free(mo);
	free(m->dist_scale);
	m->dist_scale = bh_alloc(m->nfam * sizeof *m->dist_scale);
	for (size_t c = 0; c < m->nfam; c++) {
		int f = bh_set_family(s, m->fam[c]);
		m->dist_scale[c] = f >= 0 ? med[f] : (all > 0 ? all : 1);
	}
	free(v);
	free(med);
}

void bh_openset_calibrate(const struct bh_set *s, const size_t *rows, size_t n, const struct bh_embed_cfg *ec,
			  const struct bh_train_opts *o, struct bh_model *m)
{
	struct bh_train_opts so = *o;
	so.C = m->C;
	unsigned K = o->cv_folds >= 2 ? o->cv_folds : 3;
	int *y = bh_alloc(n * sizeof *y);
	unsigned *fold = bh_alloc(n * sizeof *fold);
	for (size_t i = 0; i < n; i++)
		y[i] = s->y[rows[i]];
	bh_folds(y, n, K, o->seed ^ 0xca11b, fold);
	struct pt *p = bh_alloc(2 * n * sizeof *p);
	size_t np = 0, *tr = bh_alloc(n * sizeof *tr), *te = bh_alloc(n * sizeof *te);
	/* a fold model sees (K-1)/K of the rows: as many prototypes per row as the final model */
	struct bh_train_opts fo = so;
	fo.protos = (unsigned)((o->protos * (K - 1) + K / 2) / K);
	fo.protos = fo.protos || !o->protos ? fo.protos : 1;
	struct bh_model *fm = bh_calloc(K, sizeof *fm);
	for (unsigned k = 0; k < K; k++) {
		size_t ntr = 0, nte = 0;
		for (size_t i = 0; i < n; i++) {
			if (fold[i] == k)
				te[nte++] = rows[i];
			else
				tr[ntr++] = rows[i];
		}
		score_rows(s, tr, ntr, te, nte, ec, &fo, -1, NULL, p, &np, &fm[k]);
	}
	size_t nk = np;
	size_t nf = 0;
	bool *present = bh_calloc(s->nfam + 1, sizeof *present);
	for (size_t i = 0; i < n; i++)
		if (y[i] >= 0 && !present[y[i]])
			present[y[i]] = true, nf++;
	/* family f left out of fold model k = f mod K's training rows: the same size as the models
	 * that scored the known points, and (binary, count) the same prototypes as that fold model */
	for (size_t f = 0, j = 0; nf >= 3 && f < s->nfam; f++) {
		if (!present[f])
			continue;
		unsigned k = (unsigned)(j++ % K);
		size_t ntr = 0, nte = 0;
		for (size_t i = 0; i < n; i++) {
			if (y[i] == (int)f)
				te[nte++] = rows[i];
			else if (fold[i] != k)
				tr[ntr++] = rows[i];
		}
		const struct bh_model *share = fm[k].nproto && ec->weight != BH_W_TFIDF ? &fm[k] : NULL;
		score_rows(s, tr, ntr, te, nte, ec, share ? &so : &fo, (int)f, share, p, &np, NULL);
	}
	for (unsigned k = 0; k < K; k++)
		bh_model_free(&fm[k]);
	free(fm);
	scale(s, p, nk, np, m);
	choose(p, nk, np - nk, s->nfam, o->reject_q, m->nproto > 0, m);
	free(present);
	free(p);
	free(tr);
	free(te);
	free(y);
	free(fold);
}
