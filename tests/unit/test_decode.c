/*
 * test_decode.c - link, network and transport decoding (src/decode/).
 *
 * Packets are built here as byte arrays, inside out (transport, then IP,
 * then link), so every length field is computed rather than typed, and
 * handed to decode_packet() as a struct cap_rec.  Valid packets must
 * decode with no anomaly; each malformed one must count exactly the
 * named anomaly it exercises.
 */
#include "harness.h"
#include "decode/decode.h"

#include <stdbool.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <string.h>

/* ---- packet builder ---- */

struct pb {
	uint8_t d[2048];
	size_t n;
};

static void b8(struct pb *b, unsigned v) { b->d[b->n++] = (uint8_t)v; }
static void b16(struct pb *b, unsigned v) { b8(b, v >> 8); b8(b, v); }
static void b32(struct pb *b, uint32_t v) { b16(b, v >> 16); b16(b, v & 0xffff); }
static void le32(struct pb *b, uint32_t v) { b8(b, v); b8(b, v >> 8); b8(b, v >> 16); b8(b, v >> 24); }
static void bn(struct pb *b, const void *p, size_t n) { memcpy(b->d + b->n, p, n); b->n += n; }
static void bpb(struct pb *b, const struct pb *in) { bn(b, in->d, in->n); }

static void bpat(struct pb *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b8(b, (unsigned)(0x41 + i % 26));
}

static const uint8_t A4[4] = { 10, 0, 0, 1 }, B4[4] = { 93, 184, 216, 34 };
static const uint8_t C4[4] = { 192, 0, 2, 1 }, D4[4] = { 198, 51, 100, 7 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 2 };

static struct pb tcp(unsigned sport, unsigned dport, unsigned flags, size_t paylen)
{
	struct pb b = { .n = 0 };
	b16(&b, sport);
	b16(&b, dport);
	b32(&b, 1000);        /* seq */
	b32(&b, 2000);        /* ack */
	b8(&b, 5 << 4);
	b8(&b, flags);
	b16(&b, 65535);
	b16(&b, 0);
	b16(&b, 0);
	bpat(&b, paylen);
	return b;
}

static struct pb udp_with(unsigned sport, unsigned dport, const struct pb *in)
{
	struct pb b = { .n = 0 };
	b16(&b, sport);
	b16(&b, dport);
	b16(&b, (unsigned)(8 + in->n));
	b16(&b, 0);
	bpb(&b, in);
	return b;
}

static struct pb udp(unsigned sport, unsigned dport, size_t paylen)
{
	struct pb in = { .n = 0 };
	bpat(&in, paylen);
	return udp_with(sport, dport, &in);
}

static struct pb icmp(unsigned type, unsigned code)
{
	struct pb b = { .n = 0 };
	b8(&b, type);
	b8(&b, code);
	b16(&b, 0);
	b32(&b, 0x00010002);
	bpat(&b, 4);
	return b;
}

/* IPv4 with every field chosen: ihl in 32-bit words, frag = flags|offset. */
static struct pb ip4x(unsigned proto, const uint8_t *s, const uint8_t *dst, unsigned id, unsigned frag,
		      unsigned ihl, size_t totlen, const struct pb *in)
{
	struct pb b = { .n = 0 };
	b8(&b, 0x40 | ihl);
	b8(&b, 0);
	b16(&b, (unsigned)totlen);
	b16(&b, id);
	b16(&b, frag);
	b8(&b, 64);
	b8(&b, proto);
	b16(&b, 0);
	bn(&b, s, 4);
	bn(&b, dst, 4);
	for (unsigned i = 5; i < ihl; i++)
		b32(&b, 0x01010101);  /* NOP options */
	bpb(&b, in);
	return b;
}

static struct pb ip4(unsigned proto, const uint8_t *s, const uint8_t *dst, const struct pb *in)
{
	return ip4x(proto, s, dst, 0x1234, 0x4000, 5, 20 + in->n, in);
}

static struct pb ip6(unsigned nh, const uint8_t *s, const uint8_t *dst, const struct pb *in)
{
	struct pb b = { .n = 0 };
	b32(&b, 0x60000000);
	b16(&b, (unsigned)in->n);
	b8(&b, nh);
	b8(&b, 64);
	bn(&b, s, 16);
	bn(&b, dst, 16);
	bpb(&b, in);
	return b;
}

/* An 8-byte IPv6 option header (hop-by-hop or destination options: PadN). */
static struct pb ext_opts(unsigned nh, const struct pb *in)
{
	struct pb b = { .n = 0 };
	b8(&b, nh);
	b8(&b, 0);     /* (0 + 1) * 8 bytes */
	b8(&b, 1);     /* PadN */
	b8(&b, 4);
	b32(&b, 0);
	bpb(&b, in);
	return b;
}

static struct pb ext_frag(unsigned nh, unsigned offset8, bool more, uint32_t id, const struct pb *in)
{
	struct pb b = { .n = 0 };
	b8(&b, nh);
	b8(&b, 0);
	b16(&b, offset8 << 3 | (more ? 1 : 0));
	b32(&b, id);
	bpb(&b, in);
	return b;
}

static struct pb eth(unsigned type, const struct pb *in)
{
	struct pb b = { .n = 0 };
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	bn(&b, macs, 12);
	b16(&b, type);
	bpb(&b, in);
	return b;
}

static struct pb vlan(unsigned vid, unsigned type, const struct pb *in)
{
	struct pb b = { .n = 0 };
	b16(&b, vid);
	b16(&b, type);
	bpb(&b, in);
	return b;
}

static struct pb mpls(unsigned label, bool bos, const struct pb *in)
{
	struct pb b = { .n = 0 };
	b32(&b, (uint32_t)label << 12 | (bos ? 0x100u : 0) | 64);
	bpb(&b, in);
	return b;
}

static struct pb pppoe(unsigned proto, const struct pb *in)
{
	struct pb b = { .n = 0 };
	b8(&b, 0x11);
	b8(&b, 0);
	b16(&b, 0x0042);
	b16(&b, (unsigned)(2 + in->n));
	b16(&b, proto);
	bpb(&b, in);
	return b;
}

static struct pb raw(const void *p, size_t n)
{
	struct pb b = { .n = 0 };
	bn(&b, p, n);
	return b;
}

/* ---- decoding ---- */

static struct decoder D;
static struct pkt P;
#define TS 1700000000000000000LL

static void reset(const char *name)
{
	TEST(name);
	decoder_free(&D);
	decoder_init(&D);
}

static bool dec_snap(int lt, const struct pb *b, size_t caplen, int64_t ts)
{
	struct cap_rec rec = { .ts_ns = ts, .caplen = (uint32_t)caplen, .wirelen = (uint32_t)b->n,
			       .linktype = lt, .data = b->d };
	return decode_packet(&D, &rec, &P);
}

static bool dec(int lt, const struct pb *b) { return dec_snap(lt, b, b->n, TS); }

static uint64_t anomalies(void)
{
	uint64_t n = 0;
	for (int i = 0; i < ANOM_COUNT; i++)
		n += D.anomalies[i];
	return n;
}

/* Exactly one anomaly in total, and it is a. */
static bool only_anomaly(enum decode_anomaly a) { return D.anomalies[a] == 1 && anomalies() == 1; }

