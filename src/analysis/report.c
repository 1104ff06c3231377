/*
 * report.c - assembles the explanation of a run for each sandbox host:
 * runs the behavior detectors (table in behaviors.c), orders behaviors
 * into phases, derives the role, ranks notable endpoints and enriches
 * them with passive DNS and libloc (geo.c).
 *
 * Notable endpoints (why they stick out, in the score):
 *   named by a malicious behavior (its "server": a C2, a stage's source, an
 *   attack's "target" or "attacker", a
 *   spam MX): + 6, the behavior first in the reason, even for one flow;
 *   repeated contact: log2(1 + flows);  spread: distinct minutes with a
 *   contact (bots return to their C&C, peers are met once);  C&C-like
 *   exchange: HTTP POST of a binary body or an IRC session;  backend: a
 *   relayed connection went there;  early: first contact in the first
 *   minute;  fixed odd port: repeated flows to one port outside the
 *   well-known ones;  TLS C2: it served a self-signed certificate to a
 *   ClientHello without SNI.  Local infrastructure (the DNS resolver, NTP
 *   servers) is expected and scores a fifth.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

struct rp_beh *rp_beh_add(struct rp_host *h, const char *kind, double start, double end, uint64_t flows)
{
	if (h->nbehs >= RP_MAX_BEHS)
		return NULL;
	struct rp_beh *b = &h->behs[h->nbehs++];
	memset(b, 0, sizeof *b);
	snprintf(b->kind, sizeof b->kind, "%s", kind);
	b->start = start;
	b->end = end;
	b->flows = flows;
	b->malicious = rp_kind_malicious(kind);
	return b;
}

static struct rp_kv *kv_new(struct rp_beh *b, const char *key)
{
	if (!b || b->nkv >= RP_MAX_KV)
		return NULL;
	struct rp_kv *k = &b->kv[b->nkv++];
	snprintf(k->key, sizeof k->key, "%s", key);
	return k;
}

void rp_kv_num(struct rp_beh *b, const char *key, double v)
{
	struct rp_kv *k = kv_new(b, key);
	if (!k)
		return;
	k->num = true;
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(k->val, sizeof k->val, "%.0f", v);
	else
		snprintf(k->val, sizeof k->val, "%.3f", v);
}

const char *rp_kv_get(const struct rp_beh *b, const char *key)
{
	for (unsigned i = 0; i < b->nkv; i++)
		if (!strcmp(b->kv[i].key, key))
			return b->kv[i].val;
	return NULL;
}

/* The behavior by which the host was attacked (its "role" is "target"), or NULL. */
static const struct rp_beh *attacked_by(const struct rp_host *h)
{
	for (unsigned i = 0; i < h->nbehs; i++) {
		const char *r = rp_kv_get(&h->behs[i], "role");
		if (r && !strcmp(r, "target"))
			return &h->behs[i];
	}
	return NULL;
}

void rp_kv_str(struct rp_beh *b, const char *key, const char *v)
{
	struct rp_kv *k = kv_new(b, key);
	if (k)
		snprintf(k->val, sizeof k->val, "%s", v);
}

void rp_evidence(struct rp_beh *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->evidence, sizeof b->evidence, fmt, ap);
	va_end(ap);
}


void rp_host_label(const struct rp_host *h, char *buf, size_t len)
{
	char a[64];
	decode_addr_str(h->family, h->addr, a, sizeof a);
	if (h->machine.on)
		snprintf(buf, len, "%s [%s]", a, h->machine.label);
	else
		snprintf(buf, len, "%s", a);
}

bool rp_outbound(const struct rp_ctx *x, const struct rp_flow *f)
{
	return f->h[0] == x->self;
}

static bool loopback(const struct host *h)
{
	static const uint8_t one[16] = { [15] = 1 };
	return h && ((h->family == 4 && h->addr[0] == 127) || (h->family == 6 && !memcmp(h->addr, one, 16)));
}

bool rp_same_machine(const struct rp_ctx *x, const struct rp_flow *f)
{
	const struct host *a = f->h[0] && f->h[0] <= x->nhosts ? x->hosts[f->h[0] - 1] : NULL;
	const struct host *b = f->h[1] && f->h[1] <= x->nhosts ? x->hosts[f->h[1] - 1] : NULL;
	return f->h[0] == f->h[1] || loopback(a) || loopback(b);
}

const struct host *rp_peer(const struct rp_ctx *x, const struct rp_flow *f)
{
	uint32_t i = f->h[0] == x->self ? f->h[1] : f->h[0];
	return i && i <= x->nhosts ? x->hosts[i - 1] : NULL;
}

