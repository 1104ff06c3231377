/*
 * behavior_out.c - the behavior commands' results as text, TSV or JSON
 * lines: a report's verdict (classify), a family's heaviest n-grams
 * (explain), cluster assignments and their quality (cluster), and the
 * cross-validation tally (evaluate).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/behavior_out.h"
#include "render/table.h"

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

static void features(FILE *f, const struct bh_model *m, const struct bh_contrib *c, size_t n, enum bh_outfmt fmt)
{
	if (fmt == BH_OUT_JSON)
		fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		uint32_t r = bh_map_get(&m->idx, c[i].hash);
		char hex[24];
		snprintf(hex, sizeof hex, "#%016llx", (unsigned long long)c[i].hash);
		const char *name = m->ngram[r] ? m->ngram[r] : hex;
		if (fmt == BH_OUT_JSON) {
			fprintf(f, "%s{\"ngram\":", i ? "," : "");
			json_put_string(f, name);
			fprintf(f, ",\"contribution\":%.4f}", c[i].w);
		} else {
			fputs(i ? fmt == BH_OUT_TSV ? "; " : " | " : "", f);
			bh_out_str(f, fmt, name);
			fprintf(f, " (%.3f)", c[i].w);
		}
	}
	if (fmt == BH_OUT_JSON)
		fputc(']', f);
	else if (!n)
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
		fputs("{\"report\":", f);
		json_put_string(f, raw->name);
		fputs(",\"family\":", f);
		json_put_string(f, unknown ? "unknown" : m->fam[best]);
		fprintf(f, ",\"score\":%.4f,\"best\":", sc[best]);
		json_put_string(f, m->fam[best]);
		fputs(",\"runner_up\":", f);
		json_put_string(f, m->fam[second]);
		fprintf(f, ",\"runner_up_score\":%.4f", sc[second]);
		if (isfinite(d->dist))   /* to best's nearest prototype, over its scale (model v2) */
			fprintf(f, ",\"distance\":%.4f", d->dist);
		fputs(",\"label\":", f);
		bh_out_str(f, fmt, raw->label);
		fputs(",\"features\":", f);
		features(f, m, top, nt, fmt);
		fputs("}\n", f);
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
			fputs("{\"family\":", f);
			json_put_string(f, m->fam[c]);
			fprintf(f, ",\"rank\":%zu,\"weight\":%.6f,\"ngram\":", k + 1, w);
			json_put_string(f, g);
			fputs("}\n", f);
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
			fputs("{\"report\":", f);
			json_put_string(f, s->v[i].name);
			fprintf(f, ",\"cluster\":%s,\"label\":", cl[i] < 0 ? "null" : id);
			bh_out_str(f, fmt, s->v[i].label);
			fputs("}\n", f);
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
	if (fmt == BH_OUT_JSON)
		fprintf(f, "{\"clusters\":%zu,\"rejected\":%zu,\"precision\":%.4f,\"recall\":%.4f,\"f\":%.4f,\"ari\":%.4f,"
			   "\"rejected_as\":\"singletons\",\"malheur\":{\"rejected_as\":\"one cluster\",\"precision\":%.4f,"
			   "\"recall\":%.4f,\"f\":%.4f,\"ari\":%.4f}}\n",
			nc, rej, q.precision, q.recall, q.f, q.ari, qm.precision, qm.recall, qm.f, qm.ari);
	else if (fmt == BH_OUT_TEXT)
		fprintf(f, "# clusters %zu, rejected %zu, precision %.4f, recall %.4f, F %.4f, ARI %.4f (rejected as singletons)"
			   "; as Malheur (rejected as one cluster): precision %.4f, recall %.4f, F %.4f, ARI %.4f\n",
			nc, rej, q.precision, q.recall, q.f, q.ari, qm.precision, qm.recall, qm.f, qm.ari);
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
		fprintf(f, "{\"reports\":%zu,\"folds\":%u,\"accuracy\":%.4f,\"macro_f1\":%.4f,"
			   "\"rejection_rate\":%.4f,\"accuracy_with_rejection\":%.4f,",
			t->known + t->unk, folds, acc, mf1, rr, acc_rej);
		if (unknown) {
			fputs("\"unknown_family\":", f);
			json_put_string(f, unknown);
			fprintf(f, ",\"unknown_reports\":%zu,\"unknown_rejected\":%.4f,", t->unk, ur);
		}
		fputs("\"families\":[", f);
		for (size_t i = 0, n = 0; i < s->nfam; i++) {
			struct bh_prf p;
			bh_conf_prf(c, i, &p);
			if (!p.support)
				continue;
			fprintf(f, "%s{\"family\":", n++ ? "," : "");
			json_put_string(f, s->fam[i]);
			fprintf(f, ",\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"support\":%zu}", p.p, p.r, p.f1,
				p.support);
		}
		fputs("],\"confusion\":[", f);
		for (size_t i = 0; i < s->nfam; i++) {
			fputs(i ? ",[" : "[", f);
			for (size_t j = 0; j < s->nfam; j++)
				fprintf(f, "%s%zu", j ? "," : "", c->m[i * (c->k + 1) + j]);
			fputc(']', f);
		}
		fputs("]}\n", f);
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
		fprintf(f, "{\"folds\":%u,\"reject_budget\":%.4f,\"unknown_rejected_mean\":%.4f,"
			   "\"unknown_rejected_min\":%.4f,\"known_false_rejection\":%.4f,\"accuracy_mean\":%.4f,"
			   "\"held_out\":[", folds, budget, ur, minr, kfr, acc);
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "%s{\"family\":", i ? "," : "");
			json_put_string(f, s->fam[r[i].fam]);
			fprintf(f, ",\"reports\":%zu,\"rejected\":%.4f,\"known_reports\":%zu,"
				   "\"known_false_rejection\":%.4f,\"accuracy\":%.4f}",
				r[i].unk, r[i].unk ? (double)r[i].unk_rej / (double)r[i].unk : 0, r[i].known,
				r[i].known ? (double)r[i].known_rej / (double)r[i].known : 0, r[i].accuracy);
		}
		fputs("]}\n", f);
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
