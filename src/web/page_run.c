/*
 * page_run.c - one run (/runs/ID): summary, the job's progress (the page
 * reloads itself while queued or running), the time x port plot, for each
 * explained host its verdict, phase timeline (inline SVG: shapes, no
 * script, no inline style), behaviors with evidence and notable endpoints
 * (from report.json), port findings (ports.json), a behavior report's
 * verdict (classify.json), the flows table (store_flow_list: filter by
 * address, port, protocol; pages of 50) and the downloads.  Also the
 * downloads themselves (/runs/ID/files/NAME, /runs/ID/original: always
 * attachments, but the PNG plot, which the page shows) and the delete form.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "web/jsonview.h"
#include "web/web-int.h"

#define FLOWS_PER_PAGE 50
#define COUNT_MAX 200000u     /* filtered counts on larger runs: not taken */

static void mmss(struct wbuf *b, double s)
{
	if (s < 0)
		s = 0;
	wb_printf(b, "%02lld:%02lld", (long long)s / 60, (long long)s % 60);
}

/* The phase timeline: one row per behavior, a bar from start to end. */
static void timeline(struct wbuf *b, json_object *behs, double span)
{
	size_t n = behs ? json_object_array_length(behs) : 0;
	const int left = 110, width = 760;

	if (!n || span <= 0)
		return;
	wb_printf(b, "<svg class=\"timeline\" width=\"%d\" height=\"%zu\" role=\"img\" aria-label=\"phase timeline\">\n",
		  left + width + 20, 18 * n + 24);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(behs, i);
		double s = jv_num(e, "start"), en = jv_num(e, "end");
		json_object *mal = jv_get(e, "malicious");
		double x = left + s / span * width, w = (en - s) / span * width;
		if (x < left)
			x = left;
		if (x > left + width)
			x = left + width;
		if (w < 2)
			w = 2;
		if (x + w > left + width + 2)
			w = left + width + 2 - x;
		wb_printf(b, "<text x=\"4\" y=\"%zu\">", 18 * i + 14);
		html_txt(b, jv_str(e, "kind"));
		wb_printf(b, "</text><rect class=\"%s\" x=\"%.1f\" y=\"%zu\" width=\"%.1f\" height=\"12\"><title>",
			  mal && json_object_get_boolean(mal) ? "mal" : "ok", x, 18 * i + 4, w);
		html_txt(b, jv_str(e, "kind"));
		wb_puts(b, " ");
		mmss(b, s);
		wb_puts(b, "-");
		mmss(b, en);
		wb_puts(b, "</title></rect>\n");
	}
	wb_printf(b, "<text x=\"%d\" y=\"%zu\">00:00</text><text x=\"%d\" y=\"%zu\">", left, 18 * n + 18,
		  left + width - 30, 18 * n + 18);
	mmss(b, span);
	wb_puts(b, "</text></svg>\n");
}

static void behaviors(struct wbuf *b, json_object *behs)
{
	size_t n = behs ? json_object_array_length(behs) : 0;

	wb_puts(b, "<h3>Behaviors</h3>\n<table class=\"behaviors\"><tr><th>kind</th><th>malicious</th><th>from</th>"
		   "<th>to</th><th>flows</th><th>evidence</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(behs, i), *mal = jv_get(e, "malicious");
		bool bad = mal && json_object_get_boolean(mal);
		wb_printf(b, "<tr><td><span class=\"badge%s\">", bad ? " bad" : "");
		html_txt(b, jv_str(e, "kind"));
		wb_printf(b, "</span></td><td>%s</td><td>", bad ? "yes" : "no");
		mmss(b, jv_num(e, "start"));
		wb_puts(b, "</td><td>");
		mmss(b, jv_num(e, "end"));
		wb_printf(b, "</td><td class=\"num\">%.0f</td><td>", jv_num(e, "flows"));
		html_txt(b, jv_str(e, "evidence"));
		wb_puts(b, "</td></tr>\n");
	}
	wb_puts(b, "</table>\n");
}

