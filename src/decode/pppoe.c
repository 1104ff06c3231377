/*
 * pppoe.c - PPPoE session stage (RFC 2516) and PPP (RFC 1661).
 *
 *   PPPoE: ver/type(1) code(1) session(2) length(2) | PPP protocol(2)
 *   PPP in HDLC framing: [0xff 0x03] protocol(1 or 2) | payload
 * PPP protocols: 0x0021 IPv4, 0x0057 IPv6.
 */
#include "decode/decode-int.h"

void decode_ppp_proto(struct decoder *d, struct pkt *p, uint16_t proto, struct rd *r)
{
	if (proto == 0x0021)
		decode_ipv4(d, p, r);
	else if (proto == 0x0057)
		decode_ipv6(d, p, r);
}

void decode_pppoe(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint16_t len, proto;
	if (!rd_skip(r, 4) || !rd_be16(r, &len) || !rd_be16(r, &proto)) {
		anomaly(d, ANOM_PPPOE_TRUNCATED);
		return;
	}
	decode_ppp_proto(d, p, proto, r);
}

void decode_ppp(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint8_t a, b;
	if (!rd_peek_u8(r, 0, &a) || !rd_peek_u8(r, 1, &b)) {
		anomaly(d, ANOM_PPP_TRUNCATED);
		return;
	}
	if (a == 0xff && b == 0x03)
		rd_skip(r, 2);
	uint8_t hi;
	if (!rd_u8(r, &hi)) {
		anomaly(d, ANOM_PPP_TRUNCATED);
		return;
	}
	uint16_t proto = hi;
	if (!(hi & 1)) {  /* two-byte protocol field */
		uint8_t lo;
		if (!rd_u8(r, &lo)) {
			anomaly(d, ANOM_PPP_TRUNCATED);
			return;
		}
		proto = (uint16_t)(hi << 8 | lo);
	}
	decode_ppp_proto(d, p, proto, r);
}
