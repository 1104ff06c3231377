/*
 * arp_sweep.c - the collector's ARP who-has table, for sweeps (beh_scan.c).
 *
 * An ARP sweep (nmap -sn, netdiscover, a worm looking for neighbours)
 * asks "who has a.b.c.X?" for many X in a few seconds; a host's normal
 * ARP traffic asks for its gateway and a handful of peers.  Per sender
 * IPv4 address and target /24 the table keeps the set of last octets
 * asked (a 256-bit map) and, over tumbling windows of RP_ARP_WINDOW
 * seconds opened by a new target, the most new targets in one window.
 *
 * Invariants: at most RP_ARP_MAX (sender, /24) entries (later pairs are
 * dropped and counted), chained by index in RP_ARP_HASH buckets; an entry
 * is 72 bytes, so the table stays under 300 KiB whatever the capture.
 * Probes (sender 0.0.0.0, RFC 5227) and gratuitous ARP (target = sender)
 * are not requests for another host and are left out.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

static uint32_t be32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static struct rp_arp *arp_entry(struct rp_col *c, uint32_t sender, uint32_t net)
{
	uint32_t b = ((sender * 2654435761u) ^ (net * 40503u)) >> 7 & (RP_ARP_HASH - 1);
	for (uint32_t i = c->arp_hash[b]; i; i = c->arp[i - 1].next)
		if (c->arp[i - 1].sender == sender && c->arp[i - 1].net == net)
			return &c->arp[i - 1];
	if (c->narp >= RP_ARP_MAX) {
		c->arp_dropped++;
		return NULL;
	}
	if (c->narp == c->caparp) {
		size_t nc = c->caparp ? 2 * c->caparp : 64;
		struct rp_arp *n = realloc(c->arp, nc * sizeof *n);
		if (!n) {
			c->oom = true;
			return NULL;
		}
		c->arp = n;
		c->caparp = nc;
	}
	struct rp_arp *e = &c->arp[c->narp++];
	memset(e, 0, sizeof *e);
	e->sender = sender;
	e->net = net;
	e->next = c->arp_hash[b];
	c->arp_hash[b] = (uint32_t)c->narp;
	return e;
}

void rp_arp_packet(struct rp_col *c, const struct pkt *p, float now)
{
	if (p->arp.op != ARP_REQUEST)
		return;
	uint32_t s = be32(p->arp.spa), t = be32(p->arp.tpa);
	if (!s || !t || s == t)
		return;
	struct rp_arp *e = arp_entry(c, s, t & 0xffffff00u);
	if (!e)
		return;
	e->requests++;
	uint8_t o = (uint8_t)t;
	if (e->bits[o >> 6] >> (o & 63) & 1)
		return;
	e->bits[o >> 6] |= 1ull << (o & 63);
	if (!e->distinct++)
		e->t0 = now;
	e->t1 = now;
	if (e->wn == 0 || now - e->wt0 > RP_ARP_WINDOW) {
		e->wt0 = now;
		e->wn = 0;
	}
	if (++e->wn > e->best) {
		e->best = e->wn;
		e->bt0 = e->wt0;
		e->bt1 = now;
	}
}

bool rp_arp_sweep(const struct rp_arp *e)
{
	return e->best >= RP_ARP_SWEEP_MIN;
}

size_t rp_arp_sweepers(const struct rp_col *c, uint8_t (*addr)[4], size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->narp && n < max; i++) {
		const struct rp_arp *e = &c->arp[i];
		if (!rp_arp_sweep(e))
			continue;
		uint8_t a[4] = { (uint8_t)(e->sender >> 24), (uint8_t)(e->sender >> 16),
				 (uint8_t)(e->sender >> 8), (uint8_t)e->sender };
		size_t k = 0;
		while (k < n && memcmp(addr[k], a, 4))
			k++;
		if (k == n)
			memcpy(addr[n++], a, 4);
	}
	return n;
}
