/*
 * collect.c - the report's one-pass collector: a compact record per flow,
 * payload handed to the protocol detectors (proto_*.c) for the first
 * packets of each direction, evidence strings and passive DNS.
 *
 * Memory is one struct rp_flow (112 bytes, payload timing included) per flow plus bounded tables:
 * evidence (RP_EV_MAX entries), passive DNS (RP_PDNS_MAX), Overnet
 * samples (STORM_SAMPLES, STORM_FLOW_SAMPLES per flow: storm.h) and per-flow parser states
 * (RP_STATE_MAX, --inspect-mem: rp_col_limits; a flow refused a state is
 * described by its metadata only from then on); nDPI's states are the worker's
 * (dpi_work.c: RP_DPI_LIVE at most, each freed when its flow's detection
 * ends), possibly on a thread of its own (dpi_thread.c).  Out of memory is remembered (rp_col_oom), never
 * fatal: a flow without a record is simply not described.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analysis/dpi_work.h"
#include "analysis/report-int.h"

static const char *const app_names[] = {
#define X(e, s) s,
	RP_APPS(X)
#undef X
};

const char *rp_app_name(unsigned app)
{
	return app < RP_APP_COUNT ? app_names[app] : "other";
}

struct rp_col *rp_col_new(void)
{
	struct rp_col *c = calloc(1, sizeof(struct rp_col));
	if (c && pthread_mutex_init(&c->rec_mu, NULL)) {
		free(c);
		return NULL;
	}
	if (c)
		rp_col_limits(c, 0, 0);
	return c;
}

void rp_col_limits(struct rp_col *c, size_t bytes, size_t mem)
{
	c->inspect_bytes = bytes ? bytes : RP_INSPECT_BYTES;
	c->inspect_mem = mem ? mem : RP_INSPECT_MEM;
}

void rp_col_free(struct rp_col *c)
{
	if (!c)
		return;
	rp_dpi_join(c);
	for (size_t i = 0; i < RP_HASH; i++) {
		for (struct rp_ev_entry *e = c->ev[i], *n; e; e = n) {
			n = e->next;
			free(e);
		}
		for (struct rp_pdns_entry *e = c->pdns[i], *n; e; e = n) {
			n = e->next;
			free(e);
		}
	}
	for (size_t i = 0; i < RP_STATE_HASH; i++)
		for (struct rp_state *e = c->st[i], *n; e; e = n) {
			n = e->next;
			if (e->free_fn)
				e->free_fn(e->p);
			free(e);
		}
	free(c->flows);
	storm_samples_free(&c->ov);
	free(c->arp);
	free(c->dns);
	dw_free(c->dw);
	dpi_free(c->dpi);
	free(c->ident);
	free(c->split);
	free(c->split_of);
	free(c->twins);
	pthread_mutex_destroy(&c->rec_mu);
	free(c);
}

void rp_col_params(struct rp_col *c, const struct rp_params *p)
{
	c->params = p;
}

bool rp_col_oom(const struct rp_col *c)
{
	return c->oom;
}

/* ---- per-flow parser state ---- */

static struct rp_state **st_slot(struct rp_col *c, uint32_t idx)
{
	struct rp_state **e = &c->st[(idx * 2654435761u) >> 18 & (RP_STATE_HASH - 1)];
	while (*e && (*e)->idx != idx)
		e = &(*e)->next;
	return e;
}

void *rp_state_get(struct rp_col *c, uint32_t idx)
{
	struct rp_state *e = *st_slot(c, idx);
	return e ? e->p : NULL;
}

/* A state of the flow at idx was refused at the caps: it gets metadata only from now on. */
static void refuse(struct rp_col *c, uint32_t idx)
{
	c->st_refused++;
	if (idx < c->nflows && !c->flows[idx].refused) {
		c->flows[idx].refused = 1;
		c->flows_refused++;
	}
}

