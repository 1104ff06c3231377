/*
 * text.c - line-oriented reports: plain text (one event per line) and the
 * MalBehavD-V1 CSV (one report per row), plus the line reader they share
 * with mist.c.
 *
 * Plain text: each non-empty line, trimmed, is one event; lines starting
 * with '#' are comments.  MalBehavD-V1 (Maniriho et al., 2022): a header
 * "sha256,labels,0,1,..." then rows "sha256,label,api,api,...,,," with
 * label 0 = benign, 1 = malicious; each row becomes a report named by its
 * sha256.  Fields are unquoted API names; empty fields are padding.
 * Neither carries arguments, so an argument level above 1 (--level 2/3)
 * is an error here rather than silently the same as level 1.
 */
#include <string.h>

#include "behavior/behavior.h"
#include "behavior/lines.h"

/* Reads one line into buf (cut at cap-1 bytes, the rest consumed).
 * Returns its length, or -1 at end of input (-2 on a read error). */
long bh_src_line(struct bh_src *s, char *buf, size_t cap, bool *cut)
{
	size_t len = 0;
	bool any = false;
	*cut = false;
	for (;;) {
		if (s->p == s->end) {
			int rc = s->fill ? s->fill(s) : 0;
			if (rc < 0)
				return -2;
			if (rc == 0)
				break;
		}
		any = true;
		const uint8_t *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
		size_t n = nl ? (size_t)(nl - s->p) : (size_t)(s->end - s->p);
		size_t take = n < cap - 1 - len ? n : cap - 1 - len;
		if (take < n)
			*cut = true;
		memcpy(buf + len, s->p, take);
		len += take;
		s->p += n;
		if (nl) {
			s->p++;
			break;
		}
	}
	if (!any)
		return -1;
	if (len && buf[len - 1] == '\r')
		len--;
	buf[len] = 0;
	return (long)len;
}

/* Text and CSV events carry no arguments: an argument level above 1 is refused, not ignored. */
static int no_level(const struct bh_parse_opts *o, const char *what, char *err, size_t errlen)
{
	if (o->level <= 1)
		return 0;
	snprintf(err, errlen, "argument level %u does not apply to %s (events without arguments); use level 1",
		 o->level, what);
	return -1;
}

int bh_parse_text(struct bh_src *s, const struct bh_parse_opts *o, const struct bh_sink *k,
		  char *err, size_t errlen)
{
	if (no_level(o, "text reports", err, errlen))
		return -1;
	char line[1024];
	bool cut;
	long n;
	while ((n = bh_src_line(s, line, sizeof line, &cut)) >= 0) {
		char *a = line, *e = line + n;
		while (a < e && (*a == ' ' || *a == '\t'))
			a++;
		while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (a == e || *a == '#')
			continue;
		k->event(k->ctx, a, (size_t)(e - a));
	}
	if (n == -2) {
		snprintf(err, errlen, "offset %llu: %s", (unsigned long long)bh_src_off(s), s->err);
		return -1;
	}
	return 0;
}

/* Reads one CSV field; returns its terminator ',' '\n' or -1 at end. */
static int field(struct bh_src *s, char *buf, size_t cap, size_t *len)
{
	*len = 0;
	for (;;) {
		int c = bh_src_get(s);
		if (c < 0 || c == ',' || c == '\n') {
			if (*len && buf[*len - 1] == '\r')
				(*len)--;
			buf[*len] = 0;
			return c < 0 ? (c == -2 ? -2 : -1) : c;
		}
		if (*len + 1 < cap)
			buf[(*len)++] = (char)c;
	}
}

int bh_parse_csv(struct bh_src *s, const struct bh_parse_opts *o, const struct bh_sink *k,
		 char *err, size_t errlen)
{
	char f[512], name[160];
	size_t len;
	unsigned long long line = 1;
	int t;
	if (no_level(o, "MalBehavD-V1 CSV", err, errlen))
		return -1;
	if ((t = field(s, f, sizeof f, &len)) < 0 || strcmp(f, "sha256") ||
	    (t = field(s, f, sizeof f, &len)) < 0 || strcmp(f, "labels")) {
		snprintf(err, errlen, "line 1: not a MalBehavD-V1 CSV (expected header 'sha256,labels,...')");
		return -1;
	}
	while (t == ',')
		t = field(s, f, sizeof f, &len);
	while (t == '\n') {
		line++;
		t = field(s, name, sizeof name, &len);
		if (t < 0 && !len)
			break;
		if (!len) {
			if (t == '\n')
				continue;
			snprintf(err, errlen, "line %llu, column 1: empty sample name", line);
			return -1;
		}
		if (t != ',' || (t = field(s, f, sizeof f, &len)) < 0 || !len) {
			snprintf(err, errlen, "line %llu: missing label after '%s'", line, name);
			return -1;
		}
		k->row(k->ctx, name, !strcmp(f, "0") ? "benign" : !strcmp(f, "1") ? "malicious" : f);
		while (t == ',') {
			t = field(s, f, sizeof f, &len);
			if (len)
				k->event(k->ctx, f, len);
		}
	}
	if (t == -2) {
		snprintf(err, errlen, "offset %llu: %s", (unsigned long long)bh_src_off(s), s->err);
		return -1;
	}
	return 0;
}
