/*
 * stats.c - binomial tails, incomplete beta and gamma, Kolmogorov-Smirnov
 * p-values, Holm's correction.
 *
 * Formulas (Press et al., Numerical Recipes, 3rd ed., 2007):
 *   P(X >= k), X ~ Bin(n, p)  =  I_p(k, n - k + 1)                (6.4.12)
 *   I_x(a, b) = x^a (1-x)^b / (a B(a, b)) * 1/(1+ d1/(1+ d2/(1+ ...)))
 *     d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),
 *     d_{2m}   = m(b-m) x / ((a+2m-1)(a+2m)),   evaluated by modified
 *     Lentz, converging fast for x < (a+1)/(a+b+2); otherwise
 *     I_x(a, b) = 1 - I_{1-x}(b, a)                                (6.4.5-6)
 *   Q(a, x): series for x < a+1, Legendre continued fraction else  (6.2)
 *   KS: P(D_n > d) ~ Q_KS([sqrt(n) + 0.12 + 0.11/sqrt(n)] d),
 *     Q_KS(t) = 2 sum_{j>=1} (-1)^{j-1} exp(-2 j^2 t^2)
 *     (Stephens 1970, JRSS B 32:115; NR 14.3.3), accurate to a few per
 *     cent for n >= 5, ample for a goodness-of-fit verdict.
 * Everything is computed in logarithms where it can underflow.
 */
#include "analysis/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define STATS_EPS 1e-15
#define STATS_TINY 1e-300
#define STATS_MAXIT 100000

/* One modified-Lentz step with coefficient aa: updates c and d, returns the factor of h. */
static double lentz_step(double aa, double *c, double *d)
{
	*d = 1 + aa * *d;
	if (fabs(*d) < STATS_TINY)
		*d = STATS_TINY;
	*c = 1 + aa / *c;
	if (fabs(*c) < STATS_TINY)
		*c = STATS_TINY;
	*d = 1 / *d;
	return *d * *c;
}

/* The continued fraction of I_x(a, b) (modified Lentz): even and odd steps. */
static double betacf(double a, double b, double x)
{
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap;
	if (fabs(d) < STATS_TINY)
		d = STATS_TINY;
	d = 1 / d;
	double h = d;
	for (int m = 1; m <= STATS_MAXIT; m++) {
		int m2 = 2 * m;
		h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &c, &d);
		double del = lentz_step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), &c, &d);
		h *= del;
		if (fabs(del - 1) < STATS_EPS)
			break;
	}
	return h;
}

double stats_ibeta_log(double a, double b, double x)
{
	if (x <= 0)
		return -INFINITY;
	if (x >= 1)
		return 0;
	double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return lbt + log(betacf(a, b, x)) - log(a);
	double q = exp(lbt + log(betacf(b, a, 1 - x)) - log(b));
	return q >= 1 ? -INFINITY : log1p(-q);
}

double stats_binom_sf_log(uint64_t k, uint64_t n, double p)
{
	if (k == 0)
		return 0;
	if (k > n || p <= 0)
		return -INFINITY;
	if (p >= 1)
		return 0;
	return stats_ibeta_log((double)k, (double)(n - k + 1), p);
}

double stats_gamma_q(double a, double x)
{
	if (x <= 0)
		return 1;
	double gln = lgamma(a);
	if (x < a + 1) {
		double ap = a, sum = 1 / a, del = sum;
		for (int i = 0; i < STATS_MAXIT; i++) {
			ap += 1;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * STATS_EPS)
				break;
		}
		double pp = sum * exp(-x + a * log(x) - gln);
		return pp >= 1 ? 0 : 1 - pp;
	}
	double b = x + 1 - a, c = 1 / STATS_TINY, d = 1 / b, h = d;
	for (int i = 1; i <= STATS_MAXIT; i++) {
		double an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < STATS_TINY)
			d = STATS_TINY;
		c = b + an / c;
		if (fabs(c) < STATS_TINY)
			c = STATS_TINY;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < STATS_EPS)
			break;
	}
	return exp(-x + a * log(x) - gln) * h;
}

double stats_chi2_sf(double x, double df)
{
	return stats_gamma_q(df / 2, x / 2);
}

double stats_ks_pvalue(double d, size_t n)
{
	if (n == 0 || d <= 0)
		return 1;
	double sn = sqrt((double)n);
	double t = (sn + 0.12 + 0.11 / sn) * d;
	if (t < 0.2)
		return 1;  /* the series has not converged; P is within 1e-15 of 1 */
	double sum = 0, sign = 1;
	for (int j = 1; j <= 100; j++) {
		double term = sign * exp(-2.0 * j * j * t * t);
		sum += term;
		if (fabs(term) <= 1e-12 * fabs(sum) || fabs(term) <= 1e-300)
			break;
		sign = -sign;
	}
	double p = 2 * sum;
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

struct holm_item {
	double lp;
	size_t i;
};

static int by_lp(const void *a, const void *b)
{
	const struct holm_item *x = a, *y = b;
	return x->lp < y->lp ? -1 : x->lp > y->lp ? 1 : (x->i > y->i) - (x->i < y->i);
}

int stats_holm_log(const double *lp, double *out, size_t m)
{
	if (m == 0)
		return 0;
	struct holm_item *it = malloc(m * sizeof *it);
	if (!it)
		return -1;
	for (size_t i = 0; i < m; i++)
		it[i] = (struct holm_item){ lp[i], i };
	qsort(it, m, sizeof *it, by_lp);
	double run = -INFINITY;
	for (size_t j = 0; j < m; j++) {
		double adj = log((double)(m - j)) + it[j].lp;
		if (adj > run)
			run = adj;
		out[it[j].i] = run > 0 ? 0 : run;
	}
	free(it);
	return 0;
}

void stats_p_str(double lp, char *buf, size_t len)
{
	if (lp == -INFINITY) {
		snprintf(buf, len, "0");
		return;
	}
	if (lp >= log(0.001)) {
		double p = exp(lp);
		snprintf(buf, len, p >= 0.995 ? "1" : p >= 0.01 ? "%.2f" : "%.3f", p);
		return;
	}
	double l10 = lp / log(10.0);
	double e = floor(l10);
	double mant = pow(10.0, l10 - e);
	if (mant >= 9.95) {
		mant = 1;
		e += 1;
	}
	snprintf(buf, len, "%.1fe%.0f", mant, e);
}
