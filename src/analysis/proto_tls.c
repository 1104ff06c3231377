/*
 * proto_tls.c - TLS (RFC 8446, 5246): the handshake of each direction,
 * reassembled in TCP order from its records, and from it the
 * ClientHello's server_name (RFC 6066) and JA3, the ServerHello's JA3S and
 * the server's certificate (tls_cert.c, OpenSSL).
 *
 *   record: type(1)=22 version(2)=3.x length(2) fragment
 *   handshake: type(1) length(3) body  (a message may span records)
 *   ClientHello: version(2) random(32) session_id<0..32>
 *     cipher_suites<2..> compression<1..> extensions<..>
 *   ServerHello: version(2) random(32) session_id<0..32> cipher(2)
 *     compression(1) extensions<..>
 *   Certificate (TLS 1.2): certificate_list<3> { cert<3> DER } ...
 *   server_name: list_len(2) { type(1)=0 len(2) name }
 *
 * Either side may send the ClientHello: a Meterpreter bind stage upgrades
 * the connection it accepted to TLS as the client, so the TLS client can
 * be the responder (RPF2_TLS_CLIENT_RESP).
 *
 * State (rp_state_*): per direction a buffer of at most TLS_BUF_MAX bytes
 * (or the inspection budget, --inspect-bytes, when smaller)
 * holding, in order, the handshake bytes taken out of complete records and
 * then the bytes of an incomplete record.  A direction ends (rf->done,
 * buffer freed) after the ClientHello, after the server's Certificate or
 * ServerHelloDone, on a TLS 1.3 ServerHello (the rest is encrypted), on a
 * record that is not handshake, on a gap in the sequence numbers, on bytes
 * cut by the snap length or when the buffer is full; the state goes when
 * both have ended, or at flow end.
 *
 * JA3 (Salesforce): "version,ciphers,extensions,groups,point_formats" in
 * decimal, values joined by '-', GREASE values (RFC 8701) left out, then
 * MD5.  JA3S: "version,cipher,extensions".  Evidence: the SNI and JA3
 * under the TLS client's host, JA3S and the certificate's subject, issuer
 * and SHA-1 under the TLS server's (the certificate's owner).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"
#include "util/rd.h"

#define TLS_BUF_MAX (32u << 10)
#define TLS_REC_MAX (16384u + 2048u)   /* a TLSCiphertext fragment at most */

enum { TLS_CCS = 20, TLS_ALERT = 21, TLS_HANDSHAKE = 22, TLS_APPDATA = 23 };
enum { HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11, HS_SERVER_DONE = 14 };

struct tls_dir {
	uint8_t *buf;
	uint32_t hs;                /* buf[0, hs): handshake bytes out of their records */
	uint32_t len, cap;          /* buf[hs, len): an incomplete record */
	uint32_t next;              /* TCP sequence number of the byte after buf's last */
	bool synced;
};

struct tls_st {
	struct tls_dir d[2];
	int client;                 /* direction of the ClientHello, -1 not known */
};

/* What a segment is parsed with. */
/* A direction's buffer at most: TLS_BUF_MAX, or the inspection budget when smaller. */
static size_t buf_max(const struct rp_col *c)
{
	return c->inspect_bytes < TLS_BUF_MAX ? c->inspect_bytes : TLS_BUF_MAX;
}

struct tls_in {
	struct rp_col *c;
	struct rp_flow *rf;
	struct tls_st *st;
	int dir;
	float t;
	int64_t when;               /* Unix time of the packet, 0 unknown */
};

bool rp_tls_port_known(uint16_t port)
{
	static const uint16_t known[] = { 443, 465, 563, 636, 853, 989, 990, 991, 992, 993, 994, 995,
					  3269, 5061, 8443 };
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		if (known[i] == port)
			return true;
	return false;
}

static bool grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* A growing string for JA3; its capacity is sized by the caller, so a
 * write that would not fit marks it failed instead of cutting silently. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool bad;
};

