/*
 * build_app.c - application payloads: DNS (RFC 1035, with name
 * compression 4.1.4), NTP client/server exchange (RFC 5905, mode 3/4),
 * HTTP/1.1 request and response (RFC 2616) and an SMTP dialogue
 * (RFC 5321: banner, EHLO, MAIL FROM, RCPT TO, DATA, message, QUIT).
 *
 *   DNS header (12 bytes)            NTP packet (48 bytes)
 *   +----+-------+----+----+----+----+  +--+--+--+--+--------+--------+
 *   | id | flags | qd | an | ns | ar |  |LVM|st|pl|pr|rootdly|rootdsp|
 *   +----+-------+----+----+----+----+  | refid | ref ts | org ts   |
 *   question: name type class           | rec ts  | xmt ts          |
 *   RR: name type class ttl rdlen rdata +------------------------------+
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "synth/build.h"

#define NTP_UNIX_OFFSET 2208988800u   /* seconds from 1900 to 1970 */

/* --- DNS -------------------------------------------------------------- */

struct dnsw {
	uint8_t *buf;
	size_t cap, len;
	bool ok;
	const char *names[64];   /* suffixes written so far, for compression */
	uint16_t offs[64];
	int n;
};

static void dw_bytes(struct dnsw *w, const void *p, size_t n)
{
	if (!w->ok || n > w->cap - w->len) {
		w->ok = false;
		return;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void dw16(struct dnsw *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	dw_bytes(w, b, 2);
}

static void dw32(struct dnsw *w, uint32_t v)
{
	dw16(w, (uint16_t)(v >> 16));
	dw16(w, (uint16_t)v);
}

/*
 * Writes a domain name as labels, replacing the longest suffix already
 * in the message by a pointer (RFC 1035 4.1.4).  Every suffix written is
 * remembered so later names can point into it.
 */
static void dw_name(struct dnsw *w, const char *name)
{
	const char *p = name;
	while (*p) {
		for (int i = 0; i < w->n; i++) {
			if (!strcasecmp(w->names[i], p)) {
				dw16(w, (uint16_t)(0xc000 | w->offs[i]));
				return;
			}
		}
		if (w->n < 64 && w->len < 0x3fff) {
			w->names[w->n] = p;
			w->offs[w->n++] = (uint16_t)w->len;
		}
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l > 63)
			l = 63;
		uint8_t lb = (uint8_t)l;
		dw_bytes(w, &lb, 1);
		dw_bytes(w, p, l);
		p = dot ? dot + 1 : p + strlen(p);
	}
	dw_bytes(w, "", 1);
}

static void dw_rr(struct dnsw *w, const struct build_dns *m, const struct build_dns_rr *rr)
{
	dw_name(w, rr->name ? rr->name : m->qname);
	dw16(w, rr->type);
	dw16(w, 1);      /* class IN */
	dw32(w, rr->ttl);
	size_t at = w->len;
	dw16(w, 0);      /* rdlength, patched below */
	if (rr->type == DNS_A) {
		dw32(w, rr->a);
	} else if (rr->type == DNS_MX) {
		dw16(w, rr->pref);
		dw_name(w, rr->target);
	} else {
		dw_name(w, rr->target);
	}
	if (w->ok) {
		size_t rdlen = w->len - at - 2;
		w->buf[at] = (uint8_t)(rdlen >> 8);
		w->buf[at + 1] = (uint8_t)rdlen;
	}
}

/*
 * Encodes a query (response=false: RD set, no records) or a response
 * (QR RD RA, the rcode, answers and additional records).  Returns the
 * length, or 0 if cap is too small.
 */
size_t build_dns_msg(uint8_t *buf, size_t cap, const struct build_dns *m, bool response)
{
	struct dnsw w = { .buf = buf, .cap = cap, .ok = true };
	dw16(&w, m->id);
	dw16(&w, response ? (uint16_t)(0x8180 | (m->rcode & 0xf)) : 0x0100);
	dw16(&w, 1);
	dw16(&w, response ? (uint16_t)m->nan : 0);
	dw16(&w, 0);
	dw16(&w, response ? (uint16_t)m->nar : 0);
	dw_name(&w, m->qname);
	dw16(&w, m->qtype);
	dw16(&w, 1);
	for (int i = 0; response && i < m->nan; i++)
		dw_rr(&w, m, &m->an[i]);
	for (int i = 0; response && i < m->nar; i++)
		dw_rr(&w, m, &m->ar[i]);
	return w.ok ? w.len : 0;
}

/*
 * A lookup from a fresh ephemeral port to resolver:53: the query at t and,
 * when latency >= 0, the response latency later.  Returns the time the
 * answer is seen (t when unanswered).
 */
int64_t build_dns_lookup(struct build_ctx *c, int64_t t, enum build_kind kind, uint32_t client,
			 uint32_t resolver, const struct build_dns *m, int64_t latency)
{
	uint8_t buf[1472];
	uint32_t sess = build_session(c, kind);
	uint16_t port = build_eport(c);
	size_t n = build_dns_msg(buf, sizeof buf, m, false);
	build_udp(c, sess, t, client, port, resolver, 53, buf, n);
	if (latency < 0)
		return t;
	n = build_dns_msg(buf, sizeof buf, m, true);
	build_udp(c, sess, t + latency, resolver, 53, client, port, buf, n);
	return t + latency;
}

/* --- NTP -------------------------------------------------------------- */

static void put_ntp_ts(uint8_t *p, int64_t us)
{
	int64_t sec = BUILD_EPOCH_S + NTP_UNIX_OFFSET + us / 1000000;
	uint64_t frac = ((uint64_t)(us % 1000000) << 32) / 1000000;
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)(sec >> (24 - 8 * i));
		p[4 + i] = (uint8_t)(frac >> (24 - 8 * i));
	}
}

