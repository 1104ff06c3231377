/*
 * hosttab.c - the host table: per address counters, distinct peers and
 * ports.
 *
 * Invariants: hosts are chained in a hash table and also kept in an
 * array in first-seen order (stable output).  Distinct peers and ports
 * are counted exactly through a set of 64-bit hashes of (host, peer) and
 * (host, proto, port) pairs: memory grows with pairs, which are bounded
 * by flows, never with packets.
 */
#include "flow/flow.h"

#include <stdlib.h>
#include <string.h>
#include "util/hash.h"

struct u64set {
	uint64_t *slots;  /* 0 = empty; keys are forced non-zero */
	uint64_t mask, count;
};

struct hosttab {
	struct host **buckets;
	uint64_t mask;
	struct host **order;
	uint64_t n, cap;
	struct u64set pairs;
	bool distinct;               /* count distinct peers and ports (the pair set) */
	struct host *recent[2];      /* the last originator and responder of a new flow */
	uint64_t seed;
};

static uint64_t addr_hash(uint64_t seed, uint8_t family, const uint8_t *a)
{
	uint64_t x, y;
	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	return fmix64(seed ^ x ^ fmix64(y + family));
}

/* Inserts k; returns 1 if new, 0 if present, -1 out of memory. */
static int set_add(struct u64set *s, uint64_t k)
{
	k |= 1;
	if (s->count * 2 >= s->mask) {
		uint64_t nmask = s->mask ? s->mask * 2 + 1 : 1023;
		uint64_t *ns = calloc(nmask + 1, sizeof *ns);
		if (!ns)
			return -1;
		for (uint64_t i = 0; s->slots && i <= s->mask; i++) {
			uint64_t v = s->slots[i];
			if (!v)
				continue;
			uint64_t j = v & nmask;
			while (ns[j])
				j = (j + 1) & nmask;
			ns[j] = v;
		}
		free(s->slots);
		s->slots = ns;
		s->mask = nmask;
	}
	uint64_t j = k & s->mask;
	while (s->slots[j]) {
		if (s->slots[j] == k)
			return 0;
		j = (j + 1) & s->mask;
	}
	s->slots[j] = k;
	s->count++;
	return 1;
}

struct hosttab *hosttab_new(uint64_t seed, bool distinct)
{
	struct hosttab *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->distinct = distinct;
	t->mask = 1023;
	t->seed = seed;
	if (!(t->buckets = calloc(t->mask + 1, sizeof *t->buckets))) {
		free(t);
		return NULL;
	}
	return t;
}

void hosttab_free(struct hosttab *t)
{
	if (!t)
		return;
	for (uint64_t i = 0; i < t->n; i++)
		free(t->order[i]);
	free(t->order);
	free(t->buckets);
	free(t->pairs.slots);
	free(t);
}

static void rehash(struct hosttab *t)
{
	uint64_t nmask = t->mask * 2 + 1;
	struct host **nb = calloc(nmask + 1, sizeof *nb);
	if (!nb)
		return;
	for (uint64_t i = 0; i < t->n; i++) {
		struct host *h = t->order[i];
		uint64_t b = addr_hash(t->seed, h->family, h->addr) & nmask;
		h->hnext = nb[b];
		nb[b] = h;
	}
	free(t->buckets);
	t->buckets = nb;
	t->mask = nmask;
}

const struct host *hosttab_find(const struct hosttab *t, uint8_t family, const uint8_t *addr)
{
	uint64_t b = addr_hash(t->seed, family, addr) & t->mask;
	for (struct host *h = t->buckets[b]; h; h = h->hnext)
		if (h->family == family && !memcmp(h->addr, addr, 16))
			return h;
	return NULL;
}

const struct host *hosttab_at(const struct hosttab *t, uint32_t index)
{
	return t && index && index <= t->n ? t->order[index - 1] : NULL;
}

static struct host *get(struct hosttab *t, uint8_t family, const uint8_t *addr, int64_t ts)
{
	struct host *h = (struct host *)hosttab_find(t, family, addr);
	if (h)
		return h;
	if (t->n == t->cap) {
		uint64_t ncap = t->cap ? t->cap * 2 : 256;
		struct host **no = realloc(t->order, ncap * sizeof *no);
		if (!no)
			return NULL;
		t->order = no;
		t->cap = ncap;
	}
	if (!(h = calloc(1, sizeof *h)))
		return NULL;
	memcpy(h->addr, addr, 16);
	h->family = family;
	h->internal = decode_addr_internal(family, addr);
	h->first_ns = h->last_ns = ts;
	uint64_t b = addr_hash(t->seed, family, addr) & t->mask;
	h->hnext = t->buckets[b];
	t->buckets[b] = h;
	t->order[t->n++] = h;
	h->index = t->n <= UINT32_MAX ? (uint32_t)t->n : 0;
	if (t->n > t->mask)
		rehash(t);
	return h;
}

static void count_packet(struct host *s, struct host *d, const struct pkt *p)
{
	s->pkts_out++;
	s->bytes_out += p->wirelen;
	d->pkts_in++;
	d->bytes_in += p->wirelen;
	if (p->ts_ns < s->first_ns) s->first_ns = p->ts_ns;
	if (p->ts_ns > s->last_ns) s->last_ns = p->ts_ns;
	if (p->ts_ns < d->first_ns) d->first_ns = p->ts_ns;
	if (p->ts_ns > d->last_ns) d->last_ns = p->ts_ns;
}

