/*
 * report.c - assembles the explanation of a run for each sandbox host:
 * runs the behavior detectors (table in behaviors.c), orders behaviors
 * into phases, derives the role, ranks notable endpoints and enriches
 * them with passive DNS and libloc (geo.c).
 *
 * Notable endpoints (why they stick out, in the score):
 *   repeated contact: log2(1 + flows);  spread: distinct minutes with a
 *   contact (bots return to their C&C, peers are met once);  C&C-like
 *   exchange: HTTP POST of a binary body or an IRC session;  backend: a
 *   relayed connection went there;  early: first contact in the first
 *   minute;  fixed odd port: repeated flows to one port outside the
 *   well-known ones.  Local infrastructure (the DNS resolver, NTP
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

bool rp_kind_malicious(const char *kind)
{
	static const char *const benign[] = { "dns", "http", "tls", "time_sync", "ping", "server" };
	for (size_t i = 0; i < sizeof benign / sizeof *benign; i++)
		if (!strcmp(kind, benign[i]))
			return false;
	return true;
}

bool rp_outbound(const struct rp_ctx *x, const struct rp_flow *f)
{
	return f->h[0] == x->self;
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
	bool cnc, backend, infra;
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
 * A C2 channel on one of these is judged by content, not by its port.
 */
bool rp_service_port(uint8_t proto, uint16_t p)
{
	static const uint16_t tcp[] = { 21, 22, 23, 25, 53, 80, 88, 110, 135, 139, 143, 389, 443, 445, 465, 587,
		636, 853, 993, 995, 1433, 1521, 1723, 1883, 3268, 3269, 3306, 3389, 5060, 5061, 5222, 5223, 5228,
		5432, 5900, 5938, 8080, 8443, 8883, 9418 };
	static const uint16_t udp[] = { 53, 67, 68, 69, 123, 137, 138, 161, 162, 443, 500, 514, 1900, 3478,
		3702, 4500, 5353, 5355, 19302 };
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
		uint32_t p = f->h[0] == x->self ? f->h[1] : f->h[0];
		if (!p || p > x->nhosts)
			continue;
		struct peer_acc *a = &acc[p];
		if (!a->flows++)
			a->first = f->t0;
		a->last = f->t0;
		unsigned m = (unsigned)(f->t0 / 60.0f);
		if (m > 255)
			m = 255;
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
				acc[x->fl[k]->h[1]].backend = true;
				break;
			}
	}
}

