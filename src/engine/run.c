/*
 * run.c - the one-pass pipeline (see run.h).
 *
 * BPF filters are compiled by libpcap once per link type met (pcapng
 * interfaces may differ) and run with pcap_offline_filter, exactly as
 * tcpdump -r applies them.
 */
#include "engine/run.h"

#include <pcap/pcap.h>
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

static void flow_ended(void *ctx, const struct flow *f)
{
	struct run *r = ctx;
	for (unsigned i = 0; i < r->nsubs; i++)
		if (r->subs[i].flow_end)
			r->subs[i].flow_end(r->subs[i].ctx, r, f);
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
	if (o->track_hosts && !(r->hosts = hosttab_new(o->flow.seed ^ 0x1234567ull))) {
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
	if (ip && r->hosts && !hosttab_packet(r->hosts, p))
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
 * Reads up to RUN_BATCH matching records and decodes them.  Batching lets
 * the flow lookups of a batch prefetch their buckets and flows together
 * (a lookup is one or two cache misses; overlapped, they cost far less).
 * Only readers whose record bytes stay valid across reads (mmap) batch;
 * the others hand over one record at a time.  Returns the count read;
 * *rc is set to the reader status that ended the batch.
 */
#define RUN_BATCH 16

struct batch {
	struct pkt p[RUN_BATCH];
	bool ip[RUN_BATCH];
	uint64_t h[RUN_BATCH];
};

static unsigned read_batch(struct run *r, struct batch *b, unsigned max, int *rc)
{
	unsigned n = 0;
	struct cap_rec rec;
	while (n < max && (*rc = cap_next(r->cap, &rec, r->err, sizeof r->err)) == CAP_OK) {
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
		b->ip[n] = decode_packet(&r->dec, &rec, &b->p[n]);
		if (b->ip[n] && r->flows) {
			b->h[n] = flowtab_hash(r->flows, &b->p[n]);
			flowtab_prefetch(r->flows, b->h[n], 0);
		}
		n++;
	}
	return n;
}

int run_loop(struct run *r, const struct run_sub *subs, unsigned nsubs)
{
	r->subs = subs;
	r->nsubs = nsubs;
	static _Thread_local struct batch b;
	unsigned max = cap_stable_data(r->cap) ? RUN_BATCH : 1;
	int rc = CAP_OK;
	while (rc == CAP_OK) {
		unsigned n = read_batch(r, &b, max, &rc);
		if (r->flows && n > 1)
			for (unsigned i = 0; i < n; i++)
				if (b.ip[i])
					flowtab_prefetch(r->flows, b.h[i], 1);
		for (unsigned i = 0; i < n; i++) {
			if (!packet(r, &b.p[i], b.ip[i], b.h[i])) {
				snprintf(r->err, sizeof r->err, "out of memory reading '%s'", r->path);
				rc = CAP_ENOMEM;
				break;
			}
		}
	}
	if (r->status != RUN_EFILTER)
		r->status = rc;
	if (r->flows)
		flowtab_flush(r->flows);
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
