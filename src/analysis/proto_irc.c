/*
 * proto_irc.c - IRC (RFC 2812): registration (NICK, USER), channels
 * (JOIN), and bot commands: PRIVMSG/NOTICE/TOPIC text and the 332 topic
 * reply that start with a command character ('!', '.', '$') and a
 * lower-case letter - the usual form of IRC bot commands (".advscan",
 * "!download"...).  '@' is not one: in chat, "@nick ..." addresses a person.
 *
 *   [":" prefix SP] command *(SP param) [SP ":" trailing] CRLF
 */
#include <string.h>

#include "analysis/report-int.h"
#include "util/rd.h"

/* The trailing parameter (after " :") of a line, or NULL. */
static const uint8_t *irc_trailing(const uint8_t *l, size_t n, size_t *tn)
{
	for (size_t i = 1; i + 1 < n; i++)
		if (l[i] == ' ' && l[i + 1] == ':') {
			*tn = n - i - 2;
			return l + i + 2;
		}
	return NULL;
}

static bool irc_cmd_char(uint8_t ch)
{
	return ch == '!' || ch == '.' || ch == '$';
}

static void irc_text(struct rp_col *c, struct rp_flow *rf, const uint8_t *l, size_t n)
{
	size_t tn;
	const uint8_t *t = irc_trailing(l, n, &tn);
	if (!t || tn < 2 || !irc_cmd_char(t[0]) || t[1] < 'a' || t[1] > 'z')
		return;
	rf->facts |= RPF_IRC_CMD;
	rp_ev_add(c, rf->h[0], EV_IRC_CMD, t, tn > 60 ? 60 : tn);
}

/* One line; returns true when it is IRC-shaped. */
static bool irc_line(struct rp_col *c, struct rp_flow *rf, const uint8_t *l, size_t n, int dir)
{
	const uint8_t *cmd = l;
	size_t cn = n;
	if (n && l[0] == ':') {   /* skip the prefix */
		const uint8_t *sp = memchr(l, ' ', n);
		if (!sp)
			return false;
		cmd = sp + 1;
		cn = n - (size_t)(cmd - l);
	}
	if (rp_starts_ci(cmd, cn, "NICK ")) {
		rf->facts |= RPF_IRC_REG;
		if (dir == 0)
			rp_ev_add(c, rf->h[0], EV_IRC_NICK, cmd + 5, cn - 5);
		return true;
	}
	if (rp_starts_ci(cmd, cn, "USER ") && memchr(cmd, ':', cn)) {
		rf->facts |= RPF_IRC_REG;
		return true;
	}
	if (rp_starts_ci(cmd, cn, "JOIN ")) {
		rf->facts |= RPF_IRC_JOIN;
		/* A capture that starts after registration: the server's echo of the
		 * client's JOIN names the client (":nick!user@host JOIN #chan"). */
		if (l[0] == ':' && !(rf->facts & RPF_IRC_REG)) {
			size_t k = 1;
			while (k < n && l[k] != '!' && l[k] != '@' && l[k] != ' ')
				k++;
			if (k > 1)
				rp_ev_add(c, rf->h[0], EV_IRC_NICK, l + 1, k - 1);
		}
		size_t b = 5, e;
		if (b < cn && cmd[b] == ':')
			b++;
		for (e = b; e < cn && cmd[e] != ' ';)
			e++;
		rp_ev_add(c, rf->h[0], EV_IRC_CHAN, cmd + b, e - b);
		return true;
	}
	if (rp_starts_ci(cmd, cn, "PRIVMSG ") || rp_starts_ci(cmd, cn, "NOTICE ") ||
	    rp_starts_ci(cmd, cn, "TOPIC ") || rp_starts_ci(cmd, cn, "332 ")) {
		irc_text(c, rf, cmd, cn);
		return true;
	}
	if (l[0] == ':' && cn >= 4 && cmd[0] >= '0' && cmd[0] <= '9' && cmd[1] >= '0' &&
	    cmd[1] <= '9' && cmd[2] >= '0' && cmd[2] <= '9' && cmd[3] == ' ')
		return true;   /* a numeric reply from a server */
	return rp_starts_ci(cmd, cn, "PING :") || rp_starts_ci(cmd, cn, "PONG ");
}

static bool irc_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6)
		return false;
	struct rd r;
	bool any = false;
	if (rf->app != RP_APP_IRC && s->n && s->p[0] != ':' && (s->p[0] < 'A' || s->p[0] > 'Z'))
		return false;   /* IRC lines start with a prefix or a command word */
	rd_init(&r, s->p, s->n);
	while (r.left) {
		size_t n = rp_line(r.p, r.left);
		if (n && irc_line(c, rf, r.p, n, s->dir))
			any = true;
		else if (rf->app != RP_APP_IRC && !any)
			return false;   /* the first line decides */
		rd_skip(&r, n);
		while (r.left && (r.p[0] == '\r' || r.p[0] == '\n'))
			rd_skip(&r, 1);
	}
	return any || rf->app == RP_APP_IRC;
}

const struct rp_proto proto_irc = { .name = "irc", .app = RP_APP_IRC, .max_pkts = 200, .inspect = irc_inspect };
