/*
 * beh_volume.c - `exfiltration` by volume and asymmetry, whatever the
 * protocol: the host sends at least volume.min_bytes to one server on a
 * port of no ordinary service (rp_service_port) in connections whose
 * protocol neither botlens's parsers nor nDPI know, and gets back at most
 * 1 / volume.ratio of it.  Implants ship archives, screenshots and key
 * logs to their own listeners over their own framing; ordinary uploads go
 * to services with a known protocol (HTTP, TLS on its ports, mail, file
 * sharing).  Connections inside one machine (rp_same_machine) are no
 * exfiltration.  Connections to the server are summed; the evidence gives
 * the bytes up and down, the connections and the span.
 */
#include <stdio.h>
#include <stdlib.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "volume.min_bytes", 262144, 1, 1e15, "bytes sent to one server of no known protocol and port" },
	{ "volume.ratio", 10, 1, 1e9, "... at least this many times what came back" },
};

struct vol {
	uint64_t up, down, conns;
	double s, e;
	uint16_t port;
};

static bool unknown_upload(const struct rp_ctx *x, const struct rp_flow *f)
{
	return rp_outbound(x, f) && !rp_same_machine(x, f) && (f->proto == 6 || f->proto == 17) &&
	       f->app == RP_APP_NONE && !f->ndpi_master && !f->ndpi_app && !rp_service_port(f->proto, f->dport) && f->bytes[0] &&
	       f->h[1] && f->h[1] <= x->nhosts;
}

static void volume_emit(const struct rp_ctx *x, struct rp_host *h, uint32_t srv, const struct vol *v)
{
	const struct host *p = x->hosts[srv - 1];
	char a[64];
	decode_addr_str(p->family, p->addr, a, sizeof a);
	struct rp_beh *b = rp_beh_add(h, "exfiltration", v->s, v->e, v->conns);
	if (!b)
		return;
	rp_kv_str(b, "channel", "volume");
	rp_kv_str(b, "server", a);
	rp_kv_num(b, "port", v->port);
	rp_kv_num(b, "bytes", (double)v->up);
	rp_kv_num(b, "bytes_in", (double)v->down);
	rp_evidence(b, "%llu B sent to %s:%u over %llu connection%s of an unknown protocol, %llu B back (%.0fx), "
		       "over %.1f s", (unsigned long long)v->up, a, v->port, (unsigned long long)v->conns,
		    v->conns == 1 ? "" : "s", (unsigned long long)v->down,
		    v->down ? (double)v->up / (double)v->down : (double)v->up, v->e - v->s);
}

static int volume_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct vol *v = calloc(x->nhosts + 1, sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!unknown_upload(x, f))
			continue;
		struct vol *e = &v[f->h[1]];
		if (!e->conns++ || f->t0 < e->s)
			e->s = f->t0;
		e->e = f->t1 > e->e ? f->t1 : e->e;
		e->up += f->bytes[0];
		e->down += f->bytes[1];
		e->port = f->dport;
	}
	for (uint64_t i = 1; i <= x->nhosts; i++)
		if (v[i].up >= rp_param(x, &rules[0]) && (double)v[i].up >= rp_param(x, &rules[1]) * (double)v[i].down)
			volume_emit(x, h, (uint32_t)i, &v[i]);
	free(v);
	return 0;
}

const struct analysis analysis_volume = { .name = "volume", .run = volume_run, .kinds = "exfiltration",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