static void sb_num(struct sbuf *b, unsigned v, bool first)
{
	int w = snprintf(b->p + b->len, b->cap - b->len, "%s%u", first ? "" : "-", v);
	if (w < 0 || (size_t)w >= b->cap - b->len)
		b->bad = true;
	else
		b->len += (size_t)w;
}

static void sb_chr(struct sbuf *b, char ch)
{
	if (b->cap - b->len < 2) {
		b->bad = true;
		return;
	}
	b->p[b->len++] = ch;
	b->p[b->len] = 0;
}

/* Appends the non-GREASE 16-bit values read from r, '-'-joined. */
static void sb_list16(struct sbuf *b, struct rd *r)
{
	bool first = true;
	uint16_t v;
	while (rd_be16(r, &v))
		if (!grease(v)) {
			sb_num(b, v, first);
			first = false;
		}
}

static void ev_md5(struct tls_in *in, uint32_t host, unsigned cat, const struct sbuf *b)
{
	char md[33];
	if (b->bad)
		return;
	tls_md5_hex(b->p, b->len, md);
	if (md[0])
		rp_ev_add(in->c, host, cat, (const uint8_t *)md, 32);
}

/*
 * The ClientHello body m (a whole message): the server name (evidence, or
 * RPF2_TLS_NOSNI when the extensions were read to their end without one)
 * and JA3.  A malformed field stops the reading: no JA3 then (its string
 * would be wrong).
 */
static void client_hello(struct tls_in *in, struct rd m)
{
	uint32_t host = in->rf->h[in->dir];
	uint16_t ver, cs;
	uint8_t sid, comp;
	struct rd ciphers, ex = { 0 }, groups = { 0 }, formats = { 0 };
	if (!rd_be16(&m, &ver) || !rd_skip(&m, 32) || !rd_u8(&m, &sid) || !rd_skip(&m, sid) ||
	    !rd_be16(&m, &cs) || !rd_sub(&m, cs, &ciphers) || !rd_u8(&m, &comp) || !rd_skip(&m, comp))
		return;
	uint16_t elen = 0;
	if (m.left && (!rd_be16(&m, &elen) || !rd_sub(&m, elen, &ex)))
		return;
	size_t cap = 4 * ((size_t)cs + elen) + 64;   /* 4 characters per byte at most ("255-") */
	struct sbuf b = { .p = malloc(cap), .cap = cap };
	if (!b.p) {
		in->c->oom = true;
		return;
	}
	b.p[0] = 0;
	sb_num(&b, ver, true);
	sb_chr(&b, ',');
	sb_list16(&b, &ciphers);
	sb_chr(&b, ',');
	bool sni = false, first = true;
	while (ex.left) {
		uint16_t type, len, list, nlen;
		uint8_t nt;
		const uint8_t *name;
		struct rd e, e2;
		if (!rd_be16(&ex, &type) || !rd_be16(&ex, &len) || !rd_sub(&ex, len, &e)) {
			b.bad = true;
			break;
		}
		if (!grease(type)) {
			sb_num(&b, type, first);
			first = false;
		}
		if (type == 0 && !sni && rd_be16(&e, &list) && rd_u8(&e, &nt) && nt == 0 &&
		    rd_be16(&e, &nlen) && rd_bytes(&e, nlen, &name) && nlen) {
			rp_ev_add(in->c, host, EV_TLS_SNI, name, nlen);
			sni = true;
		} else if (type == 10 && rd_be16(&e, &list) && rd_sub(&e, list, &e2)) {
			groups = e2;
		} else if (type == 11 && rd_u8(&e, &nt) && rd_sub(&e, nt, &e2)) {
			formats = e2;
		}
	}
	if (!sni && !b.bad)
		in->rf->facts2 |= RPF2_TLS_NOSNI;
	sb_chr(&b, ',');
	sb_list16(&b, &groups);
	sb_chr(&b, ',');
	uint8_t pf;
	for (bool f1 = true; rd_u8(&formats, &pf); f1 = false)
		sb_num(&b, pf, f1);
	ev_md5(in, host, EV_JA3, &b);
	free(b.p);
}

