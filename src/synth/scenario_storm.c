/*
 * scenario_storm.c - Storm Worm (Peacomm) sandbox runs, April 2008:
 * "storm-private" (the bot behind NAT on 192.168/16) and "storm-public"
 * (the bot on a public address, serving and relaying HTTP).
 *
 * What the bot does, after Holz et al. (LEET 2008), Porras et al. (SRI
 * 2007) and Stewart's Storm analyses:
 *   t = 0       ARP for the gateway, then NTP to a public server (UDP 123);
 *   t ~ 2 s     DNS; Overnet bootstrap: Connect (0x0A) to ~100-150 peers of
 *               its hard-coded list from a fixed UDP port, most silent,
 *               a few answering with Connect Reply (0x0B);
 *   then        Publicize/Search/Search Info with a few hundred peers, TCP
 *               "beacons" (HTTP POST) to 2-4 proxies in one hosting /24,
 *               an executable update over HTTP from a fast-flux host;
 *   t ~ 3-4 min (private) spam template from a proxy, then bursts of MX
 *               lookups and SMTP sessions to many MX hosts: most accepted,
 *               some 550/554, some refused (RST) or silent (SYN retries);
 *   public      inbound HTTP on port 80 relayed to a back-end, and many
 *               flows to peers whose ports lie in 50000-51000.
 *
 * Flow uniqueness (see synth.c): every TCP connection and DNS query uses
 * a new ephemeral port (Windows XP: 1025-5000, sequential); each Overnet
 * peer's conversation stays within seconds, and a peer is contacted again
 * only 75-280 s after its last datagram (more than the 60 s UDP timeout),
 * which makes a second truth flow on the same 5-tuple.  Peers that talk
 * to the bot first (public run) are never contacted by it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2p/p2p.h"
#include "synth/build.h"

#define UA_IE6 "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"

struct storm {
	struct build_ctx *c;
	struct rng *r;
	bool public;
	uint32_t bot, gw;
	struct build_ovpeer self;
	struct build_ovpeer *peers;
	int npeers;
	uint32_t proxies[4];
	int nproxies;
	uint32_t backend[2];
	uint8_t key[16];          /* the day's search hash */
	char ffdomain[64];        /* fast-flux domain of the web hosts */
	char helo[48];
};

/* Uniform time in [lo, hi] seconds, in microseconds. */
static int64_t urange(struct rng *r, double lo, double hi)
{
	return (int64_t)rng_range(r, (uint64_t)BUILD_SEC(lo), (uint64_t)BUILD_SEC(hi));
}

static void storm_hosts(struct storm *st)
{
	struct build_ctx *c = st->c;
	uint8_t bot_mac[6] = { 0x00, 0x0c, 0x29 }, gw_mac[6] = { 0x00, 0x1a, 0x92 };
	rng_bytes(st->r, bot_mac + 3, 3);
	rng_bytes(st->r, gw_mac + 3, 3);
	if (st->public) {
		uint32_t b = (uint32_t)rng_range(st->r, 0, 255);
		uint32_t net = BUILD_IP(85, b, rng_range(st->r, 0, 255), 0);
		st->gw = net | 1;
		st->bot = net | (uint32_t)rng_range(st->r, 20, 250);
	} else {
		uint32_t net = BUILD_IP(192, 168, rng_range(st->r, 0, 200), 0);
		st->gw = net | 1;
		st->bot = net | (uint32_t)rng_range(st->r, 100, 200);
	}
	int gw = build_add_local(c, st->gw, gw_mac, 64, ROLE_GATEWAY);
	int bot = build_add_local(c, st->bot, bot_mac, 128, ROLE_INFECTED);
	build_arp(c, 0, bot, st->gw, false, NULL);
	build_arp(c, (int64_t)rng_range(st->r, 150, 900), gw, st->bot, true, bot_mac);
}

