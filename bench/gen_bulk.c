/*
 * gen_bulk.c - the bulk capture of the `botlens flows` benchmark.
 *
 * Writes a classic pcap (Ethernet, IPv4, microseconds) of about 200,000
 * connections and 5.5 M packets spread over ~50 minutes, for
 * bench/run.sh.  The file is a stress test of per-packet cost more than
 * a traffic model, but its shape is that of a real edge capture:
 *
 *   kind       share  what                                     packets
 *   dns        40 %   UDP/53 query + answer, 8 % retried         2-3
 *   web        37 %   TCP 443/80: SYN, SYN-ACK, ACK, 1-4         ~11
 *                     request/response exchanges (lognormal
 *                     sizes, MSS 1448, ACK every 2nd segment),
 *                     FIN/FIN/ACK, RST or no close
 *   chat       4 %    long TCP sessions (22, 5222, 8883): many   ~180
 *                     small exchanges, idle gaps up to 10 min
 *                     (past the 300 s TCP timeout: flows split)
 *   tcpfail    3 %    SYN unanswered (retried) or refused (RST)  1-3
 *   udp        10.5 % NTP (polls 64 s apart: past the 60 s UDP   2-80
 *                     timeout), QUIC-like bursts of 1200-1350
 *                     byte packets, syslog-like one-way
 *   media      0.55 % RTP-like streams, 50 pps each way, 5-40 s  ~2200
 *   icmp       5 %    echo request/reply, 1 s apart, some lost   2-20
 *
 * Connections arrive as a Poisson process over the first 40 minutes;
 * packets of all live connections interleave in time order (a min-heap
 * keyed on each connection's next packet time) and nothing is written
 * after 50 minutes, so some connections are still open at the end.
 * Same seed, same bytes: the only randomness is splitmix64 below, no
 * clock, no libm.  IPv4 header checksums are right; TCP and UDP
 * checksums are 0 (nothing checks them here).
 *
 * usage: gen_bulk [-s SEED] [-n FLOWS] [-d SECONDS] [-m bulk|heavy] -o FILE
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth/synth.h"

#define T0_NS 1795392000000000000LL   /* 2026-11-23T00:00:00Z */
#define NS 1000000000LL
#define US 1000LL
#define MS 1000000LL
#define NCLIENTS 3000
#define NSERVERS 20000

enum kind { K_DNS, K_WEB, K_CHAT, K_TCPFAIL, K_UDP, K_MEDIA, K_ICMP, K_COUNT };

/* Share of each kind, per 10,000 connections: the bulk mix (-m bulk, the
 * default) and the flow-heavy one (-m heavy: a scan's and a resolver
 * storm's one-to-three-packet flows, ~2.8 packets a connection, a few
 * long ones; issue 16). */
static const unsigned kind_share[2][K_COUNT] = {
	{ [K_DNS] = 4000, [K_WEB] = 3700, [K_CHAT] = 400, [K_TCPFAIL] = 300,
	  [K_UDP] = 1045, [K_MEDIA] = 55, [K_ICMP] = 500 },
	{ [K_DNS] = 5200, [K_WEB] = 300, [K_CHAT] = 5, [K_TCPFAIL] = 4245,
	  [K_UDP] = 100, [K_MEDIA] = 0, [K_ICMP] = 150 },
};

enum phase {
	P_SYN, P_SYNACK, P_ACK, P_REQ, P_RESP, P_CACK, P_FIN1, P_FIN2, P_FIN3, P_RST,
	P_STREAM, P_DONE,
};

/* TCP flag bits. */
enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

