/*
 * ports_text.c - the port findings as plain sentences with their numbers
 * (`botlens ports`): per protocol the random-port range and its fit, the
 * services kept apart, the dense bands and what lies outside them.
 */
#include <math.h>
#include <string.h>

#include "analysis/stats.h"
#include "render/ports_out.h"

const char *ports_dir_text(enum contacts_dir d)
{
	return d == CONTACTS_OUT ? "outbound" : d == CONTACTS_IN ? "inbound" : "in and out";
}

const char *ports_proto_text(uint8_t proto)
{
	return proto == 6 ? "TCP" : "UDP";
}

static void services_text(FILE *f, const struct ports_proto *pp)
{
	fprintf(f, "  services (kept apart):");
	size_t shown = pp->nservices < 8 ? pp->nservices : 8;
	for (size_t i = 0; i < shown; i++) {
		const struct ports_service *s = &pp->services[i];
		fprintf(f, "%s %u%s%s (%llu flow%s, %llu peer%s)", i ? "," : "", s->port,
			s->name ? " " : "", s->name ? s->name : " repeated", (unsigned long long)s->flows,
			s->flows == 1 ? "" : "s", (unsigned long long)s->peers, s->peers == 1 ? "" : "s");
	}
	if (pp->nservices > shown)
		fprintf(f, " and %zu more", pp->nservices - shown);
	fprintf(f, "%s\n", pp->nservices ? "" : " none");
}

static void band_text(FILE *f, const struct ports_proto *pp, const struct ports_band *b)
{
	char p[32], raw[32];
	stats_p_str(b->lp, p, sizeof p);
	stats_p_str(b->lp_raw, raw, sizeof raw);
	const struct ports_range *r = &pp->range;
	double frac = (double)(b->hi - b->lo + 1) / ((double)r->max - r->min + 1);
	fprintf(f, "  dense band %u–%u: %llu of %llu random endpoints (%.1f %%) in %.1f %% of the "
		   "active range %u–%u, %.1f× the density of the rest; binomial tail against a "
		   "uniform baseline p = %s (Holm-corrected over %zu windows; uncorrected %s); %llu flows\n",
		b->lo, b->hi, (unsigned long long)b->endpoints, (unsigned long long)pp->random_endpoints,
		100 * b->share, 100 * frac, r->min, r->max, b->ratio, p, pp->windows, raw,
		(unsigned long long)b->flows);
}

static void range_text(FILE *f, const struct ports_proto *pp)
{
	const struct ports_range *r = &pp->range;
	char ks[32], chi[32];
	stats_p_str(r->ks_lp, ks, sizeof ks);
	stats_p_str(r->chi2_lp, chi, sizeof chi);
	long lo = lround(r->lo_hat < 0 ? 0 : r->lo_hat), hi = lround(r->hi_hat > 65535 ? 65535 : r->hi_hat);
	bool uniform = r->ks_lp > log(PORTS_ALPHA);
	fprintf(f, "%s destination ports of %llu peers: %s on %ld–%ld (p = %s)", ports_proto_text(pp->proto),
		(unsigned long long)r->n, uniform ? "uniform" : "not uniform", lo, hi, ks);
	if (r->model_fits)
		fprintf(f, ", consistent with rand() %% %u + %u", r->model_mod, r->model_lo);
	for (size_t b = 0; b < pp->nbands; b++)
		fprintf(f, "%s %.0f %% of them in a dense band at %u–%u", b ? " and" : ":",
			100 * pp->bands[b].share, pp->bands[b].lo, pp->bands[b].hi);
	if (r->rest_valid) {
		char rp[32];
		stats_p_str(r->rest_ks_lp, rp, sizeof rp);
		fprintf(f, "; outside it %s (p = %s)", r->rest_ks_lp > log(PORTS_ALPHA) ? "uniform" : "not uniform", rp);
	}
	fprintf(f, "\n  random ports: observed %u–%u in %llu endpoints (%llu flows); bounds by the "
		   "MVUE min − (max−min)/(n−1), max + (max−min)/(n−1), ± %.0f each; "
		   "Kolmogorov-Smirnov D = %.4f on the %llu interior points (p = %s), chi-square %.1f on "
		   "%.0f df (p = %s)\n",
		r->min, r->max, (unsigned long long)r->n, (unsigned long long)pp->random_flows, r->se,
		r->ks_d, (unsigned long long)(r->n - 2), ks, r->chi2, r->chi2_df, chi);
}

