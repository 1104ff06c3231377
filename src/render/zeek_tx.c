/*
 * zeek_tx.c - Zeek's per-transaction logs (dns.log, http.log, ssl.log,
 * smtp.log, files.log) from what the report's collector finds, for
 * `report --zeek-logs DIR` (doc/export.md).
 *
 * The collector hands every finding of its parsers with its flow and time
 * (rp_col_on_ev, analysis/report.h); this file keeps them per live flow, in
 * the order found, and when the flow ends turns them into rows:
 *
 *   dns    a query name starts a row; the addresses of the answers that
 *          follow are its `answers`
 *   http   a request URI starts a row (trans_depth counts them); Host,
 *          User-Agent and an upload's method and size fill it; a response
 *          judged a download is a file (files.log) in its resp_fuids
 *   smtp   MAIL FROM starts a row; RCPT TO, the message's Subject and its
 *          attachments (files) fill it; HELO is the flow's; a session with
 *          HELO but no MAIL FROM is one row with helo only (as Zeek)
 *   ssl    one row per flow with a TLS finding: server_name (SNI),
 *          subject, issuer, ja3, ja3s; the server's certificate is a file
 *          (source SSL, its SHA-1)
 *
 * Field lists, order and types are Zeek 6's (base/protocols/{dns,http,ssl,
 * smtp}/main.zeek, base/frameworks/files/main.zeek); ssl.log adds subject
 * and issuer (Zeek's SSL::log_include_server_certificate_subject_issuer)
 * and ja3, ja3s (the ja3 package).  What botlens does not know is unset
 * ("-"): rcode, TTLs, status codes, cipher, hashes other than a
 * certificate's SHA-1...  Strings are as the parsers keep them: at most 79
 * bytes, non-printable bytes as '.'.
 *
 * Bounds: ZT_EVENTS findings per flow (later ones are not logged),
 * ZT_LIST answers/recipients per row, ZT_MAXFILES files per flow.  Memory is
 * that of the live flows with findings only: a flow's findings are freed
 * when it ends.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "render/zeek.h"
#include "util/hash.h"

#define ZT_EVENTS 256
#define ZT_LIST 16
#define ZT_MAXFILES 32
#define ZT_LEN 80          /* rp_ev_add keeps 79 bytes */