/* One generated connection: addresses plus where its script stands. */
struct gflow {
	int64_t t;                /* time of its next packet */
	uint32_t cli, srv;        /* IPv4, host order */
	uint16_t cport, sport;
	uint16_t cidx;            /* client index (MAC address) */
	uint8_t kind, proto, phase;
	uint8_t closer;           /* 0 client, 1 server, 2 RST, 3 none */
	uint8_t retries;
	uint8_t unacked;
	uint16_t mss;             /* largest response segment payload */
	uint16_t ipid[2];
	uint32_t seq[2];          /* next sequence number per direction */
	uint32_t resp_left;       /* response bytes still to send */
	uint32_t exch_left;       /* exchanges (or stream packets) to go */
	uint32_t rtt_us;
};

struct gen {
	uint64_t rng;
	const unsigned *share;    /* kind_share[mix] */
	int64_t end_ns;           /* nothing is written past this */
	struct gflow *flows;
	uint32_t *heap;           /* indices into flows, min t first */
	size_t nheap;
	uint32_t servers[NSERVERS];
	uint16_t next_port[NCLIENTS];
	uint8_t payload[65536];
	struct pcapw w;
	uint64_t kinds[K_COUNT];
	uint64_t kpkts[K_COUNT], kbytes[K_COUNT];
};

static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint64_t range(struct gen *g, uint64_t lo, uint64_t hi)
{
	return lo + rnd(g) % (hi - lo + 1);
}

static int chance(struct gen *g, unsigned per_mille)
{
	return rnd(g) % 1000 < per_mille;
}

/*
 * A heavy-tailed size without libm: a log-uniform mix, median near
 * `median`, tail up to 64 x median (web pages, downloads).
 */
static uint32_t heavy(struct gen *g, uint32_t median)
{
	unsigned sh = (unsigned)range(g, 0, 12);      /* 2^(sh/2 - 3): 1/8 .. 8 x */
	uint64_t v = (uint64_t)median * (range(g, 700, 1400)) / 1000;
	v = (v << (sh / 2)) >> 3;
	if (chance(g, 30))
		v *= 8;                               /* a few downloads */
	return v ? (uint32_t)v : 1;
}

/* ---- the time-ordered heap ---- */

static int earlier(const struct gen *g, uint32_t a, uint32_t b)
{
	int64_t ta = g->flows[a].t, tb = g->flows[b].t;
	return ta < tb || (ta == tb && a < b);
}

static void heap_up(struct gen *g, size_t i)
{
	uint32_t x = g->heap[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!earlier(g, x, g->heap[p]))
			break;
		g->heap[i] = g->heap[p];
		i = p;
	}
	g->heap[i] = x;
}

static void heap_down(struct gen *g, size_t i)
{
	uint32_t x = g->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= g->nheap)
			break;
		if (c + 1 < g->nheap && earlier(g, g->heap[c + 1], g->heap[c]))
			c++;
		if (!earlier(g, g->heap[c], x))
			break;
		g->heap[i] = g->heap[c];
		i = c;
	}
	g->heap[i] = x;
}

