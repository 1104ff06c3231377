/*
 * ident.c - one address, two machines: the link-layer and IP traits of
 * what each address sends, so that the report can say when an address was
 * used by two machines (DHCP handing a lease to another machine, a NAT
 * gateway in front of several, an address conflict, a spoofer).
 *
 * Per host index (the first RP_IDENT_MAX hosts of the capture) the
 * collector keeps:
 *  - the first two distinct source MACs of the Ethernet frames the address
 *    sent to unicast destinations, with their packet counts and first
 *    times: only for internal addresses (RFC 1918 and friends), whose
 *    frames come from the machine itself (a remote address arrives behind
 *    its router's MAC); router redundancy (HSRP, VRRP) speaks to multicast
 *    from a virtual MAC that moves between routers by design;
 *  - the packets it sent per initial-TTL family (hop limit for IPv6),
 *    estimated as the smallest of 64, 128, 255 at or above the TTL seen:
 *    Linux, macOS, Android and most IoT start at 64, Windows at 128,
 *    network gear and some Unix at 255.  Only TCP and UDP count: several
 *    systems (Solaris, BSDs, routers) send the ICMP their kernel makes
 *    (echo replies, unreachables) with 255 whatever their TCP uses.
 *    Packets to multicast or broadcast destinations and TTLs of 32 or less
 *    (traceroute probes, scoped multicast) are left out: software sets
 *    those on purpose.
 * ARP packets count for the address they claim (their sender fields).
 *
 * A host is reported as shared (struct rp_shared) when the second MAC, or
 * a second TTL family, carries at least RP_IDENT_MIN packets and at least
 * RP_IDENT_SHARE of the host's: one stray frame is no second machine.
 * Two MACs count only as a change - one's frames end before the other's
 * begin (1 s of overlap allowed), as when a lease passes to another
 * machine: both at once is what a bridge that rewrites MACs (a VM bridged
 * over Wi-Fi) or a router forwarding copies shows for one machine.  Two
 * TTL families count at once too: several machines behind one NAT address.
 * Memory: 64 bytes per tracked host, RP_IDENT_MAX at most (4 MiB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

static int ttl_family(uint8_t ttl)
{
	return ttl <= 32 ? -1 : ttl <= 64 ? 0 : ttl <= 128 ? 1 : 2;
}

static const unsigned ttl_initial[3] = { 64, 128, 255 };

static struct rp_ident *ident_of(struct rp_col *c, uint32_t host)
{
	if (!host || host > RP_IDENT_MAX)
		return NULL;
	if (host > c->nident) {
		size_t nc = c->nident ? c->nident : 256;
		while (nc < host)
			nc *= 2;
		if (nc > RP_IDENT_MAX)
			nc = RP_IDENT_MAX;
		struct rp_ident *v = realloc(c->ident, nc * sizeof *v);
		if (!v) {
			c->oom = true;
			return NULL;
		}
		memset(v + c->nident, 0, (nc - c->nident) * sizeof *v);
		c->ident = v;
		c->nident = nc;
	}
	return &c->ident[host - 1];
}

/* Counts n packets from mac at now; returns its slot + 1 (3: a third MAC or more). */
static unsigned count_mac(struct rp_ident *e, const uint8_t *mac, uint32_t n, float now)
{
	for (int k = 0; k < 2; k++) {
		if (e->mac_pkts[k] && !memcmp(e->mac[k], mac, 6)) {
			e->mac_pkts[k] += n;
			e->mac_last[k] = now;
			return (unsigned)k + 1;
		}
		if (!e->mac_pkts[k]) {
			memcpy(e->mac[k], mac, 6);
			e->mac_pkts[k] = n;
			e->mac_first[k] = e->mac_last[k] = now;
			return (unsigned)k + 1;
		}
	}
	e->mac_more += n;   /* a third MAC or more */
	return 3;
}

static bool dst_group(const struct pkt *p)
{
	return p->family == 4 ? (p->dst[0] & 0xf0) == 0xe0 || (p->dst[0] == 255 && p->dst[3] == 255)
			      : p->dst[0] == 0xff;
}

/*
 * The traits are read from the first packet of each flow direction and
 * the direction's other packets are counted with them when the flow ends:
 * one touch of the address's record per direction instead of per packet
 * (a cache miss per packet on a capture of many hosts).  What this gives
 * up: a flow direction whose packets change MAC or TTL family midway
 * counts wholly for its first packet's (machines do not swap within one
 * connection), and a MAC's last time is that of its flows' last packets.
 */
void rp_ident_first(struct rp_col *c, struct rp_flow *rf, int dir, const struct pkt *p, float now)
{
	struct rp_ident *e = ident_of(c, rf->h[dir]);
	if (!e || dst_group(p))
		return;
	unsigned bits = 0;
	const uint8_t *mac = pkt_src_mac(p);
	if (mac && decode_addr_internal(p->family, p->src))
		bits = count_mac(e, mac, 1, now);
	if (p->ip && (p->proto == 6 || p->proto == 17) &&
	    (p->family == 4 ? p->ip_caplen >= 9 : p->ip_caplen >= 8)) {
		int fam = ttl_family(p->family == 4 ? p->ip[8] : p->ip[7]);
		if (fam >= 0) {
			if (!e->ttl_pkts[fam])
				e->ttl_first[fam] = now;
			if (e->ttl_pkts[fam] < UINT32_MAX)
				e->ttl_pkts[fam]++;
			bits |= (unsigned)(fam + 1) << 2;
		}
	}
	rf->ident = (uint8_t)(rf->ident | bits << (4 * dir));
}

