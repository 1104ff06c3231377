/*
 * fuzz_http.c - libFuzzer harness for the HTTP parser (analysis/proto_http.c
 * over libhtp, and http_sniff.c): one TCP connection's segments in both
 * directions through the sequence-order feeder, then the flow's end.
 *
 * Input: a list of segments, each: byte F (bit 0: direction; bits 1-2:
 * sequence jump: 0 in order, 1 a retransmission of the last segment's
 * start, 2 a 16-byte hole, 3 a 16-byte overlap; bit 3: the wire length is
 * 64 bytes longer than the bytes given), then 2 bytes of length
 * (big-endian), then that many bytes (fewer if the input ends).  Every
 * segment is a heap copy of exactly its length so ASan sees any overread.
 * The parser must never crash, hang or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

extern const struct rp_proto proto_http;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_col *c = rp_col_new();
	if (!c)
		return 0;
	struct rp_flow f = { .proto = 6, .sport = 40000, .dport = 80, .h = { 1, 2 } };
	uint32_t next[2] = { 1000, 90000 }, last[2] = { 1000, 90000 };
	size_t o = 0;
	for (int k = 0; k < 256 && o + 3 <= size; k++) {
		uint8_t fl = data[o];
		size_t n = (size_t)data[o + 1] << 8 | data[o + 2];
		o += 3;
		if (n > size - o)
			n = size - o;
		int dir = fl & 1;
		uint32_t seq = next[dir];
		switch (fl >> 1 & 3) {
		case 1: seq = last[dir]; break;
		case 2: seq += 16; break;
		case 3: seq -= 16; break;
		default: break;
		}
		uint8_t *b = malloc(n ? n : 1);
		if (!b)
			break;
		memcpy(b, data + o, n);
		o += n;
		size_t wire = n + (fl & 8 ? 64 : 0);
		struct rp_seg s = { .p = b, .n = n, .wire = wire, .dir = dir, .seq = seq, .idx = 0, .t = (float)k };
		if (!((f.done >> dir) & 1) && (f.app || n)) {
			if (proto_http.inspect(c, &f, &s) && !f.app)
				f.app = RP_APP_HTTP;
		}
		free(b);
		last[dir] = seq;
		if (seq + (uint32_t)wire - next[dir] < 1u << 30)
			next[dir] = seq + (uint32_t)wire;
	}
	proto_http.flow_end(c, &f, 0);
	rp_col_free(c);
	return 0;
}
