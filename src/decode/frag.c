/*
 * frag.c - the fragment table: (src, dst, id, protocol) -> ports of the
 * first fragment, so later fragments join their datagram's flow.
 *
 * Invariants: a fixed direct-mapped table of FRAG_SLOTS entries (bounded
 * memory whatever the traffic); an entry older than FRAG_TTL is stale.  A
 * collision with a live entry replaces it and counts decode.frag.table_full.
 * No reassembly: botlens needs the ports, not the bytes.
 */
#include "decode/decode-int.h"

#include <stdlib.h>
#include <string.h>

#define FRAG_SLOTS 4096
#define FRAG_TTL 30000000000LL  /* 30 s, as Linux's ipfrag_time */

struct frag_entry {
	struct frag_key k;
	int64_t ts_ns;
	uint16_t sport, dport;
	bool used, has_ports, l4_truncated;
};

static uint32_t frag_hash(const struct decoder *d, const struct frag_key *k)
{
	uint64_t h = d->frag_seed ^ k->id ^ ((uint64_t)k->proto << 32) ^ ((uint64_t)k->family << 40);
	for (int i = 0; i < 16; i += 4) {
		uint32_t a, b;
		memcpy(&a, k->src + i, 4);
		memcpy(&b, k->dst + i, 4);
		h = (h ^ a) * 0x100000001b3ull;
		h = (h ^ b) * 0x100000001b3ull;
	}
	h ^= h >> 29;
	return (uint32_t)(h % FRAG_SLOTS);
}

static bool key_eq(const struct frag_key *a, const struct frag_key *b)
{
	return a->id == b->id && a->proto == b->proto && a->family == b->family &&
	       !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16);
}

void frag_remember(struct decoder *d, const struct frag_key *k, const struct pkt *p)
{
	if (!d->frags && !(d->frags = calloc(FRAG_SLOTS, sizeof *d->frags)))
		return;
	struct frag_entry *e = &d->frags[frag_hash(d, k)];
	if (e->used && p->ts_ns - e->ts_ns < FRAG_TTL && !key_eq(&e->k, k))
		anomaly(d, ANOM_FRAG_EVICTED);
	*e = (struct frag_entry){ .k = *k, .ts_ns = p->ts_ns, .sport = p->sport, .dport = p->dport,
				  .used = true, .has_ports = p->has_ports };
}

bool frag_lookup(struct decoder *d, const struct frag_key *k, struct pkt *p)
{
	if (!d->frags)
		return false;
	struct frag_entry *e = &d->frags[frag_hash(d, k)];
	if (!e->used || !key_eq(&e->k, k) || p->ts_ns - e->ts_ns > FRAG_TTL ||
	    e->ts_ns - p->ts_ns > FRAG_TTL)
		return false;
	p->sport = e->sport;
	p->dport = e->dport;
	p->has_ports = e->has_ports;
	return true;
}