static const char *const dns_cols[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "rtt", "query",
	"qclass", "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name", "AA", "TC", "RD", "RA", "Z",
	"answers", "TTLs", "rejected",
};
static const char *const dns_types[] = {
	"time", "string", "addr", "port", "addr", "port", "enum", "count", "interval", "string",
	"count", "string", "count", "string", "count", "string", "bool", "bool", "bool", "bool", "count",
	"vector[string]", "vector[interval]", "bool",
};
static const char *const http_cols[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "trans_depth", "method", "host", "uri",
	"referrer", "version", "user_agent", "origin", "request_body_len", "response_body_len", "status_code",
	"status_msg", "info_code", "info_msg", "tags", "username", "password", "proxied", "orig_fuids",
	"orig_filenames", "orig_mime_types", "resp_fuids", "resp_filenames", "resp_mime_types",
};
static const char *const http_types[] = {
	"time", "string", "addr", "port", "addr", "port", "count", "string", "string", "string",
	"string", "string", "string", "string", "count", "count", "count",
	"string", "count", "string", "set[enum]", "string", "string", "set[string]", "vector[string]",
	"vector[string]", "vector[string]", "vector[string]", "vector[string]", "vector[string]",
};
static const char *const ssl_cols[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version", "cipher", "curve",
	"server_name", "resumed", "last_alert", "next_protocol", "established", "ssl_history",
	"cert_chain_fps", "client_cert_chain_fps", "subject", "issuer", "sni_matches_cert", "ja3", "ja3s",
};
static const char *const ssl_types[] = {
	"time", "string", "addr", "port", "addr", "port", "string", "string", "string",
	"string", "bool", "string", "string", "bool", "string",
	"vector[string]", "vector[string]", "string", "string", "bool", "string", "string",
};
static const char *const smtp_cols[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "trans_depth", "helo", "mailfrom",
	"rcptto", "date", "from", "to", "cc", "reply_to", "msg_id", "in_reply_to", "subject",
	"x_originating_ip", "first_received", "second_received", "last_reply", "path", "user_agent", "tls",
	"fuids", "is_webmail",
};
static const char *const smtp_types[] = {
	"time", "string", "addr", "port", "addr", "port", "count", "string", "string",
	"set[string]", "string", "string", "set[string]", "set[string]", "string", "string", "string", "string",
	"addr", "string", "string", "string", "vector[addr]", "string", "bool",
	"vector[string]", "bool",
};
static const char *const files_cols[] = {
	"ts", "fuid", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "source", "depth", "analyzers",
	"mime_type", "filename", "duration", "local_orig", "is_orig", "seen_bytes", "total_bytes",
	"missing_bytes", "overflow_bytes", "timedout", "parent_fuid", "md5", "sha1", "sha256", "extracted",
	"extracted_cutoff", "extracted_size",
};
static const char *const files_types[] = {
	"time", "string", "string", "addr", "port", "addr", "port", "string", "count", "set[string]",
	"string", "string", "interval", "bool", "bool", "count", "count",
	"count", "count", "bool", "string", "string", "string", "string", "string",
	"bool", "count",
};
#define LOG(name, p) { p, name##_cols, name##_types, sizeof name##_cols / sizeof *name##_cols }
const struct zeek_log_def zeek_tx_logs[ZT_NLOGS] = {
	[ZT_DNS] = LOG(dns, "dns"), [ZT_HTTP] = LOG(http, "http"), [ZT_SSL] = LOG(ssl, "ssl"),
	[ZT_SMTP] = LOG(smtp, "smtp"), [ZT_FILES] = LOG(files, "files"),
};
_Static_assert(sizeof dns_cols == sizeof dns_types && sizeof http_cols == sizeof http_types &&
	       sizeof ssl_cols == sizeof ssl_types && sizeof smtp_cols == sizeof smtp_types &&
	       sizeof files_cols == sizeof files_types, "a type per column");

struct zt_ev {
	int64_t ts_ns;
	uint8_t cat;
	int8_t dir;
	char s[ZT_LEN];
};

struct zt_flow {
	size_t n, cap;
	struct zt_ev *ev;
};

struct zeek_tx {
	struct table *t;            /* ZT_NLOGS tables */
	struct zt_flow **by;        /* by the collector's flow index (flow.user - 1) */
	size_t cap;
	uint64_t dropped;           /* findings past ZT_EVENTS */
	bool oom;
};

struct zeek_tx *zeek_tx_new(struct table *tabs)
{
	struct zeek_tx *z = calloc(1, sizeof *z);
	if (z)
		z->t = tabs;
	return z;
}

void zeek_tx_free(struct zeek_tx *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->cap; i++)
		if (z->by[i]) {
			free(z->by[i]->ev);
			free(z->by[i]);
		}
	free(z->by);
	free(z);
}

bool zeek_tx_oom(const struct zeek_tx *z)
{
	return z->oom;
}

/* The categories a log is made of; the others are not kept. */
static bool wanted(unsigned cat)
{
	switch (cat) {
	case EV_DNS_QNAME: case RP_EV_ANSWER:
	case EV_HTTP_URI: case EV_HTTP_HOST: case EV_HTTP_UA: case EV_HTTP_UPLOAD: case EV_HTTP_DOWNLOAD:
	case EV_HTTP_CTYPE: case EV_HTTP_FILENAME:
	case EV_SMTP_HELO: case EV_SMTP_FROM: case EV_SMTP_RCPT: case EV_SMTP_SUBJECT: case EV_ATTACH:
	case EV_TLS_SNI: case EV_TLS_SUBJECT: case EV_TLS_ISSUER: case EV_TLS_FP: case EV_JA3: case EV_JA3S:
		return true;
	}
	return false;
}

