/*
 * beh_brute.c - `bruteforce`: many short authentication attempts against
 * one service.  Password guessing (Hydra, Medusa, Mirai's telnet
 * scanner, the SSH and RDP worms) repeats one small exchange: connect,
 * offer a user and a password, be refused, close, again, tens of times a
 * minute against the same server and port.  A person logs in once and
 * stays; a mail or file client keeps one session.
 *
 * Two kinds of evidence, per (client, server, port):
 *  - protocol failures: the server refused credentials (RPF2_AUTH_FAIL,
 *    rp_flow.auth_fail: FTP 530, SMTP 535, HTTP 401, SMB logon failure), at least
 *    bruteforce.min_failures of them;
 *  - the connections' shape, for services whose failures are encrypted
 *    or binary (SSH, RDP, Telnet, SMB, VNC, databases, FTP, POP3/IMAP,
 *    SMTP with AUTH): at least bruteforce.min_conns connections with payload
 *    both ways, each shorter than bruteforce.max_conn_s and carrying at most
 *    bruteforce.max_bytes each way, making up at least 80 % of the client's
 *    connections to that port.  The service is known by its port, by
 *    nDPI's protocol or by botlens's parsers (SSH on any port: proto_ssh.c
 *    reads the identification strings and the key exchange, with or
 *    without nDPI).  HTTP is judged by 401s only: browsers open many short
 *    connections to one site.  An SSH connection whose exchange was
 *    followed counts as an attempt only when the client went past the key
 *    exchange (NEWKEYS, then encrypted bytes): a version scan or an
 *    aborted handshake tries no password (such a connection still counts
 *    as a short one toward the 80 %: a server refusing a guesser's excess
 *    connections answers them before any key exchange).  The evidence cites how
 *    many went past it, the encrypted bytes of the largest, and the client's
 *    and server's software from their identification strings (a bot's
 *    libssh, paramiko or Go client against the server's OpenSSH).
 * Either needs a pace of at least bruteforce.min_rate attempts per minute over
 * the attempts' span (a span under a minute counts as a minute): a
 * client retrying stored credentials every few minutes is no attack.
 *
 * Direction matters: the host is the attacker (`role` "attacker", a
 * worker) for the attempts it sends, with the server as `target`; it is
 * the target (`role` "target", an attacked service) for attempts it
 * receives on one of its ports, from one client or many (`attacker`: the
 * busiest client, `sources`).  Known false positives: automation that
 * opens many short SSH sessions to one host (configuration management
 * without connection reuse); the evidence gives sizes and pace so that an
 * analyst can tell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi/ndpi_protocol_ids.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "bruteforce.min_conns", 20, 2, 1e9, "short small connections to one service for `bruteforce` (by shape)" },
	{ "bruteforce.min_failures", 10, 1, 1e9,
	  "credentials refused by one service (FTP 530, SMTP 535, HTTP 401, SMB)" },
	{ "bruteforce.max_conn_s", 30, 0.1, 1e6, "seconds: an attempt's connection lasts at most this" },
	{ "bruteforce.max_bytes", 16384, 64, 1e9, "bytes each way of one attempt's connection, at most" },
	{ "bruteforce.min_rate", 6, 0, 1e6, "attempts per minute over their span, at least" },
};

/* An authentication service by port, or by nDPI's protocol; its name. */
struct svc {
	uint16_t port, ndpi;
	const char *name;
	bool shape;                 /* judged by connection shape (else by failures only) */
};

