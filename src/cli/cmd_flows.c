/*
 * cmd_flows.c - `botlens flows`: one line per connection, with Zeek
 * conn.log field names where they apply.  Flows are written when they
 * end (inactivity, TCP close and reuse, end of capture), as Zeek does.
 * --format zeek writes Zeek's conn.log itself (render/zeek.c), zeek-json
 * its JSON form.  The header
 * is written with the first row, or at the end when no input failed to
 * open, so that an open error leaves no stray header.
 */
#include "cli/inputs.h"
#include "render/zeek.h"

#include <stdio.h>
#include <string.h>

static const char *const cols[] = {
	"file", "ts", "rel", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
	"duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp",
	"history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
};
#define NCOLS (sizeof cols / sizeof *cols)

struct flows_ctx {
	struct table t;
	FILE *out;
	const struct cli_common *c;
	bool several;
	int64_t last_ns;            /* zeek: #close at the last capture's end */
	uint8_t host_family, host_addr[16];   /* --host: flows with this address only */
};

/*
 * Field writers for tsv_row: each puts its value and a tab at p and
 * returns the end.  The values are short: a byte loop beats strlen and
 * memcpy calls.
 */
static char *put_field(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	*p = '\t';
	return p + 1;
}

/* Ends the string just written at p with a tab. */
static char *end_field(char *p)
{
	while (*p)
		p++;
	*p = '\t';
	return p + 1;
}

static char *put_u64_tab(char *p, uint64_t v)
{
	p = table_put_u64(p, v);
	*p++ = '\t';
	return p;
}

static char *put_addr_tab(char *p, const struct flow *f, const uint8_t *a)
{
	decode_addr_str(f->family, a, p, 64);
	return end_field(p);
}

/*
 * The TSV row of one capture's flow, built in the table's buffer: the
 * same bytes the table's cells give (tests/golden), without a call and a
 * format switch per cell, which cost a third of `flows` on a capture of
 * a million short flows (issue 16).  Every value is free of tabs and line
 * breaks, so nothing needs escaping.  A row is at most 2 x 27 (times) +
 * 2 x 46 (addresses) + 10 x 20 (numbers) + 20 (history) + small fields.
 */
static void tsv_row(struct table *t, const struct run *r, const struct flow *f)
{
	char pb[8], *p = table_row_begin(t, 512);
	time_iso8601(f->first_ns, p, 48);
	p = end_field(p);
	p = table_put_ns(p, f->first_ns - r->start_ns);
	*p++ = '\t';
	*p++ = 'F';
	p = put_u64_tab(p, f->id);
	p = put_addr_tab(p, f, f->orig);
	p = put_u64_tab(p, f->orig_p);
	p = put_addr_tab(p, f, f->resp);
	p = put_u64_tab(p, f->resp_p);
	p = put_field(p, flow_proto_str(f, pb, sizeof pb));
	p = table_put_ns(p, f->last_ns - f->first_ns);
	*p++ = '\t';
	p = put_u64_tab(p, f->payload[0]);
	p = put_u64_tab(p, f->payload[1]);
	p = put_field(p, flow_conn_state(f));
	p = put_field(p, decode_addr_internal(f->family, f->orig) ? "T" : "F");
	p = put_field(p, decode_addr_internal(f->family, f->resp) ? "T" : "F");
	p = f->hlen ? put_field(p, f->history) : put_field(p, "-");
	p = put_u64_tab(p, f->pkts[0]);
	p = put_u64_tab(p, f->ip_bytes[0]);
	p = put_u64_tab(p, f->pkts[1]);
	p = table_put_u64(p, f->ip_bytes[1]);
	*p++ = '\n';
	table_row_end(t, p);
}

