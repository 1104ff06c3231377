/*
 * cmd_serve.c - `botlens serve`: the web interface (src/web/) over a store
 * (src/store/), with a pool of analysis workers in the same process.
 *
 * Order at start: the store (re-queueing the jobs a killed predecessor
 * left running, when this process owns the store: SQLite), the HTTP
 * server, then the workers; the bound address is printed (and written to
 * --port-file) once requests can be served.  SIGINT or SIGTERM stops the
 * server (no new requests; the daemon's threads finish), then the workers
 * (jobs still running go back to the queue through their leases or the
 * next start's recovery).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/store.h"
#include "store/worker.h"
#include "web/web.h"

enum { SO_DATA = 300, SO_DB, SO_LISTEN, SO_PORTFILE, SO_MODEL, SO_WORKERS, SO_TOKENS, SO_PUBLIC, SO_MAXUP,
	SO_CERT, SO_KEY, SO_TIMEOUT, SO_PERCLIENT, SO_THREADS, SO_JOBTIME, SO_QUIET, SO_ALLOWHOST };

#define SERVE_ALLOW_HOSTS 16

static const struct cli_opt serve_opts[] = {
	{ "data", 'd', "DIR", "data directory of the SQLite store (default ./botlens-data)", SO_DATA },
	{ "db", 0, "LOCATION", "the store: a data directory or postgresql://... (default: --data)", SO_DB },
	{ "listen", 'l', "ADDR:PORT", "where to listen (default 127.0.0.1:8080; port 0: any free port)", SO_LISTEN },
	{ "port-file", 0, "FILE", "write the bound ADDR:PORT to FILE once serving", SO_PORTFILE },
	{ "model", 'm', "MODEL", "behavior model (botlens learn) for classify and the families page", SO_MODEL },
	{ "workers", 'w', "N", "analysis workers in this process (default 2; 0: front end only)", SO_WORKERS },
	{ "token-file", 't', "FILE", "write tokens, 'NAME SHA256' lines (default DATA/tokens when it exists)", SO_TOKENS },
	{ "public-read", 0, NULL, "pages and GET API without a token", SO_PUBLIC },
	{ "allow-host", 0, "NAME", "a host name browsers may reach the server by (repeatable; loopback names and address literals need none)", SO_ALLOWHOST },
	{ "max-upload", 0, "BYTES", "largest upload (default 2147483648; suffixes k, M, G)", SO_MAXUP },
	{ "tls-cert", 0, "FILE", "serve HTTPS with this PEM certificate (with --tls-key)", SO_CERT },
	{ "tls-key", 0, "FILE", "the certificate's PEM private key", SO_KEY },
	{ "timeout", 0, "SEC", "close a connection idle this long (default 30)", SO_TIMEOUT },
	{ "uploads-per-client", 0, "N", "concurrent uploads from one address (default 4)", SO_PERCLIENT },
	{ "threads", 0, "N", "HTTP threads (default 4)", SO_THREADS },
	{ "job-time", 0, "SEC", "time limit of one analysis (default 600)", SO_JOBTIME },
	{ "quiet", 'q', NULL, "no log lines on standard error", SO_QUIET },
	{ 0 },
};

struct serve_ctx {
	const char *data, *db, *listen, *port_file, *model, *tokens, *cert, *key;
	double workers, timeout, per_client, threads, job_time;
	uint64_t max_upload;
	bool public_read, quiet;
	const char *allow_hosts[SERVE_ALLOW_HOSTS];
	unsigned nallow_hosts;
};

static bool size_arg(const char *arg, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	uint64_t mul = 1;
	if (errno || end == arg || arg[0] == '-')
		return false;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'M')
		mul = 1024 * 1024, end++;
	else if (*end == 'G')
		mul = 1024 * 1024 * 1024, end++;
	if (*end || v == 0 || v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

static int serve_opt(void *ctx, int id, const char *arg)
{
	struct serve_ctx *x = ctx;

	switch (id) {
	case SO_DATA: x->data = arg; return 0;
	case SO_DB: x->db = arg; return 0;
	case SO_LISTEN: x->listen = arg; return 0;
	case SO_PORTFILE: x->port_file = arg; return 0;
	case SO_MODEL: x->model = arg; return 0;
	case SO_TOKENS: x->tokens = arg; return 0;
	case SO_PUBLIC: x->public_read = true; return 0;
	case SO_CERT: x->cert = arg; return 0;
	case SO_KEY: x->key = arg; return 0;
	case SO_QUIET: x->quiet = true; return 0;
	case SO_ALLOWHOST:
		if (x->nallow_hosts == SERVE_ALLOW_HOSTS || !arg[0] || strlen(arg) > 253 || strpbrk(arg, ":/ []"))
			return cli_bad_value("allow-host", arg, "a host name without port, at most 16 of them");
		x->allow_hosts[x->nallow_hosts++] = arg;
		return 0;
	case SO_MAXUP:
		return size_arg(arg, &x->max_upload) ? 0 : cli_bad_value("max-upload", arg, "a byte count, e.g. 2G");
	case SO_WORKERS:
		return cli_num(arg, 0, 256, &x->workers) && x->workers == (int)x->workers ? 0
			: cli_bad_value("workers", arg, "a whole number 0-256");
	case SO_TIMEOUT:
		return cli_num(arg, 1, 86400, &x->timeout) ? 0 : cli_bad_value("timeout", arg, "seconds, 1-86400");
	case SO_PERCLIENT:
		return cli_num(arg, 1, 1000, &x->per_client) ? 0 : cli_bad_value("uploads-per-client", arg, "1-1000");
	case SO_THREADS:
		return cli_num(arg, 1, 64, &x->threads) ? 0 : cli_bad_value("threads", arg, "1-64");
	case SO_JOBTIME:
		return cli_num(arg, 1, 86400, &x->job_time) ? 0 : cli_bad_value("job-time", arg, "seconds, 1-86400");
	}
	return EXIT_INTERNAL;
}

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static void log_line(void *ctx, const char *line)
{
	struct tm tm;
	time_t now = time(NULL);
	char ts[32];

	(void)ctx;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	pthread_mutex_lock(&log_mu);
	fprintf(stderr, "%s %s\n", ts, line);
	pthread_mutex_unlock(&log_mu);
}

/* The bound address into file, whole or not at all (temporary, rename). */
static int write_port_file(const char *path, const char *addr)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%s\n", addr) < 0 || fclose(f) || rename(tmp, path)) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Opens the store once: creates it, reports a schema problem before the
 * server starts, and re-queues a dead predecessor's running jobs when this
 * process is the store's only user (SQLite). */