static const struct svc svcs[] = {
	{ 22, NDPI_PROTOCOL_SSH, "SSH", true },
	{ 23, NDPI_PROTOCOL_TELNET, "Telnet", true },
	{ 3389, NDPI_PROTOCOL_RDP, "RDP", true },
	{ 445, NDPI_PROTOCOL_SMBV23, "SMB", true },
	{ 139, NDPI_PROTOCOL_SMBV1, "SMB", true },
	{ 5900, NDPI_PROTOCOL_VNC, "VNC", true },
	{ 3306, NDPI_PROTOCOL_MYSQL, "MySQL", true },
	{ 1433, NDPI_PROTOCOL_MSSQL_TDS, "MSSQL", true },
	{ 5432, NDPI_PROTOCOL_POSTGRES, "PostgreSQL", true },
	{ 21, NDPI_PROTOCOL_FTP_CONTROL, "FTP", true },
	{ 110, NDPI_PROTOCOL_MAIL_POP, "POP3", true },
	{ 143, NDPI_PROTOCOL_MAIL_IMAP, "IMAP", true },
	{ 25, NDPI_PROTOCOL_MAIL_SMTP, "SMTP", false },   /* shape only with AUTH: below */
	{ 587, 0, "SMTP", false },
	{ 465, 0, "SMTP", false },
	{ 80, NDPI_PROTOCOL_HTTP, "HTTP", false },
	{ 8080, 0, "HTTP", false },
};

static const struct svc *svc_port(uint16_t port)
{
	for (size_t i = 0; i < sizeof svcs / sizeof *svcs; i++)
		if (svcs[i].port == port)
			return &svcs[i];
	return NULL;
}

/* The service of flow f: nDPI's protocol, botlens's parser's, else the port's. */
static const struct svc *svc_of(const struct rp_flow *f)
{
	for (size_t i = 0; i < sizeof svcs / sizeof *svcs; i++)
		if (svcs[i].ndpi && (f->ndpi_master == svcs[i].ndpi || f->ndpi_app == svcs[i].ndpi))
			return &svcs[i];
	if (f->app == RP_APP_SSH)
		return svc_port(22);
	if (f->app == RP_APP_HTTP)
		return svc_port(80);
	if (f->app == RP_APP_SMTP)
		return svc_port(25);
	if (f->app == RP_APP_FTP)
		return svc_port(21);
	return svc_port(f->dport);
}

struct item {
	uint64_t key;               /* attacker side: server << 16 | port; target side: port << 32 | client */
	const struct rp_flow *f;
};

static int by_key(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->f->t0 < y->f->t0 ? -1 : x->f->t0 > y->f->t0;
}

struct group {
	const struct svc *svc;
	uint64_t conns, shaped, fails, sources;   /* sources: distinct clients (target side) */
	uint64_t attempts;          /* shaped, less SSH connections that tried no login */
	uint64_t ssh_kex;           /* SSH connections past the key exchange */
	uint32_t ssh_enc_max;       /* ... the most encrypted bytes a client sent in one */
	double s, e, dur_max;       /* span of the attempts; longest attempt */
	uint32_t bytes_max;
	uint32_t peer;              /* attacker side: the server; target side: the busiest client */
	uint16_t port;
};

/* An SSH connection whose client went past the key exchange and sent encrypted bytes. */
static bool ssh_past_kex(const struct rp_flow *f)
{
	return f->app == RP_APP_SSH && (f->facts & RPF_SSH_NEWKEYS_C) && f->bytes[0] > f->count;
}

/* An SSH connection proto_ssh.c followed that ended before the key exchange
 * did (a version probe, a refused or abandoned handshake): no login tried. */
static bool ssh_no_login(const struct rp_flow *f)
{
	return (f->facts & RPF_SSH_IDENT) && !(f->facts & RPF_SSH_LOST) && !ssh_past_kex(f);
}

/* Whether one connection of g is short and small: an attempt's shape. */
static bool shaped(const struct rp_ctx *x, const struct svc *sv, const struct rp_flow *f)
{
	if (!sv->shape && !(sv->port == 25 || sv->port == 587 || sv->port == 465))
		return false;
	if (!sv->shape && !(f->facts & RPF_SMTP_AUTH))
		return false;
	return (f->facts & RPF_TCP_EST) && f->bytes[0] && f->bytes[1] &&
	       f->t1 - f->t0 <= rp_param(x, &rules[2]) && f->bytes[0] <= rp_param(x, &rules[3]) &&
	       f->bytes[1] <= rp_param(x, &rules[3]);
}

static bool pace(const struct rp_ctx *x, uint64_t n, double s, double e)
{
	double span = e - s < 60 ? 60 : e - s;
	return (double)n * 60.0 / span >= rp_param(x, &rules[4]);
}

