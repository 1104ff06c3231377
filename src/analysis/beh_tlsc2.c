/*
 * beh_tlsc2.c - `cnc_beacon` over TLS: the host is the TLS client of a
 * session without server_name whose server shows a self-signed
 * certificate, and either the server's port is not one where TLS is
 * expected (rp_tls_port_known: 443, 465, 563, 636, 853, 989-995, 3269,
 * 5061, 8443) nor of a service that uses self-signed certificates by
 * design (remote desktop, VNC, databases: rp_service_port), or the session
 * on a TLS port lasts more than tls_c2.long_s seconds after its ClientHello.
 *
 * Why: a browser or an ordinary client names the server it wants (SNI)
 * and gets a CA-issued certificate.  A C&C framework's default listener
 * (Metasploit's Meterpreter, Cobalt Strike, many RATs) is reached by
 * address, generates its certificate itself (often with a random CN), and
 * listens on a port of its own (4444, 8080, 50050...); the session stays
 * up while the operator works.  Sessions to the same server and port are
 * one behavior.  The TLS client may be the responder (a bind shell), so
 * the client's side comes from the flow's facts, not from who connected;
 * the port judged is the connection's service port (the responder's).
 * A session inside one machine (rp_same_machine: loopback, its own
 * address) is a local service's, not C&C.
 */
#include <stdio.h>
#include <stdlib.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "tls_c2.long_s", 10, 0, 86400, "a session on a TLS port this long after its ClientHello is interactive (s)" },
};

struct tc_sess {
	uint32_t server;            /* host index */
	uint16_t port;
	bool odd, bind;             /* bind: the server connected to the host's port */
	const struct rp_flow *f;
};

/* A session of the host's that looks like TLS C&C, filled into *out. */
static bool tc_candidate(const struct rp_ctx *x, const struct rp_flow *f, struct tc_sess *out)
{
	const uint32_t need = RPF2_TLS_NOSNI | RPF2_TLS_SELFSIGNED;
	if (f->app != RP_APP_TLS || (f->facts2 & need) != need)
		return false;
	int cd = rp_tls_client(f);
	if (f->h[cd] != x->self || !f->h[!cd] || f->h[!cd] > x->nhosts || rp_same_machine(x, f))
		return false;
	uint16_t port = f->dport;   /* the connection's service port, whoever is the TLS server */
	if (!rp_tls_port_known(port) && rp_service_port(6, port))
		return false;   /* remote desktop, VNC, databases: self-signed by design */
	bool odd = !rp_tls_port_known(port);
	if (!odd && f->t1 - rp_tls_hello_t(f) <= rp_param(x, &rules[0]))
		return false;
	*out = (struct tc_sess){ .server = f->h[!cd], .port = port, .odd = odd, .bind = cd == 1, .f = f };
	return true;
}

/* Emits one behavior for the sessions v[0..n) (same server and port). */
static void tc_emit(const struct rp_ctx *x, struct rp_host *h, const struct tc_sess *v, size_t n)
{
	double s = rp_tls_hello_t(v[0].f), e = v[0].f->t1, longest = 0;
	bool expired = false;
	for (size_t i = 0; i < n; i++) {
		expired |= (v[i].f->facts2 & RPF2_TLS_CERT_EXPIRED) != 0;
		double t = rp_tls_hello_t(v[i].f), d = v[i].f->t1 - t;
		s = t < s ? t : s;
		e = v[i].f->t1 > e ? v[i].f->t1 : e;
		longest = d > longest ? d : longest;
	}
	struct rp_beh *b = rp_beh_add(h, "cnc_beacon", s, e, n);
	if (!b)
		return;
	const struct host *srv = x->hosts[v[0].server - 1];
	char addr[64], subj[96] = "", ja3[40] = "";
	decode_addr_str(srv->family, srv->addr, addr, sizeof addr);
	rp_ev_join(x->col, v[0].server, EV_TLS_SUBJECT, 1, subj, sizeof subj);
	rp_ev_join(x->col, x->self, EV_JA3, 1, ja3, sizeof ja3);
	rp_kv_str(b, "server", addr);
	rp_kv_num(b, "port", v[0].port);
	rp_kv_str(b, "subject", subj);
	rp_kv_str(b, "ja3", ja3);
	rp_kv_num(b, "sessions", (double)n);
	rp_kv_num(b, "duration", (double)(long)(longest * 10) / 10);
	char more[48] = "";
	if (n > 1)
		snprintf(more, sizeof more, " (longest of %zu sessions)", n);
	char where[176];
	const char *odd = v[0].odd ? ", not a TLS port" : "";
	if (v[0].bind)
		snprintf(where, sizeof where, "%s, which connected to this host's port %u (bind listener%s)", addr,
			 v[0].port, odd);
	else
		snprintf(where, sizeof where, "%s:%u%s", addr, v[0].port, v[0].odd ? " (not a TLS port)" : "");
	rp_evidence(b, "TLS without SNI to %s, self-signed certificate %s (issuer = subject%s), %.1f s session%s",
		    where, subj[0] ? subj : "(no names)", expired ? ", expired" : "", longest, more);
}

static int tlsc2_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct tc_sess *v = malloc((x->nfl ? x->nfl : 1) * sizeof *v), *g;
	if (!v)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < x->nfl; i++)
		n += tc_candidate(x, x->fl[i], &v[n]);
	/* group by (server, port) in place, keeping the flows' start order */
	for (size_t i = 0; i < n; i = (size_t)(g - v)) {
		g = v + i + 1;
		for (size_t j = i + 1; j < n; j++)
			if (v[j].server == v[i].server && v[j].port == v[i].port) {
				struct tc_sess t = v[j];
				for (size_t k = j; k > (size_t)(g - v); k--)
					v[k] = v[k - 1];
				*g++ = t;
			}
		tc_emit(x, h, v + i, (size_t)(g - v) - i);
	}
	free(v);
	return 0;
}

const struct analysis analysis_tlsc2 = { .name = "tls_c2", .run = tlsc2_run, .kinds = "cnc_beacon",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