bool rp_state_put(struct rp_col *c, uint32_t idx, void *p, size_t bytes, void (*free_fn)(void *))
{
	struct rp_state **slot = st_slot(c, idx);
	if (*slot)
		return false;   /* the caller's error: one state per flow */
	if (c->nst >= RP_STATE_MAX || bytes > c->inspect_mem - c->st_bytes) {
		refuse(c, idx);
		return false;
	}
	struct rp_state *e = malloc(sizeof *e);
	if (!e) {
		c->oom = true;
		return false;
	}
	*e = (struct rp_state){ .idx = idx, .bytes = bytes, .p = p, .free_fn = free_fn };
	*slot = e;
	c->nst++;
	c->st_bytes += bytes;
	return true;
}

bool rp_state_resize(struct rp_col *c, uint32_t idx, size_t bytes)
{
	struct rp_state *e = *st_slot(c, idx);
	if (!e)
		return false;
	if (bytes > e->bytes && bytes - e->bytes > c->inspect_mem - c->st_bytes) {
		refuse(c, idx);
		return false;
	}
	c->st_bytes = c->st_bytes - e->bytes + bytes;
	e->bytes = bytes;
	return true;
}

void *rp_state_take(struct rp_col *c, uint32_t idx)
{
	struct rp_state **slot = st_slot(c, idx), *e = *slot;
	if (!e)
		return NULL;
	void *p = e->p;
	*slot = e->next;
	c->nst--;
	c->st_bytes -= e->bytes;
	free(e);
	return p;
}

/* ---- payload timing ---- */

#define MSG_GAP 0.5f    /* payload packets closer than this are one message */

const struct rp_timing *rp_timing_of(const struct rp_col *c, const struct rp_flow *f, int d)
{
	(void)c;
	return f->tm[d].msgs ? &f->tm[d] : NULL;
}

/* Counts a payload packet of one direction into its messages and their gaps (Welford). */
static void timing(struct rp_flow *rf, int dir, float now)
{
	struct rp_timing *t = &rf->tm[dir];
	if (rf->first_payload < 0)
		rf->first_payload = now;
	if (t->msgs && now - t->last < MSG_GAP) {
		t->last = now;
		return;
	}
	if (t->msgs) {
		float gap = now - t->last, d = gap - t->mean;
		t->mean += d / (float)t->msgs;   /* msgs = gaps so far + 1 */
		t->m2 += d * (gap - t->mean);
	}
	t->msgs++;
	t->last = now;
}

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t ev_bucket(uint32_t host, unsigned cat, const char *t, size_t n)
{
	uint32_t h = fnv(fnv(2166136261u, &host, sizeof host), &cat, 1);
	return fnv(h, t, n) & (RP_HASH - 1);
}

/*
 * Records text s (n bytes, cut to RP_EV_LEN - 1, control bytes replaced)
 * under (host, cat); repeated text counts up.  Silently drops new text
 * once RP_EV_MAX entries exist, so hostile traffic cannot grow memory.
 * During the pass an entry is also keyed by which machine of host's
 * address sent it (rp_ident_key): rp_ev_regroup gives it to that
 * machine's host once the addresses of two machines are known.
 */
void rp_ev_add(struct rp_col *c, uint32_t host, unsigned cat, const uint8_t *s, size_t n)
{
	char t[RP_EV_LEN];
	if (n >= sizeof t)
		n = sizeof t - 1;
	for (size_t i = 0; i < n; i++)
		t[i] = (s[i] < 0x20 || s[i] > 0x7e) ? '.' : (char)s[i];
	t[n] = 0;
	if (c->ev_fn && c->cur_f)
		c->ev_fn(c->ev_ctx, &(struct rp_ev_event){ cat, t, c->cur_f, c->cur_dir, c->cur_ns });
	uint8_t who = rp_ident_key(c, host);
	uint32_t h = ev_bucket(host, cat, t, n);
	for (struct rp_ev_entry *e = c->ev[h]; e; e = e->next)
		if (e->host == host && e->cat == cat && e->who == who && e->len == n && !memcmp(e->s, t, n)) {
			e->count++;
			return;
		}
	if (c->nev >= RP_EV_MAX)
		return;
	struct rp_ev_entry *e = malloc(sizeof *e);
	if (!e) {
		c->oom = true;
		return;
	}
	e->host = host;
	e->cat = (uint8_t)cat;
	e->len = (uint8_t)n;
	e->who = who;
	e->count = 1;
	memcpy(e->s, t, n + 1);
	e->next = c->ev[h];
	c->ev[h] = e;
	c->nev++;
}

