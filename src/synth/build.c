/*
 * build.c - the frame store of a synthetic run and the link, network and
 * transport layers: Ethernet II (IEEE 802.3 framing, 60-byte minimum),
 * ARP (RFC 826), IPv4 (RFC 791, header checksum RFC 1071), UDP (RFC 768)
 * and TCP (RFC 793) with pseudo-header checksums, ICMP echo (RFC 792).
 *
 *   Ethernet II          IPv4 (20 bytes, no options)
 *   +--------------+     +-------+-------+---------------+
 *   | dst MAC  (6) |     |ver|ihl|  tos  | total length  |
 *   | src MAC  (6) |     | identification|flags| offset  |
 *   | type 0800(2) |     |  ttl  | proto |   checksum    |
 *   +--------------+     |   source / destination (4+4)  |
 *                        +-------------------------------+
 *
 * Frames to or from a remote address carry the gateway's MAC, as seen
 * on the sandbox's segment.  Local hosts count their IP identification
 * up by one per datagram (as Windows XP does); remote ones draw it.
 */
#include <stdlib.h>
#include <string.h>

#include "synth/build.h"
#include "util/hash.h"

const char *const build_kind_names[KIND_COUNT] = {
	[KIND_TIME_SYNC] = "time_sync", [KIND_DNS] = "dns", [KIND_P2P] = "p2p",
	[KIND_CNC_BEACON] = "cnc_beacon", [KIND_SPAM] = "spam", [KIND_HTTP] = "http",
	[KIND_TLS] = "tls", [KIND_RELAY] = "relay", [KIND_SERVER] = "server",
	[KIND_PING] = "ping",
};

const char *const build_role_names[ROLE_COUNT] = {
	[ROLE_INFECTED] = "infected", [ROLE_WORKSTATION] = "workstation",
	[ROLE_GATEWAY] = "gateway", [ROLE_NTP_SERVER] = "ntp_server",
	[ROLE_P2P_PEER] = "p2p_peer", [ROLE_CNC_PROXY] = "cnc_proxy",
	[ROLE_MAIL_SERVER] = "mail_server", [ROLE_WEB_SERVER] = "web_server",
	[ROLE_WEB_CLIENT] = "web_client", [ROLE_BACKEND] = "backend",
};

#define ETH_HLEN 14
#define IP_HLEN 20
#define FRAME_MAX (ETH_HLEN + IP_HLEN + 1480)   /* 1514: one Ethernet MTU */
#define ETH_MIN 60

static const uint8_t mac_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One's-complement sum of 16-bit big-endian words (RFC 1071), unfolded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int build_init(struct build_ctx *c, uint64_t seed, int64_t end_us)
{
	memset(c, 0, sizeof *c);
	rng_seed(&c->rng, seed);
	c->end_us = end_us;
	c->gw = -1;
	c->eport_lo = 1025;     /* Windows XP ephemeral range */
	c->eport_hi = 5000;
	c->eport = (uint16_t)rng_range(&c->rng, 1040, 1400);
	c->hosts.cap = 1024;
	c->hosts.ip = calloc(c->hosts.cap, sizeof *c->hosts.ip);
	c->hosts.role = calloc(c->hosts.cap, 1);
	if (!c->hosts.ip || !c->hosts.role) {
		c->oom = true;
		return -1;
	}
	return 0;
}

void build_free(struct build_ctx *c)
{
	free(c->bytes);
	free(c->pkts);
	free(c->sess_kind);
	free(c->hosts.ip);
	free(c->hosts.role);
	memset(c, 0, sizeof *c);
}

static size_t host_slot(const struct build_hostset *h, uint32_t ip)
{
	size_t i = (size_t)((ip * 0x9e3779b1u) >> 7) & (h->cap - 1);
	while (h->ip[i] && h->ip[i] != ip)
		i = (i + 1) & (h->cap - 1);
	return i;
}

