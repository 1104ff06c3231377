/*
 * proto_ntp.c - NTP (RFC 5905) over UDP port 123: a 48-byte (or longer,
 * with extensions/MAC) header whose first byte is LI(2) VN(3) Mode(3).
 *
 *   |LI | VN  |Mode|  Stratum  |   Poll   | Precision |
 *   root delay(4) root dispersion(4) reference id(4) 4 timestamps(8 each)
 */
#include "analysis/report-int.h"
#include "util/rd.h"

static bool ntp_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	if (rf->proto != 17 || (rf->sport != 123 && rf->dport != 123) || s->n < 48)
		return false;
	struct rd r;
	uint8_t b0;
	rd_init(&r, s->p, s->n);
	if (!rd_u8(&r, &b0))
		return false;
	unsigned vn = (b0 >> 3) & 7, mode = b0 & 7;
	if (vn < 1 || vn > 4 || mode == 0 || mode == 7)
		return false;
	if (mode == 3 || mode == 1)
		rf->facts |= RPF_NTP_CLIENT;
	return true;
}

const struct rp_proto proto_ntp = { .name = "ntp", .app = RP_APP_NTP, .max_pkts = 2, .inspect = ntp_inspect };
