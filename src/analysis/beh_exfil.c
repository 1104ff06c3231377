/*
 * beh_exfil.c - `exfiltration`: the host uploads with credentials: an FTP
 * session that logs in (USER) and stores files (STOR), or an SMTP session
 * that authenticates (AUTH) and sends a message (DATA) — how stealers ship
 * what they took.  Spam (no AUTH, many recipients) is beh_spam's.  The
 * evidence names the FTP accounts and files; the upload size is what the
 * host sent on those control connections and on FTP data connections to
 * the same servers.
 *
 * Over HTTP (proto_http.c): a request body of >= 64 KiB (RPF2_HTTP_BIGPOST,
 * declared or counted) to a
 * server the host contacts rarely (at most exfiltration.http_rare = 3
 * connections) or
 * names by IP literal (Host is an address or absent), or a form POST
 * whose field names look like credentials (pass, pwd, user, login,
 * email) to a server named by IP literal, unless the server answered 401
 * on that connection (a refused login, beh_brute.c's): stealers and implants upload
 * to bare addresses and one-off endpoints, browsers to named sites they
 * keep using.  Evidence: the requests ("POST URI (N B)"), bytes, servers.
 */
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "exfiltration.http_rare", 3, 0, 1e6,
	  "a server the host opened at most this many connections to is rare (a large HTTP upload to it is exfiltration)" },
	{ "exfiltration.smtp_max_rcpts", 5, 1, 1e9,
	  "an authenticated SMTP message to at most this many recipients is an upload (more is bulk mail: spam)" },
};

static bool is_upload(const struct rp_ctx *x, const struct rp_flow *f)
{
	return ((f->facts & RPF_FTP_STOR) && (f->facts & RPF_FTP_LOGIN)) ||
	       ((f->facts & RPF_SMTP_AUTH) && (f->facts & RPF_SMTP_DATA) && f->count <= rp_param(x, &rules[1]));
}

/* Bytes the host sent to server index srv (FTP data connections included). */
static uint64_t sent_to(const struct rp_ctx *x, uint32_t srv)
{
	uint64_t b = 0;
	for (size_t i = 0; i < x->nfl; i++)
		if (x->fl[i]->h[1] == srv && rp_outbound(x, x->fl[i]))
			b += x->fl[i]->bytes[0];
	return b;
}

/* Connections of the host to server srv. */
static uint64_t contacts(const struct rp_ctx *x, uint32_t srv)
{
	uint64_t n = 0;
	for (size_t i = 0; i < x->nfl; i++)
		n += x->fl[i]->h[1] == srv && rp_outbound(x, x->fl[i]);
	return n;
}

static bool http_upload(const struct rp_ctx *x, const struct rp_flow *f)
{
	if (f->app != RP_APP_HTTP || !rp_outbound(x, f))
		return false;
	bool raw = f->facts2 & RPF2_HTTP_RAWIP;
	bool big = f->facts2 & RPF2_HTTP_BIGPOST;
	/* a form the server refused with 401 is a login attempt (beh_brute.c), not credentials delivered */
	if ((f->facts2 & RPF2_HTTP_CREDFORM) && raw && !(f->facts2 & RPF2_AUTH_FAIL))
		return true;
	return big && (raw || (double)contacts(x, f->h[1]) <= rp_param(x, &rules[0]));
}

static void http_exfil(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0;
	uint64_t n = 0, bytes = 0;
	const struct rp_flow *first = NULL;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!http_upload(x, f))
			continue;
		if (s < 0)
			s = f->t0, first = f;
		e = f->t1 > e ? f->t1 : e;
		n++;
		bytes += f->bytes[0];
	}
	if (!n)
		return;
	char reqs[200], srv[48] = "?";
	const struct host *peer = rp_peer(x, first);
	if (peer)
		inet_ntop(peer->family == 6 ? AF_INET6 : AF_INET, peer->addr, srv, sizeof srv);
	rp_ev_join(x->col, x->self, EV_HTTP_UPLOAD, 3, reqs, sizeof reqs);
	struct rp_beh *b = rp_beh_add(h, "exfiltration", s, e, n);
	if (!b)
		return;
	rp_kv_num(b, "bytes", (double)bytes);
	rp_kv_str(b, "server", srv);
	rp_kv_str(b, "requests", reqs);
	rp_evidence(b, "%llu HTTP upload connection%s (a body >= 64 KiB to a rare or bare-IP server, or a "
		       "credential form to a bare IP), %llu bytes sent, first to %s:%u%s%s",
		    (unsigned long long)n, n == 1 ? "" : "s", (unsigned long long)bytes, srv, first->dport,
		    reqs[0] ? ": " : "", reqs);
}

static int exfil_run(const struct rp_ctx *x, struct rp_host *h)
{
	http_exfil(x, h);
	double s = -1, e = 0;
	uint64_t n = 0, bytes = 0, ftp = 0, smtp = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!is_upload(x, f) || !rp_outbound(x, f))
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		ftp += (f->facts & RPF_FTP_STOR) != 0;
		smtp += (f->facts & RPF_SMTP_AUTH) != 0;
		bytes += sent_to(x, f->h[1]);
	}
	if (!n)
		return 0;
	char users[160] = "", files[200] = "";
	rp_ev_join(x->col, x->self, EV_FTP_USER, 3, users, sizeof users);
	rp_ev_join(x->col, x->self, EV_FTP_FILE, 4, files, sizeof files);
	struct rp_beh *b = rp_beh_add(h, "exfiltration", s, e, n);
	if (!b)
		return 0;
	rp_kv_num(b, "bytes", (double)bytes);
	rp_kv_num(b, "ftp_sessions", (double)ftp);
	rp_kv_num(b, "smtp_auth_sessions", (double)smtp);
	rp_kv_str(b, "accounts", users);
	rp_kv_str(b, "files", files);
	rp_evidence(b, "%llu upload session%s with credentials (%llu FTP STOR after USER, %llu SMTP AUTH + DATA), "
		       "%llu bytes sent%s%s%s%s",
		    (unsigned long long)n, n == 1 ? "" : "s", (unsigned long long)ftp, (unsigned long long)smtp,
		    (unsigned long long)bytes, users[0] ? "; accounts " : "", users, files[0] ? "; files " : "",
		    files);
	return 0;
}

const struct analysis analysis_exfil = { .name = "exfiltration", .run = exfil_run, .kinds = "exfiltration",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
