/*
 * cmd_synth.c - `botlens synth`: writes a deterministic synthetic sandbox
 * run (classic pcap) and its ground truth (JSON) through synth_run().
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "p2p/p2p.h"
#include "synth/synth.h"

/* Option ids start above 255: cli_parse() reads smaller values as short-option letters. */
enum { SYN_SCENARIO = 300, SYN_OUT, SYN_SEED, SYN_DURATION, SYN_TRUTH, SYN_XOR, SYN_LIST };

static const struct cli_opt synth_opts_table[] = {
	{ "scenario", 's', "NAME", "the scenario to generate (see --list)", SYN_SCENARIO },
	{ "output", 'o', "FILE", "write the capture to FILE (- for standard output)", SYN_OUT },
	{ "seed", 0, "N", "random seed, 0-18446744073709551615 (default 1)", SYN_SEED },
	{ "duration", 0, "SEC", "capture length in seconds (default: the scenario's)", SYN_DURATION },
	{ "truth", 0, "FILE", "ground-truth JSON path (default FILE.truth.json)", SYN_TRUTH },
	{ "xor-key", 0, "HEX", "storm scenarios: encrypt Overnet with this Storm XOR key (80 hex digits)", SYN_XOR },
	{ "list", 0, NULL, "list the scenarios and exit", SYN_LIST },
	{ 0 },
};

static const char synth_examples[] =
	"  botlens synth --list\n"
	"  botlens synth --scenario storm-private -o run.pcap\n"
	"  botlens synth -s storm-public --seed 7 --duration 300 -o pub.pcap --truth pub.json\n"
	"  botlens synth -s benign-browsing -o - | tcpdump -nr - | head\n"
	"  botlens synth -s storm-private --xor-key $(printf '5a%.0s' $(seq 40)) -o xor.pcap\n";

struct synth_cli {
	struct synth_opts o;
	bool list;
	uint8_t key[OV_XOR_KEYLEN];
};

/* --seed: decimal (or 0x hex) 64-bit; a leading '-' is refused, strtoull would wrap it. */
static int parse_seed(const char *arg, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-') {
		cli_error("invalid seed '%s': expected a non-negative integer", arg);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static int parse_duration(const char *arg, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v <= 0 || v > 14400) {
		cli_error("invalid duration '%s': expected seconds in (0, 14400]", arg);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static int synth_cb(void *ctx, int id, const char *arg)
{
	struct synth_cli *s = ctx;
	switch (id) {
	case SYN_SCENARIO: s->o.scenario = arg; return 0;
	case SYN_OUT: s->o.pcap_path = arg; return 0;
	case SYN_SEED: return parse_seed(arg, &s->o.seed);
	case SYN_DURATION: return parse_duration(arg, &s->o.duration);
	case SYN_TRUTH: s->o.truth_path = arg; return 0;
	case SYN_XOR:
		if (!ov_xor_parse(arg, s->key)) {
			cli_error("invalid --xor-key '%s': expected 80 hex digits (a 40-byte key)", arg);
			return EXIT_USAGE;
		}
		s->o.xor_key = s->key;
		return 0;
	case SYN_LIST: s->list = true; return 0;
	}
	return EXIT_INTERNAL;
}

static void list_scenarios(void)
{
	for (size_t i = 0; synth_scenarios[i]; i++)
		printf("%-16s %s\n", synth_scenarios[i], synth_describe(synth_scenarios[i]));
}

/*
 * botlens synth: checks the options (scenario known, output given, not
 * both files on standard output) so that usage errors exit 2 before any
 * file is created; then synth_run() writes both files.  Its failures are
 * output errors (exit 4), except "internal:" and out-of-memory (exit 5).
 */
int cmd_synth(int argc, char **argv)
{
	struct synth_cli s = { .o = { .seed = 1 } };
	int rc = cli_parse(argc, argv, "synth", "--scenario NAME -o FILE [--seed N] "
			   "[--duration SEC] [--truth FILE]", synth_opts_table, synth_cb, &s, NULL,
			   synth_examples);
	if (rc)
		return rc;
	if (optind < argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		cli_hint("synth takes no input files; see 'botlens synth -h'");
		return EXIT_USAGE;
	}
	if (s.list) {
		list_scenarios();
		return EXIT_OK;
	}
	if (!s.o.scenario || !synth_describe(s.o.scenario)) {
		if (s.o.scenario)
			cli_error("unknown scenario '%s'", s.o.scenario);
		else
			cli_error("no scenario given");
		cli_hint("see 'botlens synth --list'");
		return EXIT_USAGE;
	}
	if (!s.o.pcap_path) {
		cli_error("no output file given");
		cli_hint("use -o FILE, or -o - for standard output");
		return EXIT_USAGE;
	}
	if (s.o.truth_path && !strcmp(s.o.truth_path, "-") && !strcmp(s.o.pcap_path, "-")) {
		cli_error("the capture and the truth cannot both go to standard output");
		return EXIT_USAGE;
	}
	char err[512];
	if (synth_run(&s.o, err, sizeof err) < 0) {
		cli_error("%s", err);
		if (!strncmp(err, "internal", 8) || !strncmp(err, "out of memory", 13))
			return EXIT_INTERNAL;
		return EXIT_OUTPUT;
	}
	return EXIT_OK;
}
