/*
 * test_synth.c - the synthetic run generator (src/synth/).
 *
 * The captures are read back here with a small independent reader (not
 * the project's decoder): every IPv4, TCP, UDP and ICMP checksum must be
 * right, and a Zeek-like flow tracker (TCP 300 s, UDP/ICMP 60 s
 * inactivity) must find exactly the truth's flows.  Then the scenario
 * promises: same seed => same bytes, NTP first, Overnet peer ports,
 * spam after two minutes to >= 100 MX hosts, the 50000-51000 band of
 * storm-public, a benign run without spam or P2P; and the error paths.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "harness.h"
#include "synth/build.h"
#include "synth/rng.h"
#include "synth/synth.h"

static char tmpdir[] = "/tmp/botlens-synth-XXXXXX";

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	uint8_t *b = malloc(cap);
	size_t k;
	while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			uint8_t *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				b = NULL;
			}
			b = nb;
		}
	}
	fclose(f);
	*len = n;
	return b;
}

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

static int run(const char *scenario, uint64_t seed, double duration, const char *name)
{
	char pcap[256], err[256];
	path_in(pcap, sizeof pcap, name);
	struct synth_opts o = { .scenario = scenario, .seed = seed, .duration = duration,
				.pcap_path = pcap };
	int rc = synth_run(&o, err, sizeof err);
	if (rc)
		fprintf(stderr, "synth_run: %s\n", err);
	return rc;
}

static json_object *load_truth(const char *name)
{
	char p[256], full[300];
	path_in(p, sizeof p, name);
	snprintf(full, sizeof full, "%s.truth.json", p);
	return json_object_from_file(full);
}

/* --- an independent reader and flow tracker ---------------------------- */

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) { return be16(p) << 16 | be16(p + 2); }
static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static uint16_t cksum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += be16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

struct tflow {
	uint8_t proto;
	uint32_t a, b;
	uint16_t ap, bp;
	int64_t last;
};

struct readback {
	size_t packets, ip_packets, bad_cksum, flows;
	uint32_t first_ip_proto, first_ip_dport;
};

/* Reads a pcap, checks checksums and counts flows (linear search: small runs). */
static int read_back(const char *name, struct readback *rb)
{
	char p[256];
	size_t len, off = 24, nf = 0, cap = 4096;
	path_in(p, sizeof p, name);
	uint8_t *b = read_all(p, &len);
	struct tflow *f = malloc(cap * sizeof *f);
	memset(rb, 0, sizeof *rb);
	if (!b || !f || len < 24 || le32(b) != 0xa1b2c3d4u || le32(b + 20) != 1) {
		free(b);
		free(f);
		return -1;
	}
	while (off + 16 <= len) {
		int64_t ts = (int64_t)le32(b + off) * 1000000 + le32(b + off + 4);
		uint32_t incl = le32(b + off + 8);
		const uint8_t *e = b + off + 16, *ip = e + 14;
		off += 16 + incl;
		rb->packets++;
		if (off > len || incl < 34 || be16(e + 12) != 0x0800)
			continue;
		size_t tot = be16(ip + 2);
		uint8_t proto = ip[9];
		uint32_t src = be32(ip + 12), dst = be32(ip + 16);
		const uint8_t *l4 = ip + 20;
		size_t l4len = tot - 20;
		rb->ip_packets++;
		if (cksum(0, ip, 20) != 0)
			rb->bad_cksum++;
		uint32_t pseudo = be16(ip + 12) + be16(ip + 14) + be16(ip + 16) + be16(ip + 18) +
				  proto + (uint32_t)l4len;
		if (proto != 1 && cksum(pseudo, l4, l4len) != 0)
			rb->bad_cksum++;
		if (proto == 1 && cksum(0, l4, l4len) != 0)
			rb->bad_cksum++;
		uint16_t sp = proto == 1 ? (uint16_t)be16(l4 + 4) : (uint16_t)be16(l4);
		uint16_t dp = proto == 1 ? sp : (uint16_t)be16(l4 + 2);
		if (rb->ip_packets == 1) {
			rb->first_ip_proto = proto;
			rb->first_ip_dport = dp;
		}
		int64_t to = proto == 6 ? 300000000 : 60000000;
		size_t i;
		for (i = nf; i-- > 0;)
			if (f[i].proto == proto && ((f[i].a == src && f[i].ap == sp && f[i].b == dst &&
						     f[i].bp == dp) || (f[i].a == dst && f[i].ap == dp &&
									f[i].b == src && f[i].bp == sp)))
				break;
		if (i != (size_t)-1 && ts - f[i].last <= to) {
			f[i].last = ts;
			continue;
		}
		if (nf == cap)
			f = realloc(f, (cap *= 2) * sizeof *f);
		f[nf++] = (struct tflow){ proto, src, dst, sp, dp, ts };
	}
	rb->flows = nf;
	free(b);
	free(f);
	return 0;
}

