/*
 * p2p-int.h - helpers shared inside p2p/ only: a seeded PRNG
 * (splitmix64; reproducible runs), the wall clock, dotted addresses.
 */
#ifndef BOTLENS_P2P_INT_H
#define BOTLENS_P2P_INT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "util/hash.h"

struct p2p_rng {
	uint64_t s;
};

static inline uint64_t p2p_rand(struct p2p_rng *r)
{
	return splitmix64(&r->s);
}

/* Uniform in [0, 1). */
static inline double p2p_unif(struct p2p_rng *r)
{
	return (double)(p2p_rand(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline unsigned p2p_below(struct p2p_rng *r, unsigned n)
{
	return n ? (unsigned)(p2p_rand(r) % n) : 0;
}

static inline void p2p_fill(struct p2p_rng *r, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(p2p_rand(r) >> 56);
}

/* Weibull(k, scale) by inversion. */
static inline double p2p_weibull(struct p2p_rng *r, double k, double scale)
{
	double u = p2p_unif(r);
	return scale * pow(-log1p(-u), 1.0 / k);
}

/* Epoch seconds (CLOCK_REALTIME: shared by simulator truth and crawl snapshots). */
static inline double p2p_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline void p2p_ip_str(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

#endif
