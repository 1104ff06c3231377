/*
 * plot_lines.c - a line chart of a few series over time (botnet size per
 * crawl and the like): x = seconds, y = counts, one colour per series,
 * a legend, PNG/SVG/PDF by the output's extension (shared surfaces with
 * plot.c).
 */
#include <math.h>
#include <stdio.h>

#include "render/plot-int.h"

static const double series_rgb[PLOT_SERIES_MAX][3] = {
	{ 0.17, 0.35, 0.63 }, { 0.93, 0.49, 0.13 }, { 0.20, 0.60, 0.30 }, { 0.75, 0.20, 0.20 },
};

static void axes(cairo_t *cr, const struct plot_lines *s, double x0, double y0, double x1, double y1,
		 double ymax)
{
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, x0 + 0.5, y0 + 0.5, x1 - x0, y1 - y0);
	cairo_stroke(cr);
	double step = pl_nice_step(ymax, 6);
	for (double v = 0; v <= ymax + step / 2; v += step) {
		double y = y1 - v / ymax * (y1 - y0);
		char b[32];
		snprintf(b, sizeof b, "%.0f", v);
		pl_text(cr, x0 - 6, y, 11, false, 1, 0.5, b);
		cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
		cairo_move_to(cr, x0, y);
		cairo_line_to(cr, x1, y);
		cairo_stroke(cr);
	}
	double span = s->x[s->n - 1] - s->x[0];
	double ts = pl_time_step(span > 0 ? span : 1, 8);
	for (double t = 0; t <= span + ts / 2; t += ts) {
		char b[32];
		snprintf(b, sizeof b, "%.0f s", t);
		pl_text(cr, x0 + (span > 0 ? t / span : 0) * (x1 - x0), y1 + 6, 11, false, 0.5, 0, b);
	}
	pl_text(cr, (x0 + x1) / 2, y1 + 26, 12, false, 0.5, 0, s->xlabel ? s->xlabel : "time (s)");
}

int plot_lines_render(const struct plot_lines *s, const char *path, char *err, size_t errlen)
{
	if (s->n == 0 || s->nseries == 0 || s->nseries > PLOT_SERIES_MAX) {
		snprintf(err, errlen, "nothing to plot");
		return -1;
	}
	struct pl_out o;
	int w = s->width ? s->width : 1000, h = s->height ? s->height : 520;
	if (pl_open(&o, path, w, h, err, errlen))
		return -1;
	cairo_t *cr = o.cr;
	double ymax = 1;
	for (size_t k = 0; k < s->nseries; k++)
		for (size_t i = 0; i < s->n; i++)
			ymax = s->y[k][i] > ymax ? s->y[k][i] : ymax;
	ymax *= 1.1;
	double x0 = 80, y0 = 90, x1 = w - 30, y1 = h - 60;
	cairo_set_source_rgb(cr, 0, 0, 0);
	pl_text(cr, x0, 20, 16, true, 0, 0, s->title ? s->title : "");
	double lx = x0;
	for (size_t k = 0; k < s->nseries; k++) {  /* legend */
		cairo_set_source_rgb(cr, series_rgb[k][0], series_rgb[k][1], series_rgb[k][2]);
		cairo_rectangle(cr, lx, 52, 18, 4);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		pl_text(cr, lx + 24, 54, 12, false, 0, 0.5, s->names[k]);
		lx += 40 + pl_text_width(cr, 12, false, s->names[k]);
	}
	axes(cr, s, x0, y0, x1, y1, ymax);
	double span = s->x[s->n - 1] - s->x[0];
	for (size_t k = 0; k < s->nseries; k++) {
		cairo_set_source_rgb(cr, series_rgb[k][0], series_rgb[k][1], series_rgb[k][2]);
		cairo_set_line_width(cr, 2);
		for (size_t i = 0; i < s->n; i++) {
			double x = x0 + (span > 0 ? (s->x[i] - s->x[0]) / span : 0.5) * (x1 - x0);
			double y = y1 - s->y[k][i] / ymax * (y1 - y0);
			if (i == 0)
				cairo_move_to(cr, x, y);
			else
				cairo_line_to(cr, x, y);
		}
		cairo_stroke(cr);
		for (size_t i = 0; i < s->n; i++) {  /* a dot per crawl */
			double x = x0 + (span > 0 ? (s->x[i] - s->x[0]) / span : 0.5) * (x1 - x0);
			cairo_arc(cr, x, y1 - s->y[k][i] / ymax * (y1 - y0), 3.5, 0, 2 * M_PI);
			cairo_fill(cr);
		}
	}
	return pl_close(&o, err, errlen);
}
