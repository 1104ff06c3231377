/*
 * run.c - the one-pass pipeline (see run.h).
 *
 * BPF filters are compiled by libpcap once per link type met (pcapng
 * interfaces may differ) and run with pcap_offline_filter, exactly as
 * tcpdump -r applies them.
 */
#include "engine/run.h"

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run_filter {
	struct run_filter *next;
	int linktype;
	struct bpf_program prog;
};

static bool compile(const char *filter, int linktype, struct bpf_program *prog, char *err, size_t errlen)
{
	pcap_t *p = pcap_open_dead(linktype, 262144);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	bool ok = pcap_compile(p, prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (!ok)
		snprintf(err, errlen, "%s", pcap_geterr(p));
	pcap_close(p);
	return ok;
}

bool run_filter_check(const char *filter, char *err, size_t errlen)
{
	struct bpf_program prog;
	if (!compile(filter, DLT_EN10MB, &prog, err, errlen))
		return false;
	pcap_freecode(&prog);
	return true;
}

static void defer_end(struct ring *q, const struct flow *f);

static void subs_flow_end(struct run *r, const struct flow *f)
{
	for (unsigned i = 0; i < r->nsubs; i++)
		if (r->subs[i].flow_end)
			r->subs[i].flow_end(r->subs[i].ctx, r, f);
}

static void flow_soon(void *ctx, const struct flow *f)
{
	struct run *r = ctx;
	for (unsigned i = 0; i < r->nsubs; i++)
		if (r->subs[i].flow_soon)
			r->subs[i].flow_soon(r->subs[i].ctx, f);
}

static void flow_ended(void *ctx, const struct flow *f)
{
	struct run *r = ctx;
	if (r->defer)
		defer_end(r->defer, f);
	else
		subs_flow_end(r, f);
}

int run_open(struct run *r, const char *path, const struct run_opts *o, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->path = path;
	r->opts = o;
	r->status = CAP_EOF;
	decoder_init(&r->dec);
	struct cap_open_opts co = { .reader = o->reader };
	int rc = cap_open(&r->cap, path, &co, err, errlen);
	if (rc < 0)
		return rc;
	if (o->track_flows || o->track_hosts) {
		r->flows = flowtab_new(&o->flow, flow_ended, r);
		if (!r->flows) {
			snprintf(err, errlen, "out of memory");
			return CAP_ENOMEM;
		}
	}
	if (o->track_hosts && !(r->hosts = hosttab_new(o->flow.seed ^ 0x1234567ull, !o->hosts_light))) {
		snprintf(err, errlen, "out of memory");
		return CAP_ENOMEM;
	}
	return CAP_OK;
}

/* Returns 1 if the record passes the filter, 0 if not, -1 on error. */
static int filter_match(struct run *r, const struct cap_rec *rec)
{
	if (!r->opts->filter)
		return 1;
	struct run_filter *f = r->filters;
	while (f && f->linktype != rec->linktype)
		f = f->next;
	if (!f) {
		char perr[256];
		if (!(f = calloc(1, sizeof *f)))
			return -1;
		if (!compile(r->opts->filter, rec->linktype, &f->prog, perr, sizeof perr)) {
			free(f);
			snprintf(r->err, sizeof r->err, "filter does not apply to link type %d of '%s': %s",
				 rec->linktype, r->path, perr);
			r->status = RUN_EFILTER;
			return -1;
		}
		f->linktype = rec->linktype;
		f->next = r->filters;
		r->filters = f;
	}
	struct pcap_pkthdr h = { .caplen = rec->caplen, .len = rec->wirelen };
	return pcap_offline_filter(&f->prog, &h, rec->data) != 0;
}

/* Accounts one decoded packet to flows and hosts and hands it to subscribers. */
static bool packet(struct run *r, const struct pkt *p, bool ip, uint64_t h)
{
	struct flow *f = NULL;
	int dir = -1;
	if (ip && r->flows) {
		if (!(f = flowtab_update_hashed(r->flows, p, h, &dir)))
			return false;
		if (r->hosts && f->pkts[0] + f->pkts[1] == 1 && !hosttab_flow(r->hosts, f))
			return false;
	}
	/* Light hosts (plots) need flows per host, not per-packet counters. */
	if (ip && r->hosts && !r->opts->hosts_light &&
	    !(f ? hosttab_packet_flow(r->hosts, f, p, dir) : hosttab_packet(r->hosts, p)))
		return false;
	for (unsigned i = 0; i < r->nsubs; i++)
		if (r->subs[i].packet)
			r->subs[i].packet(r->subs[i].ctx, r, p, f, dir);
	return true;
}

static void count(struct run *r, const struct cap_rec *rec)
{
	r->matched++;
	r->wire_bytes += rec->wirelen;
	r->cap_bytes += rec->caplen;
	if (!r->have_time || rec->ts_ns < r->first_ns)
		r->first_ns = rec->ts_ns;
	if (!r->have_time || rec->ts_ns > r->last_ns)
		r->last_ns = rec->ts_ns;
	r->have_time = true;
}

/*
 * Batches.  A pass reads matching records and decodes them in batches;
 * the flow lookups of a batch then prefetch their buckets and flows a few
 * packets ahead (a lookup is one or two cache misses; overlapped, they
 * cost far less).  With a memory-mapped capture, whose record bytes stay
 * valid, a reader thread fills batches while the caller's thread runs
 * flows, hosts and subscribers (two cores, two stages).  Other inputs
 * (gzip, pipes, libpcap) hand over one record at a time in one thread.
 * Packets reach flows and subscribers in capture order either way.
 *
 * Handing packets between cores is what the two-thread pass pays for:
 * a packet's first cache line (struct pkt) moves from the reader's core
 * to the flow stage's, once.  Nothing either side writes per packet may
 * share a line with what the other reads (struct run keeps the reader's
 * counters apart), and the ring (32 batches, 2.2 MiB, about an L2) is
 * large enough that the reader rewrites slots the flow stage no longer
 * holds in its cache.
 */
#define RUN_BATCH 512
#define RUN_RING 32
#define RUN_AHEAD 8

struct batch {
	unsigned n;
	bool ip[RUN_BATCH];
	uint64_t h[RUN_BATCH];
	struct pkt p[RUN_BATCH];
};

/* Reads up to max matching records into b; sets *rc to the reader status. */
static void read_batch(struct run *r, struct batch *b, unsigned max, int *rc)
{
	struct cap_rec rec = { 0 };
	b->n = 0;
	while (b->n < max) {
		if (r->opts->count && r->matched >= r->opts->count) {
			*rc = CAP_EOF;   /* -c N: the pass ends as at the end of the file */
			break;
		}
		if ((*rc = cap_next(r->cap, &rec, r->err, sizeof r->err)) != CAP_OK)
			break;
		if (r->records++ == 0)
			r->start_ns = rec.ts_ns;
		if (r->opts->progress && (r->records & 0xffff) == 0)
			r->opts->progress(r->opts->progress_ctx, r);
		int m = filter_match(r, &rec);
		if (m < 0) {
			*rc = RUN_EFILTER;
			break;
		}
		if (m == 0)
			continue;
		count(r, &rec);
		unsigned n = b->n++;
		b->ip[n] = decode_packet(&r->dec, &rec, &b->p[n]);
		if (b->ip[n] && r->flows)
			b->h[n] = flowtab_hash(r->flows, &b->p[n]);
	}
}

/* Runs a batch through flows and subscribers. False when out of memory. */
static bool process_batch(struct run *r, const struct batch *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		/* The reader thread wrote these lines: fetch them before they are needed. */
		__builtin_prefetch(&b->p[i + RUN_AHEAD < b->n ? i + RUN_AHEAD : i]);
		if (r->payload && i + RUN_AHEAD / 2 < b->n && b->p[i + RUN_AHEAD / 2].payload)
			__builtin_prefetch(b->p[i + RUN_AHEAD / 2].payload);
		if (r->flows) {
			unsigned j = i + RUN_AHEAD, k = i + RUN_AHEAD / 2;
			if (j < b->n && b->ip[j])
				flowtab_prefetch(r->flows, b->h[j], 0);
			if (k < b->n && b->ip[k])
				flowtab_prefetch(r->flows, b->h[k], 1);
		}
		if (!packet(r, &b->p[i], b->ip[i], b->h[i])) {
			snprintf(r->err, sizeof r->err, "out of memory reading '%s'", r->path);
			return false;
		}
	}
	return true;
}