static bool addr_is(const uint8_t *got, uint8_t family, const uint8_t *want)
{
	static const uint8_t zero[16];
	size_t n = family == 6 ? 16 : 4;
	return memcmp(got, want, n) == 0 && memcmp(got + n, zero, 16 - n) == 0;
}

/* The packet is IPv4 A4:sport -> B4:dport over TCP with no anomaly. */
static void check_tcp4(unsigned sport, unsigned dport)
{
	CHECK_EQ_U(P.family, 4);
	CHECK_EQ_U(P.proto, 6);
	CHECK(P.has_ports);
	CHECK(addr_is(P.src, 4, A4));
	CHECK(addr_is(P.dst, 4, B4));
	CHECK_EQ_U(P.sport, sport);
	CHECK_EQ_U(P.dport, dport);
	CHECK_EQ_U(anomalies(), 0);
}

/* ---- tests ---- */

static void test_ethernet_tcp(void)
{
	reset("eth-ipv4-tcp");
	struct pb t = tcp(49152, 80, 0x18, 10);
	struct pb ip = ip4(6, A4, B4, &t);
	struct pb e = eth(0x0800, &ip);
	CHECK(dec(1, &e));
	check_tcp4(49152, 80);
	CHECK_EQ_U(P.tcp_flags, 0x18);
	CHECK_EQ_U(P.seq, 1000);
	CHECK_EQ_U(P.ack, 2000);
	CHECK_EQ_U(P.payload_len, 10);
	CHECK_EQ_U(P.payload_caplen, 10);
	CHECK(P.payload && P.payload[0] == 'A' && P.payload[9] == 'J');
	CHECK_EQ_U(P.ip_len, 50);
	CHECK_EQ_U(P.caplen, 64);
	CHECK_EQ_U(P.wirelen, 64);
	CHECK_EQ_U(P.ts_ns, TS);
	CHECK_EQ_U(P.frag, FRAG_NONE);
	CHECK_EQ_U(P.tunnels, 0);
	CHECK_EQ_U(P.depth, 2);
	CHECK(!P.l4_truncated);
	CHECK_EQ_U(D.stats.packets, 1);
	CHECK_EQ_U(D.stats.ipv4, 1);
	CHECK_EQ_U(D.stats.tcp, 1);
	CHECK_EQ_U(D.stats.non_ip, 0);

	reset("eth-padding");
	/* a bare ACK padded to the 60-byte Ethernet minimum: padding is not payload */
	t = tcp(49152, 80, 0x10, 0);
	ip = ip4(6, A4, B4, &t);
	e = eth(0x0800, &ip);
	bpat(&e, 6);
	CHECK(dec(1, &e));
	check_tcp4(49152, 80);
	CHECK_EQ_U(P.payload_len, 0);
	CHECK_EQ_U(P.payload_caplen, 0);

	reset("eth-ipv4-options");
	t = tcp(1, 2, 0x02, 0);
	ip = ip4x(6, A4, B4, 7, 0, 7, 28 + t.n, &t);
	e = eth(0x0800, &ip);
	CHECK(dec(1, &e));
	check_tcp4(1, 2);
	CHECK_EQ_U(P.tcp_flags, 0x02);

	reset("arp");
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	struct pb a = raw(arp, sizeof arp);  /* a request from 0.0.0.0 for 0.0.0.0 (test_arp has more) */
	e = eth(0x0806, &a);
	CHECK(!dec(1, &e));
	CHECK_EQ_U(P.family, 0);
	CHECK_EQ_U(P.ethertype, 0x0806);
	CHECK_EQ_U(D.stats.non_ip, 1);
	CHECK_EQ_U(anomalies(), 0);

	reset("802.3-llc");
	e = eth(0x0026, &a);
	CHECK(!dec(1, &e));
	CHECK_EQ_U(anomalies(), 0);
}

/* An Ethernet/IPv4 ARP body: opcode, sender MAC/IP, target MAC/IP. */
static struct pb arp_body(unsigned op, const uint8_t *spa, const uint8_t *tpa)
{
	struct pb b = { .n = 0 };
	static const uint8_t sha[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 }, tha[6] = { 0 };
	b16(&b, 1);
	b16(&b, 0x0800);
	b8(&b, 6);
	b8(&b, 4);
	b16(&b, op);
	bn(&b, sha, 6);
	bn(&b, spa, 4);
	bn(&b, tha, 6);
	bn(&b, tpa, 4);
	return b;
}

static void test_arp(void)
{
	reset("arp-request");
	struct pb a = arp_body(1, A4, C4);
	struct pb e = eth(0x0806, &a);
	CHECK(!dec(1, &e));
	CHECK_EQ_U(P.family, 0);
	CHECK_EQ_U(P.ethertype, 0x0806);
	CHECK_EQ_U(P.arp.op, ARP_REQUEST);
	CHECK(memcmp(P.arp.spa, A4, 4) == 0);
	CHECK(memcmp(P.arp.tpa, C4, 4) == 0);
	CHECK_EQ_U(P.arp.sha[0], 0x52);
	CHECK_EQ_U(P.arp.sha[5], 0x56);
	CHECK_EQ_U(P.arp.tha[0], 0);
	CHECK_EQ_U(anomalies(), 0);

	reset("arp-reply-padded");  /* Ethernet pads a 28-byte ARP to 46 bytes */
	a = arp_body(2, C4, A4);
	bpat(&a, 18);
	e = eth(0x0806, &a);
	CHECK(!dec(1, &e));
	CHECK_EQ_U(P.arp.op, ARP_REPLY);
	CHECK(memcmp(P.arp.spa, C4, 4) == 0);
	CHECK_EQ_U(anomalies(), 0);

	reset("arp-vlan");
	a = arp_body(1, A4, C4);
	struct pb v = vlan(42, 0x0806, &a);
	e = eth(0x8100, &v);
	CHECK(!dec(1, &e));
	CHECK_EQ_U(P.arp.op, ARP_REQUEST);
	CHECK_EQ_U(P.ethertype, 0x0806);

	/* every truncation of the body: decode.arp.truncated, no field read, no overread */
	a = arp_body(1, A4, C4);
	for (size_t n = 0; n < a.n; n++) {
		reset("arp-truncated");
		struct pb t = raw(a.d, n);
		e = eth(0x0806, &t);
		CHECK(!dec(1, &e));
		CHECK_EQ_U(P.arp.op, 0);
		CHECK(only_anomaly(ANOM_ARP_TRUNCATED));
	}
	/* the same through a short capture of a whole packet */
	reset("arp-snap-truncated");
	e = eth(0x0806, &a);
	CHECK(!dec_snap(1, &e, 14 + 20, TS));
	CHECK_EQ_U(P.arp.op, 0);
	CHECK(only_anomaly(ANOM_ARP_TRUNCATED));

	reset("arp-unsupported");  /* IPv6 protocol addresses, not ARP for IPv4 */
	a = arp_body(1, A4, C4);
	a.d[2] = 0x86, a.d[3] = 0xdd;
	e = eth(0x0806, &a);
	CHECK(!dec(1, &e));
	CHECK_EQ_U(P.arp.op, 0);
	CHECK(only_anomaly(ANOM_ARP_UNSUPPORTED));
	reset("arp-bad-hlen");
	a = arp_body(1, A4, C4);
	a.d[4] = 8;
	e = eth(0x0806, &a);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_ARP_UNSUPPORTED));

	reset("arp-not-in-ip");  /* IP packets leave the ARP fields zero */
	struct pb t = tcp(1, 2, 0x02, 0);
	struct pb ip = ip4(6, A4, B4, &t);
	e = eth(0x0800, &ip);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.arp.op, 0);
}