static void notable(struct wbuf *b, json_object *eps)
{
	size_t n = eps ? json_object_array_length(eps) : 0;

	if (!n)
		return;
	wb_puts(b, "<h3>Notable endpoints</h3>\n<table class=\"notable\"><tr><th>address</th><th>name</th><th>AS</th>"
		   "<th>organisation</th><th>country</th><th>score</th><th>flows</th><th>why</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(eps, i);
		wb_puts(b, "<tr><td><a href=\"/?q=");
		html_url(b, jv_str(e, "address"));
		wb_puts(b, "\">");
		html_txt(b, jv_str(e, "address"));
		wb_puts(b, "</a></td><td>");
		html_txt(b, jv_str(e, "name"));
		wb_printf(b, "</td><td class=\"num\">%.0f</td><td>", jv_num(e, "asn"));
		html_txt(b, jv_str(e, "org"));
		wb_puts(b, "</td><td>");
		html_txt(b, jv_str(e, "country"));
		wb_printf(b, "</td><td class=\"num\">%.1f</td><td class=\"num\">%.0f</td><td>", jv_num(e, "score"),
			  jv_num(e, "flows"));
		html_txt(b, jv_str(e, "reason"));
		wb_puts(b, "</td></tr>\n");
	}
	wb_puts(b, "</table>\n");
}

/* " [02:00:00:00:00:0b]" or " [TTL 64]" for one of two machines of an address (report "machine"). */
static void machine_label(struct wbuf *b, json_object *m)
{
	if (!m || !json_object_is_type(m, json_type_object))
		return;
	const char *by = jv_str(m, "by"), *mac = jv_str(m, "mac");
	wb_puts(b, " [");
	if (by && !strcmp(by, "mac") && mac)
		html_txt(b, mac);
	else
		wb_printf(b, "TTL %.0f", jv_num(m, "ttl"));
	wb_puts(b, "]");
}

static void report_section(struct wbuf *b, json_object *rep)
{
	json_object *hosts = jv_get(rep, "hosts");
	size_t n = hosts && json_object_is_type(hosts, json_type_array) ? json_object_array_length(hosts) : 0;
	double span = jv_num(rep, "span");

	wb_puts(b, "<h2>Report</h2>\n");
	if (!n)
		wb_puts(b, "<p class=\"note\">no sandbox host was found in this capture</p>\n");
	for (size_t i = 0; i < n && i < 16; i++) {
		json_object *h = json_object_array_get_idx(hosts, i), *behs = jv_get(h, "behaviors");
		if (behs && !json_object_is_type(behs, json_type_array))
			behs = NULL;
		wb_puts(b, "<section class=\"host\"><h3>Host ");
		html_txt(b, jv_str(h, "address"));
		machine_label(b, jv_get(h, "machine"));
		wb_puts(b, " &mdash; ");
		html_txt(b, jv_str(h, "role"));
		wb_puts(b, "</h3>\n<p class=\"verdict\">");
		html_txt(b, jv_str(h, "verdict"));
		wb_puts(b, "</p>\n");
		timeline(b, behs, span);
		behaviors(b, behs);
		json_object *nt = jv_get(h, "notable");
		notable(b, nt && json_object_is_type(nt, json_type_array) ? nt : NULL);
		json_object *pr = jv_get(h, "protocols");
		if (pr) {
			wb_puts(b, "<h3>Protocols</h3>\n");
			jv_value(b, pr, 1);
		}
		wb_puts(b, "</section>\n");
	}
}

/* ---- flows ---- */

struct flows_ctx {
	struct wbuf *b;
	unsigned n, max;            /* rows seen; rows shown (one more means a next page) */
};

static int flow_row(void *ctx, const struct store_flow *f)
{
	struct flows_ctx *x = ctx;
	struct wbuf *b = x->b;

	if (++x->n > x->max)
		return 1;
	static const struct { int n; const char *name; } protos[] = { { 1, "icmp" }, { 6, "tcp" }, { 17, "udp" }, { 58, "icmp6" } };
	const char *pn = NULL;

	for (size_t i = 0; i < sizeof protos / sizeof *protos; i++)
		if (protos[i].n == f->proto)
			pn = protos[i].name;
	wb_puts(b, "<tr><td>");
	page_time(b, (int64_t)f->ts);
	wb_printf(b, ".%03d</td><td class=\"num\">%.3f</td><td>", (int)((f->ts - (double)(int64_t)f->ts) * 1000),
		  f->duration);
	if (pn)
		wb_puts(b, pn);
	else
		wb_printf(b, "%u", f->proto);
	wb_puts(b, "</td><td>");
	html_txt(b, f->orig);
	wb_printf(b, "</td><td class=\"num\">%u</td><td>", f->sport);
	html_txt(b, f->resp);
	wb_printf(b, "</td><td class=\"num\">%u</td><td class=\"num\">%llu/%llu</td><td class=\"num\">%llu/%llu</td><td>",
		  f->dport, (unsigned long long)f->opkts, (unsigned long long)f->rpkts, (unsigned long long)f->obytes,
		  (unsigned long long)f->rbytes);
	html_txt(b, f->service);
	wb_puts(b, "</td><td>");
	html_txt(b, f->state);
	wb_puts(b, "</td></tr>\n");
	return 0;
}

