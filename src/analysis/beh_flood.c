/*
 * beh_flood.c - `flood`: many connection attempts (TCP SYNs that never
 * complete, or UDP/ICMP datagrams) at one target port at a high rate;
 * spoofing when they come from many source addresses at once.  The host
 * may be the source or, when the sources are spoofed, the target.
 * Thresholds: at least 500 attempts, at least 50 per second.
 *
 * A second rule sees a flood whatever the protocol or port: per (source,
 * target) pair it adds the packets the source sent in flows that are not
 * conversations - TCP without a handshake or without data from the
 * source, UDP or other protocols at least 95 % one-way, ICMP/ICMPv6
 * whether answered or not (an echo flood is answered by a live target) -
 * and reports a flood at >= 1,000 packets per second sustained over at
 * least 1 s, or >= 5,000 packets at >= 50 per second, unless the first
 * rule reported that target already.  Bulk transfers are TCP sessions
 * with data, and streams are answered, so neither counts.
 * A third rule is the victim's view: the same packets sent to the host
 * from >= 50 sources, to any ports, at the same rates (a spoofed flood
 * sprayed over random ports stays under every per-port or per-source
 * threshold).
 * Every flood says the host's side in its "role": "target" when the
 * host is the victim (its role is then never worker), else "attacker".
 * A fourth rule is the victim seen through its backscatter: the host
 * answers SYNs that its peers never sent - SYN-ACKs (or RSTs) from one
 * or a few of its ports to >= 50 distinct addresses, none of which sent
 * a SYN, completed a handshake or sent data (they reset or stay silent).
 * That is what a SYN flood with random spoofed sources leaves behind, seen
 * from the victim's side or by a network telescope that receives a sample
 * of the answers; no rate is required, since a telescope sees a fraction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "flood.port_packets", 500, 1, 1e12, "unanswered attempts at one target port" },
	{ "flood.port_rate", 50, 0, 1e9, "... at this rate (per s)" },
	{ "flood.pair_packets", 1000, 1, 1e12, "packets from one source to one target, no conversation" },
	{ "flood.pair_rate", 1000, 0, 1e9, "... at this rate (per s) over >= 1 s" },
	{ "flood.pair_bulk", 5000, 1, 1e12, "or this many packets ..." },
	{ "flood.bulk_rate", 50, 0, 1e9, "... at this rate (per s)" },
	{ "flood.sources", 50, 2, 1e9, "distinct sources of a spoofed or reflected flood" },
	{ "flood.backscatter_peers", 50, 2, 1e9, "distinct addresses answered with SYN-ACK/RST they never asked for" },
	{ "flood.backscatter_ports", 8, 1, 65535, "... from at most this many local ports" },
};
enum { R_PPK, R_PRATE, R_PAIR, R_PAIR_RATE, R_BULK, R_BULK_RATE, R_SRC, R_BS_PEERS, R_BS_PORTS };

/* A flood by volume: fast and sustained, or large. */
static bool big(const struct rp_ctx *x, double pkts, double dur, double rate)
{
	return (pkts >= rp_param(x, &rules[R_PAIR]) && dur >= 1 && rate >= rp_param(x, &rules[R_PAIR_RATE])) ||
	       (pkts >= rp_param(x, &rules[R_BULK]) && rate >= rp_param(x, &rules[R_BULK_RATE]));
}

struct fl_att {
	uint32_t target, source;
	uint16_t port;
	uint8_t proto;
	float t0, t1;
	uint32_t pkts;
};

static int fl_cmp(const void *a, const void *b)
{
	const struct fl_att *x = a, *y = b;
	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto - y->proto;
	return x->source < y->source ? -1 : x->source > y->source;
}

static void host_str(const struct rp_ctx *x, uint32_t i, char *a, size_t len)
{
	const struct host *t = i && i <= x->nhosts ? x->hosts[i - 1] : NULL;
	snprintf(a, len, "?");
	if (t)
		decode_addr_str(t->family, t->addr, a, len);
}