/* The ServerHello body m: JA3S; TLS 1.3 (supported_versions = 0x0304) ends the direction. */
static bool server_hello(struct tls_in *in, struct rd m)
{
	uint16_t ver, cipher, elen = 0;
	uint8_t sid, comp;
	struct rd ex = { 0 };
	if (!rd_be16(&m, &ver) || !rd_skip(&m, 32) || !rd_u8(&m, &sid) || !rd_skip(&m, sid) ||
	    !rd_be16(&m, &cipher) || !rd_u8(&m, &comp))
		return false;
	if (m.left && (!rd_be16(&m, &elen) || !rd_sub(&m, elen, &ex)))
		return false;
	size_t cap = 2 * (size_t)elen + 64;   /* an extension type: 6 characters per 4 bytes at most */
	struct sbuf b = { .p = malloc(cap), .cap = cap };
	bool tls13 = false;
	if (!b.p) {
		in->c->oom = true;
		return false;
	}
	b.p[0] = 0;
	sb_num(&b, ver, true);
	sb_chr(&b, ',');
	sb_num(&b, cipher, true);
	sb_chr(&b, ',');
	for (bool first = true; ex.left; first = false) {
		uint16_t type, len, v;
		struct rd e;
		if (!rd_be16(&ex, &type) || !rd_be16(&ex, &len) || !rd_sub(&ex, len, &e)) {
			b.bad = true;
			break;
		}
		sb_num(&b, type, first);
		if (type == 43 && rd_be16(&e, &v) && v == 0x0304)
			tls13 = true;
	}
	ev_md5(in, in->rf->h[in->dir], EV_JA3S, &b);
	free(b.p);
	if (tls13)
		in->rf->facts2 |= RPF2_TLS13;
	return tls13;
}

/*
 * The server's Certificate message m (possibly cut after its first
 * certificate): the first (leaf) certificate's names, fingerprint and
 * facts.  True when the leaf was there to parse.
 */
static bool certificate(struct tls_in *in, struct rd m)
{
	uint32_t list, len;
	uint8_t b3[3];
	const uint8_t *der;
	if (!rd_copy(&m, b3, 3))
		return false;
	list = (uint32_t)b3[0] << 16 | (uint32_t)b3[1] << 8 | b3[2];
	if (!list || !rd_copy(&m, b3, 3))
		return false;
	len = (uint32_t)b3[0] << 16 | (uint32_t)b3[1] << 8 | b3[2];
	if (len + 3 > list || !rd_bytes(&m, len, &der))
		return false;
	struct tls_cert x;
	uint32_t host = in->rf->h[in->dir];
	in->rf->facts2 |= RPF2_TLS_CERT;
	if (!tls_cert_parse(der, len, in->when, &x))
		return true;
	if (x.selfsigned)
		in->rf->facts2 |= RPF2_TLS_SELFSIGNED;
	if (x.expired)
		in->rf->facts2 |= RPF2_TLS_CERT_EXPIRED;
	if (x.subject[0])
		rp_ev_add(in->c, host, EV_TLS_SUBJECT, (const uint8_t *)x.subject, strlen(x.subject));
	if (x.issuer[0])
		rp_ev_add(in->c, host, EV_TLS_ISSUER, (const uint8_t *)x.issuer, strlen(x.issuer));
	if (x.sha1[0])
		rp_ev_add(in->c, host, EV_TLS_FP, (const uint8_t *)x.sha1, strlen(x.sha1));
	return true;
}

static void dir_end(struct tls_in *in)
{
	struct tls_dir *t = &in->st->d[in->dir];
	free(t->buf);
	*t = (struct tls_dir){ .synced = true };
	in->rf->done |= (uint8_t)(1u << in->dir);
}

/* The ClientHello's side is the TLS client: noted once, with its time. */
static void client_is(struct tls_in *in, int dir, float t)
{
	if (in->st->client >= 0)
		return;
	in->st->client = dir;
	if (dir == 1)
		in->rf->facts2 |= RPF2_TLS_CLIENT_RESP;
	float dt = (t - in->rf->t0) * 10.0f + 0.5f;
	in->rf->count2 = dt <= 0 ? 0 : dt >= 65535.0f ? 65535 : (uint16_t)dt;
}

