/*
 * behavior_out.c - the behavior commands' results as text, TSV or JSON
 * lines: a report's verdict (classify), a family's heaviest n-grams
 * (explain), cluster assignments and their quality (cluster), and the
 * cross-validation tally (evaluate).  JSON goes through json-c, one
 * object per line, scores and measures to 4 decimals (doc/json.md).
 */
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/behavior_out.h"
#include "render/table.h"
#include "util/jsonout.h"

void bh_out_str(FILE *f, enum bh_outfmt fmt, const char *s)
{
	if (fmt == BH_OUT_JSON) {
		if (s)
			json_put_string(f, s);
		else
			fputs("null", f);
		return;
	}
	if (!s) {
		fputc('-', f);
		return;
	}
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static const char *ngram_name(const struct bh_model *m, uint64_t hash, char hex[24])
{
	uint32_t r = bh_map_get(&m->idx, hash);
	snprintf(hex, 24, "#%016llx", (unsigned long long)hash);
	return m->ngram[r] ? m->ngram[r] : hex;
}

static json_object *features_json(const struct bh_model *m, const struct bh_contrib *c, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		char hex[24];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "ngram", jo_str(ngram_name(m, c[i].hash, hex)));
		json_object_object_add(o, "contribution", jo_num(c[i].w, "%.4f"));
		json_object_array_add(a, o);
	}
	return a;
}

static void features(FILE *f, const struct bh_model *m, const struct bh_contrib *c, size_t n, enum bh_outfmt fmt)
{
	for (size_t i = 0; i < n; i++) {
		char hex[24];
		fputs(i ? fmt == BH_OUT_TSV ? "; " : " | " : "", f);
		bh_out_str(f, fmt, ngram_name(m, c[i].hash, hex));
		fprintf(f, " (%.3f)", c[i].w);
	}
	if (!n)
		fputc('-', f);
}

void bh_render_verdict(FILE *f, enum bh_outfmt fmt, const struct bh_model *m, const struct bh_vec *raw,
		       const struct bh_verdict *d)
{
	const double *sc = d->sc;
	size_t best = d->best, second = d->second, nt = d->ntop;
	bool unknown = d->unknown;
	const struct bh_contrib *top = d->top;
	if (fmt == BH_OUT_JSON) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "report", jo_str(raw->name));
		json_object_object_add(o, "family", jo_str(unknown ? "unknown" : m->fam[best]));
		json_object_object_add(o, "score", jo_num(sc[best], "%.4f"));
		json_object_object_add(o, "best", jo_str(m->fam[best]));
		json_object_object_add(o, "runner_up", jo_str(m->fam[second]));
		json_object_object_add(o, "runner_up_score", jo_num(sc[second], "%.4f"));
		if (isfinite(d->dist))   /* to best's nearest prototype, over its scale (model v2) */
			json_object_object_add(o, "distance", jo_num(d->dist, "%.4f"));
		if (isfinite(d->nov))    /* share outside best's prototypes' n-grams, over its scale (model v3) */
			json_object_object_add(o, "novelty", jo_num(d->nov, "%.4f"));
		json_object_object_add(o, "label", jo_str(raw->label));
		json_object_object_add(o, "features", features_json(m, top, nt));
		jo_line(f, o);
	} else {
		const char *sep = fmt == BH_OUT_TSV ? "\t" : "  ";
		bh_out_str(f, fmt, raw->name);
		fputs(sep, f);
		bh_out_str(f, fmt, unknown ? "unknown" : m->fam[best]);
		fprintf(f, "%s%.4f%s", sep, sc[best], sep);
		bh_out_str(f, fmt, m->fam[second]);
		fprintf(f, "%s%.4f%s", sep, sc[second], sep);
		features(f, m, top, nt, fmt);
		fputc('\n', f);
	}
}

static const struct bh_model *sort_model;
static size_t sort_fam;

static int by_weight(const void *a, const void *b)
{
	double x = sort_model->w[*(const size_t *)a * sort_model->nfam + sort_fam];
	double y = sort_model->w[*(const size_t *)b * sort_model->nfam + sort_fam];
	return x < y ? 1 : x > y ? -1 : 0;
}

