/*
 * test_export.c - the exports of issue 17 on a hand-made report:
 * STIX 2.1 (render/report_stix.c: pattern escaping, ids, relationships,
 * determinism), indicator CSV (RFC 4180 quoting), Zeek uids and times
 * (render/zeek.c), Zeek sets (table_set) and the per-transaction logs from
 * a hand-made sequence of collector findings (render/zeek_tx.c).  Output is parsed back with json-c, not compared by eye.
 */
#include "harness.h"
#include "render/report_out.h"
#include "render/zeek.h"
#include "analysis/report.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static char *mem;
static size_t memlen;

/* One malicious host with a C&C beacon and three indicators, one with a quote. */
static void make_report(struct rp_report *rep, struct rp_host *h)
{
	memset(rep, 0, sizeof *rep);
	memset(h, 0, sizeof *h);
	rep->file = "/tmp/run.pcap";
	rep->span = 60;
	rep->start_ns = 1700000000123456789LL;
	rep->hosts = h;
	rep->nhosts = 1;
	h->family = 4;
	memcpy(h->addr, (uint8_t[]){ 10, 0, 0, 5 }, 4);
	h->malicious = true;
	snprintf(h->verdict, sizeof h->verdict, "10.0.0.5 is malicious");
	struct rp_beh *b = &h->behs[h->nbehs++];
	snprintf(b->kind, sizeof b->kind, "cnc_beacon");
	b->start = 5;
	b->end = 50;
	b->flows = 9;
	b->malicious = true;
	snprintf(b->kv[0].key, sizeof b->kv[0].key, "server");
	snprintf(b->kv[0].val, sizeof b->kv[0].val, "203.0.113.7");
	b->nkv = 1;
	static struct rp_ioc iocs[3];
	iocs[0] = (struct rp_ioc){ .type = "address", .value = "203.0.113.7", .count = 9, .behavior = "cnc_beacon" };
	iocs[1] = (struct rp_ioc){ .type = "file", .value = "it's \\evil.exe", .count = 1, .behavior = "" };
	iocs[2] = (struct rp_ioc){ .type = "user_agent", .value = "a, \"b\"", .count = 2, .behavior = "" };
	h->iocs = iocs;
	h->niocs = 3;
}

static json_object *find(json_object *objs, const char *type, const char *key, const char *val)
{
	for (size_t i = 0; i < json_object_array_length(objs); i++) {
		json_object *o = json_object_array_get_idx(objs, i), *v;
		if (!strcmp(json_object_get_string(json_object_object_get(o, "type")), type) &&
		    (!key || (json_object_object_get_ex(o, key, &v) && !strcmp(json_object_get_string(v), val))))
			return o;
	}
	return NULL;
}

static void test_stix(void)
{
	struct rp_report rep;
	struct rp_host h;
	make_report(&rep, &h);
	TEST("stix-bundle");
	free(mem);
	FILE *f = open_memstream(&mem, &memlen);
	CHECK(report_stix(f, &rep, false) == 0);
	fclose(f);
	char *first = strdup(mem);
	CHECK(strchr(mem, '\n') == mem + memlen - 1);   /* one line */
	json_object *b = json_tokener_parse(mem), *objs = json_object_object_get(b, "objects");
	CHECK(b && objs);
	CHECK_STR(json_object_get_string(json_object_object_get(b, "type")), "bundle");
	TEST("stix-pattern-escaping");
	CHECK(find(objs, "indicator", "pattern", "[file:name = 'it\\'s \\\\evil.exe']") != NULL);
	CHECK(find(objs, "indicator", "pattern", "[ipv4-addr:value = '203.0.113.7']") != NULL);
	TEST("stix-objects");
	json_object *mal = find(objs, "malware", NULL, NULL), *inf = find(objs, "infrastructure", NULL, NULL);
	CHECK(mal && inf);
	json_object *ind = find(objs, "indicator", "pattern", "[ipv4-addr:value = '203.0.113.7']");
	CHECK_STR(json_object_get_string(json_object_array_get_idx(json_object_object_get(ind, "indicator_types"), 0)),
		  "malicious-activity");
	CHECK_STR(json_object_get_string(json_object_object_get(ind, "valid_from")), "2023-11-14T22:13:25.123Z");
	CHECK_STR(json_object_get_string(json_object_object_get(ind, "created")), "2023-11-14T22:13:20.123Z");
	const char *mid = json_object_get_string(json_object_object_get(mal, "id"));
	json_object *rel = find(objs, "relationship", "relationship_type", "indicates");
	CHECK(rel && !strcmp(json_object_get_string(json_object_object_get(rel, "target_ref")), mid));
	rel = find(objs, "relationship", "relationship_type", "uses");
	CHECK(rel && !strcmp(json_object_get_string(json_object_object_get(rel, "source_ref")), mid));
	/* the spec's example: ipv4-addr "198.51.100.3"'s id is fixed by UUIDv5; ours for 10.0.0.5 likewise */
	json_object *sco = find(objs, "ipv4-addr", "value", "10.0.0.5");
	CHECK(sco && strlen(json_object_get_string(json_object_object_get(sco, "id"))) == strlen("ipv4-addr--") + 36);
	CHECK(json_object_get_string(json_object_object_get(sco, "id"))[11 + 14] == '5');   /* version 5 */
	json_object_put(b);
	TEST("stix-deterministic");
	free(mem);
	f = open_memstream(&mem, &memlen);
	report_stix(f, &rep, false);
	fclose(f);
	CHECK_STR(mem, first);
	free(first);
}

