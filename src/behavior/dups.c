/*
 * dups.c - exact duplicate reports: reports whose n-gram count vectors
 * (the embedding's input to weighting: every n-gram of the normalised
 * event stream, with its count) are equal.  Such reports are one point
 * to every learner here; spread over folds they let evaluation test on
 * its training data, and a group whose labels disagree is label noise
 * no classifier can get right.
 *
 * A report's fingerprint is a 64-bit hash of its (hash, count) pairs;
 * reports with equal fingerprints are compared in full before they are
 * called equal, so a fingerprint collision never merges two reports.
 */
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"
#include "util/hash.h"

static uint64_t fingerprint(const struct bh_vec *v)
{
	uint64_t h = 0x243f6a8885a308d3ULL ^ v->n;
	for (uint32_t i = 0; i < v->n; i++) {
		uint32_t bits;
		memcpy(&bits, &v->v[i], sizeof bits);
		h = fmix64(h ^ v->h[i]) + bits;
	}
	return fmix64(h);
}

static bool same(const struct bh_vec *a, const struct bh_vec *b)
{
	return a->n == b->n && !memcmp(a->h, b->h, a->n * sizeof *a->h) && !memcmp(a->v, b->v, a->n * sizeof *a->v);
}

struct fp { uint64_t h; size_t i; };

static int fp_cmp(const void *a, const void *b)
{
	const struct fp *x = a, *y = b;
	return x->h != y->h ? (x->h < y->h ? -1 : 1) : (x->i < y->i ? -1 : x->i > y->i);
}

/*
 * Sorts the fingerprints, then within each run of equal fingerprints
 * groups the reports equal to the run's earliest unassigned one (a
 * collision leaves two groups in one run).  Groups are numbered in
 * the order their first report appears in the sorted runs.
 */
void bh_dups_find(const struct bh_set *s, struct bh_dups *d)
{
	memset(d, 0, sizeof *d);
	d->group = bh_alloc((s->n ? s->n : 1) * sizeof *d->group);
	struct fp *f = bh_alloc((s->n ? s->n : 1) * sizeof *f);
	for (size_t i = 0; i < s->n; i++) {
		f[i] = (struct fp){ fingerprint(&s->v[i]), i };
		d->group[i] = SIZE_MAX;
	}
	qsort(f, s->n, sizeof *f, fp_cmp);
	for (size_t a = 0; a < s->n;) {
		size_t b = a + 1;
		while (b < s->n && f[b].h == f[a].h)
			b++;
		for (size_t i = a; i < b; i++) {
			size_t ri = f[i].i;
			if (d->group[ri] != SIZE_MAX)
				continue;
			size_t members = 1;
			bool conflict = false;
			int lab = s->y[ri];   /* the group's first label (unlabelled reports never conflict) */
			for (size_t j = i + 1; j < b; j++) {
				size_t rj = f[j].i;
				if (d->group[rj] != SIZE_MAX || !same(&s->v[ri], &s->v[rj]))
					continue;
				d->group[ri] = d->group[rj] = d->groups;
				members++;
				if (lab < 0)
					lab = s->y[rj];
				conflict |= s->y[rj] >= 0 && s->y[rj] != lab;
			}
			if (members > 1) {
				d->groups++;
				d->dups += members - 1;
				d->conflicts += conflict;
			}
		}
		a = b;
	}
	free(f);
}

size_t bh_dups_drop(struct bh_set *s, const struct bh_dups *d)
{
	bool *seen = bh_calloc(d->groups + 1, sizeof *seen), *conf = bh_calloc(d->groups + 1, sizeof *conf);
	int *lab = bh_alloc((d->groups + 1) * sizeof *lab);
	for (size_t g = 0; g < d->groups; g++)
		lab[g] = -2;
	for (size_t i = 0; i < s->n; i++) {
		size_t g = d->group[i];
		if (g == SIZE_MAX || s->y[i] < 0)
			continue;
		if (lab[g] == -2)
			lab[g] = s->y[i];
		else if (lab[g] != s->y[i])
			conf[g] = true;
	}
	size_t k = 0, dropped = 0;
	for (size_t i = 0; i < s->n; i++) {
		size_t g = d->group[i];
		bool drop = g != SIZE_MAX && (conf[g] || seen[g]);
		if (g != SIZE_MAX)
			seen[g] = true;
		if (drop) {
			bh_vec_free(&s->v[i]);
			dropped++;
			continue;
		}
		s->v[k] = s->v[i];
		s->y[k++] = s->y[i];
	}
	s->n = k;
	free(seen);
	free(conf);
	free(lab);
	return dropped;
}