void bh_render_family(FILE *f, enum bh_outfmt fmt, const struct bh_model *m, size_t c, size_t top, bool single,
		      size_t *ord)
{
	for (size_t i = 0; i < m->nfeat; i++)
		ord[i] = i;
	sort_model = m;
	sort_fam = c;
	qsort(ord, m->nfeat, sizeof *ord, by_weight);
	if (fmt == BH_OUT_TEXT)
		fprintf(f, "%s%s\n", c && !single ? "\n" : "", m->fam[c]);
	for (size_t k = 0; k < top && k < m->nfeat; k++) {
		size_t r = ord[k];
		char hex[24];
		snprintf(hex, sizeof hex, "#%016llx", (unsigned long long)m->hash[r]);
		const char *g = m->ngram[r] ? m->ngram[r] : hex;
		double w = m->w[r * m->nfam + c];
		if (fmt == BH_OUT_JSON) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "family", jo_str(m->fam[c]));
			json_object_object_add(o, "rank", json_object_new_int64((int64_t)k + 1));
			json_object_object_add(o, "weight", jo_num(w, "%.6f"));
			json_object_object_add(o, "ngram", jo_str(g));
			jo_line(f, o);
		} else if (fmt == BH_OUT_TSV) {
			bh_out_str(f, fmt, m->fam[c]);
			fprintf(f, "\t%zu\t%.6f\t", k + 1, w);
			bh_out_str(f, fmt, g);
			fputc('\n', f);
		} else {
			fprintf(f, "  %3zu  %+.4f  ", k + 1, w);
			bh_out_str(f, fmt, g);
			fputc('\n', f);
		}
	}
}

void bh_render_clusters(FILE *f, enum bh_outfmt fmt, const struct bh_set *s, const int *cl, size_t nc)
{
	if (fmt == BH_OUT_TSV)
		fputs("report\tcluster\tlabel\n", f);
	bool labelled = false;
	for (size_t i = 0; i < s->n; i++) {
		labelled |= s->y[i] >= 0;
		char id[24];
		snprintf(id, sizeof id, "%d", cl[i]);
		if (fmt == BH_OUT_JSON) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "report", jo_str(s->v[i].name));
			json_object_object_add(o, "cluster", cl[i] < 0 ? NULL : json_object_new_int(cl[i]));
			json_object_object_add(o, "label", jo_str(s->v[i].label));
			jo_line(f, o);
		} else {
			const char *sep = fmt == BH_OUT_TSV ? "\t" : "  ";
			bh_out_str(f, fmt, s->v[i].name);
			fprintf(f, "%s%s%s", sep, cl[i] < 0 ? "rejected" : id, sep);
			bh_out_str(f, fmt, s->v[i].label);
			fputc('\n', f);
		}
	}
	if (!labelled)
		return;
	struct bh_cluster_quality q;
	bh_cluster_quality(s->y, cl, s->n, &q);
	size_t rej = 0;
	for (size_t i = 0; i < s->n; i++)
		rej += cl[i] < 0;
	struct bh_cluster_quality qm;   /* Malheur's convention: the rejected reports are one cluster */
	bh_cluster_quality_rej(s->y, cl, s->n, true, &qm);
	if (fmt == BH_OUT_JSON) {
		json_object *o = json_object_new_object(), *mh = json_object_new_object();
		json_object_object_add(o, "clusters", json_object_new_uint64(nc));
		json_object_object_add(o, "rejected", json_object_new_uint64(rej));
		json_object_object_add(o, "precision", jo_num(q.precision, "%.4f"));
		json_object_object_add(o, "recall", jo_num(q.recall, "%.4f"));
		json_object_object_add(o, "f", jo_num(q.f, "%.4f"));
		json_object_object_add(o, "ari", jo_num(q.ari, "%.4f"));
		json_object_object_add(o, "rejected_as", jo_str("singletons"));
		json_object_object_add(mh, "rejected_as", jo_str("one cluster"));
		json_object_object_add(mh, "precision", jo_num(qm.precision, "%.4f"));
		json_object_object_add(mh, "recall", jo_num(qm.recall, "%.4f"));
		json_object_object_add(mh, "f", jo_num(qm.f, "%.4f"));
		json_object_object_add(mh, "ari", jo_num(qm.ari, "%.4f"));
		json_object_object_add(o, "malheur", mh);
		jo_line(f, o);
	} else if (fmt == BH_OUT_TEXT)
		fprintf(f, "# clusters %zu, rejected %zu, precision %.4f, recall %.4f, F %.4f, ARI %.4f (rejected as singletons)"
			   "; as Malheur (rejected as one cluster): precision %.4f, recall %.4f, F %.4f, ARI %.4f\n",
			nc, rej, q.precision, q.recall, q.f, q.ari, qm.precision, qm.recall, qm.f, qm.ari);
}

