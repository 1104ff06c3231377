/*
 * page.c - what every page shares: the frame (head, navigation, foot),
 * small formatters (times, sizes, status, kind badges), the static files
 * (/static/style.css, /static/app.js: compiled in, no external scripts,
 * fonts or styles), the login and upload forms and the status page.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/web-int.h"

static const char style_css[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}\n"
	"nav{background:#1d2430;padding:.5em 1em;display:flex;gap:1.2em;align-items:center}\n"
	"nav a,nav button{color:#dfe6f0;text-decoration:none;font:inherit;background:none;border:0;cursor:pointer}\n"
	"nav .who{margin-left:auto;color:#9aa7b8}\n"
	"main{padding:1em 1.5em;max-width:1300px}\n"
	"h1{font-size:1.4em;margin:.3em 0 .6em}h2{font-size:1.15em;margin:1.4em 0 .5em}\n"
	"table{border-collapse:collapse;background:#fff;margin:.4em 0}\n"
	"th,td{border:1px solid #d5dae1;padding:.25em .5em;text-align:left;vertical-align:top}\n"
	"th{background:#eef1f5}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"code,.sha{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}\n"
	".badge{display:inline-block;padding:0 .45em;margin:0 .2em .1em 0;border-radius:.6em;background:#dfe6f0;font-size:.85em}\n"
	".badge.bad{background:#f6d5d5;color:#7a1010}\n"
	".st-done{color:#176b2c}.st-failed{color:#a01515;font-weight:bold}.st-queued,.st-running{color:#8a5a00}\n"
	".error{color:#a01515;font-weight:bold}.note{color:#5b6675}\n"
	".cols{display:flex;gap:1.5em;flex-wrap:wrap}.cols>div{flex:1;min-width:380px}\n"
	"img.plot{max-width:100%;background:#fff;border:1px solid #d5dae1}\n"
	"form.inline{display:inline}input,select,button{font:inherit}\n"
	".pager{margin:.6em 0}.pager a{margin-right:1em}\n"
	"svg.timeline{background:#fff;border:1px solid #d5dae1}\n"
	"svg.timeline .mal{fill:#c0392b}svg.timeline .ok{fill:#7f8c9d}svg.timeline text{font-size:11px;fill:#1d2430}\n";

/* The page's own script: asks before a delete; nothing else (progress pages
 * reload through <meta http-equiv=refresh>, which needs no script). */
static const char app_js[] =
	"'use strict';\n"
	"document.addEventListener('DOMContentLoaded', function () {\n"
	"  document.querySelectorAll('form.confirm').forEach(function (f) {\n"
	"    f.addEventListener('submit', function (e) {\n"
	"      if (!window.confirm(f.dataset.confirm || 'Sure?')) e.preventDefault();\n"
	"    });\n"
	"  });\n"
	"});\n";

enum MHD_Result page_static(struct req *r)
{
	struct wbuf b = { 0 };

	if (!strcmp(r->name, "style.css")) {
		wb_puts(&b, style_css);
		return reply(r, 200, "text/css; charset=utf-8", &b);
	}
	if (!strcmp(r->name, "app.js")) {
		wb_puts(&b, app_js);
		return reply(r, 200, "text/javascript; charset=utf-8", &b);
	}
	return reply_error(r, 404, "no such file");
}

