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
 *  - TLS ticks: the host, as TLS client, sends a message at least every
 *    session.tls_period_s (5 s) with a regular gap (cv <= 0.35) over at
 *    least session.tls_records (10) messages in a session held at least
 *    session.hold_s: an implant's heartbeat inside one encrypted session;
 *    browsers and push channels idle for tens of seconds between pings,
 *    and streams run continuously (one long message).
 *  - HTTP check-in: an HTTP request to an IP-literal host on a port that
 *    is not an HTTP port, carrying an opaque Cookie blob or a binary
 *    POST body: data smuggled in HTTP fields to a server with no name.
 * The implant's side is the host that opened the connection, except for
 * a bind shell, where the shell text comes from the host that accepted it.
 * A remote shell to a server that served the host a web page in the
 * minute before is also an `exploit` (a drive-by: the page's exploit ran
 * the shellcode that called back).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "session.hold_s", 30, 0, 86400, "a held raw session lasts at least this long (s)" },
	{ "session.messages", 4, 2, 100000, "messages both ways together in a held session" },
	{ "session.keepalive_cv", 0.35, 0, 10, "coefficient of variation of gaps reported as a keep-alive period" },
	{ "session.tls_period_s", 5, 0, 3600, "a TLS session whose client sends records this often or more ..." },
	{ "session.tls_records", 10, 3, 1e9, "... in at least this many regular messages is a beacon" },
};
enum { R_HOLD, R_MSGS, R_CV, R_TLS_PERIOD, R_TLS_RECORDS };

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

/* The TLS client sends regular small messages, often, for the whole session. */
static bool tls_ticks(const struct rp_ctx *x, const struct rp_flow *f, double *period)
{
	if (f->app != RP_APP_TLS || f->h[rp_tls_client(f)] != x->self || f->t1 - f->t0 < rp_param(x, &rules[R_HOLD]))
		return false;
	const struct rp_timing *t = rp_timing_of(x->col, f, rp_tls_client(f));
	if (!t || t->msgs < rp_param(x, &rules[R_TLS_RECORDS]) || t->mean <= 0 ||
	    t->mean > rp_param(x, &rules[R_TLS_PERIOD]))
		return false;
	double cv = sqrt(t->m2 / (double)(t->msgs - 1)) / t->mean;
	*period = t->mean;
	return cv <= rp_param(x, &rules[R_CV]);
}

static const char *session_kind(const struct rp_ctx *x, const struct rp_flow *f)
{
	uint16_t port = f->dport;
	if (f->proto != 6 || rp_same_machine(x, f))
		return NULL;   /* one process talking to another on the same machine */
	if ((f->facts & RPF_SHELL) && !rp_service_port(6, port))
		return "remote shell";
	if ((f->facts2 & RPF2_HTTP_RAWIP) && !http_port(port) && rp_outbound(x, f) &&
	    ((f->facts2 & RPF2_HTTP_COOKIE_BLOB) || (f->facts & (RPF_HTTP_POST | RPF_HTTP_BINARY)) ==
							(RPF_HTTP_POST | RPF_HTTP_BINARY)))
		return "HTTP check-in";
	double tick;
	if (tls_ticks(x, f, &tick))
		return "regular records in a TLS session";
	if (f->app != RP_APP_NONE || f->ndpi_master || f->ndpi_app || !rp_outbound(x, f) ||
	    rp_service_port(6, port) || !f->bytes[0] || f->t1 - f->t0 < rp_param(x, &rules[R_HOLD]))
		return NULL;   /* a protocol botlens or nDPI knows is judged by its content */
	double period, cv;
	if (f->bytes[1] && msgs(x->col, f) >= rp_param(x, &rules[R_MSGS]))
		return "held session";
	if (!f->bytes[1] && keepalive(x, f, &period, &cv))
		return "one-way check-ins in a held session";   /* the implant reports, the controller listens */
	return NULL;
}

/*
 * Drive-by: the server of a remote shell served this host a web page in
 * the minute before it (a browser exploit runs shellcode that calls
 * back, or opens a port, on the server's word).  Returns that HTTP flow.
 */
static const struct rp_flow *served_page(const struct rp_ctx *x, const struct rp_flow *sh)
{
	uint32_t peer = rp_outbound(x, sh) ? sh->h[1] : sh->h[0];
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (f->app == RP_APP_HTTP && rp_outbound(x, f) && f->h[1] == peer && f->t0 <= sh->t0 &&
		    sh->t0 - f->t0 <= 60)
			return f;
	}
	return NULL;
}

static void drive_by(const struct rp_ctx *x, struct rp_host *h, const struct rp_flow *sh, const char *a)
{
	const struct rp_flow *web = served_page(x, sh);
	struct rp_beh *b = web ? rp_beh_add(h, "exploit", web->t0, sh->t1, 2) : NULL;
	if (!b)
		return;
	rp_kv_str(b, "technique", "drive-by: web page, then a remote shell");
	rp_kv_str(b, "server", a);
	rp_kv_num(b, "port", sh->dport);
	rp_evidence(b, "drive-by: a web page from %s, then a remote shell on port %u %.1f s later", a, sh->dport,
		    sh->t0 - web->t0);
}

/*
 * Whose shell: the host whose side sent the shell's output (banner, `id`,
 * listings) runs it; the other side controls it.  The controller is the
 * attacker (`role` attacker: it works the shell of the host it broke
 * into); a host that runs a shell others connect to (a bind shell) is the
 * target of that attack.  A shell the host runs and connects out with (a
 * reverse shell: the sandbox's malware calling home) changes no role.
 * Returns the words the evidence adds.
 */
static const char *shell_roles(const struct rp_ctx *x, const struct rp_flow *f, struct rp_beh *b, const char *peer)
{
	int side = rp_shell_side(f), mine = f->h[0] == x->self ? 0 : 1;
	if (side < 0)
		return "";
	if (side != mine) {
		rp_kv_str(b, "side", "controller");
		rp_kv_str(b, "role", "attacker");
		rp_kv_str(b, "target", peer);
		return " (controls the shell)";
	}
	rp_kv_str(b, "side", "shell");
	if (rp_outbound(x, f))
		return " (this host's shell, connected out)";
	rp_kv_str(b, "role", "target");
	rp_kv_str(b, "attacker", peer);
	return " (this host's shell: a bind shell)";
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
		const char *whose = "";
		if (!strcmp(kind, "remote shell")) {
			drive_by(x, h, f, a);
			whose = shell_roles(x, f, b, a);
		}
		/* inbound (a bind shell, a controller that connects in): the port is the host's own */
		char where[96];
		if (rp_outbound(x, f))
			snprintf(where, sizeof where, "to %s:%u", a, f->dport);
		else
			snprintf(where, sizeof where, "on port %u from %s", f->dport, a);
		rp_evidence(b, "%s %s%s, %.1f s, %u B up / %u B down in %u messages%s", kind, where, whose,
			    f->t1 - f->t0, rp_outbound(x, f) ? f->bytes[0] : f->bytes[1],
			    rp_outbound(x, f) ? f->bytes[1] : f->bytes[0], msgs(x->col, f), per);
	}
	return 0;
}

const struct analysis analysis_session = { .name = "cnc_session", .run = session_run, .kinds = "cnc_beacon,exploit",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
