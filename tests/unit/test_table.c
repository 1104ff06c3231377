/*
 * test_table.c - TSV/CSV/JSON-lines/Zeek-log output and time formatting
 * (src/render/table.c).
 *
 * Rows are written to a memory stream and compared byte for byte; every
 * JSON line is also parsed back with json-c and its keys and values
 * checked, so escaping is judged by a real parser, not by eye.
 */
#include "harness.h"
#include "util/utf8.h"
#include "render/table.h"

#include <json-c/json.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const COLS[] = { "name", "count", "delta", "ok", "note" };
#define NCOLS 5

static char *mem;
static size_t memlen;
static FILE *out;

static void open_out(void)
{
	free(mem);
	mem = NULL;
	memlen = 0;
	out = open_memstream(&mem, &memlen);
}

static const char *close_out(void)
{
	fclose(out);
	out = NULL;
	return mem;
}

/* Writes the same three rows in fmt. */
static const char *three_rows(enum table_format fmt, bool header)
{
	struct table t;
	open_out();
	table_init(&t, out, fmt, COLS, NCOLS, header);
	table_str(&t, "plain");
	table_u64(&t, 18446744073709551615ull);
	table_i64(&t, -42);
	table_bool(&t, true);
	table_str(&t, NULL);
	table_end_row(&t);

	table_str(&t, "a,b \"q\"\tc\nd\re");
	table_u64(&t, 0);
	table_f64(&t, 1.5, 3);
	table_bool(&t, false);
	table_null(&t);
	table_end_row(&t);

	table_str(&t, "");
	table_i64(&t, INT64_MIN);
	table_f64(&t, -0.25, 2);
	table_bool(&t, true);
	table_str(&t, "ctl\x01\x1f\x7f\\/é");
	table_end_row(&t);
	return close_out();
}

static void test_tsv(void)
{
	TEST("tsv");
	CHECK_STR(three_rows(TABLE_TSV, true),
		  "name\tcount\tdelta\tok\tnote\n"
		  "plain\t18446744073709551615\t-42\tT\t-\n"
		  "a,b \"q\" c d e\t0\t1.500\tF\t-\n"
		  "(empty)\t-9223372036854775808\t-0.25\tT\tctl\x01\x1f\x7f\\/é\n");
	TEST("tsv-no-header");
	CHECK_STR(three_rows(TABLE_TSV, false),
		  "plain\t18446744073709551615\t-42\tT\t-\n"
		  "a,b \"q\" c d e\t0\t1.500\tF\t-\n"
		  "(empty)\t-9223372036854775808\t-0.25\tT\tctl\x01\x1f\x7f\\/é\n");
}

static void test_csv(void)
{
	TEST("csv");
	CHECK_STR(three_rows(TABLE_CSV, true),
		  "name,count,delta,ok,note\n"
		  "plain,18446744073709551615,-42,T,\n"
		  "\"a,b \"\"q\"\"\tc\nd\re\",0,1.500,F,\n"
		  ",-9223372036854775808,-0.25,T,ctl\x01\x1f\x7f\\/é\n");
	TEST("csv-quoting");
	struct table t;
	const char *one[] = { "x" };
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "simple", "simple\n" },       { "with,comma", "\"with,comma\"\n" },
		{ "\"", "\"\"\"\"\n" },           { "line\nbreak", "\"line\nbreak\"\n" },
		{ "cr\r", "\"cr\r\"\n" },        { " spaced ", " spaced \n" },
		{ "tab\there", "tab\there\n" },
	};
	for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
		open_out();
		table_init(&t, out, TABLE_CSV, one, 1, false);
		table_str(&t, cases[i].in);
		table_end_row(&t);
		CHECK_STR(close_out(), cases[i].want);
	}
}

/* Parses each line of s as JSON; checks it is an object with exactly COLS as keys. */
static struct json_object *rows[8];
static unsigned nrows;

static void parse_lines(const char *s)
{
	for (unsigned i = 0; i < nrows; i++)
		json_object_put(rows[i]);
	nrows = 0;
	char *copy = strdup(s), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line && nrows < 8; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line);
		CHECK(o != NULL);
		if (!o) {
			fprintf(stderr, "  unparsable JSON line: %s\n", line);
			continue;
		}
		CHECK(json_object_is_type(o, json_type_object));
		rows[nrows++] = o;
	}
	free(copy);
}

static struct json_object *get(unsigned row, const char *key)
{
	struct json_object *v = NULL;
	if (row >= nrows || !json_object_object_get_ex(rows[row], key, &v))
		return NULL;
	return v;
}

