/*
 * contacts.c - collect contacts (see contacts.h) from the one-pass run.
 *
 * Invariant: v[0..n) are in the order the run delivered them (flow end
 * order per flow, packet order per packet); cache[] maps a flow
 * direction (flow id * 2 + dir) to the index, time and weight of its
 * latest contact so that packets within `window` seconds of it add to its
 * weight (the entry's weight is the contact's: a join stores it without
 * reading the contact, often an old line).
 *
 * Memory (per packet): at most CONTACTS_MAX contacts.  When the array is
 * full, the merge window doubles (quadruples when a merge gained less
 * than an eighth) and contacts of one flow direction, port and protocol
 * that fall in the same window are merged (compact()): a
 * long capture keeps its shape at a coarser time resolution instead of
 * growing with packets.  Once the window spans the capture, a flow
 * direction is one contact, so memory is bounded by flows.
 *
 * Memory (per flow): one contact per flow, kept to the end (the sandbox
 * host is chosen after the pass), so each is packed in columns of fixed
 * chunks (no copy as they grow): time (float, as struct contact has it),
 * port, protocol as a 2-bit code (the four wanted() protocols) and the
 * two hosts' 1-based table indices (0: no host).  The indices' low 16
 * bits are always there; a chunk gets the high 16 bits (zeroed) only
 * when an index past 65,535 lands in it.  A host past the 2^32nd has
 * index 0 and is packed as no host (the per-packet form keeps it; out of
 * reach: 2^32 hosts do not fit in memory).  Unpacking gives back the
 * same struct contact the pass saw: weight 1, hosts from their indices.
 */
#include "analysis/contacts.h"

#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

void contacts_init(struct contacts *c, bool per_packet)
{
	memset(c, 0, sizeof *c);
	c->per_packet = per_packet;
	c->window = 1.0f;
	c->max = CONTACTS_MAX;
	for (size_t i = 0; i < CONTACTS_CACHE; i++)
		c->cache[i].key = UINT64_MAX;
}

void contacts_only(struct contacts *c, uint8_t family, const uint8_t *addr)
{
	c->only_family = family;
	memcpy(c->only_addr, addr, 16);
}

static bool involves(const struct contacts *c, uint8_t family, const uint8_t *a, const uint8_t *b)
{
	return !c->only_family || (family == c->only_family &&
				   (!memcmp(a, c->only_addr, 16) || !memcmp(b, c->only_addr, 16)));
}

struct contacts_chunk {
	float t[CONTACTS_CHUNK];
	uint16_t port[CONTACTS_CHUNK];
	uint16_t lo[2][CONTACTS_CHUNK];      /* host indices' low bits: [0] sender, [1] receiver */
	uint16_t (*hi)[CONTACTS_CHUNK];      /* their high bits, hi[0] and hi[1]; NULL: all zero */
	uint8_t proto[CONTACTS_CHUNK / 4];   /* 2-bit codes into proto_of_code, 4 to a byte */
};

static const uint8_t proto_of_code[4] = { 6, 17, 1, 58 };

static unsigned code_of_proto(uint8_t proto)
{
	return proto == 6 ? 0 : proto == 17 ? 1 : proto == 1 ? 2 : 3;
}

void contacts_free(struct contacts *c)
{
	free(c->v);
	c->v = NULL;
	for (size_t i = 0; i < c->nchunks; i++) {
		free(c->chunks[i]->hi);
		free(c->chunks[i]);
	}
	free(c->chunks);
	c->chunks = NULL;
	c->nchunks = c->chunks_cap = 0;
	c->n = c->cap = 0;
}

/* The chunk for contact c->n, added when c->n starts one; NULL out of memory. */
static struct contacts_chunk *chunk_for_next(struct contacts *c)
{
	size_t ci = c->n / CONTACTS_CHUNK;
	if (ci < c->nchunks)
		return c->chunks[ci];
	if (!grow_to((void **)&c->chunks, &c->chunks_cap, c->nchunks + 1, sizeof *c->chunks, 16))
		return NULL;
	struct contacts_chunk *k = malloc(sizeof *k);  /* every column is written before it is read */
	if (!k)
		return NULL;
	k->hi = NULL;
	return c->chunks[c->nchunks++] = k;
}

