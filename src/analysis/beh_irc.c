/*
 * beh_irc.c - `irc_cnc`: the host registered on an IRC server (NICK/USER)
 * and joined channels, and either bot commands were seen in
 * PRIVMSG/NOTICE/TOPIC text (proto_irc.c) or the server listens on a port
 * no IRC network uses (irc_port): bots are sent to their operator's own
 * server, often on a port of its choosing, and take orders in the channel.
 * Registration and channels alone on an IRC network's port are chat
 * (`irc`, not malicious): people still use IRC, and a session's
 * evidence says which it is.
 */
#include <stdio.h>

#include "analysis/report-int.h"

/* The ports IRC networks listen on: 194 and 994 (IANA, TLS), 6660-6669, 6697 (RFC 7194, TLS),
 * 7000, 7070 and 8000-8002 (the large networks' alternates). */
static bool irc_port(uint16_t p)
{
	return p == 194 || p == 994 || (p >= 6660 && p <= 6669) || p == 6697 || p == 7000 || p == 7070 ||
	       (p >= 8000 && p <= 8002);
}

static int irc_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0;
	uint64_t n = 0, cmds = 0;
	uint16_t port = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || f->app != RP_APP_IRC || !(f->facts & (RPF_IRC_REG | RPF_IRC_JOIN)))
			continue;
		if (s < 0) {
			s = f->t0;
			port = f->dport;
		}
		e = f->t1 > e ? f->t1 : e;
		n++;
		cmds += (f->facts & RPF_IRC_CMD) != 0;
	}
	if (!n)
		return 0;
	char nick[100], chan[100], cmd[240];
	rp_ev_join(x->col, x->self, EV_IRC_NICK, 2, nick, sizeof nick);
	rp_ev_join(x->col, x->self, EV_IRC_CHAN, 3, chan, sizeof chan);
	uint64_t nc = rp_ev_join(x->col, x->self, EV_IRC_CMD, 4, cmd, sizeof cmd);
	bool cnc = cmds || !irc_port(port);
	struct rp_beh *b = rp_beh_add(h, cnc ? "irc_cnc" : "irc", s, e, n);
	if (!b)
		return 0;
	rp_kv_num(b, "port", port);
	rp_kv_str(b, "nick", nick);
	rp_kv_str(b, "channels", chan);
	rp_kv_str(b, "commands", cmd);
	rp_kv_num(b, "distinct_commands", (double)nc);
	rp_kv_num(b, "sessions_with_commands", (double)cmds);
	rp_evidence(b, "IRC on port %u%s as %s, joined %s; commands: %s", port,
		    irc_port(port) ? "" : " (no IRC network's port)", nick[0] ? nick : "-", chan[0] ? chan : "-",
		    cmd[0] ? cmd : "none seen");
	return 0;
}

const struct analysis analysis_irc = { .name = "irc_cnc", .run = irc_run, .kinds = "irc_cnc,irc" };
