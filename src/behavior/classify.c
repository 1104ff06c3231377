/*
 * classify.c - one report against a model (DIMVA 2008, section 3.3): the
 * family with the highest SVM score, "unknown" when the open-set test
 * rejects it (openset.c: the combined test of score, margin, distance to
 * the family's prototypes and novelty, or a former model's thresholds),
 * the runner-up, and the n-grams that weighed most.
 */
#include <math.h>

#include "behavior/behavior.h"

void bh_classify(const struct bh_model *m, const struct bh_vec *raw, bool reject, size_t top, double *sc,
		 struct bh_contrib *topv, struct bh_verdict *d)
{
	struct bh_vec v;
	bh_model_prepare(m, raw, &v);
	size_t best = bh_model_scores(m, &v, sc), second = best == 0 ? 1 : 0;
	for (size_t c = 0; c < m->nfam; c++)
		if (c != best && sc[c] > sc[second])
			second = c;
	double dist, nov;
	bool unk = bh_model_unknown2(m, &v, best, sc, &dist, &nov);
	*d = (struct bh_verdict){ .best = best, .second = second, .unknown = reject && unk, .dist = dist,
				  .nov = m->nproto && m->nov_scale ? nov : INFINITY,
				  .sc = sc, .top = topv, .ntop = bh_model_top(m, &v, best, topv, top) };
	bh_vec_free(&v);
}
