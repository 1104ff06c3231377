/*
 * page_compare.c - two runs side by side (/compare?a=ID&b=ID): their
 * summaries, plots, behavior kinds (only in one, in both) and port
 * findings, from the results each run's job stored.
 */
#include <stdio.h>
#include <string.h>

#include "web/jsonview.h"
#include "web/web-int.h"

static bool has_word(const char *list, const char *w, size_t n)
{
	const char *p = list;
	while (p && *p) {
		size_t k = strcspn(p, " ");
		if (k == n && !strncmp(p, w, n))
			return true;
		p += k;
		p += strspn(p, " ");
	}
	return false;
}

/* The words of a not in b, as badges. */
static void only_in(struct wbuf *b, const char *a, const char *other)
{
	const char *p = a;
	bool any = false;
	while (p && *p) {
		size_t k = strcspn(p, " ");
		if (k && !has_word(other, p, k)) {
			wb_puts(b, "<span class=\"badge\">");
			html_txtn(b, p, k);
			wb_puts(b, "</span>");
			any = true;
		}
		p += k;
		p += strspn(p, " ");
	}
	if (!any)
		wb_puts(b, "-");
}

static void side(struct wbuf *b, struct store *s, const struct store_run *run)
{
	wb_printf(b, "<div><h2><a href=\"/runs/%lld\">Run %lld</a>: ", (long long)run->id, (long long)run->id);
	html_txt(b, run->name);
	wb_printf(b, "</h2>\n<p class=\"sha\">%s</p>\n<p>", run->sha);
	page_status(b, run->status);
	wb_printf(b, ", %u host%s, %llu flows", run->hosts, run->hosts == 1 ? "" : "s", (unsigned long long)run->flows);
	if (run->family[0]) {
		wb_puts(b, ", family ");
		html_txt(b, run->family);
	}
	wb_puts(b, "</p>\n");
	struct store_result res;
	if (store_result_get(s, run->id, "plot.png", &res) == 1)
		wb_printf(b, "<img class=\"plot\" src=\"/runs/%lld/files/plot.png?inline=1\" alt=\"plot of run %lld\">\n",
			  (long long)run->id, (long long)run->id);
	json_object *o = web_result_json(s, run->id, "ports.json");
	if (o) {
		page_ports(b, o);
		json_object_put(o);
	}
	wb_puts(b, "</div>\n");
}

enum MHD_Result page_compare(struct req *r)
{
	struct store *s = req_store(r);
	struct store_run ra, rb;
	struct wbuf b = { 0 };
	long long a = req_num(r, "a", 0, 0, INT64_MAX), bid = req_num(r, "b", 0, 0, INT64_MAX);

	if (!s)
		return MHD_YES;
	page_head(&b, r, "Compare two runs");
	wb_puts(&b, "<form method=\"get\" action=\"/compare\">run <input name=\"a\" size=\"8\" value=\"");
	if (a)
		wb_printf(&b, "%lld", a);
	wb_puts(&b, "\"> with run <input name=\"b\" size=\"8\" value=\"");
	if (bid)
		wb_printf(&b, "%lld", bid);
	wb_puts(&b, "\"> <button>Compare</button></form>\n");
	int ga = a ? store_run_get(s, a, &ra) : 0, gb = bid ? store_run_get(s, bid, &rb) : 0;
	if (ga < 0 || gb < 0) {
		wb_free(&b);
		return reply_error(r, 500, "cannot read the runs");
	}
	if ((a && !ga) || (bid && !gb))
		wb_puts(&b, "<p class=\"error\">no such run</p>\n");
	if (ga == 1 && gb == 1) {
		wb_puts(&b, "<table id=\"diff\"><tr><th></th><th>run A</th><th>run B</th></tr>\n<tr><th>behavior kinds only here</th><td>");
		only_in(&b, ra.kinds, rb.kinds);
		wb_puts(&b, "</td><td>");
		only_in(&b, rb.kinds, ra.kinds);
		wb_puts(&b, "</td></tr>\n<tr><th>behavior kinds</th><td>");
		page_badges(&b, ra.kinds);
		wb_puts(&b, "</td><td>");
		page_badges(&b, rb.kinds);
		wb_puts(&b, "</td></tr>\n<tr><th>family</th><td>");
		html_txt(&b, ra.family);
		wb_puts(&b, "</td><td>");
		html_txt(&b, rb.family);
		wb_printf(&b, "</td></tr>\n<tr><th>flows</th><td class=\"num\">%llu</td><td class=\"num\">%llu</td></tr>\n",
			  (unsigned long long)ra.flows, (unsigned long long)rb.flows);
		wb_printf(&b, "<tr><th>hosts</th><td class=\"num\">%u</td><td class=\"num\">%u</td></tr>\n</table>\n", ra.hosts,
			  rb.hosts);
		wb_puts(&b, "<div class=\"cols\">\n");
		side(&b, s, &ra);
		side(&b, s, &rb);
		wb_puts(&b, "</div>\n");
	}
	page_foot(&b);
	return reply(r, 200, "text/html; charset=utf-8", &b);
}
