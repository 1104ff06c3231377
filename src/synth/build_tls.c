/*
 * build_tls.c - a TLS 1.0 session (RFC 2246) of a 2008 browser: a
 * ClientHello with the server_name extension (RFC 3546 3.1), then either
 * a full RSA handshake (ServerHello, Certificate, ServerHelloDone,
 * ClientKeyExchange, ChangeCipherSpec, Finished) or an abbreviated one
 * resuming a session, then application data records and close_notify.
 * Encrypted parts are random bytes of the right record lengths (RC4-SHA:
 * 20-byte MAC).  The certificate is a structurally valid X.509 v3 DER
 * encoding (RFC 5280 4.1) with a random key and signature, so dissectors
 * parse it without complaint.
 *
 *   record: type(1) version(2) length(2) fragment
 *   handshake: type(1) length(3) body
 */
#include <stdlib.h>
#include <string.h>

#include "synth/build.h"

enum { TLS_CCS = 20, TLS_ALERT = 21, TLS_HANDSHAKE = 22, TLS_APPDATA = 23 };

struct tlsw {
	uint8_t *b;
	size_t len, cap;
};

static void tw(struct tlsw *w, const void *p, size_t n)
{
	if (n > w->cap - w->len)
		n = w->cap - w->len;    /* callers size the buffer; never reached */
	memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void tw8(struct tlsw *w, uint8_t v) { tw(w, &v, 1); }
static void tw16(struct tlsw *w, uint16_t v) { tw8(w, (uint8_t)(v >> 8)); tw8(w, (uint8_t)v); }
static void tw24(struct tlsw *w, uint32_t v) { tw8(w, (uint8_t)(v >> 16)); tw16(w, (uint16_t)v); }

static void tw_rand(struct tlsw *w, struct rng *r, size_t n)
{
	uint8_t tmp[256];
	while (n) {
		size_t k = n < sizeof tmp ? n : sizeof tmp;
		rng_bytes(r, tmp, k);
		tw(w, tmp, k);
		n -= k;
	}
}

/* Patches a big-endian length of `bytes` bytes at `at`, covering what follows it. */
static void tw_patch(struct tlsw *w, size_t at, int bytes)
{
	size_t n = w->len - at - (size_t)bytes;
	for (int i = 0; i < bytes; i++)
		w->b[at + (size_t)i] = (uint8_t)(n >> (8 * (bytes - 1 - i)));
}

/* --- DER (X.690) ------------------------------------------------------ */

/* Writes tag, definite length and content; returns the bytes written. */
static size_t der(uint8_t *out, uint8_t tag, const void *content, size_t n)
{
	size_t h = 0;
	out[h++] = tag;
	if (n < 128) {
		out[h++] = (uint8_t)n;
	} else if (n < 256) {
		out[h++] = 0x81;
		out[h++] = (uint8_t)n;
	} else {
		out[h++] = 0x82;
		out[h++] = (uint8_t)(n >> 8);
		out[h++] = (uint8_t)n;
	}
	memmove(out + h, content, n);
	return h + n;
}

/* Name ::= SEQUENCE { SET { SEQUENCE { OID, PrintableString } } ... } (C, O, CN). */
static size_t der_name(uint8_t *out, const char *org, const char *cn)
{
	static const uint8_t oid_c[] = { 0x55, 4, 6 }, oid_o[] = { 0x55, 4, 10 },
			     oid_cn[] = { 0x55, 4, 3 };
	const uint8_t *oids[3] = { oid_c, oid_o, oid_cn };
	const char *vals[3] = { "US", org, cn };
	uint8_t seq[400], atv[128], set[140];
	size_t n = 0;
	for (int i = 0; i < 3; i++) {
		size_t vl = strlen(vals[i]) > 64 ? 64 : strlen(vals[i]);
		size_t a = der(atv, 0x06, oids[i], 3);
		a += der(atv + a, 0x13, vals[i], vl);
		size_t s = der(set, 0x30, atv, a);
		n += der(seq + n, 0x31, set, s);
	}
	return der(out, 0x30, seq, n);
}

/*
 * A self-consistent X.509 v3 certificate for `cn` (sha1WithRSAEncryption,
 * 1024-bit RSA key): tbsCertificate, signatureAlgorithm, signature.
 * Returns its length; out must hold 1024 bytes.
 */
static size_t der_certificate(struct rng *r, uint8_t *out, const char *cn)
{
	static const uint8_t sha1rsa[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					   0x0d, 0x01, 0x01, 0x05, 0x05, 0x00 };
	static const uint8_t rsaenc[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
					  0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };
	static const uint8_t version[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
	uint8_t tbs[900], tmp[300], key[300], serial[8];
	size_t n = 0, k;
	memcpy(tbs, version, sizeof version);
	n += sizeof version;
	rng_bytes(r, serial, sizeof serial);
	serial[0] &= 0x7f;
	serial[0] |= 0x10;
	n += der(tbs + n, 0x02, serial, sizeof serial);
	memcpy(tbs + n, sha1rsa, sizeof sha1rsa);
	n += sizeof sha1rsa;
	n += der_name(tbs + n, "Example Trust Network", "Example Secure Server CA");
	k = der(tmp, 0x17, "080115000000Z", 13);
	k += der(tmp + k, 0x17, "100114235959Z", 13);
	n += der(tbs + n, 0x30, tmp, k);
	n += der_name(tbs + n, "Example Web Services", cn);
	uint8_t mod[129];
	mod[0] = 0;
	rng_bytes(r, mod + 1, 128);
	mod[1] |= 0x80;
	mod[128] |= 1;
	k = der(tmp, 0x02, mod, sizeof mod);
	k += der(tmp + k, 0x02, "\x01\x00\x01", 3);
	size_t kl = der(key + 1, 0x30, tmp, k);
	key[0] = 0;                       /* BIT STRING: no unused bits */
	memcpy(tmp, rsaenc, sizeof rsaenc);
	k = sizeof rsaenc + der(tmp + sizeof rsaenc, 0x03, key, kl + 1);
	n += der(tbs + n, 0x30, tmp, k);
	uint8_t cert[1024];
	size_t c = der(cert, 0x30, tbs, n);
	memcpy(cert + c, sha1rsa, sizeof sha1rsa);
	c += sizeof sha1rsa;
	uint8_t sig[129];
	sig[0] = 0;
	rng_bytes(r, sig + 1, 128);
	c += der(cert + c, 0x03, sig, sizeof sig);
	return der(out, 0x30, cert, c);
}

/* --- handshake -------------------------------------------------------- */

static size_t rec_open(struct tlsw *w, uint8_t type)
{
	tw8(w, type);
	tw16(w, 0x0301);
	size_t at = w->len;
	tw16(w, 0);
	return at;
}

/* A hello's start: type, length (patched later: the returned offset), TLS 1.0, gmt_unix_time, random. */
static size_t hello_open(struct tlsw *w, struct rng *r, uint8_t type, int64_t t)
{
	tw8(w, type);
	size_t hs = w->len;
	tw24(w, 0);
	tw16(w, 0x0301);
	uint32_t gmt = (uint32_t)(BUILD_EPOCH_S + t / 1000000);
	tw16(w, (uint16_t)(gmt >> 16));
	tw16(w, (uint16_t)gmt);
	tw_rand(w, r, 28);
	return hs;
}

static void client_hello(struct tlsw *w, struct rng *r, const char *sni, const uint8_t *sid,
			 int64_t t)
{
	static const uint16_t suites[] = { 0x0039, 0x0038, 0x0035, 0x0016, 0x0013, 0x000a, 0x0033,
					   0x0032, 0x002f, 0x0005, 0x0004, 0x0015, 0x0012, 0x0009,
					   0x0014, 0x0011, 0x0008, 0x0006, 0x0003 };
	size_t rec = rec_open(w, TLS_HANDSHAKE);
	size_t hs = hello_open(w, r, 1, t);
	tw8(w, sid ? 32 : 0);
	if (sid)
		tw(w, sid, 32);
	tw16(w, (uint16_t)(2 * (sizeof suites / sizeof *suites)));
	for (size_t i = 0; i < sizeof suites / sizeof *suites; i++)
		tw16(w, suites[i]);
	tw8(w, 1);
	tw8(w, 0);                        /* compression: null */
	size_t ext = w->len;
	tw16(w, 0);
	size_t nl = strlen(sni);
	tw16(w, 0x0000);                  /* server_name */
	tw16(w, (uint16_t)(nl + 5));
	tw16(w, (uint16_t)(nl + 3));
	tw8(w, 0);                        /* host_name */
	tw16(w, (uint16_t)nl);
	tw(w, sni, nl);
	tw_patch(w, ext, 2);
	tw_patch(w, hs, 3);
	tw_patch(w, rec, 2);
}

static void server_hello(struct tlsw *w, struct rng *r, const uint8_t *sid, int64_t t)
{
	size_t hs = hello_open(w, r, 2, t);
	tw8(w, 32);
	tw(w, sid, 32);
	tw16(w, 0x0005);                  /* TLS_RSA_WITH_RC4_128_SHA */
	tw8(w, 0);
	tw_patch(w, hs, 3);
}

static void ccs_finished(struct tlsw *w, struct rng *r)
{
	static const uint8_t ccs[] = { TLS_CCS, 3, 1, 0, 1, 1 };
	tw(w, ccs, sizeof ccs);
	size_t rec = rec_open(w, TLS_HANDSHAKE);
	tw_rand(w, r, 36);                /* encrypted Finished: 4 + 12 + MAC 20 */
	tw_patch(w, rec, 2);
}

/* Application data of n bytes in records of at most 16 KiB (plus MAC). */
static void app_data(struct tlsw *w, struct rng *r, size_t n)
{
	while (n) {
		size_t k = n < 16384 ? n : 16384;
		size_t rec = rec_open(w, TLS_APPDATA);
		tw_rand(w, r, k + 20);
		tw_patch(w, rec, 2);
		n -= k;
	}
}

/*
 * The whole TLS conversation on an established connection (client =
 * side 0): handshake (full, or abbreviated when `resume`), `requests`
 * request/response pairs of about resp_len bytes each, close_notify.
 * Leaves the TCP connection open for the caller to close.
 */
void build_tls_session(struct build_tcp *s, const char *sni, int requests, size_t resp_len,
		       bool resume)
{
	struct rng *r = &s->c->rng;
	size_t cap = 4096 + (resp_len + 1024) * 2;
	struct tlsw w = { .b = malloc(cap), .cap = cap };
	uint8_t sid[32];
	if (!w.b) {
		s->c->oom = true;
		return;
	}
	rng_bytes(r, sid, sizeof sid);
	client_hello(&w, r, sni, resume ? sid : NULL, s->t);
	build_tcp_send(s, 0, w.b, w.len, BUILD_MS(2));
	w.len = 0;
	size_t rec = rec_open(&w, TLS_HANDSHAKE);
	server_hello(&w, r, sid, s->t);
	if (!resume) {
		uint8_t cert[1024];
		size_t cl = der_certificate(r, cert, sni);
		tw8(&w, 11);
		tw24(&w, (uint32_t)(cl + 6));
		tw24(&w, (uint32_t)(cl + 3));
		tw24(&w, (uint32_t)cl);
		tw(&w, cert, cl);
		tw8(&w, 14);                  /* ServerHelloDone */
		tw24(&w, 0);
	}
	tw_patch(&w, rec, 2);
	if (resume)
		ccs_finished(&w, r);
	build_tcp_send(s, 1, w.b, w.len, BUILD_MS(rng_range(r, 2, 30)));
	w.len = 0;
	if (!resume) {
		rec = rec_open(&w, TLS_HANDSHAKE);
		tw8(&w, 16);                  /* ClientKeyExchange: RSA-encrypted premaster */
		tw24(&w, 130);
		tw16(&w, 128);
		tw_rand(&w, r, 128);
		tw_patch(&w, rec, 2);
	}
	ccs_finished(&w, r);
	build_tcp_send(s, 0, w.b, w.len, BUILD_MS(rng_range(r, 5, 40)));
	if (!resume) {
		w.len = 0;
		ccs_finished(&w, r);
		build_tcp_send(s, 1, w.b, w.len, BUILD_MS(rng_range(r, 1, 10)));
	}
	for (int i = 0; i < requests; i++) {
		w.len = 0;
		app_data(&w, r, rng_range(r, 350, 800));
		build_tcp_send(s, 0, w.b, w.len, BUILD_MS(i ? rng_range(r, 200, 4000) : 1));
		w.len = 0;
		app_data(&w, r, resp_len / 2 + rng_range(r, 0, resp_len));
		build_tcp_send(s, 1, w.b, w.len, BUILD_MS(rng_range(r, 20, 250)));
	}
	w.len = 0;
	rec = rec_open(&w, TLS_ALERT);
	tw_rand(&w, r, 22);               /* encrypted close_notify */
	tw_patch(&w, rec, 2);
	build_tcp_send(s, 0, w.b, w.len, BUILD_SEC(rng_range(r, 2, 15)));
	free(w.b);
}
