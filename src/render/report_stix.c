/*
 * report_stix.c - the report's indicators as a STIX 2.1 bundle (OASIS
 * "STIX Version 2.1", 2021), written with json-c, and as CSV rows for
 * spreadsheets and MISP's free-text import.
 *
 * One bundle per report (capture):
 *   identity "botlens" (created_by_ref of every SDO)
 *   per host: observed-data (the host's address and the addresses and
 *   domains among its indicators, as SCOs), one indicator per indicator
 *   (pattern_type "stix"), a malware object when the host is malicious,
 *   an infrastructure object per C&C server (cnc_beacon/irc_cnc "server")
 *   and the relationships: indicator indicates malware (indicators of a
 *   malicious behavior), malware uses infrastructure, infrastructure
 *   consists-of its address.
 * Ids are deterministic: SCOs follow the spec's UUIDv5 (namespace
 * 00abedb4-aa42-466c-9c01-fed23315a9b7 over {"value":...}); SDOs are
 * UUIDv5 under botlens's own namespace over the capture's start time, the
 * host and the content, so a rerun on the same capture gives the same
 * bytes.  created/modified are the capture's first packet time (the
 * time the evidence is from, and stable); valid_from is the first time
 * the indicator was seen (the start of the first behavior it supports,
 * else the capture's start).
 */
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/report_out.h"

#define IOC_LEN sizeof ((struct rp_ioc *)0)->value

/* 00abedb4-aa42-466c-9c01-fed23315a9b7: STIX 2.1 section 2.9, SCO ids. */
static const uint8_t ns_sco[16] = { 0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
				    0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7 };
/* botlens's namespace for its SDOs (a fixed random UUID). */
static const uint8_t ns_botlens[16] = { 0x6b, 0x1f, 0x0c, 0x52, 0x3e, 0x9d, 0x4a, 0x71,
					0x8f, 0x25, 0xd4, 0x60, 0x1b, 0xc8, 0x77, 0x3a };

/* "<type>--<UUIDv5(ns, name)>" (RFC 4122 section 4.3, SHA-1). */
static void stix_id(char *buf, size_t len, const char *type, const uint8_t ns[16], const char *name)
{
	uint8_t in[16 + 512], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t n = strlen(name);
	if (n > sizeof in - 16)
		n = sizeof in - 16;
	memcpy(in, ns, 16);
	memcpy(in + 16, name, n);
	if (!EVP_Digest(in, 16 + n, md, &mdlen, EVP_sha1(), NULL) || mdlen < 16)
		memset(md, 0, 16);
	md[6] = (uint8_t)((md[6] & 0x0f) | 0x50);
	md[8] = (uint8_t)((md[8] & 0x3f) | 0x80);
	snprintf(buf, len,
		 "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", type,
		 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
		 md[12], md[13], md[14], md[15]);
}

/* An SDO id from its type and content, scoped to the capture. */
static void sdo_id(char *buf, size_t len, const struct rp_report *rep, const char *type, const char *content)
{
	char name[512];
	snprintf(name, sizeof name, "%lld|%s|%s", (long long)rep->start_ns, type, content);
	stix_id(buf, len, type, ns_botlens, name);
}

/* An SCO with one id-contributing property "value", id as the spec says. */
static json_object *sco_value(const char *type, const char *value, char *id, size_t idlen)
{
	json_object *v = json_object_new_object();
	json_object_object_add(v, "value", json_object_new_string(value));
	stix_id(id, idlen, type, ns_sco, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(v);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "spec_version", json_object_new_string("2.1"));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "value", json_object_new_string(value));
	return o;
}

/* STIX timestamp "YYYY-MM-DDTHH:MM:SS.sssZ" of ns since the epoch. */
static void stix_time(int64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000));
	int ms = (int)((ns - (int64_t)s * 1000000000) / 1000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static int64_t at_ns(const struct rp_report *rep, double rel)
{
	return rep->start_ns + (int64_t)(rel * 1e9);
}

/* The common properties of an SDO. */
static json_object *sdo_new(const char *type, const char *id, const char *ts, const char *creator)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "spec_version", json_object_new_string("2.1"));
	json_object_object_add(o, "id", json_object_new_string(id));
	if (creator)
		json_object_object_add(o, "created_by_ref", json_object_new_string(creator));
	json_object_object_add(o, "created", json_object_new_string(ts));
	json_object_object_add(o, "modified", json_object_new_string(ts));
	return o;
}

