/*
 * cmd_evaluate.c - `botlens evaluate` (being built; see the issue).
 */
#include "cli/cli.h"

int cmd_evaluate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'evaluate' is not implemented yet");
	return EXIT_USAGE;
}
