/*
 * auth.c - who may do what.  Tokens: `--token-file F`, lines
 * "NAME SHA256HEX" (the SHA-256 of the token, never the token; '#'
 * comments), re-read when the file changes so `botlens token add` works
 * on a running server.  API clients send `Authorization: Bearer TOKEN`.
 * Browsers exchange a token for a session on the login page: a random
 * cookie (HttpOnly, SameSite=Strict, Secure under TLS, 12 hours) and a
 * per-session CSRF token that every form carries.  Sessions live in
 * memory: a restart logs everyone out, by design.
 *
 * Comparisons of secrets are constant-time; tokens are compared by their
 * hashes, so the file is no more secret than /etc/shadow's hashes.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "web/web-int.h"

#define AUTH_TOKENS 256
#define AUTH_SESSIONS 512
#define SESSION_LIFE (12 * 3600)
/* Guessing: AUTH_FAIL_MAX refused tokens from one address within
 * AUTH_FAIL_WINDOW seconds block its further tries for AUTH_BLOCK seconds
 * (answered 429 without checking the token, so a blocked guesser learns
 * nothing).  Tokens are 256 random bits; this keeps logs and CPU quiet
 * and a stolen-but-mistyped list of tokens from being tried wholesale. */
#define AUTH_FAIL_MAX 10
#define AUTH_FAIL_WINDOW 600
#define AUTH_BLOCK 60
#define AUTH_FAIL_SLOTS 64

struct session {
	char id[65], csrf[65], user[64];
	time_t expires;
};

struct auth {
	pthread_mutex_t mu;
	char *path;
	struct timespec mtime;
	off_t fsize;
	struct tok { char name[64]; unsigned char hash[32]; } tok[AUTH_TOKENS];
	size_t ntok;
	struct session ses[AUTH_SESSIONS];
	struct fail { char ip[48]; unsigned n; time_t first, until; } fail[AUTH_FAIL_SLOTS];
};

static void sha256(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 32;
	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int from_hex(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char c = s[2 * i + k];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
							   : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (d < 0)
				return -1;
			v = v << 4 | d;
		}
		out[i] = (unsigned char)v;
	}
	return s[2 * n] == '\0' || s[2 * n] == '\n' || s[2 * n] == ' ' ? 0 : -1;
}

static int random_hex(char out[65])
{
	unsigned char b[32];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t n = getrandom(b + got, sizeof b - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	to_hex(b, sizeof b, out);
	OPENSSL_cleanse(b, sizeof b);
	return 0;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.' || *s == '@' || *s == '-'))
			return false;
	return true;
}

/* (Re)reads the token file; the caller holds a->mu. */
static int auth_read(struct auth *a, char *err, size_t errlen)
{
	FILE *f = fopen(a->path, "r");
	char line[512];
	unsigned lineno = 0;
	struct stat st;

	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", a->path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0) {
		a->mtime = st.st_mtim;
		a->fsize = st.st_size;
	}
	a->ntok = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		char *sp = strchr(p, ' ');
		if (!sp || a->ntok == AUTH_TOKENS)
			goto bad;
		*sp = '\0';
		if (!name_ok(p) || from_hex(sp + 1, a->tok[a->ntok].hash, 32))
			goto bad;
		snprintf(a->tok[a->ntok].name, sizeof a->tok[a->ntok].name, "%s", p);
		a->ntok++;
		continue;
bad:
		snprintf(err, errlen, "'%s' line %u: expected 'NAME SHA256HEX'%s", a->path, lineno,
			 a->ntok == AUTH_TOKENS ? " (at most 256 tokens)" : "");
		fclose(f);
		a->ntok = 0;
		return -1;
	}
	fclose(f);
	return 0;
}

struct auth *auth_load(const char *token_file, char *err, size_t errlen)
{
	struct auth *a = calloc(1, sizeof *a);

	if (!a || !(a->path = strdup(token_file))) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->mu, NULL);
	if (auth_read(a, err, errlen)) {
		auth_free(a);
		return NULL;
	}
	return a;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->mu);
	free(a->path);
	OPENSSL_cleanse(a, sizeof *a);
	free(a);
}

/* Re-reads the file when it changed; a file that became unreadable keeps
 * the tokens read before (logged by nobody: the next start reports it). */
static void auth_refresh(struct auth *a)
{
	struct stat st;
	char err[256];

	if (stat(a->path, &st) == 0 && (st.st_mtim.tv_sec != a->mtime.tv_sec ||
					st.st_mtim.tv_nsec != a->mtime.tv_nsec || st.st_size != a->fsize)) {
		struct tok save[AUTH_TOKENS];
		size_t n = a->ntok;
		memcpy(save, a->tok, sizeof save);
		if (auth_read(a, err, sizeof err)) {
			memcpy(a->tok, save, sizeof save);
			a->ntok = n;
		}
	}
}

bool auth_token_ok(struct auth *a, const char *token, char *user, size_t len)
{
	unsigned char h[32];
	bool ok = false;

	if (!a || !token || !*token || strlen(token) > 256)
		return false;
	sha256(token, strlen(token), h);
	pthread_mutex_lock(&a->mu);
	auth_refresh(a);
	for (size_t i = 0; i < a->ntok; i++)
		if (CRYPTO_memcmp(h, a->tok[i].hash, 32) == 0) {
			snprintf(user, len, "%s", a->tok[i].name);
			ok = true;
		}
	pthread_mutex_unlock(&a->mu);
	return ok;
}

