/*
 * points.h - what an analysis hands a plot: time x port points and
 * labelled annotations (points, time bands, port bands).  Plain data, no
 * drawing: analysis/ fills them (report.h, annots.h), render/plot.h draws
 * them.  plot_annot_add and plot_annots_free are in analysis/annots.c.
 */
#ifndef BOTLENS_POINTS_H
#define BOTLENS_POINTS_H

#include <stddef.h>
#include <stdint.h>

enum plot_series { PLOT_TCP, PLOT_UDP, PLOT_ICMP, PLOT_NSERIES };

struct plot_point {
	float t;           /* seconds since the run's start */
	uint16_t port;
	uint8_t series;    /* enum plot_series */
	uint8_t spare;
	uint32_t weight;   /* packets or flows it stands for */
};

enum plot_annot_kind { PLOT_ANNOT_POINT, PLOT_ANNOT_TIME_BAND, PLOT_ANNOT_PORT_BAND };

struct plot_annot {
	enum plot_annot_kind kind;
	double t0, t1;     /* time (point: t0) */
	unsigned p0, p1;   /* port (point: p0) */
	char label[96];
};

struct plot_annots {
	struct plot_annot *v;
	size_t n, cap;
};

/* Appends a copy of a; returns 0 or -1 when out of memory. */
int plot_annot_add(struct plot_annots *l, const struct plot_annot *a);
void plot_annots_free(struct plot_annots *l);

#endif
