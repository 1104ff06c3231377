/*
 * cmd_explain.c - `botlens explain` (being built; see the issue).
 */
#include "cli/cli.h"

int cmd_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'explain' is not implemented yet");
	return EXIT_USAGE;
}
