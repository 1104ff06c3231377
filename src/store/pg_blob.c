/*
 * pg_blob.c - the PostgreSQL backend's blobs: bytes in the database, in
 * rows of at most PG_CHUNK (1 MiB) bytes, so a worker on another machine
 * needs nothing but the connection string.
 *
 *   blobs (sha PRIMARY KEY, id UNIQUE, size, nchunks)   a committed blob
 *   blob_chunks (blob_id, seq, data bytea)              its bytes, seq 0..nchunks-1
 *
 * Writing: the SHA-256 is known only at the end, so the chunks are keyed
 * by a number from the sequence blob_ids and inserted one by one as the
 * bytes stream in, all inside one transaction that holds the connection
 * (at most one chunk in memory).  Commit inserts the blobs row naming
 * them; when a blob with that hash exists (or a concurrent writer commits
 * it first: the unique index makes the second insert wait, then do
 * nothing) the transaction is rolled back and the new bytes vanish with
 * it.  A writer that dies or aborts leaves nothing: the server rolls the
 * transaction back.
 *
 * Reading fetches one chunk per query (no transaction: committed blobs
 * never change), hashes the bytes on the way and checks the hash, the
 * size and the chunk count at the end.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store/pg-int.h"

struct pg_blob_w {
	struct store_blob_w base;
	EVP_MD_CTX *md;
	unsigned char *buf;          /* the chunk being filled */
	size_t len;
	uint64_t size;
	int seq;                     /* chunks inserted */
	char id[24];                 /* blob_id */
	bool failed;
};

struct pg_blob_r {
	struct store_blob_r base;
	EVP_MD_CTX *md;
	char sha[STORE_SHA_HEX];
	char id[24];
	uint64_t size, got;
	int nchunks, seq;
	PGresult *chunk;             /* the chunk being read, NULL between */
	size_t off;
	bool checked;
};

static void blob_w_free(struct pg_blob_w *w)
{
	struct pg *p = pg_of(w->base.s);

	if (p->in_blob) {
		p->in_blob = false;
		pg_rollback(p);
	}
	EVP_MD_CTX_free(w->md);
	free(w->buf);
	free(w);
}

struct store_blob_w *pg_blob_create(struct store *s)
{
	struct pg *p = pg_of(s);
	struct pg_blob_w *w;
	PGresult *r;
	int tries = 0;

	if (pg_enter(p) < 0)
		return NULL;
	w = calloc(1, sizeof *w);
	if (!w || !(w->buf = malloc(PG_CHUNK)) || !(w->md = EVP_MD_CTX_new()) ||
	    EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1) {
		if (w) {
			EVP_MD_CTX_free(w->md);
			free(w->buf);
			free(w);
		}
		store_fail(s, "new blob: out of memory");
		return NULL;
	}
	w->base.s = s;
	for (;;) {
		if (pg_x(p, "new blob", "BEGIN", 0, NULL) == 0 &&
		    (r = pg_q(p, "new blob", "SELECT nextval('blob_ids')", 0, NULL, PGRES_TUPLES_OK)))
			break;
		pg_rollback(p);
		if (!pg_again(p, &tries)) {
			blob_w_free(w);
			return NULL;
		}
	}
	pg_str(r, 0, 0, w->id, sizeof w->id);
	PQclear(r);
	p->in_blob = true;
	return &w->base;
}

/* Inserts the chunk in w->buf (binary parameter: no escaping, no copy). */
static int flush_chunk(struct pg_blob_w *w)
{
	struct pg *p = pg_of(w->base.s);
	char seq[24];
	const char *vals[3] = { w->id, PG_I64(seq, w->seq), (const char *)w->buf };
	int lens[3] = { 0, 0, (int)w->len };
	int fmts[3] = { 0, 0, 1 };
	PGresult *r = PQexecParams(p->conn, "INSERT INTO blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3)",
				   3, NULL, vals, lens, fmts, 0);

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		store_fail(w->base.s, "blob: cannot store a chunk: %s",
			   r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(p->conn));
		PQclear(r);
		w->failed = true;
		return -1;
	}
	PQclear(r);
	w->seq++;
	w->len = 0;
	return 0;
}

int pg_blob_write(struct store_blob_w *bw, const void *buf, size_t n)
{
	struct pg_blob_w *w = (struct pg_blob_w *)bw;
	const unsigned char *src = buf;

	if (w->failed)
		return -1;
	if (EVP_DigestUpdate(w->md, buf, n) != 1) {
		w->failed = true;
		return store_fail(bw->s, "blob: SHA-256 failed");
	}
	w->size += n;
	while (n) {
		size_t k = PG_CHUNK - w->len < n ? PG_CHUNK - w->len : n;

		memcpy(w->buf + w->len, src, k);
		w->len += k, src += k, n -= k;
		if (w->len == PG_CHUNK && flush_chunk(w) < 0)
			return -1;
	}
	return 0;
}

