/*
 * ident.c - one address, two machines: the link-layer and IP traits of
 * what each address sends, so that the report can say when an address was
 * used by two machines (DHCP handing a lease to another machine, a NAT
 * gateway in front of several, an address conflict, a spoofer).
 *
 * Per host index (the first RP_IDENT_MAX hosts of the capture) the
 * collector keeps:
 *  - the first two distinct source MACs of the Ethernet frames the address
 *    sent to unicast destinations, with their packet counts and first
 *    times: only for internal addresses (RFC 1918 and friends), whose
 *    frames come from the machine itself (a remote address arrives behind
 *    its router's MAC); router redundancy (HSRP, VRRP) speaks to multicast
 *    from a virtual MAC that moves between routers by design;
 *  - the packets it sent per initial-TTL family (hop limit for IPv6),
 *    estimated as the smallest of 64, 128, 255 at or above the TTL seen:
 *    Linux, macOS, Android and most IoT start at 64, Windows at 128,
 *    network gear and some Unix at 255.  Only TCP and UDP count: several
 *    systems (Solaris, BSDs, routers) send the ICMP their kernel makes
 *    (echo replies, unreachables) with 255 whatever their TCP uses.
 *    Packets to multicast or broadcast destinations and TTLs of 32 or less
 *    (traceroute probes, scoped multicast) are left out: software sets
 *    those on purpose.
 * ARP packets count for the address they claim (their sender fields).
 *
 * A host is reported as shared (struct rp_shared) when the second MAC, or
 * a second TTL family, carries at least RP_IDENT_MIN packets and at least
 * RP_IDENT_SHARE of the host's: one stray frame is no second machine.
 * Two MACs count only as a change - one's frames end before the other's
 * begin (1 s of overlap allowed), as when a lease passes to another
 * machine: both at once is what a bridge that rewrites MACs (a VM bridged
 * over Wi-Fi) or a router forwarding copies shows for one machine.  Two
 * TTL families count at once too: several machines behind one NAT address;
 * but 64 and 255 together are no two machines: routers, switches and other
 * embedded systems send their control-plane traffic (routing, management)
 * at 255 and what their general-purpose stack sends at 64, from one box.
 * Memory: 64 bytes per tracked host, RP_IDENT_MAX at most (4 MiB).
 *
 * A shared address is reported as two hosts (rp_ident_split, after the
 * pass): the first machine keeps the address's host index, the second
 * gets a twin index past the capture's hosts.  Each flow side the
 * address sent goes to the machine its first packet's traits name (the
 * flow records them: rf->ident) - by MAC for a change, else by TTL
 * family - so a machine's host has the flows it sent and the replies in
 * them; a side that sent nothing goes by time for a MAC change (the
 * second machine from its MAC's first frame on) and to the first machine
 * otherwise.  Evidence strings are keyed by the same traits while the
 * pass runs (rp_ident_key) and handed to the machine's host with its
 * flows (rp_ev_regroup), and so are DNS client/server pairs
 * (rp_dns_regroup).  Memory: a few words per split address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

static int ttl_family(uint8_t ttl)
{
	return ttl <= 32 ? -1 : ttl <= 64 ? 0 : ttl <= 128 ? 1 : 2;
}

static const unsigned ttl_initial[3] = { 64, 128, 255 };

static struct rp_ident *ident_of(struct rp_col *c, uint32_t host)
{
	if (!host || host > RP_IDENT_MAX)
		return NULL;
	if (host > c->nident) {
		size_t nc = c->nident ? c->nident : 256;
		while (nc < host)
			nc *= 2;
		if (nc > RP_IDENT_MAX)
			nc = RP_IDENT_MAX;
		struct rp_ident *v = realloc(c->ident, nc * sizeof *v);
		if (!v) {
			c->oom = true;
			return NULL;
		}
		memset(v + c->nident, 0, (nc - c->nident) * sizeof *v);
		c->ident = v;
		c->nident = nc;
	}
	return &c->ident[host - 1];
}

/* Counts n packets from mac at now; returns its slot + 1 (3: a third MAC or more). */
static unsigned count_mac(struct rp_ident *e, const uint8_t *mac, uint32_t n, float now)
{
	for (int k = 0; k < 2; k++) {
		if (e->mac_pkts[k] && !memcmp(e->mac[k], mac, 6)) {
			e->mac_pkts[k] += n;
			e->mac_last[k] = now;
			return (unsigned)k + 1;
		}
		if (!e->mac_pkts[k]) {
			memcpy(e->mac[k], mac, 6);
			e->mac_pkts[k] = n;
			e->mac_first[k] = e->mac_last[k] = now;
			return (unsigned)k + 1;
		}
	}
	e->mac_more += n;   /* a third MAC or more */
	return 3;
}