static int prepare_store(const char *loc, bool quiet)
{
	char err[512];
	struct store *s = store_open(loc, err, sizeof err);

	if (!s) {
		cli_error("%s", err);
		if (strstr(err, "migrate"))
			cli_hint("run 'botlens db migrate --db %s'", loc);
		return EXIT_INPUT;
	}
	if (!strcmp(store_backend(s), "sqlite")) {
		int n = store_job_recover(s);
		if (n < 0) {
			cli_error("cannot recover the jobs of '%s': %s", loc, store_error(s));
			store_close(s);
			return EXIT_INTERNAL;
		}
		if (n > 0 && !quiet)
			fprintf(stderr, "botlens: %d interrupted job%s queued again\n", n, n == 1 ? "" : "s");
	}
	store_close(s);
	return 0;
}

/* SIGINT and SIGTERM are turned into a byte on a pipe that the main thread
 * waits on.  (Blocking them for sigwait would hand the blocked mask to every
 * thread and, through exec, to every analysis child.) */
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sig_seen;

static void on_stop_signal(int sig)
{
	int e = errno;
	sig_seen = sig;
	if (write(sig_pipe[1], "x", 1) < 0) {
		/* the pipe is full: a byte is already waiting */
	}
	errno = e;
}

static int wait_stop_signal(void)
{
	char c;
	while (read(sig_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return sig_seen;
}

static int serve_run(struct serve_ctx *x, const char *loc, const char *tokens)
{
	static volatile sig_atomic_t stop;
	char err[512];
	struct sigaction sa = { .sa_handler = on_stop_signal };

	if (pipe2(sig_pipe, O_CLOEXEC)) {
		cli_error("cannot create a pipe: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct web_cfg wc = {
		.location = loc, .listen = x->listen ? x->listen : "127.0.0.1:8080", .token_file = tokens,
		.public_read = x->public_read, .max_upload = x->max_upload, .uploads_per_client = (unsigned)x->per_client,
		.timeout_s = (unsigned)x->timeout, .threads = (unsigned)x->threads, .tls_cert = x->cert,
		.tls_key = x->key, .model = x->model, .log = x->quiet ? NULL : log_line,
		.allow_hosts = x->allow_hosts, .nallow_hosts = x->nallow_hosts,
	};
	struct web *w = web_start(&wc, err, sizeof err);
	if (!w) {
		cli_error("%s", err);
		return EXIT_INPUT;
	}
	struct workers *wk = NULL;
	if (x->workers > 0) {
		struct worker_cfg kc = { .location = loc, .model = x->model, .jobs = (unsigned)x->workers,
					 .time_limit_s = (unsigned)x->job_time, .stop = &stop,
					 .log = x->quiet ? NULL : log_line };
		if (!(wk = workers_start(&kc, err, sizeof err))) {
			cli_error("cannot start the workers: %s", err);
			web_stop(w);
			return EXIT_INTERNAL;
		}
	}
	if (x->port_file && write_port_file(x->port_file, web_address(w))) {
		workers_stop(wk);
		web_stop(w);
		return EXIT_OUTPUT;
	}
	fprintf(stderr, "botlens: serving %s://%s/ (store %s, %d worker%s%s)\n", x->cert ? "https" : "http",
		web_address(w), loc, (int)x->workers, x->workers == 1 ? "" : "s",
		tokens ? "" : "; no --token-file: read-only");
	int sig = wait_stop_signal();
	if (!x->quiet)
		fprintf(stderr, "botlens: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	web_stop(w);
	stop = 1;
	workers_stop(wk);
	if (x->port_file)
		unlink(x->port_file);
	return EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_ctx x = { .data = "botlens-data", .workers = 2 };
	int rc = cli_parse(argc, argv, "serve", "[options]", serve_opts, serve_opt, &x, NULL,
			   "  botlens token add alice --token-file botlens-data/tokens\n"
			   "  botlens serve --data botlens-data --model model.txt\n"
			   "  botlens serve --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem\n"
			   "  botlens serve --db postgresql://botlens@db/botlens --workers 0\n");
	if (rc || (rc = cli_no_operands(argc, argv, "serve")))
		return rc;
	if ((x.cert != NULL) != (x.key != NULL)) {
		cli_error("--tls-cert and --tls-key go together");
		return EXIT_USAGE;
	}
	const char *loc = x.db ? x.db : x.data;
	char deftok[4096];
	const char *tokens = x.tokens;
	if (!tokens && !x.db) {
		snprintf(deftok, sizeof deftok, "%s/tokens", x.data);
		if (access(deftok, F_OK) == 0)
			tokens = deftok;
	}
	if ((rc = prepare_store(loc, x.quiet)))
		return rc;
	return serve_run(&x, loc, tokens);
}
