/*
 * portpanel.c - one host of one capture as `plot`, `ports` and `compare`
 * show it: its contacts in a direction (both when it has no outbound
 * TCP/UDP and none was asked for), their port analysis (ports.c), the
 * figures compare tabulates, and the report analyses' phases and notable
 * endpoints as annotations (annots.c).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/annots.h"
#include "analysis/portpanel.h"

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
static void host_figures(struct port_panel *pp, const struct contact *v, size_t n, const struct host *h)
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

int port_panel_init(struct port_panel *pp, const struct contacts *cur, const struct run *r)
{
	memset(pp, 0, sizeof *pp);
	pp->file = strdup(r->path);
	pp->span = cur->span;
	pp->start_ns = cur->start_ns;
	return pp->file ? 0 : -1;
}

/* The port of the host's first contact with nt's address, or 0 (annots_port_fn). */
static unsigned first_port_to(void *ctx, const struct rp_notable *nt)
{
	const struct port_panel *pp = ctx;
	for (size_t i = 0; i < pp->n; i++) {
		const struct host *d = pp->v[i].dst;
		if (d && d->family == nt->family && !memcmp(d->addr, nt->addr, 16))
			return pp->v[i].port;
	}
	return 0;
}

/* The report analyses' view of host h as annotations (analysis/annots.c). Returns 0 or -1. */
static int explain_annots(struct port_panel *pp, const struct run *r, struct rp_col *col,
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

int port_panel_build_from(struct port_panel *pp, const struct contacts *cur, const struct run *r,
			  const struct host *h, struct contact *all, size_t na, enum contacts_dir dir,
			  bool dir_set, struct rp_col *col)
{
	if (port_panel_init(pp, cur, r)) {
		free(all);
		return -1;
	}
	pp->v = all;  /* the panel's from here (port_panel_free) */
	decode_addr_str(h->family, h->addr, pp->host, sizeof pp->host);
	pp->dir = dir;
	/* The panel's direction is picked from the host's own contacts. */
	size_t n = 0, tcpudp = 0;
	host_figures(pp, all, na, h);
	for (size_t i = 0; i < na; i++)
		tcpudp += in_dir(&all[i], dir, h) && (all[i].proto == 6 || all[i].proto == 17);
	if (!tcpudp && !dir_set && dir == CONTACTS_OUT)
		pp->dir = CONTACTS_ALL;  /* nothing outbound: show both directions */
	for (size_t i = 0; i < na; i++)  /* the panel's direction, kept in place and in order */
		if (in_dir(&all[i], pp->dir, h))
			all[n++] = all[i];
	pp->n = n;
	if (ports_analyze(pp->v, n, h, &pp->rep))
		return -1;
	if (col && explain_annots(pp, r, col, h))
		return -1;
	for (size_t i = 0; i < n; i++)
		pp->v[i].src = pp->v[i].dst = NULL;  /* the host table dies with the run */
	return 0;
}

int port_panel_build(struct port_panel *pp, const struct contacts *cur, const struct run *r,
		     const struct host *h, enum contacts_dir dir, bool dir_set, struct rp_col *col)
{
	struct contact *all;
	size_t na = contacts_select(cur, h, CONTACTS_ALL, &all);
	if (na == (size_t)-1) {
		memset(pp, 0, sizeof *pp);  /* nothing to free */
		return -1;
	}
	return port_panel_build_from(pp, cur, r, h, all, na, dir, dir_set, col);
}

void port_panel_free(struct port_panel *pp)
{
	free(pp->file);
	free(pp->v);
	ports_report_free(&pp->rep);
	plot_annots_free(&pp->explain);
	memset(pp, 0, sizeof *pp);
}