/* Indicator type -> STIX pattern's object path ("" : custom, x-botlens-<type>:value). */
static const struct {
	const char *type, *path;
} pattern_map[] = {
	{ "domain", "domain-name:value" },
	{ "uri", "url:value" },
	{ "user_agent", "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'" },
	{ "file", "file:name" },
	{ "cert_sha1", "x509-certificate:hashes.'SHA-1'" },
	{ "cert_subject", "x509-certificate:subject" },
	{ "cert_issuer", "x509-certificate:issuer" },
	{ "email", "email-addr:value" },
	{ "email_subject", "email-message:subject" },
	{ "ja3", "x-ja3:value" },
	{ "ja3s", "x-ja3s:value" },
};

/* v without the blanks and angle brackets of a mail envelope (" <a@b>"). */
static void ioc_clean(const struct rp_ioc *e, char *v, size_t len)
{
	const char *s = e->value;
	if (!strcmp(e->type, "email")) {
		while (*s == ' ' || *s == '<')
			s++;
		snprintf(v, len, "%s", s);
		char *gt = strchr(v, '>');
		if (gt)
			*gt = 0;
	} else {
		snprintf(v, len, "%s", s);
	}
}

/* The pattern of one indicator; string literals escape ' and \ (STIX patterning 2.1, 3.2). */
static void ioc_pattern(const struct rp_ioc *e, char *buf, size_t len)
{
	char v[IOC_LEN + 8], lit[2 * sizeof v + 2], path[96] = "";
	const char *op = "=";
	ioc_clean(e, v, sizeof v);
	if (!strcmp(e->type, "address") || !strcmp(e->type, "network"))
		snprintf(path, sizeof path, "%s", strchr(v, ':') ? "ipv6-addr:value" : "ipv4-addr:value");
	for (size_t i = 0; !path[0] && i < sizeof pattern_map / sizeof *pattern_map; i++)
		if (!strcmp(pattern_map[i].type, e->type))
			snprintf(path, sizeof path, "%s", pattern_map[i].path);
	if (!path[0]) {  /* custom: x-botlens-smtp-helo:value */
		snprintf(path, sizeof path, "x-botlens-%s:value", e->type);
		for (char *p = path; *p != ':'; p++)
			if (*p == '_')
				*p = '-';
	}
	size_t j = 0;
	if (!strcmp(e->type, "uri") && !strstr(v, "://")) {  /* a path: any URL ending so */
		op = "LIKE";
		lit[j++] = '%';
	}
	for (const char *s = v; *s && j + 2 < sizeof lit; s++) {
		if (*s == '\'' || *s == '\\')
			lit[j++] = '\\';
		lit[j++] = *s;
	}
	lit[j] = 0;
	snprintf(buf, len, "[%s %s '%s']", path, op, lit);
}

/* The earliest start of a behavior of kind on h, else -1. */
static double kind_start(const struct rp_host *h, const char *kind)
{
	double t = -1;
	for (unsigned i = 0; i < h->nbehs; i++)
		if (!strcmp(h->behs[i].kind, kind) && (t < 0 || h->behs[i].start < t))
			t = h->behs[i].start;
	return t;
}

static double ioc_first(const struct rp_host *h, const struct rp_ioc *e)
{
	double t = e->behavior[0] ? kind_start(h, e->behavior) : -1;
	return t < 0 ? 0 : t;
}

static bool is_c2_kind(const char *kind)
{
	return !strcmp(kind, "cnc_beacon") || !strcmp(kind, "irc_cnc");
}

static void add_rel(json_object *objs, const struct rp_report *rep, const char *ts, const char *creator,
		    const char *type, const char *src, const char *dst)
{
	char id[96], key[256];
	snprintf(key, sizeof key, "%s|%s|%s", type, src, dst);
	sdo_id(id, sizeof id, rep, "relationship", key);
	json_object *o = sdo_new("relationship", id, ts, creator);
	json_object_object_add(o, "relationship_type", json_object_new_string(type));
	json_object_object_add(o, "source_ref", json_object_new_string(src));
	json_object_object_add(o, "target_ref", json_object_new_string(dst));
	json_object_array_add(objs, o);
}

/* An SCO for an address or domain value; its id in id, NULL for other types. */
static json_object *sco_of(const struct rp_ioc *e, char *id, size_t idlen)
{
	if (!strcmp(e->type, "domain"))
		return sco_value("domain-name", e->value, id, idlen);
	if (!strcmp(e->type, "address") || !strcmp(e->type, "network"))
		return sco_value(strchr(e->value, ':') ? "ipv6-addr" : "ipv4-addr", e->value, id, idlen);
	return NULL;
}

