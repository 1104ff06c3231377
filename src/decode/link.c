/*
 * link.c - link-type dispatch and the trivial link layers.
 *
 * Link types per tcpdump.org/linktypes.html.  BSD NULL/LOOP carry a
 * 4-byte address family (host order for NULL, network order for LOOP;
 * both orders are accepted for NULL as libpcap does), where AF_INET is 2
 * everywhere and AF_INET6 is 10, 24, 28 or 30 depending on the OS.  Raw
 * IP link types (12, 14, 101, 228, 229) start at the IP header.
 */
#include "decode/decode-int.h"

static void decode_null(struct decoder *d, struct pkt *p, struct rd *r, bool net_order)
{
	uint32_t fam;
	if (!(net_order ? rd_be32(r, &fam) : rd_le32(r, &fam))) {
		anomaly(d, ANOM_NULL_TRUNCATED);
		return;
	}
	if (!net_order && (fam & 0xffff0000u))  /* written big-endian */
		fam = (fam >> 24) | ((fam >> 8) & 0xff00u);
	switch (fam) {
	case 2: decode_ipv4(d, p, r); return;
	case 10: case 24: case 28: case 30: decode_ipv6(d, p, r); return;
	}
	anomaly(d, ANOM_NULL_UNKNOWN_FAMILY);
}

/* Cisco HDLC: address(1) control(1) ethertype(2). */
static void decode_chdlc(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint16_t type;
	if (!rd_skip(r, 2) || !rd_be16(r, &type)) {
		anomaly(d, ANOM_PPP_TRUNCATED);
		return;
	}
	decode_ethertype(d, p, type, r);
}

void decode_link(struct decoder *d, struct pkt *p, int linktype, struct rd *r)
{
	if (!decode_enter(d, p))
		return;
	switch (linktype) {
	case 1: decode_ethernet(d, p, r); return;
	case 0: decode_null(d, p, r, false); return;
	case 108: decode_null(d, p, r, true); return;
	case 12: case 14: case 101: decode_ip(d, p, r); return;
	case 228: decode_ipv4(d, p, r); return;
	case 229: decode_ipv6(d, p, r); return;
	case 113: decode_sll(d, p, r); return;
	case 276: decode_sll2(d, p, r); return;
	case 239: decode_nflog(d, p, r); return;
	case 9: case 50: decode_ppp(d, p, r); return;
	case 104: decode_chdlc(d, p, r); return;
	}
	anomaly(d, ANOM_LINK_UNSUPPORTED);
}
