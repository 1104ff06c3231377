/*
 * ipv6.c - IPv6 (RFC 8200) and its extension headers.
 *
 *    0 ver(4)|class(8)|flow(20) | 4 payload length | 6 next header
 *    7 hop limit | 8 src(16) | 24 dst(16)
 * Extension headers walked: hop-by-hop (0), routing (43), destination
 * options (60), mobility (135), HIP (139), shim6 (140): (len+1)*8 bytes;
 * AH (51): (len+2)*4 bytes; fragment (44): 8 bytes.  ESP (50) and
 * no-next-header (59) end the walk.  At most MAX_EXT headers.
 */
#include "decode/decode-int.h"

#include <string.h>

#define MAX_EXT 8

static bool is_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140 ||
	       nh == 51 || nh == 44;
}

/*
 * Walks the extension headers; returns the upper-layer protocol, or -1
 * after counting an anomaly.  Sets fragment state and *frag_id.
 */
static int walk_ext(struct decoder *d, struct pkt *p, uint8_t nh, struct rd *r, uint32_t *frag_id,
		    uint16_t *frag_off)
{
	for (unsigned n = 0; is_ext(nh); n++) {
		uint8_t next, len;
		if (n >= MAX_EXT) {
			anomaly(d, ANOM_IPV6_EXT_TOO_MANY);
			return -1;
		}
		if (!rd_peek_u8(r, 0, &next) || !rd_peek_u8(r, 1, &len)) {
			anomaly(d, ANOM_IPV6_EXT_TRUNCATED);
			return -1;
		}
		size_t hl = nh == 51 ? ((size_t)len + 2) * 4 : nh == 44 ? 8 : ((size_t)len + 1) * 8;
		if (nh == 44) {
			struct rd f = *r;
			uint16_t off;
			uint32_t id;
			if (!rd_skip(&f, 2) || !rd_be16(&f, &off) || !rd_be32(&f, &id)) {
				anomaly(d, ANOM_IPV6_EXT_TRUNCATED);
				return -1;
			}
			*frag_id = id;
			*frag_off = off;
		}
		if (!rd_skip(r, hl)) {
			anomaly(d, ANOM_IPV6_EXT_TRUNCATED);
			return -1;
		}
		p->l4_wire = p->l4_wire > hl ? p->l4_wire - (uint32_t)hl : 0;
		nh = next;
	}
	return nh;
}

void decode_ipv6(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint32_t vcf;
	uint16_t plen;
	uint8_t nh;
	const uint8_t *src, *dst;
	if (!decode_enter(d, p))
		return;
	size_t uncaptured = p->wirelen > p->caplen ? p->wirelen - p->caplen : 0;
	const uint8_t *ip = r->p;
	if (!rd_be32(r, &vcf) || !rd_be16(r, &plen) || !rd_u8(r, &nh) || !rd_skip(r, 1) ||
	    !rd_bytes(r, 16, &src) || !rd_bytes(r, 16, &dst)) {
		anomaly(d, ANOM_IPV6_TRUNCATED);
		return;
	}
	if (vcf >> 28 != 6) {
		anomaly(d, ANOM_IPV6_BAD_VERSION);
		return;
	}
	d->stats.ipv6++;
	p->family = 6;
	memcpy(p->src, src, 16);
	memcpy(p->dst, dst, 16);
	decode_reset_l4(p);
	p->frag = FRAG_NONE;
	if (plen > r->left + uncaptured)
		anomaly(d, ANOM_IPV6_LEN_PAST_WIRE);
	else if (r->left > plen && plen)
		r->left = plen;
	p->ip = ip;  /* for subscribers that take the IP packet whole (analysis/dpi.c) */
	p->ip_caplen = (uint32_t)(40 + r->left);
	p->ttl = ip[7];
	p->ip_len = (uint16_t)(plen + 40 > 0xffff ? 0xffff : plen + 40);
	p->l4_wire = plen;
	uint32_t frag_id = 0;
	uint16_t frag_off = 0xffff;
	int proto = walk_ext(d, p, nh, r, &frag_id, &frag_off);
	if (proto < 0)
		return;
	if (frag_off != 0xffff && (frag_off & 0xfff9)) {
		d->stats.fragments++;
		struct frag_key k = { .id = frag_id, .family = 6, .proto = (uint8_t)proto };
		memcpy(k.src, p->src, 16);
		memcpy(k.dst, p->dst, 16);
		if (frag_off & 0xfff8) {
			p->frag = FRAG_LATER;
			p->proto = (uint8_t)proto;
			if (!frag_lookup(d, &k, p))
				anomaly(d, ANOM_FRAG_ORPHAN);
			decode_set_payload(p, r, p->l4_wire);
			return;
		}
		p->frag = FRAG_FIRST;
		decode_ipproto(d, p, (uint8_t)proto, r);
		frag_remember(d, &k, p);
		return;
	}
	if (proto == 59) {
		p->proto = 59;
		d->stats.other_l4++;
		return;
	}
	decode_ipproto(d, p, (uint8_t)proto, r);
}
