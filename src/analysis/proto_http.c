/*
 * proto_http.c - HTTP/1.x (RFC 9112): request line (method, URI), Host,
 * User-Agent and Content-Type headers; responses and executables in
 * them (a body starting "MZ", an .exe URI, an executable content type).
 *
 *   METHOD SP request-target SP HTTP/1.x CRLF *(header CRLF) CRLF [body]
 */
#include <string.h>

#include "analysis/report-int.h"
#include "util/rd.h"

static const char *const http_methods[] = {
	"GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "CONNECT ", "DELETE ",
};

static size_t http_method(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < sizeof http_methods / sizeof *http_methods; i++)
		if (rp_starts_ci(p, n, http_methods[i]))
			return strlen(http_methods[i]);
	return 0;
}

static bool ends_exe(const uint8_t *u, size_t n)
{
	static const char *const ext[] = { ".exe", ".dll", ".scr", ".bin", ".msi" };
	size_t q = 0;
	while (q < n && u[q] != '?')
		q++;
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
		if (q >= 4 && rp_starts_ci(u + q - 4, 4, ext[i]))
			return true;
	return false;
}

/* Reads headers and the start of the body after the first line. */
static void http_headers(struct rp_col *c, struct rp_flow *rf, struct rd *r, int dir)
{
	if (r->left && r->p[0] == '\r')   /* the first line's end */
		rd_skip(r, 1);
	if (r->left && r->p[0] == '\n')
		rd_skip(r, 1);
	while (r->left) {
		size_t n = rp_line(r->p, r->left);
		const uint8_t *l = r->p;
		rd_skip(r, n);
		if (r->left && r->p[0] == '\r')
			rd_skip(r, 1);
		if (r->left && r->p[0] == '\n')
			rd_skip(r, 1);
		if (n == 0) {
			if (r->left >= 2 && r->p[0] == 'M' && r->p[1] == 'Z')
				rf->facts |= RPF_EXE;
			return;
		}
		if (dir == 0 && rp_starts_ci(l, n, "Host: "))
			rp_ev_add(c, rf->h[0], EV_HTTP_HOST, l + 6, n - 6);
		else if (dir == 0 && rp_starts_ci(l, n, "User-Agent: "))
			rp_ev_add(c, rf->h[0], EV_HTTP_UA, l + 12, n - 12);
		else if (rp_starts_ci(l, n, "Content-Type: application/octet-stream"))
			rf->facts |= dir == 0 ? RPF_HTTP_BINARY : 0;
		else if (dir == 1 && (rp_starts_ci(l, n, "Content-Type: application/x-msdownload") ||
				      rp_starts_ci(l, n, "Content-Type: application/x-dosexec")))
			rf->facts |= RPF_EXE;
	}
}

static bool http_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6)
		return false;
	struct rd r;
	rd_init(&r, s->p, s->n);
	size_t m = s->dir == 0 ? http_method(s->p, s->n) : 0;
	if (s->dir == 0 && !m)
		return rf->app == RP_APP_HTTP;
	if (s->dir == 1 && !rp_starts_ci(s->p, s->n, "HTTP/1.")) {
		if (s->n >= 2 && s->p[0] == 'M' && s->p[1] == 'Z' && rf->app == RP_APP_HTTP)
			rf->facts |= RPF_EXE;
		return rf->app == RP_APP_HTTP;
	}
	size_t line = rp_line(s->p, s->n);
	if (s->dir == 0) {
		if (line < m + 10 || memmem(s->p, line, " HTTP/1.", 8) == NULL)
			return rf->app == RP_APP_HTTP;
		rf->facts |= s->p[0] == 'P' && s->p[1] == 'O' ? RPF_HTTP_POST : RPF_HTTP_GET;
		if (rf->count < UINT16_MAX)
			rf->count++;
		const uint8_t *uri = s->p + m;
		size_t ul = line - m;
		const uint8_t *sp = memchr(uri, ' ', ul);
		if (sp)
			ul = (size_t)(sp - uri);
		rp_ev_add(c, rf->h[0], EV_HTTP_URI, uri, ul);
		if (ends_exe(uri, ul)) {
			rf->facts |= RPF_EXE;
			rp_ev_add(c, rf->h[0], EV_EXE_FILE, uri, ul);
		}
	}
	rd_skip(&r, line);
	http_headers(c, rf, &r, s->dir);
	return true;
}

const struct rp_proto proto_http = { .name = "http", .app = RP_APP_HTTP, .max_pkts = 6, .inspect = http_inspect };