/* NTP: two request/reply pairs to a public server, the first flow of the run. */
static void storm_ntp(struct storm *st, int64_t t)
{
	uint32_t srv = build_public_ip(st->c, ROLE_NTP_SERVER);
	uint32_t sess = build_session(st->c, KIND_TIME_SYNC);
	uint32_t refid = build_public_ip(st->c, ROLE_NTP_SERVER);
	int64_t rtt = urange(st->r, 0.03, 0.12);
	build_ntp_exchange(st->c, sess, t, st->bot, 123, srv, rtt, refid);
	build_ntp_exchange(st->c, sess, t + urange(st->r, 0.4, 1.2), st->bot, 123, srv, rtt, refid);
}

/*
 * The peer population.  Private run: ports uniform in 1024-33791 (the
 * range Storm drew its own port from).  Public run: band_frac of them in
 * 50000-51000, the rest anywhere in 1-65535.
 */
static int storm_peers(struct storm *st, int n, double band_frac)
{
	st->peers = calloc((size_t)n, sizeof *st->peers);
	if (!st->peers) {
		st->c->oom = true;
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct build_ovpeer *p = &st->peers[i];
		rng_bytes(st->r, p->id, 16);
		p->ip = build_public_ip(st->c, ROLE_P2P_PEER);
		if (!st->public)
			p->port = (uint16_t)rng_range(st->r, 1024, 33791);
		else if (rng_chance(st->r, band_frac))
			p->port = (uint16_t)rng_range(st->r, 50000, 51000);
		else
			p->port = (uint16_t)rng_range(st->r, 1, 65535);
	}
	st->npeers = n;
	return 0;
}

static void ov_send(struct storm *st, uint32_t sess, int64_t t, const struct build_ovpeer *p,
		    bool from_bot, const uint8_t *buf, size_t len)
{
	uint8_t x[600];
	if (st->c->ov_key && len <= sizeof x) {  /* Storm's encrypted variant */
		memcpy(x, buf, len);
		ov_xor(x, len, st->c->ov_key);
		buf = x;
	}
	if (from_bot)
		build_udp(st->c, sess, t, st->bot, st->self.port, p->ip, p->port, buf, len);
	else
		build_udp(st->c, sess, t, p->ip, p->port, st->bot, st->self.port, buf, len);
}

/* A few random peers, as listed in Connect Reply and Search Next. */
static int pick_peers(struct storm *st, struct build_ovpeer *out, int lo, int hi)
{
	int n = (int)rng_range(st->r, (uint64_t)lo, (uint64_t)hi);
	for (int i = 0; i < n; i++)
		out[i] = st->peers[rng_range(st->r, 0, (uint64_t)st->npeers - 1)];
	return n;
}

/*
 * One request from `asker` and its answer from the other side after
 * `delay`: op is Connect, Publicize, Search, Search Info or Publish.
 * Returns the time of the last datagram.
 */
static int64_t ov_exchange(struct storm *st, uint32_t sess, int64_t t,
			   const struct build_ovpeer *p, bool bot_asks, uint8_t op, int64_t delay)
{
	uint8_t q[600], a[600];
	struct build_ovpeer list[12];
	const struct build_ovpeer *asker = bot_asks ? &st->self : p;
	size_t ql, al = 0;
	int n;
	switch (op) {
	case OVERNET_CONNECT:
	case OVERNET_PUBLICIZE:
		ql = build_ov_hello(q, op, asker);
		if (op == OVERNET_PUBLICIZE) {
			al = build_ov_bare(a, OVERNET_PUBLICIZE_ACK);
			break;
		}
		n = pick_peers(st, list, 4, 12);
		al = build_ov_connect_reply(a, list, n);
		break;
	case OVERNET_SEARCH:
		ql = build_ov_search(q, 2, st->key);
		n = pick_peers(st, list, 1, 4);
		al = build_ov_search_next(a, st->key, list, n);
		break;
	case OVERNET_SEARCH_INFO: {
		char name[48];
		ql = build_ov_search_info(q, st->key, 0, 100);
		unsigned id = (unsigned)rng_range(st->r, 1000, 65000);
		snprintf(name, sizeof name, "%u.mpg;size=%u;", id, (unsigned)rng_range(st->r, 1, 999));
		al = build_ov_search_result(a, sizeof a, st->key, p->id, name,
					    (uint32_t)rng_range(st->r, 100000, 900000));
		break;
	}
	default:
		ql = build_ov_publish(q, sizeof q, st->key, asker->id, "0.mpg;size=0;", 0);
		al = build_ov_publish_ack(a, st->key);
		break;
	}
	ov_send(st, sess, t, p, bot_asks, q, ql);
	ov_send(st, sess, t + delay, p, !bot_asks, a, al);
	if (op == OVERNET_SEARCH_INFO) {
		uint16_t found = (uint16_t)rng_range(st->r, 1, 3);
		al = build_ov_search_end(a, st->key, found, found);
		ov_send(st, sess, t + delay + BUILD_MS(rng_range(st->r, 1, 40)), p, !bot_asks, a, al);
		return t + delay + BUILD_MS(40);
	}
	return t + delay;
}