/* evaluate --format json: one object, the tally, per-family scores and the confusion matrix. */
static void eval_json(FILE *f, const struct bh_set *s, const struct bh_tally *t, const struct bh_confusion *c,
		      unsigned folds, const char *unknown)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "reports", json_object_new_uint64(t->known + t->unk));
	json_object_object_add(o, "folds", json_object_new_int64(folds));
	json_object_object_add(o, "accuracy", jo_num(bh_conf_accuracy(c), "%.4f"));
	json_object_object_add(o, "macro_f1", jo_num(bh_conf_macro_f1(c), "%.4f"));
	json_object_object_add(o, "rejection_rate", jo_num(t->known ? (double)t->known_rej / (double)t->known : 0, "%.4f"));
	json_object_object_add(o, "accuracy_with_rejection",
			       jo_num(t->known ? (double)t->known_rej_ok / (double)t->known : 0, "%.4f"));
	if (unknown) {
		json_object_object_add(o, "unknown_family", jo_str(unknown));
		json_object_object_add(o, "unknown_reports", json_object_new_uint64(t->unk));
		json_object_object_add(o, "unknown_rejected", jo_num(t->unk ? (double)t->unk_rej / (double)t->unk : 0, "%.4f"));
	}
	json_object *fams = json_object_new_array(), *conf = json_object_new_array();
	for (size_t i = 0; i < s->nfam; i++) {
		struct bh_prf p;
		bh_conf_prf(c, i, &p);
		if (!p.support)
			continue;
		json_object *e = json_object_new_object();
		json_object_object_add(e, "family", jo_str(s->fam[i]));
		json_object_object_add(e, "precision", jo_num(p.p, "%.4f"));
		json_object_object_add(e, "recall", jo_num(p.r, "%.4f"));
		json_object_object_add(e, "f1", jo_num(p.f1, "%.4f"));
		json_object_object_add(e, "support", json_object_new_uint64(p.support));
		json_object_array_add(fams, e);
	}
	for (size_t i = 0; i < s->nfam; i++) {
		json_object *row = json_object_new_array();
		for (size_t j = 0; j < s->nfam; j++)
			json_object_array_add(row, json_object_new_uint64(c->m[i * (c->k + 1) + j]));
		json_object_array_add(conf, row);
	}
	json_object_object_add(o, "families", fams);
	json_object_object_add(o, "confusion", conf);
	jo_line(f, o);
}

void bh_render_eval(FILE *f, enum bh_outfmt fmt, const struct bh_set *s, const struct bh_tally *t, unsigned folds,
		    const char *unknown)
{
	const struct bh_confusion *c = &t->forced;
	double acc = bh_conf_accuracy(c), mf1 = bh_conf_macro_f1(c);
	double rr = t->known ? (double)t->known_rej / (double)t->known : 0;
	double acc_rej = t->known ? (double)t->known_rej_ok / (double)t->known : 0;
	double ur = t->unk ? (double)t->unk_rej / (double)t->unk : 0;
	if (fmt == BH_OUT_JSON) {
		eval_json(f, s, t, c, folds, unknown);
		return;
	}
	const char *kv = fmt == BH_OUT_TSV ? "%s\t%.4f\n" : "%-26s %.4f\n";
	if (fmt == BH_OUT_TSV)
		fputs("metric\tvalue\n", f);
	fprintf(f, fmt == BH_OUT_TSV ? "%s\t%zu\n" : "%-26s %zu\n", "reports", t->known + t->unk);
	fprintf(f, kv, "accuracy", acc);
	fprintf(f, kv, "macro_f1", mf1);
	fprintf(f, kv, "rejection_rate", rr);
	fprintf(f, kv, "accuracy_with_rejection", acc_rej);
	if (unknown)
		fprintf(f, kv, "unknown_rejected", ur);
	fputc('\n', f);
	fputs(fmt == BH_OUT_TSV ? "family\tprecision\trecall\tf1\tsupport\n"
			       : "family                     precision recall  f1      support\n", f);
	for (size_t i = 0; i < s->nfam; i++) {
		struct bh_prf p;
		bh_conf_prf(c, i, &p);
		if (!p.support)
			continue;
		if (fmt == BH_OUT_TSV) {
			bh_out_str(f, fmt, s->fam[i]);
			fprintf(f, "\t%.4f\t%.4f\t%.4f\t%zu\n", p.p, p.r, p.f1, p.support);
		} else {
			fprintf(f, "%-26.26s %-9.4f %-7.4f %-7.4f %zu\n", s->fam[i], p.p, p.r, p.f1, p.support);
		}
	}
	fputs(fmt == BH_OUT_TSV ? "\ntruth\\predicted" : "\nconfusion (rows truth, columns predicted)\n", f);
	for (size_t j = 0; j < s->nfam; j++) {
		fputc(fmt == BH_OUT_TSV ? '\t' : ' ', f);
		if (fmt == BH_OUT_TSV)
			bh_out_str(f, fmt, s->fam[j]);
		else
			fprintf(f, "%8.8s", s->fam[j]);
	}
	fputc('\n', f);
	for (size_t i = 0; i < s->nfam; i++) {
		if (fmt == BH_OUT_TSV)
			bh_out_str(f, fmt, s->fam[i]);
		else
			fprintf(f, "%-12.12s", s->fam[i]);
		for (size_t j = 0; j < s->nfam; j++)
			fprintf(f, fmt == BH_OUT_TSV ? "\t%zu" : " %8zu", c->m[i * (c->k + 1) + j]);
		fputc('\n', f);
	}
}

