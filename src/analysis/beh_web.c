/*
 * beh_web.c - `http` (requests: hosts, URIs, user agents) and `tls`
 * (sessions the host takes part in, as TLS client or server, in the
 * connections it opened or accepted: server names, sessions without SNI,
 * on ports that are not TLS's, with a self-signed certificate): the host's
 * ordinary web traffic, as context for the rest; neither is malicious by
 * itself (TLS C&C is beh_tlsc2.c's).  Binary POSTs
 * (C&C, beh_beacon.c) and requests forwarded for an inbound connection
 * of the 3 s before to a backend (a host receiving at least 3 such
 * forwarded connections: relaying, beh_serve.c) are left to those behaviors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

/* True when an inbound TCP connection with payload from another host than
 * fl[i]'s destination began in the 3 s before fl[i] (a call back to the
 * client itself is a reaction, not a relay). */
static bool forwarded(const struct rp_ctx *x, size_t i)
{
	for (size_t k = i; k-- > 0 && x->fl[k]->t0 >= x->fl[i]->t0 - 3.0f;)
		if (x->fl[k]->h[1] == x->self && x->fl[k]->proto == 6 && x->fl[k]->bytes[0] &&
		    x->fl[k]->h[0] != x->fl[i]->h[1])
			return true;
	return false;
}

static bool relayed_out(const struct rp_ctx *x, size_t i, const uint32_t *relayed)
{
	const struct rp_flow *f = x->fl[i];
	uint32_t peer = f->h[1] <= x->nhosts ? f->h[1] : 0;
	return relayed && rp_outbound(x, f) && relayed[peer] >= 3 && forwarded(x, i);
}

static void http_one(const struct rp_ctx *x, struct rp_host *h, const uint32_t *relayed)
{
	double s = -1, e = 0;
	uint64_t n = 0, req = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || f->app != RP_APP_HTTP)
			continue;
		if ((f->facts & (RPF_HTTP_POST | RPF_HTTP_BINARY)) == (RPF_HTTP_POST | RPF_HTTP_BINARY))
			continue;   /* binary POSTs are C&C (cnc_beacon), not browsing */
		if (relayed_out(x, i, relayed))
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		req += f->count;
	}
	if (!n)
		return;
	char a[160], u[160];
	struct rp_beh *b = rp_beh_add(h, "http", s, e, n);
	if (!b)
		return;
	rp_ev_join(x->col, x->self, EV_HTTP_HOST, 4, a, sizeof a);
	rp_ev_join(x->col, x->self, EV_HTTP_UA, 1, u, sizeof u);
	rp_kv_num(b, "requests", (double)req);
	rp_kv_str(b, "hosts", a);
	rp_kv_str(b, "user_agent", u);
	rp_evidence(b, "%llu requests in %llu connections; Host %s; User-Agent %s",
		    (unsigned long long)req, (unsigned long long)n, a, u);
}

struct tls_acc {
	double s, e;
	uint64_t n, client, nosni, odd, self;
	uint16_t odd_port;
	uint32_t self_server;       /* host index of a server with a self-signed certificate */
};

/* Appends "; " and a clause to buf when it fits. */
static void clause(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void clause(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/*
 * `tls`: every TLS session of the host, whichever side opened the
 * connection and whichever side is the TLS client (a bind shell's victim
 * is the client inside a connection it accepted).  Outbound sessions
 * relayed for an inbound connection are left to `relay`.
 */
static void tls_one(const struct rp_ctx *x, struct rp_host *h, const uint32_t *relayed)
{
	struct tls_acc a = { .s = -1 };
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (f->app != RP_APP_TLS || relayed_out(x, i, relayed))
			continue;
		int cd = rp_tls_client(f);
		double t = rp_tls_hello_t(f);
		a.s = a.s < 0 || t < a.s ? t : a.s;
		a.e = f->t1 > a.e ? f->t1 : a.e;
		a.n++;
		a.client += f->h[cd] == x->self;
		a.nosni += !!(f->facts2 & RPF2_TLS_NOSNI);
		if (!rp_tls_port_known(f->dport)) {   /* the connection's service port */
			a.odd++;
			a.odd_port = f->dport;
		}
		if (f->facts2 & RPF2_TLS_SELFSIGNED) {
			a.self++;
			a.self_server = f->h[!cd];
		}
	}
	if (!a.n)
		return;
	struct rp_beh *b = rp_beh_add(h, "tls", a.s, a.e, a.n);
	if (!b)
		return;
	char sni[160], subj[96] = "", ev[320];
	rp_ev_join(x->col, x->self, EV_TLS_SNI, 4, sni, sizeof sni);
	if (a.self)
		rp_ev_join(x->col, a.self_server, EV_TLS_SUBJECT, 1, subj, sizeof subj);
	rp_kv_str(b, "sni", sni);
	rp_kv_num(b, "as_client", (double)a.client);
	rp_kv_num(b, "no_sni", (double)a.nosni);
	rp_kv_num(b, "odd_port", (double)a.odd);
	rp_kv_num(b, "self_signed", (double)a.self);
	snprintf(ev, sizeof ev, "%llu TLS sessions (%llu as client); server names %s",
		 (unsigned long long)a.n, (unsigned long long)a.client, sni[0] ? sni : "-");
	if (a.nosni)
		clause(ev, sizeof ev, "; %llu without SNI", (unsigned long long)a.nosni);
	if (a.odd)
		clause(ev, sizeof ev, "; %llu on ports that are not TLS's (%u)", (unsigned long long)a.odd,
		       a.odd_port);
	if (a.self)
		clause(ev, sizeof ev, "; %llu with a self-signed certificate%s%s", (unsigned long long)a.self,
		       subj[0] ? " " : "", subj);
	rp_evidence(b, "%s", ev);
}

/* relayed[p]: outbound flows to host p that followed an inbound one (backends get many). */
static int web_run(const struct rp_ctx *x, struct rp_host *h)
{
	uint32_t *relayed = calloc(x->nhosts + 1, sizeof *relayed);
	if (!relayed)
		return -1;
	for (size_t i = 0; i < x->nfl; i++)
		if (rp_outbound(x, x->fl[i]) && x->fl[i]->proto == 6 && x->fl[i]->h[1] <= x->nhosts && forwarded(x, i))
			relayed[x->fl[i]->h[1]]++;
	http_one(x, h, relayed);
	tls_one(x, h, relayed);
	free(relayed);
	return 0;
}

const struct analysis analysis_web = { .name = "web", .run = web_run, .kinds = "http,tls" };
