/*
 * inputs.c - operands to captures, and the per-capture pass shared by
 * the capture commands: expand directories, open each file as its own
 * run, show progress, report errors, fold statuses into an exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/inputs.h"
#include "util/walk.h"
#include "util/hash.h"

struct strvec {
	char **v;
	size_t n, cap;
};

static int vec_push(struct strvec *s, char *str)
{
	if (!grow_to((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v, 16))
		return -1;
	s->v[s->n++] = str;
	return 0;
}

/* True when the file starts like a capture (pcap, pcapng, or gzip). */
static bool looks_like_capture(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	unsigned char m[4];
	ssize_t n = read(fd, m, 4);
	close(fd);
	if (n < 2)
		return false;
	return (m[0] == 0x1f && m[1] == 0x8b) || cap_magic(m, (size_t)n);
}

struct expand {
	struct strvec *out;
	int rc;
};

/* util/walk.c's events: captures kept, notes as warnings, unreadable entries as errors. */
static bool on_walk(void *ctx, enum walk_kind k, const char *path, const char *msg)
{
	struct expand *x = ctx;
	char *p = NULL;
	switch (k) {
	case WALK_FILE:
		if (looks_like_capture(path) && (!(p = strdup(path)) || vec_push(x->out, p))) {
			free(p);
			x->rc = EXIT_INTERNAL;
			return false;
		}
		return true;
	case WALK_NOTE:
		cli_error("warning: '%s': %s", path, msg);
		return true;
	case WALK_ERROR:
		cli_error("cannot open '%s': %s", path, msg);
		x->rc = EXIT_INPUT;
		return true;
	}
	return true;
}