/* ---- packets ---- */

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t ip_sum(const uint8_t *h)
{
	uint32_t s = 0;
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)h[i] << 8 | h[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * Writes one frame of f in direction dir (0 client to server) with
 * `len` payload bytes; for TCP, `flags`, with sequence numbers advanced
 * (SYN and FIN count one).  ICMP is an echo request (dir 0) or reply.
 */
static int emit(struct gen *g, struct gflow *f, int dir, unsigned flags, uint32_t len)
{
	uint8_t fr[1600];
	uint32_t l4, src = dir ? f->srv : f->cli, dst = dir ? f->cli : f->srv;
	uint16_t sp = dir ? f->sport : f->cport, dp = dir ? f->cport : f->sport;
	uint8_t *eth = fr, *ip = fr + 14, *th = fr + 34;
	static const uint8_t gw[6] = { 0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01 };
	uint8_t host[6] = { 0x02, 0x42, 0x0a, 0x01, (uint8_t)(f->cidx >> 8), (uint8_t)f->cidx };

	memcpy(eth, dir ? host : gw, 6);
	memcpy(eth + 6, dir ? gw : host, 6);
	put16(eth + 12, 0x0800);
	if (f->proto == 6) {
		unsigned opt = (flags & F_SYN) ? 20 : 12;
		l4 = 20 + opt;
		uint8_t *o = th + 20;
		put16(th, sp);
		put16(th + 2, dp);
		put32(th + 4, f->seq[dir]);
		put32(th + 8, (flags & F_ACK) ? f->seq[!dir] : 0);
		th[12] = (uint8_t)((l4 / 4) << 4);
		th[13] = (uint8_t)flags;
		put16(th + 14, (flags & F_SYN) ? 64240 : 502);
		put32(th + 16, 0);
		if (flags & F_SYN) {   /* MSS, SACK permitted, timestamps, NOP, window scale */
			static const uint8_t so[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0,
							0, 0, 0, 0, 1, 3, 3, 7 };
			memcpy(o, so, 20);
		} else {
			o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
			memset(o + 8, 0, 4);
		}
		put32(o + ((flags & F_SYN) ? 8 : 4), (uint32_t)(f->t / MS));
		f->seq[dir] += len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
	} else if (f->proto == 17) {
		l4 = 8;
		put16(th, sp);
		put16(th + 2, dp);
		put16(th + 4, 8 + len);
		put16(th + 6, 0);
	} else {
		l4 = 8;
		th[0] = dir ? 0 : 8;
		th[1] = 0;
		put16(th + 2, 0);
		put16(th + 4, f->cport);
		put16(th + 6, f->seq[0] & 0xffff);
		if (dir)
			f->seq[0]++;
	}
	if (len > sizeof fr - 34 - l4)
		len = sizeof fr - 34 - l4;
	memcpy(th + l4, g->payload + (rnd(g) & 0x7fff), len);
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, 20 + l4 + len);
	put16(ip + 4, f->ipid[dir]++);
	put16(ip + 6, f->proto == 6 ? 0x4000 : 0);
	ip[8] = dir ? 52 : 64;
	ip[9] = f->proto;
	put16(ip + 10, 0);
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, ip_sum(ip));
	uint32_t n = 34 + l4 + len;
	g->kpkts[f->kind]++;
	g->kbytes[f->kind] += n;
	return pcapw_write(&g->w, T0_NS + f->t / US * US, fr, n, n);
}

/* ---- connection scripts ---- */

static uint32_t public_addr(struct gen *g)
{
	for (;;) {
		uint32_t a = (uint32_t)range(g, 0x01000000u, 0xdfffffffu);
		uint8_t b = (uint8_t)(a >> 24), c = (uint8_t)(a >> 16);
		if (b == 10 || b == 127 || b == 0 || (b == 172 && (c & 0xf0) == 16) ||
		    (b == 192 && c == 168) || (b == 100 && (c & 0xc0) == 64) || (b == 169 && c == 254))
			continue;
		return a;
	}
}

/* A server by popularity: index ~ u^3 puts most traffic on few servers. */
static uint32_t pick_server(struct gen *g)
{
	uint64_t u = range(g, 0, 1023);
	return g->servers[u * u * u * NSERVERS >> 30];
}

static enum kind pick_kind(struct gen *g)
{
	unsigned u = (unsigned)range(g, 0, 9999), k = 0;
	while (k + 1 < K_COUNT && u >= g->share[k])
		u -= g->share[k++];
	return (enum kind)k;
}

