/*
 * flowtab.c - the flow table (see flow.h for the model).
 *
 * Invariants: every live flow is in exactly one hash chain and has one
 * valid entry in the timer ring of its timeout class (TCP, UDP, ICMP,
 * other, closed TCP): a ring of (flow, queued) pairs in the order they
 * were put at the tail, so ordered by queued time, oldest at the head.
 * A packet does not move its flow in the ring (that would touch more
 * cache lines per packet); instead, when the head's queued time is past
 * the timeout, the head is either ended (idle past the timeout) or put
 * back at the tail with queued = now.  Any flow idle past its timeout has
 * queued <= last activity, so it is found; expiry is O(1) amortised.
 * An entry is valid when its flow's cls and tslot (the entry's absolute
 * position in the ring) name it; a flow that moves to the closed class
 * or ends on arrival leaves its old entry behind, skipped when it
 * reaches the head.  Entries sit in an array, not in the flows, so the
 * expiry walk knows the flows it will visit many entries ahead and
 * prefetches them, their buckets and the lines the end callback reads
 * (a linked list costs one dependent cache miss per flow: issue 16).
 * Whether a packet starts a new flow is decided exactly on arrival
 * (idle time > timeout), so lazy timers change only when a flow is
 * written, never what it contains.  "Now" is the latest packet time
 * seen; timestamps that go back in time never expire anything early.
 * The bucket array doubles when the load passes 1; ended flows go to a
 * free list for reuse.
 */
#include "flow/flow-int.h"

#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/mman.h>

/*
 * Big arrays (flow slabs, buckets, timer rings) come in 2 MiB-aligned
 * blocks the kernel may back with huge pages: a million-flow table spans
 * tens of MiB, and with 4 KiB pages nearly every flow touched would also
 * miss the TLB.  Smaller ones are plain malloc.
 */
#define HUGE_PAGE ((size_t)2 << 20)

static void *big_alloc(size_t n)
{
	if (n < HUGE_PAGE)
		return malloc(n);
	n = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	void *m = aligned_alloc(HUGE_PAGE, n);
	if (m)
		madvise(m, n, MADV_HUGEPAGE);  /* a hint: errors ignored */
	return m;
}

static void *big_calloc(size_t n)
{
	void *m = big_alloc(n);
	if (m)
		memset(m, 0, n);
	return m;
}

/* Timer classes; a TCP flow moves to CLS_CLOSED when it closes (FINs or RST). */
enum { CLS_TCP, CLS_UDP, CLS_ICMP, CLS_OTHER, CLS_CLOSED, CLS_N };

struct tq_ent {
	struct flow *f;
	int64_t queued;
};

/* A ring of timer entries; head and tail are absolute positions (slot = position & mask). */
struct tq {
	struct tq_ent *e;
	uint64_t mask, head, tail;
};

struct flowtab {
	/* Read per packet by the reader thread (flowtab_hash) and never written after
	 * flowtab_new: a line of its own, apart from the fields the flow stage writes
	 * per flow (sharing one with `free` cost a cross-core transfer per packet). */
	_Alignas(64) uint64_t seed;
	/* flowtab_stock: a slab made ready by the other thread, taken by slab_grow;
	 * slabs_made lets it wait until the table has grown by itself twice. */
	_Atomic(struct flow *) spare;
	atomic_uint slabs_made;
	_Alignas(64) struct flow **buckets;
	uint64_t mask;
	uint64_t active, total, peak;
	struct tq tq[CLS_N];
	int64_t timeout[CLS_N];
	int64_t now;
	int64_t next_expiry;         /* no flow can be idle past its timeout before this */
	struct flow *free;
	void **slabs;                /* huge-page blocks of FLOW_SLAB flows */
	size_t nslabs, slabcap;
	flow_end_fn on_end;
	flow_end_fn on_soon;        /* flowtab_on_soon: a hint a few entries ahead of the expiry walk */
	void *ctx;
};

void flow_cfg_default(struct flow_cfg *c)
{
	c->tcp_timeout_ns = 300 * 1000000000LL;
	c->udp_timeout_ns = 60 * 1000000000LL;
	c->icmp_timeout_ns = 60 * 1000000000LL;
	c->other_timeout_ns = 60 * 1000000000LL;
	c->close_delay_ns = 5 * 1000000000LL;
	c->seed = 0x5bd1e9955bd1e995ull;
}

