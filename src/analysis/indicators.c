/*
 * indicators.c - the report's indicators as data: the names, addresses,
 * URIs, user agents, files, certificates, fingerprints and mail
 * envelopes seen for a host, each with the behavior it supports, for
 * export to a SOC's tools (STIX, MISP) without parsing sentences.
 *
 * Sources: the collector's evidence strings of the host (as the client)
 * and the "server" field of its behaviors (and a password-guessing run's
 * "target" or "attacker").  A host with `dga` has its machine-made names
 * (or names of joined words) answered NXDOMAIN tagged with it rather than with `dns`.  Values are cut at 79 bytes
 * (RP_EV_LEN - 1) with control bytes replaced by '.'; at most
 * RP_MAX_IOCS per host, most frequent first within a type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

/* Evidence category -> indicator type and the behavior it supports. */
static const struct {
	unsigned cat;
	const char *type, *kind;
} ioc_map[] = {
	{ EV_DNS_QNAME, "domain", "dns" },       { EV_HTTP_HOST, "domain", "http" },
	{ EV_TLS_SNI, "domain", "tls" },         { EV_HTTP_URI, "uri", "http" },
	{ EV_HTTP_UA, "user_agent", "http" },    { EV_EXE_FILE, "file", "download" },
	{ EV_HTTP_FILENAME, "file", "download" }, { EV_FTP_FILE, "file", "exfiltration" },
	{ EV_ATTACH, "file", "spam" },           { EV_SMTP_HELO, "smtp_helo", "spam" },
	{ EV_SMTP_FROM, "email", "spam" },       { EV_SMTP_RCPT, "email", "spam" },
	{ EV_SMTP_SUBJECT, "email_subject", "spam" }, { EV_SMTP_AUTH, "smtp_user", "exfiltration" },
	{ EV_FTP_USER, "ftp_user", "exfiltration" }, { EV_IRC_NICK, "irc_nick", "irc_cnc" },
	{ EV_IRC_CHAN, "irc_channel", "irc_cnc" }, { EV_TLS_SUBJECT, "cert_subject", "tls" },
	{ EV_TLS_ISSUER, "cert_issuer", "tls" }, { EV_TLS_FP, "cert_sha1", "tls" },
	{ EV_JA3, "ja3", "tls" },                { EV_JA3S, "ja3s", "tls" },
	{ EV_LOG4SHELL, "exploit_string", "exploit" }, { EV_SSH_CLIENT, "ssh_client", "bruteforce" },
};

static bool has_kind(const struct rp_host *h, const char *kind)
{
	for (unsigned i = 0; i < h->nbehs; i++)
		if (!strcmp(h->behs[i].kind, kind))
			return true;
	return false;
}

/* The behavior kind a string supports when the host shows it, else "". */
static const char *kind_for(const struct rp_host *h, const char *kind)
{
	return has_kind(h, kind) ? kind : "";
}

static struct rp_ioc *ioc_add(struct rp_host *h, const char *type, const char *value, uint32_t count,
			      const char *kind)
{
	for (unsigned i = 0; i < h->niocs; i++)
		if (!strcmp(h->iocs[i].type, type) && !strcmp(h->iocs[i].value, value)) {
			h->iocs[i].count += count;
			return &h->iocs[i];
		}
	if (h->niocs >= RP_MAX_IOCS)
		return NULL;
	struct rp_ioc *e = &h->iocs[h->niocs++];
	e->type = type;
	snprintf(e->value, sizeof e->value, "%s", value);
	e->count = count;
	snprintf(e->behavior, sizeof e->behavior, "%s", kind);
	return e;
}

/* Cuts a Host header's ":port" and tells an IP literal ("address") from a name ("domain"). */
static const char *host_part(char *v)
{
	uint8_t fam, a[16];
	char *end = v[0] == '[' ? strchr(v, ']') : NULL;
	if (end) {    /* [v6]:port */
		memmove(v, v + 1, (size_t)(end - v - 1));
		v[end - v - 1] = 0;
	} else if (strchr(v, ':') == strrchr(v, ':') && strchr(v, ':')) {
		*strchr(v, ':') = 0;
	}
	for (char *p = v; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return decode_addr_parse(v, &fam, a) ? "address" : "domain";
}

static int ioc_cmp(const void *a, const void *b)
{
	const struct rp_ioc *x = a, *y = b;
	int c = strcmp(x->type, y->type);
	if (c)
		return c;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->value, y->value);
}


int rp_indicators(const struct rp_ctx *x, struct rp_host *h)
{
	h->iocs = calloc(RP_MAX_IOCS, sizeof *h->iocs);
	if (!h->iocs)
		return -1;
	for (unsigned i = 0; i < h->nbehs; i++) {   /* the servers behaviors name */
		const struct rp_beh *b = &h->behs[i];
		const char *srv = rp_kv_get(b, "server");
		if (b->malicious && srv && srv[0])
			ioc_add(h, strchr(srv, '/') ? "network" : "address", srv, (uint32_t)b->flows, b->kind);
		/* the other side of an attack: password guessing's target or attacker */
		const char *peer = rp_kv_get(b, rp_kv_get(b, "target") ? "target" : "attacker");
		uint8_t fam, a[16];
		if (b->malicious && !strcmp(b->kind, "bruteforce") && peer && decode_addr_parse(peer, &fam, a))
			ioc_add(h, "address", peer, (uint32_t)b->flows, b->kind);
	}
	bool dga = has_kind(h, "dga");
	const struct rp_col *c = x->col;
	for (size_t k = 0; k < RP_HASH; k++)
		for (const struct rp_ev_entry *e = c->ev[k]; e; e = e->next) {
			if (e->host != x->self)
				continue;
			for (size_t m = 0; m < sizeof ioc_map / sizeof *ioc_map; m++)
				if (ioc_map[m].cat == e->cat) {
					char v[RP_EV_LEN];
					const char *t = ioc_map[m].type;
					snprintf(v, sizeof v, "%s", e->s);
					if (!strcmp(t, "domain"))
						t = host_part(v);
					struct rp_label lab;
					size_t wl;
					const char *kind = kind_for(h, ioc_map[m].kind);
					if (dga && e->cat == EV_DNS_QNAME &&
					    (rp_dns_name_random(v, &lab) || rp_dns_name_words(v, &wl) >= 2) &&
					    rp_ev_count(c, x->self, EV_DNS_NX, v))
						kind = "dga";   /* a machine-made or joined-word name answered NXDOMAIN */
					ioc_add(h, t, v, e->count, kind);
					break;
				}
		}
	qsort(h->iocs, h->niocs, sizeof *h->iocs, ioc_cmp);
	return 0;
}