/* Doubles the host table when it is half full (keeps probes short). */
static bool host_grow(struct build_hostset *h)
{
	struct build_hostset n = { .cap = h->cap * 2 };
	n.ip = calloc(n.cap, sizeof *n.ip);
	n.role = calloc(n.cap, 1);
	if (!n.ip || !n.role) {
		free(n.ip);
		free(n.role);
		return false;
	}
	for (size_t i = 0; i < h->cap; i++) {
		if (!h->ip[i])
			continue;
		size_t j = host_slot(&n, h->ip[i]);
		n.ip[j] = h->ip[i];
		n.role[j] = h->role[i];
		n.n++;
	}
	free(h->ip);
	free(h->role);
	*h = n;
	return true;
}

/* Records ip's role unless it already has one (the first role wins). */
void build_set_role(struct build_ctx *c, uint32_t ip, enum build_role role)
{
	struct build_hostset *h = &c->hosts;
	if (c->oom || !ip)
		return;
	if (2 * (h->n + 1) > h->cap && !host_grow(h)) {
		c->oom = true;
		return;
	}
	size_t i = host_slot(h, ip);
	if (h->ip[i])
		return;
	h->ip[i] = ip;
	h->role[i] = (uint8_t)role;
	h->n++;
}

int build_role_of(const struct build_ctx *c, uint32_t ip)
{
	if (!c->hosts.ip)
		return -1;
	size_t i = host_slot(&c->hosts, ip);
	return c->hosts.ip[i] ? c->hosts.role[i] : -1;
}

long build_host_slot(const struct build_ctx *c, uint32_t ip)
{
	if (!c->hosts.ip || !ip)
		return -1;
	size_t i = host_slot(&c->hosts, ip);
	return c->hosts.ip[i] ? (long)i : -1;
}

int build_add_local(struct build_ctx *c, uint32_t ip, const uint8_t mac[6], uint8_t ttl,
		    enum build_role role)
{
	if (c->nlocal >= BUILD_MAX_LOCAL)
		return -1;
	struct build_local *l = &c->local[c->nlocal];
	l->ip = ip;
	memcpy(l->mac, mac, 6);
	l->ttl = ttl;
	l->ipid = (uint16_t)rng_range(&c->rng, 0x0100, 0x4000);
	build_set_role(c, ip, role);
	if (role == ROLE_GATEWAY)
		c->gw = c->nlocal;
	return c->nlocal++;
}

uint32_t build_session(struct build_ctx *c, enum build_kind kind)
{
	size_t cap = c->capsess;
	if (!grow_to((void **)&c->sess_kind, &cap, (size_t)c->nsess + 1, 1, 1024)) {
		c->oom = true;
		return BUILD_NOSESS;
	}
	c->capsess = (uint32_t)cap;
	c->sess_kind[c->nsess] = (uint8_t)kind;
	return c->nsess++;
}

/* Public unicast space: not RFC 1918/6598/5737/2544, loopback, link-local, class D/E. */
static bool ip_is_public(uint32_t ip)
{
	uint8_t a = (uint8_t)(ip >> 24), b = (uint8_t)(ip >> 16), d = (uint8_t)ip;
	if (a == 0 || a == 10 || a == 127 || a >= 224 || d == 0 || d == 255)
		return false;
	if ((a == 100 && (b & 0xc0) == 64) || (a == 169 && b == 254) ||
	    (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168) ||
	    (a == 198 && (b & 0xfe) == 18))
		return false;
	if ((ip >> 8) == (BUILD_IP(192, 0, 2, 0) >> 8) ||
	    (ip >> 8) == (BUILD_IP(198, 51, 100, 0) >> 8) ||
	    (ip >> 8) == (BUILD_IP(203, 0, 113, 0) >> 8) || (ip >> 8) == (BUILD_IP(192, 0, 0, 0) >> 8))
		return false;
	return true;
}

/* A fresh public address, never handed out before in this run. */
uint32_t build_public_ip(struct build_ctx *c, enum build_role role)
{
	uint32_t ip;
	do
		ip = (uint32_t)rng_u64(&c->rng);
	while (!ip_is_public(ip) || build_role_of(c, ip) >= 0);
	build_set_role(c, ip, role);
	return ip;
}

