/*
 * dpi_thread.c - the collector's side of nDPI: its messages to the worker
 * (dpi_work.h), in the collector's thread or, with rp_col_dpi(c, true),
 * on another thread, so that nDPI's dissectors (~2 us a packet on
 * traffic it cannot name) leave the flow stage, the report's bottleneck.
 * When the pass has a reader thread, W's work is the pass's side work
 * (run_sub.side, DT_SIDE): done under a try-lock by whichever of the two
 * threads has time (the reader while the flow stage is behind; C while it
 * waits for batches, or instead of waiting for room in W's queue): a
 * third thread on two cores costs wake-ups and a core shared three ways.
 * Otherwise (one thread, a stream, a collector fed outside a pass) W is a
 * worker thread of its own (DT_THREAD).  The worker thread starts with the
 * collector and makes nDPI (~20 ms) while the pass begins; at the pass's
 * first packet C says which it is (rp_dpi_begin), and with DT_SIDE the
 * worker ends.  The messages, the rings and the results are the same
 * either way.
 *
 * Threaded, two single-producer single-consumer rings join the collector
 * (C) and the worker (W):
 *
 *   C --jobs: [dw_msg | IP bytes] ... (DQ_BYTES, variable length)--> W
 *   C <--verdicts: dw_verdict ... (DQ_VERDICTS entries)------------- W
 *
 * A packet's IP bytes are copied (the capture's window moves on).  C stops
 * sending a flow's packets once its verdict is back (rp_flow.dpi); W
 * decides everything from the messages in their order, so the results do
 * not depend on how late C learns a verdict (dpi_work.h).
 *
 * Waiting: each side spins briefly, then sleeps on the condition variable
 * after announcing it (w_sleep: W wants jobs; w_full: W wants verdict
 * room; c_wait: C wants job room, verdicts or the end); the other side
 * signals only when the flag is set, and C wakes a W that wants jobs only
 * once DQ_WAKE jobs are queued (or at the end), so W runs in bursts
 * instead of once per packet (DT_THREAD; with DT_SIDE nobody sleeps for
 * jobs: a reader sleeping for room takes them when it gets room, and C
 * takes them itself rather than wait).  Sequentially consistent stores and loads
 * of the indexes and flags (the Dekker pattern, as engine/run.c) mean a
 * wake-up cannot be lost.  C drains verdicts before sending a packet of a
 * running flow and whenever it waits, so neither side can wait for the
 * other forever.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dpi_work.h"
#include "analysis/report-int.h"

#define DQ_BYTES (1u << 20)       /* job ring; a job is at most 24 + 65,535 bytes */
#define DQ_VERDICTS 4096u
#define DQ_WAKE 256               /* jobs queued before a sleeping worker is woken */
#define DQ_PUBLISH 8              /* jobs written before they are published */
#define DQ_SPIN 200
#define DQ_LAG (8u << 20)          /* capture bytes W may read in place behind C (< SRC_LAG less
                                      the flow stage's ring, capture/source.h) */

enum { DPI_NONE, DPI_RUNNING, DPI_DONE, DPI_REFUSED };  /* rp_flow.dpi */
_Static_assert((int)DPI_DONE == (int)DWV_DONE && (int)DPI_REFUSED == (int)DWV_REFUSED, "verdict states are rp_flow.dpi's");

enum { DT_UNDECIDED, DT_THREAD, DT_SIDE };   /* dpi_thread.mode: who is W */

struct dpi_thread {
	_Alignas(64) atomic_size_t head;  /* job bytes written: C */
	_Alignas(64) atomic_size_t tail;  /* job bytes taken: W */
	_Alignas(64) atomic_uint vhead;   /* verdicts written: W */
	_Alignas(64) atomic_uint vtail;   /* verdicts taken: C */
	/* C's own: what it queued, what it last saw of W */
	_Alignas(64) size_t c_head, c_tail; /* jobs queued (head: those published); W's tail */
	unsigned pending, unpub;          /* jobs since W was last woken; not yet published */
	uintptr_t c_ip, c_wip;            /* the packet in place it wants to queue; W's w_ip */
	_Alignas(64) atomic_uintptr_t w_ip;  /* W: the last packet in place it took */
	_Alignas(64) atomic_bool w_sleep, w_full, c_wait, finished;
	atomic_int mode;                  /* DT_*: set once by C at the pass's first packet */
	atomic_flag wlock;                /* DT_SIDE: held by the thread doing W's work */
	atomic_bool inited;               /* W's nDPI is made (by the worker thread, at once) */
	const struct run *run;            /* the pass whose reader is W (DT_SIDE) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;                     /* W's, DT_THREAD */
	struct dpi *d;                    /* W's until joined */
	struct dpi_work *w;
	struct dw_verdict v[DQ_VERDICTS];
	_Alignas(64) uint8_t buf[DQ_BYTES];
};

