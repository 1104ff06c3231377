/*
 * cmd_report.c - `botlens report`: explain a run - protocols by content,
 * nDPI's services and risks (unless --no-dpi), behaviors with evidence,
 * phases, the host's role and the notable endpoints with AS/organisation
 * (libloc) - as text, JSON or one self-contained HTML page.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/report.h"
#include "cli/inputs.h"
#include "render/report_out.h"

enum { OPT_GEO_DB = 256, OPT_NO_GEO, OPT_SET, OPT_RULES, OPT_EXPLAIN, OPT_NO_DPI };
enum rformat { RF_TEXT, RF_JSON, RF_HTML };

static const struct cli_opt opts[] = {
	{ "geo-db", 0, "FILE", "libloc database for AS/org/country (default: the system's)", OPT_GEO_DB },
	{ "no-geo", 0, NULL, "no AS enrichment", OPT_NO_GEO },
	{ "set", 0, "NAME=VALUE", "change a detector threshold (repeatable; see --explain-rules)", OPT_SET },
	{ "rules", 0, "FILE", "thresholds from a file of NAME=VALUE lines ('#' comments)", OPT_RULES },
	{ "explain-rules", 0, NULL, "list behavior kinds, detectors and thresholds, then exit", OPT_EXPLAIN },
	{ "no-dpi", 0, NULL, "no nDPI: no services and risks, a third of the CPU on large captures", OPT_NO_DPI },
	{ 0 },
};

struct report_ctx {
	const struct cli_common *c;
	enum rformat fmt;
	const char *geo_path;
	bool no_geo, no_dpi;
	struct geo *geo;
	FILE *out;
	bool several;
	uint8_t host_family, host_addr[16];
	struct rp_col *col;
	struct rp_params *params;
	int rc;
};

static int opt_cb(void *ctx, int id, const char *arg)
{
	struct report_ctx *x = ctx;
	char err[400];
	if (id == OPT_GEO_DB)
		x->geo_path = arg;
	else if (id == OPT_NO_GEO)
		x->no_geo = true;
	else if (id == OPT_SET && rp_params_set(x->params, arg, err, sizeof err)) {
		cli_error("--set %s", err);
		return EXIT_USAGE;
	} else if (id == OPT_RULES && rp_params_load(x->params, arg, err, sizeof err)) {
		cli_error("%s", err);
		return strncmp(err, "cannot ", 7) ? EXIT_USAGE : EXIT_INPUT;
	} else if (id == OPT_NO_DPI) {
		x->no_dpi = true;
	}
	return 0;
}

static void explain_rule(void *ctx, const char *detector, const char *kinds, const struct rp_rule *r)
{
	FILE *o = ctx;
	if (!r)
		fprintf(o, "\n%s (emits: %s)\n", detector, kinds[0] ? kinds : "-");
	else
		fprintf(o, "  %-28s %-10g %s [%g..%g]\n", r->name, r->def, r->doc, r->min, r->max);
}

/* `report --explain-rules`: the kinds, then each detector's thresholds. */
static int explain_rules(void)
{
	size_t n;
	const struct rp_kind *k = rp_kinds(&n);
	printf("behavior kinds (weight: lower is heavier in the verdict):\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-16s %-9s role %-9s weight %-3u %s\n", k[i].name, k[i].malicious ? "malicious" : "benign",
		       k[i].role ? k[i].role : "-", k[i].weight, k[i].doc);
	printf("\ndetectors and their thresholds (report --set NAME=VALUE, --rules FILE):\n");
	rp_rules_each(explain_rule, stdout);
	return fflush(stdout) || ferror(stdout) ? EXIT_OUTPUT : EXIT_OK;
}

static unsigned setup(void *ctx, struct run *r, struct run_sub *subs)
{
	struct report_ctx *x = ctx;
	(void)r;
	rp_col_free(x->col);
	x->col = rp_col_new();
	if (!x->col)
		return 0;
	rp_col_params(x->col, x->params);
	if (!x->no_dpi)
		rp_col_dpi(x->col);  /* without nDPI the report still stands: no "services" then */
	subs[0] = rp_col_sub(x->col);
	return 1;
}

