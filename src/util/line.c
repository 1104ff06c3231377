/*
 * line.c - the capped line reader (see line.h).
 */
#include "util/line.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int line_next(struct line *l, FILE *f)
{
	size_t max = l->max ? l->max : LINE_MAX_DEFAULT;
	l->len = 0;
	int c;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (l->len == max) {
			l->no++;
			return LINE_TOOLONG;
		}
		if (l->len + 1 >= l->cap) {
			size_t nc = l->cap ? l->cap * 2 : 256;
			if (nc > max + 1)
				nc = max + 1;
			char *nb = realloc(l->buf, nc);
			if (!nb)
				return LINE_NOMEM;
			l->buf = nb;
			l->cap = nc;
		}
		l->buf[l->len++] = (char)c;
	}
	if (c == EOF && ferror(f))
		return LINE_EIO;
	if (c == EOF && l->len == 0)
		return LINE_EOF;
	if (!l->buf) {
		l->buf = malloc(1);
		if (!l->buf)
			return LINE_NOMEM;
		l->cap = 1;
	}
	l->buf[l->len] = 0;
	l->no++;
	return LINE_OK;
}

void line_error(const struct line *l, int rc, char *err, size_t errlen)
{
	size_t max = l->max ? l->max : LINE_MAX_DEFAULT;
	if (rc == LINE_TOOLONG && max >= ((size_t)1 << 20) && max % ((size_t)1 << 20) == 0)
		snprintf(err, errlen, "line %llu longer than %zu MiB", l->no, max >> 20);
	else if (rc == LINE_TOOLONG)
		snprintf(err, errlen, "line %llu longer than %zu bytes", l->no, max);
	else if (rc == LINE_NOMEM)
		snprintf(err, errlen, "out of memory");
	else if (rc == LINE_EIO)
		snprintf(err, errlen, "%s", strerror(errno));
	else
		snprintf(err, errlen, "line %llu: unexpected end of file", l->no + 1);
}

void line_free(struct line *l)
{
	free(l->buf);
	memset(l, 0, sizeof *l);
}