struct flowtab *flowtab_new(const struct flow_cfg *cfg, flow_end_fn on_end, void *ctx)
{
	struct flowtab *t = aligned_alloc(_Alignof(struct flowtab), sizeof *t);  /* its lines apart */
	if (!t)
		return NULL;
	memset(t, 0, sizeof *t);
	t->mask = 4095;
	t->buckets = calloc(t->mask + 1, sizeof *t->buckets);
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->timeout[CLS_TCP] = cfg->tcp_timeout_ns;
	t->timeout[CLS_UDP] = cfg->udp_timeout_ns;
	t->timeout[CLS_ICMP] = cfg->icmp_timeout_ns;
	t->timeout[CLS_OTHER] = cfg->other_timeout_ns;
	t->timeout[CLS_CLOSED] = cfg->close_delay_ns < cfg->tcp_timeout_ns ? cfg->close_delay_ns
									     : cfg->tcp_timeout_ns;
	t->seed = cfg->seed;
	t->on_end = on_end;
	t->ctx = ctx;
	t->now = INT64_MIN;
	t->next_expiry = INT64_MAX;
	return t;
}

/* Makes room for one more entry in q. False when out of memory. */
static bool tq_reserve(struct tq *q)
{
	if (q->e && q->tail - q->head <= q->mask)
		return true;
	uint64_t nmask = q->e ? q->mask * 2 + 1 : 1023;
	struct tq_ent *ne = big_alloc((nmask + 1) * sizeof *ne);
	if (!ne)
		return false;
	for (uint64_t i = q->head; i != q->tail; i++)
		ne[i & nmask] = q->e[i & q->mask];
	free(q->e);
	q->e = ne;
	q->mask = nmask;
	return true;
}

/* Puts f at the tail of its class's ring (room reserved) with queued = now. */
static void tq_push(struct flowtab *t, struct flow *f)
{
	struct tq *q = &t->tq[f->cls];
	f->queued = t->now;
	f->tslot = q->tail;
	q->e[q->tail++ & q->mask] = (struct tq_ent){ f, t->now };
	if (f->queued + t->timeout[f->cls] < t->next_expiry)
		t->next_expiry = f->queued + t->timeout[f->cls];
}

static bool tq_valid(const struct tq *q, int c, uint64_t pos)
{
	const struct flow *f = q->e[pos & q->mask].f;
	return f->cls == c && f->tslot == pos;
}

/* Removes f from the table, reports it, and recycles its memory. */
static void flow_end(struct flowtab *t, struct flow *f)
{
	struct flow **pp = &t->buckets[f->hash & t->mask];
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	t->active--;
	if (t->on_end)
		t->on_end(t->ctx, f);
	f->cls = CLS_N;  /* its ring entry is stale now */
	f->hnext = t->free;
	t->free = f;
}

/*
 * How far ahead of the head the expiry walk prefetches: the flow's three
 * lines (the end callback reads them all) at EXPIRE_AHEAD entries, its
 * bucket (to unlink it) at half that, once the flow's hash has arrived,
 * and there too the owner's hint (flowtab_on_soon), which may read the
 * flow's lines now to fetch what the end callback will read elsewhere.
 */
#define EXPIRE_AHEAD 16

/*
 * Inlined by force: gcc 12 finds a function made only of prefetches
 * "const" (ipa-pure-const) and deletes the calls to it, prefetches and all.
 */
static inline __attribute__((always_inline)) void expire_prefetch(const struct flowtab *t, const struct tq *q, uint64_t pos)
{
	/* The ring line itself: the walk is too sparse in time for the hardware prefetcher. */
	__builtin_prefetch(&q->e[(pos + 4 * EXPIRE_AHEAD) & q->mask]);
	if (q->tail - pos > EXPIRE_AHEAD) {
		const char *f = (const char *)q->e[(pos + EXPIRE_AHEAD) & q->mask].f;
		__builtin_prefetch(f);
		__builtin_prefetch(f + 64);
		__builtin_prefetch(f + 128);
	}
	if (q->tail - pos > EXPIRE_AHEAD / 2) {
		const struct flow *f = q->e[(pos + EXPIRE_AHEAD / 2) & q->mask].f;
		__builtin_prefetch(&t->buckets[f->hash & t->mask]);
		if (t->on_soon && f->cls != CLS_N)   /* a stale entry's flow has ended */
			t->on_soon(t->ctx, f);
	}
}

void flowtab_on_soon(struct flowtab *t, flow_end_fn soon)
{
	t->on_soon = soon;
}

