/*
 * input.c - reports in: files, directories (recursive, sorted, symlinked
 * directories not followed), archives (tar, tar.gz, tar.bz2, tar.xz, zip
 * and single gzip files, through libarchive: every entry, whatever its
 * size), format detection, and labels.
 *
 * Every report is read through a struct bh_src refilled 1 MB at a time,
 * so memory is bounded by the vectors, not by the reports.
 *
 * Labels (Malheur's convention): a report's family is the last suffix of
 * its file name ("0a1b2c.ALLAPLE" -> ALLAPLE), after dropping one format
 * extension (.json .mist .txt .log .report); a labels file ("name<TAB>family"
 * per line, '#' comments) takes precedence, matched by base name.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "behavior/behavior.h"
#include "util/walk.h"
#include "util/line.h"

#define CAPTURE_ERRLEN 512
#include "behavior/lines.h"

#define WINDOW (1u << 20)

const char *const bh_fmt_names[] = { "auto", "cuckoo", "mist", "text", "csv", NULL };

int bh_fmt_parse(const char *s)
{
	for (int i = 0; bh_fmt_names[i]; i++)
		if (!strcmp(s, bh_fmt_names[i]))
			return i;
	return -1;
}

void bh_src_mem(struct bh_src *s, const void *p, size_t n)
{
	memset(s, 0, sizeof *s);
	s->win = s->p = p;
	s->end = s->p + n;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

/* Detects the format from the name and the first window of bytes. */
static enum bh_fmt detect(struct bh_src *s, const char *name)
{
	if (name && ends_with(name, ".mist"))
		return BH_FMT_MIST;
	if (bh_src_peek(s) < 0)
		return BH_FMT_TEXT;
	const uint8_t *p = s->p;
	size_t n = (size_t)(s->end - s->p);
	if (n >= 13 && !memcmp(p, "sha256,labels", 13))
		return BH_FMT_CSV;
	size_t i = 0;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;   /* UTF-8 byte order mark */
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return BH_FMT_CUCKOO;
	if (n - i >= 9 && !memcmp(p + i, "# process", 9))
		return BH_FMT_MIST;
	return BH_FMT_TEXT;
}

int bh_parse(struct bh_src *s, const char *name, const struct bh_parse_opts *o,
	     const struct bh_sink *k, char *err, size_t errlen)
{
	enum bh_fmt f = o->fmt == BH_FMT_AUTO ? detect(s, name) : o->fmt;
	switch (f) {
	case BH_FMT_CUCKOO: return bh_parse_cuckoo(s, o, k, err, errlen);
	case BH_FMT_MIST: return bh_parse_mist(s, o, k, err, errlen);
	case BH_FMT_CSV: return bh_parse_csv(s, o, k, err, errlen);
	default: return bh_parse_text(s, o, k, err, errlen);
	}
}

