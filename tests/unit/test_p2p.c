/*
 * test_p2p.c - the Overnet codec (known byte strings from mldonkey's
 * overnet.txt and KadC, round trips of every opcode, truncation), the
 * Storm XOR variant and key recovery, Kademlia distance and tables, and
 * agreement with the synthetic generator (synth/build_overnet.c), and
 * the size estimates' truth definitions (at probe time, online during).
 */
#include "harness.h"
#include "p2p/p2p.h"
#include "synth/build.h"

#include <stdlib.h>

static const uint8_t ID1[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void test_known_bytes(void)
{
	struct ov_msg m;
	TEST("overnet.txt GetMyIP: int8 54, int8 18 = port 4662");
	static const uint8_t getmyip[] = { 0xE3, 0x1B, 54, 18 };
	CHECK(ov_decode(getmyip, sizeof getmyip, &m) == OV_OK);
	CHECK_EQ_U(m.op, OV_GETMYIP);
	CHECK_EQ_U(m.a, 4662);
	CHECK_STR(ov_op_name(m.op), "GetMyIP");

	TEST("overnet.txt ip: 127.0.0.1 = 127 + 0<<8 + 0<<16 + 1<<24");
	static const uint8_t myip[] = { 0xE3, 0x1C, 127, 0, 0, 1 };
	CHECK(ov_decode(myip, sizeof myip, &m) == OV_OK);
	CHECK_EQ_U(m.ip, 0x7f000001);

	TEST("Connect: md4, ip, port, kind (25 bytes)");
	uint8_t conn[25] = { 0xE3, 0x0A };
	memcpy(conn + 2, ID1, 16);
	conn[18] = 10, conn[19] = 0, conn[20] = 0, conn[21] = 7;
	conn[22] = 0x36, conn[23] = 0x12, conn[24] = 0;
	CHECK(ov_decode(conn, sizeof conn, &m) == OV_OK);
	CHECK_EQ_U(m.peer.ip, 0x0a000007);
	CHECK_EQ_U(m.peer.port, 4662);
	CHECK(!memcmp(m.peer.id, ID1, 16));

	TEST("PublicizeAck and GetMyIPDone and Identify have no arguments");
	static const uint8_t ack[] = { 0xE3, 0x0D }, done[] = { 0xE3, 0x1D }, ident[] = { 0xE3, 0x1E };
	CHECK(ov_decode(ack, 2, &m) == OV_OK && m.op == OV_PUBLICIZE_ACK);
	CHECK(ov_decode(done, 2, &m) == OV_OK && m.op == OV_GETMYIP_DONE);
	CHECK(ov_decode(ident, 2, &m) == OV_OK && m.op == OV_IDENTIFY);

	TEST("SearchEnd: mldonkey (hash only) and KadC (hash + two ushorts)");
	uint8_t end[22] = { 0xE3, 0x12 };
	memcpy(end + 2, ID1, 16);
	end[18] = 5, end[20] = 6;
	CHECK(ov_decode(end, 18, &m) == OV_OK && !m.has_counts);
	CHECK(ov_decode(end, 22, &m) == OV_OK && m.has_counts && m.a == 5 && m.b == 6);
	CHECK(ov_decode(end, 20, &m) == OV_ETRUNC);

	TEST("bad magic, unknown opcode, truncated, trailing bytes");
	static const uint8_t ed2k[] = { 0xE4, 0x0A }, unk[] = { 0xE3, 0x17 }, one[] = { 0xE3 };
	CHECK(ov_decode(ed2k, 2, &m) == OV_EMAGIC);
	CHECK(ov_decode(unk, 2, &m) == OV_EOPCODE);
	CHECK(ov_decode(one, 1, &m) == OV_ETRUNC);
	CHECK(ov_decode(one, 0, &m) == OV_ETRUNC);
	CHECK(ov_decode(conn, 24, &m) == OV_ETRUNC);
	uint8_t longer[26];
	memcpy(longer, conn, 25);
	longer[25] = 0;
	CHECK(ov_decode(longer, 26, &m) == OV_EINVALID);
	CHECK_STR(ov_status_name(OV_ETRUNC), "p2p.overnet.truncated");

	TEST("ConnectReply count larger than the datagram is truncated, not an overread");
	static const uint8_t lying[] = { 0xE3, 0x0B, 0xff, 0xff, 1, 2, 3 };
	CHECK(ov_decode(lying, sizeof lying, &m) == OV_ETRUNC);
}

/* Encodes m, decodes it, re-encodes: both encodings must match. */
static void roundtrip(const struct ov_msg *m)
{
	uint8_t a[2048], b[2048];
	size_t n = ov_encode(m, a, sizeof a);
	struct ov_msg d;
	CHECK(n >= 2);
	CHECK(ov_decode(a, n, &d) == OV_OK);
	CHECK_EQ_U(d.op, m->op);
	size_t k = ov_encode(&d, b, sizeof b);
	CHECK_EQ_U(k, n);
	CHECK(!memcmp(a, b, n));
	for (size_t cut = 0; cut < n; cut++) {
		enum ov_status st = ov_decode(a, cut, &d);
		if (st != OV_ETRUNC && !(m->op == OV_SEARCH_END && cut == 18)) {
			fprintf(stderr, "op 0x%02x cut %zu: %s\n", m->op, cut, ov_status_name(st));
			CHECK(st == OV_ETRUNC);
		}
	}
	CHECK_EQ_U(ov_encode(m, a, n - 1), 0);
}

static void test_roundtrip(void)
{
	TEST("round trip of every opcode");
	uint8_t recs[3 * OV_PEERLEN];
	struct ov_peer p = { .ip = 0x7f4d0102, .port = 40001, .kind = 3 };
	memcpy(p.id, ID1, 16);
	for (int i = 0; i < 3; i++)
		ov_peer_put(recs + i * OV_PEERLEN, &p);
	/* tags: string name "bot.exe" (special tag 0x01), dword size (0x02) */
	static const uint8_t tags[] = { 0x02, 1, 0, 0x01, 7, 0, 'b', 'o', 't', '.', 'e', 'x', 'e',
					0x03, 1, 0, 0x02, 0x10, 0x27, 0, 0 };
	for (unsigned op = 0; op < 256; op++) {
		if (!ov_op_name((uint8_t)op))
			continue;
		struct ov_msg m = { .op = (uint8_t)op, .kind = 0x14, .peer = p, .a = 4662, .b = 9, .ip = 0x7f000001,
				    .peers = recs, .npeers = 3, .tags = tags, .tags_len = sizeof tags, .ntags = 2,
				    .has_counts = true };
		memcpy(m.hash, ID1, 16);
		m.id[0] = 0xaa;
		if (op == OV_IDENTIFY_REPLY)
			m.peer.kind = 0;
		roundtrip(&m);
	}
	struct ov_msg d;
	uint8_t buf[128];
	struct ov_msg m = { .op = OV_CONNECT_REPLY, .peers = recs, .npeers = 3 };
	size_t n = ov_encode(&m, buf, sizeof buf);
	CHECK(ov_decode(buf, n, &d) == OV_OK);
	struct ov_peer q;
	ov_peer_get(&d, 2, &q);
	CHECK(q.ip == p.ip && q.port == p.port && q.kind == 3 && !memcmp(q.id, ID1, 16));

	TEST("a tag of unknown type is invalid, a cut tag truncated");
	uint8_t pub[2 + 32 + 4 + sizeof tags];
	struct ov_msg t = { .op = OV_PUBLISH, .tags = tags, .tags_len = sizeof tags, .ntags = 2 };
	n = ov_encode(&t, pub, sizeof pub);
	pub[38] = 0x09;
	CHECK(ov_decode(pub, n, &d) == OV_EINVALID);
}

static void test_synth_agrees(void)
{
	TEST("synth/build_overnet.c messages decode");
	uint8_t buf[512];
	struct build_ovpeer bp = { .ip = 0xc0a80002, .port = 7871, .kind = 0 };
	memcpy(bp.id, ID1, 16);
	struct build_ovpeer peers[4] = { bp, bp, bp, bp };
	struct ov_msg m;
	size_t n = build_ov_hello(buf, OVERNET_CONNECT, &bp);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.op == OV_CONNECT && m.peer.ip == 0xc0a80002 && m.peer.port == 7871);
	n = build_ov_connect_reply(buf, peers, 4);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.npeers == 4);
	n = build_ov_search(buf, 2, ID1);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.op == OV_SEARCH && m.kind == 2);
	n = build_ov_search_next(buf, ID1, peers, 4);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.op == OV_SEARCH_NEXT && m.npeers == 4);
	n = build_ov_search_info(buf, ID1, 0, 100);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.op == OV_SEARCH_INFO && m.b == 100);
	n = build_ov_search_result(buf, sizeof buf, ID1, ID1, "x.exe", 1234);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.op == OV_SEARCH_RESULT && m.ntags == 2);
	n = build_ov_publish(buf, sizeof buf, ID1, ID1, "x.exe", 1234);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.op == OV_PUBLISH);
	n = build_ov_search_end(buf, ID1, 1, 2);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.op == OV_SEARCH_END && m.has_counts);
	n = build_ov_publish_ack(buf, ID1);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.op == OV_PUBLISH_ACK);
	n = build_ov_bare(buf, OVERNET_PUBLICIZE_ACK);
	CHECK(ov_decode(buf, n, &m) == OV_OK && m.op == OV_PUBLICIZE_ACK);
}