/*
 * One NTPv3 client request (mode 3) and the server's reply (mode 4), the
 * client's clock skewed by `skew` microseconds (the sandbox's clock is
 * off; the bot syncs before it starts).  refid is the server's upstream.
 */
void build_ntp_exchange(struct build_ctx *c, uint32_t sess, int64_t t, uint32_t client,
			uint16_t cport, uint32_t server, int64_t rtt, uint32_t refid)
{
	uint8_t q[48] = { 0x1b, 0, 10, 0xfa };   /* LI 0, VN 3, mode 3; poll 10 */
	uint8_t r[48] = { 0x1c, 2, 10, 0xec };   /* mode 4, stratum 2, precision -20 */
	int64_t skew = -BUILD_SEC(5400) + (int64_t)rng_range(&c->rng, 0, 2000000);
	q[6] = 0x01;                              /* root dispersion 1 s */
	put_ntp_ts(q + 40, t + skew);
	build_udp(c, sess, t, client, cport, server, 123, q, sizeof q);
	r[5] = 0x00;
	r[6] = 0x0c;                              /* root delay ~ 47 ms */
	r[9] = 0x02;                              /* root dispersion ~ 32 ms */
	for (int i = 0; i < 4; i++)
		r[12 + i] = (uint8_t)(refid >> (24 - 8 * i));
	put_ntp_ts(r + 16, t - BUILD_SEC(312));
	memcpy(r + 24, q + 40, 8);                /* origin = client's transmit */
	put_ntp_ts(r + 32, t + rtt / 2);
	put_ntp_ts(r + 40, t + rtt / 2 + 35);
	build_udp(c, sess, t + rtt, server, 123, client, cport, r, sizeof r);
}

/* --- HTTP ------------------------------------------------------------- */

static const char *const filler_words[] = {
	"the", "news", "update", "service", "online", "free", "video", "card", "music",
	"photo", "world", "today", "download", "new", "best", "offer", "your", "friend",
	"happy", "greeting", "click", "here", "more", "info", "page", "site", "local",
};

/* Fills buf[0..n) with words and spaces (line breaks every ~70 chars). */
static void fill_text(struct rng *r, char *buf, size_t n)
{
	size_t col = 0, i = 0;
	while (i < n) {
		const char *w = filler_words[rng_range(r, 0, sizeof filler_words /
							    sizeof *filler_words - 1)];
		for (; *w && i < n; w++, col++)
			buf[i++] = *w;
		if (i < n)
			buf[i++] = col > 66 ? '\n' : ' ';
		if (col > 66)
			col = 0;
		else
			col++;
	}
}

