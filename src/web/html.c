/*
 * html.c - output buffer and escaping helpers (see html.h).  The model is
 * cgit's html.c (html_txt, html_attr); its old html_attr wrote "&quote;",
 * which is why tests/unit/test_web_html.c checks every escape byte by byte.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/html.h"

static bool wb_grow(struct wbuf *b, size_t need)
{
	if (b->oom)
		return false;
	if (b->len + need + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + need + 1) {
		if (cap > SIZE_MAX / 2) {
			b->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void wb_put(struct wbuf *b, const char *s, size_t n)
{
	if (!wb_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void wb_puts(struct wbuf *b, const char *s)
{
	wb_put(b, s, strlen(s));
}

void wb_printf(struct wbuf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		wb_put(b, small, (size_t)n);
		return;
	}
	if (!wb_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void wb_free(struct wbuf *b)
{
	free(b->p);
	*b = (struct wbuf){ 0 };
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when invalid
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

void html_txtn(struct wbuf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		const char *e = NULL;
		switch (c) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		}
		if (e) {
			wb_puts(b, e);
			i++;
			continue;
		}
		size_t l = utf8_len(s + i, n - i);
		if (l == 0 || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
			wb_puts(b, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		wb_put(b, str + i, l);
		i += l;
	}
}

void html_txt(struct wbuf *b, const char *s)
{
	if (s)
		html_txtn(b, s, strlen(s));
}

void html_attr(struct wbuf *b, const char *s)
{
	html_txt(b, s);
}

void html_url(struct wbuf *b, const char *str)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)str;

	for (; s && *s; s++) {
		unsigned c = *s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '_' || c == '.' || c == '~') {
			char ch = (char)c;
			wb_put(b, &ch, 1);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			wb_put(b, e, 3);
		}
	}
}

void json_str(struct wbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t n = strlen((const char *)s), i = 0;

	wb_put(b, "\"", 1);
	while (i < n) {
		unsigned c = s[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			wb_put(b, e, 2);
			i++;
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7F) {
			wb_printf(b, "\\u%04x", c);
			i++;
		} else {
			size_t l = utf8_len(s + i, n - i);
			if (!l) {
				wb_puts(b, "\\ufffd");
				i++;
			} else {
				wb_put(b, (const char *)s + i, l);
				i += l;
			}
		}
	}
	wb_put(b, "\"", 1);
}
