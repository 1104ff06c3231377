/*
 * proto_http.c - HTTP/1.x (RFC 9112) through OISF's libhtp (Suricata's
 * parser): every transaction of a connection, keep-alive and pipelined,
 * on any TCP port (recognised by a request line or a status line).
 *
 *   METHOD SP request-target SP HTTP/1.x CRLF *(field CRLF) CRLF [body]
 *   HTTP/1.x SP status SP reason CRLF *(field CRLF) CRLF [body]
 *
 * Per transaction: method, Host, URI, User-Agent, Cookie, status, request
 * and response Content-Type, declared and counted lengths,
 * Content-Disposition file name, the first HTTP_SNIFF bytes of each body
 * after chunked and gzip/deflate decoding (libhtp), typed by magic
 * (http_sniff.c), a POST's form field names, and Log4Shell lookups in the
 * request line, every header and the request body.
 *
 * Feeding: each direction's payload goes to libhtp in sequence order: a
 * retransmission is dropped, an overlap trimmed, one segment that
 * arrives early is held until the gap before it fills; any other gap
 * (or a snap-length cut) ends that direction.  Budget: a direction stops
 * after the inspection budget (--inspect-bytes, rp_col_limits; 64 KiB) of
 * body bytes beyond each body's sniffed start, or the larger of
 * HTTP_FEED_MAX and the budget in all, or a parser error.  The connection parser
 * lives in rp_state (declared HTTP_STATE_BYTES) and is freed when both
 * directions are done or at flow end.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <htp/htp.h>

#include "analysis/http_sniff.h"
#include "analysis/report-int.h"

#define HTTP_SNIFF 512u                /* body bytes kept for magic and form names */
#define HTTP_FEED_MAX (1u << 20)       /* bytes per direction given to libhtp at most (or the budget) */
#define HTTP_HOLD 2048                 /* one early segment held per direction */
#define HTTP_STATE_BYTES (16u << 10)   /* what a libhtp connection parser costs, roughly */
#define HTTP_BIGPOST (64u << 10)       /* RPF2_HTTP_BIGPOST */
#define HTTP_BIG_OCTET 4096            /* an octet-stream body this large is a download */
#define HTTP_BIG_OPAQUE (16u << 10)    /* an untyped binary body from a bare IP this large, too */

struct http_dir {
	uint32_t next;                 /* sequence number expected next */
	bool started, stopped;
	uint16_t hold_n;               /* bytes held (0: none) */
	uint32_t hold_seq;
	uint32_t fed;
	uint32_t over;                 /* body bytes on the wire beyond the sniffs */
	int64_t wire_seen;             /* the current body's wire bytes when last counted */
	uint64_t body;                 /* the current body's bytes (decoded) */
	uint16_t nsniff;
	uint8_t sniff[HTTP_SNIFF];
	uint8_t hold[HTTP_HOLD];
};

/* The response being read, with what its request said (judged once). */
struct http_res {
	bool pending;
	int status;
	int64_t clen;
	bool pkg_ua, html, rawip;
	char uri[72], ctype[64], fname[64];
};

struct http_st {
	htp_connp_t *connp;
	struct rp_col *c;              /* set before each call into libhtp */
	struct rp_flow *rf;
	bool req_form, req_noted;       /* the request is a form; its upload evidence is written */
	struct http_res res;
	struct http_dir d[2];
};

/* ---- one libhtp configuration, shared read-only by every parser ---- */

static htp_cfg_t *http_cfg;
static pthread_once_t http_cfg_once = PTHREAD_ONCE_INIT;

static int on_req_headers(htp_tx_t *tx);
static int on_req_body(htp_tx_data_t *d);
static int on_req_complete(htp_tx_t *tx);
static int on_res_headers(htp_tx_t *tx);
static int on_res_body(htp_tx_data_t *d);
static int on_res_complete(htp_tx_t *tx);

static void http_cfg_init(void)
{
	htp_cfg_t *cfg = htp_config_create();
	if (!cfg)
		return;
	htp_config_set_server_personality(cfg, HTP_SERVER_IDS);
	htp_config_set_log_level(cfg, HTP_LOG_NONE);
	htp_config_set_response_decompression(cfg, 1);
	htp_config_set_compression_bomb_limit(cfg, 1u << 20);
	htp_config_set_tx_auto_destroy(cfg, 1);
	htp_config_register_request_headers(cfg, on_req_headers);
	htp_config_register_request_body_data(cfg, on_req_body);
	htp_config_register_request_complete(cfg, on_req_complete);
	htp_config_register_response_headers(cfg, on_res_headers);
	htp_config_register_response_body_data(cfg, on_res_body);
	htp_config_register_response_complete(cfg, on_res_complete);
	http_cfg = cfg;
}

