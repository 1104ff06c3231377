/*
 * teredo.c - Teredo, IPv6 over UDP (RFC 4380).
 *
 *   [authentication: 0x0001 id-len(1) au-len(1) id au nonce(8) conf(1)]
 *   [origin indication: 0x0000 port(2) addr(4)]
 *   IPv6 packet
 * Only a payload that parses as a complete IPv6 header whose length fits
 * is taken as Teredo; anything else stays plain UDP on port 3544.
 */
#include "decode/decode-int.h"

bool decode_teredo(struct decoder *d, struct pkt *p, struct rd *r)
{
	struct rd t = *r;
	uint16_t ind;
	if (rd_peek_be16(&t, 0, &ind) && ind == 0x0001) {
		uint8_t idl, aul;
		if (!rd_skip(&t, 2) || !rd_u8(&t, &idl) || !rd_u8(&t, &aul) ||
		    !rd_skip(&t, (size_t)idl + aul + 9))
			return false;
	}
	if (rd_peek_be16(&t, 0, &ind) && ind == 0x0000 && !rd_skip(&t, 8))
		return false;
	uint8_t v;
	uint16_t plen;
	if (!rd_peek_u8(&t, 0, &v) || v >> 4 != 6 || !rd_peek_be16(&t, 4, &plen))
		return false;
	if (t.left < 40 || (size_t)plen + 40 != t.left)
		return false;
	p->tunnels++;
	d->stats.tunneled++;
	decode_ipv6(d, p, &t);  /* resets the outer UDP ports */
	return true;
}