/* Sets up connection f starting at time t (ns since T0). */
static void flow_init(struct gen *g, struct gflow *f, int64_t t)
{
	memset(f, 0, sizeof *f);
	f->t = t;
	f->cidx = (uint16_t)range(g, 0, NCLIENTS - 1);
	f->cli = 0x0a010000u + 10 + f->cidx;
	f->cport = g->next_port[f->cidx]++;
	if (g->next_port[f->cidx] > 60999)
		g->next_port[f->cidx] = 32768;
	f->srv = pick_server(g);
	f->kind = (uint8_t)pick_kind(g);
	f->ipid[0] = (uint16_t)rnd(g);
	f->ipid[1] = (uint16_t)rnd(g);
	f->seq[0] = (uint32_t)rnd(g);
	f->seq[1] = (uint32_t)rnd(g);
	f->rtt_us = (uint32_t)range(g, 5000, 120000);
	f->mss = 1448;
	f->proto = 6;
	f->phase = P_SYN;
	f->exch_left = 1;
	g->kinds[f->kind]++;
	switch ((enum kind)f->kind) {
	case K_DNS:
		f->proto = 17;
		f->sport = 53;
		f->phase = P_REQ;
		if (chance(g, 700)) {                 /* the site's resolvers */
			f->srv = 0x0a000035u + (uint32_t)range(g, 0, 1);
			f->rtt_us = (uint32_t)range(g, 300, 3000);
		} else {
			f->srv = chance(g, 500) ? 0x08080808u : 0x01010101u;
		}
		f->exch_left = chance(g, 80) ? 2 : 1;
		break;
	case K_WEB:
		f->sport = chance(g, 800) ? 443 : 80;
		f->exch_left = (uint32_t)(chance(g, 700) ? 1 : range(g, 2, 4));
		f->closer = (uint8_t)(chance(g, 100) ? 2 : chance(g, 40) ? 3 : range(g, 0, 1));
		break;
	case K_CHAT: {
		static const uint16_t ports[] = { 22, 5222, 8883, 443 };
		f->sport = ports[range(g, 0, 3)];
		f->exch_left = (uint32_t)range(g, 20, 110);
		f->closer = (uint8_t)range(g, 0, 2);
		break;
	}
	case K_TCPFAIL:
		f->sport = chance(g, 500) ? 445 : (uint16_t)range(g, 1, 9999);
		f->closer = chance(g, 500) ? 2 : 3;   /* refused or unanswered */
		break;
	case K_UDP:
		f->proto = 17;
		f->phase = P_REQ;
		switch (range(g, 0, 2)) {
		case 0:                               /* NTP: polls past the timeout */
			f->sport = 123;
			f->mss = 48;
			f->exch_left = (uint32_t)range(g, 1, 6);
			break;
		case 1:                               /* QUIC-like */
			f->sport = 443;
			f->mss = (uint16_t)range(g, 1200, 1350);
			f->exch_left = (uint32_t)range(g, 1, 3);
			break;
		default:                              /* syslog-like, one way */
			f->sport = 514;
			f->mss = 0;
			f->exch_left = (uint32_t)range(g, 5, 80);
			break;
		}
		break;
	case K_MEDIA:
		f->proto = 17;
		f->sport = (uint16_t)(range(g, 8000, 20000) & ~1u);
		f->cport &= (uint16_t)~1u;
		f->phase = P_STREAM;
		f->mss = chance(g, 100) ? 172 : 32;   /* G.711 or G.729 + RTP */
		f->exch_left = (uint32_t)range(g, 500, 4000);
		break;
	case K_ICMP:
		f->proto = 1;
		f->phase = P_REQ;
		f->sport = 0;
		f->exch_left = (uint32_t)range(g, 1, 10);
		f->mss = 56;
		break;
	default:
		break;
	}
}

/* Request and response payload sizes of one exchange. */
static void exchange_sizes(struct gen *g, struct gflow *f, uint32_t *req, uint32_t *resp)
{
	switch ((enum kind)f->kind) {
	case K_DNS:
		*req = (uint32_t)range(g, 28, 60);
		*resp = (f->exch_left == 2 || chance(g, 20)) ? 0 : (uint32_t)range(g, 44, 480);
		break;
	case K_WEB:
		*req = (uint32_t)range(g, 180, 1200);
		*resp = heavy(g, 350);
		break;
	case K_CHAT:
		*req = (uint32_t)range(g, 20, 120);
		*resp = chance(g, 980) ? (uint32_t)range(g, 20, 250) : heavy(g, 600);
		break;
	case K_UDP:
		if (f->sport == 123) {
			*req = *resp = 48;
		} else if (f->sport == 443) {
			*req = (uint32_t)range(g, 1200, 1350);
			*resp = (uint32_t)range(g, 1200, 4000);
		} else {
			*req = (uint32_t)range(g, 60, 250);
			*resp = 0;
		}
		break;
	default:   /* ICMP echo */
		*req = 56;
		*resp = chance(g, 100) ? 0 : 56;
		break;
	}
}

