/*
 * upload.c - request bodies: uploads (POST /upload, the HTML form, and
 * POST /api/v1/runs, multipart or raw) and the small forms (login,
 * delete).
 *
 * An upload streams: each chunk MHD hands over goes to store_blob_write
 * (multipart through MHD_PostProcessor, field "file"; a raw body as it
 * is), so a 2 GiB capture never sits in memory.  The answer comes only
 * after store_blob_commit (file and directory fsync'd) and store_run_add
 * (a committed transaction) returned: a 201 means durable.  Anything that
 * stops an upload early (413 past --max-upload, a truncated body, a
 * client that goes away, a timeout) aborts the blob, which leaves nothing
 * visible.  A declared Content-Length past the limit is refused before the
 * body is read.
 *
 * Raw bodies take their metadata from the query string:
 *   POST /api/v1/runs?name=run.pcap&type=capture&label=L&tags=a+b
 * multipart forms from the fields name/type/label/tags and the file part's
 * file name.  A session (a browser) must send the CSRF token: the field
 * "csrf" before the file part, or the X-CSRF-Token header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "web/web-int.h"

#define FIELD_MAX 1024

struct upload {
	int body;
	struct MHD_PostProcessor *pp;
	struct store *s;            /* own connection for the blob's lifetime */
	struct store_blob_w *bw;
	uint64_t bytes, dropped;
	bool file_seen, counted;
	unsigned fail_status;       /* non-zero: stop, answer this */
	char fail_msg[160];
	char fname[256];
	struct field { char key[16]; char val[FIELD_MAX]; size_t len; } f[8];
	size_t nf;
};

static void up_fail(struct upload *u, unsigned status, const char *msg)
{
	if (u->fail_status)
		return;
	u->fail_status = status;
	snprintf(u->fail_msg, sizeof u->fail_msg, "%s", msg);
}

const char *upload_field(struct req *r, const char *key)
{
	struct upload *u = r->up;
	for (size_t i = 0; u && i < u->nf; i++)
		if (!strcmp(u->f[i].key, key))
			return u->f[i].val;
	return NULL;
}

static void field_add(struct upload *u, const char *key, const char *data, size_t size)
{
	struct field *f = NULL;

	if (strlen(key) >= sizeof u->f[0].key)
		return;   /* no field of ours has a long name: ignore */
	for (size_t i = 0; i < u->nf; i++)
		if (!strcmp(u->f[i].key, key))
			f = &u->f[i];
	if (!f) {
		if (u->nf == sizeof u->f / sizeof *u->f) {
			up_fail(u, 400, "too many form fields");
			return;
		}
		f = &u->f[u->nf++];
		snprintf(f->key, sizeof f->key, "%s", key);
	}
	if (size >= FIELD_MAX - f->len) {
		up_fail(u, 400, "a form field is too long");
		return;
	}
	memcpy(f->val + f->len, data, size);
	f->len += size;
	f->val[f->len] = '\0';
}

/* The last component of a client's file name, control characters dropped:
 * it is only ever displayed (escaped), never used as a path. */
static void clean_name(char *out, size_t len, const char *in)
{
	const char *p = in ? in : "";
	const char *slash = strrchr(p, '/'), *bs = strrchr(p, '\\');
	size_t n = 0;

	if (slash)
		p = slash + 1;
	if (bs && bs + 1 > p)
		p = bs + 1;
	for (; *p && n + 1 < len; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7F)
			out[n++] = *p;
	out[n] = '\0';
	if (!n)
		snprintf(out, len, "upload");
}

static int blob_start(struct req *r)
{
	struct upload *u = r->up;
	char err[256];

	if (r->session && !auth_csrf_ok(r, upload_field(r, "csrf")) &&
	    !auth_csrf_ok(r, MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "X-CSRF-Token"))) {
		up_fail(u, 403, "the form's CSRF token is missing or wrong: reload the page");
		return -1;
	}
	u->s = store_open(r->w->cfg.location, err, sizeof err);
	if (!u->s) {
		web_log(r->w, "upload: %s", err);
		up_fail(u, 503, "the store is not available");
		return -1;
	}
	u->bw = store_blob_create(u->s);
	if (!u->bw) {
		web_log(r->w, "upload: %s", store_error(u->s));
		up_fail(u, 500, "cannot store the upload");
		return -1;
	}
	u->file_seen = true;
	return 0;
}

