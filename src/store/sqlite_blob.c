/*
 * sqlite_blob.c - the SQLite backend's blobs: plain files in the data
 * directory, named by the SHA-256 of their bytes.
 *
 *   DIR/tmp/blob.XXXXXX    a blob being written (invisible to readers)
 *   DIR/blobs/ab/abcd...   a committed blob: its 64-hex-digit SHA-256,
 *                          fanned out by its first two digits
 *
 * Commit order, the one a reader can trust (SQLite's "Atomic Commit"):
 * write the temporary file, fsync it, rename it to its name, fsync the
 * fan-out directory; only then does the caller commit a row pointing to
 * it.  A blob already present with the same hash and size is kept and
 * the new copy dropped.  Reading hashes the bytes again and fails at the
 * end when they no longer match the name (a damaged disk, a hand edit).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "store/sqlite-int.h"

struct sq_blob_w {
	struct store_blob_w base;
	EVP_MD_CTX *md;
	int fd;
	uint64_t size;
	char tmp[PATH_MAX];
};

struct sq_blob_r {
	struct store_blob_r base;
	EVP_MD_CTX *md;
	int fd;
	char sha[STORE_SHA_HEX];
	bool checked;
};

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

struct store_blob_w *sq_blob_create(struct store *s)
{
	struct sq *q = sq_of(s);
	struct sq_blob_w *w = calloc(1, sizeof *w);

	if (!w) {
		store_fail(s, "blob: out of memory");
		return NULL;
	}
	w->base.s = s;
	snprintf(w->tmp, sizeof w->tmp, "%s/tmp/blob.XXXXXX", q->dir);
	w->md = EVP_MD_CTX_new();
	if (!w->md || !EVP_DigestInit_ex(w->md, EVP_sha256(), NULL)) {
		store_fail(s, "blob: cannot start SHA-256");
		EVP_MD_CTX_free(w->md);
		free(w);
		return NULL;
	}
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
	if (w->fd < 0) {
		store_fail(s, "cannot create a file in '%s/tmp': %s", q->dir, strerror(errno));
		EVP_MD_CTX_free(w->md);
		free(w);
		return NULL;
	}
	return &w->base;
}

int sq_blob_write(struct store_blob_w *bw, const void *buf, size_t n)
{
	struct sq_blob_w *w = (struct sq_blob_w *)bw;
	const char *p = buf;

	if (!EVP_DigestUpdate(w->md, buf, n))
		return store_fail(w->base.s, "blob: SHA-256 failed");
	w->size += n;
	while (n > 0) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return store_fail(w->base.s, "cannot write '%s': %s", w->tmp, strerror(errno));
		p += k, n -= (size_t)k;
	}
	return 0;
}

static void blob_w_free(struct sq_blob_w *w)
{
	if (w->fd >= 0)
		close(w->fd);
	EVP_MD_CTX_free(w->md);
	free(w);
}

void sq_blob_abort(struct store_blob_w *bw)
{
	struct sq_blob_w *w = (struct sq_blob_w *)bw;

	unlink(w->tmp);
	blob_w_free(w);
}

/* DIR/blobs/ab, created (and its parent fsync'd) when absent. */
static int fanout_dir(struct sq *q, const char *sha, char *out, size_t len)
{
	char blobs[PATH_MAX];

	snprintf(blobs, sizeof blobs, "%s/blobs", q->dir);
	snprintf(out, len, "%s/%.2s", blobs, sha);
	if (mkdir(out, 0700) == 0)
		return fsync_dir(blobs) < 0 ? store_fail(&q->base, "cannot sync '%s': %s", blobs, strerror(errno)) : 0;
	if (errno != EEXIST)
		return store_fail(&q->base, "cannot create '%s': %s", out, strerror(errno));
	return 0;
}