static void test_vlan(void)
{
	struct pb t = tcp(1025, 443, 0x10, 3);
	struct pb ip = ip4(6, A4, B4, &t);

	reset("802.1q");
	struct pb v = vlan(100, 0x0800, &ip);
	struct pb e = eth(0x8100, &v);
	CHECK(dec(1, &e));
	check_tcp4(1025, 443);
	CHECK_EQ_U(P.payload_len, 3);

	reset("qinq");
	struct pb inner = vlan(100, 0x0800, &ip);
	struct pb outer = vlan(200, 0x8100, &inner);
	e = eth(0x88a8, &outer);
	CHECK(dec(1, &e));
	check_tcp4(1025, 443);

	reset("vlan-ipv6");
	struct pb u = udp(5353, 5353, 4);
	struct pb ip6p = ip6(17, A6, B6, &u);
	v = vlan(7, 0x86dd, &ip6p);
	e = eth(0x8100, &v);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(P.sport, 5353);
	CHECK_EQ_U(anomalies(), 0);

	reset("vlan-too-many");
	struct pb s = vlan(1, 0x0800, &ip);
	for (int i = 0; i < 4; i++) {
		struct pb n = vlan((unsigned)i + 2, 0x8100, &s);
		s = n;
	}
	e = eth(0x8100, &s);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_VLAN_TOO_MANY));

	reset("vlan-truncated");
	struct pb two = raw("\x00\x64\x08", 3);
	e = eth(0x8100, &two);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_VLAN_TRUNCATED));
}

static void test_mpls(void)
{
	struct pb t = tcp(2000, 25, 0x18, 5);
	struct pb ip = ip4(6, A4, B4, &t);

	reset("mpls-2-labels");
	struct pb l2 = mpls(17, true, &ip);
	struct pb l1 = mpls(16, false, &l2);
	struct pb e = eth(0x8847, &l1);
	CHECK(dec(1, &e));
	check_tcp4(2000, 25);

	reset("mpls-ipv6");
	struct pb u = udp(1, 2, 0);
	struct pb i6 = ip6(17, A6, B6, &u);
	l1 = mpls(3, true, &i6);
	e = eth(0x8848, &l1);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(anomalies(), 0);

	reset("mpls-pseudowire-ethernet");
	struct pb inner_eth = eth(0x0800, &ip);
	struct pb cw = raw("\0\0\0\0", 4);
	bpb(&cw, &inner_eth);
	l1 = mpls(5, true, &cw);
	e = eth(0x8847, &l1);
	CHECK(dec(1, &e));
	check_tcp4(2000, 25);

	reset("mpls-truncated");
	struct pb half = raw("\x00\x01", 2);
	e = eth(0x8847, &half);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_MPLS_TRUNCATED));

	reset("mpls-no-payload");
	struct pb empty = { .n = 0 };
	l1 = mpls(5, true, &empty);
	e = eth(0x8847, &l1);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_MPLS_TRUNCATED));

	reset("mpls-unknown-payload");
	struct pb junk = raw("\x99\x01\x02\x03", 4);
	l1 = mpls(5, true, &junk);
	e = eth(0x8847, &l1);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_MPLS_UNKNOWN));

	reset("mpls-too-many-labels");
	struct pb s = mpls(1, true, &ip);
	for (int i = 0; i < 8; i++) {
		struct pb n = mpls((unsigned)i + 2, false, &s);
		s = n;
	}
	e = eth(0x8847, &s);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_MPLS_TOO_MANY));
}

static void test_pppoe(void)
{
	struct pb t = tcp(3333, 80, 0x02, 0);
	struct pb ip = ip4(6, A4, B4, &t);

	reset("pppoe-ipv4");
	struct pb s = pppoe(0x0021, &ip);
	struct pb e = eth(0x8864, &s);
	CHECK(dec(1, &e));
	check_tcp4(3333, 80);

	reset("pppoe-ipv6");
	struct pb u = udp(546, 547, 10);
	struct pb i6 = ip6(17, A6, B6, &u);
	s = pppoe(0x0057, &i6);
	e = eth(0x8864, &s);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(P.dport, 547);
	CHECK_EQ_U(anomalies(), 0);

	reset("pppoe-truncated");
	struct pb h = raw("\x11\x00\x00\x42\x00", 5);
	e = eth(0x8864, &h);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_PPPOE_TRUNCATED));
}

static void test_sll(void)
{
	struct pb t = tcp(40000, 22, 0x10, 0);
	struct pb ip = ip4(6, A4, B4, &t);

	reset("sll");
	struct pb s = { .n = 0 };
	b16(&s, 0);       /* pkttype: to us */
	b16(&s, 1);       /* ARPHRD_ETHER */
	b16(&s, 6);
	bn(&s, "\x52\x54\x00\x12\x34\x56\x00\x00", 8);
	b16(&s, 0x0800);
	bpb(&s, &ip);
	CHECK(dec(113, &s));
	check_tcp4(40000, 22);

	reset("sll-truncated");
	struct pb cut = raw(s.d, 15);
	CHECK(!dec(113, &cut));
	CHECK(only_anomaly(ANOM_SLL_TRUNCATED));

	reset("sll2");
	struct pb u = udp(53, 33000, 20);
	struct pb i6 = ip6(17, B6, A6, &u);
	struct pb s2 = { .n = 0 };
	b16(&s2, 0x86dd);
	b16(&s2, 0);
	b32(&s2, 3);      /* ifindex */
	b16(&s2, 1);
	b8(&s2, 4);       /* outgoing */
	b8(&s2, 6);
	bn(&s2, "\x52\x54\x00\x12\x34\x56\x00\x00", 8);
	bpb(&s2, &i6);
	CHECK(dec(276, &s2));
	CHECK_EQ_U(P.family, 6);
	CHECK(addr_is(P.src, 6, B6));
	CHECK(addr_is(P.dst, 6, A6));
	CHECK_EQ_U(P.sport, 53);
	CHECK_EQ_U(P.dport, 33000);
	CHECK_EQ_U(P.payload_len, 20);
	CHECK_EQ_U(anomalies(), 0);

	reset("sll2-truncated");
	cut = raw(s2.d, 19);
	CHECK(!dec(276, &cut));
	CHECK(only_anomaly(ANOM_SLL2_TRUNCATED));
}