bool hosttab_packet(struct hosttab *t, const struct pkt *p)
{
	struct host *s = get(t, p->family, p->src, p->ts_ns);
	struct host *d = get(t, p->family, p->dst, p->ts_ns);
	if (!s || !d)
		return false;
	count_packet(s, d, p);
	return true;
}

const struct host *hosttab_flow_host(const struct hosttab *t, const struct flow *f, int which)
{
	uint32_t i = f->host[which];
	if (i && i <= t->n)
		return t->order[i - 1];
	return hosttab_find(t, f->family, which ? f->resp : f->orig);
}

uint32_t hosttab_flow_index(const struct hosttab *t, const struct flow *f, int which)
{
	uint32_t i = f->host[which];
	if (i && i <= t->n)
		return i;   /* order[i - 1]->index: no need to read the host */
	const struct host *h = hosttab_find(t, f->family, which ? f->resp : f->orig);
	return h ? h->index : 0;
}

bool hosttab_packet_flow(struct hosttab *t, const struct flow *f, const struct pkt *p, int dir)
{
	if (!f->host[0] || !f->host[1] || f->host[0] > t->n || f->host[1] > t->n)
		return hosttab_packet(t, p);
	struct host *o = t->order[f->host[0] - 1], *r = t->order[f->host[1] - 1];
	count_packet(dir == 0 ? o : r, dir == 0 ? r : o, p);
	return true;
}

/*
 * get() for a new flow's endpoint `side` (0 originator, 1 responder),
 * trying the host of the same side of the last new flow first: a capture
 * of one sandbox host opens most of its flows from that host (and a scan
 * or flood sends most to one target), while a lookup in the table is a
 * cache miss or two once flows have pushed the hosts out of the cache.
 */
static struct host *get_side(struct hosttab *t, int side, uint8_t family, const uint8_t *addr, int64_t ts)
{
	struct host *h = t->recent[side];
	if (h && h->family == family && !memcmp(h->addr, addr, 16))
		return h;
	return t->recent[side] = get(t, family, addr, ts);
}

bool hosttab_flow(struct hosttab *t, struct flow *f)
{
	struct host *o = get_side(t, 0, f->family, f->orig, f->first_ns);
	struct host *r = get_side(t, 1, f->family, f->resp, f->first_ns);
	if (!o || !r)
		return false;
	f->host[0] = o->index;
	f->host[1] = r->index;
	o->flows_orig++;
	r->flows_resp++;
	if (!t->distinct)
		return true;
	uint64_t ho = addr_hash(t->seed, f->family, f->orig);
	uint64_t hr = addr_hash(t->seed, f->family, f->resp);
	int a = set_add(&t->pairs, fmix64(ho * 3 + hr));
	int b = set_add(&t->pairs, fmix64(hr * 3 + ho));
	uint64_t port = (uint64_t)f->proto << 16 | f->resp_p;
	int c = set_add(&t->pairs, fmix64(ho * 5 + port + 0x1000000));
	int d = set_add(&t->pairs, fmix64(hr * 7 + port + 0x2000000));
	if (a < 0 || b < 0 || c < 0 || d < 0)
		return false;
	o->peers += (uint64_t)a;
	r->peers += (uint64_t)b;
	o->ports_contacted += (uint64_t)c;
	r->ports_served += (uint64_t)d;
	return true;
}

uint64_t hosttab_count(const struct hosttab *t) { return t->n; }

struct host **hosttab_list(const struct hosttab *t, uint64_t *n)
{
	struct host **a = malloc((t->n ? t->n : 1) * sizeof *a);
	if (!a)
		return NULL;
	if (t->n)  /* order is NULL until the first host: memcpy(NULL) is undefined */
		memcpy(a, t->order, t->n * sizeof *a);
	*n = t->n;
	return a;
}

/* More flows originated, then more packets sent: the likelier sandbox host. */
static bool busier_orig(const struct host *a, const struct host *b)
{
	if (!b)
		return true;
	if (a->flows_orig != b->flows_orig)
		return a->flows_orig > b->flows_orig;
	return a->pkts_out > b->pkts_out;
}

unsigned hosttab_sandbox(const struct hosttab *t, const struct host **out, unsigned max)
{
	const struct host *top = NULL, *busiest = NULL;
	for (uint64_t i = 0; i < t->n; i++) {
		const struct host *h = t->order[i];
		if (!decode_addr_host(h->family, h->addr))
			continue;
		if (h->flows_orig && h->internal && busier_orig(h, top))
			top = h;
		uint64_t a = h->flows_orig + h->flows_resp, b = busiest ? busiest->flows_orig + busiest->flows_resp : 0;
		if (!busiest || a > b || (a == b && h->pkts_out > busiest->pkts_out))
			busiest = h;
	}
	unsigned n = 0;
	if (!max)
		return 0;
	if (!top) {  /* no internal originator: a capture of one side, or a public sandbox */
		if (busiest)
			out[n++] = busiest;
		return n;
	}
	out[n++] = top;
	for (uint64_t i = 0; i < t->n && n < max; i++) {
		const struct host *h = t->order[i];
		if (h != top && h->internal && decode_addr_host(h->family, h->addr) && h->flows_orig >= 3 &&
		    h->flows_orig * 4 >= top->flows_orig)
			out[n++] = h;
	}
	return n;
}

unsigned hosttab_select(const struct hosttab *t, uint8_t family, const uint8_t *addr, const struct host **out,
			unsigned max)
{
	if (!t || !max)
		return 0;
	if (!family)
		return hosttab_sandbox(t, out, max);
	const struct host *h = hosttab_find(t, family, addr);
	if (h)
		out[0] = h;
	return h != NULL;
}
