/*
 * mist.c - MIST reports (Malware Instruction Set; Trinius, Willems, Holz,
 * Rieck, "A Malware Instruction Set for Behavior-Based Analysis", 2010),
 * the format Malheur reads.
 *
 *   # process 428 thread 1756 #          <- section header (skipped)
 *   06 04 | 0191feb5 00000000 | 03ad91e3 00000000 | 7c800000
 *   ^^ ^^   level-1 args        level-2 args         level-3 args
 *   category, operation (two hex bytes), then '|'-separated argument
 *   blocks ordered by variability.
 *
 * MIST level L keeps the instruction and its first L-1 argument blocks
 * (Malheur's mist.level); level 1 = the instruction only.  Each kept line
 * becomes one event, whitespace normalised.  A line that is not an
 * instruction is an error, except up to MAX_CONT lines right after an
 * instruction: real reports carry arguments with raw newlines.
 */
#include <ctype.h>
#include <string.h>

#include "behavior/behavior.h"
#include "behavior/lines.h"

#define MAX_CONT 8   /* consecutive continuation lines tolerated */

static bool hex2(const char *p) { return isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]); }

int bh_parse_mist(struct bh_src *s, const struct bh_parse_opts *o, const struct bh_sink *k,
		  char *err, size_t errlen)
{
	char line[4096], ev[4096];
	bool cut;
	long n;
	unsigned long long lno = 0;
	unsigned level = o->level ? o->level : 1;
	unsigned long long ninstr = 0;
	unsigned cont = 0;
	while ((n = bh_src_line(s, line, sizeof line, &cut)) >= 0) {
		lno++;
		char *a = line;
		while (*a == ' ' || *a == '\t')
			a++;
		if (!*a || *a == '#')
			continue;
		if (!(hex2(a) && a[2] == ' ' && hex2(a + 3) && (!a[5] || isspace((unsigned char)a[5]) || a[5] == '|'))) {
			/* an argument holding a raw newline continues on the next line
			 * (report3.mist has them); tolerated only after an instruction */
			if (ninstr && ++cont <= MAX_CONT)
				continue;
			snprintf(err, errlen, "line %llu, column %zu: expected a MIST instruction 'cc oo' (two hex bytes)",
				 lno, (size_t)(a - line) + 1);
			return -1;
		}
		cont = 0;
		ninstr++;
		/* copy, collapsing whitespace, stopping before block `level` */
		size_t m = 0;
		unsigned blocks = 0;
		bool space = false;
		for (char *p = a; *p; p++) {
			if (*p == '|' && ++blocks >= level)
				break;
			if (isspace((unsigned char)*p)) {
				space = true;
				continue;
			}
			if (space && m)
				ev[m++] = ' ';
			space = false;
			ev[m++] = *p;
		}
		k->event(k->ctx, ev, m);
	}
	if (n == -2) {
		snprintf(err, errlen, "offset %llu: %s", (unsigned long long)bh_src_off(s), s->err);
		return -1;
	}
	return 0;
}
