/*
 * proto_shell.c - command-shell text sent over a raw TCP connection (a
 * bind or reverse shell after an exploit): Windows commands such as
 * "cmd /c", "echo open ... > o", "ftp -s:", "tftp -i", "start ", the
 * cmd.exe banner (its version line or copyright line); Unix commands and their typical output ("uname -a",
 * "cat /etc/", "uid=0(", an "ls -l" listing).  Recognised only off the
 * well-known text-protocol ports.
 */
#include <string.h>

#include "analysis/report-int.h"

static const char *const shell_words[] = {
	"cmd /c", "cmd.exe", "echo open ", "ftp -", "tftp -i", "&del ", "start ", "net user ",
	"Microsoft Windows [Version", "Microsoft Windows XP [Version", "(C) Copyright 1985-",
	"(c) Microsoft Corporation", "uname -", "whoami", "cat /etc/", "cat /home/", "/bin/sh", "/bin/bash",
	"uid=0(", "ls -l", "\n-rw-r--r-- ", "\ndrwxr-xr-x ",
};

static bool shell_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	if (rf->proto != 6 || rf->dport == 80 || rf->dport == 25 || rf->dport == 21 || rf->dport == 443)
		return false;
	size_t n = s->n < 1024 ? s->n : 1024;   /* commands come first */
	if (!memchr(s->p, ' ', n))
		return rf->app == RP_APP_SHELL;
	for (size_t i = 0; i < sizeof shell_words / sizeof *shell_words; i++)
		if (memmem(s->p, n, shell_words[i], strlen(shell_words[i]))) {
			rf->facts |= RPF_SHELL;
			return true;
		}
	return rf->app == RP_APP_SHELL;
}

const struct rp_proto proto_shell = { .name = "shell", .app = RP_APP_SHELL, .max_pkts = 4, .inspect = shell_inspect };