/* Puts e in its bucket, or adds its count to the entry of the same (host, cat, text) there. */
static void ev_reinsert(struct rp_col *c, struct rp_ev_entry *e)
{
	uint32_t h = ev_bucket(e->host, e->cat, e->s, e->len);
	for (struct rp_ev_entry *o = c->ev[h]; o; o = o->next)
		if (o->host == e->host && o->cat == e->cat && o->len == e->len && !memcmp(o->s, e->s, e->len)) {
			o->count = e->count > UINT32_MAX - o->count ? UINT32_MAX : o->count + e->count;
			free(e);
			c->nev--;
			return;
		}
	e->next = c->ev[h];
	c->ev[h] = e;
}

/*
 * After the pass: each entry goes to the host rp_ident_owner names and
 * entries of one (host, category, text) merge, oldest first, so that the
 * table reads as if keyed by host alone (the order the buckets' chains
 * had is kept for hosts that were not split).
 */
void rp_ev_regroup(struct rp_col *c)
{
	struct rp_ev_entry *all = NULL, **tail = &all;
	for (size_t i = 0; i < RP_HASH; i++) {
		struct rp_ev_entry *rev = NULL;   /* the chain oldest first */
		for (struct rp_ev_entry *e = c->ev[i], *n; e; e = n) {
			n = e->next;
			e->next = rev;
			rev = e;
		}
		*tail = rev;
		while (*tail)
			tail = &(*tail)->next;
		c->ev[i] = NULL;
	}
	for (struct rp_ev_entry *e = all, *n; e; e = n) {
		n = e->next;
		e->host = rp_ident_owner(c, e->host, e->who);
		e->who = 0;
		ev_reinsert(c, e);
	}
}

void rp_pdns_add(struct rp_col *c, uint8_t family, const uint8_t *addr, const char *name)
{
	if (c->ev_fn && c->cur_f) {
		char a[64];
		decode_addr_str(family, addr, a, sizeof a);
		c->ev_fn(c->ev_ctx, &(struct rp_ev_event){ RP_EV_ANSWER, a, c->cur_f, c->cur_dir, c->cur_ns });
	}
	uint32_t h = fnv(fnv(2166136261u, &family, 1), addr, 16) & (RP_HASH - 1);
	for (struct rp_pdns_entry *e = c->pdns[h]; e; e = e->next)
		if (e->family == family && !memcmp(e->addr, addr, 16))
			return;  /* the first name seen stays */
	if (c->npdns >= RP_PDNS_MAX)
		return;
	struct rp_pdns_entry *e = calloc(1, sizeof *e);
	if (!e) {
		c->oom = true;
		return;
	}
	e->family = family;
	memcpy(e->addr, addr, 16);
	strncpy(e->name, name, sizeof e->name - 1);
	e->next = c->pdns[h];
	c->pdns[h] = e;
	c->npdns++;
}

const char *rp_pdns_name(const struct rp_col *c, uint8_t family, const uint8_t *addr)
{
	uint32_t h = fnv(fnv(2166136261u, &family, 1), addr, 16) & (RP_HASH - 1);
	for (const struct rp_pdns_entry *e = c->pdns[h]; e; e = e->next)
		if (e->family == family && !memcmp(e->addr, addr, 16))
			return e->name;
	return NULL;
}

uint32_t rp_ev_count(const struct rp_col *c, uint32_t host, unsigned cat, const char *s)
{
	size_t n = strlen(s);
	if (n >= RP_EV_LEN)
		n = RP_EV_LEN - 1;
	uint32_t h = ev_bucket(host, cat, s, n);
	for (const struct rp_ev_entry *e = c->ev[h]; e; e = e->next)
		if (e->host == host && e->cat == cat && e->len == n && !memcmp(e->s, s, n))
			return e->count;
	return 0;
}

