/*
 * plotcli.c - the shared frame of `botlens plot`, `ports` and `compare`:
 * the plot options, one pass per capture collecting contacts, one panel
 * per selected host (analysis/portpanel.c; see plotcli.h).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/report.h"
#include "cli/plotcli.h"

int plotcli_opt(struct plotcli *p, int id, const char *arg)
{
	switch (id) {
	case PLOTCLI_PER:
		if (!strcmp(arg, "flow"))
			p->per_packet = false;
		else if (!strcmp(arg, "packet"))
			p->per_packet = true;
		else {
			cli_error("unknown --per '%s'", arg);
			cli_hint("use flow or packet");
			return EXIT_USAGE;
		}
		return 0;
	case PLOTCLI_INBOUND: p->dir = CONTACTS_IN; p->dir_set = true; return 0;
	case PLOTCLI_ALL: p->dir = CONTACTS_ALL; p->dir_set = true; return 0;
	case PLOTCLI_ICMP: p->icmp = true; return 0;
	case PLOTCLI_YSCALE:
		if (strcmp(arg, "linear") && strcmp(arg, "log")) {
			cli_error("unknown --yscale '%s'", arg);
			cli_hint("use linear or log");
			return EXIT_USAGE;
		}
		p->ylog = !strcmp(arg, "log");
		return 0;
	case PLOTCLI_ANNOTATE:
		if (strcmp(arg, "none") && strcmp(arg, "auto") && strcmp(arg, "explain")) {
			cli_error("unknown --annotate '%s'", arg);
			cli_hint("use auto, explain or none");
			return EXIT_USAGE;
		}
		p->annotate = strcmp(arg, "none") != 0;
		p->explain = !strcmp(arg, "explain");
		return 0;
	case PLOTCLI_INSPECT_BYTES:
		return cli_inspect_opt(false, arg, &p->inspect_bytes);
	case PLOTCLI_INSPECT_MEM:
		return cli_inspect_opt(true, arg, &p->inspect_mem);
	case PLOTCLI_SIZE:
		if (sscanf(arg, "%dx%d", &p->width, &p->height) != 2 || p->width < 200 ||
		    p->height < 150 || p->width > 8000 || p->height > 8000) {
			cli_error("invalid --size '%s': expected WxH, 200x150 to 8000x8000", arg);
			return EXIT_USAGE;
		}
		return 0;
	}
	return EXIT_INTERNAL;
}

bool plotcli_image_name(const char *f)
{
	return f && plot_format_of(f) != PLOT_UNKNOWN;
}

struct ports_view plotcli_view(const struct plotcli *p, const struct port_panel *pp)
{
	return ports_view_of(pp, p->dir);
}

int plotcli_to_plot(const struct plotcli *p, const struct port_panel *pp, struct plot_panel *out)
{
	struct ports_view v = plotcli_view(p, pp);
	return ports_render_plot(&v, p->annotate, p->icmp, out);
}

/* ---- collecting ---- */

/* ---- collecting (analysis/portpanel.c) ---- */

/* A new zeroed slot at the end of p->panels, or NULL out of memory. */
static struct port_panel *new_slot(struct plotcli *p)
{
	struct port_panel *nv = realloc(p->panels, (p->npanels + 1) * sizeof *nv);
	if (!nv)
		return NULL;
	p->panels = nv;
	memset(&nv[p->npanels], 0, sizeof *nv);
	return &nv[p->npanels++];
}

static void begin(void *ctx, size_t nfiles)
{
	(void)ctx;
	(void)nfiles;
}

static unsigned setup(void *ctx, struct run *r, struct run_sub *subs)
{
	struct plotcli *p = ctx;
	(void)r;
	contacts_init(&p->cur, p->per_packet);
	if (p->c.host_family)
		contacts_only(&p->cur, p->c.host_family, p->c.host_addr);
	subs[0] = contacts_sub(&p->cur);
	if (!p->explain)
		return 1;
	if (!(p->col = rp_col_new()))
		return 1;  /* no annotations from the analyses; the plot itself is still right */
	rp_col_limits(p->col, (size_t)p->inspect_bytes, (size_t)p->inspect_mem);
	subs[1] = rp_col_sub(p->col);
	return 2;
}

static void finish(void *ctx, struct run *r)
{
	struct plotcli *p = ctx;
	contacts_finish(&p->cur, r);
	const struct host *sb[16];
	unsigned nsb = hosttab_select(r->hosts, p->c.host_family, p->c.host_addr, sb, 16);
	if (r->hosts && p->c.host_family && !nsb)
		cli_error("'%s': host %s does not appear in the capture", r->path, p->c.host);
	if (nsb == 0) {  /* an empty panel says "nothing here" for this file */
		struct port_panel *pp = new_slot(p);
		if (!pp || port_panel_init(pp, &p->cur, r))
			p->ex = EXIT_INTERNAL;
	}
	/* The hosts' contacts in one scan (per packet: millions of them). */
	struct contact *sel[16] = { NULL };
	size_t nsel[16];
	bool picked = nsb && !contacts_select_hosts(&p->cur, sb, nsb, CONTACTS_ALL, sel, nsel);
	for (unsigned i = 0; i < nsb; i++) {
		struct port_panel *pp = new_slot(p);
		if (!pp)
			free(sel[i]);
		if (!pp || !picked ||
		    port_panel_build_from(pp, &p->cur, r, sb[i], sel[i], nsel[i], p->dir, p->dir_set, p->col)) {
			cli_error("'%s': out of memory", r->path);
			p->ex = EXIT_INTERNAL;
		}
	}
	if (p->cur.oom) {
		cli_error("'%s': out of memory: some contacts are missing", r->path);
		p->ex = EXIT_INTERNAL;
	}
	contacts_free(&p->cur);
	rp_col_free(p->col);
	p->col = NULL;
}

int plotcli_collect(struct plotcli *p)
{
	struct inputs_job job = { .ctx = p, .track_flows = true, .track_hosts = true, .hosts_light = true,
				  .begin = begin, .setup = setup, .finish = finish };
	int ex = inputs_run(&p->c, &job);
	return p->ex ? p->ex : ex;
}

void plotcli_free(struct plotcli *p)
{
	for (size_t i = 0; i < p->npanels; i++)
		port_panel_free(&p->panels[i]);
	free(p->panels);
	p->panels = NULL;
	p->npanels = 0;
}
