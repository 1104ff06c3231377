/*
 * openset.c - rejection of unknown families (open-set classification).
 *
 * DIMVA 2008 rejects a report whose best SVM score is low.  Measured, that
 * test barely separates new families from known ones: a report of an
 * unseen family often scores high for the family whose n-grams it shares.
 * Four statistics of the report against the family the SVM chose, each
 * relative to that family (score and margin minus its typical value,
 * distance and novelty over its typical value: scale()):
 *   score     the best SVM score;
 *   margin    best minus runner-up score, low when a report looks like two
 *             families at once;
 *   distance  to the family's nearest prototype, after Malheur (Rieck et
 *             al., JCS 2011, section 3.2): outside the family's support;
 *   novelty   the share of the report's distinct n-grams that none of the
 *             family's first nov_protos prototypes has, whatever the
 *             weighting (a TF-IDF weighted share drifts with the number of
 *             training rows, between the calibration's models and the
 *             final one: bench/RESULTS.md).
 *             An unseen family made of pieces of known ones (shared API-call
 *             n-grams) is near some prototype of the chosen family but
 *             carries call sequences that family never shows.
 * A report is unknown when -a0*score - a1*margin + a2*distance +
 * a3*novelty > open_threshold (models of version 3; version 2's OR of
 * score, margin and distance thresholds is still applied when set).
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
 *                  trained on the other folds (when C was chosen: the choice
 *                  of C's fold models at that C, handed over by svm.c).
 *   unknown points leave-one-family-out: each family F in turn is scored
 *                  by a model trained on one fold model's training rows
 *                  (fold F mod K) without F's: the same size as the
 *                  models that scored the known points, and for binary
 *                  and count weighting the same prototypes as that fold
 *                  model (needs >= 3 families, so that 2 remain).
 *   choice         weights a_i from {0, 0.5, 1} / sd_i, the threshold at
 *                  the reject_q quantile of the knowns' combined score
 *                  (choose()); the weights rejecting the most unknown
 *                  points (mean over held-out families), then the fewest
 *                  knowns.
 *   fewer than 3 families: no unknown points; the distance alone (or the
 *                  score alone without prototypes) at reject_q.
 * The thresholds are thus calibrated on cross-fitted models of the same
 * procedure and applied to the model trained on all rows (whose novelty
 * support is as many prototypes per family as the fold models have);
 * evaluate measures what that gives on reports the model never saw.
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
	return bh_model_support(m, x, fam, NULL);
}

double bh_model_support(const struct bh_model *m, const struct bh_vec *x, size_t fam, double *nov)
{
	double best = INFINITY;
	bool *in = nov ? bh_calloc(x->n ? x->n : 1, sizeof *in) : NULL;
	size_t k = 0;
	for (size_t p = 0; p < m->nproto; p++)
		if (m->proto_fam[p] == fam) {
			const struct bh_vec *q = &m->proto[p];
			bool mark = in && (!m->nov_protos || ++k <= m->nov_protos);
			/* bh_vec_dist's merge (the same sums in the same order), marking x's n-grams the
			 * prototype has when it is one of the novelty's support */
			double dot = 0;
			for (uint32_t i = 0, j = 0; i < x->n && j < q->n;) {
				if (x->h[i] < q->h[j]) {
					i++;
				} else if (x->h[i] > q->h[j]) {
					j++;
				} else {
					if (mark)
						in[i] = true;
					dot += (double)x->v[i++] * q->v[j++];
				}
			}
			double d = 2.0 - 2.0 * dot;
			d = d > 0 ? sqrt(d) : 0;
			best = d < best ? d : best;
		}
	if (nov) {
		double out = 0;
		for (uint32_t i = 0; i < x->n; i++)
			out += in[i] ? 0 : 1;
		*nov = x->n ? out / x->n : 0;
		free(in);
	}
	return best;
}

/* The tests of bh_model_unknown, given d = bh_model_dist(m, x, best) and u, x's novelty for best
 * (INFINITY without prototypes). */
