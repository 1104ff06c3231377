/*
 * cmd_learn.c - `botlens learn` (being built; see the issue).
 */
#include "cli/cli.h"

int cmd_learn(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'learn' is not implemented yet");
	return EXIT_USAGE;
}