/* ---- notable endpoints ---- */

struct peer_acc {
	uint32_t flows, inbound;
	float first, last;
	uint64_t minutes[4];        /* bitmap of minutes 0..255 with a contact */
	uint16_t port, port_flows;
	bool cnc, backend, infra, tlsc2;
};

static bool port_well_known(uint16_t p)
{
	static const uint16_t wk[] = { 20, 21, 22, 23, 25, 53, 80, 110, 123, 143, 443, 445, 465, 587, 993, 995, 8080 };
	for (size_t i = 0; i < sizeof wk / sizeof *wk; i++)
		if (wk[i] == p)
			return true;
	return false;
}

/*
 * Ports of services an ordinary host uses or offers, where a long session
 * or a regular exchange is expected: mail, web, remote desktop, databases,
 * directory, chat and push-notification channels, VPNs, LAN discovery.
 * (VPNs, STUN/TURN, conferencing, music streaming, game servers, BitTorrent
 * too.)  A C2 channel on one of these is judged by content, not by its port.
 */
bool rp_service_port(uint8_t proto, uint16_t p)
{
	static const uint16_t tcp[] = { 21, 22, 23, 25, 53, 80, 88, 110, 135, 139, 143, 389, 443, 445, 465, 587,
		636, 853, 993, 995, 1194, 1433, 1521, 1723, 1883, 3268, 3269, 3306, 3389, 3478, 4070, 5060, 5061,
		5222, 5223, 5228, 5349, 5432, 5900, 5938, 8080, 8443, 8801, 8802, 8883, 9418 };
	static const uint16_t udp[] = { 53, 67, 68, 69, 123, 137, 138, 161, 162, 443, 500, 514, 1194, 1900, 3478,
		3479, 3480, 3481, 3702, 4500, 5353, 5355, 8801, 19302, 51820 };
	if ((p >= 27015 && p <= 27050) || (p >= 6881 && p <= 6889))
		return true;   /* game servers (Steam), BitTorrent */
	const uint16_t *v = proto == 6 ? tcp : udp;
	size_t n = proto == 6 ? sizeof tcp / sizeof *tcp : sizeof udp / sizeof *udp;
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

static unsigned popcount256(const uint64_t m[4])
{
	return (unsigned)(__builtin_popcountll(m[0]) + __builtin_popcountll(m[1]) +
			  __builtin_popcountll(m[2]) + __builtin_popcountll(m[3]));
}

/* Accumulates per-peer facts over the host's flows. */
static void peers_account(const struct rp_ctx *x, struct peer_acc *acc)
{
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		uint32_t p = rp_ident_address(x->col, f->h[0] == x->self ? f->h[1] : f->h[0]);
		if (!p || p > x->nhosts)
			continue;
		struct peer_acc *a = &acc[p];
		if (!a->flows++)
			a->first = f->t0;
		a->last = f->t0;
		/* clamped before the conversion: records out of order give t0 < 0 */
		unsigned m = f->t0 <= 0 ? 0 : f->t0 >= 255 * 60.0f ? 255 : (unsigned)(f->t0 / 60.0f);
		a->minutes[m / 64] |= 1ull << (m % 64);
		bool out = f->h[0] == x->self;
		if (!out)
			a->inbound++;
		if (out && f->dport == a->port)
			a->port_flows++;
		else if (out && !a->port_flows) {
			a->port = f->dport;
			a->port_flows = 1;
		}
		if ((f->facts & (RPF_HTTP_POST | RPF_HTTP_BINARY)) == (RPF_HTTP_POST | RPF_HTTP_BINARY) ||
		    (f->app == RP_APP_IRC && (f->facts & (RPF_IRC_REG | RPF_IRC_JOIN))))
			a->cnc = true;
		if (f->app == RP_APP_DNS || f->app == RP_APP_NTP)
			a->infra = true;
		if (f->app == RP_APP_TLS && f->h[!rp_tls_client(f)] == p &&
		    (f->facts2 & (RPF2_TLS_NOSNI | RPF2_TLS_SELFSIGNED)) == (RPF2_TLS_NOSNI | RPF2_TLS_SELFSIGNED))
			a->tlsc2 = true;   /* the peer is the TLS server */
	}
	/* backends: an outbound flow starting within 3 s after an inbound one */
	size_t j = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *in = x->fl[i];
		if (in->h[1] != x->self || in->proto != 6)
			continue;
		if (j < i + 1)
			j = i + 1;
		while (j < x->nfl && x->fl[j]->t0 < in->t0)
			j++;
		for (size_t k = j; k < x->nfl && x->fl[k]->t0 <= in->t0 + 3.0f; k++)
			if (x->fl[k]->h[0] == x->self && x->fl[k]->proto == 6 && x->fl[k]->h[1] <= x->nhosts &&
			    x->fl[k]->h[1] != in->h[0] && x->fl[k]->bytes[0] && in->bytes[0]) {
				acc[rp_ident_address(x->col, x->fl[k]->h[1])].backend = true;
				break;
			}
	}
}

