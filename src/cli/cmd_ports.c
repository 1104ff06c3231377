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

static struct ports_histo histo(const struct ports_cli *x, uint64_t *const c[2])
{
	return (struct ports_histo){ x->lo, x->hi, x->bin, x->p.per_packet, { c[0], c[1] } };
}

/*
 * The image name of panel i: -o's name with %h the host's address (':'
 * of IPv6 as '_'), %f the capture's file name without its directory and
 * capture extensions (.pcap, .pcapng, .cap, .gz), %n the panel's number
 * (1, 2...) and %% a '%'.  False when the name does not fit.
 */
static bool image_name(const char *out, const struct port_panel *pp, size_t i, char *buf, size_t len)
{
	size_t k = 0;
	for (const char *s = out; *s; s++) {
		char tmp[512];
		const char *add = tmp;
		if (s[0] != '%' || !s[1]) {
			snprintf(tmp, sizeof tmp, "%c", *s);
		} else if (*++s == 'h') {
			snprintf(tmp, sizeof tmp, "%s", pp->host);
			for (char *c = tmp; *c; c++)
				*c = *c == ':' ? '_' : *c;
		} else if (*s == 'f') {
			const char *base = strrchr(pp->file, '/') ? strrchr(pp->file, '/') + 1 : pp->file;
			snprintf(tmp, sizeof tmp, "%s", base);
			static const char *const exts[] = { ".gz", ".pcapng", ".pcap", ".cap" };
			for (size_t e = 0; e < sizeof exts / sizeof *exts; e++) {
				size_t tl = strlen(tmp), el = strlen(exts[e]);
				if (tl > el && !strcmp(tmp + tl - el, exts[e]))
					tmp[tl - el] = 0;
			}
		} else if (*s == 'n') {
			snprintf(tmp, sizeof tmp, "%zu", i + 1);
		} else {
			snprintf(tmp, sizeof tmp, "%c", *s);   /* %% and any other %x: the character */
		}
		size_t n = strlen(add);
		if (k + n >= len)
			return false;
		memcpy(buf + k, add, n + 1);
		k += n;
	}
	if (!k)
		buf[0] = 0;
	return true;
}

/*
 * One -o, several histograms (hosts or captures): each needs a name of its
 * own, which the name's %h, %f or %n give; without them -o is refused
 * (exit 2) rather than write files the user did not name.  Two panels
 * whose names come out the same are refused too.
 */
static int check_names(const struct ports_cli *x)
{
	const struct plotcli *p = &x->p;
	size_t n = 0, first = 0;
	for (size_t i = 0; i < p->npanels; i++)
		if (p->panels[i].host[0] && !n++)
			first = i;
	if (n <= 1)
		return 0;
	if (!strstr(p->c.out, "%h") && !strstr(p->c.out, "%f") && !strstr(p->c.out, "%n")) {
		cli_error("-o '%s' would name %zu histograms (one per host and capture): the name needs %%h, %%f or %%n",
			  p->c.out, n);
		cli_hint("e.g. -o 'ports-%%f-%%h.png' (%%h host, %%f capture name, %%n 1, 2...); or --host ADDR for one host");
		return EXIT_USAGE;
	}
	char a[4096], b[4096];
	for (size_t i = first; i < p->npanels; i++) {
		if (!p->panels[i].host[0])
			continue;
		if (!image_name(p->c.out, &p->panels[i], i, a, sizeof a)) {
			cli_error("-o '%s': the name is too long", p->c.out);
			return EXIT_USAGE;
		}
		for (size_t j = i + 1; j < p->npanels; j++)
			if (p->panels[j].host[0] && image_name(p->c.out, &p->panels[j], j, b, sizeof b) && !strcmp(a, b)) {
				cli_error("-o '%s' names two histograms '%s' (%s in %s and %s in %s)", p->c.out, a,
					  p->panels[i].host, p->panels[i].file, p->panels[j].host, p->panels[j].file);
				cli_hint("add %%f (capture name) or %%n (1, 2...) to the name");
				return EXIT_USAGE;
			}
	}
	return 0;
}

