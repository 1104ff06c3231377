/*
 * cmd_compare.c - `botlens compare A B [-o OUT]`: two runs side by side
 * (panels sharing axes) and a table of their differences: protocol mix,
 * share inbound, ports used, bands found, top services, distinct peers.
 * With several sandbox hosts in a capture, its first (busiest) one.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/plotcli.h"

static const struct cli_opt opts[] = {
	{ "per", 0, "WHAT", "flow (default) or packet", PLOTCLI_PER },
	{ "inbound", 0, NULL, "plot connections to the sandbox hosts instead of from them", PLOTCLI_INBOUND },
	{ "all", 0, NULL, "plot both directions", PLOTCLI_ALL },
	{ "yscale", 0, "SCALE", "linear (default) or log", PLOTCLI_YSCALE },
	{ "annotate", 0, "HOW", "auto (default) or none", PLOTCLI_ANNOTATE },
	{ "size", 0, "WxH", "size of one panel in pixels (default 900x600)", PLOTCLI_SIZE },
	{ NULL, 0, NULL, NULL, 0 },
};

static int opt_cb(void *ctx, int id, const char *arg)
{
	return plotcli_opt(ctx, id, arg);
}

/* The figures of one run, as text cells and numbers. */
struct side {
	const struct plotcli_panel *pp;
	uint64_t flows, in;
	double mix[3], inbound;
	char bands[160], services[2][200], range[2][64];
};

static void side_fill(struct side *s, const struct plotcli_panel *pp)
{
	memset(s, 0, sizeof *s);
	s->pp = pp;
	for (int i = 0; i < 3; i++) {
		s->flows += pp->flows_out[i] + pp->flows_in[i];
		s->in += pp->flows_in[i];
	}
	for (int i = 0; i < 3; i++)
		s->mix[i] = s->flows ? 100.0 * (pp->flows_out[i] + pp->flows_in[i]) / s->flows : 0;
	s->inbound = s->flows ? 100.0 * s->in / s->flows : 0;
	size_t len = 0;
	for (int p = 0; p < 2; p++) {
		const struct ports_proto *pr = &pp->rep.p[p];
		for (size_t b = 0; b < pr->nbands && len < sizeof s->bands - 48; b++)
			len += (size_t)snprintf(s->bands + len, sizeof s->bands - len, "%s%s %u–%u (%.0f×)",
						len ? ", " : "", p ? "udp" : "tcp", pr->bands[b].lo,
						pr->bands[b].hi, pr->bands[b].ratio);
		const struct ports_range *r = &pr->range;
		if (r->valid)
			snprintf(s->range[p], sizeof s->range[p], "%ld–%ld%s", lround(fmax(r->lo_hat, 0)),
				 lround(fmin(r->hi_hat, 65535)), r->ks_lp > log(PORTS_ALPHA) ? " uniform" : "");
		else
			snprintf(s->range[p], sizeof s->range[p], "-");
	}
	if (!len)
		snprintf(s->bands, sizeof s->bands, "none");
	for (int p = 0; p < 2; p++) {
		len = 0;
		for (size_t i = 0; i < pp->rep.p[p].nservices && i < 3 && len < sizeof s->services[p] - 40; i++) {
			const struct ports_service *sv = &pp->rep.p[p].services[i];
			len += (size_t)snprintf(s->services[p] + len, sizeof s->services[p] - len, "%s%u %s (%llu)",
						len ? ", " : "", sv->port, sv->name ? sv->name : "",
						(unsigned long long)sv->flows);
		}
		if (!len)
			snprintf(s->services[p], sizeof s->services[p], "none");
	}
}

/* Prints s padded to width characters (UTF-8 aware: "–" is one). */
static void cell(const char *s, int width)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	fputs(s, stdout);
	for (; n < width; n++)
		putchar(' ');
}

static void row(const char *name, const char *a, const char *b, const char *d)
{
	cell(name, 26);
	putchar(' ');
	cell(a, 44);
	putchar(' ');
	cell(b, 44);
	printf(" %s\n", d);
}

/* A numeric row: A, B and B - A with the given decimals and unit. */
static void rowf(const char *name, double a, double b, int dec, const char *unit)
{
	char x[64], y[64], d[64];
	snprintf(x, sizeof x, "%.*f%s", dec, a, unit);
	snprintf(y, sizeof y, "%.*f%s", dec, b, unit);
	snprintf(d, sizeof d, "%+.*f%s", dec, b - a, unit);
	row(name, x, y, d);
}

