/*
 * gre.c - GRE (RFC 2784, key and sequence per RFC 2890) and enhanced GRE
 * of PPTP (RFC 2637, version 1).
 *
 *    0 C|R|K|S|s|recur(3)|A|flags(4)|version(3) | 2 protocol (ethertype)
 *    then checksum+offset (C or R), key (K), sequence (S), ack (v1, A)
 * Version 0 hands the payload to the ethertype dispatch; version 1
 * carries PPP.
 */
#include "decode/decode-int.h"

void decode_gre(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint16_t fl, proto;
	if (!rd_be16(r, &fl) || !rd_be16(r, &proto)) {
		anomaly(d, ANOM_GRE_TRUNCATED);
		return;
	}
	unsigned ver = fl & 7;
	size_t skip = 0;
	if (ver == 0) {
		if (fl & 0x4000) {  /* source routing (RFC 1701): not supported */
			anomaly(d, ANOM_GRE_UNSUPPORTED);
			return;
		}
		skip = (fl & 0x8000 ? 4 : 0) + (fl & 0x2000 ? 4 : 0) + (fl & 0x1000 ? 4 : 0);
	} else if (ver == 1 && proto == 0x880b) {
		skip = 4 + (fl & 0x1000 ? 4 : 0) + (fl & 0x0080 ? 4 : 0);
	} else {
		anomaly(d, ANOM_GRE_UNSUPPORTED);
		return;
	}
	if (!rd_skip(r, skip)) {
		anomaly(d, ANOM_GRE_TRUNCATED);
		return;
	}
	p->tunnels++;
	d->stats.tunneled++;
	if (ver == 1) {
		if (r->left)  /* an ack-only packet carries no payload */
			decode_ppp(d, p, r);
		return;
	}
	decode_ethertype(d, p, proto, r);
}