static bool unknown_at(const struct bh_model *m, double d, double u, size_t best, const double *sc, double *dist,
		       double *nov)
{
	if (m->dist_scale && m->dist_scale[best] > 0)
		d /= m->dist_scale[best];
	if (m->nov_scale && m->nov_scale[best] > 0)
		u /= m->nov_scale[best];
	if (dist)
		*dist = d;
	if (nov)
		*nov = u;
	double so = m->score_off ? m->score_off[best] : 0, mo = m->score_off ? m->score_off[m->nfam + best] : 0;
	double s = sc[best] - so, mg = sc[best] - second(sc, m->nfam, best) - mo;
	if (s < m->threshold || mg < m->margin_threshold || (m->nproto && d > m->dist_threshold))
		return true;
	if (!isfinite(m->open_threshold))
		return false;
	/* the combined test (version 3): statistics with weight 0 are left out (d, u are INFINITY
	 * without prototypes) */
	double t[4] = { -s, -mg, d, u }, z = 0;
	for (int j = 0; j < 4; j++)
		z += m->open_w[j] != 0 ? m->open_w[j] * t[j] : 0;
	return z > m->open_threshold;
}

bool bh_model_unknown(const struct bh_model *m, const struct bh_vec *x, size_t best, const double *sc,
		      double *dist)
{
	return bh_model_unknown2(m, x, best, sc, dist, NULL);
}

bool bh_model_unknown2(const struct bh_model *m, const struct bh_vec *x, size_t best, const double *sc,
		       double *dist, double *nov)
{
	double u = INFINITY, d = m->nproto ? bh_model_support(m, x, best, &u) : INFINITY;
	return unknown_at(m, d, u, best, sc, dist, nov);
}

/* One scored report: best score, margin to the runner-up, distance to the best family's support,
 * family held out (-1: known). */
struct pt { double s, m, d, u; int fam, pred; };

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
	uint32_t V, Vs;       /* dense numbers; those below Vs are the novelty test's support */
	size_t *pr;           /* the family's prototypes (indices in m->proto) */
	uint32_t **id;        /* per prototype: its features' dense numbers */
	size_t np;
	float *xd;            /* V, zero between queries */
	uint32_t *set;        /* the entries of xd a query set, to clear them */
	size_t setcap;
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
		if (!m->nov_protos || px->np <= m->nov_protos)
			px->Vs = px->V;   /* numbers are given in prototype order */
	}
	px->xd = bh_calloc(px->V ? px->V : 1, sizeof *px->xd);
}

/* As bh_model_support(m, x, c, nov): the family's prototypes' n-grams are the keys of px->ix. */
static double pidx_dist(struct pidx *px, const struct bh_model *m, size_t c, const struct bh_vec *x, double *nov)
{
	if (!px->built)
		pidx_build(px, m, c);
	if (px->setcap < x->n) {
		px->setcap = x->n;
		px->set = bh_realloc(px->set, px->setcap * sizeof *px->set);
	}
	size_t ns = 0;
	double out = 0;
	for (uint32_t j = 0; j < x->n; j++) {
		uint32_t k = bh_map_get(&px->ix, x->h[j]);
		if (k != UINT32_MAX) {
			px->xd[k] = x->v[j];
			px->set[ns++] = k;
		}
		if (k == UINT32_MAX || k >= px->Vs)
			out += 1;
	}
	*nov = x->n ? out / x->n : 0;
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
	for (size_t j = 0; j < ns; j++)
		px->xd[px->set[j]] = 0;
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
		free(px[c].set);
		bh_map_free(&px[c].ix);
	}
	free(px);
}

struct bh_pdist {
	const struct bh_model *m;
	struct pidx *px;
};

struct bh_pdist *bh_pdist_new(const struct bh_model *m)
{
	struct bh_pdist *p = bh_alloc(sizeof *p);
	p->m = m;
	p->px = bh_calloc(m->nfam ? m->nfam : 1, sizeof *p->px);
	return p;
}

void bh_pdist_free(struct bh_pdist *p)
{
	if (!p)
		return;
	pidx_free(p->px, p->m->nfam);
	free(p);
}

