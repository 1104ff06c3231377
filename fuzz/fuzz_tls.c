/*
 * fuzz_tls.c - libFuzzer harness for the report's TLS parser
 * (analysis/proto_tls.c, tls_cert.c through OpenSSL): the input is a
 * sequence of TCP segments of one flow, each
 *
 *   flags(1): bit 0 direction (1: from the responder), bit 1 resend the
 *             last byte before it (a retransmission overlap), bit 2 skip
 *             one byte (a gap)
 *   length(2, little-endian), then that many payload bytes (fewer at the end)
 *
 * handed to proto_tls as the collector would (a direction no longer after
 * it is done or past max_pkts), each from a heap copy of exactly its
 * length, then the flow ends.  The parser must not crash, overread or
 * leak, whatever the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

extern const struct rp_proto proto_tls;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_col *c = rp_col_new();
	if (!c)
		return 0;
	struct rp_flow rf = { .proto = 6, .h = { 1, 2 }, .dport = 4444, .sport = 40000 };
	uint32_t seq[2] = { 1000, 500000 };
	size_t i = 0;
	while (size - i >= 3) {
		uint8_t fl = data[i];
		size_t n = (size_t)data[i + 1] | (size_t)data[i + 2] << 8;
		i += 3;
		if (n > size - i)
			n = size - i;
		int d = fl & 1;
		uint32_t s = seq[d] - (fl & 2 ? 1 : 0) + (fl & 4 ? 1 : 0);
		seq[d] = s + (uint32_t)n;
		if (!(rf.done >> d & 1) && rf.seen[d] < proto_tls.max_pkts && n) {
			rf.seen[d]++;
			uint8_t *b = malloc(n);
			if (!b)
				break;
			memcpy(b, data + i, n);
			struct rp_seg sg = { .p = b, .n = n, .wire = n, .dir = d, .t = (float)i, .idx = 7, .seq = s };
			if (proto_tls.inspect(c, &rf, &sg) && !rf.app)
				rf.app = RP_APP_TLS;
			free(b);
		}
		i += n;
	}
	proto_tls.flow_end(c, &rf, 7);
	rp_col_free(c);
	return 0;
}
