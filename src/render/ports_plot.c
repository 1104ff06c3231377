/*
 * ports_plot.c - one host's contacts as a time x port plot panel (`botlens
 * plot`, `compare`): title and subtitle, the points, and the annotations
 * of the port findings (bands, first contact of the top services) with
 * the report's phases and endpoints (analysis/annots.c).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "render/table.h"
#include "render/ports_out.h"

static int annotate(const struct ports_view *v, struct plot_panel *out)
{
	for (int i = 0; i < 2; i++) {
		const struct ports_proto *pr = &v->rep->p[i];
		for (size_t b = 0; b < pr->nbands; b++) {
			char p[32];
			stats_p_str(pr->bands[b].lp, p, sizeof p);
			struct plot_annot a = { .kind = PLOT_ANNOT_PORT_BAND, .p0 = pr->bands[b].lo,
						.p1 = pr->bands[b].hi };
			snprintf(a.label, sizeof a.label, "%s band %u–%u: %.0f%% of peers, %.0f× denser (p = %s)",
				 ports_proto_text(pr->proto), pr->bands[b].lo, pr->bands[b].hi,
				 100 * pr->bands[b].share, pr->bands[b].ratio, p);
			if (plot_annot_add(&out->annots, &a))
				return -1;
		}
		/* the first contact of each of the top services, unless the report's
		 * phases label those moments already */
		for (size_t s = 0; s < pr->nservices && s < 3 && !(v->explain && v->explain->n); s++) {
			const struct ports_service *sv = &pr->services[s];
			for (size_t k = 0; k < v->n; k++)
				if (v->v[k].proto == pr->proto && v->v[k].port == sv->port) {
					struct plot_annot a = { .kind = PLOT_ANNOT_POINT, .t0 = v->v[k].t, .p0 = sv->port };
					char tl[16];
					plot_time_label(v->v[k].t, v->span, tl, sizeof tl);
					snprintf(a.label, sizeof a.label, "first %s %u/%s at %s", sv->name ? sv->name : "port",
						 sv->port, pr->proto == 6 ? "tcp" : "udp", tl);
					if (plot_annot_add(&out->annots, &a))
						return -1;
					break;
				}
		}
	}
	for (size_t i = 0; v->explain && i < v->explain->n; i++)  /* phases and notable endpoints (report) */
		if (plot_annot_add(&out->annots, &v->explain->v[i]))
			return -1;
	return 0;
}

struct ports_view ports_view_of(const struct port_panel *pp, enum contacts_dir asked)
{
	return (struct ports_view){ .file = pp->file, .host = pp->host, .v = pp->v, .n = pp->n, .dir = pp->dir,
				    .asked = asked, .span = pp->span, .start_ns = pp->start_ns, .rep = &pp->rep,
				    .explain = &pp->explain };
}

int ports_render_plot(const struct ports_view *v, bool annotate_on, bool icmp_asked, struct plot_panel *out)
{
	memset(out, 0, sizeof *out);
	const char *base = strrchr(v->file, '/');
	snprintf(out->title, sizeof out->title, "%s", base ? base + 1 : v->file);
	char span[16], when[48];
	plot_time_label(v->span, v->span, span, sizeof span);
	time_iso8601(v->start_ns, when, sizeof when);
	when[19] = 0;
	if (when[10] == 'T')
		when[10] = ' ';
	snprintf(out->subtitle, sizeof out->subtitle, "host %s · duration %s · start %s UTC", v->host[0] ? v->host : "-",
		 span, when);
	out->span = v->span;
	out->annotate = annotate_on;
	size_t tcpudp = 0;
	for (size_t i = 0; i < v->n; i++)
		tcpudp += v->v[i].proto == 6 || v->v[i].proto == 17;
	bool icmp = icmp_asked || !tcpudp;  /* an ICMP-only run shows its ICMP rather than nothing */
	if (v->dir != v->asked || (icmp && !icmp_asked)) {
		size_t len = strlen(out->subtitle);
		snprintf(out->subtitle + len, sizeof out->subtitle - len, " · %s%s",
			 v->dir != v->asked ? "no outbound TCP/UDP: both directions" : "",
			 icmp && !icmp_asked ? (v->dir != v->asked ? ", ICMP shown" : "only ICMP: ICMP shown") : "");
	}
	if (v->n && !(out->pts = malloc(v->n * sizeof *out->pts)))
		return -1;
	for (size_t i = 0; i < v->n; i++) {
		const struct contact *k = &v->v[i];
		int s = k->proto == 6 ? PLOT_TCP : k->proto == 17 ? PLOT_UDP : PLOT_ICMP;
		if (s == PLOT_ICMP && !icmp)
			continue;
		out->pts[out->npts++] = (struct plot_point){ k->t, k->port, (uint8_t)s, 0, k->weight };
	}
	return annotate_on ? annotate(v, out) : 0;
}