static bool addr_ok(const char *a)
{
	unsigned char buf[16];
	return a && (inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1);
}

static void flow_link(struct wbuf *b, int64_t id, const char *addr, int port, int proto, long long page)
{
	wb_printf(b, "/runs/%lld?addr=", (long long)id);
	html_url(b, addr && addr_ok(addr) ? addr : "");
	if (port >= 0)
		wb_printf(b, "&amp;port=%d", port);
	wb_printf(b, "&amp;proto=%d&amp;fpage=%lld#flows", proto, page);
}

static int flows_section(struct req *r, struct store *s, struct wbuf *b, const struct store_run *run)
{
	const char *addr = req_arg(r, "addr");
	struct store_flow_query fq = { .run = run->id, .port = (int)req_num(r, "port", -1, -1, 65535),
				       .proto = (int)req_num(r, "proto", 0, 0, 255), .limit = FLOWS_PER_PAGE };
	long long page = req_num(r, "fpage", 1, 1, 100000000);
	uint64_t total = 0;
	struct wbuf rows = { 0 };
	struct flows_ctx x = { &rows, 0, FLOWS_PER_PAGE };

	if (addr && !addr_ok(addr))
		addr = NULL;   /* not an address: no filter (and said so below) */
	fq.addr = addr;
	fq.offset = (uint64_t)(page - 1) * FLOWS_PER_PAGE;
	/* unfiltered, the run knows its count; a filtered count may cost the
	 * store a scan (store.h): paid on runs of up to COUNT_MAX flows, beyond
	 * that the page asks for one row more to know whether a next page exists */
	bool filtered = fq.addr || fq.port >= 0 || fq.proto;
	bool counted = !filtered || run->flows <= COUNT_MAX;
	if (!counted)
		fq.limit = FLOWS_PER_PAGE + 1;
	if (store_flow_list(s, &fq, flow_row, &x, filtered && counted ? &total : NULL)) {
		wb_free(&rows);
		return -1;
	}
	if (!filtered)
		total = run->flows;
	wb_printf(b, "<h2 id=\"flows\">Flows</h2>\n<form method=\"get\" action=\"/runs/%lld#flows\" id=\"flowfilter\">",
		  (long long)run->id);
	wb_puts(b, "address <input name=\"addr\" size=\"20\" value=\"");
	html_attr(b, addr ? addr : "");
	wb_puts(b, "\"> port <input name=\"port\" size=\"6\" value=\"");
	if (fq.port >= 0)
		wb_printf(b, "%d", fq.port);
	wb_puts(b, "\"> protocol <select name=\"proto\">");
	static const struct { int n; const char *name; } pr[] = { { 0, "any" }, { 6, "tcp" }, { 17, "udp" }, { 1, "icmp" } };
	for (size_t i = 0; i < sizeof pr / sizeof *pr; i++)
		wb_printf(b, "<option value=\"%d\"%s>%s</option>", pr[i].n, fq.proto == pr[i].n ? " selected" : "",
			  pr[i].name);
	wb_puts(b, "</select> <button id=\"flowfilter-go\">Filter</button></form>\n");
	if (req_arg(r, "addr") && !addr)
		wb_puts(b, "<p class=\"error\">not an IP address: the address filter is off</p>\n");
	if (counted)
		wb_printf(b, "<p class=\"note\" id=\"flowcount\">%llu flow%s</p>\n", (unsigned long long)total,
			  total == 1 ? "" : "s");
	else
		wb_printf(b, "<p class=\"note\" id=\"flowcount\">flows %llu-%llu of the matches (not counted: the run "
			     "has more than %u flows)</p>\n", (unsigned long long)fq.offset + (x.n ? 1 : 0),
			  (unsigned long long)fq.offset + (x.n < x.max ? x.n : x.max), COUNT_MAX);
	wb_puts(b, "<table id=\"flowtable\"><tr><th>start (UTC)</th><th>duration</th><th>proto</th><th>originator</th>"
		   "<th>port</th><th>responder</th><th>port</th><th>packets</th><th>bytes</th><th>service</th>"
		   "<th>state</th></tr>\n");
	if (rows.p)
		wb_put(b, rows.p, rows.len);
	b->oom |= rows.oom;
	wb_free(&rows);
	wb_puts(b, "</table>\n<p class=\"pager\">");
	long long pages = counted ? (long long)((total + FLOWS_PER_PAGE - 1) / FLOWS_PER_PAGE)
				  : page + (x.n > x.max ? 1 : 0);
	if (page > 1) {
		wb_puts(b, "<a href=\"");
		flow_link(b, run->id, addr, fq.port, fq.proto, page - 1);
		wb_puts(b, "\">&larr; previous</a>");
	}
	if (pages > 1 && counted)
		wb_printf(b, "page %lld of %lld ", page, pages);
	else if (!counted)
		wb_printf(b, "page %lld ", page);
	if (page < pages) {
		wb_puts(b, "<a href=\"");
		flow_link(b, run->id, addr, fq.port, fq.proto, page + 1);
		wb_puts(b, "\">next &rarr;</a>");
	}
	wb_puts(b, "</p>\n");
	return 0;
}

