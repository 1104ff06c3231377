/*
 * web.h - `botlens serve`'s HTTP front end (libmicrohttpd): pages, the
 * JSON API, uploads, tokens and sessions.  It reaches the data only
 * through src/store/store.h, so either store backend serves.
 *
 * Threads: web_start() returns once the socket is bound and the daemon's
 * threads run; every daemon thread opens its own store connection on
 * first use (store.h: one connection per thread).
 */
#ifndef BOTLENS_WEB_H
#define BOTLENS_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct web_cfg {
	const char *location;       /* the store (store_open) */
	const char *listen;         /* "ADDR:PORT", "[v6]:PORT"; port 0 = any free port */
	const char *token_file;     /* NULL: no writes possible (every write 403) */
	bool public_read;           /* pages and GET API without a token or session */
	uint64_t max_upload;        /* bytes; 0 = 2 GiB */
	unsigned uploads_per_client;/* concurrent uploads per client address; 0 = 4 */
	unsigned timeout_s;         /* idle connection timeout; 0 = 30 */
	unsigned threads;           /* daemon threads; 0 = 4 */
	unsigned max_conns;         /* 0 = 1000 */
	const char *tls_cert, *tls_key;  /* PEM files; both or neither */
	const char *model;          /* behavior model for the families page, NULL none */
	const char *const *allow_hosts; /* host names the Host header may carry besides the
				     * listener's own (DNS rebinding: web/server.c host_ok) */
	unsigned nallow_hosts;
	void (*log)(void *ctx, const char *line);  /* NULL = silent */
	void *log_ctx;
};

struct web;
/* Binds, loads tokens, certificate and model, starts the daemon.  NULL on
 * error with the message in err. */
struct web *web_start(const struct web_cfg *cfg, char *err, size_t errlen);
/* The bound address as "ADDR:PORT" (the real port when 0 was asked). */
const char *web_address(const struct web *w);
/* Stops accepting, finishes the daemon's threads, frees everything. */
void web_stop(struct web *w);

/* A new random token for NAME: 32 random bytes in hex into token (65
 * bytes), its SHA-256 appended to file as "NAME SHA256HEX" (created 0600,
 * fsync'd).  NAME: 1-63 of [A-Za-z0-9_.@-].  0, or -1 with err. */
int web_token_add(const char *file, const char *name, char token[65], char *err, size_t errlen);

#endif
