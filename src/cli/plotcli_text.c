/*
 * plotcli_text.c - the port findings as plain sentences with their
 * numbers, as JSON fields, and as plot annotations.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "cli/plotcli.h"
#include "util/utf8.h"

static json_object *jstr(const char *s) { return utf8_json_string(s); }

static const char *proto_name(uint8_t proto)
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
	fprintf(f, "%s destination ports of %llu peers: %s on %ld–%ld (p = %s)", proto_name(pp->proto),
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
		fprintf(f, "%s destination ports of %llu peers: %s\n", proto_name(pp->proto),
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

void plotcli_ports_text(FILE *f, const struct plotcli_panel *pp, enum contacts_dir d)
{
	if (!pp->host[0]) {
		fprintf(f, "%s: no flows, nothing to analyse\n", pp->file);
		return;
	}
	fprintf(f, "%s, host %s, %s contacts: %zu%s\n", pp->file, pp->host, plotcli_dir_text(pp->dir), pp->n,
		pp->dir != d ? " (no outbound TCP/UDP contacts: both directions)" : "");
	for (int i = 0; i < 2; i++)
		proto_text(f, &pp->rep.p[i]);
}

/* ---- JSON ---- */

static void jnum(json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, isfinite(v) ? json_object_new_double(v) : NULL);
}

static void ju64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

/* p as a number (0 when it underflows) and its log10 (exact either way). */
static void jp(json_object *o, const char *k, double lp)
{
	char l[48];
	jnum(o, k, exp(lp));
	snprintf(l, sizeof l, "%s_log10", k);
	jnum(o, l, lp == -INFINITY ? -INFINITY : lp / log(10.0));
}

static json_object *range_json(const struct ports_range *r)
{
	json_object *o = json_object_new_object();
	ju64(o, "n", r->n);
	ju64(o, "observed_min", r->min);
	ju64(o, "observed_max", r->max);
	jnum(o, "lo_hat", r->lo_hat);
	jnum(o, "hi_hat", r->hi_hat);
	jnum(o, "se", r->se);
	jnum(o, "ks_d", r->ks_d);
	jp(o, "ks_p", r->ks_lp);
	jnum(o, "chi2", r->chi2);
	jnum(o, "chi2_df", r->chi2_df);
	jp(o, "chi2_p", r->chi2_lp);
	json_object_object_add(o, "uniform", json_object_new_boolean(r->ks_lp > log(PORTS_ALPHA)));
	char m[64];
	snprintf(m, sizeof m, "rand() %% %u + %u", r->model_mod, r->model_lo);
	json_object_object_add(o, "model", r->model_fits ? jstr(m) : NULL);
	if (r->rest_valid) {
		json_object *x = json_object_new_object();
		ju64(x, "n", r->rest_n);
		jnum(x, "ks_d", r->rest_ks_d);
		jp(x, "ks_p", r->rest_ks_lp);
		json_object_object_add(o, "outside_bands", x);
	}
	return o;
}

static json_object *proto_json(const struct ports_proto *pp)
{
	json_object *o = json_object_new_object(), *sv = json_object_new_array(),
		    *bd = json_object_new_array();
	ju64(o, "flows", pp->flows);
	ju64(o, "peers", pp->peers);
	ju64(o, "endpoints", pp->endpoints);
	for (size_t i = 0; i < pp->nservices; i++) {
		const struct ports_service *s = &pp->services[i];
		json_object *x = json_object_new_object();
		ju64(x, "port", s->port);
		json_object_object_add(x, "name", s->name ? jstr(s->name) : NULL);
		ju64(x, "flows", s->flows);
		ju64(x, "peers", s->peers);
		json_object_array_add(sv, x);
	}
	json_object_object_add(o, "services", sv);
	ju64(o, "random_flows", pp->random_flows);
	ju64(o, "random_endpoints", pp->random_endpoints);
	json_object_object_add(o, "range", pp->range.valid ? range_json(&pp->range) : NULL);
	for (size_t i = 0; i < pp->nbands; i++) {
		const struct ports_band *b = &pp->bands[i];
		json_object *x = json_object_new_object();
		ju64(x, "lo", b->lo);
		ju64(x, "hi", b->hi);
		ju64(x, "endpoints", b->endpoints);
		ju64(x, "flows", b->flows);
		jnum(x, "share", b->share);
		jnum(x, "density_ratio", b->ratio);
		jp(x, "p", b->lp);
		jp(x, "p_uncorrected", b->lp_raw);
		json_object_array_add(bd, x);
	}
	json_object_object_add(o, "bands", bd);
	ju64(o, "windows_tested", pp->windows);
	jnum(o, "alpha", PORTS_BAND_ALPHA);
	return o;
}