static void test_raw(void)
{
	struct pb t = tcp(1111, 2222, 0x12, 0);
	struct pb v4 = ip4(6, A4, B4, &t);
	struct pb u = udp(1, 2, 1);
	struct pb v6 = ip6(17, A6, B6, &u);
	static const int both[] = { 12, 14, 101 };
	for (unsigned i = 0; i < 3; i++) {
		reset("raw-v4");
		CHECK(dec(both[i], &v4));
		check_tcp4(1111, 2222);
		CHECK_EQ_U(P.depth, 2);
		reset("raw-v6");
		CHECK(dec(both[i], &v6));
		CHECK_EQ_U(P.family, 6);
		CHECK_EQ_U(P.proto, 17);
		CHECK_EQ_U(anomalies(), 0);
	}
	reset("linktype-228");
	CHECK(dec(228, &v4));
	check_tcp4(1111, 2222);
	reset("linktype-229");
	CHECK(dec(229, &v6));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(anomalies(), 0);

	reset("linktype-228-given-v6");
	CHECK(!dec(228, &v6));
	CHECK(only_anomaly(ANOM_IPV4_BAD_VERSION));
	reset("linktype-229-given-v4");
	CHECK(!dec(229, &v4));  /* 40 bytes: a whole IPv6 header, wrong version */
	CHECK(only_anomaly(ANOM_IPV6_BAD_VERSION));
	reset("linktype-229-short-v4");
	struct pb short4 = raw(v4.d, 30);
	CHECK(!dec(229, &short4));
	CHECK(only_anomaly(ANOM_IPV6_TRUNCATED));  /* 40 bytes needed before the version check */

	reset("raw-bad-version");
	struct pb bad = v4;
	bad.d[0] = 0x55;
	CHECK(!dec(101, &bad));
	CHECK(only_anomaly(ANOM_RAW_BAD_VERSION));

	reset("raw-empty");
	struct pb empty = { .n = 0 };
	CHECK(!dec(101, &empty));
	CHECK_EQ_U(anomalies(), 1);

	reset("link-unsupported");
	CHECK(!dec(147, &v4));
	CHECK(only_anomaly(ANOM_LINK_UNSUPPORTED));
}

static void test_null(void)
{
	struct pb t = tcp(5000, 6000, 0x10, 1);
	struct pb v4 = ip4(6, A4, B4, &t);
	struct pb u = udp(7, 7, 0);
	struct pb v6 = ip6(17, A6, B6, &u);
	static const uint32_t fam6[] = { 10, 24, 28, 30 };

	for (int be = 0; be < 2; be++) {
		reset(be ? "null-v4-be" : "null-v4-le");
		struct pb b = { .n = 0 };
		if (be)
			b32(&b, 2);
		else
			le32(&b, 2);
		bpb(&b, &v4);
		CHECK(dec(0, &b));
		check_tcp4(5000, 6000);
		for (unsigned i = 0; i < 4; i++) {
			reset(be ? "null-v6-be" : "null-v6-le");
			struct pb c = { .n = 0 };
			if (be)
				b32(&c, fam6[i]);
			else
				le32(&c, fam6[i]);
			bpb(&c, &v6);
			CHECK(dec(0, &c));
			CHECK_EQ_U(P.family, 6);
			CHECK_EQ_U(anomalies(), 0);
		}
	}

	reset("loop-v6");
	struct pb l = { .n = 0 };
	b32(&l, 30);
	bpb(&l, &v6);
	CHECK(dec(108, &l));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(anomalies(), 0);

	reset("null-unknown-family");
	struct pb x = { .n = 0 };
	le32(&x, 17);
	bpb(&x, &v4);
	CHECK(!dec(0, &x));
	CHECK(only_anomaly(ANOM_NULL_UNKNOWN_FAMILY));

	reset("null-truncated");
	x = raw("\x02\x00\x00", 3);
	CHECK(!dec(0, &x));
	CHECK(only_anomaly(ANOM_NULL_TRUNCATED));
}

static void test_ipv6_ext(void)
{
	reset("ipv6-hbh-dstopts");
	struct pb t = tcp(443, 50000, 0x18, 7);
	struct pb d = ext_opts(6, &t);
	struct pb h = ext_opts(60, &d);
	struct pb ip = ip6(0, A6, B6, &h);
	struct pb e = eth(0x86dd, &ip);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(P.proto, 6);
	CHECK(P.has_ports);
	CHECK_EQ_U(P.sport, 443);
	CHECK_EQ_U(P.dport, 50000);
	CHECK_EQ_U(P.payload_len, 7);
	CHECK_EQ_U(P.payload_caplen, 7);
	CHECK_EQ_U(P.ip_len, 40 + 16 + 20 + 7);
	CHECK(addr_is(P.src, 6, A6));
	CHECK(addr_is(P.dst, 6, B6));
	CHECK_EQ_U(anomalies(), 0);

	reset("ipv6-ext-truncated");
	struct pb one = raw("\x06", 1);
	ip = ip6(0, A6, B6, &one);
	CHECK(dec(229, &ip));  /* the IP layer is there */
	CHECK(only_anomaly(ANOM_IPV6_EXT_TRUNCATED));

	reset("ipv6-ext-too-long");
	struct pb lng = raw("\x06\x05\x00\x00\x00\x00\x00\x00", 8);  /* says 48 bytes */
	ip = ip6(0, A6, B6, &lng);
	CHECK(dec(229, &ip));
	CHECK(only_anomaly(ANOM_IPV6_EXT_TRUNCATED));

	reset("ipv6-too-many-ext");
	struct pb s = tcp(1, 2, 2, 0);
	for (int i = 0; i < 9; i++) {
		struct pb n = ext_opts(i ? 60 : 6, &s);
		s = n;
	}
	ip = ip6(60, A6, B6, &s);
	CHECK(dec(229, &ip));
	CHECK(only_anomaly(ANOM_IPV6_EXT_TOO_MANY));

	reset("ipv6-no-next-header");
	struct pb none = { .n = 0 };
	ip = ip6(59, A6, B6, &none);
	CHECK(dec(229, &ip));
	CHECK_EQ_U(P.proto, 59);
	CHECK(!P.has_ports);
	CHECK_EQ_U(anomalies(), 0);
}

static void test_ipv4_frag(void)
{
	reset("ipv4-fragments");
	/* A 1000-byte UDP datagram cut into 2 fragments (offsets 0 and 512/8). */
	struct pb u = udp(5000, 53, 992);
	struct pb f1 = raw(u.d, 512);
	struct pb f2 = raw(u.d + 512, u.n - 512);
	struct pb ip1 = ip4x(17, A4, B4, 0xbeef, 0x2000, 5, 20 + f1.n, &f1);
	struct pb ip2 = ip4x(17, A4, B4, 0xbeef, 512 / 8, 5, 20 + f2.n, &f2);
	struct pb e1 = eth(0x0800, &ip1), e2 = eth(0x0800, &ip2);
	CHECK(dec(1, &e1));
	CHECK_EQ_U(P.frag, FRAG_FIRST);
	CHECK(P.has_ports);
	CHECK_EQ_U(P.sport, 5000);
	CHECK_EQ_U(P.dport, 53);
	CHECK(dec(1, &e2));
	CHECK_EQ_U(P.frag, FRAG_LATER);
	CHECK_EQ_U(P.proto, 17);
	CHECK(P.has_ports);
	CHECK_EQ_U(P.sport, 5000);
	CHECK_EQ_U(P.dport, 53);
	CHECK_EQ_U(P.payload_len, f2.n);
	CHECK_EQ_U(D.stats.fragments, 2);
	CHECK_EQ_U(D.anomalies[ANOM_FRAG_ORPHAN], 0);

	TEST("ipv4-fragment-other-id");
	/* same addresses, another id: an orphan, no ports */
	struct pb ip3 = ip4x(17, A4, B4, 0xbef0, 512 / 8, 5, 20 + f2.n, &f2);
	struct pb e3 = eth(0x0800, &ip3);
	CHECK(dec(1, &e3));
	CHECK_EQ_U(P.frag, FRAG_LATER);
	CHECK(!P.has_ports);
	CHECK_EQ_U(D.anomalies[ANOM_FRAG_ORPHAN], 1);

	TEST("ipv4-fragment-other-direction");
	/* the same id from the other host is another datagram */
	struct pb ip4b = ip4x(17, B4, A4, 0xbeef, 512 / 8, 5, 20 + f2.n, &f2);
	struct pb e4 = eth(0x0800, &ip4b);
	CHECK(dec(1, &e4));
	CHECK(!P.has_ports);
	CHECK_EQ_U(D.anomalies[ANOM_FRAG_ORPHAN], 2);

	TEST("ipv4-fragment-aged-out");
	/* 31 s after the first fragment the entry is stale */
	CHECK(dec_snap(1, &e2, e2.n, TS + 31000000000LL));
	CHECK(!P.has_ports);
	CHECK_EQ_U(D.anomalies[ANOM_FRAG_ORPHAN], 3);

	reset("ipv4-orphan-fragment");
	CHECK(dec(1, &e2));
	CHECK_EQ_U(P.frag, FRAG_LATER);
	CHECK(!P.has_ports);
	CHECK_EQ_U(P.family, 4);
	CHECK(only_anomaly(ANOM_FRAG_ORPHAN));

	reset("ipv4-first-fragment-tcp");
	struct pb t = tcp(1234, 80, 0x18, 100);
	struct pb tf = raw(t.d, 64);
	struct pb ipt = ip4x(6, A4, B4, 77, 0x2000, 5, 20 + tf.n, &tf);
	CHECK(dec(228, &ipt));
	CHECK_EQ_U(P.frag, FRAG_FIRST);
	CHECK_EQ_U(P.sport, 1234);
	CHECK_EQ_U(P.dport, 80);
	CHECK_EQ_U(anomalies(), 0);
}