/* ---- labels ---- */
static const char *base_name(const char *p)
{
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

/* Adds or replaces name's family; 0 or BH_ENOMEM (l unchanged then). */
static int label_put(struct bh_labels *l, const char *name, const char *fam)
{
	char *dup = bh_try_strdup(fam);
	if (!dup)
		return BH_ENOMEM;
	bool isnew;
	uint32_t *v = bh_map_try_put(&l->idx, bh_hash64(name, strlen(name), 0), (uint32_t)l->n, &isnew);
	if (!v) {
		free(dup);
		return BH_ENOMEM;
	}
	if (!isnew) {
		free(l->fam[*v]);
		l->fam[*v] = dup;
		return 0;
	}
	char **nf = bh_try_realloc(l->fam, (l->n + 1) * sizeof *l->fam);
	if (!nf) {
		free(dup);
		return BH_ENOMEM;
	}
	l->fam = nf;
	l->fam[l->n++] = dup;
	return 0;
}

/*
 * Reads a labels file ("name<TAB>family" lines, '#' comments).  Lines are
 * capped (LINE_MAX_DEFAULT).  Returns 0, -1 (err: what is wrong, with the
 * line) or BH_ENOMEM; l is empty on failure.
 */
int bh_labels_load(struct bh_labels *l, const char *path, char *err, size_t errlen)
{
	memset(l, 0, sizeof *l);
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	FILE *f = fdopen(fd, "r");
	if (!f || bh_map_try_init(&l->idx, 1024)) {
		if (f)
			fclose(f);
		else
			close(fd);
		snprintf(err, errlen, "out of memory");
		return BH_ENOMEM;
	}
	struct line ln = { 0 };
	int rc = 0, lrc;
	while (!rc && (lrc = line_next(&ln, f)) == LINE_OK) {
		char *line = ln.buf;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (!tab || tab == line || !tab[1]) {
			snprintf(err, errlen, "line %llu: expected 'name<TAB>family'", ln.no);
			rc = -1;
			break;
		}
		*tab = 0;
		if ((rc = label_put(l, line, tab + 1)))
			snprintf(err, errlen, "out of memory");
	}
	if (!rc && lrc != LINE_EOF) {
		line_error(&ln, lrc, err, errlen);
		rc = lrc == LINE_NOMEM ? BH_ENOMEM : -1;
	}
	line_free(&ln);
	fclose(f);
	if (rc)
		bh_labels_free(l);
	return rc;
}

void bh_labels_free(struct bh_labels *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->fam[i]);
	free(l->fam);
	bh_map_free(&l->idx);
	memset(l, 0, sizeof *l);
}

static const char *const format_ext[] = { ".json", ".mist", ".txt", ".log", ".report", ".csv", NULL };

char *bh_label_of(const char *name, const struct bh_labels *l)
{
	const char *b = base_name(name);
	if (l) {
		uint32_t i = bh_map_get(&l->idx, bh_hash64(b, strlen(b), 0));
		if (i != UINT32_MAX)
			return bh_strdup(l->fam[i]);
		if (l->n)
			return NULL;   /* a labels file names every labelled report */
	}
	size_t n = strlen(b);
	for (int i = 0; format_ext[i]; i++)
		if (ends_with(b, format_ext[i])) {
			n -= strlen(format_ext[i]);
			break;
		}
	const char *dot = memrchr(b, '.', n);
	if (!dot || dot == b || dot + 1 == b + n)
		return NULL;
	return bh_strndup(dot + 1, (size_t)(b + n - dot - 1));
}

/* ---- the driver: events -> embedder -> set ---- */
struct drv {
	const struct bh_input_opts *o;
	struct bh_set *set;
	struct bh_embed *e;
	bh_input_err_fn onerr;
	void *ctx;
	int failed;
	bool stop;
	bool in_row;
	char *row_name, *row_label;
	uint64_t report_bytes;
};

/* Adds the report's vector; its label comes from lname (file or entry
 * name) when from_name, else from label_or_null (a CSV row). */
static void finish(struct drv *d, const char *name, const char *lname, const char *label_or_null, bool from_name)
{
	struct bh_vec v;
	bh_embed_take(d->e, &v);
	v.name = bh_strdup(name);
	v.label = from_name ? bh_label_of(lname, d->o->labels)
			    : label_or_null ? bh_strdup(label_or_null) : NULL;
	if (!from_name && d->o->labels && d->o->labels->n) {
		char *ov = bh_label_of(name, d->o->labels);
		if (ov) {
			free(v.label);
			v.label = ov;
		}
	}
	bh_set_add(d->set, &v);
}

static void on_event(void *ctx, const char *tok, size_t len)
{
	bh_embed_event(((struct drv *)ctx)->e, tok, len);
}

static void on_row(void *ctx, const char *name, const char *label)
{
	struct drv *d = ctx;
	if (d->in_row)
		finish(d, d->row_name, d->row_name, d->row_label, false);
	free(d->row_name);
	free(d->row_label);
	d->row_name = bh_strdup(name);
	d->row_label = bh_strdup(label);
	d->in_row = true;
}