/*
 * The bot's conversation with peer p from t: a first message, unanswered
 * (maybe retried once) or answered after one round trip and followed by
 * a few searches within seconds.  Returns the last datagram's time.
 */
static int64_t ov_outbound(struct storm *st, const struct build_ovpeer *p, int64_t t, uint8_t op,
			   bool answers)
{
	uint8_t q[64];
	uint32_t sess = build_session(st->c, KIND_P2P);
	if (!answers) {
		size_t ql = op == OVERNET_SEARCH ? build_ov_search(q, 2, st->key)
						 : build_ov_hello(q, op, &st->self);
		ov_send(st, sess, t, p, true, q, ql);
		if (rng_chance(st->r, 0.4)) {
			t += urange(st->r, 4, 15);
			ov_send(st, sess, t, p, true, q, ql);
		}
		return t;
	}
	int64_t rtt = urange(st->r, 0.06, 0.45);
	t = ov_exchange(st, sess, t, p, true, op, rtt);
	static const uint8_t follow[] = { OVERNET_SEARCH, OVERNET_SEARCH, OVERNET_SEARCH_INFO,
					  OVERNET_PUBLICIZE, OVERNET_PUBLISH };
	int more = (int)rng_range(st->r, 0, 3);
	for (int i = 0; i < more; i++) {
		t += urange(st->r, 0.5, 20);
		t = ov_exchange(st, sess, t, p, true, follow[rng_range(st->r, 0, sizeof follow - 1)], rtt);
	}
	return t;
}

/* Overnet over the whole run: bootstrap burst, then steady contacts, re-contacts. */
static void storm_overnet(struct storm *st, int64_t end, int nout, double answer_p)
{
	int boot = nout < 146 ? nout : (int)rng_range(st->r, 100, 146);
	for (int i = 0; i < nout; i++) {
		const struct build_ovpeer *p = &st->peers[i];
		int64_t t;
		uint8_t op;
		if (i < boot) {
			t = BUILD_SEC(2.5) + i * urange(st->r, 0.05, 0.25);
			op = OVERNET_CONNECT;
		} else {
			t = BUILD_SEC(40) + (int64_t)(rng_unit(st->r) * (double)(end - BUILD_SEC(42)));
			op = rng_chance(st->r, 0.5) ? OVERNET_PUBLICIZE : OVERNET_SEARCH;
		}
		bool answers = rng_chance(st->r, answer_p);
		int64_t last = ov_outbound(st, p, t, op, answers);
		while (answers && rng_chance(st->r, 0.35)) {
			last += urange(st->r, 75, 280);     /* beyond the UDP timeout: a new flow */
			if (last > end)
				break;
			last = ov_outbound(st, p, last, OVERNET_PUBLICIZE, true);
		}
	}
}

