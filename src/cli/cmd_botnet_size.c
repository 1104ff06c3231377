/*
 * cmd_botnet_size.c - `botlens botnet-size`: effective size, total size,
 * churn, ID aliasing and suspected sybils from crawl snapshots
 * (p2p/size.c), optionally against the simulator's truth; or, with
 * --from-capture, distinct Overnet peers over time in a capture (one
 * pass of the engine).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "render/plot.h"
#include "engine/run.h"
#include "p2p/p2p.h"

enum { S_TRUTH = 300, S_FORMAT, S_OUT, S_CAPTURE, S_BIN, S_XOR };

static const struct cli_opt size_opts[] = {
	{ "truth", 0, "FILE", "compare with the truth written by 'botlens p2p simulate'", S_TRUTH },
	{ "format", 0, "FMT", "text (default) or json (JSON lines: one per crawl, then a summary)", S_FORMAT },
	{ "output", 'o', "PLOT", "also write the per-crawl series to PLOT: an image if it ends in .png, .svg or .pdf, else TSV", S_OUT },
	{ "from-capture", 0, NULL, "the operand is a capture: count distinct Overnet peers over time", S_CAPTURE },
	{ "bin", 0, "SEC", "--from-capture: time bin in seconds (default 60)", S_BIN },
	{ "xor-key", 0, "HEX|auto", "--from-capture: Storm XOR key (80 hex digits), or auto to recover it from the capture", S_XOR },
	{ 0 },
};

struct size_cli {
	const char *truth, *out;
	bool json, capture;
	double bin;
	bool xor_on, xor_auto;
	uint8_t key[OV_XOR_KEYLEN];
};

static int size_cb(void *ctx, int id, const char *arg)
{
	struct size_cli *s = ctx;
	char *end;
	switch (id) {
	case S_TRUTH: s->truth = arg; return 0;
	case S_FORMAT:
		if (strcmp(arg, "text") && strcmp(arg, "json")) {
			cli_error("unknown format '%s'", arg);
			cli_hint("use text or json");
			return EXIT_USAGE;
		}
		s->json = !strcmp(arg, "json");
		return 0;
	case S_OUT: s->out = arg; return 0;
	case S_CAPTURE: s->capture = true; return 0;
	case S_BIN:
		errno = 0;
		s->bin = strtod(arg, &end);
		if (errno || *end || end == arg || !(s->bin > 0 && s->bin < 1e7)) {
			cli_error("invalid --bin '%s': expected seconds > 0", arg);
			return EXIT_USAGE;
		}
		return 0;
	case S_XOR:
		if (!strcmp(arg, "auto")) {
			s->xor_auto = true;
			return 0;
		}
		if (!ov_xor_parse(arg, s->key)) {
			cli_error("invalid --xor-key '%s': expected 80 hex digits (a 40-byte key)", arg);
			return EXIT_USAGE;
		}
		s->xor_on = true;
		return 0;
	}
	return EXIT_INTERNAL;
}

static double pct(long measured, long truth)
{
	return truth > 0 ? 100.0 * (double)(measured - truth) / (double)truth : 0;
}

static void print_text(const struct size_report *r)
{
	printf("crawl\tstart\tduration\teffective\tresponsive_ids\tunresponsive\tjoined\treturned\tleft");
	if (r->have_truth)
		printf("\ttruth_reachable\terror_pct\tmissed\tfalse\tunprobed\tcoverage_pct\ttruth_nat_online\tnat_invisible"
		       "\ttruth_joined\ttruth_left\ttruth_reachable_during\terror_during_pct\ttruth_joined_during"
		       "\ttruth_left_during");
	printf("\n");
	for (unsigned i = 0; i < r->n; i++) {
		const struct size_crawl *c = &r->c[i];
		printf("%u\t%.3f\t%.1f\t%u\t%u\t%u\t%u\t%u\t%u", i, c->start, c->end - c->start, c->responsive_addrs,
		       c->responsive_ids, c->unresponsive_addrs, c->joined, c->returned, c->left);
		if (r->have_truth)
			printf("\t%ld\t%+.2f\t%ld\t%ld\t%ld\t%.2f\t%ld\t%ld\t%ld\t%ld\t%ld\t%+.2f\t%ld\t%ld",
			       c->truth_reachable, pct(c->responsive_addrs, c->truth_reachable), c->truth_missed,
			       c->truth_false, c->truth_unprobed,
			       c->truth_stable > 0 ? 100.0 * (double)c->found_stable / (double)c->truth_stable : 0,
			       c->truth_nat, c->nat_invisible, c->truth_joined, c->truth_left, c->truth_reachable_during,
			       pct(c->responsive_addrs, c->truth_reachable_during), c->truth_joined_during,
			       c->truth_left_during);
		printf("\n");
	}
	printf("\ntotal distinct IDs (responsive): %u\n", r->total_ids);
	printf("total distinct addresses (responsive): %u\n", r->total_addrs);
	printf("addresses with more than one ID (ID aliasing): %u (at most %u IDs on one address)\n",
	       r->aliased_addrs, r->max_ids_per_addr);
	printf("suspected sybil hosts (>= %d IDs on one IP in a crawl): %u; ID clusters (>= 3 IDs sharing 32 bits): %u\n",
	       SIZE_SYBIL_IDS, r->sybil_hosts, r->sybil_clusters);
	if (r->n) {
		const struct size_crawl *c = &r->c[r->n - 1];
		printf("invisible: %u addresses advertised by peers never answered (behind NAT, firewalled or offline: "
		       "a crawler cannot tell which)\n", c->unresponsive_addrs);
		if (r->have_truth)
			printf("truth: %ld NAT'd bots were online and %ld of them invisible to the crawl (NAT drops unsolicited requests)\n",
			       c->truth_nat, c->nat_invisible);
	}
	if (r->have_truth) {
		printf("truth: %ld distinct bot IDs over the run (against %u seen)\n", r->truth_total_ids, r->total_ids);
		printf("truth_reachable: reachable bots online at the instant the crawler sent an Identify to their address "
		       "(online during the crawl if never probed); *_during: online at any time in the crawl\n");
	}
}

static void print_json(const struct size_report *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		const struct size_crawl *c = &r->c[i];
		printf("{\"type\":\"crawl\",\"crawl\":%u,\"start\":%.3f,\"end\":%.3f,\"effective\":%u,\"responsive_ids\":%u,"
		       "\"known\":%u,\"unresponsive\":%u,\"joined\":%u,\"returned\":%u,\"left\":%u,\"id_joined\":%u,"
		       "\"id_left\":%u,\"sybil_ids\":%u",
		       i, c->start, c->end, c->responsive_addrs, c->responsive_ids, c->known, c->unresponsive_addrs,
		       c->joined, c->returned, c->left, c->id_joined, c->id_left, c->sybil_ids);
		if (r->have_truth)
			printf(",\"truth_online\":%ld,\"truth_reachable\":%ld,\"truth_nat_online\":%ld,\"nat_invisible\":%ld,"
			       "\"truth_stable\":%ld,\"found_stable\":%ld,\"truth_joined\":%ld,\"truth_left\":%ld,"
			       "\"error_pct\":%.3f,\"truth_missed\":%ld,\"truth_false\":%ld,\"truth_unprobed\":%ld,"
			       "\"truth_reachable_during\":%ld,\"error_during_pct\":%.3f,\"truth_joined_during\":%ld,"
			       "\"truth_left_during\":%ld",
			       c->truth_online, c->truth_reachable, c->truth_nat, c->nat_invisible, c->truth_stable,
			       c->found_stable, c->truth_joined, c->truth_left, pct(c->responsive_addrs, c->truth_reachable),
			       c->truth_missed, c->truth_false, c->truth_unprobed, c->truth_reachable_during,
			       pct(c->responsive_addrs, c->truth_reachable_during), c->truth_joined_during,
			       c->truth_left_during);
		printf("}\n");
	}
	printf("{\"type\":\"summary\",\"crawls\":%u,\"total_ids\":%u,\"total_addrs\":%u,\"aliased_addrs\":%u,"
	       "\"max_ids_per_addr\":%u,\"sybil_hosts\":%u,\"sybil_clusters\":%u,"
	       "\"invisible_reason\":\"advertised by peers, never answered: behind NAT, firewalled or offline\"",
	       r->n, r->total_ids, r->total_addrs, r->aliased_addrs, r->max_ids_per_addr, r->sybil_hosts,
	       r->sybil_clusters);
	if (r->have_truth)
		printf(",\"truth_total_ids\":%ld,\"truth_definition\":\"truth_reachable: reachable bots online at the "
		       "instant the crawler sent an Identify to their address (online during the crawl if never probed); "
		       "*_during: online at any time in [start, end]\"",
		       r->truth_total_ids);
	printf("}\n");
}

/* The series as an image: effective size (addresses, IDs), joined, left per crawl. */
static int plot_series_image(const struct size_report *r, const char *path)
{
	double *v = calloc((size_t)r->n * 5 + 1, sizeof *v);
	if (!v)
		return EXIT_INTERNAL;
	double *x = v, *ea = v + r->n, *ei = v + 2 * r->n, *jn = v + 3 * r->n, *lf = v + 4 * r->n;
	for (unsigned i = 0; i < r->n; i++) {
		x[i] = r->c[i].start - r->c[0].start;
		ea[i] = r->c[i].responsive_addrs;
		ei[i] = r->c[i].responsive_ids;
		jn[i] = (double)r->c[i].joined + r->c[i].returned;
		lf[i] = r->c[i].left;
	}
	struct plot_lines ps = { .title = "botnet size per crawl", .xlabel = "time since the first crawl (s)",
				  .x = x, .y = { ea, ei, jn, lf }, .n = r->n, .nseries = 4,
				  .names = { "effective size (addresses)", "responsive IDs", "joined + returned",
					     "left" } };
	char err[512];
	int ex = EXIT_OK;
	if (plot_lines_render(&ps, path, err, sizeof err)) {
		cli_error("%s", err);
		ex = EXIT_OUTPUT;
	}
	free(v);
	return ex;
}

