/*
 * beh_p2p.c - `p2p`: the host takes part in a peer-to-peer overlay.
 * By content: Overnet/eDonkey (plain or under Storm's XOR key), Kad,
 * BitTorrent DHT, Gnutella, with at least 3 peers.  Statistically, for
 * encrypted overlays (Sality, Kelihos, Zeus P2P): at least 20 distinct
 * peers on high UDP ports with small datagrams, from one fixed local
 * port or to random remote ports (distinct ports for 60 % of the peers);
 * or at least 20 peers tried on one TCP port with at least 3 binary
 * exchanges that no protocol detector recognised.  Local discovery
 * (LLMNR, mDNS, SSDP, NetBIOS, WS-Discovery), IKE and Teredo are not P2P.
 *
 * File sharing: a P2P file-sharing protocol that nDPI names on the flow
 * (BitTorrent, eDonkey, Gnutella, FastTrack, ...) and that no rule above
 * counted, with at least p2p.share_peers distinct peers, is a `p2p`
 * behavior too: the host takes part in a swarm or overlay.  It is not
 * malicious by itself (a user downloading a file does the same): the
 * behavior says which protocol and how many peers and is marked not
 * malicious; botnet overlays (Storm's XOR key, Overnet/Kad by content,
 * encrypted overlays by statistics) stay malicious.
 */
#include <stdio.h>
#include <stdlib.h>

#include <ndpi/ndpi_protocol_ids.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "p2p.share_peers", 3, 1, 1e6, "distinct peers of a file-sharing protocol nDPI names that make P2P" },
};

/* nDPI's P2P file-sharing protocols and the names the evidence gives them. */
static const struct {
	uint16_t id;
	const char *name;
} share_protos[] = {
	{ NDPI_PROTOCOL_BITTORRENT, "bittorrent" }, { NDPI_PROTOCOL_EDONKEY, "edonkey" },
	{ NDPI_PROTOCOL_GNUTELLA, "gnutella" }, { NDPI_PROTOCOL_FASTTRACK, "fasttrack" },
	{ NDPI_PROTOCOL_OPENFT, "openft" }, { NDPI_PROTOCOL_DIRECTCONNECT, "directconnect" },
	{ NDPI_PROTOCOL_APPLEJUICE, "applejuice" }, { NDPI_PROTOCOL_THUNDER, "thunder" },
};

/* The index in share_protos[] of f's file-sharing protocol by nDPI, or -1. */
static int share_proto(const struct rp_flow *f)
{
	for (size_t i = 0; i < sizeof share_protos / sizeof *share_protos; i++)
		if (f->ndpi_app == share_protos[i].id || f->ndpi_master == share_protos[i].id)
			return (int)i;
	return -1;
}

struct p2p_acc {
	double s, e;
	uint64_t flows, peers;
};

static void acc_add(struct p2p_acc *a, const struct rp_flow *f, uint8_t *seen, uint32_t peer, uint8_t bit)
{
	if (!a->flows || f->t0 < a->s)
		a->s = f->t0;
	if (f->t1 > a->e)
		a->e = f->t1;
	a->flows++;
	if (!(seen[peer] & bit)) {
		seen[peer] |= bit;
		a->peers++;
	}
}

static bool udp_service(uint16_t p)
{
	static const uint16_t svc[] = { 137, 138, 500, 1900, 3544, 3702, 4500, 5353, 5355 };
	for (size_t i = 0; i < sizeof svc / sizeof *svc; i++)
		if (svc[i] == p)
			return true;
	return false;
}

static bool udp_candidate(const struct rp_flow *f)
{
	return f->proto == 17 && f->app == RP_APP_NONE && f->sport >= 1024 && f->dport >= 1024 &&
	       !udp_service(f->sport) && !udp_service(f->dport) &&
	       f->bytes[0] + (uint64_t)f->bytes[1] <= 600 * (uint64_t)(f->pkts[0] + f->pkts[1]);
}

static uint16_t local_port(const struct rp_ctx *x, const struct rp_flow *f)
{
	return rp_outbound(x, f) ? f->sport : f->dport;
}

/* The most used local UDP port among non-identified high-port flows, and its count; -1 out of memory. */
static int udp_fixed_port(const struct rp_ctx *x, uint64_t *count, uint16_t *best_port)
{
	uint32_t *c = calloc(65536, sizeof *c);
	uint16_t best = 0;
	*count = 0;
	if (!c)
		return -1;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (udp_candidate(f))
			c[local_port(x, f)]++;
	}
	for (unsigned p = 0; p < 65536; p++)
		if (c[p] > *count) {
			*count = c[p];
			best = (uint16_t)p;
		}
	free(c);
	*best_port = best;
	return 0;
}

static struct rp_beh *p2p_emit(const struct rp_ctx *x, struct rp_host *h, const struct p2p_acc *a,
			       const char *proto, const char *transport, unsigned port, const char *how)
{
	struct rp_beh *b = rp_beh_add(h, "p2p", a->s, a->e, a->flows);
	if (!b)
		return NULL;
	rp_kv_str(b, "protocol", proto);
	rp_kv_str(b, "transport", transport);
	rp_kv_num(b, "peers", (double)a->peers);
	rp_kv_num(b, "port", port);
	rp_evidence(b, "%s over %s with %llu peers (%llu flows), %s", proto, transport,
		 (unsigned long long)a->peers, (unsigned long long)a->flows, how);
	(void)x;
	return b;
}