/* The same sums in the same order as bh_vec_dot (a prototype's absent features add 0): the
 * same distance as bh_model_dist, hence the same answer as bh_model_unknown. */
bool bh_model_unknown_px(struct bh_pdist *p, const struct bh_vec *x, size_t best, const double *sc, double *dist)
{
	const struct bh_model *m = p->m;
	double u = INFINITY, d = m->nproto ? pidx_dist(&p->px[best], m, best, x, &u) : INFINITY;
	return unknown_at(m, d, u, best, sc, dist, NULL);
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
		       struct pt *pts, size_t *npts, struct bh_model *keep, const struct bh_svm_data *dat,
		       struct bh_model *given)
{
	struct bh_train_opts so = *o;
	so.reject_q = 0;
	so.protos = pm ? 0 : so.protos;
	struct bh_model m;
	char err[160];
	if (given && given->nfam) {
		/* trained by the choice of C on these rows at this C: only its prototypes are missing */
		m = *given;
		memset(given, 0, sizeof *given);
		bh_protos_build(&m, s, tr, ntr, so.protos);
	} else if (given || bh_svm_train_on(dat, s, tr, ntr, ec, NULL, &so, &m, err, sizeof err)) {
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
		double d = 0, u = 0;
		for (size_t c = 0; dm->nproto && c < dm->nfam; c++)
			if (!strcmp(dm->fam[c], m.fam[b]))
				d = pidx_dist(&px[c], dm, c, &x, &u);
		pts[*npts] = (struct pt){ sc[b], sc[b] - second(sc, m.nfam, b), d, u, fam, bh_set_family(s, m.fam[b]) };
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

/*
 * The open-set statistics of a point, each oriented so that high means
 * novel: minus the score and minus the margin (after the family's
 * offsets), the distance and the novelty (over the family's scales).
 */
static void stats(const struct pt *p, double t[4])
{
	t[0] = -p->s, t[1] = -p->m, t[2] = p->d, t[3] = p->u;
}

static int dbl_desc(const void *a, const void *b)
{
	return dbl_cmp(b, a);
}

/*
 * Picks the open-set test from the points (nk known first, then unknown
 * ones): the combined score z = sum of w_i * t_i / sd_i over the four
 * statistics (stats(); sd_i their standard deviation over the knowns),
 * and the threshold its (1 - q) quantile over the knowns, so that at most
 * q of them are rejected whatever the weights (then raised half way to the
 * lowest unknown it rejects).  The weights come from
 * {0, 0.5, 1} per statistic: of the 80 combinations, the one rejecting the
 * most unknowns (mean over held-out families), then the fewest knowns,
 * then the first.  Only the threshold is fitted to the known points, once
 * per combination, so the budget is not eaten by a search over thresholds
 * (the former OR of three thresholds chose among 24^3 triples on the same
 * knowns, and its false rejection came out above the budget once the
 * novelty test was added: bench/RESULTS.md).  Without unknown points (fewer
 * than 3 families): the distance alone (Malheur's rule), or the score alone
 * without prototypes.  m gets a_i = w_i / sd_i and the threshold.
 */
static void choose(const struct pt *p, size_t nk, size_t nu, size_t nfam, double q, bool dist, struct bh_model *m)
{
	size_t np = nk + nu, R = (size_t)floor(q * (double)nk);
	double sd[4], mean[4] = { 0 }, t[4];
	for (size_t i = 0; i < nk; i++) {
		stats(&p[i], t);
		for (int j = 0; j < 4; j++)
			mean[j] += t[j];
	}
	for (int j = 0; j < 4; j++) {
		mean[j] /= nk ? (double)nk : 1;
		double v = 0;
		for (size_t i = 0; i < nk; i++) {
			stats(&p[i], t);
			v += (t[j] - mean[j]) * (t[j] - mean[j]);
		}
		sd[j] = nk > 1 && v > 0 ? sqrt(v / (double)nk) : 1;
	}
	size_t *ut = bh_calloc(nfam + 1, sizeof *ut), *ur = bh_alloc((nfam + 1) * sizeof *ur), nheld = 0;
	for (size_t i = nk; i < np; i++)
		ut[p[i].fam]++;
	for (size_t f = 0; f < nfam; f++)
		nheld += ut[f] > 0;
	double *z = bh_alloc((np ? np : 1) * sizeof *z), *zk = bh_alloc((nk ? nk : 1) * sizeof *zk);
	static const double wg[3] = { 0, 0.5, 1 };
	double best_u = -1, best_a[4] = { 0 }, best_t = INFINITY;
	size_t best_k = SIZE_MAX;
	for (unsigned c = 1; c < 81; c++) {
		double a[4];
		for (unsigned j = 0, r = c; j < 4; j++, r /= 3)
			a[j] = wg[r % 3] / sd[j];
		if (!nheld) {   /* fixed: the distance alone, or the score alone */
			a[0] = !dist && c == 1 ? 1 / sd[0] : 0;
			a[1] = 0;
			a[2] = dist && c == 1 ? 1 / sd[2] : 0;
			a[3] = 0;
			if (c > 1)
				break;
		}
		if (!dist && (a[2] != 0 || a[3] != 0))
			continue;
		for (size_t i = 0; i < np; i++) {
			stats(&p[i], t);
			z[i] = 0;
			for (int j = 0; j < 4; j++)
				z[i] += a[j] != 0 ? a[j] * t[j] : 0;
		}
		memcpy(zk, z, nk * sizeof *z);
		qsort(zk, nk, sizeof *zk, dbl_desc);
		/* reject z > thr: thr the (R+1)th largest known (or nothing rejected); then, when
		 * unknowns are held out, raised half way to the lowest unknown it rejects: the same
		 * unknowns rejected, fewer knowns when the families are apart (the budget is a
		 * ceiling, not a target) */
		double thr = R < nk ? zk[R] : -INFINITY, zmin = INFINITY;
		for (size_t i = nk; i < np; i++)
			zmin = z[i] > thr && z[i] < zmin ? z[i] : zmin;
		if (nheld && isfinite(thr) && isfinite(zmin))
			thr += (zmin - thr) / 2;
		size_t kr = 0;
		for (size_t i = 0; i < nk; i++)
			kr += z[i] > thr;
		double u = 0;
		if (nheld) {
			memset(ur, 0, (nfam + 1) * sizeof *ur);
			for (size_t i = nk; i < np; i++)
				ur[p[i].fam] += z[i] > thr;
			for (size_t f = 0; f < nfam; f++)
				u += ut[f] ? (double)ur[f] / (double)ut[f] : 0;
			u /= (double)nheld;
		}
		if (u > best_u + 1e-12 || (fabs(u - best_u) <= 1e-12 && kr < best_k)) {
			best_u = u, best_k = kr, best_t = thr;
			memcpy(best_a, a, sizeof a);
		}
	}
	memcpy(m->open_w, best_a, sizeof best_a);
	m->open_threshold = q > 0 && nk ? best_t : INFINITY;
	m->threshold = -INFINITY;
	m->margin_threshold = -INFINITY;
	m->dist_threshold = INFINITY;
	m->cal = (struct bh_calib){ .budget = q, .known_rej = nk && best_k != SIZE_MAX ? (double)best_k / (double)nk : 0,
				    .unknown_rej = nheld ? best_u : -1, .heldout = nheld };
	free(z);
	free(zk);
	free(ut);
	free(ur);
}

/* The median of the knowns' distances (t = 0) or novelties (t = 1) given to each family, over
 * v (room for nk); a family with fewer than 5, or a median of 0, takes the pooled median, a
 * pooled median of 0 takes 1. */
static void fam_medians(const struct pt *p, size_t nk, size_t nfam, int t, double *v, double *med, double *all)
{
	for (size_t i = 0; i < nk; i++)
		v[i] = t ? p[i].u : p[i].d;
	qsort(v, nk, sizeof *v, dbl_cmp);
	*all = nk && v[nk / 2] > 0 ? v[nk / 2] : 1;
	for (size_t f = 0; f < nfam; f++) {
		size_t k = 0;
		for (size_t i = 0; i < nk; i++)
			if (p[i].pred == (int)f)
				v[k++] = t ? p[i].u : p[i].d;
		qsort(v, k, sizeof *v, dbl_cmp);
		med[f] = k >= 5 && v[k / 2] > 0 ? v[k / 2] : *all;
	}
}

/*
 * Per-family normalisation: the median cross-fitted distance and novelty
 * of the known reports the SVM gave to each family (the pooled median for
 * a family with fewer than 5) scale its distances and novelties, and the
 * medians of their best score and margin are subtracted from its scores
 * and margins (0 for a family with fewer than 5), so one threshold per
 * test fits tight and loose, confident and hesitant families alike.
 * Applies them to every point by its predicted family and keeps them in m
 * (by m's family order).  On the synthetic overlapping families the
 * offsets added 2-5 points of unseen-family rejection (bench/RESULTS.md).
 */
static void scale(const struct bh_set *s, struct pt *p, size_t nk, size_t np, struct bh_model *m)
{
	double *v = bh_alloc((nk ? nk : 1) * sizeof *v), *med = bh_alloc((s->nfam + 1) * sizeof *med);
	double *nmed = bh_alloc((s->nfam + 1) * sizeof *nmed), all, nall;
	fam_medians(p, nk, s->nfam, 0, v, med, &all);
	fam_medians(p, nk, s->nfam, 1, v, nmed, &nall);
	for (size_t i = 0; i < np; i++) {
		p[i].d /= p[i].pred >= 0 ? med[p[i].pred] : all;
		p[i].u /= p[i].pred >= 0 ? nmed[p[i].pred] : nall;
	}
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
	free(m->nov_scale);
	m->dist_scale = bh_alloc(m->nfam * sizeof *m->dist_scale);
	m->nov_scale = bh_alloc(m->nfam * sizeof *m->nov_scale);
	for (size_t c = 0; c < m->nfam; c++) {
		int f = bh_set_family(s, m->fam[c]);
		m->dist_scale[c] = f >= 0 ? med[f] : all;
		m->nov_scale[c] = f >= 0 ? nmed[f] : nall;
	}
	free(v);
	free(med);
	free(nmed);
}

/* The fold models of bh_openset_calibrate (known points), one task per fold. */
struct kfold {
	const struct bh_set *s;
	const size_t *rows;
	size_t n;
	const unsigned *fold;
	const struct bh_embed_cfg *ec;
	const struct bh_train_opts *fo;
	struct bh_model *fm, *cvm;
	const struct bh_svm_data *dat;
	struct pt **pts;
	size_t *npts;
};

static void kfold_task(void *ctx, size_t k)
{
	struct kfold *c = ctx;
	size_t *tr = bh_alloc((c->n ? c->n : 1) * sizeof *tr), *te = bh_alloc((c->n ? c->n : 1) * sizeof *te);
	size_t ntr = 0, nte = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->fold[i] == k)
			te[nte++] = c->rows[i];
		else
			tr[ntr++] = c->rows[i];
	}
	c->pts[k] = bh_alloc((nte ? nte : 1) * sizeof **c->pts);
	score_rows(c->s, tr, ntr, te, nte, c->ec, c->fo, -1, NULL, c->pts[k], &c->npts[k], &c->fm[k], c->dat,
		   c->cvm ? &c->cvm[k] : NULL);
	free(tr);
	free(te);
}

