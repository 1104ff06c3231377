/*
 * analyse.c - one job's analysis, the child's side (worker.h analyse_run):
 * a capture is read once with every subscriber the capture commands use
 * (the report collector with nDPI, the time x port contacts, a flow
 * writer) and its results are written into the job's directory:
 *
 *   info.json          info_summary (what `botlens info --format json` writes)
 *   ports.json         per sandbox host, ports_render_json (`botlens ports`)
 *   plot.png plot.svg  the time x port plot (`botlens plot`)
 *   report.json        rp_build + report_json (`botlens report --format json`)
 *   report.html        the report page (`botlens report --format html`)
 *   flows.tsv          Zeek's conn.log (`botlens flows --format zeek`)
 *   flows.store.tsv    the flows table for the store (STORE_FLOW_COLUMNS)
 *   classify.json      with a model that has network families: the capture's
 *                      network profile classified (`botlens classify`)
 *   outcome.json       what the worker stores: the list above, the kinds,
 *                      hosts and search terms (written last, renamed)
 *
 * Behavior reports are analyse_bh.c's.  Nothing here prints: errors go
 * to err, and `botlens job` (cli/cmd_job.c) prints them for the worker.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis/contacts.h"
#include "analysis/portpanel.h"
#include "analysis/report.h"
#include "render/info_out.h"
#include "render/plot.h"
#include "render/ports_out.h"
#include "render/report_out.h"
#include "render/table.h"
#include "render/zeek.h"
#include "store/analyse-int.h"
#include "store/store.h"
#include "store/worker.h"

#define AN_MAX_HOSTS 8          /* sandbox hosts with a panel */

/* ---- outcome ---- */

FILE *an_open(const char *outdir, const char *name, char *err, size_t errlen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", outdir, name);
	f = fopen(path, "we");
	if (!f)
		snprintf(err, errlen, "cannot create '%s': %s", name, strerror(errno));
	return f;
}

int an_close(FILE *f, const char *name, char *err, size_t errlen)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "cannot write '%s': %s", name, strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

void an_outcome_init(struct an_outcome *o)
{
	memset(o, 0, sizeof *o);
	o->results = json_object_new_array();
	o->terms = json_object_new_array();
}

void an_outcome_free(struct an_outcome *o)
{
	json_object_put(o->results);
	json_object_put(o->terms);
}

void an_result(struct an_outcome *o, const char *name)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "name", json_object_new_string(name));
	json_object_array_add(o->results, r);
}

void an_term(struct an_outcome *o, const char *kind, const char *value)
{
	json_object *t;

	if (!value || !*value || json_object_array_length(o->terms) >= 1000)
		return;
	t = json_object_new_object();
	json_object_object_add(t, "kind", json_object_new_string(kind));
	json_object_object_add(t, "value", json_object_new_string(value));
	json_object_array_add(o->terms, t);
}

int an_outcome_write(const struct an_outcome *o, const char *outdir, char *err, size_t errlen)
{
	json_object *j = json_object_new_object();
	char tmp[4096], path[4096];
	const char *text;
	FILE *f;
	int rc;

	json_object_object_add(j, "results", json_object_get(o->results));
	if (o->family[0])
		json_object_object_add(j, "family", json_object_new_string(o->family));
	json_object_object_add(j, "score", json_object_new_double(o->score));
	json_object_object_add(j, "kinds", json_object_new_string(o->kinds));
	json_object_object_add(j, "hosts", json_object_new_int64(o->hosts));
	json_object_object_add(j, "terms", json_object_get(o->terms));
	if (o->flows)
		json_object_object_add(j, "flows_tsv", json_object_new_string("flows.store.tsv"));
	text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	f = an_open(outdir, "outcome.json.tmp", err, errlen);
	rc = f ? 0 : -1;
	if (f) {
		fputs(text, f);
		rc = an_close(f, "outcome.json", err, errlen);
	}
	json_object_put(j);
	snprintf(tmp, sizeof tmp, "%s/outcome.json.tmp", outdir);
	snprintf(path, sizeof path, "%s/outcome.json", outdir);
	if (rc == 0 && rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write 'outcome.json': %s", strerror(errno));
		rc = -1;
	}
	return rc;
}