int pg_blob_commit(struct store_blob_w *bw, char sha[STORE_SHA_HEX], uint64_t *size)
{
	struct pg_blob_w *w = (struct pg_blob_w *)bw;
	struct pg *p = pg_of(bw->s);
	char b_size[24], b_n[24];
	const char *args[4];
	PGresult *r;
	int rc = -1;

	if (w->failed || (w->len && flush_chunk(w) < 0))
		goto out;
	if (!store_md_final(w->md, sha)) {
		store_fail(bw->s, "blob: SHA-256 failed");
		goto out;
	}
	args[0] = sha;
	args[1] = w->id;
	args[2] = PG_I64(b_size, w->size);
	args[3] = PG_I64(b_n, w->seq);
	r = pg_q(p, "blob", "INSERT INTO blobs (sha, id, size, nchunks) VALUES ($1, $2, $3, $4)"
		 " ON CONFLICT (sha) DO NOTHING", 4, args, PGRES_COMMAND_OK);
	if (!r)
		goto out;
	if (atoi(PQcmdTuples(r)) == 0) {   /* already there: keep it, drop ours */
		PQclear(r);
		rc = 0;
		goto out;
	}
	PQclear(r);
	p->in_blob = false;
	if (pg_x(p, "blob: commit", "COMMIT", 0, NULL) < 0)
		goto out;
	rc = 0;
out:
	if (rc == 0 && size)
		*size = w->size;
	blob_w_free(w);   /* rolls back unless committed */
	return rc;
}

void pg_blob_abort(struct store_blob_w *bw)
{
	blob_w_free((struct pg_blob_w *)bw);
}

static int blob_open_once(struct pg *p, const char *sha, PGresult **out)
{
	*out = pg_q(p, "blob", "SELECT id, size, nchunks FROM blobs WHERE sha = $1", 1, &sha, PGRES_TUPLES_OK);
	return *out ? 0 : -1;
}

int pg_blob_open(struct store *s, const char *sha, struct store_blob_r **out, uint64_t *size)
{
	struct pg *p = pg_of(s);
	struct pg_blob_r *r;
	PGresult *res;
	int tries = 0;

	for (;;) {
		if (PQstatus(p->conn) != CONNECTION_OK && !p->in_blob && pg_reconnect(p) < 0)
			return -1;
		if (blob_open_once(p, sha, &res) == 0)
			break;
		if (!pg_again(p, &tries))
			return -1;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	r = calloc(1, sizeof *r);
	if (!r || !(r->md = EVP_MD_CTX_new()) || EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1) {
		if (r)
			EVP_MD_CTX_free(r->md);
		free(r);
		PQclear(res);
		return store_fail(s, "blob %s: out of memory", sha);
	}
	r->base.s = s;
	store_copy(r->sha, sizeof r->sha, sha);
	pg_str(res, 0, 0, r->id, sizeof r->id);
	r->size = (uint64_t)pg_i64(res, 0, 1);
	r->nchunks = (int)pg_i64(res, 0, 2);
	PQclear(res);
	if (size)
		*size = r->size;
	*out = &r->base;
	return 1;
}

/* Fetches chunk r->seq as binary; reconnects when the connection was lost. */
static int fetch_chunk(struct pg_blob_r *r)
{
	struct pg *p = pg_of(r->base.s);
	char seq[24];
	const char *vals[2] = { r->id, PG_I64(seq, r->seq) };
	int tries = 0;
	PGresult *res;

	for (;;) {
		if (PQstatus(p->conn) != CONNECTION_OK && !p->in_blob && pg_reconnect(p) < 0)
			return -1;
		res = PQexecParams(p->conn, "SELECT data FROM blob_chunks WHERE blob_id = $1 AND seq = $2", 2, NULL,
				   vals, NULL, NULL, 1);
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			break;
		store_fail(r->base.s, "blob %s: cannot read chunk %d: %s", r->sha, r->seq,
			   res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(p->conn));
		store_copy(p->sqlstate, sizeof p->sqlstate,
			   res && PQresultErrorField(res, PG_DIAG_SQLSTATE) ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
									  : "");
		PQclear(res);
		if (!pg_again(p, &tries))
			return -1;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		return store_fail(r->base.s, "blob %s: chunk %d is missing", r->sha, r->seq);
	}
	r->chunk = res;
	r->off = 0;
	r->seq++;
	return 0;
}

ssize_t pg_blob_read(struct store_blob_r *br, void *buf, size_t n)
{
	struct pg_blob_r *r = (struct pg_blob_r *)br;

	while (!r->chunk || r->off == (size_t)PQgetlength(r->chunk, 0, 0)) {
		PQclear(r->chunk);
		r->chunk = NULL;
		if (r->seq == r->nchunks) {
			char got[STORE_SHA_HEX];

			if (r->checked)
				return 0;
			if (!store_md_final(r->md, got))
				return store_fail(br->s, "blob %s: SHA-256 failed", r->sha);
			if (strcmp(got, r->sha) || r->got != r->size)
				return store_fail(br->s, "blob %s: content does not match its hash", r->sha);
			r->checked = true;
			return 0;
		}
		if (fetch_chunk(r) < 0)
			return -1;
	}
	{
		size_t left = (size_t)PQgetlength(r->chunk, 0, 0) - r->off;
		size_t k = left < n ? left : n;

		memcpy(buf, PQgetvalue(r->chunk, 0, 0) + r->off, k);
		if (EVP_DigestUpdate(r->md, buf, k) != 1)
			return store_fail(br->s, "blob %s: SHA-256 failed", r->sha);
		r->off += k;
		r->got += k;
		return (ssize_t)k;
	}
}

void pg_blob_close(struct store_blob_r *br)
{
	struct pg_blob_r *r = (struct pg_blob_r *)br;

	PQclear(r->chunk);
	EVP_MD_CTX_free(r->md);
	free(r);
}
