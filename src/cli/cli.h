/*
 * cli.h - the botlens command-line frame: exit codes, the option table,
 * the common options of every capture-reading subcommand, error output.
 * Only cli/ prints or exits.
 */
#ifndef BOTLENS_CLI_H
#define BOTLENS_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include "render/table.h"

/* Exit codes (documented in README and `botlens --help`). */
enum {
	EXIT_OK = 0,        /* everything read and written */
	EXIT_DAMAGED = 1,   /* an input was damaged or partly undecodable (unknown link type): results cover the readable part */
	EXIT_USAGE = 2,     /* bad command line (option, filter, address) */
	EXIT_INPUT = 3,     /* an input could not be opened or is not a capture */
	EXIT_OUTPUT = 4,    /* the output could not be written */
	EXIT_INTERNAL = 5,  /* out of memory or a bug */
};

/* One option of a subcommand; the same table parses and prints --help. */
struct cli_opt {
	const char *lng;      /* long name without "--" */
	int shrt;             /* short letter or 0 */
	const char *arg;      /* argument name, NULL for a flag */
	const char *help;
	int id;               /* value handed to the parse callback; must be >= 256 (below are short letters) */
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/*
 * The one --format vocabulary.  Each command accepts a subset: the capture
 * commands tsv, csv and json (the table formats), report text, json and
 * html (cli_common_formats in opts.c), the behavior commands text, tsv and
 * json, botnet-size text and json.
 */
enum cli_format { CLI_FMT_TEXT, CLI_FMT_TSV, CLI_FMT_CSV, CLI_FMT_JSON, CLI_FMT_HTML, CLI_FMT_ZEEK, CLI_FMT_ZEEK_JSON,
	CLI_FMT_STIX, CLI_FMT_CSV_IOC, CLI_NFORMATS };
#define CLI_FMT(f) (1u << (f))
/* Parses a --format word against the formats in mask; -1 after printing
 * the error and a hint that lists them. */
int cli_format_parse(const char *arg, unsigned mask);

/* Common options of capture-reading commands (info, packets, flows, hosts...). */
struct cli_common {
	const char *filter;        /* -f/-r style BPF filter */
	const char *host;          /* --host ADDR */
	uint8_t host_family;       /* its parsed address; 0 without --host */
	uint8_t host_addr[16];
	enum table_format format;  /* --format, for the table formats */
	enum cli_format fmt;       /* --format as given (report: text, json, html) */
	bool format_set;           /* --format was given */
	const char *out;           /* -o FILE */
	bool quiet;                /* -q */
	bool no_header;
	int reader;                /* --reader native|libpcap */
	unsigned threads;          /* --threads: 0 = default, 1, 2 */
	double tcp_timeout, udp_timeout, icmp_timeout, close_delay;  /* seconds */
	uint64_t count;            /* -c N: stop after N matching packets per capture (tcpdump -c); 0 = all */
	bool filter_words;         /* filter holds operands after -r that are not files (tcpdump's trailing expression) */
	char **files;              /* operands (files, dirs, "-") */
	int nfiles;
	int nread;                 /* of them, given with -r (the first ones) */
};

/* Parser callback for command-specific options: return 0 or an exit code. */
typedef int (*cli_opt_cb)(void *ctx, int id, const char *arg);

/*
 * Parses argv against the command's own options `extra` (may be NULL) and,
 * when `common` is non-NULL, the common capture options.  Handles -h/--help
 * (prints usage from the tables plus `examples` to stdout, exits 0).
 * Returns 0, or an exit code after printing the error.
 */
int cli_parse(int argc, char **argv, const char *cmd, const char *synopsis,
	      const struct cli_opt *extra, cli_opt_cb cb, void *ctx,
	      struct cli_common *common, const char *examples);

/* A number in [lo, hi] (strtod, the whole argument); false when not. */
bool cli_num(const char *arg, double lo, double hi, double *out);
/* A byte count in [lo, hi]: digits, then optionally K, M, G or T (binary:
 * 64K = 65,536), the whole argument; false when not. */
bool cli_size(const char *arg, uint64_t lo, uint64_t hi, uint64_t *out);
/* --inspect-bytes (mem false) or --inspect-mem (mem true): the size into
 * *out, or EXIT_USAGE after the error (report, plot --annotate explain). */
int cli_inspect_opt(bool mem, const char *arg, uint64_t *out);
/* "invalid --OPT 'ARG': expected WANT"; returns EXIT_USAGE. */
int cli_bad_value(const char *opt, const char *arg, const char *want);
/* For commands that take no operands: EXIT_USAGE after the error when argv[optind..] is not empty, else 0. */
int cli_no_operands(int argc, char **argv, const char *cmd);
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Opens -o FILE (or stdout when NULL or "-"); returns NULL after cli_error. */
FILE *cli_open_out(const char *path);
int cli_close_out(FILE *f, const char *path);
/* outfile.c: the atomic outputs behind cli_open_out (see its header). */
void cli_out_args(int argc, char **argv);
FILE *cli_out_open(const char *path);
int cli_out_close(FILE *f, bool ok);   /* ok = false: discard; -1 + errno on a failed write */
void cli_discard_out(FILE *f);         /* after a failed command: removes what cli_open_out created */
void cli_out_check(const char *path);  /* exits 2 when an output path is also an input */
/* True when progress may be drawn on stderr. */
bool cli_progress_ok(bool quiet);
extern const char *cli_version;

/* Subcommands: one function each, one file each (cli/cmd_*.c). */
int cmd_info(int argc, char **argv);
int cmd_packets(int argc, char **argv);
int cmd_flows(int argc, char **argv);
int cmd_hosts(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_ports(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_learn(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_job(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_p2p(int argc, char **argv);
int cmd_crawl(int argc, char **argv);
int cmd_botnet_size(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);

#endif
