/*
 * contacts.c - collect contacts (see contacts.h) from the one-pass run.
 *
 * Invariant: v[0..n) are in the order the run delivered them (flow end
 * order per flow, packet order per packet); cache[] maps a flow
 * direction (flow id * 2 + dir) to the index of its latest contact so
 * that packets within `window` seconds of it add to its weight.
 *
 * Memory (per packet): at most CONTACTS_MAX contacts.  When the array is
 * full, the merge window doubles and contacts of one flow direction, port
 * and protocol that fall in the same window are merged (compact()): a
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

static int by_key(const void *a, const void *b)
{
	const struct contact *x = a, *y = b;
	if (x->src != y->src)
		return (uintptr_t)x->src < (uintptr_t)y->src ? -1 : 1;
	if (x->dst != y->dst)
		return (uintptr_t)x->dst < (uintptr_t)y->dst ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

static int by_time(const void *a, const void *b)
{
	const struct contact *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

/* Doubles the merge window and merges what now falls together (see top). */
static void compact(struct contacts *c)
{
	c->window *= 2;
	qsort(c->v, c->n, sizeof *c->v, by_key);
	size_t j = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct contact *k = &c->v[i];
		struct contact *last = j ? &c->v[j - 1] : NULL;
		if (last && last->src == k->src && last->dst == k->dst && last->port == k->port &&
		    last->proto == k->proto && k->t - last->t < c->window) {
			uint64_t w = (uint64_t)last->weight + k->weight;
			last->weight = w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
			continue;
		}
		c->v[j++] = *k;
	}
	c->n = j;
	qsort(c->v, c->n, sizeof *c->v, by_time);
	for (size_t i = 0; i < CONTACTS_CACHE; i++)
		c->cache[i].key = UINT64_MAX;  /* indexes moved */
}

static struct contact *push(struct contacts *c)
{
	if (c->per_packet && c->n >= c->max) {
		while (c->n >= c->max / 2 && c->window < 1e9f)
			compact(c);
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

size_t contacts_select(const struct contacts *c, const struct host *h, enum contacts_dir d,
		       struct contact **out)
{
	*out = NULL;
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct contact *k = &c->v[i];
		n += (d != CONTACTS_IN && k->src == h) || (d != CONTACTS_OUT && k->dst == h);
	}
	if (!n)
		return 0;
	struct contact *v = malloc(n * sizeof *v);
	if (!v)
		return (size_t)-1;
	size_t j = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct contact *k = &c->v[i];
		if ((d != CONTACTS_IN && k->src == h) || (d != CONTACTS_OUT && k->dst == h))
			v[j++] = *k;
	}
	*out = v;
	return n;
}