static void flood_group(const struct rp_ctx *x, struct rp_host *h, const struct fl_att *g, size_t n)
{
	uint64_t pkts = 0, sources = 0;
	double s = g[0].t0, e = g[0].t1;
	for (size_t i = 0; i < n; i++) {
		pkts += g[i].pkts;
		sources += i == 0 || g[i].source != g[i - 1].source;
		s = g[i].t0 < s ? g[i].t0 : s;
		e = g[i].t1 > e ? g[i].t1 : e;
	}
	double rate = pkts / (e - s > 1 ? e - s : 1);
	if (pkts < rp_param(x, &rules[R_PPK]) || rate < rp_param(x, &rules[R_PRATE]))
		return;
	struct rp_beh *b = rp_beh_add(h, "flood", s, e, n);
	if (!b)
		return;
	char a[64] = "?";
	const struct host *t = g[0].target <= x->nhosts ? x->hosts[g[0].target - 1] : NULL;
	if (t)
		decode_addr_str(t->family, t->addr, a, sizeof a);
	bool spoofed = sources >= rp_param(x, &rules[R_SRC]);
	const char *pn = g[0].proto == 6 ? "tcp syn" : g[0].proto == 17 ? "udp" : g[0].proto == 1 ? "icmp"
		       : g[0].proto == 58 ? "icmpv6" : decode_proto_name(g[0].proto);
	bool icmp = g[0].proto == 1 || g[0].proto == 58;
	rp_kv_str(b, "target", a);
	rp_kv_str(b, "role", g[0].target == x->self ? "target" : "attacker");
	if (g[0].target == x->self) {
		char who[64];
		if (sources == 1)
			host_str(x, g[0].source, who, sizeof who);
		else
			snprintf(who, sizeof who, "%llu source addresses", (unsigned long long)sources);
		rp_kv_str(b, "attacker", who);
	}
	rp_kv_num(b, "port", g[0].port);
	rp_kv_str(b, "type", pn ? pn : "ip");
	rp_kv_num(b, "packets", (double)pkts);
	rp_kv_num(b, "duration", round((e - s) * 100) / 100);
	rp_kv_num(b, "rate", round(rate));
	rp_kv_num(b, "sources", (double)sources);
	rp_kv_str(b, "spoofing", spoofed ? "yes" : "no");
	rp_evidence(b, "%s flood at %s %s %u: %llu packets in %.2f s, %.0f/s, from %llu source address%s%s",
		 pn ? pn : "ip", a, icmp ? "type" : "port", g[0].port, (unsigned long long)pkts, e - s, rate,
		 (unsigned long long)sources, sources == 1 ? "" : "es", spoofed ? " (spoofed)" : "");
}

static int pair_cmp(const void *a, const void *b)
{
	const struct fl_att *x = a, *y = b;
	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	if (x->target != y->target)
		return x->target < y->target ? -1 : 1;
	return x->proto - y->proto;
}

/* True when h already has a flood at target address a. */
static bool flood_said(const struct rp_host *h, const char *a)
{
	for (unsigned i = 0; i < h->nbehs; i++)
		if (!strcmp(h->behs[i].kind, "flood"))
			for (unsigned k = 0; k < h->behs[i].nkv; k++)
				if (!strcmp(h->behs[i].kv[k].key, "target") && !strcmp(h->behs[i].kv[k].val, a))
					return true;
	return false;
}

/* Packets of f from its originator that count towards a flood (see the top). */
static uint32_t flood_pkts(const struct rp_flow *f)
{
	switch (f->proto) {
	case 6: return !(f->facts & RPF_TCP_EST) || !f->bytes[0] ? f->pkts[0] : 0;
	case 1:
	case 58: return f->facts2 & RPF2_ICMP_TUNNEL ? 0 : f->pkts[0];
	}
	return (uint64_t)f->pkts[1] * 20 <= f->pkts[0] ? f->pkts[0] : 0;
}