static void wake(struct dpi_thread *t)
{
	pthread_mutex_lock(&t->mu);
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

/* Waits until ready(t) holds, announcing it in *flag before sleeping. */
static void wait_for(struct dpi_thread *t, atomic_bool *flag, bool (*ready)(struct dpi_thread *))
{
	for (int i = 0; i < DQ_SPIN; i++) {
		if (ready(t))
			return;
		__builtin_ia32_pause();
	}
	pthread_mutex_lock(&t->mu);
	atomic_store(flag, true);
	while (!ready(t))
		pthread_cond_wait(&t->cv, &t->mu);
	atomic_store(flag, false);
	pthread_mutex_unlock(&t->mu);
}

static bool has_jobs(struct dpi_thread *t)
{
	return atomic_load(&t->head) != atomic_load(&t->tail);
}

static bool verdict_room(struct dpi_thread *t)
{
	return atomic_load(&t->vhead) - atomic_load(&t->vtail) < DQ_VERDICTS;
}

static size_t job_size(const struct dw_msg *m)
{
	size_t n = sizeof *m + (m->len == DW_NOIP || m->ip ? 0 : m->len);
	return (n + 7) & ~(size_t)7;
}

/* W: hands verdict v to C (waits while the ring is full). */
static void put_verdict(struct dpi_thread *t, const struct dw_verdict *v)
{
	if (!verdict_room(t)) {
		if (atomic_load(&t->c_wait))
			wake(t);
		wait_for(t, &t->w_full, verdict_room);
	}
	unsigned h = atomic_load(&t->vhead);
	t->v[h % DQ_VERDICTS] = *v;
	atomic_store(&t->vhead, h + 1);
}

/*
 * W: takes the jobs queued now; false on DW_STOP.  A reader doing W's work
 * (side) never waits for verdict room (the collector may be waiting for
 * the reader's batches): it stops when the verdict ring is full instead.
 */
static bool take_jobs(struct dpi_thread *t, bool side)
{
	size_t tl = atomic_load(&t->tail), hd = atomic_load(&t->head);
	bool go = true;
	while (go && tl != hd) {
		if (side && !verdict_room(t))
			break;
		size_t off = tl % DQ_BYTES;
		struct dw_msg m;
		if (DQ_BYTES - off < sizeof m) {
			tl += DQ_BYTES - off;   /* too little room for a header: wrapped */
			continue;
		}
		memcpy(&m, t->buf + off, sizeof m);
		if (m.kind == DW_PAD) {
			tl += DQ_BYTES - off;
			continue;
		}
		struct dw_verdict v = { .idx = m.idx, .state = DWV_REFUSED };
		const uint8_t *ip = m.len == DW_NOIP ? NULL : m.ip ? m.ip : t->buf + off + sizeof m;
		if (m.kind == DW_STOP)
			go = false;
		else if (t->w ? dw_take(t->w, &m, ip, &v) : m.kind == DW_FIRST)
			put_verdict(t, &v);   /* without a worker (out of memory) every flow is refused */
		if (m.ip)
			atomic_store(&t->w_ip, (uintptr_t)m.ip);
		tl += job_size(&m);
		atomic_store(&t->tail, tl);
	}
	if (atomic_load(&t->c_wait))   /* once the queue is taken: C waits for W to catch up */
		wake(t);
	return go;
}

/* W's nDPI (its tables take ~20 ms to build). */
static void w_init(struct dpi_thread *t)
{
	t->d = dpi_new();   /* NULL: every flow is refused, uncounted, as without nDPI */
	if (t->d && !(t->w = dw_new(t->d))) {
		dpi_free(t->d);
		t->d = NULL;
	}
	if (!t->w)
		t->w = dw_new(NULL);
}

static bool inited(struct dpi_thread *t)
{
	return atomic_load(&t->inited);
}

static bool decided(struct dpi_thread *t)
{
	return atomic_load(&t->mode) != DT_UNDECIDED;
}

/*
 * The worker thread, started with the collector: it makes nDPI while the
 * pass begins, then, once C has said who W is (rp_dpi_begin), ends (the
 * reader is W) or serves the jobs.
 */
static void *worker(void *arg)
{
	struct dpi_thread *t = arg;
	w_init(t);
	atomic_store(&t->inited, true);
	if (atomic_load(&t->c_wait))   /* C waits for nDPI before it takes jobs itself */
		wake(t);
	wait_for(t, &t->w_sleep, decided);
	if (atomic_load(&t->mode) == DT_SIDE)
		return NULL;
	do
		wait_for(t, &t->w_sleep, has_jobs);
	while (take_jobs(t, false));
	atomic_store(&t->finished, true);
	if (atomic_load(&t->c_wait))
		wake(t);
	return NULL;
}

/*
 * DT_SIDE: W's work queued so far, by whichever thread asks first: the
 * reader in its spare time, or C instead of waiting for the reader.  The
 * jobs are taken in order whoever takes them.  False when there is none,
 * no verdict room, or the other thread is at it.
 */
static bool side_take(struct dpi_thread *t)
{
	if (atomic_load(&t->mode) != DT_SIDE || !inited(t) || !has_jobs(t) || !verdict_room(t))
		return false;
	if (atomic_flag_test_and_set(&t->wlock))
		return false;
	take_jobs(t, true);
	atomic_flag_clear(&t->wlock);
	return true;
}

/* C: W's work done here if it can be (DT_SIDE), else waits until ready(t). */
static void c_wait_for(struct dpi_thread *t, bool (*ready)(struct dpi_thread *))
{
	if (atomic_load(&t->mode) == DT_SIDE && !inited(t))
		wait_for(t, &t->c_wait, inited);   /* nDPI's tables are being made */
	if (!side_take(t))
		wait_for(t, &t->c_wait, ready);
}

/* ---- the collector's side ---- */

static void apply(struct rp_flow *rf, const struct dw_verdict *v)
{
	rf->dpi = v->state;
	rf->ndpi_master = v->master;
	rf->ndpi_app = v->app;
	rf->risk = v->risk;
	rf->dpi_pkts = v->pkts;
}

/* C: takes the verdicts W gave into their flows' records. */
static void drain(struct rp_col *c)
{
	struct dpi_thread *t = c->dt;
	unsigned tl = atomic_load(&t->vtail), hd = atomic_load(&t->vhead);
	if (tl == hd)
		return;
	bool full = hd - tl >= DQ_VERDICTS;
	for (; tl != hd; tl++) {
		const struct dw_verdict *v = &t->v[tl % DQ_VERDICTS];
		if (v->idx < c->nflows)
			apply(&c->flows[v->idx], v);
	}
	atomic_store(&t->vtail, tl);
	if (atomic_load(&t->w_full))
		wake(t);
	if (full && atomic_load(&t->mode) == DT_SIDE)
		run_side_wake(t->run);   /* a reader that stopped for verdict room */
}

/* C: makes the jobs queued so far visible to W; wakes W when it sleeps and
 * DQ_WAKE jobs wait (or now). */
static void publish(struct dpi_thread *t, bool now)
{
	atomic_store(&t->head, t->c_head);
	t->unpub = 0;
	if (t->pending < DQ_WAKE && !now)
		return;
	if (atomic_load(&t->mode) == DT_SIDE) {
		/* no wake-up: a reader that sleeps waits for room, and takes the jobs when it gets
		 * some (the flow stage is behind); C takes them itself rather than wait (c_wait_for) */
		t->pending = 0;
	} else if (atomic_load(&t->w_sleep)) {
		t->pending = 0;
		wake(t);
	}
}

static bool c_can_go(struct dpi_thread *t)
{
	return atomic_load(&t->vhead) != atomic_load(&t->vtail) || atomic_load(&t->finished) ||
	       DQ_BYTES - (t->c_head - atomic_load(&t->tail)) >= 2 * (sizeof(struct dw_msg) + 65536);
}

/* C: true when need bytes are free in the job ring (W's tail read only when the cached one says no). */
static bool room(struct dpi_thread *t, size_t need)
{
	if (DQ_BYTES - (t->c_head - t->c_tail) >= need)
		return true;
	t->c_tail = atomic_load(&t->tail);
	return DQ_BYTES - (t->c_head - t->c_tail) >= need;
}

/* True when W is at most DQ_LAG capture bytes behind the packet C wants to queue. */
static bool w_close(struct dpi_thread *t)
{
	if (t->c_ip - t->c_wip <= DQ_LAG)
		return true;
	t->c_wip = atomic_load(&t->w_ip);
	return atomic_load(&t->tail) == t->c_head || t->c_ip - t->c_wip <= DQ_LAG ||
	       atomic_load(&t->vhead) != atomic_load(&t->vtail);
}

/*
 * C: W reads packets in place behind C; pages more than SRC_LAG behind
 * the reader are given back (capture/source.c), and touching them again
 * would fault them in for good (RSS).  C waits for W to come within
 * DQ_LAG of packet ip.
 */
static void keep_close(struct rp_col *c, const uint8_t *ip)
{
	struct dpi_thread *t = c->dt;
	t->c_ip = (uintptr_t)ip;
	while (!w_close(t)) {
		publish(t, true);
		c_wait_for(t, w_close);
		drain(c);
	}
}

/*
 * C: queues message m (with m->len bytes of ip unless m->ip points to
 * them); waits while the ring is full.  Jobs are published DQ_PUBLISH at
 * a time (one fenced store for several), and before any wait.
 */
static void push(struct rp_col *c, const struct dw_msg *m, const uint8_t *ip, bool now)
{
	struct dpi_thread *t = c->dt;
	if (m->ip)
		keep_close(c, m->ip);
	size_t size = job_size(m), off = t->c_head % DQ_BYTES;
	size_t waste = DQ_BYTES - off < size ? DQ_BYTES - off : 0;
	while (!room(t, waste + size)) {
		publish(t, true);
		c_wait_for(t, c_can_go);
		drain(c);
	}
	if (waste >= sizeof *m)
		memcpy(t->buf + off, &(struct dw_msg){ .kind = DW_PAD }, sizeof *m);
	off = (t->c_head + waste) % DQ_BYTES;
	memcpy(t->buf + off, m, sizeof *m);
	if (ip && !m->ip)
		memcpy(t->buf + off + sizeof *m, ip, m->len);
	t->c_head += waste + size;
	t->pending++;
	if (++t->unpub >= DQ_PUBLISH || now)
		publish(t, now);
}

bool rp_col_dpi(struct rp_col *c, bool thread)
{
	if (c->dpi || c->dt)
		return true;
	if (thread) {
		struct dpi_thread *t = aligned_alloc(64, sizeof *t);
		if (t) {   /* W is chosen at the pass's first packet (rp_dpi_begin) */
			memset(t, 0, sizeof *t);
			atomic_flag_clear(&t->wlock);
			pthread_mutex_init(&t->mu, NULL);
			pthread_cond_init(&t->cv, NULL);
			if (!pthread_create(&t->th, NULL, worker, t)) {
				c->dt = t;
				return true;
			}
			pthread_cond_destroy(&t->cv);
			pthread_mutex_destroy(&t->mu);
			free(t);
		}
	}
	if (!(c->dpi = dpi_new()))
		return false;
	if (!(c->dw = dw_new(c->dpi))) {
		dpi_free(c->dpi);
		c->dpi = NULL;
	}
	return c->dw != NULL;
}

/* Frees t (W gone). */
static void dt_free(struct dpi_thread *t)
{
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

/*
 * C, at the pass's first packet (r), or at its first message outside a
 * pass (NULL): W is the reader when the pass has one (run_side_thread),
 * else a thread of its own; without a thread, the collector's own.
 */
void rp_dpi_begin(struct rp_col *c, const struct run *r)
{
	struct dpi_thread *t = c->dt;
	if (!t || atomic_load(&t->mode) != DT_UNDECIDED)
		return;
	t->run = r;
	atomic_store(&t->mode, r && run_side_thread(r) ? DT_SIDE : DT_THREAD);
	wake(t);   /* the worker waits for it */
}

/* run_sub.side_ready: jobs for W, nDPI made, and room for their verdicts (else a reader would spin). */
bool rp_dpi_side_ready(void *ctx)
{
	struct dpi_thread *t = ((struct rp_col *)ctx)->dt;
	return t && atomic_load(&t->mode) == DT_SIDE && inited(t) && has_jobs(t) && verdict_room(t);
}

/* run_sub.side: W's work queued so far (from the reader, or from C while it waits for batches). */
bool rp_dpi_side(void *ctx)
{
	struct dpi_thread *t = ((struct rp_col *)ctx)->dt;
	return t && side_take(t);
}

/* Takes the worker's counters into the collector. */
static void stats(struct rp_col *c)
{
	struct dw_stats s = dw_stats(c->dw);
	c->dpi_refused = s.refused;
	c->dpi_inherited = s.inherited;
	c->oom |= s.oom;
}

/* C, after the pass (the reader is gone): the worker thread joined, W's work left done here. */
static void join_side(struct rp_col *c)
{
	struct dpi_thread *t = c->dt;
	pthread_join(t->th, NULL);
	atomic_store(&t->head, t->c_head);
	while (has_jobs(t)) {
		side_take(t);
		drain(c);
	}
	drain(c);
}

/* C, after the pass: the worker thread told to stop, every verdict taken, the thread joined. */
static void join_thread(struct rp_col *c)
{
	struct dpi_thread *t = c->dt;
	push(c, &(struct dw_msg){ .kind = DW_STOP }, NULL, true);
	for (;;) {
		bool fin = atomic_load(&t->finished);
		drain(c);
		if (fin)
			break;
		wait_for(t, &t->c_wait, c_can_go);
	}
	pthread_join(t->th, NULL);
}

void rp_dpi_join(struct rp_col *c)
{
	struct dpi_thread *t = c->dt;
	if (!t) {
		if (c->dw)
			stats(c);
		return;
	}
	int undecided = DT_UNDECIDED;   /* no packet: nothing queued, the worker may end */
	if (atomic_compare_exchange_strong(&t->mode, &undecided, DT_SIDE))
		wake(t);
	if (atomic_load(&t->mode) == DT_SIDE)
		join_side(c);
	else
		join_thread(c);
	c->dpi = t->d;
	c->dw = t->w;
	dt_free(t);
	c->dt = NULL;
	if (c->dw)
		stats(c);
}

/* Sends message m about rf (sync: takes its verdict at once). */
static void send(struct rp_col *c, struct rp_flow *rf, const struct dw_msg *m, const uint8_t *ip)
{
	struct dw_verdict v;
	if (c->dt)
		rp_dpi_begin(c, NULL);   /* a collector fed outside a pass: W on a thread of its own */
	if (c->dt)
		push(c, m, ip, false);
	else if (dw_take(c->dw, m, ip, &v))
		apply(rf, &v);
}

/*
 * Hands packet p of the flow at idx to nDPI while its detection runs.
 * Costs one byte test per packet once the flow is decided.  Never fails:
 * without memory or past the bounds the flow simply gets no nDPI name.
 */
void rp_dpi_packet(struct rp_col *c, struct rp_flow *rf, const struct pkt *p, uint32_t idx)
{
	if (rf->dpi >= DPI_DONE || !c->dw == !c->dt || !p->ip || !p->payload_len)
		return;   /* decided, no nDPI, or nothing to recognise (nDPI tracks TCP from the first data) */
	if (rf->dpi == DPI_RUNNING && c->dt) {
		drain(c);
		if (rf->dpi != DPI_RUNNING || rf->dpi_pkts >= DPI_MAX_PKTS)
			return;   /* its verdict is back, or on its way */
	}
	struct dw_msg m = { .idx = idx, .kind = rf->dpi == DPI_NONE ? DW_FIRST : DW_NEXT,
			    .len = p->ip_caplen > 0xffff ? DW_NOIP : p->ip_caplen, .ts_ns = p->ts_ns };
	if (m.kind == DW_FIRST) {
		m.host = rf->h[1];
		m.dport = rf->dport;
		m.proto = rf->proto;
		rf->dpi = DPI_RUNNING;
	}
	rf->dpi_pkts++;   /* C's count of what it sent; the verdict brings W's */
	const uint8_t *ip = m.len == DW_NOIP ? NULL : p->ip;
	if (c->dt && c->dpi_in_place)
		m.ip = ip;   /* valid until the capture is closed, after the pass's end (rp_dpi_join) */
	send(c, rf, &m, ip);
}

void rp_dpi_flow_end(struct rp_col *c, struct rp_flow *rf, uint32_t idx)
{
	if (rf->dpi == DPI_RUNNING && c->dt)
		drain(c);
	if (rf->dpi == DPI_RUNNING)
		send(c, rf, &(struct dw_msg){ .idx = idx, .kind = DW_END }, NULL);
}