static struct http_st *st_of(const htp_tx_t *tx)
{
	return htp_connp_get_user_data(tx->connp);
}

static size_t bs_len(const bstr *b)
{
	return b ? bstr_len(b) : 0;
}

static const uint8_t *bs_ptr(const bstr *b)
{
	return b ? bstr_ptr(b) : (const uint8_t *)"";
}

static const bstr *header(htp_table_t *t, const char *name)
{
	const htp_header_t *h = t ? htp_table_get_c(t, name) : NULL;
	return h ? h->value : NULL;
}

static void bs_copy(char *dst, size_t cap, const bstr *b)
{
	size_t n = bs_len(b) < cap - 1 ? bs_len(b) : cap - 1;
	const uint8_t *p = bs_ptr(b);
	for (size_t i = 0; i < n; i++)
		dst[i] = p[i] < 0x20 || p[i] > 0x7e ? '.' : (char)p[i];
	dst[n] = 0;
}

/* ---- requests ---- */

static void l4s_field(struct http_st *st, const char *field, const bstr *v)
{
	char hit[72], e[RP_EV_LEN];
	if (!bs_len(v) || !http_log4shell(bs_ptr(v), bs_len(v), hit, sizeof hit))
		return;
	st->rf->facts2 |= RPF2_HTTP_LOG4SHELL;
	snprintf(e, sizeof e, "%s: %s", field, hit);
	rp_ev_add(st->c, st->rf->h[0], EV_LOG4SHELL, (const uint8_t *)e, strlen(e));
}

/* Upload evidence "METHOD URI (N B[, credential form])", once per request. */
static void req_note(struct http_st *st, htp_tx_t *tx, uint64_t size, bool cred)
{
	char m[10], uri[48], e[RP_EV_LEN];
	if (st->req_noted)
		return;
	st->req_noted = true;
	bs_copy(m, sizeof m, tx->request_method);
	bs_copy(uri, sizeof uri, tx->request_uri);
	snprintf(e, sizeof e, "%s %s (%llu B%s)", m, uri, (unsigned long long)size, cred ? ", credential form" : "");
	rp_ev_add(st->c, st->rf->h[0], EV_HTTP_UPLOAD, (const uint8_t *)e, strlen(e));
}

/* Host, User-Agent, Cookie, content type and Log4Shell in every header. */
static void req_fields(struct http_st *st, htp_tx_t *tx)
{
	struct rp_flow *rf = st->rf;
	const bstr *host = header(tx->request_headers, "host"), *ua = header(tx->request_headers, "user-agent");
	const bstr *cookie = header(tx->request_headers, "cookie");
	const bstr *ct = header(tx->request_headers, "content-type");
	if (host)
		rp_ev_add(st->c, rf->h[0], EV_HTTP_HOST, bs_ptr(host), bs_len(host));
	if (!host || http_host_is_ip(bs_ptr(host), bs_len(host)))
		rf->facts2 |= RPF2_HTTP_RAWIP;
	if (ua)
		rp_ev_add(st->c, rf->h[0], EV_HTTP_UA, bs_ptr(ua), bs_len(ua));
	if (cookie && http_cookie_blob(bs_ptr(cookie), bs_len(cookie)))
		rf->facts2 |= RPF2_HTTP_COOKIE_BLOB;
	if (ct && http_ctype_octet(bs_ptr(ct), bs_len(ct)))
		rf->facts |= RPF_HTTP_BINARY;
	st->req_form = ct && http_ctype_form(bs_ptr(ct), bs_len(ct));
	st->req_noted = false;
	if (tx->request_content_length >= (int64_t)HTTP_BIGPOST) {
		rf->facts2 |= RPF2_HTTP_BIGPOST;
		req_note(st, tx, (uint64_t)tx->request_content_length, false);
	}
	l4s_field(st, "request line", tx->request_line);
	for (size_t i = 0, k = htp_table_size(tx->request_headers); i < k; i++) {
		bstr *name = NULL;
		const htp_header_t *h = htp_table_get_index(tx->request_headers, i, &name);
		char field[32];
		bs_copy(field, sizeof field, name);
		if (h)
			l4s_field(st, field, h->value);
	}
}