void rp_ev_each(const struct rp_col *c, uint32_t host, unsigned cat,
		void (*fn)(void *ctx, const char *s, uint32_t count), void *ctx)
{
	for (size_t i = 0; i < RP_HASH; i++)
		for (const struct rp_ev_entry *e = c->ev[i]; e; e = e->next)
			if (e->host == host && e->cat == cat)
				fn(ctx, e->s, e->count);
}

static int ev_by_count(const void *a, const void *b)
{
	const struct rp_ev_entry *x = *(const struct rp_ev_entry *const *)a;
	const struct rp_ev_entry *y = *(const struct rp_ev_entry *const *)b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->s, y->s);
}

uint64_t rp_ev_total(const struct rp_col *c, uint32_t host, unsigned cat)
{
	uint64_t n = 0;
	for (size_t i = 0; i < RP_HASH; i++)
		for (const struct rp_ev_entry *e = c->ev[i]; e; e = e->next)
			if (e->host == host && e->cat == cat)
				n++;
	return n;
}

uint64_t rp_ev_top_count(const struct rp_col *c, uint32_t host, unsigned cat)
{
	uint64_t best = 0;
	for (size_t i = 0; i < RP_HASH; i++)
		for (const struct rp_ev_entry *e = c->ev[i]; e; e = e->next)
			if (e->host == host && e->cat == cat && e->count > best)
				best = e->count;
	return best;
}

size_t rp_ev_join(const struct rp_col *c, uint32_t host, unsigned cat, unsigned max, char *buf, size_t len)
{
	const struct rp_ev_entry *top[64];
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < RP_HASH && n < 64; i++)
		for (const struct rp_ev_entry *e = c->ev[i]; e && n < 64; e = e->next)
			if (e->host == host && e->cat == cat)
				top[n++] = e;
	qsort(top, n, sizeof *top, ev_by_count);
	size_t used = 0;
	for (size_t i = 0; i < n && i < max; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", top[i]->s);
		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = 0;
			break;
		}
		used += (size_t)w;
	}
	return n;
}

bool rp_starts_ci(const uint8_t *p, size_t n, const char *word)
{
	for (size_t i = 0; word[i]; i++) {
		if (i >= n)
			return false;
		uint8_t a = p[i], b = (uint8_t)word[i];
		if (a >= 'a' && a <= 'z')
			a = (uint8_t)(a - 32);
		if (b >= 'a' && b <= 'z')
			b = (uint8_t)(b - 32);
		if (a != b)
			return false;
	}
	return true;
}

size_t rp_line(const uint8_t *p, size_t n)
{
	const uint8_t *cr = memchr(p, '\r', n), *lf = memchr(p, '\n', cr ? (size_t)(cr - p) : n);
	return lf ? (size_t)(lf - p) : cr ? (size_t)(cr - p) : n;
}

const char *rp_col_flow_app(const struct rp_col *c, const struct flow *f)
{
	if (!f->user || f->user > c->nflows || !c->flows[f->user - 1].app)
		return NULL;
	return rp_app_name(c->flows[f->user - 1].app);
}

/*
 * The records' pages made ahead.  A new page of the records array costs
 * the thread that first writes it a page fault and the page's zeroing:
 * some 50,000 of them on a capture of two million flows, on the flow
 * stage, the pass's slower thread.  The pass's other thread makes them
 * present first when it has time (run_sub.side; MADV_POPULATE_WRITE
 * writes no data), up to REC_AHEAD bytes past the records made, which
 * the flow stage publishes every REC_MARK records.  The array moves only
 * while the flow stage holds rec_mu (growth), which the other thread
 * holds while it makes pages (REC_STEP bytes at a time, so growth waits
 * little).  Without a reader thread, or on a kernel without the advice,
 * the flow stage takes the faults itself as before.
 */
#define REC_AHEAD (1u << 20)
#define REC_STEP (256u << 10)
#define REC_MARK 4096