void an_err_name(char *err, size_t errlen, const char *path, const char *name)
{
	char out[1024];
	const char *hit;
	size_t pl = strlen(path);

	if (!pl || !name || !(hit = strstr(err, path)))
		return;
	snprintf(out, sizeof out, "%.*s%s%s", (int)(hit - err), err, name, hit + pl);
	snprintf(err, errlen, "%s", out);
}

/* ---- the capture pass ---- */

struct an_cap {
	uint64_t by_proto[4];       /* tcp, udp, icmp, other (info_summary) */
	struct contacts cur;
	struct rp_col *col;
	FILE *store_tsv, *zeek;
	struct table zt;
	int64_t zlast;
};

/* After the collector: the store's flows row and Zeek's conn.log row. */
static void an_flow_end(void *ctx, const struct run *r, const struct flow *f)
{
	struct an_cap *x = ctx;
	const char *app = rp_col_flow_app(x->col, f);
	char a[64], b[64];

	x->by_proto[info_flow_class(f->proto)]++;
	decode_addr_str(f->family, f->orig, a, sizeof a);
	decode_addr_str(f->family, f->resp, b, sizeof b);
	fprintf(x->store_tsv, "%.6f\t%.6f\t%u\t%s\t%u\t%s\t%u\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
			      "\t%s\t%s\n",
		(double)f->first_ns / 1e9, (double)(f->last_ns - f->first_ns) / 1e9, f->proto, a, f->orig_p, b,
		f->resp_p, f->pkts[0], f->pkts[1], f->payload[0], f->payload[1], app && *app ? app : "-",
		flow_conn_state(f));
	if (!x->zt.started)
		table_zeek(&x->zt, "conn", zeek_conn_types, r->start_ns);
	zeek_conn_row(&x->zt, r, f, zeek_service(app));
	x->zlast = r->last_ns;
}

/* info.json: the pass's summary, as `botlens info --format json`. */
static int an_info(const struct run *r, const struct an_cap *x, const char *outdir, struct an_outcome *o,
		   char *err, size_t errlen)
{
	json_object *j = info_summary(r, x->by_proto, 0, NULL);
	FILE *f = j ? an_open(outdir, "info.json", err, errlen) : NULL;
	int rc;

	if (!f) {
		if (!j)
			snprintf(err, errlen, "info: out of memory");
		json_object_put(j);
		return -1;
	}
	fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), f);
	fputc('\n', f);
	json_object_put(j);
	rc = an_close(f, "info.json", err, errlen);
	if (rc == 0)
		an_result(o, "info.json");
	return rc;
}

/* ports.json: { "hosts": [ per panel, ports_render_json ] }. */
static int an_ports(const struct port_panel *pp, size_t n, const char *outdir, struct an_outcome *o,
		    char *err, size_t errlen)
{
	json_object *j = json_object_new_object(), *a = json_object_new_array();
	FILE *f;
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct ports_view v = ports_view_of(&pp[i], CONTACTS_OUT);
		json_object_array_add(a, ports_render_json(&v));
	}
	json_object_object_add(j, "hosts", a);
	f = an_open(outdir, "ports.json", err, errlen);
	if (f)
		fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), f);
	json_object_put(j);
	rc = f ? an_close(f, "ports.json", err, errlen) : -1;
	if (rc == 0)
		an_result(o, "ports.json");
	return rc;
}

/* plot.png and plot.svg of the panels (`botlens plot`'s defaults). */
static int an_plot(const struct port_panel *pp, size_t n, const char *outdir, struct an_outcome *o,
		   char *err, size_t errlen)
{
	static const char *const names[] = { "plot.png", "plot.svg" };
	struct plot_panel *pl = calloc(n, sizeof *pl);
	size_t npts = 0;
	int rc = pl ? 0 : -1;

	for (size_t i = 0; pl && i < n && rc == 0; i++) {
		struct ports_view v = ports_view_of(&pp[i], CONTACTS_OUT);
		rc = ports_render_plot(&v, true, false, &pl[i]);
		npts += pl[i].npts;
	}
	if (rc < 0)
		snprintf(err, errlen, "plot: out of memory");
	for (size_t k = 0; rc == 0 && npts > 0 && k < 2; k++) {
		char path[4096];
		struct plot_fig fig = { .what = "outbound connection attempts (per flow)", .panels = pl,
					.npanels = n, .width = n >= 3 ? 900 : 1200, .height = n >= 3 ? 480 : 640 };
		snprintf(path, sizeof path, "%s/%s", outdir, names[k]);
		rc = plot_render(&fig, path, err, errlen);
		if (rc == 0)
			an_result(o, names[k]);
	}
	for (size_t i = 0; pl && i < n; i++) {
		free(pl[i].pts);
		plot_annots_free(&pl[i].annots);
	}
	free(pl);
	plot_release();
	return rc;
}