void bh_render_openset(FILE *f, enum bh_outfmt fmt, const struct bh_set *s, const struct bh_openset_row *r,
		       size_t n, unsigned folds, double budget)
{
	double ur = 0, acc = 0, minr = 1;
	size_t kn = 0, kr = 0;
	for (size_t i = 0; i < n; i++) {
		double u = r[i].unk ? (double)r[i].unk_rej / (double)r[i].unk : 0;
		ur += u;
		minr = u < minr ? u : minr;
		acc += r[i].accuracy;
		kn += r[i].known;
		kr += r[i].known_rej;
	}
	ur = n ? ur / (double)n : 0;
	acc = n ? acc / (double)n : 0;
	minr = n ? minr : 0;
	double kfr = kn ? (double)kr / (double)kn : 0;
	if (fmt == BH_OUT_JSON) {
		json_object *o = json_object_new_object(), *ho = json_object_new_array();
		json_object_object_add(o, "folds", json_object_new_int64(folds));
		json_object_object_add(o, "reject_budget", jo_num(budget, "%.4f"));
		json_object_object_add(o, "unknown_rejected_mean", jo_num(ur, "%.4f"));
		json_object_object_add(o, "unknown_rejected_min", jo_num(minr, "%.4f"));
		json_object_object_add(o, "known_false_rejection", jo_num(kfr, "%.4f"));
		json_object_object_add(o, "accuracy_mean", jo_num(acc, "%.4f"));
		for (size_t i = 0; i < n; i++) {
			json_object *h = json_object_new_object();
			json_object_object_add(h, "family", jo_str(s->fam[r[i].fam]));
			json_object_object_add(h, "reports", json_object_new_uint64(r[i].unk));
			json_object_object_add(h, "rejected",
					       jo_num(r[i].unk ? (double)r[i].unk_rej / (double)r[i].unk : 0, "%.4f"));
			json_object_object_add(h, "known_reports", json_object_new_uint64(r[i].known));
			json_object_object_add(h, "known_false_rejection",
					       jo_num(r[i].known ? (double)r[i].known_rej / (double)r[i].known : 0, "%.4f"));
			json_object_object_add(h, "accuracy", jo_num(r[i].accuracy, "%.4f"));
			json_object_array_add(ho, h);
		}
		json_object_object_add(o, "held_out", ho);
		jo_line(f, o);
		return;
	}
	fputs(fmt == BH_OUT_TSV ? "held_out\treports\trejected\tknown_reports\tknown_false_rejection\taccuracy\n"
			       : "held out                   reports  rejected  known  known rejected  accuracy\n", f);
	for (size_t i = 0; i < n; i++) {
		double u = r[i].unk ? (double)r[i].unk_rej / (double)r[i].unk : 0;
		double k = r[i].known ? (double)r[i].known_rej / (double)r[i].known : 0;
		if (fmt == BH_OUT_TSV) {
			bh_out_str(f, fmt, s->fam[r[i].fam]);
			fprintf(f, "\t%zu\t%.4f\t%zu\t%.4f\t%.4f\n", r[i].unk, u, r[i].known, k, r[i].accuracy);
		} else {
			fprintf(f, "%-26.26s %-8zu %-9.4f %-6zu %-15.4f %.4f\n", s->fam[r[i].fam], r[i].unk, u, r[i].known, k,
				r[i].accuracy);
		}
	}
	if (fmt == BH_OUT_TSV) {
		fprintf(f, "\nmetric\tvalue\nfolds\t%u\nreject_budget\t%.4f\nunknown_rejected_mean\t%.4f\n"
			   "unknown_rejected_min\t%.4f\nknown_false_rejection\t%.4f\naccuracy_mean\t%.4f\n",
			folds, budget, ur, minr, kfr, acc);
	} else {
		fprintf(f, "\n%-26s %u\n%-26s %.4f\n%-26s %.4f\n%-26s %.4f\n%-26s %.4f\n%-26s %.4f\n", "folds", folds,
			"reject_budget", budget, "unknown_rejected_mean", ur, "unknown_rejected_min", minr,
			"known_false_rejection", kfr, "accuracy_mean", acc);
	}
}
