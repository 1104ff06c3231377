/*
 * cmd_crawl.c - `botlens crawl` (being built; see the issue).
 */
#include "cli/cli.h"

int cmd_crawl(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_error("'crawl' is not implemented yet");
	return EXIT_USAGE;
}