/* Appends a per-flow contact in packed form (see top); false out of memory. */
static bool pack(struct contacts *c, float t, uint16_t port, uint8_t proto, const uint32_t host[2])
{
	struct contacts_chunk *k = chunk_for_next(c);
	if (!k)
		return false;
	if ((host[0] | host[1]) > UINT16_MAX && !k->hi && !(k->hi = calloc(2, sizeof *k->hi)))
		return false;
	size_t i = c->n % CONTACTS_CHUNK;
	unsigned shift = (unsigned)(i % 4) * 2;
	k->t[i] = t;
	k->port[i] = port;
	unsigned kept = shift ? k->proto[i / 4] & ((1u << shift) - 1) : 0;  /* the byte's earlier codes */
	k->proto[i / 4] = (uint8_t)(kept | code_of_proto(proto) << shift);
	for (int s = 0; s < 2; s++) {
		k->lo[s][i] = (uint16_t)(host[s] & UINT16_MAX);
		if (k->hi)
			k->hi[s][i] = (uint16_t)(host[s] >> 16);
	}
	c->n++;
	return true;
}

/* The host index of side s (0 sender, 1 receiver) of packed contact i of chunk k. */
static uint32_t packed_host(const struct contacts_chunk *k, int s, size_t i)
{
	return (uint32_t)k->lo[s][i] | (k->hi ? (uint32_t)k->hi[s][i] << 16 : 0);
}

/* Packed contact i of chunk k as the struct contact it was made from. */
static struct contact unpack(const struct contacts *c, const struct contacts_chunk *k, size_t i)
{
	return (struct contact){
		.t = k->t[i], .port = k->port[i], .proto = proto_of_code[k->proto[i / 4] >> (i % 4 * 2) & 3],
		.weight = 1,
		.src = hosttab_at(c->hosts, packed_host(k, 0, i)),
		.dst = hosttab_at(c->hosts, packed_host(k, 1, i)),
	};
}

static bool same_key(const struct contact *x, const struct contact *y)
{
	return x->src == y->src && x->dst == y->dst && x->port == y->port && x->proto == y->proto;
}

