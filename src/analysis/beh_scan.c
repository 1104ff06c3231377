/*
 * beh_scan.c - `scan`: horizontal (one port, many targets) or vertical
 * (one target, many ports) probing, mostly unanswered or refused.
 * Thresholds: at least 20 targets (or ports) of which at least half
 * failed (TCP: no SYN-ACK; UDP/ICMP: no answer).  Established sessions
 * with content (spam deliveries, P2P) are not probes, nor, for a
 * horizontal scan, connections to addresses a DNS answer in the capture
 * names: a scanner sweeps addresses it never looked up, while software
 * that cannot get out (a blocked or offline network) retries the servers
 * it resolved.
 * Sweeps of the local network: ICMP echo requests to at least 10 hosts
 * of one /24 within 60 s, and ARP who-has requests for at least 32
 * distinct addresses of one /24 within 60 s (arp_sweep.c) - a host asks
 * ARP for its gateway and the few peers it talks to, a sweep asks for
 * the whole subnet in seconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "scan.targets", 20, 2, 1e9, "distinct targets (horizontal) or ports (vertical), at least half unanswered" },
	{ "scan.ping_hosts", 10, 2, 256, "hosts of one /24 pinged ..." },
	{ "scan.ping_window_s", 60, 1, 86400, "... within this many seconds" },
};

struct sc_probe {
	uint32_t target;
	uint16_t port;
	uint8_t proto, failed, named;   /* named: a DNS answer in the capture names the target */
	float t0, t1;
};

static int sc_by_port(const void *a, const void *b)
{
	const struct sc_probe *x = a, *y = b;
	if (x->proto != y->proto)
		return x->proto - y->proto;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->target < y->target ? -1 : x->target > y->target;
}

static int sc_by_target(const void *a, const void *b)
{
	const struct sc_probe *x = a, *y = b;
	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto - y->proto;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* Scans groups of equal (proto, port) (horizontal) or target (vertical). */
static void sc_groups(const struct rp_ctx *x, struct rp_host *h, struct sc_probe *v, size_t n, bool vertical)
{
	qsort(v, n, sizeof *v, vertical ? sc_by_target : sc_by_port);
	for (size_t i = 0, j; i < n; i = j) {
		size_t distinct = 0, failed = 0;
		double s = v[i].t0, e = v[i].t1;
		for (j = i; j < n && (vertical ? v[j].target == v[i].target
					       : (v[j].port == v[i].port && v[j].proto == v[i].proto)); j++) {
			bool nw = j == i || (vertical ? (v[j].port != v[j - 1].port || v[j].proto != v[j - 1].proto)
						       : v[j].target != v[j - 1].target);
			distinct += nw;
			failed += v[j].failed;
			s = v[j].t0 < s ? v[j].t0 : s;
			e = v[j].t1 > e ? v[j].t1 : e;
		}
		if (distinct < rp_param(x, &rules[0]) || failed * 2 < j - i)
			continue;
		struct rp_beh *b = rp_beh_add(h, "scan", s, e, j - i);
		if (!b)
			return;
		const char *pn = v[i].proto == 6 ? "tcp" : v[i].proto == 17 ? "udp" : "icmp";
		rp_kv_str(b, "type", vertical ? "vertical" : "horizontal");
		char a[64] = "";
		if (vertical) {
			const struct host *t = v[i].target <= x->nhosts ? x->hosts[v[i].target - 1] : NULL;
			if (t)
				decode_addr_str(t->family, t->addr, a, sizeof a);
			rp_kv_str(b, "target", a);
			rp_kv_num(b, "ports", (double)distinct);
			rp_evidence(b, "vertical: %zu ports of %s probed, %zu of %zu unanswered",
				 distinct, a, failed, j - i);
		} else {
			rp_kv_str(b, "proto", pn);
			rp_kv_num(b, "port", v[i].port);
			rp_kv_num(b, "targets", (double)distinct);
			rp_evidence(b, "horizontal: %s port %u probed on %zu targets, %zu of %zu unanswered",
				 pn, v[i].port, distinct, failed, j - i);
		}
		rp_kv_num(b, "failed", (double)failed);
	}
}

/* ICMP echo requests to at least 10 hosts of one /24 within 60 s. */
static void ping_sweep(const struct rp_ctx *x, struct rp_host *h)
{
	size_t first = 0, n = 0, answered = 0;
	uint32_t net = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		const struct host *p = rp_peer(x, f);
		if (!rp_outbound(x, f) || f->proto != 1 || f->sport != 8 || !p || p->family != 4)
			continue;
		uint32_t k = (uint32_t)p->addr[0] << 16 | (uint32_t)p->addr[1] << 8 | p->addr[2];
		if (!n || k != net || f->t0 - x->fl[first]->t0 > rp_param(x, &rules[2])) {
			if (n >= rp_param(x, &rules[1]))
				break;
			first = i;
			n = answered = 0;
			net = k;
		}
		n++;
		answered += f->pkts[1] > 0;
	}
	if (n < rp_param(x, &rules[1]))
		return;
	struct rp_beh *b = rp_beh_add(h, "scan", x->fl[first]->t0, x->fl[first]->t1, n);
	if (!b)
		return;
	char a[32];
	snprintf(a, sizeof a, "%u.%u.%u.0/24", net >> 16, (net >> 8) & 255, net & 255);
	rp_kv_str(b, "type", "ping sweep");
	rp_kv_str(b, "proto", "icmp");
	rp_kv_str(b, "network", a);
	rp_kv_num(b, "targets", (double)n);
	rp_evidence(b, "ICMP echo requests to %zu hosts of %s within 60 s, %zu answered", n, a, answered);
	for (size_t i = first; i < x->nfl; i++)
		if (rp_outbound(x, x->fl[i]) && x->fl[i]->proto == 1 && x->fl[i]->t1 > b->end)
			b->end = x->fl[i]->t1;
}

