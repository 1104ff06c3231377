/*
 * test_flow.c - the flow table, TCP state and the host table (src/flow/).
 *
 * Packets are struct pkt values made here (no decoding), fed to
 * flowtab_update() as the run engine does; ended flows are captured by
 * the end callback.  History strings are derived from the letter rules
 * of tcpstate.c: uppercase from the originator, lowercase from the
 * responder, each letter once per direction, S = SYN, H = SYN+ACK,
 * A = pure ACK (no payload, no SYN/FIN/RST), D = payload, F = FIN,
 * R = RST, ^ = flipped.
 */
#include "harness.h"
#include "flow/flow.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEC 1000000000LL
#define T0 (1700000000LL * SEC)

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };

static const uint8_t H_A[4] = { 10, 0, 0, 5 }, H_B[4] = { 93, 184, 216, 34 };
static const uint8_t H_C[4] = { 8, 8, 8, 8 }, H_D[4] = { 1, 2, 3, 4 };

static struct pkt mk(int64_t t, const uint8_t *s, unsigned sp, const uint8_t *d, unsigned dp,
		     uint8_t proto, uint8_t flags, uint32_t paylen)
{
	struct pkt p;
	memset(&p, 0, sizeof p);
	p.ts_ns = t;
	p.family = 4;
	p.proto = proto;
	memcpy(p.src, s, 4);
	memcpy(p.dst, d, 4);
	p.sport = (uint16_t)sp;
	p.dport = (uint16_t)dp;
	p.has_ports = proto == 6 || proto == 17 || proto == 1;
	p.tcp_flags = flags;
	p.payload_len = paylen;
	p.ip_len = (uint16_t)(20 + (proto == 6 ? 20 : 8) + paylen);
	p.wirelen = p.caplen = p.ip_len + 14u;
	return p;
}

/* ---- ended flows, as the callback saw them ---- */

struct ended {
	uint64_t id;
	char history[21];
	char state[8];
	uint64_t pkts0, pkts1;
	int64_t first_ns, last_ns;
};

static struct ended E[64];
static unsigned nE;

static void on_end(void *ctx, const struct flow *f)
{
	(void)ctx;
	if (nE < 64) {
		E[nE].id = f->id;
		memcpy(E[nE].history, f->history, sizeof f->history);
		snprintf(E[nE].state, sizeof E[nE].state, "%s", flow_conn_state(f));
		E[nE].pkts0 = f->pkts[0];
		E[nE].pkts1 = f->pkts[1];
		E[nE].first_ns = f->first_ns;
		E[nE].last_ns = f->last_ns;
	}
	nE++;
}

static struct flowtab *FT;
static struct hosttab *HT;

static void fresh(const char *name)
{
	TEST(name);
	if (FT)
		flowtab_free(FT);
	struct flow_cfg c;
	flow_cfg_default(&c);
	FT = flowtab_new(&c, on_end, NULL);
	nE = 0;
}

static int last_dir;

/* Feeds p to the flow table (and the host table when one is open). */
static struct flow *feed(const struct pkt *p)
{
	struct flow *f = flowtab_update(FT, p, &last_dir);
	if (f && HT && f->pkts[0] + f->pkts[1] == 1)
		hosttab_flow(HT, f);
	if (HT)
		hosttab_packet(HT, p);
	return f;
}

/* Plays a TCP exchange between A:1234 (client) and B:80: "c" from the client, "s" from the server. */
struct seg {
	char who;
	uint8_t flags;
	uint32_t len;
};

static struct flow *play(const struct seg *s, unsigned n, int64_t t)
{
	struct flow *f = NULL;
	for (unsigned i = 0; i < n; i++) {
		struct pkt p = s[i].who == 'c' ? mk(t + i * SEC / 10, H_A, 1234, H_B, 80, 6, s[i].flags, s[i].len)
					       : mk(t + i * SEC / 10, H_B, 80, H_A, 1234, 6, s[i].flags, s[i].len);
		f = feed(&p);
	}
	return f;
}

#define PLAY(arr) play((arr), sizeof(arr) / sizeof *(arr), T0)

/* ---- tests ---- */

