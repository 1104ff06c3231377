/*
 * outfile.c - outputs written whole or not at all.
 *
 * An output FILE is written to a temporary file beside it ("DIR/.NAME.XXXXXX",
 * same directory so the rename cannot cross file systems), flushed and
 * fsync'd, then renamed over FILE when the command succeeds; on failure,
 * or when the program exits before committing (an error path that never
 * reached cli_close_out), the temporary file is removed.  So a full disk
 * or a damaged input never leaves a truncated TSV, JSON, HTML or model
 * behind, and an older FILE survives a failed run.
 *
 * Targets that are not regular files (/dev/null, /dev/full, FIFOs,
 * terminals) and symbolic links are opened directly: renaming over them
 * would replace the device or the link.
 *
 * Before anything is opened, the output is compared (device and inode)
 * with every other command-line argument: an output that is also an input
 * is refused with exit 2 (`flows -o run.pcap run.pcap` used to truncate
 * its input before reading it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

#define OUT_MAX 16

static struct pending {
	FILE *f;
	char *tmp;     /* temporary path; NULL when written in place */
	char *path;
} pending[OUT_MAX];
static int cli_argc;
static char **cli_argv;
static bool cleanup_set;

void cli_out_args(int argc, char **argv)
{
	cli_argc = argc;
	cli_argv = argv;
}

static void cleanup(void)
{
	for (int i = 0; i < OUT_MAX; i++)
		if (pending[i].f && pending[i].tmp)
			unlink(pending[i].tmp);
}

/* Exits 2 when path names the same file as another argument (an input). */
static void refuse_if_input(const char *path, const struct stat *out)
{
	for (int i = 1; i < cli_argc; i++) {
		const char *a = cli_argv[i];
		size_t al = strlen(a);
		if (path >= a && path <= a + al)  /* the -o argument itself */
			continue;
		const char *eq = a[0] == '-' && a[1] == '-' ? strchr(a, '=') : NULL;
		const char *cand = eq ? eq + 1 : a;
		struct stat st;
		if (stat(cand, &st) == 0 && st.st_dev == out->st_dev && st.st_ino == out->st_ino) {
			cli_error("'%s' is both an input and the output", path);
			cli_hint("write the output to another file");
			exit(EXIT_USAGE);
		}
	}
}

/*
 * Opens path for writing as described above; NULL after cli_error when
 * neither the temporary file nor path can be created.
 */
FILE *cli_out_open(const char *path)
{
	struct stat st;
	int slot = 0;
	while (slot < OUT_MAX && pending[slot].f)
		slot++;
	bool exists = stat(path, &st) == 0;
	if (exists)
		refuse_if_input(path, &st);
	struct stat lst;
	bool in_place = slot == OUT_MAX || (exists && !S_ISREG(st.st_mode)) ||
			(lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode));
	if (in_place) {
		FILE *f = fopen(path, "w");
		if (!f)
			cli_error("cannot open '%s': %s", path, strerror(errno));
		else if (slot < OUT_MAX)
			pending[slot] = (struct pending){ f, NULL, NULL };
		return f;
	}
	const char *base = strrchr(path, '/');
	size_t dirlen = base ? (size_t)(base - path) + 1 : 0;
	base = base ? base + 1 : path;
	char *tmp = malloc(strlen(path) + 16);
	if (!tmp) {
		cli_error("out of memory");
		return NULL;
	}
	sprintf(tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		free(tmp);
		return NULL;
	}
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~um);
	FILE *f = fdopen(fd, "w");
	if (!f) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	if (!cleanup_set) {
		atexit(cleanup);
		cleanup_set = true;
	}
	pending[slot] = (struct pending){ f, tmp, strdup(path) };
	return f;
}

/*
 * Closes f; when ok, moves its temporary file onto the output (after
 * fsync), else removes it.  Returns 0, or -1 with errno set when writing,
 * closing or renaming failed (the temporary file is removed then too).
 */
int cli_out_close(FILE *f, bool ok)
{
	int slot = 0;
	while (slot < OUT_MAX && pending[slot].f != f)
		slot++;
	struct pending p = slot < OUT_MAX ? pending[slot] : (struct pending){ f, NULL, NULL };
	if (slot < OUT_MAX)
		pending[slot].f = NULL;
	int rc = 0, saved = 0;
	if (ok && (ferror(f) || fflush(f) != 0))
		rc = -1, saved = errno ? errno : EIO;
	if (ok && !rc && p.tmp && fsync(fileno(f)) != 0)
		rc = -1, saved = errno;
	if (fclose(f) != 0 && !rc)
		rc = -1, saved = errno ? errno : EIO;
	if (p.tmp) {
		if (ok && !rc && rename(p.tmp, p.path) != 0)
			rc = -1, saved = errno;
		if (!ok || rc)
			unlink(p.tmp);
	}
	free(p.tmp);
	free(p.path);
	errno = saved;
	return ok ? rc : 0;
}

/* After a failed command: closes f and removes the temporary file behind it. */
void cli_discard_out(FILE *f)
{
	if (f == stdout)
		fflush(f);
	else
		cli_out_close(f, false);
}
