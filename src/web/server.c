/*
 * server.c - the libmicrohttpd daemon behind `botlens serve`: binds the
 * socket itself (so port 0 works and the bound address can be printed),
 * runs a pool of polling threads with connection limits and an idle
 * timeout, optional TLS (GnuTLS through libmicrohttpd), and turns each
 * request into a route call (router.c) after the access check (auth.c).
 *
 * Every answer goes out through reply() or reply_blob(), which add the
 * security headers: a Content-Security-Policy with no inline script or
 * style, nosniff, no framing, no referrer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "web/web-int.h"

static const char csp[] = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
			  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

void web_log(struct web *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!w->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	w->cfg.log(w->cfg.log_ctx, line);
}

static void store_key_free(void *p)
{
	store_close(p);
}

struct store *req_store(struct req *r)
{
	struct store *s = pthread_getspecific(r->w->store_key);
	char err[256];

	if (s)
		return s;
	s = store_open(r->w->cfg.location, err, sizeof err);
	if (!s) {
		web_log(r->w, "store: %s", err);
		reply_error(r, 503, "the store is not available");
		return NULL;
	}
	pthread_setspecific(r->w->store_key, s);
	return s;
}

const char *req_arg(struct req *r, const char *key)
{
	const char *v = MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, key);
	return v && *v ? v : NULL;
}

long long req_num(struct req *r, const char *key, long long dflt, long long lo, long long hi)
{
	const char *v = req_arg(r, key);
	char *end;

	if (!v)
		return dflt;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || *end || end == v)
		return dflt;
	return n < lo ? lo : n > hi ? hi : n;
}

static void add_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

static enum MHD_Result queue(struct req *r, unsigned status, struct MHD_Response *resp)
{
	if (!resp)
		return MHD_NO;
	add_security_headers(resp);
	enum MHD_Result ok = MHD_queue_response(r->c, status, resp);
	MHD_destroy_response(resp);
	r->answered = true;
	return ok;
}

enum MHD_Result reply(struct req *r, unsigned status, const char *ctype, struct wbuf *body)
{
	if (body->oom) {
		wb_free(body);
		return reply_error(r, 500, "out of memory");
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(body->len, body->p ? body->p : "",
								     body->p ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		wb_free(body);
		return MHD_NO;
	}
	*body = (struct wbuf){ 0 };
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return queue(r, status, resp);
}

enum MHD_Result reply_error(struct req *r, unsigned status, const char *msg)
{
	struct wbuf b = { 0 };

	if (r->answered)
		return MHD_YES;
	if (r->api) {
		wb_puts(&b, "{\"error\":");
		json_str(&b, msg);
		wb_puts(&b, "}\n");
		return reply(r, status, "application/json", &b);
	}
	char title[32];
	snprintf(title, sizeof title, "Error %u", status);
	page_head(&b, r, title);
	wb_puts(&b, "<p class=\"error\">");
	html_txt(&b, msg);
	wb_puts(&b, "</p>\n");
	page_foot(&b);
	return reply(r, status, "text/html; charset=utf-8", &b);
}

#define DRAIN_MAX (16u << 20)

enum MHD_Result reply_refuse(struct req *r, unsigned status, const char *msg)
{
	const char *cl = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Content-Length");
	const char *te = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Transfer-Encoding");
	unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;

	if ((n > 0 && n <= DRAIN_MAX) || (!cl && te && strcasestr(te, "chunked"))) {
		r->defer_status = status;
		snprintf(r->defer_msg, sizeof r->defer_msg, "%s", msg);
		return MHD_YES;
	}
	return reply_error(r, status, msg);
}

enum MHD_Result reply_redirect(struct req *r, const char *location, const char *cookie)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Location", location);
	if (cookie)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	return queue(r, 303, resp);
}

/* A download: its own store connection, read as MHD asks for bytes. */
struct blob_dl {
	struct store *s;
	struct store_blob_r *br;
};

static ssize_t blob_read_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct blob_dl *d = cls;
	ssize_t n = store_blob_read(d->br, buf, max);

	(void)pos;
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n;
}

static void blob_free_cb(void *cls)
{
	struct blob_dl *d = cls;

	store_blob_close(d->br);
	store_close(d->s);
	free(d);
}