/* ---- downloads ---- */

struct dl_ctx {
	struct wbuf *b;
	int64_t id;
	bool png;
};

static int dl_row(void *ctx, const struct store_result *res)
{
	struct dl_ctx *x = ctx;

	if (!strcmp(res->name, "plot.png"))
		x->png = true;
	wb_printf(x->b, "<li><a href=\"/runs/%lld/files/", (long long)x->id);
	html_url(x->b, res->name);
	wb_puts(x->b, "\" download>");
	html_txt(x->b, res->name);
	wb_puts(x->b, "</a> (");
	page_size(x->b, res->size);
	wb_puts(x->b, ")</li>\n");
	return 0;
}

static void summary(struct wbuf *b, struct req *r, const struct store_run *run)
{
	wb_puts(b, "<table id=\"summary\"><tr><th>file</th><td>");
	html_txt(b, run->name);
	wb_printf(b, "</td></tr>\n<tr><th>SHA-256</th><td class=\"sha\">%s</td></tr>\n<tr><th>size</th><td>", run->sha);
	page_size(b, run->size);
	wb_printf(b, "</td></tr>\n<tr><th>type</th><td>%s</td></tr>\n<tr><th>submitted</th><td>",
		  run->type == STORE_RUN_REPORT ? "behavior report" : "packet capture");
	page_time(b, run->submitted);
	wb_puts(b, " UTC</td></tr>\n<tr><th>status</th><td id=\"status\">");
	page_status(b, run->status);
	if (run->done_at) {
		wb_puts(b, " at ");
		page_time(b, run->done_at);
	}
	wb_puts(b, "</td></tr>\n");
	if (run->error[0]) {
		wb_puts(b, "<tr><th>error</th><td class=\"error\" id=\"joberror\">");
		html_txt(b, run->error);
		wb_puts(b, "</td></tr>\n");
	}
	if (run->label[0] || run->tags[0]) {
		wb_puts(b, "<tr><th>label, tags</th><td>");
		html_txt(b, run->label);
		wb_puts(b, " ");
		page_badges(b, run->tags);
		wb_puts(b, "</td></tr>\n");
	}
	if (run->status == STORE_DONE) {
		wb_printf(b, "<tr><th>hosts explained</th><td>%u</td></tr>\n<tr><th>flows</th><td>%llu</td></tr>\n",
			  run->hosts, (unsigned long long)run->flows);
		wb_puts(b, "<tr><th>behavior kinds</th><td id=\"kinds\">");
		page_badges(b, run->kinds);
		wb_puts(b, "</td></tr>\n");
		if (run->family[0]) {
			wb_puts(b, "<tr><th>family</th><td id=\"family\"><a href=\"/?q=");
			html_url(b, run->family);
			wb_puts(b, "\">");
			html_txt(b, run->family);
			wb_printf(b, "</a> (score %.3f)</td></tr>\n", run->score);
		}
	}
	wb_puts(b, "</table>\n");
	(void)r;
}

static enum MHD_Result run_page(struct req *r, struct store *s, const struct store_run *run)
{
	struct wbuf b = { 0 };
	char title[300];

