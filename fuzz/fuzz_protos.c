/*
 * fuzz_protos.c - libFuzzer harness for every application parser of the
 * report (the proto_* table of analysis/protos.c, with their per-flow
 * state, the TLS handshake and certificate path, the HTTP transactions)
 * as the collector drives them: segments of one flow in either
 * direction, each in a heap copy of exactly its length, then the flow's
 * end.  Input:
 *   byte 0: bits 0-1 transport (TCP, UDP, ICMP, TCP), bit 2 a second flow
 *   bytes 1-4: source and destination port (big-endian)
 *   then segments: len (2 bytes, LE, cut to what is left), flags byte
 *   (bit 0 direction, bit 1 skip the sequence ahead, bits 2-7 TCP flags)
 * A parser may refuse the bytes; it must never crash, leak or hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

static void feed(struct rp_col *c, struct rp_flow *rf, uint32_t idx, const uint8_t *p, size_t n, uint8_t fl,
		 uint32_t *seq, float t)
{
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		return;
	memcpy(b, p, n);
	int dir = fl & 1;
	if (fl & 2)
		seq[dir] += 1000;   /* a gap */
	struct rp_seg s = { .p = b, .n = n, .wire = n, .dir = dir, .t = t, .idx = idx, .seq = seq[dir],
			    .tcp_flags = (uint8_t)(fl >> 2) };
	seq[dir] += (uint32_t)n;
	if (rf->app) {
		for (size_t i = 0; i < rp_nprotos; i++)
			if (rp_protos[i]->app == rf->app) {
				rp_protos[i]->inspect(c, rf, &s);
				break;
			}
	} else {
		for (size_t i = 0; i < rp_nprotos; i++)
			if (rp_protos[i]->inspect(c, rf, &s)) {
				rf->app = rp_protos[i]->app;
				break;
			}
	}
	free(b);
}

static void end(struct rp_col *c, struct rp_flow *rf, uint32_t idx)
{
	for (size_t i = 0; rf->app && i < rp_nprotos; i++)   /* as collect.c: the claimed protocol's */
		if (rp_protos[i]->flow_end && rp_protos[i]->app == rf->app) {
			rp_protos[i]->flow_end(c, rf, idx);
			break;
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	static const uint8_t l4[] = { 6, 17, 1, 6 };
	struct rp_col *c = rp_col_new();
	if (!c)
		return 0;
	struct rp_flow rf[2];
	memset(rf, 0, sizeof rf);
	for (int k = 0; k < 2; k++) {
		rf[k].proto = l4[data[0] & 3];
		rf[k].sport = (uint16_t)(data[1] << 8 | data[2]);
		rf[k].dport = (uint16_t)(data[3] << 8 | data[4]);
		rf[k].h[0] = 1;
		rf[k].h[1] = 2;
		rf[k].first_payload = -1;
	}
	uint32_t seq[2][2] = { { 1, 1 }, { 7, 7 } };
	size_t off = 5;
	float t = 0;
	unsigned nseg = 0;
	while (off + 3 <= size && nseg++ < 4096) {
		size_t n = (size_t)(data[off] | data[off + 1] << 8);
		uint8_t fl = data[off + 2];
		off += 3;
		if (n > size - off)
			n = size - off;
		int k = (data[0] & 4) ? (int)(nseg & 1) : 0;
		feed(c, &rf[k], (uint32_t)k, data + off, n, fl, seq[k], t);
		off += n;
		t += 0.25f;
	}
	end(c, &rf[0], 0);
	end(c, &rf[1], 1);
	rp_col_free(c);
	return 0;
}