static void proto_text(FILE *f, const struct ports_proto *pp)
{
	if (!pp->flows)
		return;
	const struct ports_range *r = &pp->range;
	if (r->valid) {
		range_text(f, pp);
	} else {
		fprintf(f, "%s destination ports of %llu peers: %s\n", ports_proto_text(pp->proto),
			(unsigned long long)pp->peers,
			pp->random_endpoints ? "too few random ports to estimate a range (fewer than 8 endpoints)"
					     : "services only, no random ports");
	}
	fprintf(f, "  %llu flows, %llu peers, %llu distinct (peer, port) endpoints\n",
		(unsigned long long)pp->flows, (unsigned long long)pp->peers,
		(unsigned long long)pp->endpoints);
	services_text(f, pp);
	for (size_t b = 0; b < pp->nbands; b++)
		band_text(f, pp, &pp->bands[b]);
	if (r->valid && !pp->nbands)
		fprintf(f, "  dense bands: none (%zu windows tested, binomial tail, Holm-corrected at %g)\n",
			pp->windows, PORTS_BAND_ALPHA);
	if (r->rest_valid) {
		char p[32];
		stats_p_str(r->rest_ks_lp, p, sizeof p);
		fprintf(f, "  outside the band%s: %llu endpoints, %s (KS D = %.4f, p = %s)\n",
			pp->nbands > 1 ? "s" : "", (unsigned long long)r->rest_n,
			r->rest_ks_lp > log(PORTS_ALPHA) ? "uniform" : "not uniform", r->rest_ks_d, p);
	}
}

/*
 * The finding of one protocol in plain words, before the statistics: which
 * services, whether the other ports look like random draws and from where,
 * and whether part of the range is crowded.
 */
static void plain_text(FILE *f, const struct ports_proto *pp)
{
	if (!pp->flows)
		return;
	const struct ports_range *r = &pp->range;
	fprintf(f, "  %s: ", ports_proto_text(pp->proto));
	size_t shown = pp->nservices < 3 ? pp->nservices : 3;
	if (shown) {
		fputs("services", f);
		for (size_t i = 0; i < shown; i++)
			fprintf(f, "%s %s%s%u", i ? "," : "", pp->services[i].name ? pp->services[i].name : "",
				pp->services[i].name ? " " : "port ", pp->services[i].port);
		if (pp->nservices > shown)
			fprintf(f, " and %zu more", pp->nservices - shown);
	}
	if (!r->valid) {
		fprintf(f, "%s%s.\n", shown ? "; " : "",
			pp->random_endpoints ? "too few other ports to tell how they were chosen" : "no other ports");
		return;
	}
	long lo = lround(r->lo_hat < 0 ? 0 : r->lo_hat), hi = lround(r->hi_hat > 65535 ? 65535 : r->hi_hat);
	bool uniform = r->ks_lp > log(PORTS_ALPHA);
	fprintf(f, "%sthe other ports %s between about %ld and %ld", shown ? "; " : "",
		uniform ? "look drawn at random" : "are spread, not evenly,", lo, hi);
	if (r->model_fits)
		fprintf(f, " (as rand() %% %u + %u would give)", r->model_mod, r->model_lo);
	for (size_t b = 0; b < pp->nbands; b++)
		fprintf(f, "%s %.0f %% of them fall in %u–%u, far more than chance", b ? " and" : ";",
			100 * pp->bands[b].share, pp->bands[b].lo, pp->bands[b].hi);
	fputs(".\n", f);
}

void ports_render_text(FILE *f, const struct ports_view *v)
{
	if (!v->host[0]) {
		fprintf(f, "%s: no flows, nothing to analyse\n", v->file);
		return;
	}
	fprintf(f, "%s, host %s, %s contacts: %zu%s\n", v->file, v->host, ports_dir_text(v->dir), v->n,
		v->dir != v->asked ? " (no outbound TCP/UDP contacts: both directions)" : "");
	fputs("In short:\n", f);
	for (int i = 0; i < 2; i++)
		plain_text(f, &v->rep->p[i]);
	fputs("The statistics:\n", f);
	for (int i = 0; i < 2; i++)
		proto_text(f, &v->rep->p[i]);
}