/* The sandbox hosts' panels (a capture without one gets an empty panel). */
static int an_panels(struct an_cap *x, const struct run *r, const char *outdir, struct an_outcome *o,
		     char *err, size_t errlen)
{
	const struct host *sb[AN_MAX_HOSTS];
	unsigned nsb = hosttab_select(r->hosts, 0, NULL, sb, AN_MAX_HOSTS);
	struct port_panel pp[AN_MAX_HOSTS];
	size_t n = nsb ? nsb : 1;
	int rc = 0;

	memset(pp, 0, sizeof pp);
	contacts_finish(&x->cur, r);
	if (nsb == 0)
		rc = port_panel_init(&pp[0], &x->cur, r);
	for (unsigned i = 0; i < nsb && rc == 0; i++)
		rc = port_panel_build(&pp[i], &x->cur, r, sb[i], CONTACTS_OUT, false, x->col);
	if (rc < 0 || x->cur.oom)
		snprintf(err, errlen, "contacts: out of memory");
	else
		rc = an_ports(pp, n, outdir, o, err, errlen) < 0 || an_plot(pp, n, outdir, o, err, errlen) < 0 ? -1 : 0;
	for (size_t i = 0; i < n; i++)
		port_panel_free(&pp[i]);
	return rc < 0 || x->cur.oom ? -1 : 0;
}

