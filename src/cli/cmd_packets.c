/*
 * cmd_packets.c - `botlens packets`: one line per packet.
 */
#include "cli/inputs.h"

#include <stdio.h>

static const char *const cols[] = { "file", "ts", "rel", "proto", "src", "sport", "dst", "dport",
				    "len", "flags" };

struct packets_ctx {
	struct table t;
	bool several;
	FILE *out;
	const struct cli_common *c;
};

static void on_packet(void *ctx, const struct run *r, const struct pkt *p, const struct flow *f, int dir)
{
	struct packets_ctx *x = ctx;
	struct table *t = &x->t;
	char ts[48], a[64], b[64], fl[16], num[8];
	if (x->several)
		table_str(t, r->path);
	time_iso8601(p->ts_ns, ts, sizeof ts);
	table_str(t, ts);
	table_ns(t, p->ts_ns - r->start_ns);
	if (!p->family) {
		snprintf(num, sizeof num, "0x%04x", p->ethertype);
		table_str(t, p->ethertype == 0x0806 ? "arp" : p->ethertype ? num : "non-ip");
		table_null(t), table_null(t), table_null(t), table_null(t);
		table_u64(t, p->wirelen);
		table_null(t);
		table_end_row(t);
		return;
	}
	const char *pn = decode_proto_name(p->proto);
	if (!pn) {
		snprintf(num, sizeof num, "%u", p->proto);
		pn = num;
	}
	table_str(t, pn);
	decode_addr_str(p->family, p->src, a, sizeof a);
	decode_addr_str(p->family, p->dst, b, sizeof b);
	table_str(t, a);
	if (p->has_ports) table_u64(t, p->sport); else table_null(t);
	table_str(t, b);
	if (p->has_ports) table_u64(t, p->dport); else table_null(t);
	table_u64(t, p->wirelen);
	if (p->proto == 6 && p->has_ports && !p->l4_truncated && p->frag != FRAG_LATER) {
		decode_tcp_flags_str(p->tcp_flags, fl, sizeof fl);
		table_str(t, fl);
	} else {
		table_null(t);
	}
	table_end_row(t);
}

static void begin(void *ctx, size_t nfiles)
{
	struct packets_ctx *x = ctx;
	x->several = nfiles > 1;
	table_init(&x->t, x->out, x->c->format, x->several ? cols : cols + 1,
		   x->several ? 10 : 9, !x->c->no_header);
	table_begin(&x->t);
}

static unsigned setup(void *ctx, struct run *r, struct run_sub *subs)
{
	struct packets_ctx *x = ctx;
	subs[0] = (struct run_sub){ .ctx = x, .packet = on_packet };
	return 1;
}

int cmd_packets(int argc, char **argv)
{
	struct cli_common c;
	int rc = cli_parse(argc, argv, "packets", "[options] FILE...", NULL, NULL, NULL, &c,
			   "  botlens packets run.pcap\n"
			   "  botlens packets -f 'tcp port 25' --format json run.pcapng.gz\n"
			   "  cat run.pcap | botlens packets -\n");
	if (rc)
		return rc;
	struct packets_ctx x = { .c = &c };
	if (!(x.out = cli_open_out(c.out)))
		return EXIT_OUTPUT;
	struct inputs_job job = { .ctx = &x, .begin = begin, .setup = setup };
	int ex = inputs_run(&c, &job);
	int oc = cli_close_out(x.out, c.out);
	return oc ? oc : ex;
}
