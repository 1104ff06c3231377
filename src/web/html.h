/*
 * html.h - the one place where data becomes markup: a growable output
 * buffer and the escaping helpers every page writes through.
 *
 * Every string that came from a capture, an upload or a request is
 * hostile (host names, SNI, URIs, SMTP text, file names): it goes out
 * through html_txt (element text), html_attr (a quoted attribute value),
 * html_url (a query-string component) or json_str (a JSON string), never
 * through wb_puts.  wb_puts and wb_printf with %s are for the page's own
 * constant markup and for numbers.
 *
 * Allocation: a failed allocation marks the buffer failed (wb->oom) and
 * later writes are dropped; the server answers 500 for a failed buffer.
 */
#ifndef BOTLENS_WEB_HTML_H
#define BOTLENS_WEB_HTML_H

#include <stdbool.h>
#include <stddef.h>

struct wbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

void wb_put(struct wbuf *b, const char *s, size_t n);
void wb_puts(struct wbuf *b, const char *s);
void wb_printf(struct wbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wb_free(struct wbuf *b);

/* Text between tags: & < > " ' escaped; bytes that are not valid UTF-8 and
 * control characters (but tab and newline) become U+FFFD. */
void html_txt(struct wbuf *b, const char *s);
void html_txtn(struct wbuf *b, const char *s, size_t n);
/* A double-quoted attribute value: the same escapes as html_txt. */
void html_attr(struct wbuf *b, const char *s);
/* A URL query component: everything but unreserved characters %-encoded. */
void html_url(struct wbuf *b, const char *s);
/* A JSON string with its quotes; invalid UTF-8 becomes U+FFFD and <, >, &
 * are \u-escaped so a JSON body can never be read as markup. */
void json_str(struct wbuf *b, const char *s);

#endif
