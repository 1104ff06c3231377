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
#include "render/size_out.h"
#include "analysis/storm.h"
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
	case S_FORMAT: {
		int f = cli_format_parse(arg, CLI_FMT(CLI_FMT_TEXT) | CLI_FMT(CLI_FMT_JSON));
		if (f < 0)
			return EXIT_USAGE;
		s->json = f == CLI_FMT_JSON;
		return 0;
	}
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

static int write_series(const struct size_report *r, const char *path)
{
	if (plot_format_of(path) != PLOT_UNKNOWN) {
		char err[512];
		if (size_render_plot(r, path, err, sizeof err)) {
			cli_error("%s", err);
			return !strcmp(err, "out of memory") ? EXIT_INTERNAL : EXIT_OUTPUT;
		}
		return EXIT_OK;
	}
	FILE *f = cli_open_out(path);
	if (!f)
		return EXIT_OUTPUT;
	size_render_series_tsv(f, r);
	return cli_close_out(f, path);
}

/* --xor-key auto: the key recovered from the capture (analysis/storm.c), said on stderr. */
static int recover_key(struct size_cli *s, const char *path)
{
	if (!strcmp(path, "-")) {
		cli_error("--xor-key auto reads the capture twice: give a file, not standard input");
		return EXIT_USAGE;
	}
	struct storm_keyfind k;
	char err[512];
	if (storm_key_capture(path, &k, err, sizeof err) < 0) {
		bool nomem = !strcmp(err, "out of memory");
		if (nomem)
			cli_error("out of memory");
		else
			cli_error("cannot open '%s': %s", path, err);
		return nomem ? EXIT_INTERNAL : EXIT_INPUT;
	}
	s->xor_on = k.found;  /* a damaged file is reported by the counting pass */
	if (!s->xor_on) {
		fprintf(stderr, "botlens: botnet-size: no Storm XOR key in '%s' (%zu candidate datagrams, "
			"best guess decodes %.0f %% with %d of %d key bytes known): counting plain Overnet\n", path,
			k.samples, 100 * k.g.decode_rate, __builtin_popcountll(k.g.known), OV_XOR_KEYLEN);
		return EXIT_OK;
	}
	char hex[2 * OV_XOR_KEYLEN + 1];
	int known = 0;
	memcpy(s->key, k.g.key, sizeof s->key);
	ov_xor_format(s->key, hex);
	for (int i = 0; i < OV_XOR_KEYLEN; i++) {
		if (k.g.known >> i & 1)
			known++;
		else
			hex[2 * i] = hex[2 * i + 1] = '?';  /* no known plaintext ever fell there */
	}
	fprintf(stderr, "botlens: botnet-size: Storm XOR key recovered from %zu datagrams of '%s' "
		"(%d of %d bytes; decodes %.0f %% of them): %s\n", k.samples, path, known, OV_XOR_KEYLEN,
		100 * k.g.decode_rate, hex);
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
	char err[512];
	int st = storm_count_capture(path, &sp, err, sizeof err);
	if (st < 0) {
		cli_error("cannot open '%s': %s", path, err);
		size_passive_free(&sp);
		return EXIT_INPUT;
	}
	FILE *out = cli_open_out(s->out);  /* -o: was ignored, the table went to stdout */
	if (!out) {
		size_passive_free(&sp);
		return EXIT_OUTPUT;
	}
	if (sp.failed) {
		cli_error("'%s': out of memory while counting peers", path);
		size_passive_free(&sp);
		cli_discard_out(out);
		return EXIT_INTERNAL;
	}
	size_render_passive(out, &sp);
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
		size_render_json(stdout, &r);
	else
		size_render_text(stdout, &r);
	int ex = s.out ? write_series(&r, s.out) : EXIT_OK;
	size_report_free(&r);
	int oc = cli_close_out(stdout, NULL);
	return ex ? ex : oc;
}
