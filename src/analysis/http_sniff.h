/*
 * http_sniff.h - what proto_http.c looks for in HTTP fields and bodies,
 * as pure functions over untrusted bytes (each reads p[0..n) only):
 * file types by magic, Log4Shell lookups, IP-literal hosts, opaque
 * cookies, form field names and content-type classes.
 */
#ifndef BOTLENS_HTTP_SNIFF_H
#define BOTLENS_HTTP_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* File types by magic (first bytes of a body).  Order = name table. */
enum http_ftype {
	HF_NONE, HF_PE, HF_ELF, HF_CLASS, HF_JAR, HF_ZIP, HF_XAP, HF_SWF, HF_PDF, HF_COUNT
};
const char *http_ftype_name(unsigned t);
/* The type of a body that starts with p[0..n) (n: what was sniffed, <= 512 is enough). */
enum http_ftype http_magic(const uint8_t *p, size_t n);

/*
 * Finds a Log4Shell JNDI lookup in p[0..n): "${jndi:" case-insensitive,
 * also when spelled with nested lookups that only yield text
 * (${lower:j}, ${upper:J}, ${::-j}, ${env:X:-j}) or percent-encoded.
 * On a hit copies the lookup as written (cut to len - 1) into out.
 */
bool http_log4shell(const uint8_t *p, size_t n, char *out, size_t len);

/* True when a body start is binary: over a quarter of its bytes are neither text nor whitespace. */
bool http_binary(const uint8_t *p, size_t n);
/* True when a body start is filler: >= 64 bytes holding fewer than 16 distinct
 * byte values (zeros, one repeated byte, a short repeated pattern), as test
 * files and speed tests serve; code and encrypted payloads vary far more. */
bool http_filler(const uint8_t *p, size_t n);
/* True when a Host value is an IP literal (v4, [v6], with or without port). */
bool http_host_is_ip(const uint8_t *p, size_t n);
/* True when a Cookie header holds a value of >= 64 base64-like characters. */
bool http_cookie_blob(const uint8_t *p, size_t n);
/*
 * The field names of an application/x-www-form-urlencoded body (its first
 * bytes), joined by ',' into out (cut to len - 1).  Returns true when one
 * looks like a credential (pass, pwd, user, login, email).
 */
bool http_form_names(const uint8_t *p, size_t n, char *out, size_t len);

/* Content-type classes (the media type, parameters ignored). */
bool http_ctype_exec(const uint8_t *p, size_t n);    /* executable or Java code */
bool http_ctype_plugin(const uint8_t *p, size_t n);  /* Flash, Silverlight, PDF */
bool http_ctype_octet(const uint8_t *p, size_t n);   /* application/octet-stream */
bool http_ctype_package(const uint8_t *p, size_t n); /* a Debian or RPM package */
bool http_ctype_html(const uint8_t *p, size_t n);
bool http_ctype_form(const uint8_t *p, size_t n);
/* True when a file name or URI path ends in an executable extension. */
bool http_name_exec(const uint8_t *p, size_t n);
/* True when a name or path ends in .deb or .rpm. */
bool http_name_package(const uint8_t *p, size_t n);
/* True when a User-Agent is a package manager (APT, yum, dnf, zypper, pacman). */
bool http_ua_package(const uint8_t *p, size_t n);
/* The file name of a Content-Disposition value (filename= or filename*=), or 0. */
size_t http_disposition_name(const uint8_t *p, size_t n, const uint8_t **name);

#endif