/* Pause before the next exchange of f. */
static int64_t think(struct gen *g, const struct gflow *f)
{
	switch ((enum kind)f->kind) {
	case K_DNS:
		return (int64_t)range(g, 1000, 5000) * MS;       /* resolver retry */
	case K_WEB:
		return chance(g, 50) ? (int64_t)range(g, 20, 200) * NS : (int64_t)range(g, 20, 5000) * MS;
	case K_CHAT:
		if (chance(g, 15))
			return (int64_t)range(g, 240, 600) * NS;  /* some past 300 s */
		return chance(g, 200) ? (int64_t)range(g, 10, 60) * NS : (int64_t)range(g, 50, 8000) * MS;
	case K_UDP:
		if (f->sport == 123)
			return (int64_t)range(g, 64, 128) * NS;
		return f->sport == 443 ? (int64_t)range(g, 1, 90) * NS : (int64_t)range(g, 100, 30000) * MS;
	default:
		return (int64_t)range(g, 990, 1010) * MS;
	}
}

/* Time between back-to-back segments: 100 Mb/s to 1 Gb/s. */
static int64_t seg_gap(struct gen *g)
{
	return (int64_t)range(g, 12, 120) * US;
}

/* After the last exchange: close, or end. */
static void finish(struct gen *g, struct gflow *f)
{
	if (f->proto != 6 || f->closer == 3) {
		f->phase = P_DONE;
		return;
	}
	f->phase = f->closer == 2 ? P_RST : P_FIN1;
	f->t += (int64_t)range(g, 1, 15000) * MS;
}

static void next_exchange(struct gen *g, struct gflow *f)
{
	if (--f->exch_left == 0) {
		finish(g, f);
		return;
	}
	f->phase = P_REQ;
	f->t += think(g, f);
}

/* TCP open: SYN, SYN-ACK (or RST, or silence with SYN retries), ACK. */
static int step_open(struct gen *g, struct gflow *f)
{
	int rc;
	int64_t rtt = (int64_t)f->rtt_us * US;
	switch (f->phase) {
	case P_SYN:
		rc = emit(g, f, 0, F_SYN, 0);
		if (f->kind == K_TCPFAIL && f->closer == 3) {
			f->seq[0]--;                       /* a retry repeats the SYN */
			if (f->retries++ == 2)
				f->phase = P_DONE;
			f->t += NS << f->retries;
			return rc;
		}
		f->phase = P_SYNACK;
		f->t += rtt;
		return rc;
	case P_SYNACK:
		if (f->kind == K_TCPFAIL) {
			f->phase = P_DONE;
			return emit(g, f, 1, F_RST | F_ACK, 0);
		}
		rc = emit(g, f, 1, F_SYN | F_ACK, 0);
		f->phase = P_ACK;
		f->t += (int64_t)range(g, 20, 300) * US;
		return rc;
	default:
		rc = emit(g, f, 0, F_ACK, 0);
		f->phase = P_REQ;
		f->t += (int64_t)range(g, 10, 200) * US;
		return rc;
	}
}