/*
 * A first fragment of a UDP datagram carries the UDP header of the whole
 * datagram: its length field is larger than the fragment.  That is valid
 * and must not count decode.udp.bad_length (see the report: udp.c
 * compares the UDP length with the fragment's IP payload length).
 */
static void test_frag_first_udp_length(void)
{
	reset("ipv4-first-fragment-udp-length");
	struct pb u = udp(5000, 53, 1992);
	struct pb f1 = raw(u.d, 1480);
	struct pb ip1 = ip4x(17, A4, B4, 0x4242, 0x2000, 5, 20 + f1.n, &f1);
	CHECK(dec(228, &ip1));
	CHECK_EQ_U(P.frag, FRAG_FIRST);
	CHECK_EQ_U(P.sport, 5000);
	CHECK_EQ_U(D.anomalies[ANOM_UDP_BAD_LEN], 0);

	reset("ipv6-first-fragment-udp-length");
	struct pb f6 = raw(u.d, 1232);
	struct pb x = ext_frag(17, 0, true, 0x01020304, &f6);
	struct pb ip6p = ip6(44, A6, B6, &x);
	CHECK(dec(229, &ip6p));
	CHECK_EQ_U(P.frag, FRAG_FIRST);
	CHECK_EQ_U(D.anomalies[ANOM_UDP_BAD_LEN], 0);
}

static void test_ipv6_frag(void)
{
	reset("ipv6-fragments");
	struct pb u = udp(3000, 4000, 100);
	struct pb part1 = raw(u.d, 56);
	struct pb part2 = raw(u.d + 56, u.n - 56);
	struct pb x1 = ext_frag(17, 0, true, 0xdeadbeef, &part1);
	struct pb x2 = ext_frag(17, 7, false, 0xdeadbeef, &part2);
	struct pb i1 = ip6(44, A6, B6, &x1), i2 = ip6(44, A6, B6, &x2);
	struct pb e1 = eth(0x86dd, &i1), e2 = eth(0x86dd, &i2);
	CHECK(dec(1, &e1));
	CHECK_EQ_U(P.frag, FRAG_FIRST);
	CHECK_EQ_U(P.proto, 17);
	CHECK_EQ_U(P.sport, 3000);
	CHECK(dec(1, &e2));
	CHECK_EQ_U(P.frag, FRAG_LATER);
	CHECK_EQ_U(P.proto, 17);
	CHECK(P.has_ports);
	CHECK_EQ_U(P.sport, 3000);
	CHECK_EQ_U(P.dport, 4000);
	CHECK_EQ_U(P.payload_len, part2.n);
	CHECK_EQ_U(D.stats.fragments, 2);
	CHECK_EQ_U(D.anomalies[ANOM_FRAG_ORPHAN], 0);

	reset("ipv6-orphan-fragment");
	CHECK(dec(1, &e2));
	CHECK(!P.has_ports);
	CHECK(only_anomaly(ANOM_FRAG_ORPHAN));

	reset("ipv6-atomic-fragment");
	/* offset 0, M = 0: a whole datagram (RFC 6946), not a fragment */
	struct pb xa = ext_frag(17, 0, false, 9, &u);
	struct pb ia = ip6(44, A6, B6, &xa);
	CHECK(dec(229, &ia));
	CHECK_EQ_U(P.frag, FRAG_NONE);
	CHECK_EQ_U(P.sport, 3000);
	CHECK_EQ_U(P.payload_len, 100);
	CHECK_EQ_U(D.stats.fragments, 0);
	CHECK_EQ_U(anomalies(), 0);
}

