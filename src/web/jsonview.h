/*
 * jsonview.h - result files (JSON) read from the store and shown as
 * escaped HTML tables.
 */
#ifndef BOTLENS_WEB_JSONVIEW_H
#define BOTLENS_WEB_JSONVIEW_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "web/html.h"

/* A run's result file into memory (NUL-terminated) when at most cap bytes:
 * 1 loaded, 0 absent or too large, -1 error. */
int web_result_load(struct store *s, int64_t run, const char *name, size_t cap, char **out, size_t *len);
/* The same, parsed; NULL when absent, too large or not JSON.  json_object_put() it. */
json_object *web_result_json(struct store *s, int64_t run, const char *name);
/* Any JSON value as escaped HTML: objects as key/value tables, arrays of
 * objects as tables, arrays of scalars as a line (the first 24). */
void jv_value(struct wbuf *b, json_object *v, int depth);
const char *jv_str(json_object *o, const char *key);
double jv_num(json_object *o, const char *key);
json_object *jv_get(json_object *o, const char *key);

#endif
