/*
 * beh_beacon.c - `cnc_beacon`: the host returns to the same server
 * (grouped by /24 for IPv4, as C&C proxies sit side by side) on the same
 * port, again and again across the run.  Two kinds of evidence:
 * a regular period (median interval between beats - connections that start
 * more than beacon.burst_s apart, so a burst of requests is one beat - jitter =
 * median absolute deviation / period <= 0.35, at least 6 beats), C&C-like
 * content (binary HTTP POSTs in at least 3 connections that spread over a
 * quarter of the run), or polling of a nameless server (at least
 * beacon.poll_beats beats over a quarter of the run, jitter <= 0.6, to an HTTP
 * server addressed by IP literal that no DNS answer in the capture names:
 * implants poll their controller's address, browsers and updaters poll
 * names).  A UDP check-in may go unanswered, except on ports of ordinary
 * UDP services (LAN discovery, DNS, NTP...).  DNS, NTP, SMTP and P2P
 * flows are other behaviors' and are left out; so are multicast and
 * broadcast destinations, interactive logins nDPI recognises (SSH,
 * Telnet, RDP, VNC: a run of them is logins or password guessing,
 * beh_brute.c, whose pace is regular by nature), and connections inside
 * one machine (loopback, its own address: rp_same_machine).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi/ndpi_protocol_ids.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "beacon.burst_s", 1.0, 0, 60, "connections starting closer than this (s) are one beat" },
	{ "beacon.regular_beats", 6, 3, 1000, "beats of a regular beacon" },
	{ "beacon.regular_jitter", 0.35, 0, 1, "median absolute deviation / period of a regular beacon" },
	{ "beacon.min_period_s", 0.5, 0, 86400, "shortest period of a regular beacon (s)" },
	{ "beacon.spread_periods", 10, 1, 1000, "a regular beacon spans at least this many periods" },
	{ "beacon.content_posts", 3, 1, 1000, "connections with binary HTTP POSTs of a content beacon" },
	{ "beacon.spread_share", 0.25, 0, 1, "share of the run a content or polling beacon spans" },
	{ "beacon.poll_beats", 10, 3, 1000, "beats of polling a server known by IP literal only" },
	{ "beacon.poll_jitter", 0.6, 0, 1, "jitter of such polling" },
	{ "beacon.named_poll_s", 10, 0, 86400,
	  "reconnects this far apart (s) to a server the client names itself (SNI, Host) are polling" },
};
enum { R_BURST, R_BEATS, R_JITTER, R_PERIOD, R_SPREAD, R_POSTS, R_SHARE, R_POLL, R_POLL_JITTER, R_NAMED };
#define P(i) rp_param(x, &rules[i])

struct bc_flow {
	uint32_t key;               /* /24 of the server (IPv4) or host index */
	uint16_t port;
	uint8_t proto, cnc, v6, rawip, odd;  /* odd: C2 traits (c2_traits' bits) */
	float t0, t1;
};

