/*
 * verdict.c - the one paragraph that opens a host's report: what the host
 * is, its strongest evidence and when, then the other malicious behaviors
 * in order of weight (rules.c's kinds table: what an analyst acts on first;
 * an exploit or a payload beats a beacon, a beacon beats spam, floods and
 * scans, and P2P membership comes last).  Benign hosts get the ordinary
 * activity.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/report-int.h"

static unsigned rank(const char *kind)
{
	const struct rp_kind *k = rp_kind_find(kind);
	return k ? k->weight : 100;
}

#define APPEND(...) do { int w_ = snprintf(v + u, len - u, __VA_ARGS__); \
	if (w_ > 0) u = (size_t)w_ < len - u ? u + (size_t)w_ : len - 1; } while (0)

/*
 * The evidence as the verdict quotes it: whole, or cut at its last clause
 * ("; ", else ", ", else a space) before VERDICT_EV bytes, marked "[...]":
 * a sentence that stops mid-word reads as a broken report.
 */
#define VERDICT_EV 200

static void quote(const char *ev, char *out, size_t len)
{
	size_t n = strlen(ev);
	if (n <= VERDICT_EV) {
		snprintf(out, len, "%s", ev);
		return;
	}
	static const char *const seps[] = { "; ", ", ", " " };
	size_t cut = VERDICT_EV;
	for (size_t k = 0; k < sizeof seps / sizeof *seps; k++) {
		size_t best = 0, sl = strlen(seps[k]);
		for (size_t i = 0; i + sl <= VERDICT_EV; i++)
			if (!memcmp(ev + i, seps[k], sl))
				best = i;
		if (best >= VERDICT_EV / 3) {
			cut = best;
			break;
		}
	}
	snprintf(out, len, "%.*s [...]", (int)cut, ev);
}

void rp_verdict(struct rp_host *h)
{
	char a[96], t[16], *v = h->verdict;
	size_t u = 0, len = sizeof h->verdict;
	const struct rp_beh *top = NULL;
	rp_host_label(h, a, sizeof a);   /* one of two machines of an address: which */
	for (unsigned i = 0; i < h->nbehs; i++)
		if (h->behs[i].malicious && (!top || rank(h->behs[i].kind) < rank(top->kind)))
			top = &h->behs[i];
	h->malicious = top != NULL;
	if (!top) {
		APPEND("%s shows no malicious behavior: a %s", a, h->role);
		for (unsigned i = 0, k = 0; i < h->nbehs; i++)
			APPEND("%s%s", k++ ? ", " : " with ", h->behs[i].kind);
		APPEND(".");
		return;
	}
	rp_clock(top->start, t, sizeof t);
	char ev[VERDICT_EV + 8];
	quote(top->evidence, ev, sizeof ev);
	const char *role = rp_kv_get(top, "role");
	if (role && !strcmp(role, "target"))   /* the heaviest evidence is an attack on it */
		APPEND("%s was attacked (%s): %s at %s - %s", a, h->role, top->kind, t, ev);
	else
		APPEND("%s is malicious (%s): %s at %s - %s", a, h->role, top->kind, t, ev);
	unsigned more = 0;
	for (unsigned r = 0; r <= 100; r++)
		for (unsigned i = 0; i < h->nbehs; i++) {
			const struct rp_beh *b = &h->behs[i];
			if (b == top || !b->malicious || rank(b->kind) != r)
				continue;
			rp_clock(b->start, t, sizeof t);
			APPEND("%s%s at %s", more++ ? ", " : ". Also ", b->kind, t);
		}
	APPEND(".");
}