static double peer_score(const struct peer_acc *a, const struct rp_beh *named, char *why, size_t len)
{
	unsigned mins = popcount256(a->minutes);
	double s = log2(1.0 + a->flows) + 0.5 * (mins > 12 ? 12 : mins);
	size_t u = 0;
#define WHY(...) do { int w_ = snprintf(why + u, len - u, __VA_ARGS__); \
		if (w_ > 0 && (size_t)w_ < len - u) u += (size_t)w_; } while (0)
	if (named) {
		s += 6;
		WHY("%s: %.120s; ", named->kind, named->evidence);
	}
	WHY("%u flow%s in %u distinct minute%s", a->flows, a->flows == 1 ? "" : "s", mins, mins == 1 ? "" : "s");
	if (a->backend) {
		s += 4;
		WHY("; backend: inbound connections were relayed to it");
	}
	if (a->cnc) {
		s += 3;
		WHY("; C&C-like exchange (binary HTTP POST or IRC session)");
	}
	if (a->tlsc2) {
		s += 3;
		WHY("; TLS C2: self-signed certificate, no SNI");
	}
	if (a->first < 60) {
		s += 1;
		WHY("; first contact %.0f s after start", a->first);
	}
	if (a->port_flows >= 2 && !port_well_known(a->port) && !a->infra) {
		s += 1;
		WHY("; fixed port %u", a->port);
	}
	if (a->infra) {
		s *= 0.2;
		WHY("; local infrastructure (DNS/NTP), expected");
	}
#undef WHY
	return s;
}

static int by_score(const void *a, const void *b)
{
	const struct rp_notable *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return memcmp(x->addr, y->addr, 16);
}

/* An IPv4 x.y.z.255 that never opened a flow: a /24's broadcast address, as LAN chatter uses it. */
static bool subnet_broadcast(const struct host *p)
{
	return p->family == 4 && p->addr[3] == 255 && !p->flows_orig;
}

