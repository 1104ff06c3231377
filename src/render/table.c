/*
 * table.c - TSV/CSV/JSON-lines row writer (see table.h for the contract).
 */
#include "render/table.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/digits.h"
#include "util/utf8.h"

static const char *const format_names[] = {
	[TABLE_TSV] = "tsv", [TABLE_CSV] = "csv", [TABLE_JSON] = "json", [TABLE_ZEEK] = "zeek",
	[TABLE_ZEEK_JSON] = "zeek-json",
};

int table_format_parse(const char *s)
{
	for (unsigned i = 0; i < sizeof format_names / sizeof *format_names; i++)
		if (strcmp(s, format_names[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * A row is assembled in t->buf and written with one fwrite at its end
 * (per-cell stdio calls, each taking the FILE lock, cost more than the
 * formatting); a row longer than the buffer is written in pieces.
 */
static void flush(struct table *t)
{
	if (t->len)
		fwrite(t->buf, 1, t->len, t->f);
	t->len = 0;
}

static void out_n(struct table *t, const char *s, size_t n)
{
	if (n > sizeof t->buf - t->len) {
		flush(t);
		if (n > sizeof t->buf) {
			fwrite(s, 1, n, t->f);
			return;
		}
	}
	memcpy(t->buf + t->len, s, n);
	t->len += (unsigned)n;
}

static void out_c(struct table *t, char c)
{
	if (t->len == sizeof t->buf)
		flush(t);
	t->buf[t->len++] = c;
}

static void out_s(struct table *t, const char *s) { out_n(t, s, strlen(s)); }

/* Zeek's #open/#close time: local-free "YYYY-MM-DD-HH-MM-SS" (UTC). */
static void zeek_time(int64_t ns, char *buf, size_t len)
{
	char iso[40];
	time_iso8601(ns, iso, sizeof iso);
	snprintf(buf, len, "%.10s-%.2s-%.2s-%.2s", iso, iso + 11, iso + 14, iso + 17);
}

/* Zeek's header (Zeek's logging/writers/ascii: the meta lines, then #fields and #types). */
static void put_zeek_header(struct table *t)
{
	char ts[40];
	zeek_time(t->zopen_ns, ts, sizeof ts);
	out_s(t, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t");
	out_s(t, t->zpath ? t->zpath : "-");
	out_s(t, "\n#open\t");
	out_s(t, ts);
	out_s(t, "\n#fields");
	for (unsigned i = 0; i < t->ncols; i++) {
		out_c(t, '\t');
		out_s(t, t->cols[i]);
	}
	out_s(t, "\n#types");
	for (unsigned i = 0; i < t->ncols; i++) {
		out_c(t, '\t');
		out_s(t, t->ztypes ? t->ztypes[i] : "string");
	}
	out_c(t, '\n');
	flush(t);
}

static void put_header(struct table *t)
{
	if (t->fmt == TABLE_ZEEK) {
		put_zeek_header(t);
		return;
	}
	if (t->fmt == TABLE_JSON || t->fmt == TABLE_ZEEK_JSON || !t->header)
		return;
	for (unsigned i = 0; i < t->ncols; i++) {
		if (i)
			out_c(t, t->fmt == TABLE_TSV ? '\t' : ',');
		out_s(t, t->cols[i]);
	}
	out_c(t, '\n');
	flush(t);
}

void table_init(struct table *t, FILE *f, enum table_format fmt,
		const char *const *cols, unsigned ncols, bool header)
{
	t->f = f;
	t->fmt = fmt;
	t->cols = cols;
	t->ncols = ncols;
	t->col = 0;
	t->header = header;
	t->started = false;
	t->len = 0;
	t->row_open = false;
	t->batch = false;
	t->zpath = NULL;
	t->ztypes = NULL;
	t->zopen_ns = 0;
}

void table_zeek(struct table *t, const char *path, const char *const *types, int64_t open_ns)
{
	t->zpath = path;
	t->ztypes = types;
	t->zopen_ns = open_ns;
}

void table_batch(struct table *t)
{
	t->batch = !isatty(fileno(t->f));  /* on a terminal each row shows as it ends */
}

void table_flush(struct table *t) { flush(t); }

void table_close(struct table *t, int64_t close_ns)
{
	char ts[40];
	flush(t);
	if (t->fmt != TABLE_ZEEK)
		return;
	table_begin(t);
	zeek_time(close_ns, ts, sizeof ts);
	out_s(t, "#close\t");
	out_s(t, ts);
	out_c(t, '\n');
	flush(t);
}

/* Escapes s as a JSON string with quotes into the row. */
static void put_json(struct table *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *q = (const unsigned char *)s;
	while (*q >= 0x20 && *q < 0x7f && *q != '"' && *q != '\\')
		q++;
	out_c(t, '"');
	if (!*q) {  /* nothing to escape: the common case */
		out_n(t, s, (size_t)(q - (const unsigned char *)s));
		out_c(t, '"');
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {  /* UTF-8 kept; an invalid byte (a file name in Latin-1) as \ufffd */
			size_t k = utf8_seq(p, strlen((const char *)p));
			if (k) {
				out_n(t, (const char *)p, k);
				p += k - 1;
			} else {
				out_s(t, "\\ufffd");
			}
			continue;
		}
		switch (*p) {
		case '"': out_s(t, "\\\""); break;
		case '\\': out_s(t, "\\\\"); break;
		case '\n': out_s(t, "\\n"); break;
		case '\r': out_s(t, "\\r"); break;
		case '\t': out_s(t, "\\t"); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				char u[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
				out_n(t, u, sizeof u);
			} else {
				out_c(t, (char)*p);
			}
		}
	}
	out_c(t, '"');
}

void json_put_string(FILE *f, const char *s)
{
	struct table t;
	table_init(&t, f, TABLE_JSON, NULL, 0, false);
	put_json(&t, s);
	flush(&t);
}

void table_begin(struct table *t)
{
	if (!t->started) {
		put_header(t);
		t->started = true;
	}
}

/* Starts a cell: separators, header on first use, JSON key. */
static void cell_begin(struct table *t)
{
	if (!t->started) {
		put_header(t);
		t->started = true;
	}
	if (t->fmt == TABLE_JSON || t->fmt == TABLE_ZEEK_JSON) {
		out_c(t, t->row_open ? ',' : '{');
		t->row_open = true;
		put_json(t, t->col < t->ncols ? t->cols[t->col] : "?");
		out_c(t, ':');
	} else if (t->col > 0) {
		out_c(t, t->fmt == TABLE_CSV ? ',' : '\t');
	}
}

static void cell_end(struct table *t) { t->col++; }

static void put_csv(struct table *t, const char *s)
{
	size_t n = strcspn(s, ",\"\r\n");
	if (!s[n]) {
		out_n(t, s, n);
		return;
	}
	out_c(t, '"');
	for (; *s; s++) {
		if (*s == '"')
			out_c(t, '"');
		out_c(t, *s);
	}
	out_c(t, '"');
}

/* Zeek's escaping: the separator, backslash and non-printable bytes as \xNN,
 * a lone "-" (the unset mark) as \x2d. */
static void put_zeek(struct table *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (!strcmp(s, "-")) {
		out_s(t, "\\x2d");
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\') {
			char e[4] = { '\\', 'x', hex[*p >> 4], hex[*p & 15] };
			out_n(t, e, 4);
		} else {
			out_c(t, (char)*p);
		}
	}
}

/* One pass: copies s, blanking tabs and line breaks, which TSV cannot hold. */
static void put_tsv(struct table *t, const char *s)
{
	if (!*s) {
		out_n(t, "(empty)", 7);
		return;
	}
	if (t->fmt == TABLE_ZEEK) {
		put_zeek(t, s);
		return;
	}
	for (; *s; s++) {
		if (t->len == sizeof t->buf)
			flush(t);
		char c = *s;
		t->buf[t->len++] = c == '\t' || c == '\n' || c == '\r' ? ' ' : c;
	}
}

void table_null(struct table *t)
{
	if (t->fmt == TABLE_ZEEK_JSON) {   /* Zeek's JSON leaves unset fields out */
		if (!t->started) {
			put_header(t);
			t->started = true;
		}
		cell_end(t);
		return;
	}
	cell_begin(t);
	if (t->fmt == TABLE_JSON)
		out_s(t, "null");
	else if (t->fmt == TABLE_TSV || t->fmt == TABLE_ZEEK)
		out_c(t, '-');
	cell_end(t);
}

void table_str(struct table *t, const char *s)
{
	if (!s) {
		table_null(t);
		return;
	}
	cell_begin(t);
	if (t->fmt == TABLE_JSON || t->fmt == TABLE_ZEEK_JSON)
		put_json(t, s);
	else if (t->fmt == TABLE_CSV)
		put_csv(t, s);
	else
		put_tsv(t, s);
	cell_end(t);
}

/*
 * A Zeek set or vector of strings: n == 0 is unset.  TABLE_ZEEK joins the
 * elements with the set separator ',' escaping a ',' inside one as \x2c
 * (and an empty element as "(empty)"), the JSON forms write an array, TSV
 * and CSV the elements joined by ','.
 */
void table_set(struct table *t, const char *const *v, unsigned n)
{
	if (!n) {
		table_null(t);
		return;
	}
	cell_begin(t);
	bool json = t->fmt == TABLE_JSON || t->fmt == TABLE_ZEEK_JSON;
	if (json)
		out_c(t, '[');
	for (unsigned i = 0; i < n; i++) {
		if (i)
			out_c(t, ',');
		if (json) {
			put_json(t, v[i]);
		} else if (t->fmt == TABLE_ZEEK) {
			const char *s = v[i], *c;
			if (!*s)
				out_s(t, "(empty)");
			for (; *s; s = c + 1) {   /* the pieces between commas, each escaped as a field */
				c = strchr(s, ',');
				char piece[256];
				size_t k = c ? (size_t)(c - s) : strlen(s);
				snprintf(piece, sizeof piece, "%.*s", (int)k, s);
				if (piece[0])
					put_zeek(t, piece);
				if (!c)
					break;
				out_s(t, "\\x2c");
			}
		} else {
			for (const char *s = v[i]; *s; s++)
				out_c(t, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
		}
	}
	if (json)
		out_c(t, ']');
	cell_end(t);
}

static void put_raw(struct table *t, const char *s, size_t n)
{
	cell_begin(t);
	out_n(t, s, n);
	cell_end(t);
}

void table_num_str(struct table *t, const char *s)
{
	if (t->fmt == TABLE_JSON || t->fmt == TABLE_ZEEK_JSON)
		put_raw(t, s, strlen(s));
	else
		table_str(t, s);
}

/* Writes v in decimal at the end of buf (which is >= 21 bytes); returns the start. */
static char *utoa_end(uint64_t v, char *end)
{
	*--end = 0;
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void table_u64(struct table *t, uint64_t v)
{
	char b[24], *p = utoa_end(v, b + sizeof b);
	put_raw(t, p, (size_t)(b + sizeof b - 1 - p));
}

/* Decimal digits of v: from its bit length (x 1233 / 4096 ~ log10 2), one comparison. */
static unsigned u64_digits(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
	};
	unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;  /* digits - 1 or digits - 0 */
	return t + 1 - (v < pow10[t]);
}

/* Counts the digits first, then writes them in place, two at a time: no copy. */
char *table_put_u64(char *p, uint64_t v)
{
	if (v < 10) {  /* packet counts, states: most numbers of a row of a short flow */
		*p = (char)('0' + v);
		return p + 1;
	}
	unsigned n = u64_digits(v), i = n;
	for (; v >= 100; v /= 100, i -= 2)
		put2(p + i - 2, (unsigned)(v % 100));
	if (v >= 10)
		put2(p + i - 2, (unsigned)v);
	else
		p[i - 1] = (char)('0' + v);
	return p + n;
}

/* The six digits of a microsecond fraction (0..999999) at p. */
static inline void put_frac6(char *p, unsigned frac)
{
	put2(p, frac / 10000);
	put2(p + 2, frac / 100 % 100);
	put2(p + 4, frac % 100);
}

char *table_put_ns(char *p, int64_t ns)
{
	uint64_t u = ns < 0 ? (uint64_t)(-(ns + 1)) + 1 : (uint64_t)ns;
	uint64_t us = (u + 500) / 1000, sec = us / 1000000, frac = us % 1000000;
	if (ns < 0)
		*p++ = '-';
	p = table_put_u64(p, sec);
	*p++ = '.';
	put_frac6(p, (unsigned)frac);
	return p + 6;
}

void table_ns(struct table *t, int64_t ns)
{
	char b[32];
	put_raw(t, b, (size_t)(table_put_ns(b, ns) - b));
}

void table_i64(struct table *t, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof b, "%" PRId64, v);
	put_raw(t, b, (size_t)n);
}

void table_f64(struct table *t, double v, int decimals)
{
	if (!isfinite(v)) {  /* JSON has no NaN or infinity */
		table_null(t);
		return;
	}
	char b[64];
	snprintf(b, sizeof b, "%.*f", decimals, v);
	put_raw(t, b, strlen(b));
}

void table_bool(struct table *t, bool v)
{
	if (t->fmt == TABLE_JSON || t->fmt == TABLE_ZEEK_JSON)
		put_raw(t, v ? "true" : "false", v ? 4 : 5);
	else
		put_raw(t, v ? "T" : "F", 1);
}

/* A row has ended: written now, or when the batch buffer is nearly full. */
static void row_done(struct table *t)
{
	if (!t->batch || t->len > sizeof t->buf - 1024)
		flush(t);
}

void table_end_row(struct table *t)
{
	if (t->fmt == TABLE_JSON || t->fmt == TABLE_ZEEK_JSON)
		out_s(t, t->row_open ? "}" : "{}");
	out_c(t, '\n');
	row_done(t);
	t->col = 0;
	t->row_open = false;
}

char *table_row_begin(struct table *t, size_t max)
{
	table_begin(t);
	if (max > sizeof t->buf - t->len)
		flush(t);
	return t->buf + t->len;
}

void table_row_end(struct table *t, char *end)
{
	t->len = (unsigned)(end - t->buf);
	row_done(t);
}

/*
 * Civil date of a day count since 1970-01-01 (proleptic Gregorian), by
 * eras of 400 years (146097 days) as in Howard Hinnant's date algorithms.
 */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;  /* days from 0000-03-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/*
 * Formats without gmtime/strftime (per row they cost more than the rest of
 * the row): the date by arithmetic, cached per day, and the time of day
 * cached per second (a thread's copy: the reader writes rows).  Years outside
 * 0000-9999 print as seconds since the epoch.
 */
void time_iso8601(int64_t ts_ns, char *buf, size_t len)
{
	static _Thread_local int64_t cached_day = INT64_MIN, cached_sec = INT64_MIN;
	static _Thread_local char cached[20];  /* "YYYY-MM-DDTHH:MM:SS." */
	static _Thread_local int64_t sec_ns = INT64_MAX;  /* the cached second's start in ns */
	uint64_t in_sec = (uint64_t)ts_ns - (uint64_t)sec_ns;   /* unsigned: no overflow */
	if (len >= 28 && ts_ns >= sec_ns && in_sec < 1000000000) {  /* no division */
		memcpy(buf, cached, 20);
		put_frac6(buf + 20, (unsigned)(in_sec / 1000));
		buf[26] = 'Z';
		buf[27] = 0;
		return;
	}
	int64_t sec = ts_ns / 1000000000, ns = ts_ns % 1000000000;
	if (ns < 0) {
		ns += 1000000000;
		sec--;
	}
	int64_t day = sec / 86400, sod = sec % 86400;
	if (sod < 0) {
		sod += 86400;
		day--;
	}
	if (day != cached_day) {
		int64_t y;
		unsigned m, d;
		civil_from_days(day, &y, &m, &d);
		if (y < 0 || y > 9999) {
			snprintf(buf, len, "%" PRId64 ".%09" PRId64, sec, ns);
			return;
		}
		put2(cached, (unsigned)(y / 100));
		put2(cached + 2, (unsigned)(y % 100));
		cached[4] = '-';
		put2(cached + 5, m);
		cached[7] = '-';
		put2(cached + 8, d);
		cached[10] = 'T';
		cached_day = day;
		cached_sec = INT64_MIN;  /* the time of day too */
		sec_ns = INT64_MAX;
	}
	if (len < 28) {  /* too small for the time: an empty string, never a cut one */
		if (len)
			buf[0] = 0;
		return;
	}
	if (sec != cached_sec) {  /* rows come in time order: most share their second */
		put2(cached + 11, (unsigned)(sod / 3600));
		cached[13] = ':';
		put2(cached + 14, (unsigned)(sod / 60 % 60));
		cached[16] = ':';
		put2(cached + 17, (unsigned)(sod % 60));
		cached[19] = '.';
		cached_sec = sec;
		sec_ns = ts_ns >= INT64_MIN + 1000000000 ? ts_ns - ns : INT64_MAX;  /* no overflow */
	}
	memcpy(buf, cached, 20);
	put_frac6(buf + 20, (unsigned)(ns / 1000));
	buf[26] = 'Z';
	buf[27] = 0;
}
