/*
 * cmd_p2p.c - `botlens p2p` (being built; see the issue).
 */
#include "cli/cli.h"

int cmd_p2p(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'p2p' is not implemented yet");
	return EXIT_USAGE;
}
