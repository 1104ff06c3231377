/*
 * mpls.c - MPLS label stack (RFC 3032).
 *
 *   label entry (4 bytes): label(20) TC(3) S(1) TTL(8)
 * After the bottom-of-stack entry (S = 1) comes the payload, which MPLS
 * does not name: IPv4 or IPv6 by the version nibble, else (pseudowire
 * control word 0x0000 + Ethernet) skipped and counted.
 */
#include "decode/decode-int.h"

#define MAX_LABELS 8

void decode_mpls(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint32_t e;
	unsigned n = 0;
	do {
		if (++n > MAX_LABELS) {
			anomaly(d, ANOM_MPLS_TOO_MANY);
			return;
		}
		if (!rd_be32(r, &e)) {
			anomaly(d, ANOM_MPLS_TRUNCATED);
			return;
		}
	} while (!(e & 0x100));
	uint8_t b;
	if (!rd_peek_u8(r, 0, &b)) {
		anomaly(d, ANOM_MPLS_TRUNCATED);
		return;
	}
	if (b >> 4 == 4)
		decode_ipv4(d, p, r);
	else if (b >> 4 == 6)
		decode_ipv6(d, p, r);
	else if (b == 0 && rd_skip(r, 4))  /* control word, then Ethernet */
		decode_ethernet(d, p, r);
	else
		anomaly(d, ANOM_MPLS_UNKNOWN);
}