/* True when text names address a ("a.b.c.d", "v6") or a network holding it ("a.b.c.0/24"). */
static bool names_addr(const char *text, const struct host *p)
{
	char a[64];
	decode_addr_str(p->family, p->addr, a, sizeof a);
	if (!strcmp(text, a))
		return true;
	const char *slash = strchr(text, '/');
	uint8_t fam, net[16];
	char buf[64];
	if (!slash || (size_t)(slash - text) >= sizeof buf || p->family != 4)
		return false;
	memcpy(buf, text, (size_t)(slash - text));
	buf[slash - text] = 0;
	int bits = atoi(slash + 1);
	if (!decode_addr_parse(buf, &fam, net) || fam != 4 || bits < 8 || bits > 32)
		return false;
	uint32_t m = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
	uint32_t x = (uint32_t)net[0] << 24 | (uint32_t)net[1] << 16 | (uint32_t)net[2] << 8 | net[3];
	uint32_t y = (uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 | (uint32_t)p->addr[2] << 8 | p->addr[3];
	return (x & m) == (y & m);
}

/* The heaviest malicious behavior of h whose "server" (or, for an attack, "target" or
 * "attacker") is peer p, or NULL. */
static const struct rp_beh *named_by(const struct rp_host *h, const struct host *p)
{
	for (unsigned i = 0; i < h->nbehs; i++) {
		const struct rp_beh *b = &h->behs[i];
		for (unsigned k = 0; b->malicious && k < b->nkv; k++)
			if ((!strcmp(b->kv[k].key, "server") || !strcmp(b->kv[k].key, "target") ||
			     !strcmp(b->kv[k].key, "attacker")) && names_addr(b->kv[k].val, p))
				return b;
	}
	return NULL;
}

static int notable_rank(const struct rp_ctx *x, struct rp_host *h, struct geo *g)
{
	struct peer_acc *acc = calloc(x->nhosts + 1, sizeof *acc);
	struct rp_notable *all = calloc(x->nhosts + 1, sizeof *all);
	if (!acc || !all) {
		free(acc);
		free(all);
		return -1;
	}
	peers_account(x, acc);
	size_t n = 0;
	uint32_t self = rp_ident_address(x->col, x->self);   /* peers are addresses (peers_account) */
	for (uint64_t i = 1; i <= x->nhosts; i++) {
		const struct host *p = x->hosts[i - 1];
		if (!acc[i].flows || i == self || !decode_addr_host(p->family, p->addr) || subnet_broadcast(p))
			continue;
		const struct rp_beh *named = named_by(h, p);
		if (acc[i].flows < 2 && !named && !acc[i].tlsc2)   /* one flow is notable when a behavior names it */
			continue;
		struct rp_notable *e = &all[n++];
		e->family = p->family;
		memcpy(e->addr, p->addr, 16);
		e->flows = acc[i].flows;
		e->first = acc[i].first;
		e->score = peer_score(&acc[i], named, e->reason, sizeof e->reason);
	}
	qsort(all, n, sizeof *all, by_score);
	h->nnotable = n < RP_MAX_NOTABLE ? (unsigned)n : RP_MAX_NOTABLE;
	for (unsigned i = 0; i < h->nnotable; i++) {
		struct rp_notable *e = &all[i];
		const char *nm = rp_pdns_name(x->col, e->family, e->addr);
		const char *rg = geo_range(e->family, e->addr);
		snprintf(e->name, sizeof e->name, "%s", nm ? nm : "");
		snprintf(e->range, sizeof e->range, "%s", rg ? rg : "");
		if (g && !rg)
			geo_lookup(g, e->family, e->addr, &e->asn, e->org, sizeof e->org, e->country);
		e->score = round(e->score * 100) / 100;
		h->notable[i] = *e;
	}
	free(acc);
	free(all);
	return 0;
}

/* ---- role ---- */

void rp_say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static bool any_malicious(const struct rp_host *h)
{
	for (unsigned i = 0; i < h->nbehs; i++)
		if (h->behs[i].malicious)
			return true;
	return false;
}

/* The behavior that gives the host its role: relay, then server, worker, p2p_node (rules.c). */
/*
 * The role a behavior gives: its kind's (rules.c), else from its "role"
 * field: the sender of an exploit is a worker (attack tooling), its target
 * a server when it answered inbound connections (an attacked service).
 * A "target" of a worker kind (a flood's victim) is never a worker.
 */
static const char *role_of(const struct rp_host *h, const struct rp_beh *b)
{
	const struct rp_kind *k = rp_kind_find(b->kind);
	const char *r = rp_kv_get(b, "role");
	if (r && !strcmp(r, "target") && k && k->role && !strcmp(k->role, "worker"))
		return h->reachable ? "server" : NULL;   /* the victim of a flood does no work for anyone */
	if (k && k->role)
		return k->role;
	if (r && !strcmp(r, "attacker"))
		return "worker";
	if (r && !strcmp(r, "target") && h->reachable)
		return "server";
	return NULL;
}

/* A download the host only served: a distribution or attack server (beh_download.c's side). */
static bool served_download(const struct rp_beh *b)
{
	const char *side = rp_kv_get(b, "side");
	return !strcmp(b->kind, "download") && side && !strcmp(side, "served");
}

static const struct rp_beh *role_behavior(const struct rp_host *h)
{
	static const char *const order[] = { "relay", "server", "worker", "p2p_node" };
	for (size_t r = 0; r < sizeof order / sizeof *order; r++)
		for (unsigned i = 0; i < h->nbehs; i++) {
			const char *role = role_of(h, &h->behs[i]);
			if (role && !strcmp(role, order[r]))
				return &h->behs[i];
		}
	for (unsigned i = 0; i < h->nbehs; i++)   /* no other role: the server it served code from */
		if (served_download(&h->behs[i]))
			return &h->behs[i];
	return NULL;
}

/*
 * The role of the heaviest role-giving behavior (rules.c's kinds table):
 * relay when it forwards inbound connections, server when it serves
 * many, worker when it spams, floods, scans or propagates, p2p_node when
 * it takes part in an overlay, else client.
 */
static void role_derive(const struct rp_ctx *x, struct rp_host *h)
{
	const struct rp_beh *b;
	uint64_t inbound_est = 0;
	for (size_t i = 0; i < x->nfl; i++)
		if (x->fl[i]->h[1] == x->self && (x->fl[i]->proto != 6 || (x->fl[i]->facts & RPF_TCP_EST)) &&
		    x->fl[i]->pkts[1])
			inbound_est++;
	h->reachable = inbound_est > 0;
	h->nat = x->me->internal && !h->reachable;
	const char *where = h->nat ? "private address, no inbound connection answered (behind NAT)"
			  : h->reachable ? "reachable: answered inbound connections"
					 : "public address, no inbound connection answered";
	b = role_behavior(h);
	const char *role = b ? role_of(h, b) : "client";
	if (b && !role)
		role = "server";   /* a served download (role_behavior's fallback) */
	const char *peer = b ? rp_kv_get(b, b == attacked_by(h) ? "attacker" : "target") : NULL;
	snprintf(h->role, sizeof h->role, "%s", role);
	if (!strcmp(role, "relay"))
		rp_say(h->role_reason, sizeof h->role_reason, "forwards inbound connections to a backend (%s); %s",
		    b->evidence, where);
	else if (!strcmp(role, "server") && b == attacked_by(h))
		rp_say(h->role_reason, sizeof h->role_reason, "an attacked service: %s received from %s; %s", b->kind,
		    peer ? peer : "?", where);
	else if (!strcmp(role, "server") && !strcmp(b->kind, "download"))
		rp_say(h->role_reason, sizeof h->role_reason, "served executable code (%s); %s", b->evidence, where);
	else if (!strcmp(role, "server"))
		rp_say(h->role_reason, sizeof h->role_reason, "serves many clients (%s); %s", b->evidence, where);
	else if (!strcmp(role, "worker") && peer)
		rp_say(h->role_reason, sizeof h->role_reason, "%s sent to %s; %s", b->kind, peer, where);
	else if (!strcmp(role, "worker"))
		rp_say(h->role_reason, sizeof h->role_reason, "%s outbound; %s", b->kind, where);
	else if (!strcmp(role, "p2p_node"))
		rp_say(h->role_reason, sizeof h->role_reason, "takes part in a P2P overlay; %s", where);
	else if (attacked_by(h)) {
		const char *from = rp_kv_get(attacked_by(h), "attacker");
		rp_say(h->role_reason, sizeof h->role_reason, "the target of %s from %s; %s", attacked_by(h)->kind,
		    from ? from : "several sources", where);
	} else
		rp_say(h->role_reason, sizeof h->role_reason, "%s; %s",
		    any_malicious(h) ? "the client side of its behaviors" : "only ordinary client traffic", where);
}

/* ---- assembly ---- */

static int by_start(const void *a, const void *b)
{
	const struct rp_beh *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

static int fl_by_start(const void *a, const void *b)
{
	const struct rp_flow *x = *(const struct rp_flow *const *)a, *y = *(const struct rp_flow *const *)b;
	if (x->t0 != y->t0)
		return x->t0 < y->t0 ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* True when fl[0..n) is in fl_by_start's order already. */
static bool fl_sorted(const struct rp_flow **fl, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (fl_by_start(&fl[i - 1], &fl[i]) > 0)
			return false;
	return true;
}

static int plot_points(const struct rp_ctx *x, struct rp_host *h)
{
	h->pts = malloc((x->nfl ? x->nfl : 1) * sizeof *h->pts);
	if (!h->pts)
		return -1;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (f->h[0] != x->self || (f->proto != 6 && f->proto != 17 && f->proto != 1))
			continue;
		h->pts[h->npts++] = (struct plot_point){ .t = f->t0, .port = f->dport, .weight = 1,
			.series = f->proto == 6 ? PLOT_TCP : f->proto == 17 ? PLOT_UDP : PLOT_ICMP };
	}
	return 0;
}

static int host_build(struct rp_ctx *x, const struct host *me, struct geo *g, struct rp_host *h)
{
	const struct rp_col *c = x->col;
	x->me = me;
	x->self = me->index;
	if (!fl_sorted(x->fl, x->nfl))   /* records are made in first-packet order: sorted but for late records */
		qsort(x->fl, x->nfl, sizeof *x->fl, fl_by_start);
	h->family = me->family;
	memcpy(h->addr, me->addr, 16);
	h->index = me->index;
	h->flows_out = me->flows_orig;
	h->flows_in = me->flows_resp;
	for (size_t i = 0; i < x->nfl; i++)
		h->app_flows[x->fl[i]->app]++;
	rp_dpi_host(x, h);
	rp_ident_host(c, x->self, h);
	if (h->machine.on) {   /* the hosts table counts the address: count this machine's flows */
		h->flows_out = h->flows_in = 0;
		for (size_t i = 0; i < x->nfl; i++) {
			h->flows_out += x->fl[i]->h[0] == x->self;
			h->flows_in += x->fl[i]->h[1] == x->self;
		}
	}
	for (size_t i = 0; i < rp_nanalyses; i++)
		if (rp_analyses[i]->run(x, h))
			return -1;
	qsort(h->behs, h->nbehs, sizeof *h->behs, by_start);
	role_derive(x, h);
	rp_verdict(h);
	if (notable_rank(x, h, g) < 0 || plot_points(x, h) < 0 || rp_indicators(x, h) < 0)
		return -1;
	return 0;
}

/*
 * Facts that make either endpoint of a flow worth explaining even when it
 * is not a sandbox host by flow count: an exploit, an executable or code
 * crossing, mail handed over, a shell, a tunnel, a self-signed TLS
 * session, data sent straight to a DNS server.
 */
#define SUSPECT_FACTS (RPF_EXE | RPF_SMTP_MAIL | RPF_SMTP_DATA | RPF_SMB_TRANS2 | RPF_SMB_NTTRANS | \
		       RPF_SHELL | RPF_IRC_JOIN | RPF_IRC_CMD | RPF_DNS_TUNNEL | RPF_FTP_STOR)
#define SUSPECT_FACTS2 (RPF2_TLS_SELFSIGNED | RPF2_HTTP_LOG4SHELL | RPF2_HTTP_FILE | RPF2_HTTP_BIGPOST | \
			RPF2_STREAM_PE | RPF2_STREAM_PE_R | RPF2_ICMP_TUNNEL | RPF2_DNS_DIRECT | RPF2_DNS_BADNAME | \
			RPF2_AUTH_FAIL)

