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
	if (c->nov < 16)
		return;
	struct ov_sample *s = malloc(c->nov * sizeof *s);
	if (!s)
		return;
	for (size_t i = 0; i < c->nov; i++)
		s[i] = (struct ov_sample){ c->ov[i].data, c->ov[i].len, c->ov[i].src_ip, c->ov[i].src_port };
	struct ov_keyguess g;
	ov_xor_recover(s, c->nov, &g);
	free(s);
	if (g.decode_rate < 0.5)
		return;
	for (size_t i = 0; i < c->nov; i++) {
		uint8_t b[OV_SAMPLE_MAX];
		struct ov_msg m;
		memcpy(b, c->ov[i].data, c->ov[i].len);
		ov_xor(b, c->ov[i].len, g.key);
		struct rp_flow *rf = &c->flows[c->ov[i].flow];
		if (rf->app == RP_APP_NONE && ov_decode(b, c->ov[i].len, &m) == OV_OK) {
			rf->app = RP_APP_OVERNET;
			rf->facts |= RPF_OV_XOR;
		}
	}
}

const struct rp_proto proto_overnet = { .name = "overnet", .app = RP_APP_OVERNET, .max_pkts = 2, .inspect = overnet_inspect };