static int write_series(const struct size_report *r, const char *path)
{
	if (plot_format_of(path) != PLOT_UNKNOWN)
		return plot_series_image(r, path);
	FILE *f = cli_open_out(path);
	if (!f)
		return EXIT_OUTPUT;
	fprintf(f, "# crawl\ttime\teffective\tresponsive_ids\tunresponsive\tjoined\treturned\tleft\n");
	for (unsigned i = 0; i < r->n; i++)
		fprintf(f, "%u\t%.3f\t%u\t%u\t%u\t%u\t%u\t%u\n", i, r->c[i].start, r->c[i].responsive_addrs,
			r->c[i].responsive_ids, r->c[i].unresponsive_addrs, r->c[i].joined, r->c[i].returned,
			r->c[i].left);
	return cli_close_out(f, path);
}

static void on_packet(void *ctx, const struct run *r, const struct pkt *p, const struct flow *f, int dir)
{
	struct size_passive *s = ctx;
	if (p->family != 4 || p->proto != 17 || !p->has_ports || p->payload_caplen < p->payload_len ||
	    p->payload_len < 2)
		return;
	bool src_remote = !decode_addr_internal(4, p->src) || decode_addr_internal(4, p->dst);
	const uint8_t *a = src_remote ? p->src : p->dst;
	uint32_t ip = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	(void)size_passive_add(s, (double)p->ts_ns * 1e-9, ip, src_remote ? p->sport : p->dport, p->payload,
			 p->payload_len);
}