static bool listed(const struct host *const *sb, unsigned n, const struct host *h)
{
	for (unsigned i = 0; i < n; i++)
		if (sb[i] == h)
			return true;
	return false;
}

/*
 * Sums per host index (0..nhosts) over all the records, taken in the one
 * pass that also finishes each record (nDPI's name, direct DNS): on a
 * capture of millions of flows the records are hundreds of MiB and each
 * pass over them is a walk through memory, so the post-pass makes this
 * one and one more to list the flows of the hosts reported.
 */
struct rec_sums {
	uint32_t *flows;        /* flows with the host at either end, once per flow */
	uint32_t *score;        /* for suspects (NULL: none wanted or no memory): suspect flows */
	uint64_t *sent, *got;   /* for suspects: packets sent and received */
};

/* Adds f's ends to the suspects' sums. */
static void suspect_sums(const struct rp_ctx *x, const struct rp_flow *f, struct rec_sums *s)
{
	bool suspect = (f->facts & SUSPECT_FACTS) || (f->facts2 & SUSPECT_FACTS2);
	for (int w = 0; w < 2; w++)
		if (f->h[w] && f->h[w] <= x->nhosts) {
			s->score[f->h[w]] += suspect;
			s->sent[f->h[w]] += f->pkts[w];
			s->got[f->h[w]] += f->pkts[!w];
		}
}

