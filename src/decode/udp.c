/*
 * udp.c - UDP header (RFC 768), and the hand-off to Teredo.
 *
 *    0 src port | 2 dst port | 4 length (header + data) | 6 checksum
 * Teredo (RFC 4380) is tried on port 3544 when the payload is a
 * plausible IPv6 packet.
 */
#include "decode/decode-int.h"

void decode_udp(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint16_t len;
	if (!rd_be16(r, &p->sport) || !rd_be16(r, &p->dport)) {
		anomaly(d, ANOM_UDP_TRUNCATED);
		p->l4_truncated = true;
		return;
	}
	p->has_ports = true;
	if (!rd_be16(r, &len) || !rd_skip(r, 2)) {
		anomaly(d, ANOM_UDP_TRUNCATED);
		p->l4_truncated = true;
		return;
	}
	uint32_t wire = p->l4_wire >= 8 ? p->l4_wire - 8 : 0;
	/* A first fragment's UDP length covers the whole datagram, not this fragment. */
	if (len < 8 || (len > p->l4_wire && p->frag != FRAG_FIRST)) {
		if (!(len == 0 && p->family == 6))  /* 0 = IPv6 jumbogram */
			anomaly(d, ANOM_UDP_BAD_LEN);
	} else if (len <= p->l4_wire) {
		wire = (uint32_t)len - 8;
	}
	if (r->left > wire)
		r->left = wire;
	decode_set_payload(p, r, wire);
	if ((p->sport == 3544 || p->dport == 3544) && p->frag == FRAG_NONE) {
		struct rd t = *r;
		decode_teredo(d, p, &t);
	}
}
