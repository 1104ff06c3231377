/*
 * web-int.h - what the files of src/web/ share: the server, one request,
 * the route table, the reply helpers.  Nothing outside src/web/ includes it.
 *
 * A request (struct req) lives from the first access-handler call of a
 * connection's request to MHD's completion callback; it is owned by MHD's
 * per-request pointer.  A page is a function that reads the store through
 * req_store() and answers with one of the reply_* helpers, exactly once.
 */
#ifndef BOTLENS_WEB_INT_H
#define BOTLENS_WEB_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "behavior/behavior.h"
#include "store/store.h"
#include "web/html.h"
#include "web/web.h"

struct auth;
struct upload;

struct web {
	struct web_cfg cfg;
	struct MHD_Daemon *d;
	int fd;                     /* the listening socket (MHD closes it) */
	char addr[80];
	bool loopback;              /* listening on 127.0.0.0/8 or ::1 */
	bool tls;
	char *cert_pem, *key_pem;
	struct auth *auth;
	pthread_key_t store_key;    /* the daemon thread's store connection */
	pthread_mutex_t mu;         /* guards clients[] */
	struct client_uploads { char ip[48]; unsigned n; } clients[64];
	struct bh_model model;
	bool have_model;
	uint64_t max_upload;
};

enum req_access { ACC_NONE, ACC_READ, ACC_WRITE };

struct req {
	struct web *w;
	struct MHD_Connection *c;
	const char *method, *url;
	bool api;                   /* under /api/: JSON errors */
	bool answered;
	/* who: set by auth_check */
	bool authed;                /* a valid token or session */
	bool session;               /* by the session cookie (forms need the CSRF token) */
	bool blocked;               /* its address guessed too many tokens: 429 (auth.c) */
	char user[64];
	char csrf[65];              /* the session's CSRF token, "" without a session */
	char client[48];            /* the peer's address */
	/* route arguments */
	int64_t id;
	char name[64];
	struct upload *up;          /* POST bodies */
	const struct route *rt;
	int refresh;                /* seconds: the page reloads itself (a job in progress) */
	unsigned defer_status;      /* a refusal answered once the (small) body is read */
	char defer_msg[160];
	uint64_t dropped;
};

/* server.c */
struct store *req_store(struct req *r);   /* NULL after answering 503 */
const char *req_arg(struct req *r, const char *key);   /* query-string value or NULL */
long long req_num(struct req *r, const char *key, long long dflt, long long lo, long long hi);
enum MHD_Result reply(struct req *r, unsigned status, const char *ctype, struct wbuf *body);
enum MHD_Result reply_error(struct req *r, unsigned status, const char *msg);
/* A refusal at the headers: answered at once without a body, after reading
 * and dropping a body of up to 16 MiB otherwise (a client still sending
 * would get a reset instead of the answer). */
enum MHD_Result reply_refuse(struct req *r, unsigned status, const char *msg);
enum MHD_Result reply_redirect(struct req *r, const char *location, const char *cookie);
/* Streams a blob; name (already a safe result name) labels the download. */
enum MHD_Result reply_blob(struct req *r, const char *sha, const char *ctype, const char *fname, bool inline_ok);
void web_log(struct web *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int web_client_enter(struct web *w, const char *ip);   /* 0, or -1 over the limit */
void web_client_leave(struct web *w, const char *ip);

/* auth.c */
struct auth *auth_load(const char *token_file, char *err, size_t errlen);
void auth_free(struct auth *a);
/* Fills r->authed, user, session, csrf from the Authorization header or the cookie. */
void auth_check(struct req *r);
/* A token's owner into user; false when no such token. */
bool auth_token_ok(struct auth *a, const char *token, char *user, size_t len);
/* A new session for user: cookie value into id (65 bytes). */
int auth_session_new(struct auth *a, const char *user, char id[65]);
void auth_session_end(struct auth *a, const char *id);
bool auth_csrf_ok(const struct req *r, const char *token);
/* Token guessing per client address: a refused token counts, too many in a
 * while block the address for a minute (auth.c). */
bool auth_blocked(struct auth *a, const char *ip);
void auth_failed(struct auth *a, const char *ip);

/* page layout (page.c) */
void page_head(struct wbuf *b, struct req *r, const char *title);
void page_foot(struct wbuf *b);
void page_badges(struct wbuf *b, const char *kinds);
void page_time(struct wbuf *b, int64_t t);
void page_size(struct wbuf *b, uint64_t n);
void page_status(struct wbuf *b, int status);
/* A result's Content-Type: the stored one, else by its name's suffix. */
const char *page_ctype(const char *name, const char *stored);

/* route handlers */
typedef enum MHD_Result (*page_fn)(struct req *r);
enum MHD_Result page_runs(struct req *r);
enum MHD_Result page_run(struct req *r);
enum MHD_Result page_run_file(struct req *r);
void page_csrf_field(struct wbuf *b, struct req *r);
/* page_ports.c: a parsed ports.json as tables (json_object from json-c). */
struct json_object;
void page_ports(struct wbuf *b, struct json_object *ports);
enum MHD_Result page_run_delete(struct req *r);
enum MHD_Result page_compare(struct req *r);
enum MHD_Result page_families(struct req *r);
enum MHD_Result page_clusters(struct req *r);
enum MHD_Result page_status_page(struct req *r);
enum MHD_Result page_upload_form(struct req *r);
enum MHD_Result page_login(struct req *r);
enum MHD_Result page_login_post(struct req *r);
enum MHD_Result page_logout(struct req *r);
enum MHD_Result page_static(struct req *r);
enum MHD_Result api_runs(struct req *r);
enum MHD_Result api_run(struct req *r);
enum MHD_Result api_run_result(struct req *r);
enum MHD_Result api_run_delete(struct req *r);

/* router.c: finds the route; fills r->id and r->name. */
enum { BODY_NONE, BODY_FORM, BODY_FILE };
struct route {
	const char *method;
	const char *pattern;        /* '#' = a run id, '*' = a result name segment */
	enum req_access access;
	int body;                   /* 0 none, BODY_FORM small fields, BODY_FILE an upload (upload.c) */
	page_fn fn;
};
const struct route *route_find(struct req *r, bool *method_ok);

/* upload.c: the POST bodies (uploads, login form, delete form). */
enum MHD_Result upload_begin(struct req *r, const struct route *rt);
enum MHD_Result upload_data(struct req *r, const char *data, size_t *size);
enum MHD_Result upload_end(struct req *r, const struct route *rt);
void upload_free(struct req *r, bool completed);
/* A small urlencoded/multipart field of the finished body, NULL absent. */
const char *upload_field(struct req *r, const char *key);

#endif