static void test_xor(void)
{
	uint8_t key[OV_XOR_KEYLEN], back[OV_XOR_KEYLEN];
	char hex[81];
	for (int i = 0; i < OV_XOR_KEYLEN; i++)
		key[i] = (uint8_t)(i * 37 + 11);
	TEST("xor key hex round trip, bad keys refused");
	ov_xor_format(key, hex);
	CHECK(ov_xor_parse(hex, back) && !memcmp(key, back, sizeof key));
	CHECK(!ov_xor_parse("abcd", back));
	hex[5] = 'g';
	CHECK(!ov_xor_parse(hex, back));

	TEST("xor is its own inverse; a wrong key does not decode");
	uint8_t pkt[25] = { 0xE3, 0x0A }, enc[25];
	memcpy(enc, pkt, 25);
	ov_xor(enc, 25, key);
	CHECK(enc[0] == (0xE3 ^ key[0]));
	struct ov_msg m;
	CHECK(ov_decode(enc, 25, &m) != OV_OK);
	ov_xor(enc, 25, key);
	CHECK(!memcmp(enc, pkt, 25));

	TEST("key recovery from encrypted traffic (known plaintext)");
	enum { NS = 120 };
	static uint8_t store[NS][4 + 40 * OV_PEERLEN];
	struct ov_sample s[NS];
	uint8_t recs[40 * OV_PEERLEN];
	for (int i = 0; i < NS; i++) {
		struct ov_peer p = { .ip = 0x7f4d0000u + (uint32_t)i * 7919u, .port = (uint16_t)(30000 + i * 13) };
		for (int b = 0; b < 16; b++)
			p.id[b] = (uint8_t)(i * 31 + b * 17 + (i * b) % 7);
		struct ov_msg q = { 0 };
		if (i % 3 == 0) {
			q.op = OV_PUBLICIZE;
			q.peer = p;
		} else {
			q.op = OV_CONNECT_REPLY;
			q.npeers = (uint16_t)(10 + i % 31);
			for (int k = 0; k < q.npeers; k++) {
				p.id[0] ^= (uint8_t)k;
				p.port++;
				ov_peer_put(recs + k * OV_PEERLEN, &p);
			}
			q.peers = recs;
		}
		size_t n = ov_encode(&q, store[i], sizeof store[i]);
		ov_xor(store[i], n, key);
		s[i] = (struct ov_sample){ store[i], n, i % 3 == 0 ? p.ip : 0, i % 3 == 0 ? p.port : 0 };
	}
	struct ov_keyguess g;
	ov_xor_recover(s, NS, &g);
	CHECK_EQ_U(g.known, (1ull << OV_XOR_KEYLEN) - 1);
	CHECK(!memcmp(g.key, key, sizeof key));
	CHECK(g.decode_rate == 1.0);
}

