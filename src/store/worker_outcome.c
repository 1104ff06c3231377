/*
 * worker_outcome.c - reading a job's outcome.json, which the analysis
 * child wrote: untrusted (the child parsed hostile input, and a
 * compromised child writes what it likes).  The file is bounded in size
 * and parsed with json-c; result names must be in the table below (the
 * Content-Type comes from the table, never from the file), each must be
 * a regular file directly in DIR/out (no path, no symbolic link), strings
 * are bounded and control characters refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "store/worker-int.h"

#define OUTCOME_MAX (1u << 20)

static const struct { const char *name, *ctype; } result_names[] = {
	{ "info.json", "application/json" },
	{ "ports.json", "application/json" },
	{ "plot.png", "image/png" },
	{ "plot.svg", "image/svg+xml" },
	{ "report.json", "application/json" },
	{ "report.html", "text/html; charset=utf-8" },
	{ "flows.tsv", "text/tab-separated-values; charset=utf-8" },
	{ "classify.json", "application/json" },
	{ "clusters.json", "application/json" },
};

static const char *const term_kinds[] = { "addr", "domain" };

static int bad(struct wk_job *k, const char *what)
{
	snprintf(k->err, sizeof k->err, "outcome.json: %s", what);
	return -1;
}

/* A string member: absent is "", else printable and shorter than max. */
static int get_str(json_object *o, const char *key, size_t max, const char **out)
{
	json_object *v;
	const char *s;

	*out = "";
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) >= max || strlen(s) != (size_t)json_object_get_string_len(v))
		return -1;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -1;
	*out = s;
	return 0;
}

static json_object *load(struct wk_job *k)
{
	char path[PATH_MAX + 32], *buf;
	struct stat st;
	json_object *o = NULL;
	int fd;

	snprintf(path, sizeof path, "%s/out/outcome.json", k->dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > OUTCOME_MAX) {
		if (fd >= 0)
			close(fd);
		bad(k, fd < 0 ? "missing" : "not a regular file of at most 1 MiB");
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf && read(fd, buf, (size_t)st.st_size) == st.st_size) {
		struct json_tokener *t = json_tokener_new();
		o = t ? json_tokener_parse_ex(t, buf, (int)st.st_size) : NULL;
		if (t)
			json_tokener_free(t);
	}
	close(fd);
	free(buf);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		bad(k, "not a JSON object");
		return NULL;
	}
	return o;
}

/* DIR/out/name as a regular file (lstat: a link is refused). */
static int out_file(struct wk_job *k, const char *name, char *path, size_t len)
{
	struct stat st;

	snprintf(path, len, "%s/out/%s", k->dir, name);
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(k->err, sizeof k->err, "outcome.json: result '%s' is not a file the analysis wrote", name);
		return -1;
	}
	return 0;
}

static int one_result(struct wk_job *k, json_object *r, struct wk_outcome *o)
{
	char path[PATH_MAX + 96];
	const char *name;
	size_t i;

	if (!json_object_is_type(r, json_type_object) || get_str(r, "name", 64, &name) < 0)
		return bad(k, "a result without a valid name");
	for (i = 0; i < sizeof result_names / sizeof *result_names; i++)
		if (!strcmp(name, result_names[i].name))
			break;
	if (i == sizeof result_names / sizeof *result_names)
		return bad(k, "a result name outside the allowed ones");
	for (size_t n = 0; n < o->nresults; n++)
		if (!strcmp(o->results[n].name, name))
			return bad(k, "a result named twice");
	if (o->nresults == WK_MAX_RESULTS || out_file(k, name, path, sizeof path) < 0)
		return o->nresults == WK_MAX_RESULTS ? bad(k, "too many results") : -1;
	struct store_result *sr = &o->results[o->nresults];
	memset(sr, 0, sizeof *sr);
	snprintf(sr->name, sizeof sr->name, "%s", name);
	snprintf(sr->ctype, sizeof sr->ctype, "%s", result_names[i].ctype);
	if (store_blob_from_file(k->s, path, sr->sha, &sr->size) < 0) {
		snprintf(k->err, sizeof k->err, "storing '%s': %s", name, store_error(k->s));
		return -1;
	}
	o->nresults++;
	return 0;
}