/*
 * What the SSH parser saw of g's attempts, for the evidence ("; 40 past the
 * key exchange, ...") and as fields: how many went past it and the client's
 * and server's software (their identification strings, most frequent).
 */
static void ssh_cite(const struct rp_ctx *x, struct rp_beh *b, const struct group *g, bool attacker,
		     char *buf, size_t len)
{
	uint32_t client = attacker ? x->self : g->peer, server = attacker ? g->peer : x->self;
	char cli[RP_EV_LEN] = "", srv[RP_EV_LEN] = "";
	rp_ev_join(x->col, client, EV_SSH_CLIENT, 1, cli, sizeof cli);
	rp_ev_join(x->col, server, EV_SSH_SERVER, 1, srv, sizeof srv);
	rp_kv_num(b, "past_kex", (double)g->ssh_kex);
	if (cli[0])
		rp_kv_str(b, "client_software", cli);
	if (srv[0])
		rp_kv_str(b, "server_software", srv);
	char more[64] = "";
	if (g->shaped > g->attempts)
		rp_say(more, sizeof more, " (%llu more stopped before it)", (unsigned long long)(g->shaped - g->attempts));
	rp_say(buf, len, "; %llu past the SSH key exchange%s, at most %u B encrypted from the client%s%s%s%s",
		 (unsigned long long)g->ssh_kex, more, g->ssh_enc_max, cli[0] ? "; client " : "", cli,
		 srv[0] ? ", server " : "", srv);
}

static void emit(const struct rp_ctx *x, struct rp_host *h, const struct group *g, bool attacker)
{
	bool by_fail = g->fails >= rp_param(x, &rules[1]) && pace(x, g->fails, g->s, g->e);
	bool by_shape = g->attempts >= rp_param(x, &rules[0]) && g->shaped * 10 >= g->conns * 8 &&
			pace(x, g->attempts, g->s, g->e);
	if (!by_fail && !by_shape)
		return;
	char peer[64] = "?", who[120], what[200];
	if (g->peer && g->peer <= x->nhosts)
		decode_addr_str(x->hosts[g->peer - 1]->family, x->hosts[g->peer - 1]->addr, peer, sizeof peer);
	uint64_t n = by_shape ? g->attempts : g->fails;
	double span = g->e - g->s, rate = (double)n * 60.0 / (span < 60 ? 60 : span);
	struct rp_beh *b = rp_beh_add(h, "bruteforce", g->s, g->e, g->conns);
	if (!b)
		return;
	rp_kv_str(b, "role", attacker ? "attacker" : "target");
	rp_kv_str(b, attacker ? "target" : "attacker", peer);
	rp_kv_str(b, "service", g->svc->name);
	rp_kv_num(b, "port", g->port);
	rp_kv_num(b, "attempts", (double)n);
	rp_kv_num(b, "failures", (double)g->fails);
	rp_kv_num(b, "duration", span);
	rp_kv_num(b, "rate", rate);
	if (!attacker)
		rp_kv_num(b, "sources", (double)g->sources);
	if (attacker)
		rp_say(who, sizeof who, "%s %s port %u (%s)", by_shape ? "to" : "by", peer, g->port, g->svc->name);
	else if (g->sources > 1)
		rp_say(who, sizeof who, "on its port %u (%s) from %llu sources, most from %s", g->port,
			 g->svc->name, (unsigned long long)g->sources, peer);
	else
		rp_say(who, sizeof who, "on its port %u (%s) from %s", g->port, g->svc->name, peer);
	if (by_shape)
		rp_say(what, sizeof what, "%llu short connections %s in %.1f s (%.1f a minute), "
			 "each at most %.1f s and %u B each way", (unsigned long long)n, who, span, rate,
			 g->dur_max, g->bytes_max);
	else
		rp_say(what, sizeof what, "%llu credentials refused %s in %llu connection%s over %.1f s "
			 "(%.1f a minute)", (unsigned long long)n, who, (unsigned long long)g->conns,
			 g->conns == 1 ? "" : "s", span, rate);
	char ssh[200] = "";
	if (by_shape && g->ssh_kex)
		ssh_cite(x, b, g, attacker, ssh, sizeof ssh);
	if (by_shape && g->fails)
		rp_evidence(b, "password guessing: %s; %llu credentials refused%s", what, (unsigned long long)g->fails, ssh);
	else
		rp_evidence(b, "password guessing: %s%s", what, ssh);
}

