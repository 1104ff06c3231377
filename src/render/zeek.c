/*
 * zeek.c - conn.log rows in Zeek's ASCII log format (Zeek's
 * base/protocols/conn/main.zeek for the fields, logging/writers/ascii for
 * the format; the header and escaping are table.c's TABLE_ZEEK).
 *
 * Fields Zeek fills from its analyzers are filled as far as botlens
 * knows them: service from the caller (the report's protocol
 * recognition) or unset; missed_bytes 0 (botlens does not reassemble
 * TCP, so it cannot count gaps: Zeek's 0 means "no gap seen", said in
 * doc/export.md); tunnel_parents unset (the decoder strips tunnels
 * without keeping the outer flow).
 */
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/flow.h"
#include "analysis/report.h"
#include "render/zeek.h"

const char *const zeek_conn_cols[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
	"duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp",
	"missed_bytes", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
	"tunnel_parents",
};
const char *const zeek_conn_types[] = {
	"time", "string", "addr", "port", "addr", "port", "enum", "string",
	"interval", "count", "count", "string", "bool", "bool",
	"count", "string", "count", "count", "count", "count",
	"set[string]",
};
const unsigned zeek_conn_ncols = sizeof zeek_conn_cols / sizeof *zeek_conn_cols;
_Static_assert(sizeof zeek_conn_cols == sizeof zeek_conn_types, "a type per conn.log column");

/* prefix + 17 base62 digits of SHA-1 over the text in[0..n). */
static void uid_of(char prefix, const char *in, int n, char *buf, size_t len)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (n < 0)
		n = (int)strlen(in);
	if (!EVP_Digest(in, (size_t)n, md, &mdlen, EVP_sha1(), NULL))
		memset(md, 0, 16);
	/* 128 bits as four 32-bit words; the 17 low base62 digits (about 101 bits) by long division */
	uint32_t w[4];
	for (int i = 0; i < 4; i++)
		w[i] = (uint32_t)md[4 * i] << 24 | (uint32_t)md[4 * i + 1] << 16 | (uint32_t)md[4 * i + 2] << 8 | md[4 * i + 3];
	char d[18];
	for (int k = 16; k >= 0; k--) {
		uint64_t rem = 0;
		for (int i = 0; i < 4; i++) {
			uint64_t cur = rem << 32 | w[i];
			w[i] = (uint32_t)(cur / 62);
			rem = cur % 62;
		}
		d[k] = b62[rem];
	}
	d[17] = 0;
	snprintf(buf, len, "%c%s", prefix, d);
}

void zeek_uid(int64_t start_ns, const char *path, uint64_t id, char *buf, size_t len)
{
	char in[4200];
	int n = snprintf(in, sizeof in, "%" PRId64 "|%" PRIu64 "|%s", start_ns, id, path ? path : "");
	uid_of('C', in, n < 0 || (size_t)n >= sizeof in ? (int)strlen(in) : n, buf, len);
}

void zeek_fuid(int64_t start_ns, const char *path, uint64_t id, unsigned k, char *buf, size_t len)
{
	char in[4200];
	int n = snprintf(in, sizeof in, "%" PRId64 "|%" PRIu64 "|%u|%s", start_ns, id, k, path ? path : "");
	uid_of('F', in, n < 0 || (size_t)n >= sizeof in ? (int)strlen(in) : n, buf, len);
}

void zeek_ts(int64_t ns, char *buf, size_t len)
{
	int64_t us = ns >= 0 ? (ns + 500) / 1000 : -((-ns + 500) / 1000);
	int64_t s = us / 1000000, f = us % 1000000;
	if (f < 0) {
		f += 1000000;
		s--;
	}
	snprintf(buf, len, "%" PRId64 ".%06" PRId64, s, f);
}