/* Peers that contact the (public) bot first; it answers at once. */
static void storm_overnet_inbound(struct storm *st, int from, int64_t end)
{
	static const uint8_t ops[] = { OVERNET_CONNECT, OVERNET_PUBLICIZE, OVERNET_SEARCH,
				       OVERNET_SEARCH_INFO, OVERNET_PUBLISH };
	for (int i = from; i < st->npeers; i++) {
		const struct build_ovpeer *p = &st->peers[i];
		uint32_t sess = build_session(st->c, KIND_P2P);
		int64_t t = BUILD_SEC(5) + (int64_t)(rng_unit(st->r) * (double)(end - BUILD_SEC(6)));
		int n = (int)rng_range(st->r, 1, 3);
		for (int k = 0; k < n; k++) {
			if (k)
				t += urange(st->r, 0.3, 12);
			uint8_t op = ops[rng_range(st->r, 0, sizeof ops - 1)];
			t = ov_exchange(st, sess, t, p, false, op, (int64_t)rng_range(st->r, 200, 3000));
		}
	}
}

static void ipstr(char *buf, size_t len, uint32_t ip)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

/* One TCP beacon to a proxy: POST of an encrypted blob, binary answer. */
static void storm_beacon(struct storm *st, int64_t t, size_t resp)
{
	char host[16];
	uint32_t px = st->proxies[rng_range(st->r, 0, (uint64_t)st->nproxies - 1)];
	struct build_tcp s;
	ipstr(host, sizeof host, px);
	build_tcp_init(&s, st->c, KIND_CNC_BEACON, st->bot, build_eport(st->c), px, 80, 0, t,
		       urange(st->r, 0.08, 0.2));
	build_tcp_handshake(&s);
	struct build_http h = { .method = "POST", .host = host, .path = "/", .agent = UA_IE6,
				.ctype = "application/octet-stream", .status = 200,
				.req_body = rng_range(st->r, 180, 420), .resp_body = resp,
				.body_style = BUILD_BODY_BINARY };
	build_http_exchange(&s, &h, BUILD_MS(1), BUILD_MS(rng_range(st->r, 20, 300)));
	build_tcp_close(&s, 0, BUILD_MS(rng_range(st->r, 1, 50)));
}

/* Beacons every 35-95 s from ~20 s; a big one (the spam template) before spam_t. */
static void storm_beacons(struct storm *st, int64_t end, int64_t spam_t)
{
	uint32_t net = build_public_ip(st->c, ROLE_CNC_PROXY) & 0xffffff00u;
	st->nproxies = (int)rng_range(st->r, 2, 4);
	for (int i = 0; i < st->nproxies; i++)
		st->proxies[i] = build_ip_in(st->c, net, 24, ROLE_CNC_PROXY);
	for (int64_t t = urange(st->r, 15, 30); t < end; t += urange(st->r, 35, 95))
		storm_beacon(st, t, rng_range(st->r, 400, 2500));
	if (spam_t > 0 && spam_t < end) {
		int64_t t = spam_t - urange(st->r, 3, 8);
		storm_beacon(st, t, rng_range(st->r, 24000, 40000));
	}
}

/* Fast-flux lookup (5 A records, TTL 0) then an executable over HTTP. */
static void storm_download(struct storm *st, int64_t t, const char *path)
{
	struct build_dns_rr an[5];
	for (int i = 0; i < 5; i++)
		an[i] = (struct build_dns_rr){ .type = DNS_A, .ttl = 0,
					       .a = build_public_ip(st->c, ROLE_WEB_SERVER) };
	struct build_dns m = { .id = (uint16_t)rng_u64(st->r), .qname = st->ffdomain,
			       .qtype = DNS_A, .an = an, .nan = 5 };
	t = build_dns_lookup(st->c, t, KIND_DNS, st->bot, st->gw, &m, urange(st->r, 0.03, 0.4));
	struct build_tcp s;
	t += BUILD_MS(rng_range(st->r, 1, 20));
	build_tcp_init(&s, st->c, KIND_HTTP, st->bot, build_eport(st->c), an[0].a, 80, 0, t,
		       urange(st->r, 0.1, 0.35));
	build_tcp_handshake(&s);
	struct build_http h = { .method = "GET", .host = st->ffdomain, .path = path,
				.agent = UA_IE6, .ctype = "application/octet-stream", .status = 200,
				.resp_body = rng_range(st->r, 95000, 140000),
				.body_style = BUILD_BODY_EXE };
	build_http_exchange(&s, &h, BUILD_MS(1), BUILD_MS(rng_range(st->r, 50, 400)));
	build_tcp_close(&s, 1, BUILD_MS(1));
}