void page_head(struct wbuf *b, struct req *r, const char *title)
{
	wb_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
	if (r->refresh > 0)
		wb_printf(b, "<meta http-equiv=\"refresh\" content=\"%d\">\n", r->refresh);
	wb_puts(b, "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	html_txt(b, title);
	wb_puts(b, " - botlens</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n"
		   "<script src=\"/static/app.js\" defer></script>\n</head><body>\n<nav><a href=\"/\"><b>botlens</b></a>"
		   "<a href=\"/\">Runs</a><a href=\"/upload\">Upload</a><a href=\"/compare\">Compare</a>"
		   "<a href=\"/families\">Families</a><a href=\"/clusters\">Clusters</a><a href=\"/status\">Status</a>");
	if (r->session) {
		wb_puts(b, "<span class=\"who\">");
		html_txt(b, r->user);
		wb_puts(b, "</span><form class=\"inline\" method=\"post\" action=\"/logout\"><button>Log out</button></form>");
	} else if (!r->authed && r->w->auth) {
		wb_puts(b, "<a class=\"who\" href=\"/login\">Log in</a>");
	}
	wb_puts(b, "</nav>\n<main>\n<h1>");
	html_txt(b, title);
	wb_puts(b, "</h1>\n");
}

void page_foot(struct wbuf *b)
{
	wb_printf(b, "</main>\n</body></html>\n");
}

void page_badges(struct wbuf *b, const char *kinds)
{
	const char *p = kinds;

	while (p && *p) {
		size_t n = strcspn(p, " ");
		if (n) {
			wb_puts(b, "<span class=\"badge\">");
			html_txtn(b, p, n);
			wb_puts(b, "</span>");
		}
		p += n;
		p += strspn(p, " ");
	}
}

void page_time(struct wbuf *b, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char s[32];

	if (t <= 0 || !gmtime_r(&tt, &tm)) {
		wb_puts(b, "-");
		return;
	}
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
	wb_puts(b, s);
}

void page_size(struct wbuf *b, uint64_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	unsigned u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		wb_printf(b, "%llu B", (unsigned long long)n);
	else
		wb_printf(b, "%.1f %s", v, unit[u]);
}

void page_status(struct wbuf *b, int status)
{
	wb_printf(b, "<span class=\"st-%s\">%s</span>", store_status_name(status), store_status_name(status));
}

const char *page_ctype(const char *name, const char *stored)
{
	static const struct { const char *suffix, *ctype; } types[] = {
		{ ".png", "image/png" }, { ".svg", "image/svg+xml" }, { ".json", "application/json" },
		{ ".html", "text/html; charset=utf-8" }, { ".tsv", "text/tab-separated-values" }, { ".txt", "text/plain" },
	};
	size_t n = strlen(name);

	if (stored && *stored)
		return stored;
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		size_t k = strlen(types[i].suffix);
		if (n > k && !strcmp(name + n - k, types[i].suffix))
			return types[i].ctype;
	}
	return "application/octet-stream";
}

/* ---- login ---- */

enum MHD_Result page_login(struct req *r)
{
	struct wbuf b = { 0 };

	page_head(&b, r, "Log in");
	if (!r->w->auth)
		wb_puts(&b, "<p>This server was started without <code>--token-file</code>: nobody can log in or write.</p>\n");
	else if (r->session) {
		wb_puts(&b, "<p>Logged in as ");
		html_txt(&b, r->user);
		wb_puts(&b, ".</p>\n");
	} else
		wb_puts(&b, "<form method=\"post\" action=\"/login\"><p><label>Token <input type=\"password\" name=\"token\" "
			    "autocomplete=\"current-password\" size=\"70\" required autofocus></label> "
			    "<button id=\"login\">Log in</button></p></form>\n"
			    "<p class=\"note\">A token comes from <code>botlens token add NAME --token-file FILE</code>.</p>\n");
	page_foot(&b);
	return reply(r, 200, "text/html; charset=utf-8", &b);
}

enum MHD_Result page_login_post(struct req *r)
{
	char user[64], id[65], cookie[200];

	if (!r->w->auth)
		return reply_error(r, 403, "this server has no --token-file: nobody can log in");
	if (auth_blocked(r->w->auth, r->client)) {
		web_log(r->w, "login from %s refused: too many refused tokens", r->client);
		return reply_error(r, 429, "too many refused tokens from this address: try again in a minute");
	}
	if (!auth_token_ok(r->w->auth, upload_field(r, "token"), user, sizeof user)) {
		auth_failed(r->w->auth, r->client);
		web_log(r->w, "login from %s refused", r->client);
		return reply_error(r, 401, "wrong token");
	}
	if (auth_session_new(r->w->auth, user, id))
		return reply_error(r, 500, "cannot start a session");
	snprintf(cookie, sizeof cookie, "bl_session=%s; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict%s", id,
		 r->w->tls ? "; Secure" : "");
	web_log(r->w, "login %s from %s", user, r->client);
	return reply_redirect(r, "/", cookie);
}