static void test_csv(void)
{
	struct rp_report rep;
	struct rp_host h;
	make_report(&rep, &h);
	TEST("csv-ioc");
	free(mem);
	FILE *f = open_memstream(&mem, &memlen);
	CHECK(report_csv_ioc(f, &rep, true) == 0);
	fclose(f);
	CHECK(!strncmp(mem, "type,value,behavior,first_seen,host,file\n", 41));
	CHECK(strstr(mem, "address,203.0.113.7,cnc_beacon,2023-11-14T22:13:25.123Z,10.0.0.5,/tmp/run.pcap\n") != NULL);
	CHECK(strstr(mem, "user_agent,\"a, \"\"b\"\"\",,2023-11-14T22:13:20.123Z,") != NULL);
}

static void test_zeek(void)
{
	char a[24], b[24], c[24], ts[40];
	TEST("zeek-uid");
	zeek_uid(1, "x.pcap", 1, a, sizeof a);
	zeek_uid(1, "x.pcap", 2, b, sizeof b);
	zeek_uid(1, "y.pcap", 1, c, sizeof c);
	CHECK_EQ_U(strlen(a), 18);
	CHECK(a[0] == 'C' && strspn(a + 1, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == 17);
	CHECK(strcmp(a, b) && strcmp(a, c) && strcmp(b, c));
	zeek_uid(1, "x.pcap", 1, b, sizeof b);
	CHECK_STR(a, b);
	TEST("zeek-ts");
	zeek_ts(1700000000123456789LL, ts, sizeof ts);
	CHECK_STR(ts, "1700000000.123457");
	zeek_ts(0, ts, sizeof ts);
	CHECK_STR(ts, "0.000000");
	TEST("zeek-service");
	CHECK_STR(zeek_service("tls"), "ssl");
	CHECK_STR(zeek_service("dns"), "dns");
	CHECK(zeek_service(NULL) == NULL);
}

/* A Zeek set: ',' joined, a ',' inside an element as \x2c, none = unset; JSON an array. */
static void test_zeek_set(void)
{
	static const char *const cols[] = { "s" }, *const types[] = { "set[string]" };
	const char *v[] = { "a,b", "c", "-" };
	struct table t;
	TEST("zeek-set");
	free(mem);
	FILE *f = open_memstream(&mem, &memlen);
	table_init(&t, f, TABLE_ZEEK, cols, 1, true);
	table_zeek(&t, "x", types, 0);
	table_set(&t, v, 3);
	table_end_row(&t);
	table_set(&t, v, 0);
	table_end_row(&t);
	fclose(f);
	CHECK(strstr(mem, "\na\\x2cb,c,\\x2d\n-\n") != NULL);
	free(mem);
	f = open_memstream(&mem, &memlen);
	table_init(&t, f, TABLE_ZEEK_JSON, cols, 1, true);
	table_set(&t, v, 2);
	table_end_row(&t);
	fclose(f);
	CHECK_STR(mem, "{\"s\":[\"a,b\",\"c\"]}\n");
}

/* The rows of one flow's findings, in the order the collector hands them. */
static void test_zeek_tx(void)
{
	static struct run r;
	static struct flow fl;
	struct table tabs[ZT_NLOGS];
	char *buf[ZT_NLOGS];
	size_t len[ZT_NLOGS];
	FILE *fs[ZT_NLOGS];
	TEST("zeek-tx");
	r.path = "/tmp/run.pcap";
	r.start_ns = 1700000000000000000LL;
	fl = (struct flow){ .family = 4, .proto = 6, .orig_p = 1025, .resp_p = 80, .id = 7, .user = 1 };
	memcpy(fl.orig, (uint8_t[]){ 10, 0, 0, 5 }, 4);
	memcpy(fl.resp, (uint8_t[]){ 203, 0, 113, 7 }, 4);
	for (int i = 0; i < ZT_NLOGS; i++) {
		fs[i] = open_memstream(&buf[i], &len[i]);
		table_init(&tabs[i], fs[i], TABLE_ZEEK, zeek_tx_logs[i].cols, zeek_tx_logs[i].ncols, true);
	}
	struct zeek_tx *z = zeek_tx_new(tabs);
	CHECK(z != NULL);
	static const struct { unsigned cat; const char *s; int dir; } ev[] = {
		{ EV_HTTP_URI, "/a.exe", 0 }, { EV_HTTP_HOST, "evil.example", 0 }, { EV_HTTP_UA, "UA/1", 0 },
		{ EV_HTTP_DOWNLOAD, "pe 4096 B application/x-msdownload a.exe", 1 },
		{ EV_HTTP_CTYPE, "application/x-msdownload", 1 }, { EV_HTTP_FILENAME, "a.exe", 1 },
		{ EV_HTTP_URI, "/b", 0 }, { EV_HTTP_UPLOAD, "POST /b (70000 B)", 0 },
		{ EV_DNS_DOMAIN, "ignored.example", 0 },
	};
	for (size_t i = 0; i < sizeof ev / sizeof *ev; i++)
		zeek_tx_event(z, &(struct rp_ev_event){ ev[i].cat, ev[i].s, &fl, ev[i].dir,
						       r.start_ns + (int64_t)i * 1000000 });
	zeek_tx_flow_end(z, &r, &fl);
	zeek_tx_flow_end(z, &r, &fl);   /* once only: the findings are gone */
	zeek_tx_free(z);
	for (int i = 0; i < ZT_NLOGS; i++) {
		table_close(&tabs[i], r.start_ns);
		fclose(fs[i]);
	}
	char uid[24], fuid[24], want[512];
	zeek_uid(r.start_ns, r.path, 7, uid, sizeof uid);
	zeek_fuid(r.start_ns, r.path, 7, 0, fuid, sizeof fuid);
	CHECK(fuid[0] == 'F' && strlen(fuid) == 18 && strcmp(fuid + 1, uid + 1));
	snprintf(want, sizeof want, "\n1700000000.000000\t%s\t10.0.0.5\t1025\t203.0.113.7\t80\t1\t-\tevil.example\t/a.exe\t-\t-\tUA/1\t-\t-"
		 "\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t%s\ta.exe\tapplication/x-msdownload\n", uid, fuid);
	CHECK(strstr(buf[ZT_HTTP], want) != NULL);
	snprintf(want, sizeof want, "\t%s\t10.0.0.5\t1025\t203.0.113.7\t80\t2\tPOST\t-\t/b\t-\t-\t-\t-\t70000\t", uid);
	CHECK(strstr(buf[ZT_HTTP], want) != NULL);
	snprintf(want, sizeof want, "\t%s\t%s\t10.0.0.5\t1025\t203.0.113.7\t80\tHTTP\t1\t-\tapplication/x-msdownload\ta.exe\t-\t-\tF\t-\t4096\t",
		 fuid, uid);
	CHECK(strstr(buf[ZT_FILES], want) != NULL);
	int rows = 0;
	for (char *p = buf[ZT_HTTP]; (p = strchr(p, '\n')); p++)
		rows += p[1] && p[1] != '#';
	CHECK_EQ_U(rows, 2);
	CHECK(strstr(buf[ZT_DNS], "\n#fields\tts\tuid") && !strstr(buf[ZT_DNS], "ignored"));
	for (int i = 0; i < ZT_NLOGS; i++)
		free(buf[i]);
}

int main(void)
{
	test_stix();
	test_csv();
	test_zeek();
	test_zeek_set();
	test_zeek_tx();
	free(mem);
	return harness_report("export");
}
