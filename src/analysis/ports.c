/*
 * ports.c - services, random-port range and dense bands of one host's
 * destination ports (see ports.h).
 *
 * Method, per protocol:
 *  1. Endpoints: distinct (peer, port) pairs of the contacts.
 *  2. Services: a port in the well-known table below 1024, or above it
 *     with at least 2 peers or 3 flows (a random draw rarely repeats);
 *     or any port shared by at least max(3, 1 % of the peers) peers (a
 *     uniform draw over thousands of ports almost never gives that).
 *  3. Random ports: the other endpoints, one sample each.  With n samples,
 *     minimum m and maximum M, the minimum-variance unbiased estimators
 *     of the bounds of a uniform on [a, b] are
 *         a^ = m - (M - m) / (n - 1),    b^ = M + (M - m) / (n - 1)
 *     (the two-sided German-tank estimators: E[m] = a + R/(n+1),
 *     E[M] = b - R/(n+1) with R = b - a; exact for the continuous
 *     uniform, within O(1/R) for the discrete one), each with standard
 *     error R sqrt(n / ((n-1)(n+1)(n+2))).
 *     Uniformity: given m and M, the other n - 2 samples are iid uniform
 *     on (m, M), so they are tested against U(m, M) by Kolmogorov-Smirnov
 *     (and Pearson's chi-square on equal bins).
 *  4. Bands: windows of width R/4, R/8, ... (>= 16 ports), step half a
 *     width, over the active range [m, M].  Window count k of n samples
 *     is tested by the binomial tail P(X >= k), X ~ Bin(n, w/R), against
 *     the uniform baseline; Holm's correction over all windows keeps the
 *     family-wise error at PORTS_BAND_ALPHA.  Significant windows with at
 *     least twice the baseline density merge into regions; each region
 *     is refined to the interval of observed ports that maximises the
 *     binomial log-likelihood ratio (Kulldorff's scan statistic).  The
 *     reported p-value is the best Holm-adjusted window p in the region
 *     (honest: the refined interval was chosen after seeing the data).
 *     The refined bounds are then widened by the MVUE above, the band's
 *     endpoints being uniform inside it.
 */
#include "analysis/ports.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"

static const struct { uint16_t port; const char *name; } services[] = {
	{ 20, "ftp-data" }, { 21, "ftp" }, { 22, "ssh" }, { 23, "telnet" }, { 25, "smtp" },
	{ 53, "dns" }, { 67, "dhcp" }, { 68, "dhcp" }, { 69, "tftp" }, { 80, "http" },
	{ 88, "kerberos" }, { 110, "pop3" }, { 123, "ntp" }, { 135, "msrpc" },
	{ 137, "netbios-ns" }, { 138, "netbios-dgm" }, { 139, "netbios" }, { 143, "imap" },
	{ 161, "snmp" }, { 389, "ldap" }, { 443, "https" }, { 445, "smb" }, { 465, "smtps" },
	{ 500, "isakmp" }, { 514, "syslog" }, { 587, "submission" }, { 993, "imaps" },
	{ 995, "pop3s" }, { 1080, "socks" }, { 1433, "mssql" }, { 1900, "ssdp" },
	{ 3128, "proxy" }, { 3306, "mysql" }, { 3389, "rdp" }, { 5353, "mdns" },
	{ 5355, "llmnr" }, { 6667, "irc" }, { 8080, "http-alt" },
};
#define NSERVICES (sizeof services / sizeof *services)

const char *ports_service_name(uint16_t port)
{
	for (size_t i = 0; i < NSERVICES; i++)
		if (services[i].port == port)
			return services[i].name;
	return NULL;
}

size_t ports_service_list(uint16_t *out, size_t max)
{
	size_t n = NSERVICES < max ? NSERVICES : max;
	for (size_t i = 0; i < n; i++)
		out[i] = services[i].port;
	return n;
}