/*
 * Finishes every record (nDPI's name where botlens's parsers found none;
 * direct DNS when dns, rp_dns_resolvers) and takes the sums, the
 * suspects' when wanted.  -1 out of memory.
 */
static int records_pass(struct rp_col *c, const struct rp_ctx *x, bool dns, bool suspects, struct rec_sums *s)
{
	size_t n = x->nhosts + 1;
	*s = (struct rec_sums){ .flows = calloc(n, sizeof *s->flows) };
	if (!s->flows)
		return -1;
	if (suspects) {   /* without memory for them, no suspects (as before: not an error) */
		s->score = calloc(n, sizeof *s->score);
		s->sent = calloc(2 * n, sizeof *s->sent);
		if (!s->score || !s->sent) {
			free(s->score);
			free(s->sent);
			s->score = NULL;
			s->sent = NULL;
		}
		s->got = s->sent ? s->sent + n : NULL;
	}
	for (size_t i = 0; i < c->nflows; i++) {
		struct rp_flow *f = &c->flows[i];
		rp_dpi_apply_flow(f);
		if (dns)
			rp_dns_flow_finish(c, f);
		if (f->h[0] <= x->nhosts)
			s->flows[f->h[0]]++;
		if (f->h[1] != f->h[0] && f->h[1] <= x->nhosts)
			s->flows[f->h[1]]++;
		if (s->score)
			suspect_sums(x, f, s);
	}
	return 0;
}

static void rec_sums_free(struct rec_sums *s)
{
	free(s->flows);
	free(s->score);
	free(s->sent);
}

/*
 * Adds to sb[0..n) the endpoints of flows with suspect facts (addresses of
 * one machine only), most such flows first, and the hosts that sent and
 * received the most packets (a flood's ends), up to max in all, from the
 * sums of records_pass (s->score set).  They are kept in the report only
 * when a detector finds malicious behavior.
 */
