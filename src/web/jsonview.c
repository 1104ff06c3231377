/*
 * jsonview.c - stored result files as page fragments: a result blob read
 * into memory (capped) and parsed with json-c, and a generic, escaped
 * rendering of a JSON object as nested tables (port findings, classify
 * verdicts, capture summaries).  Every key and string goes through html.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/jsonview.h"

int web_result_load(struct store *s, int64_t run, const char *name, size_t cap, char **out, size_t *len)
{
	struct store_result res;
	struct store_blob_r *br;
	uint64_t size;
	int rc = store_result_get(s, run, name, &res);

	*out = NULL;
	if (rc <= 0)
		return rc;
	if ((rc = store_blob_open(s, res.sha, &br, &size)) <= 0)
		return rc;
	if (size > cap) {
		store_blob_close(br);
		return 0;   /* too large to show: the download remains */
	}
	char *p = malloc((size_t)size + 1);
	size_t n = 0;
	if (!p) {
		store_blob_close(br);
		return -1;
	}
	for (;;) {
		ssize_t k = store_blob_read(br, p + n, (size_t)size + 1 - n);
		if (k < 0) {
			free(p);
			store_blob_close(br);
			return -1;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > size)
			break;
	}
	store_blob_close(br);
	p[n < (size_t)size ? n : (size_t)size] = '\0';
	*out = p;
	*len = n;
	return 1;
}

json_object *web_result_json(struct store *s, int64_t run, const char *name)
{
	char *p;
	size_t n;

	if (web_result_load(s, run, name, 64u << 20, &p, &n) <= 0)
		return NULL;
	json_object *o = json_tokener_parse(p);
	free(p);
	return o;
}

static void scalar(struct wbuf *b, json_object *v)
{
	char num[64];

	switch (json_object_get_type(v)) {
	case json_type_null: wb_puts(b, "-"); break;
	case json_type_boolean: wb_puts(b, json_object_get_boolean(v) ? "yes" : "no"); break;
	case json_type_int: wb_printf(b, "%lld", (long long)json_object_get_int64(v)); break;
	case json_type_double:
		snprintf(num, sizeof num, "%.6g", json_object_get_double(v));
		wb_puts(b, num);
		break;
	case json_type_string: html_txt(b, json_object_get_string(v)); break;
	default: wb_puts(b, "&hellip;"); break;
	}
}

static bool is_scalar(json_object *v)
{
	enum json_type t = json_object_get_type(v);
	return t != json_type_object && t != json_type_array;
}

void jv_value(struct wbuf *b, json_object *v, int depth)
{
	if (is_scalar(v)) {
		scalar(b, v);
		return;
	}
	if (depth >= 4) {
		wb_puts(b, "&hellip;");
		return;
	}
	if (json_object_is_type(v, json_type_object)) {
		wb_puts(b, "<table>");
		json_object_object_foreach(v, key, val) {
			wb_puts(b, "<tr><th>");
			html_txt(b, key);
			wb_puts(b, "</th><td>");
			jv_value(b, val, depth + 1);
			wb_puts(b, "</td></tr>");
		}
		wb_puts(b, "</table>");
		return;
	}
	size_t n = json_object_array_length(v);
	if (n == 0) {
		wb_puts(b, "none");
		return;
	}
	json_object *first = json_object_array_get_idx(v, 0);
	if (!json_object_is_type(first, json_type_object)) {   /* scalars: a line, the first 24 */
		for (size_t i = 0; i < n && i < 24; i++) {
			if (i)
				wb_puts(b, ", ");
			jv_value(b, json_object_array_get_idx(v, i), depth + 1);
		}
		if (n > 24)
			wb_printf(b, " &hellip; (%zu in all)", n);
		return;
	}
	/* objects: a table whose columns are the first object's keys */
	wb_puts(b, "<table><tr>");
	json_object_object_foreach(first, key, val0) {
		(void)val0;
		wb_puts(b, "<th>");
		html_txt(b, key);
		wb_puts(b, "</th>");
	}
	wb_puts(b, "</tr>");
	for (size_t i = 0; i < n && i < 200; i++) {
		json_object *row = json_object_array_get_idx(v, i), *cell;
		wb_puts(b, "<tr>");
		json_object_object_foreach(first, k, v0) {
			(void)v0;
			wb_puts(b, "<td>");
			if (json_object_is_type(row, json_type_object) && json_object_object_get_ex(row, k, &cell))
				jv_value(b, cell, depth + 1);
			wb_puts(b, "</td>");
		}
		wb_puts(b, "</tr>");
	}
	wb_puts(b, "</table>");
	if (n > 200)
		wb_printf(b, "<p class=\"note\">the first 200 of %zu</p>", n);
}

const char *jv_str(json_object *o, const char *key)
{
	json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

double jv_num(json_object *o, const char *key)
{
	json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) &&
	    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return json_object_get_double(v);
	return 0;
}

json_object *jv_get(json_object *o, const char *key)
{
	json_object *v;
	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}
