/*
 * plot.c - the time x destination-port figure (see plot.h).
 *
 * Layout of one panel (pixels from the panel's top-left corner):
 *
 *   +--------------------------------------------------------------+
 *   | title (file)                                                 |
 *   | subtitle (host, span, start)        legend: o TCP  ^ UDP     |
 *   |      +---------------------------------------------+         |
 *   | port |  marks or density, annotations              |- 80 http|
 *   |      +---------------------------------------------+         |
 *   |         0:00      2:00      4:00   time since start          |
 *   +--------------------------------------------------------------+
 *
 * Panels sit side by side and share both axes (the longest span), unless
 * fig->own_time gives each panel its own time axis.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/ports.h"
#include "render/plot-int.h"

#define M_LEFT 74
#define M_RIGHT 118
#define M_TOP 78
#define M_BOTTOM 50
#define FIG_TITLE 34

struct geom {
	double x0, x1, y0, y1;
	double tmax;
	bool ylog;
};

static double gx(const struct geom *g, double t)
{
	return g->x0 + t / g->tmax * (g->x1 - g->x0);
}

static double gy(const struct geom *g, double port)
{
	double v = g->ylog ? log10(port + 1) / log10(65536.0) : port / 65535.0;
	return g->y1 - v * (g->y1 - g->y0);
}

static void axes(cairo_t *cr, const struct geom *g)
{
	char buf[32];
	cairo_set_line_width(cr, 1);
	double step = pl_time_step(g->tmax, 8);
	for (double t = 0; t <= g->tmax + 1e-9; t += step) {
		double x = round(gx(g, t)) + 0.5;
		cairo_set_source_rgb(cr, 0.90, 0.90, 0.90);
		cairo_move_to(cr, x, g->y0);
		cairo_line_to(cr, x, g->y1);
		cairo_stroke(cr);
		plot_time_label(t, g->tmax, buf, sizeof buf);
		cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
		pl_text(cr, x, g->y1 + 8, 11, false, 0.5, 0, buf);
	}
	static const double lin[] = { 0, 10000, 20000, 30000, 40000, 50000, 60000, 65535 };
	static const double lg[] = { 0, 9, 99, 999, 9999, 65535 };
	const double *ys = g->ylog ? lg : lin;
	size_t ny = g->ylog ? 6 : 8;
	for (size_t i = 0; i < ny; i++) {
		double y = round(gy(g, ys[i])) + 0.5;
		cairo_set_source_rgb(cr, 0.90, 0.90, 0.90);
		cairo_move_to(cr, g->x0, y);
		cairo_line_to(cr, g->x1, y);
		cairo_stroke(cr);
		snprintf(buf, sizeof buf, "%.0f", g->ylog && ys[i] > 0 && ys[i] < 65535 ? ys[i] + 1 : ys[i]);
		cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
		if (!(i == ny - 1 && !g->ylog))  /* 65535 would touch 60000's label */
			pl_text(cr, g->x0 - 7, y, 11, false, 1, 0.5, buf);
	}
	cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
	cairo_rectangle(cr, g->x0 + 0.5, g->y0 + 0.5, g->x1 - g->x0, g->y1 - g->y0);
	cairo_stroke(cr);
	cairo_save(cr);
	cairo_translate(cr, g->x0 - 58, (g->y0 + g->y1) / 2);
	cairo_rotate(cr, -M_PI / 2);
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	pl_text(cr, 0, 0, 12, false, 0.5, 0.5, g->ylog ? "destination port (log scale)" : "destination port");
	cairo_restore(cr);
	pl_text(cr, (g->x0 + g->x1) / 2, g->y1 + 28, 12, false, 0.5, 0,
		g->tmax < 3600 ? "time since start (mm:ss)" : "time since start (h:mm)");
}

static void points(cairo_t *cr, const struct geom *g, const struct plot_panel *p)
{
	/* UDP first, then TCP on top, ICMP last: the rarer services stay visible */
	static const int order[] = { PLOT_UDP, PLOT_TCP, PLOT_ICMP };
	for (int o = 0; o < 3; o++)
		for (size_t i = 0; i < p->npts; i++)
			if (p->pts[i].series == order[o])
				pl_mark(cr, order[o], gx(g, p->pts[i].t), gy(g, p->pts[i].port));
}

/*
 * Per-cell (2 x 2 pixels) counts of each series, drawn with a logarithmic ramp of
 * opacity (one count faint, the busiest pixel solid), as one image: its
 * cost and size depend on the pixels, not the points.
 */
