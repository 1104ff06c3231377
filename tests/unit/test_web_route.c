/*
 * test_web_route.c - the URL table (src/web/router.c): ids are positive
 * numbers of at most 18 digits, result names are [A-Za-z0-9._-] not
 * starting with a dot, nothing else from a URL reaches a page; a known
 * path with another method is told apart from an unknown path (405/404).
 */
#include "harness.h"
#include "web/web-int.h"

static const struct route *find(const char *method, const char *url, struct req *r, bool *mok)
{
	memset(r, 0, sizeof *r);
	r->method = method;
	r->url = url;
	return route_find(r, mok);
}

int main(void)
{
	struct req r;
	bool mok;
	const struct route *rt;

	TEST("pages and ids") {
		rt = find("GET", "/", &r, &mok);
		CHECK(rt && rt->fn == page_runs);
		rt = find("GET", "/runs/42", &r, &mok);
		CHECK(rt && rt->fn == page_run && r.id == 42);
		rt = find("HEAD", "/runs/7", &r, &mok);
		CHECK(rt && rt->fn == page_run && r.id == 7);
		CHECK(!find("GET", "/runs/0", &r, &mok));
		CHECK(!find("GET", "/runs/-1", &r, &mok));
		CHECK(!find("GET", "/runs/12a", &r, &mok));
		CHECK(!find("GET", "/runs/1234567890123456789", &r, &mok));
		CHECK(!find("GET", "/runs/42/", &r, &mok));
	}
	TEST("result names") {
		rt = find("GET", "/runs/3/files/plot.png", &r, &mok);
		CHECK(rt && rt->fn == page_run_file && r.id == 3 && !strcmp(r.name, "plot.png"));
		rt = find("GET", "/api/v1/runs/3/results/report.json", &r, &mok);
		CHECK(rt && rt->fn == api_run_result && !strcmp(r.name, "report.json"));
		CHECK(!find("GET", "/runs/3/files/../../etc/passwd", &r, &mok));
		CHECK(!find("GET", "/runs/3/files/.hidden", &r, &mok));
		CHECK(!find("GET", "/runs/3/files/a/b", &r, &mok));
		CHECK(!find("GET", "/runs/3/files/", &r, &mok));
		CHECK(!find("GET", "/runs/3/files/a%2fb", &r, &mok));
		rt = find("GET", "/runs/3/original", &r, &mok);
		CHECK(rt && rt->fn == page_run_file && r.name[0] == '\0');
	}
	TEST("methods and access") {
		rt = find("POST", "/api/v1/runs", &r, &mok);
		CHECK(rt && rt->body == BODY_FILE && rt->access == ACC_WRITE);
		rt = find("DELETE", "/api/v1/runs/9", &r, &mok);
		CHECK(rt && rt->access == ACC_WRITE && r.id == 9);
		rt = find("PUT", "/api/v1/runs/9", &r, &mok);
		CHECK(!rt && !mok);   /* 405 */
		rt = find("GET", "/nowhere", &r, &mok);
		CHECK(!rt && mok);    /* 404 */
		rt = find("GET", "/static/app.js", &r, &mok);
		CHECK(rt && rt->access == ACC_NONE);
		rt = find("GET", "/login", &r, &mok);
		CHECK(rt && rt->access == ACC_NONE);
		rt = find("POST", "/runs/5/delete", &r, &mok);
		CHECK(rt && rt->access == ACC_WRITE && rt->body == BODY_FORM);
	}
	return harness_report("web_route");
}
