/*
 * opts.c - option parsing from declared tables (the same tables print
 * --help), the common options of capture commands, and error output.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "decode/decode.h"

enum {
	COMMON_FILTER = 1000, COMMON_HOST, COMMON_FORMAT, COMMON_OUT, COMMON_QUIET,
	COMMON_NOHEADER, COMMON_READER, COMMON_TCP_TO, COMMON_UDP_TO, COMMON_ICMP_TO, COMMON_READ, COMMON_THREADS, COMMON_CLOSE, COMMON_COUNT,
	OPT_HELP, OPT_VERSION,
};

static const struct cli_opt common_opts[] = {
	{ "read", 'r', "FILE", "read FILE (as tcpdump -r; same as giving FILE as an operand)", COMMON_READ },
	{ "filter", 'f', "EXPR", "BPF filter, tcpdump syntax (e.g. 'udp and not port 53'); after -r also as trailing words", COMMON_FILTER },
	{ "count", 'c', "N", "stop after N packets (that pass the filter) of each capture, as tcpdump -c", COMMON_COUNT },
	{ "host", 0, "ADDR", "the sandbox host (default: the internal address(es) originating most flows)", COMMON_HOST },
	{ "format", 0, "FMT", "tsv (default), csv, json (JSON lines), zeek or zeek-json (flows: conn.log)", COMMON_FORMAT },
	{ "output", 'o', "FILE", "write to FILE instead of standard output", COMMON_OUT },
	{ "quiet", 'q', NULL, "no progress on stderr", COMMON_QUIET },
	{ "no-header", 0, NULL, "no header row in tsv/csv", COMMON_NOHEADER },
	{ "reader", 0, "NAME", "native (default) or libpcap (the reference reader)", COMMON_READER },
	{ "threads", 0, "N", "1 = read and analyse in one thread (default: a reader thread for plain files; report: nDPI on a thread of its own)", COMMON_THREADS },
	{ "tcp-timeout", 0, "SEC", "TCP inactivity timeout (default 300, as Zeek)", COMMON_TCP_TO },
	{ "udp-timeout", 0, "SEC", "UDP inactivity timeout (default 60, as Zeek)", COMMON_UDP_TO },
	{ "icmp-timeout", 0, "SEC", "ICMP inactivity timeout (default 60, as Zeek)", COMMON_ICMP_TO },
	{ "close-delay", 0, "SEC", "a closed TCP connection ends SEC after its FINs/RST (default 5, as Zeek)", COMMON_CLOSE },
};

static const struct cli_opt always_opts[] = {
	{ "help", 'h', NULL, "show this help on standard output", OPT_HELP },
	{ "version", 0, NULL, "show the version", OPT_VERSION },
};

#define NELEM(a) (sizeof(a) / sizeof *(a))

/* One line on stderr: prefix, the message, newline. */
static void say(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("botlens: ", fmt, ap);
	va_end(ap);
}

void cli_hint(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("hint: ", fmt, ap);
	va_end(ap);
}

bool cli_progress_ok(bool quiet)
{
	return !quiet && isatty(STDERR_FILENO);
}

FILE *cli_open_out(const char *path)
{
	if (!path || !strcmp(path, "-"))
		return stdout;
	return cli_out_open(path);  /* outfile.c: temporary file, renamed on success */
}

int cli_close_out(FILE *f, const char *path)
{
	int bad;
	if (f == stdout) {
		bad = ferror(f) || fflush(f) != 0;
	} else {
		bad = cli_out_close(f, true) != 0;
	}
	if (bad) {
		cli_error("cannot write '%s': %s", path && strcmp(path, "-") ? path : "standard output",
			  strerror(errno ? errno : EIO));
		return EXIT_OUTPUT;
	}
	return EXIT_OK;
}

static void print_opts(const struct cli_opt *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char left[64];
		char sh[8] = "    ";
		if (o[i].shrt)
			snprintf(sh, sizeof sh, "-%c, ", o[i].shrt);
		snprintf(left, sizeof left, "%s--%s%s%s", sh, o[i].lng, o[i].arg ? " " : "",
			 o[i].arg ? o[i].arg : "");
		printf("  %-28s %s\n", left, o[i].help);
	}
}

static size_t count_opts(const struct cli_opt *o)
{
	size_t n = 0;
	while (o && o[n].lng)
		n++;
	return n;
}