/* The single-threaded pass. Returns the final reader status. */
static int loop_serial(struct run *r, unsigned max)
{
	static _Thread_local struct batch b;
	int rc = CAP_OK;
	while (rc == CAP_OK) {
		read_batch(r, &b, max, &rc);
		if (!process_batch(r, &b))
			return CAP_ENOMEM;
	}
	return rc;
}

/*
 * Single-producer single-consumer ring of batches between two threads.
 * head (next to fill) is written only by the producer, tail (next to
 * drain) only by the consumer, both atomically.  A consumer that finds
 * the ring empty spins briefly, then sleeps on the condition variable
 * after announcing it in cons_waits; a producer that finds it full sleeps
 * at once until half of it is free (the flow stage is then the slower
 * stage: spinning would take a core from it, and waking the producer per
 * batch would cost it a system call per batch).  The other side signals
 * only when the flag is set (and, for the producer, half the ring free).  Sequentially consistent stores and loads of the index
 * and the flag (the Dekker pattern) mean a wake-up cannot be lost.
 */
#define RUN_ENDED 2048

struct ring {
	struct batch slot[RUN_RING];
	_Alignas(64) atomic_uint head;  /* each index on its own line: one writer each */
	_Alignas(64) atomic_uint tail;
	/* Ended flows (copies) going back to the reader thread (run_sub.end_in_reader):
	 * the flow stage writes ehead, whoever drains (the reader, or the flow
	 * stage once the reader is done) etail. */
	_Alignas(64) atomic_uint ehead;
	_Alignas(64) atomic_uint etail;
	_Alignas(64) struct flow ended[RUN_ENDED];  /* whole lines: a flow is three */
	atomic_bool done, stop;     /* producer finished; consumer wants it to stop */
	atomic_bool cons_done;      /* the flow stage is done: the reader's side work ends */
	bool side;                  /* a subscriber has side work for the reader (run_sub.side) */
	atomic_bool prod_waits, cons_waits;
	bool defer;                 /* subscribers' flow_end may run in the reader thread */
	_Alignas(64) atomic_flag dlock; /* held by the thread writing ended flows (lock_drain) */
	/* the flow stage's own, on a line of their own (written per ended flow):
	 * whether ended flows go to the reader now (defer_end) */
	_Alignas(64) bool defer_on;
	unsigned win_pkts, win_ended;
	unsigned c_etail;           /* etail as last read: read again only when that says full */
	_Alignas(64) char end_of_own;
	int rc;                     /* the producer's final status, set before done */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct run *r;
};

