/*
 * beh_ping.c - `ping`: ICMP echo requests the host sent (count, targets);
 * not malicious by itself - a sweep of many hosts is a `scan` (beh_scan.c).
 */
#include "analysis/report-int.h"

static int ping_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0;
	uint64_t n = 0, pk = 0, answered = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || (f->proto != 1 && f->proto != 58) || (f->sport != 8 && f->sport != 128))
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		pk += f->pkts[0];
		answered += f->pkts[1];
	}
	if (!n || n >= 10)
		return 0;
	struct rp_beh *b = rp_beh_add(h, "ping", s, e, n);
	if (!b)
		return 0;
	rp_kv_num(b, "requests", (double)pk);
	rp_kv_num(b, "replies", (double)answered);
	rp_evidence(b, "%llu echo requests to %llu host%s, %llu replies", (unsigned long long)pk,
		    (unsigned long long)n, n == 1 ? "" : "s", (unsigned long long)answered);
	return 0;
}

const struct analysis analysis_ping = { .name = "ping", .run = ping_run, .kinds = "ping" };