enum MHD_Result reply_blob(struct req *r, const char *sha, const char *ctype, const char *fname, bool inline_ok)
{
	char err[256];
	uint64_t size;
	struct blob_dl *d = calloc(1, sizeof *d);

	if (!d)
		return reply_error(r, 500, "out of memory");
	d->s = store_open(r->w->cfg.location, err, sizeof err);
	if (!d->s) {
		free(d);
		return reply_error(r, 503, "the store is not available");
	}
	int rc = store_blob_open(d->s, sha, &d->br, &size);
	if (rc <= 0) {
		web_log(r->w, "blob %s: %s", sha, rc ? store_error(d->s) : "absent");
		store_close(d->s);
		free(d);
		return reply_error(r, rc ? 500 : 404, rc ? "the file cannot be read" : "no such file");
	}
	struct MHD_Response *resp = MHD_create_response_from_callback(size, 65536, blob_read_cb, d, blob_free_cb);
	if (!resp) {
		blob_free_cb(d);
		return MHD_NO;
	}
	char disp[160];
	/* fname is a result name ([A-Za-z0-9._-]) or "run-ID.bin": no quoting needed */
	snprintf(disp, sizeof disp, "%s; filename=\"%s\"", inline_ok ? "inline" : "attachment", fname);
	MHD_add_response_header(resp, "Content-Type", inline_ok ? ctype : "application/octet-stream");
	MHD_add_response_header(resp, "Content-Disposition", disp);
	MHD_add_response_header(resp, "Cache-Control", "private, max-age=3600");
	return queue(r, 200, resp);
}

int web_client_enter(struct web *w, const char *ip)
{
	unsigned limit = w->cfg.uploads_per_client ? w->cfg.uploads_per_client : 4;
	int rc = -1;
	size_t free_slot = sizeof w->clients / sizeof *w->clients;

	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < sizeof w->clients / sizeof *w->clients; i++) {
		if (w->clients[i].n && !strcmp(w->clients[i].ip, ip)) {
			if (w->clients[i].n < limit) {
				w->clients[i].n++;
				rc = 0;
			}
			goto out;
		}
		if (!w->clients[i].n && free_slot == sizeof w->clients / sizeof *w->clients)
			free_slot = i;
	}
	if (free_slot < sizeof w->clients / sizeof *w->clients) {   /* else: too many uploading clients */
		snprintf(w->clients[free_slot].ip, sizeof w->clients[free_slot].ip, "%s", ip);
		w->clients[free_slot].n = 1;
		rc = 0;
	}
out:
	pthread_mutex_unlock(&w->mu);
	return rc;
}

void web_client_leave(struct web *w, const char *ip)
{
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < sizeof w->clients / sizeof *w->clients; i++)
		if (w->clients[i].n && !strcmp(w->clients[i].ip, ip)) {
			w->clients[i].n--;
			break;
		}
	pthread_mutex_unlock(&w->mu);
}

static void client_addr(struct req *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	snprintf(r->client, sizeof r->client, "?");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->client, sizeof r->client);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->client,
			  sizeof r->client);
}

/* The access check of a route: pages send the visitor to the login page,
 * the API answers 401 (no credentials) or 403 (a session without CSRF). */
static enum MHD_Result deny(struct req *r, const struct route *rt)
{
	if (!r->api && strcmp(r->method, "GET") == 0)
		return reply_redirect(r, "/login", NULL);
	if (!r->authed) {
		if (r->api || !r->w->auth)
			return reply_refuse(r, r->w->auth ? 401 : 403,
					   r->w->auth ? "a token is needed (Authorization: Bearer TOKEN)"
						      : "this server has no --token-file: writes are disabled");
		return reply_refuse(r, 401, "log in first");
	}
	(void)rt;
	return reply_refuse(r, 403, "forbidden");
}

/*
 * DNS rebinding: a web page the analyst opens elsewhere can point a name
 * of its own at 127.0.0.1 and read this server as its own origin; only
 * the Host header tells.  On a loopback listener the Host must name the
 * loopback (localhost, 127.x.x.x, [::1]) or a --allow-host name; on any
 * listener, once --allow-host names are given, the Host must be one of
 * them or an address literal.  A request without Host (HTTP/1.0 tools)
 * passes: browsers always send it.
 */
