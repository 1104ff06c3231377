/*
 * worker_child.c - a job's analysis in a child process: `botlens job ...`
 * under setrlimit (RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE), in its own
 * process group, stdin and stdout on /dev/null, stderr in DIR/stderr; a
 * wall-clock limit kills the group.  The worker thread waits on a pidfd
 * (poll) so it wakes for the child's exit, the next lease renewal, the
 * deadline and, every half second, the stop flag.
 *
 * Between fork() and exec only async-signal-safe calls run (the worker is
 * threaded): everything the child needs is prepared before the fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/worker-int.h"

#define WK_EXIT_INPUT 3         /* cli.h EXIT_INPUT: what `botlens job` exits with for a bad input */

static const struct { int sig; const char *name; } signames[] = {
	{ SIGSEGV, "SIGSEGV" }, { SIGABRT, "SIGABRT" }, { SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" },
	{ SIGILL, "SIGILL" }, { SIGKILL, "SIGKILL" }, { SIGTERM, "SIGTERM" }, { SIGXCPU, "SIGXCPU" },
	{ SIGXFSZ, "SIGXFSZ" }, { SIGPIPE, "SIGPIPE" }, { SIGINT, "SIGINT" }, { SIGTRAP, "SIGTRAP" },
};

static const char *sig_name(int sig)
{
	for (size_t i = 0; i < sizeof signames / sizeof *signames; i++)
		if (signames[i].sig == sig)
			return signames[i].name;
	return "a signal";
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The last line(s) of DIR/stderr, newlines as "; ", at most ~400 bytes. */
static void stderr_tail(const char *dir, char *out, size_t len)
{
	char path[PATH_MAX + 16], buf[401];
	ssize_t n = 0;
	int fd;

	out[0] = '\0';
	snprintf(path, sizeof path, "%s/stderr", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	off_t end = lseek(fd, 0, SEEK_END);
	if (end > 400)
		lseek(fd, end - 400, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, 400);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	size_t o = 0;
	for (ssize_t i = 0; i < n && o + 3 < len; i++) {
		if (buf[i] == '\n') {
			out[o++] = ';', out[o++] = ' ';
		} else {
			out[o++] = (unsigned char)buf[i] < 0x20 ? ' ' : buf[i];
		}
	}
	out[o] = '\0';
}

/* AddressSanitizer and ThreadSanitizer reserve terabytes of address
 * space at start: a sanitized build (its child is the same binary)
 * cannot run under RLIMIT_AS, so there the memory limit is left off. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define WK_SANITIZED 1
#endif
#endif
#ifndef WK_SANITIZED
#define WK_SANITIZED 0
#endif

/* The child: limits, descriptors, exec.  Async-signal-safe calls only. */
static void child_exec(const struct worker_cfg *c, int in, int out, int err, char *const *argv)
{
	rlim_t mem = WK_SANITIZED || c->mem_limit >= (uint64_t)RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)c->mem_limit;
	struct rlimit as = { mem, mem };
	struct rlimit cpu = { c->time_limit_s + 1, c->time_limit_s + 5 };
	struct rlimit fsz = { (rlim_t)4 << 30, (rlim_t)4 << 30 };

	setpgid(0, 0);
	if (setrlimit(RLIMIT_AS, &as) || setrlimit(RLIMIT_CPU, &cpu) || setrlimit(RLIMIT_FSIZE, &fsz) ||
	    dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	execv(c->self_exe, argv);
	_exit(127);
}

static pid_t spawn(struct wk_job *k, char *const *argv)
{
	char path[PATH_MAX + 16];
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC), out = open("/dev/null", O_WRONLY | O_CLOEXEC), err;
	pid_t pid = -1;

	snprintf(path, sizeof path, "%s/stderr", k->dir);
	err = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (in >= 0 && out >= 0 && err >= 0)
		pid = fork();
	if (pid == 0)
		child_exec(k->cfg, in, out, err, argv);
	if (pid < 0)
		snprintf(k->err, sizeof k->err, "cannot start the analysis: %s", strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	return pid;
}

/* Kills the child's process group and reaps the child. */
static void kill_wait(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Why the child ended, into k->err; 0 for a clean exit. */
static int exit_status(struct wk_job *k, int status)
{
	char tail[420];

	stderr_tail(k->dir, tail, sizeof tail);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == WK_EXIT_INPUT && tail[0]) {
		k->permanent = true;   /* `botlens job`: the reader refused the input; a retry cannot help */
		snprintf(k->err, sizeof k->err, "%s", strncmp(tail, "botlens: ", 9) ? tail : tail + 9);
	} else if (WIFEXITED(status))
		snprintf(k->err, sizeof k->err, "analysis failed (exit %d)%s%s", WEXITSTATUS(status),
			 tail[0] ? ": " : "", tail);
	else if (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL)
		snprintf(k->err, sizeof k->err, "analysis killed by %s: over its CPU time limit of %u s%s%s",
			 sig_name(WTERMSIG(status)), k->cfg->time_limit_s, tail[0] ? ": " : "", tail);
	else
		snprintf(k->err, sizeof k->err, "analysis crashed (%s)%s%s", sig_name(WTERMSIG(status)),
			 tail[0] ? ": " : "", tail);
	return -1;
}

/* Waits for the child until it exits (0, *status), or the deadline (-1),
 * stop or a lost lease (1); renews the lease on the way. */
static int wait_child(struct wk_job *k, pid_t pid, int *status)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int64_t deadline = now_ms() + (int64_t)k->cfg->time_limit_s * 1000;
	int64_t renew_every = (int64_t)k->cfg->lease_s * 1000 / 3, next_renew = now_ms() + renew_every;
	int rc = 2;

	while (rc == 2) {
		pid_t w = waitpid(pid, status, WNOHANG);
		int64_t t = now_ms(), until = deadline < next_renew ? deadline : next_renew;
		if (w == pid) {
			rc = 0;
		} else if (__atomic_load_n(k->cfg->stop, __ATOMIC_ACQUIRE)) {   /* worker.c sets it: never NULL */
			snprintf(k->err, sizeof k->err, "stopped: the job is left to its lease");
			rc = 1;
		} else if (t >= deadline) {
			snprintf(k->err, sizeof k->err, "analysis over its time limit of %u s: killed",
				 k->cfg->time_limit_s);
			rc = -1;
		} else if (t >= next_renew) {
			int r = store_job_renew(k->s, &k->j, k->cfg->lease_s);
			next_renew = t + renew_every;
			if (r == 1) {
				snprintf(k->err, sizeof k->err, "lease lost: the job was claimed again");
				rc = 1;
			}
		} else {
			int ms = (int)(until - t < 500 ? until - t : 500);
			struct pollfd p = { .fd = pfd, .events = POLLIN };
			if (pfd < 0 || poll(&p, 1, ms) < 0) {
				struct timespec ts = { 0, 20 * 1000000L };
				nanosleep(&ts, NULL);
			}
		}
	}
	if (pfd >= 0)
		close(pfd);
	if (rc != 0)
		kill_wait(pid);
	else
		kill(-pid, SIGKILL);   /* whatever the child left behind in its group */
	return rc;
}

int wk_child_run(struct wk_job *k, char *const *args)
{
	int status = 0, rc;
	pid_t pid = spawn(k, args);

	if (pid < 0)
		return -1;
	rc = wait_child(k, pid, &status);
	return rc == 0 ? exit_status(k, status) : rc;
}