static int on_req_headers(htp_tx_t *tx)
{
	struct http_st *st = st_of(tx);
	struct rp_flow *rf = st->rf;
	const bstr *m = tx->request_method, *uri = tx->request_uri;
	rf->facts |= bs_len(m) == 4 && rp_starts_ci(bs_ptr(m), 4, "POST") ? RPF_HTTP_POST : RPF_HTTP_GET;
	if (rf->count < UINT16_MAX)
		rf->count++;
	if (uri) {
		rp_ev_add(st->c, rf->h[0], EV_HTTP_URI, bs_ptr(uri), bs_len(uri));
		if (http_name_exec(bs_ptr(uri), bs_len(uri)))
			rf->facts |= RPF_EXE;   /* the name only: the answer decides a download */
	}
	req_fields(st, tx);
	st->d[0].body = 0;
	st->d[0].nsniff = 0;
	st->d[0].wire_seen = 0;
	return HTP_OK;
}

/*
 * Keeps a body's first HTTP_SNIFF bytes (decoded) and counts its wire bytes
 * (wire: the message length so far, before de-chunking and decompression)
 * past the sniff against the direction's budget.
 */
static void body_bytes(struct http_dir *d, const uint8_t *p, size_t n, int64_t wire)
{
	size_t room = HTTP_SNIFF - (size_t)d->nsniff, keep = room < n ? room : n;
	bool full = !room;
	memcpy(d->sniff + d->nsniff, p, keep);
	d->nsniff = (uint16_t)(d->nsniff + keep);
	d->body += n;
	if (full && wire > d->wire_seen) {
		uint64_t add = (uint64_t)(wire - d->wire_seen);
		d->over = add > UINT32_MAX - d->over ? UINT32_MAX : d->over + (uint32_t)add;
	}
	d->wire_seen = wire;
}

static int on_req_body(htp_tx_data_t *dt)
{
	struct http_st *st = st_of(dt->tx);
	if (!dt->data || !dt->len)
		return HTP_OK;
	char hit[72];
	body_bytes(&st->d[0], dt->data, dt->len, dt->tx->request_message_len);
	if (st->d[0].body >= HTTP_BIGPOST)   /* now: the budget may end the direction before the body does */
		st->rf->facts2 |= RPF2_HTTP_BIGPOST;
	if (!(st->rf->facts2 & RPF2_HTTP_LOG4SHELL) && http_log4shell(dt->data, dt->len, hit, sizeof hit)) {
		char e[RP_EV_LEN];
		snprintf(e, sizeof e, "body: %s", hit);
		st->rf->facts2 |= RPF2_HTTP_LOG4SHELL;
		rp_ev_add(st->c, st->rf->h[0], EV_LOG4SHELL, (const uint8_t *)e, strlen(e));
	}
	return HTP_OK;
}

static int on_req_complete(htp_tx_t *tx)
{
	struct http_st *st = st_of(tx);
	struct http_dir *d = &st->d[0];
	uint64_t size = tx->request_content_length > 0 && (uint64_t)tx->request_content_length > d->body
				? (uint64_t)tx->request_content_length : d->body;
	bool big = size >= HTTP_BIGPOST, cred = false;
	if (big)
		st->rf->facts2 |= RPF2_HTTP_BIGPOST;
	if (st->req_form && d->nsniff) {
		char names[RP_EV_LEN];
		cred = http_form_names(d->sniff, d->nsniff, names, sizeof names);
		if (cred)
			st->rf->facts2 |= RPF2_HTTP_CREDFORM;
		if (names[0])
			rp_ev_add(st->c, st->rf->h[0], EV_HTTP_FORM, (const uint8_t *)names, strlen(names));
	}
	if (big || cred)
		req_note(st, tx, size, cred);
	st->req_form = false;
	return HTP_OK;
}

/* ---- responses ---- */

