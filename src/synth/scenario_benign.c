/*
 * scenario_benign.c - "benign-browsing": a Windows XP workstation on a
 * home network (192.168.1/24 behind a router that also resolves DNS),
 * its user browsing a handful of sites.  The baseline the detectors must
 * stay quiet on: no spam, no P2P, no beacons.
 *
 *   t ~ 0     ARP for the router, DNS for the time server, NTP (UDP 123)
 *   then      one page view every 15-70 s: DNS (A, sometimes via a
 *             CNAME), then either HTTP/1.1 on two keep-alive connections
 *             (a page and its images, scripts, style sheets) or HTTPS:
 *             a full TLS handshake with SNI, then a resumed one on a
 *             second connection; the server closes idle connections
 *             after its 15 s keep-alive timeout; 0-3 third-party hosts
 *             (ads, counters, CDNs) over HTTP.  Once, a ping (ICMP
 *             echo x4) to a site.
 *
 * Flow uniqueness (see synth.c): every connection and DNS query takes a
 * fresh ephemeral port (1025-5000, sequential); the NTP and ICMP
 * conversations happen once.
 */
#include <stdio.h>
#include <string.h>

#include "synth/build.h"

#define UA_IE7 "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; .NET CLR 2.0.50727)"

struct browse {
	struct build_ctx *c;
	struct rng *r;
	uint32_t ws, gw;
};

static int64_t urange(struct rng *r, double lo, double hi)
{
	return (int64_t)rng_range(r, (uint64_t)BUILD_SEC(lo), (uint64_t)BUILD_SEC(hi));
}

/* Resolves host (30 % of sites answer through a CNAME to a CDN name); returns the time. */
static int64_t browse_resolve(struct browse *b, int64_t t, const char *host, uint32_t addr)
{
	char cdn[96];
	struct build_dns_rr an[2];
	int n = 0;
	if (rng_chance(b->r, 0.3)) {
		snprintf(cdn, sizeof cdn, "%s.edge.cdn-example.net", host);
		an[n++] = (struct build_dns_rr){ .type = DNS_CNAME, .ttl = 3600, .target = cdn };
		an[n++] = (struct build_dns_rr){ .name = cdn, .type = DNS_A, .ttl = 20, .a = addr };
	} else {
		an[n++] = (struct build_dns_rr){ .type = DNS_A, .ttl = 1800, .a = addr };
	}
	struct build_dns m = { .id = (uint16_t)rng_u64(b->r), .qname = host, .qtype = DNS_A,
			       .an = an, .nan = n };
	return build_dns_lookup(b->c, t, KIND_DNS, b->ws, b->gw, &m, urange(b->r, 0.008, 0.12));
}

static const char *const resources[] = {
	"/style.css", "/js/menu.js", "/images/logo.gif", "/images/banner.jpg", "/favicon.ico",
	"/images/photo1.jpg", "/js/ads.js", "/images/bg.png",
};

/* A page and its resources over two keep-alive connections, idle-closed by the server. */
static void browse_http(struct browse *b, int64_t t, const char *host, uint32_t addr)
{
	struct build_tcp s[2];
	int64_t rtt = urange(b->r, 0.02, 0.18);
	for (int i = 0; i < 2; i++) {
		build_tcp_init(&s[i], b->c, KIND_HTTP, b->ws, build_eport(b->c), addr, 80, 0,
			       t + (i ? BUILD_MS(rng_range(b->r, 300, 900)) : 0), rtt);
		build_tcp_handshake(&s[i]);
	}
	struct build_http h = { .method = "GET", .host = host, .path = "/", .agent = UA_IE7,
				.ctype = "text/html", .status = 200, .keepalive = true,
				.resp_body = rng_range(b->r, 5000, 25000),
				.body_style = BUILD_BODY_HTML };
	build_http_exchange(&s[0], &h, BUILD_MS(1), BUILD_MS(rng_range(b->r, 30, 250)));
	if (s[1].t < s[0].t)
		s[1].t = s[0].t;
	int nres = (int)rng_range(b->r, 3, 8), first = (int)rng_range(b->r, 0, 7);
	for (int i = 0; i < nres; i++) {
		struct build_tcp *cs = &s[i % 2];
		const char *p = resources[(first + i) % 8];   /* each resource once */
		const char *ext = strrchr(p, '.');
		h.path = p;
		h.ctype = !strcmp(ext, ".css") ? "text/css" : !strcmp(ext, ".js") ? "application/x-javascript"
			: !strcmp(ext, ".gif") ? "image/gif" : !strcmp(ext, ".png") ? "image/png"
			: !strcmp(ext, ".ico") ? "image/x-icon" : "image/jpeg";
		h.body_style = !strcmp(ext, ".css") || !strcmp(ext, ".js") ? BUILD_BODY_HTML
			: !strcmp(ext, ".gif") ? BUILD_BODY_GIF : !strcmp(ext, ".png") ? BUILD_BODY_PNG
			: !strcmp(ext, ".jpg") ? BUILD_BODY_JPEG : BUILD_BODY_BINARY;
		h.resp_body = rng_range(b->r, 400, 15000);
		int64_t think = BUILD_MS(rng_range(b->r, 1, 40));
		build_http_exchange(cs, &h, think, BUILD_MS(rng_range(b->r, 5, 120)));
	}
	for (int i = 0; i < 2; i++)
		build_tcp_close(&s[i], 1, BUILD_SEC(15));   /* Apache KeepAliveTimeout */
}

