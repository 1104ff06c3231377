/*
 * fuzz_decode.c - libFuzzer harness for decode_packet() and what consumes
 * its output: the flow table (TCP state, history, timeouts), the host
 * table and the text helpers.  Input format: see fuzz_common.h.  Each
 * packet is copied into its own heap buffer of exactly its captured
 * length, so AddressSanitizer sees any read past it.
 */
#include "decode/decode.h"
#include "flow/flow.h"
#include "fuzz_common.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void on_end(void *ctx, const struct flow *f)
{
	char buf[16];
	volatile size_t sink = strlen(flow_conn_state(f)) + strlen(flow_proto_str(f, buf, sizeof buf)) +
			       strlen(f->history);
	(void)sink;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int lt = fuzz_linktypes[data[0] % FUZZ_NLINKTYPES];
	int64_t step = (int64_t)data[1] * 1000000000;
	data += 2;
	size -= 2;

	struct decoder d;
	decoder_init(&d);
	struct flow_cfg cfg;
	flow_cfg_default(&cfg);
	struct flowtab *ft = flowtab_new(&cfg, on_end, NULL);
	struct hosttab *ht = hosttab_new(cfg.seed, true);
	if (!ft || !ht)
		abort();

	int64_t ts = 1700000000LL * 1000000000;
	for (unsigned i = 0; i < FUZZ_MAX_PKTS && size >= 2; i++) {
		uint16_t len = (uint16_t)(data[0] << 8 | data[1]);
		bool snapped = len & 0x8000;
		size_t n = len & 0x7fff;
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		uint8_t *copy = malloc(n ? n : 1);
		if (!copy)
			abort();
		memcpy(copy, data, n);
		data += n;
		size -= n;

		struct cap_rec rec = { .ts_ns = ts, .caplen = (uint32_t)n,
				       .wirelen = (uint32_t)n + (snapped ? 64 : 0), .linktype = lt,
				       .data = copy };
		struct pkt p;
		if (decode_packet(&d, &rec, &p)) {
			if (p.family != 4 && p.family != 6)
				abort();
			if (p.payload_caplen > p.payload_len)
				abort();
			if (p.payload_caplen &&
			    (p.payload < copy || p.payload + p.payload_caplen > copy + n))
				abort();  /* the payload view must lie inside the record */
			int dir;
			struct flow *f = flowtab_update(ft, &p, &dir);
			if (!f || (dir != 0 && dir != 1))
				abort();
			if (f->pkts[0] + f->pkts[1] == 1)
				hosttab_flow(ht, f);
			hosttab_packet(ht, &p);
			char a[64];
			decode_addr_str(p.family, p.src, a, sizeof a);
			decode_tcp_flags_str(p.tcp_flags, a, sizeof a);
		}
		free(copy);
		ts += step;
	}
	const struct host *sb[4];
	hosttab_sandbox(ht, sb, 4);
	flowtab_flush(ft);
	if (flowtab_active(ft) != 0)
		abort();
	for (int a = 0; a < ANOM_COUNT; a++)
		(void)decode_anomaly_name((enum decode_anomaly)a);
	flowtab_free(ft);
	hosttab_free(ht);
	decoder_free(&d);
	return 0;
}
