/*
 * u64set.c - a set of non-zero 64-bit keys by open addressing with linear
 * probing, for the crawl analyses and the passive counter (size-int.h).
 *
 * Invariant: cap is 0 or a power of two, n <= cap / 2 (the table doubles
 * before it is half full), an empty slot is 0 (key 0 is stored as 1).
 */
#include <stdlib.h>
#include <string.h>

#include "p2p/size-int.h"

uint64_t u64set_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	return x ^ (x >> 33);
}

/* Inserts into a table known to have room; returns 1 when new, 0 when there. */
static int put(struct u64set *s, uint64_t key)
{
	size_t i = u64set_mix(key) & (s->cap - 1);
	while (s->k[i]) {
		if (s->k[i] == key)
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	s->k[i] = key;
	s->n++;
	return 1;
}

/* Adds key (0 is mapped to 1): 1 when it was new, 0 when present, -1 out of memory (set unchanged). */
int u64set_add(struct u64set *s, uint64_t key)
{
	if (!key)
		key = 1;
	if (2 * (s->n + 1) > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		struct u64set ns = { size_calloc(nc, sizeof *ns.k), 0, nc };
		if (!ns.k)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->k[i])
				put(&ns, s->k[i]);
		free(s->k);
		*s = ns;
	}
	return put(s, key);
}

bool u64set_has(const struct u64set *s, uint64_t key)
{
	if (!key)
		key = 1;
	if (!s->cap)
		return false;
	size_t i = u64set_mix(key) & (s->cap - 1);
	while (s->k[i]) {
		if (s->k[i] == key)
			return true;
		i = (i + 1) & (s->cap - 1);
	}
	return false;
}

void u64set_free(struct u64set *s)
{
	free(s->k);
	memset(s, 0, sizeof *s);
}