static int density(cairo_t *cr, const struct geom *g, const struct plot_panel *p)
{
	const int cell = 2;  /* pixels per density cell: single pixels are too faint to see */
	int w = (int)(g->x1 - g->x0) / cell, h = (int)(g->y1 - g->y0) / cell;
	uint32_t *cnt = calloc((size_t)w * h * 3, sizeof *cnt);
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
	if (!cnt || cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		free(cnt);
		cairo_surface_destroy(img);
		return -1;
	}
	uint32_t mx[3] = { 1, 1, 1 };
	for (size_t i = 0; i < p->npts; i++) {
		int x = (int)((gx(g, p->pts[i].t) - g->x0) / cell), y = (int)((gy(g, p->pts[i].port) - g->y0) / cell);
		x = x < 0 ? 0 : x >= w ? w - 1 : x;
		y = y < 0 ? 0 : y >= h ? h - 1 : y;
		uint32_t *c = &cnt[((size_t)p->pts[i].series * h + y) * w + x];
		*c = *c > UINT32_MAX - p->pts[i].weight ? UINT32_MAX : *c + p->pts[i].weight;
		if (*c > mx[p->pts[i].series])
			mx[p->pts[i].series] = *c;
	}
	cairo_surface_flush(img);
	unsigned char *data = cairo_image_surface_get_data(img);
	int stride = cairo_image_surface_get_stride(img);
	static const int order[] = { PLOT_UDP, PLOT_TCP, PLOT_ICMP };
	for (int y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * stride);
		for (int x = 0; x < w; x++) {
			double r = 0, gg = 0, b = 0, a = 0;  /* premultiplied "over" of the series */
			for (int o = 0; o < 3; o++) {
				uint32_t c = cnt[((size_t)order[o] * h + y) * w + x];
				if (!c)
					continue;
				double rgb[3], al = 0.45 + 0.55 * log1p(c) / log1p(mx[order[o]]);
				pl_series_rgb(order[o], rgb);
				r = rgb[0] * al + r * (1 - al);
				gg = rgb[1] * al + gg * (1 - al);
				b = rgb[2] * al + b * (1 - al);
				a = al + a * (1 - al);
			}
			row[x] = (uint32_t)lround(a * 255) << 24 | (uint32_t)lround(r * 255) << 16 |
				 (uint32_t)lround(gg * 255) << 8 | (uint32_t)lround(b * 255);
		}
	}
	cairo_surface_mark_dirty(img);
	cairo_save(cr);
	cairo_translate(cr, g->x0, g->y0);
	cairo_scale(cr, cell, cell);
	cairo_set_source_surface(cr, img, 0, 0);
	cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
	cairo_paint(cr);
	cairo_restore(cr);
	cairo_surface_destroy(img);
	free(cnt);
	return 0;
}

struct svc_label {
	uint16_t port;
	uint64_t n;
	double y, ly;  /* true and label position */
};

static int by_count(const void *a, const void *b)
{
	const struct svc_label *x = a, *y = b;
	return x->n != y->n ? (x->n < y->n ? 1 : -1) : x->port - y->port;
}

static int by_y(const void *a, const void *b)
{
	const struct svc_label *x = a, *y = b;
	return (x->y > y->y) - (x->y < y->y);
}

/* Well-known ports present in the panel, labelled on the right axis, spread to stay legible. */
static void services(cairo_t *cr, const struct geom *g, const struct plot_panel *p)
{
	uint16_t list[128];
	size_t ns = ports_service_list(list, sizeof list / sizeof *list);
	struct svc_label l[64];
	size_t n = 0;
	for (size_t i = 0; i < ns && n < 64; i++) {
		uint64_t c = 0;
		for (size_t k = 0; k < p->npts; k++)
			c += p->pts[k].port == list[i] && p->pts[k].series != PLOT_ICMP;
		if (c)
			l[n++] = (struct svc_label){ list[i], c, 0, 0 };
	}
	if (n > 10)
		n = 10;
	qsort(l, n, sizeof *l, by_count);
	for (size_t i = 0; i < n; i++)
		l[i].y = l[i].ly = gy(g, l[i].port);
	qsort(l, n, sizeof *l, by_y);
	for (size_t i = n; i-- > 0;)  /* bottom up: push labels upwards to 13 px apart */
		if (i + 1 < n && l[i].ly > l[i + 1].ly - 13)
			l[i].ly = l[i + 1].ly - 13;
	for (size_t i = 0; i < n; i++) {
		char buf[40];
		snprintf(buf, sizeof buf, "%u %s", l[i].port, ports_service_name(l[i].port));
		cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
		cairo_set_line_width(cr, 0.8);
		cairo_move_to(cr, g->x1, l[i].y);
		cairo_line_to(cr, g->x1 + 5, l[i].y);
		cairo_line_to(cr, g->x1 + 11, l[i].ly);
		cairo_line_to(cr, g->x1 + 14, l[i].ly);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		pl_text(cr, g->x1 + 16, l[i].ly, 10.5, false, 0, 0.5, buf);
	}
}