static void test_tunnels(void)
{
	struct pb t = tcp(4444, 8080, 0x18, 12);
	struct pb in4 = ip4(6, C4, D4, &t);
	struct pb u = udp(6000, 7000, 9);
	struct pb in6 = ip6(17, A6, B6, &u);

	reset("4in4");
	struct pb o = ip4(4, A4, B4, &in4);
	struct pb e = eth(0x0800, &o);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.family, 4);
	CHECK(addr_is(P.src, 4, C4));
	CHECK(addr_is(P.dst, 4, D4));
	CHECK_EQ_U(P.sport, 4444);
	CHECK_EQ_U(P.dport, 8080);
	CHECK_EQ_U(P.payload_len, 12);
	CHECK_EQ_U(P.ip_len, in4.n);
	CHECK_EQ_U(P.tunnels, 1);
	CHECK_EQ_U(P.depth, 3);
	CHECK_EQ_U(D.stats.tunneled, 1);
	CHECK_EQ_U(D.stats.ipv4, 2);
	CHECK_EQ_U(anomalies(), 0);

	reset("6in4");
	o = ip4(41, A4, B4, &in6);
	CHECK(dec(228, &o));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(P.proto, 17);
	CHECK(addr_is(P.src, 6, A6));
	CHECK_EQ_U(P.sport, 6000);
	CHECK_EQ_U(P.dport, 7000);
	CHECK_EQ_U(P.payload_len, 9);
	CHECK_EQ_U(P.tunnels, 1);
	CHECK_EQ_U(anomalies(), 0);

	reset("4in6");
	o = ip6(4, A6, B6, &in4);
	e = eth(0x86dd, &o);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.family, 4);
	CHECK(addr_is(P.src, 4, C4));
	CHECK_EQ_U(P.sport, 4444);
	CHECK_EQ_U(P.tunnels, 1);
	CHECK_EQ_U(anomalies(), 0);

	reset("gre-key");
	struct pb g = { .n = 0 };
	b16(&g, 0x2000);  /* K */
	b16(&g, 0x0800);
	b32(&g, 0x11223344);
	bpb(&g, &in4);
	o = ip4(47, A4, B4, &g);
	e = eth(0x0800, &o);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.family, 4);
	CHECK_EQ_U(P.proto, 6);
	CHECK(addr_is(P.src, 4, C4));
	CHECK_EQ_U(P.sport, 4444);
	CHECK_EQ_U(P.dport, 8080);
	CHECK_EQ_U(P.tunnels, 1);
	CHECK_EQ_U(anomalies(), 0);

	reset("gre-csum-key-seq");
	g.n = 0;
	b16(&g, 0x8000 | 0x2000 | 0x1000);
	b16(&g, 0x86dd);
	b32(&g, 0);  /* checksum + reserved */
	b32(&g, 1);  /* key */
	b32(&g, 2);  /* sequence */
	bpb(&g, &in6);
	o = ip4(47, A4, B4, &g);
	CHECK(dec(228, &o));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(P.sport, 6000);
	CHECK_EQ_U(anomalies(), 0);

	reset("gre-pptp");
	g.n = 0;
	b16(&g, 0x3001);  /* K S, version 1 */
	b16(&g, 0x880b);
	b32(&g, 0x00400001);  /* payload length, call id */
	b32(&g, 5);           /* sequence */
	b16(&g, 0xff03);
	b16(&g, 0x0021);
	bpb(&g, &in4);
	o = ip4(47, A4, B4, &g);
	CHECK(dec(228, &o));
	CHECK_EQ_U(P.family, 4);
	CHECK(addr_is(P.src, 4, C4));
	CHECK_EQ_U(P.dport, 8080);
	CHECK_EQ_U(anomalies(), 0);

	reset("gre-truncated");
	g = raw("\x20\x00\x08", 3);
	o = ip4(47, A4, B4, &g);
	CHECK(dec(228, &o));
	CHECK(only_anomaly(ANOM_GRE_TRUNCATED));
	reset("gre-key-truncated");
	g = raw("\x20\x00\x08\x00\x11\x22", 6);
	o = ip4(47, A4, B4, &g);
	CHECK(dec(228, &o));
	CHECK(only_anomaly(ANOM_GRE_TRUNCATED));
	reset("gre-unsupported");
	g = raw("\x00\x02\x08\x00", 4);  /* version 2 */
	o = ip4(47, A4, B4, &g);
	CHECK(dec(228, &o));
	CHECK(only_anomaly(ANOM_GRE_UNSUPPORTED));

	reset("teredo");
	struct pb tu = udp(3544, 51000, 0);
	struct pb inner6 = ip6(17, A6, B6, &u);
	tu = udp_with(3544, 51000, &inner6);
	o = ip4(17, B4, A4, &tu);
	e = eth(0x0800, &o);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(P.proto, 17);
	CHECK(addr_is(P.src, 6, A6));
	CHECK(addr_is(P.dst, 6, B6));
	CHECK_EQ_U(P.sport, 6000);
	CHECK_EQ_U(P.dport, 7000);
	CHECK_EQ_U(P.tunnels, 1);
	CHECK_EQ_U(anomalies(), 0);

	reset("teredo-origin-indication");
	struct pb oi = raw("\x00\x00\x12\x34\xc0\x00\x02\x01", 8);
	bpb(&oi, &inner6);
	tu = udp_with(51000, 3544, &oi);
	o = ip4(17, B4, A4, &tu);
	CHECK(dec(228, &o));
	CHECK_EQ_U(P.family, 6);
	CHECK_EQ_U(P.sport, 6000);
	CHECK_EQ_U(P.tunnels, 1);
	CHECK_EQ_U(anomalies(), 0);

	reset("udp-3544-not-teredo");
	tu = udp(3544, 51000, 30);
	o = ip4(17, B4, A4, &tu);
	CHECK(dec(228, &o));
	CHECK_EQ_U(P.family, 4);
	CHECK_EQ_U(P.sport, 3544);
	CHECK_EQ_U(P.tunnels, 0);
	CHECK_EQ_U(P.payload_len, 30);
	CHECK_EQ_U(anomalies(), 0);
}

static void test_depth(void)
{
	reset("tunnel-too-deep");
	struct pb t = tcp(1, 2, 0x02, 0);
	struct pb s = ip4(6, C4, D4, &t);
	for (int i = 0; i < 12; i++) {
		struct pb n = ip4(4, A4, B4, &s);
		s = n;
	}
	struct pb e = eth(0x0800, &s);
	CHECK(dec(1, &e));  /* the outer layers decoded */
	CHECK_EQ_U(P.depth, DECODE_MAX_DEPTH);
	CHECK_EQ_U(D.anomalies[ANOM_TUNNEL_TOO_DEEP], 1);
	CHECK_EQ_U(anomalies(), 1);
	CHECK(!P.has_ports);

	reset("tunnel-at-the-cap");
	/* link + 7 IP layers: exactly the cap, decoded to TCP */
	s = ip4(6, C4, D4, &t);
	for (int i = 0; i < DECODE_MAX_DEPTH - 2; i++) {
		struct pb n = ip4(4, A4, B4, &s);
		s = n;
	}
	e = eth(0x0800, &s);
	CHECK(dec(1, &e));
	CHECK_EQ_U(P.depth, DECODE_MAX_DEPTH);
	CHECK(P.has_ports);
	CHECK(addr_is(P.src, 4, C4));
	CHECK_EQ_U(anomalies(), 0);

	reset("gre-ethernet-loop");
	/* GRE carrying Ethernet carrying GRE...: stopped by the same cap */
	struct pb g = { .n = 0 };
	s = ip4(6, C4, D4, &t);
	for (int i = 0; i < 10; i++) {
		struct pb in_eth = eth(0x0800, &s);
		g.n = 0;
		b16(&g, 0);
		b16(&g, 0x6558);
		bpb(&g, &in_eth);
		struct pb n = ip4(47, A4, B4, &g);
		s = n;
	}
	CHECK(dec(228, &s));
	CHECK(D.anomalies[ANOM_TUNNEL_TOO_DEEP] == 1);
	CHECK(P.depth <= DECODE_MAX_DEPTH);
}

static void test_icmp(void)
{
	reset("icmp-echo");
	struct pb i = icmp(8, 0);
	struct pb ip = ip4(1, A4, B4, &i);
	CHECK(dec(228, &ip));
	CHECK_EQ_U(P.proto, 1);
	CHECK(P.has_ports);
	CHECK_EQ_U(P.sport, 8);
	CHECK_EQ_U(P.dport, 0);
	CHECK_EQ_U(P.payload_len, 4);
	i = icmp(0, 0);
	ip = ip4(1, B4, A4, &i);
	CHECK(dec(228, &ip));
	CHECK_EQ_U(P.sport, 0);
	CHECK_EQ_U(P.dport, 8);
	i = icmp(3, 3);  /* unreachable: port = code */
	ip = ip4(1, B4, A4, &i);
	CHECK(dec(228, &ip));
	CHECK_EQ_U(P.sport, 3);
	CHECK_EQ_U(P.dport, 3);
	CHECK_EQ_U(D.stats.icmp, 3);
	CHECK_EQ_U(anomalies(), 0);

	reset("icmpv6-echo");
	i = icmp(128, 0);
	ip = ip6(58, A6, B6, &i);
	CHECK(dec(229, &ip));
	CHECK_EQ_U(P.proto, 58);
	CHECK_EQ_U(P.sport, 128);
	CHECK_EQ_U(P.dport, 129);
	i = icmp(129, 0);
	ip = ip6(58, B6, A6, &i);
	CHECK(dec(229, &ip));
	CHECK_EQ_U(P.sport, 129);
	CHECK_EQ_U(P.dport, 128);
	CHECK_EQ_U(anomalies(), 0);
}