static void report_err(struct drv *d, const char *path, const char *msg)
{
	d->failed++;
	if (d->onerr && !d->onerr(d->ctx, path, msg))
		d->stop = true;
}

/* Parses one report (or a CSV of many) from s: name names it (and its
 * errors), lname (the file or entry name) labels it and hints its format. */
static void one(struct drv *d, struct bh_src *s, const char *name, const char *lname)
{
	char err[256] = "";
	struct bh_sink k = { on_event, on_row, d };
	d->in_row = false;
	uint64_t start = bh_src_off(s);
	int rc = bh_parse(s, lname, &d->o->parse, &k, err, sizeof err);
	d->set->bytes += bh_src_off(s) - start;
	if (d->in_row) {
		finish(d, d->row_name, d->row_name, d->row_label, false);
		free(d->row_name);
		free(d->row_label);
		d->row_name = d->row_label = NULL;
		d->in_row = false;
	} else if (rc == 0) {
		finish(d, name, lname, NULL, true);
	}
	if (rc) {
		struct bh_vec junk;
		bh_embed_take(d->e, &junk);
		bh_vec_free(&junk);
		report_err(d, name, err);
	}
}

/* A capture file: its network profile is the report. */
static void one_capture(struct drv *d, const char *path)
{
	char err[CAPTURE_ERRLEN] = "";
	struct bh_sink k = { on_event, on_row, d };
	d->in_row = false;
	if (bh_parse_capture(path, &d->o->parse, &k, err, sizeof err) == 0) {
		finish(d, path, path, NULL, true);
		return;
	}
	struct bh_vec junk;
	bh_embed_take(d->e, &junk);
	bh_vec_free(&junk);
	report_err(d, path, err);
}

/* ---- files ---- */
static int fd_fill(struct bh_src *s)
{
	int fd = *(int *)s->ctx;
	s->base += (uint64_t)(s->end - s->win);
	ssize_t n;
	do
		n = read(fd, s->buf, s->cap);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(s->err, sizeof s->err, "%s", strerror(errno));
		return -1;
	}
	s->win = s->p = s->buf;
	s->end = s->buf + n;
	return n > 0;
}

static int arc_fill(struct bh_src *s)
{
	struct archive *a = s->ctx;
	s->base += (uint64_t)(s->end - s->win);
	la_ssize_t n = archive_read_data(a, s->buf, s->cap);
	if (n < 0) {
		snprintf(s->err, sizeof s->err, "archive: %s", archive_error_string(a));
		return -1;
	}
	s->win = s->p = s->buf;
	s->end = s->buf + n;
	return n > 0;
}

static bool is_archive(const uint8_t *p, size_t n)
{
	return (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) || (n >= 3 && !memcmp(p, "BZh", 3)) ||
	       (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6)) || (n >= 4 && !memcmp(p, "PK\3\4", 4)) ||
	       (n >= 262 && !memcmp(p + 257, "ustar", 5));
}

static void read_archive(struct drv *d, const char *path, uint8_t *buf)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		report_err(d, path, archive_error_string(a));
		archive_read_free(a);
		return;
	}
	struct archive_entry *en;
	int rc;
	bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
	while (!d->stop && (rc = archive_read_next_header(a, &en)) == ARCHIVE_OK) {
		raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
		if (!raw && archive_entry_filetype(en) != AE_IFREG)
			continue;
		const char *ep = archive_entry_pathname(en);
		size_t nl = strlen(path) + (ep ? strlen(ep) : 0) + 2;
		char *name = bh_alloc(nl), *lname;
		if (raw) {   /* a single compressed report: labelled as the file without .gz */
			snprintf(name, nl, "%s", path);
			lname = bh_strdup(path);
			char *dot = strrchr(lname, '.');
			if (dot && dot > lname && !strchr(dot, '/'))
				*dot = 0;
		} else {
			snprintf(name, nl, "%s:%s", path, ep ? ep : "");
			lname = bh_strdup(ep ? ep : "");
		}
		struct bh_src s = { .fill = arc_fill, .ctx = a, .buf = buf, .cap = WINDOW };
		one(d, &s, name, lname);
		free(name);
		free(lname);
		if (s.err[0])
			break;
	}
	if (!d->stop && rc != ARCHIVE_EOF && rc != ARCHIVE_OK)
		report_err(d, path, archive_error_string(a));
	archive_read_free(a);
}

