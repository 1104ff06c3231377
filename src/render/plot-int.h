/*
 * plot-int.h - what plot.c and plot_hist.c share: output surfaces, text,
 * colours and marks, tick steps (render/ only).
 */
#ifndef BOTLENS_PLOT_INT_H
#define BOTLENS_PLOT_INT_H

#include <cairo.h>

#include "render/plot.h"
#include "util/afile.h"

struct pl_out {
	cairo_surface_t *s;
	cairo_t *cr;
	enum plot_format fmt;
	const char *path;
	struct plot_png *defer;     /* PNG: pixels kept here by pl_close, not written */
	FILE *f;                    /* SVG, PDF: the temporary file cairo writes to */
	struct afile af;            /* renamed onto path by pl_close when all went well */
};

/* Opens a w x h surface for path's format; -1 with err filled. */
int pl_open(struct pl_out *o, const char *path, int w, int h, char *err, size_t errlen);
/* Finishes and writes the surface; -1 with err filled. */
int pl_close(struct pl_out *o, char *err, size_t errlen);

/* Draws s with its anchor at (x, y): ax 0 left .5 centre 1 right, ay likewise (0 top). */
void pl_text(cairo_t *cr, double x, double y, double size, bool bold, double ax, double ay,
	     const char *s);
double pl_text_width(cairo_t *cr, double size, bool bold, const char *s);
/* A "nice" step (1, 2, 5 x 10^k) giving about n ticks over range. */
double pl_nice_step(double range, int n);
/* A time-axis step in seconds (1 s ... 12 h) giving about n ticks. */
double pl_time_step(double span, int n);
void pl_series_rgb(int series, double rgb[3]);
/* One mark of a series centred at (x, y). */
void pl_mark(cairo_t *cr, int series, double x, double y);
/* A legend entry (mark + text) at (x, y); returns its width. */
double pl_legend_item(cairo_t *cr, int series, double x, double y, const char *text);
const char *pl_series_name(int series);

#endif