/* Close: FIN from the closer, FIN from the other side, last ACK; or RST. */
static int step_close(struct gen *g, struct gflow *f)
{
	int a = f->closer, rc;
	switch (f->phase) {
	case P_RST:
		f->phase = P_DONE;
		return emit(g, f, a == 2 ? (int)range(g, 0, 1) : a, F_RST | F_ACK, 0);
	case P_FIN1:
		rc = emit(g, f, a, F_FIN | F_ACK, 0);
		f->phase = P_FIN2;
		f->t += (int64_t)f->rtt_us * US;
		return rc;
	case P_FIN2:
		rc = emit(g, f, !a, F_FIN | F_ACK, 0);
		f->phase = P_FIN3;
		f->t += (int64_t)range(g, 20, 300) * US;
		return rc;
	default:
		f->phase = P_DONE;
		return emit(g, f, a, F_ACK, 0);
	}
}

/*
 * Request, then the response in segments of at most mss with a client
 * ACK after every second one (TCP, and QUIC-like UDP on 443).
 */
static int step_exchange(struct gen *g, struct gflow *f)
{
	uint32_t req, resp, n;
	unsigned fl = f->proto == 6 ? F_ACK | F_PSH : 0;
	int rc;
	switch (f->phase) {
	case P_REQ:
		exchange_sizes(g, f, &req, &resp);
		rc = emit(g, f, 0, fl, req);
		f->resp_left = resp;
		f->unacked = 0;
		if (resp) {
			f->phase = P_RESP;
			f->t += (int64_t)f->rtt_us * US;
		} else {
			next_exchange(g, f);
		}
		return rc;
	case P_RESP:
		n = f->resp_left < f->mss ? f->resp_left : f->mss;
		f->resp_left -= n;
		rc = emit(g, f, 1, f->resp_left ? (fl & ~(unsigned)F_PSH) : fl, n);
		if (f->proto == 1 || (f->proto == 17 && f->sport != 443)) {
			next_exchange(g, f);   /* no acknowledgement: ICMP, DNS, NTP */
		} else if (++f->unacked == 2 || !f->resp_left) {
			f->phase = P_CACK;
			f->t += (int64_t)range(g, 10, 80) * US;
		} else {
			f->t += seg_gap(g);
		}
		return rc;
	default:   /* P_CACK */
		rc = emit(g, f, 0, f->proto == 6 ? F_ACK : 0, f->proto == 6 ? 0 : 40);
		f->unacked = 0;
		if (f->resp_left) {
			f->phase = P_RESP;
			f->t += seg_gap(g);
		} else {
			next_exchange(g, f);
		}
		return rc;
	}
}

/* One RTP-like packet, alternating directions, 20 ms apart each way. */
static int step_stream(struct gen *g, struct gflow *f)
{
	int rc = emit(g, f, (int)(f->exch_left & 1), 0, f->mss);
	if (--f->exch_left == 0)
		f->phase = P_DONE;
	f->t += (int64_t)range(g, 9000, 11000) * US;
	return rc;
}

/* Emits the next packet of f and moves its time; phase P_DONE at the end. */
static int flow_step(struct gen *g, struct gflow *f)
{
	switch (f->phase) {
	case P_SYN: case P_SYNACK: case P_ACK:
		return step_open(g, f);
	case P_REQ: case P_RESP: case P_CACK:
		return step_exchange(g, f);
	case P_FIN1: case P_FIN2: case P_FIN3: case P_RST:
		return step_close(g, f);
	case P_STREAM:
		return step_stream(g, f);
	default:
		return 0;
	}
}

/*
 * The main loop: start connections in arrival order, always writing the
 * packet of the connection due first.  Returns 0 or -1 (errno).
 */