static void on_flow_end(void *ctx, const struct run *r, const struct flow *f)
{
	struct flows_ctx *x = ctx;
	struct table *t = &x->t;
	char ts[48], a[64], b[64], uid[24], pb[8];
	if (x->host_family && (f->family != x->host_family ||
			       (memcmp(f->orig, x->host_addr, 16) && memcmp(f->resp, x->host_addr, 16))))
		return;
	if (t->fmt == TABLE_TSV && !x->several) {
		tsv_row(t, r, f);
		return;
	}
	if (t->fmt == TABLE_ZEEK || t->fmt == TABLE_ZEEK_JSON) {
		if (!t->started)
			table_zeek(t, "conn", zeek_conn_types, r->start_ns);
		zeek_conn_row(t, r, f, NULL);
		x->last_ns = r->last_ns > x->last_ns ? r->last_ns : x->last_ns;
		return;
	}
	if (x->several)
		table_str(t, r->path);
	time_iso8601(f->first_ns, ts, sizeof ts);
	table_str(t, ts);
	table_ns(t, f->first_ns - r->start_ns);
	char *u = uid + sizeof uid;
	uint64_t id = f->id;
	*--u = 0;
	do {
		*--u = (char)('0' + id % 10);
		id /= 10;
	} while (id);
	*--u = 'F';
	table_str(t, u);
	decode_addr_str(f->family, f->orig, a, sizeof a);
	decode_addr_str(f->family, f->resp, b, sizeof b);
	table_str(t, a);
	table_u64(t, f->orig_p);
	table_str(t, b);
	table_u64(t, f->resp_p);
	table_str(t, flow_proto_str(f, pb, sizeof pb));
	table_ns(t, f->last_ns - f->first_ns);
	table_u64(t, f->payload[0]);
	table_u64(t, f->payload[1]);
	table_str(t, flow_conn_state(f));
	table_bool(t, decode_addr_internal(f->family, f->orig));
	table_bool(t, decode_addr_internal(f->family, f->resp));
	table_str(t, f->hlen ? f->history : NULL);
	table_u64(t, f->pkts[0]);
	table_u64(t, f->ip_bytes[0]);
	table_u64(t, f->pkts[1]);
	table_u64(t, f->ip_bytes[1]);
	table_end_row(t);
}

static void begin(void *ctx, size_t nfiles)
{
	struct flows_ctx *x = ctx;
	x->several = nfiles > 1;
	if (x->c->format == TABLE_ZEEK || x->c->format == TABLE_ZEEK_JSON) {
		table_init(&x->t, x->out, x->c->format, zeek_conn_cols, zeek_conn_ncols, true);
		table_zeek(&x->t, "conn", zeek_conn_types, 0);  /* #open: the first capture's start, at its first row */
	} else
		table_init(&x->t, x->out, x->c->format, x->several ? cols : cols + 1,
			   x->several ? NCOLS : NCOLS - 1, !x->c->no_header);
	table_batch(&x->t);  /* nothing else writes to out until table_close() */
}

static unsigned setup(void *ctx, struct run *r, struct run_sub *subs)
{
	subs[0] = (struct run_sub){ .ctx = ctx, .flow_end = on_flow_end, .end_in_reader = true };
	return 1;
}

int cmd_flows(int argc, char **argv)
{
	struct cli_common c;
	int rc = cli_parse(argc, argv, "flows", "[options] FILE...", NULL, NULL, NULL, &c,
			   "  botlens flows run.pcap\n"
			   "  botlens flows -f 'udp and not port 53' --format json run.pcap\n"
			   "  botlens flows --udp-timeout 120 -o conn.tsv captures/\n"
			   "  botlens flows --format zeek -o conn.log run.pcap   # Zeek's conn.log, zeek-cut reads it\n");
	if (rc)
		return rc;
	struct flows_ctx x = { .c = &c };
	if (c.host && !decode_addr_parse(c.host, &x.host_family, x.host_addr)) {
		cli_error("invalid address '%s'", c.host);
		return EXIT_USAGE;
	}
	if (!(x.out = cli_open_out(c.out)))
		return EXIT_OUTPUT;
	struct inputs_job job = { .ctx = &x, .track_flows = true, .begin = begin, .setup = setup };
	int ex = inputs_run(&c, &job);
	if (ex != EXIT_INPUT || x.t.started) {
		table_begin(&x.t);
		table_close(&x.t, x.last_ns);
	}
	int oc = cli_close_out(x.out, c.out);
	return oc ? oc : ex;
}