static void test_keying(void)
{
	fresh("canonical-keying");
	struct pkt a = mk(T0, H_A, 1234, H_B, 80, 6, PSH | ACK, 10);
	struct pkt b = mk(T0 + 1, H_B, 80, H_A, 1234, 6, ACK, 0);
	struct flow *f1 = feed(&a);
	CHECK(f1 != NULL);
	CHECK_EQ_U(last_dir, 0);
	struct flow *f2 = feed(&b);
	CHECK(f1 == f2);
	CHECK_EQ_U(last_dir, 1);
	CHECK_EQ_U(flowtab_active(FT), 1);
	CHECK_EQ_U(flowtab_total(FT), 1);
	CHECK(memcmp(f1->orig, H_A, 4) == 0);
	CHECK(memcmp(f1->resp, H_B, 4) == 0);
	CHECK_EQ_U(f1->orig_p, 1234);
	CHECK_EQ_U(f1->resp_p, 80);
	CHECK_EQ_U(f1->pkts[0], 1);
	CHECK_EQ_U(f1->pkts[1], 1);
	CHECK_EQ_U(f1->ip_bytes[0], 50);
	CHECK_EQ_U(f1->ip_bytes[1], 40);
	CHECK_EQ_U(f1->payload[0], 10);
	CHECK_EQ_U(f1->payload[1], 0);
	CHECK_EQ_U(f1->first_ns, T0);
	CHECK_EQ_U(f1->last_ns, T0 + 1);
	CHECK_EQ_U(f1->id, 1);

	fresh("originator-is-first-sender");
	/* the originator sorts after the responder: the key is swapped */
	a = mk(T0, H_B, 40000, H_D, 53, 17, 0, 30);
	b = mk(T0 + 1, H_D, 53, H_B, 40000, 17, 0, 90);
	f1 = feed(&a);
	CHECK_EQ_U(last_dir, 0);
	f2 = feed(&b);
	CHECK(f1 == f2);
	CHECK_EQ_U(last_dir, 1);
	CHECK(memcmp(f1->orig, H_B, 4) == 0);
	CHECK_EQ_U(f1->orig_p, 40000);
	CHECK_EQ_U(f1->resp_p, 53);
	CHECK_STR(f1->history, "Dd");
	CHECK_STR(flow_conn_state(f1), "SF");

	fresh("same-address-ports-order");
	/* same host both ends: the port breaks the tie */
	a = mk(T0, H_A, 9000, H_A, 53, 17, 0, 1);
	b = mk(T0 + 1, H_A, 53, H_A, 9000, 17, 0, 1);
	f1 = feed(&a);
	f2 = feed(&b);
	CHECK(f1 == f2);
	CHECK_EQ_U(last_dir, 1);
	CHECK_EQ_U(f1->orig_p, 9000);

	fresh("distinct-keys");
	/* another port, protocol or peer is another flow */
	a = mk(T0, H_A, 1234, H_B, 80, 6, SYN, 0);
	feed(&a);
	a = mk(T0, H_A, 1235, H_B, 80, 6, SYN, 0);
	feed(&a);
	a = mk(T0, H_A, 1234, H_B, 80, 17, 0, 0);
	feed(&a);
	a = mk(T0, H_A, 1234, H_C, 80, 6, SYN, 0);
	feed(&a);
	a = mk(T0, H_A, 80, H_B, 1234, 6, SYN, 0);  /* ports crossed */
	feed(&a);
	CHECK_EQ_U(flowtab_active(FT), 5);
	CHECK_EQ_U(flowtab_total(FT), 5);

	fresh("ipv6-keying");
	struct pkt s6 = mk(T0, H_A, 5000, H_B, 443, 6, SYN, 0);
	s6.family = 6;
	memset(s6.src, 0, 16);
	memset(s6.dst, 0, 16);
	s6.src[0] = 0x20, s6.src[15] = 9;
	s6.dst[0] = 0x20, s6.dst[15] = 1;
	struct pkt r6 = s6;
	memcpy(r6.src, s6.dst, 16);
	memcpy(r6.dst, s6.src, 16);
	r6.sport = 443, r6.dport = 5000, r6.tcp_flags = SYN | ACK;
	f1 = feed(&s6);
	f2 = feed(&r6);
	CHECK(f1 == f2);
	CHECK_EQ_U(last_dir, 1);
	CHECK_STR(f1->history, "Sh");
	/* the same low 4 bytes in IPv4 are another flow */
	struct pkt v4 = mk(T0, H_A, 5000, H_B, 443, 6, SYN, 0);
	memcpy(v4.src, s6.src, 4);
	memcpy(v4.dst, s6.dst, 4);
	CHECK(feed(&v4) != f1);
}