/* One file: a capture, an archive, or a report (or a CSV of many). */
static void read_file(struct drv *d, const char *path, uint8_t *buf)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		report_err(d, path, strerror(errno));
		return;
	}
	struct bh_src s = { .fill = fd_fill, .ctx = &fd, .buf = buf, .cap = WINDOW };
	if (bh_src_peek(&s) >= 0 && bh_is_capture(s.p, (size_t)(s.end - s.p), path)) {
		close(fd);
		one_capture(d, path);
		return;
	}
	if (bh_src_peek(&s) >= 0 && is_archive(s.p, (size_t)(s.end - s.p))) {
		close(fd);
		read_archive(d, path, buf);
		return;
	}
	if (s.err[0])
		report_err(d, path, s.err);
	else
		one(d, &s, path, path);
	close(fd);
}

struct walk_ctx {
	struct drv *d;
	uint8_t *buf;
};

/* util/walk.c's events: files read, notes passed on, unreadable entries as failures. */
static bool on_walk(void *ctx, enum walk_kind k, const char *path, const char *msg)
{
	struct walk_ctx *w = ctx;
	if (k == WALK_FILE)
		read_file(w->d, path, w->buf);
	else if (k == WALK_NOTE && w->d->o->onnote)
		w->d->o->onnote(w->d->ctx, path, msg);
	else if (k == WALK_ERROR)
		report_err(w->d, path, msg);
	return !w->d->stop;
}

/* An operand: a directory is walked; anything else is read as a file (even a FIFO). */
static void read_path(struct drv *d, const char *path, uint8_t *buf)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		report_err(d, path, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		read_file(d, path, buf);
		return;
	}
	struct walk_ctx w = { d, buf };
	int e = walk_dir(path, on_walk, &w);
	if (e > 0)
		report_err(d, path, strerror(e));
}

/* ---- parallel reading ---- */
/*
 * With threads > 1, the operands are first expanded into a sorted list of
 * files (directories walked as above); worker threads take files in turn,
 * each with its own embedder, feature table and per-file result, and the
 * results are merged in list order, so the set, its order and the
 * reported errors are the same as with one thread.
 */
struct entry {
	char *path;
	struct bh_set set;
	char **err;        /* "path\0message" pairs */
	size_t nerr;
	bool top;          /* an operand: a file read as it is, errors if absent */
	char *msg;         /* not read: a walk's note or error about path */
	bool note;
};

struct pool {
	const struct bh_input_opts *o;
	struct entry *e;
	size_t n, cap;
	size_t next;
	pthread_mutex_t mu;
};

static void push(struct pool *p, const char *path, bool top, const char *msg, bool note)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->e = bh_realloc(p->e, p->cap * sizeof *p->e);
	}
	memset(&p->e[p->n], 0, sizeof p->e[p->n]);
	p->e[p->n].top = top;
	p->e[p->n].msg = msg ? bh_strdup(msg) : NULL;
	p->e[p->n].note = note;
	p->e[p->n++].path = bh_strdup(path);
}

static bool on_expand(void *ctx, enum walk_kind k, const char *path, const char *msg)
{
	push(ctx, path, false, msg, k == WALK_NOTE);
	return true;
}

/* An operand into the list: a directory's files in walk order, anything else itself. */
static void expand(struct pool *p, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
		push(p, path, true, NULL, false);
		return;
	}
	int e = walk_dir(path, on_expand, p);
	if (e > 0)
		push(p, path, false, strerror(e), false);
}