void zeek_tx_event(void *ctx, const struct rp_ev_event *e)
{
	struct zeek_tx *z = ctx;
	if (!wanted(e->cat) || !e->f->user)
		return;
	size_t i = e->f->user - 1;
	if (i >= z->cap) {
		size_t old = z->cap;
		if (!grow_to((void **)&z->by, &z->cap, i + 1, sizeof *z->by, 1024)) {
			z->oom = true;
			return;
		}
		memset(z->by + old, 0, (z->cap - old) * sizeof *z->by);
	}
	struct zt_flow *fl = z->by[i];
	if (!fl && !(fl = z->by[i] = calloc(1, sizeof *fl))) {
		z->oom = true;
		return;
	}
	if (fl->n >= ZT_EVENTS) {
		z->dropped++;
		return;
	}
	if (!grow_to((void **)&fl->ev, &fl->cap, fl->n + 1, sizeof *fl->ev, 4)) {
		z->oom = true;
		return;
	}
	struct zt_ev *v = &fl->ev[fl->n++];
	v->ts_ns = e->ts_ns;
	v->cat = (uint8_t)e->cat;
	v->dir = (int8_t)e->dir;
	snprintf(v->s, sizeof v->s, "%s", e->s);
}

/* ---- rows ---- */

struct zt_file {
	int64_t ts_ns;
	const char *source, *mime, *name, *sha1;
	long long total;            /* -1 unknown */
	unsigned depth;             /* 0 unset */
	bool is_orig;
	char fuid[24];
};

/* A dns, http or smtp row under construction. */
struct zt_row {
	int64_t ts_ns;
	unsigned depth;
	const char *a, *b, *c, *d;  /* dns: query; http: host, uri, user_agent; smtp: helo, mailfrom, subject */
	char method[12];            /* http: from an upload's note */
	long long len;              /* http: request_body_len, -1 unset */
	const char *list[ZT_LIST];  /* dns: answers; smtp: rcptto */
	unsigned nlist;
	unsigned file0, nfile;      /* its files: files[file0 .. file0 + nfile) */
};

/* What one flow gave, gathered from its findings. */
struct zt_built {
	struct zt_row rows[ZT_EVENTS];
	unsigned nrows;
	uint8_t log;                /* ZT_DNS, ZT_HTTP or ZT_SMTP: a flow speaks one of them (its
	                               parser claims it), so any of its findings names the log */
	struct zt_file files[ZT_MAXFILES];
	unsigned nfiles;
	bool ssl;
	int64_t ssl_ns;
	const char *sni, *subject, *issuer, *ja3, *ja3s;
};

static void ids(struct table *t, const struct flow *f)
{
	char a[64], b[64];
	decode_addr_str(f->family, f->orig, a, sizeof a);
	decode_addr_str(f->family, f->resp, b, sizeof b);
	table_str(t, a);
	table_u64(t, f->orig_p);
	table_str(t, b);
	table_u64(t, f->resp_p);
}

static void ts_uid(struct table *t, int64_t ns, const char *uid)
{
	char ts[48];
	zeek_ts(ns, ts, sizeof ts);
	table_num_str(t, ts);
	table_str(t, uid);
}

static void nulls(struct table *t, unsigned n)
{
	while (n--)
		table_null(t);
}

static void count_or_null(struct table *t, long long v)
{
	if (v < 0)
		table_null(t);
	else
		table_u64(t, (uint64_t)v);
}

/* The latest row, made when none is open (a finding before its row's opener). */
static struct zt_row *row_cur(struct zt_built *b, int64_t ns)
{
	if (!b->nrows) {
		b->rows[0] = (struct zt_row){ .ts_ns = ns, .depth = 1, .len = -1, .file0 = b->nfiles };
		b->nrows = 1;
	}
	return &b->rows[b->nrows - 1];
}

