/*
 * hash.h - the integer mixers every table and generator shares, and the
 * one array-growth rule.
 *
 * fmix64 is MurmurHash3's 64-bit finalizer (Appleby): every input bit
 * flips each output bit with probability near 1/2, so keys can be taken
 * modulo a power of two.  splitmix64 is Vigna's generator (and seeder of
 * xoshiro): the same seed gives the same sequence on every host.
 */
#ifndef BOTLENS_UTIL_HASH_H
#define BOTLENS_UTIL_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static inline uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return k ^ (k >> 33);
}

/* The next value of the sequence whose state is *s. */
static inline uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * The one growth rule: makes *cap >= need for the array *p of elem-byte
 * elements, doubling from `first` elements.  False out of memory (*p and
 * *cap unchanged, still the caller's).  Use:
 * `if (!grow_to((void **)&v, &cap, n + 1, sizeof *v, 64)) fail;`
 */
static inline bool grow_to(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : first;
	while (nc < need && nc <= SIZE_MAX / 2)
		nc *= 2;
	if (nc < need || nc > SIZE_MAX / elem)
		return false;
	void *q = realloc(*p, nc * elem);
	if (!q)
		return false;
	*p = q;
	*cap = nc;
	return true;
}

#endif
