/*
 * plot_draw.c - cairo surfaces by file type, text, colours, marks and
 * tick steps shared by the plots (see plot-int.h).
 *
 * Colours: TCP dark blue, UDP orange, ICMP green (the Tableau/ColorBrewer
 * hues); their luminances (about 0.25, 0.55, 0.45) stay apart when printed
 * in grey, and the marks differ in shape too (filled circle, open
 * triangle, cross).
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "render/plot-int.h"
#include "util/utf8.h"

static const double series_rgb[PLOT_NSERIES][3] = {
	{ 0.12, 0.30, 0.62 },  /* TCP */
	{ 0.93, 0.47, 0.05 },  /* UDP */
	{ 0.17, 0.60, 0.17 },  /* ICMP */
};
static const char *const series_names[PLOT_NSERIES] = { "TCP", "UDP", "ICMP" };

enum plot_format plot_format_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot)
		return PLOT_UNKNOWN;
	if (!strcasecmp(dot, ".png"))
		return PLOT_PNG;
	if (!strcasecmp(dot, ".svg"))
		return PLOT_SVG;
	if (!strcasecmp(dot, ".pdf"))
		return PLOT_PDF;
	return PLOT_UNKNOWN;
}

/* cairo's stream callback: the SVG and PDF surfaces write to o->f. */
static cairo_status_t stream_write(void *closure, const unsigned char *data, unsigned int len)
{
	return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/*
 * SVG and PDF go to a temporary file beside path (util/afile), renamed
 * over it by pl_close only when the whole image was written: a full disk
 * leaves no truncated image.  PNG pixels stay in memory until pl_close.
 */
int pl_open(struct pl_out *o, const char *path, int w, int h, char *err, size_t errlen)
{
	memset(o, 0, sizeof *o);
	o->path = path;
	o->fmt = plot_format_of(path);
	if (o->fmt == PLOT_SVG || o->fmt == PLOT_PDF) {
		if (!(o->f = afile_open(&o->af, path))) {
			snprintf(err, errlen, "cannot create '%s': %s", path, strerror(errno));
			return -1;
		}
	}
	switch (o->fmt) {
	case PLOT_PNG: o->s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h); break;
	case PLOT_SVG: o->s = cairo_svg_surface_create_for_stream(stream_write, o->f, w, h); break;
	case PLOT_PDF: o->s = cairo_pdf_surface_create_for_stream(stream_write, o->f, w, h); break;
	default:
		snprintf(err, errlen, "'%s': unknown image type (use .png, .svg or .pdf)", path);
		return -1;
	}
	if (cairo_surface_status(o->s) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cannot create '%s': %s", path,
			 cairo_status_to_string(cairo_surface_status(o->s)));
		cairo_surface_destroy(o->s);
		o->s = NULL;
		if (o->f)
			afile_abort(&o->af, o->f);
		o->f = NULL;
		return -1;
	}
	o->cr = cairo_create(o->s);
	cairo_set_source_rgb(o->cr, 1, 1, 1);
	cairo_paint(o->cr);
	return 0;
}

/* One row of cairo's native-endian premultiplied ARGB32 as RGB (images are
 * painted opaque white first, so alpha is 255 wherever it matters). */
static void argb_row_to_rgb(const unsigned char *src, int w, unsigned char *dst)
{
	const uint32_t *px = (const uint32_t *)(const void *)src;
	for (int x = 0; x < w; x++) {
		uint32_t v = px[x], a = v >> 24;
		uint32_t r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
		if (a && a < 255) {
			r = r * 255 / a, g = g * 255 / a, b = b * 255 / a;
		}
		dst[3 * x] = (unsigned char)r, dst[3 * x + 1] = (unsigned char)g, dst[3 * x + 2] = (unsigned char)b;
	}
}

/* A source of RGB rows for png_file: row y, converted into scratch if need be. */
typedef const unsigned char *(*png_row_fn)(const void *ctx, int y, unsigned char *scratch);

/*
 * Writes a w x h 8-bit RGB PNG with libpng, at compression level 1 and no
 * row filter.  cairo_surface_write_to_png uses libpng's defaults, which
 * try every filter on every row at level 6: for plots, most of whose
 * pixels are flat colour, that took 30-40 ms per image for files only
 * ~10 % smaller.  Unfiltered rows of flat colour compress as well as
 * Sub-filtered ones here, and faster (a 9-panel plot: 389 KB and 0.12 s
 * against 418 KB and 0.16 s at level 3 with Sub; bench/RESULTS.md).  Uses
 * no cairo state.  Returns 0, or -1 with errno or EIO.
 */