static uint32_t sat_add(uint32_t a, uint64_t b)
{
	return b >= UINT32_MAX - a ? UINT32_MAX : a + (uint32_t)b;
}

void rp_ident_flow_end(struct rp_col *c, const struct rp_flow *rf, const struct flow *f)
{
	for (int d = 0; d < 2; d++) {
		unsigned bits = rf->ident >> (4 * d) & 15, mac = bits & 3, fam = bits >> 2;
		struct rp_ident *e = bits && f->pkts[d] > 1 ? ident_of(c, rf->h[d]) : NULL;
		if (!e)
			continue;
		uint64_t more = f->pkts[d] - 1;
		if (mac == 3)
			e->mac_more = sat_add(e->mac_more, more);
		else if (mac) {
			e->mac_pkts[mac - 1] = sat_add(e->mac_pkts[mac - 1], more);
			if (rf->t1 > e->mac_last[mac - 1])
				e->mac_last[mac - 1] = rf->t1;
		}
		if (fam)
			e->ttl_pkts[fam - 1] = sat_add(e->ttl_pkts[fam - 1], more);
	}
}

void rp_ident_arp(struct rp_col *c, const struct run *r, const struct pkt *p, float now)
{
	uint8_t a[16] = { 0 };
	memcpy(a, p->arp.spa, 4);
	const struct host *h = (a[0] | a[1] | a[2] | a[3]) ? hosttab_find(r->hosts, 4, a) : NULL;
	struct rp_ident *e = h ? ident_of(c, h->index) : NULL;
	const uint8_t *mac = pkt_src_mac(p);
	if (e && mac && decode_addr_internal(4, a))
		count_mac(e, mac, 1, now);
}

static bool clear_second(uint64_t second, uint64_t total)
{
	return second >= RP_IDENT_MIN && (double)second >= RP_IDENT_SHARE * (double)total;
}

void rp_ident_host(const struct rp_col *c, uint32_t host, struct rp_host *h)
{
	memset(&h->shared, 0, sizeof h->shared);
	if (!host || host > c->nident)
		return;
	const struct rp_ident *e = &c->ident[host - 1];
	struct rp_shared *s = &h->shared;
	uint64_t macs = (uint64_t)e->mac_pkts[0] + e->mac_pkts[1] + e->mac_more;
	/* a change: one MAC's frames end before the other's begin (1 s of overlap allowed) */
	bool change = e->mac_pkts[1] &&
		      (e->mac_last[0] <= e->mac_first[1] + 1 || e->mac_last[1] <= e->mac_first[0] + 1);
	bool two_macs = change && clear_second(e->mac_pkts[1] < e->mac_pkts[0] ? e->mac_pkts[1] : e->mac_pkts[0], macs);
	uint64_t ttl = (uint64_t)e->ttl_pkts[0] + e->ttl_pkts[1] + e->ttl_pkts[2];
	int first = -1, second = -1;   /* the two families with most packets */
	for (int k = 0; k < 3; k++) {
		if (!e->ttl_pkts[k])
			continue;
		if (first < 0 || e->ttl_pkts[k] > e->ttl_pkts[first]) {
			second = first;
			first = k;
		} else if (second < 0 || e->ttl_pkts[k] > e->ttl_pkts[second]) {
			second = k;
		}
	}
	bool two_ttl = second >= 0 && clear_second(e->ttl_pkts[second], ttl);
	if (!two_macs && !two_ttl)
		return;
	s->on = true;
	char m[200] = "", t[160] = "", c0[16], c1[16];
	if (two_macs) {
		for (int k = 0; k < 2; k++) {
			memcpy(s->mac[k], e->mac[k], 6);
			s->mac_pkts[k] = e->mac_pkts[k];
			s->mac_first[k] = e->mac_first[k];
		}
		rp_clock(e->mac_first[0], c0, sizeof c0);
		rp_clock(e->mac_first[1], c1, sizeof c1);
		snprintf(m, sizeof m, "two MAC addresses: %02x:%02x:%02x:%02x:%02x:%02x (%u packets, from %s) and "
			 "%02x:%02x:%02x:%02x:%02x:%02x (%u packets, from %s)", e->mac[0][0], e->mac[0][1],
			 e->mac[0][2], e->mac[0][3], e->mac[0][4], e->mac[0][5], e->mac_pkts[0], c0, e->mac[1][0],
			 e->mac[1][1], e->mac[1][2], e->mac[1][3], e->mac[1][4], e->mac[1][5], e->mac_pkts[1], c1);
	}
	if (two_ttl) {
		int a = e->ttl_first[first] <= e->ttl_first[second] ? first : second, b = a == first ? second : first;
		s->ttl[0] = ttl_initial[a];
		s->ttl[1] = ttl_initial[b];
		s->ttl_pkts[0] = e->ttl_pkts[a];
		s->ttl_pkts[1] = e->ttl_pkts[b];
		rp_clock(e->ttl_first[a], c0, sizeof c0);
		rp_clock(e->ttl_first[b], c1, sizeof c1);
		snprintf(t, sizeof t, "two initial TTLs: %u (%u packets, from %s) and %u (%u packets, from %s)",
			 ttl_initial[a], e->ttl_pkts[a], c0, ttl_initial[b], e->ttl_pkts[b], c1);
	}
	snprintf(s->evidence, sizeof s->evidence, "this address was used by two machines? %s%s%s", m,
		 m[0] && t[0] ? "; " : "", t);
}
