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

static bool packet(struct run *r, const struct cap_rec *rec)
{
	struct pkt p;
	bool ip = decode_packet(&r->dec, rec, &p);
	struct flow *f = NULL;
	int dir = -1;
	if (ip && r->flows) {
		if (!(f = flowtab_update(r->flows, &p, &dir)))
			return false;
		if (r->hosts && f->pkts[0] + f->pkts[1] == 1 && !hosttab_flow(r->hosts, f))
			return false;
	}
	if (ip && r->hosts && !hosttab_packet(r->hosts, &p))
		return false;
	for (unsigned i = 0; i < r->nsubs; i++)
		if (r->subs[i].packet)
			r->subs[i].packet(r->subs[i].ctx, r, &p, f, dir);
	return true;
}

int run_loop(struct run *r, const struct run_sub *subs, unsigned nsubs)
{
	r->subs = subs;
	r->nsubs = nsubs;
	struct cap_rec rec;
	int rc;
	while ((rc = cap_next(r->cap, &rec, r->err, sizeof r->err)) == CAP_OK) {
		if (r->records++ == 0)
			r->start_ns = rec.ts_ns;
		if (r->opts->progress && (r->records & 0xffff) == 0)
			r->opts->progress(r->opts->progress_ctx, r);
		int m = filter_match(r, &rec);
		if (m < 0)
			break;
		if (m == 0)
			continue;
		r->matched++;
		r->wire_bytes += rec.wirelen;
		r->cap_bytes += rec.caplen;
		if (!r->have_time || rec.ts_ns < r->first_ns)
			r->first_ns = rec.ts_ns;
		if (!r->have_time || rec.ts_ns > r->last_ns)
			r->last_ns = rec.ts_ns;
		r->have_time = true;
		if (!packet(r, &rec)) {
			snprintf(r->err, sizeof r->err, "out of memory reading '%s'", r->path);
			rc = CAP_ENOMEM;
			break;
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
