/*
 * cmd_info.c - `botlens info`: a capinfos-like summary per capture.
 * Text by default; --format json gives one JSON object per capture
 * (built with json-c); tsv/csv give key/value rows.
 */
#include "cli/inputs.h"
#include "render/info_out.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

struct info_ctx {
	FILE *out;
	const struct cli_common *c;
	bool several;
	uint64_t flows_by_proto[4];  /* tcp, udp, icmp, other */
};

static void on_flow_end(void *ctx, const struct run *r, const struct flow *f)
{
	struct info_ctx *x = ctx;
	x->flows_by_proto[info_flow_class(f->proto)]++;
}

static unsigned setup(void *ctx, struct run *r, struct run_sub *subs)
{
	struct info_ctx *x = ctx;
	memset(x->flows_by_proto, 0, sizeof x->flows_by_proto);
	subs[0] = (struct run_sub){ .ctx = ctx, .flow_end = on_flow_end };
	return 1;
}

static void finish(void *ctx, struct run *r)
{
	struct info_ctx *x = ctx;
	inputs_warn_clock(x->c, r);
	json_object *o = info_summary(r, x->flows_by_proto, x->c->host_family, x->c->host_addr);
	if (!x->c->format_set) {
		info_render_text(x->out, o, 0);
		if (x->several)
			fputc('\n', x->out);
	} else if (x->c->format == TABLE_JSON) {
		fprintf(x->out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		info_render_kv(x->out, o, "", x->c->format == TABLE_CSV ? ',' : '\t');
	}
	json_object_put(o);
}

static void begin(void *ctx, size_t nfiles)
{
	((struct info_ctx *)ctx)->several = nfiles > 1;
}

int cmd_info(int argc, char **argv)
{
	struct cli_common c;
	int rc = cli_parse(argc, argv, "info", "[options] FILE...", NULL, NULL, NULL, &c,
			   "  botlens info run.pcap\n"
			   "  botlens info --format json captures/\n"
			   "  botlens info -f 'not arp' run.pcapng.gz\n");
	if (rc)
		return rc;
	struct info_ctx x = { .c = &c };
	if (!(x.out = cli_open_out(c.out)))
		return EXIT_OUTPUT;
	struct inputs_job job = { .ctx = &x, .track_hosts = true, .begin = begin, .setup = setup,
				  .finish = finish };
	int ex = inputs_run(&c, &job);
	int oc = cli_close_out(x.out, c.out);
	return oc ? oc : ex;
}