/*
 * One complete handshake message (type, body m) of direction in->dir.
 * True when this direction has nothing more to give.
 */
static bool message(struct tls_in *in, uint8_t type, struct rd m)
{
	int d = in->dir;
	switch (type) {
	case HS_CLIENT_HELLO:
		client_is(in, d, in->t);
		client_hello(in, m);
		return true;
	case HS_SERVER_HELLO:
		client_is(in, !d, in->t);
		return server_hello(in, m);
	case HS_CERTIFICATE:
		if (in->st->client == d)
			return false;   /* a client certificate: not the server's */
		certificate(in, m);
		return true;
	case HS_SERVER_DONE:
		return true;
	default:
		return false;
	}
}

/*
 * Moves the fragments of the complete handshake records after buf[0, hs)
 * to its end.  False when a record that is not handshake (or not TLS)
 * comes: what follows is not handshake in clear.
 */
static bool records(struct tls_dir *t)
{
	struct rd r;
	bool clear = true;
	rd_init(&r, t->buf + t->hs, t->len - t->hs);
	for (;;) {
		uint8_t type, maj, min;
		uint16_t len;
		struct rd hdr = r;
		if (!rd_u8(&hdr, &type) || !rd_u8(&hdr, &maj) || !rd_u8(&hdr, &min) || !rd_be16(&hdr, &len))
			break;
		if (type != TLS_HANDSHAKE || maj != 3 || len > TLS_REC_MAX) {
			clear = false;
			break;
		}
		if (!rd_has(&hdr, len))
			break;
		memmove(t->buf + t->hs, hdr.p, len);   /* moves down: r's bytes lie above */
		t->hs += len;
		rd_skip(&hdr, len);
		r = hdr;
	}
	memmove(t->buf + t->hs, r.p, r.left);
	t->len = t->hs + (uint32_t)r.left;
	return clear;
}

/* Parses what direction in->dir has buffered; ends it when done. */
static void dir_parse(struct tls_in *in)
{
	struct tls_dir *t = &in->st->d[in->dir];
	bool clear = records(t), end = false;
	struct rd r;
	rd_init(&r, t->buf, t->hs);
	while (!end && r.left >= 4) {
		uint8_t type = 0, l3[3] = { 0 };
		struct rd hdr = r, m;
		if (!rd_u8(&hdr, &type) || !rd_copy(&hdr, l3, 3))
			break;   /* not reached: 4 bytes are there */
		uint32_t len = (uint32_t)l3[0] << 16 | (uint32_t)l3[1] << 8 | l3[2];
		if (!rd_sub(&hdr, len, &m)) {
			/* incomplete: a Certificate's leaf may already be whole */
			if (type == HS_CERTIFICATE && in->st->client != in->dir)
				end = certificate(in, hdr);
			break;
		}
		r = hdr;
		end = message(in, type, m);
	}
	size_t used = t->hs - r.left;
	memmove(t->buf, t->buf + used, t->len - used);
	t->hs -= (uint32_t)used;
	t->len -= (uint32_t)used;
	if (end || !clear || t->len >= buf_max(in->c))
		dir_end(in);
}

/* Appends the segment's new bytes to direction dir; false when it cannot go on. */
static bool dir_append(struct tls_in *in, const struct rp_seg *s)
{
	struct tls_dir *t = &in->st->d[in->dir];
	const uint8_t *p = s->p;
	size_t n = s->n;
	if (!t->synced) {
		t->synced = true;
		t->next = s->seq;
	}
	if (s->seq != t->next) {
		uint32_t had = t->next - s->seq;    /* bytes of it already taken (retransmission) */
		if (had > 0x7fffffffu)
			return false;                   /* a gap: a segment lost or reordered */
		if (had >= n)
			return true;
		p += had;
		n -= had;
	}
	size_t cap = buf_max(in->c), room = cap > t->len ? cap - t->len : 0, take = n < room ? n : room;
	if (t->len + take > t->cap) {
		size_t nc = t->cap ? 2 * (size_t)t->cap : 4096;
		while (nc < t->len + take)
			nc *= 2;
		nc = nc > cap ? cap : nc;
		uint8_t *nb = realloc(t->buf, nc);
		if (!nb) {
			in->c->oom = true;
			return false;
		}
		t->buf = nb;
		t->cap = (uint32_t)nc;
	}
	memcpy(t->buf + t->len, p, take);
	t->len += (uint32_t)take;
	t->next += (uint32_t)n;
	return s->n == s->wire;   /* bytes cut by the snap length: the stream breaks here */
}

