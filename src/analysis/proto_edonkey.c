/*
 * proto_edonkey.c - the eDonkey/eMule client-to-client and client-server
 * TCP protocol (the P2P file-sharing network Overnet and Kad belong to):
 * a message header of protocol byte 0xE3 (eDonkey), 0xC5 (eMule
 * extensions) or 0xD4 (zlib-packed), a 32-bit little-endian length
 * counting the opcode and data, then the opcode.  The first message of a
 * connection is a Hello (0x01) or a login (0x01 to a server) or its answer
 * (0x4C); its length must fit what the segment says.
 *
 *   proto(1) length(4, LE) opcode(1) data(length - 1)
 */
#include "analysis/report-int.h"
#include "util/rd.h"

static bool edonkey_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	if (rf->proto != 6)
		return false;
	if (rf->app == RP_APP_EDONKEY)
		return true;
	struct rd r;
	uint8_t pr, op;
	uint32_t len;
	rd_init(&r, s->p, s->n);
	if (!rd_u8(&r, &pr) || !rd_le32(&r, &len) || !rd_u8(&r, &op))
		return false;
	if ((pr != 0xe3 && pr != 0xc5 && pr != 0xd4) || (op != 0x01 && op != 0x4c))
		return false;
	return len >= 17 && len <= (1u << 20) && (uint64_t)len + 5 <= s->wire + 0ull &&
	       ((uint64_t)len + 5 == s->wire || s->wire - 5 - len >= 6);   /* whole, or followed by another header */
}

const struct rp_proto proto_edonkey = { .name = "edonkey", .app = RP_APP_EDONKEY, .max_pkts = 1, .inspect = edonkey_inspect };
