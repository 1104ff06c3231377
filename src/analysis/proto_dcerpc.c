/*
 * proto_dcerpc.c - DCE/RPC over TCP (connection-oriented PDU, C706 ch. 12;
 * MS-RPCE): Windows management traffic on port 135 and on the dynamic
 * ports the endpoint mapper hands out (49152-65535).  Recognising it keeps
 * domain-controller sessions out of the raw-session C2 rules.
 *
 *   rpc_vers(1)=5 rpc_vers_minor(1)=0 PTYPE(1)<=20 pfc_flags(1)
 *   packed_drep(4): byte 0 = 0x10 (little-endian) or 0x00 (big-endian)
 *   frag_length(2) auth_length(2) call_id(4)
 */
#include "analysis/report-int.h"
#include "util/rd.h"

static bool dcerpc_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	if (rf->proto != 6)
		return false;
	struct rd r;
	uint8_t ver, minor, ptype, flags, drep;
	uint16_t flen;
	rd_init(&r, s->p, s->n);
	if (!rd_u8(&r, &ver) || !rd_u8(&r, &minor) || !rd_u8(&r, &ptype) || !rd_u8(&r, &flags) ||
	    !rd_u8(&r, &drep) || !rd_skip(&r, 3))
		return rf->app == RP_APP_DCERPC;
	if (ver != 5 || minor > 1 || ptype > 20 || (drep != 0x10 && drep != 0x00))
		return rf->app == RP_APP_DCERPC;
	uint8_t lo, hi;
	if (!rd_u8(&r, &lo) || !rd_u8(&r, &hi))
		return false;
	flen = drep == 0x10 ? (uint16_t)(lo | hi << 8) : (uint16_t)(hi | lo << 8);
	return flen >= 16 && flen <= s->wire;
}

const struct rp_proto proto_dcerpc = { .name = "dcerpc", .app = RP_APP_DCERPC, .max_pkts = 1, .inspect = dcerpc_inspect };