/* The host's malware and C&C infrastructure; malware id in mal ("" none). */
static void stix_malware(json_object *objs, const struct rp_report *rep, const struct rp_host *h,
			 const char *haddr, const char *ts, const char *creator, char *mal, size_t mallen)
{
	char name[200], key[128];
	mal[0] = 0;
	if (!h->malicious)
		return;
	const char *base = strrchr(rep->file, '/') ? strrchr(rep->file, '/') + 1 : rep->file;
	snprintf(key, sizeof key, "malware|%s", haddr);
	sdo_id(mal, mallen, rep, "malware", key);
	json_object *m = sdo_new("malware", mal, ts, creator);
	snprintf(name, sizeof name, "unidentified malware on %s (%s)", haddr, base);
	json_object_object_add(m, "name", json_object_new_string(name));
	json_object_object_add(m, "description", json_object_new_string(h->verdict));
	json_object_object_add(m, "is_family", json_object_new_boolean(0));
	json_object_array_add(objs, m);
	for (unsigned i = 0; i < h->nbehs; i++) {
		const struct rp_beh *b = &h->behs[i];
		const char *srv = NULL;
		for (unsigned k = 0; k < b->nkv; k++)
			if (!strcmp(b->kv[k].key, "server"))
				srv = b->kv[k].val;
		if (!is_c2_kind(b->kind) || !srv || !srv[0])
			continue;
		char inf[96], sco[96];
		snprintf(key, sizeof key, "infrastructure|%s", srv);
		sdo_id(inf, sizeof inf, rep, "infrastructure", key);
		json_object *o = sdo_new("infrastructure", inf, ts, creator);
		snprintf(name, sizeof name, "C&C server %s", srv);
		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "description", json_object_new_string(b->evidence));
		json_object *types = json_object_new_array();
		json_object_array_add(types, json_object_new_string("command-and-control"));
		json_object_object_add(o, "infrastructure_types", types);
		stix_time(at_ns(rep, b->start), name, sizeof name);
		json_object_object_add(o, "first_seen", json_object_new_string(name));
		stix_time(at_ns(rep, b->end), name, sizeof name);
		json_object_object_add(o, "last_seen", json_object_new_string(name));
		json_object_array_add(objs, o);
		json_object_array_add(objs, sco_value(strchr(srv, ':') ? "ipv6-addr" : "ipv4-addr", srv, sco, sizeof sco));
		add_rel(objs, rep, ts, creator, "uses", mal, inf);
		add_rel(objs, rep, ts, creator, "consists-of", inf, sco);
	}
}

/* observed-data of one host: its address and the addresses and domains it met. */
static void stix_observed(json_object *objs, const struct rp_report *rep, const struct rp_host *h,
			  const char *haddr, const char *ts, const char *creator)
{
	char id[96], t[40], key[128], addr[64];
	json_object *refs = json_object_new_array();
	decode_addr_str(h->family, h->addr, addr, sizeof addr);   /* haddr may carry a machine's label */
	json_object_array_add(objs, sco_value(h->family == 6 ? "ipv6-addr" : "ipv4-addr", addr, id, sizeof id));
	json_object_array_add(refs, json_object_new_string(id));
	for (unsigned i = 0; i < h->niocs; i++) {
		json_object *s = sco_of(&h->iocs[i], id, sizeof id);
		if (!s)
			continue;
		json_object_array_add(objs, s);
		json_object_array_add(refs, json_object_new_string(id));
	}
	snprintf(key, sizeof key, "observed-data|%s", haddr);
	sdo_id(id, sizeof id, rep, "observed-data", key);
	json_object *o = sdo_new("observed-data", id, ts, creator);
	json_object_object_add(o, "first_observed", json_object_new_string(ts));
	stix_time(at_ns(rep, rep->span), t, sizeof t);
	json_object_object_add(o, "last_observed", json_object_new_string(t));
	uint64_t n = h->flows_out + h->flows_in;
	json_object_object_add(o, "number_observed", json_object_new_int64(n ? (int64_t)n : 1));
	json_object_object_add(o, "object_refs", refs);
	json_object_array_add(objs, o);
}