static void test_flip(void)
{
	fresh("synack-first-flips");
	struct pkt sa = mk(T0, H_B, 80, H_A, 1234, 6, SYN | ACK, 0);
	struct flow *f = feed(&sa);
	CHECK_EQ_U(last_dir, 1);
	CHECK(memcmp(f->orig, H_A, 4) == 0);
	CHECK(memcmp(f->resp, H_B, 4) == 0);
	CHECK_EQ_U(f->orig_p, 1234);
	CHECK_EQ_U(f->resp_p, 80);
	CHECK_EQ_U(f->pkts[1], 1);
	CHECK_EQ_U(f->pkts[0], 0);
	CHECK_STR(f->history, "^h");
	struct pkt ack = mk(T0 + 1, H_A, 1234, H_B, 80, 6, ACK, 0);
	CHECK(feed(&ack) == f);
	CHECK_EQ_U(last_dir, 0);
	CHECK_STR(f->history, "^hA");

	fresh("synack-without-ports-no-flip");
	sa.has_ports = false;
	f = feed(&sa);
	CHECK_EQ_U(last_dir, 0);
	CHECK(memcmp(f->orig, H_B, 4) == 0);

	fresh("midstream-from-server-port-flips");   /* Zeek's likely server port */
	struct pkt mid = mk(T0, H_B, 6667, H_A, 49200, 6, PSH | ACK, 60);
	f = feed(&mid);
	CHECK_EQ_U(last_dir, 1);
	CHECK(memcmp(f->orig, H_A, 4) == 0);
	CHECK_EQ_U(f->resp_p, 6667);
	CHECK(f->history[0] == '^');

	fresh("midstream-between-client-ports-stays");
	mid = mk(T0, H_B, 40000, H_A, 49200, 6, PSH | ACK, 60);
	f = feed(&mid);
	CHECK_EQ_U(last_dir, 0);
	CHECK(memcmp(f->orig, H_B, 4) == 0);

	fresh("midstream-from-fixed-to-ephemeral-port-flips");   /* a listener on an unlisted port */
	mid = mk(T0, H_B, 6633, H_A, 34887, 6, PSH | ACK, 60);
	f = feed(&mid);
	CHECK_EQ_U(last_dir, 1);
	CHECK(memcmp(f->orig, H_A, 4) == 0);
	CHECK_EQ_U(f->resp_p, 6633);

	fresh("midstream-from-old-client-port-stays");   /* 1025-5000: an older client's own port */
	mid = mk(T0, H_B, 1035, H_A, 40000, 6, PSH | ACK, 60);
	f = feed(&mid);
	CHECK_EQ_U(last_dir, 0);
	CHECK(memcmp(f->orig, H_B, 4) == 0);

	fresh("syn-from-low-port-stays");
	mid = mk(T0, H_B, 80, H_A, 49200, 6, SYN, 0);
	f = feed(&mid);
	CHECK_EQ_U(last_dir, 0);
	CHECK(memcmp(f->orig, H_B, 4) == 0);

	fresh("udp-reply-from-dns-flips");
	struct pkt dns = mk(T0, H_C, 53, H_A, 40000, 17, 0, 80);
	f = feed(&dns);
	CHECK_EQ_U(last_dir, 1);
	CHECK(memcmp(f->orig, H_A, 4) == 0);
	CHECK_EQ_U(f->resp_p, 53);

	fresh("udp-p2p-low-port-stays");   /* an overlay peer may use any port */
	struct pkt p2p = mk(T0, H_C, 821, H_A, 40000, 17, 0, 25);
	f = feed(&p2p);
	CHECK_EQ_U(last_dir, 0);
	CHECK(memcmp(f->orig, H_C, 4) == 0);
}

