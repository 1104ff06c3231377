/*
 * test_storm.c - Storm's key and peers in a capture (analysis/storm.c):
 * the key rule (too few samples, full store), the key recovered from a
 * synthetic Storm run under a known key, and the passive peer count with
 * and without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/storm.h"
#include "harness.h"
#include "synth/synth.h"

static void test_rule(void)
{
	TEST("storm: the key rule");
	struct storm_samples s = { 0 };
	uint8_t data[8] = { 0x10, 0x20, 1, 2, 3, 4, 5, 6 };
	struct pkt p;
	memset(&p, 0, sizeof p);
	p.family = 4;
	p.proto = 17;
	p.sport = 40000;
	p.dport = 50000;
	p.payload = data;
	p.payload_caplen = p.payload_len = sizeof data;
	CHECK(storm_candidate(&p));
	p.dport = 53;
	CHECK(!storm_candidate(&p));
	p.dport = 50000;
	for (unsigned i = 0; i < STORM_MIN_SAMPLES - 1; i++)
		CHECK(storm_samples_add(&s, &p, i) == 1);
	struct ov_keyguess g;
	CHECK(storm_key(&s, &g) == 0);   /* fewer than STORM_MIN_SAMPLES: never a key */
	CHECK_EQ_U(s.v[3].tag, 3);
	CHECK_EQ_U(s.v[0].len, sizeof data);
	storm_samples_free(&s);
	CHECK(s.n == 0 && s.v == NULL);

	TEST("storm: the per-flow sampler spreads over the flow's life");
	unsigned kept = 0, last = 0;
	for (unsigned k = 1; k <= 100000; k++)
		if (storm_pick(k, kept)) {
			kept++;
			last = k;
		}
	CHECK(kept <= STORM_FLOW_SAMPLES);              /* bounded per flow */
	CHECK(last >= 50000);                           /* ... and still sampling late */
	for (unsigned k = 100001; k <= 1000000; k++)
		kept += storm_pick(k, kept);
	CHECK_EQ_U(kept, STORM_FLOW_SAMPLES);
	kept = 0;
	for (unsigned k = 1; k <= 200; k++)
		kept += storm_pick(k, kept);
	CHECK_EQ_U(kept, STORM_FLOW_FIRST + 5);         /* 1-4, then 8, 16, 32, 64, 128 */
}

static void test_capture(void)
{
	char dir[] = "/tmp/botlens-storm-XXXXXX", path[256], plain[256], err[256];
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		harness_fail++;
		return;
	}
	uint8_t key[OV_XOR_KEYLEN];
	for (int i = 0; i < OV_XOR_KEYLEN; i++)
		key[i] = (uint8_t)(0x5a + 7 * i);
	snprintf(path, sizeof path, "%s/xor.pcap", dir);
	snprintf(plain, sizeof plain, "%s/plain.pcap", dir);
	struct synth_opts o = { .scenario = "storm-public", .seed = 1, .pcap_path = path, .xor_key = key };
	struct synth_opts q = { .scenario = "storm-public", .seed = 1, .pcap_path = plain };
	CHECK(synth_run(&o, err, sizeof err) == 0);
	CHECK(synth_run(&q, err, sizeof err) == 0);

	TEST("storm: the key from a capture");
	struct storm_keyfind k;
	CHECK(storm_key_capture(path, &k, err, sizeof err) == CAP_EOF);
	CHECK(k.found);
	CHECK(k.samples >= STORM_MIN_SAMPLES);
	int known = 0, right = 0;
	for (int i = 0; i < OV_XOR_KEYLEN; i++)
		if (k.g.known >> i & 1) {
			known++;
			right += k.g.key[i] == key[i];
		}
	CHECK(known > 0 && right == known);
	struct storm_keyfind n;
	CHECK(storm_key_capture(plain, &n, err, sizeof err) == CAP_EOF);
	CHECK(!n.found);
	CHECK(storm_key_capture("/nonexistent.pcap", &n, err, sizeof err) == -1);

	TEST("storm: peers counted under the key");
	struct size_passive with, without;
	CHECK(size_passive_init(&with, 60) == 0 && size_passive_init(&without, 60) == 0);
	with.xor_on = true;
	memcpy(with.key, key, sizeof key);
	CHECK(storm_count_capture(path, &with, err, sizeof err) == CAP_EOF);
	CHECK(storm_count_capture(path, &without, err, sizeof err) == CAP_EOF);
	CHECK(with.distinct > 50);
	CHECK(without.distinct < with.distinct / 10);
	CHECK(!with.failed);
	size_passive_free(&with);
	size_passive_free(&without);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	(void)!system(cmd);
}

int main(void)
{
	test_rule();
	test_capture();
	return harness_report("storm");
}
