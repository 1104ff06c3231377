/*
 * tls_cert.c - what the report takes from TLS with OpenSSL (libcrypto):
 * the server certificate (RFC 5280) decoded by d2i_X509, never by hand,
 * and the MD5 of the JA3/JA3S strings (EVP).
 *
 * From a certificate: subject and issuer as "CN=..., O=..." (the other
 * name attributes are left out), self-signed (issuer name == subject name
 * and the signature verifies with the certificate's own public key: a
 * name match alone is what a CA-issued leaf never has, and the signature
 * check keeps a forged look-alike out), validity at the packet's time and
 * the SHA-1 fingerprint (lowercase hex, as Zeek's x509.log and most
 * threat-intelligence feeds write it).
 *
 * The DER bytes are untrusted: d2i_X509 gets exactly the length the
 * Certificate message declared and found in the buffer, and nothing here
 * trusts a length inside the certificate.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "analysis/report-int.h"

/* Appends "KEY=value" (value as UTF-8, cut to fit) for nid of name, if present. */
static void name_part(const X509_NAME *name, int nid, const char *key, char *buf, size_t len)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	if (i < 0)
		return;
	const ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	unsigned char *u = NULL;
	int n = d ? ASN1_STRING_to_UTF8(&u, d) : -1;
	if (n < 0)
		return;
	size_t used = strlen(buf);
	snprintf(buf + used, len - used, "%s%s=%.*s", used ? ", " : "", key, n, (const char *)u);
	OPENSSL_free(u);
}

static void name_str(const X509_NAME *name, char *buf, size_t len)
{
	buf[0] = 0;
	if (!name)
		return;
	name_part(name, NID_commonName, "CN", buf, len);
	name_part(name, NID_organizationName, "O", buf, len);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
}

/*
 * Decodes the DER certificate der[0..n) into *out.  when: the packet's
 * Unix time, or 0 to skip the validity check.  Returns false (out
 * zeroed) when OpenSSL cannot decode it or trailing bytes follow it.
 */
bool tls_cert_parse(const uint8_t *der, size_t n, int64_t when, struct tls_cert *out)
{
	memset(out, 0, sizeof *out);
	if (!n || n > TLS_CERT_MAX)
		return false;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)n);
	if (!x)
		return false;
	if ((size_t)(p - der) != n) {
		X509_free(x);
		return false;
	}
	const X509_NAME *subj = X509_get_subject_name(x), *iss = X509_get_issuer_name(x);
	name_str(subj, out->subject, sizeof out->subject);
	name_str(iss, out->issuer, sizeof out->issuer);
	if (subj && iss && !X509_NAME_cmp(subj, iss)) {
		EVP_PKEY *k = X509_get0_pubkey(x);
		out->selfsigned = k && X509_verify(x, k) == 1;
	}
	if (when > 0) {
		time_t t = (time_t)when;
		const ASN1_TIME *nb = X509_get0_notBefore(x), *na = X509_get0_notAfter(x);
		/* X509_cmp_time: -1 when the time is before t, 1 after, 0 on error */
		out->expired = (nb && X509_cmp_time(nb, &t) > 0) || (na && X509_cmp_time(na, &t) < 0);
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (X509_digest(x, EVP_sha1(), md, &mdlen) && mdlen == 20)
		hex(md, mdlen, out->sha1);
	X509_free(x);
	return true;
}

/* Writes the MD5 of s[0..n) as 32 hex digits and a NUL into out[33]. */
void tls_md5_hex(const char *s, size_t n, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	out[0] = 0;
	if (EVP_Digest(s, n, md, &len, EVP_md5(), NULL) && len == 16)
		hex(md, 16, out);
}
