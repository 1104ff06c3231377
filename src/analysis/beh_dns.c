/*
 * beh_dns.c - `dns`: name lookups the host made (queries, the names most
 * asked), and `tunnel`: DNS tunnelling - many queries under one domain
 * whose labels are long encoded data or whose types carry data
 * (NULL/TXT), as iodine, dnscat and the like produce.
 */
#include <stdio.h>

#include "analysis/report-int.h"

static void dns_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0, ts = -1, te = 0;
	uint64_t n = 0, q = 0, tn = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || f->app != RP_APP_DNS)
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		q += f->count;
		if (f->facts & RPF_DNS_TUNNEL) {
			if (ts < 0)
				ts = f->t0;
			te = f->t1 > te ? f->t1 : te;
			tn++;
		}
	}
	if (!n)
		return;
	char names[200];
	uint64_t distinct = rp_ev_join(x->col, x->self, EV_DNS_QNAME, 4, names, sizeof names);
	struct rp_beh *b = rp_beh_add(h, "dns", s, e, n);
	if (b) {
		rp_kv_num(b, "queries", (double)q);
		rp_kv_num(b, "names", (double)distinct);
		rp_evidence(b, "%llu queries, %llu distinct names: %s",
			 (unsigned long long)q, (unsigned long long)distinct, names);
	}
	char dom[120];
	uint64_t nd = rp_ev_join(x->col, x->self, EV_DNS_DOMAIN, 1, dom, sizeof dom);
	uint64_t tq = rp_ev_top_count(x->col, x->self, EV_DNS_DOMAIN);
	if (tq >= 10 && nd) {
		b = rp_beh_add(h, "tunnel", ts, te, tn);
		if (!b)
			return;
		rp_kv_str(b, "domain", dom);
		rp_kv_num(b, "queries", (double)tq);
		rp_evidence(b, "%llu DNS queries with long encoded labels or data-carrying record types under %s",
			    (unsigned long long)tq, dom);
	}
}

const struct analysis analysis_dns = { .name = "dns", .run = dns_run };
