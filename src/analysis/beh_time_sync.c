/*
 * beh_time_sync.c - `time_sync`: the host asked an NTP server for the
 * time (mode 3 client request, or any NTP on UDP 123 it originated).
 * Malware does this to schedule itself (Storm synchronised first thing).
 */
#include <stdio.h>

#include "analysis/report-int.h"

static int time_sync_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0;
	uint64_t n = 0;
	const struct host *srv = NULL;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || f->app != RP_APP_NTP)
			continue;
		if (s < 0) {
			s = f->t0;
			srv = rp_peer(x, f);
		}
		if (f->t1 > e)
			e = f->t1;
		n++;
	}
	if (!n)
		return 0;
	struct rp_beh *b = rp_beh_add(h, "time_sync", s, e, n);
	if (!b)
		return 0;
	char a[64] = "?";
	if (srv)
		decode_addr_str(srv->family, srv->addr, a, sizeof a);
	rp_kv_str(b, "server", a);
	rp_evidence(b, "NTP request to %s (%llu flow%s)", a,
		 (unsigned long long)n, n == 1 ? "" : "s");
	return 0;
}

const struct analysis analysis_time_sync = { .name = "time_sync", .run = time_sync_run, .kinds = "time_sync" };