/* The flow stage: how much of the array the other thread may make present now. */
static void rec_publish(struct rp_col *c)
{
	size_t want = c->nflows * sizeof *c->flows + REC_AHEAD, cap = c->cap * sizeof *c->flows;
	atomic_store_explicit(&c->rec_goal, want < cap ? want : cap, memory_order_relaxed);
}

static bool rec_pending(struct rp_col *c)
{
	return atomic_load_explicit(&c->rec_made, memory_order_relaxed) <
	       atomic_load_explicit(&c->rec_goal, memory_order_relaxed);
}

/* The other thread: makes the next REC_STEP bytes of the goal present; false when none were due. */
static bool rec_make(struct rp_col *c)
{
	if (!rec_pending(c) || pthread_mutex_trylock(&c->rec_mu))
		return false;   /* nothing due, or the array is moving: later */
	size_t made = atomic_load_explicit(&c->rec_made, memory_order_relaxed);
	size_t goal = atomic_load_explicit(&c->rec_goal, memory_order_relaxed);   /* <= the array's size */
	if (made >= goal) {   /* the other caller (side work runs on either thread) did it meanwhile */
		pthread_mutex_unlock(&c->rec_mu);
		return false;
	}
	size_t end = goal - made > REC_STEP ? made + REC_STEP : goal;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), lo = ((uintptr_t)c->flows + made) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)c->flows + end + page - 1) & ~(page - 1);
	if (madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) && errno == EINVAL)
		end = SIZE_MAX;   /* no such advice here: the flow stage faults as before */
	atomic_store_explicit(&c->rec_made, end, memory_order_relaxed);
	pthread_mutex_unlock(&c->rec_mu);
	return true;
}

/* Room for one more record: false out of memory. */
static bool rec_room(struct rp_col *c)
{
	if (c->nflows < c->cap)
		return true;
	size_t nc = c->cap ? c->cap + c->cap / 2 : 4096;
	pthread_mutex_lock(&c->rec_mu);   /* the other thread may be making pages of it */
	struct rp_flow *nv = realloc(c->flows, nc * sizeof *nv);
	if (nv) {
		c->flows = nv;
		c->cap = nc;
	}
	pthread_mutex_unlock(&c->rec_mu);
	if (!nv) {
		c->oom = true;
		return false;
	}
	rec_publish(c);
	return true;
}

/* The record of f, created on its first packet (f->user = index + 1). */
static struct rp_flow *flow_rec(struct rp_col *c, const struct run *r, const struct flow *f)
{
	if (f->user)
		return &c->flows[f->user - 1];
	if (!c->nflows) {  /* record bytes stay where they are until the capture is closed */
		c->dpi_in_place = cap_stable_data(r->cap);
		rp_dpi_begin(c, r);
	}
	if (!rec_room(c))
		return NULL;
	if (c->nflows % REC_MARK == 0)
		rec_publish(c);
	struct rp_flow *rf = &c->flows[c->nflows++];
	memset(rf, 0, sizeof *rf);
	((struct flow *)f)->user = (uint32_t)c->nflows;  /* the field is the subscribers' */
	rf->t0 = (float)run_rel(r, f->first_ns);
	rf->first_payload = -1;
	rf->proto = f->proto;
	rf->sport = f->orig_p;
	rf->dport = f->resp_p;
	for (int w = 0; w < 2; w++)
		rf->h[w] = hosttab_flow_index(r->hosts, f, w);
	return rf;
}

static const struct rp_proto *proto_of(unsigned app)
{
	for (size_t i = 0; i < rp_nprotos; i++)
		if (rp_protos[i]->app == app)
			return rp_protos[i];
	return NULL;
}

/*
 * Keeps small datagrams between high ports of each unrecognised UDP flow,
 * spread over its life by storm_pick (rf->ov_sampled counts them): the
 * samples vote for a Storm key, and each flow with a sample that decodes
 * under it is marked (analysis/storm.c; STORM_SAMPLES in all).
 */