/*
 * Decides what the pending response carried, once: its file type by
 * magic and whether it is a download (http_sniff.h classes; the rule is
 * in doc/report-schema.md): code by magic or type (PE, ELF, Java; Flash,
 * Silverlight, PDF only from a bare-IP Host or under another content
 * type), or an octet-stream
 * with a file type, an executable name or >= HTTP_BIG_OCTET bytes from a
 * bare-IP Host or a script (a query string, .php/.asp/.jsp/.cgi), or an
 * untyped binary body of >= HTTP_BIG_OPAQUE bytes from a bare-IP Host; never
 * a package fetched by a package manager or a non-2xx answer.
 */
/* A URI served by a program (a query string, or a script's extension), not a static file. */
static bool dynamic_uri(const uint8_t *u, size_t n)
{
	static const char *const ext[] = { ".php", ".asp", ".aspx", ".jsp", ".cgi", ".pl" };
	size_t q = 0;
	while (q < n && u[q] != '?')
		q++;
	if (q < n)
		return true;
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		size_t k = strlen(ext[i]);
		if (q >= k && rp_starts_ci(u + q - k, k, ext[i]))
			return true;
	}
	return false;
}

static void res_judge(struct http_st *st)
{
	struct http_res *r = &st->res;
	struct http_dir *d = &st->d[1];
	struct rp_flow *rf = st->rf;
	if (!r->pending)
		return;
	r->pending = false;
	const uint8_t *ct = (const uint8_t *)r->ctype, *fn = (const uint8_t *)r->fname, *uri = (const uint8_t *)r->uri;
	size_t ctl = strlen(r->ctype), fnl = strlen(r->fname), ul = strlen(r->uri);
	enum http_ftype t = http_magic(d->sniff, d->nsniff);
	uint64_t size = r->clen > 0 && (uint64_t)r->clen > d->body ? (uint64_t)r->clen : d->body;
	if (t != HF_NONE)
		rf->facts2 |= RPF2_HTTP_FILE;
	rf->facts |= t == HF_PE ? RPF_EXE : 0;
	rf->facts2 |= t == HF_ELF ? RPF2_HTTP_ELF : 0;
	rf->facts2 |= t == HF_CLASS || t == HF_JAR ? RPF2_HTTP_JAVA : 0;
	rf->facts2 |= t == HF_SWF || t == HF_XAP || t == HF_PDF ? RPF2_HTTP_PLUGIN : 0;
	if (r->html && r->status >= 200 && r->status < 300)
		rf->facts2 |= RPF2_HTTP_HTML;
	bool pkg = http_ctype_package(ct, ctl) ||
		   (r->pkg_ua && (http_name_package(uri, ul) || http_name_package(fn, fnl)));
	bool exe_name = http_name_exec(fn, fnl) || http_name_exec(uri, ul);
	bool octet = http_ctype_octet(ct, ctl);
	/* C&C messages are small; staged code is not */
	bool opaque = !ctl && r->rawip && size >= HTTP_BIG_OPAQUE && http_binary(d->sniff, d->nsniff);
	bool code = t == HF_PE || t == HF_ELF || t == HF_CLASS || t == HF_JAR;
	bool plugin = t == HF_SWF || t == HF_XAP || t == HF_PDF;
	/* plug-in content is ordinary on the web: a download only from a bare IP or under another type */
	bool plugin_dl = (plugin && (r->rawip || !http_ctype_plugin(ct, ctl))) ||
			 (http_ctype_plugin(ct, ctl) && r->rawip);
	/* an untyped octet-stream is a payload from a bare address or a script, not a site's static file */
	bool big_octet = size >= HTTP_BIG_OCTET && (r->rawip || dynamic_uri(uri, ul));
	bool dl = code || plugin_dl || http_ctype_exec(ct, ctl) ||
		  (octet && (t != HF_NONE || exe_name || big_octet)) || opaque;
	if (pkg || r->status < 200 || r->status >= 300 || !dl)
		return;
	rf->facts2 |= RPF2_HTTP_DOWNLOAD;
	if (http_ctype_exec(ct, ctl) && t == HF_NONE)
		rf->facts |= RPF_EXE;
	char e[RP_EV_LEN];
	snprintf(e, sizeof e, "%s %llu B %s %s", t ? http_ftype_name(t) : "data", (unsigned long long)size,
		 ctl ? r->ctype : "-", fnl ? r->fname : r->uri);
	rp_ev_add(st->c, rf->h[0], EV_HTTP_DOWNLOAD, (const uint8_t *)e, strlen(e));
	if (fnl)
		rp_ev_add(st->c, rf->h[0], EV_EXE_FILE, fn, fnl);
	else if (strcmp(r->uri, "-"))
		rp_ev_add(st->c, rf->h[0], EV_EXE_FILE, uri, ul);
	if (ctl)
		rp_ev_add(st->c, rf->h[0], EV_HTTP_CTYPE, ct, ctl);
	if (fnl)
		rp_ev_add(st->c, rf->h[0], EV_HTTP_FILENAME, fn, fnl);
}