/* The left-out-family models of bh_openset_calibrate, one task per family. */
struct lofo {
	const struct bh_set *s;
	const size_t *rows;
	size_t n;
	const int *y;
	const unsigned *fold;
	const struct bh_embed_cfg *ec;
	const struct bh_train_opts *so, *fo;
	const struct bh_model *fm;
	const struct bh_svm_data *dat;
	size_t *fam, nt;       /* the families held out, in order */
	struct pt **pts;       /* per task: its points */
	size_t *npts;
};

static void lofo_task(void *ctx, size_t j)
{
	struct lofo *l = ctx;
	unsigned K = l->so->cv_folds >= 2 ? l->so->cv_folds : 3, k = (unsigned)(j % K);
	int f = (int)l->fam[j];
	size_t *tr = bh_alloc((l->n ? l->n : 1) * sizeof *tr), *te = bh_alloc((l->n ? l->n : 1) * sizeof *te);
	size_t ntr = 0, nte = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (l->y[i] == f)
			te[nte++] = l->rows[i];
		else if (l->fold[i] != k)
			tr[ntr++] = l->rows[i];
	}
	const struct bh_model *share = l->fm[k].nproto && l->ec->weight != BH_W_TFIDF ? &l->fm[k] : NULL;
	l->pts[j] = bh_alloc((nte ? nte : 1) * sizeof **l->pts);
	score_rows(l->s, tr, ntr, te, nte, l->ec, share ? l->so : l->fo, f, share, l->pts[j], &l->npts[j], NULL,
		   l->dat, NULL);
	free(tr);
	free(te);
}