static void ov_sample(struct rp_col *c, struct rp_flow *rf, const struct pkt *p, const struct flow *f)
{
	if (!storm_candidate(p) || !storm_pick(f->pkts[0] + f->pkts[1], rf->ov_sampled))
		return;
	int rc = storm_samples_add(&c->ov, p, (uint32_t)(f->user - 1));
	if (rc < 0)
		c->oom = true;
	rf->ov_sampled += rc > 0;
}

/*
 * A later datagram of a UDP flow no parser has claimed is offered to the
 * parsers again when it is number 4, 8, 16, ... of its direction, up to
 * RP_UDP_LATER more per direction: a long-lived flow whose first datagrams
 * were retries or noise is still recognised by what it says later, at a
 * cost of a few parser calls per flow.
 */
#define RP_UDP_LATER 8

static bool udp_later(const struct rp_flow *rf, const struct flow *f, int dir)
{
	unsigned j = rf->seen[dir] - RP_UNKNOWN_PKTS;   /* later datagrams offered so far */
	return j < RP_UDP_LATER && f->pkts[dir] >= (uint64_t)RP_UNKNOWN_PKTS << (j + 1);
}

static void on_packet(void *ctx, const struct run *r, const struct pkt *p, const struct flow *f, int dir)
{
	struct rp_col *c = ctx;
	if (!f) {
		if (p->ethertype == 0x0806 && p->arp.op) {
			rp_arp_packet(c, p, (float)run_rel(r, p->ts_ns));
			rp_ident_arp(c, r, p, (float)run_rel(r, p->ts_ns));
		}
		return;
	}
	struct rp_flow *rf = flow_rec(c, r, f);
	if (!rf)
		return;
	if ((dir == 0 || dir == 1) && f->pkts[dir] == 1)
		rp_ident_first(c, rf, dir, p, (float)run_rel(r, p->ts_ns));
	if (!p->payload_len)   /* before the record is read: a cache miss per packet otherwise */
		return;
	rp_dpi_packet(c, rf, p, f->user - 1);
	if (dir < 0 || dir > 1)
		return;
	float now = (float)run_rel(r, p->ts_ns);
	if (f->proto == 6 || f->proto == 17)
		timing(rf, dir, now);
	if (!p->payload || !p->payload_caplen)
		return;

	const struct rp_proto *pr = rf->app ? proto_of(rf->app) : NULL;
	unsigned limit = pr ? pr->max_pkts : RP_UNKNOWN_PKTS;
	bool udp_none = !pr && f->proto == 17;
	if ((rf->seen[dir] >= limit && !(udp_none && udp_later(rf, f, dir))) || (rf->done >> dir & 1) ||
	    rf->refused) {
		if (udp_none)
			ov_sample(c, rf, p, f);
		return;
	}
	rf->seen[dir]++;
	struct rp_seg s = { .p = p->payload, .n = p->payload_caplen, .wire = p->payload_len, .dir = dir,
			    .t = now, .f = f, .idx = f->user - 1, .seq = p->seq, .tcp_flags = p->tcp_flags };
	c->cur_f = f;
	c->cur_dir = dir;
	c->cur_ns = p->ts_ns;
	if (pr) {
		pr->inspect(c, rf, &s);
		c->cur_f = NULL;
		return;
	}
	for (size_t i = 0; i < rp_nprotos; i++)
		if (rp_protos[i]->inspect(c, rf, &s)) {
			rf->app = rp_protos[i]->app;
			c->cur_f = NULL;
			return;
		}
	c->cur_f = NULL;
	if (f->proto == 17)
		ov_sample(c, rf, p, f);
}