static void label_box(cairo_t *cr, double x, double y, double ax, const char *s)
{
	double w = pl_text_width(cr, 10.5, false, s);
	cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
	cairo_rectangle(cr, x - ax * w - 3, y - 8, w + 6, 16);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.55, 0.05, 0.05);
	pl_text(cr, x, y, 10.5, false, ax, 0.5, s);
}

/* The band itself; port bands also get their label (at the right, stacked by nth). */
static void band_annot(cairo_t *cr, const struct geom *g, const struct plot_annot *a, int nth)
{
	double x0 = g->x0, x1 = g->x1, y0 = g->y0, y1 = g->y1;
	if (a->kind == PLOT_ANNOT_PORT_BAND) {
		y0 = gy(g, a->p1) - 1;
		y1 = gy(g, a->p0) + 1;
	} else {
		x0 = gx(g, a->t0);
		x1 = gx(g, a->t1);
	}
	cairo_set_source_rgba(cr, 0.80, 0.10, 0.10, 0.08);
	cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
	cairo_fill(cr);
	double dash[] = { 4, 3 };
	cairo_set_dash(cr, dash, 2, 0);
	cairo_set_line_width(cr, 1);
	cairo_set_source_rgba(cr, 0.70, 0.10, 0.10, 0.8);
	cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);
	if (a->kind == PLOT_ANNOT_PORT_BAND)  /* first label above the band, the next ones below */
		label_box(cr, g->x1 - 6, nth == 0 ? y0 - 11 : y1 + 11 + 17 * (nth - 1), 1, a->label);
}

#define LABEL_ROWS 4
#define LABEL_MAX 64

/* Labels placed in the strip at the top of the plot: [x0, x1) in a row. */
struct label_strip {
	struct { double x0, x1; int row; } v[LABEL_MAX];
	unsigned n;
};

/*
 * A row of the strip where a label of width w starting at x overlaps no
 * label placed before, or -1: the label is dropped rather than drawn over
 * another.  The label is kept inside the plot (*lx).
 */
static int label_row(const struct geom *g, struct label_strip *st, double x, double w, double *lx)
{
	*lx = x + w > g->x1 ? x - w + 4 : x;
	if (st->n == LABEL_MAX)
		return -1;
	for (int row = 0; row < LABEL_ROWS; row++) {
		bool free_ = true;
		for (unsigned i = 0; i < st->n && free_; i++)
			free_ = st->v[i].row != row || st->v[i].x1 <= *lx || st->v[i].x0 >= *lx + w;
		if (free_) {
			st->v[st->n].x0 = *lx;
			st->v[st->n].x1 = *lx + w;
			st->v[st->n++].row = row;
			return row;
		}
	}
	return -1;
}

/*
 * Bands first (shapes only), then the labels of time bands (phase
 * onsets) and of point annotations (events: a ring at the point, a dotted
 * line up to the label) share one strip of LABEL_ROWS rows at the top:
 * each label takes the first row where it overlaps none, and is dropped
 * when no row is free, so labels never overlap, however close to t = 0
 * they crowd.
 */
static void annotations(cairo_t *cr, const struct geom *g, const struct plot_panel *p)
{
	int nband = 0;
	struct label_strip st = { .n = 0 };
	for (size_t i = 0; i < p->annots.n; i++) {
		const struct plot_annot *a = &p->annots.v[i];
		if (a->kind != PLOT_ANNOT_POINT)
			band_annot(cr, g, a, a->kind == PLOT_ANNOT_PORT_BAND ? nband++ : 0);
	}
	for (size_t i = 0; i < p->annots.n; i++) {
		const struct plot_annot *a = &p->annots.v[i];
		double lx, w = pl_text_width(cr, 10.5, false, a->label) + 8;
		int row;
		if (a->kind == PLOT_ANNOT_TIME_BAND && (row = label_row(g, &st, gx(g, a->t0) + 1, w, &lx)) >= 0)
			label_box(cr, lx + 3, g->y0 + 11 + 17 * row, 0, a->label);
	}
	for (size_t i = 0; i < p->annots.n; i++) {
		const struct plot_annot *a = &p->annots.v[i];
		if (a->kind != PLOT_ANNOT_POINT)
			continue;
		double x = gx(g, a->t0), y = gy(g, a->p0), lx;
		double w = pl_text_width(cr, 10.5, false, a->label) + 8;
		int row = label_row(g, &st, x, w, &lx);
		double ly = g->y0 + 11 + 17 * (row < 0 ? 0 : row);
		cairo_set_source_rgba(cr, 0.70, 0.10, 0.10, 0.9);
		cairo_set_line_width(cr, 1.2);
		cairo_new_sub_path(cr);
		cairo_arc(cr, x, y, 5.5, 0, 2 * M_PI);
		cairo_stroke(cr);
		if (row < 0)   /* no room for its label: the ring alone */
			continue;
		double dot[] = { 1.5, 2.5 };
		cairo_set_dash(cr, dot, 2, 0);
		cairo_set_line_width(cr, 0.8);
		cairo_move_to(cr, x + 0.5, y - 6);
		cairo_line_to(cr, x + 0.5, ly + 8);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		label_box(cr, lx + 3, ly, 0, a->label);
	}
}

