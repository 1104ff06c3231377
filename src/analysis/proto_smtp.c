/*
 * proto_smtp.c - SMTP (RFC 5321): the client's EHLO/HELO name, MAIL FROM,
 * RCPT count, DATA and AUTH (the user of AUTH PLAIN or AUTH LOGIN, decoded
 * from base64); the server's 220 banner on a mail port.  After DATA the
 * message (RFC 5322) is read up to the lone "." that ends it: its Subject
 * and, in MIME part headers (RFC 2183, 2045), attachment file names
 * (Content-Disposition filename=, Content-Type name=).  Bodies are not
 * decoded.  Lines may be pipelined, several in one segment: each is read.
 * The server's 535 replies (AUTH credentials refused, RFC 4954) are
 * counted for beh_brute.c.
 */
#include <string.h>

#include "analysis/report-int.h"
#include "util/rd.h"

/* Decodes base64 text (no padding needed) into out (at most cap - 1 bytes, NUL-ended); its length. */
static size_t b64_decode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		uint8_t ch = in[i];
		int v = ch >= 'A' && ch <= 'Z' ? ch - 'A' : ch >= 'a' && ch <= 'z' ? ch - 'a' + 26
		      : ch >= '0' && ch <= '9' ? ch - '0' + 52 : ch == '+' ? 62 : ch == '/' ? 63 : -1;
		if (v < 0)
			break;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits & 0xff);
		}
	}
	out[o] = 0;
	return o;
}

/* AUTH PLAIN's "authzid \0 user \0 password": the user, never the password. */
static void auth_user(struct rp_col *c, struct rp_flow *rf, const uint8_t *b64, size_t n, bool plain)
{
	char d[256];
	size_t m = b64_decode(b64, n, d, sizeof d);
	const char *u = d;
	if (plain) {
		const char *z = memchr(d, 0, m);
		if (!z || (size_t)(z - d) + 1 >= m)
			return;
		u = z + 1;
	}
	if (*u)
		rp_ev_add(c, rf->h[0], EV_SMTP_AUTH, (const uint8_t *)u, strnlen(u, m));
}

static void smtp_auth(struct rp_col *c, struct rp_flow *rf, const uint8_t *l, size_t n)
{
	rf->facts |= RPF_SMTP_AUTH;
	if (rp_starts_ci(l, n, "AUTH PLAIN ") && n > 11)
		auth_user(c, rf, l + 11, n - 11, true);
	else if (rp_starts_ci(l, n, "AUTH LOGIN ") && n > 11)
		auth_user(c, rf, l + 11, n - 11, false);
	else if (rp_starts_ci(l, n, "AUTH LOGIN"))
		rf->count2 = 1;   /* the next line is the user name */
}

/* Adds evidence text with its surrounding blanks cut. */
static void ev_trim(struct rp_col *c, struct rp_flow *rf, unsigned cat, const uint8_t *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n)
		rp_ev_add(c, rf->h[0], cat, p, n);
}

static void smtp_client_line(struct rp_col *c, struct rp_flow *rf, const uint8_t *l, size_t n)
{
	if (rf->count2 == 1) {   /* AUTH LOGIN's user line */
		rf->count2 = 0;
		auth_user(c, rf, l, n, false);
	} else if (rp_starts_ci(l, n, "EHLO ") || rp_starts_ci(l, n, "HELO ")) {
		rp_ev_add(c, rf->h[0], EV_SMTP_HELO, l + 5, n - 5);
	} else if (rp_starts_ci(l, n, "MAIL FROM:")) {
		rf->facts |= RPF_SMTP_MAIL;
		ev_trim(c, rf, EV_SMTP_FROM, l + 10, n - 10);
	} else if (rp_starts_ci(l, n, "RCPT TO:")) {
		if (rf->count < UINT16_MAX)
			rf->count++;
		ev_trim(c, rf, EV_SMTP_RCPT, l + 8, n - 8);
	} else if (n == 4 && rp_starts_ci(l, n, "DATA")) {
		rf->facts |= RPF_SMTP_DATA;
		rf->facts2 |= RPF2_SMTP_INMSG;
		rf->facts2 &= ~RPF2_SMTP_INBODY;
	} else if (rp_starts_ci(l, n, "AUTH ")) {
		smtp_auth(c, rf, l, n);
	}
}