/* --- tests ------------------------------------------------------------- */

static void test_table(void)
{
	TEST("scenario table");
	size_t n = 0;
	while (synth_scenarios[n])
		n++;
	CHECK_EQ_U(n, 3);
	for (size_t i = 0; i < n; i++)
		CHECK(synth_describe(synth_scenarios[i]) && *synth_describe(synth_scenarios[i]));
	CHECK(synth_describe("storm-private") != NULL);
	CHECK(synth_describe("nope") == NULL);
	CHECK(synth_describe(NULL) == NULL);
}

static void test_rng(void)
{
	TEST("rng");
	struct rng a, b;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	int same = 1, inrange = 1, hit_lo = 0, hit_hi = 0;
	for (int i = 0; i < 1000; i++)
		same &= rng_u64(&a) == rng_u64(&b);
	for (int i = 0; i < 10000; i++) {
		uint64_t v = rng_range(&a, 1024, 1030);
		inrange &= v >= 1024 && v <= 1030;
		hit_lo |= v == 1024;
		hit_hi |= v == 1030;
	}
	CHECK(same);
	CHECK(inrange && hit_lo && hit_hi);
	rng_seed(&b, 43);
	CHECK(rng_u64(&a) != rng_u64(&b));
	double u = rng_unit(&a);
	CHECK(u >= 0 && u < 1);
}

static void test_pcapw(void)
{
	TEST("pcapw");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pcapw w;
	const uint8_t pkt[4] = { 1, 2, 3, 4 };
	CHECK(pcapw_open(&w, f, 0, 2) == 0);
	CHECK(pcapw_write(&w, 1500000002000LL, pkt, 4, 60) == 0);   /* cut to snaplen 2 */
	errno = 0;
	CHECK(pcapw_write(&w, 0, pkt, 4, 3) == -1 && errno == EINVAL);
	CHECK(pcapw_write(&w, -1, pkt, 4, 4) == -1);
	fclose(f);
	const uint8_t *b = (const uint8_t *)buf;
	CHECK_EQ_U(len, 24 + 16 + 2);
	CHECK(b[0] == 0xd4 && b[1] == 0xc3 && b[2] == 0xb2 && b[3] == 0xa1);
	CHECK_EQ_U(le32(b + 16), 2);         /* snaplen */
	CHECK_EQ_U(le32(b + 20), 1);         /* LINKTYPE_ETHERNET */
	CHECK_EQ_U(le32(b + 24), 1500);      /* seconds */
	CHECK_EQ_U(le32(b + 28), 2);         /* microseconds */
	CHECK_EQ_U(le32(b + 32), 2);
	CHECK_EQ_U(le32(b + 36), 60);
	CHECK_EQ_U(w.packets, 1);
	free(buf);
}

static void test_builders(void)
{
	TEST("overnet and dns builders");
	uint8_t b[600];
	struct build_ovpeer p = { .ip = BUILD_IP(1, 2, 3, 4), .port = 0x1234 };
	CHECK_EQ_U(build_ov_hello(b, OVERNET_CONNECT, &p), 25);
	CHECK(b[0] == 0xe3 && b[1] == 0x0a && b[18] == 1 && b[21] == 4);
	CHECK(b[22] == 0x34 && b[23] == 0x12);     /* port little-endian */
	struct build_ovpeer l[3] = { p, p, p };
	CHECK_EQ_U(build_ov_connect_reply(b, l, 3), 4 + 3 * 23);
	CHECK(b[1] == 0x0b && b[2] == 3 && b[3] == 0);
	CHECK_EQ_U(build_ov_search(b, 2, p.id), 19);
	CHECK_EQ_U(build_ov_search_info(b, p.id, 0, 100), 23);
	CHECK_EQ_U(build_ov_search_end(b, p.id, 1, 1), 22);
	CHECK_EQ_U(build_ov_publish_ack(b, p.id), 18);
	struct build_dns_rr an = { .type = DNS_MX, .ttl = 60, .pref = 10, .target = "mx1.ex.com" };
	struct build_dns_rr ar = { .name = "mx1.ex.com", .type = DNS_A, .ttl = 60, .a = 0x01020304 };
	struct build_dns m = { .id = 7, .qname = "ex.com", .qtype = DNS_MX, .an = &an, .nan = 1,
			       .ar = &ar, .nar = 1 };
	size_t n = build_dns_msg(b, sizeof b, &m, true);
	/* header 12, question 8+4, MX: ptr 2 + 10 + pref 2 + "mx1" 4 + ptr 2, A: ptr 2 + 10 + 4 */
	CHECK_EQ_U(n, 12 + 12 + 20 + 16);
	CHECK(b[24] == 0xc0 && b[25] == 12);        /* answer owner -> question name */
	CHECK_EQ_U(build_dns_msg(b, 20, &m, true), 0);
}