static void header(cairo_t *cr, const struct geom *g, double top, const struct plot_panel *p,
		   const char *what, bool dense)
{
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	pl_text(cr, g->x0, top + 12, 15, true, 0, 0, p->title);
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	pl_text(cr, g->x0, top + 34, 11.5, false, 0, 0, p->subtitle);
	uint64_t n[PLOT_NSERIES] = { 0 };
	for (size_t i = 0; i < p->npts; i++)
		n[p->pts[i].series] += p->pts[i].weight;
	double x = g->x0;
	char buf[96];
	for (int s = 0; s < PLOT_NSERIES; s++)
		if (n[s] || s < 2) {
			snprintf(buf, sizeof buf, "%s (%llu)", pl_series_name(s), (unsigned long long)n[s]);
			x += pl_legend_item(cr, s, x, top + 60, buf);
		}
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	snprintf(buf, sizeof buf, "%s%s", what ? what : "", dense ? "; density, log colour scale" : "");
	pl_text(cr, x, top + 60, 11, false, 0, 0.5, buf);
}

static void panel(cairo_t *cr, const struct plot_fig *f, const struct plot_panel *p, double px,
		  double top, double tmax, bool *fail)
{
	struct geom g = { px + M_LEFT, px + f->width - M_RIGHT, top + M_TOP, top + f->height - M_BOTTOM,
			  tmax, f->ylog };
	size_t limit = f->point_limit ? f->point_limit : PLOT_POINT_LIMIT;
	bool dense = p->npts > limit;
	header(cr, &g, top, p, f->what, dense);
	axes(cr, &g);
	cairo_save(cr);
	cairo_rectangle(cr, g.x0, g.y0 - 4, g.x1 - g.x0 + 4, g.y1 - g.y0 + 8);
	cairo_clip(cr);
	if (dense) {
		if (density(cr, &g, p))
			*fail = true;
	} else {
		points(cr, &g, p);
	}
	cairo_restore(cr);
	if (!p->npts) {
		cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
		pl_text(cr, (g.x0 + g.x1) / 2, (g.y0 + g.y1) / 2, 14, false, 0.5, 0.5, "no contacts");
	}
	services(cr, &g, p);
	if (p->annotate)
		annotations(cr, &g, p);
}

/* Panels in a grid: side by side up to 3, then about square. */
static void grid(size_t n, int *cols, int *rows)
{
	*cols = n <= 3 ? (int)n : (int)ceil(sqrt((double)n));
	*rows = (int)((n + (size_t)*cols - 1) / (size_t)*cols);
}

int plot_render(const struct plot_fig *f, const char *path, char *err, size_t errlen)
{
	double top = f->title ? FIG_TITLE : 0, tmax = 1;
	for (size_t i = 0; i < f->npanels; i++)
		if (f->panels[i].span > tmax)
			tmax = f->panels[i].span;
	int cols, rows;
	grid(f->npanels ? f->npanels : 1, &cols, &rows);
	struct pl_out o;
	if (pl_open(&o, path, f->width * cols, f->height * rows + (int)top, err, errlen))
		return -1;
	if (f->title) {
		cairo_set_source_rgb(o.cr, 0.05, 0.05, 0.05);
		pl_text(o.cr, f->width * (double)cols / 2, 14, 16, true, 0.5, 0, f->title);
	}
	bool fail = false;
	for (size_t i = 0; i < f->npanels; i++)
		panel(o.cr, f, &f->panels[i], (double)f->width * (double)(i % (size_t)cols),
		      top + (double)f->height * (double)(i / (size_t)cols),
		      f->own_time ? (f->panels[i].span > 1 ? f->panels[i].span : 1) : tmax, &fail);
	if (pl_close(&o, err, errlen))
		return -1;
	if (fail) {
		snprintf(err, errlen, "'%s': out of memory while drawing", path);
		return -1;
	}
	return 0;
}