static uint64_t key_hash(const struct contact *k)
{
	uint64_t h = (uintptr_t)k->src * 0x9e3779b97f4a7c15ull ^ (uintptr_t)k->dst * 0xc2b2ae3d27d4eb4full;
	h ^= ((uint64_t)k->port << 8 | k->proto) * 0x165667b19e3779f9ull;
	h ^= h >> 33;  /* the slot is the low bits: mix the high ones down (murmur3's finaliser) */
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

/* The key table's size for n contacts: a power of two, at least twice n. */
static size_t open_cap(size_t n)
{
	size_t cap = 1024;
	while (cap < 2 * n)
		cap *= 2;
	return cap;
}

/*
 * The working memory of one coarsen()'s compactions.  The first one or
 * two find each contact's key in a hash table (slot: index + 1 of the
 * key's open group, whose contact is compared to tell keys apart), the
 * last of them numbering the keys densely as it meets them, in the
 * contacts' own `key` (a new key takes the next number, a contact of a
 * known key that opens a group takes the number of the group it found,
 * read from the contact compared anyway): the first coarsen() (window
 * 1 s) makes several compactions as a rule and numbers in its first; a
 * later one often makes only one, which does not pay for the numbering,
 * so it numbers in its second.  The next compactions, whose contacts'
 * keys no longer change, look their open group up by number: no hashing,
 * and no reading of a group's contact (missing the cache: the array is
 * tens of MiB) unless a contact joins it.  The groups (8 bytes a key)
 * take the key table's place once it is done with (2 or more slots a
 * key: they fit).
 *
 * That place is the contact array's room past its contacts (scratch_at):
 * the contacts to come fill it after the coarsening, so its pages, faulted
 * and zeroed by the kernel once, serve every coarsening and then contacts
 * rather than being mapped afresh for each (the peak is no higher: the
 * table was allocated beside the full array).
 */
struct scratch {
	uint32_t *slot;               /* the key table (first compactions) */
	size_t cap;
	bool numbering;               /* this compaction numbers the keys (in each contact's key) */
	struct group { uint32_t at; float t; } *open;  /* per key number: its open group's index + 1, time */
	size_t nkeys;
};

/* Room for w's key table past c's contacts (the array grown when short of it); false out of memory. */
static bool scratch_at(struct contacts *c, struct scratch *w)
{
	size_t bytes = w->cap * sizeof *w->slot;
	size_t need = c->n + (bytes + sizeof *c->v - 1) / sizeof *c->v;
	if (c->cap < need) {
		struct contact *nv = realloc(c->v, need * sizeof *nv);
		if (!nv)
			return false;
		c->v = nv;
		c->cap = need;
	}
	w->slot = (uint32_t *)(void *)(c->v + c->n);  /* the compactions write below c->n only */
	memset(w->slot, 0, bytes);
	return true;
}

/* Adds k's weight to group g's first contact (saturating: all weights are positive). */
static void join(struct contact *g, const struct contact *k)
{
	uint64_t sum = (uint64_t)g->weight + k->weight;
	g->weight = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

/* The end of a compaction: c->n contacts kept, window cache invalid. */
static void compacted(struct contacts *c, size_t kept)
{
	c->n = kept;
	for (size_t i = 0; i < CONTACTS_CACHE; i++)
		c->cache[i].key = UINT64_MAX;  /* indexes moved */
}

/*
 * A key table slot: the open group's index + 1 in the low bits, and in
 * the bits the index does not need (10 of them below 4 Mi contacts) a tag
 * of the key's hash, bits the slot number does not use.  A lookup reads
 * a group's contact (a cache miss: the array is tens of MiB) only when
 * the tags agree, not at every occupied slot it passes; equal keys have
 * equal tags, so the groups found are the same.
 */
struct slot_fmt {
	unsigned bits;   /* the index's */
	uint32_t mask;
};

static struct slot_fmt slot_fmt(size_t n)
{
	unsigned b = 1;
	while (b < 32 && ((size_t)1 << b) <= n)
		b++;
	return (struct slot_fmt){ b, b < 32 ? ((uint32_t)1 << b) - 1 : UINT32_MAX };
}

static uint32_t slot_tag(struct slot_fmt f, uint64_t h)
{
	return f.bits < 32 ? (uint32_t)(h >> 32) << f.bits : 0;
}

/*
 * The first one or two compactions of a coarsen(), with the key table
 * (see struct scratch): doubles the window, then in one pass in capture order
 * each contact joins its key's open group when within the window of the
 * group's first contact, else opens a new one (kept in place, in order).
 */
static void compact_hashed(struct contacts *c, struct scratch *w)
{
	c->window *= 2;
	struct slot_fmt f = slot_fmt(c->n);
	size_t j = 0, mask = w->cap - 1;
	for (size_t i = 0; i < c->n; i++) {
		if (i + 16 < c->n)  /* the table is far larger than a cache: fetch ahead */
			__builtin_prefetch(&w->slot[key_hash(&c->v[i + 16]) & mask]);
		struct contact k = c->v[i];
		uint64_t h = key_hash(&k);
		uint32_t tag = slot_tag(f, h);
		size_t s = h & mask;
		struct contact *g = NULL;
		while (w->slot[s]) {
			if ((w->slot[s] & ~f.mask) == tag && same_key(&c->v[(w->slot[s] & f.mask) - 1], &k)) {
				g = &c->v[(w->slot[s] & f.mask) - 1];
				break;
			}
			s = (s + 1) & mask;
		}
		if (g && k.t - g->t < c->window) {
			join(g, &k);
			continue;
		}
		if (w->numbering)
			k.key = g ? g->key : (uint32_t)w->nkeys++;
		c->v[j] = k;  /* j <= i: a slot already read */
		w->slot[s] = (uint32_t)++j | tag;  /* j <= n: within the index bits */
	}
	compacted(c, j);
}

/* After the numbering compaction: the open groups in the key table's place. */
static void open_groups(struct scratch *w)
{
	w->open = (struct group *)(void *)w->slot;
	w->slot = NULL;
}

/* The next compactions of a coarsen(): as compact_hashed, the open groups by key number. */
static void compact_numbered(struct contacts *c, struct scratch *w)
{
	c->window *= 2;
	memset(w->open, 0, w->nkeys * sizeof *w->open);
	size_t j = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (i + 16 < c->n)  /* the groups (8 bytes a key) are far larger than a cache: fetch ahead */
			__builtin_prefetch(&w->open[c->v[i + 16].key]);
		struct group *g = &w->open[c->v[i].key];
		if (g->at && c->v[i].t - g->t < c->window) {
			join(&c->v[g->at - 1], &c->v[i]);
			continue;
		}
		g->t = c->v[i].t;
		c->v[j] = c->v[i];  /* j <= i: a slot already read */
		g->at = (uint32_t)++j;
	}
	compacted(c, j);
}

/*
 * Doubles the merge window and merges what now falls together (see top),
 * until half the room is free or the window spans the capture (a window
 * past the latest time merges every key into one group already): each
 * compaction is one pass in capture order where a contact joins its key's
 * (same src, dst, port, protocol) open group when within the window of
 * the group's first contact, else opens a new one; the groups' first
 * contacts are kept, in capture order.  Keys by hash, then by number
 * (struct scratch), do what sorting by key then time did, without two
 * sorts of the whole array per doubling (a million-flow capture doubled
 * ~30 times: 13x `flows`, issue 16).  A merge gaining less than an
 * eighth quadruples the window (many short flows: coarsen faster).
 * Without memory, or past 2^31 contacts (64 GiB), nothing more merges
 * (the caller then grows the array).
 */
static void coarsen(struct contacts *c)
{
	if (!c->n || c->n >= (size_t)1 << 31 || c->n < c->max / 2 || c->window > c->v[c->n - 1].t)
		return;
	float latest = c->v[c->n - 1].t;
	struct scratch w = { .cap = open_cap(c->n) };
	if (!scratch_at(c, &w))
		return;
	/* The first coarsening (window 1 s): keys numbered in its first compaction (struct scratch). */
	bool number_first = c->window == 1.0f;
	for (unsigned pass = 0; c->n >= c->max / 2 && c->window <= latest; pass++) {
		size_t before = c->n;
		if (pass == 0 || (pass == 1 && !number_first)) {
			w.numbering = pass == 1 || number_first;
			if (pass == 1)
				memset(w.slot, 0, w.cap * sizeof *w.slot);
			compact_hashed(c, &w);  /* numbering the keys for the next */
		} else {
			if (!w.open)
				open_groups(&w);
			compact_numbered(c, &w);
		}
		if (c->n > before - before / 8)
			c->window *= 2;
	}
}

/* Room for one more per-packet contact (merging first when full), or NULL out of memory. */
static struct contact *push(struct contacts *c)
{
	if (c->n >= c->max)
		coarsen(c);
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 4096;
		struct contact *nv = realloc(c->v, nc * sizeof *nv);
		if (!nv) {
			c->oom = true;
			return NULL;
		}
		c->v = nv;
		c->cap = nc;
	}
	return &c->v[c->n++];
}

