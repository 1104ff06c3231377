/*
 * synth.c - synthetic behavior families with known structure, for tests
 * and benchmarks (deterministic: the same options and index give the same
 * report on every host).
 *
 * Family f owns 8 motifs; each motif is a fixed sequence of 3-7 events
 * drawn from the family's own 24 operations ("NtWriteFile.f03.o11") and a
 * shared vocabulary of 64 common operations.  A report of family f is a
 * stream of its motifs in random order, each event dropped with
 * probability 5 %, interleaved with common operations at rate `noise`.
 * So families differ by their n-grams, share a noisy background, and a
 * family never seen in training shares only the background.
 */
#include <stdio.h>
#include <string.h>

#include "behavior/behavior.h"
#include "util/hash.h"

#define MOTIFS 8
#define OWN 24
#define COMMON 64

static const char *const verbs[] = {
	"NtCreateFile", "NtWriteFile", "NtReadFile", "RegSetValueExW", "RegOpenKeyExW", "connect",
	"send", "recv", "CreateProcessW", "VirtualAllocEx", "WriteProcessMemory", "LdrLoadDll",
	"NtQueryValueKey", "CreateMutexW", "InternetOpenUrlA", "DeleteFileW",
};
#define NVERBS (sizeof verbs / sizeof *verbs)

void bh_synth_family(unsigned f, char *buf, size_t len)
{
	snprintf(buf, len, "fam%02u", f);
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 2 > *cap) {
		*cap = (*cap + n + 2) * 2;
		*buf = bh_realloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[(*len)++] = '\n';
	(*buf)[*len] = 0;
}

/* Event `e` of family f (e < OWN) or common (f = -1). */
static void event_name(int f, unsigned e, char *out, size_t len)
{
	if (f < 0)
		snprintf(out, len, "%s.c%02u", verbs[e % NVERBS], e);
	else
		snprintf(out, len, "%s.f%02d.o%02u", verbs[(e * 7u + (unsigned)f) % NVERBS], f, e);
}

unsigned bh_synth_report(const struct bh_synth_opts *o, size_t i, char **buf, size_t *len, size_t *cap)
{
	unsigned fams = o->families ? o->families : 1;
	unsigned f = (unsigned)(i % fams);
	uint64_t rs = o->seed * 0x2545f4914f6cdd1dULL ^ (uint64_t)i * 0x9e3779b97f4a7c15ULL;
	/* the family's motifs: fixed by (seed, f) */
	unsigned mlen[MOTIFS], mev[MOTIFS][7];
	int mown[MOTIFS][7];
	uint64_t fs = o->seed ^ 0xfa11u ^ (uint64_t)f << 32;
	for (unsigned m = 0; m < MOTIFS; m++) {
		mlen[m] = 3 + (unsigned)(splitmix64(&fs) % 5);
		for (unsigned k = 0; k < mlen[m]; k++) {
			bool own = splitmix64(&fs) % 4 != 0;
			mown[m][k] = own ? (int)f : -1;
			mev[m][k] = (unsigned)(splitmix64(&fs) % (own ? OWN : COMMON));
		}
	}
	unsigned mean = o->events ? o->events : 200;
	size_t target = mean / 2 + (size_t)(splitmix64(&rs) % (mean + 1));
	size_t emitted = 0;
	char ev[64];
	uint64_t noise = (uint64_t)(o->noise * 1000);
	while (emitted < target) {
		if (splitmix64(&rs) % 1000 < noise) {
			event_name(-1, (unsigned)(splitmix64(&rs) % COMMON), ev, sizeof ev);
			append(buf, len, cap, ev);
			emitted++;
			continue;
		}
		unsigned m = (unsigned)(splitmix64(&rs) % MOTIFS);
		for (unsigned k = 0; k < mlen[m]; k++) {
			if (splitmix64(&rs) % 100 < 5)
				continue;
			event_name(mown[m][k], mev[m][k], ev, sizeof ev);
			append(buf, len, cap, ev);
			emitted++;
		}
	}
	return f;
}
