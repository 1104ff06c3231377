/*
 * flow.h - bidirectional connections and the host table.
 *
 * A flow is keyed canonically (the lesser (address, port) endpoint first,
 * family and protocol alongside) and hashed with a seed, so both
 * directions find the same entry.  The originator is the sender of the
 * first packet, except that a flow first seen as a TCP SYN-ACK is flipped
 * so that the SYN-ACK's receiver originates it (history starts with '^',
 * as in Zeek).  Per direction: packets, IP bytes, payload bytes.
 *
 * Flows end after inactivity (Zeek's defaults: TCP 300 s, UDP and ICMP
 * 60 s, other 60 s), 5 s after a TCP connection closes (both FINs or a
 * RST: Zeek's tcp_close_delay), when a closed TCP connection sees a new
 * SYN, or at the end of the capture; the table calls its end callback then, and the
 * flow's memory is reused.  Memory grows with concurrent flows, not
 * packets.
 */
#ifndef BOTLENS_FLOW_H
#define BOTLENS_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"

/* Per-direction TCP facts (flow.tcp[dir]). */
enum {
	TCPF_SYN = 1, TCPF_SYNACK = 2, TCPF_FIN = 4, TCPF_RST = 8, TCPF_DATA = 16, TCPF_ACK = 32,
};

/*
 * Laid out for the per-packet path: the first 64-byte line holds what a
 * lookup, most updates and the expiry check touch (chain, hash, ports,
 * times, packet counts, timer slot), the second the addresses and byte
 * counts, the third what is read at the end.  Flows are allocated 64-byte aligned (flowtab.c).
 */
struct flow {
	/* line 0 */
	struct flow *hnext;          /* hash chain */
	uint64_t hash;
	int64_t last_ns;
	uint16_t orig_p, resp_p;
	uint8_t family, proto, cls, hlen;
	uint8_t tcp[2];
	uint16_t spare;
	uint32_t hseen;              /* history letters already recorded */
	uint64_t pkts[2];            /* [0] from orig, [1] from resp */
	uint64_t tslot;              /* its entry in its timeout class's ring (flowtab.c) */
	/* line 1 */
	uint8_t orig[16], resp[16];
	uint64_t ip_bytes[2], payload[2];
	/* line 2 */
	uint64_t id;                 /* 1-based creation order within the capture */
	uint64_t spare2;
	int64_t first_ns;
	int64_t queued;              /* when last put at its timer ring's tail */
	char history[20];
	uint32_t host[2];            /* host-table index + 1 of orig and resp (0: not known) */
	uint32_t user;               /* free for subscribers (e.g. a behavior tag) */
};

struct flow_cfg {
	int64_t tcp_timeout_ns, udp_timeout_ns, icmp_timeout_ns, other_timeout_ns;
	int64_t close_delay_ns;      /* a closed TCP connection ends this long after closing */
	uint64_t seed;
};

typedef void (*flow_end_fn)(void *ctx, const struct flow *f);

struct flowtab;

void flow_cfg_default(struct flow_cfg *c);
struct flowtab *flowtab_new(const struct flow_cfg *cfg, flow_end_fn on_end, void *ctx);
/*
 * Optional: soon(ctx, f) is called for a flow the expiry walk will reach a
 * few entries later, when its lines have arrived: it may end then (or be
 * found active and stay).  A hint, for fetching what on_end will read
 * (a subscriber's record of the flow); it must change nothing.
 */
void flowtab_on_soon(struct flowtab *t, flow_end_fn soon);
void flowtab_free(struct flowtab *t);
/*
 * Accounts p (which must have an IP layer) to its flow, creating it if
 * needed; first ends the flows idle past their timeout as of p's time.
 * Returns the flow and sets *dir (0 = from the originator), or NULL when
 * out of memory.  Packets without ports use port 0.
 */
struct flow *flowtab_update(struct flowtab *t, const struct pkt *p, int *dir);
/*
 * The same in steps, so a caller can overlap the cache misses of several
 * packets: hash each, prefetch stage 0 (bucket) then 1 (first flow) for a
 * batch, then update each in order.  Prefetching is only a hint.
 */