/* The slot of ip, or a free or the stalest one taken for it (a->mu held). */
static struct fail *fail_slot(struct auth *a, const char *ip, time_t now)
{
	struct fail *old = &a->fail[0];
	for (size_t i = 0; i < AUTH_FAIL_SLOTS; i++) {
		struct fail *f = &a->fail[i];
		if (!strcmp(f->ip, ip))
			return f;
		if (f->first < old->first && f->until <= now)
			old = f;
	}
	memset(old, 0, sizeof *old);
	snprintf(old->ip, sizeof old->ip, "%s", ip);
	return old;
}

bool auth_blocked(struct auth *a, const char *ip)
{
	time_t now = time(NULL);
	bool blocked = false;

	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < AUTH_FAIL_SLOTS; i++)
		if (!strcmp(a->fail[i].ip, ip) && a->fail[i].until > now)
			blocked = true;
	pthread_mutex_unlock(&a->mu);
	return blocked;
}

void auth_failed(struct auth *a, const char *ip)
{
	time_t now = time(NULL);

	pthread_mutex_lock(&a->mu);
	struct fail *f = fail_slot(a, ip, now);
	if (now - f->first > AUTH_FAIL_WINDOW) {
		f->first = now;
		f->n = 0;
	}
	if (++f->n >= AUTH_FAIL_MAX) {
		f->until = now + AUTH_BLOCK;
		f->n = 0;
		f->first = now;
	}
	pthread_mutex_unlock(&a->mu);
}

int auth_session_new(struct auth *a, const char *user, char id[65])
{
	time_t now = time(NULL);
	size_t slot = 0;

	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < AUTH_SESSIONS; i++) {   /* a free or expired slot, else the oldest */
		if (a->ses[i].expires <= now) {
			slot = i;
			break;
		}
		if (a->ses[i].expires < a->ses[slot].expires)
			slot = i;
	}
	struct session *s = &a->ses[slot];
	int rc = random_hex(s->id) || random_hex(s->csrf) ? -1 : 0;
	if (rc == 0) {
		snprintf(s->user, sizeof s->user, "%s", user);
		s->expires = now + SESSION_LIFE;
		memcpy(id, s->id, 65);
	} else {
		s->expires = 0;
	}
	pthread_mutex_unlock(&a->mu);
	return rc;
}

void auth_session_end(struct auth *a, const char *id)
{
	if (!a || !id || strlen(id) != 64)
		return;
	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < AUTH_SESSIONS; i++)
		if (a->ses[i].expires && CRYPTO_memcmp(a->ses[i].id, id, 64) == 0)
			OPENSSL_cleanse(&a->ses[i], sizeof a->ses[i]);
	pthread_mutex_unlock(&a->mu);
}

static bool session_find(struct auth *a, const char *id, struct req *r)
{
	time_t now = time(NULL);
	bool ok = false;

	if (strlen(id) != 64)
		return false;
	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < AUTH_SESSIONS; i++)
		if (a->ses[i].expires > now && CRYPTO_memcmp(a->ses[i].id, id, 64) == 0) {
			snprintf(r->user, sizeof r->user, "%s", a->ses[i].user);
			memcpy(r->csrf, a->ses[i].csrf, 65);
			ok = true;
		}
	pthread_mutex_unlock(&a->mu);
	return ok;
}

void auth_check(struct req *r)
{
	struct auth *a = r->w->auth;
	const char *h, *cookie;

	if (!a)
		return;
	h = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Authorization");
	if (h && strncasecmp(h, "Bearer ", 7) == 0) {
		if (auth_blocked(a, r->client)) {
			r->blocked = true;
			return;
		}
		r->authed = auth_token_ok(a, h + 7, r->user, sizeof r->user);
		if (!r->authed)
			auth_failed(a, r->client);
		return;   /* a wrong token is not rescued by a cookie */
	}
	cookie = MHD_lookup_connection_value(r->c, MHD_COOKIE_KIND, "bl_session");
	if (cookie && session_find(a, cookie, r)) {
		r->authed = true;
		r->session = true;
	}
}

bool auth_csrf_ok(const struct req *r, const char *token)
{
	return r->csrf[0] && token && strlen(token) == 64 && CRYPTO_memcmp(r->csrf, token, 64) == 0;
}

int web_token_add(const char *file, const char *name, char token[65], char *err, size_t errlen)
{
	unsigned char h[32];
	char line[160], hex[65];

	if (!name_ok(name)) {
		snprintf(err, errlen, "invalid token name '%.80s': 1-63 of A-Z a-z 0-9 _ . @ -", name);
		return -1;
	}
	if (random_hex(token)) {
		snprintf(err, errlen, "cannot get random bytes: %s", strerror(errno));
		return -1;
	}
	sha256(token, 64, h);
	to_hex(h, 32, hex);
	int n = snprintf(line, sizeof line, "%s %s\n", name, hex);
	int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, (size_t)n) != n || fsync(fd)) {
		snprintf(err, errlen, "cannot write '%s': %s", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (close(fd)) {
		snprintf(err, errlen, "cannot write '%s': %s", file, strerror(errno));
		return -1;
	}
	return 0;
}