#define RUN_SPIN 2000

static void ring_wake(struct ring *q, atomic_bool *waits)
{
	if (atomic_load(waits)) {
		pthread_mutex_lock(&q->mu);
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
}

/* Waits until ready(q) holds, spinning first up to spin times; returns false if the other side ended. */
static bool ring_wait(struct ring *q, atomic_bool *waits, bool (*ready)(struct ring *), int spin)
{
	for (int i = 0; i < spin; i++) {
		if (ready(q))
			return true;
		__builtin_ia32_pause();
	}
	pthread_mutex_lock(&q->mu);
	atomic_store(waits, true);
	while (!ready(q))
		pthread_cond_wait(&q->cv, &q->mu);
	atomic_store(waits, false);
	pthread_mutex_unlock(&q->mu);
	return true;
}

static bool can_fill(struct ring *q)
{
	return atomic_load(&q->head) - atomic_load(&q->tail) < RUN_RING || atomic_load(&q->stop);
}

/* A producer that found the ring full waits until half of it is free. */
static bool can_refill(struct ring *q)
{
	return atomic_load(&q->head) - atomic_load(&q->tail) <= RUN_RING / 2 || atomic_load(&q->stop);
}

static bool can_drain(struct ring *q)
{
	return atomic_load(&q->head) != atomic_load(&q->tail) || atomic_load(&q->done);
}

/*
 * Ended flows for the reader thread.  The flow stage copies each ended
 * flow into q->ended (the lines are in its cache: the expiry walk
 * prefetched them) and the reader calls the subscribers between its
 * batches, so writing rows (a third of `flows` on a capture of short
 * flows) runs on the other core.  One thread drains at a time (dlock):
 * the reader between its batches; the flow stage when it writes a row
 * itself (defer_end), finds no room, or the reader is done.
 * A reader waiting for room in the batch ring also wakes when half of
 * q->ended is pending, so neither side can wait for the other for ever.
 */
static unsigned ended_pending(struct ring *q)
{
	return atomic_load(&q->ehead) - atomic_load(&q->etail);
}

static void drain_upto(struct ring *q, unsigned max)
{
	unsigned t = atomic_load(&q->etail), h = atomic_load(&q->ehead);
	if (t == h)
		return;   /* nothing pending: no write to the shared line, no room made */
	if (h - t > max)
		h = t + max;
	for (; t != h; t++) {
		subs_flow_end(q->r, &q->ended[t % RUN_ENDED]);
		if (t % 16 == 15)  /* room for the flow stage, without a shared-line write per flow */
			atomic_store_explicit(&q->etail, t + 1, memory_order_release);
	}
	atomic_store_explicit(&q->etail, t, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);  /* before reading cons_waits (Dekker) */
	ring_wake(q, &q->cons_waits);  /* a flow stage waiting for room (defer_end) */
}

static void drain_ended(struct ring *q)
{
	drain_upto(q, RUN_ENDED);
}

/* Takes the drainer's lock (one thread writes ended flows at a time: rows in order). */
static void lock_drain(struct ring *q)
{
	while (atomic_flag_test_and_set(&q->dlock))
		__builtin_ia32_pause();
}

static bool try_drain(struct ring *q)
{
	if (atomic_flag_test_and_set(&q->dlock))
		return false;
	drain_ended(q);
	atomic_flag_clear(&q->dlock);
	return true;
}

/*
 * The flow stage, waiting for a batch: a few of the pending rows itself
 * (the reader is then the slower stage), unless the reader is writing
 * them.  True when it wrote some.
 */
static bool drain_some(struct ring *q)
{
	if (!ended_pending(q) || atomic_flag_test_and_set(&q->dlock))
		return false;
	drain_upto(q, 32);
	atomic_flag_clear(&q->dlock);
	return true;
}

static bool ended_room(struct ring *q)
{
	return ended_pending(q) < RUN_ENDED || atomic_load(&q->done);
}

static bool can_refill_or_drain(struct ring *q)
{
	return can_refill(q) || ended_pending(q) >= RUN_ENDED / 2;
}

/*
 * Handing ended flows to the reader pays when many flows end per packet
 * (scans, floods, P2P: rows are a third of the work) and costs when few
 * do (long flows: the reader, reading and decoding, is then as busy as
 * the flow stage, and the copies cross cores for little).  The flow stage
 * measures it over windows of RUN_WINDOW packets and defers while at
 * least one flow ends per RUN_DEFER_RATIO packets; otherwise it writes a
 * flow's row itself, after any rows still pending, under the same lock.
 */
#define RUN_WINDOW (8 * RUN_BATCH)
#define RUN_DEFER_RATIO 10

static void defer_measure(struct ring *q, unsigned pkts)
{
	q->win_pkts += pkts;
	if (q->win_pkts < RUN_WINDOW)
		return;
	q->defer_on = q->win_ended * RUN_DEFER_RATIO >= q->win_pkts;
	q->win_pkts = q->win_ended = 0;
}

/* The flow stage: no room for entry h; the reader's etail is read only when the copy last read says so. */
static bool ended_full(struct ring *q, unsigned h)
{
	if (h - q->c_etail < RUN_ENDED)
		return false;
	q->c_etail = atomic_load(&q->etail);
	return h - q->c_etail >= RUN_ENDED;
}

static void defer_end(struct ring *q, const struct flow *f)
{
	q->win_ended++;
	if (!q->defer_on) {
		lock_drain(q);
		drain_ended(q);   /* pending rows first */
		subs_flow_end(q->r, f);
		atomic_flag_clear(&q->dlock);
		return;
	}
	unsigned h = atomic_load(&q->ehead);
	while (ended_full(q, h)) {
		/* Write some rows here unless the reader is writing them (it has left, or
		 * it is reading a batch: better than waiting for it), else wait for its room. */
		if (drain_some(q) || atomic_load(&q->done))
			continue;
		ring_wake(q, &q->prod_waits);
		ring_wait(q, &q->cons_waits, ended_room, RUN_SPIN);
	}
	q->ended[h % RUN_ENDED] = *f;
	/* Release, not sequentially consistent: an x86 xchg here drained the
	 * store buffer (the copy's lines, owned by the reader's core) per flow.
	 * The fence before a wake-up keeps the Dekker pattern (ring_wait). */
	atomic_store_explicit(&q->ehead, h + 1, memory_order_release);
	if (h % 64 == 63 && ended_pending(q) >= RUN_ENDED / 2) {
		atomic_thread_fence(memory_order_seq_cst);
		ring_wake(q, &q->prod_waits);
	}
}

/*
 * Side work (run_sub.side): what subscribers hand to the reader, so that
 * it goes to whichever of the two threads has time, instead of to a third
 * thread competing for two cores: the reader does it before a batch while
 * the flow stage is behind (half the ring full) and when woken while it
 * waits for room; the flow stage does it while it waits for batches.
 */
static bool side_work(struct ring *q)
{
	bool did = false;
	for (unsigned i = 0; i < q->r->nsubs; i++)
		if (q->r->subs[i].side)
			did |= q->r->subs[i].side(q->r->subs[i].ctx);
	return did;
}

static bool side_ready(struct ring *q)
{
	for (unsigned i = 0; i < q->r->nsubs; i++)
		if (q->r->subs[i].side_ready && q->r->subs[i].side_ready(q->r->subs[i].ctx))
			return true;
	return false;
}

/* What a reader waiting for room wakes for: room, rows to write, side work. */
static bool reader_may_go(struct ring *q)
{
	return (q->defer ? can_refill_or_drain(q) : can_refill(q)) || (q->side && side_ready(q));
}

static bool side_or_end(struct ring *q)
{
	return atomic_load(&q->cons_done) || side_ready(q);
}

bool run_side_thread(const struct run *r)
{
	return r->side != NULL;
}

void run_side_wake(const struct run *r)
{
	if (r->side)
		ring_wake(r->side, &r->side->prod_waits);
}

static void *producer(void *arg)
{
	struct ring *q = arg;
	int rc = CAP_OK;
	while (rc == CAP_OK) {
		if (q->defer)
			try_drain(q);
		if (q->side && atomic_load(&q->head) - atomic_load(&q->tail) >= RUN_RING / 2)
			side_work(q);
		if (!can_fill(q)) {  /* the flow stage is the slower: let it drain half the ring, then refill */
			ring_wait(q, &q->prod_waits, reader_may_go, 0);
			continue;
		}
		if (atomic_load(&q->stop))
			break;
		if (q->r->flows)
			flowtab_stock(q->r->flows);   /* the flow table's next block, faulted in here */
		unsigned h = atomic_load(&q->head);
		read_batch(q->r, &q->slot[h % RUN_RING], RUN_BATCH, &rc);
		atomic_store(&q->head, h + 1);
		ring_wake(q, &q->cons_waits);
	}
	q->rc = rc;
	atomic_store(&q->done, true);
	ring_wake(q, &q->cons_waits);
	while (q->side && !atomic_load(&q->cons_done))   /* side work until the flow stage is done */
		if (!side_work(q))
			ring_wait(q, &q->prod_waits, side_or_end, RUN_SPIN);
	return NULL;
}

/* Drains the ring in order; returns the final status. */
static int consume(struct ring *q)
{
	bool oom = false;
	for (;;) {
		while (q->side && !can_drain(q) && side_work(q))
			;   /* the reader is the slower: its side work meanwhile */
		while (q->defer && !can_drain(q) && drain_some(q))
			;   /* or rows it would write */
		ring_wait(q, &q->cons_waits, can_drain, RUN_SPIN);
		unsigned t = atomic_load(&q->tail);
		if (t == atomic_load(&q->head))
			break;  /* done and drained */
		if (!oom && !process_batch(q->r, &q->slot[t % RUN_RING])) {
			oom = true;
			atomic_store(&q->stop, true);
		}
		if (q->defer)
			defer_measure(q, q->slot[t % RUN_RING].n);
		atomic_store(&q->tail, t + 1);
		if (can_refill(q))  /* not before: a producer that waits wants half the ring */
			ring_wake(q, &q->prod_waits);
	}
	if (q->defer) {   /* done: the reader's last drain may still be ending */
		lock_drain(q);
		drain_ended(q);
		atomic_flag_clear(&q->dlock);
	}
	atomic_store(&q->cons_done, true);   /* the reader's side work ends */
	ring_wake(q, &q->prod_waits);
	return oom ? CAP_ENOMEM : q->rc;
}

/* True when every subscriber that wants ended flows takes them in the reader thread. */
static bool ends_in_reader(const struct run *r)
{
	bool any = false;
	for (unsigned i = 0; i < r->nsubs; i++) {
		if (r->subs[i].flow_end && !r->subs[i].end_in_reader)
			return false;
		any |= r->subs[i].flow_end != NULL;
	}
	return any;
}

/* The two-thread pass; falls back to the serial one if no thread can start. */
static int loop_threaded(struct run *r)
{
	struct ring *q = aligned_alloc(_Alignof(struct ring), sizeof *q);  /* packets are line-aligned */
	if (!q)
		return loop_serial(r, RUN_BATCH);
	memset(q, 0, sizeof *q);
	atomic_flag_clear(&q->dlock);
	q->r = r;
	q->defer = ends_in_reader(r);
	r->defer = q->defer ? q : NULL;
	for (unsigned i = 0; i < r->nsubs; i++)
		q->side |= r->subs[i].side != NULL;
	r->side = q->side ? q : NULL;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	pthread_t th;
	int rc;
	if (pthread_create(&th, NULL, producer, q) != 0) {
		r->defer = NULL;  /* no reader thread to take them */
		r->side = NULL;
		rc = loop_serial(r, RUN_BATCH);
	} else {
		rc = consume(q);
		pthread_join(th, NULL);
	}
	r->defer = NULL;
	r->side = NULL;
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
	return rc;
}

int run_loop(struct run *r, const struct run_sub *subs, unsigned nsubs)
{
	r->subs = subs;
	r->nsubs = nsubs;
	bool soon = false;
	for (unsigned i = 0; i < nsubs; i++) {
		r->payload |= subs[i].payload;
		soon |= subs[i].flow_soon != NULL;
	}
	if (r->flows)
		flowtab_on_soon(r->flows, soon ? flow_soon : NULL);
	int rc;
	if (!cap_stable_data(r->cap))
		rc = loop_serial(r, 1);
	else if (r->opts->threads == 1)
		rc = loop_serial(r, RUN_BATCH);
	else
		rc = loop_threaded(r);
	if (r->status != RUN_EFILTER)
		r->status = rc;
	if (r->flows)
		flowtab_flush(r->flows);
	for (unsigned i = 0; i < r->nsubs; i++)
		if (r->subs[i].end)
			r->subs[i].end(r->subs[i].ctx, r);
	return r->status;
}

void run_close(struct run *r)
{
	while (r->filters) {
		struct run_filter *n = r->filters->next;
		pcap_freecode(&r->filters->prog);
		free(r->filters);
		r->filters = n;
	}
	flowtab_free(r->flows);
	hosttab_free(r->hosts);
	decoder_free(&r->dec);
	cap_close(r->cap);
	r->flows = NULL;
	r->hosts = NULL;
	r->cap = NULL;
}

double run_rel(const struct run *r, int64_t ts_ns)
{
	return (double)(ts_ns - r->start_ns) / 1e9;
}