static void blob_put(struct req *r, const char *data, size_t size)
{
	struct upload *u = r->up;

	if (u->fail_status || !size)
		return;
	if (size > r->w->max_upload - u->bytes) {
		char msg[96];
		snprintf(msg, sizeof msg, "the upload is larger than the server's limit (%llu bytes)",
			 (unsigned long long)r->w->max_upload);
		up_fail(u, 413, msg);
		return;
	}
	u->bytes += size;
	if (store_blob_write(u->bw, data, size)) {
		web_log(r->w, "upload: %s", store_error(u->s));
		up_fail(u, 500, "cannot store the upload");
	}
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				 const char *ctype, const char *enc, const char *data, uint64_t off, size_t size)
{
	struct req *r = cls;
	struct upload *u = r->up;

	(void)kind;
	(void)ctype;
	(void)enc;
	(void)off;
	if (u->body == BODY_FILE && !strcmp(key, "file")) {
		if (!u->file_seen) {
			if (blob_start(r))
				return MHD_NO;
			clean_name(u->fname, sizeof u->fname, filename);
		}
		blob_put(r, data, size);
	} else {
		field_add(u, key, data, size);
	}
	return u->fail_status ? MHD_NO : MHD_YES;
}

enum MHD_Result upload_begin(struct req *r, const struct route *rt)
{
	struct upload *u = calloc(1, sizeof *u);
	const char *ct = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Content-Type");
	const char *cl = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Content-Length");

	if (!u)
		return reply_error(r, 500, "out of memory");
	r->up = u;
	u->body = rt->body;
	if (cl && strtoull(cl, NULL, 10) > r->w->max_upload + (rt->body == BODY_FILE ? 65536 : 0)) {
		char msg[96];
		snprintf(msg, sizeof msg, "the upload is larger than the server's limit (%llu bytes)",
			 (unsigned long long)r->w->max_upload);
		return reply_refuse(r, 413, msg);
	}
	if (rt->body == BODY_FORM && cl && strtoull(cl, NULL, 10) > 64 * 1024)
		return reply_refuse(r, 413, "the form is too large");
	if (rt->body == BODY_FILE) {
		if (web_client_enter(r->w, r->client))
			return reply_refuse(r, 429, "too many uploads from this address at once: wait for one to finish");
		u->counted = true;
	}
	/* a file route reads only multipart as a form: `curl --data-binary` labels raw bytes urlencoded */
	bool form = ct && (strncasecmp(ct, "multipart/form-data", 19) == 0 ||
			   (rt->body == BODY_FORM && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0));
	if (form) {
		u->pp = MHD_create_post_processor(r->c, 32 * 1024, post_iter, r);
		if (!u->pp)
			return reply_refuse(r, 400, "the form's encoding cannot be read");
	} else if (rt->body == BODY_FILE) {
		clean_name(u->fname, sizeof u->fname, req_arg(r, "name"));
		if (blob_start(r))
			return reply_refuse(r, u->fail_status, u->fail_msg);
	} else {
		return reply_refuse(r, 415, "expected a form");
	}
	return MHD_YES;
}

enum MHD_Result upload_data(struct req *r, const char *data, size_t *size)
{
	struct upload *u = r->up;

	if (u->pp) {
		if (MHD_post_process(u->pp, data, *size) != MHD_YES && !u->fail_status)
			up_fail(u, 400, "the form data cannot be read");
	} else if (u->body == BODY_FILE) {
		blob_put(r, data, *size);
	}
	/* libmicrohttpd takes no answer before the body ends: a failed upload
	 * (413 on a chunked body, a store error) drops what follows and answers
	 * at the end; a client that keeps sending 64 MiB past that is cut off */
	if (u->fail_status) {
		u->dropped += *size;
		if (u->dropped > (64u << 20))
			return MHD_NO;
	}
	*size = 0;
	return MHD_YES;
}

