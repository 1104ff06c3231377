/*
 * report_html.c - the explanation as one self-contained HTML page: a
 * table of contents with each host's verdict (report_html_toc, when the
 * page holds several hosts or captures), per host the verdict first, its
 * role, the phase timeline (CSS bars over a time axis), the time x
 * port plot inlined as SVG (phase onsets and notable endpoints annotated),
 * behaviors with evidence, notable endpoints with AS/org/country and the
 * protocols.  No scripts, no external fetches: fonts, styles and the
 * plot are all inside the file.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/annots.h"
#include "render/plot.h"
#include "render/report_out.h"
#include "util/utf8.h"

/* Writes s with &, <, >, " escaped. */
/* HTML text and attribute escape; bytes that are not UTF-8 become &#xFFFD; (util/utf8.h). */
static void esc(FILE *o, const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s >= 0x80) {
			size_t k = utf8_seq((const unsigned char *)s, strlen(s));
			if (k) {
				fwrite(s, 1, k, o);
				s += k - 1;
			} else {
				fputs("&#xFFFD;", o);
			}
			continue;
		}
		switch (*s) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		default: fputc(*s, o);
		}
	}
}

int report_html_begin(FILE *o, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", o);
	esc(o, title);
	fputs("</title>\n<style>\n"
	      "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:1.5em auto;max-width:1100px;color:#222;padding:0 1em}\n"
	      "h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:2px solid #ccc;padding-bottom:.2em}h3{font-size:1.05em}\n"
	      "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\n"
	      "th{background:#f0f0f0}.mal{color:#a00;font-weight:bold}.tl{position:relative;height:1.4em;background:#f7f7f7;margin:2px 0}\n"
	      ".bar{position:absolute;top:0;height:100%;background:#69c;border-radius:3px}.bar.m{background:#d55}\n"
	      ".tlrow{display:flex;align-items:center}.tlk{width:9rem;font-size:.85em}.tlb{flex:1}.tlt{width:7rem;white-space:nowrap}\n"
	      ".axis{position:relative;height:1.6em;border-top:1px solid #888}.tick{position:absolute;top:0;font-size:.75em;color:#555;"
	      "padding-top:.3em;border-left:1px solid #888;padding-left:2px;white-space:nowrap}\n"
	      "nav ul{margin:.3em 0}nav li{margin:.15em 0}.verdict{font-size:1.05em;background:#fafafa;border-left:4px solid #69c;padding:.4em .6em}"
	      ".verdict.m{border-left-color:#d55}.caveat{background:#fff8e1;border-left:4px solid #e0a800;padding:.3em .6em}\n"
	      ".plot svg{max-width:100%;height:auto;border:1px solid #ddd}.small{font-size:.8em;color:#666}\n"
	      "</style></head><body>\n<h1>", o);
	esc(o, title);
	fputs("</h1>\n", o);
	return ferror(o) ? -1 : 0;
}

int report_html_end(FILE *o)
{
	fputs("<p class=\"small\">Made by botlens. AS data: IPFire Location database (libloc), CC BY-SA 4.0.</p>\n"
	      "</body></html>\n", o);
	return ferror(o) ? -1 : 0;
}

/* A tick step of 1-2-5 x 10^k seconds, or a round minute/hour multiple, giving at most 6 ticks. */
static double tick_step(double span)
{
	static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
					3600, 7200, 10800, 21600, 43200, 86400 };
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (span / steps[i] <= 6)
			return steps[i];
	return span / 6;
}

/*
 * Phase bars on one time scale, then a time axis under them (ticks at a
 * round step, labels mm:ss since the start).  Each bar's row names its
 * kind, so labels never overlap however close the phases start.
 */