static bool wanted(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 1 || proto == 58;
}

static void on_flow_end(void *ctx, const struct run *r, const struct flow *f)
{
	struct contacts *c = ctx;
	if (!wanted(f->proto) || !r->hosts || !involves(c, f->family, f->orig, f->resp))
		return;
	const struct host *o = hosttab_flow_host(r->hosts, f, 0), *d = hosttab_flow_host(r->hosts, f, 1);
	uint32_t host[2] = { o ? o->index : 0, d ? d->index : 0 };
	c->hosts = r->hosts;
	if (!pack(c, (float)run_rel(r, f->first_ns), f->resp_p, f->proto, host))
		c->oom = true;
}

static void on_packet(void *ctx, const struct run *r, const struct pkt *p, const struct flow *f, int dir)
{
	struct contacts *c = ctx;
	if (!f || !wanted(p->proto) || !r->hosts || !involves(c, p->family, p->src, p->dst))
		return;
	float t = (float)run_rel(r, p->ts_ns);
	uint64_t key = f->id * 2 + (uint64_t)(dir & 1);
	size_t slot = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 52) & (CONTACTS_CACHE - 1);
	if (c->cache[slot].key == key && t - c->cache[slot].t < c->window && c->cache[slot].weight < UINT32_MAX) {
		c->v[c->cache[slot].idx].weight = ++c->cache[slot].weight;  /* a store: no wait for an old line */
		return;
	}
	struct contact *k = push(c);
	if (!k)
		return;
	*k = (struct contact){
		.t = t, .port = p->dport, .proto = p->proto, .weight = 1,
		.src = hosttab_flow_host(r->hosts, f, dir == 0 ? 0 : 1),
		.dst = hosttab_flow_host(r->hosts, f, dir == 0 ? 1 : 0),
	};
	c->cache[slot].key = key;
	c->cache[slot].idx = c->n - 1;
	c->cache[slot].t = t;
	c->cache[slot].weight = 1;
}

