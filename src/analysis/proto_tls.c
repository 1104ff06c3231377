/*
 * proto_tls.c - TLS (RFC 8446, 5246): a handshake record; from a
 * ClientHello the server_name extension (RFC 6066).
 *
 *   record: type(1)=22 version(2)=3.x length(2)
 *   handshake: type(1)=1 length(3) version(2) random(32)
 *     session_id<0..32> cipher_suites<2..> compression<1..> extensions<..>
 *   server_name: list_len(2) { type(1)=0 len(2) name }
 */
#include "analysis/report-int.h"
#include "util/rd.h"

static void tls_sni(struct rp_col *c, struct rp_flow *rf, struct rd *r)
{
	uint16_t ver, cs, elen;
	uint8_t sid, comp;
	if (!rd_be16(r, &ver) || !rd_skip(r, 32) || !rd_u8(r, &sid) || !rd_skip(r, sid) ||
	    !rd_be16(r, &cs) || !rd_skip(r, cs) || !rd_u8(r, &comp) || !rd_skip(r, comp) ||
	    !rd_be16(r, &elen))
		return;
	struct rd ex;
	if (!rd_sub(r, elen, &ex) && !rd_sub(r, r->left, &ex))
		return;
	while (ex.left >= 4) {
		uint16_t type, len;
		struct rd e;
		if (!rd_be16(&ex, &type) || !rd_be16(&ex, &len) || !rd_sub(&ex, len, &e))
			return;
		uint16_t list, nlen;
		uint8_t nt;
		const uint8_t *name;
		if (type == 0 && rd_be16(&e, &list) && rd_u8(&e, &nt) && nt == 0 && rd_be16(&e, &nlen) &&
		    rd_bytes(&e, nlen, &name)) {
			rp_ev_add(c, rf->h[0], EV_TLS_SNI, name, nlen);
			return;
		}
	}
}

static bool tls_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6)
		return false;
	struct rd r;
	uint8_t type, maj, min, hs;
	uint16_t len;
	rd_init(&r, s->p, s->n);
	if (!rd_u8(&r, &type) || !rd_u8(&r, &maj) || !rd_u8(&r, &min) || !rd_be16(&r, &len))
		return rf->app == RP_APP_TLS;
	if (type < 20 || type > 23 || maj != 3 || min > 4)
		return rf->app == RP_APP_TLS;
	if (type != 22)
		return rf->app == RP_APP_TLS;
	if (!rd_u8(&r, &hs) || !rd_skip(&r, 3))
		return false;
	if (hs == 1 && s->dir == 0)
		tls_sni(c, rf, &r);
	return hs == 1 || hs == 2;
}

const struct rp_proto proto_tls = { .name = "tls", .app = RP_APP_TLS, .max_pkts = 2, .inspect = tls_inspect };
