/*
 * beh_flood.c - `flood`: many connection attempts (TCP SYNs that never
 * complete, or UDP/ICMP datagrams) at one target port at a high rate;
 * spoofing when they come from many source addresses at once.  The host
 * may be the source or, when the sources are spoofed, the target.
 * Thresholds: at least 500 attempts, at least 50 per second.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/report-int.h"

struct fl_att {
	uint32_t target, source;
	uint16_t port;
	uint8_t proto;
	float t0, t1;
	uint32_t pkts;
};

static int fl_cmp(const void *a, const void *b)
{
	const struct fl_att *x = a, *y = b;
	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto - y->proto;
	return x->source < y->source ? -1 : x->source > y->source;
}

static void flood_group(const struct rp_ctx *x, struct rp_host *h, const struct fl_att *g, size_t n)
{
	uint64_t pkts = 0, sources = 0;
	double s = g[0].t0, e = g[0].t1;
	for (size_t i = 0; i < n; i++) {
		pkts += g[i].pkts;
		sources += i == 0 || g[i].source != g[i - 1].source;
		s = g[i].t0 < s ? g[i].t0 : s;
		e = g[i].t1 > e ? g[i].t1 : e;
	}
	double rate = pkts / (e - s > 1 ? e - s : 1);
	if (pkts < 500 || rate < 50)
		return;
	struct rp_beh *b = rp_beh_add(h, "flood", s, e, n);
	if (!b)
		return;
	char a[64] = "?";
	const struct host *t = g[0].target <= x->nhosts ? x->hosts[g[0].target - 1] : NULL;
	if (t)
		decode_addr_str(t->family, t->addr, a, sizeof a);
	bool spoofed = sources >= 50;
	const char *pn = g[0].proto == 6 ? "tcp syn" : g[0].proto == 17 ? "udp" : "icmp";
	rp_kv_str(b, "target", a);
	rp_kv_num(b, "port", g[0].port);
	rp_kv_str(b, "type", pn);
	rp_kv_num(b, "rate", round(rate));
	rp_kv_num(b, "sources", (double)sources);
	rp_kv_str(b, "spoofing", spoofed ? "yes" : "no");
	rp_evidence(b, "%s flood at %s port %u: %llu packets, %.0f/s, from %llu source address%s%s",
		 pn, a, g[0].port, (unsigned long long)pkts, rate, (unsigned long long)sources,
		 sources == 1 ? "" : "es", spoofed ? " (spoofed)" : "");
}

static void flood_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct fl_att *v = malloc((x->nfl ? x->nfl : 1) * sizeof *v);
	if (!v)
		return;
	size_t n = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		bool attempt = f->proto == 6 ? !(f->facts & RPF_TCP_EST) && !f->bytes[0] : !f->pkts[1] && f->proto != 6;
		if (!attempt || !f->h[0] || !f->h[1])
			continue;
		v[n++] = (struct fl_att){ f->h[1], f->h[0], f->dport, f->proto, f->t0, f->t1, f->pkts[0] };
	}
	qsort(v, n, sizeof *v, fl_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && v[j].target == v[i].target && v[j].port == v[i].port && v[j].proto == v[i].proto; j++)
			;
		flood_group(x, h, v + i, j - i);
	}
	free(v);
}

const struct analysis analysis_flood = { .name = "flood", .run = flood_run };
