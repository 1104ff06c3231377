/*
 * cmd_compare.c - `botlens compare A B [-o OUT]`: two runs side by side
 * (panels sharing axes) and a table of their differences: protocol mix,
 * share inbound, ports used, bands found, top services, distinct peers.
 * With several sandbox hosts in a capture, its first (busiest) one.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/plotcli.h"

/* Durations further apart than this factor are drawn on their own time axes. */
#define COMPARE_SPAN_RATIO 3.0

static bool own_time_axes(double a, double b)
{
	a = a > 1 ? a : 1;
	b = b > 1 ? b : 1;
	return a / b > COMPARE_SPAN_RATIO || b / a > COMPARE_SPAN_RATIO;
}

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

static int draw(struct plotcli *p, const struct port_panel *two[2])
{
	struct plot_panel pl[2];
	int ex = EXIT_OK;
	memset(pl, 0, sizeof pl);
	for (int i = 0; i < 2 && !ex; i++)
		if (plotcli_to_plot(p, two[i], &pl[i]))
			ex = EXIT_INTERNAL;
	char title[340], what[96], err[512];
	snprintf(title, sizeof title, "%s  vs  %s", pl[0].title, pl[1].title);
	snprintf(what, sizeof what, "%s (per %s)", ports_dir_text(p->dir), p->per_packet ? "packet" : "flow");
	struct plot_fig fig = { .title = title, .what = what, .panels = pl, .npanels = 2, .ylog = p->ylog,
				.width = p->width ? p->width : 900, .height = p->height ? p->height : 600 };
	/* a shared time axis only when the durations are comparable: a 74 s run
	 * beside an 18-minute one would be a sliver; else each its own, said */
	double s0 = pl[0].span > 1 ? pl[0].span : 1, s1 = pl[1].span > 1 ? pl[1].span : 1;
	if (own_time_axes(pl[0].span, pl[1].span)) {
		fig.own_time = true;
		for (int i = 0; i < 2; i++) {
			size_t n = strlen(pl[i].subtitle);
			snprintf(pl[i].subtitle + n, sizeof pl[i].subtitle - n, "; own time axis (durations differ %.0f×)",
				 s0 > s1 ? s0 / s1 : s1 / s0);
		}
	}
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
static const struct port_panel *first_of(const struct plotcli *p, const char *file)
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
	const struct port_panel *two[2] = { first_of(&p, names[0]), first_of(&p, names[1]) };
	if (ex == EXIT_OK && (!two[0] || !two[1] || !two[0]->host[0] || !two[1]->host[0])) {
		const char *bad = !two[0] || !two[0]->host[0] ? names[0] : names[1];
		cli_error("'%s': no flows, nothing to compare", bad);
		ex = EXIT_INPUT;
	}
	if (ex == EXIT_OK) {
		if (p.c.format_set && p.c.format == TABLE_JSON) {
			json_object *o = compare_render_json(two[0], two[1]);
			json_object_object_add(o, "time_axis", json_object_new_string(
				own_time_axes(two[0]->span, two[1]->span) ? "own" : "shared"));
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		} else {
			compare_render_text(stdout, two[0], two[1]);
		}
		if (p.c.out)
			ex = draw(&p, two);
	}
	plotcli_free(&p);
	return ex;
}