static void html_timeline(FILE *o, const struct rp_host *h, double span)
{
	char a[16], b[16];
	fputs("<h3>Phases</h3>\n", o);
	if (!h->nbehs) {
		fputs("<p>No behavior recognised.</p>\n", o);
		return;
	}
	double s = span > 0 ? span : 1;
	for (unsigned i = 0; i < h->nbehs; i++) {
		const struct rp_beh *x = &h->behs[i];
		double l = 100 * x->start / s, w = 100 * (x->end - x->start) / s;
		if (w < 0.4)
			w = 0.4;
		if (l + w > 100)
			l = 100 - w;
		report_clock(x->start, a, sizeof a);
		report_clock(x->end, b, sizeof b);
		fprintf(o, "<div class=\"tlrow\"><div class=\"tlk%s\">%s</div><div class=\"tlb tl\">"
			   "<div class=\"bar%s\" style=\"left:%.2f%%;width:%.2f%%\" title=\"%s-%s\"></div></div>"
			   "<div class=\"tlt small\">&nbsp;%s-%s</div></div>\n",
			x->malicious ? " mal" : "", x->kind, x->malicious ? " m" : "", l, w, a, b, a, b);
	}
	double step = tick_step(s);
	fputs("<div class=\"tlrow\"><div class=\"tlk small\">time since start</div><div class=\"tlb axis\">", o);
	for (double t = 0; t <= s * 0.97; t += step) {   /* no tick label hanging past the end */
		report_clock(t, a, sizeof a);
		fprintf(o, "<span class=\"tick\" style=\"left:%.2f%%\">%s</span>", 100 * t / s, a);
	}
	fputs("</div><div class=\"tlt\"></div></div>\n", o);
}

/* Length of the id-bearing key ending a match at p ("id=\"", ...), or 0. */
static size_t svg_key(const char *p, const char *end)
{
	static const char *const keys[] = { "id=\"", "href=\"#", "url(#" };
	if (*p != 'i' && *p != 'h' && *p != 'u')
		return 0;
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		size_t kl = strlen(keys[k]);
		if ((size_t)(end - p) >= kl && !memcmp(p, keys[k], kl))
			return kl;
	}
	return 0;
}

/*
 * Copies an SVG file inline: drops the XML declaration and prefixes every
 * id (and the references to it) with a per-page counter, since cairo names
 * glyphs and clips alike in every file and ids are global in an HTML page.
 */
static void svg_inline(FILE *o, FILE *f)
{
	static unsigned nth;
	char pre[16];
	snprintf(pre, sizeof pre, "p%u-", ++nth);
	char *buf = NULL;
	size_t n = 0, cap = 0, r;
	do {  /* the whole file: one pass over memory, not a getc per byte */
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 1 << 16);
			if (!nb)
				break;
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fputs("<div class=\"plot\">\n", o);
	const char *s = buf ? memmem(buf, n, "<svg", 4) : NULL;
	unsigned long seen[64];
	unsigned nseen = 0;
	if (s) {
		const char *end = buf + n, *from = s;
		for (const char *p = s; p < end; p++) {
			size_t kl = svg_key(p, end);
			if (!kl)
				continue;
			fwrite(from, 1, (size_t)(p + kl - from), o);
			fputs(pre, o);
			from = p + kl;
			p += kl - 1;
			/* cairo numbers surfaces process-wide, in the order they were made:
			 * renumber them per plot, in order of appearance, so a plot's text
			 * does not depend on what was drawn before it. */
			if ((size_t)(end - from) > 7 && !memcmp(from, "surface", 7) && from[7] >= '0' && from[7] <= '9') {
				char *e;
				unsigned long id = strtoul(from + 7, &e, 10), k = 0;
				while (k < nseen && seen[k] != id)
					k++;
				if (k == nseen && nseen < sizeof seen / sizeof *seen)
					seen[nseen++] = id;
				fprintf(o, "surface%lu", k < nseen ? k + 1 : id);
				from = e;
			}
		}
		fwrite(from, 1, (size_t)(end - from), o);
	}
	fputs("</div>\n", o);
	free(buf);
}

/* Renders the host's time x port plot as SVG into path. */
static int html_plot(const char *path, const struct rp_report *rep, const struct rp_host *h, char *err,
		     size_t errlen)
{
	struct plot_panel p = { .pts = h->pts, .npts = h->npts, .span = rep->span, .annotate = true };
	char a[96];
	rp_host_label(h, a, sizeof a);
	snprintf(p.title, sizeof p.title, "%s", a);
	snprintf(p.subtitle, sizeof p.subtitle, "role %s", h->role);
	(void)annots_report(h, rep->span, false, annots_port_by_time, (void *)h, &p.annots);
	struct plot_fig fig = { .what = "outbound connection attempts (per flow)", .panels = &p, .npanels = 1,
				.width = 900, .height = 420 };
	int rc = plot_render(&fig, path, err, errlen);
	plot_annots_free(&p.annots);
	return rc;
}

