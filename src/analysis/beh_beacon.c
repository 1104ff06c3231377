/*
 * beh_beacon.c - `cnc_beacon`: the host returns to the same server
 * (grouped by /24 for IPv4, as C&C proxies sit side by side) on the same
 * port, again and again across the run.  Two kinds of evidence:
 * a regular period (median interval between connection starts, jitter =
 * median absolute deviation / period <= 0.35, at least 6 connections)
 * or C&C-like content (binary HTTP POSTs in at least 3 connections that
 * spread over a quarter of the run).  DNS, NTP, SMTP and P2P flows are
 * other behaviors' and are left out.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

struct bc_flow {
	uint32_t key;               /* /24 of the server (IPv4) or host index */
	uint16_t port;
	uint8_t proto, cnc, v6;
	float t0, t1;
};

static int bc_cmp(const void *a, const void *b)
{
	const struct bc_flow *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Judges one group g[0..n); emits a behavior when it beacons. */
static void bc_group(const struct rp_ctx *x, struct rp_host *h, const struct bc_flow *g, size_t n)
{
	if (n < 3)
		return;
	double *iv = malloc(n * sizeof *iv), *dev = malloc(n * sizeof *dev);
	if (!iv || !dev) {
		free(iv);
		free(dev);
		return;
	}
	size_t cnc = 0;
	for (size_t i = 0; i < n; i++) {
		cnc += g[i].cnc;
		if (i)
			iv[i - 1] = g[i].t0 - g[i - 1].t0;
	}
	double period = median(iv, n - 1);
	for (size_t i = 0; i + 1 < n; i++)
		dev[i] = fabs(iv[i] - period);
	double jitter = period > 0 ? median(dev, n - 1) / period : 1;
	for (size_t i = 0; i + 1 < n; i++)   /* idle gap: end of one connection to the next */
		dev[i] = g[i + 1].t0 - g[i].t1 > 0 ? g[i + 1].t0 - g[i].t1 : 0;
	double gap = median(dev, n - 1);
	free(iv);
	free(dev);
	double spread = g[n - 1].t0 - g[0].t0;
	bool regular = n >= 6 && period >= 0.5 && jitter <= 0.35 && spread >= 10 * period;
	bool content = cnc >= 3 && spread >= 0.25 * x->span;
	if (!regular && !content)
		return;
	struct rp_beh *b = rp_beh_add(h, "cnc_beacon", g[0].t0, g[n - 1].t1, n);
	if (!b)
		return;
	char a[64];
	uint8_t ad[16] = { (uint8_t)(g[0].key >> 24), (uint8_t)(g[0].key >> 16), (uint8_t)(g[0].key >> 8), 0 };
	if (g[0].v6 && g[0].key <= x->nhosts) {
		decode_addr_str(6, x->hosts[g[0].key - 1]->addr, a, sizeof a);
	} else {
		decode_addr_str(4, ad, a, sizeof a);
		strncat(a, "/24", sizeof a - strlen(a) - 1);
	}
	rp_kv_str(b, "server", a);
	rp_kv_num(b, "port", g[0].port);
	rp_kv_num(b, "period", round(period * 1000) / 1000);
	rp_kv_num(b, "jitter", round(jitter * 1000) / 1000);
	rp_kv_num(b, "gap", round(gap * 1000) / 1000);
	rp_kv_num(b, "connections", (double)n);
	rp_evidence(b, "%zu %s connections to %s port %u, median period %.2f s (idle gap %.2f s), jitter %.2f%s",
		    n, g[0].proto == 6 ? "TCP" : "UDP", a, g[0].port, period, gap, jitter,
		 content ? "; binary HTTP POSTs (C&C-like)" : "; regular timing");
}

static bool bc_candidate(const struct rp_ctx *x, const struct rp_flow *f)
{
	if (!rp_outbound(x, f) || (f->proto != 6 && f->proto != 17))
		return false;
	if (f->app == RP_APP_DNS || f->app == RP_APP_NTP || f->app == RP_APP_SMTP ||
	    (f->app >= RP_APP_OVERNET && f->app <= RP_APP_GNUTELLA) || f->app == RP_APP_IRC)
		return false;
	return !(f->facts & RPF_TCP_SYNONLY) && (f->proto == 6 || f->pkts[1]);
}

static void beacon_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct bc_flow *v = malloc((x->nfl ? x->nfl : 1) * sizeof *v);
	if (!v)
		return;
	size_t n = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		const struct host *p = rp_peer(x, f);
		if (!p || !bc_candidate(x, f))
			continue;
		uint32_t key = p->family == 4 ? ((uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 |
						 (uint32_t)p->addr[2] << 8) : p->index;
		uint8_t cnc = (f->facts & (RPF_HTTP_POST | RPF_HTTP_BINARY)) == (RPF_HTTP_POST | RPF_HTTP_BINARY);
		v[n++] = (struct bc_flow){ key, f->dport, f->proto, cnc, p->family == 6, f->t0, f->t1 };
	}
	qsort(v, n, sizeof *v, bc_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && v[j].key == v[i].key && v[j].port == v[i].port && v[j].proto == v[i].proto; j++)
			;
		bc_group(x, h, v + i, j - i);
	}
	free(v);
}

const struct analysis analysis_beacon = { .name = "cnc_beacon", .run = beacon_run };