static bool host_name_ok(const struct web *w, const char *h, size_t n)
{
	for (unsigned i = 0; i < w->cfg.nallow_hosts; i++)
		if (strlen(w->cfg.allow_hosts[i]) == n && !strncasecmp(w->cfg.allow_hosts[i], h, n))
			return true;
	char lit[64];
	if (n >= sizeof lit)
		return false;
	memcpy(lit, h, n);
	lit[n] = '\0';
	struct in_addr a4;
	struct in6_addr a6;
	bool v4 = inet_pton(AF_INET, lit, &a4) == 1, v6 = inet_pton(AF_INET6, lit, &a6) == 1;
	if (!w->loopback)
		return v4 || v6 || !w->cfg.nallow_hosts;
	return !strcasecmp(lit, "localhost") || (v4 && (ntohl(a4.s_addr) >> 24) == 127) ||
	       (v6 && IN6_IS_ADDR_LOOPBACK(&a6));
}

static bool host_ok(const struct req *r)
{
	const char *h = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Host");
	if (!h)
		return true;
	size_t n = strlen(h);
	if (h[0] == '[') {   /* [v6]:port */
		const char *e = strchr(h, ']');
		return e && host_name_ok(r->w, h + 1, (size_t)(e - h - 1));
	}
	const char *colon = strchr(h, ':');
	return host_name_ok(r->w, h, colon ? (size_t)(colon - h) : n);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				 const char *version, const char *data, size_t *size, void **con_cls)
{
	struct web *w = cls;
	struct req *r = *con_cls;

	(void)version;
	if (!r) {
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		*con_cls = r;
		r->w = w;
		r->c = c;
		r->method = method;
		r->url = url;
		r->api = strncmp(url, "/api/", 5) == 0;
		client_addr(r);
		if (!host_ok(r)) {
			web_log(w, "%s: Host header of another name refused (%s)", r->client, url);
			return reply_refuse(r, 403, "this server does not answer to that host name (DNS rebinding "
					    "protection: serve --allow-host NAME)");
		}
		auth_check(r);
		if (r->blocked)
			return reply_refuse(r, 429, "too many refused tokens from this address: try again in a minute");
		bool method_ok;
		const struct route *rt = route_find(r, &method_ok);
		if (!rt)
			return method_ok ? reply_refuse(r, 404, "no such page") : reply_refuse(r, 405, "method not allowed");
		r->rt = rt;
		bool ok = rt->access == ACC_NONE || r->authed || (rt->access == ACC_READ && w->cfg.public_read);
		if (!ok)
			return deny(r, rt);
		if (rt->body)
			return upload_begin(r, rt);
		return rt->fn(r);
	}
	if (r->defer_status && !r->answered) {   /* refused at the headers: drop the body, then answer */
		if (*size) {
			r->dropped += *size;
			*size = 0;
			return r->dropped > DRAIN_MAX ? MHD_NO : MHD_YES;
		}
		return reply_error(r, r->defer_status, r->defer_msg);
	}
	if (r->answered) {   /* an error was sent before the body ended: drop the rest */
		*size = 0;
		return MHD_YES;
	}
	if (*size)
		return upload_data(r, data, size);
	return upload_end(r, r->rt);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)c;
	if (!r)
		return;
	upload_free(r, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	free(r);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct web *w = cls;
	char line[512];

	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	web_log(w, "http: %s", line);
}

/* "ADDR:PORT" or "[ADDR]:PORT" into a bound, listening socket. */
static int bind_listen(struct web *w, const char *spec, char *err, size_t errlen)
{
	char host[128];
	const char *port;
	const char *colon = strrchr(spec, ':');

	if (!colon || colon == spec || strlen(spec) >= sizeof host) {
		snprintf(err, errlen, "invalid --listen '%s': expected ADDR:PORT", spec);
		return -1;
	}
	size_t hl = (size_t)(colon - spec);
	if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
		memcpy(host, spec + 1, hl - 2);
		host[hl - 2] = '\0';
	} else {
		memcpy(host, spec, hl);
		host[hl] = '\0';
	}
	port = colon + 1;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *ai;
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "invalid --listen '%s': %s", spec, gai_strerror(rc));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 256)) {
		snprintf(err, errlen, "cannot listen on '%s': %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char a[64] = "?";
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		snprintf(w->addr, sizeof w->addr, "%s:%u", a, ntohs(s4->sin_port));
		w->loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		snprintf(w->addr, sizeof w->addr, "[%s]:%u", a, ntohs(s6->sin6_port));
		w->loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	}
	w->fd = fd;
	return 0;
}

