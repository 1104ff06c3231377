/*
 * contacts.c - collect contacts (see contacts.h) from the one-pass run.
 *
 * Invariant: v[0..n) are in the order the run delivered them (flow end
 * order per flow, packet order per packet); cache[] maps a flow
 * direction (flow id * 2 + dir) to the index of its latest contact so
 * that packets within `window` seconds of it add to its weight.
 *
 * Memory (per packet): at most CONTACTS_MAX contacts.  When the array is
 * full, the merge window doubles (quadruples when a merge gained less
 * than an eighth) and contacts of one flow direction, port and protocol
 * that fall in the same window are merged (compact()): a
 * long capture keeps its shape at a coarser time resolution instead of
 * growing with packets.  Once the window spans the capture, a flow
 * direction is one contact, so memory is bounded by flows.
 */
#include "analysis/contacts.h"

#include <stdlib.h>
#include <string.h>

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

void contacts_free(struct contacts *c)
{
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
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

/*
 * Doubles the merge window and merges what now falls together (see top):
 * in one pass in capture order, each contact joins its key's open group
 * (same src, dst, port, protocol) when within the window of the group's
 * first contact, else opens a new one.  A hash of the open groups does
 * what sorting by key then time did, without two sorts of the whole
 * array per doubling (a million-flow capture doubled ~30 times: 13x
 * `flows`, issue 16); the array stays in capture order.  Without memory
 * for the hash nothing merges and it returns false (the caller then
 * grows the array).
 */
static bool compact(struct contacts *c)
{
	size_t cap = 1024;
	while (cap < 2 * c->n)
		cap *= 2;
	uint32_t *open = calloc(cap, sizeof *open);  /* index + 1 of a key's open group, 0 = none */
	if (c->n >= UINT32_MAX || !open) {
		free(open);
		return false;
	}
	c->window *= 2;
	size_t j = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (i + 16 < c->n)  /* the hash is far larger than a cache: fetch ahead */
			__builtin_prefetch(&open[key_hash(&c->v[i + 16]) & (cap - 1)]);
		struct contact k = c->v[i];
		size_t s = key_hash(&k) & (cap - 1);
		while (open[s] && !same_key(&c->v[open[s] - 1], &k))
			s = (s + 1) & (cap - 1);
		struct contact *g = open[s] ? &c->v[open[s] - 1] : NULL;
		if (g && k.t - g->t < c->window) {
			uint64_t w = (uint64_t)g->weight + k.weight;
			g->weight = w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
			continue;
		}
		c->v[j] = k;  /* j <= i: a slot already read */
		open[s] = (uint32_t)++j;
	}
	free(open);
	c->n = j;
	for (size_t i = 0; i < CONTACTS_CACHE; i++)
		c->cache[i].key = UINT64_MAX;  /* indexes moved */
	return true;
}

static struct contact *push(struct contacts *c)
{
	if (c->per_packet && c->n >= c->max) {
		/* A window past the latest time merges every key into one group already. */
		float latest = c->v[c->n - 1].t;
		while (c->n >= c->max / 2 && c->window <= latest) {
			size_t before = c->n;
			if (!compact(c))
				break;
			if (c->n > before - before / 8)
				c->window *= 2;  /* it merged little (many short flows): coarsen faster */
		}
	}
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
	struct contact *k = push(c);
	if (!k)
		return;
	*k = (struct contact){
		.t = (float)run_rel(r, f->first_ns), .port = f->resp_p, .proto = f->proto, .weight = 1,
		.src = hosttab_flow_host(r->hosts, f, 0),
		.dst = hosttab_flow_host(r->hosts, f, 1),
	};
}

static void on_packet(void *ctx, const struct run *r, const struct pkt *p, const struct flow *f, int dir)
{
	struct contacts *c = ctx;
	if (!f || !wanted(p->proto) || !r->hosts || !involves(c, p->family, p->src, p->dst))
		return;
	float t = (float)run_rel(r, p->ts_ns);
	uint64_t key = f->id * 2 + (uint64_t)(dir & 1);
	size_t slot = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 52) & (CONTACTS_CACHE - 1);
	if (c->cache[slot].key == key) {
		struct contact *k = &c->v[c->cache[slot].idx];
		if (t - k->t < c->window && k->weight < UINT32_MAX) {
			k->weight++;
			return;
		}
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

/* One pass (with millions of contacts and 16 hosts, a counting pass per host costs). */
size_t contacts_select(const struct contacts *c, const struct host *h, enum contacts_dir d,
		       struct contact **out)
{
	*out = NULL;
	struct contact *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct contact *k = &c->v[i];
		if (!((d != CONTACTS_IN && k->src == h) || (d != CONTACTS_OUT && k->dst == h)))
			continue;
		if (n == cap) {
			struct contact *nv = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof *nv);
			if (!nv) {
				free(v);
				return (size_t)-1;
			}
			v = nv;
		}
		v[n++] = *k;
	}
	*out = v;
	return n;
}
