/*
 * behavior_out.h - writing the behavior layer's results (behavior/
 * behavior.h) for learn, classify, explain, cluster and evaluate.
 */
#ifndef BOTLENS_BEHAVIOR_OUT_H
#define BOTLENS_BEHAVIOR_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "behavior/behavior.h"

enum bh_outfmt { BH_OUT_TEXT, BH_OUT_TSV, BH_OUT_JSON };

/* s as a JSON string (null for NULL), or as a TSV/text field (tabs and newlines as spaces, "-" for NULL). */
void bh_out_str(FILE *f, enum bh_outfmt fmt, const char *s);
/* One report's verdict (bh_classify): family or unknown, score, runner-up, top n-grams. */
void bh_render_verdict(FILE *f, enum bh_outfmt fmt, const struct bh_model *m, const struct bh_vec *raw,
		       const struct bh_verdict *d);
/* Family c's `top` heaviest n-grams (single: the only family shown, no blank line before it in text); ord: nfeat scratch indices. */
void bh_render_family(FILE *f, enum bh_outfmt fmt, const struct bh_model *m, size_t c, size_t top, bool single,
		      size_t *ord);
/* Each report's cluster (cl; -1 rejected) and, when some are labelled, the clustering's quality. */
void bh_render_clusters(FILE *f, enum bh_outfmt fmt, const struct bh_set *s, const int *cl, size_t nc);
/* The cross-validation tally over K folds (unknown: the held-out family's name, or NULL). */
void bh_render_eval(FILE *f, enum bh_outfmt fmt, const struct bh_set *s, const struct bh_tally *t, unsigned folds,
		    const char *unknown);
/* One family held out of training (evaluate --open-set). */
struct bh_openset_row {
	size_t fam;                 /* family index in the set */
	size_t unk, unk_rej;        /* its reports, and how many were rejected */
	size_t known, known_rej;    /* the other families' test reports, and how many were rejected */
	double accuracy;            /* forced accuracy on the known ones */
};
/* The open-set table and its means (budget: learn's --reject). */
void bh_render_openset(FILE *f, enum bh_outfmt fmt, const struct bh_set *s, const struct bh_openset_row *r,
		       size_t n, unsigned folds, double budget);

#endif