/* One (source, target) pair's flood packets across protocols and ports (g sorted by proto). */
static void flood_pair(const struct rp_ctx *x, struct rp_host *h, const struct fl_att *g, size_t n)
{
	uint64_t pkts = 0;
	double s = g[0].t0, e = g[0].t1;
	char protos[64] = "";
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		pkts += g[i].pkts;
		s = g[i].t0 < s ? g[i].t0 : s;
		e = g[i].t1 > e ? g[i].t1 : e;
		if (i && g[i].proto == g[i - 1].proto)
			continue;
		const char *pn = decode_proto_name(g[i].proto);
		int w = snprintf(protos + used, sizeof protos - used, "%s%s", used ? "+" : "", pn ? pn : "ip");
		if (w > 0 && (size_t)w < sizeof protos - used)
			used += (size_t)w;
	}
	double dur = e - s, rate = pkts / (dur > 1 ? dur : 1);
	if (!big(x, pkts, dur, rate))
		return;
	char a[64], src[64];
	host_str(x, g[0].target, a, sizeof a);
	host_str(x, g[0].source, src, sizeof src);
	if (flood_said(h, a))  /* the per-port rule said it already */
		return;
	struct rp_beh *b = rp_beh_add(h, "flood", s, e, n);
	if (!b)
		return;
	rp_kv_str(b, "target", a);
	rp_kv_str(b, "role", g[0].target == x->self ? "target" : "attacker");
	if (g[0].target == x->self)
		rp_kv_str(b, "attacker", src);
	rp_kv_str(b, "source", src);
	rp_kv_str(b, "type", protos);
	rp_kv_num(b, "packets", (double)pkts);
	rp_kv_num(b, "duration", round(dur * 100) / 100);
	rp_kv_num(b, "rate", round(rate));
	rp_evidence(b, "%s flood from %s at %s: %llu packets in %.2f s, %.0f/s",
		    protos, src, a, (unsigned long long)pkts, dur, rate);
}

/* The pair rule over the host's flows; v has room for one entry per flow. */
static void flood_pairs(const struct rp_ctx *x, struct rp_host *h, struct fl_att *v)
{
	size_t n = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		uint32_t k = flood_pkts(f);
		if (k && f->h[0] && f->h[1])
			v[n++] = (struct fl_att){ f->h[1], f->h[0], f->dport, f->proto, f->t0, f->t1, k };
	}
	qsort(v, n, sizeof *v, pair_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && v[j].target == v[i].target && v[j].source == v[i].source; j++)
			;
		flood_pair(x, h, v + i, j - i);
	}
}

static int src_cmp(const void *a, const void *b)
{
	const struct fl_att *x = a, *y = b;
	return x->source < y->source ? -1 : x->source > y->source;
}

/*
 * The victim's view: every packet of no conversation sent to the host,
 * from any source to any port and protocol, added up - a spoofed flood
 * sprayed over random ports is below every per-port or per-source
 * threshold.  Needs >= 50 sources and the pair rule's rate.
 */
static void flood_victim(const struct rp_ctx *x, struct rp_host *h, struct fl_att *v)
{
	size_t n = 0;
	uint64_t pkts = 0;
	double s = 0, e = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		uint32_t k = flood_pkts(f);
		if (!k || f->h[1] != x->self || !f->h[0])
			continue;
		if (!n || f->t0 < s)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		pkts += k;
		v[n++] = (struct fl_att){ f->h[1], f->h[0], f->dport, f->proto, f->t0, f->t1, k };
	}
	double dur = e - s, rate = pkts / (dur > 1 ? dur : 1);
	/* many sources make the fan-in evidence: a burst shorter than a second counts at the same rate */
	if (!n || !big(x, pkts, dur > 1 ? dur : 1, rate))
		return;
	qsort(v, n, sizeof *v, src_cmp);
	uint64_t sources = 0, ports = 0;
	for (size_t i = 0; i < n; i++)
		sources += i == 0 || v[i].source != v[i - 1].source;
	qsort(v, n, sizeof *v, fl_cmp);  /* by port within the one target */
	for (size_t i = 0; i < n; i++)
		ports += i == 0 || v[i].port != v[i - 1].port || v[i].proto != v[i - 1].proto;
	char a[64];
	decode_addr_str(x->me->family, x->me->addr, a, sizeof a);
	if (sources < rp_param(x, &rules[R_SRC]) || flood_said(h, a))
		return;
	struct rp_beh *b = rp_beh_add(h, "flood", s, e, n);
	if (!b)
		return;
	rp_kv_str(b, "target", a);
	char who[48];
	snprintf(who, sizeof who, "%llu source addresses", (unsigned long long)sources);
	rp_kv_str(b, "role", "target");
	rp_kv_str(b, "attacker", who);
	rp_kv_str(b, "type", "inbound");
	rp_kv_num(b, "packets", (double)pkts);
	rp_kv_num(b, "duration", round(dur * 100) / 100);
	rp_kv_num(b, "rate", round(rate));
	rp_kv_num(b, "sources", (double)sources);
	rp_kv_num(b, "ports", (double)ports);
	rp_kv_str(b, "spoofing", "yes");
	rp_evidence(b, "flood at %s: %llu unsolicited packets in %.2f s, %.0f/s, from %llu source addresses to %llu ports",
		    a, (unsigned long long)pkts, dur, rate, (unsigned long long)sources, (unsigned long long)ports);
}

