/*
 * decode-int.h - the layer functions of decode/ (internal).
 * Each takes the reader positioned at its header and stops at the last
 * good layer, counting anomalies in d.
 */
#ifndef BOTLENS_DECODE_INT_H
#define BOTLENS_DECODE_INT_H

#include "decode/decode.h"
#include "util/rd.h"

static inline void anomaly(struct decoder *d, enum decode_anomaly a) { d->anomalies[a]++; }

/* Enters one more layer; false (and an anomaly) past the depth cap. */
static inline bool decode_enter(struct decoder *d, struct pkt *p)
{
	if (p->depth >= DECODE_MAX_DEPTH) {
		anomaly(d, ANOM_TUNNEL_TOO_DEEP);
		return false;
	}
	p->depth++;
	return true;
}

/*
 * Forgets the transport facts of an outer layer when an IP header (inner
 * or outer) is entered: the innermost packet is the one reported, and a
 * tunnel over UDP (Teredo) must not leave the outer ports in the key of a
 * flow whose inner packet has none.
 */
static inline void decode_reset_l4(struct pkt *p)
{
	p->has_ports = false;
	p->l4_truncated = false;
	p->sport = p->dport = 0;
	p->tcp_flags = 0;
	p->seq = p->ack = 0;
	p->payload = NULL;
	p->payload_len = p->payload_caplen = 0;
}

void decode_link(struct decoder *d, struct pkt *p, int linktype, struct rd *r);
void decode_ethernet(struct decoder *d, struct pkt *p, struct rd *r);
void decode_ethertype(struct decoder *d, struct pkt *p, uint16_t type, struct rd *r);
void decode_mpls(struct decoder *d, struct pkt *p, struct rd *r);
void decode_pppoe(struct decoder *d, struct pkt *p, struct rd *r);
void decode_ppp_proto(struct decoder *d, struct pkt *p, uint16_t proto, struct rd *r);
void decode_ppp(struct decoder *d, struct pkt *p, struct rd *r);
void decode_sll(struct decoder *d, struct pkt *p, struct rd *r);
void decode_sll2(struct decoder *d, struct pkt *p, struct rd *r);
void decode_nflog(struct decoder *d, struct pkt *p, struct rd *r);
void decode_ip(struct decoder *d, struct pkt *p, struct rd *r);  /* by version nibble */
void decode_ipv4(struct decoder *d, struct pkt *p, struct rd *r);
void decode_ipv6(struct decoder *d, struct pkt *p, struct rd *r);
/* Dispatches on an IP protocol number; r holds the transport bytes. */
void decode_ipproto(struct decoder *d, struct pkt *p, uint8_t proto, struct rd *r);
void decode_tcp(struct decoder *d, struct pkt *p, struct rd *r);
void decode_udp(struct decoder *d, struct pkt *p, struct rd *r);
void decode_icmp(struct decoder *d, struct pkt *p, struct rd *r);
void decode_icmpv6(struct decoder *d, struct pkt *p, struct rd *r);
void decode_arp(struct decoder *d, struct pkt *p, struct rd *r);
void decode_gre(struct decoder *d, struct pkt *p, struct rd *r);
bool decode_teredo(struct decoder *d, struct pkt *p, struct rd *r);

/* Fragment table (frag.c). */
struct frag_key {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t family, proto;
};
void frag_remember(struct decoder *d, const struct frag_key *k, const struct pkt *p);
bool frag_lookup(struct decoder *d, const struct frag_key *k, struct pkt *p);

/* Sets the transport payload view after a header of hlen bytes. */
void decode_set_payload(struct pkt *p, struct rd *r, uint32_t wire_left);

#endif