/* ARP who-has requests for RP_ARP_SWEEP_MIN or more addresses of one /24 within RP_ARP_WINDOW s. */
static void arp_sweep(const struct rp_ctx *x, struct rp_host *h)
{
	if (x->me->family != 4)
		return;
	uint32_t me = (uint32_t)x->me->addr[0] << 24 | (uint32_t)x->me->addr[1] << 16 |
		      (uint32_t)x->me->addr[2] << 8 | x->me->addr[3];
	const struct rp_col *c = x->col;
	for (size_t i = 0; i < c->narp; i++) {
		const struct rp_arp *e = &c->arp[i];
		/* counted per address: of two machines sharing it, the one it was at the sweep's time */
		if (e->sender != me || !rp_arp_sweep(e) || !rp_ident_at(c, x->self, e->bt0))
			continue;
		struct rp_beh *b = rp_beh_add(h, "scan", e->bt0, e->bt1, 0);  /* ARP: no IP flow */
		if (!b)
			return;
		char a[32];
		snprintf(a, sizeof a, "%u.%u.%u.0/24", e->net >> 24, (e->net >> 16) & 255, (e->net >> 8) & 255);
		rp_kv_str(b, "type", "arp sweep");
		rp_kv_str(b, "proto", "arp");
		rp_kv_str(b, "network", a);
		rp_kv_num(b, "targets", e->distinct);
		rp_kv_num(b, "requests", e->requests);
		rp_kv_num(b, "duration", round((e->bt1 - e->bt0) * 10) / 10);
		rp_evidence(b, "ARP sweep: who-has for %u distinct addresses of %s in %.1f s (%u in all, %u requests)",
			    e->best, a, e->bt1 - e->bt0, e->distinct, e->requests);
	}
}

static int scan_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct sc_probe *v = malloc((x->nfl ? x->nfl : 1) * sizeof *v);
	if (!v)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || (f->proto != 6 && f->proto != 17) || !f->h[1] || f->app == RP_APP_DNS)
			continue;
		if (f->proto == 17 && f->app != RP_APP_NONE)
			continue;
		bool failed = f->proto == 6 ? !(f->facts & RPF_TCP_EST) : f->pkts[1] == 0;
		const struct host *t = rp_peer(x, f);
		bool named = t && rp_pdns_name(x->col, t->family, t->addr);
		v[n++] = (struct sc_probe){ f->h[1], f->dport, f->proto, failed, named, f->t0, f->t1 };
	}
	/* horizontal: the probes to unnamed targets, moved to the front */
	size_t un = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].named) {
			struct sc_probe t = v[un];
			v[un++] = v[i];
			v[i] = t;
		}
	unsigned before = h->nbehs;
	ping_sweep(x, h);
	arp_sweep(x, h);
	sc_groups(x, h, v, un, false);
	if (h->nbehs == before)
		sc_groups(x, h, v, n, true);
	free(v);
	return 0;
}

const struct analysis analysis_scan = { .name = "scan", .run = scan_run, .kinds = "scan",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
