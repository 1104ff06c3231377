/*
 * page_ports.c - a run's port findings (ports.json, render/ports_json.c)
 * as one table per host: per transport protocol the flows and peers, the
 * well-known services found, the random-port range (observed and
 * estimated, whether uniform, the generator it fits) and the dense bands.
 * Accepts the job's {"hosts": [...]} and the single-host object of
 * `botlens ports --format json`.
 */
#include <string.h>

#include "web/jsonview.h"
#include "web/web-int.h"

static void services(struct wbuf *b, json_object *sv)
{
	size_t n = sv && json_object_is_type(sv, json_type_array) ? json_object_array_length(sv) : 0;

	if (!n)
		wb_puts(b, "-");
	for (size_t i = 0; i < n && i < 20; i++) {
		json_object *s = json_object_array_get_idx(sv, i);
		wb_printf(b, "%s%.0f", i ? ", " : "", jv_num(s, "port"));
		if (jv_str(s, "name")) {
			wb_puts(b, " ");
			html_txt(b, jv_str(s, "name"));
		}
		wb_printf(b, " (%.0f)", jv_num(s, "flows"));
	}
	if (n > 20)
		wb_printf(b, " &hellip; (%zu in all)", n);
}

static void range(struct wbuf *b, json_object *rg)
{
	json_object *u = jv_get(rg, "uniform");

	if (!rg || !json_object_is_type(rg, json_type_object)) {
		wb_puts(b, "-");
		return;
	}
	wb_printf(b, "observed %.0f-%.0f, estimated %.0f-%.0f; %s", jv_num(rg, "observed_min"), jv_num(rg, "observed_max"),
		  jv_num(rg, "lo_hat"), jv_num(rg, "hi_hat"), u && json_object_get_boolean(u) ? "uniform" : "not uniform");
	if (jv_str(rg, "model")) {
		wb_puts(b, ": <code>");
		html_txt(b, jv_str(rg, "model"));
		wb_puts(b, "</code>");
	}
}

static void bands(struct wbuf *b, json_object *bd)
{
	size_t n = bd && json_object_is_type(bd, json_type_array) ? json_object_array_length(bd) : 0;

	if (!n)
		wb_puts(b, "-");
	for (size_t i = 0; i < n && i < 10; i++) {
		json_object *x = json_object_array_get_idx(bd, i);
		wb_printf(b, "%s%.0f-%.0f (%.0f flows, %.1fx dense)", i ? "; " : "", jv_num(x, "lo"), jv_num(x, "hi"),
			  jv_num(x, "flows"), jv_num(x, "density_ratio"));
	}
	if (n > 10)
		wb_printf(b, " &hellip; (%zu in all)", n);
}

static void host(struct wbuf *b, json_object *h)
{
	json_object *pr = jv_get(h, "protocols");

	wb_puts(b, "<h3>");
	html_txt(b, jv_str(h, "host") ? jv_str(h, "host") : "all hosts");
	wb_printf(b, "</h3>\n<table class=\"ports\"><tr><th>protocol</th><th>flows</th><th>peers</th><th>services</th>"
		     "<th>random-port flows</th><th>random-port range</th><th>dense bands</th></tr>\n");
	if (pr && json_object_is_type(pr, json_type_object)) {
		json_object_object_foreach(pr, name, p) {
			wb_puts(b, "<tr><td>");
			html_txt(b, name);
			wb_printf(b, "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td><td>", jv_num(p, "flows"),
				  jv_num(p, "peers"));
			services(b, jv_get(p, "services"));
			wb_printf(b, "</td><td class=\"num\">%.0f</td><td>", jv_num(p, "random_flows"));
			range(b, jv_get(p, "range"));
			wb_puts(b, "</td><td>");
			bands(b, jv_get(p, "bands"));
			wb_puts(b, "</td></tr>\n");
		}
	}
	wb_puts(b, "</table>\n");
}

void page_ports(struct wbuf *b, json_object *o)
{
	json_object *hosts = jv_get(o, "hosts");

	wb_puts(b, "<h2>Port findings</h2>\n<div class=\"portfindings\">\n");
	if (hosts && json_object_is_type(hosts, json_type_array)) {
		size_t n = json_object_array_length(hosts);
		if (!n)
			wb_puts(b, "<p class=\"note\">no host to analyse</p>\n");
		for (size_t i = 0; i < n && i < 16; i++)
			host(b, json_object_array_get_idx(hosts, i));
	} else {
		host(b, o);
	}
	wb_puts(b, "</div>\n");
}