/* libpng's default handlers print ("libpng error: Write Error"): the library stays silent. */
static void png_quiet_error(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void png_quiet_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static int png_file(const char *path, int w, int h, png_row_fn row_of, const void *ctx)
{
	struct afile af;
	FILE *f = afile_open(&af, path);  /* renamed over path only when complete */
	if (!f)
		return -1;
	unsigned char *row = malloc((size_t)w * 3 + 1);
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_quiet_error, png_quiet_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int rc = -1;
	if (row && png && info && !setjmp(png_jmpbuf(png))) {
		png_init_io(png, f);
		png_set_compression_level(png, 1);
		png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
		png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
			     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
		png_write_info(png, info);
		for (int y = 0; y < h; y++)
			png_write_row(png, row_of(ctx, y, row));
		png_write_end(png, NULL);
		rc = 0;
	}
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	free(row);
	if (rc != 0) {
		int e = errno ? errno : EIO;
		afile_abort(&af, f);
		errno = e;
		return -1;
	}
	return afile_commit(&af, f);
}

static const unsigned char *surface_row(const void *ctx, int y, unsigned char *scratch)
{
	cairo_surface_t *s = (cairo_surface_t *)ctx;
	const unsigned char *data = cairo_image_surface_get_data(s);
	argb_row_to_rgb(data + (size_t)y * (size_t)cairo_image_surface_get_stride(s),
			cairo_image_surface_get_width(s), scratch);
	return scratch;
}

static const unsigned char *rgb_row(const void *ctx, int y, unsigned char *scratch)
{
	const struct plot_png *p = ctx;
	(void)scratch;
	return p->rgb + (size_t)y * (size_t)p->width * 3;
}

static int write_png(cairo_surface_t *s, const char *path)
{
	cairo_surface_flush(s);
	return png_file(path, cairo_image_surface_get_width(s), cairo_image_surface_get_height(s),
			surface_row, s);
}

/* Keeps the surface's pixels as RGB in d for plot_png_write. */
static int defer_png(cairo_surface_t *s, const char *path, struct plot_png *d)
{
	cairo_surface_flush(s);
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	if (!(d->rgb = malloc((size_t)w * (size_t)h * 3))) {
		errno = ENOMEM;
		return -1;
	}
	for (int y = 0; y < h; y++)
		surface_row(s, y, d->rgb + (size_t)y * (size_t)w * 3);
	d->width = w;
	d->height = h;
	snprintf(d->path, sizeof d->path, "%s", path);
	return 0;
}

int plot_png_write(struct plot_png *p, char *err, size_t errlen)
{
	if (!p->rgb)
		return 0;
	errno = 0;
	int rc = png_file(p->path, p->width, p->height, rgb_row, p);
	if (rc)
		snprintf(err, errlen, "cannot write '%s': %s", p->path, strerror(errno ? errno : EIO));
	free(p->rgb);
	p->rgb = NULL;
	return rc;
}

/*
 * Drops cairo's font caches, which hold fontconfig patterns that leak
 * detectors would otherwise report.  Once, when nothing of cairo is alive:
 * per image it made every image load its fonts again (~2-3 ms each).
 */
void plot_release(void)
{
	cairo_debug_reset_static_data();
}

int pl_close(struct pl_out *o, char *err, size_t errlen)
{
	cairo_status_t st = cairo_status(o->cr);
	cairo_destroy(o->cr);
	int png_errno = 0;
	if (st == CAIRO_STATUS_SUCCESS && o->fmt == PLOT_PNG &&
	    (o->defer ? defer_png(o->s, o->path, o->defer) : write_png(o->s, o->path)) != 0)
		png_errno = errno ? errno : EIO;
	cairo_surface_finish(o->s);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(o->s);
	cairo_surface_destroy(o->s);
	int file_errno = 0;
	if (o->f && st == CAIRO_STATUS_SUCCESS && afile_commit(&o->af, o->f) != 0)
		file_errno = errno ? errno : EIO;
	else if (o->f && st != CAIRO_STATUS_SUCCESS)
		afile_abort(&o->af, o->f);
	o->f = NULL;
	if (st == CAIRO_STATUS_WRITE_ERROR && !file_errno)
		file_errno = errno ? errno : EIO;
	if (file_errno) {
		snprintf(err, errlen, "cannot write '%s': %s", o->path, strerror(file_errno));
		return -1;
	}
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cannot write '%s': %s", o->path, cairo_status_to_string(st));
		return -1;
	}
	if (png_errno) {
		snprintf(err, errlen, "cannot write '%s': %s", o->path, strerror(png_errno));
		return -1;
	}
	return 0;
}

