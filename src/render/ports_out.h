/*
 * ports_out.h - the port findings of one host (analysis/ports.h) as text
 * sentences with their numbers, as JSON fields, and as a time x port plot
 * panel with annotations: the renderers of `botlens ports`, `compare` and
 * `plot`.  Nothing here decides; everything comes from struct ports_view.
 */
#ifndef BOTLENS_PORTS_OUT_H
#define BOTLENS_PORTS_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/contacts.h"
#include "analysis/portpanel.h"
#include "analysis/ports.h"
#include "render/plot.h"

struct json_object;

/* One host's contacts and port findings in a capture. */
struct ports_view {
	const char *file;            /* the capture's path */
	const char *host;            /* the host's address, "" when the capture had no flows */
	const struct contact *v;     /* its contacts in direction dir */
	size_t n;
	enum contacts_dir dir;       /* the direction of v */
	enum contacts_dir asked;     /* the direction asked for (dir differs: the host had no outbound) */
	double span;                 /* the capture's duration, s */
	int64_t start_ns;
	const struct ports_report *rep;
	const struct plot_annots *explain;   /* the report's phases and endpoints, or NULL */
};

/* The view of a collected panel; asked: the direction asked for. */
struct ports_view ports_view_of(const struct port_panel *pp, enum contacts_dir asked);
/* "outbound", "inbound" or "in and out". */
const char *ports_dir_text(enum contacts_dir d);
/* "TCP" or "UDP". */
const char *ports_proto_text(uint8_t proto);
/* The findings, one sentence per line, onto f. */
void ports_render_text(FILE *f, const struct ports_view *v);
/* The findings as a JSON object (json-c; the caller puts it). */
struct json_object *ports_render_json(const struct ports_view *v);
/*
 * Fills a plot panel from v: title, subtitle, points (ICMP only when icmp
 * or when there is nothing else) and, with annotate, port bands, the first
 * contact of the top services (unless the report's phases are there) and
 * v->explain.  Returns 0, or -1 out of memory (out->pts is the caller's to
 * free either way).
 */
int ports_render_plot(const struct ports_view *v, bool annotate, bool icmp, struct plot_panel *out);

/* A destination-port histogram: c[0] TCP, c[1] UDP counts per bin of `bin` ports over lo..hi. */
struct ports_histo {
	unsigned lo, hi, bin;
	bool per_packet;            /* counts are packets, not flows */
	const uint64_t *c[2];
};
/* How the histogram image looks (0: the default size, 1200x560). */
struct ports_hist_look {
	bool ylog;
	int width, height;
};
struct table;

size_t ports_histo_nbins(const struct ports_histo *h);
struct json_object *ports_render_hist_json(const struct ports_histo *h);
void ports_render_hist_text(FILE *f, const struct ports_histo *h);
/* One row per bin: [file,] host, lo, hi, tcp, udp (file NULL: no file column). */
void ports_render_hist_rows(struct table *t, const struct ports_histo *h, const char *file, const char *host);
/* The histogram of v's host as an image at path, its dense bands marked (defer: see plot_hist).
 * 0; -1 out of memory or 1 when it cannot be drawn or written, err filled. */
int ports_render_hist_image(const struct ports_histo *h, const struct ports_view *v, const char *path,
			    const struct ports_hist_look *look, struct plot_png *defer, char *err, size_t errlen);

/* `compare`: the two panels' figures and differences as a text table, or as {"a": ..., "b": ...}. */
void compare_render_text(FILE *f, const struct port_panel *a, const struct port_panel *b);
struct json_object *compare_render_json(const struct port_panel *a, const struct port_panel *b);

#endif
