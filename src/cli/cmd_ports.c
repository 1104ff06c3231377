/*
 * cmd_ports.c - `botlens ports FILE... [--range A-B] [--bin N] [-o OUT]`:
 * the sandbox host's destination-port histogram per protocol, and what
 * explains it: services, the range of random port choices (with a
 * goodness-of-fit test), dense bands (binomial tail, Holm-corrected).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "cli/plotcli.h"
#include "util/par.h"

enum { PORTS_RANGE = 3100, PORTS_BIN };

static const struct cli_opt opts[] = {
	{ "range", 0, "A-B", "histogram over ports A to B (default 0-65535)", PORTS_RANGE },
	{ "bin", 0, "N", "bin width in ports (default: the range / 64, rounded up)", PORTS_BIN },
	{ "per", 0, "WHAT", "flow (each connection attempt counts once, default) or packet", PLOTCLI_PER },
	{ "inbound", 0, NULL, "ports of connections to the sandbox host instead of from it", PLOTCLI_INBOUND },
	{ "all", 0, NULL, "both directions", PLOTCLI_ALL },
	{ "yscale", 0, "SCALE", "linear (default) or log counts in the -o image", PLOTCLI_YSCALE },
	{ "size", 0, "WxH", "size of the -o image (default 1200x560)", PLOTCLI_SIZE },
	{ NULL, 0, NULL, NULL, 0 },
};

struct ports_cli {
	struct plotcli p;
	unsigned lo, hi, bin;
};

static int opt_cb(void *ctx, int id, const char *arg)
{
	struct ports_cli *x = ctx;
	char *end;
	unsigned long a, b;
	switch (id) {
	case PORTS_RANGE:
		errno = 0;
		a = strtoul(arg, &end, 10);
		if (errno || end == arg || *end != '-' || (b = strtoul(end + 1, &end, 10), *end) || a > b ||
		    b > 65535) {
			cli_error("invalid --range '%s': expected A-B with 0 <= A <= B <= 65535", arg);
			return EXIT_USAGE;
		}
		x->lo = (unsigned)a;
		x->hi = (unsigned)b;
		return 0;
	case PORTS_BIN:
		errno = 0;
		a = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || a < 1 || a > 65536) {
			cli_error("invalid --bin '%s': expected a width of 1 to 65536 ports", arg);
			return EXIT_USAGE;
		}
		x->bin = (unsigned)a;
		return 0;
	}
	return plotcli_opt(&x->p, id, arg);
}

static size_t nbins(const struct ports_cli *x)
{
	return (x->hi - x->lo) / x->bin + 1;
}

static json_object *hist_json(const struct ports_cli *x, uint64_t *const c[2])
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "lo", json_object_new_int(x->lo));
	json_object_object_add(o, "hi", json_object_new_int(x->hi));
	json_object_object_add(o, "bin", json_object_new_int(x->bin));
	for (int s = 0; s < 2; s++) {
		json_object *a = json_object_new_array();
		for (size_t b = 0; b < nbins(x); b++)
			json_object_array_add(a, json_object_new_uint64(c[s][b]));
		json_object_object_add(o, s ? "udp" : "tcp", a);
	}
	return o;
}

static void hist_text(FILE *f, const struct ports_cli *x, uint64_t *const c[2])
{
	const char *u = x->p.per_packet ? "packets" : "flows";
	char tcp[16], udp[16];
	snprintf(tcp, sizeof tcp, "tcp %s", u);
	snprintf(udp, sizeof udp, "udp %s", u);
	fprintf(f, "  histogram (%s contacts per %u destination ports):\n  %11s %12s %12s\n",
		x->p.per_packet ? "packet" : "flow", x->bin, "dest. ports", tcp, udp);
	for (size_t b = 0; b < nbins(x); b++) {
		unsigned lo = x->lo + (unsigned)b * x->bin, hi = lo + x->bin - 1 > x->hi ? x->hi : lo + x->bin - 1;
		char r[16];
		snprintf(r, sizeof r, "%u-%u", lo, hi);
		fprintf(f, "  %11s %12llu %12llu\n", r, (unsigned long long)c[0][b], (unsigned long long)c[1][b]);
	}
}

static void hist_table(struct table *t, const struct ports_cli *x, const struct plotcli_panel *pp,
		       uint64_t *const c[2], bool several)
{
	for (size_t b = 0; b < nbins(x); b++) {
		unsigned lo = x->lo + (unsigned)b * x->bin, hi = lo + x->bin - 1 > x->hi ? x->hi : lo + x->bin - 1;
		if (several)
			table_str(t, pp->file);
		table_str(t, pp->host[0] ? pp->host : NULL);
		table_u64(t, lo);
		table_u64(t, hi);
		table_u64(t, c[0][b]);
		table_u64(t, c[1][b]);
		table_end_row(t);
	}
}

/* OUT for the first panel, OUT-2.png... for the next. */
static void image_name(const char *out, size_t i, char *buf, size_t len)
{
	const char *dot = strrchr(out, '.');
	if (i == 0 || !dot)
		snprintf(buf, len, "%s", out);
	else
		snprintf(buf, len, "%.*s-%zu%s", (int)(dot - out), out, i + 1, dot);
}

