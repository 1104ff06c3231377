/*
 * beh_web.c - `http` (requests: hosts, URIs, user agents) and `tls`
 * (handshakes and server names): the host's ordinary web traffic, as
 * context for the rest; neither is malicious by itself.  Binary POSTs
 * (C&C, beh_beacon.c) and requests forwarded for an inbound connection
 * of the 3 s before to a backend (a host receiving at least 3 such
 * forwarded connections: relaying, beh_serve.c) are left to those behaviors.
 */
#include <stdio.h>
#include <stdlib.h>

#include "analysis/report-int.h"

/* True when an inbound TCP connection with payload from another host than
 * fl[i]'s destination began in the 3 s before fl[i] (a call back to the
 * client itself is a reaction, not a relay). */
static bool forwarded(const struct rp_ctx *x, size_t i)
{
	for (size_t k = i; k-- > 0 && x->fl[k]->t0 >= x->fl[i]->t0 - 3.0f;)
		if (x->fl[k]->h[1] == x->self && x->fl[k]->proto == 6 && x->fl[k]->bytes[0] &&
		    x->fl[k]->h[0] != x->fl[i]->h[1])
			return true;
	return false;
}

static void web_one(const struct rp_ctx *x, struct rp_host *h, unsigned app, const uint32_t *relayed)
{
	double s = -1, e = 0;
	uint64_t n = 0, req = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || f->app != app)
			continue;
		if (app == RP_APP_HTTP && (f->facts & (RPF_HTTP_POST | RPF_HTTP_BINARY)) ==
						  (RPF_HTTP_POST | RPF_HTTP_BINARY))
			continue;   /* binary POSTs are C&C (cnc_beacon), not browsing */
		uint32_t peer = f->h[1] <= x->nhosts ? f->h[1] : 0;
		if (relayed && relayed[peer] >= 3 && forwarded(x, i))
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		req += f->count;
	}
	if (!n)
		return;
	char a[160], u[160];
	struct rp_beh *b = rp_beh_add(h, app == RP_APP_HTTP ? "http" : "tls", s, e, n);
	if (!b)
		return;
	if (app == RP_APP_HTTP) {
		rp_ev_join(x->col, x->self, EV_HTTP_HOST, 4, a, sizeof a);
		rp_ev_join(x->col, x->self, EV_HTTP_UA, 1, u, sizeof u);
		rp_kv_num(b, "requests", (double)req);
		rp_kv_str(b, "hosts", a);
		rp_kv_str(b, "user_agent", u);
		rp_evidence(b, "%llu requests in %llu connections; Host %s; User-Agent %s",
			 (unsigned long long)req, (unsigned long long)n, a, u);
	} else {
		rp_ev_join(x->col, x->self, EV_TLS_SNI, 4, a, sizeof a);
		rp_kv_str(b, "sni", a);
		rp_evidence(b, "%llu TLS connections; server names %s",
			 (unsigned long long)n, a[0] ? a : "-");
	}
}

/* relayed[p]: outbound flows to host p that followed an inbound one (backends get many). */
static void web_run(const struct rp_ctx *x, struct rp_host *h)
{
	uint32_t *relayed = calloc(x->nhosts + 1, sizeof *relayed);
	for (size_t i = 0; relayed && i < x->nfl; i++)
		if (rp_outbound(x, x->fl[i]) && x->fl[i]->proto == 6 && x->fl[i]->h[1] <= x->nhosts && forwarded(x, i))
			relayed[x->fl[i]->h[1]]++;
	web_one(x, h, RP_APP_HTTP, relayed);
	web_one(x, h, RP_APP_TLS, relayed);
	free(relayed);
}

const struct analysis analysis_web = { .name = "web", .run = web_run };