void bh_openset_calibrate(const struct bh_set *s, const size_t *rows, size_t n, const struct bh_embed_cfg *ec,
			  const struct bh_train_opts *o, const struct bh_svm_data *dat, struct bh_model *cvm,
			  struct bh_model *m)
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
	struct kfold kf = { .s = s, .rows = rows, .n = n, .fold = fold, .ec = ec, .fo = &fo, .fm = fm, .cvm = cvm,
			    .dat = dat };
	kf.pts = bh_calloc(K, sizeof *kf.pts);
	kf.npts = bh_calloc(K, sizeof *kf.npts);
	bh_par_for(K, o->threads, kfold_task, &kf);
	for (unsigned k = 0; k < K; k++) {
		memcpy(p + np, kf.pts[k], kf.npts[k] * sizeof *p);
		np += kf.npts[k];
		free(kf.pts[k]);
	}
	free(kf.pts);
	free(kf.npts);
	size_t nk = np;
	size_t nf = 0;
	bool *present = bh_calloc(s->nfam + 1, sizeof *present);
	for (size_t i = 0; i < n; i++)
		if (y[i] >= 0 && !present[y[i]])
			present[y[i]] = true, nf++;
	/* family f left out of fold model k = f mod K's training rows: the same size as the models
	 * that scored the known points, and (binary, count) the same prototypes as that fold model;
	 * the families' models train on o->threads threads, their points appended in family order */
	struct lofo lo = { .s = s, .rows = rows, .n = n, .y = y, .fold = fold, .ec = ec, .so = &so, .fo = &fo,
			   .fm = fm, .dat = dat };
	lo.fam = bh_alloc((s->nfam + 1) * sizeof *lo.fam);
	for (size_t f = 0; nf >= 3 && f < s->nfam; f++)
		if (present[f])
			lo.fam[lo.nt++] = f;
	lo.pts = bh_calloc(lo.nt + 1, sizeof *lo.pts);
	lo.npts = bh_calloc(lo.nt + 1, sizeof *lo.npts);
	bh_par_for(lo.nt, o->threads, lofo_task, &lo);
	for (size_t j = 0; j < lo.nt; j++) {
		memcpy(p + np, lo.pts[j], lo.npts[j] * sizeof *p);
		np += lo.npts[j];
		free(lo.pts[j]);
	}
	free(lo.pts);
	free(lo.npts);
	free(lo.fam);
	for (unsigned k = 0; k < K; k++)
		bh_model_free(&fm[k]);
	free(fm);
	free(cvm);
	scale(s, p, nk, np, m);
	/* the novelty test's support in the final model: its first fo.protos prototypes per family
	 * (farthest-first order), as many as the fold models that gave the points have */
	m->nov_protos = fo.protos;
	choose(p, nk, np - nk, s->nfam, o->reject_q, m->nproto > 0, m);
	free(present);
	free(p);
	free(tr);
	free(te);
	free(y);
	free(fold);
}