static const char *const spam_subjects[] = {
	"Doh! April Fool", "Happy April Fool's Day", "You've received a greeting ecard",
	"Fool me once", "Have a good laugh", "Your friend sent you an ecard",
};

/*
 * One spam delivery: MX lookup (answers with glue A records; a few
 * NXDOMAIN) then SMTP to the first MX.  Outcome mix: 62 % accepted, 15 %
 * rejected at RCPT, 5 % blocked at the banner, 9 % refused, 9 % silent.
 */
static void storm_mail(struct storm *st, int64_t t)
{
	char dom[64], mx[2][80], rcpt[96], from[96], fromdom[64];
	struct build_dns_rr an[2], ar[2];
	build_domain(st->r, dom, sizeof dom);
	int nmx = (int)rng_range(st->r, 1, 2);
	for (int i = 0; i < nmx; i++) {
		snprintf(mx[i], sizeof mx[i], "%s%d.%s", i ? "mx" : "mail", i + 1, dom);
		an[i] = (struct build_dns_rr){ .type = DNS_MX, .ttl = 3600, .pref = (uint16_t)(10 * (i + 1)),
					       .target = mx[i] };
		ar[i] = (struct build_dns_rr){ .name = mx[i], .type = DNS_A, .ttl = 3600,
					       .a = build_public_ip(st->c, ROLE_MAIL_SERVER) };
	}
	bool nx = rng_chance(st->r, 0.04);
	struct build_dns m = { .id = (uint16_t)rng_u64(st->r), .qname = dom, .qtype = DNS_MX,
			       .rcode = nx ? DNS_NXDOMAIN : 0, .an = an, .ar = ar,
			       .nan = nx ? 0 : nmx, .nar = nx ? 0 : nmx };
	t = build_dns_lookup(st->c, t, KIND_DNS, st->bot, st->gw, &m, urange(st->r, 0.015, 0.35));
	if (nx)
		return;
	struct build_tcp s;
	t += BUILD_MS(rng_range(st->r, 1, 30));
	build_tcp_init(&s, st->c, KIND_SPAM, st->bot, build_eport(st->c), ar[0].a, 25, 0, t,
		       urange(st->r, 0.05, 0.3));
	double u = rng_unit(st->r);
	if (u < 0.09) {
		build_tcp_refused(&s);
		return;
	}
	if (u < 0.18) {
		build_tcp_noanswer(&s, 3);
		return;
	}
	build_domain(st->r, fromdom, sizeof fromdom);
	build_mailbox(st->r, from, sizeof from, fromdom);
	build_mailbox(st->r, rcpt, sizeof rcpt, dom);
	const char *subject = spam_subjects[rng_range(st->r, 0, 5)];
	size_t body_len = rng_range(st->r, 300, 1400);
	struct build_smtp sm = { .server_name = mx[0], .helo = st->helo, .from = from, .rcpt = rcpt,
				 .subject = subject, .body_len = body_len,
				 .outcome = u < 0.80 ? 0 : u < 0.95 ? 1 : 2 };
	build_tcp_handshake(&s);
	build_smtp_dialogue(&s, &sm);
}

/* Bursts of deliveries from spam_t to the end: ~55 s per burst, 0.3-2.2 s apart. */
static void storm_spam(struct storm *st, int64_t spam_t, int64_t end)
{
	int64_t window = end - BUILD_SEC(20) - spam_t;
	if (window <= 0)
		return;
	int domains = (int)rng_range(st->r, 125, 170);
	int bursts = (int)(window / BUILD_SEC(55));
	if (bursts < 1)
		bursts = 1;
	int per = (domains + bursts - 1) / bursts;
	for (int b = 0; b < bursts; b++) {
		int64_t t = spam_t + b * (window / bursts) + urange(st->r, 0, 5);
		for (int k = 0; k < per; k++) {
			storm_mail(st, t);
			t += urange(st->r, 0.3, 2.2);
		}
	}
}

