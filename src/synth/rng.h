/*
 * rng.h - the seeded pseudo-random generator of the synthetic runs.
 *
 * xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64, so
 * any 64-bit seed, 0 included, gives a well-mixed state.  The sequence
 * depends only on the seed: no clock, no addresses, no libc rand(), so a
 * run is byte-identical from one invocation to the next (rng_exp() uses
 * libm's log(); results are rounded to microseconds before use).  Invariant: s[] is never all
 * zero (splitmix64 cannot produce four zero words in a row).
 */
#ifndef BOTLENS_SYNTH_RNG_H
#define BOTLENS_SYNTH_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_u64(struct rng *r);
/* Uniform in [lo, hi] (inclusive); lo <= hi. */
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi);
/* Uniform in [0, 1). */
double rng_unit(struct rng *r);
/* True with probability p. */
int rng_chance(struct rng *r, double p);
/* Exponential variate with the given mean (Poisson inter-arrival times). */
double rng_exp(struct rng *r, double mean);
/* Fills buf with n pseudo-random bytes. */
void rng_bytes(struct rng *r, void *buf, size_t n);
/* An independent child generator (for per-host streams). */
void rng_fork(struct rng *r, struct rng *child);

#endif
