/*
 * eval.c - evaluation: stratified folds, confusion matrices with an
 * "unknown" column (rejections), per-class precision/recall/F1, macro F1,
 * and clustering quality against labels: Malheur's precision and recall
 * (Rieck et al. 2011, section 4: each cluster's majority label, each
 * label's majority cluster), their F-measure, and the adjusted Rand index
 * (Hubert and Arabie, 1985).
 *
 * Invariant: a confusion matrix is (k+1) x (k+1), row = truth, column =
 * prediction, index k = unknown (held-out family / rejected).
 */
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"
#include "util/hash.h"

/* Shuffles each class's rows with the seed, then deals them round-robin
 * to folds, so every fold holds each class in proportion. */
void bh_folds(const int *y, size_t n, unsigned k, uint64_t seed, unsigned *fold)
{
	size_t *ord = bh_alloc(n * sizeof *ord);
	for (size_t i = 0; i < n; i++)
		ord[i] = i;
	uint64_t st = seed;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(splitmix64(&st) % i);
		size_t t = ord[i - 1];
		ord[i - 1] = ord[j];
		ord[j] = t;
	}
	int maxy = -1;
	for (size_t i = 0; i < n; i++)
		if (y[i] > maxy)
			maxy = y[i];
	unsigned *next = bh_calloc((size_t)maxy + 2, sizeof *next);
	for (size_t i = 0; i < n; i++) {
		size_t r = ord[i];
		size_t c = (size_t)(y[r] + 1);
		fold[r] = next[c]++ % k;
	}
	free(next);
	free(ord);
}

void bh_conf_init(struct bh_confusion *c, size_t k)
{
	c->k = k;
	c->m = bh_calloc((k + 1) * (k + 1), sizeof *c->m);
}

void bh_conf_free(struct bh_confusion *c)
{
	free(c->m);
	c->m = NULL;
}

void bh_conf_add(struct bh_confusion *c, int truth, int pred)
{
	size_t t = truth < 0 ? c->k : (size_t)truth, p = pred < 0 ? c->k : (size_t)pred;
	c->m[t * (c->k + 1) + p]++;
}

void bh_conf_prf(const struct bh_confusion *c, size_t cls, struct bh_prf *o)
{
	size_t K = c->k + 1, tp = c->m[cls * K + cls], row = 0, col = 0;
	for (size_t j = 0; j < K; j++) {
		row += c->m[cls * K + j];
		col += c->m[j * K + cls];
	}
	o->support = row;
	o->p = col ? (double)tp / (double)col : 0;
	o->r = row ? (double)tp / (double)row : 0;
	o->f1 = o->p + o->r > 0 ? 2 * o->p * o->r / (o->p + o->r) : 0;
}

double bh_conf_accuracy(const struct bh_confusion *c)
{
	size_t K = c->k + 1, ok = 0, all = 0;
	for (size_t i = 0; i < K; i++)
		for (size_t j = 0; j < K; j++) {
			all += c->m[i * K + j];
			ok += i == j ? c->m[i * K + j] : 0;
		}
	return all ? (double)ok / (double)all : 0;
}

double bh_conf_macro_f1(const struct bh_confusion *c)
{
	double s = 0;
	size_t n = 0;
	for (size_t i = 0; i < c->k; i++) {
		struct bh_prf p;
		bh_conf_prf(c, i, &p);
		if (!p.support)
			continue;
		s += p.f1;
		n++;
	}
	return n ? s / (double)n : 0;
}

static double choose2(double x) { return x * (x - 1) / 2; }

void bh_cluster_quality(const int *truth, const int *cl, size_t n, struct bh_cluster_quality *q)
{
	bh_cluster_quality_rej(truth, cl, n, false, q);
}

/* rejected_as_one: the rejected reports form one cluster (Malheur's
 * count); else each is its own singleton (botlens's default: a rejected
 * report is grouped with nothing, so it neither helps recall nor hurts
 * precision). */
void bh_cluster_quality_rej(const int *truth, const int *cl, size_t n, bool rejected_as_one,
			    struct bh_cluster_quality *q)
{
	memset(q, 0, sizeof *q);
	if (!n)
		return;
	/* relabel: truth 0..T-1, clusters 0..C-1 with each rejected report its own singleton */
	int tmax = -1, cmax = -1;
	for (size_t i = 0; i < n; i++) {
		if (truth[i] > tmax)
			tmax = truth[i];
		if (cl[i] > cmax)
			cmax = cl[i];
	}
	size_t T = (size_t)tmax + 2, C = (size_t)cmax + 1;
	size_t nrej = 0;
	for (size_t i = 0; i < n; i++)
		nrej += cl[i] < 0;
	size_t CC = C + (rejected_as_one ? (nrej > 0) : nrej);
	size_t *ct = bh_calloc(T * CC, sizeof *ct);
	size_t r = 0;
	for (size_t i = 0; i < n; i++) {
		size_t c = cl[i] >= 0 ? (size_t)cl[i] : rejected_as_one ? C : C + r++;
		ct[c * T + (size_t)(truth[i] + 1)]++;
	}
	double prec = 0, rec = 0, sij = 0, sa = 0, sb = 0;
	for (size_t c = 0; c < CC; c++) {
		size_t mx = 0, row = 0;
		for (size_t t = 0; t < T; t++) {
			mx = ct[c * T + t] > mx ? ct[c * T + t] : mx;
			row += ct[c * T + t];
			sij += choose2((double)ct[c * T + t]);
		}
		prec += (double)mx;
		sa += choose2((double)row);
	}
	for (size_t t = 0; t < T; t++) {
		size_t mx = 0, col = 0;
		for (size_t c = 0; c < CC; c++) {
			mx = ct[c * T + t] > mx ? ct[c * T + t] : mx;
			col += ct[c * T + t];
		}
		rec += (double)mx;
		sb += choose2((double)col);
	}
	q->precision = prec / (double)n;
	q->recall = rec / (double)n;
	q->f = q->precision + q->recall > 0 ? 2 * q->precision * q->recall / (q->precision + q->recall) : 0;
	double exp = n > 1 ? sa * sb / choose2((double)n) : 0, maxi = (sa + sb) / 2;
	q->ari = maxi - exp > 1e-12 ? (sij - exp) / (maxi - exp) : 1;
	free(ct);
}