static struct zt_row *row_new(struct zt_built *b, int64_t ns)
{
	struct zt_row *r = &b->rows[b->nrows];
	*r = (struct zt_row){ .ts_ns = ns, .depth = b->nrows + 1, .len = -1, .file0 = b->nfiles };
	b->nrows++;
	return r;
}

static struct zt_file *file_new(struct zt_built *b, struct zt_row *r, const struct zt_ev *v, const char *source)
{
	if (b->nfiles >= ZT_MAXFILES)
		return NULL;
	struct zt_file *fi = &b->files[b->nfiles++];
	*fi = (struct zt_file){ .ts_ns = v->ts_ns, .source = source, .total = -1, .is_orig = v->dir == 0 };
	if (r) {
		r->nfile++;
		fi->depth = r->depth;
	}
	return fi;
}

/* HTTP and SMTP findings; false when v is neither. */
static bool build_app(struct zt_built *b, const struct zt_ev *v)
{
	struct zt_row *r;
	struct zt_file *fi;
	unsigned long long n;
	switch (v->cat) {
	case EV_HTTP_URI:
		b->log = ZT_HTTP;
		row_new(b, v->ts_ns)->b = v->s;
		return true;
	case EV_HTTP_HOST: b->log = ZT_HTTP; row_cur(b, v->ts_ns)->a = v->s; return true;
	case EV_HTTP_UA: b->log = ZT_HTTP; row_cur(b, v->ts_ns)->c = v->s; return true;
	case EV_HTTP_UPLOAD:   /* "METHOD URI (N B...)" */
		b->log = ZT_HTTP;
		r = row_cur(b, v->ts_ns);
		sscanf(v->s, "%11s", r->method);
		const char *p = strrchr(v->s, '(');
		if (p && sscanf(p, "(%llu B", &n) == 1)
			r->len = (long long)n;
		return true;
	case EV_HTTP_DOWNLOAD:   /* "TYPE N B CTYPE NAME" */
		b->log = ZT_HTTP;
		r = row_cur(b, v->ts_ns);
		if ((fi = file_new(b, r, v, "HTTP"))) {
			fi->is_orig = false;
			if (sscanf(v->s, "%*s %llu B", &n) == 1)
				fi->total = (long long)n;
		}
		return true;
	case EV_HTTP_CTYPE:
		if (b->nfiles && b->nrows && b->rows[b->nrows - 1].nfile)
			b->files[b->nfiles - 1].mime = v->s;
		return true;
	case EV_HTTP_FILENAME:
		if (b->nfiles && b->nrows && b->rows[b->nrows - 1].nfile)
			b->files[b->nfiles - 1].name = v->s;
		return true;
	case EV_SMTP_HELO:
		b->log = ZT_SMTP;
		if (b->nrows && !b->rows[b->nrows - 1].b)   /* a HELO row without MAIL FROM: take the new name */
			b->rows[b->nrows - 1].a = v->s;
		else
			row_new(b, v->ts_ns)->a = v->s;
		return true;
	case EV_SMTP_FROM:
		b->log = ZT_SMTP;
		r = b->nrows && !b->rows[b->nrows - 1].b ? &b->rows[b->nrows - 1] : row_new(b, v->ts_ns);
		if (!r->a && b->nrows > 1)
			r->a = b->rows[b->nrows - 2].a;   /* the session's HELO */
		r->b = v->s;
		return true;
	case EV_SMTP_RCPT:
		b->log = ZT_SMTP;
		r = row_cur(b, v->ts_ns);
		if (r->nlist < ZT_LIST)
			r->list[r->nlist++] = v->s;
		return true;
	case EV_SMTP_SUBJECT: b->log = ZT_SMTP; row_cur(b, v->ts_ns)->d = v->s; return true;
	case EV_ATTACH:
		b->log = ZT_SMTP;
		r = row_cur(b, v->ts_ns);
		for (unsigned k = r->file0; k < r->file0 + r->nfile; k++)
			if (b->files[k].name && !strcmp(b->files[k].name, v->s))
				return true;   /* Content-Type name= and Content-Disposition filename= of one part */
		if ((fi = file_new(b, r, v, "SMTP"))) {
			fi->name = v->s;
			fi->is_orig = true;
		}
		return true;
	}
	return false;
}