/* A transport header cut inside a complete IP packet counts its anomaly. */
static void test_truncated(void)
{
	struct pb t = tcp(1, 2, 0x02, 0), u = udp(1, 2, 0), ic = icmp(8, 0);
	struct pb x, ip, e;

	reset("ethernet-truncated");
	x = raw("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x08", 13);
	CHECK(!dec(1, &x));
	CHECK(only_anomaly(ANOM_ETH_TRUNCATED));

	reset("ipv4-truncated");
	ip = ip4(6, A4, B4, &t);
	x = raw(ip.d, 19);
	e = eth(0x0800, &x);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_IPV4_TRUNCATED));

	reset("ipv4-options-truncated");
	ip = ip4x(6, A4, B4, 1, 0, 15, 60 + t.n, &t);
	x = raw(ip.d, 40);
	CHECK(!dec(228, &x));
	CHECK(only_anomaly(ANOM_IPV4_TRUNCATED));

	reset("ipv4-bad-version");
	ip = ip4(6, A4, B4, &t);
	ip.d[0] = 0x55;
	e = eth(0x0800, &ip);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_IPV4_BAD_VERSION));

	reset("ipv4-bad-header-length");
	ip = ip4(6, A4, B4, &t);
	ip.d[0] = 0x44;
	CHECK(!dec(228, &ip));
	CHECK(only_anomaly(ANOM_IPV4_BAD_HLEN));

	reset("ipv4-bad-total-length");
	ip = ip4x(6, A4, B4, 1, 0, 5, 19, &t);
	CHECK(!dec(228, &ip));
	CHECK(only_anomaly(ANOM_IPV4_BAD_LEN));

	reset("ipv6-truncated");
	ip = ip6(17, A6, B6, &u);
	x = raw(ip.d, 39);
	e = eth(0x86dd, &x);
	CHECK(!dec(1, &e));
	CHECK(only_anomaly(ANOM_IPV6_TRUNCATED));

	reset("tcp-truncated-no-ports");
	x = raw(t.d, 3);
	ip = ip4(6, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(!P.has_ports);
	CHECK(P.l4_truncated);
	CHECK(only_anomaly(ANOM_TCP_TRUNCATED));

	reset("tcp-truncated-ports");
	x = raw(t.d, 10);
	ip = ip4(6, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(P.has_ports);
	CHECK_EQ_U(P.sport, 1);
	CHECK_EQ_U(P.dport, 2);
	CHECK(P.l4_truncated);
	CHECK(only_anomaly(ANOM_TCP_TRUNCATED));

	reset("tcp-bad-header-length");
	x = t;
	x.d[12] = 4 << 4;
	ip = ip4(6, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(only_anomaly(ANOM_TCP_BAD_HLEN));
	reset("tcp-header-longer-than-packet");
	x = t;
	x.d[12] = 15 << 4;  /* 60 bytes, but the IP payload is 20 */
	ip = ip4(6, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(only_anomaly(ANOM_TCP_BAD_HLEN));

	reset("udp-truncated");
	x = raw(u.d, 3);
	ip = ip4(17, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(!P.has_ports);
	CHECK(only_anomaly(ANOM_UDP_TRUNCATED));
	reset("udp-truncated-ports");
	x = raw(u.d, 6);
	ip = ip4(17, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(P.has_ports);
	CHECK(only_anomaly(ANOM_UDP_TRUNCATED));

	reset("udp-bad-length");
	x = udp(1, 2, 10);
	x.d[5] = 4;  /* length 4 < 8 */
	ip = ip4(17, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(only_anomaly(ANOM_UDP_BAD_LEN));
	reset("udp-length-past-ip");
	x = udp(1, 2, 10);
	x.d[5] = 200;
	ip = ip4(17, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(only_anomaly(ANOM_UDP_BAD_LEN));
	CHECK_EQ_U(P.payload_len, 10);  /* from the IP length */

	reset("udp-shorter-than-ip");
	/* UDP length smaller than the IP payload: trailing bytes are not payload */
	x = udp(1, 2, 10);
	x.d[5] = 8 + 4;
	ip = ip4(17, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK_EQ_U(P.payload_len, 4);
	CHECK_EQ_U(P.payload_caplen, 4);
	CHECK_EQ_U(anomalies(), 0);

	reset("icmp-truncated");
	x = raw(ic.d, 1);
	ip = ip4(1, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(only_anomaly(ANOM_ICMP_TRUNCATED));
	reset("icmp-header-truncated");
	x = raw(ic.d, 5);
	ip = ip4(1, A4, B4, &x);
	CHECK(dec(228, &ip));
	CHECK(P.has_ports);
	CHECK(only_anomaly(ANOM_ICMP_TRUNCATED));

	reset("icmpv6-truncated");
	x = raw(ic.d, 1);
	ip = ip6(58, A6, B6, &x);
	CHECK(dec(229, &ip));
	CHECK(only_anomaly(ANOM_ICMPV6_TRUNCATED));
}

static void test_lengths(void)
{
	reset("ipv4-length-past-packet");
	struct pb t = tcp(1, 2, 0x10, 0);
	struct pb ip = ip4x(6, A4, B4, 1, 0, 5, 1000, &t);  /* says 1000, has 40 */
	struct pb e = eth(0x0800, &ip);
	CHECK(dec(1, &e));
	CHECK(D.anomalies[ANOM_IPV4_LEN_PAST_WIRE] == 1);
	CHECK_EQ_U(P.ip_len, 1000);

	reset("ipv6-length-past-packet");
	struct pb u = udp(1, 2, 0);
	ip = ip6(17, A6, B6, &u);
	ip.d[4] = 0x03;  /* 768 + 8 */
	CHECK(dec(229, &ip));
	CHECK(D.anomalies[ANOM_IPV6_LEN_PAST_WIRE] == 1);

	reset("snaplen-truncated-tcp");
	t = tcp(49152, 80, 0x18, 1000);
	ip = ip4(6, A4, B4, &t);
	e = eth(0x0800, &ip);
	CHECK(dec_snap(1, &e, 14 + 20 + 20 + 100, TS));  /* snaplen 154 */
	check_tcp4(49152, 80);
	CHECK_EQ_U(P.payload_len, 1000);
	CHECK_EQ_U(P.payload_caplen, 100);
	CHECK_EQ_U(P.ip_len, 1040);
	CHECK_EQ_U(P.caplen, 154);
	CHECK_EQ_U(P.wirelen, e.n);
	CHECK(!P.l4_truncated);
	CHECK_EQ_U(D.stats.snap_truncated, 1);

	reset("snaplen-inside-tcp-options");
	/* 68-byte snaplen (tcpdump -s 68 style) cutting TCP options: no anomaly */
	struct pb to = tcp(49152, 80, 0x02, 0);
	to.d[12] = 10 << 4;  /* 40-byte header */
	bpat(&to, 20);
	ip = ip4(6, A4, B4, &to);
	e = eth(0x0800, &ip);
	CHECK(dec_snap(1, &e, 14 + 20 + 24, TS));
	CHECK(P.has_ports);
	CHECK_EQ_U(P.tcp_flags, 0x02);
	CHECK(P.l4_truncated);
	CHECK_EQ_U(anomalies(), 0);

	reset("snaplen-inside-ip-header");
	CHECK(!dec_snap(1, &e, 14 + 10, TS));
	CHECK(only_anomaly(ANOM_IPV4_TRUNCATED));
}

static void test_nflog(void)
{
	reset("nflog");
	struct pb t = tcp(1, 2, 0x02, 0);
	struct pb ip = ip4(6, A4, B4, &t);
	struct pb n = { .n = 0 };
	b8(&n, 2);
	b8(&n, 0);
	b16(&n, 0);
	/* a prefix TLV (type 10), then the payload TLV (type 9) */
	b8(&n, 4 + 3);
	b8(&n, 0);
	b8(&n, 10);
	b8(&n, 0);
	bn(&n, "ab\0\0", 4);  /* 3 bytes + 1 pad */
	b8(&n, (unsigned)(4 + ip.n));
	b8(&n, 0);
	b8(&n, 9);
	b8(&n, 0);
	bpb(&n, &ip);
	CHECK(dec(239, &n));
	check_tcp4(1, 2);

	reset("nflog-truncated");
	struct pb c = raw(n.d, 2);
	CHECK(!dec(239, &c));
	CHECK(only_anomaly(ANOM_NFLOG_TRUNCATED));
	reset("nflog-tlv-past-end");
	c = raw(n.d, 12 + 4 + 10);  /* the payload TLV says 44 bytes, 14 are there */
	CHECK(!dec(239, &c));
	CHECK(only_anomaly(ANOM_NFLOG_TRUNCATED));
}

static bool internal4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t x[16] = { a, b, c, d };
	return decode_addr_internal(4, x);
}

static bool internal6(const char *s)
{
	uint8_t fam, a[16];
	if (!decode_addr_parse(s, &fam, a) || fam != 6)
		return false;
	return decode_addr_internal(6, a);
}

static void test_addr(void)
{
	TEST("addr-internal-v4");
	CHECK(internal4(10, 1, 2, 3));
	CHECK(internal4(172, 16, 0, 1));
	CHECK(internal4(172, 31, 255, 255));
	CHECK(!internal4(172, 15, 255, 255));
	CHECK(!internal4(172, 32, 0, 1));
	CHECK(internal4(192, 168, 1, 1));
	CHECK(!internal4(192, 169, 0, 1));
	CHECK(internal4(100, 64, 0, 1));
	CHECK(internal4(100, 127, 255, 255));
	CHECK(!internal4(100, 63, 255, 255));
	CHECK(!internal4(100, 128, 0, 1));
	CHECK(internal4(169, 254, 3, 4));
	CHECK(internal4(127, 0, 0, 1));
	CHECK(!internal4(8, 8, 8, 8));
	CHECK(!internal4(11, 0, 0, 1));

	TEST("addr-internal-v6");
	CHECK(internal6("fc00::1"));
	CHECK(internal6("fd12:3456::1"));
	CHECK(internal6("fe80::1"));
	CHECK(internal6("febf::1"));
	CHECK(!internal6("fec0::1"));
	CHECK(!internal6("fb00::1"));
	CHECK(!internal6("2001:db8::1"));
	CHECK(internal6("::1"));
	CHECK(!internal6("::2"));

	TEST("addr-str-parse");
	uint8_t fam, a[16];
	char buf[64];
	CHECK(decode_addr_parse("192.0.2.33", &fam, a));
	CHECK_EQ_U(fam, 4);
	CHECK(a[0] == 192 && a[3] == 33 && a[4] == 0 && a[15] == 0);
	decode_addr_str(4, a, buf, sizeof buf);
	CHECK_STR(buf, "192.0.2.33");
	CHECK(decode_addr_parse("2001:db8::ab:2", &fam, a));
	CHECK_EQ_U(fam, 6);
	decode_addr_str(6, a, buf, sizeof buf);
	CHECK_STR(buf, "2001:db8::ab:2");
	CHECK(!decode_addr_parse("300.1.1.1", &fam, a));
	CHECK(!decode_addr_parse("host", &fam, a));
	/* every octet value in every position, against inet_ntop */
	unsigned bad = 0;
	for (unsigned v = 0; v < 256; v++) {
		uint8_t q[16] = { (uint8_t)v, (uint8_t)(255 - v), (uint8_t)(v * 7), (uint8_t)(v / 3) };
		char want[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, q, want, sizeof want);
		decode_addr_str(4, q, buf, sizeof buf);
		bad += strcmp(buf, want) != 0;
	}
	CHECK(bad == 0);
}

static void test_flags_names(void)
{
	TEST("tcp-flags-str");
	char b[16];
	static const struct {
		uint8_t f;
		const char *s;
	} cases[] = {
		{ 0x02, "S" }, { 0x12, "S." }, { 0x10, "." }, { 0x18, "P." }, { 0x11, "F." },
		{ 0x04, "R" }, { 0x14, "R." }, { 0x01, "F" }, { 0x00, "none" }, { 0xc2, "SEW" },
		{ 0x29, "FPU" }, { 0xff, "SFPRUEW." },
	};
	for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
		decode_tcp_flags_str(cases[i].f, b, sizeof b);
		CHECK_STR(b, cases[i].s);
	}
	char small[3];
	decode_tcp_flags_str(0xff, small, sizeof small);
	CHECK_STR(small, "SF");
	decode_tcp_flags_str(0, small, sizeof small);
	CHECK_STR(small, "");

	TEST("anomaly-names");
	CHECK_STR(decode_anomaly_name(ANOM_IPV4_LEN_PAST_WIRE), "decode.ipv4.length_past_packet");
	CHECK_STR(decode_anomaly_name(ANOM_TUNNEL_TOO_DEEP), "decode.tunnel.too_many_layers");
	CHECK_STR(decode_anomaly_name(ANOM_FRAG_ORPHAN), "decode.frag.no_first_fragment");
	CHECK_STR(decode_anomaly_name(ANOM_ARP_TRUNCATED), "decode.arp.truncated");
	CHECK_STR(decode_anomaly_name(ANOM_ARP_UNSUPPORTED), "decode.arp.unsupported");
	CHECK_STR(decode_anomaly_name(ANOM_COUNT), "decode.unknown");
	bool ok = true;
	for (int i = 0; i < ANOM_COUNT; i++) {
		const char *n = decode_anomaly_name(i);
		if (strncmp(n, "decode.", 7) != 0 || strchr(n + 7, '.') == NULL)
			ok = false;
		for (int j = 0; j < i; j++)
			if (strcmp(n, decode_anomaly_name(j)) == 0)
				ok = false;
	}
	CHECK(ok);
	CHECK_STR(decode_proto_name(6), "tcp");
	CHECK_STR(decode_proto_name(58), "icmpv6");
	CHECK(decode_proto_name(253) == NULL);
}

int main(void)
{
	decoder_init(&D);
	test_ethernet_tcp();
	test_arp();
	test_vlan();
	test_mpls();
	test_pppoe();
	test_sll();
	test_raw();
	test_null();
	test_ipv6_ext();
	test_ipv4_frag();
	test_frag_first_udp_length();
	test_ipv6_frag();
	test_tunnels();
	test_depth();
	test_icmp();
	test_truncated();
	test_lengths();
	test_nflog();
	test_addr();
	test_flags_names();
	decoder_free(&D);
	return harness_report("decode");
}
