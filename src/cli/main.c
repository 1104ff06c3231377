/*
 * main.c - `botlens SUBCOMMAND [options] FILE...`: the subcommand table.
 * A subcommand is one function in one file (cmd_*.c) and one row here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"
#include "cli/cli.h"
#include "render/plot.h"

#ifndef BOTLENS_VERSION
#define BOTLENS_VERSION "0.0.0"
#endif
const char *cli_version = BOTLENS_VERSION;

static const struct cli_cmd commands[] = {
	{ "info", cmd_info, "summarise captures: format, link types, counts, protocol mix, anomalies, sandbox hosts" },
	{ "packets", cmd_packets, "one line per packet: time, proto, addresses, ports, length, TCP flags" },
	{ "flows", cmd_flows, "one line per connection, Zeek conn.log fields" },
	{ "hosts", cmd_hosts, "one line per address: packets, bytes, peers, ports, first/last seen" },
	{ "synth", cmd_synth, "write a deterministic synthetic sandbox run (pcap + ground truth)" },
	{ "plot", cmd_plot, "time x destination-port plot, TCP and UDP apart (PNG, SVG, PDF)" },
	{ "ports", cmd_ports, "destination-port histogram; finds services, random-port range, dense bands" },
	{ "compare", cmd_compare, "two runs side by side and a table of their differences" },
	{ "learn", cmd_learn, "train per-family linear SVMs on behavior reports (DIMVA 2008)" },
	{ "classify", cmd_classify, "classify behavior reports with a model, rejecting unknown families" },
	{ "explain", cmd_explain, "each family's most discriminative behavior, from a model" },
	{ "cluster", cmd_cluster, "prototypes and clusters of unlabeled behavior reports (Malheur)" },
	{ "job", cmd_job, "internal: one analysis job in its own process, run by the store's workers" },
	{ "evaluate", cmd_evaluate, "stratified K-fold evaluation of behavior classification" },
	{ "p2p", cmd_p2p, "Overnet/Storm P2P tools: `botlens p2p simulate` (a loopback botnet)" },
	{ "crawl", cmd_crawl, "crawl an Overnet/Storm overlay (loopback unless --allow-remote)" },
	{ "report", cmd_report, "explain a run: protocols, behaviors, phases, role, notable endpoints (text, JSON, HTML)" },
	{ "botnet-size", cmd_botnet_size, "effective size, total size and churn from crawls or a capture" },
	{ "serve", cmd_serve, "the web interface: upload runs, browse analyses, JSON API (SQLite or PostgreSQL store)" },
	{ "token", cmd_token, "`botlens token add NAME`: a new write token for `botlens serve`" },
	{ "worker", cmd_worker, "analysis workers on a shared store (PostgreSQL: many machines, one database)" },
	{ "status", cmd_status, "a store's job queue: queued, running per worker, jobs per minute, failures" },
	{ "db", cmd_db, "a store without the server: `db migrate` (schema migrations), `db add FILE...` (runs)" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: botlens SUBCOMMAND [options] FILE...\n"
		   "       botlens --version | --help\n\n"
		   "subcommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\nFILE is a pcap or pcapng file, optionally gzip-compressed, a directory\n"
		"(every capture inside, recursively) or - for standard input.\n"
		"\nexamples:\n"
		"  botlens synth --scenario storm-private -o run.pcap\n"
		"  botlens info run.pcap\n"
		"  botlens flows -f 'udp and not port 53' --format json run.pcap\n"
		"  botlens hosts --host 192.168.1.10 -o hosts.tsv run.pcap.gz\n"
		"  tcpdump -w - -i eth0 | botlens packets -\n"
		"\nexit codes:\n"
		"  0 success   1 damaged input (results cover the readable part)\n"
		"  2 usage     3 input cannot be opened or is not a capture\n"
		"  4 output cannot be written   5 internal error\n"
		"\n`botlens SUBCOMMAND -h` shows a subcommand's options.\n");
}

/* The behavior layer's out-of-memory handler: one message, exit 5 (never abort). */
static void out_of_memory(void)
{
	cli_error("out of memory");
	exit(EXIT_INTERNAL);
}

int main(int argc, char **argv)
{
	bh_set_oom_handler(out_of_memory);
	cli_out_args(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "help") && argc > 2) {   /* botlens help CMD = botlens CMD -h */
		for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
			if (!strcmp(argv[2], commands[i].name)) {
				char *av[] = { argv[2], "-h", NULL };
				return commands[i].run(2, av);
			}
		cli_error("'%s' is not a botlens subcommand", argv[2]);
		cli_hint("see 'botlens --help'");
		return EXIT_USAGE;
	}
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(name, "--commands")) {   /* hidden: the subcommands, one a line (scripts/gen-completion.sh) */
		for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
			printf("%s\n", commands[i].name);
		return fflush(stdout) ? EXIT_OUTPUT : EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("botlens %s\n", cli_version);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(name, commands[i].name)) {
			int rc = commands[i].run(argc - 1, argv + 1);
			plot_release();  /* plots keep fonts cached for the whole command */
			return rc;
		}
	cli_error("'%s' is not a botlens subcommand", name);
	cli_hint("see 'botlens --help'");
	return EXIT_USAGE;
}
