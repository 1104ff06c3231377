/*
 * compare_out.c - two runs' panels (analysis/portpanel.h) side by side as
 * `botlens compare` shows them: a table of their figures and differences
 * (protocol mix, share inbound, distinct peers, ports used, random-port
 * ranges, bands, top services), or the same as JSON.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/ports_out.h"

/* The figures of one run, as text cells and numbers. */
struct side {
	const struct port_panel *pp;
	uint64_t flows, in;
	double mix[3], inbound;
	char bands[160], services[2][200], range[2][64];
};

static void side_fill(struct side *s, const struct port_panel *pp)
{
	memset(s, 0, sizeof *s);
	s->pp = pp;
	for (int i = 0; i < 3; i++) {
		s->flows += pp->flows_out[i] + pp->flows_in[i];
		s->in += pp->flows_in[i];
	}
	for (int i = 0; i < 3; i++)
		s->mix[i] = s->flows ? 100.0 * (pp->flows_out[i] + pp->flows_in[i]) / s->flows : 0;
	s->inbound = s->flows ? 100.0 * s->in / s->flows : 0;
	size_t len = 0;
	for (int p = 0; p < 2; p++) {
		const struct ports_proto *pr = &pp->rep.p[p];
		for (size_t b = 0; b < pr->nbands && len < sizeof s->bands - 48; b++)
			len += (size_t)snprintf(s->bands + len, sizeof s->bands - len, "%s%s %u–%u (%.0f×)",
						len ? ", " : "", p ? "udp" : "tcp", pr->bands[b].lo,
						pr->bands[b].hi, pr->bands[b].ratio);
		const struct ports_range *r = &pr->range;
		if (r->valid)
			snprintf(s->range[p], sizeof s->range[p], "%ld–%ld%s", lround(fmax(r->lo_hat, 0)),
				 lround(fmin(r->hi_hat, 65535)), r->ks_lp > log(PORTS_ALPHA) ? " uniform" : "");
		else
			snprintf(s->range[p], sizeof s->range[p], "-");
	}
	if (!len)
		snprintf(s->bands, sizeof s->bands, "none");
	for (int p = 0; p < 2; p++) {
		len = 0;
		for (size_t i = 0; i < pp->rep.p[p].nservices && i < 3 && len < sizeof s->services[p] - 40; i++) {
			const struct ports_service *sv = &pp->rep.p[p].services[i];
			len += (size_t)snprintf(s->services[p] + len, sizeof s->services[p] - len, "%s%u %s (%llu)",
						len ? ", " : "", sv->port, sv->name ? sv->name : "",
						(unsigned long long)sv->flows);
		}
		if (!len)
			snprintf(s->services[p], sizeof s->services[p], "none");
	}
}

/* Prints s padded to width characters (UTF-8 aware: "–" is one). */
static void cell(FILE *f, const char *s, int width)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	fputs(s, f);
	for (; n < width; n++)
		fputc(' ', f);
}

static void row(FILE *f, const char *name, const char *a, const char *b, const char *d)
{
	cell(f, name, 26);
	fputc(' ', f);
	cell(f, a, 44);
	fputc(' ', f);
	cell(f, b, 44);
	fprintf(f, " %s\n", d);
}

/* A numeric row: A, B and B - A with the given decimals and unit. */
static void rowf(FILE *f, const char *name, double a, double b, int dec, const char *unit)
{
	char x[64], y[64], d[64];
	snprintf(x, sizeof x, "%.*f%s", dec, a, unit);
	snprintf(y, sizeof y, "%.*f%s", dec, b, unit);
	snprintf(d, sizeof d, "%+.*f%s", dec, b - a, unit);
	row(f, name, x, y, d);
}

static void table_text(FILE *f, const struct side *a, const struct side *b)
{
	const struct port_panel *x = a->pp, *y = b->pp;
	const char *fa = strrchr(x->file, '/'), *fb = strrchr(y->file, '/');
	row(f, "", fa ? fa + 1 : x->file, fb ? fb + 1 : y->file, "B - A");
	row(f, "sandbox host", x->host, y->host, "");
	rowf(f, "duration", x->span, y->span, 0, " s");
	rowf(f, "flows (both directions)", (double)a->flows, (double)b->flows, 0, "");
	rowf(f, "share inbound", a->inbound, b->inbound, 1, " %");
	rowf(f, "protocol mix: tcp", a->mix[0], b->mix[0], 1, " %");
	rowf(f, "protocol mix: udp", a->mix[1], b->mix[1], 1, " %");
	rowf(f, "protocol mix: icmp", a->mix[2], b->mix[2], 1, " %");
	rowf(f, "distinct peers", (double)x->peers, (double)y->peers, 0, "");
	rowf(f, "ports used (dst, out)", (double)x->ports_out, (double)y->ports_out, 0, "");
	row(f, "random tcp ports", a->range[0], b->range[0], "");
	row(f, "random udp ports", a->range[1], b->range[1], "");
	row(f, "dense bands", a->bands, b->bands, "");
	row(f, "top tcp services", a->services[0], b->services[0], "");
	row(f, "top udp services", a->services[1], b->services[1], "");
}

static json_object *side_json(const struct side *s)
{
	const struct port_panel *pp = s->pp;
	struct ports_view v = { .file = pp->file, .host = pp->host, .n = pp->n, .rep = &pp->rep };
	json_object *o = ports_render_json(&v), *mix = json_object_new_object();
	json_object_object_add(o, "duration", json_object_new_double(pp->span));
	json_object_object_add(o, "flows", json_object_new_uint64(s->flows));
	json_object_object_add(o, "share_inbound", json_object_new_double(s->inbound / 100));
	static const char *const names[] = { "tcp", "udp", "icmp" };
	for (int i = 0; i < 3; i++)
		json_object_object_add(mix, names[i], json_object_new_double(s->mix[i] / 100));
	json_object_object_add(o, "protocol_mix", mix);
	json_object_object_add(o, "peers", json_object_new_uint64(pp->peers));
	json_object_object_add(o, "ports_used", json_object_new_uint64(pp->ports_out));
	return o;
}

void compare_render_text(FILE *f, const struct port_panel *a, const struct port_panel *b)
{
	struct side x, y;
	side_fill(&x, a);
	side_fill(&y, b);
	table_text(f, &x, &y);
}

json_object *compare_render_json(const struct port_panel *a, const struct port_panel *b)
{
	struct side x, y;
	side_fill(&x, a);
	side_fill(&y, b);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "a", side_json(&x));
	json_object_object_add(o, "b", side_json(&y));
	return o;
}