/*
 * The file-sharing rule's behavior (see the top): the protocol nDPI named on
 * most of the flows, the peers, and malicious = false - P2P file sharing is
 * what users do; a verdict needs other evidence.
 */
static void share_emit(const struct rp_ctx *x, struct rp_host *h, const struct p2p_acc *a, const uint64_t *n,
		       unsigned ntcp, unsigned nudp)
{
	size_t best = 0;
	for (size_t i = 1; i < sizeof share_protos / sizeof *share_protos; i++)
		if (n[i] > n[best])
			best = i;
	const char *tr = ntcp && nudp ? "tcp+udp" : ntcp ? "tcp" : "udp";
	struct rp_beh *b = p2p_emit(x, h, a, share_protos[best].name, tr, 0,
				    "named by nDPI; file sharing, not malicious by itself");
	if (!b)
		return;
	b->malicious = false;
	rp_kv_str(b, "purpose", "file sharing");
}

static int p2p_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct p2p_acc known = { 0 }, udp = { 0 }, tcp = { 0 }, share = { 0 };
	unsigned app = 0, xor = 0, share_tcp = 0, share_udp = 0;
	uint64_t share_n[sizeof share_protos / sizeof *share_protos] = { 0 };
	uint64_t fixed_n;
	uint16_t fixed;
	uint8_t *seen = calloc(x->nhosts + 1, 1);
	uint32_t *tcp_port = calloc(65536, sizeof *tcp_port);
	uint8_t *rport = calloc(65536 / 8, 1);
	uint64_t rports = 0, binary = 0;
	if (!seen || !tcp_port || !rport || udp_fixed_port(x, &fixed_n, &fixed)) {
		free(seen);
		free(tcp_port);
		free(rport);
		return -1;
	}
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (rp_outbound(x, f) && f->proto == 6 && f->app == RP_APP_NONE && f->bytes[0] && f->bytes[1])
			tcp_port[f->dport]++;
	}
	uint16_t tport = 0;
	for (unsigned p = 1; p < 65536; p++)
		if (tcp_port[p] > tcp_port[tport])
			tport = (uint16_t)p;
	binary = tcp_port[tport];
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		uint32_t peer = f->h[0] == x->self ? f->h[1] : f->h[0];
		if (peer > x->nhosts)
			continue;
		int sp = share_proto(f);
		if (f->app >= RP_APP_OVERNET && f->app <= RP_APP_EDONKEY) {
			acc_add(&known, f, seen, peer, 1);
			app = f->app;
			xor |= (f->facts & RPF_OV_XOR) != 0;
		} else if (sp >= 0) {
			acc_add(&share, f, seen, peer, 8);
			share_n[sp]++;
			share_tcp += f->proto == 6;
			share_udp += f->proto == 17;
		} else if (udp_candidate(f) && (fixed_n >= 20 ? local_port(x, f) == fixed : rp_outbound(x, f))) {
			acc_add(&udp, f, seen, peer, 2);
			uint16_t rp = rp_outbound(x, f) ? f->dport : f->sport;
			if (!(rport[rp / 8] & (1u << (rp % 8)))) {
				rport[rp / 8] |= (uint8_t)(1u << (rp % 8));
				rports++;
			}
		} else if (tport && rp_outbound(x, f) && f->proto == 6 && f->app == RP_APP_NONE && f->dport == tport) {
			acc_add(&tcp, f, seen, peer, 4);
		}
	}
	free(tcp_port);
	free(rport);
	free(seen);
	char how[96];
	if (known.peers >= 3) {
		snprintf(how, sizeof how, "recognised by content%s", xor ? " under Storm's XOR key" : "");
		p2p_emit(x, h, &known, xor ? "overnet (storm xor)" : rp_app_name(app), "udp", 0, how);
	}
	if (udp.peers >= 20 && fixed_n >= 20) {
		snprintf(how, sizeof how, "encrypted: small datagrams between high ports, fixed local port %u", fixed);
		p2p_emit(x, h, &udp, "unknown (encrypted)", "udp", fixed, how);
	} else if (udp.peers >= 20 && rports * 10 >= udp.peers * 6) {
		snprintf(how, sizeof how, "encrypted: small datagrams to %llu random high ports", (unsigned long long)rports);
		p2p_emit(x, h, &udp, "unknown (encrypted)", "udp", 0, how);
	}
	if (tcp.peers >= 20 && binary >= 3) {
		snprintf(how, sizeof how, "binary (not HTTP) exchanges with many peers on TCP port %u", tport);
		p2p_emit(x, h, &tcp, "unknown (encrypted)", "tcp", tport, how);
	}
	if (share.peers >= rp_param(x, &rules[0]) && known.peers < 3)
		share_emit(x, h, &share, share_n, share_tcp, share_udp);
	return 0;
}

const struct analysis analysis_p2p = { .name = "p2p", .run = p2p_run, .kinds = "p2p",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