void ports_hist(const struct contact *v, size_t n, uint8_t proto, unsigned lo, unsigned hi,
		unsigned bin, uint64_t *counts)
{
	if (!bin)
		return;
	for (size_t i = 0; i < n; i++)
		if (v[i].proto == proto && v[i].port >= lo && v[i].port <= hi)
			counts[(v[i].port - lo) / bin] += v[i].weight;
}

/* ---- endpoints and services ---- */

struct ent {
	uint16_t port;
	uint32_t weight;
	const struct host *peer;
};

static int by_port_peer(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return (x->peer > y->peer) - (x->peer < y->peer);
}

static int by_ptr(const void *a, const void *b)
{
	const struct host *x = *(const struct host *const *)a, *y = *(const struct host *const *)b;
	return (x > y) - (x < y);
}

static int by_flows(const void *a, const void *b)
{
	const struct ports_service *x = a, *y = b;
	if (x->flows != y->flows)
		return x->flows < y->flows ? 1 : -1;
	return x->port - y->port;
}

static uint64_t count_peers(const struct ent *e, size_t n)
{
	const struct host **p = malloc((n ? n : 1) * sizeof *p);
	if (!p)
		return 0;
	for (size_t i = 0; i < n; i++)
		p[i] = e[i].peer;
	qsort(p, n, sizeof *p, by_ptr);
	uint64_t d = 0;
	for (size_t i = 0; i < n; i++)
		d += i == 0 || p[i] != p[i - 1];
	free(p);
	return d;
}

static bool is_service(uint16_t port, uint64_t flows, uint64_t peers, uint64_t all_peers)
{
	if (ports_service_name(port) && (port < 1024 || peers >= 2 || flows >= 3))
		return true;
	uint64_t need = all_peers / 100 > 3 ? all_peers / 100 : 3;
	return peers >= need;
}

/*
 * Walks the entries sorted by (port, peer): fills the services and the
 * random samples (one per random endpoint, ascending).  Returns 0 or -1.
 */
static int split(struct ports_proto *pp, const struct ent *e, size_t n, uint16_t *xs, size_t *nx)
{
	*nx = 0;
	pp->peers = count_peers(e, n);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		uint64_t flows = 0, peers = 0;
		for (; j < n && e[j].port == e[i].port; j++) {
			flows += e[j].weight;
			peers += j == i || e[j].peer != e[j - 1].peer;
		}
		pp->endpoints += peers;
		if (is_service(e[i].port, flows, peers, pp->peers)) {
			struct ports_service *ns = realloc(pp->services, (pp->nservices + 1) * sizeof *ns);
			if (!ns)
				return -1;
			pp->services = ns;
			ns[pp->nservices++] = (struct ports_service){ e[i].port, ports_service_name(e[i].port), flows, peers };
		} else {
			pp->random_flows += flows;
			pp->random_endpoints += peers;
			for (uint64_t k = 0; k < peers; k++)
				xs[(*nx)++] = e[i].port;
		}
		i = j;
	}
	if (pp->nservices)
		qsort(pp->services, pp->nservices, sizeof *pp->services, by_flows);
	return 0;
}

/* ---- range and uniformity ---- */

static double ks_stat(const double *u, size_t n)
{
	double d = 0;
	for (size_t i = 0; i < n; i++) {
		double lo = u[i] - (double)i / (double)n, hi = (double)(i + 1) / (double)n - u[i];
		if (lo > d)
			d = lo;
		if (hi > d)
			d = hi;
	}
	return d;
}

static void chi2_uniform(struct ports_range *r, const double *u, size_t n)
{
	size_t kb = n / 10;
	kb = kb < 4 ? 4 : kb > 64 ? 64 : kb;
	uint64_t obs[64] = { 0 };
	for (size_t i = 0; i < n; i++) {
		size_t b = (size_t)(u[i] * (double)kb);
		obs[b >= kb ? kb - 1 : b]++;
	}
	double e = (double)n / (double)kb, x = 0;
	for (size_t b = 0; b < kb; b++)
		x += ((double)obs[b] - e) * ((double)obs[b] - e) / e;
	r->chi2 = x;
	r->chi2_df = (double)(kb - 1);
	double p = stats_chi2_sf(x, r->chi2_df);
	r->chi2_lp = p > 0 ? log(p) : -INFINITY;
}

