/*
 * api.c - the JSON API under /api/v1 (uploads are upload.c's):
 *   GET    /api/v1/runs?q=&status=&type=&sort=&desc=&offset=&limit=
 *   GET    /api/v1/runs/ID              the run and its results
 *   GET    /api/v1/runs/ID/results/NAME a result file (attachment)
 *   DELETE /api/v1/runs/ID
 * Every string goes out through json_str (which also escapes <, > and &).
 */
#include <string.h>

#include "web/web-int.h"

static void run_json(struct wbuf *b, const struct store_run *run)
{
	wb_printf(b, "{\"id\":%lld,\"sha256\":\"%s\",\"name\":", (long long)run->id, run->sha);
	json_str(b, run->name);
	wb_printf(b, ",\"size\":%llu,\"type\":\"%s\",\"submitted\":%lld,\"label\":", (unsigned long long)run->size,
		  run->type == STORE_RUN_REPORT ? "report" : "capture", (long long)run->submitted);
	json_str(b, run->label);
	wb_puts(b, ",\"tags\":");
	json_str(b, run->tags);
	wb_printf(b, ",\"status\":\"%s\",\"error\":", store_status_name(run->status));
	json_str(b, run->error);
	wb_puts(b, ",\"family\":");
	json_str(b, run->family);
	wb_printf(b, ",\"score\":%.6g,\"kinds\":", run->score);
	json_str(b, run->kinds);
	wb_printf(b, ",\"hosts\":%u,\"flows\":%llu,\"done_at\":%lld}", run->hosts, (unsigned long long)run->flows,
		  (long long)run->done_at);
}

struct list_ctx {
	struct wbuf *b;
	unsigned n;
};

static int list_cb(void *ctx, const struct store_run *run)
{
	struct list_ctx *x = ctx;
	if (x->n++)
		wb_puts(x->b, ",\n");
	run_json(x->b, run);
	return 0;
}

enum MHD_Result api_runs(struct req *r)
{
	static const char *const sorts[] = { "submitted", "name", "size", "status", "family" };
	struct store *s = req_store(r);
	struct store_query q = { .text = req_arg(r, "q"), .status = -1, .desc = true };
	struct wbuf b = { 0 }, rows = { 0 };
	struct list_ctx x = { &rows, 0 };
	uint64_t total = 0;

	if (!s)
		return MHD_YES;
	const char *w = req_arg(r, "sort");
	for (size_t i = 0; w && i < sizeof sorts / sizeof *sorts; i++)
		if (!strcmp(w, sorts[i]))
			q.sort = (enum store_sort)i;
	q.desc = req_num(r, "desc", 1, 0, 1) != 0;
	w = req_arg(r, "status");
	for (int i = 0; w && i < 4; i++)
		if (!strcmp(w, store_status_name(i)))
			q.status = i;
	w = req_arg(r, "type");
	if (w)
		q.type = !strcmp(w, "report") ? STORE_RUN_REPORT : STORE_RUN_CAPTURE;
	q.offset = (uint32_t)req_num(r, "offset", 0, 0, UINT32_MAX);
	q.limit = (uint32_t)req_num(r, "limit", 50, 1, 1000);
	if (store_run_list(s, &q, list_cb, &x, &total)) {
		web_log(r->w, "api runs: %s", store_error(s));
		wb_free(&rows);
		return reply_error(r, 500, "cannot list the runs");
	}
	wb_printf(&b, "{\"total\":%llu,\"offset\":%u,\"runs\":[\n", (unsigned long long)total, q.offset);
	if (rows.p)
		wb_put(&b, rows.p, rows.len);
	b.oom |= rows.oom;
	wb_free(&rows);
	wb_puts(&b, "]}\n");
	return reply(r, 200, "application/json", &b);
}

struct res_ctx {
	struct wbuf *b;
	int64_t id;
	unsigned n;
};

static int res_cb(void *ctx, const struct store_result *res)
{
	struct res_ctx *x = ctx;

	wb_puts(x->b, x->n++ ? ",\n" : "\n");
	wb_puts(x->b, "{\"name\":");
	json_str(x->b, res->name);
	wb_printf(x->b, ",\"size\":%llu,\"sha256\":", (unsigned long long)res->size);
	json_str(x->b, res->sha);
	wb_puts(x->b, ",\"content_type\":");
	json_str(x->b, page_ctype(res->name, res->ctype));
	wb_printf(x->b, ",\"url\":\"/api/v1/runs/%lld/results/", (long long)x->id);
	html_url(x->b, res->name);
	wb_puts(x->b, "\"}");
	return 0;
}

enum MHD_Result api_run(struct req *r)
{
	struct store *s = req_store(r);
	struct store_run run;
	struct wbuf b = { 0 };

	if (!s)
		return MHD_YES;
	int rc = store_run_get(s, r->id, &run);
	if (rc <= 0)
		return reply_error(r, rc ? 500 : 404, rc ? "cannot read the run" : "no such run");
	wb_puts(&b, "{\"run\":");
	run_json(&b, &run);
	wb_puts(&b, ",\"results\":[");
	struct res_ctx x = { &b, run.id, 0 };
	if (store_result_list(s, run.id, res_cb, &x)) {
		wb_free(&b);
		return reply_error(r, 500, "cannot list the run's results");
	}
	wb_puts(&b, "]}\n");
	return reply(r, 200, "application/json", &b);
}

enum MHD_Result api_run_result(struct req *r)
{
	struct store *s = req_store(r);
	struct store_result res;
	char fname[96];

	if (!s)
		return MHD_YES;
	int rc = store_result_get(s, r->id, r->name, &res);
	if (rc <= 0)
		return reply_error(r, rc ? 500 : 404, rc ? "cannot read the run's results" : "no such result");
	snprintf(fname, sizeof fname, "run-%lld-%s", (long long)r->id, res.name);
	return reply_blob(r, res.sha, page_ctype(res.name, res.ctype), fname, false);
}

enum MHD_Result api_run_delete(struct req *r)
{
	struct store *s = req_store(r);
	struct wbuf b = { 0 };

	if (!s)
		return MHD_YES;
	if (r->session && !auth_csrf_ok(r, MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "X-CSRF-Token")))
		return reply_error(r, 403, "X-CSRF-Token is missing or wrong");
	int rc = store_run_delete(s, r->id);
	if (rc <= 0)
		return reply_error(r, rc ? 500 : 404, rc ? "cannot delete the run" : "no such run");
	web_log(r->w, "run %lld deleted by %s", (long long)r->id, r->user);
	wb_printf(&b, "{\"deleted\":%lld}\n", (long long)r->id);
	return reply(r, 200, "application/json", &b);
}