/* Ends or requeues the due entries of class c; returns when its head is not due. */
static void expire_class(struct flowtab *t, int c)
{
	struct tq *q = &t->tq[c];
	while (q->head != q->tail) {
		uint64_t pos = q->head;
		const struct tq_ent *e = &q->e[pos & q->mask];
		if (t->now - e->queued <= t->timeout[c]) {
			if (e->queued + t->timeout[c] < t->next_expiry)
				t->next_expiry = e->queued + t->timeout[c];
			return;
		}
		expire_prefetch(t, q, pos);
		q->head++;
		if (!tq_valid(q, c, pos))
			continue;
		struct flow *f = e->f;
		if (t->now - f->last_ns > t->timeout[c])
			flow_end(t, f);
		else
			tq_push(t, f);  /* room: its old entry was just freed */
	}
}

/*
 * Ends the flows idle past their timeout.  Runs only when `now` passes
 * next_expiry, the earliest time a ring head's timer can be due, so the
 * common packet touches no ring at all.
 */
static void expire(struct flowtab *t)
{
	if (t->now <= t->next_expiry)
		return;
	t->next_expiry = INT64_MAX;
	for (int c = 0; c < CLS_N; c++)
		expire_class(t, c);
}

static int by_last(const void *a, const void *b)
{
	const struct flow *x = *(struct flow *const *)a, *y = *(struct flow *const *)b;
	if (x->last_ns != y->last_ns)
		return x->last_ns < y->last_ns ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void flowtab_flush(struct flowtab *t)
{
	struct flow **all = malloc((t->active ? t->active : 1) * sizeof *all);
	uint64_t n = 0;
	for (int c = 0; c < CLS_N; c++) {
		struct tq *q = &t->tq[c];
		for (uint64_t pos = q->head; pos != q->tail; pos++)
			if (tq_valid(q, c, pos)) {
				if (all)
					all[n++] = q->e[pos & q->mask].f;
				else  /* no memory to sort: ring order */
					flow_end(t, q->e[pos & q->mask].f);
			}
		q->head = q->tail;
	}
	if (!all)
		return;
	qsort(all, n, sizeof *all, by_last);
	for (uint64_t i = 0; i < n; i++) {
		if (i + 8 < n)
			__builtin_prefetch(all[i + 8]);
		flow_end(t, all[i]);
	}
	free(all);
}

void flowtab_free(struct flowtab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nslabs; i++)
		free(t->slabs[i]);
	free(t->slabs);
	free(atomic_load(&t->spare));
	for (int c = 0; c < CLS_N; c++)
		free(t->tq[c].e);
	free(t->buckets);
	free(t);
}

/* Flows per slab: as many as fit in a huge page. */
#define FLOW_SLAB (HUGE_PAGE / sizeof(struct flow))

/* Adds a slab of flows to the free list. False when out of memory. */
static bool slab_grow(struct flowtab *t)
{
	if (t->nslabs == t->slabcap) {
		size_t nc = t->slabcap ? t->slabcap * 2 : 16;
		void **ns = realloc(t->slabs, nc * sizeof *ns);
		if (!ns)
			return false;
		t->slabs = ns;
		t->slabcap = nc;
	}
	struct flow *s = atomic_exchange_explicit(&t->spare, NULL, memory_order_acquire);
	if (!s && !(s = big_alloc(HUGE_PAGE)))  /* 64-byte aligned too */
		return false;
	t->slabs[t->nslabs++] = s;
	atomic_store_explicit(&t->slabs_made, (unsigned)t->nslabs, memory_order_relaxed);
	for (size_t i = FLOW_SLAB; i-- > 0;) {
		s[i].hnext = t->free;
		t->free = &s[i];
	}
	return true;
}

/*
 * Another thread (the pass's reader) keeps a slab ready with its pages
 * present, so the flow stage does not take the page faults and the
 * zeroing of a growing table (up to a tenth of its time at a million
 * flows).  Only once the table has grown twice by itself: a small capture
 * keeps its one slab.  One stocking thread; slab_grow takes the slab.
 */
bool flowtab_stock(struct flowtab *t)
{
	if (atomic_load_explicit(&t->slabs_made, memory_order_relaxed) < 2 ||
	    atomic_load_explicit(&t->spare, memory_order_relaxed))
		return true;
	struct flow *s = big_alloc(HUGE_PAGE);
	if (!s)
		return false;
#ifdef MADV_POPULATE_WRITE
	if (madvise(s, HUGE_PAGE, MADV_POPULATE_WRITE) != 0)
#endif
		for (size_t off = 0; off < HUGE_PAGE; off += 4096)
			((volatile char *)s)[off] = 0;   /* no advice: a write per page */
	atomic_store_explicit(&t->spare, s, memory_order_release);
	return true;
}

