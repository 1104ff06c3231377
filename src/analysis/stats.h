/*
 * stats.h - the few distributions botlens' analyses test against.
 *
 * Tail probabilities are returned as natural logarithms so that the
 * tiny p-values of very dense port bands (1e-300 and below) neither
 * underflow to zero nor lose their order.
 */
#ifndef BOTLENS_STATS_H
#define BOTLENS_STATS_H

#include <stddef.h>
#include <stdint.h>

/* ln P(X >= k) for X ~ Binomial(n, p); 0 (= ln 1) when k <= 0. */
double stats_binom_sf_log(uint64_t k, uint64_t n, double p);
/* ln of the regularized incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. */
double stats_ibeta_log(double a, double b, double x);
/* Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a). */
double stats_gamma_q(double a, double x);
/* P(chi-square with df degrees of freedom >= x). */
double stats_chi2_sf(double x, double df);
/* P(D_n >= d): the Kolmogorov-Smirnov one-sample statistic, n samples. */
double stats_ks_pvalue(double d, size_t n);
/*
 * Holm's step-down correction: lp[i] are ln p-values of m tests; writes
 * the ln of the adjusted p-values (monotone, capped at 0) to out[i].
 * Returns 0, or -1 when out of memory.
 */
int stats_holm_log(const double *lp, double *out, size_t m);
/* Formats a p-value given as ln p: "0.41", "3.2e-07", "1e-1234". */
void stats_p_str(double lp, char *buf, size_t len);

#endif