static void finish(void *ctx, struct run *r)
{
	struct report_ctx *x = ctx;
	struct rp_report rep;
	char err[256];
	if (!x->col || rp_col_oom(x->col)) {
		cli_error("'%s': out of memory", r->path);
		x->rc = EXIT_INTERNAL;
		return;
	}
	if (rp_build(x->col, r, x->host_family, x->host_addr, x->geo, &rep, err, sizeof err)) {
		cli_error("'%s': %s", r->path, err);
		x->rc = EXIT_INTERNAL;
		rp_report_free(&rep);
		return;
	}
	int w = 0;
	if (x->fmt == RF_TEXT)
		w = report_text(x->out, &rep);
	else if (x->fmt == RF_JSON)
		w = report_json(x->out, &rep, !x->several);
	else if ((w = report_html(x->out, &rep, err, sizeof err)) && !ferror(x->out))
		cli_error("%s", err);  /* a write error is reported once, by cli_close_out, with the file name */
	if (w && !x->rc)
		x->rc = EXIT_OUTPUT;
	rp_report_free(&rep);
	rp_col_free(x->col);
	x->col = NULL;
}

static void begin(void *ctx, size_t nfiles)
{
	struct report_ctx *x = ctx;
	x->several = nfiles > 1;
	if (x->fmt == RF_HTML)
		report_html_begin(x->out, "botlens report");
}

/* --format belongs to the common table options (tsv/csv/json); report
 * takes text/json/html, so it is taken out of argv before parsing. */
static void take_format(int *argc, char **argv, const char **fmt)
{
	int j = 0, i = 0;
	for (; i < *argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < *argc)
			*fmt = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			*fmt = argv[i] + 9;
		else
			argv[j++] = argv[i];
	}
	while (i < *argc)   /* "--" and the operands after it, untouched */
		argv[j++] = argv[i++];
	*argc = j;
}

static int format_of(const char *fmt, const char *out, enum rformat *f)
{
	if (!fmt && out) {
		size_t n = strlen(out);
		fmt = n > 5 && !strcmp(out + n - 5, ".html") ? "html" : n > 5 && !strcmp(out + n - 5, ".json") ? "json" : "text";
	}
	if (!fmt || !strcmp(fmt, "text"))
		*f = RF_TEXT;
	else if (!strcmp(fmt, "json"))
		*f = RF_JSON;
	else if (!strcmp(fmt, "html"))
		*f = RF_HTML;
	else {
		cli_error("unknown format '%s'", fmt);
		cli_hint("use text, json or html");
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct cli_common c;
	struct report_ctx x = { .c = &c };
	const char *fmt = NULL;
	char **av = malloc(((size_t)argc + 1) * sizeof *av);
	if (!av)
		return EXIT_INTERNAL;
	memcpy(av, argv, (size_t)argc * sizeof *av);
	av[argc] = NULL;
	int ac = argc;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--explain-rules")) {
			free(av);
			return explain_rules();
		}
	x.params = rp_params_new();
	if (!x.params) {
		free(av);
		return EXIT_INTERNAL;
	}
	take_format(&ac, av, &fmt);
	av[ac] = NULL;
	int rc = cli_parse(ac, av, "report", "[options] FILE... [-o OUT.html|OUT.json|OUT.txt] [--format text|json|html]",
			   opts, opt_cb, &x, &c,
			   "  botlens report run.pcap\n"
			   "  botlens report -o run.html run.pcap\n"
			   "  botlens report --format json --host 192.168.1.10 run.pcap\n"
			   "  botlens report --set session.hold_s=60 --set beacon.regular_beats=8 run.pcap\n"
			   "  botlens report --explain-rules\n"
			   "\n--format text|json|html (default: from -o's extension, else text).\n"
			   "AS data: IPFire Location database (libloc), CC BY-SA 4.0.\n");
	if (!rc)
		rc = format_of(fmt, c.out, &x.fmt);
	if (!rc && c.host && !decode_addr_parse(c.host, &x.host_family, x.host_addr)) {
		cli_error("invalid address '%s'", c.host);
		rc = EXIT_USAGE;
	}
	if (!rc && !x.no_geo) {
		char err[300];
		x.geo = geo_open(x.geo_path, err, sizeof err);
		if (!x.geo && x.geo_path) {
			cli_error("%s", err);
			rc = EXIT_INPUT;
		}
	}
	if (!rc && !(x.out = cli_open_out(c.out)))
		rc = EXIT_OUTPUT;
	if (!rc) {
		struct inputs_job job = { .ctx = &x, .track_hosts = true, .hosts_light = true,
					  .begin = begin, .setup = setup, .finish = finish };
		rc = inputs_run(&c, &job);
		if (x.fmt == RF_HTML)
			report_html_end(x.out);
		if (x.rc && (!rc || rc == EXIT_DAMAGED))
			rc = x.rc;
		int oc = cli_close_out(x.out, c.out);
		rc = oc ? oc : rc;
	}
	rp_col_free(x.col);
	rp_params_free(x.params);
	geo_close(x.geo);
	free(av);
	return rc;
}
