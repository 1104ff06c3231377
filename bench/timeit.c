/*
 * timeit.c - run one command, report its wall time and peak RSS.
 *
 * Forks, execs the command (standard streams inherited, so the caller
 * redirects them), waits with wait4() and appends one line to RESULT:
 *   "wall_s user_s sys_s maxrss_kb exit_status"
 * Wall time is CLOCK_MONOTONIC around fork..wait (microseconds, unlike
 * GNU time's %e); peak RSS is ru_maxrss of the child (kB), as GNU time's
 * %M.  Exit status 0 when the command ran; 127 when it could not start.
 *
 * usage: timeit RESULT CMD [ARG...]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: timeit RESULT CMD [ARG...]\n");
		return 2;
	}
	FILE *out = fopen(argv[1], "a");
	if (!out) {
		fprintf(stderr, "timeit: cannot open '%s': %s\n", argv[1], strerror(errno));
		return 127;
	}
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "timeit: cannot fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		fclose(out);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "timeit: cannot run '%s': %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "timeit: wait: %s\n", strerror(errno));
			return 127;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double wall = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(out, "%.6f %.6f %.6f %ld %d\n", wall, tv_s(ru.ru_utime), tv_s(ru.ru_stime),
		ru.ru_maxrss, code);
	fclose(out);
	return code;
}
