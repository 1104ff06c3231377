/*
 * proto_gnutella.c - Gnutella 0.6 handshake over TCP
 * ("GNUTELLA CONNECT/0.6" and the "GNUTELLA/0.6 200" answer) and GND
 * UDP datagrams (the "GND" header of Gnutella2).
 */
#include "analysis/report-int.h"

static bool gnutella_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	if (rf->proto == 6)
		return rp_starts_ci(s->p, s->n, "GNUTELLA CONNECT/") || rp_starts_ci(s->p, s->n, "GNUTELLA/0.6");
	return rf->proto == 17 && s->n >= 8 && s->p[0] == 'G' && s->p[1] == 'N' && s->p[2] == 'D';
}

const struct rp_proto proto_gnutella = { .name = "gnutella", .app = RP_APP_GNUTELLA, .max_pkts = 1, .inspect = gnutella_inspect };