static int on_res_headers(htp_tx_t *tx)
{
	struct http_st *st = st_of(tx);
	struct http_res *r = &st->res;
	res_judge(st);   /* a response left open (no end seen) */
	if (st->rf->count2 < UINT16_MAX)
		st->rf->count2++;
	*r = (struct http_res){ .pending = true, .status = tx->response_status_number,
				.clen = tx->response_content_length };
	const bstr *ct = header(tx->response_headers, "content-type");
	const bstr *cd = header(tx->response_headers, "content-disposition");
	const bstr *ua = header(tx->request_headers, "user-agent");
	bs_copy(r->ctype, sizeof r->ctype, ct);
	bool asked = bs_len(tx->request_method) > 0;   /* libhtp also answers responses without a request */
	if (asked)
		bs_copy(r->uri, sizeof r->uri, tx->request_uri);
	else
		snprintf(r->uri, sizeof r->uri, "-");
	r->html = ct && http_ctype_html(bs_ptr(ct), bs_len(ct));
	r->pkg_ua = ua && http_ua_package(bs_ptr(ua), bs_len(ua));
	const bstr *host = header(tx->request_headers, "host");
	r->rawip = asked && (!host || http_host_is_ip(bs_ptr(host), bs_len(host)));
	if (cd) {
		const uint8_t *name;
		size_t n = http_disposition_name(bs_ptr(cd), bs_len(cd), &name);
		size_t k = n < sizeof r->fname - 1 ? n : sizeof r->fname - 1;
		for (size_t i = 0; i < k; i++)
			r->fname[i] = name[i] < 0x20 || name[i] > 0x7e ? '.' : (char)name[i];
		r->fname[k] = 0;
	}
	if (r->status >= 300 && r->status < 400 && header(tx->response_headers, "location"))
		st->rf->facts2 |= RPF2_HTTP_REDIRECT;
	if (r->status == 401 && asked)   /* credentials refused (or asked for): beh_brute.c counts repeats */
		rp_auth_fail(st->rf);
	st->d[1].body = 0;
	st->d[1].nsniff = 0;
	st->d[1].wire_seen = 0;
	return HTP_OK;
}

static int on_res_body(htp_tx_data_t *dt)
{
	struct http_st *st = st_of(dt->tx);
	if (dt->data && dt->len)
		body_bytes(&st->d[1], dt->data, dt->len, dt->tx->response_message_len);
	return HTP_OK;
}

static int on_res_complete(htp_tx_t *tx)
{
	res_judge(st_of(tx));
	return HTP_OK;
}

/* ---- feeding ---- */

static void st_free(void *p)
{
	struct http_st *st = p;
	if (st->connp)
		htp_connp_destroy_all(st->connp);
	free(st);
}

/* Finishes the connection: open transactions end, the last response is judged. */
static void http_finish(struct http_st *st)
{
	if (!st->connp)
		return;
	htp_connp_close(st->connp, NULL);
	res_judge(st);
	htp_connp_destroy_all(st->connp);
	st->connp = NULL;
}

static void feed_libhtp(struct http_st *st, int dir, const uint8_t *p, size_t n, float t)
{
	struct http_dir *d = &st->d[dir];
	struct timeval tv = { .tv_sec = (time_t)t, .tv_usec = (suseconds_t)((t - (float)(time_t)t) * 1e6f) };
	size_t budget = st->c->inspect_bytes, max = budget > HTTP_FEED_MAX ? budget : HTTP_FEED_MAX;
	if (max > UINT32_MAX)
		max = UINT32_MAX;
	if (n > max - d->fed)
		n = max - d->fed;
	d->fed += (uint32_t)n;
	int rc = dir == 0 ? htp_connp_req_data(st->connp, &tv, p, n) : htp_connp_res_data(st->connp, &tv, p, n);
	if (rc == HTP_STREAM_ERROR || rc == HTP_STREAM_TUNNEL || rc == HTP_STREAM_STOP ||
	    rc == HTP_STREAM_DATA_OTHER || d->fed >= max || d->over >= budget)
		d->stopped = true;
}

