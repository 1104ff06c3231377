/*
 * utf8.h - UTF-8 validation for text that came from outside (file names,
 * packet strings) on its way into JSON, HTML and SVG, which must be UTF-8.
 *
 * One policy for every output: each byte that does not start a valid
 * UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF)
 * becomes U+FFFD REPLACEMENT CHARACTER, written "\ufffd" in JSON strings,
 * "&#xFFFD;" in HTML and the character itself in SVG/PDF/PNG text.  TSV and
 * text outputs keep the bytes as they are.
 */
#ifndef BOTLENS_UTF8_H
#define BOTLENS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#define UTF8_REPLACEMENT "\xef\xbf\xbd"   /* U+FFFD */

/* Length (1-4) of the valid UTF-8 sequence at p (n bytes left), 0 when invalid. */
size_t utf8_seq(const unsigned char *p, size_t n);
/* True when the NUL-terminated s is valid UTF-8. */
bool utf8_valid(const char *s);
/*
 * s with each invalid byte replaced by U+FFFD, in a new string (free it);
 * NULL on out of memory.
 */
char *utf8_fix(const char *s);
/* A json-c string of s with utf8_fix applied (json-c copies bytes as given); NULL on OOM. */
struct json_object;
struct json_object *utf8_json_string(const char *s);

#endif