static enum MHD_Result file_done(struct req *r)
{
	struct upload *u = r->up;
	struct store_run run = { .type = STORE_RUN_CAPTURE };
	char sha[STORE_SHA_HEX];
	uint64_t size;
	int64_t id;
	bool existed;

	if (!u->file_seen)
		return reply_error(r, 400, "no file in the upload (a multipart field named 'file', or a raw body)");
	if (u->bytes == 0)
		return reply_error(r, 400, "the file is empty");
	const char *type = upload_field(r, "type") ? upload_field(r, "type") : req_arg(r, "type");
	if (type && !strcmp(type, "report"))
		run.type = STORE_RUN_REPORT;
	else if (type && strcmp(type, "capture"))
		return reply_error(r, 400, "type must be 'capture' or 'report'");
	const char *label = upload_field(r, "label") ? upload_field(r, "label") : req_arg(r, "label");
	const char *tags = upload_field(r, "tags") ? upload_field(r, "tags") : req_arg(r, "tags");
	int rc = store_blob_commit(u->bw, sha, &size);
	u->bw = NULL;
	if (rc) {
		web_log(r->w, "upload: %s", store_error(u->s));
		return reply_error(r, 500, "cannot store the upload");
	}
	snprintf(run.sha, sizeof run.sha, "%s", sha);
	clean_name(run.name, sizeof run.name, u->fname);
	run.size = size;
	run.submitted = time(NULL);
	snprintf(run.label, sizeof run.label, "%s", label ? label : "");
	snprintf(run.tags, sizeof run.tags, "%s", tags ? tags : "");
	for (char *p = run.label; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = ' ';
	for (char *p = run.tags; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F || *p == ',')
			*p = ' ';
	if (store_run_add(u->s, &run, &id, &existed)) {
		web_log(r->w, "upload: %s", store_error(u->s));
		return reply_error(r, 500, "cannot record the run");
	}
	web_log(r->w, "upload %s by %s: run %lld%s, %llu bytes", r->client, r->user[0] ? r->user : "-",
		(long long)id, existed ? " (already there)" : "", (unsigned long long)size);
	if (!r->api) {
		char loc[64];
		snprintf(loc, sizeof loc, "/runs/%lld%s", (long long)id, existed ? "?dup=1" : "");
		return reply_redirect(r, loc, NULL);
	}
	struct wbuf b = { 0 };
	wb_printf(&b, "{\"id\":%lld,\"sha256\":\"%s\",\"size\":%llu,\"existed\":%s,\"url\":\"/runs/%lld\"}\n",
		  (long long)id, sha, (unsigned long long)size, existed ? "true" : "false", (long long)id);
	return reply(r, existed ? 200 : 201, "application/json", &b);
}

enum MHD_Result upload_end(struct req *r, const struct route *rt)
{
	struct upload *u = r->up;

	if (u->pp) {
		enum MHD_Result done = MHD_destroy_post_processor(u->pp);
		u->pp = NULL;
		if (u->fail_status)
			return reply_error(r, u->fail_status, u->fail_msg);
		if (done != MHD_YES)
			return reply_error(r, 400, "the form data ended early");
	}
	if (u->fail_status)
		return reply_error(r, u->fail_status, u->fail_msg);
	if (rt->body == BODY_FILE)
		return file_done(r);
	if (rt->access == ACC_WRITE && r->session && !auth_csrf_ok(r, upload_field(r, "csrf")))
		return reply_error(r, 403, "the form's CSRF token is missing or wrong: reload the page");
	return rt->fn(r);
}

void upload_free(struct req *r, bool completed)
{
	struct upload *u = r->up;

	(void)completed;
	if (!u)
		return;
	if (u->pp)
		MHD_destroy_post_processor(u->pp);
	store_blob_abort(u->bw);   /* nothing visible of an unfinished upload */
	store_close(u->s);
	if (u->counted)
		web_client_leave(r->w, r->client);
	free(u);
	r->up = NULL;
}