/*
 * The victim seen through its backscatter (see the top): flows the collector
 * marked RPF_TCP_BACKSCATTER in which the host is the answering side (the
 * responder of a SYN-ACK, the originator of a lone RST), per distinct peer and
 * local port.  v has room for one entry per flow.
 */
static void flood_backscatter(const struct rp_ctx *x, struct rp_host *h, struct fl_att *v)
{
	size_t n = 0;
	uint64_t pkts = 0, synack = 0;
	double s = 0, e = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (f->proto != 6 || !(f->facts & RPF_TCP_BACKSCATTER))
			continue;
		bool sa = f->facts & RPF_TCP_EST;   /* the responder's SYN-ACK; else the originator's RST */
		int d = sa ? 1 : 0;
		if (f->h[d] != x->self || !f->h[!d])
			continue;
		if (!n || f->t0 < s)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		pkts += f->pkts[d];
		synack += sa;
		v[n++] = (struct fl_att){ f->h[d], f->h[!d], sa ? f->dport : f->sport, 6, f->t0, f->t1, f->pkts[d] };
	}
	if (!n)
		return;
	qsort(v, n, sizeof *v, src_cmp);
	uint64_t peers = 0, ports = 0;
	for (size_t i = 0; i < n; i++)
		peers += i == 0 || v[i].source != v[i - 1].source;
	qsort(v, n, sizeof *v, fl_cmp);
	char plist[64] = "";
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && v[i].port == v[i - 1].port)
			continue;
		ports++;
		int w = snprintf(plist + used, sizeof plist - used, "%s%u", used ? "," : "", v[i].port);
		if (w > 0 && (size_t)w < sizeof plist - used)
			used += (size_t)w;
	}
	char a[64];
	decode_addr_str(x->me->family, x->me->addr, a, sizeof a);
	if (peers < rp_param(x, &rules[R_BS_PEERS]) || ports > rp_param(x, &rules[R_BS_PORTS]) || flood_said(h, a))
		return;
	double dur = e - s, rate = pkts / (dur > 1 ? dur : 1);
	struct rp_beh *b = rp_beh_add(h, "flood", s, e, n);
	if (!b)
		return;
	rp_kv_str(b, "target", a);
	char who[48];
	snprintf(who, sizeof who, "%llu spoofed addresses", (unsigned long long)peers);
	rp_kv_str(b, "role", "target");
	rp_kv_str(b, "attacker", who);
	rp_kv_str(b, "type", "tcp syn (backscatter)");
	rp_kv_str(b, "ports", plist);
	rp_kv_num(b, "packets", (double)pkts);
	rp_kv_num(b, "duration", round(dur * 100) / 100);
	rp_kv_num(b, "rate", round(rate * 100) / 100);
	rp_kv_num(b, "peers", (double)peers);
	rp_kv_str(b, "spoofing", "yes");
	rp_evidence(b, "victim of a spoofed-source SYN flood, seen through its backscatter: %llu %s from port%s %s "
		       "to %llu distinct addresses that never sent a SYN nor completed a handshake, over %.0f s",
		    (unsigned long long)pkts, synack == n ? "SYN-ACKs" : synack ? "SYN-ACKs and RSTs" : "RSTs",
		    ports == 1 ? "" : "s", plist, (unsigned long long)peers, dur);
}

static int flood_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct fl_att *v = malloc((x->nfl ? x->nfl : 1) * sizeof *v);
	if (!v)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		bool attempt = f->proto == 6 ? !(f->facts & RPF_TCP_EST) && !f->bytes[0] : !f->pkts[1] && f->proto != 6;
		if (!attempt || !f->h[0] || !f->h[1])
			continue;
		v[n++] = (struct fl_att){ f->h[1], f->h[0], f->proto == 1 || f->proto == 58 ? f->sport : f->dport,
					  f->proto, f->t0, f->t1, f->pkts[0] };
	}
	qsort(v, n, sizeof *v, fl_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && v[j].target == v[i].target && v[j].port == v[i].port && v[j].proto == v[i].proto; j++)
			;
		flood_group(x, h, v + i, j - i);
	}
	flood_pairs(x, h, v);
	flood_victim(x, h, v);
	flood_backscatter(x, h, v);
	free(v);
	return 0;
}

const struct analysis analysis_flood = { .name = "flood", .run = flood_run, .kinds = "flood",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