json_object *plotcli_ports_json(const struct plotcli_panel *pp)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "file", jstr(pp->file));
	json_object_object_add(o, "host", pp->host[0] ? jstr(pp->host) : NULL);
	ju64(o, "contacts", pp->n);
	json_object *pr = json_object_new_object();
	for (int i = 0; i < 2; i++)
		if (pp->rep.p[i].flows)
			json_object_object_add(pr, i ? "udp" : "tcp", proto_json(&pp->rep.p[i]));
	json_object_object_add(o, "protocols", pr);
	return o;
}

/* ---- plot panels ---- */

static int annotate(const struct plotcli_panel *pp, struct plot_panel *out)
{
	for (int i = 0; i < 2; i++) {
		const struct ports_proto *pr = &pp->rep.p[i];
		for (size_t b = 0; b < pr->nbands; b++) {
			char p[32];
			stats_p_str(pr->bands[b].lp, p, sizeof p);
			struct plot_annot a = { .kind = PLOT_ANNOT_PORT_BAND, .p0 = pr->bands[b].lo,
						.p1 = pr->bands[b].hi };
			snprintf(a.label, sizeof a.label, "%s band %u–%u: %.0f%% of peers, %.0f× denser (p = %s)",
				 proto_name(pr->proto), pr->bands[b].lo, pr->bands[b].hi,
				 100 * pr->bands[b].share, pr->bands[b].ratio, p);
			if (plot_annot_add(&out->annots, &a))
				return -1;
		}
		/* the first contact of each of the top services, unless the report's
		 * phases label those moments already */
		for (size_t s = 0; s < pr->nservices && s < 3 && !pp->explain.n; s++) {
			const struct ports_service *sv = &pr->services[s];
			for (size_t k = 0; k < pp->n; k++)
				if (pp->v[k].proto == pr->proto && pp->v[k].port == sv->port) {
					struct plot_annot a = { .kind = PLOT_ANNOT_POINT, .t0 = pp->v[k].t, .p0 = sv->port };
					char tl[16];
					plot_time_label(pp->v[k].t, pp->span, tl, sizeof tl);
					snprintf(a.label, sizeof a.label, "first %s %u/%s at %s", sv->name ? sv->name : "port",
						 sv->port, pr->proto == 6 ? "tcp" : "udp", tl);
					if (plot_annot_add(&out->annots, &a))
						return -1;
					break;
				}
		}
	}
	for (size_t i = 0; i < pp->explain.n; i++)  /* phases and notable endpoints (report) */
		if (plot_annot_add(&out->annots, &pp->explain.v[i]))
			return -1;
	return 0;
}

int plotcli_to_plot(const struct plotcli *p, const struct plotcli_panel *pp, struct plot_panel *out)
{
	memset(out, 0, sizeof *out);
	const char *base = strrchr(pp->file, '/');
	snprintf(out->title, sizeof out->title, "%s", base ? base + 1 : pp->file);
	char span[16], when[48];
	plot_time_label(pp->span, pp->span, span, sizeof span);
	time_iso8601(pp->start_ns, when, sizeof when);
	when[19] = 0;
	if (when[10] == 'T')
		when[10] = ' ';
	snprintf(out->subtitle, sizeof out->subtitle, "host %s · duration %s · start %s UTC", pp->host[0] ? pp->host : "-",
		 span, when);
	out->span = pp->span;
	out->annotate = p->annotate;
	size_t tcpudp = 0;
	for (size_t i = 0; i < pp->n; i++)
		tcpudp += pp->v[i].proto == 6 || pp->v[i].proto == 17;
	bool icmp = p->icmp || !tcpudp;  /* an ICMP-only run shows its ICMP rather than nothing */
	if (pp->dir != p->dir || (icmp && !p->icmp)) {
		size_t len = strlen(out->subtitle);
		snprintf(out->subtitle + len, sizeof out->subtitle - len, " · %s%s",
			 pp->dir != p->dir ? "no outbound TCP/UDP: both directions" : "",
			 icmp && !p->icmp ? (pp->dir != p->dir ? ", ICMP shown" : "only ICMP: ICMP shown") : "");
	}
	if (pp->n && !(out->pts = malloc(pp->n * sizeof *out->pts)))
		return -1;
	for (size_t i = 0; i < pp->n; i++) {
		const struct contact *k = &pp->v[i];
		int s = k->proto == 6 ? PLOT_TCP : k->proto == 17 ? PLOT_UDP : PLOT_ICMP;
		if (s == PLOT_ICMP && !icmp)
			continue;
		out->pts[out->npts++] = (struct plot_point){ k->t, k->port, (uint8_t)s, 0, k->weight };
	}
	return p->annotate ? annotate(pp, out) : 0;
}