static bool dst_group(const struct pkt *p)
{
	return p->family == 4 ? (p->dst[0] & 0xf0) == 0xe0 || (p->dst[0] == 255 && p->dst[3] == 255)
			      : p->dst[0] == 0xff;
}

/*
 * The traits are read from the first packet of each flow direction and
 * the direction's other packets are counted with them when the flow ends:
 * one touch of the address's record per direction instead of per packet
 * (a cache miss per packet on a capture of many hosts).  What this gives
 * up: a flow direction whose packets change MAC or TTL family midway
 * counts wholly for its first packet's (machines do not swap within one
 * connection), and a MAC's last time is that of its flows' last packets.
 */
void rp_ident_first(struct rp_col *c, struct rp_flow *rf, int dir, const struct pkt *p, float now)
{
	struct rp_ident *e = ident_of(c, rf->h[dir]);
	if (!e || dst_group(p))
		return;
	unsigned bits = 0;
	const uint8_t *mac = pkt_src_mac(p);
	if (mac && decode_addr_internal(p->family, p->src))
		bits = count_mac(e, mac, 1, now);
	if (p->ip && (p->proto == 6 || p->proto == 17)) {
		int fam = ttl_family(p->ttl);   /* the decoder's copy: the record's bytes may be out of cache */
		if (fam >= 0) {
			if (!e->ttl_pkts[fam])
				e->ttl_first[fam] = now;
			if (e->ttl_pkts[fam] < UINT32_MAX)
				e->ttl_pkts[fam]++;
			bits |= (unsigned)(fam + 1) << 2;
		}
	}
	rf->ident = (uint8_t)(rf->ident | bits << (4 * dir));
}

/* a + b, held at UINT32_MAX. */
static uint32_t sat_add(uint32_t a, uint64_t b)
{
	return b >= UINT32_MAX - a ? UINT32_MAX : a + (uint32_t)b;
}

void rp_ident_flow_end(struct rp_col *c, const struct rp_flow *rf, const struct flow *f)
{
	for (int d = 0; d < 2; d++) {
		unsigned bits = rf->ident >> (4 * d) & 15, mac = bits & 3, fam = bits >> 2;
		struct rp_ident *e = bits && f->pkts[d] > 1 ? ident_of(c, rf->h[d]) : NULL;
		if (!e)
			continue;
		uint64_t more = f->pkts[d] - 1;
		if (mac == 3)
			e->mac_more = sat_add(e->mac_more, more);
		else if (mac) {
			e->mac_pkts[mac - 1] = sat_add(e->mac_pkts[mac - 1], more);
			if (rf->t1 > e->mac_last[mac - 1])
				e->mac_last[mac - 1] = rf->t1;
		}
		if (fam)
			e->ttl_pkts[fam - 1] = sat_add(e->ttl_pkts[fam - 1], more);
	}
}

void rp_ident_arp(struct rp_col *c, const struct run *r, const struct pkt *p, float now)
{
	uint8_t a[16] = { 0 };
	memcpy(a, p->arp.spa, 4);
	const struct host *h = (a[0] | a[1] | a[2] | a[3]) ? hosttab_find(r->hosts, 4, a) : NULL;
	struct rp_ident *e = h ? ident_of(c, h->index) : NULL;
	const uint8_t *mac = pkt_src_mac(p);
	if (e && mac && decode_addr_internal(4, a))
		count_mac(e, mac, 1, now);
}

static bool clear_second(uint64_t second, uint64_t total)
{
	return second >= RP_IDENT_MIN && (double)second >= RP_IDENT_SHARE * (double)total;
}

/* The rule's reading of one address: two MACs (a change), two TTL families (a, first seen first). */
struct judged {
	bool two_macs, two_ttl;
	int a, b;
};

