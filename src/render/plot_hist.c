/*
 * plot_hist.c - destination-port histogram: one bar pair (TCP, UDP) per
 * bin over [lo, hi], linear or log counts, port-band annotations shaded.
 */
#include <math.h>
#include <stdio.h>

#include "render/plot-int.h"

#define H_LEFT 78
#define H_RIGHT 30
#define H_TOP 78
#define H_BOTTOM 52

static double hy(const struct plot_hist *h, double y0, double y1, double c, double cmax)
{
	double v = h->ylog ? log10(c + 1) / log10(cmax + 1) : c / cmax;
	return y1 - v * (y1 - y0);
}

static void hist_axes(cairo_t *cr, const struct plot_hist *h, double x0, double x1, double y0,
		      double y1, double cmax)
{
	char buf[32];
	cairo_set_line_width(cr, 1);
	double span = (double)h->hi - h->lo + 1, step = pl_nice_step(span, 8);
	for (double p = ceil(h->lo / step) * step; p <= h->hi; p += step) {
		double x = x0 + (p - h->lo) / span * (x1 - x0);
		cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
		cairo_move_to(cr, x, y1);
		cairo_line_to(cr, x, y1 + 4);
		cairo_stroke(cr);
		snprintf(buf, sizeof buf, "%.0f", p);
		pl_text(cr, x, y1 + 9, 11, false, 0.5, 0, buf);
	}
	double cs = h->ylog ? 10 : pl_nice_step(cmax, 6);
	for (double c = h->ylog ? 1 : 0; c <= cmax; c = h->ylog ? c * cs : c + cs) {
		double y = round(hy(h, y0, y1, c, cmax)) + 0.5;
		cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
		cairo_move_to(cr, x0, y);
		cairo_line_to(cr, x1, y);
		cairo_stroke(cr);
		snprintf(buf, sizeof buf, "%.0f", c);
		cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
		pl_text(cr, x0 - 7, y, 11, false, 1, 0.5, buf);
	}
	cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
	cairo_rectangle(cr, x0 + 0.5, y0 + 0.5, x1 - x0, y1 - y0);
	cairo_stroke(cr);
	snprintf(buf, sizeof buf, "destination port (bins of %u)", h->bin);
	pl_text(cr, (x0 + x1) / 2, y1 + 30, 12, false, 0.5, 0, buf);
	cairo_save(cr);
	cairo_translate(cr, x0 - 60, (y0 + y1) / 2);
	cairo_rotate(cr, -M_PI / 2);
	pl_text(cr, 0, 0, 12, false, 0.5, 0.5, h->ylog ? "contacts (log scale)" : "contacts");
	cairo_restore(cr);
}

static void hist_bands(cairo_t *cr, const struct plot_hist *h, double x0, double x1, double y0, double y1)
{
	double span = (double)h->hi - h->lo + 1;
	for (size_t i = 0; i < h->annots.n; i++) {
		const struct plot_annot *a = &h->annots.v[i];
		if (a->kind != PLOT_ANNOT_PORT_BAND || a->p1 < h->lo || a->p0 > h->hi)
			continue;
		double a0 = a->p0 < h->lo ? h->lo : a->p0, a1 = a->p1 > h->hi ? h->hi : a->p1;
		double xa = x0 + (a0 - h->lo) / span * (x1 - x0), xb = x0 + (a1 + 1 - h->lo) / span * (x1 - x0);
		cairo_set_source_rgba(cr, 0.8, 0.1, 0.1, 0.10);
		cairo_rectangle(cr, xa, y0, xb - xa, y1 - y0);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.55, 0.05, 0.05);
		pl_text(cr, xa + 4 > x1 - 300 ? x1 - 300 : xa + 4, y0 + 12 + 16 * (double)i, 10.5, false, 0, 0.5, a->label);
	}
}

int plot_hist_render(const struct plot_hist *h, const char *path, char *err, size_t errlen)
{
	struct pl_out o;
	if (pl_open(&o, path, h->width, h->height, err, errlen))
		return -1;
	o.defer = h->defer;
	cairo_t *cr = o.cr;
	double x0 = H_LEFT, x1 = h->width - H_RIGHT, y0 = H_TOP, y1 = h->height - H_BOTTOM;
	double cmax = 1;
	uint64_t tot[2] = { 0, 0 };
	for (int s = 0; s < 2; s++)
		for (size_t b = 0; h->counts[s] && b < h->nbins; b++) {
			if (h->counts[s][b] > cmax)
				cmax = (double)h->counts[s][b];
			tot[s] += h->counts[s][b];
		}
	cmax = h->ylog ? cmax * 1.5 : cmax * 1.08;  /* headroom: the tallest bar stays below the frame */
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	pl_text(cr, x0, 12, 15, true, 0, 0, h->title ? h->title : "");
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	pl_text(cr, x0, 34, 11.5, false, 0, 0, h->subtitle ? h->subtitle : "");
	double lx = x0;
	char buf[64];
	for (int s = 0; s < 2; s++) {
		snprintf(buf, sizeof buf, "%s (%llu)", pl_series_name(s), (unsigned long long)tot[s]);
		lx += pl_legend_item(cr, s, lx, 60, buf);
	}
	hist_bands(cr, h, x0, x1, y0, y1);
	hist_axes(cr, h, x0, x1, y0, y1, cmax);
	double span = (double)h->hi - h->lo + 1;
	for (size_t b = 0; b < h->nbins; b++)
		for (int s = 0; s < 2; s++) {
			if (!h->counts[s] || !h->counts[s][b])
				continue;
			double p0 = h->lo + (double)b * h->bin, p1 = p0 + h->bin > h->hi + 1.0 ? h->hi + 1.0 : p0 + h->bin;
			double xa = x0 + (p0 - h->lo) / span * (x1 - x0), xb = x0 + (p1 - h->lo) / span * (x1 - x0);
			double w = (xb - xa) / 2, x = xa + s * w;
			double rgb[3];
			pl_series_rgb(s, rgb);
			double y = hy(h, y0, y1, (double)h->counts[s][b], cmax);
			cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], 0.85);
			cairo_rectangle(cr, x, y, w < 1 ? 1 : w, y1 - y);
			cairo_fill(cr);
		}
	return pl_close(&o, err, errlen);
}