static void font(cairo_t *cr, double size, bool bold)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/*
 * cairo puts the whole context in an error state (CAIRO_STATUS_INVALID_STRING)
 * on text that is not UTF-8, and the image then failed to write, blaming the
 * output: a Latin-1 file name in a title did that.  Such bytes are drawn as
 * U+FFFD.  Returns s itself when valid, else a repaired copy in *fixed.
 */
static const char *drawable(const char *s, char **fixed)
{
	*fixed = NULL;
	if (utf8_valid(s))
		return s;
	*fixed = utf8_fix(s);
	return *fixed ? *fixed : "?";
}

double pl_text_width(cairo_t *cr, double size, bool bold, const char *s)
{
	cairo_text_extents_t e;
	char *fixed;
	font(cr, size, bold);
	cairo_text_extents(cr, drawable(s, &fixed), &e);
	free(fixed);
	return e.x_advance;
}

void pl_text(cairo_t *cr, double x, double y, double size, bool bold, double ax, double ay,
	     const char *s)
{
	cairo_text_extents_t e;
	char *fixed;
	s = drawable(s, &fixed);
	font(cr, size, bold);
	cairo_text_extents(cr, s, &e);
	double h = size * 0.72;  /* cap height of DejaVu Sans: anchors on capitals and digits */
	cairo_move_to(cr, x - ax * e.x_advance, y + h * (1 - ay));
	cairo_show_text(cr, s);
	cairo_new_path(cr);  /* show_text leaves a current point that arcs would join */
	free(fixed);
}

double pl_nice_step(double range, int n)
{
	if (range <= 0 || n <= 0)
		return 1;
	double raw = range / n, mag = pow(10, floor(log10(raw))), f = raw / mag;
	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

double pl_time_step(double span, int n)
{
	static const double steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
					3600, 7200, 10800, 21600, 43200, 86400 };
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (span / steps[i] <= n)
			return steps[i];
	return pl_nice_step(span / 86400, n) * 86400;
}

void plot_time_label(double t, double span, char *buf, size_t len)
{
	long s = lround(t);
	if (span < 3600)
		snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
	else
		snprintf(buf, len, "%ld:%02ld", s / 3600, (s / 60) % 60);
}

void pl_series_rgb(int series, double rgb[3])
{
	memcpy(rgb, series_rgb[series], sizeof series_rgb[series]);
}

const char *pl_series_name(int series)
{
	return series_names[series];
}

void pl_mark(cairo_t *cr, int series, double x, double y)
{
	const double *c = series_rgb[series];
	switch (series) {
	case PLOT_TCP:
		cairo_set_source_rgba(cr, c[0], c[1], c[2], 0.8);
		cairo_new_sub_path(cr);
		cairo_arc(cr, x, y, 2.3, 0, 2 * M_PI);
		cairo_fill(cr);
		break;
	case PLOT_UDP:
		cairo_set_source_rgba(cr, c[0], c[1], c[2], 0.9);
		cairo_set_line_width(cr, 1.1);
		cairo_move_to(cr, x, y - 3.4);
		cairo_line_to(cr, x + 3.0, y + 2.0);
		cairo_line_to(cr, x - 3.0, y + 2.0);
		cairo_close_path(cr);
		cairo_stroke(cr);
		break;
	default:
		cairo_set_source_rgba(cr, c[0], c[1], c[2], 0.9);
		cairo_set_line_width(cr, 1.2);
		cairo_move_to(cr, x - 2.6, y - 2.6);
		cairo_line_to(cr, x + 2.6, y + 2.6);
		cairo_move_to(cr, x - 2.6, y + 2.6);
		cairo_line_to(cr, x + 2.6, y - 2.6);
		cairo_stroke(cr);
	}
}

double pl_legend_item(cairo_t *cr, int series, double x, double y, const char *text)
{
	cairo_save(cr);
	cairo_translate(cr, x + 5, y);
	cairo_scale(cr, 1.5, 1.5);
	pl_mark(cr, series, 0, 0);
	cairo_restore(cr);
	cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
	pl_text(cr, x + 14, y, 11.5, false, 0, 0.5, text);
	return 14 + pl_text_width(cr, 11.5, false, text) + 18;
}