static bool judge(const struct rp_ident *e, struct judged *j)
{
	uint64_t macs = (uint64_t)e->mac_pkts[0] + e->mac_pkts[1] + e->mac_more;
	/* a change: one MAC's frames end before the other's begin (1 s of overlap allowed) */
	bool change = e->mac_pkts[1] &&
		      (e->mac_last[0] <= e->mac_first[1] + 1 || e->mac_last[1] <= e->mac_first[0] + 1);
	j->two_macs = change && clear_second(e->mac_pkts[1] < e->mac_pkts[0] ? e->mac_pkts[1] : e->mac_pkts[0], macs);
	uint64_t ttl = (uint64_t)e->ttl_pkts[0] + e->ttl_pkts[1] + e->ttl_pkts[2];
	int first = -1, second = -1;   /* the two families with most packets */
	for (int k = 0; k < 3; k++) {
		if (!e->ttl_pkts[k])
			continue;
		if (first < 0 || e->ttl_pkts[k] > e->ttl_pkts[first]) {
			second = first;
			first = k;
		} else if (second < 0 || e->ttl_pkts[k] > e->ttl_pkts[second]) {
			second = k;
		}
	}
	bool one_box = (first == 0 && second == 2) || (first == 2 && second == 0);   /* 64 and 255 */
	j->two_ttl = second >= 0 && !one_box && clear_second(e->ttl_pkts[second], ttl);
	j->a = j->b = -1;
	if (j->two_ttl) {
		j->a = e->ttl_first[first] <= e->ttl_first[second] ? first : second;
		j->b = j->a == first ? second : first;
	}
	return j->two_macs || j->two_ttl;
}

