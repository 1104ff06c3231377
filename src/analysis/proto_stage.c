/*
 * proto_stage.c - a PE image (a Windows executable or DLL) sent over a raw
 * TCP connection that no protocol claimed: how exploit frameworks push
 * a second stage (a reflective DLL) into a bind or reverse shell port.
 * It never claims the flow; it marks the direction that carried the image.
 *
 *   "MZ" at the start of a segment (or after a 4-byte length prefix) with
 *   e_lfanew (offset 0x3c, 32-bit LE) pointing at "PE\0\0" inside the
 *   segment, or the DOS stub text "This program cannot be run in DOS mode".
 */
#include <string.h>

#include "analysis/report-int.h"
#include "util/rd.h"

static bool pe_at(const uint8_t *p, size_t n)
{
	struct rd r;
	uint32_t lfanew;
	const uint8_t *sig;
	if (n < 64 || p[0] != 'M' || p[1] != 'Z')
		return false;
	rd_init(&r, p, n);
	if (!rd_skip(&r, 0x3c) || !rd_le32(&r, &lfanew) || lfanew < 64 || lfanew > n - 4)
		return memmem(p, n < 512 ? n : 512, "This program cannot be run in DOS mode", 38) != NULL;
	rd_init(&r, p, n);
	return rd_skip(&r, lfanew) && rd_bytes(&r, 4, &sig) && !memcmp(sig, "PE\0\0", 4);
}

static bool stage_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	if (rf->proto != 6)
		return false;
	if (pe_at(s->p, s->n) || (s->n > 4 && pe_at(s->p + 4, s->n - 4)))
		rf->facts2 |= s->dir == 0 ? RPF2_STREAM_PE : RPF2_STREAM_PE_R;
	return false;
}

const struct rp_proto proto_stage = { .name = "stage", .app = RP_APP_NONE, .max_pkts = 3, .inspect = stage_inspect };
