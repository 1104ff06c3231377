/*
 * report_text.c - the explanation as text: per host the verdict, its role
 * and the reasons, the phase timeline, each behavior with its evidence, the
 * protocols by content, the notable endpoints with AS and name, and the
 * indicators (ten per type; all of them in JSON).
 */
#include <stdio.h>
#include <string.h>

#include "render/report_out.h"

void report_clock(double t, char *buf, size_t len)
{
	rp_clock(t, buf, len);
}

static void text_behaviors(FILE *o, const struct rp_host *h)
{
	char a[16], b[16];
	fprintf(o, "\n  phases:\n");
	if (!h->nbehs)
		fprintf(o, "    (no behavior recognised)\n");
	for (unsigned i = 0; i < h->nbehs; i++) {
		const struct rp_beh *x = &h->behs[i];
		report_clock(x->start, a, sizeof a);
		report_clock(x->end, b, sizeof b);
		fprintf(o, "    %s-%s  %-16s %s\n", a, b, x->kind, x->malicious ? "(malicious)" : "");
	}
	fprintf(o, "\n  behaviors:\n");
	for (unsigned i = 0; i < h->nbehs; i++) {
		const struct rp_beh *x = &h->behs[i];
		fprintf(o, "    %-16s start %.3f s, end %.3f s, %llu flows\n", x->kind, x->start, x->end,
			(unsigned long long)x->flows);
		fprintf(o, "      %s\n", x->evidence);
	}
}

static void text_notable(FILE *o, const struct rp_host *h)
{
	fprintf(o, "\n  notable endpoints:\n");
	if (!h->nnotable)
		fprintf(o, "    (none: no address was contacted more than once)\n");
	for (unsigned i = 0; i < h->nnotable; i++) {
		const struct rp_notable *n = &h->notable[i];
		char a[64];
		decode_addr_str(n->family, n->addr, a, sizeof a);
		fprintf(o, "    %2u. %-16s score %6.2f", i + 1, a, n->score);
		if (n->range[0])
			fprintf(o, "  %s", n->range);
		else if (n->asn)
			fprintf(o, "  AS%u %s %s", n->asn, n->org, n->country);
		else
			fprintf(o, "  AS unknown%s%s", n->country[0] ? " " : "", n->country);
		if (n->name[0])
			fprintf(o, "  (%s)", n->name);
		fprintf(o, "\n        %s\n", n->reason);
	}
}

static void text_iocs(FILE *o, const struct rp_host *h)
{
	fprintf(o, "\n  indicators:\n");
	if (!h->niocs)
		fprintf(o, "    (none)\n");
	const char *type = NULL;
	unsigned shown = 0;
	for (unsigned i = 0; i < h->niocs; i++) {
		const struct rp_ioc *e = &h->iocs[i];
		if (!type || strcmp(type, e->type)) {
			type = e->type;
			shown = 0;
		}
		if (shown++ == 10) {
			fprintf(o, "    %-14s ... (all in --format json)\n", e->type);
			continue;
		}
		if (shown > 10)
			continue;
		fprintf(o, "    %-14s %s  x%u%s%s\n", e->type, e->value, e->count, e->behavior[0] ? "  " : "", e->behavior);
	}
}

/* "  label: name n, name n" when there is any. */
static void text_counts(FILE *o, const char *label, const struct rp_count *c, unsigned n)
{
	if (!n)
		return;
	fprintf(o, "  %s:", label);
	for (unsigned i = 0; i < n; i++)
		fprintf(o, "%s %s %llu", i ? "," : "", c[i].name, (unsigned long long)c[i].flows);
	fputc('\n', o);
}

void report_hosts_line(const struct rp_report *rep, char *buf, size_t len)
{
	if (rep->nsandbox + rep->nsuspect != rep->nhosts)   /* --host */
		snprintf(buf, len, "%u host%s explained (--host)", rep->nhosts, rep->nhosts == 1 ? "" : "s");
	else
		snprintf(buf, len, "%u host%s explained (%u sandbox, %u suspect)", rep->nhosts,
			 rep->nhosts == 1 ? "" : "s", rep->nsandbox, rep->nsuspect);
}

int report_text(FILE *o, const struct rp_report *rep)
{
	char hl[96];
	report_hosts_line(rep, hl, sizeof hl);
	fprintf(o, "%s: %.1f s, %s\n", rep->file, rep->span, hl);
	if (rep->inspect_refused)
		fprintf(o, "inspection: %llu flow%s refused at the memory cap (%zu bytes): metadata only\n",
			(unsigned long long)rep->inspect_refused, rep->inspect_refused == 1 ? "" : "s", rep->inspect_mem);
	for (unsigned k = 0; k < rep->nhosts; k++) {
		const struct rp_host *h = &rep->hosts[k];
		char a[96];
		rp_host_label(h, a, sizeof a);
		fprintf(o, "\nhost %s (%s)\n  verdict: %s\n  role: %s - %s\n", a, h->selected ? h->selected : "-", h->verdict,
			h->role, h->role_reason);
		if (h->shared.on)
			fprintf(o, "  caveat: %s\n", h->shared.evidence);
		fprintf(o, "  flows: %llu outbound, %llu inbound\n", (unsigned long long)h->flows_out,
			(unsigned long long)h->flows_in);
		fprintf(o, "  protocols by content:");
		for (unsigned p = 0; p < RP_APP_COUNT; p++)
			if (h->app_flows[p])
				fprintf(o, " %s %llu", rp_app_name(p), (unsigned long long)h->app_flows[p]);
		fputc('\n', o);
		text_counts(o, "services (nDPI)", h->services, h->nservices);
		text_counts(o, "risks (nDPI)", h->risks, h->nrisks);
		text_behaviors(o, h);
		text_notable(o, h);
		text_iocs(o, h);
	}
	if (rep->geo_db[0])
		fprintf(o, "\nAS data: IPFire Location (libloc, CC BY-SA 4.0), %s\n", rep->geo_db);
	return ferror(o) ? -1 : 0;
}