struct run_sub contacts_sub(struct contacts *c)
{
	if (c->per_packet)
		return (struct run_sub){ .ctx = c, .packet = on_packet };
	return (struct run_sub){ .ctx = c, .flow_end = on_flow_end };
}

void contacts_finish(struct contacts *c, const struct run *r)
{
	c->start_ns = r->start_ns;
	c->span = r->have_time ? run_rel(r, r->last_ns) : 0;
	if (c->span < 0)
		c->span = 0;
}

/* A growing array of selected contacts. */
struct picked {
	struct contact *v;
	size_t n, cap;
};

/* Appends a copy of k; false out of memory (p->v is then freed). */
static bool pick(struct picked *p, const struct contact *k)
{
	if (!grow_to((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v, 256)) {
		free(p->v);
		p->v = NULL;
		return false;
	}
	p->v[p->n++] = *k;
	return true;
}

/* contacts_select of the packed form: compares indices, unpacks only the picked. */
static bool select_packed(const struct contacts *c, uint32_t h, enum contacts_dir d, struct picked *p)
{
	for (size_t ci = 0; ci < c->nchunks; ci++) {
		const struct contacts_chunk *k = c->chunks[ci];
		size_t m = c->n - ci * CONTACTS_CHUNK < CONTACTS_CHUNK ? c->n - ci * CONTACTS_CHUNK : CONTACTS_CHUNK;
		for (size_t i = 0; i < m; i++) {
			if (!((d != CONTACTS_IN && packed_host(k, 0, i) == h) ||
			      (d != CONTACTS_OUT && packed_host(k, 1, i) == h)))
				continue;
			struct contact x = unpack(c, k, i);
			if (!pick(p, &x))
				return false;
		}
	}
	return true;
}

/* One pass (with millions of contacts and 16 hosts, a counting pass per host costs). */
size_t contacts_select(const struct contacts *c, const struct host *h, enum contacts_dir d,
		       struct contact **out)
{
	*out = NULL;
	struct picked p = { NULL, 0, 0 };
	if (c->nchunks) {
		/* index 0 is "no host": a host without one (past 2^32) has no packed contacts */
		if (h->index && !select_packed(c, h->index, d, &p))
			return (size_t)-1;
		*out = p.v;
		return p.n;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct contact *k = &c->v[i];
		if (!((d != CONTACTS_IN && k->src == h) || (d != CONTACTS_OUT && k->dst == h)))
			continue;
		if (!pick(&p, k))
			return (size_t)-1;
	}
	*out = p.v;
	return p.n;
}

/*
 * A map from host to its position in hs[], without collisions: each host
 * alone in its slot (multiplicative hashing, the multiplier and size
 * tried until the hosts part), so a lookup in the scan of millions of
 * contacts is one compare, not a probe loop.
 */
struct host_map {
	const struct host **key;
	uint32_t *pos;
	uint64_t mul;
	unsigned shift;   /* 64 - log2(slots) */
};

static size_t host_slot(const struct host_map *m, const struct host *h)
{
	return (size_t)(((uintptr_t)h * m->mul) >> m->shift);
}

/* Tries multiplier mul with 2^bits slots for hs[0..nh); false on a collision. */
static bool host_map_try(struct host_map *m, const struct host *const *hs, size_t nh, uint64_t mul,
			 unsigned bits)
{
	m->mul = mul;
	m->shift = 64 - bits;
	memset(m->key, 0, ((size_t)1 << bits) * sizeof *m->key);
	for (size_t i = 0; i < nh; i++) {
		size_t s = host_slot(m, hs[i]);
		if (m->key[s])
			return false;
		m->key[s] = hs[i];
		m->pos[s] = (uint32_t)i;
	}
	return true;
}

/*
 * hs[0..nh) as a host_map (from 64 to 4,096 slots: 16 hosts part at once
 * as a rule); false when a host is NULL or repeats (never parts), when
 * none of these sizes parts them, or out of memory (m->key or m->pos NULL).
 */
static bool host_map_make(struct host_map *m, const struct host *const *hs, size_t nh)
{
	static const uint64_t muls[] = { 0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull,
					 0xff51afd7ed558ccdull, 0xc4ceb9fe1a85ec53ull, 0x27d4eb2f165667c5ull };
	enum { MAX_BITS = 12 };
	for (size_t i = 0; i < nh; i++)
		if (!hs[i])
			return false;
	m->key = malloc(((size_t)1 << MAX_BITS) * sizeof *m->key);
	m->pos = malloc(((size_t)1 << MAX_BITS) * sizeof *m->pos);
	if (!m->key || !m->pos)
		return false;
	for (unsigned bits = 6; bits <= MAX_BITS; bits++)  /* a repeated host never parts */
		for (size_t k = 0; k < sizeof muls / sizeof muls[0]; k++)
			if (host_map_try(m, hs, nh, muls[k], bits))
				return true;
	return false;
}

/* The position of h in m, or -1 (not there, or NULL). */
static long host_pos(const struct host_map *m, const struct host *h)
{
	size_t s = host_slot(m, h);
	return h && m->key[s] == h ? (long)m->pos[s] : -1;
}

/* The unpacked form's contacts_select_hosts: one scan, each contact to its sender's and receiver's lists. */
static bool select_scan(const struct contacts *c, const struct host_map *m, enum contacts_dir d,
			struct picked *p)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct contact *k = &c->v[i];
		long a = d != CONTACTS_IN ? host_pos(m, k->src) : -1;
		long b = d != CONTACTS_OUT ? host_pos(m, k->dst) : -1;
		if ((a >= 0 && !pick(&p[a], k)) || (b >= 0 && b != a && !pick(&p[b], k)))
			return false;
	}
	return true;
}