/* A power-of-two width and a round lower bound that fit the estimates. */
static void range_model(struct ports_range *r)
{
	/* round lower bounds (programmers write rand() % N + 1024, not + 1025) */
	static const uint32_t los[] = { 0, 1024, 2048, 4096, 5000, 10000, 32768, 49152 };
	double width = r->hi_hat - r->lo_hat + 1;
	if (width < 2)
		return;
	uint32_t mod = (uint32_t)1 << (int)lround(log2(width));
	double tol = 3 * r->se > 0.02 * mod ? 3 * r->se : 0.02 * mod;
	if (fabs(width - mod) > tol)
		return;
	double best = tol + 1;
	uint32_t lo = 0;
	for (size_t i = 0; i < sizeof los / sizeof *los; i++)
		if (fabs(r->lo_hat - los[i]) < best) {
			best = fabs(r->lo_hat - los[i]);
			lo = los[i];
		}
	if (best > tol) {
		lo = (uint32_t)(lround(r->lo_hat / 1024.0) * 1024);
		if (fabs(r->lo_hat - lo) > tol)
			return;
	}
	if (lo + mod - 1 > 65535 + tol)
		return;
	r->model_fits = r->ks_lp > log(PORTS_ALPHA);
	r->model_mod = mod;
	r->model_lo = lo;
}

static int range_fit(struct ports_range *r, const uint16_t *xs, size_t n)
{
	if (n < PORTS_MIN_RANDOM)
		return 0;
	r->valid = true;
	r->n = n;
	r->min = xs[0];
	r->max = xs[n - 1];
	double R = (double)r->max - r->min, dn = (double)n;
	r->lo_hat = r->min - R / (dn - 1);
	r->hi_hat = r->max + R / (dn - 1);
	r->se = R * sqrt(dn / ((dn - 1) * (dn + 1) * (dn + 2)));
	if (R <= 0) {
		r->ks_lp = r->chi2_lp = -INFINITY;
		return 0;
	}
	double *u = malloc((n - 2) * sizeof *u);
	if (!u)
		return -1;
	for (size_t i = 1; i + 1 < n; i++)
		u[i - 1] = ((double)xs[i] - r->min) / R;
	r->ks_d = ks_stat(u, n - 2);
	double p = stats_ks_pvalue(r->ks_d, n - 2);
	r->ks_lp = p > 0 ? log(p) : -INFINITY;
	chi2_uniform(r, u, n - 2);
	free(u);
	range_model(r);
	return 0;
}

/* KS of the samples outside the bands against a uniform on the range minus the bands. */
static int range_rest(struct ports_proto *pp, const uint16_t *xs, size_t n)
{
	struct ports_range *r = &pp->range;
	double total = (double)r->max - r->min + 1;
	for (size_t b = 0; b < pp->nbands; b++)
		total -= pp->bands[b].hi - pp->bands[b].lo + 1;
	double *u = malloc((n ? n : 1) * sizeof *u);
	if (!u)
		return -1;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		double pos = (double)xs[i] - r->min + 0.5;
		bool in = false;
		for (size_t b = 0; b < pp->nbands && !in; b++) {
			if (xs[i] >= pp->bands[b].lo && xs[i] <= pp->bands[b].hi)
				in = true;
			else if (xs[i] > pp->bands[b].hi)
				pos -= pp->bands[b].hi - pp->bands[b].lo + 1;
		}
		if (!in)
			u[m++] = pos / total;
	}
	if (m >= PORTS_MIN_RANDOM && total > 1) {
		r->rest_valid = true;
		r->rest_n = m;
		r->rest_ks_d = ks_stat(u, m);
		double p = stats_ks_pvalue(r->rest_ks_d, m);
		r->rest_ks_lp = p > 0 ? log(p) : -INFINITY;
	}
	free(u);
	return 0;
}

/* ---- dense bands ---- */