/* A fresh address inside net/bits (e.g. a hosting provider's /24). */
uint32_t build_ip_in(struct build_ctx *c, uint32_t net, int bits, enum build_role role)
{
	uint32_t mask = bits ? ~0u << (32 - bits) : 0, ip;
	do
		ip = (net & mask) | ((uint32_t)rng_u64(&c->rng) & ~mask);
	while (!ip_is_public(ip) || build_role_of(c, ip) >= 0);
	build_set_role(c, ip, role);
	return ip;
}

uint16_t build_eport(struct build_ctx *c)
{
	uint16_t p = c->eport;
	c->eport = p >= c->eport_hi ? c->eport_lo : (uint16_t)(p + 1);
	return p;
}

static int local_index(const struct build_ctx *c, uint32_t ip)
{
	for (int i = 0; i < c->nlocal; i++)
		if (c->local[i].ip == ip)
			return i;
	return -1;
}

static const uint8_t *mac_of(const struct build_ctx *c, uint32_t ip)
{
	int i = local_index(c, ip);
	if (i < 0)
		i = c->gw >= 0 ? c->gw : 0;
	return c->local[i].mac;
}

/* A remote host's TTL as it arrives: its stack's initial TTL minus 6..25 hops. */
static uint8_t remote_ttl(uint32_t ip)
{
	static const uint8_t initial[] = { 128, 64, 128, 255, 64 };
	uint32_t h = ip * 2654435761u;
	return (uint8_t)(initial[(h >> 8) % 5] - 6 - (h >> 20) % 20);
}

/* Appends one frame to the store, unless stamped outside the capture. */
static void store(struct build_ctx *c, int64_t t, const struct build_pkt *meta,
		  const uint8_t *frame, size_t len)
{
	if (c->oom || t < 0 || t > c->end_us)
		return;
	size_t pad = len < ETH_MIN ? ETH_MIN : len;
	if (!grow_to((void **)&c->bytes, &c->capbytes, c->nbytes + pad, 1, 1024) ||
	    !grow_to((void **)&c->pkts, &c->cappkts, c->npkts + 1, sizeof *c->pkts, 1024)) {
		c->oom = true;
		return;
	}
	memcpy(c->bytes + c->nbytes, frame, len);
	memset(c->bytes + c->nbytes + len, 0, pad - len);
	struct build_pkt *p = &c->pkts[c->npkts];
	*p = *meta;
	p->ts_us = t;
	p->seq = (uint32_t)c->npkts;
	p->off = (uint32_t)c->nbytes;
	p->len = (uint16_t)pad;
	c->nbytes += pad;
	c->npkts++;
}

static void put_eth(const struct build_ctx *c, uint8_t *f, uint32_t src, uint32_t dst,
		    uint16_t type)
{
	memcpy(f, mac_of(c, dst), 6);
	memcpy(f + 6, mac_of(c, src), 6);
	put16(f + 12, type);
}

/*
 * Wraps an L4 message (already in f + 34) in IPv4 and Ethernet, fills
 * the TCP/UDP checksum over the pseudo-header (RFC 793 3.1, RFC 768)
 * and stores the frame.  The caller leaves the L4 checksum field zero.
 */
static void emit_ip(struct build_ctx *c, uint32_t sess, int64_t t, uint8_t proto, uint32_t src,
		    uint32_t dst, uint16_t sport, uint16_t dport, uint8_t *f, size_t l4len)
{
	uint8_t *ip = f + ETH_HLEN, *l4 = ip + IP_HLEN;
	int li = local_index(c, src);
	put_eth(c, f, src, dst, 0x0800);
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(IP_HLEN + l4len));
	if (li >= 0)
		put16(ip + 4, c->local[li].ipid++);
	else
		put16(ip + 4, (uint16_t)rng_u64(&c->rng));
	put16(ip + 6, proto == BUILD_TCP ? 0x4000 : 0);   /* DF on TCP */
	ip[8] = li >= 0 ? c->local[li].ttl : remote_ttl(src);
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, IP_HLEN)));
	if (proto == BUILD_TCP || proto == BUILD_UDP) {
		uint32_t sum = csum_add(0, ip + 12, 8) + proto + (uint32_t)l4len;
		uint16_t ck = csum_fold(csum_add(sum, l4, l4len));
		if (proto == BUILD_UDP && ck == 0)
			ck = 0xffff;      /* RFC 768: zero means "no checksum" */
		put16(l4 + (proto == BUILD_TCP ? 16 : 6), ck);
	}
	struct build_pkt m = { .proto = proto, .sess = sess, .src = src, .dst = dst,
			       .sport = sport, .dport = dport };
	store(c, t, &m, f, ETH_HLEN + IP_HLEN + l4len);
}

