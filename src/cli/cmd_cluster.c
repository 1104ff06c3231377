/*
 * cmd_cluster.c - `botlens cluster` (being built; see the issue).
 */
#include "cli/cli.h"

int cmd_cluster(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'cluster' is not implemented yet");
	return EXIT_USAGE;
}