uint64_t flowtab_active(const struct flowtab *t) { return t->active; }
uint64_t flowtab_total(const struct flowtab *t) { return t->total; }
uint64_t flowtab_peak(const struct flowtab *t) { return t->peak; }

/* Canonical key hash: endpoints in a fixed order, mixed with the seed. */
static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 32);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint64_t key_hash(const struct flowtab *t, const struct pkt *p, bool swap)
{
	const uint8_t *a = swap ? p->dst : p->src, *b = swap ? p->src : p->dst;
	uint16_t pa = swap ? p->dport : p->sport, pb = swap ? p->sport : p->dport;
	uint64_t h = t->seed ^ ((uint64_t)p->proto << 40 | (uint64_t)p->family << 32 | (uint64_t)pa << 16 | pb);
	h = mix(h, load64(a));
	h = mix(h, load64(b));
	if (p->family == 6) {
		h = mix(h, load64(a + 8));
		h = mix(h, load64(b + 8));
	}
	return h;
}

/*
 * True when (src, sport) sorts after (dst, dport): the key is the swap.
 * Any total order will do for a canonical key, so addresses compare as
 * two native 64-bit words (zero-padded), not byte by byte.
 */
static bool key_swapped(const struct pkt *p)
{
	uint64_t a = load64(p->src), b = load64(p->dst);
	if (a == b) {
		a = load64(p->src + 8);
		b = load64(p->dst + 8);
	}
	return a > b || (a == b && p->sport > p->dport);
}


/*
 * A port a server listens on (Zeek's "likely server port"): for TCP the
 * well-known range and common services above it; for UDP only services
 * that answer requests (a P2P overlay uses any port, low ones too).  A
 * flow first seen mid-way (a TCP segment without SYN, a UDP datagram) from
 * such a port to a port that is not one is turned round, as Zeek does, so
 * that the client is the originator.  So is a TCP segment without SYN from
 * a fixed port (5001-32767) to a port of the ephemeral ranges clients draw
 * from (32768 and up: Linux 32768-60999, Windows and IANA 49152-65535): a
 * service on a port no list names (a C2 listener, an SDN controller) seen
 * mid-way.  Ports 1025-5000 are left alone: older Windows and BSD clients
 * draw from them.
 */
static bool likely_server(uint8_t proto, uint16_t port)
{
	static const uint16_t tcp[] = { 1433, 1521, 3306, 3389, 5432, 6667, 6697, 8080, 8443 };
	static const uint16_t udp[] = { 53, 67, 69, 123, 137, 161, 389, 500, 514, 1900, 5353 };
	const uint16_t *v = proto == 6 ? tcp : udp;
	size_t n = proto == 6 ? sizeof tcp / sizeof *tcp : sizeof udp / sizeof *udp;
	if (proto == 6 && port && port < 1024)
		return true;
	for (size_t i = 0; i < n; i++)
		if (v[i] == port)
			return true;
	return false;
}

/* Addresses are zero-padded to 16 bytes, so two 64-bit compares suffice. */
static inline bool addr_eq(const uint8_t *a, const uint8_t *b)
{
	return load64(a) == load64(b) && load64(a + 8) == load64(b + 8);
}

static int match(const struct flow *f, const struct pkt *p)
{
	if (f->proto != p->proto || f->family != p->family)
		return -1;
	if (f->orig_p == p->sport && f->resp_p == p->dport && addr_eq(f->orig, p->src) &&
	    addr_eq(f->resp, p->dst))
		return 0;
	if (f->orig_p == p->dport && f->resp_p == p->sport && addr_eq(f->orig, p->dst) &&
	    addr_eq(f->resp, p->src))
		return 1;
	return -1;
}