static void test_history(void)
{
	fresh("history-full-connection");
	static const struct seg full[] = {
		{ 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', ACK, 0 },
		{ 'c', PSH | ACK, 100 }, { 's', ACK, 0 }, { 's', PSH | ACK, 500 },
		{ 'c', ACK, 0 }, { 'c', FIN | ACK, 0 }, { 's', FIN | ACK, 0 }, { 'c', ACK, 0 },
	};
	struct flow *f = PLAY(full);
	CHECK_STR(f->history, "ShADadFf");
	CHECK_STR(flow_conn_state(f), "SF");
	CHECK_EQ_U(f->pkts[0], 6);
	CHECK_EQ_U(f->pkts[1], 4);
	CHECK_EQ_U(f->payload[0], 100);
	CHECK_EQ_U(f->payload[1], 500);
	CHECK_EQ_U(flowtab_total(FT), 1);
	flowtab_flush(FT);
	CHECK_EQ_U(nE, 1);
	CHECK_STR(E[0].history, "ShADadFf");
	CHECK_STR(E[0].state, "SF");
	CHECK_EQ_U(flowtab_active(FT), 0);

	fresh("history-fin-with-data");
	/* data on the FIN: both letters; data on the SYN-ACK's ACK: D not A */
	static const struct seg fd[] = {
		{ 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', PSH | ACK, 10 },
		{ 's', FIN | PSH | ACK, 20 }, { 'c', FIN | ACK, 0 },
	};
	f = PLAY(fd);
	CHECK_STR(f->history, "ShDfdF");

	fresh("history-rst");
	static const struct seg rs[] = {
		{ 'c', SYN, 0 }, { 's', RST | ACK, 0 }, { 'c', SYN, 0 }, { 's', RST | ACK, 0 },
	};
	f = PLAY(rs);
	/* a fresh SYN after a RST is a new connection: two flows */
	CHECK_EQ_U(flowtab_total(FT), 2);
	CHECK_EQ_U(nE, 1);
	CHECK_STR(E[0].history, "Sr");
	CHECK_STR(E[0].state, "REJ");
	CHECK_STR(f->history, "Sr");

	fresh("history-udp");
	struct pkt u1 = mk(T0, H_A, 5353, H_C, 53, 17, 0, 0);
	f = feed(&u1);
	CHECK_STR(f->history, "");
	u1.payload_len = 20;
	feed(&u1);
	feed(&u1);
	CHECK_STR(f->history, "D");

	fresh("history-tcp-later-fragment");
	/* a later fragment has no TCP header: its flags are not TCP state */
	struct pkt lf = mk(T0, H_A, 1234, H_B, 80, 6, SYN | FIN | RST, 500);
	lf.frag = FRAG_LATER;
	f = feed(&lf);
	CHECK_STR(f->history, "D");
	CHECK_EQ_U(f->tcp[0], 0);
}

struct state_case {
	const char *state;
	struct seg s[8];
	unsigned n;
};

static void test_conn_state(void)
{
	static const struct state_case cases[] = {
		{ "S0", { { 'c', SYN, 0 } }, 1 },
		{ "S0", { { 'c', SYN, 0 }, { 'c', SYN, 0 }, { 'c', SYN, 0 } }, 3 },
		{ "REJ", { { 'c', SYN, 0 }, { 's', RST | ACK, 0 } }, 2 },
		{ "S1", { { 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', ACK, 0 } }, 3 },
		{ "SF", { { 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', ACK, 0 }, { 'c', FIN | ACK, 0 },
			  { 's', FIN | ACK, 0 }, { 'c', ACK, 0 } }, 6 },
		{ "S2", { { 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', ACK, 0 }, { 'c', FIN | ACK, 0 } }, 4 },
		{ "S3", { { 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', ACK, 0 }, { 's', FIN | ACK, 0 } }, 4 },
		{ "RSTO", { { 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', ACK, 0 }, { 'c', RST, 0 } }, 4 },
		{ "RSTR", { { 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', ACK, 0 }, { 's', RST, 0 } }, 4 },
		{ "RSTOS0", { { 'c', SYN, 0 }, { 'c', RST, 0 } }, 2 },
		{ "SH", { { 'c', SYN, 0 }, { 'c', FIN, 0 } }, 2 },
		{ "OTH", { { 'c', ACK, 0 }, { 's', PSH | ACK, 10 } }, 2 },
		{ "OTH", { { 'c', PSH | ACK, 10 } }, 1 },
		{ "RSTRH", { { 's', SYN | ACK, 0 }, { 's', RST, 0 } }, 2 },
		{ "SHR", { { 's', SYN | ACK, 0 }, { 's', FIN | ACK, 0 } }, 2 },
	};
	for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
		fresh(cases[i].state);
		struct flow *f = play(cases[i].s, cases[i].n, T0);
		CHECK_STR(flow_conn_state(f), cases[i].state);
		CHECK_EQ_U(flowtab_total(FT), 1);
	}

	fresh("udp-S0");
	struct pkt u = mk(T0, H_A, 40000, H_C, 53, 17, 0, 30);
	struct flow *f = feed(&u);
	feed(&u);
	CHECK_STR(flow_conn_state(f), "S0");
	TEST("udp-SF");
	struct pkt r = mk(T0 + 1, H_C, 53, H_A, 40000, 17, 0, 80);
	feed(&r);
	CHECK_STR(flow_conn_state(f), "SF");

	fresh("icmp-states");
	struct pkt e = mk(T0, H_A, 8, H_C, 0, 1, 0, 56);
	f = feed(&e);
	CHECK_STR(flow_conn_state(f), "S0");
	struct pkt er = mk(T0 + 1, H_C, 0, H_A, 8, 1, 0, 56);
	CHECK(feed(&er) == f);
	CHECK_STR(flow_conn_state(f), "SF");
	char buf[8];
	CHECK_STR(flow_proto_str(f, buf, sizeof buf), "icmp");
	f->proto = 58;
	CHECK_STR(flow_proto_str(f, buf, sizeof buf), "icmp");
	f->proto = 254;
	CHECK_STR(flow_proto_str(f, buf, sizeof buf), "254");
	f->proto = 1;
}

static void test_timeouts(void)
{
	fresh("udp-timeout");
	struct pkt u = mk(T0, H_A, 40000, H_C, 53, 17, 0, 30);
	struct flow *f = feed(&u);
	uint64_t id1 = f->id;
	u.ts_ns = T0 + 60 * SEC;  /* exactly the timeout: still the same flow */
	CHECK(feed(&u)->id == id1);
	CHECK_EQ_U(nE, 0);
	u.ts_ns = T0 + 121 * SEC;  /* 61 s after the last packet */
	f = feed(&u);
	CHECK(f->id != id1);
	CHECK_EQ_U(flowtab_total(FT), 2);
	CHECK_EQ_U(flowtab_active(FT), 1);
	CHECK_EQ_U(nE, 1);
	CHECK_EQ_U(E[0].id, id1);
	CHECK_EQ_U(E[0].pkts0, 2);
	CHECK_EQ_U(E[0].last_ns, T0 + 60 * SEC);
	flowtab_flush(FT);
	CHECK_EQ_U(nE, 2);

	fresh("tcp-timeout");
	static const struct seg est[] = { { 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', ACK, 0 } };
	f = PLAY(est);
	id1 = f->id;
	struct pkt d = mk(T0 + 299 * SEC, H_A, 1234, H_B, 80, 6, PSH | ACK, 5);
	CHECK(feed(&d)->id == id1);
	d.ts_ns = T0 + 600 * SEC;
	f = feed(&d);
	CHECK(f->id != id1);
	CHECK_EQ_U(nE, 1);
	CHECK_STR(E[0].state, "S1");
	CHECK_STR(f->history, "D");  /* mid-stream start */
	CHECK_STR(flow_conn_state(f), "OTH");

	fresh("timeout-from-other-traffic");
	/* flows expire on any later packet, oldest first */
	struct pkt a = mk(T0, H_A, 1, H_C, 53, 17, 0, 1);
	feed(&a);
	struct pkt b = mk(T0 + 5 * SEC, H_A, 2, H_C, 53, 17, 0, 1);
	feed(&b);
	struct pkt i = mk(T0 + 6 * SEC, H_A, 8, H_C, 0, 1, 0, 1);
	feed(&i);
	struct pkt t = mk(T0 + 10 * SEC, H_A, 3, H_B, 80, 6, SYN, 0);
	feed(&t);
	struct pkt late = mk(T0 + 100 * SEC, H_D, 9, H_B, 9, 17, 0, 1);
	feed(&late);
	CHECK_EQ_U(nE, 3);  /* the two UDP and the ICMP flows; TCP has 300 s */
	CHECK_EQ_U(E[0].id, 1);
	CHECK_EQ_U(E[1].id, 2);
	CHECK_EQ_U(E[2].id, 3);
	CHECK_EQ_U(flowtab_active(FT), 2);
	CHECK_EQ_U(flowtab_peak(FT), 4);

	fresh("time-going-back");
	/* an older timestamp neither expires anything nor moves last_ns back */
	a = mk(T0 + 100 * SEC, H_A, 1, H_C, 53, 17, 0, 1);
	f = feed(&a);
	a.ts_ns = T0;
	CHECK(feed(&a) == f);
	CHECK_EQ_U(f->last_ns, T0 + 100 * SEC);
	CHECK_EQ_U(f->first_ns, T0 + 100 * SEC);
	CHECK_EQ_U(nE, 0);
}

static void test_flush_order(void)
{
	fresh("flush-oldest-first");
	struct pkt p;
	p = mk(T0 + 1 * SEC, H_A, 1, H_C, 53, 17, 0, 1);   /* id 1, UDP, updated at 30 */
	feed(&p);
	p = mk(T0 + 5 * SEC, H_A, 2, H_B, 80, 6, SYN, 0);  /* id 2, TCP, last 5 */
	feed(&p);
	p = mk(T0 + 10 * SEC, H_A, 3, H_C, 53, 17, 0, 1);  /* id 3, UDP, last 10 */
	feed(&p);
	p = mk(T0 + 20 * SEC, H_A, 8, H_D, 0, 1, 0, 1);    /* id 4, ICMP, last 20 */
	feed(&p);
	p = mk(T0 + 20 * SEC, H_A, 4, H_D, 4, 47, 0, 1);   /* id 5, other, last 20 */
	feed(&p);
	p = mk(T0 + 30 * SEC, H_A, 1, H_C, 53, 17, 0, 1);  /* id 1 again */
	feed(&p);
	CHECK_EQ_U(flowtab_active(FT), 5);
	flowtab_flush(FT);
	CHECK_EQ_U(nE, 5);
	CHECK_EQ_U(E[0].id, 2);
	CHECK_EQ_U(E[1].id, 3);
	CHECK_EQ_U(E[2].id, 4);  /* tie at 20 s: creation order */
	CHECK_EQ_U(E[3].id, 5);
	CHECK_EQ_U(E[4].id, 1);
	CHECK_EQ_U(flowtab_active(FT), 0);
	/* memory is reused and the table still works after a flush */
	p = mk(T0 + 40 * SEC, H_A, 1, H_C, 53, 17, 0, 1);
	struct flow *f = feed(&p);
	CHECK(f != NULL);
	CHECK_EQ_U(f->id, 6);
	CHECK_EQ_U(f->pkts[0], 1);
	CHECK_STR(f->history, "D");
}

static void test_port_reuse(void)
{
	fresh("tcp-port-reuse-after-fin");
	static const struct seg closed[] = {
		{ 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', ACK, 0 },
		{ 'c', FIN | ACK, 0 }, { 's', FIN | ACK, 0 }, { 'c', ACK, 0 },
		{ 'c', SYN, 0 }, { 's', SYN | ACK, 0 },
	};
	struct flow *f = PLAY(closed);
	CHECK_EQ_U(flowtab_total(FT), 2);
	CHECK_EQ_U(nE, 1);
	CHECK_EQ_U(E[0].id, 1);
	CHECK_STR(E[0].state, "SF");
	CHECK_STR(E[0].history, "ShAFf");
	CHECK_EQ_U(f->id, 2);
	CHECK_STR(f->history, "Sh");
	CHECK(memcmp(f->orig, H_A, 4) == 0);

	fresh("tcp-no-reuse-half-closed");
	static const struct seg half[] = {
		{ 'c', SYN, 0 }, { 's', SYN | ACK, 0 }, { 'c', FIN | ACK, 0 }, { 'c', SYN, 0 },
	};
	PLAY(half);
	CHECK_EQ_U(flowtab_total(FT), 1);
	CHECK_EQ_U(nE, 0);

	fresh("tcp-reuse-from-responder");
	/* the old responder opening to the same ports is a new flow it originates */
	static const struct seg back[] = {
		{ 'c', SYN, 0 }, { 's', RST | ACK, 0 }, { 's', SYN, 0 },
	};
	f = PLAY(back);
	CHECK_EQ_U(flowtab_total(FT), 2);
	CHECK(memcmp(f->orig, H_B, 4) == 0);
	CHECK_EQ_U(f->orig_p, 80);
	CHECK_STR(f->history, "S");
}

static const struct host *find4(const uint8_t *a)
{
	uint8_t x[16] = { 0 };
	memcpy(x, a, 4);
	return hosttab_find(HT, 4, x);
}

static void test_hosts(void)
{
	static const uint8_t SB[4] = { 10, 0, 0, 5 }, SB2[4] = { 192, 168, 1, 7 }, SB3[4] = { 10, 0, 0, 6 };
	fresh("hosttab-counts");
	HT = hosttab_new(42, true);
	struct pkt p;
	p = mk(T0, SB, 40000, H_C, 53, 17, 0, 30);        /* dns */
	feed(&p);
	p = mk(T0 + 1, H_C, 53, SB, 40000, 17, 0, 90);
	feed(&p);
	p = mk(T0 + 2, SB, 40001, H_B, 80, 6, SYN, 0);
	feed(&p);
	p = mk(T0 + 3, SB, 40002, H_B, 443, 6, SYN, 0);
	feed(&p);
	p = mk(T0 + 4, SB, 40003, H_D, 80, 6, SYN, 0);
	feed(&p);
	p = mk(T0 + 5, SB, 40004, H_D, 80, 6, SYN, 0);
	feed(&p);
	p = mk(T0 + 6, H_C, 5353, SB, 5353, 17, 0, 1);     /* C contacts the sandbox */
	feed(&p);
	const struct host *s = find4(SB), *c = find4(H_C), *b = find4(H_B), *d = find4(H_D);
	CHECK(s && c && b && d);
	if (!(s && c && b && d))
		return;
	CHECK(s->internal);
	CHECK(!c->internal);
	CHECK_EQ_U(s->flows_orig, 5);
	CHECK_EQ_U(s->flows_resp, 1);
	CHECK_EQ_U(s->peers, 3);             /* C, B, D */
	CHECK_EQ_U(s->ports_contacted, 3);   /* udp/53, tcp/80, tcp/443 */
	CHECK_EQ_U(s->ports_served, 1);      /* udp/5353 */
	CHECK_EQ_U(s->pkts_out, 5);
	CHECK_EQ_U(s->pkts_in, 2);
	CHECK_EQ_U(s->first_ns, T0);
	CHECK_EQ_U(s->last_ns, T0 + 6);
	CHECK_EQ_U(c->flows_orig, 1);
	CHECK_EQ_U(c->flows_resp, 1);
	CHECK_EQ_U(c->peers, 1);             /* the sandbox, once */
	CHECK_EQ_U(c->ports_served, 1);
	CHECK_EQ_U(c->ports_contacted, 1);
	CHECK_EQ_U(b->flows_resp, 2);
	CHECK_EQ_U(b->ports_served, 2);
	CHECK_EQ_U(b->peers, 1);
	CHECK_EQ_U(d->flows_resp, 2);
	CHECK_EQ_U(d->ports_served, 1);
	CHECK_EQ_U(d->bytes_in, 2 * (14 + 40));
	CHECK_EQ_U(hosttab_count(HT), 4);
	uint64_t n = 0;
	struct host **all = hosttab_list(HT, &n);
	CHECK_EQ_U(n, 4);
	if (all && n == 4) {  /* first-seen order */
		CHECK(memcmp(all[0]->addr, SB, 4) == 0);
		CHECK(memcmp(all[1]->addr, H_C, 4) == 0);
		CHECK(memcmp(all[2]->addr, H_B, 4) == 0);
		CHECK(memcmp(all[3]->addr, H_D, 4) == 0);
	}
	free(all);

	TEST("hosttab-sandbox");
	const struct host *out[4];
	unsigned k = hosttab_sandbox(HT, out, 4);
	CHECK_EQ_U(k, 1);
	CHECK(k >= 1 && out[0] == s);
	/* a second internal originator with 3 flows (>= 5/4) joins; one with 2 does not */
	for (unsigned i = 0; i < 3; i++) {
		p = mk(T0 + 10 + i, SB2, 50000 + i, H_B, 80, 6, SYN, 0);
		feed(&p);
	}
	for (unsigned i = 0; i < 2; i++) {
		p = mk(T0 + 20 + i, SB3, 50000 + i, H_B, 80, 6, SYN, 0);
		feed(&p);
	}
	/* a busy external host originating many flows is never the sandbox */
	for (unsigned i = 0; i < 20; i++) {
		p = mk(T0 + 30 + i, H_D, 1000 + i, H_C, 25, 6, SYN, 0);
		feed(&p);
	}
	k = hosttab_sandbox(HT, out, 4);
	CHECK_EQ_U(k, 2);
	CHECK(out[0] == s);
	CHECK(k == 2 && out[1] == find4(SB2));
	k = hosttab_sandbox(HT, out, 1);
	CHECK_EQ_U(k, 1);
	CHECK(out[0] == s);

	TEST("hosttab-select");   /* --host when given (even an external host), else the sandbox rule */
	uint8_t a16[16] = { 0 };
	memcpy(a16, H_C, 4);
	k = hosttab_select(HT, 4, a16, out, 4);
	CHECK(k == 1 && out[0] == c);
	memcpy(a16, (const uint8_t[4]){ 9, 9, 9, 9 }, 4);
	CHECK_EQ_U(hosttab_select(HT, 4, a16, out, 4), 0);   /* absent from the capture: none */
	k = hosttab_select(HT, 0, NULL, out, 4);
	CHECK(k == 2 && out[0] == s && out[1] == find4(SB2));
	CHECK_EQ_U(hosttab_select(NULL, 0, NULL, out, 4), 0);
	hosttab_free(HT);

	fresh("hosttab-sandbox-fallback");
	HT = hosttab_new(7, true);
	for (unsigned i = 0; i < 3; i++) {
		p = mk(T0 + i, H_C, 1000 + i, H_B, 80, 6, SYN, 0);
		feed(&p);
	}
	p = mk(T0 + 5, H_D, 1000, H_B, 80, 6, SYN, 0);
	feed(&p);
	p = mk(T0 + 6, H_B, 1000, SB, 80, 6, SYN, 0);  /* internal, but only responds */
	feed(&p);
	k = hosttab_sandbox(HT, out, 4);
	CHECK_EQ_U(k, 1);
	CHECK(out[0] == find4(H_B));  /* in 5 flows */
	CHECK_EQ_U(hosttab_sandbox(HT, out, 0), 0);
	hosttab_free(HT);

	TEST("hosttab-empty");
	HT = hosttab_new(1, true);
	CHECK_EQ_U(hosttab_sandbox(HT, out, 4), 0);
	CHECK_EQ_U(hosttab_count(HT), 0);
	n = 99;
	all = hosttab_list(HT, &n);
	CHECK(all != NULL);
	CHECK_EQ_U(n, 0);
	free(all);
	hosttab_free(HT);
	HT = NULL;
}

/* Many concurrent flows: the table grows and every flow stays findable. */
static void test_many(void)
{
	fresh("many-flows");
	HT = hosttab_new(3, true);
	struct flow *first = NULL;
	for (unsigned i = 0; i < 20000; i++) {
		uint8_t d[4] = { 198, 18, (uint8_t)(i >> 8), (uint8_t)i };
		struct pkt p = mk(T0 + i, H_A, 10000 + i % 50000, d, 80, 6, SYN, 0);
		struct flow *f = feed(&p);
		if (i == 0)
			first = f;
	}
	CHECK_EQ_U(flowtab_active(FT), 20000);
	CHECK_EQ_U(hosttab_count(HT), 20001);
	CHECK_EQ_U(find4(H_A)->peers, 20000);
	uint8_t d0[4] = { 198, 18, 0, 0 };
	struct pkt back = mk(T0 + 30000, d0, 80, H_A, 10000, 6, SYN | ACK, 0);
	CHECK(feed(&back) == first);
	CHECK_EQ_U(last_dir, 1);
	flowtab_flush(FT);
	CHECK_EQ_U(nE, 20000);
	CHECK_EQ_U(E[0].id, 2);  /* flow 1 was touched last: flow 2 is the oldest */
	hosttab_free(HT);
	HT = NULL;
}

/* ---- a block of flows made ready by another thread (flowtab_stock) ---- */

static atomic_bool stock_stop;
static atomic_uint stock_calls;

static void *stocker(void *arg)
{
	struct flowtab *t = arg;
	while (!atomic_load(&stock_stop)) {
		if (!flowtab_stock(t))
			break;
		atomic_fetch_add(&stock_calls, 1);
	}
	return NULL;
}

/* The table grows through several blocks while another thread stocks them: the same flows. */
static void test_stock(void)
{
	fresh("stock-other-thread");
	pthread_t th;
	atomic_store(&stock_stop, false);
	CHECK(pthread_create(&th, NULL, stocker, FT) == 0);
	struct flow *first = NULL;
	unsigned n = 60000;   /* about six blocks of flows */
	for (unsigned i = 0; i < n; i++) {
		uint8_t d[4] = { 198, 18, (uint8_t)(i >> 8), (uint8_t)i };
		struct pkt p = mk(T0 + i, H_A, 1024 + i % 60000, d, 53, 17, 0, 30);
		struct flow *f = feed(&p);
		CHECK(f != NULL);
		if (i == 0)
			first = f;
	}
	atomic_store(&stock_stop, true);
	pthread_join(th, NULL);
	CHECK(atomic_load(&stock_calls) > 0);
	CHECK_EQ_U(flowtab_active(FT), n);
	uint8_t d0[4] = { 198, 18, 0, 0 };
	struct pkt back = mk(T0 + n, d0, 53, H_A, 1024, 17, 0, 60);
	CHECK(feed(&back) == first);
	CHECK_EQ_U(last_dir, 1);
	flowtab_stock(FT);   /* a block left unused is freed with the table (ASan: no leak) */
	flowtab_flush(FT);
	CHECK_EQ_U(nE, n);
	CHECK_EQ_U(E[0].id, 2);
}

/* Without distinct counts: the same flow and packet counters, no pair set. */
static void test_hosts_light(void)
{
	static const uint8_t SB[4] = { 10, 0, 0, 5 };
	fresh("hosttab-light");
	HT = hosttab_new(42, false);
	struct pkt p = mk(T0, SB, 40000, H_C, 53, 17, 0, 30);
	feed(&p);
	p = mk(T0 + 2, SB, 40001, H_B, 80, 6, SYN, 0);
	feed(&p);
	const struct host *s = find4(SB);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_EQ_U(s->flows_orig, 2);
	CHECK_EQ_U(s->pkts_out, 2);
	CHECK_EQ_U(s->peers, 0);
	CHECK_EQ_U(s->ports_contacted, 0);
	const struct host *sb[4];
	CHECK_EQ_U(hosttab_sandbox(HT, sb, 4), 1);
	CHECK(sb[0] == s);
	hosttab_free(HT);
	HT = NULL;
}

int main(void)
{
	test_keying();
	test_flip();
	test_history();
	test_conn_state();
	test_timeouts();
	test_flush_order();
	test_port_reuse();
	test_hosts();
	test_hosts_light();
	test_many();
	test_stock();
	flowtab_free(FT);
	return harness_report("flow");
}
