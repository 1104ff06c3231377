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
 *
 * `overlap` (0..1) makes families overlap the way real ones do, sharing
 * API-call n-grams and whole call sequences, not only the background:
 *  - a motif event is a common operation with probability `overlap`
 *    (instead of one in four);
 *  - round(overlap * 4) of family f's 8 motifs are motifs of family f-1
 *    (wrapping round), so neighbours share call sequences and an unseen
 *    family looks in part like two known ones;
 *  - each motif drawn is, with probability `overlap`, one of 8 motifs of
 *    a pool common to every family (start-up, loader, registry chatter).
 * overlap 0 is the original generator, byte for byte.
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

/*
 * Motif `idx` of source g (a family, or g = families for the common
 * pool, whose events are all common): its length and events, drawn from
 * a stream fixed by (seed, g) after the draws of motifs 0..idx-1, so a
 * motif is the same wherever it is used.  shared = 0: an event is the
 * family's own with probability 3/4 (the original generator); else with
 * probability 1 - shared/1000.
 */
static void motif(uint64_t seed, unsigned g, unsigned idx, uint64_t shared, bool pool, unsigned *len,
		  unsigned *ev, int *own_of)
{
	uint64_t fs = seed ^ 0xfa11u ^ (uint64_t)g << 32;
	for (unsigned j = 0; j < idx; j++) {
		unsigned l = 3 + (unsigned)(splitmix64(&fs) % 5);
		for (unsigned k = 0; k < 2 * l; k++)
			splitmix64(&fs);
	}
	*len = 3 + (unsigned)(splitmix64(&fs) % 5);
	for (unsigned k = 0; k < *len; k++) {
		bool own = shared ? splitmix64(&fs) % 1000 >= shared : splitmix64(&fs) % 4 != 0;
		own = own && !pool;
		own_of[k] = own ? (int)g : -1;
		ev[k] = (unsigned)(splitmix64(&fs) % (own ? OWN : COMMON));
	}
}

unsigned bh_synth_report(const struct bh_synth_opts *o, size_t i, char **buf, size_t *len, size_t *cap)
{
	unsigned fams = o->families ? o->families : 1;
	unsigned f = (unsigned)(i % fams);
	uint64_t rs = o->seed * 0x2545f4914f6cdd1dULL ^ (uint64_t)i * 0x9e3779b97f4a7c15ULL;
	/* the family's motifs (fixed by seed and f), then the common pool's */
	unsigned mlen[2 * MOTIFS], mev[2 * MOTIFS][7];
	int mown[2 * MOTIFS][7];
	uint64_t shared = (uint64_t)(o->overlap * 1000);
	unsigned nb = shared ? (unsigned)(o->overlap * MOTIFS / 2 + 0.5) : 0;
	for (unsigned m = 0; m < MOTIFS; m++) {
		if (m < nb)   /* borrowed: one of the previous family's unborrowed motifs */
			motif(o->seed, (f + fams - 1) % fams, MOTIFS - 1 - m, shared, false, &mlen[m], mev[m], mown[m]);
		else
			motif(o->seed, f, m, shared, false, &mlen[m], mev[m], mown[m]);
		if (shared)
			motif(o->seed, fams, m, shared, true, &mlen[MOTIFS + m], mev[MOTIFS + m], mown[MOTIFS + m]);
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
		if (shared && splitmix64(&rs) % 1000 < shared)
			m += MOTIFS;   /* a motif of the common pool */
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