static unsigned suspects(const struct rp_ctx *x, const struct rec_sums *s, const struct host **sb, unsigned n,
			 unsigned max)
{
	uint32_t *score = s->score;
	uint64_t out = 0, in = 0;
	for (uint64_t i = 1; i <= x->nhosts; i++) {
		const struct host *h = x->hosts[i - 1];
		if (!decode_addr_host(h->family, h->addr))
			continue;
		if (!out || s->sent[i] > s->sent[out])
			out = i;
		if (!in || s->got[i] > s->got[in])
			in = i;
	}
	if (out && !score[out])
		score[out] = 1;
	if (in && !score[in])
		score[in] = 1;
	while (n < max) {
		uint64_t best = 0;
		for (uint64_t i = 1; i <= x->nhosts; i++) {
			const struct host *h = x->hosts[i - 1];
			if (score[i] && (!best || score[i] > score[best]) && decode_addr_host(h->family, h->addr))
				best = i;
		}
		if (!best)
			break;
		score[best] = 0;
		if (!listed(sb, n, x->hosts[best - 1]))
			sb[n++] = x->hosts[best - 1];
	}
	return n;
}

/*
 * Adds the senders of ARP sweeps to the hosts reported (at most 16 in
 * all): with --host (family != 0) only that address, when it is one.  A
 * sender that never sent IP has no host-table entry: it gets a stand-in
 * in arp_only[] whose index matches no flow, so only the ARP findings
 * describe it.  Returns the new count.
 */
static unsigned arp_candidates(const struct rp_col *c, const struct run *r, uint8_t family,
			       const uint8_t *addr, const struct host **sb, unsigned nsb,
			       struct host *arp_only)
{
	uint8_t sw[16][4];
	size_t n = rp_arp_sweepers(c, sw, 16);
	for (size_t i = 0; i < n && nsb < 16; i++) {
		uint8_t a[16] = { 0 };
		memcpy(a, sw[i], 4);
		if (family && (family != 4 || memcmp(a, addr, 16)))
			continue;
		const struct host *h = hosttab_find(r->hosts, 4, a);
		unsigned k = 0;
		while (k < nsb && !(sb[k]->family == 4 && !memcmp(sb[k]->addr, a, 16)))
			k++;
		if (k < nsb)
			continue;  /* already reported */
		if (!h) {
			struct host *s = &arp_only[i];
			memset(s, 0, sizeof *s);
			s->family = 4;
			memcpy(s->addr, a, 16);
			s->internal = decode_addr_internal(4, a);
			s->index = UINT32_MAX;  /* no flow's host */
			h = s;
		}
		sb[nsb++] = h;
	}
	return nsb;
}

/*
 * The flows of each host of sb[0..nsb) (either end), in record order, in
 * one pass over the flows instead of one per host: host i's are
 * (*fl)[off[k]..off[k + 1]) with k = slot[sb[i]->index] - 1.  slot has
 * nhosts + 1 entries; count[j] is host index j's number of flows
 * (records_pass).  -1 out of memory.
 */
static int flows_by_host(const struct rp_col *c, const struct host *const *sb, unsigned nsb, uint64_t nhosts,
			 const uint32_t *count, uint8_t *slot, size_t off[RP_MAX_HOSTS + 1],
			 const struct rp_flow ***fl)
{
	unsigned k = 0;
	size_t pos[RP_MAX_HOSTS + 1];
	off[0] = 0;
	for (unsigned i = 0; i < nsb; i++)
		if (sb[i]->index <= nhosts && !slot[sb[i]->index]) {   /* a host listed twice shares its list */
			slot[sb[i]->index] = (uint8_t)++k;
			off[k] = off[k - 1] + count[sb[i]->index];
			pos[k - 1] = off[k - 1];   /* where host k - 1's next flow goes */
		}
	if (!(*fl = malloc((off[k] ? off[k] : 1) * sizeof **fl)))
		return -1;
	for (size_t i = 0; k && i < c->nflows; i++) {
		const struct rp_flow *f = &c->flows[i];
		unsigned ab[2] = { f->h[0] <= nhosts ? slot[f->h[0]] : 0, f->h[1] <= nhosts ? slot[f->h[1]] : 0 };
		if (ab[0])
			(*fl)[pos[ab[0] - 1]++] = f;
		if (ab[1] && ab[1] != ab[0])   /* a flow between a host and itself is listed once */
			(*fl)[pos[ab[1] - 1]++] = f;
	}
	return 0;
}

/*
 * Splits the addresses of two machines (ident.c, once per collector) and
 * appends their second machines' twin hosts to x->hosts: -1 out of memory.
 */
