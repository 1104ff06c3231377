/*
 * proto_overnet.c - Overnet/eDonkey over UDP: header byte 0xE3 and an
 * opcode from mldonkey's overnet.txt, decoded with the p2p codec
 * (p2p/overnet.c).  Storm Worm's variant XORs every datagram with a
 * 40-byte key: datagrams that do not decode are sampled by the collector,
 * the key is recovered from them afterwards (p2p/xor.c) and the flows
 * whose datagrams decode under it are marked.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"
#include "p2p/p2p.h"

static bool overnet_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	struct ov_msg m;
	if (rf->proto != 17 || s->n < 2 || s->p[0] != OV_MAGIC)
		return false;
	return ov_decode(s->p, s->n, &m) == OV_OK;
}

void rp_overnet_xor(struct rp_col *c)
{
	struct ov_keyguess g;
	if (c->ov.n < STORM_MIN_SAMPLES || storm_key(&c->ov, &g) <= 0)
		return;
	for (size_t i = 0; i < c->ov.n; i++) {
		const struct storm_sample *x = &c->ov.v[i];
		uint8_t b[OV_SAMPLE_MAX];
		struct ov_msg m;
		memcpy(b, x->data, x->len);
		ov_xor(b, x->len, g.key);
		struct rp_flow *rf = &c->flows[x->tag];
		if (rf->app == RP_APP_NONE && ov_decode(b, x->len, &m) == OV_OK) {
			rf->app = RP_APP_OVERNET;
			rf->facts |= RPF_OV_XOR;
		}
	}
}

const struct rp_proto proto_overnet = { .name = "overnet", .app = RP_APP_OVERNET, .max_pkts = 2, .inspect = overnet_inspect };