/* An HTTP date ("Tue, 01 Apr 2008 10:00:00 GMT") for capture time us. */
static void http_date(char *out, size_t len, int64_t us)
{
	time_t sec = (time_t)(BUILD_EPOCH_S + us / 1000000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* CRC-32 of PNG chunks (ISO 3309 polynomial, bitwise: bodies are small). */
static uint32_t crc32_png(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Image bodies that parse: random payload wrapped in the format's own
 * containers, so dissectors see a well-formed file.  JPEG (ITU T.81,
 * JFIF 1.01): SOI, APP0, COM segments, EOI.  GIF89a: header, screen descriptor, comment
 * extension sub-blocks, trailer.  PNG (RFC 2083): signature, IHDR, one
 * IDAT, IEND with CRCs.  Bodies too small for the frame stay random.
 */
static void fill_image(struct rng *r, uint8_t *b, size_t n, int style)
{
	rng_bytes(r, b, n);
	if (style == BUILD_BODY_JPEG && n >= 32) {
		static const uint8_t app0[20] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0,
						  1, 1, 0, 0, 1, 0, 1, 0, 0 };
		memcpy(b, app0, sizeof app0);     /* SOI, APP0 "JFIF" 1.01 */
		for (size_t at = sizeof app0; at < n - 2;) {
			size_t seg = n - 2 - at > 65535 + 2 ? 65535 + 2 : n - 2 - at;
			if (seg < 4) {                 /* too short for a segment: pad with fill bytes */
				memset(b + at, 0xff, seg);
				break;
			}
			b[at] = 0xff, b[at + 1] = 0xfe;
			b[at + 2] = (uint8_t)((seg - 2) >> 8), b[at + 3] = (uint8_t)(seg - 2);
			at += seg;
		}
		b[n - 2] = 0xff, b[n - 1] = 0xd9;
	} else if (style == BUILD_BODY_GIF && n >= 32) {
		memcpy(b, "GIF89a\x10\x00\x10\x00\x00\x00\x00", 13);
		b[13] = 0x21, b[14] = 0xfe;
		size_t at = 15;
		while (n - at > 3) {                  /* ends with at == n - 2 */
			size_t k = n - at - 3 > 255 ? 255 : n - at - 3;
			b[at] = (uint8_t)k;
			at += 1 + k;
		}
		b[n - 2] = 0;                          /* block terminator */
		b[n - 1] = 0x3b;                       /* trailer */
	} else if (style == BUILD_BODY_PNG && n >= 57) {
		static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
		static const uint8_t ihdr[17] = { 'I', 'H', 'D', 'R', 0, 0, 0, 16, 0, 0, 0, 16, 8, 2 };
		memcpy(b, sig, 8);
		be32_put(b + 8, 13);
		memcpy(b + 12, ihdr, 17);
		be32_put(b + 29, crc32_png(b + 12, 17));
		size_t idat = n - 33 - 12 - 12;
		be32_put(b + 33, (uint32_t)idat);
		memcpy(b + 37, "IDAT", 4);
		be32_put(b + 41 + idat, crc32_png(b + 37, 4 + idat));
		be32_put(b + n - 12, 0);
		memcpy(b + n - 8, "IEND", 4);
		be32_put(b + n - 4, crc32_png(b + n - 8, 4));
	}
}

static void fill_body(struct rng *r, uint8_t *b, size_t n, int style)
{
	static const char mz[] = "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff\0\0";
	static const char stub[] = "This program cannot be run in DOS mode.\r\r\n$";
	if (style == BUILD_BODY_HTML) {
		static const char head[] = "<html><head><title>Welcome</title></head><body>\n";
		static const char tail[] = "\n</body></html>\n";
		if (n < sizeof head + sizeof tail) {
			fill_text(r, (char *)b, n);
			return;
		}
		memcpy(b, head, sizeof head - 1);
		fill_text(r, (char *)b + sizeof head - 1, n - (sizeof head - 1) - (sizeof tail - 1));
		memcpy(b + n - (sizeof tail - 1), tail, sizeof tail - 1);
		return;
	}
	if (style >= BUILD_BODY_JPEG) {
		fill_image(r, b, n, style);
		return;
	}
	rng_bytes(r, b, n);
	if (style == BUILD_BODY_EXE && n >= 0x80) {
		memcpy(b, mz, sizeof mz - 1);
		memset(b + 16, 0, 0x30);
		b[0x3c] = 0x80;                 /* e_lfanew: PE header at 0x80 */
		memcpy(b + 0x4e, stub, sizeof stub - 1);
		if (n >= 0x84)
			memcpy(b + 0x80, "PE\0\0", 4);
	}
}

/*
 * The client's request (side 0) on an established connection, `think`
 * after the last frame.  POST bodies are random bytes.
 */
void build_http_request(struct build_tcp *s, const struct build_http *h, int64_t think)
{
	char head[1024];
	int n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nAccept: */*\r\n"
			 "Accept-Language: en-us\r\nUser-Agent: %s\r\nHost: %s\r\n%s%s",
			 h->method, h->path, h->agent, h->host,
			 h->keepalive ? "Connection: Keep-Alive\r\n" : "Connection: close\r\n",
			 h->req_body ? "Content-Type: application/octet-stream\r\n" : "");
	if (n < 0 || n > 900)
		return;   /* only with absurdly long names: the scenarios never do it */
	if (h->req_body)
		n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", h->req_body);
	n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
	uint8_t *buf = malloc((size_t)n + h->req_body);
	if (!buf) {
		s->c->oom = true;
		return;
	}
	memcpy(buf, head, (size_t)n);
	fill_body(&s->c->rng, buf + n, h->req_body, BUILD_BODY_BINARY);
	build_tcp_send(s, 0, buf, (size_t)n + h->req_body, think);
	free(buf);
}

/* The server's response (side 1): status line, headers, a generated body. */
void build_http_response(struct build_tcp *s, const struct build_http *h, int64_t think)
{
	static const char *const reasons[] = { "OK", "Found", "Not Found" };
	char date[64];
	uint8_t *buf = malloc(1024 + h->resp_body);
	if (!buf) {
		s->c->oom = true;
		return;
	}
	http_date(date, sizeof date, s->t + think);
	int ri = h->status == 302 ? 1 : h->status == 404 ? 2 : 0;
	int n = snprintf((char *)buf, 1024, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: %s\r\n"
			 "Content-Length: %zu\r\nContent-Type: %s\r\n%s\r\n", h->status,
			 reasons[ri], date,
			 h->body_style == BUILD_BODY_EXE ? "Apache/2.0.59 (Unix)" : "Apache/2.2.3 (Unix)",
			 h->resp_body, h->ctype,
			 h->keepalive ? "Keep-Alive: timeout=15, max=100\r\n" : "Connection: close\r\n");
	if (n < 0 || n >= 1024)
		n = 0;
	fill_body(&s->c->rng, buf + n, h->resp_body, h->body_style);
	build_tcp_send(s, 1, buf, (size_t)n + h->resp_body, think);
	free(buf);
}

/* A request and its response: think before the request, server_think before the answer. */
void build_http_exchange(struct build_tcp *s, const struct build_http *h, int64_t think,
			 int64_t server_think)
{
	build_http_request(s, h, think);
	build_http_response(s, h, server_think);
}

/* --- SMTP ------------------------------------------------------------- */

static void smtp_line(struct build_tcp *s, int side, int64_t think, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void smtp_line(struct build_tcp *s, int side, int64_t think, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0)
		build_tcp_send(s, side, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1,
			       think);
}

/* The message of DATA: headers, a blank line, text, the final dot (RFC 5322/5321 4.1.1.4). */
static void smtp_message(struct build_tcp *s, const struct build_smtp *m)
{
	char date[64];
	char *msg = malloc(2048 + 3 * m->body_len);
	if (!msg) {
		s->c->oom = true;
		return;
	}
	char *text = msg + 2048 + 2 * m->body_len;   /* LF text, expanded below */
	http_date(date, sizeof date, s->t);
	unsigned id1 = (unsigned)rng_u64(&s->c->rng);   /* one draw per statement: */
	unsigned id2 = (unsigned)rng_range(&s->c->rng, 0, 0xffff);   /* argument order is unspecified */
	int n = snprintf(msg, 2048, "Message-ID: <%08x.%04x@%s>\r\nFrom: <%s>\r\nTo: <%s>\r\n"
			 "Subject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n"
			 "Content-Type: text/plain; charset=\"us-ascii\"\r\n"
			 "Content-Transfer-Encoding: 7bit\r\n\r\n",
			 id1, id2, m->helo, m->from, m->rcpt, m->subject, date);
	if (n < 0 || n >= 2048)
		n = 0;
	fill_text(&s->c->rng, text, m->body_len);
	size_t len = (size_t)n;
	for (size_t i = 0; i < m->body_len; i++) {   /* LF -> CRLF; words never start with '.' */
		if (text[i] == '\n')
			msg[len++] = '\r';
		msg[len++] = text[i];
	}
	memcpy(msg + len, "\r\n.\r\n", 5);
	build_tcp_send(s, 0, msg, len + 5, rng_range(&s->c->rng, 100, 2000));
	free(msg);
}

/*
 * A full SMTP client dialogue on an established connection (client =
 * side 0 = the bot).  Outcomes: accepted (250 queued), rejected at RCPT
 * (550 unknown user), or refused at the banner (554, blocklisted); in
 * every case the client QUITs and the server closes.
 */
void build_smtp_dialogue(struct build_tcp *s, const struct build_smtp *m)
{
	struct rng *r = &s->c->rng;
	const char *srv = m->server_name;
	int64_t fast = BUILD_MS(1);
	if (m->outcome == 2) {
		smtp_line(s, 1, BUILD_MS(rng_range(r, 50, 900)), "554 5.7.1 Service unavailable; "
			  "client host blocked using zen.spamhaus.org\r\n");
	} else {
		smtp_line(s, 1, BUILD_MS(rng_range(r, 50, 1500)), "220 %s ESMTP Postfix\r\n", srv);
		smtp_line(s, 0, fast, "EHLO %s\r\n", m->helo);
		smtp_line(s, 1, BUILD_MS(rng_range(r, 1, 40)), "250-%s\r\n250-PIPELINING\r\n"
			  "250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-8BITMIME\r\n"
			  "250 DSN\r\n", srv);
		smtp_line(s, 0, fast, "MAIL FROM:<%s>\r\n", m->from);
		smtp_line(s, 1, BUILD_MS(rng_range(r, 1, 40)), "250 2.1.0 Ok\r\n");
		smtp_line(s, 0, fast, "RCPT TO:<%s>\r\n", m->rcpt);
		if (m->outcome == 1) {
			smtp_line(s, 1, BUILD_MS(rng_range(r, 5, 300)), "550 5.1.1 <%s>: Recipient "
				  "address rejected: User unknown in local recipient table\r\n", m->rcpt);
		} else {
			smtp_line(s, 1, BUILD_MS(rng_range(r, 5, 300)), "250 2.1.5 Ok\r\n");
			smtp_line(s, 0, fast, "DATA\r\n");
			smtp_line(s, 1, BUILD_MS(rng_range(r, 1, 30)),
				  "354 End data with <CR><LF>.<CR><LF>\r\n");
			smtp_message(s, m);
			unsigned q1 = (unsigned)rng_range(r, 0, 0xfffff);
			unsigned q2 = (unsigned)rng_range(r, 0, 0xffffff);
			int64_t wait = BUILD_MS(rng_range(r, 20, 600));
			smtp_line(s, 1, wait, "250 2.0.0 Ok: queued as %05X%06X\r\n", q1, q2);
		}
	}
	smtp_line(s, 0, fast, "QUIT\r\n");
	smtp_line(s, 1, BUILD_MS(rng_range(r, 1, 20)), "221 2.0.0 Bye\r\n");
	build_tcp_close(s, 1, BUILD_MS(1));
}
