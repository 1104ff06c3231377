/*
 * test_ports.c - the statistics (binomial tail, incomplete gamma, KS,
 * Holm) against known values, and the port analysis on contacts with a
 * known truth: a uniform range, a dense band, services, nothing.
 */
#include <math.h>
#include <stdlib.h>

#include "analysis/ports.h"
#include "analysis/stats.h"
#include "harness.h"

#define NEAR(a, b, tol) (fabs((double)(a) - (double)(b)) <= (tol))

static struct host hosts[4096];  /* peers: only their addresses (pointers) matter */
static struct host me;

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t lo, uint32_t hi)  /* xorshift64, uniform on [lo, hi] */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return lo + (uint32_t)(rng % ((uint64_t)hi - lo + 1));
}

static size_t add(struct contact *v, size_t n, size_t peer, uint16_t port, uint8_t proto)
{
	v[n] = (struct contact){ .t = (float)n, .port = port, .proto = proto, .weight = 1,
				 .src = &me, .dst = &hosts[peer] };
	return n + 1;
}

static void test_stats(void)
{
	TEST("binomial tail");
	CHECK(NEAR(exp(stats_binom_sf_log(8, 10, 0.5)), 56.0 / 1024, 1e-12));
	CHECK(NEAR(exp(stats_binom_sf_log(1, 10, 0.5)), 1 - 1.0 / 1024, 1e-12));
	CHECK(stats_binom_sf_log(0, 10, 0.3) == 0);
	CHECK(stats_binom_sf_log(11, 10, 0.3) == -INFINITY);
	/* P(X >= 1000 | n = 1000, p = 0.5) = 2^-1000: far below double's range, exact in logs */
	CHECK(NEAR(stats_binom_sf_log(1000, 1000, 0.5), -1000 * log(2.0), 1e-6));
	TEST("chi-square and gamma");
	CHECK(NEAR(stats_chi2_sf(3.841458820694124, 1), 0.05, 1e-9));
	CHECK(NEAR(stats_chi2_sf(18.307038053275146, 10), 0.05, 1e-9));
	CHECK(NEAR(stats_gamma_q(1, 2), exp(-2.0), 1e-12));
	TEST("Kolmogorov-Smirnov");
	/* the classic 5 % critical value 1.358/sqrt(n) for large n */
	CHECK(NEAR(stats_ks_pvalue(1.358 / sqrt(10000.0), 10000), 0.05, 0.002));
	CHECK(stats_ks_pvalue(0.001, 100) == 1);
	CHECK(stats_ks_pvalue(0.5, 100) < 1e-20);
	TEST("Holm");
	double lp[4] = { log(0.01), log(0.04), log(0.03), log(0.5) }, adj[4];
	CHECK(stats_holm_log(lp, adj, 4) == 0);
	CHECK(NEAR(exp(adj[0]), 0.04, 1e-12));   /* 4 x 0.01 */
	CHECK(NEAR(exp(adj[2]), 0.09, 1e-12));   /* 3 x 0.03 */
	CHECK(NEAR(exp(adj[1]), 0.09, 1e-12));   /* max(2 x 0.04, 0.09): monotone */
	CHECK(NEAR(exp(adj[3]), 0.5, 1e-12));
	char buf[32];
	stats_p_str(log(0.41), buf, sizeof buf);
	CHECK_STR(buf, "0.41");
	stats_p_str(-1000 * log(10.0), buf, sizeof buf);
	CHECK_STR(buf, "1.0e-1000");
}

static void test_uniform_range(void)
{
	TEST("uniform 1024-33791: range, fit, no band, services apart");
	static struct contact v[8192];
	size_t n = 0;
	for (size_t i = 0; i < 600; i++)
		n = add(v, n, i, (uint16_t)rnd(1024, 33791), 17);
	for (size_t i = 0; i < 150; i++)
		n = add(v, n, 4000, 53, 17);  /* one resolver, many queries */
	n = add(v, n, 4001, 123, 17);
	struct ports_report r;
	CHECK(ports_analyze(v, n, &me, &r) == 0);
	const struct ports_proto *u = &r.p[1];
	CHECK_EQ_U(u->flows, 751);
	CHECK_EQ_U(u->nservices, 2);
	CHECK_EQ_U(u->services[0].port, 53);
	CHECK_EQ_U(u->random_endpoints, 600);
	CHECK(u->range.valid);
	CHECK(NEAR(u->range.lo_hat, 1024, 0.02 * 32768));
	CHECK(NEAR(u->range.hi_hat, 33791, 0.02 * 32768));
	CHECK(u->range.ks_lp > log(PORTS_ALPHA));
	CHECK(u->range.model_fits && u->range.model_mod == 32768 && u->range.model_lo == 1024);
	CHECK_EQ_U(u->nbands, 0);
	CHECK(r.p[0].flows == 0);
	ports_report_free(&r);
}

static void test_band(void)
{
	TEST("band 50000-51000 over the full range");
	static struct contact v[8192];
	size_t n = 0;
	for (size_t i = 0; i < 500; i++)
		n = add(v, n, i, (uint16_t)rnd(1, 65535), 17);
	for (size_t i = 500; i < 800; i++)
		n = add(v, n, i, (uint16_t)rnd(50000, 51000), 17);
	struct ports_report r;
	CHECK(ports_analyze(v, n, &me, &r) == 0);
	const struct ports_proto *u = &r.p[1];
	CHECK_EQ_U(u->nbands, 1);
	CHECK(NEAR(u->bands[0].lo, 50000, 20) && NEAR(u->bands[0].hi, 51000, 20));
	CHECK(u->bands[0].lp < log(1e-50));
	CHECK(u->bands[0].ratio > 10);
	CHECK(u->range.ks_lp < log(PORTS_ALPHA));      /* the whole is not uniform */
	CHECK(u->range.rest_valid && u->range.rest_ks_lp > log(PORTS_ALPHA));  /* the rest is */
	ports_report_free(&r);

	TEST("repeated contacts of one peer are one endpoint");
	n = 0;
	for (size_t i = 0; i < 200; i++)
		n = add(v, n, i, (uint16_t)rnd(1024, 65535), 6);
	for (size_t i = 0; i < 300; i++)
		n = add(v, n, 7, 40000, 6);  /* one peer retried: not a band */
	CHECK(ports_analyze(v, n, &me, &r) == 0);
	CHECK_EQ_U(r.p[0].nbands, 0);
	ports_report_free(&r);
}

static void test_empty(void)
{
	TEST("no contacts");
	struct ports_report r;
	CHECK(ports_analyze(NULL, 0, &me, &r) == 0);
	CHECK(r.p[0].flows == 0 && r.p[1].flows == 0 && !r.p[1].range.valid);
	ports_report_free(&r);
	TEST("histogram");
	struct contact v[3] = { { .port = 0, .proto = 6, .weight = 1 }, { .port = 65535, .proto = 6, .weight = 2 },
				{ .port = 100, .proto = 17, .weight = 1 } };
	uint64_t c[64] = { 0 };
	ports_hist(v, 3, 6, 0, 65535, 1024, c);
	CHECK_EQ_U(c[0], 1);
	CHECK_EQ_U(c[63], 2);
}

int main(void)
{
	test_stats();
	test_uniform_range();
	test_band();
	test_empty();
	return harness_report("ports");
}
