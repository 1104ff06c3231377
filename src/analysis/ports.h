/*
 * ports.h - destination-port structure of one host's contacts: fixed
 * services kept apart from "random" ports, the range the random ports
 * are drawn from (with unbiased bound estimates and a goodness-of-fit
 * test of uniformity) and dense bands inside it (binomial tail tests
 * against a uniform baseline, Holm-corrected).
 *
 * The statistics count distinct (peer address, port) endpoints, not
 * flows: a bot that retries one peer ten times drew its port once.  The
 * histograms count contacts (flows, or packets per packet).
 */
#ifndef BOTLENS_PORTS_H
#define BOTLENS_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/contacts.h"

#define PORTS_ALPHA 0.01       /* level of the uniformity tests */
#define PORTS_BAND_ALPHA 0.001 /* family-wise error rate of the band tests (many windows, many runs) */
#define PORTS_MAX_BANDS 8

struct ports_service {
	uint16_t port;
	const char *name;          /* "smtp", or NULL when found by repetition */
	uint64_t flows, peers;
};

struct ports_band {
	uint16_t lo, hi;           /* refined bounds (observed endpoint ports) */
	uint64_t endpoints;        /* random endpoints inside */
	uint64_t flows;            /* contacts inside (all, services included) */
	double share;              /* endpoints / random endpoints */
	double ratio;              /* density inside / density in the rest of the range */
	double lp;                 /* ln p, Holm-adjusted, of the best window in the band */
	double lp_raw;             /* ln p of that window before correction */
};

struct ports_range {
	bool valid;                /* at least PORTS_MIN_RANDOM random endpoints */
	uint64_t n;
	uint16_t min, max;         /* observed */
	double lo_hat, hi_hat;     /* MVUE of the discrete-uniform bounds */
	double se;                 /* standard error of each bound */
	double ks_d, ks_lp;        /* KS statistic and ln p, interior points vs U(min, max) */
	double chi2, chi2_df, chi2_lp;
	bool rest_valid;           /* bands found: the same test outside them */
	uint64_t rest_n;
	double rest_ks_d, rest_ks_lp;
	bool model_fits;           /* lo_hat..hi_hat matches rand() % model_mod + model_lo */
	uint32_t model_mod, model_lo;
};

struct ports_proto {
	uint8_t proto;             /* 6 or 17 */
	uint64_t flows;            /* contacts (weighted) */
	uint64_t endpoints, peers; /* distinct (peer, port) pairs, distinct peers */
	struct ports_service *services;
	size_t nservices;          /* by flows, most first */
	uint64_t random_flows, random_endpoints;
	struct ports_range range;
	struct ports_band bands[PORTS_MAX_BANDS];
	size_t nbands;
	size_t windows;            /* band windows tested */
};

#define PORTS_MIN_RANDOM 8

struct ports_report {
	struct ports_proto p[2];   /* [0] TCP, [1] UDP */
};

/*
 * Analyses contacts v[0..n) of host h (a contact's peer is its endpoint
 * other than h).  Returns 0, or -1 when out of memory.
 */
int ports_analyze(const struct contact *v, size_t n, const struct host *h, struct ports_report *rep);
void ports_report_free(struct ports_report *rep);
/*
 * Histogram of contacts of proto with port in [lo, hi], bins of width
 * bin: counts[(port - lo) / bin] += weight.  counts must hold
 * (hi - lo) / bin + 1 entries and be zeroed.
 */
void ports_hist(const struct contact *v, size_t n, uint8_t proto, unsigned lo, unsigned hi,
		unsigned bin, uint64_t *counts);
/* The name of a well-known service port ("smtp") or NULL. */
const char *ports_service_name(uint16_t port);
/* Writes up to max well-known service ports, ascending, to out; returns how many
 * (into the caller's buffer: plots are drawn on several threads). */
size_t ports_service_list(uint16_t *out, size_t max);

#endif