static double peer_score(const struct peer_acc *a, char *why, size_t len)
{
	unsigned mins = popcount256(a->minutes);
	double s = log2(1.0 + a->flows) + 0.5 * (mins > 12 ? 12 : mins);
	int n = snprintf(why, len, "%u flows in %u distinct minutes", a->flows, mins);
	size_t u = n > 0 && (size_t)n < len ? (size_t)n : 0;
#define WHY(...) do { int w_ = snprintf(why + u, len - u, __VA_ARGS__); \
		if (w_ > 0 && (size_t)w_ < len - u) u += (size_t)w_; } while (0)
	if (a->backend) {
		s += 4;
		WHY("; backend: inbound connections were relayed to it");
	}
	if (a->cnc) {
		s += 3;
		WHY("; C&C-like exchange (binary HTTP POST or IRC session)");
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
	for (uint64_t i = 1; i <= x->nhosts; i++) {
		if (acc[i].flows < 2 || i == x->self)
			continue;
		struct rp_notable *e = &all[n++];
		e->family = x->hosts[i - 1]->family;
		memcpy(e->addr, x->hosts[i - 1]->addr, 16);
		e->flows = acc[i].flows;
		e->first = acc[i].first;
		e->score = peer_score(&acc[i], e->reason, sizeof e->reason);
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

static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static const struct rp_beh *beh_find(const struct rp_host *h, const char *kind)
{
	for (unsigned i = 0; i < h->nbehs; i++)
		if (!strcmp(h->behs[i].kind, kind))
			return &h->behs[i];
	return NULL;
}

/*
 * relay/proxy when it forwards inbound connections, server when it
 * serves many, worker when it spams, floods or scans outbound only,
 * p2p_node when P2P is all it does, else client.
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
	if ((b = beh_find(h, "relay"))) {
		snprintf(h->role, sizeof h->role, "relay");
		say(h->role_reason, sizeof h->role_reason, "forwards inbound connections to a backend (%s); %s",
			 b->evidence, where);
	} else if ((b = beh_find(h, "server"))) {
		snprintf(h->role, sizeof h->role, "server");
		say(h->role_reason, sizeof h->role_reason, "serves many clients (%s); %s", b->evidence, where);
	} else if ((b = beh_find(h, "spam")) || (b = beh_find(h, "flood")) || (b = beh_find(h, "scan")) ||
		   (b = beh_find(h, "smb_propagation"))) {
		snprintf(h->role, sizeof h->role, "worker");
		say(h->role_reason, sizeof h->role_reason, "%s outbound; %s", b->kind, where);
	} else if ((b = beh_find(h, "p2p"))) {
		snprintf(h->role, sizeof h->role, "p2p_node");
		say(h->role_reason, sizeof h->role_reason, "takes part in a P2P overlay; %s", where);
	} else {
		snprintf(h->role, sizeof h->role, "client");
		say(h->role_reason, sizeof h->role_reason, "only ordinary client traffic; %s", where);
	}
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
	x->nfl = 0;
	for (size_t i = 0; i < c->nflows; i++)
		if (c->flows[i].h[0] == x->self || c->flows[i].h[1] == x->self)
			x->fl[x->nfl++] = &c->flows[i];
	qsort(x->fl, x->nfl, sizeof *x->fl, fl_by_start);
	h->family = me->family;
	memcpy(h->addr, me->addr, 16);
	h->index = me->index;
	h->flows_out = me->flows_orig;
	h->flows_in = me->flows_resp;
	for (size_t i = 0; i < x->nfl; i++)
		h->app_flows[x->fl[i]->app]++;
	rp_dpi_host(x, h);
	for (size_t i = 0; i < rp_nanalyses; i++)
		rp_analyses[i]->run(x, h);
	qsort(h->behs, h->nbehs, sizeof *h->behs, by_start);
	role_derive(x, h);
	if (notable_rank(x, h, g) < 0 || plot_points(x, h) < 0)
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
			RPF2_STREAM_PE | RPF2_STREAM_PE_R | RPF2_ICMP_TUNNEL | RPF2_DNS_DIRECT | RPF2_DNS_BADNAME)

static bool host_malicious(const struct rp_host *h)
{
	for (unsigned i = 0; i < h->nbehs; i++)
		if (h->behs[i].malicious)
			return true;
	return false;
}

static bool listed(const struct host *const *sb, unsigned n, const struct host *h)
{
	for (unsigned i = 0; i < n; i++)
		if (sb[i] == h)
			return true;
	return false;
}

/*
 * Adds to sb[0..n) the endpoints of flows with suspect facts (addresses of
 * one machine only), most such flows first, up to max in all.  They are
 * kept in the report only when a detector finds malicious behavior.
 */
static unsigned suspects(const struct rp_col *c, const struct rp_ctx *x, const struct host **sb, unsigned n,
			 unsigned max)
{
	uint32_t *score = calloc(x->nhosts + 1, sizeof *score);
	if (!score)
		return n;
	for (size_t i = 0; i < c->nflows; i++) {
		const struct rp_flow *f = &c->flows[i];
		if (!(f->facts & SUSPECT_FACTS) && !(f->facts2 & SUSPECT_FACTS2))
			continue;
		for (int w = 0; w < 2; w++)
			if (f->h[w] && f->h[w] <= x->nhosts)
				score[f->h[w]]++;
	}
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
	free(score);
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
	rp_overnet_xor(c);
	rp_dpi_apply(c);
	const struct host *sb[RP_MAX_HOSTS];
	unsigned nsb = 0, nbase;
	struct rp_ctx x = { .col = c, .run = r, .span = out->span };
	x.hosts = hosttab_list(r->hosts, &x.nhosts);
	if (family) {
		const struct host *h = hosttab_find(r->hosts, family, addr);
		if (h)
			sb[nsb++] = h;
		nbase = nsb;
	} else {
		nsb = hosttab_sandbox(r->hosts, sb, 16);
		nbase = nsb;
		if (x.hosts)
			nsb = suspects(c, &x, sb, nsb, RP_MAX_HOSTS);
	}
	x.fl = malloc((c->nflows ? c->nflows : 1) * sizeof *x.fl);
	out->hosts = calloc(nsb ? nsb : 1, sizeof *out->hosts);
	int rc = 0;
	if ((!x.hosts && x.nhosts) || !x.fl || !out->hosts)
		rc = -1;
	for (unsigned i = 0; !rc && i < nsb; i++) {
		struct rp_host *h = &out->hosts[out->nhosts];
		rc = host_build(&x, sb[i], g, h);
		if (!rc && i >= nbase && !host_malicious(h)) {  /* a suspect cleared */
			free(h->pts);
			memset(h, 0, sizeof *h);
			continue;
		}
		out->nhosts++;
	}
	free(x.hosts);
	free(x.fl);
	if (rc)
		snprintf(err, errlen, "out of memory");
	return rc;
}

void rp_report_free(struct rp_report *rep)
{
	for (unsigned i = 0; i < rep->nhosts; i++)
		free(rep->hosts[i].pts);
	free(rep->hosts);
	memset(rep, 0, sizeof *rep);
}
