/*
 * walk.c - the directory walker (see walk.h).
 *
 * Invariant: seen holds the (device, inode) of every directory entered,
 * the root first; a directory is entered only after it was added, so a
 * link back to any directory on the way down or to one already walked is
 * refused.  Lookups are linear: trees of captures or reports hold tens
 * of directories, not millions.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/walk.h"
#include "util/hash.h"

struct walk {
	walk_fn fn;
	void *ctx;
	struct { dev_t dev; ino_t ino; } *seen;
	size_t nseen, capseen;
	bool stop;
	int err;        /* ENOMEM */
};

static bool emit(struct walk *w, enum walk_kind k, const char *path, const char *msg)
{
	if (!w->stop && !w->fn(w->ctx, k, path, msg))
		w->stop = true;
	return !w->stop;
}

/* 1 when st's directory is new (now recorded), 0 when seen before, -1 out of memory. */
static int seen_add(struct walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return 0;
	if (!grow_to((void **)&w->seen, &w->capseen, w->nseen + 1, sizeof *w->seen, 16))
		return -1;
	w->seen[w->nseen].dev = st->st_dev;
	w->seen[w->nseen++].ino = st->st_ino;
	return 1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir as "dir/name", sorted; NULL with *err set (an errno). */
static char **list(const char *dir, size_t *n, int *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		*err = errno;
		return NULL;
	}
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;
	*n = 0;
	*err = 0;
	while (!*err && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **nv = v;
		if (*n == cap && !(nv = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof *v))) {
			*err = ENOMEM;
			break;
		}
		v = nv;
		if (asprintf(&v[*n], "%s/%s", dir, e->d_name) < 0)
			*err = ENOMEM;
		else
			(*n)++;
	}
	closedir(d);
	if (*err) {
		for (size_t i = 0; i < *n; i++)
			free(v[i]);
		free(v);
		return NULL;
	}
	if (*n)
		qsort(v, *n, sizeof *v, name_cmp);
	return v ? v : calloc(1, sizeof *v);
}

static void walk_in(struct walk *w, const char *dir, int depth);

static void entry(struct walk *w, const char *path, int depth)
{
	struct stat st, ln;
	if (stat(path, &st) != 0) {
		int e = errno;
		if (lstat(path, &ln) == 0 && S_ISLNK(ln.st_mode))
			emit(w, WALK_NOTE, path, "broken symbolic link, skipped");
		else
			emit(w, WALK_ERROR, path, strerror(e));
		return;
	}
	if (S_ISREG(st.st_mode)) {
		emit(w, WALK_FILE, path, NULL);
	} else if (!S_ISDIR(st.st_mode)) {
		emit(w, WALK_NOTE, path, "not a regular file (a FIFO, socket or device), skipped");
	} else if (depth > WALK_DEPTH) {
		emit(w, WALK_ERROR, path, "directories nested too deep");
	} else {
		int r = seen_add(w, &st);
		if (r < 0)
			w->err = ENOMEM, w->stop = true;
		else if (r == 0)
			emit(w, WALK_NOTE, path, "directory already walked (a symbolic link loop or a second link), skipped");
		else
			walk_in(w, path, depth);
	}
}

static void walk_in(struct walk *w, const char *dir, int depth)
{
	size_t n;
	int e;
	char **v = list(dir, &n, &e);
	if (!v) {
		if (e == ENOMEM)
			w->err = ENOMEM, w->stop = true;
		else if (depth)
			emit(w, WALK_ERROR, dir, strerror(e));
		else
			w->err = e;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!w->stop)
			entry(w, v[i], depth + 1);
		free(v[i]);
	}
	free(v);
}

int walk_dir(const char *dir, walk_fn fn, void *ctx)
{
	struct walk w = { .fn = fn, .ctx = ctx };
	struct stat st;
	if (stat(dir, &st) != 0)
		return errno;
	if (seen_add(&w, &st) < 0)
		return ENOMEM;
	walk_in(&w, dir, 0);
	free(w.seen);
	return w.err ? w.err : w.stop ? -1 : 0;
}
