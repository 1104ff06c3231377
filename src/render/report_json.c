/*
 * report_json.c - the explanation as JSON with json-c; the schema is
 * doc/report-schema.md:
 *   {"file", "span", "geo_db", "explained": {"sandbox", "suspect"}, "hosts": [{"address", "selected", "malicious", "verdict", "role", "role_reason",
 *    "nat", "reachable", "behaviors": [{"kind", "start", "end", "flows",
 *    "malicious", "evidence", ...kind-specific fields}], "notable":
 *    [{"address", "asn", "org", "country", "score", "reason", ...}],
 *    "protocols": {"dns": flows, ...}, "indicators": [{"type", "value", "count",
 *    "behavior"}]}]}
 */
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/table.h"

#include "render/report_out.h"
#include "util/jsonout.h"
#include "util/utf8.h"

static json_object *jstr(const char *s) { return utf8_json_string(s); }

/* Numbers with the precision they have (doc/json.md, util/jsonout.h): times
 * to the microsecond, other measures 6 significant digits. */
static json_object *jtime(double seconds) { return jo_num(seconds, "%.6f"); }
static json_object *jmeasure(double v) { return jo_num(v, "%.6g"); }

static json_object *jstr_or_null(const char *s)
{
	return s && s[0] ? jstr(s) : NULL;
}

static json_object *json_beh(const struct rp_beh *b)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "kind", jstr(b->kind));
	json_object_object_add(o, "start", jtime(b->start));
	json_object_object_add(o, "end", jtime(b->end));
	json_object_object_add(o, "flows", json_object_new_int64((int64_t)b->flows));
	json_object_object_add(o, "malicious", json_object_new_boolean(b->malicious));
	json_object_object_add(o, "evidence", jstr(b->evidence));
	for (unsigned i = 0; i < b->nkv; i++) {
		const struct rp_kv *k = &b->kv[i];
		/* numbers as the detector wrote them (its precision) */
		json_object *v = k->num ? json_object_new_double_s(strtod(k->val, NULL), k->val) : jstr(k->val);
		if (k->num && strtod(k->val, NULL) == (double)strtoll(k->val, NULL, 10))
			v = (json_object_put(v), json_object_new_int64(strtoll(k->val, NULL, 10)));
		json_object_object_add(o, k->key, v);
	}
	return o;
}

static json_object *json_notable(const struct rp_notable *n)
{
	char a[64];
	json_object *o = json_object_new_object();
	decode_addr_str(n->family, n->addr, a, sizeof a);
	json_object_object_add(o, "address", jstr(a));
	json_object_object_add(o, "asn", n->asn ? json_object_new_int64(n->asn) : NULL);
	json_object_object_add(o, "org", jstr_or_null(n->org));
	json_object_object_add(o, "country", jstr_or_null(n->country));
	json_object_object_add(o, "range", jstr_or_null(n->range));
	json_object_object_add(o, "name", jstr_or_null(n->name));
	json_object_object_add(o, "score", jmeasure(n->score));
	json_object_object_add(o, "flows", json_object_new_int64((int64_t)n->flows));
	json_object_object_add(o, "first", jtime(n->first));
	json_object_object_add(o, "reason", jstr(n->reason));
	return o;
}

static json_object *json_iocs(const struct rp_host *h)
{
	json_object *a = json_object_new_array();
	for (unsigned i = 0; i < h->niocs; i++) {
		const struct rp_ioc *e = &h->iocs[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "type", jstr(e->type));
		json_object_object_add(o, "value", jstr(e->value));
		json_object_object_add(o, "count", json_object_new_int64(e->count));
		json_object_object_add(o, "behavior", jstr_or_null(e->behavior));
		json_object_array_add(a, o);
	}
	return a;
}

/* {"name": flows, ...} in the order given (most flows first). */
static json_object *json_counts(const struct rp_count *c, unsigned n)
{
	json_object *o = json_object_new_object();
	for (unsigned i = 0; i < n; i++)
		json_object_object_add(o, c[i].name, json_object_new_int64((int64_t)c[i].flows));
	return o;
}

/* {"evidence", "macs": [{"mac", "packets", "first"}], "ttl": [{"initial", "packets"}]} or NULL. */
static json_object *json_shared(const struct rp_shared *s)
{
	if (!s->on)
		return NULL;
	json_object *o = json_object_new_object(), *m = json_object_new_array(), *t = json_object_new_array();
	json_object_object_add(o, "evidence", jstr(s->evidence));
	for (int k = 0; k < 2 && s->mac_pkts[0]; k++) {
		char mac[18];
		snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", s->mac[k][0], s->mac[k][1], s->mac[k][2],
			 s->mac[k][3], s->mac[k][4], s->mac[k][5]);
		json_object *e = json_object_new_object();
		json_object_object_add(e, "mac", json_object_new_string(mac));
		json_object_object_add(e, "packets", json_object_new_int64(s->mac_pkts[k]));
		json_object_object_add(e, "first", jtime(s->mac_first[k]));
		json_object_array_add(m, e);
	}
	for (int k = 0; k < 2 && s->ttl[0]; k++) {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "initial", json_object_new_int64(s->ttl[k]));
		json_object_object_add(e, "packets", json_object_new_int64(s->ttl_pkts[k]));
		json_object_array_add(t, e);
	}
	json_object_object_add(o, "macs", m);
	json_object_object_add(o, "ttl", t);
	return o;
}

