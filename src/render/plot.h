/*
 * plot.h - time x destination-port plots and port histograms with cairo,
 * to PNG, SVG or PDF (chosen by the output name's extension).
 *
 * A figure is one or more panels side by side sharing both axes.  Each
 * panel's points are drawn as marks (TCP: filled circles, UDP: open
 * triangles, ICMP: crosses; distinct colours that stay apart in
 * greyscale) up to PLOT_POINT_LIMIT weighted points; beyond that each
 * series is aggregated per pixel and drawn as a density with a
 * logarithmic colour ramp, so that the cost and the SVG/PDF size do not
 * grow with the points.
 *
 * Annotations are a layer of labelled marks that analyses fill: points
 * (an endpoint at a time and port), time bands (a phase), port bands (a
 * dense range of ports).  The renderer never prints; errors go to err.
 */
#ifndef BOTLENS_PLOT_H
#define BOTLENS_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/points.h"

#define PLOT_POINT_LIMIT 20000

struct plot_panel {
	char title[160];           /* e.g. the file name */
	char subtitle[160];        /* e.g. the host and the time span */
	struct plot_point *pts;    /* owned by the caller */
	size_t npts;
	double span;               /* the run's duration, s */
	struct plot_annots annots;
	bool annotate;             /* draw annots */
};

struct plot_fig {
	const char *title;         /* above all panels; NULL for none */
	const char *what;          /* "outbound connection attempts (per flow)" */
	struct plot_panel *panels;
	size_t npanels;
	bool ylog;
	int width, height;         /* of one panel's area, pixels (points for SVG/PDF) */
	size_t point_limit;        /* 0 = PLOT_POINT_LIMIT */
	bool own_time;             /* each panel on its own time axis (else all share the longest) */
};

/* Port histogram: counts per bin and series over [lo, hi]. */
/*
 * A drawn PNG image not yet encoded: its RGB pixels.  plot_png_write()
 * encodes and writes it and uses no drawing library state, so several
 * can be written at once on different threads (drawing cannot: cairo's
 * fonts share one FreeType library).
 */
struct plot_png {
	char path[4096];
	int width, height;
	unsigned char *rgb;         /* width x height x 3, NULL when nothing is pending */
};

struct plot_hist {
	const char *title, *subtitle;
	unsigned lo, hi, bin;
	size_t nbins;
	const uint64_t *counts[2];  /* [PLOT_TCP], [PLOT_UDP]; NULL when absent */
	bool ylog;
	struct plot_annots annots;  /* port bands */
	int width, height;
	struct plot_png *defer;     /* PNG only: keep the pixels here, for plot_png_write */
};

enum plot_format { PLOT_PNG, PLOT_SVG, PLOT_PDF, PLOT_UNKNOWN };

/* The format an output name's extension asks for. */
enum plot_format plot_format_of(const char *path);
/* Draws fig to path. Returns 0, or -1 with err filled. */
int plot_render(const struct plot_fig *fig, const char *path, char *err, size_t errlen);
/* Frees the drawing library's process-wide caches (fonts); call when done drawing. */
void plot_release(void);
int plot_hist_render(const struct plot_hist *h, const char *path, char *err, size_t errlen);
/* Encodes and writes a deferred PNG, then frees its pixels. 0, or -1 with err filled. */
int plot_png_write(struct plot_png *p, char *err, size_t errlen);
/* Axis label of a time: "mm:ss" under an hour, else "h:mm". */
void plot_time_label(double t, double span, char *buf, size_t len);

/* A line chart of up to PLOT_SERIES_MAX series over x (seconds). */
#define PLOT_SERIES_MAX 4
struct plot_lines {
	const char *title, *xlabel;
	const double *x;                      /* n values, ascending */
	const double *y[PLOT_SERIES_MAX];     /* nseries arrays of n values */
	const char *names[PLOT_SERIES_MAX];
	size_t n, nseries;
	int width, height;                    /* 0 = 1000 x 520 */
};
int plot_lines_render(const struct plot_lines *s, const char *path, char *err, size_t errlen);

#endif
