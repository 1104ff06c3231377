/*
 * rng.c - xoshiro256** seeded by splitmix64 (see rng.h).
 *
 * Reference: D. Blackman, S. Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 2021; the algorithms are public domain and short
 * enough to write from the paper's description.
 */
#include <math.h>

#include "synth/rng.h"
#include "util/hash.h"

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t rng_u64(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/*
 * Uniform integer in [lo, hi] by rejection: draws below the largest
 * multiple of the span are accepted, so no value is favoured (a plain
 * modulo would bias small values for spans that do not divide 2^64).
 */
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo + 1;
	if (span == 0)
		return rng_u64(r);   /* the full 64-bit range */
	uint64_t limit = UINT64_MAX - UINT64_MAX % span;
	uint64_t v;
	do
		v = rng_u64(r);
	while (v >= limit);
	return lo + v % span;
}

double rng_unit(struct rng *r)
{
	return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

int rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

double rng_exp(struct rng *r, double mean)
{
	return -mean * log(1.0 - rng_unit(r));
}

void rng_bytes(struct rng *r, void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n > 0) {
		uint64_t v = rng_u64(r);
		for (int i = 0; i < 8 && n > 0; i++, n--) {
			*p++ = (uint8_t)v;
			v >>= 8;
		}
	}
}

void rng_fork(struct rng *r, struct rng *child)
{
	rng_seed(child, rng_u64(r));
}
