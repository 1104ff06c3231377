/*
 * proto_icmp.c - IP packets carried inside ICMP echo payloads (IP-over-
 * ICMP tunnels: icmptunnel, hans, PingTunnel's raw mode, ...).
 *
 * ICMP echo (RFC 792) and ICMPv6 echo (RFC 4443); the decoder's payload
 * starts after the 8-byte ICMP header, or after type, code and checksum
 * for ICMPv6, whose identifier and sequence number are skipped here:
 *
 *    ICMP:   type(1) code(1) checksum(2) id(2) seq(2) | data
 *    inner IPv4 (RFC 791): ver/IHL(1) tos(1) total length(2) id(2)
 *      flags/frag(2) ttl(1) proto(1) checksum(2) src(4) dst(4) [options]
 *    inner IPv6 (RFC 8200): ver/class/flow(4) payload length(2)
 *      next header(1) hop limit(1) src(16) dst(16)
 *
 * An echo's data is an inner packet when it opens with an IPv4 header
 * whose version is 4, IHL >= 5, total length between the header's and the
 * data's length, and header checksum correct; or with an IPv6 header whose
 * payload length plus 40 is the data's length exactly and whose next
 * header is a known one.  Ordinary pings carry a timestamp and a byte
 * pattern (Linux, BSD) or the alphabet (Windows), which fail the length
 * and checksum tests: a false match needs a 16-bit checksum and a 16-bit
 * length to agree by chance.
 *
 * Counts: rf->count2 = echoes inspected, rf->count = those with an inner
 * packet; facts RPF2_ICMP_TUNNEL and the direction(s) that carried them;
 * the first inner "src -> dst" pair as evidence of the sender
 * (EV_TUNNEL_INNER).  The flow is claimed (app icmp_tunnel) on its first
 * inner packet, so the detector reads up to max_pkts echoes per direction.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/report-int.h"
#include "util/rd.h"

static bool icmp_echo_flow(const struct rp_flow *rf)
{
	if (rf->proto == 1)
		return (rf->sport == 8 && rf->dport == 0) || (rf->sport == 0 && rf->dport == 8);
	if (rf->proto == 58)
		return (rf->sport == 128 && rf->dport == 129) || (rf->sport == 129 && rf->dport == 128);
	return false;
}

/* True when r opens with a plausible IPv4 packet of at most wire bytes; fills the addresses. */
static bool inner_ipv4(const struct rd *r, size_t wire, char *pair, size_t len)
{
	uint8_t vihl;
	uint16_t tot;
	if (!rd_peek_u8(r, 0, &vihl) || vihl >> 4 != 4 || (vihl & 15) < 5 || !rd_peek_be16(r, 2, &tot))
		return false;
	size_t hl = (size_t)(vihl & 15) * 4;
	if (!rd_has(r, hl) || tot < hl || tot > wire)
		return false;
	uint32_t sum = 0;
	for (size_t i = 0; i < hl; i += 2)
		sum += (uint32_t)r->p[i] << 8 | r->p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	if (sum != 0xffff)
		return false;
	char a[46], b[46];
	uint8_t s[16] = { 0 }, d[16] = { 0 };
	memcpy(s, r->p + 12, 4);
	memcpy(d, r->p + 16, 4);
	decode_addr_str(4, s, a, sizeof a);
	decode_addr_str(4, d, b, sizeof b);
	snprintf(pair, len, "%s -> %s", a, b);
	return true;
}

static bool inner_ipv6(const struct rd *r, size_t wire, char *pair, size_t len)
{
	static const uint8_t next_ok[] = { 0, 6, 17, 43, 44, 50, 51, 58, 59, 60 };
	uint8_t v, nh;
	uint16_t plen;
	if (!rd_peek_u8(r, 0, &v) || v >> 4 != 6 || !rd_peek_be16(r, 4, &plen) || !rd_peek_u8(r, 6, &nh) ||
	    (size_t)plen + 40 != wire || !rd_has(r, 40) || !memchr(next_ok, nh, sizeof next_ok))
		return false;
	char a[46], b[46];
	decode_addr_str(6, r->p + 8, a, sizeof a);
	decode_addr_str(6, r->p + 24, b, sizeof b);
	snprintf(pair, len, "%s -> %s", a, b);
	return true;
}

static bool icmp_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (!icmp_echo_flow(rf))
		return false;
	struct rd r;
	rd_init(&r, s->p, s->n);
	size_t wire = s->wire;
	if (rf->proto == 58) {  /* identifier and sequence number */
		if (!rd_skip(&r, 4) || wire < 4)
			return rf->app != RP_APP_NONE;
		wire -= 4;
	}
	if (rf->count2 < UINT16_MAX)
		rf->count2++;
	char pair[100];
	if (!inner_ipv4(&r, wire, pair, sizeof pair) && !inner_ipv6(&r, wire, pair, sizeof pair))
		return rf->app != RP_APP_NONE;
	if (rf->count < UINT16_MAX)
		rf->count++;
	rf->facts2 |= RPF2_ICMP_TUNNEL | (s->dir ? RPF2_ICMP_TUNNEL_RESP : RPF2_ICMP_TUNNEL_ORIG);
	rp_ev_add(c, rf->h[s->dir], EV_TUNNEL_INNER, (const uint8_t *)pair, strlen(pair));
	return true;
}

const struct rp_proto proto_icmp = { .name = "icmp_tunnel", .app = RP_APP_ICMP_TUNNEL, .max_pkts = 64,
				     .inspect = icmp_inspect };
