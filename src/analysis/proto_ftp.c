/*
 * proto_ftp.c - FTP control connections (RFC 959): USER (the account),
 * RETR and STOR (files fetched or uploaded); the server's 530 replies
 * (login refused) counted for beh_brute.c.  Recognised on port 21 or
 * by a client USER/RETR/STOR line, as shellcode often talks FTP to an
 * odd port.
 */
#include "analysis/report-int.h"
#include "util/rd.h"

static bool ftp_client_line(struct rp_col *c, struct rp_flow *rf, const uint8_t *l, size_t n)
{
	if (rp_starts_ci(l, n, "USER ")) {
		rf->facts |= RPF_FTP_LOGIN;
		rp_ev_add(c, rf->h[0], EV_FTP_USER, l + 5, n - 5);
	} else if (rp_starts_ci(l, n, "RETR ")) {
		rf->facts |= RPF_FTP_RETR;
		rp_ev_add(c, rf->h[0], EV_FTP_FILE, l + 5, n - 5);
		if (n >= 9 && rp_starts_ci(l + n - 4, 4, ".exe")) {
			rf->facts |= RPF_EXE;
			rp_ev_add(c, rf->h[0], EV_EXE_FILE, l + 5, n - 5);
		}
	} else if (rp_starts_ci(l, n, "STOR ")) {
		rf->facts |= RPF_FTP_STOR;
		rp_ev_add(c, rf->h[0], EV_FTP_FILE, l + 5, n - 5);
	} else if (!rp_starts_ci(l, n, "PASS ") && !rp_starts_ci(l, n, "TYPE ") &&
		   !rp_starts_ci(l, n, "PORT ") && !rp_starts_ci(l, n, "PASV") &&
		   !rp_starts_ci(l, n, "QUIT") && !rp_starts_ci(l, n, "CWD ") && !rp_starts_ci(l, n, "SYST")) {
		return false;
	}
	return true;
}

static bool ftp_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6)
		return false;
	bool port21 = rf->dport == 21;
	if (s->dir == 1) {
		if (rf->app != RP_APP_FTP && !(port21 && rp_starts_ci(s->p, s->n, "220")))
			return false;
		struct rd r;   /* the server's replies: 530 refuses a login */
		rd_init(&r, s->p, s->n);
		while (r.left) {
			size_t n = rp_line(r.p, r.left);
			if (n >= 4 && rp_starts_ci(r.p, n, "530") && (r.p[3] == ' ' || r.p[3] == '-'))
				rp_auth_fail(rf);
			rd_skip(&r, n);
			while (r.left && (r.p[0] == '\r' || r.p[0] == '\n'))
				rd_skip(&r, 1);
		}
		return true;
	}
	struct rd r;
	bool any = false;
	rd_init(&r, s->p, s->n);
	while (r.left) {
		size_t n = rp_line(r.p, r.left);
		bool strong = rp_starts_ci(r.p, n, "USER ") || rp_starts_ci(r.p, n, "RETR ") ||
			      rp_starts_ci(r.p, n, "STOR ");
		if (!any && rf->app != RP_APP_FTP && !port21 && !strong)
			return false;
		if (ftp_client_line(c, rf, r.p, n))
			any = true;
		rd_skip(&r, n);
		while (r.left && (r.p[0] == '\r' || r.p[0] == '\n'))
			rd_skip(&r, 1);
	}
	return any || port21 || rf->app == RP_APP_FTP;
}

const struct rp_proto proto_ftp = { .name = "ftp", .app = RP_APP_FTP, .max_pkts = 30, .inspect = ftp_inspect };