static bool has_key(unsigned row, const char *key)
{
	struct json_object *v;
	return row < nrows && json_object_object_get_ex(rows[row], key, &v);
}

static void test_json(void)
{
	TEST("json");
	const char *s = three_rows(TABLE_JSON, true);  /* header ignored in JSON */
	CHECK(strncmp(s, "{\"name\":\"plain\",", 16) == 0);
	CHECK(strstr(s, "\"note\":null}\n") != NULL);
	CHECK(strstr(s, "\\u0001\\u001f\\u007f") != NULL);
	parse_lines(s);
	CHECK_EQ_U(nrows, 3);
	for (unsigned r = 0; r < nrows; r++) {
		CHECK_EQ_U(json_object_object_length(rows[r]), NCOLS);
		for (unsigned c = 0; c < NCOLS; c++)
			CHECK(has_key(r, COLS[c]));
	}
	if (nrows != 3)
		return;
	CHECK_STR(json_object_get_string(get(0, "name")), "plain");
	CHECK(json_object_is_type(get(0, "count"), json_type_int));
	CHECK_EQ_U(json_object_get_uint64(get(0, "count")), 18446744073709551615ull);
	CHECK(json_object_get_int64(get(0, "delta")) == -42);
	CHECK(json_object_is_type(get(0, "ok"), json_type_boolean));
	CHECK(json_object_get_boolean(get(0, "ok")));
	CHECK(get(0, "note") == NULL && has_key(0, "note"));  /* null */

	/* the string comes back exactly as given */
	CHECK_STR(json_object_get_string(get(1, "name")), "a,b \"q\"\tc\nd\re");
	CHECK(json_object_is_type(get(1, "delta"), json_type_double));
	CHECK(json_object_get_double(get(1, "delta")) == 1.5);
	CHECK(!json_object_get_boolean(get(1, "ok")));
	CHECK(get(1, "note") == NULL && has_key(1, "note"));

	CHECK_STR(json_object_get_string(get(2, "name")), "");
	CHECK(json_object_get_int64(get(2, "count")) == INT64_MIN);
	CHECK_STR(json_object_get_string(get(2, "note")), "ctl\x01\x1f\x7f\\/é");

	TEST("json-empty-row");
	struct table t;
	open_out();
	table_init(&t, out, TABLE_JSON, COLS, NCOLS, true);
	table_end_row(&t);
	CHECK_STR(close_out(), "{}\n");

	TEST("json-key-escaping");
	static const char *const odd[] = { "a\"b", "c\\d", "e\nf" };
	open_out();
	table_init(&t, out, TABLE_JSON, odd, 3, true);
	table_u64(&t, 1);
	table_u64(&t, 2);
	table_u64(&t, 3);
	table_end_row(&t);
	parse_lines(close_out());
	CHECK_EQ_U(nrows, 1);
	CHECK(json_object_get_int(get(0, "a\"b")) == 1);
	CHECK(json_object_get_int(get(0, "c\\d")) == 2);
	CHECK(json_object_get_int(get(0, "e\nf")) == 3);

	TEST("json-put-string");
	open_out();
	json_put_string(out, "\"\\\b\f\n\r\t\x1b");
	CHECK_STR(close_out(), "\"\\\"\\\\\\u0008\\u000c\\n\\r\\t\\u001b\"");
	open_out();
	json_put_string(out, "");
	CHECK_STR(close_out(), "\"\"");

	/* not UTF-8 (a Latin-1 file name, overlong, surrogate, cut): each bad byte is \ufffd */
	TEST("json-put-string-utf8");
	open_out();
	json_put_string(out, "caf\xe9.pcap");
	CHECK_STR(close_out(), "\"caf\\ufffd.pcap\"");
	open_out();
	json_put_string(out, "\xc0\xaf|\xed\xa0\x80|\xe2\x82");
	CHECK_STR(close_out(), "\"\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\"");
	open_out();
	json_put_string(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");  /* valid: kept as is */
	CHECK_STR(close_out(), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	char *fixed = utf8_fix("a\xff" "b");
	CHECK_STR(fixed, "a\xef\xbf\xbd" "b");
	free(fixed);
	CHECK(utf8_valid("caf\xc3\xa9") && !utf8_valid("caf\xe9") && !utf8_valid("\xf4\x90\x80\x80"));
}

/*
 * Non-finite numbers: JSON has no NaN or Infinity, so a row holding one
 * must still parse (null is the only faithful encoding).  See the report:
 * table_f64 prints "nan"/"inf" verbatim.
 */
static void test_json_nonfinite(void)
{
	TEST("json-nonfinite");
	struct table t;
	static const char *const cols[] = { "rate", "ratio" };
	open_out();
	table_init(&t, out, TABLE_JSON, cols, 2, false);
	table_f64(&t, NAN, 3);
	table_f64(&t, INFINITY, 3);
	table_end_row(&t);
	parse_lines(close_out());
	CHECK_EQ_U(nrows, 1);
}

/* Zeek's ASCII log: meta header, escaping of tab, backslash, control bytes and a lone "-". */
static void test_zeek(void)
{
	static const char *const types[] = { "string", "count", "bool", "string", "string" };
	struct table t;
	TEST("zeek");
	open_out();
	table_init(&t, out, TABLE_ZEEK, COLS, NCOLS, false);
	table_zeek(&t, "test", types, 1000000000000000000);
	table_str(&t, "a\tb\\c\x01");
	table_u64(&t, 7);
	table_bool(&t, true);
	table_str(&t, "-");
	table_str(&t, "");
	table_end_row(&t);
	table_null(&t);
	table_u64(&t, 0);
	table_bool(&t, false);
	table_str(&t, NULL);
	table_str(&t, "x y");
	table_end_row(&t);
	table_close(&t, 1000000061000000000);
	CHECK_STR(close_out(),
		  "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
		  "#path\ttest\n#open\t2001-09-09-01-46-40\n"
		  "#fields\tname\tcount\tdelta\tok\tnote\n#types\tstring\tcount\tbool\tstring\tstring\n"
		  "a\\x09b\\x5cc\\x01\t7\tT\t\\x2d\t(empty)\n"
		  "-\t0\tF\t-\tx y\n"
		  "#close\t2001-09-09-01-47-41\n");
	TEST("zeek-json");
	open_out();
	table_init(&t, out, TABLE_ZEEK_JSON, COLS, NCOLS, true);
	table_num_str(&t, "1.500000");
	table_null(&t);
	table_bool(&t, true);
	table_str(&t, "a\"b");
	table_null(&t);
	table_end_row(&t);
	table_null(&t);
	table_null(&t);
	table_null(&t);
	table_null(&t);
	table_null(&t);
	table_end_row(&t);
	table_close(&t, 0);
	CHECK_STR(close_out(), "{\"name\":1.500000,\"delta\":true,\"ok\":\"a\\\"b\"}\n{}\n");
	TEST("zeek-empty");
	open_out();
	table_init(&t, out, TABLE_ZEEK, COLS, NCOLS, false);
	table_zeek(&t, "e", types, 0);
	table_close(&t, 0);
	CHECK(strstr(close_out(), "#path\te\n#open\t1970-01-01-00-00-00\n#fields") != NULL);
	CHECK(strstr(mem, "#close\t1970-01-01-00-00-00\n") != NULL);
}

static void test_formats(void)
{
	TEST("format-parse");
	CHECK(table_format_parse("tsv") == TABLE_TSV);
	CHECK(table_format_parse("csv") == TABLE_CSV);
	CHECK(table_format_parse("json") == TABLE_JSON);
	CHECK(table_format_parse("zeek") == TABLE_ZEEK);
	CHECK(table_format_parse("zeek-json") == TABLE_ZEEK_JSON);
	CHECK(table_format_parse("JSON") == -1);
	CHECK(table_format_parse("") == -1);
	CHECK(table_format_parse("xml") == -1);
}

static void test_time(void)
{
	TEST("time-iso8601");
	char b[64];
	static const struct {
		int64_t ns;
		const char *want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000000Z" },
		{ 1207051200000123000LL, "2008-04-01T12:00:00.000123Z" },
		{ 1207051200000123999LL, "2008-04-01T12:00:00.000123Z" },  /* truncated, not rounded */
		{ 1700000000999999999LL, "2023-11-14T22:13:20.999999Z" },
		{ 951782400000000000LL, "2000-02-29T00:00:00.000000Z" },
		{ 4102444799000001000LL, "2099-12-31T23:59:59.000001Z" },
		{ -1, "1969-12-31T23:59:59.999999Z" },
		{ -1000000000LL, "1969-12-31T23:59:59.000000Z" },
		{ -1500000000LL, "1969-12-31T23:59:58.500000Z" },
	};
	for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
		memset(b, 'x', sizeof b);
		time_iso8601(cases[i].ns, b, sizeof b);
		CHECK_STR(b, cases[i].want);
	}
	/* a short buffer gets an empty string (never a cut, misleading time), never overrun */
	char small[11];
	small[10] = 'z';
	time_iso8601(0, small, 10);
	CHECK_STR(small, "");
	CHECK(small[10] == 'z');
	/* against gmtime_r + strftime, every day from 1900 to 2200 at a varying time of day */
	unsigned bad = 0;
	for (int64_t sec = -2208988800LL, k = 0; sec < 7258118400LL; sec += 86400 + 3599, k++) {
		time_t tt = (time_t)sec;
		struct tm tm;
		char want[64];
		gmtime_r(&tt, &tm);
		size_t n = strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want + n, sizeof want - n, ".%06dZ", (int)(k % 1000000));
		time_iso8601(sec * 1000000000 + (k % 1000000) * 1000, b, sizeof b);
		bad += strcmp(b, want) != 0;
	}
	CHECK(bad == 0);
	/* rows in (nearly) time order: many in one second, steps back, across midnight and 1970 */
	bad = 0;
	for (int64_t base = -86400LL * 1000000000, k = 0; k < 20000; k++) {
		int64_t ts = base + k * 37000123LL - (k % 7 == 3 ? 2000000000LL : 0) + (k > 10000 ? 86400000000000LL : 0);
		int64_t sec = ts >= 0 ? ts / 1000000000 : -((-ts - 1) / 1000000000) - 1;
		time_t tt = (time_t)sec;
		struct tm tm;
		char want[64];
		gmtime_r(&tt, &tm);
		size_t n = strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want + n, sizeof want - n, ".%06dZ", (int)((ts - sec * 1000000000) / 1000));
		time_iso8601(ts, b, sizeof b);
		bad += strcmp(b, want) != 0;
	}
	CHECK(bad == 0);
	/* extremes do not crash and produce text */
	time_iso8601(INT64_MAX, b, sizeof b);
	CHECK(b[0] != 0);
	time_iso8601(INT64_MIN, b, sizeof b);
	CHECK(b[0] != 0);
	time_iso8601(INT64_MIN + 1, b, sizeof b);   /* the second cached after an extreme */
	CHECK(b[0] != 0);
	time_iso8601(INT64_MAX, b, sizeof b);
	CHECK(b[0] != 0);
	time_iso8601(0, b, sizeof b);
	CHECK_STR(b, "1970-01-01T00:00:00.000000Z");
}

