/*
 * router.c - the URL table: method, pattern, who may call it, whether it
 * takes a body, and the page function.  Patterns are literal segments,
 * '#' (a run id: 1-18 digits) and '*' (a result name: 1-63 of
 * [A-Za-z0-9._-], not starting with a dot).  Only these two ever come from
 * the URL into a page, and neither is used as a path: ids are numbers and
 * result names are keys looked up in the store.
 */
#include <stdlib.h>
#include <string.h>

#include "web/web-int.h"

static const struct route routes[] = {
	{ "GET", "/", ACC_READ, BODY_NONE, page_runs },
	{ "GET", "/runs", ACC_READ, BODY_NONE, page_runs },
	{ "GET", "/runs/#", ACC_READ, BODY_NONE, page_run },
	{ "GET", "/runs/#/files/*", ACC_READ, BODY_NONE, page_run_file },
	{ "GET", "/runs/#/original", ACC_READ, BODY_NONE, page_run_file },
	{ "POST", "/runs/#/delete", ACC_WRITE, BODY_FORM, page_run_delete },
	{ "GET", "/upload", ACC_WRITE, BODY_NONE, page_upload_form },
	{ "POST", "/upload", ACC_WRITE, BODY_FILE, NULL },
	{ "GET", "/compare", ACC_READ, BODY_NONE, page_compare },
	{ "GET", "/families", ACC_READ, BODY_NONE, page_families },
	{ "GET", "/clusters", ACC_READ, BODY_NONE, page_clusters },
	{ "GET", "/status", ACC_READ, BODY_NONE, page_status_page },
	{ "GET", "/login", ACC_NONE, BODY_NONE, page_login },
	{ "POST", "/login", ACC_NONE, BODY_FORM, page_login_post },
	{ "POST", "/logout", ACC_NONE, BODY_FORM, page_logout },
	{ "GET", "/static/*", ACC_NONE, BODY_NONE, page_static },
	{ "GET", "/api/v1/runs", ACC_READ, BODY_NONE, api_runs },
	{ "POST", "/api/v1/runs", ACC_WRITE, BODY_FILE, NULL },
	{ "GET", "/api/v1/runs/#", ACC_READ, BODY_NONE, api_run },
	{ "DELETE", "/api/v1/runs/#", ACC_WRITE, BODY_NONE, api_run_delete },
	{ "GET", "/api/v1/runs/#/results/*", ACC_READ, BODY_NONE, api_run_result },
};

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

/* Matches url against pattern; fills id and name.  HEAD is served as GET. */
static bool match(const char *pat, const char *url, int64_t *id, char *name, size_t namelen)
{
	while (*pat) {
		if (*pat == '#') {
			int64_t v = 0;
			int n = 0;
			while (*url >= '0' && *url <= '9' && n < 18) {
				v = v * 10 + (*url++ - '0');
				n++;
			}
			if (n == 0 || v == 0 || (*url >= '0' && *url <= '9'))
				return false;
			*id = v;
			pat++;
		} else if (*pat == '*') {
			size_t n = 0;
			if (*url == '.')
				return false;
			while (name_char(*url) && n + 1 < namelen)
				name[n++] = *url++;
			name[n] = '\0';
			if (n == 0 || name_char(*url))
				return false;
			pat++;
		} else if (*pat++ != *url++) {
			return false;
		}
	}
	return *url == '\0';
}

const struct route *route_find(struct req *r, bool *method_ok)
{
	const char *m = strcmp(r->method, "HEAD") == 0 ? "GET" : r->method;

	*method_ok = true;
	bool path_seen = false;
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
		int64_t id = 0;
		char name[64] = "";
		if (!match(routes[i].pattern, r->url, &id, name, sizeof name))
			continue;
		path_seen = true;
		if (strcmp(routes[i].method, m))
			continue;
		r->id = id;
		memcpy(r->name, name, sizeof name);
		return &routes[i];
	}
	*method_ok = !path_seen;
	return NULL;
}