static void stix_indicators(json_object *objs, const struct rp_report *rep, const struct rp_host *h,
			    const char *haddr, const char *ts, const char *creator, const char *mal)
{
	for (unsigned i = 0; i < h->niocs; i++) {
		const struct rp_ioc *e = &h->iocs[i];
		char pat[2 * IOC_LEN + 160], id[96], t[40], name[200], key[400];
		bool bad = e->behavior[0] && rp_kind_malicious(e->behavior);
		ioc_pattern(e, pat, sizeof pat);
		snprintf(key, sizeof key, "%s|%s", haddr, pat);
		sdo_id(id, sizeof id, rep, "indicator", key);
		json_object *o = sdo_new("indicator", id, ts, creator);
		snprintf(name, sizeof name, "%s %s", e->type, e->value);
		json_object_object_add(o, "name", json_object_new_string(name));
		snprintf(name, sizeof name, "seen %u time%s from %s%s%s", e->count, e->count == 1 ? "" : "s", haddr,
			 e->behavior[0] ? " in behavior " : "", e->behavior);
		json_object_object_add(o, "description", json_object_new_string(name));
		json_object *types = json_object_new_array();
		json_object_array_add(types, json_object_new_string(bad ? "malicious-activity" : "unknown"));
		json_object_object_add(o, "indicator_types", types);
		json_object_object_add(o, "pattern", json_object_new_string(pat));
		json_object_object_add(o, "pattern_type", json_object_new_string("stix"));
		json_object_object_add(o, "pattern_version", json_object_new_string("2.1"));
		stix_time(at_ns(rep, ioc_first(h, e)), t, sizeof t);
		json_object_object_add(o, "valid_from", json_object_new_string(t));
		json_object_array_add(objs, o);
		if (bad && mal[0])
			add_rel(objs, rep, ts, creator, "indicates", id, mal);
	}
}

/* Removes later duplicates of an id (an SCO shared by two hosts or objects). */
static void dedupe(json_object *objs)
{
	size_t n = json_object_array_length(objs);
	for (size_t i = n; i-- > 1;) {
		const char *id = json_object_get_string(json_object_object_get(json_object_array_get_idx(objs, i), "id"));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(id, json_object_get_string(json_object_object_get(json_object_array_get_idx(objs, j), "id")))) {
				json_object_array_del_idx(objs, i, 1);
				break;
			}
	}
}

int report_stix(FILE *out, const struct rp_report *rep, bool pretty)
{
	char ts[40], creator[96], bid[96];
	stix_time(rep->start_ns, ts, sizeof ts);
	json_object *b = json_object_new_object(), *objs = json_object_new_array();
	sdo_id(bid, sizeof bid, rep, "bundle", rep->file);
	json_object_object_add(b, "type", json_object_new_string("bundle"));
	json_object_object_add(b, "id", json_object_new_string(bid));
	stix_id(creator, sizeof creator, "identity", ns_botlens, "botlens");
	json_object *me = sdo_new("identity", creator, "2026-01-01T00:00:00.000Z", NULL);
	json_object_object_add(me, "name", json_object_new_string("botlens"));
	json_object_object_add(me, "identity_class", json_object_new_string("system"));
	json_object_array_add(objs, me);
	for (unsigned i = 0; i < rep->nhosts; i++) {
		const struct rp_host *h = &rep->hosts[i];
		char a[96], mal[96];
		rp_host_label(h, a, sizeof a);   /* one of two machines of an address: its own objects */
		stix_observed(objs, rep, h, a, ts, creator);
		stix_malware(objs, rep, h, a, ts, creator, mal, sizeof mal);
		stix_indicators(objs, rep, h, a, ts, creator, mal);
	}
	dedupe(objs);
	json_object_object_add(b, "objects", objs);
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE | (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
	fprintf(out, "%s\n", json_object_to_json_string_ext(b, flags));
	json_object_put(b);
	return ferror(out) ? -1 : 0;
}

/* One CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
static void csv_field(FILE *out, const char *s, const char *sep)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	} else {
		fputs(s, out);
	}
	fputs(sep, out);
}

int report_csv_ioc(FILE *out, const struct rp_report *rep, bool header)
{
	if (header)
		fputs("type,value,behavior,first_seen,host,file\n", out);
	for (unsigned i = 0; i < rep->nhosts; i++) {
		const struct rp_host *h = &rep->hosts[i];
		char a[64], t[40], v[IOC_LEN + 8];
		decode_addr_str(h->family, h->addr, a, sizeof a);
		for (unsigned k = 0; k < h->niocs; k++) {
			const struct rp_ioc *e = &h->iocs[k];
			ioc_clean(e, v, sizeof v);
			stix_time(at_ns(rep, ioc_first(h, e)), t, sizeof t);
			csv_field(out, e->type, ",");
			csv_field(out, v, ",");
			csv_field(out, e->behavior, ",");
			csv_field(out, t, ",");
			csv_field(out, a, ",");
			csv_field(out, rep->file, "\n");
		}
	}
	return ferror(out) ? -1 : 0;
}