/* Draws one histogram image; on failure returns an exit code with err filled. */
static int hist_image(const struct ports_cli *x, const struct plotcli_panel *pp, size_t i,
		      uint64_t *const c[2], struct plot_png *defer, char *err, size_t errlen)
{
	char name[4096], title[200], sub[200];
	image_name(x->p.c.out, i, name, sizeof name);
	const char *base = strrchr(pp->file, '/');
	snprintf(title, sizeof title, "%s: destination ports %u–%u", base ? base + 1 : pp->file, x->lo, x->hi);
	snprintf(sub, sizeof sub, "host %s, %s contacts (per %s)", pp->host, plotcli_dir_text(x->p.dir),
		 x->p.per_packet ? "packet" : "flow");
	struct plot_hist h = { .title = title, .subtitle = sub, .lo = x->lo, .hi = x->hi, .bin = x->bin,
			       .nbins = nbins(x), .counts = { c[0], c[1] }, .ylog = x->p.ylog,
			       .width = x->p.width ? x->p.width : 1200, .height = x->p.height ? x->p.height : 560,
			       .defer = defer };
	int rc = 0;
	for (int s = 0; s < 2 && !rc; s++)
		for (size_t b = 0; b < pp->rep.p[s].nbands && !rc; b++) {
			const struct ports_band *bd = &pp->rep.p[s].bands[b];
			char p[32];
			stats_p_str(bd->lp, p, sizeof p);
			struct plot_annot a = { .kind = PLOT_ANNOT_PORT_BAND, .p0 = bd->lo, .p1 = bd->hi };
			snprintf(a.label, sizeof a.label, "%s band %u–%u: %.0f× denser (p = %s)", s ? "UDP" : "TCP",
				 bd->lo, bd->hi, bd->ratio, p);
			rc = plot_annot_add(&h.annots, &a);
		}
	if (!rc && plot_hist_render(&h, name, err, errlen))
		rc = EXIT_OUTPUT;
	plot_annots_free(&h.annots);
	if (rc < 0)
		snprintf(err, errlen, "out of memory");
	return rc < 0 ? EXIT_INTERNAL : rc;
}

/*
 * Images come after the findings are printed.  Drawing is cairo's and
 * stays on this thread; PNG encoding, most of an image's cost, runs on the
 * machine's cores (util/par.h), PAR_MAX images at a time, so that at most
 * PAR_MAX images' pixels are held: with many sandbox hosts it would
 * otherwise rival the pass over the capture.
 */
struct image_job {
	size_t panel;
	uint64_t *c[2];
	struct plot_png png;
	int rc;
	char err[512];
};

static void encode_image(void *ctx, size_t i)
{
	struct image_job *j = (struct image_job *)ctx + i;
	if (!j->rc && plot_png_write(&j->png, j->err, sizeof j->err))
		j->rc = EXIT_OUTPUT;
}

static void draw_images(const struct ports_cli *x, struct image_job *jobs, size_t n)
{
	for (size_t k = 0; k < n; k += PAR_MAX) {
		size_t m = n - k < PAR_MAX ? n - k : PAR_MAX;
		for (size_t j = k; j < k + m; j++)
			jobs[j].rc = hist_image(x, &x->p.panels[jobs[j].panel], jobs[j].panel, jobs[j].c,
						&jobs[j].png, jobs[j].err, sizeof jobs[j].err);
		par_for(m, encode_image, jobs + k);
	}
}

