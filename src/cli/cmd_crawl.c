/*
 * cmd_crawl.c - `botlens crawl`: crawls an Overnet/Storm overlay
 * (p2p/crawl.c) and writes one snapshot per round as JSON lines.
 * Targets outside 127.0.0.0/8 are refused unless --allow-remote.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "p2p/p2p.h"

enum { C_BOOT = 300, C_XOR, C_ROUNDS, C_INTERVAL, C_OUT, C_TIMEOUT, C_RETRIES, C_RATE, C_QUERIES,
       C_REMOTE, C_WAIT, C_QUIET, C_SEED };

static const struct cli_opt crawl_opts[] = {
	{ "bootstrap", 'b', "PEERS", "ADDR:PORT[,ADDR:PORT...], or @FILE with one ADDR:PORT a line", C_BOOT },
	{ "xor-key", 0, "HEX", "Storm variant: the 40-byte XOR key (80 hex digits)", C_XOR },
	{ "rounds", 0, "R", "crawls to run (default 1)", C_ROUNDS },
	{ "interval", 0, "SEC", "seconds between crawl starts (default 60)", C_INTERVAL },
	{ "output", 'o', "FILE", "write the snapshots to FILE (default standard output)", C_OUT },
	{ "timeout", 0, "SEC", "wait for an answer before retrying (default 1)", C_TIMEOUT },
	{ "retries", 0, "N", "retries of an unanswered peer (default 2)", C_RETRIES },
	{ "rate", 0, "PPS", "packets per second at most (default 5000)", C_RATE },
	{ "queries", 0, "N", "targeted searches per live peer, 1-128 (default 16)", C_QUERIES },
	{ "allow-remote", 0, NULL, "allow targets outside 127.0.0.0/8 (a real network: be sure)", C_REMOTE },
	{ "wait-bootstrap", 0, "SEC", "wait up to SEC for the @FILE to appear (e.g. from p2p simulate)", C_WAIT },
	{ "quiet", 'q', NULL, "no per-round summary on standard error", C_QUIET },
	{ "seed", 0, "N", "random seed for search targets (default 1)", C_SEED },
	{ 0 },
};

struct crawl_cli {
	struct crawl_cfg c;
	const char *boot, *out;
	double wait;
	bool quiet;
};

static int crawl_cb(void *ctx, int id, const char *arg)
{
	struct crawl_cli *s = ctx;
	double v;
	switch (id) {
	case C_BOOT: s->boot = arg; return 0;
	case C_XOR:
		if (!ov_xor_parse(arg, s->c.key))
			return cli_bad_value("xor-key", arg, "80 hex digits (a 40-byte key)");
		s->c.xor_on = true;
		return 0;
	case C_ROUNDS:
		if (!cli_num(arg, 1, 100000, &v) || v != (unsigned)v)
			return cli_bad_value("rounds", arg, "a count >= 1");
		s->c.rounds = (unsigned)v;
		return 0;
	case C_INTERVAL:
		if (!cli_num(arg, 0, 1e7, &v))
			return cli_bad_value("interval", arg, "seconds >= 0");
		s->c.interval = v;
		return 0;
	case C_OUT: s->out = arg; return 0;
	case C_TIMEOUT:
		if (!cli_num(arg, 0.01, 60, &v))
			return cli_bad_value("timeout", arg, "seconds 0.01-60");
		s->c.timeout = v;
		return 0;
	case C_RETRIES:
		if (!cli_num(arg, 0, 20, &v) || v != (unsigned)v)
			return cli_bad_value("retries", arg, "0-20");
		s->c.retries = (unsigned)v;
		return 0;
	case C_RATE:
		if (!cli_num(arg, 1, 1e6, &v))
			return cli_bad_value("rate", arg, "packets per second 1-1000000");
		s->c.rate = v;
		return 0;
	case C_QUERIES:
		if (!cli_num(arg, 1, 128, &v) || v != (unsigned)v)
			return cli_bad_value("queries", arg, "1-128");
		s->c.queries = (unsigned)v;
		return 0;
	case C_REMOTE: s->c.allow_remote = true; return 0;
	case C_WAIT:
		if (!cli_num(arg, 0, 3600, &v))
			return cli_bad_value("wait-bootstrap", arg, "seconds 0-3600");
		s->wait = v;
		return 0;
	case C_QUIET: s->quiet = true; return 0;
	case C_SEED: s->c.seed = strtoull(arg, NULL, 10); return 0;
	}
	return EXIT_INTERNAL;
}

static int add_addr(struct crawl_addr **v, unsigned *n, const char *s)
{
	struct crawl_addr a;
	if (!crawl_addr_parse(s, &a)) {
		cli_error("invalid peer address '%s'", s);
		cli_hint("expected A.B.C.D:PORT");
		return EXIT_USAGE;
	}
	struct crawl_addr *nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return EXIT_INTERNAL;
	nv[(*n)++] = a;
	*v = nv;
	return 0;
}

/* Opens @FILE, waiting up to `wait` seconds for it to exist (it is renamed into place whole). */
static FILE *open_wait(const char *path, double wait)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		FILE *f = fopen(path, "r");
		if (f || errno != ENOENT)
			return f;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) * 1e-9 >= wait)
			return NULL;
		poll(NULL, 0, 20);
	}
}

