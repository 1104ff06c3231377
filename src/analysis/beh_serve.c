/*
 * beh_serve.c - `server`: the host answers many clients on one port (at
 * least 5 distinct clients with payload both ways, over TCP), and `relay`: it
 * forwards them - within 3 s of accepting a connection it opens one of
 * its own to another host (a call back to the client, as after an
 * exploit, is not forwarding), and at least half of these forwarded connections go to
 * backends that received at least 3 of them (Storm's public nodes relayed
 * HTTP to the botnet's backend).
 */
#include <stdio.h>
#include <stdlib.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "serve.clients", 5, 1, 1e6, "distinct clients answered on one TCP port for `server`" },
	{ "relay.window_s", 3, 0, 600, "an outbound connection this soon after an inbound one is forwarded" },
	{ "relay.forwarded", 3, 1, 1e6, "forwarded connections of a relay (and per backend)" },
};

static int server_find(const struct rp_ctx *x, struct rp_host *h, uint8_t *seen)
{
	uint32_t *count = calloc(65536, sizeof *count);
	if (!count)
		return -1;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (f->h[1] == x->self && f->proto == 6 && f->bytes[0] && f->bytes[1] && f->h[0] <= x->nhosts)
			count[f->dport]++;
	}
	uint16_t port = 0;
	for (unsigned p = 1; p < 65536; p++)
		if (count[p] > count[port])
			port = (uint16_t)p;
	free(count);
	double s = -1, e = 0;
	uint64_t n = 0, clients = 0;
	unsigned app = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (f->h[1] != x->self || f->proto != 6 || f->dport != port || !f->bytes[0] || !f->bytes[1] ||
		    f->h[0] > x->nhosts)
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		app = f->app;
		if (!seen[f->h[0]] && (seen[f->h[0]] = 1))
			clients++;
	}
	if (clients < rp_param(x, &rules[0]))
		return 0;
	struct rp_beh *b = rp_beh_add(h, "server", s, e, n);
	if (!b)
		return 0;
	rp_kv_num(b, "port", port);
	rp_kv_num(b, "clients", (double)clients);
	rp_kv_str(b, "protocol", rp_app_name(app));
	rp_evidence(b, "answered %llu connections from %llu clients on port %u (%s)",
		 (unsigned long long)n, (unsigned long long)clients, port, rp_app_name(app));
	return 0;
}

static void relay_find(const struct rp_ctx *x, struct rp_host *h, uint32_t *to)
{
	double s = -1, e = 0;
	uint64_t n = 0, backends = 0;
	uint32_t top = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *in = x->fl[i];
		if (in->h[1] != x->self || in->proto != 6 || !in->bytes[0])
			continue;
		for (size_t k = i + 1; k < x->nfl && x->fl[k]->t0 <= in->t0 + rp_param(x, &rules[1]); k++) {
			const struct rp_flow *o = x->fl[k];
			if (o->h[0] != x->self || o->proto != 6 || !o->bytes[0] || o->h[1] > x->nhosts ||
			    o->h[1] == in->h[0])   /* a call back to the client is no relay */
				continue;
			if (s < 0 || o->t0 < s)
				s = o->t0;
			e = o->t1 > e ? o->t1 : e;
			n++;
			if (!to[o->h[1]]++)
				backends++;
			if (!top || to[o->h[1]] > to[top])
				top = o->h[1];
			break;
		}
	}
	uint64_t repeated = 0;   /* forwarded flows to backends that got at least 3 */
	for (uint64_t i = 1; i <= x->nhosts; i++)
		if (to[i] >= rp_param(x, &rules[2]))
			repeated += to[i];
	if (n < rp_param(x, &rules[2]) || !top || repeated * 2 < n)
		return;
	struct rp_beh *b = rp_beh_add(h, "relay", s, e, n);
	if (!b)
		return;
	char a[64];
	decode_addr_str(x->hosts[top - 1]->family, x->hosts[top - 1]->addr, a, sizeof a);
	rp_kv_num(b, "forwarded", (double)n);
	rp_kv_num(b, "backends", (double)backends);
	rp_kv_str(b, "top_backend", a);
	rp_evidence(b, "%llu inbound connections followed within 3 s by an outbound one to %llu backend%s (most to %s)",
		 (unsigned long long)n, (unsigned long long)backends, backends == 1 ? "" : "s", a);
}

static int serve_run(const struct rp_ctx *x, struct rp_host *h)
{
	uint8_t *seen = calloc(x->nhosts + 1, 1);
	uint32_t *to = calloc(x->nhosts + 1, sizeof *to);
	int rc = seen && to ? server_find(x, h, seen) : -1;
	if (!rc)
		relay_find(x, h, to);
	free(seen);
	free(to);
	return rc;
}

const struct analysis analysis_serve = { .name = "server+relay", .run = serve_run, .kinds = "server,relay",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