/* Gathers a flow's findings into rows and files. */
static void build(struct zt_built *b, const struct zt_flow *fl)
{
	b->nrows = b->nfiles = 0;
	b->ssl = false;
	b->sni = b->subject = b->issuer = b->ja3 = b->ja3s = NULL;
	b->log = ZT_DNS;
	for (size_t i = 0; i < fl->n; i++) {
		const struct zt_ev *v = &fl->ev[i];
		struct zt_row *r;
		if (v->cat == EV_DNS_QNAME) {
			row_new(b, v->ts_ns)->a = v->s;
		} else if (v->cat == RP_EV_ANSWER) {
			r = row_cur(b, v->ts_ns);
			if (r->nlist < ZT_LIST)
				r->list[r->nlist++] = v->s;
		} else if (!build_app(b, v)) {   /* TLS */
			if (!b->ssl)
				b->ssl_ns = v->ts_ns;
			b->ssl = true;
			const char **slot = v->cat == EV_TLS_SNI ? &b->sni : v->cat == EV_TLS_SUBJECT ? &b->subject
					  : v->cat == EV_TLS_ISSUER ? &b->issuer : v->cat == EV_JA3 ? &b->ja3
					  : v->cat == EV_JA3S ? &b->ja3s : NULL;
			if (slot && !*slot)
				*slot = v->s;
			struct zt_file *fi;
			if (v->cat == EV_TLS_FP && (fi = file_new(b, NULL, v, "SSL"))) {
				fi->mime = "application/x-x509-user-cert";
				fi->sha1 = v->s;
			}
		}
	}
}

static void write_dns(struct table *t, const struct flow *f, const char *uid, const struct zt_row *r)
{
	char pb[8];
	const char *proto = flow_proto_str(f, pb, sizeof pb);
	ts_uid(t, r->ts_ns, uid);
	ids(t, f);
	table_str(t, !strcmp(proto, "tcp") || !strcmp(proto, "udp") ? proto : "unknown_transport");
	nulls(t, 2);                /* trans_id, rtt */
	table_str(t, r->a);         /* query */
	nulls(t, 11);               /* qclass .. Z */
	table_set(t, r->list, r->nlist);
	nulls(t, 2);                /* TTLs, rejected */
	table_end_row(t);
}

static void write_fuids(struct table *t, const struct zt_built *b, const struct zt_row *r, int what)
{
	const char *v[ZT_MAXFILES];
	unsigned n = 0;
	bool any = false;
	for (unsigned k = r->file0; k < r->file0 + r->nfile; k++) {
		const struct zt_file *fi = &b->files[k];
		const char *s = what == 0 ? fi->fuid : what == 1 ? fi->name : fi->mime;
		any |= s != NULL;
		v[n++] = s ? s : "-";
	}
	table_set(t, v, any ? n : 0);   /* a vector with an unset element: "-" in place, as Zeek */
}

static void write_http(struct table *t, const struct flow *f, const char *uid, const struct zt_built *b,
		       const struct zt_row *r)
{
	ts_uid(t, r->ts_ns, uid);
	ids(t, f);
	table_u64(t, r->depth);
	table_str(t, r->method[0] ? r->method : NULL);
	table_str(t, r->a);         /* host */
	table_str(t, r->b);         /* uri */
	nulls(t, 2);                /* referrer, version */
	table_str(t, r->c);         /* user_agent */
	table_null(t);              /* origin */
	count_or_null(t, r->len);
	nulls(t, 9);                /* response_body_len .. orig_mime_types */
	nulls(t, 3);
	write_fuids(t, b, r, 0);
	write_fuids(t, b, r, 1);
	write_fuids(t, b, r, 2);
	table_end_row(t);
}

