/*
 * run.h - one pass over one capture: records -> filter -> decode ->
 * flows -> hosts -> subscribers.
 *
 * Every consumer (the table commands, analyses, renderers) subscribes to
 * the same single pass with a struct run_sub: it sees each packet with
 * its flow and direction, and each flow when it ends.  Subscribers run in
 * the order given, in the caller's thread.  While run_loop() runs, the
 * capture, decoder and record counters belong to the reader (possibly
 * another thread): subscribers use the packets, flows and hosts they are
 * given, and read the counters after run_loop().  The run owns the capture, decoder, flow and host
 * tables; their counters are readable after run_loop() for summaries.
 */
#ifndef BOTLENS_RUN_H
#define BOTLENS_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "flow/flow.h"

#define RUN_EFILTER (-10)  /* the filter does not apply to a link type */

struct run;

struct run_sub {
	void *ctx;
	/* f is NULL for packets without an IP layer (then dir is -1). */
	void (*packet)(void *ctx, const struct run *r, const struct pkt *p, const struct flow *f, int dir);
	void (*flow_end)(void *ctx, const struct run *r, const struct flow *f);
	/* Optional hint: f may end shortly (the flow table's expiry walk nears
	 * it; flowtab_on_soon): fetch what flow_end will read.  Changes nothing. */
	void (*flow_soon)(void *ctx, const struct flow *f);
	/* Optional: the pass is over (every flow ended); the capture is still
	 * open, so a subscriber can finish with record bytes it kept. */
	void (*end)(void *ctx, const struct run *r);
	bool payload;               /* reads packets' payload: the pass prefetches it */
	/*
	 * flow_end may run in the reader thread, on a copy of the flow, in
	 * flow-end order, when the pass has one (run.c): for a subscriber that
	 * only writes ended flows out (`flows`), so the flow stage hands the
	 * formatting to the other core.  It must then read nothing but the
	 * flow, r's fields set before the pass, r->start_ns and r->last_ns.
	 */
	bool end_in_reader;
	/*
	 * Optional work the subscriber queues from its callbacks, done by
	 * whichever of the pass's two threads has time (run.c): side(ctx) is
	 * called by the reader between its batches while the flow stage is
	 * behind, when it is woken while waiting for room, and after the
	 * capture's end until the flow stage is done; and by the flow stage
	 * while it waits for batches.  Both threads may call it at once: the
	 * subscriber serializes the work (a try-lock); it returns true when it
	 * did some.  side_ready(ctx) says cheaply whether there is any.  The
	 * subscriber calls run_side_wake(r) so that a sleeping reader wakes
	 * for it.  Only when run_side_thread(r) is true (from the pass's first
	 * callback on) are the hooks ever called; otherwise the subscriber
	 * does the work itself or on a thread of its own.
	 */
	bool (*side)(void *ctx);
	bool (*side_ready)(void *ctx);
};

struct run_opts {
	enum cap_reader reader;
	const char *filter;         /* BPF, tcpdump syntax; NULL = all */
	struct flow_cfg flow;
	bool track_flows;
	bool track_hosts;           /* implies track_flows */
	bool hosts_light;           /* hosts with flow counts only: no distinct peers/ports, no
	                               per-packet counters (plots; less memory and time) */
	unsigned threads;           /* 1 = one thread; otherwise a reader thread when it helps */
	uint64_t count;             /* stop after this many matching packets (tcpdump -c); 0 = all */
	void (*progress)(void *ctx, const struct run *r);
	void *progress_ctx;
};

struct run_filter;
struct ring;

struct run {
	/* Set before the pass, then only read: the flow stage reads these per packet. */
	const char *path;
	struct cap *cap;
	struct flowtab *flows;
	struct hosttab *hosts;
	const struct run_opts *opts;
	const struct run_sub *subs;
	unsigned nsubs;
	bool payload;               /* a subscriber reads payload (run_sub.payload) */
	struct ring *defer;         /* while set, ended flows go to the reader thread (run.c) */
	struct ring *side;          /* while set, the reader thread runs subscribers' side work */
	int64_t start_ns;           /* first record's time: origin of relative times */
	/*
	 * Written by the reader per record.  With a reader thread (run.c) these
	 * must not share a cache line with the fields above, or every record
	 * would pull the flow stage's line away from it.
	 */
	_Alignas(64) struct decoder dec;
	uint64_t records;           /* read from the file */
	uint64_t matched;           /* passed the filter */
	uint64_t wire_bytes, cap_bytes;   /* of matched packets */
	int64_t first_ns, last_ns;  /* of matched packets */
	bool have_time;
	struct run_filter *filters;
	int status;                 /* CAP_EOF, or the error that ended the pass */
	char err[CAP_ERRLEN];
};

/* Opens the capture. Returns CAP_OK or an error with err filled. */
int run_open(struct run *r, const char *path, const struct run_opts *o, char *err, size_t errlen);
/* Reads to the end or the first error; ends all flows. Returns r->status. */
int run_loop(struct run *r, const struct run_sub *subs, unsigned nsubs);
void run_close(struct run *r);
/* Checks a filter's syntax (against Ethernet). False with err filled. */
bool run_filter_check(const char *filter, char *err, size_t errlen);
/* True when a reader thread runs the subscribers' side work in this pass (run_sub.side). */
bool run_side_thread(const struct run *r);
/* Wakes the reader thread if it sleeps (side work was queued); cheap when it does not. */
void run_side_wake(const struct run *r);
/* Seconds since the capture's first record. */
double run_rel(const struct run *r, int64_t ts_ns);

#endif
