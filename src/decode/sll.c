/*
 * sll.c - Linux "cooked" captures, LINKTYPE_LINUX_SLL (113) and SLL2 (276).
 *
 *   SLL  (16 bytes): pkttype(2) hatype(2) halen(2) addr(8) protocol(2)
 *   SLL2 (20 bytes): protocol(2) reserved(2) ifindex(4) hatype(2)
 *                    pkttype(1) halen(1) addr(8)
 * protocol is an ethertype; 0x0004 is 802.2 LLC (not IP).
 */
#include "decode/decode-int.h"

void decode_sll(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint16_t proto;
	if (!rd_skip(r, 14) || !rd_be16(r, &proto)) {
		anomaly(d, ANOM_SLL_TRUNCATED);
		return;
	}
	decode_ethertype(d, p, proto, r);
}

void decode_sll2(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint16_t proto;
	if (!rd_be16(r, &proto) || !rd_skip(r, 18)) {
		anomaly(d, ANOM_SLL2_TRUNCATED);
		return;
	}
	decode_ethertype(d, p, proto, r);
}
