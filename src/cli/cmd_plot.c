/*
 * cmd_plot.c - `botlens plot FILE... -o OUT.png|svg|pdf`: time since the
 * start x destination port, TCP and UDP apart, one panel per sandbox
 * host (and per capture), shared axes.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/plotcli.h"

#define PLOT_MAX_PANELS 9

static const struct cli_opt opts[] = {
	{ "per", 0, "WHAT", "flow (one point per connection attempt, default) or packet", PLOTCLI_PER },
	{ "inbound", 0, NULL, "plot connections to the sandbox host instead of from it", PLOTCLI_INBOUND },
	{ "all", 0, NULL, "plot both directions", PLOTCLI_ALL },
	{ "yscale", 0, "SCALE", "linear (default) or log", PLOTCLI_YSCALE },
	{ "annotate", 0, "HOW", "auto (default: dense bands, first service contacts), explain (+ phases and notable endpoints from the report analyses, one record per flow more) or none", PLOTCLI_ANNOTATE },
	{ "icmp", 0, NULL, "also plot ICMP (y = code)", PLOTCLI_ICMP },
	{ "size", 0, "WxH", "size of one panel in pixels (default 1200x640; 900x480 from 3 panels on)", PLOTCLI_SIZE },
	{ "inspect-bytes", 0, "N", "--annotate explain: as report --inspect-bytes (default 64K)", PLOTCLI_INSPECT_BYTES },
	{ "inspect-mem", 0, "N", "--annotate explain: as report --inspect-mem (default 256M)", PLOTCLI_INSPECT_MEM },
	{ NULL, 0, NULL, NULL, 0 },
};

static int opt_cb(void *ctx, int id, const char *arg)
{
	return plotcli_opt(ctx, id, arg);
}

/* "outbound connection attempts (per flow)" */
static void what_text(const struct plotcli *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s (per %s)", ports_dir_text(p->dir),
		 p->per_packet ? "packets" : "connection attempts", p->per_packet ? "packet" : "flow");
}

/* Draws every collected panel into out. Returns an exit code. */
static int draw(struct plotcli *p, const char *out, const char *title)
{
	size_t npts = 0;
	struct plot_panel *pl = calloc(p->npanels ? p->npanels : 1, sizeof *pl);
	if (!pl)
		return EXIT_INTERNAL;
	int ex = EXIT_OK;
	for (size_t i = 0; i < p->npanels && !ex; i++) {
		if (plotcli_to_plot(p, &p->panels[i], &pl[i]))
			ex = EXIT_INTERNAL;
		npts += pl[i].npts;
	}
	if (!ex && npts == 0) {
		if (p->npanels == 1 || (p->npanels > 1 && p->c.nfiles == 1))  /* one capture, several hosts */
			cli_error("nothing to plot: no %s TCP or UDP contacts in '%s'", ports_dir_text(p->dir),
				  p->panels[0].file);
		else if (p->c.nfiles == 1)  /* one capture, no sandbox host in it */
			cli_error("nothing to plot: no %s TCP or UDP contacts in '%s'", ports_dir_text(p->dir),
				  p->c.files[0]);
		else
			cli_error("nothing to plot: no %s TCP or UDP contacts in the captures",
				  ports_dir_text(p->dir));
		cli_hint("an empty capture, a filter that matches nothing, or try --all / --host");
		ex = EXIT_INPUT;
	}
	if (!ex) {
		char what[96], err[512];
		what_text(p, what, sizeof what);
		size_t np = p->npanels;
		if (np > PLOT_MAX_PANELS) {
			cli_error("%zu panels (captures x sandbox hosts): drawing the first %d", np, PLOT_MAX_PANELS);
			cli_hint("pick one with --host ADDR, or give fewer captures");
			np = PLOT_MAX_PANELS;
		}
		/* A grid of 1200x640 panels outgrows any screen (3x3: 3600x1920) and
		 * costs more to encode than the pass over the capture: smaller panels. */
		bool grid = np >= 3;
		struct plot_fig fig = { .title = title, .what = what, .panels = pl, .npanels = np,
					.ylog = p->ylog, .width = p->width ? p->width : grid ? 900 : 1200,
					.height = p->height ? p->height : grid ? 480 : 640 };
		if (plot_render(&fig, out, err, sizeof err)) {
			cli_error("%s", err);
			ex = EXIT_OUTPUT;
		}
	}
	for (size_t i = 0; i < p->npanels; i++) {
		free(pl[i].pts);
		plot_annots_free(&pl[i].annots);
	}
	free(pl);
	return ex;
}

int cmd_plot(int argc, char **argv)
{
	static struct plotcli p;
	memset(&p, 0, sizeof p);
	p.annotate = true;
	int rc = cli_parse(argc, argv, "plot", "[options] FILE... -o OUT.png|OUT.svg|OUT.pdf", opts, opt_cb,
			   &p, &p.c,
			   "  botlens plot run.pcap -o run.png\n"
			   "  botlens plot --annotate explain run.pcap -o run.pdf\n"
			   "  botlens plot --per packet --yscale log run.pcap -o run.svg\n"
			   "  botlens plot --host 192.168.1.10 --inbound lab.pcapng -o lab.pdf\n");
	if (rc)
		return rc;
	if (!p.c.out || !plotcli_image_name(p.c.out)) {
		cli_error(p.c.out ? "'%s': unknown image type" : "no output image given%s", p.c.out ? p.c.out : "");
		cli_hint("give -o OUT.png, OUT.svg or OUT.pdf");
		return EXIT_USAGE;
	}
	cli_out_check(p.c.out);  /* the image over one of the captures: exit 2 before reading */
	int ex = plotcli_collect(&p);
	if (ex != EXIT_USAGE && ex != EXIT_INTERNAL && p.npanels) {
		int dx = draw(&p, p.c.out, NULL);
		ex = dx ? dx : ex;
	}
	plotcli_free(&p);
	return ex;
}