static char *slurp(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *p = NULL;
	size_t n = 0;

	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	p = malloc(1 << 20);
	if (p)
		n = fread(p, 1, (1 << 20) - 1, f);
	if (!p || ferror(f) || n == (1 << 20) - 1) {
		snprintf(err, errlen, "cannot read '%s': %s", path, p ? "unreadable or over 1 MiB" : "out of memory");
		free(p);
		fclose(f);
		return NULL;
	}
	fclose(f);
	p[n] = '\0';
	return p;
}

static int load_model(struct web *w, char *err, size_t errlen)
{
	FILE *f = fopen(w->cfg.model, "r");
	char e[200];

	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", w->cfg.model, strerror(errno));
		return -1;
	}
	int rc = bh_model_load(&w->model, f, e, sizeof e);
	fclose(f);
	if (rc) {
		snprintf(err, errlen, "cannot read model '%s': %s", w->cfg.model, e);
		return -1;
	}
	w->have_model = true;
	return 0;
}

struct web *web_start(const struct web_cfg *cfg, char *err, size_t errlen)
{
	struct web *w = calloc(1, sizeof *w);

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->cfg = *cfg;
	w->fd = -1;
	w->max_upload = cfg->max_upload ? cfg->max_upload : (uint64_t)2 << 30;
	pthread_mutex_init(&w->mu, NULL);
	pthread_key_create(&w->store_key, store_key_free);
	if ((cfg->tls_cert != NULL) != (cfg->tls_key != NULL)) {
		snprintf(err, errlen, "--tls-cert and --tls-key go together");
		goto fail;
	}
	if (cfg->tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			snprintf(err, errlen, "this libmicrohttpd has no TLS support");
			goto fail;
		}
		if (!(w->cert_pem = slurp(cfg->tls_cert, err, errlen)) || !(w->key_pem = slurp(cfg->tls_key, err, errlen)))
			goto fail;
		w->tls = true;
	}
	if (cfg->token_file && !(w->auth = auth_load(cfg->token_file, err, errlen)))
		goto fail;
	if (cfg->model && load_model(w, err, errlen))
		goto fail;
	/* a probe: the store must open before we say we serve */
	struct store *s = store_open(cfg->location, err, errlen);
	if (!s)
		goto fail;
	store_close(s);
	if (bind_listen(w, cfg->listen ? cfg->listen : "127.0.0.1:8080", err, errlen))
		goto fail;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (w->tls)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_LISTEN_SOCKET, w->fd, NULL },
		{ MHD_OPTION_THREAD_POOL_SIZE, cfg->threads ? cfg->threads : 4, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, cfg->max_conns ? cfg->max_conns : 1000, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s ? cfg->timeout_s : 30, NULL },
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, w },
		{ w->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, w->cert_pem },
		{ w->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, w->key_pem },
		{ MHD_OPTION_END, 0, NULL },
	};
	w->d = MHD_start_daemon(flags, 0, NULL, NULL, on_access, w, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, w,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!w->d) {
		snprintf(err, errlen, "cannot start the HTTP server on %s%s", w->addr,
			 w->tls ? " (check the certificate and key)" : "");
		goto fail;
	}
	return w;
fail:
	if (w->fd >= 0)
		close(w->fd);
	web_stop(w);
	return NULL;
}

const char *web_address(const struct web *w)
{
	return w->addr;
}

void web_stop(struct web *w)
{
	if (!w)
		return;
	if (w->d)
		MHD_stop_daemon(w->d);   /* closes the listening socket */
	auth_free(w->auth);
	if (w->have_model)
		bh_model_free(&w->model);
	free(w->cert_pem);
	if (w->key_pem) {
		explicit_bzero(w->key_pem, strlen(w->key_pem));
		free(w->key_pem);
	}
	pthread_key_delete(w->store_key);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