static int read_results(struct wk_job *k, json_object *root, struct wk_outcome *o)
{
	json_object *a;

	if (!json_object_object_get_ex(root, "results", &a) || !json_object_is_type(a, json_type_array))
		return bad(k, "no results array");
	for (size_t i = 0; i < json_object_array_length(a); i++)
		if (one_result(k, json_object_array_get_idx(a, i), o) < 0)
			return -1;
	return 0;
}

static bool term_kind_ok(const char *kind)
{
	for (size_t i = 0; i < sizeof term_kinds / sizeof *term_kinds; i++)
		if (!strcmp(kind, term_kinds[i]))
			return true;
	return false;
}

/* Terms: kinds from the table, values copied into one allocation. */
static int read_terms(struct wk_job *k, json_object *root, struct wk_outcome *o)
{
	json_object *a;
	size_t n, used = 0;

	if (!json_object_object_get_ex(root, "terms", &a))
		return 0;
	if (!json_object_is_type(a, json_type_array) || (n = json_object_array_length(a)) > WK_MAX_TERMS)
		return bad(k, "terms is not an array of at most 1000");
	if (!(o->strings = malloc(n * 256 + 1)))
		return bad(k, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *t = json_object_array_get_idx(a, i);
		const char *kind, *value;
		if (!json_object_is_type(t, json_type_object) || get_str(t, "kind", 16, &kind) < 0 ||
		    get_str(t, "value", 256, &value) < 0 || !term_kind_ok(kind) || !*value)
			return bad(k, "a term that is not { kind: addr|domain, value }");
		for (size_t m = 0; m < sizeof term_kinds / sizeof *term_kinds; m++)
			if (!strcmp(kind, term_kinds[m]))
				o->terms[o->nterms].kind = term_kinds[m];
		o->terms[o->nterms].value = strcpy(o->strings + used, value);
		used += strlen(value) + 1;
		o->nterms++;
	}
	return 0;
}

static bool kinds_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == ' '))
			return false;
	return true;
}

/* family, score, kinds, hosts, flows_tsv. */
static int read_summary(struct wk_job *k, json_object *root, struct wk_outcome *o)
{
	const char *family, *kinds, *flows;
	json_object *v;

	if (get_str(root, "family", sizeof o->family, &family) < 0 || get_str(root, "kinds", sizeof o->kinds, &kinds) < 0 ||
	    !kinds_ok(kinds) || get_str(root, "flows_tsv", 32, &flows) < 0)
		return bad(k, "family, kinds or flows_tsv malformed");
	o->has_family = *family != '\0';
	snprintf(o->family, sizeof o->family, "%s", family);
	snprintf(o->kinds, sizeof o->kinds, "%s", kinds);
	if (json_object_object_get_ex(root, "score", &v)) {
		o->score = json_object_get_double(v);
		if (!isfinite(o->score) || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
			return bad(k, "score is not a number");
	}
	if (json_object_object_get_ex(root, "hosts", &v)) {
		int64_t h = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || h < 0 || h > 1000000)
			return bad(k, "hosts is not a count");
		o->hosts = (uint32_t)h;
	}
	if (*flows && strcmp(flows, "flows.store.tsv") != 0)
		return bad(k, "flows_tsv is not flows.store.tsv");
	if (*flows && out_file(k, flows, o->flows, sizeof o->flows) < 0)
		return -1;
	return 0;
}

int wk_outcome_read(struct wk_job *k, struct wk_outcome *o)
{
	json_object *root = load(k);
	int rc;

	memset(o, 0, sizeof *o);
	if (!root)
		return -1;
	rc = read_summary(k, root, o) < 0 || read_terms(k, root, o) < 0 || read_results(k, root, o) < 0 ? -1 : 0;
	json_object_put(root);
	return rc;
}

void wk_outcome_free(struct wk_outcome *o)
{
	free(o->strings);
	o->strings = NULL;
}
