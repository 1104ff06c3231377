/*
 * ipv4.c - IPv4 (RFC 791).
 *
 *    0 ver(4)|ihl(4) | 1 tos | 2 total length | 4 id | 6 flags(3)|offset(13)
 *    8 ttl | 9 protocol | 10 checksum | 12 src | 16 dst | 20 options
 *
 * The reader is cut to the total length (dropping link padding).  A total
 * length beyond the on-wire packet is an anomaly; beyond the captured
 * bytes only (a snaplen) is normal.  Fragments: see decode.h.
 */
#include "decode/decode-int.h"

#include <string.h>

/* Handles a non-first fragment: ports from the table, no transport header. */
static void later_fragment(struct decoder *d, struct pkt *p, const struct frag_key *k,
			   struct rd *r)
{
	p->frag = FRAG_LATER;
	p->proto = k->proto;
	if (!frag_lookup(d, k, p))
		anomaly(d, ANOM_FRAG_ORPHAN);
	decode_set_payload(p, r, p->l4_wire);
}

void decode_ipv4(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint8_t vihl, proto;
	uint16_t totlen, id, frag;
	const uint8_t *src, *dst;
	if (!decode_enter(d, p))
		return;
	size_t uncaptured = p->wirelen > p->caplen ? p->wirelen - p->caplen : 0;
	const uint8_t *ip = r->p;
	struct rd h = *r;
	if (!rd_u8(&h, &vihl) || !rd_skip(&h, 1) || !rd_be16(&h, &totlen) || !rd_be16(&h, &id) ||
	    !rd_be16(&h, &frag) || !rd_skip(&h, 1) || !rd_u8(&h, &proto) || !rd_skip(&h, 2) ||
	    !rd_bytes(&h, 4, &src) || !rd_bytes(&h, 4, &dst)) {
		anomaly(d, ANOM_IPV4_TRUNCATED);
		return;
	}
	if (vihl >> 4 != 4) {
		anomaly(d, ANOM_IPV4_BAD_VERSION);
		return;
	}
	size_t hlen = (size_t)(vihl & 15) * 4;
	if (hlen < 20) {
		anomaly(d, ANOM_IPV4_BAD_HLEN);
		return;
	}
	if (totlen < hlen) {
		anomaly(d, ANOM_IPV4_BAD_LEN);
		return;
	}
	if (!rd_skip(r, hlen)) {
		anomaly(d, ANOM_IPV4_TRUNCATED);
		return;
	}
	d->stats.ipv4++;
	p->family = 4;
	/*
	 * Stored as whole 8-byte words: the flow hash reads them as such right
	 * after, and a load spanning a 4-byte store cannot be forwarded from
	 * it (it waits for the store to reach the cache).
	 */
	uint64_t w[2] = { 0, 0 };
	memcpy(&w[0], src, 4);
	memcpy(&w[1], dst, 4);
	memcpy(p->src, &w[0], 8);
	memcpy(p->dst, &w[1], 8);
	memset(p->src + 8, 0, 8);
	memset(p->dst + 8, 0, 8);
	p->ip_len = totlen;
	p->l4_wire = totlen - (uint32_t)hlen;
	decode_reset_l4(p);
	p->frag = FRAG_NONE;
	if (totlen - hlen > r->left + uncaptured)
		anomaly(d, ANOM_IPV4_LEN_PAST_WIRE);
	else if (r->left > totlen - hlen)
		r->left = totlen - hlen;
	p->ip = ip;  /* two stores: what a subscriber needs to hand the packet on (analysis/dpi.c) */
	p->ip_caplen = (uint32_t)(hlen + r->left);
	p->ttl = ip[8];
	uint16_t offset = frag & 0x1fff;
	bool more = frag & 0x2000;
	if (offset || more) {
		d->stats.fragments++;
		struct frag_key k = { .id = id, .family = 4, .proto = proto };
		memcpy(k.src, p->src, 16);
		memcpy(k.dst, p->dst, 16);
		if (offset) {
			later_fragment(d, p, &k, r);
			return;
		}
		p->frag = FRAG_FIRST;
		decode_ipproto(d, p, proto, r);
		frag_remember(d, &k, p);
		return;
	}
	decode_ipproto(d, p, proto, r);
}
