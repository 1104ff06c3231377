/*
 * outfile.c - the CLI's outputs, written whole or not at all.
 *
 * cli_open_out() opens -o FILE through util/afile (a temporary file beside
 * FILE, renamed over it by cli_close_out() when everything was written);
 * the open outputs are remembered so that an exit before the commit (an
 * error path that never reached cli_close_out) or a fatal signal (SIGINT,
 * SIGTERM, SIGHUP, SIGPIPE) removes their temporary files.  So a full disk or a damaged input never leaves a truncated TSV,
 * JSON, HTML or model behind, and an older FILE survives a failed run.
 *
 * Before anything is opened, the output is compared (device and inode)
 * with every other command-line argument: an output that is also an input
 * is refused with exit 2 (`flows -o run.pcap run.pcap` used to truncate
 * its input before reading it).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/afile.h"

#define OUT_MAX 16

static struct pending {
	FILE *f;
	struct afile a;
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
		if (pending[i].f && pending[i].a.tmp)
			unlink(pending[i].a.tmp);
}

/* Ctrl-C or kill while writing: remove the temporary files (unlink is
 * async-signal-safe), then die of the signal as before. */
static void on_fatal_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Installs on_fatal_signal where the signal still has its default action
 * (crawl and simulate catch SIGINT themselves, to commit what they have). */
static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
			struct sigaction sa = { .sa_handler = on_fatal_signal };
			sigaction(sigs[i], &sa, NULL);
		}
	}
}

/* Exits 2 when path names the same file as another argument (an input). */
static void refuse_if_input(const char *path)
{
	struct stat out;
	if (stat(path, &out) != 0)
		return;
	for (int i = 1; i < cli_argc; i++) {
		const char *a = cli_argv[i];
		if (path >= a && path <= a + strlen(a))  /* the -o argument itself */
			continue;
		const char *eq = a[0] == '-' && a[1] == '-' ? strchr(a, '=') : NULL;
		struct stat st;
		if (stat(eq ? eq + 1 : a, &st) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino) {
			cli_error("'%s' is both an input and the output", path);
			cli_hint("write the output to another file");
			exit(EXIT_USAGE);
		}
	}
}

/* Exits 2 when path is also an input; for writers outside cli_open_out (plots, synth). */
void cli_out_check(const char *path)
{
	if (path && strcmp(path, "-"))
		refuse_if_input(path);
}

FILE *cli_out_open(const char *path)
{
	refuse_if_input(path);
	int slot = 0;
	while (slot < OUT_MAX && pending[slot].f)
		slot++;
	struct afile a;
	FILE *f = afile_open(&a, path);
	if (!f) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (slot == OUT_MAX) {  /* never in practice: commands open one or two outputs */
		cli_error("cannot open '%s': too many outputs", path);
		afile_abort(&a, f);
		return NULL;
	}
	if (!cleanup_set) {
		atexit(cleanup);
		catch_signals();
		cleanup_set = true;
	}
	pending[slot] = (struct pending){ f, a };
	return f;
}

int cli_out_close(FILE *f, bool ok)
{
	int slot = 0;
	while (slot < OUT_MAX && pending[slot].f != f)
		slot++;
	if (slot == OUT_MAX)
		return fclose(f);
	struct afile a = pending[slot].a;
	pending[slot].f = NULL;
	if (!ok) {
		afile_abort(&a, f);
		return 0;
	}
	return afile_commit(&a, f);
}

/* After a failed command: closes f and removes the temporary file behind it. */
void cli_discard_out(FILE *f)
{
	if (f == stdout)
		fflush(f);
	else
		cli_out_close(f, false);
}
