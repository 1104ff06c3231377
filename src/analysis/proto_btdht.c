/*
 * proto_btdht.c - BitTorrent DHT (BEP 5) over UDP: a bencoded dictionary
 * "d1:a" (query arguments) or "d1:r" (response) ... with a "1:y1:q|r|e"
 * message type, and uTP/tracker-less peers that announce with it.
 */
#include <string.h>

#include "analysis/report-int.h"

static bool btdht_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	if (rf->proto != 17 || s->n < 12 || s->p[0] != 'd')
		return false;
	if (!rp_starts_ci(s->p, s->n, "d1:ad2:id20:") && !rp_starts_ci(s->p, s->n, "d1:rd2:id20:") &&
	    !rp_starts_ci(s->p, s->n, "d1:eli"))
		return false;
	return memmem(s->p, s->n, "1:y1:", 5) != NULL;
}

const struct rp_proto proto_btdht = { .name = "bittorrent_dht", .app = RP_APP_BT_DHT, .max_pkts = 2, .inspect = btdht_inspect };
