/*
 * cmd_classify.c - `botlens classify` (being built; see the issue).
 */
#include "cli/cli.h"

int cmd_classify(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'classify' is not implemented yet");
	return EXIT_USAGE;
}
