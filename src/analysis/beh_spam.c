/*
 * beh_spam.c - `spam`: the host delivers mail itself (SMTP to port 25
 * of others' MX), with its HELO names, senders, messages and distinct
 * MX.  A workstation hands mail to its provider's submission server
 * (587, with AUTH); direct-to-MX delivery with MAIL FROM or to several
 * MX is what spam bots do.  Submission counts too when it is bulk: SMTP
 * to any other port with AUTH and at least spam.bulk_rcpts recipients or
 * spam.bulk_messages messages in all (bots that steal mail accounts send
 * through them); one authenticated message is beh_exfil's upload.
 */
#include <stdio.h>
#include <stdlib.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "spam.min_mx", 3, 1, 1e6, "distinct MX on port 25 that make spam without a MAIL FROM seen" },
	{ "spam.bulk_rcpts", 20, 1, 1e9, "recipients of authenticated submission that make it bulk mail" },
	{ "spam.bulk_messages", 5, 1, 1e9, "messages of authenticated submission that make it bulk mail" },
};

/* Authenticated submission (not port 25) in bulk, as a bot through a stolen account. */
static void submission_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0;
	uint64_t n = 0, msgs = 0, rcpt = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || f->app != RP_APP_SMTP || f->dport == 25 || !(f->facts & RPF_SMTP_AUTH))
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		msgs += (f->facts & RPF_SMTP_DATA) != 0;
		rcpt += f->count;
	}
	if (!n || (rcpt < rp_param(x, &rules[1]) && msgs < rp_param(x, &rules[2])))
		return;
	char from[160];
	rp_ev_join(x->col, x->self, EV_SMTP_FROM, 3, from, sizeof from);
	struct rp_beh *b = rp_beh_add(h, "spam", s, e, n);
	if (!b)
		return;
	rp_kv_str(b, "channel", "authenticated submission");
	rp_kv_num(b, "messages", (double)msgs);
	rp_kv_num(b, "recipients", (double)rcpt);
	rp_kv_str(b, "mail_from", from);
	rp_evidence(b, "bulk mail through authenticated submission: %llu sessions, %llu messages, %llu recipients; "
		       "MAIL FROM %s", (unsigned long long)n, (unsigned long long)msgs, (unsigned long long)rcpt,
		    from[0] ? from : "-");
}

static int spam_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0;
	uint64_t n = 0, msgs = 0, rcpt = 0, mailfrom = 0, mx = 0;
	submission_run(x, h);
	uint8_t *seen = calloc(x->nhosts + 1, 1);
	if (!seen)
		return -1;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || f->proto != 6 || f->dport != 25 ||
		    (f->app != RP_APP_SMTP && !(f->facts & RPF_TCP_EST)))
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		msgs += (f->facts & RPF_SMTP_DATA) != 0;
		mailfrom += (f->facts & RPF_SMTP_MAIL) != 0;
		rcpt += f->count;
		if (f->h[1] <= x->nhosts && !seen[f->h[1]] && (seen[f->h[1]] = 1))
			mx++;
	}
	free(seen);
	if (!n || (mx < rp_param(x, &rules[0]) && !mailfrom))
		return 0;
	char helo[160], from[160];
	rp_ev_join(x->col, x->self, EV_SMTP_HELO, 3, helo, sizeof helo);
	rp_ev_join(x->col, x->self, EV_SMTP_FROM, 3, from, sizeof from);
	struct rp_beh *b = rp_beh_add(h, "spam", s, e, n);
	if (!b)
		return 0;
	rp_kv_num(b, "messages", (double)msgs);
	rp_kv_num(b, "recipients", (double)rcpt);
	rp_kv_num(b, "distinct_mx", (double)mx);
	rp_kv_str(b, "helo", helo);
	rp_kv_str(b, "mail_from", from);
	rp_evidence(b, "%llu SMTP sessions to %llu MX on port 25, %llu messages, %llu recipients; HELO %s; MAIL FROM %s",
		 (unsigned long long)n, (unsigned long long)mx, (unsigned long long)msgs,
		 (unsigned long long)rcpt, helo[0] ? helo : "-", from[0] ? from : "-");
	return 0;
}

const struct analysis analysis_spam = { .name = "spam", .run = spam_run, .kinds = "spam",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
