/*
 * utf8.c - UTF-8 validation and repair (see utf8.h).
 */
#include "util/utf8.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

size_t utf8_seq(const unsigned char *p, size_t n)
{
	if (n == 0)
		return 0;
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;  /* range of the second byte */
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;      /* no overlongs */
		else if (c == 0xed)
			hi = 0x9f;      /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;      /* at most U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	while (n) {
		size_t k = utf8_seq(p, n);
		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

char *utf8_fix(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n * 3 + 1), *o = out;
	if (!out)
		return NULL;
	const unsigned char *p = (const unsigned char *)s;
	while (n) {
		size_t k = utf8_seq(p, n);
		if (k) {
			memcpy(o, p, k);
			o += k;
		} else {
			memcpy(o, UTF8_REPLACEMENT, 3);
			o += 3;
			k = 1;
		}
		p += k;
		n -= k;
	}
	*o = 0;
	return out;
}

struct json_object *utf8_json_string(const char *s)
{
	if (utf8_valid(s))
		return json_object_new_string(s);
	char *fixed = utf8_fix(s);
	struct json_object *o = fixed ? json_object_new_string(fixed) : NULL;
	free(fixed);
	return o;
}