static void test_determinism(void)
{
	TEST("determinism");
	char a[256], b[256];
	size_t la, lb;
	CHECK(run("storm-private", 1, 0, "d1.pcap") == 0);
	CHECK(run("storm-private", 1, 0, "d2.pcap") == 0);
	CHECK(run("storm-private", 2, 0, "d3.pcap") == 0);
	const char *pairs[][2] = { { "d1.pcap", "d2.pcap" }, { "d1.pcap.truth.json", "d2.pcap.truth.json" } };
	for (int i = 0; i < 2; i++) {
		path_in(a, sizeof a, pairs[i][0]);
		path_in(b, sizeof b, pairs[i][1]);
		uint8_t *x = read_all(a, &la), *y = read_all(b, &lb);
		CHECK(x && y && la == lb && la > 0 && !memcmp(x, y, la));
		free(x);
		free(y);
	}
	path_in(a, sizeof a, "d1.pcap");
	path_in(b, sizeof b, "d3.pcap");
	uint8_t *x = read_all(a, &la), *y = read_all(b, &lb);
	CHECK(x && y && (la != lb || memcmp(x, y, la)));
	free(x);
	free(y);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static double jnum(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : -1;
}

static json_object *jarr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_array) ? v
											     : NULL;
}

/* The address with the given role (the bot or the workstation). */
static const char *host_with_role(json_object *t, const char *role)
{
	json_object *hosts = jarr(t, "hosts");
	for (size_t i = 0; hosts && i < json_object_array_length(hosts); i++) {
		json_object *h = json_object_array_get_idx(hosts, i);
		if (!strcmp(jstr(h, "role"), role))
			return jstr(h, "address");
	}
	return NULL;
}

/* Checksums, flow count = truth, and every flow listed once (per scenario). */
static json_object *check_run(const char *scenario, const char *name)
{
	struct readback rb;
	CHECK(run(scenario, 1, 0, name) == 0);
	CHECK(read_back(name, &rb) == 0);
	json_object *t = load_truth(name);
	CHECK(t != NULL);
	if (!t)
		return NULL;
	json_object *flows = jarr(t, "flows");
	CHECK(flows != NULL);
	CHECK(rb.ip_packets > 100);
	CHECK_EQ_U(rb.bad_cksum, 0);
	CHECK_EQ_U(rb.packets, (uint64_t)jnum(t, "packets"));
	CHECK_EQ_U(rb.flows, json_object_array_length(flows));
	CHECK_STR(jstr(t, "scenario"), scenario);
	double prev = 0;
	int sorted = 1;
	for (size_t i = 0; i < json_object_array_length(flows); i++) {
		double s = jnum(json_object_array_get_idx(flows, i), "start");
		sorted &= s >= prev;
		prev = s;
	}
	CHECK(sorted);
	return t;
}

static void test_storm_private(void)
{
	TEST("storm-private");
	json_object *t = check_run("storm-private", "sp.pcap");
	if (!t)
		return;
	json_object *flows = jarr(t, "flows");
	const char *bot = host_with_role(t, "infected");
	CHECK(bot && !strncmp(bot, "192.168.", 8));
	json_object *f0 = json_object_array_get_idx(flows, 0);
	CHECK_STR(jstr(f0, "behavior"), "time_sync");
	CHECK_STR(jstr(f0, "proto"), "udp");
	CHECK_EQ_U((uint64_t)jnum(f0, "resp_p"), 123);
	CHECK(jnum(f0, "start") < 2.0);
	size_t p2p = 0, badport = 0, mx_n = 0;
	int botport = -1, oneport = 1;
	double spam_start = 1e9;
	char mx[400][16];
	for (size_t i = 0; i < json_object_array_length(flows); i++) {
		json_object *f = json_object_array_get_idx(flows, i);
		const char *b = jstr(f, "behavior");
		if (!strcmp(b, "p2p") && !strcmp(jstr(f, "proto"), "udp")) {
			int out = !strcmp(jstr(f, "orig_h"), bot);
			int peer = (int)jnum(f, out ? "resp_p" : "orig_p");
			int mine = (int)jnum(f, out ? "orig_p" : "resp_p");
			p2p++;
			badport += peer < 1024 || peer > 33791;
			if (botport < 0)
				botport = mine;
			oneport &= mine == botport;
		}
		if (!strcmp(b, "spam")) {
			if (jnum(f, "start") < spam_start)
				spam_start = jnum(f, "start");
			int seen = 0;
			for (size_t k = 0; k < mx_n; k++)
				seen |= !strcmp(mx[k], jstr(f, "resp_h"));
			if (!seen && mx_n < 400)
				snprintf(mx[mx_n++], sizeof mx[0], "%s", jstr(f, "resp_h"));
			CHECK_EQ_U((uint64_t)jnum(f, "resp_p"), 25);
		}
	}
	CHECK(p2p >= 400);
	CHECK_EQ_U(badport, 0);
	CHECK(oneport);
	CHECK(spam_start >= 120 && spam_start < 400);
	CHECK(mx_n >= 100);
	json_object_put(t);
}