int inputs_expand(char **ops, int nops, char ***files, size_t *nfiles)
{
	struct strvec out = { 0 };
	int rc = EXIT_OK;
	*files = NULL;
	*nfiles = 0;
	if (nops == 0) {
		cli_error("no capture given");
		cli_hint("give a FILE, a directory or - for standard input; see -h");
		return EXIT_USAGE;
	}
	for (int i = 0; i < nops; i++) {
		struct stat st;
		if (strcmp(ops[i], "-") && stat(ops[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			size_t before = out.n;
			struct expand x = { &out, EXIT_OK };
			int e = walk_dir(ops[i], on_walk, &x);
			if (x.rc)
				rc = x.rc;
			if (e > 0) {
				cli_error("cannot open '%s': %s", ops[i], strerror(e));
				rc = EXIT_INPUT;
			} else if (out.n == before) {
				cli_error("no captures in '%s'", ops[i]);
				rc = EXIT_INPUT;
			}
			continue;
		}
		vec_push(&out, strdup(ops[i]));
	}
	*files = out.v;
	*nfiles = out.n;
	return rc;
}

void inputs_free(char **files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

static void progress(void *ctx, const struct run *r)
{
	uint64_t size = cap_file_size(r->cap), done = cap_bytes_read(r->cap);
	if (size)
		fprintf(stderr, "\rbotlens: %s: %3.0f%% %" PRIu64 " packets", r->path,
			100.0 * (double)done / (double)size, r->records);
	else
		fprintf(stderr, "\rbotlens: %s: %" PRIu64 " MB %" PRIu64 " packets", r->path,
			done >> 20, r->records);
}

void inputs_run_opts(const struct cli_common *c, struct run_opts *o)
{
	memset(o, 0, sizeof *o);
	o->reader = c->reader ? CAP_READER_LIBPCAP : CAP_READER_NATIVE;
	o->filter = c->filter;
	o->threads = c->threads;
	o->count = c->count;
	flow_cfg_default(&o->flow);
	o->flow.tcp_timeout_ns = (int64_t)(c->tcp_timeout * 1e9);
	o->flow.udp_timeout_ns = (int64_t)(c->udp_timeout * 1e9);
	o->flow.icmp_timeout_ns = (int64_t)(c->icmp_timeout * 1e9);
	o->flow.close_delay_ns = (int64_t)(c->close_delay * 1e9);
	if (cli_progress_ok(c->quiet))
		o->progress = progress;
}

/* Maps a run's final status to an exit code, printing its error. */
static int status_exit(int st, const char *err)
{
	switch (st) {
	case CAP_EOF: return EXIT_OK;
	case CAP_EDAMAGED: cli_error("%s", err); return EXIT_DAMAGED;
	case RUN_EFILTER: cli_error("%s", err); return EXIT_USAGE;
	case CAP_ENOMEM: cli_error("%s", err); return EXIT_INTERNAL;
	default: cli_error("%s", err); return EXIT_INPUT;
	}
}

static int worst(int a, int b)
{
	/* Usage and input errors outrank damage; any error outranks success. */
	static const int rank[] = { 0, 1, 4, 3, 2, 5 };
	return rank[b] > rank[a] ? b : a;
}

/* 1980-01-01: no sandbox ran before it; earlier times are an unset clock counting from boot. */
#define CLOCK_UNSET_BEFORE_NS (315532800LL * 1000000000LL)

void inputs_warn_clock(const struct cli_common *c, const struct run *r)
{
	char ts[48];
	/* a damaged or undecodable capture gets its one error line, not two */
	if (c->quiet || !r->have_time || r->first_ns >= CLOCK_UNSET_BEFORE_NS || r->status != CAP_EOF ||
	    r->dec.anomalies[ANOM_LINK_UNSUPPORTED])
		return;
	time_iso8601(r->first_ns, ts, sizeof ts);
	fprintf(stderr, "botlens: warning: '%s': the capture's clock was not set (first packet %s): "
			"absolute times are wrong, relative ones hold\n", r->path, ts);
}

int inputs_host_absent(const struct run *r, const char *host)
{
	char list[400] = "", a[64];
	uint64_t n = 0;
	struct host **hs = r->hosts ? hosttab_list(r->hosts, &n) : NULL;
	const struct host *sb[4];
	unsigned nsb = r->hosts ? hosttab_sandbox(r->hosts, sb, 4) : 0, shown = 0;
	for (unsigned i = 0; i < nsb && shown < 6; i++, shown++) {   /* the sandbox hosts first */
		decode_addr_str(sb[i]->family, sb[i]->addr, a, sizeof a);
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", shown ? ", " : "", a);
	}
	for (uint64_t i = 0; hs && i < n && shown < 6; i++) {
		bool dup = false;
		for (unsigned k = 0; k < nsb; k++)
			dup |= sb[k] == hs[i];
		if (dup)
			continue;
		decode_addr_str(hs[i]->family, hs[i]->addr, a, sizeof a);
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", shown++ ? ", " : "", a);
	}
	free(hs);
	cli_error("'%s': host %s does not appear in the capture", r->path, host);
	if (shown)
		cli_hint("it has %s%s (botlens hosts '%s' lists them)", list, n > shown ? ", ..." : "", r->path);
	return EXIT_USAGE;
}

int inputs_run(const struct cli_common *c, struct inputs_job *job)
{
	char **files;
	size_t n;
	int ex = inputs_expand(c->files, c->nfiles, &files, &n);
	if (ex == EXIT_USAGE)
		return ex;
	if (c->filter) {
		char err[512];
		if (!run_filter_check(c->filter, err, sizeof err)) {
			cli_error("invalid filter '%s': %s", c->filter, err);
			if (c->filter_words)
				cli_hint("with -r, the operands from the first one that is not a file on are the filter, as tcpdump's expression");
			inputs_free(files, n);
			return EXIT_USAGE;
		}
	}
	struct run_opts ro;
	if (c->host) {
		uint8_t fam, a[16];
		if (!decode_addr_parse(c->host, &fam, a)) {
			cli_error("invalid address '%s'", c->host);
			inputs_free(files, n);
			return EXIT_USAGE;
		}
	}
	inputs_run_opts(c, &ro);
	ro.track_flows = job->track_flows;
	ro.track_hosts = job->track_hosts;
	ro.hosts_light = job->hosts_light;
	job->several = n > 1;
	if (job->begin)
		job->begin(job->ctx, n);
	for (size_t i = 0; i < n; i++) {
		struct run r;
		char err[CAP_ERRLEN];
		int rc = run_open(&r, files[i], &ro, err, sizeof err);
		if (rc < 0) {
			ex = worst(ex, status_exit(rc, err));
			run_close(&r);
			continue;
		}
		struct run_sub subs[8];
		unsigned ns = job->setup ? job->setup(job->ctx, &r, subs) : 0;
		int st = run_loop(&r, subs, ns);
		if (ro.progress)
			fputs("\r\033[K", stderr);
		if (job->finish)
			job->finish(job->ctx, &r);
		ex = worst(ex, status_exit(st, r.err));
		if (st == CAP_EOF && r.dec.anomalies[ANOM_LINK_UNSUPPORTED]) {
			cli_error("'%s': unsupported link type: %" PRIu64 " packets not decoded", r.path,
				  r.dec.anomalies[ANOM_LINK_UNSUPPORTED]);
			ex = worst(ex, EXIT_DAMAGED);
		}
		run_close(&r);
	}
	inputs_free(files, n);
	return ex;
}