static void write_smtp(struct table *t, const struct flow *f, const char *uid, const struct zt_built *b,
		       const struct zt_row *r)
{
	ts_uid(t, r->ts_ns, uid);
	ids(t, f);
	table_u64(t, r->depth);
	table_str(t, r->a);         /* helo */
	table_str(t, r->b);         /* mailfrom */
	table_set(t, r->list, r->nlist);
	nulls(t, 7);                /* date .. in_reply_to */
	table_str(t, r->d);         /* subject */
	nulls(t, 7);                /* x_originating_ip .. tls */
	write_fuids(t, b, r, 0);
	table_null(t);              /* is_webmail */
	table_end_row(t);
}

static void write_ssl(struct table *t, const struct flow *f, const char *uid, const struct zt_built *b)
{
	ts_uid(t, b->ssl_ns, uid);
	ids(t, f);
	nulls(t, 3);                /* version, cipher, curve */
	table_str(t, b->sni);
	nulls(t, 7);                /* resumed .. client_cert_chain_fps (Zeek's fingerprints are SHA-256) */
	table_str(t, b->subject);
	table_str(t, b->issuer);
	table_null(t);              /* sni_matches_cert */
	table_str(t, b->ja3);
	table_str(t, b->ja3s);
	table_end_row(t);
}

static void write_file(struct table *t, const struct flow *f, const char *uid, const struct zt_file *fi)
{
	ts_uid(t, fi->ts_ns, fi->fuid);
	table_str(t, uid);
	ids(t, f);
	table_str(t, fi->source);
	if (fi->depth)
		table_u64(t, fi->depth);
	else
		table_null(t);
	table_null(t);              /* analyzers */
	table_str(t, fi->mime);
	table_str(t, fi->name);
	nulls(t, 2);                /* duration, local_orig */
	table_bool(t, fi->is_orig);
	table_null(t);              /* seen_bytes */
	count_or_null(t, fi->total);
	nulls(t, 5);                /* missing_bytes .. md5 */
	table_str(t, fi->sha1);
	nulls(t, 4);                /* sha256 .. extracted_size */
	table_end_row(t);
}

/* The log's header at its first row: #open is the first capture's start. */
static struct table *log_table(struct zeek_tx *z, int log, const struct run *r)
{
	struct table *t = &z->t[log];
	if (!t->started)
		table_zeek(t, zeek_tx_logs[log].path, zeek_tx_logs[log].types, r->start_ns);
	return t;
}

void zeek_tx_flow_end(struct zeek_tx *z, const struct run *r, const struct flow *f)
{
	if (!f->user || f->user > z->cap || !z->by[f->user - 1])
		return;
	struct zt_flow *fl = z->by[f->user - 1];
	z->by[f->user - 1] = NULL;
	static _Thread_local struct zt_built b;   /* about 40 KB: off the stack */
	char uid[24];
	build(&b, fl);
	zeek_uid(r->start_ns, r->path, f->id, uid, sizeof uid);
	for (unsigned k = 0; k < b.nfiles; k++)
		zeek_fuid(r->start_ns, r->path, f->id, k, b.files[k].fuid, sizeof b.files[k].fuid);
	for (unsigned k = 0; k < b.nrows; k++) {
		struct table *t = log_table(z, b.log, r);
		if (b.log == ZT_DNS)
			write_dns(t, f, uid, &b.rows[k]);
		else if (b.log == ZT_HTTP)
			write_http(t, f, uid, &b, &b.rows[k]);
		else
			write_smtp(t, f, uid, &b, &b.rows[k]);
	}
	if (b.ssl)
		write_ssl(log_table(z, ZT_SSL, r), f, uid, &b);
	for (unsigned k = 0; k < b.nfiles; k++)
		write_file(log_table(z, ZT_FILES, r), f, uid, &b.files[k]);
	free(fl->ev);
	free(fl);
}
