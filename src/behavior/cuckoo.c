/*
 * cuckoo.c - Cuckoo and CAPEv2 JSON reports to behavior events, streamed.
 *
 * Follows the Cuckoo Sandbox report layout (reporting/jsondump.py):
 *   { "behavior": { "processes": [ { "calls": [ { "api": "NtOpenFile",
 *       "category": "filesystem", "arguments": [ {"name":..,"value":..} ]
 *       or { "Name": value, ... } } ] } ], "summary": { "api_calls": [
 *       { "name": .., "count": .. } ] } },           <- CAPE reduced reports
 *     "network": { "udp": [ {"dport": 53} ], "tcp": [..], "dns": [..] } }
 * JSON itself per RFC 8259.
 *
 * The document is never built as a tree: a recursive-descent scanner pulls
 * bytes from a struct bh_src (refilled window by window) and keeps only the
 * fields of the call being read, each truncated to a bounded length, so a
 * report of hundreds of MB needs a few KB.  Nesting is capped (JP_DEPTH) so
 * hostile input cannot exhaust the stack.  Lines are counted in whitespace
 * (raw newlines cannot occur elsewhere in valid JSON) for error positions.
 *
 * Events, by level: 1 "api"; 2 "api first-argument"; 3+ "api all-arguments";
 * argument values are abstracted (digit runs -> 0, lowercased, cut at 48).
 * A report without calls (CAPE reduced) yields its summary api_calls names.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"

#define JP_DEPTH 256
#define JP_FIELD 256

struct jp {
	struct bh_src *s;
	const struct bh_parse_opts *o;
	const struct bh_sink *k;
	uint64_t line, line_off;
	char *err;
	size_t errlen;
	bool failed;
	size_t ncalls;
	char *summ;          /* summary api_calls names, NUL-separated */
	size_t summ_len, summ_cap;
};

static bool fail(struct jp *j, const char *what)
{
	if (!j->failed) {
		uint64_t off = bh_src_off(j->s);
		if (j->s->err[0])
			snprintf(j->err, j->errlen, "offset %llu: %s", (unsigned long long)off, j->s->err);
		else
			snprintf(j->err, j->errlen, "line %llu, column %llu (offset %llu): %s",
				 (unsigned long long)j->line, (unsigned long long)(off - j->line_off + 1),
				 (unsigned long long)off, what);
	}
	j->failed = true;
	return false;
}

static int ws(struct jp *j)
{
	for (;;) {
		int c = bh_src_peek(j->s);
		if (c == '\n') {
			j->s->p++;
			j->line++;
			j->line_off = bh_src_off(j->s);
		} else if (c == ' ' || c == '\t' || c == '\r') {
			j->s->p++;
		} else {
			return c;
		}
	}
}

static bool expect(struct jp *j, int want, const char *what)
{
	if (ws(j) != want)
		return fail(j, what);
	j->s->p++;
	return true;
}