	snprintf(title, sizeof title, "Run %lld: %s", (long long)run->id, run->name);
	if (run->status == STORE_QUEUED || run->status == STORE_RUNNING)
		r->refresh = 2;
	page_head(&b, r, title);
	if (req_arg(r, "dup"))
		wb_puts(&b, "<p class=\"note\" id=\"dup\">This file had been uploaded before: this is its run.</p>\n");
	summary(&b, r, run);
	if (r->refresh)
		wb_printf(&b, "<p class=\"note\" id=\"progress\">The analysis is %s; this page reloads itself.</p>\n",
			  store_status_name(run->status));
	if (run->status == STORE_DONE) {
		struct wbuf dl = { 0 };
		struct dl_ctx x = { &dl, run->id, false };
		if (store_result_list(s, run->id, dl_row, &x)) {
			wb_free(&dl);
			wb_free(&b);
			return reply_error(r, 500, "cannot list the run's results");
		}
		if (x.png)
			wb_printf(&b, "<h2>Time &times; port plot</h2>\n<p><img class=\"plot\" id=\"plot\" "
				      "src=\"/runs/%lld/files/plot.png?inline=1\" alt=\"time by destination port plot\"></p>\n",
				  (long long)run->id);
		json_object *o = web_result_json(s, run->id, "report.json");
		if (o)
			report_section(&b, o);
		json_object_put(o);
		if ((o = web_result_json(s, run->id, "ports.json"))) {
			page_ports(&b, o);
			json_object_put(o);
		}
		if ((o = web_result_json(s, run->id, "classify.json"))) {
			wb_puts(&b, "<h2>Classification</h2>\n<div class=\"classify\">");
			jv_value(&b, o, 0);
			wb_puts(&b, "</div>\n");
			json_object_put(o);
		}
		if (run->type == STORE_RUN_CAPTURE && flows_section(r, s, &b, run)) {
			wb_free(&dl);
			wb_free(&b);
			return reply_error(r, 500, "cannot list the run's flows");
		}
		wb_puts(&b, "<h2>Downloads</h2>\n<ul id=\"downloads\">\n");
		if (dl.p)
			wb_put(&b, dl.p, dl.len);
		wb_free(&dl);
	} else {
		wb_puts(&b, "<h2>Downloads</h2>\n<ul id=\"downloads\">\n");
	}
	wb_printf(&b, "<li><a href=\"/runs/%lld/original\" download>the uploaded file</a> (", (long long)run->id);
	page_size(&b, run->size);
	wb_printf(&b, ")</li>\n</ul>\n<p><a href=\"/compare?a=%lld\">compare with another run</a></p>\n", (long long)run->id);
	if (r->authed) {
		wb_printf(&b, "<form method=\"post\" action=\"/runs/%lld/delete\" class=\"confirm\" "
			      "data-confirm=\"Delete this run and its results?\">", (long long)run->id);
		page_csrf_field(&b, r);
		wb_puts(&b, "<button>Delete this run</button></form>\n");
	}
	page_foot(&b);
	return reply(r, 200, "text/html; charset=utf-8", &b);
}

enum MHD_Result page_run(struct req *r)
{
	struct store *s = req_store(r);
	struct store_run run;

	if (!s)
		return MHD_YES;
	int rc = store_run_get(s, r->id, &run);
	if (rc < 0) {
		web_log(r->w, "run %lld: %s", (long long)r->id, store_error(s));
		return reply_error(r, 500, "cannot read the run");
	}
	if (rc == 0)
		return reply_error(r, 404, "no such run");
	return run_page(r, s, &run);
}

enum MHD_Result page_run_file(struct req *r)
{
	struct store *s = req_store(r);
	struct store_run run;
	struct store_result res;
	char fname[96];

	if (!s)
		return MHD_YES;
	int rc = store_run_get(s, r->id, &run);
	if (rc <= 0)
		return reply_error(r, rc ? 500 : 404, rc ? "cannot read the run" : "no such run");
	if (!r->name[0]) {   /* /runs/ID/original */
		snprintf(fname, sizeof fname, "run-%lld-%.12s.%s", (long long)run.id, run.sha,
			 run.type == STORE_RUN_REPORT ? "report" : "capture");
		return reply_blob(r, run.sha, "application/octet-stream", fname, false);
	}
	rc = store_result_get(s, r->id, r->name, &res);
	if (rc <= 0)
		return reply_error(r, rc ? 500 : 404, rc ? "cannot read the run's results" : "no such result");
	snprintf(fname, sizeof fname, "run-%lld-%s", (long long)run.id, res.name);
	/* inline only the PNG plot the page shows: an SVG or HTML result opened
	 * in place could carry a capture's strings as markup */
	const char *ct = page_ctype(res.name, res.ctype);
	bool inl = req_arg(r, "inline") && !strcmp(ct, "image/png");
	return reply_blob(r, res.sha, ct, fname, inl);
}

enum MHD_Result page_run_delete(struct req *r)
{
	struct store *s = req_store(r);

	if (!s)
		return MHD_YES;
	int rc = store_run_delete(s, r->id);
	if (rc < 0) {
		web_log(r->w, "delete %lld: %s", (long long)r->id, store_error(s));
		return reply_error(r, 500, "cannot delete the run");
	}
	if (rc == 0)
		return reply_error(r, 404, "no such run");
	web_log(r->w, "run %lld deleted by %s", (long long)r->id, r->user);
	return reply_redirect(r, "/", NULL);
}