void build_udp(struct build_ctx *c, uint32_t sess, int64_t t, uint32_t src, uint16_t sport,
	       uint32_t dst, uint16_t dport, const void *data, size_t len)
{
	uint8_t f[FRAME_MAX];
	if (len > 1472)
		len = 1472;   /* one unfragmented datagram on Ethernet */
	uint8_t *u = f + ETH_HLEN + IP_HLEN;
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + len));
	put16(u + 6, 0);
	memcpy(u + 8, data, len);
	emit_ip(c, sess, t, BUILD_UDP, src, dst, sport, dport, f, 8 + len);
}

/*
 * One TCP segment.  SYN segments carry the options a Windows XP stack
 * sends (MSS 1460, NOP, NOP, SACK permitted: a 28-byte header); the
 * others a bare 20-byte header.
 */
void build_tcp_seg(struct build_ctx *c, uint32_t sess, int64_t t, uint32_t src, uint16_t sport,
		   uint32_t dst, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		   uint16_t win, const void *data, size_t len)
{
	uint8_t f[FRAME_MAX];
	uint8_t *h = f + ETH_HLEN + IP_HLEN;
	size_t hl = (flags & TH_SYN) ? 28 : 20;
	if (len > 1460)
		len = 1460;
	put16(h, sport);
	put16(h + 2, dport);
	put32(h + 4, seq);
	put32(h + 8, (flags & TH_ACK) ? ack : 0);
	h[12] = (uint8_t)((hl / 4) << 4);
	h[13] = flags;
	put16(h + 14, win);
	put16(h + 16, 0);
	put16(h + 18, 0);
	if (hl == 28) {
		static const uint8_t opt[8] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2 };
		memcpy(h + 20, opt, sizeof opt);
	}
	if (len)
		memcpy(h + hl, data, len);
	emit_ip(c, sess, t, BUILD_TCP, src, dst, sport, dport, f, hl + len);
}

/* ICMP echo request/reply (RFC 792); id goes in both "ports" of the record. */
void build_icmp_echo(struct build_ctx *c, uint32_t sess, int64_t t, uint32_t src,
		     uint32_t dst, bool reply, uint16_t id, uint16_t seq, const void *data,
		     size_t len)
{
	uint8_t f[FRAME_MAX];
	uint8_t *h = f + ETH_HLEN + IP_HLEN;
	if (len > 1472)
		len = 1472;
	h[0] = reply ? 0 : 8;
	h[1] = 0;
	put16(h + 2, 0);
	put16(h + 4, id);
	put16(h + 6, seq);
	memcpy(h + 8, data, len);
	put16(h + 2, csum_fold(csum_add(0, h, 8 + len)));
	emit_ip(c, sess, t, BUILD_ICMP, src, dst, id, id, f, 8 + len);
}

/* ARP request (broadcast) or reply from local host `from` about `target` (RFC 826). */
void build_arp(struct build_ctx *c, int64_t t, int from, uint32_t target, bool reply,
	       const uint8_t target_mac[6])
{
	uint8_t f[42];
	const struct build_local *l = &c->local[from];
	memcpy(f, reply ? target_mac : mac_broadcast, 6);
	memcpy(f + 6, l->mac, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, reply ? 2 : 1);
	memcpy(f + 22, l->mac, 6);
	put32(f + 28, l->ip);
	if (reply)
		memcpy(f + 32, target_mac, 6);
	else
		memset(f + 32, 0, 6);
	put32(f + 38, target);
	struct build_pkt m = { .proto = 0, .sess = BUILD_NOSESS };
	store(c, t, &m, f, sizeof f);
}