uint64_t flowtab_hash(const struct flowtab *t, const struct pkt *p);
void flowtab_prefetch(const struct flowtab *t, uint64_t h, int stage);
struct flow *flowtab_update_hashed(struct flowtab *t, const struct pkt *p, uint64_t h, int *dir);
/* Ends every remaining flow, oldest activity first. */
void flowtab_flush(struct flowtab *t);
/*
 * For another thread than the one updating t (at most one): makes a block
 * of flows ready, its pages present, for when the table grows, so the
 * updating thread takes no page faults for it.  Cheap when one is ready or
 * the table is still small.  False when out of memory (harmless).
 */
bool flowtab_stock(struct flowtab *t);
uint64_t flowtab_active(const struct flowtab *t);
uint64_t flowtab_total(const struct flowtab *t);
uint64_t flowtab_peak(const struct flowtab *t);

/* Zeek conn_state of a flow ("S0", "SF", "REJ", ...). */
const char *flow_conn_state(const struct flow *f);
/* "tcp", "udp", "icmp" or the protocol number as text into buf. */
const char *flow_proto_str(const struct flow *f, char *buf, unsigned len);

/* ---- hosts ---- */

struct host {
	struct host *hnext;
	uint8_t addr[16];
	uint8_t family;
	bool internal;
	uint32_t index;            /* 1-based position in first-seen order (0: past 2^32) */
	uint64_t pkts_out, pkts_in, bytes_out, bytes_in;   /* wire bytes */
	uint64_t flows_orig, flows_resp;
	uint64_t peers;            /* distinct addresses exchanged packets with */
	uint64_t ports_contacted;  /* distinct (proto, port) it sent flows to */
	uint64_t ports_served;     /* distinct (proto, port) it was contacted on */
	int64_t first_ns, last_ns;
};

struct hosttab;
/* distinct = false skips the distinct peer/port counts (peers, ports_* stay 0),
 * whose pair set is most of the table's memory. */
struct hosttab *hosttab_new(uint64_t seed, bool distinct);
void hosttab_free(struct hosttab *t);
/* Counts a packet for both endpoints. False when out of memory. */
bool hosttab_packet(struct hosttab *t, const struct pkt *p);
/* Counts a new flow: originator/responder, distinct peers and ports; notes
 * the two hosts in f->host so the flow's packets skip the address lookups. */
bool hosttab_flow(struct hosttab *t, struct flow *f);
/* hosttab_packet() for a packet of flow f in direction dir (0: from orig). */
bool hosttab_packet_flow(struct hosttab *t, const struct flow *f, const struct pkt *p, int dir);
/* The originator's (which = 0) or responder's (1) host of f, or NULL. */
const struct host *hosttab_flow_host(const struct hosttab *t, const struct flow *f, int which);
/* The index (struct host.index) of that host, 0 when none; without reading the host when f->host has it. */
uint32_t hosttab_flow_index(const struct hosttab *t, const struct flow *f, int which);
uint64_t hosttab_count(const struct hosttab *t);
/* All hosts in a stable order (first seen); caller frees the array. */
struct host **hosttab_list(const struct hosttab *t, uint64_t *n);
const struct host *hosttab_find(const struct hosttab *t, uint8_t family, const uint8_t *addr);
/* The host whose index (struct host) is index, or NULL (0, past the table, or no table). */
const struct host *hosttab_at(const struct hosttab *t, uint32_t index);

/*
 * The sandbox host(s): the internal addresses originating most flows
 * (every internal address with at least a quarter of the top count and
 * at least 3 flows); with no internal originator, the address in most
 * flows (a victim-side capture, or a public sandbox).  Multicast,
 * broadcast, unspecified and link-local addresses are never chosen
 * (decode_addr_host).  Ties go to the host that sent more packets.
 * Fills out[] (up to max), returns the count.
 */
unsigned hosttab_sandbox(const struct hosttab *t, const struct host **out, unsigned max);
/*
 * The hosts a command is about: with family non-zero (`--host`), the host
 * at addr, or none when the capture does not hold it; else
 * hosttab_sandbox's choice.  No table (t NULL): none.  Returns the count.
 */
unsigned hosttab_select(const struct hosttab *t, uint8_t family, const uint8_t *addr, const struct host **out,
			unsigned max);

#endif
