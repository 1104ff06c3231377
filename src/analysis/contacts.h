/*
 * contacts.h - who contacted which destination port, when: the data
 * behind botlens' time x port plots and port histograms.
 *
 * A contact is a flow (per flow: one per connection attempt, the time of
 * its first packet, the responder's port) or a run of packets of one
 * flow direction (per packet: packets of the same flow direction within
 * one second are merged into one contact whose weight is their count).
 * Contacts keep the two endpoints' host-table entries, so the sandbox
 * host can be chosen after the pass and contacts filtered by direction.
 *
 * Memory: per flow, contacts are packed during the pass (contacts.c):
 * the time, the port, a 2-bit protocol code and the two hosts' table
 * indices, 16 bits each while they fit (32 in a chunk where one does
 * not), 10.25 bytes a flow; contacts_select unpacks the chosen host's.
 * Per packet, a struct contact (32 bytes) per merged packet run, never
 * more than CONTACTS_MAX: when full, runs are merged over a doubled time
 * window (contacts.c).
 */
#ifndef BOTLENS_CONTACTS_H
#define BOTLENS_CONTACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/run.h"

struct contact {
	float t;                 /* seconds since the capture's first record */
	uint16_t port;           /* destination port (ICMP: the code) */
	uint8_t proto;           /* IP protocol: 6, 17, 1, 58 */
	uint8_t spare;
	uint32_t weight;         /* packets (per packet) or 1 (per flow) */
	uint32_t key;            /* contacts.c's own, per packet: the key's number while merging */
	const struct host *src;  /* the sender (per flow: the originator) */
	const struct host *dst;  /* the receiver (per flow: the responder) */
};

enum contacts_dir { CONTACTS_OUT, CONTACTS_IN, CONTACTS_ALL };

#define CONTACTS_CACHE 4096
#define CONTACTS_MAX ((size_t)1 << 21)  /* 64 MiB of contacts, per packet */
#define CONTACTS_CHUNK 16384            /* packed contacts per chunk, per flow */

struct contacts_chunk;  /* CONTACTS_CHUNK packed contacts (contacts.c) */

struct contacts {
	struct contact *v;       /* per packet: the contacts; per flow: NULL */
	size_t n, cap;           /* contacts held (either form); per packet: v's room */
	struct contacts_chunk **chunks;  /* per flow: contact i is chunks[i / CHUNK] at i % CHUNK */
	size_t nchunks, chunks_cap;
	const struct hosttab *hosts;     /* per flow: the table the packed indices refer to */
	bool per_packet;
	bool oom;                /* a contact was lost for want of memory */
	uint8_t only_family;     /* non-zero: keep only contacts of this address */
	uint8_t only_addr[16];
	double span;             /* seconds from the first to the last record */
	float window;            /* per packet: packets of a flow direction this close merge */
	size_t max;              /* per packet: contacts kept before merging coarser */
	int64_t start_ns;        /* the capture's first record */
	/* per packet: a flow direction's latest contact, its time and weight (the contact is not read) */
	struct { uint64_t key; size_t idx; float t; uint32_t weight; } cache[CONTACTS_CACHE];
};

void contacts_init(struct contacts *c, bool per_packet);
/* Keeps only the contacts of one address (saves memory when the host is known). */
void contacts_only(struct contacts *c, uint8_t family, const uint8_t *addr);
void contacts_free(struct contacts *c);
/* The subscription that fills c during run_loop (needs track_hosts). */
struct run_sub contacts_sub(struct contacts *c);
/* After run_loop: records the capture's time span. */
void contacts_finish(struct contacts *c, const struct run *r);
/*
 * The contacts of host h in direction d (outbound: h sends; inbound: h
 * receives; all: either), in capture order, as struct contact whatever
 * the form held.  *out is malloc'd (NULL when none); returns the count,
 * or (size_t)-1 when out of memory.  Call before the run closes (the
 * contacts point into its host table).
 */
size_t contacts_select(const struct contacts *c, const struct host *h, enum contacts_dir d,
		       struct contact **out);
/*
 * contacts_select of several hosts at once: outs[i] and counts[i] are
 * what contacts_select(c, hs[i], d, ...) gives, from one scan of the
 * contacts (per packet: millions of them, and up to 16 hosts).  Returns
 * 0, or -1 out of memory (every outs[i] NULL).
 */
int contacts_select_hosts(const struct contacts *c, const struct host *const *hs, size_t nh,
			  enum contacts_dir d, struct contact **outs, size_t *counts);

#endif