enum MHD_Result page_logout(struct req *r)
{
	const char *id = MHD_lookup_connection_value(r->c, MHD_COOKIE_KIND, "bl_session");

	auth_session_end(r->w->auth, id);
	return reply_redirect(r, "/login", "bl_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

/* ---- upload form ---- */

void page_csrf_field(struct wbuf *b, struct req *r)
{
	if (r->csrf[0])
		wb_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->csrf);
}

enum MHD_Result page_upload_form(struct req *r)
{
	struct wbuf b = { 0 };

	page_head(&b, r, "Upload a run");
	wb_puts(&b, "<form method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\" id=\"upload\">");
	page_csrf_field(&b, r);   /* before the file: checked when the file part starts */
	wb_puts(&b, "<table>\n<tr><th>Kind</th><td><select name=\"type\"><option value=\"capture\">packet capture "
		    "(pcap, pcapng, gzip)</option><option value=\"report\">behavior report (Cuckoo/CAPE JSON, MIST, text, "
		    "archive)</option></select></td></tr>\n"
		    "<tr><th>Label</th><td><input name=\"label\" maxlength=\"63\"></td></tr>\n"
		    "<tr><th>Tags</th><td><input name=\"tags\" maxlength=\"255\" placeholder=\"space-separated\"></td></tr>\n"
		    "<tr><th>File</th><td><input type=\"file\" name=\"file\" required></td></tr>\n</table>\n"
		    "<p><button id=\"submit\">Upload</button></p></form>\n");
	wb_printf(&b, "<p class=\"note\">At most %llu bytes. The same file uploaded twice is one run.</p>\n",
		  (unsigned long long)r->w->max_upload);
	page_foot(&b);
	return reply(r, 200, "text/html; charset=utf-8", &b);
}

/* ---- status ---- */

enum MHD_Result page_status_page(struct req *r)
{
	struct store *s = req_store(r);
	struct store_stats st;
	struct wbuf b = { 0 };

	if (!s)
		return MHD_YES;
	if (store_stats(s, &st)) {
		web_log(r->w, "status: %s", store_error(s));
		return reply_error(r, 500, "cannot read the store's status");
	}
	page_head(&b, r, "Status");
	wb_printf(&b, "<table id=\"stats\">\n<tr><th>store</th><td>%s</td></tr>\n", store_backend(s));
	wb_printf(&b, "<tr><th>runs</th><td class=\"num\">%llu</td></tr>\n<tr><th>queued</th><td class=\"num\">%llu</td></tr>\n"
		      "<tr><th>running</th><td class=\"num\">%llu</td></tr>\n<tr><th>done</th><td class=\"num\">%llu</td></tr>\n"
		      "<tr><th>failed</th><td class=\"num\">%llu</td></tr>\n"
		      "<tr><th>done in the last minute</th><td class=\"num\">%llu</td></tr>\n"
		      "<tr><th>failed attempts</th><td class=\"num\">%llu</td></tr>\n</table>\n",
		  (unsigned long long)st.runs, (unsigned long long)st.queued, (unsigned long long)st.running,
		  (unsigned long long)st.done, (unsigned long long)st.failed, (unsigned long long)st.done_last_minute,
		  (unsigned long long)st.failed_attempts);
	wb_puts(&b, "<h2>Workers with running jobs</h2>\n");
	if (!st.nworkers)
		wb_puts(&b, "<p class=\"note\">none</p>\n");
	else {
		wb_puts(&b, "<table><tr><th>worker</th><th>jobs</th></tr>\n");
		for (unsigned i = 0; i < st.nworkers && i < 32; i++) {
			wb_puts(&b, "<tr><td>");
			html_txt(&b, st.workers[i].worker);
			wb_printf(&b, "</td><td class=\"num\">%u</td></tr>\n", st.workers[i].running);
		}
		wb_puts(&b, "</table>\n");
	}
	r->refresh = 0;
	page_foot(&b);
	return reply(r, 200, "text/html; charset=utf-8", &b);
}
