/*
 * ports_hist.c - the destination-port histogram of `botlens ports`: TCP
 * and UDP counts per bin as text, JSON, table rows, and an image with the
 * dense bands marked.
 */
#include <json-c/json.h>
#include <string.h>

#include "analysis/stats.h"
#include "render/ports_out.h"
#include "render/table.h"

size_t ports_histo_nbins(const struct ports_histo *h)
{
	return (h->hi - h->lo) / h->bin + 1;
}

json_object *ports_render_hist_json(const struct ports_histo *h)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "lo", json_object_new_int(h->lo));
	json_object_object_add(o, "hi", json_object_new_int(h->hi));
	json_object_object_add(o, "bin", json_object_new_int(h->bin));
	for (int s = 0; s < 2; s++) {
		json_object *a = json_object_new_array();
		for (size_t b = 0; b < ports_histo_nbins(h); b++)
			json_object_array_add(a, json_object_new_uint64(h->c[s][b]));
		json_object_object_add(o, s ? "udp" : "tcp", a);
	}
	return o;
}

void ports_render_hist_text(FILE *f, const struct ports_histo *h)
{
	const char *u = h->per_packet ? "packets" : "flows";
	char tcp[16], udp[16];
	snprintf(tcp, sizeof tcp, "tcp %s", u);
	snprintf(udp, sizeof udp, "udp %s", u);
	fprintf(f, "  histogram (%s contacts per %u destination ports):\n  %11s %12s %12s\n",
		h->per_packet ? "packet" : "flow", h->bin, "dest. ports", tcp, udp);
	for (size_t b = 0; b < ports_histo_nbins(h); b++) {
		unsigned lo = h->lo + (unsigned)b * h->bin, hi = lo + h->bin - 1 > h->hi ? h->hi : lo + h->bin - 1;
		char r[16];
		snprintf(r, sizeof r, "%u-%u", lo, hi);
		fprintf(f, "  %11s %12llu %12llu\n", r, (unsigned long long)h->c[0][b], (unsigned long long)h->c[1][b]);
	}
}

void ports_render_hist_rows(struct table *t, const struct ports_histo *h, const char *file, const char *host)
{
	for (size_t b = 0; b < ports_histo_nbins(h); b++) {
		unsigned lo = h->lo + (unsigned)b * h->bin, hi = lo + h->bin - 1 > h->hi ? h->hi : lo + h->bin - 1;
		if (file)
			table_str(t, file);
		table_str(t, host[0] ? host : NULL);
		table_u64(t, lo);
		table_u64(t, hi);
		table_u64(t, h->c[0][b]);
		table_u64(t, h->c[1][b]);
		table_end_row(t);
	}
}

int ports_render_hist_image(const struct ports_histo *h, const struct ports_view *v, const char *path,
			    const struct ports_hist_look *look, struct plot_png *defer, char *err, size_t errlen)
{
	char title[200], sub[200];
	const char *base = strrchr(v->file, '/');
	snprintf(title, sizeof title, "%s: destination ports %u–%u", base ? base + 1 : v->file, h->lo, h->hi);
	snprintf(sub, sizeof sub, "host %s, %s contacts (per %s)", v->host, ports_dir_text(v->asked),
		 h->per_packet ? "packet" : "flow");
	struct plot_hist ph = { .title = title, .subtitle = sub, .lo = h->lo, .hi = h->hi, .bin = h->bin,
				.nbins = ports_histo_nbins(h), .counts = { h->c[0], h->c[1] }, .ylog = look->ylog,
				.width = look->width ? look->width : 1200, .height = look->height ? look->height : 560,
				.defer = defer };
	int rc = 0;
	for (int s = 0; s < 2 && !rc; s++)
		for (size_t b = 0; b < v->rep->p[s].nbands && !rc; b++) {
			const struct ports_band *bd = &v->rep->p[s].bands[b];
			char p[32];
			stats_p_str(bd->lp, p, sizeof p);
			struct plot_annot a = { .kind = PLOT_ANNOT_PORT_BAND, .p0 = bd->lo, .p1 = bd->hi };
			snprintf(a.label, sizeof a.label, "%s band %u–%u: %.0f× denser (p = %s)", s ? "UDP" : "TCP",
				 bd->lo, bd->hi, bd->ratio, p);
			rc = plot_annot_add(&ph.annots, &a);
		}
	if (rc)
		snprintf(err, errlen, "out of memory");
	else if (plot_hist_render(&ph, path, err, errlen))
		rc = 1;
	plot_annots_free(&ph.annots);
	return rc;
}