/*
 * Puts segment (seq, p[0..n), wire bytes on the wire) in order: drops what
 * was fed already, holds one segment that comes early, stops the
 * direction on any other gap.  Feeds what is in order.
 */
static void feed_seg(struct http_st *st, const struct rp_seg *s)
{
	struct http_dir *d = &st->d[s->dir];
	const uint8_t *p = s->p;
	size_t n = s->n;
	if (!d->started) {
		d->started = true;
		d->next = s->seq;
	}
	int32_t off = (int32_t)(s->seq - d->next);
	if (off > 0) {
		if (d->hold_n || n > HTTP_HOLD || n < s->wire)
			d->stopped = true;
		else {
			if (p != d->hold)
				memcpy(d->hold, p, n);
			d->hold_n = (uint16_t)n;
			d->hold_seq = s->seq;
		}
		return;
	}
	size_t skip = (size_t)-(int64_t)off;
	if (skip >= s->wire)
		return;   /* a retransmission */
	if (skip < n)
		feed_libhtp(st, s->dir, p + skip, n - skip, s->t);
	d->next = s->seq + (uint32_t)s->wire;
	if (n < s->wire)
		d->stopped = true;   /* cut by the snap length: a gap */
	if (d->hold_n && !d->stopped) {   /* the held segment may be next now */
		struct rp_seg h = *s;
		h.p = d->hold;
		h.n = h.wire = d->hold_n;
		h.seq = d->hold_seq;
		d->hold_n = 0;
		feed_seg(st, &h);
	}
}

static bool looks_http(const struct rp_seg *s)
{
	static const char *const methods[] = { "GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ",
					       "CONNECT ", "DELETE ", "PATCH ", "TRACE " };
	if (s->dir == 1)
		return rp_starts_ci(s->p, s->n, "HTTP/1.") && s->n >= 12;
	for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
		size_t m = strlen(methods[i]);
		if (!rp_starts_ci(s->p, s->n, methods[i]))
			continue;
		size_t line = rp_line(s->p, s->n);
		if (line == s->n)   /* the line goes on in the next segment */
			return s->n >= 64;
		return line >= m + 10 && memmem(s->p + m, line - m, " HTTP/", 6) != NULL;
	}
	return false;
}

static struct http_st *http_open(struct rp_col *c, const struct rp_seg *s)
{
	pthread_once(&http_cfg_once, http_cfg_init);
	if (!http_cfg)
		return NULL;
	struct http_st *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->connp = htp_connp_create(http_cfg);
	if (!st->connp || !rp_state_put(c, s->idx, st, sizeof *st + HTTP_STATE_BYTES, st_free)) {
		st_free(st);
		return NULL;
	}
	htp_connp_set_user_data(st->connp, st);
	htp_connp_open(st->connp, NULL, 0, NULL, 0, NULL);
	return st;
}

static bool http_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6)
		return false;
	bool known = rf->app == RP_APP_HTTP;
	struct http_st *st = known ? rp_state_get(c, s->idx) : NULL;
	if (!known && !looks_http(s))
		return false;
	if (!st && (known || !(st = http_open(c, s)))) {
		rf->done = 3;   /* no parser (refused at the caps): metadata only */
		return true;
	}
	st->c = c;
	st->rf = rf;
	feed_seg(st, s);
	for (int d = 0; d < 2; d++)
		if (st->d[d].stopped)
			rf->done |= (uint8_t)(1u << d);
	if ((rf->done & 3) == 3) {
		http_finish(st);
		st_free(rp_state_take(c, s->idx));
	}
	return true;
}

static void http_flow_end(struct rp_col *c, struct rp_flow *rf, uint32_t idx)
{
	struct http_st *st = rp_state_take(c, idx);
	if (!st)
		return;
	st->c = c;
	st->rf = rf;
	http_finish(st);
	st_free(st);
}

const struct rp_proto proto_http = { .name = "http", .app = RP_APP_HTTP, .max_pkts = UINT16_MAX,
				     .inspect = http_inspect, .flow_end = http_flow_end };
