/*
 * beh_tunnel.c - `tunnel` (malicious): IP packets carried inside ICMP
 * echo payloads (proto_icmp.c), which hides a whole network session in
 * what firewalls let through as ping.
 *
 * Rule: the host sent ICMP/ICMPv6 echoes (requests or replies) whose data
 * is a complete IP packet (valid header, consistent length; IPv4 header
 * checksum correct) - at least 3 of them, or at least half of the echoes
 * inspected when fewer were sampled.  Both ends of a tunnel send them
 * (client requests, server replies), so both are reported.
 * DNS tunnels are beh_dns.c's.
 */
#include <stdio.h>

#include "analysis/report-int.h"

static int tunnel_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0;
	uint64_t flows = 0, inner = 0, echoes = 0, pkts = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!(f->facts2 & RPF2_ICMP_TUNNEL))
			continue;
		int d = f->h[0] == x->self ? 0 : 1;  /* the host's direction */
		if (!(f->facts2 & (d ? RPF2_ICMP_TUNNEL_RESP : RPF2_ICMP_TUNNEL_ORIG)))
			continue;
		if (s < 0 || f->t0 < s)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		flows++;
		inner += f->count;
		echoes += f->count2;
		pkts += f->pkts[d];
	}
	if (!flows || (inner < 3 && inner * 2 < echoes))
		return 0;
	struct rp_beh *b = rp_beh_add(h, "tunnel", s, e, flows);
	if (!b)
		return 0;
	char pairs[160];
	rp_ev_join(x->col, x->self, EV_TUNNEL_INNER, 2, pairs, sizeof pairs);
	rp_kv_str(b, "type", "ip over icmp");
	rp_kv_num(b, "inner_packets", (double)inner);
	rp_kv_num(b, "echoes", (double)echoes);
	rp_kv_num(b, "packets", (double)pkts);
	rp_kv_str(b, "inner", pairs);
	rp_evidence(b, "IP packets inside ICMP echo payloads: %llu of %llu echoes inspected (both ways; the host sent %llu), inner %s",
		    (unsigned long long)inner, (unsigned long long)echoes, (unsigned long long)pkts, pairs);
	return 0;
}

const struct analysis analysis_tunnel = { .name = "tunnel", .run = tunnel_run, .kinds = "tunnel" };