static int bc_cmp(const void *a, const void *b)
{
	const struct bc_flow *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char *kv_get(struct rp_beh *b, const char *key)
{
	for (unsigned i = 0; i < b->nkv; i++)
		if (!strcmp(b->kv[i].key, key))
			return b->kv[i].val;
	return NULL;
}

/*
 * A beacon to the same port and protocol in another /24 joins the one
 * already found: a check-in sprayed over an address block is one
 * behavior, with its networks counted.
 */
static bool bc_merge(struct rp_host *h, const struct bc_flow *g, size_t n)
{
	char port[8];
	snprintf(port, sizeof port, "%u", g[0].port);
	const char *proto = g[0].proto == 6 ? "tcp" : "udp";
	for (unsigned i = 0; i < h->nbehs; i++) {
		struct rp_beh *b = &h->behs[i];
		const char *p = kv_get(b, "port"), *q = kv_get(b, "proto");
		char *nets = kv_get(b, "networks");
		if (strcmp(b->kind, "cnc_beacon") || !p || !q || strcmp(p, port) || strcmp(q, proto) || !nets)
			continue;
		unsigned k = (unsigned)atoi(nets) + 1;
		b->flows += n;
		b->start = g[0].t0 < b->start ? g[0].t0 : b->start;
		b->end = g[n - 1].t1 > b->end ? g[n - 1].t1 : b->end;
		snprintf(nets, sizeof b->kv[0].val, "%u", k);
		rp_evidence(b, "%llu %s check-ins to port %u sprayed over %u networks (/24 or hosts), regular timing",
			    (unsigned long long)b->flows, g[0].proto == 6 ? "TCP" : "UDP", g[0].port, k);
		return true;
	}
	return false;
}

/* Judges one group g[0..n); emits a behavior when it beacons. */
static int bc_group(const struct rp_ctx *x, struct rp_host *h, const struct bc_flow *g, size_t n)
{
	if (n < 3)
		return 0;
	double *iv = malloc(n * sizeof *iv), *dev = malloc(n * sizeof *dev);
	if (!iv || !dev) {
		free(iv);
		free(dev);
		return -1;
	}
	size_t cnc = 0, rawip = 0, odd = 0, odd_named = 0;
	size_t m = 0;   /* beats: connections more than beacon.burst_s apart */
	double last = -1e9;
	for (size_t i = 0; i < n; i++) {
		cnc += g[i].cnc;
		rawip += g[i].rawip;
		odd += (g[i].odd & 1) != 0;
		odd_named += (g[i].odd & 2) != 0;
		if (g[i].t0 - last > P(R_BURST)) {
			if (m)
				iv[m - 1] = g[i].t0 - last;
			m++;
			last = g[i].t0;
		}
	}
	double period = m > 1 ? median(iv, m - 1) : 0;
	for (size_t i = 0; i + 1 < m; i++)
		dev[i] = fabs(iv[i] - period);
	double jitter = period > 0 && m > 1 ? median(dev, m - 1) / period : 1;
	for (size_t i = 0; i + 1 < n; i++)   /* idle gap: end of one connection to the next */
		dev[i] = g[i + 1].t0 - g[i].t1 > 0 ? g[i + 1].t0 - g[i].t1 : 0;
	double gap = median(dev, n - 1);
	free(iv);
	free(dev);
	double spread = g[n - 1].t0 - g[0].t0;
	/* a client that names its server polls it on a long period; reconnecting faster
	 * than a kept-alive connection would idle is a beacon's loop */
	size_t traits = period >= P(R_NAMED) ? odd_named : odd;
	bool regular = m >= P(R_BEATS) && period >= P(R_PERIOD) && jitter <= P(R_JITTER) &&
		       spread >= P(R_SPREAD) * period && traits * 2 >= n;
	bool content = cnc >= P(R_POSTS) && spread >= P(R_SHARE) * x->span;
	bool polling = m >= P(R_POLL) && rawip * 2 >= n && jitter <= P(R_POLL_JITTER) && spread >= P(R_SHARE) * x->span;
	if (!regular && !content && !polling)
		return 0;
	if (bc_merge(h, g, n))
		return 0;
	struct rp_beh *b = rp_beh_add(h, "cnc_beacon", g[0].t0, g[n - 1].t1, n);
	if (!b)
		return 0;
	char a[64];
	uint8_t ad[16] = { (uint8_t)(g[0].key >> 24), (uint8_t)(g[0].key >> 16), (uint8_t)(g[0].key >> 8), 0 };
	if (g[0].v6 && g[0].key <= x->nhosts) {
		decode_addr_str(6, x->hosts[g[0].key - 1]->addr, a, sizeof a);
	} else {
		decode_addr_str(4, ad, a, sizeof a);
		strncat(a, "/24", sizeof a - strlen(a) - 1);
	}
	rp_kv_str(b, "server", a);
	rp_kv_num(b, "port", g[0].port);
	rp_kv_num(b, "period", round(period * 1000) / 1000);
	rp_kv_num(b, "jitter", round(jitter * 1000) / 1000);
	rp_kv_num(b, "gap", round(gap * 1000) / 1000);
	rp_kv_num(b, "connections", (double)n);
	rp_kv_str(b, "proto", g[0].proto == 6 ? "tcp" : "udp");
	rp_evidence(b, "%zu %s connections to %s port %u, median period %.2f s (idle gap %.2f s), jitter %.2f%s",
		    n, g[0].proto == 6 ? "TCP" : "UDP", a, g[0].port, period, gap, jitter,
		 content ? "; binary HTTP POSTs (C&C-like)" : regular ? "; regular timing" :
		 "; polls a server named by IP literal only");
	rp_kv_num(b, "networks", 1);   /* bc_merge counts up */
	return 0;
}

/*
 * A connection with a trait of C2 rather than of an ordinary client's
 * polling: its server has no name (neither from the capture's DNS nor
 * from the client itself: a TLS server_name, an HTTP Host that is a name),
 * its port is no ordinary service's, its protocol is unknown to botlens
 * and nDPI, or it is TLS without SNI or to a self-signed certificate, or
 * HTTP to an IP literal or posting binary data.  Software polling a named
 * API over TLS or HTTP (update checks, sync, telemetry) is regular too,
 * and benign - also when its DNS lookup was cached before the capture.
 * Bit 1: a trait when only the capture's DNS names servers; bit 2: a trait
 * even when the client's own name counts (bc_group uses bit 2 for periods
 * of at least beacon.named_poll_s).
 */
static uint8_t c2_traits(const struct rp_ctx *x, const struct rp_flow *f, const struct host *p)
{
	bool self_named = (f->facts & RPF_TLS_SNI) || (f->app == RP_APP_HTTP &&
			  (f->facts & (RPF_HTTP_GET | RPF_HTTP_POST)) && !(f->facts2 & RPF2_HTTP_RAWIP));
	if (!rp_service_port(f->proto, f->dport))
		return 3;
	if (f->app == RP_APP_NONE && !f->ndpi_master && !f->ndpi_app)
		return 3;
	if (f->app == RP_APP_TLS && (f->facts2 & (RPF2_TLS_NOSNI | RPF2_TLS_SELFSIGNED)))
		return 3;
	if (f->app == RP_APP_HTTP && ((f->facts2 & RPF2_HTTP_RAWIP) || (f->facts & RPF_HTTP_BINARY)))
		return 3;
	if (!rp_pdns_name(x->col, p->family, p->addr))
		return self_named ? 1 : 3;
	return 0;
}

static bool bc_candidate(const struct rp_ctx *x, const struct rp_flow *f)
{
	if (!rp_outbound(x, f) || (f->proto != 6 && f->proto != 17) || rp_same_machine(x, f))
		return false;
	if (f->app == RP_APP_DNS || f->app == RP_APP_NTP || f->app == RP_APP_SMTP ||
	    (f->app >= RP_APP_OVERNET && f->app <= RP_APP_EDONKEY) || f->app == RP_APP_IRC ||
	    f->app == RP_APP_DCERPC || f->app == RP_APP_SMB || f->app == RP_APP_SSH)
		return false;
	/* interactive logins nDPI (or proto_ssh.c, above) recognised: their repeats are logins or password guessing (beh_brute.c) */
	static const uint16_t login[] = { NDPI_PROTOCOL_SSH, NDPI_PROTOCOL_TELNET, NDPI_PROTOCOL_RDP, NDPI_PROTOCOL_VNC };
	for (size_t i = 0; i < sizeof login / sizeof *login; i++)
		if (f->ndpi_master == login[i] || f->ndpi_app == login[i])
			return false;
	if (f->proto == 17)   /* a check-in may go unanswered; LAN discovery and services may not count */
		return f->pkts[1] || !rp_service_port(17, f->dport);
	return !(f->facts & RPF_TCP_SYNONLY);
}

static int beacon_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct bc_flow *v = malloc((x->nfl ? x->nfl : 1) * sizeof *v);
	if (!v)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		const struct host *p = rp_peer(x, f);
		if (!p || !decode_addr_host(p->family, p->addr) || !bc_candidate(x, f))
			continue;
		uint32_t key = p->family == 4 ? ((uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 |
						 (uint32_t)p->addr[2] << 8) : p->index;
		uint8_t cnc = (f->facts & (RPF_HTTP_POST | RPF_HTTP_BINARY)) == (RPF_HTTP_POST | RPF_HTTP_BINARY);
		uint8_t raw = (f->facts2 & RPF2_HTTP_RAWIP) && !rp_pdns_name(x->col, p->family, p->addr);
		v[n++] = (struct bc_flow){ key, f->dport, f->proto, cnc, p->family == 6, raw, c2_traits(x, f, p),
					   f->t0, f->t1 };
	}
	qsort(v, n, sizeof *v, bc_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && v[j].key == v[i].key && v[j].port == v[i].port && v[j].proto == v[i].proto; j++)
			;
		if (bc_group(x, h, v + i, j - i)) {
			free(v);
			return -1;
		}
	}
	free(v);
	return 0;
}

const struct analysis analysis_beacon = { .name = "cnc_beacon", .run = beacon_run, .kinds = "cnc_beacon",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
