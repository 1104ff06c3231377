/*
 * arp.c - ARP (RFC 826) for Ethernet hardware and IPv4 protocol addresses.
 *
 *    0 hardware type(2) | 2 protocol type(2) | 4 hlen(1) | 5 plen(1)
 *    6 opcode(2) | 8 sender MAC(hlen) | sender IP(plen)
 *      | target MAC(hlen) | target IP(plen)
 * Only hardware type 1 (Ethernet) or 6 (IEEE 802) with hlen 6, and
 * protocol type 0x0800 with plen 4 are read; other combinations (ATM,
 * InfiniBand, ...) are counted as decode.arp.unsupported.  The fields go
 * to p->arp (p->arp.op != 0 once read); ARP has no IP layer, so the packet
 * stays non-IP (family 0) with p->ethertype 0x0806.  Reached only for the
 * ARP ethertype: other packets pay nothing.
 */
#include "decode/decode-int.h"

#include <string.h>

void decode_arp(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint16_t htype, ptype, op;
	uint8_t hlen, plen;
	if (!rd_be16(r, &htype) || !rd_be16(r, &ptype) || !rd_u8(r, &hlen) || !rd_u8(r, &plen) ||
	    !rd_be16(r, &op)) {
		anomaly(d, ANOM_ARP_TRUNCATED);
		return;
	}
	if ((htype != 1 && htype != 6) || ptype != 0x0800 || hlen != 6 || plen != 4) {
		anomaly(d, ANOM_ARP_UNSUPPORTED);
		return;
	}
	if (!rd_has(r, 20)) {
		anomaly(d, ANOM_ARP_TRUNCATED);
		return;
	}
	rd_copy(r, p->arp.sha, 6);
	rd_copy(r, p->arp.spa, 4);
	rd_copy(r, p->arp.tha, 6);
	rd_copy(r, p->arp.tpa, 4);
	p->arp.op = op ? op : 0xffff;  /* 0 means "not read" */
}