/* The value of `key=` (quoted or not) in a header line, into *v; false when absent. */
static bool param(const uint8_t *l, size_t n, const char *key, const uint8_t **v, size_t *vn)
{
	size_t k = strlen(key);
	for (size_t i = 0; i + k < n; i++)
		if (rp_starts_ci(l + i, n - i, key) && (i == 0 || l[i - 1] == ' ' || l[i - 1] == ';' || l[i - 1] == '\t')) {
			const uint8_t *p = l + i + k;
			size_t m = n - i - k;
			while (m && (*p == ' ' || *p == '\t'))   /* filename= "x" is seen in the wild */
				p++, m--;
			if (m && *p == '"') {
				p++, m--;
				const uint8_t *q = memchr(p, '"', m);
				m = q ? (size_t)(q - p) : m;
			} else {
				size_t j = 0;
				while (j < m && p[j] != ';' && p[j] != ' ')
					j++;
				m = j;
			}
			*v = p;
			*vn = m;
			return m > 0;
		}
	return false;
}

/* A line of the message after DATA: header fields, MIME part headers, the end. */
static void smtp_msg_line(struct rp_col *c, struct rp_flow *rf, const uint8_t *l, size_t n)
{
	const uint8_t *v;
	size_t vn;
	if (n == 1 && l[0] == '.') {   /* end of message: commands again */
		rf->facts2 &= ~(RPF2_SMTP_INMSG | RPF2_SMTP_INBODY);
		return;
	}
	if (!(rf->facts2 & RPF2_SMTP_INBODY)) {
		if (n == 0)
			rf->facts2 |= RPF2_SMTP_INBODY;
		else if (rp_starts_ci(l, n, "Subject:"))
			ev_trim(c, rf, EV_SMTP_SUBJECT, l + 8, n - 8);
	}
	if ((rp_starts_ci(l, n, "Content-Disposition:") && param(l, n, "filename=", &v, &vn)) ||
	    (rp_starts_ci(l, n, "Content-Type:") && param(l, n, "name=", &v, &vn)) ||
	    (n && (l[0] == ' ' || l[0] == '\t') && (param(l, n, "filename=", &v, &vn) || param(l, n, "name=", &v, &vn))))
		rp_ev_add(c, rf->h[0], EV_ATTACH, v, vn);
}

static bool smtp_is_client_cmd(const uint8_t *p, size_t n)
{
	return rp_starts_ci(p, n, "EHLO ") || rp_starts_ci(p, n, "HELO ");
}

static bool smtp_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6)
		return false;
	bool mailport = rf->dport == 25 || rf->dport == 587 || rf->dport == 465 || rf->dport == 2525;
	if (rf->app != RP_APP_SMTP) {
		bool banner = s->dir == 1 && mailport && s->n >= 4 && s->p[0] >= '2' && s->p[0] <= '5' &&
			      s->p[1] >= '0' && s->p[1] <= '9' && s->p[2] >= '0' && s->p[2] <= '9' &&
			      (s->p[3] == ' ' || s->p[3] == '-');
		if (!banner && !(s->dir == 0 && smtp_is_client_cmd(s->p, s->n)))
			return false;
	}
	struct rd r;
	rd_init(&r, s->p, s->n);
	if (s->dir != 0) {   /* the server's replies: 535 refuses AUTH credentials (RFC 4954) */
		while (r.left) {
			size_t n = rp_line(r.p, r.left);
			if (n >= 4 && rp_starts_ci(r.p, n, "535") && (r.p[3] == ' ' || r.p[3] == '-'))
				rp_auth_fail(rf);
			rd_skip(&r, n);
			while (r.left && (r.p[0] == '\r' || r.p[0] == '\n'))
				rd_skip(&r, 1);
		}
		return true;
	}
	while (r.left) {
		size_t n = rp_line(r.p, r.left);
		if (rf->facts2 & RPF2_SMTP_INMSG)
			smtp_msg_line(c, rf, r.p, n);
		else
			smtp_client_line(c, rf, r.p, n);
		rd_skip(&r, n);
		if (r.left && r.p[0] == '\r')   /* one line end: a blank line ends the header block */
			rd_skip(&r, 1);
		if (r.left && r.p[0] == '\n')
			rd_skip(&r, 1);
	}
	return true;
}

const struct rp_proto proto_smtp = { .name = "smtp", .app = RP_APP_SMTP, .max_pkts = 200, .inspect = smtp_inspect };