/* {"by": "mac"|"ttl", "mac": string|null, "ttl": integer|null} when the host is one of two
 * machines of its address, else NULL. */
static json_object *json_machine(const struct rp_machine *m)
{
	if (!m->on)
		return NULL;
	json_object *o = json_object_new_object();
	char mac[18];
	snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", m->mac[0], m->mac[1], m->mac[2], m->mac[3],
		 m->mac[4], m->mac[5]);
	json_object_object_add(o, "by", json_object_new_string(m->by_mac ? "mac" : "ttl"));
	json_object_object_add(o, "mac", m->has_mac ? json_object_new_string(mac) : NULL);
	json_object_object_add(o, "ttl", m->ttl ? json_object_new_int64(m->ttl) : NULL);
	return o;
}

static json_object *json_host(const struct rp_host *h)
{
	char a[64];
	json_object *o = json_object_new_object(), *b = json_object_new_array(),
		    *n = json_object_new_array(), *p = json_object_new_object();
	decode_addr_str(h->family, h->addr, a, sizeof a);
	json_object_object_add(o, "address", jstr(a));
	json_object_object_add(o, "machine", json_machine(&h->machine));
	json_object_object_add(o, "selected", jstr_or_null(h->selected));
	json_object_object_add(o, "shared_address", json_shared(&h->shared));
	json_object_object_add(o, "malicious", json_object_new_boolean(h->malicious));
	json_object_object_add(o, "verdict", jstr(h->verdict));
	json_object_object_add(o, "role", jstr(h->role));
	json_object_object_add(o, "role_reason", jstr(h->role_reason));
	json_object_object_add(o, "nat", json_object_new_boolean(h->nat));
	json_object_object_add(o, "reachable", json_object_new_boolean(h->reachable));
	json_object_object_add(o, "flows_out", json_object_new_int64((int64_t)h->flows_out));
	json_object_object_add(o, "flows_in", json_object_new_int64((int64_t)h->flows_in));
	for (unsigned i = 0; i < h->nbehs; i++)
		json_object_array_add(b, json_beh(&h->behs[i]));
	for (unsigned i = 0; i < h->nnotable; i++)
		json_object_array_add(n, json_notable(&h->notable[i]));
	for (unsigned i = 1; i < RP_APP_COUNT; i++)
		if (h->app_flows[i])
			json_object_object_add(p, rp_app_name(i), json_object_new_int64((int64_t)h->app_flows[i]));
	json_object_object_add(o, "behaviors", b);
	json_object_object_add(o, "notable", n);
	json_object_object_add(o, "protocols", p);
	json_object_object_add(o, "indicators", json_iocs(h));
	json_object_object_add(o, "services", json_counts(h->services, h->nservices));
	json_object_object_add(o, "risks", json_counts(h->risks, h->nrisks));
	return o;
}

int report_json(FILE *out, const struct rp_report *rep, bool pretty)
{
	json_object *o = json_object_new_object(), *hs = json_object_new_array();
	json_object_object_add(o, "file", jstr(rep->file));
	json_object_object_add(o, "span", jtime(rep->span));
	char iso[48];
	time_iso8601(rep->start_ns, iso, sizeof iso);
	json_object_object_add(o, "start", json_object_new_string(iso));
	char ep[40];   /* epoch seconds with microseconds, exact (no double rounding) */
	snprintf(ep, sizeof ep, "%lld.%06lld", (long long)(rep->start_ns / 1000000000),
		 (long long)(rep->start_ns % 1000000000 / 1000));
	json_object_object_add(o, "start_epoch", rep->start_ns >= 0 ? json_object_new_double_s(strtod(ep, NULL), ep) : NULL);
	json_object_object_add(o, "geo_db", jstr_or_null(rep->geo_db));
	json_object *ex = NULL;   /* null with --host */
	if (rep->nsandbox + rep->nsuspect == rep->nhosts) {
		ex = json_object_new_object();
		json_object_object_add(ex, "sandbox", json_object_new_int64(rep->nsandbox));
		json_object_object_add(ex, "suspect", json_object_new_int64(rep->nsuspect));
	}
	json_object_object_add(o, "explained", ex);
	json_object *in = json_object_new_object();
	json_object_object_add(in, "budget_bytes", json_object_new_uint64(rep->inspect_bytes));
	json_object_object_add(in, "memory_cap_bytes", json_object_new_uint64(rep->inspect_mem));
	json_object_object_add(in, "refused_flows", json_object_new_uint64(rep->inspect_refused));
	json_object_object_add(o, "inspection", in);
	for (unsigned i = 0; i < rep->nhosts; i++)
		json_object_array_add(hs, json_host(&rep->hosts[i]));
	json_object_object_add(o, "hosts", hs);
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE
								     : JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return ferror(out) ? -1 : 0;
}
