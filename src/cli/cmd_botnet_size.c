/*
 * cmd_botnet_size.c - `botlens botnet-size` (being built; see the issue).
 */
#include "cli/cli.h"

int cmd_botnet_size(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'botnet-size' is not implemented yet");
	return EXIT_USAGE;
}
