/*
 * cmd_token.c - `botlens token add NAME [--token-file F]`: prints a new
 * random write token for `botlens serve` and appends its SHA-256 (never
 * the token) to the token file, which a running server re-reads.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "web/web.h"

enum { TO_FILE = 300 };

static const struct cli_opt token_opts[] = {
	{ "token-file", 't', "FILE", "the server's token file (default botlens-data/tokens)", TO_FILE },
	{ 0 },
};

static int token_opt(void *ctx, int id, const char *arg)
{
	if (id != TO_FILE)
		return EXIT_INTERNAL;
	*(const char **)ctx = arg;
	return 0;
}

int cmd_token(int argc, char **argv)
{
	const char *file = NULL;
	char token[65], err[512];
	int rc = cli_parse(argc, argv, "token", "add NAME [--token-file FILE]", token_opts, token_opt, &file, NULL,
			   "  botlens token add alice\n"
			   "  curl -H \"Authorization: Bearer $(botlens token add ci -t tokens)\" ...\n");
	if (rc)
		return rc;
	if (optind + 2 != argc || strcmp(argv[optind], "add")) {
		cli_error("expected 'botlens token add NAME'");
		cli_hint("see 'botlens token -h'");
		return EXIT_USAGE;
	}
	if (!file) {
		file = "botlens-data/tokens";
		if (mkdir("botlens-data", 0700) && errno != EEXIST) {
			cli_error("cannot create 'botlens-data': %s", strerror(errno));
			return EXIT_OUTPUT;
		}
	}
	if (web_token_add(file, argv[optind + 1], token, err, sizeof err)) {
		cli_error("%s", err);
		return strncmp(err, "invalid", 7) ? EXIT_OUTPUT : EXIT_USAGE;
	}
	printf("%s\n", token);
	if (fflush(stdout) || ferror(stdout)) {
		cli_error("cannot write the token: %s", strerror(errno));
		return EXIT_OUTPUT;
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "botlens: token for '%s' added to '%s'; it is shown only once\n", argv[optind + 1], file);
	return EXIT_OK;
}