/* Moves the written file to its name unless an intact copy is there. */
static int blob_place(struct sq_blob_w *w, const char *sha)
{
	struct sq *q = sq_of(w->base.s);
	char dir[PATH_MAX], path[PATH_MAX + 80];
	struct stat st;

	if (fanout_dir(q, sha, dir, sizeof dir) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/%s", dir, sha);
	if (stat(path, &st) == 0 && (uint64_t)st.st_size == w->size) {
		unlink(w->tmp);
		return 0;
	}
	if (rename(w->tmp, path) < 0)
		return store_fail(&q->base, "cannot rename '%s': %s", w->tmp, strerror(errno));
	if (fsync_dir(dir) < 0)
		return store_fail(&q->base, "cannot sync '%s': %s", dir, strerror(errno));
	return 0;
}

int sq_blob_commit(struct store_blob_w *bw, char sha[STORE_SHA_HEX], uint64_t *size)
{
	struct sq_blob_w *w = (struct sq_blob_w *)bw;
	struct store *s = w->base.s;
	int rc = 0;

	if (fsync(w->fd) < 0)
		rc = store_fail(s, "cannot sync '%s': %s", w->tmp, strerror(errno));
	else if (!store_md_final(w->md, sha))
		rc = store_fail(s, "blob: SHA-256 failed");
	if (rc == 0)
		rc = blob_place(w, sha);
	if (rc < 0)
		unlink(w->tmp);
	else if (size)
		*size = w->size;
	blob_w_free(w);
	return rc;
}

int sq_blob_open(struct store *s, const char *sha, struct store_blob_r **out, uint64_t *size)
{
	struct sq *q = sq_of(s);
	char path[PATH_MAX + 80];
	struct stat st;
	struct sq_blob_r *r;
	int fd;

	snprintf(path, sizeof path, "%s/blobs/%.2s/%s", q->dir, sha, sha);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : store_fail(s, "cannot open '%s': %s", path, strerror(errno));
	r = calloc(1, sizeof *r);
	if (!r || fstat(fd, &st) < 0 || !(r->md = EVP_MD_CTX_new()) ||
	    !EVP_DigestInit_ex(r->md, EVP_sha256(), NULL)) {
		if (r)
			EVP_MD_CTX_free(r->md);
		free(r);
		close(fd);
		return store_fail(s, "cannot read blob %s", sha);
	}
	r->base.s = s;
	r->fd = fd;
	memcpy(r->sha, sha, STORE_SHA_HEX);
	if (size)
		*size = (uint64_t)st.st_size;
	*out = &r->base;
	return 1;
}

/* At the end: the bytes read must hash to the name. */
static ssize_t blob_check(struct sq_blob_r *r)
{
	char got[STORE_SHA_HEX];

	if (r->checked)
		return 0;
	r->checked = true;
	if (!store_md_final(r->md, got) || strcmp(got, r->sha) != 0)
		return store_fail(r->base.s, "blob %s: content does not match its hash", r->sha);
	return 0;
}

ssize_t sq_blob_read(struct store_blob_r *br, void *buf, size_t n)
{
	struct sq_blob_r *r = (struct sq_blob_r *)br;
	ssize_t k;

	do
		k = read(r->fd, buf, n);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return store_fail(r->base.s, "cannot read blob %s: %s", r->sha, strerror(errno));
	if (k == 0 && n > 0)
		return blob_check(r);
	if (!EVP_DigestUpdate(r->md, buf, (size_t)k))
		return store_fail(r->base.s, "blob: SHA-256 failed");
	return k;
}

void sq_blob_close(struct store_blob_r *br)
{
	struct sq_blob_r *r = (struct sq_blob_r *)br;

	close(r->fd);
	EVP_MD_CTX_free(r->md);
	free(r);
}

/* Removes the files of dir whose names doomed(name, ctx) picks; how many. */
static int remove_files(const char *dir, bool (*doomed)(const char *name, const void *ctx), const void *ctx)
{
	char path[PATH_MAX + 300];
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (!doomed(e->d_name, ctx))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static bool half_written(const char *name, const void *ctx)
{
	(void)ctx;
	return strncmp(name, "blob.", 5) == 0;
}

int sq_blob_sweep(struct sq *q)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof dir, "%s/tmp", q->dir);
	return remove_files(dir, half_written, NULL);
}

/* The hashes that runs, results and store-wide values name, sorted. */
struct sha_list {
	char (*v)[STORE_SHA_HEX];
	size_t n, cap;
};

static int cmp_sha(const void *a, const void *b)
{
	return memcmp(a, b, STORE_SHA_HEX);
}

/* Fills l; 0, or -1 (nothing may then be removed). */
static int named_shas(struct sq *q, struct sha_list *l)
{
	sqlite3_stmt *st = sq_prep(q, "SELECT sha FROM runs UNION SELECT sha FROM results"
				      " UNION SELECT value FROM meta");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (!v || strlen(v) != STORE_SHA_HEX - 1)
			continue;   /* a value that is not a hash */
		if (l->n == l->cap) {
			size_t nc = l->cap ? l->cap * 2 : 256;
			void *nv = realloc(l->v, nc * sizeof *l->v);
			if (!nv) {
				sqlite3_finalize(st);
				return store_fail(&q->base, "blob gc: out of memory");
			}
			l->v = nv;
			l->cap = nc;
		}
		memcpy(l->v[l->n++], v, STORE_SHA_HEX);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_err(q, "blob gc");
	if (l->n)   /* qsort and bsearch want an array, even of none */
		qsort(l->v, l->n, sizeof *l->v, cmp_sha);
	return 0;
}

/* A blob's name (64 hex digits and its NUL: the list's key) that nothing names. */
static bool unnamed(const char *name, const void *ctx)
{
	const struct sha_list *l = ctx;
	if (strlen(name) != STORE_SHA_HEX - 1 || !store_sha_ok(name))
		return false;   /* not a blob's name: never ours to remove */
	return !l->n || !bsearch(name, l->v, l->n, sizeof *l->v, cmp_sha);
}

/*
 * A writer killed between placing a blob and committing the row that
 * names it (blob_place, then the caller's commit) leaves a blob nothing
 * names: never acknowledged, never readable.  Run only by a process that
 * is the store's one user (store_job_recover): another process could be
 * between the two steps.  Returns how many were removed, or -1.
 */
int sq_blob_gc(struct sq *q)
{
	char blobs[PATH_MAX], dir[PATH_MAX + 300];
	struct sha_list l = { 0 };
	struct dirent *e;
	int n = 0;

	if (named_shas(q, &l) < 0) {
		free(l.v);
		return -1;
	}
	snprintf(blobs, sizeof blobs, "%s/blobs", q->dir);
	DIR *d = opendir(blobs);
	while (d && (e = readdir(d)) != NULL) {
		if (strlen(e->d_name) != 2 || e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof dir, "%s/%s", blobs, e->d_name);
		n += remove_files(dir, unnamed, &l);
	}
	if (d)
		closedir(d);
	free(l.v);
	return n;
}