/* A few A lookups of ordinary names at start-up (connectivity checks). */
static void storm_dns_startup(struct storm *st, int64_t t)
{
	static const char *const names[] = { "www.google.com", "www.microsoft.com", "www.yahoo.com" };
	for (int i = 0; i < 3; i++) {
		struct build_dns_rr an = { .type = DNS_A, .ttl = 300,
					   .a = build_public_ip(st->c, ROLE_WEB_SERVER) };
		struct build_dns m = { .id = (uint16_t)rng_u64(st->r), .qname = names[i],
				       .qtype = DNS_A, .an = &an, .nan = 1 };
		t = build_dns_lookup(st->c, t, KIND_DNS, st->bot, st->gw, &m, urange(st->r, 0.02, 0.2));
		t += urange(st->r, 0.05, 0.6);
	}
}

static void storm_common(struct storm *st, struct build_ctx *c)
{
	st->c = c;
	st->r = &c->rng;
	storm_hosts(st);
	st->self.ip = st->bot;
	st->self.port = (uint16_t)rng_range(st->r, 4000, 30000);
	rng_bytes(st->r, st->self.id, 16);
	rng_bytes(st->r, st->key, 16);
	char w[32];
	build_word(st->r, w, sizeof w, 2, 3);
	snprintf(st->ffdomain, sizeof st->ffdomain, "%s.com", w);
	build_word(st->r, w, sizeof w, 2, 3);
	snprintf(st->helo, sizeof st->helo, "%s%u", w, (unsigned)rng_range(st->r, 10, 99));
	storm_ntp(st, urange(st->r, 0.05, 0.3));
	storm_dns_startup(st, urange(st->r, 1.6, 2.2));
}

static void storm_private(struct build_ctx *c)
{
	struct storm st = { .public = false };
	storm_common(&st, c);
	int64_t end = c->end_us;
	if (storm_peers(&st, (int)rng_range(st.r, 430, 560), 0) < 0)
		return;
	int64_t spam_t = urange(st.r, 185, 235);
	storm_overnet(&st, end, st.npeers, 0.3);
	storm_beacons(&st, end, spam_t);
	storm_download(&st, urange(st.r, 60, 110), "/ecard.exe");
	storm_download(&st, end / 2 + urange(st.r, 0, 60), "/file.exe");
	storm_spam(&st, spam_t, end);
	free(st.peers);
}

static const char *const served_paths[] = { "/", "/", "/index.html", "/ecard.exe",
					    "/images/card.gif", "/fool.html" };

/*
 * A web client connects to the public bot on port 80; the bot relays the
 * request to a back-end over a second connection (a "relay" flow) and
 * returns the answer (a "server" flow), as Storm's fast-flux front ends did.
 */
static void storm_serve(struct storm *st, int64_t t)
{
	uint32_t client = build_public_ip(st->c, ROLE_WEB_CLIENT);
	uint32_t be = st->backend[rng_range(st->r, 0, 1)];
	const char *path = served_paths[rng_range(st->r, 0, 5)];
	bool exe = !strcmp(path, "/ecard.exe"), gif = strstr(path, ".gif") != NULL;
	if (exe && rng_chance(st->r, 0.75))
		path = "/";                    /* keep downloads rare: ~4 % */
	exe = !strcmp(path, "/ecard.exe");
	size_t body = exe ? rng_range(st->r, 95000, 130000) : rng_range(st->r, 900, 7000);
	struct build_http h = { .method = "GET", .host = st->ffdomain, .path = path,
				.agent = UA_IE6, .status = 200, .keepalive = false,
				.ctype = exe ? "application/octet-stream" : gif ? "image/gif" : "text/html",
				.body_style = exe ? BUILD_BODY_EXE : gif ? BUILD_BODY_GIF
						  : BUILD_BODY_HTML,
				.resp_body = body };
	struct build_tcp in, out;
	uint16_t cport = (uint16_t)rng_range(st->r, 1025, 60000);
	build_tcp_init(&in, st->c, KIND_SERVER, client, cport, st->bot, 80, 1, t,
		       urange(st->r, 0.04, 0.4));
	build_tcp_handshake(&in);
	build_http_request(&in, &h, BUILD_MS(rng_range(st->r, 0, 3)));
	int64_t at = in.t + BUILD_MS(rng_range(st->r, 1, 5));
	build_tcp_init(&out, st->c, KIND_RELAY, st->bot, build_eport(st->c), be, 80, 0, at,
		       urange(st->r, 0.08, 0.2));
	build_tcp_handshake(&out);
	build_http_exchange(&out, &h, BUILD_MS(1), BUILD_MS(rng_range(st->r, 10, 150)));
	build_tcp_close(&out, 1, BUILD_MS(1));
	build_http_response(&in, &h, out.t - in.t);
	build_tcp_close(&in, 1, BUILD_MS(rng_range(st->r, 1, 5)));
}

