/*
 * annots.c - plot annotation lists, and the rule that turns a report's
 * host into annotations (see annots.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/annots.h"
#include "decode/decode.h"
#include "util/hash.h"

int plot_annot_add(struct plot_annots *l, const struct plot_annot *a)
{
	if (!grow_to((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v, 8))
		return -1;
	l->v[l->n++] = *a;
	return 0;
}

void plot_annots_free(struct plot_annots *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

unsigned annots_port_by_time(void *ctx, const struct rp_notable *nt)
{
	const struct rp_host *h = ctx;
	for (size_t k = 0; k < h->npts; k++)
		if (h->pts[k].t >= (float)nt->first - 0.001f)
			return h->pts[k].port;
	return 0;
}

/* True when a behavior of the same kind starts before behs[i]: one band per kind (its first onset). */
static bool kind_before(const struct rp_host *h, unsigned i)
{
	for (unsigned k = 0; k < i; k++)
		if (!strcmp(h->behs[k].kind, h->behs[i].kind))
			return true;
	return false;
}

int annots_report(const struct rp_host *h, double span, bool with_org, annots_port_fn port, void *ctx,
		  struct plot_annots *out)
{
	double w = span > 0 ? span / 150 : 1;
	for (unsigned i = 0; i < h->nbehs; i++) {
		if (!h->behs[i].malicious || kind_before(h, i))
			continue;
		struct plot_annot a = { .kind = PLOT_ANNOT_TIME_BAND, .t0 = h->behs[i].start, .t1 = h->behs[i].start + w };
		snprintf(a.label, sizeof a.label, "%s", h->behs[i].kind);
		if (plot_annot_add(out, &a))
			return -1;
	}
	for (unsigned i = 0; i < h->nnotable && i < ANNOTS_NOTABLE; i++) {
		const struct rp_notable *nt = &h->notable[i];
		struct plot_annot a = { .kind = PLOT_ANNOT_POINT, .t0 = nt->first, .p0 = port(ctx, nt) };
		char addr[64];
		decode_addr_str(nt->family, nt->addr, addr, sizeof addr);
		bool org = with_org && nt->org[0];
		snprintf(a.label, sizeof a.label, "%s%s%s", addr, org ? " · " : "", org ? nt->org : "");
		if (plot_annot_add(out, &a))
			return -1;
	}
	return 0;
}