/*
 * The host's plot through a temporary SVG file, copied inline.  Drawn in
 * turn (cairo's fonts go through one FreeType library, which two threads
 * must not use at once).
 */
static int html_plot_inline(FILE *o, const struct rp_report *rep, const struct rp_host *h, char *err,
			    size_t errlen)
{
	if (!h->npts)
		return 0;
	char path[] = "/tmp/botlens-report-XXXXXX.svg";
	int fd = mkstemps(path, 4);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file for the plot");
		return -1;
	}
	close(fd);
	int rc = html_plot(path, rep, h, err, errlen);
	FILE *f = rc ? NULL : fopen(path, "r");
	if (f) {
		svg_inline(o, f);
		fclose(f);
	}
	unlink(path);
	return rc;
}

/* nDPI's services and risks side by side, one row per name. */
static void html_dpi(FILE *o, const struct rp_host *h)
{
	if (!h->nservices && !h->nrisks)
		return;
	fputs("<h3>Services and risks (nDPI)</h3>\n<table><tr><th>service</th><th>flows</th>"
	      "<th>risk</th><th>flows</th></tr>\n", o);
	unsigned n = h->nservices > h->nrisks ? h->nservices : h->nrisks;
	for (unsigned i = 0; i < n; i++) {
		const struct rp_count *c[2] = { i < h->nservices ? &h->services[i] : NULL,
						i < h->nrisks ? &h->risks[i] : NULL };
		fputs("<tr>", o);
		for (int k = 0; k < 2; k++) {
			fputs("<td>", o);
			if (c[k]) {
				esc(o, c[k]->name);
				fprintf(o, "</td><td>%llu</td>", (unsigned long long)c[k]->flows);
			} else {
				fputs("</td><td></td>", o);
			}
		}
		fputs("</tr>\n", o);
	}
	fputs("</table>\n", o);
}

static void html_behaviors(FILE *o, const struct rp_host *h)
{
	fputs("<h3>Behaviors</h3>\n<table><tr><th>kind</th><th>start (s)</th><th>end (s)</th><th>flows</th>"
	      "<th>evidence</th></tr>\n", o);
	for (unsigned i = 0; i < h->nbehs; i++) {
		const struct rp_beh *b = &h->behs[i];
		fprintf(o, "<tr><td class=\"%s\">%s</td><td>%.3f</td><td>%.3f</td><td>%llu</td><td>",
			b->malicious ? "mal" : "", b->kind, b->start, b->end, (unsigned long long)b->flows);
		esc(o, b->evidence);
		fputs("</td></tr>\n", o);
	}
	fputs("</table>\n", o);
}

static void html_notable(FILE *o, const struct rp_host *h)
{
	fputs("<h3>Notable endpoints</h3>\n<table><tr><th>#</th><th>address</th><th>name</th><th>AS</th>"
	      "<th>organisation</th><th>country</th><th>score</th><th>reason</th></tr>\n", o);
	for (unsigned i = 0; i < h->nnotable; i++) {
		const struct rp_notable *n = &h->notable[i];
		char a[64];
		decode_addr_str(n->family, n->addr, a, sizeof a);
		fprintf(o, "<tr><td>%u</td><td>%s</td><td>", i + 1, a);
		esc(o, n->name);
		fputs("</td><td>", o);
		if (n->asn)
			fprintf(o, "AS%u", n->asn);
		fputs("</td><td>", o);
		esc(o, n->range[0] ? n->range : n->org);
		fputs("</td><td>", o);
		esc(o, n->country);
		fprintf(o, "</td><td>%.2f</td><td>", n->score);
		esc(o, n->reason);
		fputs("</td></tr>\n", o);
	}
	fputs("</table>\n", o);
}