static void test_storm_public(void)
{
	TEST("storm-public");
	json_object *t = check_run("storm-public", "pub.pcap");
	if (!t)
		return;
	json_object *flows = jarr(t, "flows");
	const char *bot = host_with_role(t, "infected");
	CHECK(bot && strncmp(bot, "192.168.", 8) && strncmp(bot, "10.", 3));
	size_t band = 0, other = 0, inbound80 = 0, lowport = 0;
	for (size_t i = 0; i < json_object_array_length(flows); i++) {
		json_object *f = json_object_array_get_idx(flows, i);
		int dport = (int)jnum(f, "resp_p");
		if (!strcmp(jstr(f, "orig_h"), bot)) {
			if (dport >= 50000 && dport <= 51000)
				band++;
			else
				other++;
			lowport += dport < 1024 && dport != 53 && dport != 80 && dport != 123;
		} else if (!strcmp(jstr(f, "resp_h"), bot) && dport == 80) {
			inbound80++;
		}
	}
	/* 1001 of 65535 ports: under uniform use the band would hold ~1.5 % */
	CHECK(band * 10 > other);
	CHECK(inbound80 >= 50);
	CHECK(lowport > 0);
	json_object_put(t);
}

static void test_benign(void)
{
	TEST("benign-browsing");
	json_object *t = check_run("benign-browsing", "ben.pcap");
	if (!t)
		return;
	json_object *beh = jarr(t, "behaviors");
	int tls = 0, bad = 0;
	for (size_t i = 0; beh && i < json_object_array_length(beh); i++) {
		const char *k = jstr(json_object_array_get_idx(beh, i), "kind");
		tls |= !strcmp(k, "tls");
		bad |= !strcmp(k, "spam") || !strcmp(k, "p2p") || !strcmp(k, "cnc_beacon");
	}
	CHECK(tls);
	CHECK(!bad);
	CHECK(host_with_role(t, "workstation") != NULL);
	json_object_put(t);
}

static void test_errors(void)
{
	TEST("errors");
	char err[256] = "";
	struct synth_opts o = { .scenario = "nope", .seed = 1, .pcap_path = "/dev/null" };
	CHECK(synth_run(&o, err, sizeof err) == -1 && strstr(err, "unknown scenario"));
	o.scenario = "benign-browsing";
	o.duration = -3;
	CHECK(synth_run(&o, err, sizeof err) == -1 && strstr(err, "duration"));
	o.duration = 30;
	o.pcap_path = "/nonexistent-dir/x.pcap";
	CHECK(synth_run(&o, err, sizeof err) == -1 && strstr(err, "cannot open '/nonexistent-dir/x.pcap'"));
	o.pcap_path = "-";
	o.truth_path = "-";
	CHECK(synth_run(&o, err, sizeof err) == -1 && strstr(err, "standard output"));
}

static void test_durations(void)
{
	TEST("short and long durations, other seeds");
	static const double d[] = { 1, 45, 130, 1500 };
	for (int i = 0; i < 4; i++) {
		struct readback rb;
		for (size_t s = 0; synth_scenarios[s]; s++) {
			CHECK(run(synth_scenarios[s], 100 + (uint64_t)i, d[i], "dur.pcap") == 0);
			CHECK(read_back("dur.pcap", &rb) == 0);
			json_object *t = load_truth("dur.pcap");
			CHECK(t && rb.flows == json_object_array_length(jarr(t, "flows")));
			CHECK(t && jnum(t, "duration") == d[i]);
			CHECK_EQ_U(rb.bad_cksum, 0);
			json_object_put(t);
		}
	}
}

static void cleanup(void)
{
	static const char *const names[] = { "d1.pcap", "d2.pcap", "d3.pcap", "sp.pcap",
					      "pub.pcap", "ben.pcap", "dur.pcap" };
	char p[256], q[300];
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		path_in(p, sizeof p, names[i]);
		snprintf(q, sizeof q, "%s.truth.json", p);
		unlink(p);
		unlink(q);
	}
	rmdir(tmpdir);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_table();
	test_rng();
	test_pcapw();
	test_builders();
	test_determinism();
	test_storm_private();
	test_storm_public();
	test_benign();
	test_errors();
	test_durations();
	cleanup();
	return harness_report("synth");
}