/* Folds the items of one key into g. */
static void fold(const struct rp_ctx *x, struct group *g, const struct item *v, size_t n, bool attacker)
{
	memset(g, 0, sizeof *g);
	g->s = -1;
	for (size_t i = 0; i < n; i++) {
		const struct rp_flow *f = v[i].f;
		const struct svc *sv = svc_of(f);
		if (!g->svc)
			g->svc = sv;
		g->port = f->dport;
		g->conns++;
		g->fails += (f->facts2 & RPF2_AUTH_FAIL) ? f->auth_fail : 0;
		bool sh = shaped(x, sv, f), at = sh && !ssh_no_login(f);
		g->shaped += sh;
		g->attempts += at;
		if (at && ssh_past_kex(f)) {
			g->ssh_kex++;
			uint32_t enc = f->bytes[0] - f->count;
			g->ssh_enc_max = enc > g->ssh_enc_max ? enc : g->ssh_enc_max;
		}
		if (!at && !(f->facts2 & RPF2_AUTH_FAIL))
			continue;
		if (g->s < 0 || f->t0 < g->s)
			g->s = f->t0;
		g->e = f->t1 > g->e ? f->t1 : g->e;
		if (f->t1 - f->t0 > g->dur_max)
			g->dur_max = f->t1 - f->t0;
		uint32_t mb = f->bytes[0] > f->bytes[1] ? f->bytes[0] : f->bytes[1];
		g->bytes_max = mb > g->bytes_max ? mb : g->bytes_max;
	}
	if (attacker) {
		g->peer = v[0].f->h[1];
		return;
	}
	/* target side: the items come by client (the key's low bits), so a client's run is adjacent */
	uint32_t best = 0, bestn = 0, cur = 0, curn = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = v[i].f->h[0];
		if (c == cur) {
			curn++;
		} else {
			cur = c;
			curn = 1;
		}
		if (curn > bestn) {
			bestn = curn;
			best = c;
		}
	}
	g->peer = best;
}

/* The host's TCP flows to (attacker) or from (target) authentication services into
 * v (x->nfl entries), sorted by key then start; returns how many. */
static size_t collect(const struct rp_ctx *x, bool attacker, struct item *v)
{
	size_t n = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (f->proto != 6 || !svc_of(f) || (attacker ? f->h[0] != x->self : f->h[1] != x->self) ||
		    f->h[0] == f->h[1])
			continue;
		/* target side: by port, then client, so that runs of one client are adjacent */
		v[n].key = attacker ? (uint64_t)f->h[1] << 16 | f->dport : (uint64_t)f->dport << 32 | f->h[0];
		v[n++].f = f;
	}
	qsort(v, n, sizeof *v, by_key);
	return n;
}

static int brute_run(const struct rp_ctx *x, struct rp_host *h)
{
	struct item *v = malloc((x->nfl ? x->nfl : 1) * sizeof *v);
	if (!v)
		return -1;
	for (int side = 0; side < 2; side++) {
		bool attacker = side == 0;
		size_t n = collect(x, attacker, v);
		for (size_t i = 0; i < n;) {
			uint64_t k = attacker ? v[i].key : v[i].key >> 32;
			size_t j = i, sources = 0;
			uint32_t last = 0;
			while (j < n && (attacker ? v[j].key : v[j].key >> 32) == k) {
				sources += v[j].f->h[0] != last;
				last = v[j].f->h[0];
				j++;
			}
			struct group g;
			fold(x, &g, v + i, j - i, attacker);
			g.sources = sources;
			if (g.svc && g.s >= 0)
				emit(x, h, &g, attacker);
			i = j;
		}
	}
	free(v);
	return 0;
}

const struct analysis analysis_brute = { .name = "bruteforce", .run = brute_run, .kinds = "bruteforce",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
