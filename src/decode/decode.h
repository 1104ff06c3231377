/*
 * decode.h - link, network and transport decoding of one record.
 *
 * decode_packet() reads a capture record through the checked reader and
 * fills a struct pkt with the innermost IP layer's addresses, the
 * transport ports and flags, and lengths.  Tunnels (4in4, 6in4, 4in6,
 * GRE, Teredo) are followed to the inner packet up to DECODE_MAX_DEPTH
 * layers.  Anything malformed or truncated is counted under a named
 * anomaly in the decoder and decoding stops at the last good layer; a
 * decoder never prints and never fails.
 *
 * Fragments: the first fragment of a datagram gives the ports; later
 * fragments find them in a small fragment table (bounded, entries age
 * out after 30 s) and belong to the same flow.
 */
#ifndef BOTLENS_DECODE_H
#define BOTLENS_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"

#define DECODE_MAX_DEPTH 8  /* link + IP layers, tunnels included */

/* Anomalies: X(enum, "dotted.name"). Order is the output order. */
#define DECODE_ANOMALIES(X)                                              \
	X(LINK_UNSUPPORTED, "decode.link.unsupported")                   \
	X(ETH_TRUNCATED, "decode.ethernet.truncated")                    \
	X(VLAN_TRUNCATED, "decode.vlan.truncated")                       \
	X(VLAN_TOO_MANY, "decode.vlan.too_many_layers")                  \
	X(MPLS_TRUNCATED, "decode.mpls.truncated")                       \
	X(MPLS_TOO_MANY, "decode.mpls.too_many_labels")                  \
	X(MPLS_UNKNOWN, "decode.mpls.unknown_payload")                   \
	X(PPPOE_TRUNCATED, "decode.pppoe.truncated")                     \
	X(PPP_TRUNCATED, "decode.ppp.truncated")                         \
	X(SLL_TRUNCATED, "decode.sll.truncated")                         \
	X(SLL2_TRUNCATED, "decode.sll2.truncated")                       \
	X(NULL_TRUNCATED, "decode.null.truncated")                       \
	X(NULL_UNKNOWN_FAMILY, "decode.null.unknown_family")             \
	X(NFLOG_TRUNCATED, "decode.nflog.truncated")                     \
	X(RAW_BAD_VERSION, "decode.raw.bad_version")                     \
	X(IPV4_TRUNCATED, "decode.ipv4.truncated")                       \
	X(IPV4_BAD_VERSION, "decode.ipv4.bad_version")                   \
	X(IPV4_BAD_HLEN, "decode.ipv4.bad_header_length")                \
	X(IPV4_BAD_LEN, "decode.ipv4.bad_total_length")                  \
	X(IPV4_LEN_PAST_WIRE, "decode.ipv4.length_past_packet")          \
	X(IPV6_TRUNCATED, "decode.ipv6.truncated")                       \
	X(IPV6_BAD_VERSION, "decode.ipv6.bad_version")                   \
	X(IPV6_LEN_PAST_WIRE, "decode.ipv6.length_past_packet")          \
	X(IPV6_EXT_TRUNCATED, "decode.ipv6.exthdr_truncated")            \
	X(IPV6_EXT_TOO_MANY, "decode.ipv6.too_many_exthdrs")             \
	X(TCP_TRUNCATED, "decode.tcp.truncated")                         \
	X(TCP_BAD_HLEN, "decode.tcp.bad_header_length")                  \
	X(UDP_TRUNCATED, "decode.udp.truncated")                         \
	X(UDP_BAD_LEN, "decode.udp.bad_length")                          \
	X(ICMP_TRUNCATED, "decode.icmp.truncated")                       \
	X(ICMPV6_TRUNCATED, "decode.icmpv6.truncated")                   \
	X(GRE_TRUNCATED, "decode.gre.truncated")                         \
	X(GRE_UNSUPPORTED, "decode.gre.unsupported")                     \
	X(TEREDO_TRUNCATED, "decode.teredo.truncated")                   \
	X(TUNNEL_TOO_DEEP, "decode.tunnel.too_many_layers")              \
	X(FRAG_ORPHAN, "decode.frag.no_first_fragment")                  \
	X(FRAG_EVICTED, "decode.frag.table_full")                        \
	X(ARP_TRUNCATED, "decode.arp.truncated")                         \
	X(ARP_UNSUPPORTED, "decode.arp.unsupported")

enum decode_anomaly {
#define X(e, s) ANOM_##e,
	DECODE_ANOMALIES(X)
#undef X
	ANOM_COUNT
};

/* Per-capture counters beside anomalies (not errors). */
struct decode_stats {
	uint64_t packets, ipv4, ipv6, tcp, udp, icmp, icmpv6, other_l4, non_ip;
	uint64_t fragments, tunneled, snap_truncated;
};

