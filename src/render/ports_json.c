/*
 * ports_json.c - the port findings as JSON fields (`botlens ports
 * --format json`, `compare --format json`): p-values both as numbers and
 * as exact log10, absent values as null.
 */
#include <json-c/json.h>
#include <math.h>

#include "render/ports_out.h"
#include "util/utf8.h"

static json_object *jstr(const char *s) { return utf8_json_string(s); }

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

json_object *ports_render_json(const struct ports_view *v)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "file", jstr(v->file));
	json_object_object_add(o, "host", v->host[0] ? jstr(v->host) : NULL);
	ju64(o, "contacts", v->n);
	json_object *pr = json_object_new_object();
	for (int i = 0; i < 2; i++)
		if (v->rep->p[i].flows)
			json_object_object_add(pr, i ? "udp" : "tcp", proto_json(&v->rep->p[i]));
	json_object_object_add(o, "protocols", pr);
	return o;
}