/* Draws one histogram image; on failure returns an exit code with err filled. */
static int hist_image(const struct ports_cli *x, const struct port_panel *pp, size_t i,
		      uint64_t *const c[2], struct plot_png *defer, char *err, size_t errlen)
{
	char name[4096];
	if (!image_name(x->p.c.out, pp, i, name, sizeof name)) {
		snprintf(err, errlen, "-o '%s': the name is too long", x->p.c.out);
		return EXIT_USAGE;
	}
	struct ports_histo h = histo(x, c);
	struct ports_view v = plotcli_view(&x->p, pp);
	struct ports_hist_look look = { x->p.ylog, x->p.width, x->p.height };
	int rc = ports_render_hist_image(&h, &v, name, &look, defer, err, errlen);
	return rc < 0 ? EXIT_INTERNAL : rc ? EXIT_OUTPUT : EXIT_OK;
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
		const struct port_panel *pp = &p->panels[i];
		uint64_t *c[2] = { calloc(nbins(x), sizeof **c), calloc(nbins(x), sizeof **c) };
		if (!c[0] || !c[1]) {
			free(c[0]), free(c[1]);
			ex = EXIT_INTERNAL;
			break;
		}
		ports_hist(pp->v, pp->n, 6, x->lo, x->hi, x->bin, c[0]);
		ports_hist(pp->v, pp->n, 17, x->lo, x->hi, x->bin, c[1]);
		if (text) {
			struct ports_view v = plotcli_view(p, pp);
			ports_render_text(stdout, &v);
			struct ports_histo h = histo(x, c);
			ports_render_hist_text(stdout, &h);
		} else if (p->c.format == TABLE_JSON) {
			struct ports_view v = plotcli_view(p, pp);
			json_object *o = ports_render_json(&v);
			json_object_object_add(o, "direction", json_object_new_string(ports_dir_text(p->dir)));
			json_object_object_add(o, "per", json_object_new_string(p->per_packet ? "packet" : "flow"));
			struct ports_histo h = histo(x, c);
			json_object_object_add(o, "histogram", ports_render_hist_json(&h));
			puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		} else {
			struct ports_histo h = histo(x, c);
			ports_render_hist_rows(&t, &h, several ? pp->file : NULL, pp->host);
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
	for (size_t k = 0; k < njobs; k++) {  /* errors in panel order; several images are named on stderr */
		char name[4096];
		if (jobs[k].rc) {
			cli_error("%s", jobs[k].err);
			ex = ex == EXIT_OK ? jobs[k].rc : ex;
		} else if (njobs > 1 && !p->c.quiet &&
			   image_name(p->c.out, &p->panels[jobs[k].panel], jobs[k].panel, name, sizeof name)) {
			fprintf(stderr, "botlens: wrote '%s' (%s)\n", name, p->panels[jobs[k].panel].host);
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
			   "  botlens ports --format json run.pcap\n"
			   "  botlens ports -o 'ports-%f-%h.png' captures/   # one image per capture and host\n"
			   "\n-o names one histogram image.  With several hosts or captures the name must hold\n"
			   "%h (the host's address), %f (the capture's name without .pcap) or %n (1, 2...),\n"
			   "and give each image its own name; otherwise -o is refused (exit 2).\n");
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
	if (x.p.c.out && ex != EXIT_USAGE && ex != EXIT_INTERNAL) {
		int nc = check_names(&x);
		ex = nc ? nc : ex;
	}
	if (ex != EXIT_USAGE && ex != EXIT_INTERNAL) {
		int r = report(&x);
		ex = r ? r : ex;
		if (fflush(stdout))
			ex = EXIT_OUTPUT;
	}
	plotcli_free(&x.p);
	return ex;
}