static int generate(struct gen *g, uint32_t nflows, int64_t span_ns)
{
	uint32_t started = 0;
	double mean_gap = (double)span_ns / nflows;
	int64_t next_start = 0;
	while (started < nflows || g->nheap) {
		if (started < nflows && (!g->nheap || next_start <= g->flows[g->heap[0]].t)) {
			flow_init(g, &g->flows[started], next_start);
			g->heap[g->nheap++] = started++;
			heap_up(g, g->nheap - 1);
			/* exponential gap from a uniform, by inverse CDF without libm:
			 * -ln(u) ~ sum of a geometric and a uniform fraction */
			uint64_t r = rnd(g);
			unsigned z = 0;
			while (z < 40 && (r & 1)) {
				r >>= 1;
				z++;
			}
			double e = (z + (double)range(g, 0, 999) / 1000.0) * 0.6931471805599453;
			next_start += (int64_t)(mean_gap * e);
			continue;
		}
		struct gflow *f = &g->flows[g->heap[0]];
		if (f->t > g->end_ns) {
			f->phase = P_DONE;
		} else if (flow_step(g, f) != 0) {
			return -1;
		}
		if (f->phase == P_DONE) {
			g->heap[0] = g->heap[--g->nheap];
			if (g->nheap)
				heap_down(g, 0);
		} else {
			heap_down(g, 0);
		}
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_bulk [-s SEED] [-n FLOWS] [-d SECONDS] [-m bulk|heavy] -o FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	uint32_t nflows = 200000;
	int64_t span = 2400;
	const char *out = NULL;
	int c, mix = 0;
	while ((c = getopt(argc, argv, "s:n:d:o:m:")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': nflows = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'd': span = strtoll(optarg, NULL, 0); break;
		case 'o': out = optarg; break;
		case 'm':
			if (strcmp(optarg, "bulk") && strcmp(optarg, "heavy"))
				return usage();
			mix = !strcmp(optarg, "heavy");
			break;
		default: return usage();
		}
	}
	if (!out || !nflows || span <= 0)
		return usage();
	struct gen *g = calloc(1, sizeof *g);
	if (!g)
		return 1;
	g->rng = seed;
	g->share = kind_share[mix];
	g->end_ns = span * NS * 5 / 4;
	g->flows = calloc(nflows, sizeof *g->flows);
	g->heap = calloc(nflows, sizeof *g->heap);
	if (!g->flows || !g->heap) {
		fprintf(stderr, "gen_bulk: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof g->payload; i++)
		g->payload[i] = (uint8_t)rnd(g);
	for (unsigned i = 0; i < NSERVERS; i++)
		g->servers[i] = public_addr(g);
	for (unsigned i = 0; i < NCLIENTS; i++)
		g->next_port[i] = (uint16_t)range(g, 32768, 60999);
	FILE *f = fopen(out, "wb");
	if (!f) {
		fprintf(stderr, "gen_bulk: cannot open '%s': %s\n", out, strerror(errno));
		return 1;
	}
	setvbuf(f, NULL, _IOFBF, 8u << 20);
	if (pcapw_open(&g->w, f, 1, 65535) != 0 || generate(g, nflows, span * NS) != 0 ||
	    fclose(f) != 0) {
		fprintf(stderr, "gen_bulk: cannot write '%s': %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(stderr, "gen_bulk: %s: %llu packets, %llu captured bytes, %u connections "
		"(dns %llu web %llu chat %llu tcpfail %llu udp %llu media %llu icmp %llu), seed %llu\n",
		out, (unsigned long long)g->w.packets, (unsigned long long)g->w.bytes, nflows,
		(unsigned long long)g->kinds[K_DNS], (unsigned long long)g->kinds[K_WEB],
		(unsigned long long)g->kinds[K_CHAT], (unsigned long long)g->kinds[K_TCPFAIL],
		(unsigned long long)g->kinds[K_UDP], (unsigned long long)g->kinds[K_MEDIA],
		(unsigned long long)g->kinds[K_ICMP], (unsigned long long)seed);
	static const char *const kname[K_COUNT] = { "dns", "web", "chat", "tcpfail", "udp", "media", "icmp" };
	for (int k = 0; k < K_COUNT; k++)
		fprintf(stderr, "  %-8s %7llu connections %8llu packets %10llu bytes\n", kname[k],
			(unsigned long long)g->kinds[k], (unsigned long long)g->kpkts[k],
			(unsigned long long)g->kbytes[k]);
	free(g->flows);
	free(g->heap);
	free(g);
	return 0;
}