static void tls_free(void *p)
{
	struct tls_st *st = p;
	if (!st)
		return;
	free(st->d[0].buf);
	free(st->d[1].buf);
	free(st);
}

static size_t tls_bytes(const struct tls_st *st)
{
	return sizeof *st + st->d[0].cap + st->d[1].cap;
}

/* A TLS record header at p (type 20..23, version 3.0..3.4), or as much of one as n holds. */
static bool record_start(const uint8_t *p, size_t n)
{
	return n >= 1 && p[0] >= TLS_CCS && p[0] <= TLS_APPDATA && (n < 2 || p[1] == 3) && (n < 3 || p[2] <= 4);
}

/* A handshake record beginning with a ClientHello or a ServerHello: the flow is TLS. */
static bool hello_start(const uint8_t *p, size_t n)
{
	return n >= 6 && record_start(p, n) && p[0] == TLS_HANDSHAKE &&
	       (p[5] == HS_CLIENT_HELLO || p[5] == HS_SERVER_HELLO);
}

/*
 * A segment of the flow.  On a flow not yet known, true when it opens a
 * handshake (ClientHello or ServerHello).  On a TLS flow, a direction's
 * first segment must begin a record (one that is not handshake ends the
 * direction at once); later ones are taken in sequence.
 * Without room for a state (rp_state_put refused) the segment is parsed
 * alone.
 */
static bool tls_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->proto != 6 || s->dir < 0 || s->dir > 1)
		return false;
	bool is_tls = rf->app == RP_APP_TLS;
	struct tls_st *st = rp_state_get(c, s->idx);
	bool kept = st != NULL;
	if (!st) {
		if (!(is_tls ? record_start(s->p, s->n) : hello_start(s->p, s->n)))
			return is_tls;
		if (s->p[0] != TLS_HANDSHAKE) {   /* this side's handshake in clear is over (or was missed) */
			rf->done |= (uint8_t)(1u << s->dir);
			return true;
		}
		if (!(st = calloc(1, sizeof *st))) {
			c->oom = true;
			return true;
		}
		st->client = -1;
		kept = rp_state_put(c, s->idx, st, tls_bytes(st), tls_free);
	}
	struct tls_in in = { .c = c, .rf = rf, .st = st, .dir = s->dir, .t = s->t,
			     .when = s->f ? s->f->last_ns / 1000000000 : 0 };
	if (!(rf->done >> s->dir & 1)) {
		struct tls_dir *t = &st->d[s->dir];
		if (t->synced || record_start(s->p, s->n)) {
			bool go = dir_append(&in, s);
			if (t->len)
				dir_parse(&in);
			if (!go && !(rf->done >> s->dir & 1))
				dir_end(&in);
		}
	}
	if ((rf->done & 3) == 3 || !kept) {
		if (kept)
			rp_state_take(c, s->idx);
		tls_free(st);
	} else if (!rp_state_resize(c, s->idx, tls_bytes(st))) {
		rp_state_take(c, s->idx);
		tls_free(st);
		rf->done |= 3;
	}
	return true;
}

static void tls_flow_end(struct rp_col *c, struct rp_flow *rf, uint32_t idx)
{
	tls_free(rp_state_take(c, idx));
}

const struct rp_proto proto_tls = { .name = "tls", .app = RP_APP_TLS, .max_pkts = 24,
				    .inspect = tls_inspect, .flow_end = tls_flow_end };
