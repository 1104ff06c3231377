/*
 * beh_dga.c - `dga`: the host looks up many machine-made names under many
 * registered domains and is mostly told they do not exist.  A domain
 * generation algorithm (Conficker, Necurs, Ramnit, Qakbot...) draws a
 * day's list of random names and tries them until one its operator has
 * registered answers: the host asks a burst of unpronounceable names,
 * each under its own registered domain, and nearly all come back
 * NXDOMAIN.  People browse names chosen to be read; CDNs put random
 * labels *under* a few registered domains of their own (which look like
 * words), and those names resolve.
 *
 * Facts (proto_dns.c): every query name as EV_DNS_QNAME, the names
 * answered NXDOMAIN as EV_DNS_NX, RPF2_DNS_NXRAND on the flows of such an
 * answer for a machine-made name.  A name counts when its registered
 * domain (rp_dns_regdom: the last two labels, three under co/com/net/org/
 * ac/gov/edu.CC) has a machine-made label (rp_dns_label_random: >= 8
 * characters, entropy >= 2.5 bits, unpronounceable).  Rule: at least
 * dga.min_nx such names answered NXDOMAIN, under at least dga.min_domains
 * registered domains, and at least dga.nx_share of the host's
 * machine-made names answered NXDOMAIN.  Evidence: the counts, the mean
 * label entropy and length, example names, and the flows nDPI flagged as
 * DGA-like when it ran.  The names counted are those the collector kept
 * (RP_EV_MAX evidence strings in all): a burst larger than that is
 * reported with the part seen.
 *
 * Word-list DGAs (Suppobox, Matsnu, Gozi's) join two to four dictionary
 * words instead ("heavenseveralmiddle"): pronounceable, so the test above
 * passes them.  Second rule, by the same behavior: at least
 * dga.words_min_nx names answered NXDOMAIN whose registered domain's
 * label (at least dga.words_min_len letters, not machine-made by the test
 * above) splits wholly into 2 to 4 common English words (dga_words.c, a
 * built-in list), under at least dga.words_min_domains registered
 * domains, at least dga.words_nx_share of the host's such names answered
 * NXDOMAIN, and a burst: at least dga.words_rate of them a minute over
 * the span of the DNS flows that carried them (RPF2_DNS_NXWORDS; a span
 * under a minute counts as a minute).  Brands that join words resolve; a
 * mistyped name rarely splits into words, and a few make no burst.  Known
 * false positive: a resolver that answers NXDOMAIN for blocked
 * advertising names ("doubleclick") while a page loads many of them.
 * Reported as `dga` with `type` "wordlist".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "dga.min_nx", 10, 1, 1e9, "distinct machine-made names answered NXDOMAIN for `dga`" },
	{ "dga.min_domains", 8, 1, 1e9, "distinct registered domains among them" },
	{ "dga.nx_share", 0.5, 0, 1, "share of the host's machine-made names answered NXDOMAIN" },
	{ "dga.words_min_nx", 12, 1, 1e9, "distinct names of joined English words answered NXDOMAIN (word-list `dga`)" },
	{ "dga.words_min_domains", 10, 1, 1e9, "distinct registered domains among them" },
	{ "dga.words_min_len", 10, 6, 63, "letters of a registered domain's label of joined words, at least" },
	{ "dga.words_nx_share", 0.5, 0, 1, "share of the host's names of joined words answered NXDOMAIN" },
	{ "dga.words_rate", 4, 0, 1e6, "such names a minute over the span of their DNS flows, at least" },
};

#define DGA_EXAMPLES 4
#define NDPI_SUSPICIOUS_DGA 16   /* nDPI 4.2's NDPI_SUSPICIOUS_DGA_DOMAIN */

struct dga_acc {
	const struct rp_ctx *x;
	bool words;                  /* the word-list rule: labels of joined words, not random ones */
	uint64_t names, nx, *doms;   /* doms: hashes of the registered domains of NX names (repeats) */
	size_t ndoms, cap;
	double entropy, len;         /* sums over the NX names (words: of their word counts) */
	char ex[DGA_EXAMPLES][RP_EV_LEN];
	unsigned nex;
	bool oom;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s)) * 1099511628211ull;
	return h;
}

