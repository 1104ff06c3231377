/*
 * cmd_report.c - `botlens report`: explain a run - protocols by content,
 * nDPI's services and risks (unless --no-dpi), behaviors with evidence,
 * phases, the host's role and the notable endpoints with AS/organisation
 * (libloc) - as text, JSON or one self-contained HTML page.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/report.h"
#include "cli/inputs.h"
#include "render/report_out.h"
#include "render/zeek.h"

#include <errno.h>
#include <sys/stat.h>

enum { OPT_GEO_DB = 256, OPT_NO_GEO, OPT_SET, OPT_RULES, OPT_EXPLAIN, OPT_NO_DPI, OPT_ZEEK_LOGS, OPT_ZEEK_JSON, OPT_PRETTY,
       OPT_INSPECT_BYTES, OPT_INSPECT_MEM };
enum rformat { RF_TEXT, RF_JSON, RF_HTML, RF_STIX, RF_CSV_IOC };
enum { ZL_CONN, ZL_NOTICE, ZL_TX, ZL_N = ZL_TX + ZT_NLOGS };   /* --zeek-logs' files */

static const struct cli_opt opts[] = {
	{ "geo-db", 0, "FILE", "libloc database for AS/org/country (default: the system's)", OPT_GEO_DB },
	{ "no-geo", 0, NULL, "no AS enrichment", OPT_NO_GEO },
	{ "set", 0, "NAME=VALUE", "change a detector threshold (repeatable; see --explain-rules)", OPT_SET },
	{ "rules", 0, "FILE", "thresholds from a file of NAME=VALUE lines ('#' comments)", OPT_RULES },
	{ "explain-rules", 0, NULL, "list behavior kinds, detectors and thresholds, then exit", OPT_EXPLAIN },
	{ "no-dpi", 0, NULL, "no nDPI: no services and risks, a third of the CPU on large captures", OPT_NO_DPI },
	{ "pretty", 0, NULL, "json, stix: indented (default: one object per line, doc/json.md)", OPT_PRETTY },
	{ "zeek-logs", 0, "DIR", "also write Zeek's logs into DIR: conn, dns, http, ssl, smtp, files and a notice.log of behaviors", OPT_ZEEK_LOGS },
	{ "zeek-logs-json", 0, "DIR", "the same logs in Zeek's JSON form (one object per line, as LogAscii::use_json=T)",
	  OPT_ZEEK_JSON },
	{ "inspect-bytes", 0, "N", "bytes of each flow direction the parsers read past what they need (HTTP bodies, "
	  "TLS handshakes; default 64K; K, M, G, T suffixes)", OPT_INSPECT_BYTES },
	{ "inspect-mem", 0, "N", "cap on all parser and reassembly buffers together (default 256M); past it new "
	  "flows get metadata only, counted in the report", OPT_INSPECT_MEM },
	{ 0 },
};