static const char *const cols[] = { "file", "host", "lo", "hi", "tcp", "udp" };

static int report(struct ports_cli *x)
{
	struct plotcli *p = &x->p;
	bool several = p->npanels > 1, text = !p->c.format_set;
	struct table t;
	if (!text && p->c.format != TABLE_JSON) {
		table_init(&t, stdout, p->c.format, several ? cols : cols + 1, several ? 6 : 5, !p->c.no_header);
		table_begin(&t);
	}
	int ex = EXIT_OK;
	struct image_job *jobs = calloc(p->npanels ? p->npanels : 1, sizeof *jobs);
	size_t njobs = 0;
	if (!jobs)
		return EXIT_INTERNAL;
	for (size_t i = 0; i < p->npanels && ex == EXIT_OK; i++) {
		const struct plotcli_panel *pp = &p->panels[i];
		uint64_t *c[2] = { calloc(nbins(x), sizeof **c), calloc(nbins(x), sizeof **c) };
		if (!c[0] || !c[1]) {
			free(c[0]), free(c[1]);
			ex = EXIT_INTERNAL;
			break;
		}
		ports_hist(pp->v, pp->n, 6, x->lo, x->hi, x->bin, c[0]);
		ports_hist(pp->v, pp->n, 17, x->lo, x->hi, x->bin, c[1]);
		if (text) {
			plotcli_ports_text(stdout, pp, p->dir);
			hist_text(stdout, x, c);
		} else if (p->c.format == TABLE_JSON) {
			json_object *o = plotcli_ports_json(pp);
			json_object_object_add(o, "direction", json_object_new_string(plotcli_dir_text(p->dir)));
			json_object_object_add(o, "per", json_object_new_string(p->per_packet ? "packet" : "flow"));
			json_object_object_add(o, "histogram", hist_json(x, c));
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		} else {
			hist_table(&t, x, pp, c, several);
		}
		if (p->c.out && pp->host[0]) {  /* drawn below, the counts kept until then */
			jobs[njobs] = (struct image_job){ .panel = i, .c = { c[0], c[1] } };
			njobs++;
			continue;
		}
		free(c[0]), free(c[1]);
	}
	if (ex == EXIT_OK)
		draw_images(x, jobs, njobs);
	for (size_t k = 0; k < njobs; k++) {  /* errors in panel order */
		if (jobs[k].rc) {
			cli_error("%s", jobs[k].err);
			ex = ex == EXIT_OK ? jobs[k].rc : ex;
		}
		free(jobs[k].png.rgb);
		free(jobs[k].c[0]), free(jobs[k].c[1]);
	}
	free(jobs);
	return ex;
}

int cmd_ports(int argc, char **argv)
{
	static struct ports_cli x;
	memset(&x, 0, sizeof x);
	x.hi = 65535;
	int rc = cli_parse(argc, argv, "ports", "[options] FILE... [-o OUT.png|svg|pdf]", opts, opt_cb, &x,
			   &x.p.c,
			   "  botlens ports run.pcap\n"
			   "  botlens ports --range 50000-51000 --bin 10 run.pcap -o band.png\n"
			   "  botlens ports --format json run.pcap\n");
	if (rc)
		return rc;
	if (x.p.c.out && !plotcli_image_name(x.p.c.out)) {
		cli_error("'%s': unknown image type", x.p.c.out);
		cli_hint("-o writes the histogram as OUT.png, OUT.svg or OUT.pdf; the findings go to standard output");
		return EXIT_USAGE;
	}
	if (!x.bin) {
		unsigned span = x.hi - x.lo + 1;
		x.bin = (span + 63) / 64;
	}
	int ex = plotcli_collect(&x.p);
	if (ex != EXIT_USAGE && ex != EXIT_INTERNAL) {
		int r = report(&x);
		ex = r ? r : ex;
		if (fflush(stdout))
			ex = EXIT_OUTPUT;
	}
	plotcli_free(&x.p);
	return ex;
}