static void on_flow_end(void *ctx, const struct run *r, const struct flow *f)
{
	struct rp_col *c = ctx;
	struct rp_flow *rf = flow_rec(c, r, f);
	if (!rf)
		return;
	rf->t1 = (float)run_rel(r, f->last_ns);
	rp_ident_flow_end(c, rf, f);
	const struct rp_proto *pr = rf->app ? proto_of(rf->app) : NULL;
	if (pr && pr->flow_end) {
		c->cur_f = f;   /* a parser may still find something as it closes (libhtp) */
		c->cur_dir = -1;
		c->cur_ns = f->last_ns;
		pr->flow_end(c, rf, f->user - 1);
		c->cur_f = NULL;
	}
	rp_dpi_flow_end(c, rf, f->user - 1);
	for (int d = 0; d < 2; d++) {
		rf->pkts[d] = f->pkts[d] > UINT32_MAX ? UINT32_MAX : (uint32_t)f->pkts[d];
		rf->bytes[d] = f->payload[d] > UINT32_MAX ? UINT32_MAX : (uint32_t)f->payload[d];
	}
	if (f->proto == 6) {
		if (f->tcp[1] & TCPF_SYNACK)
			rf->facts |= RPF_TCP_EST;
		else if ((f->tcp[0] & TCPF_SYN) && !f->pkts[1] && !f->payload[0])
			rf->facts |= RPF_TCP_SYNONLY;
		if (!(f->tcp[0] & TCPF_SYN) && !(f->tcp[1] & TCPF_SYNACK) && f->payload[0] && f->payload[1])
			rf->facts2 |= RPF2_MIDSTREAM;
		if (f->payload[0] && f->payload[1])   /* a conversation: established, handshake seen or not */
			rf->facts |= RPF_TCP_EST;
		/* backscatter: the responder answers (SYN-ACK) a SYN the originator never sent, and the
		 * originator at most resets; or the originator's first word is a RST, nobody sent a SYN */
		bool quiet = !f->payload[0] && !f->payload[1] && !(f->tcp[0] & (TCPF_SYN | TCPF_SYNACK));
		if (quiet && (f->tcp[1] & TCPF_SYNACK) && !(f->tcp[0] & TCPF_ACK))
			rf->facts |= RPF_TCP_BACKSCATTER;
		else if (quiet && (f->tcp[0] & TCPF_RST) && !(f->tcp[1] & (TCPF_SYN | TCPF_SYNACK)))
			rf->facts |= RPF_TCP_BACKSCATTER;
	}
}

/* The flow may end shortly: its record's lines, which on_flow_end reads, are fetched meanwhile. */
static void on_flow_soon(void *ctx, const struct flow *f)
{
	const struct rp_col *c = ctx;
	if (!f->user || f->user > c->nflows)
		return;
	const char *rf = (const char *)&c->flows[f->user - 1];
	__builtin_prefetch(rf, 1);   /* every line of the record: points less than a line apart */
	__builtin_prefetch(rf + sizeof(struct rp_flow) / 2, 1);
	__builtin_prefetch(rf + sizeof(struct rp_flow) - 1, 1);
	for (int d = 0; d < 2; d++)   /* the senders' identity records (rp_ident_flow_end) */
		if (f->pkts[d] > 1 && f->host[d] && f->host[d] <= c->nident)
			__builtin_prefetch(&c->ident[f->host[d] - 1], 1);
}

void rp_col_on_ev(struct rp_col *c, void (*fn)(void *ctx, const struct rp_ev_event *e), void *ctx)
{
	c->ev_fn = fn;
	c->ev_ctx = ctx;
}

/* Side work for the pass's other thread (run_sub.side): nDPI's jobs, the records' next pages. */
static bool col_side(void *ctx)
{
	struct rp_col *c = ctx;
	bool did = c->dt && rp_dpi_side(c);
	return rec_make(c) || did;
}

static bool col_side_ready(void *ctx)
{
	struct rp_col *c = ctx;
	return (c->dt && rp_dpi_side_ready(c)) || rec_pending(c);
}

/* The pass is over: nDPI's thread, which may read record bytes in place, ends now. */
static void on_end(void *ctx, const struct run *r)
{
	(void)r;
	rp_dpi_join(ctx);
}

struct run_sub rp_col_sub(struct rp_col *c)
{
	return (struct run_sub){ .ctx = c, .packet = on_packet, .flow_end = on_flow_end, .end = on_end,
				 .flow_soon = on_flow_soon,
				 .payload = true, .side = col_side, .side_ready = col_side_ready };
}