static void grow(struct flowtab *t)
{
	uint64_t nmask = t->mask * 2 + 1;
	struct flow **nb = big_calloc((nmask + 1) * sizeof *nb);
	if (!nb)
		return;  /* keep the longer chains; still correct */
	for (uint64_t i = 0; i <= t->mask; i++) {
		struct flow *f = t->buckets[i];
		while (f) {
			struct flow *n = f->hnext;
			f->hnext = nb[f->hash & nmask];
			nb[f->hash & nmask] = f;
			f = n;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->mask = nmask;
}

static int proto_class(uint8_t proto)
{
	return proto == 6 ? CLS_TCP : proto == 17 ? CLS_UDP : (proto == 1 || proto == 58) ? CLS_ICMP : CLS_OTHER;
}


static struct flow *flow_create(struct flowtab *t, const struct pkt *p, uint64_t h)
{
	int cls = proto_class(p->proto);
	if ((!t->free && !slab_grow(t)) || !tq_reserve(&t->tq[cls]))
		return NULL;
	struct flow *f = t->free;
	t->free = f->hnext;
	memset(f, 0, sizeof *f);
	f->hash = h;
	f->id = ++t->total;
	f->family = p->family;
	f->proto = p->proto;
	f->cls = (uint8_t)cls;
	f->first_ns = f->last_ns = p->ts_ns;
	bool flip = p->has_ports && (p->proto == 6 || p->proto == 17) &&
		    ((p->proto == 6 && (p->tcp_flags & 0x12) == 0x12) ||
		     ((p->proto == 17 || !(p->tcp_flags & 0x02)) && likely_server(p->proto, p->sport) &&
		      !likely_server(p->proto, p->dport) && p->dport >= 1024) ||
		     (p->proto == 6 && !(p->tcp_flags & 0x02) && p->sport > 5000 && p->sport < 32768 &&
		      p->dport >= 32768 && !likely_server(p->proto, p->dport)));
	memcpy(f->orig, flip ? p->dst : p->src, 16);
	memcpy(f->resp, flip ? p->src : p->dst, 16);
	f->orig_p = flip ? p->dport : p->sport;
	f->resp_p = flip ? p->sport : p->dport;
	if (flip)
		flow_history_add(f, '^', 0);
	f->hnext = t->buckets[h & t->mask];
	t->buckets[h & t->mask] = f;
	tq_push(t, f);
	if (++t->active > t->peak)
		t->peak = t->active;
	if (t->active > t->mask + 1)
		grow(t);
	return f;
}

uint64_t flowtab_hash(const struct flowtab *t, const struct pkt *p)
{
	return key_hash(t, p, key_swapped(p));
}

void flowtab_prefetch(const struct flowtab *t, uint64_t h, int stage)
{
	struct flow *const *b = &t->buckets[h & t->mask];
	if (stage == 0) {
		__builtin_prefetch(b);
	} else if (*b) {
		__builtin_prefetch(*b);
		__builtin_prefetch((const char *)*b + 64);
		__builtin_prefetch((const char *)*b + 128);  /* history, subscribers' field */
	}
}

/*
 * TCP state for one packet; a connection that has just closed (both FINs
 * or a RST) moves to the closed timer list, as Zeek's tcp_close_delay and
 * tcp_reset_delay: it ends after a short delay rather than the inactivity
 * timeout, and a packet after that delay starts a new flow.
 */
static bool tcp_packet(struct flowtab *t, struct flow *f, const struct pkt *p, int d)
{
	flow_tcp_update(f, p, d);
	if (f->cls != CLS_TCP)
		return true;
	bool closed = ((f->tcp[0] | f->tcp[1]) & TCPF_RST) ||
		      ((f->tcp[0] & TCPF_FIN) && (f->tcp[1] & TCPF_FIN));
	if (!closed)
		return true;
	if (!tq_reserve(&t->tq[CLS_CLOSED]))
		return false;
	f->cls = CLS_CLOSED;  /* its TCP entry is stale now */
	tq_push(t, f);
	return true;
}

struct flow *flowtab_update(struct flowtab *t, const struct pkt *p, int *dir)
{
	return flowtab_update_hashed(t, p, flowtab_hash(t, p), dir);
}

struct flow *flowtab_update_hashed(struct flowtab *t, const struct pkt *p, uint64_t h, int *dir)
{
	if (p->ts_ns > t->now) {
		t->now = p->ts_ns;
		expire(t);
	}
	struct flow *f;
	int d = -1;
	for (f = t->buckets[h & t->mask]; f; f = f->hnext)
		if (f->hash == h && (d = match(f, p)) >= 0)
			break;
	if (f && (p->ts_ns - f->last_ns > t->timeout[f->cls] ||
		  (f->proto == 6 && flow_tcp_restarts(f, p, d)))) {
		flow_end(t, f);
		f = NULL;
	}
	if (!f) {
		if (!(f = flow_create(t, p, h)))
			return NULL;
		d = match(f, p);
	}
	if (p->ts_ns > f->last_ns)
		f->last_ns = p->ts_ns;
	f->pkts[d]++;
	f->ip_bytes[d] += p->ip_len;
	f->payload[d] += p->payload_len;
	if (f->proto == 6 && p->frag != FRAG_LATER && !p->l4_truncated) {
		if (!tcp_packet(t, f, p, d))
			return NULL;
	} else if (p->payload_len)
		flow_history_add(f, 'D', d);
	*dir = d;
	return f;
}

_Static_assert(sizeof(struct flow) == 192, "struct flow is three cache lines");
