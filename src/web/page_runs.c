/*
 * page_runs.c - the runs list (/ and /runs): search (SHA-256 prefix, name,
 * kind, family, label, tag, address, domain: store_run_list decides),
 * sort by any column the store sorts by, pages of 50.
 */
#include <string.h>

#include "web/web-int.h"

#define PER_PAGE 50

static const struct { const char *word; enum store_sort sort; } sorts[] = {
	{ "submitted", STORE_SORT_SUBMITTED }, { "name", STORE_SORT_NAME }, { "size", STORE_SORT_SIZE },
	{ "status", STORE_SORT_STATUS }, { "family", STORE_SORT_FAMILY },
};

struct runs_ctx {
	struct wbuf *b;
	unsigned n;
};

static int run_row(void *ctx, const struct store_run *run)
{
	struct runs_ctx *x = ctx;
	struct wbuf *b = x->b;

	x->n++;
	wb_printf(b, "<tr><td class=\"num\"><a href=\"/runs/%lld\">%lld</a></td><td><a href=\"/runs/%lld\">",
		  (long long)run->id, (long long)run->id, (long long)run->id);
	html_txt(b, run->name);
	wb_puts(b, "</a>");
	if (run->label[0]) {
		wb_puts(b, " <span class=\"badge\">");
		html_txt(b, run->label);
		wb_puts(b, "</span>");
	}
	wb_printf(b, "</td><td class=\"sha\" title=\"%s\">%.12s</td><td class=\"num\">", run->sha, run->sha);
	page_size(b, run->size);
	wb_puts(b, "</td><td>");
	page_time(b, run->submitted);
	wb_printf(b, "</td><td>%s</td><td>", run->type == STORE_RUN_REPORT ? "report" : "capture");
	page_status(b, run->status);
	wb_printf(b, "</td><td class=\"num\">%u</td><td>", run->hosts);
	page_badges(b, run->kinds);
	wb_puts(b, "</td><td>");
	html_txt(b, run->family);
	wb_puts(b, "</td><td>");
	page_badges(b, run->tags);
	wb_puts(b, "</td></tr>\n");
	return 0;
}

/* A link to this list with one parameter changed. */
static void list_link(struct wbuf *b, const char *q, const char *sort, bool desc, long long page)
{
	wb_puts(b, "/?q=");
	html_url(b, q ? q : "");
	wb_printf(b, "&amp;sort=%s&amp;desc=%d&amp;page=%lld", sort, desc ? 1 : 0, page);
}

enum MHD_Result page_runs(struct req *r)
{
	struct store *s = req_store(r);
	struct wbuf b = { 0 };
	const char *q = req_arg(r, "q"), *sortw = req_arg(r, "sort");
	struct store_query sq = { .text = q, .status = -1, .limit = PER_PAGE, .desc = true };
	uint64_t total = 0;

	if (!s)
		return MHD_YES;
	size_t si = 0;
	for (size_t i = 0; sortw && i < sizeof sorts / sizeof *sorts; i++)
		if (!strcmp(sorts[i].word, sortw))
			si = i;
	sq.sort = sorts[si].sort;
	sq.desc = req_num(r, "desc", si == 0 ? 1 : 0, 0, 1) != 0;
	const char *st = req_arg(r, "status");
	for (int i = 0; st && i < 4; i++)
		if (!strcmp(st, store_status_name(i)))
			sq.status = i;
	long long page = req_num(r, "page", 1, 1, 1000000);
	sq.offset = (uint32_t)((page - 1) * PER_PAGE);

	page_head(&b, r, "Runs");
	wb_puts(&b, "<form method=\"get\" action=\"/\" id=\"search\"><input name=\"q\" size=\"40\" value=\"");
	html_attr(&b, q ? q : "");
	wb_puts(&b, "\" placeholder=\"SHA-256 prefix, name, kind, family, address, domain, tag\"> <button>Search</button>"
		    "</form>\n");
	struct runs_ctx x = { .b = &b };
	struct wbuf rows = { 0 };
	x.b = &rows;
	if (store_run_list(s, &sq, run_row, &x, &total)) {
		web_log(r->w, "runs: %s", store_error(s));
		wb_free(&rows);
		wb_free(&b);
		return reply_error(r, 500, "cannot list the runs");
	}
	wb_printf(&b, "<p class=\"note\">%llu run%s", (unsigned long long)total, total == 1 ? "" : "s");
	if (q) {
		wb_puts(&b, " matching <b>");
		html_txt(&b, q);
		wb_puts(&b, "</b>");
	}
	wb_puts(&b, "</p>\n<table id=\"runs\"><tr><th>id</th>");
	static const struct { const char *title, *sort; } cols[] = {
		{ "name", "name" }, { "SHA-256", NULL }, { "size", "size" }, { "submitted", "submitted" },
		{ "type", NULL }, { "status", "status" }, { "hosts", NULL }, { "behavior kinds", NULL },
		{ "family", "family" }, { "tags", NULL },
	};
	for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
		if (!cols[i].sort) {
			wb_printf(&b, "<th>%s</th>", cols[i].title);
			continue;
		}
		bool cur = !strcmp(cols[i].sort, sorts[si].word);
		wb_puts(&b, "<th><a href=\"");
		list_link(&b, q, cols[i].sort, cur ? !sq.desc : false, 1);
		wb_printf(&b, "\">%s</a>%s</th>", cols[i].title, cur ? (sq.desc ? " &#9660;" : " &#9650;") : "");
	}
	wb_puts(&b, "</tr>\n");
	if (rows.p)
		wb_put(&b, rows.p, rows.len);
	b.oom |= rows.oom;
	wb_free(&rows);
	wb_puts(&b, "</table>\n<p class=\"pager\">");
	long long pages = (long long)((total + PER_PAGE - 1) / PER_PAGE);
	if (page > 1) {
		wb_puts(&b, "<a rel=\"prev\" href=\"");
		list_link(&b, q, sorts[si].word, sq.desc, page - 1);
		wb_puts(&b, "\">&larr; previous</a>");
	}
	if (pages > 1)
		wb_printf(&b, "page %lld of %lld ", page, pages);
	if (page < pages) {
		wb_puts(&b, "<a rel=\"next\" href=\"");
		list_link(&b, q, sorts[si].word, sq.desc, page + 1);
		wb_puts(&b, "\">next &rarr;</a>");
	}
	wb_puts(&b, "</p>\n");
	page_foot(&b);
	return reply(r, 200, "text/html; charset=utf-8", &b);
}
