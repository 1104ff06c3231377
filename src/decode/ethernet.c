/*
 * ethernet.c - Ethernet II, IEEE 802.1Q/802.1ad VLAN tags (QinQ), and the
 * ethertype dispatch shared by every link layer.
 *
 *   0 dst MAC(6) | 6 src MAC(6) | 12 ethertype(2) | payload
 * The source MAC goes to p->eth.src_mac (pkt_src_mac): a host's identity
 * on its segment.
 *   802.1Q tag: TCI(2) ethertype(2), after TPID 0x8100, 0x88a8 or 0x9100
 * An ethertype field below 0x0600 is an 802.3 length (LLC follows):
 * not IP, counted as non-IP.
 */
#include <string.h>

#include "decode/decode-int.h"

#define MAX_VLAN 4

void decode_ethertype(struct decoder *d, struct pkt *p, uint16_t type, struct rd *r)
{
	switch (type) {
	case 0x0800: decode_ipv4(d, p, r); return;
	case 0x86dd: decode_ipv6(d, p, r); return;
	case 0x8100:
	case 0x88a8:
	case 0x9100: {
		unsigned tags = 0;
		while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
			if (++tags > MAX_VLAN) {
				anomaly(d, ANOM_VLAN_TOO_MANY);
				return;
			}
			if (!rd_skip(r, 2) || !rd_be16(r, &type)) {
				anomaly(d, ANOM_VLAN_TRUNCATED);
				return;
			}
		}
		decode_ethertype(d, p, type, r);
		return;
	}
	case 0x8847:
	case 0x8848: decode_mpls(d, p, r); return;
	case 0x8864: decode_pppoe(d, p, r); return;
	case 0x0806:
		p->ethertype = type;
		decode_arp(d, p, r);
		return;
	case 0x6558:  /* transparent Ethernet bridging (GRE, VXLAN-like) */
		if (decode_enter(d, p))
			decode_ethernet(d, p, r);
		return;
	}
	p->ethertype = type;
}

void decode_ethernet(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint16_t type;
	if (r->left >= 12)
		memcpy(p->eth.src_mac, r->p + 6, 6);   /* ARP's sender field overwrites it with the same machine's */
	if (!rd_skip(r, 12) || !rd_be16(r, &type)) {
		anomaly(d, ANOM_ETH_TRUNCATED);
		return;
	}
	if (type < 0x0600) {
		p->ethertype = 0;  /* 802.3 + LLC: not IP */
		return;
	}
	decode_ethertype(d, p, type, r);
}