/* The row writers' numbers against printf: every digit count, the edges, negatives. */
static void test_put_numbers(void)
{
	char b[64], want[64];
	unsigned bad = 0;
	uint64_t v = 0;
	for (int k = 0; k < 2000; k++) {
		uint64_t xs[4] = { v, v - 1, v + 1, v * 7 + 3 };
		for (int j = 0; j < 4; j++) {
			char *e = table_put_u64(b, xs[j]);
			*e = 0;
			snprintf(want, sizeof want, "%" PRIu64, xs[j]);
			bad += strcmp(b, want) != 0;
		}
		v = k < 30 ? (v ? v * 10 : 1) : v * 6364136223846793005ull + 1442695040888963407ull;
	}
	CHECK(bad == 0);
	char *e = table_put_u64(b, UINT64_MAX);
	*e = 0;
	CHECK_STR(b, "18446744073709551615");
	e = table_put_u64(b, 10000000000000000000ull);
	*e = 0;
	CHECK_STR(b, "10000000000000000000");
	static const struct { int64_t ns; const char *want; } ns[] = {
		{ 0, "0.000000" }, { 499, "0.000000" }, { 500, "0.000001" }, { 1234567890, "1.234568" },
		{ 999999500, "1.000000" }, { 86400000000000LL, "86400.000000" },
		{ -1, "-0.000000" }, { -1500, "-0.000002" }, { -2000000001LL, "-2.000000" },
	};
	for (unsigned i = 0; i < sizeof ns / sizeof *ns; i++) {
		e = table_put_ns(b, ns[i].ns);
		*e = 0;
		CHECK_STR(b, ns[i].want);
	}
}

int main(void)
{
	test_put_numbers();
	test_tsv();
	test_csv();
	test_json();
	test_json_nonfinite();
	test_zeek();
	test_formats();
	test_time();
	for (unsigned i = 0; i < nrows; i++)
		json_object_put(rows[i]);
	free(mem);
	return harness_report("table");
}