static int parse_boot(struct crawl_cli *s, struct crawl_addr **v, unsigned *n)
{
	int rc = 0;
	if (s->boot[0] == '@') {
		FILE *f = open_wait(s->boot + 1, s->wait);
		if (!f) {
			cli_error("cannot open '%s': %s", s->boot + 1, strerror(errno));
			return EXIT_INPUT;
		}
		char line[128];
		unsigned no = 0;
		while (!rc && fgets(line, sizeof line, f)) {
			no++;
			if (!strchr(line, '\n') && !feof(f)) {  /* an address fits; /dev/zero does not end */
				cli_error("'%s': line %u longer than %zu bytes", s->boot + 1, no, sizeof line - 2);
				rc = EXIT_INPUT;
				break;
			}
			line[strcspn(line, "\r\n")] = 0;
			if (line[0] && line[0] != '#')
				rc = add_addr(v, n, line);
		}
		fclose(f);
		return rc;
	}
	char *copy = strdup(s->boot), *save = NULL;
	if (!copy)
		return EXIT_INTERNAL;
	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
		rc = add_addr(v, n, tok);
	free(copy);
	return rc;
}

static void on_round(void *ctx, const struct crawl_stats *st)
{
	if (*(bool *)ctx)
		return;
	fprintf(stderr, "botlens: crawl %u: %u responsive of %u known in %.1f s (%llu sent, %llu received, %llu undecodable)\n",
		st->crawl, st->responsive, st->known, st->end - st->start, (unsigned long long)st->sent,
		(unsigned long long)st->recv, (unsigned long long)st->bad);
}

static volatile int crawl_stop;

static void on_signal(int sig)
{
	(void)sig;
	crawl_stop = 1;
}

int cmd_crawl(int argc, char **argv)
{
	struct crawl_cli s = { .wait = 0 };
	crawl_cfg_default(&s.c);
	int rc = cli_parse(argc, argv, "crawl",
			   "--bootstrap ADDR:PORT[,..] [--xor-key K] --rounds R --interval S -o CRAWLS",
			   crawl_opts, crawl_cb, &s, NULL,
			   "  botlens crawl --bootstrap 127.77.1.1:40000 --rounds 3 --interval 30 -o crawls.jsonl\n"
			   "  botlens crawl --bootstrap @boot.txt --wait-bootstrap 10 --xor-key $KEY -o c.jsonl\n");
	if (rc)
		return rc;
	if ((rc = cli_no_operands(argc, argv, "crawl")))
		return rc;
	if (!s.boot) {
		cli_error("no bootstrap peers given");
		cli_hint("use --bootstrap ADDR:PORT[,..] or --bootstrap @FILE");
		return EXIT_USAGE;
	}
	struct crawl_addr *boot = NULL;
	unsigned nboot = 0;
	if ((rc = parse_boot(&s, &boot, &nboot)) != 0) {
		free(boot);
		return rc;
	}
	for (unsigned i = 0; i < nboot; i++) {
		if (!s.c.allow_remote && !crawl_addr_loopback(boot[i].ip)) {
			cli_error("refusing to crawl a non-loopback address (%u.%u.%u.%u)", boot[i].ip >> 24,
				  (boot[i].ip >> 16) & 255, (boot[i].ip >> 8) & 255, boot[i].ip & 255);
			cli_hint("only 127.0.0.0/8 is crawled by default; --allow-remote crawls a real network");
			free(boot);
			return EXIT_USAGE;
		}
	}
	s.c.boot = boot;
	s.c.nboot = nboot;
	s.c.stop = &crawl_stop;
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	FILE *out = cli_open_out(s.out);
	if (!out) {
		free(boot);
		return EXIT_OUTPUT;
	}
	char err[512];
	int ex = EXIT_OK;
	if (crawl_run(&s.c, out, on_round, &s.quiet, err, sizeof err) != 0) {
		if (ferror(out)) {  /* a full disk is an output failure (exit 4), not an internal one */
			cli_error("cannot write '%s': %s", s.out && strcmp(s.out, "-") ? s.out : "standard output",
				  strerror(errno ? errno : EIO));
			ex = EXIT_OUTPUT;
		} else {
			cli_error("%s", err);
			ex = EXIT_INTERNAL;
		}
	}
	free(boot);
	if (ex) {
		cli_discard_out(out);
		return ex;
	}
	return cli_close_out(out, s.out);
}