enum pkt_frag { FRAG_NONE, FRAG_FIRST, FRAG_LATER };

/* An ARP packet's fields (decode/arp.c): Ethernet hardware, IPv4 addresses. */
enum { ARP_REQUEST = 1, ARP_REPLY = 2 };
struct pkt_arp {
	uint16_t op;           /* 1 request (who-has), 2 reply; 0 = no ARP read (0xffff: opcode 0) */
	uint8_t sha[6], spa[4];  /* sender MAC and IPv4 address */
	uint8_t tha[6], tpa[4];  /* target MAC and IPv4 address */
};

/*
 * Line 0 holds what flow and host accounting read; the rest (line 1) is
 * for subscribers.  A packet handed between threads (engine/run.c) then
 * moves one cache line to the flow stage, not two.
 */
struct pkt {
	/* line 0 */
	_Alignas(64) int64_t ts_ns;
	uint32_t wirelen;
	uint32_t payload_len;  /* transport payload length per the headers */
	uint8_t src[16], dst[16];  /* IPv4 in the first 4 bytes, rest zero */
	uint16_t sport, dport; /* for ICMP: sport = type, dport = code (as Zeek) */
	uint16_t ip_len;       /* innermost IP total length (header + payload) */
	uint8_t family;        /* 4 or 6 for IP, 0 if no IP layer */
	uint8_t proto;         /* innermost IP protocol (6 tcp, 17 udp, 1 icmp, 58 icmpv6) */
	uint8_t frag;          /* enum pkt_frag */
	bool has_ports;        /* sport/dport (or ICMP type/code) are valid */
	bool l4_truncated;     /* transport header not (fully) captured */
	uint8_t tcp_flags;     /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE CWR */
	uint8_t depth;         /* layers decoded */
	uint8_t tunnels;       /* encapsulations followed */
	uint16_t ethertype;    /* non-IP: the ethertype seen (ARP = 0x0806) */
	/* line 1 */
	uint32_t caplen;
	uint32_t seq, ack;
	uint32_t payload_caplen;  /* of the payload, captured */
	const uint8_t *payload;
	uint32_t l4_wire;      /* IP payload length per the IP header (internal) */
	uint32_t ip_caplen;    /* captured bytes from ip, cut to the IP total length */
	const uint8_t *ip;     /* the innermost IP header in the record (NULL: no IP layer) */
	union {
		struct pkt_arp arp;    /* ethertype 0x0806 only (arp.op != 0 once read) */
		struct {
			uint16_t op;           /* 0: no ARP read, as arp.op */
			uint8_t src_mac[6];    /* the innermost Ethernet frame's source MAC (ARP: the sender's) */
		} eth;
	};
	uint8_t ttl;           /* the innermost IP header's TTL (IPv6: hop limit), set with ip: a
				  subscriber on another core reads it here, not in the record's bytes */
};
_Static_assert(__builtin_offsetof(struct pkt, caplen) == 64, "struct pkt: line 0 is full");
_Static_assert(sizeof(struct pkt) == 128, "struct pkt: two lines");

struct frag_entry;

struct decoder {
	uint64_t anomalies[ANOM_COUNT];
	struct decode_stats stats;
	struct frag_entry *frags;   /* fragment table, allocated on first use */
	uint64_t frag_seed;
};

void decoder_init(struct decoder *d);
void decoder_free(struct decoder *d);
/* The source MAC of p's (innermost) Ethernet frame, or NULL when it had none. */
static inline const uint8_t *pkt_src_mac(const struct pkt *p)
{
	const uint8_t *m = p->eth.src_mac;
	return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) ? m : NULL;
}
/* Decodes rec into p. Returns true when an IP layer was found. */
bool decode_packet(struct decoder *d, const struct cap_rec *rec, struct pkt *p);
const char *decode_anomaly_name(enum decode_anomaly a);
const char *decode_proto_name(uint8_t proto);  /* "tcp", "udp", "icmp", ... or NULL */
/* Formats an address of p (family 4/6) into buf (>= 46 bytes). */
void decode_addr_str(uint8_t family, const uint8_t *a, char *buf, size_t len);
/* Parses text into a family and 16-byte address; false if not an address. */
bool decode_addr_parse(const char *s, uint8_t *family, uint8_t *a);
/* RFC 1918/6598/4193/3927 and loopback: addresses internal to a network. */
bool decode_addr_internal(uint8_t family, const uint8_t *a);
/* A unicast address of one machine: not multicast, broadcast, unspecified
 * or link-local (those speak for a segment, never for a sandbox host). */
bool decode_addr_host(uint8_t family, const uint8_t *a);
/* TCP flags as tcpdump prints them: "S", "S.", "F.", "R", "P." ... */
void decode_tcp_flags_str(uint8_t flags, char *buf, size_t len);

#endif