static void html_iocs(FILE *o, const struct rp_host *h)
{
	fputs("<h3>Indicators</h3>\n<table><tr><th>type</th><th>value</th><th>seen</th><th>supports</th></tr>\n", o);
	for (unsigned i = 0; i < h->niocs; i++) {
		const struct rp_ioc *e = &h->iocs[i];
		fputs("<tr><td>", o);
		esc(o, e->type);
		fputs("</td><td><code>", o);
		esc(o, e->value);
		fprintf(o, "</code></td><td>%u</td><td>", e->count);
		esc(o, e->behavior);
		fputs("</td></tr>\n", o);
	}
	fputs("</table>\n", o);
}

/* The answer first: per host of rep, a contents line with its verdict, linking to its section. */
int report_html_toc(FILE *o, const struct rp_report *rep, unsigned nth)
{
	fprintf(o, "<li><a href=\"#r%u\">", nth);
	esc(o, rep->file);
	fputs("</a><ul>\n", o);
	for (unsigned k = 0; k < rep->nhosts; k++) {
		const struct rp_host *h = &rep->hosts[k];
		char a[96];
		rp_host_label(h, a, sizeof a);
		fprintf(o, "<li><a href=\"#r%u-h%u\">%s</a> (%s): %s</li>\n", nth, k, a, h->role,
			h->malicious ? "<span class=\"mal\">malicious</span>" : "no malicious behavior");
	}
	fputs(rep->nhosts ? "</ul></li>\n" : "<li>no host explained</li></ul></li>\n", o);
	return ferror(o) ? -1 : 0;
}

int report_html_nav(FILE *o, const char *entries, size_t n)
{
	fputs("<nav><h2>Contents</h2><ul>\n", o);
	fwrite(entries, 1, n, o);
	fputs("</ul></nav>\n", o);
	return ferror(o) ? -1 : 0;
}

int report_html(FILE *o, const struct rp_report *rep, unsigned nth, char *err, size_t errlen)
{
	fprintf(o, "<h2 id=\"r%u\">", nth);
	esc(o, rep->file);
	char hl[96];
	report_hosts_line(rep, hl, sizeof hl);
	fprintf(o, "</h2>\n<p>%.1f s, %s.</p>\n", rep->span, hl);
	if (rep->inspect_refused)
		fprintf(o, "<p class=\"refused\">Inspection: %llu flow%s refused at the memory cap (%zu bytes): "
			"metadata only.</p>\n", (unsigned long long)rep->inspect_refused,
			rep->inspect_refused == 1 ? "" : "s", rep->inspect_mem);
	for (unsigned k = 0; k < rep->nhosts; k++) {
		const struct rp_host *h = &rep->hosts[k];
		char a[96];
		rp_host_label(h, a, sizeof a);
		fprintf(o, "<section><h2 id=\"r%u-h%u\">Host %s (%s) &mdash; %s</h2>\n<p class=\"verdict%s\"><strong>%s</strong> ",
			nth, k, a, h->selected ? h->selected : "-", h->role, h->malicious ? " m" : "", h->malicious ? "Malicious." : "No malicious behavior.");
		esc(o, h->verdict);
		if (h->shared.on) {
			fputs("</p>\n<p class=\"caveat\"><strong>Caveat:</strong> ", o);
			esc(o, h->shared.evidence);
		}
		fputs("</p>\n<p>", o);
		esc(o, h->role_reason);
		fprintf(o, ". %llu flows out, %llu in.</p>\n<p>Protocols by content:", (unsigned long long)h->flows_out,
			(unsigned long long)h->flows_in);
		for (unsigned p = 0; p < RP_APP_COUNT; p++)
			if (h->app_flows[p])
				fprintf(o, " %s&nbsp;%llu", rp_app_name(p), (unsigned long long)h->app_flows[p]);
		fputs("</p>\n", o);
		html_dpi(o, h);
		html_timeline(o, h, rep->span);
		fputs("<h3>Time &times; port</h3>\n", o);
		if (html_plot_inline(o, rep, h, err, errlen))
			return -1;
		html_behaviors(o, h);
		html_notable(o, h);
		html_iocs(o, h);
		fputs("</section>\n", o);
	}
	if (ferror(o)) {  /* err was left unfilled: the CLI printed an empty "botlens: " line */
		snprintf(err, errlen, "cannot write the HTML report: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}
