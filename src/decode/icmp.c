/*
 * icmp.c - ICMP (RFC 792) and ICMPv6 (RFC 4443).
 *
 *    0 type | 1 code | 2 checksum | 4 rest of header
 * As Zeek, an ICMP "connection" has ports: the originator port is the
 * type; the responder port is the counterpart type for request/reply
 * pairs (echo 8/0, timestamp 13/14, ...; v6 echo 128/129, ...) so that a
 * request and its reply form one flow, else the code.
 */
#include "decode/decode-int.h"

static const uint8_t pairs4[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 }, { 17, 18 }, { 10, 9 } };
static const uint8_t pairs6[][2] = { { 128, 129 }, { 133, 134 }, { 135, 136 }, { 130, 131 } };

static void icmp_ports(struct pkt *p, uint8_t type, uint8_t code, const uint8_t (*pairs)[2], size_t n)
{
	p->sport = type;
	p->dport = code;
	for (size_t i = 0; i < n; i++) {
		if (type == pairs[i][0])
			p->dport = pairs[i][1];
		else if (type == pairs[i][1])
			p->dport = pairs[i][0];
	}
	p->has_ports = true;
}

void decode_icmp(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint8_t type, code;
	if (!rd_u8(r, &type) || !rd_u8(r, &code)) {
		anomaly(d, ANOM_ICMP_TRUNCATED);
		p->l4_truncated = true;
		return;
	}
	icmp_ports(p, type, code, pairs4, sizeof pairs4 / sizeof *pairs4);
	if (!rd_skip(r, 6)) {
		anomaly(d, ANOM_ICMP_TRUNCATED);
		p->l4_truncated = true;
		return;
	}
	decode_set_payload(p, r, p->l4_wire >= 8 ? p->l4_wire - 8 : 0);
}

void decode_icmpv6(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint8_t type, code;
	if (!rd_u8(r, &type) || !rd_u8(r, &code)) {
		anomaly(d, ANOM_ICMPV6_TRUNCATED);
		p->l4_truncated = true;
		return;
	}
	icmp_ports(p, type, code, pairs6, sizeof pairs6 / sizeof *pairs6);
	if (!rd_skip(r, 2)) {
		anomaly(d, ANOM_ICMPV6_TRUNCATED);
		p->l4_truncated = true;
		return;
	}
	decode_set_payload(p, r, p->l4_wire >= 4 ? p->l4_wire - 4 : 0);
}
