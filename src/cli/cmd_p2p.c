/*
 * cmd_p2p.c - `botlens p2p simulate`: a Storm-like Overnet botnet on the
 * loopback (p2p/sim.c), writing ground truth as JSON lines.  Ends after
 * --duration seconds or on SIGINT/SIGTERM (the truth is then completed).
 * A status line on stderr each second when stderr is a terminal (-q: none).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "p2p/p2p.h"

enum { P_PEERS = 300, P_ONLINE, P_NAT, P_CHURN, P_DURATION, P_XOR, P_SYBILS, P_TRUTH, P_IDCHANGE, P_SEED,
       P_NET, P_BOOT, P_QUIET };

static const struct cli_opt sim_opts[] = {
	{ "peers", 0, "N", "bots to simulate, one UDP socket each (default 500)", P_PEERS },
	{ "online-frac", 0, "F", "long-run fraction of bots online, 0-1 (default 0.7)", P_ONLINE },
	{ "nat-frac", 0, "G", "fraction of bots behind NAT, 0-1 (default 0.3)", P_NAT },
	{ "churn", 0, "MODEL", "weibull:K,SCALE (session seconds; default weibull:0.6,600) or none", P_CHURN },
	{ "duration", 0, "SEC", "run time in seconds (default 60)", P_DURATION },
	{ "xor-key", 0, "HEX", "Storm variant: XOR every datagram with this 40-byte key (80 hex digits)", P_XOR },
	{ "sybils", 0, "M", "M sybil IDs on one address, always online (default 0)", P_SYBILS },
	{ "truth", 0, "FILE", "write the ground truth (JSON lines) to FILE", P_TRUTH },
	{ "id-change", 0, "P", "probability of a new ID on restart (default 0.5)", P_IDCHANGE },
	{ "seed", 0, "N", "random seed (default 1)", P_SEED },
	{ "net", 0, "B", "peers live in 127.B.0.0/16, B = 1-254 (default 77)", P_NET },
	{ "bootstrap-out", 0, "FILE", "once all sockets are up, write some reachable peers (ADDR:PORT lines)", P_BOOT },
	{ "quiet", 'q', NULL, "no progress on stderr (shown once a second when stderr is a terminal)", P_QUIET },
	{ 0 },
};

struct sim_cli {
	struct sim_cfg c;
	const char *truth;
	bool quiet;
};

static int parse_churn(struct sim_cfg *c, const char *arg)
{
	double k, s;
	char tail;
	if (!strcmp(arg, "none")) {
		c->churn = false;
		return 0;
	}
	if (sscanf(arg, "weibull:%lf,%lf%c", &k, &s, &tail) != 2 || !(k > 0.05 && k < 20) || !(s > 0 && s < 1e9))
		return cli_bad_value("churn", arg, "weibull:K,SCALE (K 0.05-20, SCALE seconds > 0) or none");
	c->churn = true;
	c->weibull_k = k;
	c->weibull_scale = s;
	return 0;
}

static int sim_cb(void *ctx, int id, const char *arg)
{
	struct sim_cli *s = ctx;
	struct sim_cfg *c = &s->c;
	double v;
	switch (id) {
	case P_PEERS:
		if (!cli_num(arg, 1, 60000, &v) || v != (unsigned)v)
			return cli_bad_value("peers", arg, "a count 1-60000");
		c->peers = (unsigned)v;
		return 0;
	case P_ONLINE:
		if (!cli_num(arg, 0.001, 1, &v))
			return cli_bad_value("online-frac", arg, "a fraction in (0, 1]");
		c->online_frac = v;
		return 0;
	case P_NAT:
		if (!cli_num(arg, 0, 1, &v))
			return cli_bad_value("nat-frac", arg, "a fraction 0-1");
		c->nat_frac = v;
		return 0;
	case P_CHURN: return parse_churn(c, arg);
	case P_DURATION:
		if (!cli_num(arg, 0.1, 1e7, &v))
			return cli_bad_value("duration", arg, "seconds > 0");
		c->duration = v;
		return 0;
	case P_XOR:
		if (!ov_xor_parse(arg, c->key))
			return cli_bad_value("xor-key", arg, "80 hex digits (a 40-byte key)");
		c->xor_on = true;
		return 0;
	case P_SYBILS:
		if (!cli_num(arg, 0, 5000, &v) || v != (unsigned)v)
			return cli_bad_value("sybils", arg, "a count 0-5000");
		c->sybils = (unsigned)v;
		return 0;
	case P_TRUTH: s->truth = arg; return 0;
	case P_IDCHANGE:
		if (!cli_num(arg, 0, 1, &v))
			return cli_bad_value("id-change", arg, "a probability 0-1");
		c->id_change = v;
		return 0;
	case P_SEED:
		if (!cli_num(arg, 0, 1.8e19, &v))
			return cli_bad_value("seed", arg, "a number >= 0");
		c->seed = strtoull(arg, NULL, 10);
		return 0;
	case P_NET:
		if (!cli_num(arg, 1, 254, &v) || v != (unsigned)v)
			return cli_bad_value("net", arg, "1-254");
		c->net = (uint8_t)v;
		return 0;
	case P_BOOT: c->bootstrap_path = arg; return 0;
	case P_QUIET: s->quiet = true; return 0;
	}
	return EXIT_INTERNAL;
}

/* One status line on the terminal, rewritten each second; cleared at the end. */
static void sim_progress(void *ctx, const struct sim_status *st)
{
	(void)ctx;
	if (st->done) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\r\033[Kbotlens: simulate: %.0f/%.0f s, %u bots online (%u reachable, %u behind NAT), "
		"%llu datagrams in, %llu out", st->elapsed, st->duration, st->online, st->reachable, st->nat_online,
		(unsigned long long)st->rx, (unsigned long long)st->tx);
	fflush(stderr);
}