/* Adds word to the space-separated set in buf (bounded). */
static void word_add(char *buf, size_t len, const char *word)
{
	size_t wl = strlen(word), bl = strlen(buf);

	for (const char *p = buf; (p = strstr(p, word)) != NULL; p += wl)
		if ((p == buf || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\0'))
			return;
	if (bl + wl + 2 <= len)
		snprintf(buf + bl, len - bl, "%s%s", bl ? " " : "", word);
}

/* Kinds, hosts and search terms from the report. */
static void an_summary(const struct rp_report *rep, struct an_outcome *o)
{
	char a[64];

	o->hosts = rep->nhosts;
	for (unsigned i = 0; i < rep->nhosts; i++) {
		const struct rp_host *h = &rep->hosts[i];
		decode_addr_str(h->family, h->addr, a, sizeof a);
		an_term(o, "addr", a);
		for (unsigned k = 0; k < h->nbehs; k++)
			word_add(o->kinds, sizeof o->kinds, h->behs[k].kind);
		for (unsigned k = 0; k < h->nnotable; k++) {
			decode_addr_str(h->notable[k].family, h->notable[k].addr, a, sizeof a);
			an_term(o, "addr", a);
			an_term(o, "domain", h->notable[k].name);
		}
		for (unsigned k = 0; k < h->niocs; k++) {
			const struct rp_ioc *c = &h->iocs[k];
			if (!strcmp(c->type, "domain"))
				an_term(o, "domain", c->value);
			else if (!strcmp(c->type, "address"))
				an_term(o, "addr", c->value);
		}
	}
}

static int an_report_html(const struct rp_report *rep, const char *name, FILE *f, char *err, size_t errlen)
{
	char title[300];

	snprintf(title, sizeof title, "botlens report: %s", name);
	if (report_html_begin(f, title) || report_html(f, rep, 0, err, errlen) || report_html_end(f))
		return -1;
	return 0;
}

/* report.json and report.html (`botlens report`), then the summary. */
static int an_reports(struct an_cap *x, const struct run *r, const char *name, const char *outdir,
		      struct an_outcome *o, char *err, size_t errlen)
{
	struct rp_report rep;
	char gerr[300];
	struct geo *g = geo_open(NULL, gerr, sizeof gerr);   /* none: no AS names, the report stands */
	FILE *f = NULL;
	int rc = rp_build(x->col, r, 0, NULL, g, &rep, err, errlen);

	if (rc == 0 && (f = an_open(outdir, "report.json", err, errlen)) != NULL) {
		rc = report_json(f, &rep, false) ? -1 : 0;
		rc = an_close(f, "report.json", err, errlen) < 0 || rc < 0 ? -1 : 0;
		if (rc == 0)
			an_result(o, "report.json");
	} else {
		rc = -1;
	}
	if (rc == 0 && (f = an_open(outdir, "report.html", err, errlen)) != NULL) {
		rc = an_report_html(&rep, name, f, err, errlen);
		rc = an_close(f, "report.html", err, errlen) < 0 || rc < 0 ? -1 : 0;
		if (rc == 0)
			an_result(o, "report.html");
	} else {
		rc = -1;
	}
	if (rc == 0)
		an_summary(&rep, o);
	rp_report_free(&rep);
	geo_close(g);
	return rc;
}

/* Output files of the pass, opened before it. */
static int an_cap_open(struct an_cap *x, const char *outdir, char *err, size_t errlen)
{
	if (!(x->col = rp_col_new())) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rp_col_dpi(x->col, true);   /* nDPI on a thread of its own, as `botlens report` */
	contacts_init(&x->cur, false);
	if (!(x->store_tsv = an_open(outdir, "flows.store.tsv", err, errlen)) ||
	    !(x->zeek = an_open(outdir, "flows.tsv", err, errlen)))
		return -1;
	table_init(&x->zt, x->zeek, TABLE_ZEEK, zeek_conn_cols, zeek_conn_ncols, true);
	return 0;
}

/* Closes what an_cap_open opened; with ok, checks the writes. */
static int an_cap_close(struct an_cap *x, bool ok, char *err, size_t errlen)
{
	int rc = 0;

	if (x->zeek) {
		if (ok) {
			table_begin(&x->zt);
			table_close(&x->zt, x->zlast);
		}
		rc |= an_close(x->zeek, "flows.tsv", err, errlen);
	}
	if (x->store_tsv)
		rc |= an_close(x->store_tsv, "flows.store.tsv", err, errlen);
	contacts_free(&x->cur);
	rp_col_free(x->col);
	return rc ? -1 : 0;
}

static int an_capture(const char *path, const char *name, const char *model, const char *outdir, char *err,
		      size_t errlen)
{
	struct run_opts ro = { .reader = CAP_READER_NATIVE, .track_flows = true, .track_hosts = true, .threads = 1 };
	struct an_cap x = { 0 };
	struct an_outcome o;
	struct run r;
	int rc, st;

	an_outcome_init(&o);
	flow_cfg_default(&ro.flow);
	rc = an_cap_open(&x, outdir, err, errlen);
	if (rc == 0 && (rc = run_open(&r, path, &ro, err, errlen)) < 0)
		run_close(&r);
	else if (rc >= 0) {
		struct run_sub subs[3] = { rp_col_sub(x.col), contacts_sub(&x.cur),
					   { .ctx = &x, .flow_end = an_flow_end } };
		st = run_loop(&r, subs, 3);
		rc = st == CAP_EOF || st == CAP_EDAMAGED ? 0 : -1;   /* damaged: results cover the readable part */
		if (rc < 0)
			snprintf(err, errlen, "%s", r.err);
		if (rc == 0 && rp_col_oom(x.col))
			rc = -1, snprintf(err, errlen, "out of memory");
		if (rc == 0)
			rc = an_info(&r, &x, outdir, &o, err, errlen);
		if (rc == 0)
			rc = an_panels(&x, &r, outdir, &o, err, errlen);
		if (rc == 0)
			rc = an_reports(&x, &r, name, outdir, &o, err, errlen);
		run_close(&r);
		if (rc == 0)
			rc = an_capture_class(path, name, model, outdir, &o, err, errlen);
	}
	if (an_cap_close(&x, rc == 0, err, errlen) < 0)
		rc = -1;
	if (rc == 0) {
		an_result(&o, "flows.tsv");
		o.flows = true;
		rc = an_outcome_write(&o, outdir, err, errlen);
	}
	an_outcome_free(&o);
	an_err_name(err, errlen, path, name);
	return rc < 0 ? -1 : 0;
}

int analyse_run(const char *path, int type, const char *display_name, const char *model, const char *outdir,
		char *err, size_t errlen)
{
	const char *name = display_name && *display_name ? display_name : "input";

	if (type == STORE_RUN_CAPTURE)
		return an_capture(path, name, model, outdir, err, errlen);
	if (type == STORE_RUN_REPORT)
		return an_report(path, name, model, outdir, err, errlen);
	snprintf(err, errlen, "unknown run type %d", type);
	return -1;
}