static bool collect_err(void *ctx, const char *path, const char *msg)
{
	struct entry *e = ctx;
	size_t a = strlen(path), b = strlen(msg);
	char *s = bh_alloc(a + b + 2);
	memcpy(s, path, a + 1);
	memcpy(s + a + 1, msg, b + 1);
	e->err = bh_realloc(e->err, (e->nerr + 1) * sizeof *e->err);
	e->err[e->nerr++] = s;
	return true;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct bh_input_opts o = *p->o;
	struct bh_ftab ft;
	if (p->o->ftab) {
		bh_ftab_init(&ft);
		o.ftab = &ft;
	}
	struct drv d = { .o = &o };
	d.e = bh_embed_new(&o.embed, o.ftab);
	uint8_t *buf = bh_alloc(WINDOW);
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			break;
		struct entry *e = &p->e[i];
		d.set = &e->set;
		d.onerr = collect_err;
		d.ctx = e;
		if (e->msg)
			continue;   /* reported in order by read_parallel */
		if (e->top)
			read_path(&d, e->path, buf);
		else
			read_file(&d, e->path, buf);
	}
	free(buf);
	bh_embed_free(d.e);
	if (p->o->ftab) {   /* merge names (a gram has one name whoever saw it) */
		pthread_mutex_lock(&p->mu);
		for (size_t k = 0; k < ft.idx.cap; k++)
			if (ft.idx.key[k])
				bh_ftab_add(p->o->ftab, ft.idx.key[k], ft.str[ft.idx.val[k]]);
		pthread_mutex_unlock(&p->mu);
		bh_ftab_free(&ft);
	}
	return NULL;
}

static int read_parallel(char *const *paths, size_t npaths, const struct bh_input_opts *o, struct bh_set *set,
			 bh_input_err_fn onerr, void *ctx)
{
	struct pool p = { .o = o };
	pthread_mutex_init(&p.mu, NULL);
	for (size_t i = 0; i < npaths; i++)
		expand(&p, paths[i]);
	unsigned nt = o->threads > 8 ? 8 : o->threads;
	pthread_t th[8];
	unsigned started = 0;
	for (unsigned t = 1; t < nt; t++)
		if (pthread_create(&th[started], NULL, worker, &p) == 0)
			started++;
	worker(&p);
	for (unsigned t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&p.mu);
	int failed = 0;
	bool stop = false;
	for (size_t i = 0; i < p.n; i++) {
		struct entry *e = &p.e[i];
		if (e->msg && e->note && o->onnote) {
			o->onnote(ctx, e->path, e->msg);
		} else if (e->msg) {
			failed++;
			if (!stop && onerr && !onerr(ctx, e->path, e->msg))
				stop = true;
		}
		free(e->msg);
		for (size_t k = 0; k < e->nerr; k++) {
			failed++;
			if (!stop && onerr && !onerr(ctx, e->err[k], e->err[k] + strlen(e->err[k]) + 1))
				stop = true;
			free(e->err[k]);
		}
		for (size_t k = 0; k < e->set.n; k++)
			bh_set_add(set, &e->set.v[k]);
		set->bytes += e->set.bytes;
		bh_set_free(&e->set);
		free(e->err);
		free(e->path);
	}
	free(p.e);
	return stop ? -1 : failed;
}

int bh_input_read(char *const *paths, size_t npaths, const struct bh_input_opts *o,
		  struct bh_set *set, bh_input_err_fn onerr, void *ctx)
{
	if (o->threads > 1)
		return read_parallel(paths, npaths, o, set, onerr, ctx);
	struct drv d = { .o = o, .set = set, .onerr = onerr, .ctx = ctx };
	d.e = bh_embed_new(&o->embed, o->ftab);
	uint8_t *buf = bh_alloc(WINDOW);
	for (size_t i = 0; i < npaths && !d.stop; i++)
		read_path(&d, paths[i], buf);
	free(buf);
	bh_embed_free(d.e);
	return d.stop ? -1 : d.failed;
}