static void table_text(const struct side *a, const struct side *b)
{
	const struct plotcli_panel *x = a->pp, *y = b->pp;
	const char *fa = strrchr(x->file, '/'), *fb = strrchr(y->file, '/');
	row("", fa ? fa + 1 : x->file, fb ? fb + 1 : y->file, "B - A");
	row("sandbox host", x->host, y->host, "");
	rowf("duration", x->span, y->span, 0, " s");
	rowf("flows (both directions)", (double)a->flows, (double)b->flows, 0, "");
	rowf("share inbound", a->inbound, b->inbound, 1, " %");
	rowf("protocol mix: tcp", a->mix[0], b->mix[0], 1, " %");
	rowf("protocol mix: udp", a->mix[1], b->mix[1], 1, " %");
	rowf("protocol mix: icmp", a->mix[2], b->mix[2], 1, " %");
	rowf("distinct peers", (double)x->peers, (double)y->peers, 0, "");
	rowf("ports used (dst, out)", (double)x->ports_out, (double)y->ports_out, 0, "");
	row("random tcp ports", a->range[0], b->range[0], "");
	row("random udp ports", a->range[1], b->range[1], "");
	row("dense bands", a->bands, b->bands, "");
	row("top tcp services", a->services[0], b->services[0], "");
	row("top udp services", a->services[1], b->services[1], "");
}

static json_object *side_json(const struct side *s)
{
	const struct plotcli_panel *pp = s->pp;
	json_object *o = plotcli_ports_json(pp), *mix = json_object_new_object();
	json_object_object_add(o, "duration", json_object_new_double(pp->span));
	json_object_object_add(o, "flows", json_object_new_uint64(s->flows));
	json_object_object_add(o, "share_inbound", json_object_new_double(s->inbound / 100));
	static const char *const names[] = { "tcp", "udp", "icmp" };
	for (int i = 0; i < 3; i++)
		json_object_object_add(mix, names[i], json_object_new_double(s->mix[i] / 100));
	json_object_object_add(o, "protocol_mix", mix);
	json_object_object_add(o, "peers", json_object_new_uint64(pp->peers));
	json_object_object_add(o, "ports_used", json_object_new_uint64(pp->ports_out));
	return o;
}

static int draw(struct plotcli *p, const struct plotcli_panel *two[2])
{
	struct plot_panel pl[2];
	int ex = EXIT_OK;
	memset(pl, 0, sizeof pl);
	for (int i = 0; i < 2 && !ex; i++)
		if (plotcli_to_plot(p, two[i], &pl[i]))
			ex = EXIT_INTERNAL;
	char title[340], what[96], err[512];
	snprintf(title, sizeof title, "%s  vs  %s", pl[0].title, pl[1].title);
	snprintf(what, sizeof what, "%s (per %s)", plotcli_dir_text(p->dir), p->per_packet ? "packet" : "flow");
	struct plot_fig fig = { .title = title, .what = what, .panels = pl, .npanels = 2, .ylog = p->ylog,
				.width = p->width ? p->width : 900, .height = p->height ? p->height : 600 };
	if (!ex && plot_render(&fig, p->c.out, err, sizeof err)) {
		cli_error("%s", err);
		ex = EXIT_OUTPUT;
	}
	for (int i = 0; i < 2; i++) {
		free(pl[i].pts);
		plot_annots_free(&pl[i].annots);
	}
	return ex;
}

/* The first panel of each of the two files, or NULL. */
static const struct plotcli_panel *first_of(const struct plotcli *p, const char *file)
{
	for (size_t i = 0; i < p->npanels; i++)
		if (!strcmp(p->panels[i].file, file))
			return &p->panels[i];
	return NULL;
}

int cmd_compare(int argc, char **argv)
{
	static struct plotcli p;
	memset(&p, 0, sizeof p);
	p.annotate = true;
	int rc = cli_parse(argc, argv, "compare", "[options] A B [-o OUT.png|svg|pdf]", opts, opt_cb, &p, &p.c,
			   "  botlens compare storm-private.pcap storm-public.pcap -o compare.png\n"
			   "  botlens compare --format json a.pcap b.pcap\n");
	if (rc)
		return rc;
	if (p.c.nfiles != 2) {
		cli_error("compare needs exactly two captures, %d given", p.c.nfiles);
		cli_hint("botlens compare A B -o OUT.png");
		return EXIT_USAGE;
	}
	if (p.c.out && !plotcli_image_name(p.c.out)) {
		cli_error("'%s': unknown image type", p.c.out);
		cli_hint("give -o OUT.png, OUT.svg or OUT.pdf");
		return EXIT_USAGE;
	}
	cli_out_check(p.c.out);  /* an image over one of the captures: exit 2 before reading */
	char *names[2] = { p.c.files[0], p.c.files[1] };
	int ex = plotcli_collect(&p);
	const struct plotcli_panel *two[2] = { first_of(&p, names[0]), first_of(&p, names[1]) };
	if (ex == EXIT_OK && (!two[0] || !two[1] || !two[0]->host[0] || !two[1]->host[0])) {
		const char *bad = !two[0] || !two[0]->host[0] ? names[0] : names[1];
		cli_error("'%s': no flows, nothing to compare", bad);
		ex = EXIT_INPUT;
	}
	if (ex == EXIT_OK) {
		struct side a, b;
		side_fill(&a, two[0]);
		side_fill(&b, two[1]);
		if (p.c.format_set && p.c.format == TABLE_JSON) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "a", side_json(&a));
			json_object_object_add(o, "b", side_json(&b));
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		} else {
			table_text(&a, &b);
		}
		if (p.c.out)
			ex = draw(&p, two);
	}
	plotcli_free(&p);
	return ex;
}