/* HTTPS: full handshake on the first connection, resumed on the second. */
static void browse_https(struct browse *b, int64_t t, const char *host, uint32_t addr)
{
	int64_t rtt = urange(b->r, 0.02, 0.18);
	for (int i = 0; i < 2; i++) {
		struct build_tcp s;
		build_tcp_init(&s, b->c, KIND_TLS, b->ws, build_eport(b->c), addr, 443, 0, t, rtt);
		build_tcp_handshake(&s);
		int requests = (int)rng_range(b->r, 1, 4);
		build_tls_session(&s, host, requests, rng_range(b->r, 1500, 12000), i == 1);
		build_tcp_close(&s, 0, BUILD_MS(1));
		t = s.t + urange(b->r, 0.5, 8);
	}
}

/* Four echo requests one second apart, each answered (RFC 792). */
static void browse_ping(struct browse *b, int64_t t, uint32_t addr)
{
	static const char data[] = "abcdefghijklmnopqrstuvwabcdefghi";   /* Windows ping */
	uint32_t sess = build_session(b->c, KIND_PING);
	uint16_t id = 0x0200, seq = (uint16_t)rng_range(b->r, 0x0100, 0x4000);
	int64_t rtt = urange(b->r, 0.02, 0.15);
	for (int i = 0; i < 4; i++, t += BUILD_SEC(1)) {
		build_icmp_echo(b->c, sess, t, b->ws, addr, false, id, (uint16_t)(seq + i), data, 32);
		build_icmp_echo(b->c, sess, t + rtt, addr, b->ws, true, id, (uint16_t)(seq + i), data, 32);
	}
}

/*
 * One page view at t: the site itself (HTTP or HTTPS) and 0-3 third-party
 * hosts (ads, counters, CDNs) fetched over HTTP right after; or, once,
 * the user pings the site instead.
 */
static void browse_visit(struct browse *b, int64_t t, bool ping)
{
	char host[80], dom[64];
	build_domain(b->r, dom, sizeof dom);
	snprintf(host, sizeof host, "www.%s", dom);
	uint32_t addr = build_public_ip(b->c, ROLE_WEB_SERVER);
	int64_t at = browse_resolve(b, t, host, addr);
	at += BUILD_MS(rng_range(b->r, 1, 5));
	if (ping) {
		browse_ping(b, at, addr);
		return;
	}
	if (rng_chance(b->r, 0.4))
		browse_https(b, at, host, addr);
	else
		browse_http(b, at, host, addr);
	int third = (int)rng_range(b->r, 0, 3);
	for (int i = 0; i < third; i++) {
		static const char *const kinds[] = { "ads", "stats", "static", "img", "cdn" };
		build_domain(b->r, dom, sizeof dom);
		snprintf(host, sizeof host, "%s.%s", kinds[rng_range(b->r, 0, 4)], dom);
		addr = build_public_ip(b->c, ROLE_WEB_SERVER);
		at += urange(b->r, 0.2, 1.5);
		browse_http(b, browse_resolve(b, at, host, addr) + BUILD_MS(2), host, addr);
	}
}

static void benign(struct build_ctx *c)
{
	struct browse b = { .c = c, .r = &c->rng };
	uint8_t ws_mac[6] = { 0x00, 0x14, 0x22 }, gw_mac[6] = { 0x00, 0x18, 0x39 };
	rng_bytes(b.r, ws_mac + 3, 3);
	rng_bytes(b.r, gw_mac + 3, 3);
	b.gw = BUILD_IP(192, 168, 1, 1);
	b.ws = BUILD_IP(192, 168, 1, rng_range(b.r, 10, 60));
	int gw = build_add_local(c, b.gw, gw_mac, 64, ROLE_GATEWAY);
	int ws = build_add_local(c, b.ws, ws_mac, 128, ROLE_WORKSTATION);
	build_arp(c, 0, ws, b.gw, false, NULL);
	build_arp(c, (int64_t)rng_range(b.r, 150, 900), gw, b.ws, true, ws_mac);
	uint32_t ntp = build_public_ip(c, ROLE_NTP_SERVER);
	int64_t t = browse_resolve(&b, BUILD_MS(rng_range(b.r, 20, 200)), "time.windows.com", ntp);
	int64_t rtt = urange(b.r, 0.03, 0.12);
	uint32_t refid = build_public_ip(c, ROLE_NTP_SERVER);
	build_ntp_exchange(c, build_session(c, KIND_TIME_SYNC), t + BUILD_MS(2), b.ws, 123, ntp,
			   rtt, refid);
	bool pinged = false;
	for (t = urange(b.r, 4, 20); t < c->end_us; t += urange(b.r, 15, 70)) {
		if (!pinged && t > BUILD_SEC(120)) {
			browse_visit(&b, t, true);
			pinged = true;
		} else {
			browse_visit(&b, t, false);
		}
	}
}

const struct synth_scenario synth_benign_browsing = {
	.name = "benign-browsing",
	.desc = "a Windows XP workstation browsing: DNS, HTTP, HTTPS with SNI, NTP, one ping; "
		"no spam, no P2P",
	.default_duration = 600,
	.generate = benign,
};