/* A short TCP exchange with a peer on its port (most in 50000-51000). */
static void storm_peer_tcp(struct storm *st, const struct build_ovpeer *p, int64_t t)
{
	uint8_t blob[1200];
	struct build_tcp s;
	build_tcp_init(&s, st->c, KIND_P2P, st->bot, build_eport(st->c), p->ip, p->port, 0, t,
		       urange(st->r, 0.06, 0.4));
	if (rng_chance(st->r, 0.2)) {
		build_tcp_refused(&s);
		return;
	}
	build_tcp_handshake(&s);
	int rounds = (int)rng_range(st->r, 1, 3);
	for (int i = 0; i < rounds; i++) {
		size_t n = rng_range(st->r, 60, 600);
		rng_bytes(st->r, blob, n);
		build_tcp_send(&s, 0, blob, n, BUILD_MS(rng_range(st->r, 1, 800)));
		n = rng_range(st->r, 40, 1200);
		rng_bytes(st->r, blob, n);
		build_tcp_send(&s, 1, blob, n, BUILD_MS(rng_range(st->r, 5, 200)));
	}
	build_tcp_close(&s, 0, BUILD_MS(rng_range(st->r, 5, 500)));
}

static void storm_public(struct build_ctx *c)
{
	struct storm st = { .public = true };
	storm_common(&st, c);
	int64_t end = c->end_us;
	if (storm_peers(&st, (int)rng_range(st.r, 560, 700), 0.45) < 0)
		return;
	int nout = st.npeers * 7 / 10;
	storm_overnet(&st, end, nout, 0.45);
	storm_overnet_inbound(&st, nout, end);
	storm_beacons(&st, end, 0);
	uint32_t be_net = build_public_ip(c, ROLE_BACKEND) & 0xffffff00u;
	st.backend[0] = build_ip_in(c, be_net, 24, ROLE_BACKEND);
	st.backend[1] = build_ip_in(c, be_net, 24, ROLE_BACKEND);
	for (int64_t t = urange(st.r, 8, 20); t < end; t += (int64_t)rng_exp(st.r, 4.5e6))
		storm_serve(&st, t);
	int ntcp = (int)rng_range(st.r, 70, 110);
	for (int i = 0; i < ntcp; i++) {
		const struct build_ovpeer *p = &st.peers[rng_range(st.r, 0, (uint64_t)nout - 1)];
		int64_t t = BUILD_SEC(30) + (int64_t)(rng_unit(st.r) * (double)(end - BUILD_SEC(31)));
		storm_peer_tcp(&st, p, t);
	}
	storm_download(&st, urange(st.r, 60, 110), "/file.exe");
	free(st.peers);
}

const struct synth_scenario synth_storm_private = {
	.name = "storm-private",
	.desc = "Storm Worm bot behind NAT (192.168/16): NTP, Overnet with ~500 peers, "
		"TCP beacons to proxies, HTTP update, SMTP spam bursts from ~3.5 min",
	.default_duration = 720,
	.overnet = true,
	.generate = storm_private,
};

const struct synth_scenario synth_storm_public = {
	.name = "storm-public",
	.desc = "Storm Worm bot on a public address: serves and relays HTTP on port 80, "
		"Overnet with ~600 peers, dense peer ports in 50000-51000",
	.default_duration = 720,
	.overnet = true,
	.generate = storm_public,
};