/* Keeps the alphabetically first names as examples: the same report for the same capture. */
static void example(struct dga_acc *a, const char *s)
{
	unsigned i = a->nex < DGA_EXAMPLES ? a->nex++ : DGA_EXAMPLES;
	if (i == DGA_EXAMPLES) {
		if (strcmp(s, a->ex[DGA_EXAMPLES - 1]) >= 0)
			return;
		i = DGA_EXAMPLES - 1;
	}
	while (i > 0 && strcmp(s, a->ex[i - 1]) < 0) {
		memcpy(a->ex[i], a->ex[i - 1], RP_EV_LEN);
		i--;
	}
	snprintf(a->ex[i], RP_EV_LEN, "%s", s);
}

/* Whether the rule of a judges name low: its score (entropy, or words) and label length. */
static bool judged(const struct dga_acc *a, const char *low, double *score, double *len)
{
	struct rp_label m;
	if (rp_dns_name_random(low, &m)) {
		*score = m.entropy;
		*len = m.len;
		return !a->words;
	}
	size_t wl = 0;
	unsigned w = a->words ? rp_dns_name_words(low, &wl) : 0;
	*score = w;
	*len = (double)wl;
	return w >= 2 && (double)wl >= rp_param(a->x, &rules[5]);
}

static void on_name(void *ctx, const char *name, uint32_t count)
{
	(void)count;
	struct dga_acc *a = ctx;
	char low[RP_EV_LEN];
	double score, len;
	size_t n = strlen(name);
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	if (!judged(a, low, &score, &len))
		return;
	a->names++;
	if (!rp_ev_count(a->x->col, a->x->self, EV_DNS_NX, low))
		return;
	a->nx++;
	a->entropy += score;
	a->len += len;
	example(a, low);
	if (a->ndoms == a->cap) {
		size_t nc = a->cap ? 2 * a->cap : 64;
		uint64_t *v = realloc(a->doms, nc * sizeof *v);
		if (!v) {
			a->oom = true;
			return;
		}
		a->doms = v;
		a->cap = nc;
	}
	a->doms[a->ndoms++] = hash_str(rp_dns_regdom(low));
}

static int cmp_u64(const void *p, const void *q)
{
	uint64_t x = *(const uint64_t *)p, y = *(const uint64_t *)q;
	return x < y ? -1 : x > y;
}

/* The distinct values of v[0..n) (sorted in place). */
static size_t distinct(uint64_t *v, size_t n)
{
	size_t d = 0;
	qsort(v, n, sizeof *v, cmp_u64);
	for (size_t i = 0; i < n; i++)
		d += !i || v[i] != v[i - 1];
	return d;
}

/* The names of host x under a's rule; -1 out of memory. */
static int accumulate(const struct rp_ctx *x, struct dga_acc *a)
{
	rp_ev_each(x->col, x->self, EV_DNS_QNAME, on_name, a);
	a->ndoms = a->doms ? distinct(a->doms, a->ndoms) : 0;
	free(a->doms);
	a->doms = NULL;
	return a->oom ? -1 : 0;
}

/* The span of the host's DNS flows with facts bit `bit`; their count, ndpi's DGA flags. */
static uint64_t span_of(const struct rp_ctx *x, uint32_t bit, double *s, double *e, uint64_t *flagged)
{
	uint64_t flows = 0;
	*s = -1;
	*e = 0;
	*flagged = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (f->app != RP_APP_DNS)
			continue;
		*flagged += rp_flow_risk(f, NDPI_SUSPICIOUS_DGA);
		if (!(f->facts2 & bit))
			continue;
		if (*s < 0 || f->t0 < *s)
			*s = f->t0;
		*e = f->t1 > *e ? f->t1 : *e;
		flows++;
	}
	if (*s < 0)   /* names seen as the client of another's resolver: no flow of its own */
		*s = *e = 0;
	return flows;
}

static void examples(const struct dga_acc *a, char *ex, size_t len)
{
	ex[0] = 0;
	for (unsigned i = 0; i < a->nex; i++)
		snprintf(ex + strlen(ex), len - strlen(ex), "%s%s", i ? ", " : "", a->ex[i]);
}

