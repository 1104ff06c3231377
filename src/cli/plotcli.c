/*
 * plotcli.c - the shared frame of `botlens plot`, `ports` and `compare`:
 * the plot options, one pass per capture collecting
 * contacts, panels per sandbox host (see plotcli.h).
 */
#include "cli/plotcli.h"
#include "analysis/annots.h"
#include "analysis/report.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"

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

struct ports_view plotcli_view(const struct plotcli *p, const struct plotcli_panel *pp)
{
	return (struct ports_view){ .file = pp->file, .host = pp->host, .v = pp->v, .n = pp->n, .dir = pp->dir,
				    .asked = p->dir, .span = pp->span, .start_ns = pp->start_ns, .rep = &pp->rep,
				    .explain = &pp->explain };
}

int plotcli_to_plot(const struct plotcli *p, const struct plotcli_panel *pp, struct plot_panel *out)
{
	struct ports_view v = plotcli_view(p, pp);
	return ports_render_plot(&v, p->annotate, p->icmp, out);
}

/* ---- collecting ---- */

static int by_host(const void *a, const void *b)
{
	const struct host *x = *(const struct host *const *)a, *y = *(const struct host *const *)b;
	return (x > y) - (x < y);
}

static int proto_slot(uint8_t proto)
{
	return proto == 6 ? 0 : proto == 17 ? 1 : 2;
}

/* The compare figures of host h from its contacts v (both directions). */
static void host_figures(struct plotcli_panel *pp, const struct contact *v, size_t n, const struct host *h)
{
	const struct host **peers = malloc((n ? n : 1) * sizeof *peers);
	uint8_t *seen = calloc(2 * 65536 / 8, 1);
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		const struct contact *k = &v[i];
		int s = proto_slot(k->proto);
		if (k->src == h) {
			pp->flows_out[s] += k->weight;
			if (peers)
				peers[np++] = k->dst;
			if (seen && s < 2 && !(seen[s * 8192 + k->port / 8] & (1u << (k->port % 8)))) {
				seen[s * 8192 + k->port / 8] |= (uint8_t)(1u << (k->port % 8));
				pp->ports_out++;
			}
		} else if (k->dst == h) {
			pp->flows_in[s] += k->weight;
			if (peers)
				peers[np++] = k->src;
		}
	}
	if (peers) {
		qsort(peers, np, sizeof *peers, by_host);
		for (size_t i = 0; i < np; i++)
			pp->peers += i == 0 || peers[i] != peers[i - 1];
	}
	free(peers);
	free(seen);
}

static struct plotcli_panel *new_panel(struct plotcli *p, const struct run *r)
{
	struct plotcli_panel *nv = realloc(p->panels, (p->npanels + 1) * sizeof *nv);
	if (!nv)
		return NULL;
	p->panels = nv;
	struct plotcli_panel *pp = &nv[p->npanels++];
	memset(pp, 0, sizeof *pp);
	pp->file = strdup(r->path);
	pp->span = p->cur.span;
	pp->start_ns = p->cur.start_ns;
	return pp;
}

/* The port of the host's first contact with nt's address, or 0 (annots_port_fn). */
static unsigned first_port_to(void *ctx, const struct rp_notable *nt)
{
	const struct plotcli_panel *pp = ctx;
	for (size_t i = 0; i < pp->n; i++) {
		const struct host *d = pp->v[i].dst;
		if (d && d->family == nt->family && !memcmp(d->addr, nt->addr, 16))
			return pp->v[i].port;
	}
	return 0;
}

/* The report analyses' view of host h as annotations (analysis/annots.c). Returns 0 or -1. */
static int explain_annots(struct plotcli_panel *pp, const struct run *r, struct rp_col *col,
			  const struct host *h)
{
	struct rp_report rep;
	char err[256];
	if (rp_build(col, r, h->family, h->addr, NULL, &rep, err, sizeof err))
		return -1;
	int rc = 0;
	for (unsigned k = 0; k < rep.nhosts && !rc; k++)
		rc = annots_report(&rep.hosts[k], pp->span, true, first_port_to, pp, &pp->explain);
	rp_report_free(&rep);
	return rc;
}

static bool in_dir(const struct contact *k, enum contacts_dir d, const struct host *h)
{
	return d == CONTACTS_ALL || (d == CONTACTS_OUT ? k->src == h : k->dst == h);
}

static int host_panel(struct plotcli *p, const struct run *r, const struct host *h)
{
	struct plotcli_panel *pp = new_panel(p, r);
	if (!pp || !pp->file)
		return -1;
	decode_addr_str(h->family, h->addr, pp->host, sizeof pp->host);
	pp->dir = p->dir;
	/* One scan of all contacts per host (there may be 16 hosts and millions
	 * of contacts): the panel's direction is picked from the host's own. */
	struct contact *all;
	size_t na = contacts_select(&p->cur, h, CONTACTS_ALL, &all), n = 0, tcpudp = 0;
	if (na == (size_t)-1)
		return -1;
	host_figures(pp, all, na, h);
	for (size_t i = 0; i < na; i++)
		tcpudp += in_dir(&all[i], p->dir, h) && (all[i].proto == 6 || all[i].proto == 17);
	if (!tcpudp && !p->dir_set && p->dir == CONTACTS_OUT)
		pp->dir = CONTACTS_ALL;  /* nothing outbound: show both directions */
	for (size_t i = 0; i < na; i++)  /* the panel's direction, kept in place and in order */
		if (in_dir(&all[i], pp->dir, h))
			all[n++] = all[i];
	pp->v = all;
	pp->n = n;
	if (ports_analyze(pp->v, n, h, &pp->rep))
		return -1;
	if (p->col && explain_annots(pp, r, p->col, h))
		return -1;
	for (size_t i = 0; i < n; i++)
		pp->v[i].src = pp->v[i].dst = NULL;  /* the host table dies with the run */
	return 0;
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
		struct plotcli_panel *pp = new_panel(p, r);
		if (!pp || !pp->file)
			p->ex = EXIT_INTERNAL;
	}
	for (unsigned i = 0; i < nsb; i++)
		if (host_panel(p, r, sb[i])) {
			cli_error("'%s': out of memory", r->path);
			p->ex = EXIT_INTERNAL;
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
	for (size_t i = 0; i < p->npanels; i++) {
		free(p->panels[i].file);
		free(p->panels[i].v);
		ports_report_free(&p->panels[i].rep);
		plot_annots_free(&p->panels[i].explain);
	}
	free(p->panels);
	p->panels = NULL;
	p->npanels = 0;
}
