/*
 * proto_smtp.c - SMTP (RFC 5321): the client's EHLO/HELO name, MAIL FROM,
 * RCPT count, DATA and AUTH; the server's 220 banner on a mail port.
 * Lines may be pipelined, several in one segment: each is read.
 */
#include "analysis/report-int.h"
#include "util/rd.h"

static void smtp_client_line(struct rp_col *c, struct rp_flow *rf, const uint8_t *l, size_t n)
{
	if (rp_starts_ci(l, n, "EHLO ") || rp_starts_ci(l, n, "HELO ")) {
		rp_ev_add(c, rf->h[0], EV_SMTP_HELO, l + 5, n - 5);
	} else if (rp_starts_ci(l, n, "MAIL FROM:")) {
		rf->facts |= RPF_SMTP_MAIL;
		rp_ev_add(c, rf->h[0], EV_SMTP_FROM, l + 10, n - 10);
	} else if (rp_starts_ci(l, n, "RCPT TO:")) {
		if (rf->count < UINT16_MAX)
			rf->count++;
	} else if (n == 4 && rp_starts_ci(l, n, "DATA")) {
		rf->facts |= RPF_SMTP_DATA;
	} else if (rp_starts_ci(l, n, "AUTH ")) {
		rf->facts |= RPF_SMTP_AUTH;
	}
}

static bool smtp_is_client_cmd(const uint8_t *p, size_t n)
{
	return rp_starts_ci(p, n, "EHLO ") || rp_starts_ci(p, n, "HELO ");
}

static bool smtp_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6)
		return false;
	bool mailport = rf->dport == 25 || rf->dport == 587 || rf->dport == 465 || rf->dport == 2525;
	if (rf->app != RP_APP_SMTP) {
		bool banner = s->dir == 1 && mailport && s->n >= 4 && s->p[0] >= '2' && s->p[0] <= '5' &&
			      s->p[1] >= '0' && s->p[1] <= '9' && s->p[2] >= '0' && s->p[2] <= '9' &&
			      (s->p[3] == ' ' || s->p[3] == '-');
		if (!banner && !(s->dir == 0 && smtp_is_client_cmd(s->p, s->n)))
			return false;
	}
	if (s->dir != 0)
		return true;
	struct rd r;
	rd_init(&r, s->p, s->n);
	while (r.left) {
		size_t n = rp_line(r.p, r.left);
		smtp_client_line(c, rf, r.p, n);
		rd_skip(&r, n);
		while (r.left && (r.p[0] == '\r' || r.p[0] == '\n'))
			rd_skip(&r, 1);
		if (rf->facts & RPF_SMTP_DATA)
			break;  /* the message body follows, not commands */
	}
	return true;
}

const struct rp_proto proto_smtp = { .name = "smtp", .app = RP_APP_SMTP, .max_pkts = 40, .inspect = smtp_inspect };