struct window {
	uint32_t lo, hi;   /* inclusive port bounds */
	uint64_t k;
	double lp, adj, ratio;
};

static size_t lower_bound(const uint16_t *xs, size_t n, uint32_t v)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (xs[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t count_in(const uint16_t *xs, size_t n, uint32_t lo, uint32_t hi)
{
	return lower_bound(xs, n, hi + 1) - lower_bound(xs, n, lo);
}

/* All windows of widths R/4, R/8, ... >= 16, step half a width. NULL when out of memory. */
static struct window *make_windows(const uint16_t *xs, size_t n, size_t *nw)
{
	uint32_t mn = xs[0], mx = xs[n - 1], R = mx - mn + 1;
	size_t cap = 0, cnt = 0;
	struct window *w = NULL;
	for (uint32_t wd = R / 4; wd >= 16; wd /= 2) {
		uint32_t step = wd / 2;
		for (uint32_t s = mn;; s += step) {
			if (s + wd - 1 > mx)
				s = mx - wd + 1;  /* the last window ends at the range's end */
			if (cnt == cap) {
				cap = cap ? cap * 2 : 256;
				struct window *nv = realloc(w, cap * sizeof *nv);
				if (!nv) {
					free(w);
					return NULL;
				}
				w = nv;
			}
			uint64_t k = count_in(xs, n, s, s + wd - 1);
			double p0 = (double)wd / R;
			w[cnt++] = (struct window){ s, s + wd - 1, k, stats_binom_sf_log(k, n, p0), 0,
						    ((double)k / n) / p0 };
			if (s + wd - 1 >= mx)
				break;
		}
	}
	*nw = cnt;
	return w ? w : malloc(1);
}

/* Binomial log-likelihood ratio of k of n samples in a fraction q of the range. */
static double llr(double k, double n, double q)
{
	if (k <= n * q || q <= 0 || q >= 1)
		return 0;
	double v = k * log(k / (n * q));
	if (n > k)
		v += (n - k) * log((n - k) / (n * (1 - q)));
	return v;
}

/* Refines region [lo, hi] to the interval of observed ports with the largest LLR. */
static void refine(const uint16_t *xs, size_t n, uint32_t lo, uint32_t hi, struct ports_band *b)
{
	size_t i0 = lower_bound(xs, n, lo), i1 = lower_bound(xs, n, hi + 1);
	double R = (double)xs[n - 1] - xs[0] + 1, best = -1;
	size_t step = (i1 - i0) / 1500 + 1;
	b->lo = (uint16_t)lo;
	b->hi = (uint16_t)hi;
	for (size_t a = i0; a < i1; a += step)
		for (size_t c = a; c < i1; c += step) {
			double W = (double)xs[c] - xs[a] + 1;
			double v = llr((double)(c - a + 1), (double)n, W / R);
			if (v > best) {
				best = v;
				b->lo = xs[a];
				b->hi = xs[c];
			}
		}
}

/*
 * The band's own bounds: its k endpoints are taken as uniform inside it,
 * so the refined [a, b] (their min and max) is widened by the same MVUE
 * as the range: a - (b - a)/(k - 1), b + (b - a)/(k - 1).
 */
static void band_widen(struct ports_band *b, const uint16_t *xs, size_t n)
{
	size_t k = count_in(xs, n, b->lo, b->hi);
	if (k < 2)
		return;
	double ext = ((double)b->hi - b->lo) / (double)(k - 1);
	double lo = round(b->lo - ext), hi = round(b->hi + ext);
	b->lo = (uint16_t)(lo < xs[0] ? xs[0] : lo);
	b->hi = (uint16_t)(hi > xs[n - 1] ? xs[n - 1] : hi);
}

static void band_stats(struct ports_band *b, const uint16_t *xs, size_t n)
{
	double R = (double)xs[n - 1] - xs[0] + 1, W = (double)b->hi - b->lo + 1;
	b->endpoints = count_in(xs, n, b->lo, b->hi);
	b->share = (double)b->endpoints / (double)n;
	double rest = R - W > 0 ? (double)(n - b->endpoints) / (R - W) : 0;
	b->ratio = rest > 0 ? ((double)b->endpoints / W) / rest : INFINITY;
}

static int by_lo(const void *a, const void *b)
{
	const struct window *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

static int find_bands(struct ports_proto *pp, const uint16_t *xs, size_t n)
{
	if (n < 20 || xs[n - 1] - xs[0] < 64)
		return 0;
	size_t nw;
	struct window *w = make_windows(xs, n, &nw);
	if (!w)
		return -1;
	double *lp = malloc((nw ? nw : 1) * sizeof *lp), *adj = malloc((nw ? nw : 1) * sizeof *adj);
	if (!lp || !adj) {
		free(lp), free(adj), free(w);
		return -1;
	}
	for (size_t i = 0; i < nw; i++)
		lp[i] = w[i].lp;
	if (stats_holm_log(lp, adj, nw)) {
		free(lp), free(adj), free(w);
		return -1;
	}
	size_t ns = 0;
	for (size_t i = 0; i < nw; i++)
		if (adj[i] < log(PORTS_BAND_ALPHA) && w[i].ratio >= 2 && w[i].k >= 5) {
			w[i].adj = adj[i];
			w[ns++] = w[i];
		}
	pp->windows = nw;
	qsort(w, ns, sizeof *w, by_lo);
	for (size_t i = 0; i < ns && pp->nbands < PORTS_MAX_BANDS;) {
		uint32_t lo = w[i].lo, hi = w[i].hi;
		double best = w[i].adj, raw = w[i].lp;
		size_t j = i + 1;
		for (; j < ns && w[j].lo <= hi + 1; j++) {
			hi = w[j].hi > hi ? w[j].hi : hi;
			if (w[j].adj < best)
				best = w[j].adj, raw = w[j].lp;
		}
		struct ports_band *b = &pp->bands[pp->nbands++];
		refine(xs, n, lo, hi, b);
		band_widen(b, xs, n);
		band_stats(b, xs, n);
		b->lp = best;
		b->lp_raw = raw;
		i = j;
	}
	free(lp), free(adj), free(w);
	return 0;
}

/* ---- the analysis ---- */

static int analyze_proto(struct ports_proto *pp, const struct contact *v, size_t n,
			 const struct host *h)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		m += v[i].proto == pp->proto;
	if (!m)
		return 0;
	struct ent *e = malloc(m * sizeof *e);
	uint16_t *xs = malloc(m * sizeof *xs);
	int rc = -1;
	if (!e || !xs)
		goto out;
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].proto == pp->proto) {
			e[j++] = (struct ent){ v[i].port, v[i].weight, v[i].src == h ? v[i].dst : v[i].src };
			pp->flows += v[i].weight;
		}
	qsort(e, m, sizeof *e, by_port_peer);
	size_t nx;
	if (split(pp, e, m, xs, &nx) || range_fit(&pp->range, xs, nx) || find_bands(pp, xs, nx))
		goto out;
	for (size_t b = 0; b < pp->nbands; b++)
		for (size_t i = 0; i < m; i++)
			if (e[i].port >= pp->bands[b].lo && e[i].port <= pp->bands[b].hi)
				pp->bands[b].flows += e[i].weight;
	rc = pp->nbands && pp->range.valid ? range_rest(pp, xs, nx) : 0;
out:
	free(e);
	free(xs);
	return rc;
}

int ports_analyze(const struct contact *v, size_t n, const struct host *h, struct ports_report *rep)
{
	memset(rep, 0, sizeof *rep);
	rep->p[0].proto = 6;
	rep->p[1].proto = 17;
	for (int i = 0; i < 2; i++)
		if (analyze_proto(&rep->p[i], v, n, h)) {
			ports_report_free(rep);
			return -1;
		}
	return 0;
}

void ports_report_free(struct ports_report *rep)
{
	for (int i = 0; i < 2; i++) {
		free(rep->p[i].services);
		rep->p[i].services = NULL;
		rep->p[i].nservices = 0;
	}
}