static void test_kad(void)
{
	uint8_t a[16] = { 0 }, b[16] = { 0 };
	TEST("bucket = first differing bit");
	CHECK(kad_bucket(a, b) == -1);
	b[0] = 0x80;
	CHECK(kad_bucket(a, b) == 0);
	b[0] = 0;
	b[15] = 1;
	CHECK(kad_bucket(a, b) == 127);
	b[1] = 0x10;
	CHECK(kad_bucket(a, b) == 11);

	TEST("routing table: K per bucket, closest first");
	struct kad_table t;
	kad_init(&t, a);
	for (unsigned i = 0; i < 64; i++) {
		struct ov_peer p = { .port = (uint16_t)i };
		p.id[0] = 0x80 | (uint8_t)i;  /* all in bucket 0 */
		CHECK(kad_insert(&t, &p, i));
	}
	CHECK_EQ_U(t.n, KAD_K);
	struct ov_peer near = { .port = 999 };
	near.id[15] = 3;
	kad_insert(&t, &near, 100);
	struct ov_peer out[4];
	uint8_t target[16] = { 0 };
	unsigned k = kad_closest(&t, target, out, 4);
	CHECK_EQ_U(k, 4);
	CHECK_EQ_U(out[0].port, 999);
	CHECK(kad_cmp(target, out[1].id, out[2].id) < 0);
	kad_insert(&t, &near, 101);  /* refresh, no duplicate */
	CHECK_EQ_U(t.n, KAD_K + 1);
	b[0] = 0x80;
	kad_rekey(&t, b, 102);
	k = kad_closest(&t, b, out, 1);
	CHECK(k == 1 && (out[0].id[0] & 0x80));
	kad_free(&t);
	char hex[33];
	uint8_t back[16];
	kad_id_hex(ID1, hex);
	CHECK(kad_id_parse(hex, back) && !memcmp(back, ID1, 16));
	CHECK(!kad_id_parse("0102", back));
}