struct report_ctx {
	const struct cli_common *c;
	enum rformat fmt;
	const char *geo_path;
	bool no_geo, no_dpi, pretty;
	uint64_t inspect_bytes, inspect_mem;  /* 0: the defaults */
	struct geo *geo;
	FILE *out;
	bool several;
	unsigned done;              /* reports written (csv-ioc: one header) */
	struct rp_col *col;
	struct rp_params *params;
	int rc;
	/* html: the page is assembled at the end, so that its <title> names the
	 * captures and a table of contents can lead it */
	FILE *body, *toc;
	char *bodybuf, *tocbuf;
	size_t bodylen, toclen;
	unsigned nth, nhosts;
	char title[400];
	const char *zeek_dir;       /* --zeek-logs or --zeek-logs-json */
	bool zeek_json;             /* ... --zeek-logs-json: Zeek's JSON form */
	FILE *zf[ZL_N];             /* conn.log, notice.log, then zeek_tx_logs' */
	struct table zt[ZL_N];
	struct zeek_tx *ztx;        /* dns.log ... files.log rows from the collector's findings */
	int64_t zlast;
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
	} else if (id == OPT_PRETTY) {
		x->pretty = true;
	} else if (id == OPT_ZEEK_LOGS || id == OPT_ZEEK_JSON) {
		if (x->zeek_dir && x->zeek_json != (id == OPT_ZEEK_JSON)) {
			cli_error("--zeek-logs and --zeek-logs-json: one form of the logs at a time");
			return EXIT_USAGE;
		}
		x->zeek_dir = arg;
		x->zeek_json = id == OPT_ZEEK_JSON;
	} else if (id == OPT_INSPECT_BYTES || id == OPT_INSPECT_MEM) {
		return cli_inspect_opt(id == OPT_INSPECT_MEM, arg, id == OPT_INSPECT_MEM ? &x->inspect_mem : &x->inspect_bytes);
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

/* --zeek-logs: a conn.log row per flow, service from the collector's parsers. */
static void zeek_flow_end(void *ctx, const struct run *r, const struct flow *f)
{
	struct report_ctx *x = ctx;
	if (!x->zt[0].started)
		table_zeek(&x->zt[0], "conn", zeek_conn_types, r->start_ns);
	zeek_conn_row(&x->zt[0], r, f, zeek_service(rp_col_flow_app(x->col, f)));
	zeek_tx_flow_end(x->ztx, r, f);
	x->zlast = r->last_ns;
}

/* --zeek-logs' files: conn.log, notice.log, then dns.log ... files.log (zeek_tx_logs). */
static const struct zeek_log_def *zeek_log(int i)
{
	static struct zeek_log_def conn, notice;
	conn = (struct zeek_log_def){ "conn", zeek_conn_cols, zeek_conn_types, zeek_conn_ncols };
	notice = (struct zeek_log_def){ "notice", zeek_notice_cols, zeek_notice_types, zeek_notice_ncols };
	return i == ZL_CONN ? &conn : i == ZL_NOTICE ? &notice : &zeek_tx_logs[i - ZL_TX];
}

/* Opens DIR/conn.log ... DIR/files.log (DIR made if missing), in Zeek's ASCII
 * or JSON form (the table writer's TABLE_ZEEK or TABLE_ZEEK_JSON, as
 * `flows --format zeek|zeek-json`); exit code or 0. */
static int zeek_open(struct report_ctx *x)
{
	if (mkdir(x->zeek_dir, 0777) && errno != EEXIST) {
		cli_error("cannot create '%s': %s", x->zeek_dir, strerror(errno));
		return EXIT_OUTPUT;
	}
	for (int i = 0; i < ZL_N; i++) {
		const struct zeek_log_def *d = zeek_log(i);
		char path[4096];
		snprintf(path, sizeof path, "%s/%s.log", x->zeek_dir, d->path);
		if (!(x->zf[i] = fopen(path, "w"))) {
			cli_error("cannot open '%s': %s", path, strerror(errno));
			return EXIT_OUTPUT;
		}
		table_init(&x->zt[i], x->zf[i], x->zeek_json ? TABLE_ZEEK_JSON : TABLE_ZEEK, d->cols, d->ncols, true);
		table_zeek(&x->zt[i], d->path, d->types, 0);
	}
	if (!(x->ztx = zeek_tx_new(x->zt + ZL_TX))) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	return 0;
}

static int zeek_close(struct report_ctx *x)
{
	int rc = 0;
	if (x->ztx && zeek_tx_oom(x->ztx)) {
		cli_error("'%s': out of memory: transactions are missing from the Zeek logs", x->zeek_dir);
		rc = EXIT_INTERNAL;
	}
	zeek_tx_free(x->ztx);
	x->ztx = NULL;
	for (int i = 0; i < ZL_N; i++)
		if (x->zf[i]) {
			table_close(&x->zt[i], x->zlast);
			if (fclose(x->zf[i]) && !rc) {
				cli_error("cannot write '%s': %s", x->zeek_dir, strerror(errno));
				rc = EXIT_OUTPUT;
			}
		}
	return rc;
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
	rp_col_limits(x->col, (size_t)x->inspect_bytes, (size_t)x->inspect_mem);
	if (!x->no_dpi)
		rp_col_dpi(x->col, x->c->threads != 1);  /* without nDPI the report still stands: no "services" then */
	subs[0] = rp_col_sub(x->col);
	if (x->ztx)
		rp_col_on_ev(x->col, zeek_tx_event, x->ztx);
	if (x->zf[0])  /* after the collector: the flow's protocol is known */
		subs[1] = (struct run_sub){ .ctx = x, .flow_end = zeek_flow_end };
	return x->zf[0] ? 2 : 1;
}

static void finish(void *ctx, struct run *r)
{
	struct report_ctx *x = ctx;
	struct rp_report rep;
	char err[256];
	inputs_warn_clock(x->c, r);
	if (x->c->host_family && r->hosts && !hosttab_find(r->hosts, x->c->host_family, x->c->host_addr)) {
		x->rc = inputs_host_absent(r, x->c->host);
		rp_col_free(x->col);
		x->col = NULL;
		return;
	}
	if (!x->col || rp_col_oom(x->col)) {
		cli_error("'%s': out of memory", r->path);
		x->rc = EXIT_INTERNAL;
		return;
	}
	if (rp_build(x->col, r, x->c->host_family, x->c->host_addr, x->geo, &rep, err, sizeof err)) {
		cli_error("'%s': %s", r->path, err);
		x->rc = EXIT_INTERNAL;
		rp_report_free(&rep);
		return;
	}
	int w = 0;
	if (x->zf[1]) {
		if (!x->zt[1].started)
			table_zeek(&x->zt[1], "notice", zeek_notice_types, rep.start_ns);
		zeek_notice_rows(&x->zt[1], &rep);
	}
	if (x->fmt == RF_TEXT)
		w = report_text(x->out, &rep);
	else if (x->fmt == RF_JSON)
		w = report_json(x->out, &rep, x->pretty);
	else if (x->fmt == RF_STIX)
		w = report_stix(x->out, &rep, x->pretty);
	else if (x->fmt == RF_CSV_IOC)
		w = report_csv_ioc(x->out, &rep, !x->done++ && !x->c->no_header);
	else if (x->body && (w = report_html(x->body, &rep, x->nth, err, sizeof err)))
		cli_error("%s", err);
	if (x->fmt == RF_HTML && x->toc) {
		const char *base = strrchr(r->path, '/') ? strrchr(r->path, '/') + 1 : r->path;
		size_t tl = strlen(x->title);
		if (tl < sizeof x->title - 1)
			snprintf(x->title + tl, sizeof x->title - tl, "%s%s", x->nth ? ", " : "botlens report: ", base);
		report_html_toc(x->toc, &rep, x->nth++);
		x->nhosts += rep.nhosts;
	}
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
	if (x->fmt == RF_HTML) {
		x->body = open_memstream(&x->bodybuf, &x->bodylen);
		x->toc = open_memstream(&x->tocbuf, &x->toclen);
	}
}

/* The HTML page: head and title, contents when there are several hosts or captures, the reports. */
static int html_page(struct report_ctx *x)
{
	if (!x->body || !x->toc) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	fclose(x->body);
	fclose(x->toc);
	x->body = x->toc = NULL;
	report_html_begin(x->out, x->title[0] ? x->title : "botlens report");
	if (x->nth > 1 || x->nhosts > 1)
		report_html_nav(x->out, x->tocbuf, x->toclen);
	fwrite(x->bodybuf, 1, x->bodylen, x->out);
	free(x->bodybuf);
	free(x->tocbuf);
	return report_html_end(x->out) ? EXIT_OUTPUT : 0;
}

/* -o's extension -> format; CLI_NFORMATS for none or stdout, -1 for one report cannot write. */
static int format_of_ext(const char *out)
{
	static const struct { const char *ext; int fmt; } exts[] = {
		{ ".html", CLI_FMT_HTML }, { ".htm", CLI_FMT_HTML }, { ".json", CLI_FMT_JSON }, { ".txt", CLI_FMT_TEXT },
		{ ".text", CLI_FMT_TEXT }, { ".csv", CLI_FMT_CSV_IOC }, { ".stix", CLI_FMT_STIX },
	};
	const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out, *dot = strrchr(base, '.');
	if (!dot || dot == base || !strcmp(out, "-"))
		return CLI_NFORMATS;
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
		if (!strcasecmp(dot, exts[i].ext))
			return exts[i].fmt;
	return -1;
}

/* --format (checked by cli_parse), else -o's extension, else text; an extension report cannot write is refused. */
static int format_of(const struct cli_common *c, enum rformat *f)
{
	int v = c->format_set ? (int)c->fmt : c->out ? format_of_ext(c->out) : CLI_NFORMATS;
	if (v < 0) {
		cli_error("cannot write '%s': report writes .html, .json, .txt, .csv (csv-ioc) or .stix", c->out);
		cli_hint("give --format text|json|html|stix|csv-ioc to write another name");
		return EXIT_USAGE;
	}
	*f = v == CLI_FMT_HTML ? RF_HTML : v == CLI_FMT_JSON ? RF_JSON : v == CLI_FMT_STIX ? RF_STIX
	   : v == CLI_FMT_CSV_IOC ? RF_CSV_IOC : RF_TEXT;
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct cli_common c;
	struct report_ctx x = { .c = &c };
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--explain-rules"))
			return explain_rules();
	x.params = rp_params_new();
	if (!x.params)
		return EXIT_INTERNAL;
	int rc = cli_parse(argc, argv, "report", "[options] FILE... [-o OUT.html|OUT.json|OUT.txt] [--format text|json|html|stix|csv-ioc]",
			   opts, opt_cb, &x, &c,
			   "  botlens report run.pcap\n"
			   "  botlens report -o run.html run.pcap\n"
			   "  botlens report --format json --host 192.168.1.10 run.pcap\n"
			   "  botlens report --set session.hold_s=60 --set beacon.regular_beats=8 run.pcap\n"
			   "  botlens report --explain-rules\n"
			   "  botlens report --format stix -o run.stix.json run.pcap\n"
			   "  botlens report --format csv-ioc run.pcap\n"
			   "  botlens report --zeek-logs zeek/ run.pcap      # zeek/conn.log, dns.log, http.log, ssl.log, smtp.log, files.log, notice.log\n"
			   "\n--format text|json|html|stix|csv-ioc (default: from -o's extension, else text);\n"
			   "stix: a STIX 2.1 bundle; csv-ioc: type,value,behavior,first_seen,host,file.\n"
			   "AS data: IPFire Location database (libloc), CC BY-SA 4.0.\n");
	if (!rc)
		rc = format_of(&c, &x.fmt);
	if (!rc && !x.no_geo) {
		char err[300];
		x.geo = geo_open(x.geo_path, err, sizeof err);
		if (!x.geo && x.geo_path) {
			cli_error("%s", err);
			rc = EXIT_INPUT;
		}
	}
	if (!rc && x.zeek_dir)
		rc = zeek_open(&x);
	if (!rc && !(x.out = cli_open_out(c.out)))
		rc = EXIT_OUTPUT;
	if (!rc) {
		struct inputs_job job = { .ctx = &x, .track_hosts = true, .hosts_light = true,
					  .begin = begin, .setup = setup, .finish = finish };
		rc = inputs_run(&c, &job);
		if (x.fmt == RF_HTML) {
			int hc = html_page(&x);
			rc = hc && !rc ? hc : rc;
		}
		if (x.rc && (!rc || rc == EXIT_DAMAGED))
			rc = x.rc;
		int oc = cli_close_out(x.out, c.out);
		rc = oc ? oc : rc;
	}
	int zc = zeek_close(&x);
	rc = zc && !rc ? zc : rc;
	rp_col_free(x.col);
	rp_params_free(x.params);
	geo_close(x.geo);
	return rc;
}