/* contacts_select of each host in turn (the packed form, or hosts that repeat). */
static int select_each(const struct contacts *c, const struct host *const *hs, size_t nh,
		       enum contacts_dir d, struct contact **outs, size_t *counts)
{
	for (size_t i = 0; i < nh; i++) {
		counts[i] = contacts_select(c, hs[i], d, &outs[i]);
		if (counts[i] == (size_t)-1) {
			for (size_t j = 0; j < i; j++)
				free(outs[j]);
			for (size_t j = 0; j < nh; j++)
				outs[j] = NULL, counts[j] = 0;
			return -1;
		}
	}
	return 0;
}

int contacts_select_hosts(const struct contacts *c, const struct host *const *hs, size_t nh,
			  enum contacts_dir d, struct contact **outs, size_t *counts)
{
	for (size_t i = 0; i < nh; i++)
		outs[i] = NULL, counts[i] = 0;
	if (c->nchunks)
		return select_each(c, hs, nh, d, outs, counts);
	struct host_map m = { NULL, NULL, 0, 0 };
	struct picked *p = calloc(nh ? nh : 1, sizeof *p);
	int rc = -1;
	if (p && host_map_make(&m, hs, nh)) {
		if (select_scan(c, &m, d, p)) {
			for (size_t i = 0; i < nh; i++)
				outs[i] = p[i].v, counts[i] = p[i].n;
			rc = 0;
		} else {
			for (size_t i = 0; i < nh; i++)
				free(p[i].v);  /* the list that ran out is NULL already */
		}
	} else if (p && m.key && m.pos) {
		rc = select_each(c, hs, nh, d, outs, counts);  /* a host NULL or repeated, or no map parts them */
	}
	free(m.key);
	free(m.pos);
	free(p);
	return rc;
}
