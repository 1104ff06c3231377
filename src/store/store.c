/*
 * store.c - the store's front: picks the backend from the location and
 * dispatches every store.h call to it; the code both backends share
 * (blob <-> file copies, names, checks).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/store-int.h"

int store_fail(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return -1;
}

bool store_is_pg(const char *loc)
{
	return strncmp(loc, "postgresql://", 13) == 0 || strncmp(loc, "postgres://", 11) == 0 ||
	       strncmp(loc, "host=", 5) == 0 || strncmp(loc, "dbname=", 7) == 0;
}

bool store_sha_ok(const char *sha)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((sha[i] >= '0' && sha[i] <= '9') || (sha[i] >= 'a' && sha[i] <= 'f')))
			return false;
	return sha[64] == '\0';
}

bool store_md_final(EVP_MD_CTX *md, char out[STORE_SHA_HEX])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (EVP_DigestFinal_ex(md, d, &len) != 1 || len != 32)
		return false;
	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = '\0';
	return true;
}

void store_copy(char *dst, size_t len, const char *src)
{
	size_t n;

	if (!len)
		return;
	n = src ? strlen(src) : 0;
	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *store_status_name(int status)
{
	static const char *const names[] = { "queued", "running", "done", "failed" };

	return status >= 0 && status <= 3 ? names[status] : "unknown";
}

struct store *store_open(const char *loc, char *err, size_t errlen)
{
	const struct store_ops *ops = store_is_pg(loc) ? &store_pg_ops : &store_sqlite_ops;

	if (!ops->open) {
		snprintf(err, errlen, "%s: this build has no %s store", loc, ops->name);
		return NULL;
	}
	return ops->open(loc, err, errlen);
}

struct store *store_open_migrate(const char *loc, char *err, size_t errlen)
{
	const struct store_ops *ops = store_is_pg(loc) ? &store_pg_ops : &store_sqlite_ops;

	if (!ops->open_migrate)
		return store_open(loc, err, errlen);
	return ops->open_migrate(loc, err, errlen);
}

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

const char *store_error(const struct store *s) { return s->err; }
const char *store_backend(const struct store *s) { return s->ops->name; }
int store_migrate(struct store *s, int *from) { return s->ops->migrate(s, from); }

struct store_blob_w *store_blob_create(struct store *s) { return s->ops->blob_create(s); }
int store_blob_write(struct store_blob_w *w, const void *b, size_t n) { return w->s->ops->blob_write(w, b, n); }
int store_blob_commit(struct store_blob_w *w, char sha[STORE_SHA_HEX], uint64_t *size)
{
	return w->s->ops->blob_commit(w, sha, size);
}
void store_blob_abort(struct store_blob_w *w)
{
	if (w)
		w->s->ops->blob_abort(w);
}
int store_blob_open(struct store *s, const char *sha, struct store_blob_r **r, uint64_t *size)
{
	if (!store_sha_ok(sha))
		return store_fail(s, "'%.80s' is not a SHA-256 name", sha);
	return s->ops->blob_open(s, sha, r, size);
}
ssize_t store_blob_read(struct store_blob_r *r, void *b, size_t n) { return r->s->ops->blob_read(r, b, n); }
void store_blob_close(struct store_blob_r *r)
{
	if (r)
		r->s->ops->blob_close(r);
}

int store_blob_to_file(struct store *s, const char *sha, const char *path)
{
	struct store_blob_r *r;
	uint64_t size;
	char buf[65536];
	ssize_t n;
	int fd, rc = store_blob_open(s, sha, &r, &size);

	if (rc <= 0)
		return rc == 0 ? store_fail(s, "blob %s: not in the store", sha) : -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		store_blob_close(r);
		return store_fail(s, "cannot create '%s': %s", path, strerror(errno));
	}
	while ((n = store_blob_read(r, buf, sizeof buf)) > 0) {
		const char *p = buf;
		while (n > 0) {
			ssize_t w = write(fd, p, (size_t)n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = store_fail(s, "cannot write '%s': %s", path, strerror(errno));
				goto out;
			}
			p += w, n -= w;
		}
	}
	rc = n < 0 ? -1 : 0;
	if (rc == 0 && fsync(fd) < 0)
		rc = store_fail(s, "cannot write '%s': %s", path, strerror(errno));
out:
	close(fd);
	store_blob_close(r);
	if (rc)
		unlink(path);
	return rc;
}

int store_blob_from_file(struct store *s, const char *path, char sha[STORE_SHA_HEX], uint64_t *size)
{
	struct store_blob_w *w;
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return store_fail(s, "cannot open '%s': %s", path, strerror(errno));
	w = store_blob_create(s);
	if (!w) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || store_blob_write(w, buf, (size_t)n) < 0) {
			if (n < 0)
				store_fail(s, "cannot read '%s': %s", path, strerror(errno));
			store_blob_abort(w);
			close(fd);
			return -1;
		}
	}
	close(fd);
	return store_blob_commit(w, sha, size);
}

int store_run_add(struct store *s, const struct store_run *in, int64_t *id, bool *existed)
{
	if (!store_sha_ok(in->sha))
		return store_fail(s, "run: '%.80s' is not a SHA-256 name", in->sha);
	return s->ops->run_add(s, in, id, existed);
}
int store_run_get(struct store *s, int64_t id, struct store_run *o) { return s->ops->run_get(s, id, o); }
int store_run_by_sha(struct store *s, const char *sha, struct store_run *o) { return s->ops->run_by_sha(s, sha, o); }
int store_run_delete(struct store *s, int64_t id) { return s->ops->run_delete(s, id); }
int store_run_list(struct store *s, const struct store_query *q,
		   int (*cb)(void *, const struct store_run *), void *ctx, uint64_t *total)
{
	return s->ops->run_list(s, q, cb, ctx, total);
}

int store_result_get(struct store *s, int64_t run, const char *name, struct store_result *o)
{
	return s->ops->result_get(s, run, name, o);
}
int store_result_list(struct store *s, int64_t run, int (*cb)(void *, const struct store_result *), void *ctx)
{
	return s->ops->result_list(s, run, cb, ctx);
}
int store_flow_list(struct store *s, const struct store_flow_query *q,
		    int (*cb)(void *, const struct store_flow *), void *ctx, uint64_t *total)
{
	return s->ops->flow_list(s, q, cb, ctx, total);
}

int store_job_enqueue(struct store *s, const char *kind, int64_t run) { return s->ops->job_enqueue(s, kind, run); }
int store_job_claim(struct store *s, const char *worker, int lease_s, struct store_job *o)
{
	return s->ops->job_claim(s, worker, lease_s, o);
}
int store_job_renew(struct store *s, struct store_job *j, int lease_s) { return s->ops->job_renew(s, j, lease_s); }
int store_job_finish(struct store *s, const struct store_job *j, const struct store_outcome *o)
{
	return s->ops->job_finish(s, j, o);
}
int store_job_fail(struct store *s, const struct store_job *j, const char *e, int max)
{
	return s->ops->job_fail(s, j, e, max);
}
int store_job_wait(struct store *s, int timeout_ms) { return s->ops->job_wait(s, timeout_ms); }
int store_job_recover(struct store *s) { return s->ops->job_recover(s); }
int store_job_get(struct store *s, int64_t id, struct store_job *o, int *st, char *e, size_t el)
{
	return s->ops->job_get(s, id, o, st, e, el);
}

int store_meta_get(struct store *s, const char *k, char *v, size_t len) { return s->ops->meta_get(s, k, v, len); }
int store_meta_set(struct store *s, const char *k, const char *v) { return s->ops->meta_set(s, k, v); }
int store_stats(struct store *s, struct store_stats *o) { return s->ops->stats(s, o); }