/* The random-label rule; true when it found a DGA. */
static bool dga_random(const struct rp_ctx *x, struct rp_host *h, const struct dga_acc *a)
{
	if (a->nx < rp_param(x, &rules[0]) || a->ndoms < rp_param(x, &rules[1]) ||
	    (double)a->nx < rp_param(x, &rules[2]) * (double)a->names)
		return false;
	double s, e;
	uint64_t flagged, flows = span_of(x, RPF2_DNS_NXRAND, &s, &e, &flagged);
	char ex[4 * RP_EV_LEN + 8];
	examples(a, ex, sizeof ex);
	struct rp_beh *b = rp_beh_add(h, "dga", s, e, flows);
	if (!b)
		return true;
	rp_kv_num(b, "names", (double)a->names);
	rp_kv_num(b, "nxdomain", (double)a->nx);
	rp_kv_num(b, "domains", (double)a->ndoms);
	rp_kv_num(b, "entropy", a->entropy / (double)a->nx);
	rp_kv_num(b, "label_length", a->len / (double)a->nx);
	rp_kv_str(b, "examples", ex);
	if (flagged)
		rp_kv_num(b, "ndpi_dga_flows", (double)flagged);
	rp_evidence(b, "%llu machine-made names answered NXDOMAIN (of %llu looked up) under %zu registered domains, "
		       "label entropy %.2f bits/char, length %.1f on average%s; e.g. %s",
		    (unsigned long long)a->nx, (unsigned long long)a->names, a->ndoms, a->entropy / (double)a->nx,
		    a->len / (double)a->nx, flagged ? "; nDPI flagged DGA-like names" : "", ex);
	return true;
}

/* The word-list rule (see the summary). */
static void dga_wordlist(const struct rp_ctx *x, struct rp_host *h, const struct dga_acc *a)
{
	if (a->nx < rp_param(x, &rules[3]) || a->ndoms < rp_param(x, &rules[4]) ||
	    (double)a->nx < rp_param(x, &rules[6]) * (double)a->names)
		return;
	double s, e;
	uint64_t flagged, flows = span_of(x, RPF2_DNS_NXWORDS, &s, &e, &flagged);
	double span = e - s, rate = (double)a->nx * 60.0 / (span < 60 ? 60 : span);
	if (rate < rp_param(x, &rules[7]))
		return;
	char ex[4 * RP_EV_LEN + 8];
	examples(a, ex, sizeof ex);
	struct rp_beh *b = rp_beh_add(h, "dga", s, e, flows);
	if (!b)
		return;
	rp_kv_str(b, "type", "wordlist");
	rp_kv_num(b, "names", (double)a->names);
	rp_kv_num(b, "nxdomain", (double)a->nx);
	rp_kv_num(b, "domains", (double)a->ndoms);
	rp_kv_num(b, "words", a->entropy / (double)a->nx);
	rp_kv_num(b, "label_length", a->len / (double)a->nx);
	rp_kv_num(b, "rate", rate);
	rp_kv_str(b, "examples", ex);
	if (flagged)
		rp_kv_num(b, "ndpi_dga_flows", (double)flagged);
	rp_evidence(b, "%llu names of joined English words answered NXDOMAIN (of %llu such looked up) under %zu "
		       "registered domains in %.1f s (%.1f a minute), %.1f words and %.1f letters a label on average%s; "
		       "e.g. %s",
		    (unsigned long long)a->nx, (unsigned long long)a->names, a->ndoms, span, rate,
		    a->entropy / (double)a->nx, a->len / (double)a->nx,
		    flagged ? "; nDPI flagged DGA-like names" : "", ex);
}

static int dga_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct dga_acc a = { .x = x };
	if (accumulate(x, &a) < 0)
		return -1;
	if (dga_random(x, h, &a))
		return 0;
	struct dga_acc w = { .x = x, .words = true };
	if (accumulate(x, &w) < 0)
		return -1;
	dga_wordlist(x, h, &w);
	return 0;
}

const struct analysis analysis_dga = { .name = "dga", .run = dga_run, .kinds = "dga",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