void zeek_conn_row(struct table *t, const struct run *r, const struct flow *f, const char *service)
{
	char ts[48], a[64], b[64], uid[24], pb[8];
	zeek_ts(f->first_ns, ts, sizeof ts);
	table_num_str(t, ts);
	zeek_uid(r->start_ns, r->path, f->id, uid, sizeof uid);
	table_str(t, uid);
	decode_addr_str(f->family, f->orig, a, sizeof a);
	decode_addr_str(f->family, f->resp, b, sizeof b);
	table_str(t, a);
	table_u64(t, f->orig_p);
	table_str(t, b);
	table_u64(t, f->resp_p);
	const char *proto = flow_proto_str(f, pb, sizeof pb);
	/* enum transport_proto: tcp, udp, icmp or unknown_transport */
	table_str(t, !strcmp(proto, "tcp") || !strcmp(proto, "udp") || !strcmp(proto, "icmp") ? proto : "unknown_transport");
	table_str(t, service);
	table_ns(t, f->last_ns - f->first_ns);
	table_u64(t, f->payload[0]);
	table_u64(t, f->payload[1]);
	table_str(t, flow_conn_state(f));
	table_bool(t, decode_addr_internal(f->family, f->orig));
	table_bool(t, decode_addr_internal(f->family, f->resp));
	table_u64(t, 0);
	table_str(t, f->hlen ? f->history : NULL);
	table_u64(t, f->pkts[0]);
	table_u64(t, f->ip_bytes[0]);
	table_u64(t, f->pkts[1]);
	table_u64(t, f->ip_bytes[1]);
	table_null(t);
	table_end_row(t);
}

/* Zeek names the services it recognises by its analyzers' names. */
static const struct {
	const char *app, *zeek;
} zeek_services[] = {
	{ "tls", "ssl" }, { "dcerpc", "dce_rpc" }, { "bittorrent_dht", "bittorrent" },
};

const char *zeek_service(const char *app)
{
	if (!app)
		return NULL;
	for (size_t i = 0; i < sizeof zeek_services / sizeof *zeek_services; i++)
		if (!strcmp(app, zeek_services[i].app))
			return zeek_services[i].zeek;
	return app;
}

const char *const zeek_notice_cols[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "note", "msg",
	"sub", "src", "dst", "p", "n", "actions",
};
const char *const zeek_notice_types[] = {
	"time", "string", "addr", "port", "addr", "port", "enum", "enum", "string",
	"string", "addr", "addr", "port", "count", "set[enum]",
};
const unsigned zeek_notice_ncols = sizeof zeek_notice_cols / sizeof *zeek_notice_cols;
_Static_assert(sizeof zeek_notice_cols == sizeof zeek_notice_types, "a type per notice.log column");

static const char *beh_kv(const struct rp_beh *b, const char *key)
{
	for (unsigned i = 0; i < b->nkv; i++)
		if (!strcmp(b->kv[i].key, key))
			return b->kv[i].val;
	return NULL;
}

void zeek_notice_rows(struct table *t, const struct rp_report *rep)
{
	for (unsigned i = 0; i < rep->nhosts; i++) {
		const struct rp_host *h = &rep->hosts[i];
		char a[64], ts[48], note[48], sub[200];
		decode_addr_str(h->family, h->addr, a, sizeof a);
		for (unsigned k = 0; k < h->nbehs; k++) {
			const struct rp_beh *b = &h->behs[k];
			const char *srv = beh_kv(b, "server"), *port = beh_kv(b, "port");
			uint8_t fam, ad[16];
			bool addr = srv && decode_addr_parse(srv, &fam, ad);   /* not "a.b.c.0/24" */
			zeek_ts(rep->start_ns + (int64_t)(b->start * 1e9), ts, sizeof ts);
			snprintf(note, sizeof note, "Botlens::%s", b->kind);
			snprintf(sub, sizeof sub, "%s, %.3f s long%s%s", b->malicious ? "malicious" : "benign",
				 b->end - b->start, srv && !addr ? ", servers " : "", srv && !addr ? srv : "");
			table_num_str(t, ts);
			table_null(t);
			table_str(t, a);
			table_null(t);
			table_str(t, addr ? srv : NULL);
			table_str(t, addr && port ? port : NULL);
			table_null(t);
			table_str(t, note);
			table_str(t, b->evidence);
			table_str(t, sub);
			table_str(t, a);
			table_str(t, addr ? srv : NULL);
			table_str(t, addr && port ? port : NULL);
			table_u64(t, b->flows);
			static const char *const actions[] = { "Notice::ACTION_LOG" };
			table_set(t, actions, 1);   /* a set[enum]: an array in the JSON form */
			table_end_row(t);
		}
	}
}
