/*
 * beh_stage.c - `download` of a second stage: a PE image received over a
 * raw TCP connection (proto_stage.c), at least stage.min_bytes toward the
 * host.  Exploit frameworks push their payload DLL this way into a bind
 * port or down a reverse connection; no protocol wraps it.  The host that
 * receives the image is the one that downloads, whichever side opened.
 */
#include <stdio.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "stage.min_bytes", 16384, 0, 1e12, "bytes received in the connection that carried the PE image" },
};

static int stage_run(const struct rp_ctx *x, struct rp_host *h)
{
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		bool out = rp_outbound(x, f);
		uint32_t pe_in = out ? RPF2_STREAM_PE_R : RPF2_STREAM_PE;   /* sent by the peer */
		uint32_t got = out ? f->bytes[1] : f->bytes[0];
		const struct host *p = rp_peer(x, f);
		if (!(f->facts2 & pe_in) || got < rp_param(x, &rules[0]) || !p)
			continue;
		struct rp_beh *b = rp_beh_add(h, "download", f->first_payload >= 0 ? f->first_payload : f->t0, f->t1, 1);
		if (!b)
			return 0;
		char a[64];
		decode_addr_str(p->family, p->addr, a, sizeof a);
		rp_kv_str(b, "server", a);
		rp_kv_num(b, "port", out ? f->dport : f->sport);
		rp_kv_num(b, "bytes", got);
		rp_kv_str(b, "type", "PE");
		if (out)
			rp_evidence(b, "PE image (a stage) received over raw TCP from %s port %u, %u B", a, f->dport, got);
		else
			rp_evidence(b, "PE image (a stage) pushed by %s into local port %u over raw TCP, %u B", a, f->dport, got);
	}
	return 0;
}

const struct analysis analysis_stage = { .name = "stage", .run = stage_run, .kinds = "download",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
