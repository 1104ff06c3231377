/*
 * beh_session.c - `cnc_beacon` from inside one connection: a C2 channel
 * that a bot or implant keeps open instead of reconnecting.
 *
 * Rules (each names the behavior it captures; thresholds in rules[], `report --explain-rules`):
 *  - remote shell: command-shell text (proto_shell.c) on a raw TCP
 *    connection to a port of no ordinary service, any duration: a bind or
 *    reverse shell is a C2 channel whatever its length.
 *  - held session: a raw TCP connection (no protocol recognised) to a
 *    port of no ordinary service (rp_service_port) that stays open at
 *    least session.hold_s seconds with payload both ways in at least session.messages
 *    separate messages (payload packets less than 0.5 s apart are one
 *    message; collect.c).  Implants hold their controller's connection
 *    and trade small messages in it (registration, keep-alives, tasks,
 *    results); ordinary clients on such ports are rare in a sandbox run.
 *    A regular gap between messages (coefficient of variation <= 0.35
 *    over >= 4 gaps) is reported as the keep-alive period.  Payload one
 *    way only counts when that way is regular: check-ins an implant sends
 *    into a connection its controller only listens on.
 *  - HTTP check-in: an HTTP request to an IP-literal host on a port that
 *    is not an HTTP port, carrying an opaque Cookie blob or a binary
 *    POST body: data smuggled in HTTP fields to a server with no name.
 * The implant's side is the host that opened the connection, except for
 * a bind shell, where the shell text comes from the host that accepted it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "session.hold_s", 30, 0, 86400, "a held raw session lasts at least this long (s)" },
	{ "session.messages", 4, 2, 100000, "messages both ways together in a held session" },
	{ "session.keepalive_cv", 0.35, 0, 10, "coefficient of variation of gaps reported as a keep-alive period" },
};
enum { R_HOLD, R_MSGS, R_CV };

static bool http_port(uint16_t p)
{
	return p == 80 || p == 8080 || p == 8000 || p == 8008 || p == 8888 || p == 3128 || p == 8081;
}

/* The gap statistics of the direction with the more regular messages. */
static bool keepalive(const struct rp_ctx *x, const struct rp_flow *f, double *period, double *cv)
{
	const struct rp_col *c = x->col;
	bool found = false;
	for (int d = 0; d < 2; d++) {
		const struct rp_timing *t = rp_timing_of(c, f, d);
		if (!t || t->msgs < 5 || t->mean <= 1.0f)
			continue;
		double sd = sqrt(t->m2 / (double)(t->msgs - 1)), v = sd / t->mean;
		if (v <= rp_param(x, &rules[R_CV]) && (!found || v < *cv)) {
			*period = t->mean;
			*cv = v;
			found = true;
		}
	}
	return found;
}

static unsigned msgs(const struct rp_col *c, const struct rp_flow *f)
{
	unsigned n = 0;
	for (int d = 0; d < 2; d++) {
		const struct rp_timing *t = rp_timing_of(c, f, d);
		n += t ? t->msgs : 0;
	}
	return n;
}

static const char *session_kind(const struct rp_ctx *x, const struct rp_flow *f)
{
	uint16_t port = f->dport;
	if (f->proto != 6)
		return NULL;
	if ((f->facts & RPF_SHELL) && !rp_service_port(6, port))
		return "remote shell";
	if ((f->facts2 & RPF2_HTTP_RAWIP) && !http_port(port) && rp_outbound(x, f) &&
	    ((f->facts2 & RPF2_HTTP_COOKIE_BLOB) || (f->facts & (RPF_HTTP_POST | RPF_HTTP_BINARY)) ==
							(RPF_HTTP_POST | RPF_HTTP_BINARY)))
		return "HTTP check-in";
	if (f->app != RP_APP_NONE || !rp_outbound(x, f) || rp_service_port(6, port) || !f->bytes[0] ||
	    f->t1 - f->t0 < rp_param(x, &rules[R_HOLD]))
		return NULL;
	double period, cv;
	if (f->bytes[1] && msgs(x->col, f) >= rp_param(x, &rules[R_MSGS]))
		return "held session";
	if (!f->bytes[1] && keepalive(x, f, &period, &cv))
		return "one-way check-ins in a held session";   /* the implant reports, the controller listens */
	return NULL;
}

static int session_run(const struct rp_ctx *x, struct rp_host *h)
{
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		const char *kind = session_kind(x, f);
		const struct host *p = rp_peer(x, f);
		if (!kind || !p)
			continue;
		struct rp_beh *b = rp_beh_add(h, "cnc_beacon", f->t0, f->t1, 1);
		if (!b)
			return 0;
		char a[64], per[64] = "";
		double period = 0, cv = 0;
		decode_addr_str(p->family, p->addr, a, sizeof a);
		if (keepalive(x, f, &period, &cv))
			snprintf(per, sizeof per, ", messages every %.1f s (cv %.2f)", period, cv);
		rp_kv_str(b, "server", a);
		rp_kv_num(b, "port", f->dport);
		rp_kv_str(b, "channel", kind);
		rp_kv_num(b, "duration", round((f->t1 - f->t0) * 10) / 10);
		rp_kv_num(b, "bytes_out", rp_outbound(x, f) ? f->bytes[0] : f->bytes[1]);
		rp_kv_num(b, "bytes_in", rp_outbound(x, f) ? f->bytes[1] : f->bytes[0]);
		if (period > 0)
			rp_kv_num(b, "period", round(period * 1000) / 1000);
		rp_evidence(b, "%s %s %s:%u, %.1f s, %u B up / %u B down in %u messages%s", kind,
			    rp_outbound(x, f) ? "to" : "from", a, f->dport, f->t1 - f->t0,
			    rp_outbound(x, f) ? f->bytes[0] : f->bytes[1], rp_outbound(x, f) ? f->bytes[1] : f->bytes[0],
			    msgs(x->col, f), per);
	}
	return 0;
}

const struct analysis analysis_session = { .name = "cnc_session", .run = session_run, .kinds = "cnc_beacon",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
