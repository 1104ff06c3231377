/*
 * rules.c - the detectors as data: the behavior kinds with whether they
 * are malicious, the role they imply and their weight in the verdict;
 * the tunable thresholds each detector declares in its table row
 * (struct analysis.rules), their overrides (`report --set NAME=VALUE`,
 * `--rules FILE`) and their listing (`report --explain-rules`).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

/*
 * Every kind a detector may emit.  role: the role a host takes when this
 * is its heaviest role-giving behavior (relay > server > worker >
 * p2p_node; else client).  weight: lower is heavier in the verdict.
 */
static const struct rp_kind kinds[] = {
	{ "exploit", true, NULL, 0, "an exploit sent or received (SMB, Log4Shell, exploit-kit chain)" },
	{ "download", true, NULL, 1, "an executable, code or a stage fetched or received" },
	{ "cnc_beacon", true, NULL, 2, "a command-and-control channel: reconnects or one held connection" },
	{ "irc_cnc", true, NULL, 3, "IRC botnet control: registration, channel, bot commands" },
	{ "exfiltration", true, NULL, 4, "data sent out: uploads with credentials, large uploads, DNS query names" },
	{ "tunnel", true, NULL, 5, "traffic carried inside DNS or ICMP" },
	{ "dga", true, NULL, 5, "many machine-made names under many registered domains, mostly NXDOMAIN" },
	{ "smb_propagation", true, "worker", 6, "SMB sessions to many hosts" },
	{ "bruteforce", true, NULL, 6, "many short authentication attempts against one service, sent or received" },
	{ "spam", true, "worker", 7, "mail delivered directly to others' MX" },
	{ "flood", true, "worker", 8, "a packet flood, sent or received" },
	{ "scan", true, "worker", 9, "horizontal, vertical, ping or ARP sweeps" },
	{ "relay", true, "relay", 10, "inbound connections forwarded to backends" },
	{ "p2p", true, "p2p_node", 11, "a P2P overlay (Overnet, Kad, DHT, Gnutella or by statistics)" },
	{ "server", false, "server", 20, "answers many clients on one port" },
	{ "dns", false, NULL, 30, "name lookups" },
	{ "http", false, NULL, 30, "web requests" },
	{ "tls", false, NULL, 30, "TLS handshakes" },
	{ "time_sync", false, NULL, 30, "NTP clock synchronisation" },
	{ "ping", false, NULL, 30, "ICMP echo to a few hosts" },
};

const struct rp_kind *rp_kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

const struct rp_kind *rp_kinds(size_t *n)
{
	*n = sizeof kinds / sizeof *kinds;
	return kinds;
}

bool rp_kind_malicious(const char *kind)
{
	const struct rp_kind *k = rp_kind_find(kind);
	return !k || k->malicious;   /* an unlisted kind is a detector's bug: shown, not hidden */
}

/* ---- thresholds ---- */

struct rp_params {
	size_t n;
	struct {
		const struct rp_rule *rule;
		double v;
	} set[64];
};

const struct rp_rule *rp_rule_find(const char *name)
{
	for (size_t i = 0; i < rp_nanalyses; i++)
		for (unsigned k = 0; k < rp_analyses[i]->nrules; k++)
			if (!strcmp(rp_analyses[i]->rules[k].name, name))
				return &rp_analyses[i]->rules[k];
	return NULL;
}

struct rp_params *rp_params_new(void)
{
	return calloc(1, sizeof(struct rp_params));
}

void rp_params_free(struct rp_params *p)
{
	free(p);
}

int rp_params_set(struct rp_params *p, const char *assign, char *err, size_t errlen)
{
	char name[64];
	const char *eq = strchr(assign, '=');
	if (!eq || eq == assign || (size_t)(eq - assign) >= sizeof name) {
		snprintf(err, errlen, "'%s': expected NAME=VALUE", assign);
		return -1;
	}
	memcpy(name, assign, (size_t)(eq - assign));
	name[eq - assign] = 0;
	const struct rp_rule *r = rp_rule_find(name);
	if (!r) {
		snprintf(err, errlen, "'%s': no such rule (botlens report --explain-rules lists them)", name);
		return -1;
	}
	char *end;
	errno = 0;
	double v = strtod(eq + 1, &end);
	if (errno || end == eq + 1 || *end || !isfinite(v) || v < r->min || v > r->max) {
		snprintf(err, errlen, "'%s': value must be a number in [%g, %g]", assign, r->min, r->max);
		return -1;
	}
	for (size_t i = 0; i < p->n; i++)
		if (p->set[i].rule == r) {
			p->set[i].v = v;
			return 0;
		}
	if (p->n >= sizeof p->set / sizeof *p->set) {
		snprintf(err, errlen, "'%s': too many rules set", assign);
		return -1;
	}
	p->set[p->n].rule = r;
	p->set[p->n++].v = v;
	return 0;
}

int rp_params_load(struct rp_params *p, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	char line[256], e[200];
	unsigned no = 0;
	int rc = 0;
	while (!rc && fgets(line, sizeof line, f)) {
		no++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			snprintf(err, errlen, "%s:%u: line too long", path, no);
			rc = -1;
			break;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = 0;
		char *s = line + strspn(line, " \t");
		if (!*s || *s == '#')
			continue;
		if (rp_params_set(p, s, e, sizeof e)) {
			snprintf(err, errlen, "%s:%u: %s", path, no, e);
			rc = -1;
		}
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}

double rp_param(const struct rp_ctx *x, const struct rp_rule *r)
{
	const struct rp_params *p = x->col->params;
	for (size_t i = 0; p && i < p->n; i++)
		if (p->set[i].rule == r)
			return p->set[i].v;
	return r->def;
}

void rp_rules_each(void (*fn)(void *ctx, const char *detector, const char *kinds, const struct rp_rule *r),
		   void *ctx)
{
	for (size_t i = 0; i < rp_nanalyses; i++) {
		const struct analysis *a = rp_analyses[i];
		fn(ctx, a->name, a->kinds ? a->kinds : "", NULL);
		for (unsigned k = 0; k < a->nrules; k++)
			fn(ctx, a->name, a->kinds ? a->kinds : "", &a->rules[k]);
	}
}