/* A snapshot record: bot b (address 127.77.1.(b+1), port 4000 + b) in crawl c. */
static void snap(char *buf, size_t cap, unsigned c, unsigned b, bool resp, double p0, double p1)
{
	size_t n = strlen(buf);
	snprintf(buf + n, cap - n,
		 "{\"crawl\":%u,\"t\":%.3f,\"id\":\"%032x\",\"addr\":\"127.77.1.%u\",\"port\":%u,\"responsive\":%s,"
		 "\"probes\":[%.3f,%.3f]}\n",
		 c, p1, b + 1, b + 1, 4000 + b, resp ? "true" : "false", p0, p1);
}

static void test_size_truth(void)
{
	/*
	 * Bots (4 is NAT'd): 0 always up; 1 down at 105; 2 down at 103;
	 * 3 up at 207; 4 always up; 5 always up; 6 up at 102.5; 7 up only
	 * from 201.5 to 202.5, between two probes.
	 * Crawl 0 spans [100, 110], crawl 1 [200, 210].
	 */
	static const char truth[] =
		"{\"type\":\"config\",\"t\":0}\n"
		"{\"type\":\"peer\",\"peer\":0,\"addr\":\"127.77.1.1\",\"port\":4000,\"nat\":false,\"sybil\":false}\n"
		"{\"type\":\"peer\",\"peer\":1,\"addr\":\"127.77.1.2\",\"port\":4001,\"nat\":false,\"sybil\":false}\n"
		"{\"type\":\"peer\",\"peer\":2,\"addr\":\"127.77.1.3\",\"port\":4002,\"nat\":false,\"sybil\":false}\n"
		"{\"type\":\"peer\",\"peer\":3,\"addr\":\"127.77.1.4\",\"port\":4003,\"nat\":false,\"sybil\":false}\n"
		"{\"type\":\"peer\",\"peer\":4,\"addr\":\"127.77.1.5\",\"port\":4004,\"nat\":true,\"sybil\":false}\n"
		"{\"type\":\"peer\",\"peer\":5,\"addr\":\"127.77.1.6\",\"port\":4005,\"nat\":false,\"sybil\":false}\n"
		"{\"type\":\"peer\",\"peer\":6,\"addr\":\"127.77.1.7\",\"port\":4006,\"nat\":false,\"sybil\":false}\n"
		"{\"type\":\"peer\",\"peer\":7,\"addr\":\"127.77.1.8\",\"port\":4007,\"nat\":false,\"sybil\":false}\n"
		"{\"type\":\"up\",\"t\":1,\"peer\":0,\"id\":\"00000000000000000000000000000001\"}\n"
		"{\"type\":\"up\",\"t\":1,\"peer\":1,\"id\":\"00000000000000000000000000000002\"}\n"
		"{\"type\":\"up\",\"t\":1,\"peer\":2,\"id\":\"00000000000000000000000000000003\"}\n"
		"{\"type\":\"up\",\"t\":1,\"peer\":4,\"id\":\"00000000000000000000000000000005\"}\n"
		"{\"type\":\"up\",\"t\":1,\"peer\":5,\"id\":\"00000000000000000000000000000006\"}\n"
		"{\"type\":\"up\",\"t\":102.5,\"peer\":6,\"id\":\"00000000000000000000000000000007\"}\n"
		"{\"type\":\"down\",\"t\":103,\"peer\":2}\n"
		"{\"type\":\"down\",\"t\":105,\"peer\":1}\n"
		"{\"type\":\"up\",\"t\":201.5,\"peer\":7,\"id\":\"00000000000000000000000000000008\"}\n"
		"{\"type\":\"down\",\"t\":202.5,\"peer\":7}\n"
		"{\"type\":\"up\",\"t\":207,\"peer\":3,\"id\":\"00000000000000000000000000000004\"}\n"
		"{\"type\":\"end\",\"t\":300}\n";
	char crawls[8192] = "{\"type\":\"crawl\",\"crawl\":0,\"start\":100,\"end\":110}\n";
	snap(crawls, sizeof crawls, 0, 0, true, 101, 101);
	snap(crawls, sizeof crawls, 0, 1, true, 101, 101);    /* up at its probe, down at 105 */
	snap(crawls, sizeof crawls, 0, 2, false, 104, 106);   /* down at 103: offline when probed */
	snap(crawls, sizeof crawls, 0, 3, false, 101, 103);
	snap(crawls, sizeof crawls, 0, 4, false, 101, 103);   /* NAT'd */
	snap(crawls, sizeof crawls, 0, 5, true, 101, 101);
	snap(crawls, sizeof crawls, 0, 6, true, 102, 102);    /* answered before the truth says it was up */
	strcat(crawls, "{\"type\":\"crawl\",\"crawl\":1,\"start\":200,\"end\":210}\n");
	snap(crawls, sizeof crawls, 1, 0, true, 201, 201);
	snap(crawls, sizeof crawls, 1, 1, false, 201, 203);
	snap(crawls, sizeof crawls, 1, 2, false, 201, 203);
	snap(crawls, sizeof crawls, 1, 3, false, 201, 203);   /* up at 207, after its last probe */
	snap(crawls, sizeof crawls, 1, 6, true, 201, 201);    /* bot 5 never probed in crawl 1 */
	snap(crawls, sizeof crawls, 1, 7, false, 201, 203);   /* up between its probes only */

	TEST("size: truth at probe time, online during, churn of both");
	FILE *fc = fmemopen(crawls, strlen(crawls), "r"), *ft = fmemopen((void *)truth, strlen(truth), "r");
	struct size_report r;
	char err[256] = "";
	CHECK(fc && ft);
	CHECK(size_analyse(fc, ft, &r, err, sizeof err) == 0);
	fclose(fc);
	fclose(ft);

	/* the same files under a failing allocator: the nth allocation fails, for every n */
	TEST("size: failing allocator");
	int nomem = 0, other = 0;
	unsigned long n;
	for (n = 1; n < 5000; n++) {
		struct size_report rf;
		FILE *c2 = fmemopen(crawls, strlen(crawls), "r"), *t2 = fmemopen((void *)truth, strlen(truth), "r");
		size_alloc_fail_at(n);
		int rc = size_analyse(c2, t2, &rf, err, sizeof err);
		size_alloc_fail_at(0);
		fclose(c2);
		fclose(t2);
		size_report_free(&rf);
		if (rc == 0)
			break;
		if (!strcmp(err, "out of memory"))
			nomem++;
		else
			other++;
	}
	printf("failing allocator, crawl snapshots and truth: %d allocations failed cleanly\n", nomem);
	CHECK(nomem >= 5);
	CHECK(other == 0);
	CHECK(n < 5000);

	CHECK_EQ_U(r.n, 2);
	CHECK(r.have_truth);
	const struct size_crawl *c0 = &r.c[0], *c1 = &r.c[1];
	CHECK_EQ_U(c0->responsive_addrs, 4);
	CHECK_EQ_U(c0->truth_reachable, 3);         /* 0, 1, 5 */
	CHECK_EQ_U(c0->truth_false, 1);             /* 6 */
	CHECK_EQ_U(c0->truth_missed, 0);
	CHECK_EQ_U(c0->truth_unprobed, 0);
	CHECK_EQ_U(c0->truth_reachable_during, 5);  /* 0, 1, 2, 5, 6 */
	CHECK_EQ_U(c0->truth_stable, 2);            /* 0, 5 */
	CHECK_EQ_U(c0->found_stable, 2);
	CHECK_EQ_U(c0->truth_online, 6);
	CHECK_EQ_U(c0->truth_nat, 1);
	CHECK_EQ_U(c0->nat_invisible, 1);
	CHECK(c0->truth_joined == -1 && c0->truth_left == -1);
	CHECK_EQ_U(c1->responsive_addrs, 2);
	CHECK_EQ_U(c1->truth_reachable, 3);         /* 0, 6, and 5 (never probed, online during) */
	CHECK_EQ_U(c1->truth_unprobed, 1);
	CHECK_EQ_U(c1->truth_missed, 1);
	CHECK_EQ_U(c1->truth_false, 0);
	CHECK_EQ_U(c1->truth_reachable_during, 5);  /* 0, 3, 5, 6, 7 */
	CHECK_EQ_U(c1->truth_stable, 3);
	CHECK_EQ_U(c1->found_stable, 2);
	CHECK_EQ_U(c1->joined + c1->returned, 0);
	CHECK_EQ_U(c1->left, 2);                    /* 1, 5 */
	CHECK_EQ_U(c1->truth_joined, 1);            /* 6 */
	CHECK_EQ_U(c1->truth_left, 1);              /* 1 */
	CHECK_EQ_U(c1->truth_joined_during, 2);     /* 3, 7 */
	CHECK_EQ_U(c1->truth_left_during, 2);       /* 1, 2 */
	size_report_free(&r);

	TEST("size: snapshots without probe times fall back to online during, flagged unprobed");
	static const char old[] = "{\"type\":\"crawl\",\"crawl\":0,\"start\":100,\"end\":110}\n"
				  "{\"crawl\":0,\"t\":101,\"id\":\"00000000000000000000000000000001\","
				  "\"addr\":\"127.77.1.1\",\"port\":4000,\"responsive\":true}\n";
	fc = fmemopen((void *)old, strlen(old), "r");
	ft = fmemopen((void *)truth, strlen(truth), "r");
	CHECK(size_analyse(fc, ft, &r, err, sizeof err) == 0);
	fclose(fc);
	fclose(ft);
	CHECK_EQ_U(r.c[0].truth_reachable, 5);
	CHECK_EQ_U(r.c[0].truth_unprobed, 5);
	CHECK_EQ_U(r.c[0].truth_missed, 4);
	size_report_free(&r);

	TEST("size: a truth without peers is an error, not an abort");
	static const char empty[] = "{\"type\":\"end\",\"t\":1}\n";
	fc = fmemopen((void *)old, strlen(old), "r");
	ft = fmemopen((void *)empty, strlen(empty), "r");
	CHECK(size_analyse(fc, ft, &r, err, sizeof err) == -1);
	CHECK(strstr(err, "no peers") != NULL);
	fclose(fc);
	fclose(ft);
	size_report_free(&r);
}

int main(void)
{
	test_known_bytes();
	test_roundtrip();
	test_synth_agrees();
	test_xor();
	test_kad();
	test_size_truth();
	return harness_report("p2p");
}
