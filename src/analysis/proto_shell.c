/*
 * proto_shell.c - command-shell text sent over a raw TCP connection (a
 * bind or reverse shell after an exploit): Windows commands such as
 * "cmd /c", "echo open ... > o", "ftp -s:", "tftp -i", "start ", the
 * cmd.exe banner (its version line or copyright line); Unix commands and their typical output ("uname -a",
 * "cat /etc/", "uid=0(", an "ls -l" listing).  Recognised only off the
 * well-known text-protocol ports.
 */
#include <pthread.h>
#include <string.h>

#include "analysis/report-int.h"

/*
 * Each word says which side sends it: the shell's own output (its banner,
 * `id`'s answer, a listing) comes from the host whose shell it is; the
 * commands come from the one controlling it (a shell may echo them back,
 * so output decides first); some words go either way.
 * rf->count keeps, per direction d, bit d when the shell's output was seen
 * from that side and bit 2 + d for commands (rp_shell_side reads it).
 */
enum { SH_EITHER, SH_OUTPUT, SH_COMMAND };

static const struct { const char *w; unsigned char by; } shell_words[] = {
	{ "cmd /c", SH_COMMAND }, { "cmd.exe", SH_EITHER }, { "echo open ", SH_COMMAND },
	{ "ftp -", SH_COMMAND }, { "tftp -i", SH_COMMAND }, { "&del ", SH_COMMAND }, { "start ", SH_COMMAND },
	{ "net user ", SH_COMMAND }, { "Microsoft Windows [Version", SH_OUTPUT },
	{ "Microsoft Windows XP [Version", SH_OUTPUT }, { "(C) Copyright 1985-", SH_OUTPUT },
	{ "(c) Microsoft Corporation", SH_OUTPUT }, { "uname -", SH_COMMAND }, { "whoami", SH_COMMAND },
	{ "cat /etc/", SH_COMMAND }, { "cat /home/", SH_COMMAND }, { "/bin/sh", SH_EITHER },
	{ "/bin/bash", SH_EITHER }, { "uid=0(", SH_OUTPUT }, { "ls -l", SH_COMMAND },
	{ "\n-rw-r--r-- ", SH_OUTPUT }, { "\ndrwxr-xr-x ", SH_OUTPUT },
	{ "\\system32>", SH_OUTPUT }, { "C:\\>", SH_OUTPUT },   /* cmd.exe's prompt (an exploited service's cwd) */
};

#define NWORDS (sizeof shell_words / sizeof *shell_words)
_Static_assert(NWORDS <= 32, "shell words: one bit each in a uint32_t");

/*
 * The words' first two bytes, one bit per byte pair: a position whose pair
 * has no bit starts no word, so one pass over the text finds them all
 * (one memmem per word per packet was a tenth of the flow stage's parser
 * time on traffic of unknown protocols).  Every word has two bytes at least.
 */
static uint64_t pair_bits[65536 / 64];
static pthread_once_t pair_once = PTHREAD_ONCE_INIT;

static unsigned pair_of(const uint8_t *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static void pair_init(void)
{
	for (size_t i = 0; i < NWORDS; i++) {
		unsigned k = pair_of((const uint8_t *)shell_words[i].w);
		pair_bits[k >> 6] |= 1ull << (k & 63);
	}
}

/* Bit i set: shell_words[i] occurs in p[0..n). */
static uint32_t words_in(const uint8_t *p, size_t n)
{
	pthread_once(&pair_once, pair_init);
	uint32_t hits = 0;
	for (size_t at = 0; at + 1 < n; at++) {
		unsigned k = pair_of(p + at);
		if (!(pair_bits[k >> 6] >> (k & 63) & 1))
			continue;
		for (size_t i = 0; i < NWORDS; i++) {
			size_t len = strlen(shell_words[i].w);
			if (pair_of((const uint8_t *)shell_words[i].w) == k && len <= n - at &&
			    !memcmp(p + at, shell_words[i].w, len))
				hits |= 1u << i;
		}
	}
	return hits;
}

static bool shell_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	(void)c;
	if (rf->proto != 6 || rf->dport == 80 || rf->dport == 25 || rf->dport == 21 || rf->dport == 443)
		return false;
	size_t n = s->n < 1024 ? s->n : 1024;   /* commands come first */
	if (!memchr(s->p, ' ', n) && !memchr(s->p, '>', n))   /* no word, no prompt: binary */
		return rf->app == RP_APP_SHELL;
	uint32_t hits = words_in(s->p, n);
	bool found = hits != 0;
	for (size_t i = 0; i < NWORDS; i++)
		if (hits >> i & 1) {
			if (shell_words[i].by == SH_OUTPUT)
				rf->count |= (uint16_t)(1u << s->dir);
			else if (shell_words[i].by == SH_COMMAND)
				rf->count |= (uint16_t)(4u << s->dir);
		}
	if (found)
		rf->facts |= RPF_SHELL;
	return found || rf->app == RP_APP_SHELL;
}

int rp_shell_side(const struct rp_flow *f)
{
	if (f->app != RP_APP_SHELL)
		return -1;
	unsigned out = f->count & 3, cmd = f->count >> 2 & 3;
	if (out == 1 || out == 2)
		return out == 1 ? 0 : 1;
	if (cmd == 1 || cmd == 2)
		return cmd == 1 ? 1 : 0;
	return -1;
}

const struct rp_proto proto_shell = { .name = "shell", .app = RP_APP_SHELL, .max_pkts = 4, .inspect = shell_inspect };