static volatile int sim_stop;

static void on_signal(int sig)
{
	(void)sig;
	sim_stop = 1;
}

static int p2p_simulate(int argc, char **argv)
{
	struct sim_cli s;
	sim_cfg_default(&s.c);
	s.truth = NULL;
	s.quiet = false;
	int rc = cli_parse(argc, argv, "p2p simulate",
			   "--peers N --online-frac F --nat-frac G --churn MODEL --duration S [--xor-key K] "
			   "[--sybils M] --truth FILE",
			   sim_opts, sim_cb, &s, NULL,
			   "  botlens p2p simulate --peers 500 --duration 60 --truth truth.jsonl --bootstrap-out boot.txt\n"
			   "  botlens p2p simulate --peers 10000 --online-frac 0.7 --nat-frac 0.3 \\\n"
			   "      --churn weibull:0.6,600 --duration 120 --sybils 20 --truth t.jsonl\n");
	if (rc)
		return rc;
	if ((rc = cli_no_operands(argc, argv, "p2p simulate")))
		return rc;
	if (!s.truth) {
		cli_error("no truth file given");
		cli_hint("use --truth FILE (or --truth - for standard output)");
		return EXIT_USAGE;
	}
	FILE *out = cli_open_out(s.truth);
	if (!out)
		return EXIT_OUTPUT;
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	s.c.stop = &sim_stop;
	if (cli_progress_ok(s.quiet))
		s.c.progress = sim_progress;
	char err[512];
	int ex = EXIT_OK;
	if (sim_run(&s.c, out, err, sizeof err) != 0) {
		cli_error("%s", err);
		if (strstr(err, "limit"))
			cli_hint("raise the hard limit (ulimit -Hn) or simulate fewer peers");
		ex = strstr(err, "truth") ? EXIT_OUTPUT : EXIT_INTERNAL;
	}
	if (ex) {  /* a refused simulation leaves no truth file */
		cli_discard_out(out);
		return ex;
	}
	return cli_close_out(out, s.truth);
}

int cmd_p2p(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, "usage: botlens p2p simulate [options]   (see 'botlens p2p simulate -h')\n");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "simulate"))
		return p2p_simulate(argc - 1, argv + 1);
	cli_error("unknown p2p command '%s'", argv[1]);
	cli_hint("the only one is 'botlens p2p simulate'");
	return EXIT_USAGE;
}
