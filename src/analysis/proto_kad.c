/*
 * proto_kad.c - eMule Kademlia over UDP: header byte 0xE4 (plain) or
 * 0xE5 (zlib-packed) and a Kad2 opcode (0x01..0x5F), as documented in
 * aMule's KadUDPKey/opcodes.h.  Only the header is checked.
 */
#include "analysis/report-int.h"
#include "util/rd.h"

static bool kad_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	struct rd r;
	uint8_t magic, op;
	rd_init(&r, s->p, s->n);
	if (rf->proto != 17 || !rd_u8(&r, &magic) || !rd_u8(&r, &op))
		return false;
	return (magic == 0xE4 || magic == 0xE5) && op >= 0x01 && op <= 0x5F && s->n <= 1500;
}

const struct rp_proto proto_kad = { .name = "kad", .app = RP_APP_KAD, .max_pkts = 2, .inspect = kad_inspect };
