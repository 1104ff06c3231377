/*
 * tcp.c - TCP header (RFC 9293).
 *
 *    0 src port | 2 dst port | 4 seq | 8 ack | 12 offset(4)|rsv(4)
 *   13 flags CWR ECE URG ACK PSH RST SYN FIN | 14 window | 16 checksum
 *   18 urgent | 20 options
 * Ports are kept as soon as 4 bytes are captured, so a header cut by the
 * snaplen still joins its flow.
 */
#include "decode/decode-int.h"

void decode_tcp(struct decoder *d, struct pkt *p, struct rd *r)
{
	struct rd h = *r;
	if (!rd_be16(&h, &p->sport) || !rd_be16(&h, &p->dport)) {
		anomaly(d, ANOM_TCP_TRUNCATED);
		p->l4_truncated = true;
		return;
	}
	p->has_ports = true;
	uint8_t off, flags;
	if (!rd_be32(&h, &p->seq) || !rd_be32(&h, &p->ack) || !rd_u8(&h, &off) || !rd_u8(&h, &flags)) {
		anomaly(d, ANOM_TCP_TRUNCATED);
		p->l4_truncated = true;
		return;
	}
	p->tcp_flags = flags;
	size_t hlen = (size_t)(off >> 4) * 4;
	if (hlen < 20) {
		anomaly(d, ANOM_TCP_BAD_HLEN);
		p->l4_truncated = true;
		return;
	}
	if (hlen > p->l4_wire) {
		anomaly(d, ANOM_TCP_BAD_HLEN);
		p->l4_truncated = true;
		return;
	}
	if (!rd_skip(r, hlen)) {
		if (r->left < 20)  /* options cut by the snaplen are not an anomaly */
			anomaly(d, ANOM_TCP_TRUNCATED);
		p->l4_truncated = true;
		rd_skip(r, r->left);
	}
	decode_set_payload(p, r, p->l4_wire - (uint32_t)hlen);
}