static void put(char *out, size_t cap, size_t *len, int c)
{
	if (out && *len + 1 < cap)
		out[(*len)++] = (char)c;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads a string (after ws); keeps at most cap-1 bytes in out (NUL-terminated). */
static bool str(struct jp *j, char *out, size_t cap, size_t *lenp)
{
	size_t len = 0;
	if (!expect(j, '"', "expected a string"))
		return false;
	for (;;) {
		int c = bh_src_get(j->s);
		if (c < 0)
			return fail(j, "unterminated string");
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(j, "control character in string");
		if (c == '\\') {
			c = bh_src_get(j->s);
			switch (c) {
			case '"': case '\\': case '/': put(out, cap, &len, c); break;
			case 'b': case 'f': case 'n': case 'r': case 't': put(out, cap, &len, ' '); break;
			case 'u': {
				unsigned v = 0;
				for (int i = 0; i < 4; i++) {
					int h = hexval(bh_src_get(j->s));
					if (h < 0)
						return fail(j, "invalid \\u escape");
					v = v << 4 | (unsigned)h;
				}
				put(out, cap, &len, v < 0x80 && v >= 0x20 ? (int)v : '?');
				break;
			}
			default:
				return fail(j, "invalid escape in string");
			}
			continue;
		}
		put(out, cap, &len, c);
	}
	if (out)
		out[len] = 0;
	if (lenp)
		*lenp = len;
	return true;
}

/* A string, number or literal as text. */
static bool scalar(struct jp *j, char *out, size_t cap)
{
	int c = ws(j);
	if (c == '"')
		return str(j, out, cap, NULL);
	size_t len = 0, seen = 0;
	while (c >= 0 && (isalnum(c) || c == '-' || c == '+' || c == '.')) {
		put(out, cap, &len, c);
		seen++;
		j->s->p++;
		c = bh_src_peek(j->s);
	}
	if (!seen)
		return fail(j, "expected a value");
	if (out)
		out[len] = 0;
	return true;
}

static bool skip(struct jp *j, int depth);

/* Iterates an object: calls fn for each key with the scanner at its value. */
typedef bool (*member_fn)(struct jp *j, const char *key, void *arg, int depth);

static bool object(struct jp *j, member_fn fn, void *arg, int depth)
{
	char key[64];
	if (depth > JP_DEPTH)
		return fail(j, "nesting too deep");
	if (!expect(j, '{', "expected '{'"))
		return false;
	if (ws(j) == '}') {
		j->s->p++;
		return true;
	}
	for (;;) {
		if (!str(j, key, sizeof key, NULL) || !expect(j, ':', "expected ':' after key"))
			return false;
		if (!(fn ? fn(j, key, arg, depth + 1) : skip(j, depth + 1)))
			return false;
		int c = ws(j);
		j->s->p += c == ',' || c == '}';
		if (c == '}')
			return true;
		if (c != ',')
			return fail(j, c < 0 ? "unexpected end of input in object" : "expected ',' or '}' in object");
	}
}

typedef bool (*elem_fn)(struct jp *j, void *arg, int depth);

static bool array(struct jp *j, elem_fn fn, void *arg, int depth)
{
	if (depth > JP_DEPTH)
		return fail(j, "nesting too deep");
	if (!expect(j, '[', "expected '['"))
		return false;
	if (ws(j) == ']') {
		j->s->p++;
		return true;
	}
	for (;;) {
		if (!(fn ? fn(j, arg, depth + 1) : skip(j, depth + 1)))
			return false;
		int c = ws(j);
		j->s->p += c == ',' || c == ']';
		if (c == ']')
			return true;
		if (c != ',')
			return fail(j, c < 0 ? "unexpected end of input in array" : "expected ',' or ']' in array");
	}
}

static bool skip(struct jp *j, int depth)
{
	int c = ws(j);
	if (c == '{')
		return object(j, NULL, NULL, depth);
	if (c == '[')
		return array(j, NULL, NULL, depth);
	return scalar(j, NULL, 0);
}

/* Only the expected container type is walked; anything else is skipped. */
static bool obj_or_skip(struct jp *j, member_fn fn, void *arg, int depth)
{
	return ws(j) == '{' ? object(j, fn, arg, depth) : skip(j, depth);
}

static bool arr_or_skip(struct jp *j, elem_fn fn, void *arg, int depth)
{
	return ws(j) == '[' ? array(j, fn, arg, depth) : skip(j, depth);
}

/* ---- calls ---- */
struct call {
	char api[JP_FIELD], cat[64], args[JP_FIELD * 2];
	size_t alen;
	unsigned nargs;
};

static void add_arg(struct jp *j, struct call *c, const char *v)
{
	unsigned want = j->o->level <= 1 ? 0 : j->o->level == 2 ? 1 : 64;
	if (c->nargs++ >= want)
		return;
	size_t room = sizeof c->args - c->alen;
	if (room < 4)
		return;
	c->args[c->alen++] = ' ';
	size_t n = 0;
	bool digits = false;
	for (const char *p = v; *p && n < 48 && c->alen + 1 < sizeof c->args; p++) {
		int ch = (unsigned char)*p;
		if (isdigit(ch)) {
			if (digits)
				continue;
			digits = true;
			ch = '0';
		} else {
			digits = false;
			ch = isspace(ch) ? '_' : tolower(ch);
		}
		c->args[c->alen++] = (char)ch;
		n++;
	}
	c->args[c->alen] = 0;
}

static bool arg_member(struct jp *j, const char *key, void *arg, int depth)
{
	char v[JP_FIELD];
	struct call *c = arg;
	if (!strcmp(key, "value")) {
		int ch = ws(j);
		if (ch == '{' || ch == '[')
			return skip(j, depth);
		if (!scalar(j, v, sizeof v))
			return false;
		add_arg(j, c, v);
		return true;
	}
	return skip(j, depth);
}

static bool arg_elem(struct jp *j, void *arg, int depth)
{
	return obj_or_skip(j, arg_member, arg, depth);
}

/* "arguments": { "Name": value } (Cuckoo 2) */
static bool arg_kv(struct jp *j, const char *key, void *arg, int depth)
{
	return arg_member(j, "value", arg, depth);
}

static bool call_member(struct jp *j, const char *key, void *arg, int depth)
{
	struct call *c = arg;
	if (!strcmp(key, "api"))
		return scalar(j, c->api, sizeof c->api);
	if (!strcmp(key, "category"))
		return scalar(j, c->cat, sizeof c->cat);
	if (!strcmp(key, "arguments")) {
		int ch = ws(j);
		if (ch == '[')
			return array(j, arg_elem, c, depth);
		if (ch == '{')
			return object(j, arg_kv, c, depth);
	}
	return skip(j, depth);
}

static bool call_elem(struct jp *j, void *arg, int depth)
{
	struct call c;
	c.api[0] = c.cat[0] = c.args[0] = 0;
	c.alen = 0;
	c.nargs = 0;
	if (!obj_or_skip(j, call_member, &c, depth))
		return false;
	if (!c.api[0])
		return true;
	char ev[sizeof c.api + sizeof c.args];
	size_t n = strlen(c.api);
	memcpy(ev, c.api, n);
	memcpy(ev + n, c.args, c.alen);
	j->k->event(j->k->ctx, ev, n + c.alen);
	j->ncalls++;
	return true;
}

static bool proc_member(struct jp *j, const char *key, void *arg, int depth)
{
	if (!strcmp(key, "calls"))
		return arr_or_skip(j, call_elem, NULL, depth);
	return skip(j, depth);
}

static bool proc_elem(struct jp *j, void *arg, int depth)
{
	return obj_or_skip(j, proc_member, NULL, depth);
}

/* ---- summary (CAPE reduced reports) ---- */
static bool api_member(struct jp *j, const char *key, void *arg, int depth)
{
	if (strcmp(key, "name"))
		return skip(j, depth);
	char v[JP_FIELD];
	if (!scalar(j, v, sizeof v))
		return false;
	size_t n = strlen(v) + 1;
	if (j->summ_len + n > j->summ_cap) {
		j->summ_cap = (j->summ_cap + n) * 2;
		j->summ = bh_realloc(j->summ, j->summ_cap);
	}
	memcpy(j->summ + j->summ_len, v, n);
	j->summ_len += n;
	return true;
}

static bool api_elem(struct jp *j, void *arg, int depth)
{
	return obj_or_skip(j, api_member, NULL, depth);
}

static bool summary_member(struct jp *j, const char *key, void *arg, int depth)
{
	if (!strcmp(key, "api_calls"))
		return arr_or_skip(j, api_elem, NULL, depth);
	return skip(j, depth);
}

static bool behavior_member(struct jp *j, const char *key, void *arg, int depth)
{
	if (!strcmp(key, "processes"))
		return arr_or_skip(j, proc_elem, NULL, depth);
	if (!strcmp(key, "summary"))
		return obj_or_skip(j, summary_member, NULL, depth);
	return skip(j, depth);
}

/* ---- network ---- */
static bool flow_member(struct jp *j, const char *key, void *arg, int depth)
{
	if (!strcmp(key, "dport"))
		return scalar(j, arg, 16);
	return skip(j, depth);
}

static bool flow_elem(struct jp *j, void *arg, int depth)
{
	char port[16] = "", ev[48];
	if (!obj_or_skip(j, flow_member, port, depth))
		return false;
	long p = atol(port);
	const char *cls = p == 53 ? "dns" : p == 80 || p == 443 || p == 8080 ? "web" :
			  p == 25 || p == 587 ? "smtp" : p == 6667 ? "irc" : p < 1024 ? "low" : "high";
	int n = snprintf(ev, sizeof ev, "net.%s.%s", (const char *)arg, cls);
	j->k->event(j->k->ctx, ev, (size_t)n);
	return true;
}

static bool network_member(struct jp *j, const char *key, void *arg, int depth)
{
	if (!strcmp(key, "udp") || !strcmp(key, "tcp"))
		return arr_or_skip(j, flow_elem, (void *)(strcmp(key, "udp") ? "tcp" : "udp"), depth);
	return skip(j, depth);
}

static bool root_member(struct jp *j, const char *key, void *arg, int depth)
{
	if (!strcmp(key, "behavior"))
		return obj_or_skip(j, behavior_member, NULL, depth);
	if (!strcmp(key, "network") && j->o->network)
		return obj_or_skip(j, network_member, NULL, depth);
	return skip(j, depth);
}

int bh_parse_cuckoo(struct bh_src *s, const struct bh_parse_opts *o, const struct bh_sink *k,
		    char *err, size_t errlen)
{
	struct jp j = { .s = s, .o = o, .k = k, .line = 1, .err = err, .errlen = errlen };
	bool ok = ws(&j) == '{' ? object(&j, root_member, NULL, 0)
				: fail(&j, "not a JSON object (expected '{')");
	if (ok && ws(&j) != -1)
		ok = fail(&j, "trailing data after the JSON document");
	if (ok && !j.ncalls)
		for (size_t i = 0; i < j.summ_len; i += strlen(j.summ + i) + 1)
			k->event(k->ctx, j.summ + i, strlen(j.summ + i));
	free(j.summ);
	return ok ? 0 : -1;
}
