/*
 * store-int.h - what a store backend provides (sqlite.c, pg.c).
 *
 * store.c owns struct store's common part and dispatches every call of
 * store.h to the backend's ops; a backend embeds struct store as the
 * first member of its own connection struct.  Semantics are store.h's;
 * the shared suite (tests/unit/test_store.c) runs against each backend.
 */
#ifndef BOTLENS_STORE_INT_H
#define BOTLENS_STORE_INT_H

#include <stdio.h>

#include <openssl/evp.h>

#include "store/store.h"

#define STORE_ERRLEN 512

struct store_ops {
	const char *name;           /* "sqlite", "postgresql" */
	/* open: NULL on error with the message in err */
	struct store *(*open)(const char *location, char *err, size_t errlen);
	/* open without the schema version check (store_open_migrate); NULL = open */
	struct store *(*open_migrate)(const char *location, char *err, size_t errlen);
	void (*close)(struct store *s);
	int (*migrate)(struct store *s, int *from);

	struct store_blob_w *(*blob_create)(struct store *s);
	int (*blob_write)(struct store_blob_w *w, const void *buf, size_t n);
	int (*blob_commit)(struct store_blob_w *w, char sha[STORE_SHA_HEX], uint64_t *size);
	void (*blob_abort)(struct store_blob_w *w);
	int (*blob_open)(struct store *s, const char *sha, struct store_blob_r **r, uint64_t *size);
	ssize_t (*blob_read)(struct store_blob_r *r, void *buf, size_t n);
	void (*blob_close)(struct store_blob_r *r);

	int (*run_add)(struct store *s, const struct store_run *in, int64_t *id, bool *existed);
	int (*run_get)(struct store *s, int64_t id, struct store_run *out);
	int (*run_by_sha)(struct store *s, const char *sha, struct store_run *out);
	int (*run_delete)(struct store *s, int64_t id);
	int (*run_list)(struct store *s, const struct store_query *q,
			int (*cb)(void *ctx, const struct store_run *r), void *ctx, uint64_t *total);

	int (*result_get)(struct store *s, int64_t run, const char *name, struct store_result *out);
	int (*result_list)(struct store *s, int64_t run,
			   int (*cb)(void *ctx, const struct store_result *r), void *ctx);
	int (*flow_list)(struct store *s, const struct store_flow_query *q,
			 int (*cb)(void *ctx, const struct store_flow *f), void *ctx, uint64_t *total);

	int (*job_enqueue)(struct store *s, const char *kind, int64_t run_id);
	int (*job_claim)(struct store *s, const char *worker, int lease_s, struct store_job *out);
	int (*job_renew)(struct store *s, struct store_job *j, int lease_s);
	int (*job_finish)(struct store *s, const struct store_job *j, const struct store_outcome *o);
	int (*job_fail)(struct store *s, const struct store_job *j, const char *error, int max_attempts);
	int (*job_wait)(struct store *s, int timeout_ms);
	int (*job_recover)(struct store *s);
	int (*job_get)(struct store *s, int64_t id, struct store_job *out, int *status, char *error, size_t errlen);

	int (*meta_get)(struct store *s, const char *key, char *value, size_t len);
	int (*meta_set)(struct store *s, const char *key, const char *value);
	int (*stats)(struct store *s, struct store_stats *out);
};

/* The common part of every connection; backends put it first. */
struct store {
	const struct store_ops *ops;
	char err[STORE_ERRLEN];
};

/* Blob handles likewise start with their store. */
struct store_blob_w { struct store *s; };
struct store_blob_r { struct store *s; };

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;    /* pg.c; absent backends fail at open */

/* Sets s->err printf-style; returns -1 (for `return store_fail(...)`). */
int store_fail(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True for a PostgreSQL location (store.h). */
bool store_is_pg(const char *location);
/* Validates a 64-hex-digit SHA-256 name (lower case). */
bool store_sha_ok(const char *sha);
/* Ends a SHA-256 digest and writes it in lower-case hex (the blob's name);
 * false when OpenSSL fails.  Shared by the backends' blob writers and readers. */
bool store_md_final(EVP_MD_CTX *md, char out[STORE_SHA_HEX]);
/* Copies src into a fixed field, truncating at a UTF-8 boundary. */
void store_copy(char *dst, size_t len, const char *src);

#endif
