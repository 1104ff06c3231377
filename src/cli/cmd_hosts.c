/*
 * cmd_hosts.c - `botlens hosts`: one line per address, busiest first
 * (packets sent and received), ties by first seen, then address.
 */
#include "cli/inputs.h"

#include <stdlib.h>
#include <string.h>

static const char *const cols[] = {
	"file", "address", "internal", "sandbox", "pkts_out", "pkts_in", "bytes_out", "bytes_in",
	"flows_orig", "flows_resp", "peers", "ports_contacted", "ports_served", "first_seen",
	"last_seen", "first_rel", "last_rel",
};
#define NCOLS (sizeof cols / sizeof *cols)

struct hosts_ctx {
	struct table t;
	FILE *out;
	const struct cli_common *c;
	bool several;
};

static int by_packets(const void *a, const void *b)
{
	const struct host *x = *(const struct host *const *)a, *y = *(const struct host *const *)b;
	uint64_t px = x->pkts_in + x->pkts_out, py = y->pkts_in + y->pkts_out;
	if (px != py)
		return px < py ? 1 : -1;
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static bool is_sandbox(const struct host *h, const struct host **sb, unsigned nsb)
{
	for (unsigned i = 0; i < nsb; i++)
		if (sb[i] == h)
			return true;
	return false;
}

static void row(struct hosts_ctx *x, const struct run *r, const struct host *h, bool sandbox)
{
	struct table *t = &x->t;
	char a[64], f[48], l[48];
	if (x->several)
		table_str(t, r->path);
	decode_addr_str(h->family, h->addr, a, sizeof a);
	table_str(t, a);
	table_bool(t, h->internal);
	table_bool(t, sandbox);
	table_u64(t, h->pkts_out);
	table_u64(t, h->pkts_in);
	table_u64(t, h->bytes_out);
	table_u64(t, h->bytes_in);
	table_u64(t, h->flows_orig);
	table_u64(t, h->flows_resp);
	table_u64(t, h->peers);
	table_u64(t, h->ports_contacted);
	table_u64(t, h->ports_served);
	time_iso8601(h->first_ns, f, sizeof f);
	time_iso8601(h->last_ns, l, sizeof l);
	table_str(t, f);
	table_str(t, l);
	table_ns(t, h->first_ns - r->start_ns);
	table_ns(t, h->last_ns - r->start_ns);
	table_end_row(t);
}

static void finish(void *ctx, struct run *r)
{
	struct hosts_ctx *x = ctx;
	uint64_t n;
	struct host **all = hosttab_list(r->hosts, &n);
	if (!all)
		return;
	const struct host *sb[16];
	unsigned nsb = hosttab_select(r->hosts, x->c->host_family, x->c->host_addr, sb, 16);
	qsort(all, n, sizeof *all, by_packets);
	for (uint64_t i = 0; i < n; i++)
		row(x, r, all[i], is_sandbox(all[i], sb, nsb));
	free(all);
}

static void begin(void *ctx, size_t nfiles)
{
	struct hosts_ctx *x = ctx;
	x->several = nfiles > 1;
	table_init(&x->t, x->out, x->c->format, x->several ? cols : cols + 1,
		   x->several ? NCOLS : NCOLS - 1, !x->c->no_header);
	table_begin(&x->t);
}

int cmd_hosts(int argc, char **argv)
{
	struct cli_common c;
	int rc = cli_parse(argc, argv, "hosts", "[options] FILE...", NULL, NULL, NULL, &c,
			   "  botlens hosts run.pcap\n"
			   "  botlens hosts --host 192.168.1.10 --format csv run.pcap\n");
	if (rc)
		return rc;
	struct hosts_ctx x = { .c = &c };
	if (!(x.out = cli_open_out(c.out)))
		return EXIT_OUTPUT;
	struct inputs_job job = { .ctx = &x, .track_hosts = true, .begin = begin, .finish = finish };
	int ex = inputs_run(&c, &job);
	int oc = cli_close_out(x.out, c.out);
	return oc ? oc : ex;
}