/*
 * --xor-key auto: a first pass keeps the first small datagram between
 * high ports of each UDP flow that is not plain Overnet (at most
 * KEY_SAMPLES), and the samples vote for Storm's key (p2p/xor.c).
 */
#define KEY_SAMPLES 65536

struct key_pass {
	struct ov_sample *s;
	uint8_t (*data)[OV_SAMPLE_MAX];
	size_t n;
};

static void key_packet(void *ctx, const struct run *r, const struct pkt *p, const struct flow *f, int dir)
{
	struct key_pass *k = ctx;
	struct ov_msg m;
	if (!f || f->user || k->n >= KEY_SAMPLES || p->family != 4 || p->proto != 17 ||
	    !ov_xor_candidate(p->payload_caplen, p->sport, p->dport))
		return;
	((struct flow *)f)->user = 1;  /* one datagram per flow */
	if (ov_decode(p->payload, p->payload_caplen, &m) == OV_OK)
		return;
	memcpy(k->data[k->n], p->payload, p->payload_caplen);
	k->s[k->n] = (struct ov_sample){ k->data[k->n], p->payload_caplen,
		(uint32_t)p->src[0] << 24 | (uint32_t)p->src[1] << 16 | (uint32_t)p->src[2] << 8 | p->src[3],
		p->sport };
	k->n++;
}