static int with_twins(struct rp_col *c, struct rp_ctx *x)
{
	if ((!x->hosts && x->nhosts) || rp_ident_split(c, x->hosts, x->nhosts))
		return -1;
	if (!c->nsplit || c->nreal != x->nhosts)
		return 0;
	struct host **v = realloc(x->hosts, (x->nhosts + c->nsplit) * sizeof *v);
	if (!v)
		return -1;
	for (size_t k = 0; k < c->nsplit; k++)
		v[x->nhosts + k] = &c->twins[k];
	x->hosts = v;
	x->nhosts += c->nsplit;
	return 0;
}

/* Inserts after each host of sb[0..n) whose address was split its second machine, up to max;
 * returns the new count. */
static unsigned twins_listed(const struct rp_col *c, const struct host **sb, unsigned n, unsigned max)
{
	for (unsigned i = 0; i < n && n < max; i++) {
		uint32_t k = sb[i]->index && sb[i]->index <= c->nident && c->split_of ? c->split_of[sb[i]->index - 1] : 0;
		if (!k || listed(sb, n, &c->twins[k - 1]))
			continue;
		memmove(&sb[i + 2], &sb[i + 1], (n - i - 1) * sizeof *sb);
		sb[++i] = &c->twins[k - 1];
		n++;
	}
	return n;
}

int rp_build(struct rp_col *c, const struct run *r, uint8_t family, const uint8_t *addr,
	     struct geo *g, struct rp_report *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->file = r->path;
	out->start_ns = r->start_ns;
	out->span = r->have_time ? (double)(r->last_ns - r->start_ns) / 1e9 : 0;
	if (g)
		snprintf(out->geo_db, sizeof out->geo_db, "%s", geo_path(g));
	out->inspect_bytes = c->inspect_bytes;
	out->inspect_mem = c->inspect_mem;
	out->inspect_refused = c->flows_refused;
	rp_dpi_join(c);
	if (c->oom) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rp_overnet_xor(c);
	const struct host *sb[RP_MAX_HOSTS];
	struct host arp_only[16];
	unsigned nsb, nbase;
	struct rp_ctx x = { .col = c, .run = r, .span = out->span };
	x.hosts = hosttab_list(r->hosts, &x.nhosts);
	if (with_twins(c, &x)) {
		free(x.hosts);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	nsb = hosttab_select(r->hosts, family, addr, sb, 16);
	nsb = twins_listed(c, sb, nsb, RP_MAX_HOSTS);   /* a machine of a sandbox address is one too */
	unsigned nsel = nsb;
	nsb = arp_candidates(c, r, family, addr, sb, nsb, arp_only);
	nbase = nsb;
	/* DNS per client machine: after the split (with_twins) */
	struct rec_sums sums;
	bool dns = rp_dns_resolvers(c);
	int rc = records_pass(c, &x, dns, !family && x.hosts, &sums);
	if (!rc && sums.score)
		nsb = suspects(&x, &sums, sb, nsb, RP_MAX_HOSTS);
	const struct rp_flow **all = NULL;
	size_t off[RP_MAX_HOSTS + 1];
	uint8_t *slot = calloc(x.nhosts + 1, 1);
	out->hosts = calloc(nsb ? nsb : 1, sizeof *out->hosts);
	if (rc || (!x.hosts && x.nhosts) || !slot || !out->hosts ||
	    flows_by_host(c, sb, nsb, x.nhosts, sums.flows, slot, off, &all))
		rc = -1;
	rec_sums_free(&sums);
	for (unsigned i = 0; !rc && i < nsb; i++) {
		struct rp_host *h = &out->hosts[out->nhosts];
		unsigned k = sb[i]->index <= x.nhosts ? slot[sb[i]->index] : 0;
		x.fl = all + (k ? off[k - 1] : 0);
		x.nfl = k ? off[k] - off[k - 1] : 0;
		rc = host_build(&x, sb[i], g, h);
		if (rc || (i >= nbase && !h->malicious)) {  /* failed, or a suspect cleared */
			free(h->pts);
			free(h->iocs);
			memset(h, 0, sizeof *h);
			continue;
		}
		/* the sandbox hosts come first; ARP sweepers and suspects are there for their malice */
		h->selected = family ? "requested" : i < nsel ? "sandbox" : "suspect";
		out->nsandbox += !family && i < nsel;
		out->nsuspect += !family && i >= nsel;
		out->nhosts++;
	}
	free(x.hosts);
	free(all);
	free(slot);
	if (rc)
		snprintf(err, errlen, "out of memory");
	return rc;
}

void rp_report_free(struct rp_report *rep)
{
	for (unsigned i = 0; i < rep->nhosts; i++) {
		free(rep->hosts[i].pts);
		free(rep->hosts[i].iocs);
	}
	free(rep->hosts);
	memset(rep, 0, sizeof *rep);
}