static void print_help(const char *cmd, const char *synopsis, const struct cli_opt *extra,
		       bool common, const char *examples)
{
	printf("usage: botlens %s %s\n\n", cmd, synopsis);
	if (extra && extra[0].lng) {
		printf("options:\n");
		print_opts(extra, count_opts(extra));
	}
	if (common) {
		printf("capture options:\n");
		print_opts(common_opts, NELEM(common_opts));
	}
	print_opts(always_opts, NELEM(always_opts));
	if (examples)
		printf("\nexamples:\n%s", examples);
	printf("\nexit codes: 0 ok, 1 damaged input, 2 usage, 3 unreadable input, 4 output, 5 internal\n");
}

static int parse_seconds(const char *arg, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || v <= 0 || v > 1e9) {
		cli_error("invalid timeout '%s': expected seconds > 0", arg);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static const char *const format_names[CLI_NFORMATS] = { "text", "tsv", "csv", "json", "html", "zeek", "zeek-json",
	"stix", "csv-ioc" };

bool cli_num(const char *arg, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

bool cli_size(const char *arg, uint64_t lo, uint64_t hi, uint64_t *out)
{
	static const char units[] = "KMGT";
	char *end;
	if (*arg < '0' || *arg > '9')
		return false;   /* strtoull would take a sign or spaces */
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	unsigned shift = 0;
	const char *u = *end ? strchr(units, *end >= 'a' ? *end - 32 : *end) : NULL;
	if (u) {
		shift = 10 * (unsigned)(u - units + 1);
		end++;
	}
	if (errno || *end || v > UINT64_MAX >> shift)
		return false;
	v <<= shift;
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int cli_inspect_opt(bool mem, const char *arg, uint64_t *out)
{
	uint64_t hi = (uint64_t)(SIZE_MAX > UINT32_MAX ? 1ull << 40 : 1ull << 30);
	if (!cli_size(arg, 1024, mem ? hi : 1ull << 30, out))
		return cli_bad_value(mem ? "inspect-mem" : "inspect-bytes", arg,
				     mem ? "a size from 1K to 1T (e.g. 256M)" : "a size from 1K to 1G (e.g. 64K)");
	return 0;
}

int cli_bad_value(const char *opt, const char *arg, const char *want)
{
	cli_error("invalid --%s '%s': expected %s", opt, arg, want);
	return EXIT_USAGE;
}

int cli_no_operands(int argc, char **argv, const char *cmd)
{
	if (optind >= argc)
		return 0;
	cli_error("unexpected argument '%s'", argv[optind]);
	cli_hint("see 'botlens %s -h'", cmd);
	return EXIT_USAGE;
}

int cli_format_parse(const char *arg, unsigned mask)
{
	for (int i = 0; i < CLI_NFORMATS; i++)
		if (mask & CLI_FMT(i) && !strcmp(arg, format_names[i]))
			return i;
	char hint[64] = "";
	size_t len = 0;
	int n = 0, left = __builtin_popcount(mask);
	for (int i = 0; i < CLI_NFORMATS; i++)
		if (mask & CLI_FMT(i)) {
			left--;
			len += (size_t)snprintf(hint + len, sizeof hint - len, "%s%s", n++ ? (left ? ", " : " or ") : "",
						format_names[i]);
		}
	cli_error("unknown format '%s'", arg);
	cli_hint("use %s", hint);
	return -1;
}

#define TABLE_FORMATS (CLI_FMT(CLI_FMT_TSV) | CLI_FMT(CLI_FMT_CSV) | CLI_FMT(CLI_FMT_JSON))
/* The --format words each capture command takes (the table formats unless listed). */
static const struct {
	const char *cmd;
	unsigned formats;
} cli_common_formats[] = {
	{ "report", CLI_FMT(CLI_FMT_TEXT) | CLI_FMT(CLI_FMT_JSON) | CLI_FMT(CLI_FMT_HTML) | CLI_FMT(CLI_FMT_STIX) |
		    CLI_FMT(CLI_FMT_CSV_IOC) },
	{ "flows", TABLE_FORMATS | CLI_FMT(CLI_FMT_ZEEK) | CLI_FMT(CLI_FMT_ZEEK_JSON) },
};
static const char *parsing_cmd;   /* the command cli_parse is parsing for */

static unsigned common_formats(void)
{
	for (size_t i = 0; i < sizeof cli_common_formats / sizeof *cli_common_formats; i++)
		if (parsing_cmd && !strcmp(parsing_cmd, cli_common_formats[i].cmd))
			return cli_common_formats[i].formats;
	return TABLE_FORMATS;
}

static int common_opt(struct cli_common *c, int id, const char *arg)
{
	int v;
	switch (id) {
	case COMMON_FILTER: c->filter = arg; return 0;
	case COMMON_HOST:
		c->host = arg;
		if (!decode_addr_parse(arg, &c->host_family, c->host_addr)) {
			cli_error("invalid address '%s'", arg);
			return EXIT_USAGE;
		}
		return 0;
	case COMMON_READ:
		c->files[c->nfiles++] = (char *)arg;
		c->nread++;
		return 0;
	case COMMON_COUNT: {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || n == 0) {
			cli_error("invalid count '%s': expected a number of packets > 0", arg);
			return EXIT_USAGE;
		}
		c->count = n;
		return 0;
	}
	case COMMON_FORMAT:
		c->format_set = true;
		if ((v = cli_format_parse(arg, common_formats())) < 0)
			return EXIT_USAGE;
		c->fmt = (enum cli_format)v;
		if (table_format_parse(arg) >= 0)   /* tsv, csv, json, zeek, zeek-json */
			c->format = (enum table_format)table_format_parse(arg);
		return 0;
	case COMMON_OUT: c->out = arg; return 0;
	case COMMON_QUIET: c->quiet = true; return 0;
	case COMMON_NOHEADER: c->no_header = true; return 0;
	case COMMON_READER:
		if (!strcmp(arg, "native")) c->reader = 0;
		else if (!strcmp(arg, "libpcap")) c->reader = 1;
		else {
			cli_error("unknown reader '%s'", arg);
			cli_hint("use native or libpcap");
			return EXIT_USAGE;
		}
		return 0;
	case COMMON_THREADS:
		if (strcmp(arg, "1") && strcmp(arg, "2")) {
			cli_error("invalid thread count '%s': expected 1 or 2", arg);
			return EXIT_USAGE;
		}
		c->threads = (unsigned)atoi(arg);
		return 0;
	case COMMON_TCP_TO: return parse_seconds(arg, &c->tcp_timeout);
	case COMMON_UDP_TO: return parse_seconds(arg, &c->udp_timeout);
	case COMMON_ICMP_TO: return parse_seconds(arg, &c->icmp_timeout);
	case COMMON_CLOSE: return parse_seconds(arg, &c->close_delay);
	}
	return EXIT_INTERNAL;
}

/*
 * tcpdump's trailing filter expression (`botlens flows -r x.pcap tcp port
 * 80`).  Only with -r: the operands are scanned in order, and the first
 * one that is neither "-" nor an existing file or directory starts the
 * filter; it and every operand after it are its words, joined by spaces
 * (operands before it stay captures).  Without -r every operand is a
 * capture, so a missing file is still an open error.  With -f too, both
 * must match: the filter is "(F) and (WORDS)".  Returns 0 or EXIT_INTERNAL.
 */
static int trailing_filter(struct cli_common *c)
{
	static char *buf;
	if (!c->nread)
		return 0;
	int first = c->nread;
	for (struct stat st; first < c->nfiles; first++)
		if (strcmp(c->files[first], "-") && stat(c->files[first], &st) != 0)
			break;
	if (first == c->nfiles)
		return 0;
	size_t len = c->filter ? strlen(c->filter) + 12 : 1;
	for (int i = first; i < c->nfiles; i++)
		len += strlen(c->files[i]) + 1;
	free(buf);
	if (!(buf = malloc(len)))
		return EXIT_INTERNAL;
	size_t used = 0;
	if (c->filter)
		used = (size_t)sprintf(buf, "(%s) and (", c->filter);
	for (int i = first; i < c->nfiles; i++)
		used += (size_t)sprintf(buf + used, "%s%s", i > first ? " " : "", c->files[i]);
	if (c->filter)
		strcpy(buf + used, ")");
	c->filter = buf;
	c->filter_words = true;
	c->nfiles = first;
	return 0;
}

/* Adds the rows of one option table to getopt's long and short tables. */
static void add_opts(const struct cli_opt *o, size_t n, struct option *lo, size_t *nl,
		     char *so, size_t *ns)
{
	for (size_t i = 0; i < n; i++) {
		lo[*nl] = (struct option){ o[i].lng, o[i].arg ? required_argument : no_argument,
					   NULL, o[i].id };
		(*nl)++;
		if (o[i].shrt) {
			so[(*ns)++] = (char)o[i].shrt;
			if (o[i].arg)
				so[(*ns)++] = ':';
		}
	}
}

static int short_to_id(int ch, const struct cli_opt *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (o[i].shrt == ch)
			return o[i].id;
	return -1;
}

/* One row per option for the completion generator: LONG, -S or "", ARG or "", the words ARG takes. */
static void list_opts(const struct cli_opt *o, size_t n, bool common)
{
	for (size_t i = 0; i < n; i++) {
		char sh[3] = { '-', (char)o[i].shrt, 0 };
		printf("--%s\t%s\t%s\t", o[i].lng, o[i].shrt ? sh : "", o[i].arg ? o[i].arg : "");
		if (common && o[i].id == COMMON_FORMAT) {
			unsigned m = common_formats();
			for (int f = 0, k = 0; f < CLI_NFORMATS; f++)
				if (m & CLI_FMT(f))
					printf("%s%s", k++ ? " " : "", format_names[f]);
		} else if (common && o[i].id == COMMON_READER) {
			printf("native libpcap");
		} else if (common && o[i].id == COMMON_THREADS) {
			printf("1 2");
		}
		putchar('\n');
	}
}

/*
 * `botlens CMD --list-options` (hidden, the only argument): the command's
 * option table as TSV, for scripts/gen-completion.sh, so that shell
 * completion is generated from the tables that parse the options.
 */
static void list_options(const struct cli_opt *extra, size_t nextra, bool common)
{
	list_opts(extra, nextra, false);
	if (common)
		list_opts(common_opts, NELEM(common_opts), true);
	list_opts(always_opts, NELEM(always_opts), false);
}

int cli_parse(int argc, char **argv, const char *cmd, const char *synopsis,
	      const struct cli_opt *extra, cli_opt_cb cb, void *ctx,
	      struct cli_common *common, const char *examples)
{
	size_t nextra = count_opts(extra);
	parsing_cmd = cmd;
	if (argc == 2 && !strcmp(argv[1], "--list-options")) {
		list_options(extra, nextra, common != NULL);
		exit(fflush(stdout) ? EXIT_OUTPUT : EXIT_OK);
	}
	struct option lo[64];
	char so[96];
	size_t nl = 0, ns = 0;
	so[ns++] = ':';  /* GNU order: options may follow operands (botlens flows x.pcap -o y) */
	add_opts(always_opts, NELEM(always_opts), lo, &nl, so, &ns);
	if (common)
		add_opts(common_opts, NELEM(common_opts), lo, &nl, so, &ns);
	add_opts(extra, nextra, lo, &nl, so, &ns);
	lo[nl] = (struct option){ 0, 0, 0, 0 };
	so[ns] = 0;
	static char **files;
	if (common) {
		*common = (struct cli_common){ .format = TABLE_TSV, .tcp_timeout = 300,
					       .udp_timeout = 60, .icmp_timeout = 60, .close_delay = 5 };
		free(files);
		files = calloc((size_t)argc + 1, sizeof *files);
		if (!files)
			return EXIT_INTERNAL;
		common->files = files;
	}
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (ch == '?' || ch == ':') {
			const char *what = argv[optind - 1];
			if (ch == ':')
				cli_error("option '%s' needs an argument", what);
			else
				cli_error("unknown option '%s'", what);
			cli_hint("see 'botlens %s -h'", cmd);
			return EXIT_USAGE;
		}
		int id = ch;
		if (ch < 256) {
			id = short_to_id(ch, always_opts, NELEM(always_opts));
			if (id < 0 && common)
				id = short_to_id(ch, common_opts, NELEM(common_opts));
			if (id < 0)
				id = short_to_id(ch, extra, nextra);
		}
		if (id == OPT_HELP) {
			print_help(cmd, synopsis, extra, common != NULL, examples);
			exit(EXIT_OK);
		}
		if (id == OPT_VERSION) {
			printf("botlens %s\n", cli_version);
			exit(EXIT_OK);
		}
		int rc = (id >= COMMON_FILTER && id < OPT_HELP && common) ? common_opt(common, id, optarg)
									   : (cb ? cb(ctx, id, optarg) : EXIT_INTERNAL);
		if (rc)
			return rc;
	}
	if (common) {
		for (int i = optind; i < argc; i++)
			common->files[common->nfiles++] = argv[i];
		return trailing_filter(common);
	}
	return 0;
}