static void fmt_mac(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void shared_fill(const struct rp_ident *e, const struct judged *j, struct rp_shared *s)
{
	s->on = true;
	char m[200] = "", t[160] = "", c0[16], c1[16], m0[18], m1[18];
	if (j->two_macs) {
		for (int k = 0; k < 2; k++) {
			memcpy(s->mac[k], e->mac[k], 6);
			s->mac_pkts[k] = e->mac_pkts[k];
			s->mac_first[k] = e->mac_first[k];
		}
		rp_clock(e->mac_first[0], c0, sizeof c0);
		rp_clock(e->mac_first[1], c1, sizeof c1);
		fmt_mac(e->mac[0], m0, sizeof m0);
		fmt_mac(e->mac[1], m1, sizeof m1);
		snprintf(m, sizeof m, "two MAC addresses: %s (%u packets, from %s) and %s (%u packets, from %s)", m0,
			 e->mac_pkts[0], c0, m1, e->mac_pkts[1], c1);
	}
	if (j->two_ttl) {
		int a = j->a, b = j->b;
		s->ttl[0] = ttl_initial[a];
		s->ttl[1] = ttl_initial[b];
		s->ttl_pkts[0] = e->ttl_pkts[a];
		s->ttl_pkts[1] = e->ttl_pkts[b];
		rp_clock(e->ttl_first[a], c0, sizeof c0);
		rp_clock(e->ttl_first[b], c1, sizeof c1);
		snprintf(t, sizeof t, "two initial TTLs: %u (%u packets, from %s) and %u (%u packets, from %s)",
			 ttl_initial[a], e->ttl_pkts[a], c0, ttl_initial[b], e->ttl_pkts[b], c1);
	}
	snprintf(s->evidence, sizeof s->evidence, "this address was used by two machines? %s%s%s", m,
		 m[0] && t[0] ? "; " : "", t);
}

/* ---- reporting the two machines apart ---- */

/*
 * Which machine sent a flow side, from its key (rp_ident_key): 1 or 2.
 * By MAC: the second MAC's slot; a side without a MAC (it sent nothing) goes by time
 * (the second machine from the first frame of its MAC on, as a lease that
 * passed on); a third MAC stays with the first machine (it cannot be
 * told).  By TTL: the second machine's family; a side without TCP/UDP
 * from the address (nothing sent, ICMP only) stays with the first.
 */
static int machine_of(const struct rp_split *sp, uint8_t key)
{
	unsigned mac = key & 3, fam = key >> 2 & 3;
	if (sp->by_mac)
		return mac == 2 || (!mac && (key & 16)) ? 2 : 1;
	return fam && fam - 1 == sp->fam2 ? 2 : 1;
}

/* The key of side d of rf: its sender nibble, and bit 4 when it has no MAC and the address's
 * second MAC was already seen at the flow's start (machine_of's "by time"). */
static uint8_t side_key(const struct rp_col *c, const struct rp_flow *rf, int d)
{
	if (d < 0)
		return 0;
	unsigned k = rf->ident >> (4 * d) & 15;
	uint32_t host = rf->h[d];
	if (!(k & 3) && host && host <= c->nident) {
		const struct rp_ident *e = &c->ident[host - 1];
		if (e->mac_pkts[1] && e->mac_first[1] <= rf->t0)
			k |= 16;
	}
	return (uint8_t)k;
}

uint8_t rp_ident_key(const struct rp_col *c, uint32_t host)
{
	const struct flow *f = c->cur_f;
	if (c->split_done || !f || !f->user || f->user > c->nflows)
		return 0;
	const struct rp_flow *rf = &c->flows[f->user - 1];
	return side_key(c, rf, rf->h[0] == host ? 0 : rf->h[1] == host ? 1 : -1);
}

static const struct rp_split *split_of(const struct rp_col *c, uint32_t host)
{
	return host && host <= c->nident && c->split_of && c->split_of[host - 1] ?
		       &c->split[c->split_of[host - 1] - 1] : NULL;
}

uint32_t rp_ident_owner(const struct rp_col *c, uint32_t host, uint8_t who)
{
	const struct rp_split *sp = split_of(c, host);
	return sp && machine_of(sp, who) == 2 ? (uint32_t)(c->nreal + (uint64_t)(sp - c->split) + 1) : host;
}

uint32_t rp_ident_address(const struct rp_col *c, uint32_t host)
{
	return host > c->nreal && host - c->nreal <= c->nsplit ? c->split[host - c->nreal - 1].host : host;
}

/* Moves side d of rf to the machine that sent it, counting that machine's traits and flows. */
static void split_side(struct rp_col *c, struct rp_flow *rf, int d, uint32_t *nh)
{
	struct rp_split *sp = (struct rp_split *)split_of(c, rf->h[d]);
	if (!sp)
		return;
	uint8_t key = side_key(c, rf, d);
	int m = machine_of(sp, key) - 1;
	unsigned mac = key & 3, fam = key >> 2 & 3;
	if (mac == 1 || mac == 2)
		sp->mac_votes[m][mac - 1] = sat_add(sp->mac_votes[m][mac - 1], rf->pkts[d]);
	if (fam)
		sp->ttl_votes[m][fam - 1] = sat_add(sp->ttl_votes[m][fam - 1], rf->pkts[d]);
	sp->flows[m][d]++;
	if (m)
		nh[d] = (uint32_t)(c->nreal + (uint64_t)(sp - c->split) + 1);
}

/* The addresses the rule finds shared, in host order; -1 out of memory. */
static int split_find(struct rp_col *c, uint64_t nhosts)
{
	size_t n = c->nident < nhosts ? c->nident : (size_t)nhosts, cap = 0;
	for (size_t i = 0; i < n; i++) {
		struct judged j;
		if (!judge(&c->ident[i], &j))
			continue;
		if (c->nsplit == cap) {
			cap = cap ? 2 * cap : 16;
			struct rp_split *v = realloc(c->split, cap * sizeof *v);
			if (!v)
				return -1;
			c->split = v;
		}
		c->split[c->nsplit++] = (struct rp_split){ .host = (uint32_t)i + 1, .by_mac = j.two_macs,
			.fam2 = (uint8_t)(j.two_ttl ? j.b : 0) };
	}
	return 0;
}

/* Out of memory while splitting: no split at all (the report fails: c->oom). */
static int split_fail(struct rp_col *c)
{
	free(c->split_of);
	free(c->twins);
	c->split_of = NULL;
	c->twins = NULL;
	c->nsplit = 0;
	c->oom = true;
	return -1;
}

/* The split addresses' lookup (split_of) and twin hosts; -1 out of memory. */
static int split_index(struct rp_col *c, struct host *const *hosts, uint64_t nhosts)
{
	c->split_of = calloc(c->nident, sizeof *c->split_of);
	c->twins = calloc(c->nsplit, sizeof *c->twins);
	if (!c->split_of || !c->twins)
		return -1;
	for (size_t k = 0; k < c->nsplit; k++) {
		c->split_of[c->split[k].host - 1] = (uint32_t)k + 1;
		c->twins[k] = *hosts[c->split[k].host - 1];   /* the address; counters fixed below */
		c->twins[k].hnext = NULL;
		c->twins[k].index = (uint32_t)(nhosts + k + 1);
	}
	return 0;
}

/* Deals each flow side of a split address to the machine that sent it (rf->h). */
static void split_flows(struct rp_col *c)
{
	for (size_t i = 0; c->nsplit && i < c->nflows; i++) {
		struct rp_flow *rf = &c->flows[i];
		uint32_t nh[2] = { rf->h[0], rf->h[1] };
		split_side(c, rf, 0, nh);
		split_side(c, rf, 1, nh);
		rf->h[0] = nh[0];
		rf->h[1] = nh[1];
	}
	for (size_t k = 0; k < c->nsplit; k++) {
		c->twins[k].flows_orig = c->split[k].flows[1][0];
		c->twins[k].flows_resp = c->split[k].flows[1][1];
	}
}

int rp_ident_split(struct rp_col *c, struct host *const *hosts, uint64_t nhosts)
{
	if (c->split_done)
		return 0;
	c->split_done = true;
	c->nreal = nhosts;
	if (split_find(c, nhosts) || (c->nsplit && split_index(c, hosts, nhosts)))
		return split_fail(c);
	split_flows(c);
	/* evidence and DNS pairs to their machines; one entry per host again for the others */
	rp_ev_regroup(c);
	rp_dns_regroup(c);
	return 0;
}

static int top(const uint32_t *v, int n)
{
	int best = 0;
	for (int k = 1; k < n; k++)
		if (v[k] > v[best])
			best = k;
	return v[best] ? best : -1;
}

/* Machine m (1, 2) of split sp: its MAC and TTL family, and the trait that tells it apart. */
static void machine_make(const struct rp_col *c, const struct rp_split *sp, int m, struct rp_machine *mc)
{
	const struct rp_ident *e = &c->ident[sp->host - 1];
	int mac = top(sp->mac_votes[m - 1], 2), fam = top(sp->ttl_votes[m - 1], 3);
	if (sp->by_mac)
		mac = m - 1;   /* the trait it was told apart by, whatever its flows' majority */
	else if (m == 2)
		fam = sp->fam2;
	memset(mc, 0, sizeof *mc);
	mc->on = true;
	mc->by_mac = sp->by_mac;
	mc->has_mac = mac >= 0;
	if (mac >= 0)
		memcpy(mc->mac, e->mac[mac], 6);
	mc->ttl = fam >= 0 ? ttl_initial[fam] : 0;
	if (sp->by_mac)
		fmt_mac(mc->mac, mc->label, sizeof mc->label);
	else
		snprintf(mc->label, sizeof mc->label, "TTL %u", mc->ttl);
}

/* Which machine host is (0: its address is not split, 1, 2), and the split. */
static int machine_which(const struct rp_col *c, uint32_t host, const struct rp_split **sp)
{
	if ((*sp = split_of(c, host)))
		return 1;
	if (host > c->nreal && host - c->nreal <= c->nsplit) {
		*sp = &c->split[host - c->nreal - 1];
		return 2;
	}
	return 0;
}

bool rp_ident_at(const struct rp_col *c, uint32_t host, double t)
{
	const struct rp_split *sp;
	int m = machine_which(c, host, &sp);
	if (!m)
		return true;
	bool second = sp->by_mac && c->ident[sp->host - 1].mac_first[1] <= t;   /* as machine_of's "by time" */
	return (m == 2) == second;
}

void rp_ident_host(const struct rp_col *c, uint32_t host, struct rp_host *h)
{
	memset(&h->shared, 0, sizeof h->shared);
	memset(&h->machine, 0, sizeof h->machine);
	const struct rp_split *sp;
	int m = machine_which(c, host, &sp);
	uint32_t addr_host = sp ? sp->host : host;
	struct judged j;
	if (!addr_host || addr_host > c->nident || !judge(&c->ident[addr_host - 1], &j))
		return;
	shared_fill(&c->ident[addr_host - 1], &j, &h->shared);
	if (!m)
		return;
	struct rp_machine other;
	machine_make(c, sp, m, &h->machine);
	machine_make(c, sp, 3 - m, &other);
	char a[64];
	decode_addr_str(h->family, h->addr, a, sizeof a);
	size_t n = strlen(h->shared.evidence);
	snprintf(h->shared.evidence + n, sizeof h->shared.evidence - n,
		 "; reported as two hosts: this one the machine with %s%s, the other %s [%s]",
		 sp->by_mac ? "MAC " : "", h->machine.label, a, other.label);
}