/* Returns EXIT_OK with s->key set (or s->xor_on false if none is found), or an exit code. */
static int recover_key(struct size_cli *s, const char *path)
{
	if (!strcmp(path, "-")) {
		cli_error("--xor-key auto reads the capture twice: give a file, not standard input");
		return EXIT_USAGE;
	}
	struct key_pass k = { malloc(KEY_SAMPLES * sizeof *k.s), malloc(KEY_SAMPLES * sizeof *k.data), 0 };
	struct run_opts o = { .threads = 1, .track_flows = true };
	flow_cfg_default(&o.flow);
	struct run r;
	char err[512];
	if (!k.s || !k.data) {
		free(k.s);
		free(k.data);
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	if (run_open(&r, path, &o, err, sizeof err) != CAP_OK) {
		cli_error("cannot open '%s': %s", path, err);
		free(k.s);
		free(k.data);
		return EXIT_INPUT;
	}
	struct run_sub sub = { .ctx = &k, .packet = key_packet };
	run_loop(&r, &sub, 1);  /* a damaged file is reported by the counting pass */
	run_close(&r);
	struct ov_keyguess g;
	ov_xor_recover(k.s, k.n, &g);
	free(k.s);
	free(k.data);
	s->xor_on = k.n >= 16 && g.decode_rate >= 0.5;
	if (!s->xor_on) {
		fprintf(stderr, "botlens: botnet-size: no Storm XOR key in '%s' (%zu candidate datagrams, "
			"best guess decodes %.0f %%): counting plain Overnet\n", path, k.n, 100 * g.decode_rate);
		return EXIT_OK;
	}
	char hex[2 * OV_XOR_KEYLEN + 1];
	int known = 0;
	memcpy(s->key, g.key, sizeof s->key);
	ov_xor_format(s->key, hex);
	for (int i = 0; i < OV_XOR_KEYLEN; i++) {
		if (g.known >> i & 1)
			known++;
		else
			hex[2 * i] = hex[2 * i + 1] = '?';  /* no known plaintext ever fell there */
	}
	fprintf(stderr, "botlens: botnet-size: Storm XOR key recovered from %zu datagrams of '%s' "
		"(%d of %d bytes; decodes %.0f %% of them): %s\n", k.n, path, known, OV_XOR_KEYLEN,
		100 * g.decode_rate, hex);
	return EXIT_OK;
}

static int from_capture(struct size_cli *s, const char *path)
{
	if (s->xor_auto) {
		int rc = recover_key(s, path);
		if (rc != EXIT_OK)
			return rc;
	}
	if (s->out && plot_format_of(s->out) != PLOT_UNKNOWN) {
		cli_error("--from-capture writes a table, not an image: '%s'", s->out);
		cli_hint("give -o a .tsv or .txt name");
		return EXIT_USAGE;
	}
	struct size_passive sp;
	if (size_passive_init(&sp, s->bin) != 0) {
		cli_error("out of memory");
		size_passive_free(&sp);
		return EXIT_INTERNAL;
	}
	sp.xor_on = s->xor_on;
	memcpy(sp.key, s->key, sizeof sp.key);
	struct run_opts o = { .threads = 1 };
	flow_cfg_default(&o.flow);
	struct run r;
	char err[512];
	if (run_open(&r, path, &o, err, sizeof err) != CAP_OK) {
		cli_error("cannot open '%s': %s", path, err);
		size_passive_free(&sp);
		return EXIT_INPUT;
	}
	FILE *out = cli_open_out(s->out);  /* -o: was ignored, the table went to stdout */
	if (!out) {
		run_close(&r);
		size_passive_free(&sp);
		return EXIT_OUTPUT;
	}
	struct run_sub sub = { .ctx = &sp, .packet = on_packet };
	int st = run_loop(&r, &sub, 1);
	run_close(&r);
	if (sp.failed) {
		cli_error("'%s': out of memory while counting peers", path);
		size_passive_free(&sp);
		cli_discard_out(out);
		return EXIT_INTERNAL;
	}
	unsigned total = 0;
	fprintf(out, "bin_start\tpeers\tnew_peers\tcumulative\tmessages\n");
	for (unsigned i = 0; i < sp.nbins; i++) {
		total += sp.bins[i].new_peers;
		fprintf(out, "%.3f\t%u\t%u\t%u\t%u\n", sp.bins[i].t, sp.bins[i].peers, sp.bins[i].new_peers, total,
			sp.bins[i].msgs);
	}
	fprintf(out, "\ndistinct Overnet peers: %u in %llu messages (%llu with the 0xE3 magic that did not decode)\n",
		total, (unsigned long long)sp.msgs, (unsigned long long)sp.bad);
	size_passive_free(&sp);
	int oc = cli_close_out(out, s->out);
	return oc ? oc : st == CAP_EOF ? EXIT_OK : EXIT_DAMAGED;
}

int cmd_botnet_size(int argc, char **argv)
{
	struct size_cli s = { .bin = 60 };
	int rc = cli_parse(argc, argv, "botnet-size", "CRAWLS [--truth FILE] [-o PLOT] | --from-capture FILE",
			   size_opts, size_cb, &s, NULL,
			   "  botlens botnet-size crawls.jsonl\n"
			   "  botlens botnet-size crawls.jsonl --truth truth.jsonl --format json\n"
			   "  botlens botnet-size --from-capture storm.pcap --bin 300\n");
	if (rc)
		return rc;
	if (optind + 1 != argc) {
		cli_error(optind >= argc ? "no input given" : "more than one input given");
		cli_hint("see 'botlens botnet-size -h'");
		return EXIT_USAGE;
	}
	if (s.capture)
		return from_capture(&s, argv[optind]);
	FILE *in = fopen(argv[optind], "r"), *truth = NULL;
	if (!in) {
		cli_error("cannot open '%s': %s", argv[optind], strerror(errno));
		return EXIT_INPUT;
	}
	if (s.truth && !(truth = fopen(s.truth, "r"))) {
		cli_error("cannot open '%s': %s", s.truth, strerror(errno));
		fclose(in);
		return EXIT_INPUT;
	}
	struct size_report r;
	char err[512];
	rc = size_analyse(in, truth, &r, err, sizeof err);
	fclose(in);
	if (truth)
		fclose(truth);
	if (rc != 0) {
		bool nomem = !strcmp(err, "out of memory");
		cli_error("'%s': %s", argv[optind], err);
		size_report_free(&r);
		return nomem ? EXIT_INTERNAL : EXIT_INPUT;
	}
	if (s.json)
		print_json(&r);
	else
		print_text(&r);
	int ex = s.out ? write_series(&r, s.out) : EXIT_OK;
	size_report_free(&r);
	int oc = cli_close_out(stdout, NULL);
	return ex ? ex : oc;
}
