/*
 * page_families.c - the behavior model's families (/families): each
 * family's most discriminative n-grams, as `botlens explain` computes them
 * (bh_render_family, read back from its TSV form), and how many runs the
 * store has of it; the clusters of uploaded behavior reports (/clusters):
 * the "cluster" job's clusters.json, named by the store's meta "clusters"
 * (a blob's SHA-256, or the JSON itself), each cluster's prototype and
 * members.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/behavior_out.h"
#include "web/jsonview.h"
#include "web/web-int.h"

/* How the model answers "unknown" (its open-set test, by model version). */
static void open_set_note(struct wbuf *b, const struct bh_model *m)
{
	if (isfinite(m->open_threshold))
		wb_printf(b, "a report is answered unknown when its combined open-set score (the SVM's "
			     "score and margin, the distance to the family's prototypes and the share of "
			     "its n-grams the family never showed, weighted %.1f/%.1f/%.1f/%.1f) is above %.3f.",
			  m->open_w[0], m->open_w[1], m->open_w[2], m->open_w[3], m->open_threshold);
	else if (isfinite(m->threshold) || isfinite(m->margin_threshold) || isfinite(m->dist_threshold))
		wb_puts(b, "a report is answered unknown when its score, margin or distance to the "
			   "family's prototypes passes the model's thresholds.");
	else
		wb_puts(b, "this model rejects nothing: every report gets its nearest family.");
}

#define TOP_NGRAMS 8

static int none(void *ctx, const struct store_run *run);

/* One family's explanation as table rows. */
static int family_rows(struct wbuf *b, const struct bh_model *m, size_t c, size_t *ord)
{
	char *txt = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&txt, &len);

	if (!f)
		return -1;
	bh_render_family(f, BH_OUT_TSV, m, c, TOP_NGRAMS, true, ord);
	if (fclose(f)) {
		free(txt);
		return -1;
	}
	/* lines: family \t rank \t weight \t ngram */
	char *save = NULL;
	for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *col[4] = { line };
		int k = 1;
		for (char *p = line; *p && k < 4; p++)
			if (*p == '\t') {
				*p = '\0';
				col[k++] = p + 1;
			}
		if (k < 4)
			continue;
		wb_puts(b, "<tr><td class=\"num\">");
		html_txt(b, col[1]);
		wb_puts(b, "</td><td class=\"num\">");
		html_txt(b, col[2]);
		wb_puts(b, "</td><td><code>");
		html_txt(b, col[3]);
		wb_puts(b, "</code></td></tr>\n");
	}
	free(txt);
	return 0;
}

enum MHD_Result page_families(struct req *r)
{
	struct store *s = req_store(r);
	struct wbuf b = { 0 };
	const struct bh_model *m = &r->w->model;

	if (!s)
		return MHD_YES;
	page_head(&b, r, "Families");
	if (!r->w->have_model) {
		wb_puts(&b, "<p class=\"note\">This server has no behavior model: start it with "
			    "<code>botlens serve --model MODEL</code> (a model comes from <code>botlens learn</code>).</p>\n");
		page_foot(&b);
		return reply(r, 200, "text/html; charset=utf-8", &b);
	}
	size_t *ord = malloc((m->nfeat + 1) * sizeof *ord);
	if (!ord) {
		wb_free(&b);
		return reply_error(r, 500, "out of memory");
	}
	wb_printf(&b, "<p class=\"note\">%zu families, %zu features; ", m->nfam, m->nfeat);
	open_set_note(&b, m);
	wb_puts(&b, "</p>\n");
	for (size_t c = 0; c < m->nfam; c++) {
		uint64_t total = 0;
		struct store_query q = { .text = m->fam[c], .status = -1, .limit = 1 };
		if (store_run_list(s, &q, none, NULL, &total))
			total = 0;
		wb_puts(&b, "<h2 class=\"family\">");
		html_txt(&b, m->fam[c]);
		wb_printf(&b, "</h2>\n<p><a href=\"/?q=");
		html_url(&b, m->fam[c]);
		wb_printf(&b, "\">%llu run%s</a></p>\n<table><tr><th>rank</th><th>weight</th><th>n-gram</th></tr>\n",
			  (unsigned long long)total, total == 1 ? "" : "s");
		if (family_rows(&b, m, c, ord))
			b.oom = true;
		wb_puts(&b, "</table>\n");
	}
	free(ord);
	page_foot(&b);
	return reply(r, 200, "text/html; charset=utf-8", &b);
}

static int none(void *ctx, const struct store_run *run)
{
	(void)ctx;
	(void)run;
	return 1;
}

static void run_link(struct wbuf *b, struct store *s, json_object *v)
{
	long long id = json_object_get_int64(v);
	struct store_run run;

	wb_printf(b, "<a href=\"/runs/%lld\">%lld", id, id);
	if (store_run_get(s, id, &run) == 1) {
		wb_puts(b, " ");
		html_txt(b, run.name);
	}
	wb_puts(b, "</a>");
}

static json_object *clusters_json(struct store *s)
{
	char v[4096];

	if (store_meta_get(s, "clusters", v, sizeof v) != 1)
		return NULL;
	if (v[0] == '{')
		return json_tokener_parse(v);
	if (strlen(v) != 64)
		return NULL;
	struct store_blob_r *br;
	uint64_t size;
	if (store_blob_open(s, v, &br, &size) != 1)
		return NULL;
	char *p = size < (64u << 20) ? malloc((size_t)size + 1) : NULL;
	size_t n = 0;
	ssize_t k;
	while (p && n < size && (k = store_blob_read(br, p + n, (size_t)size - n)) > 0)
		n += (size_t)k;
	store_blob_close(br);
	if (!p)
		return NULL;
	p[n] = '\0';
	json_object *o = json_tokener_parse(p);
	free(p);
	return o;
}

enum MHD_Result page_clusters(struct req *r)
{
	struct store *s = req_store(r);
	struct wbuf b = { 0 };

	if (!s)
		return MHD_YES;
	page_head(&b, r, "Clusters");
	json_object *o = clusters_json(s), *cl = jv_get(o, "clusters"), *rej = jv_get(o, "rejected");
	if (!cl || !json_object_is_type(cl, json_type_array)) {
		wb_puts(&b, "<p class=\"note\">No clusters yet: they are computed when behavior reports are uploaded.</p>\n");
	} else {
		size_t n = json_object_array_length(cl);
		wb_printf(&b, "<p class=\"note\">%zu cluster%s of the uploaded behavior reports.</p>\n"
			      "<table id=\"clusters\"><tr><th>cluster</th><th>prototype</th><th>members</th></tr>\n",
			  n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n && i < 1000; i++) {
			json_object *c = json_object_array_get_idx(cl, i), *mem = jv_get(c, "members"), *pr = jv_get(c, "prototype");
			wb_printf(&b, "<tr><td class=\"num\">%.0f</td><td>", jv_num(c, "id"));
			if (pr)
				run_link(&b, s, pr);
			wb_puts(&b, "</td><td>");
			size_t m = mem && json_object_is_type(mem, json_type_array) ? json_object_array_length(mem) : 0;
			for (size_t k = 0; k < m && k < 100; k++) {
				if (k)
					wb_puts(&b, ", ");
				run_link(&b, s, json_object_array_get_idx(mem, k));
			}
			if (m > 100)
				wb_printf(&b, " &hellip; (%zu in all)", m);
			wb_puts(&b, "</td></tr>\n");
		}
		wb_puts(&b, "</table>\n");
		size_t nr = rej && json_object_is_type(rej, json_type_array) ? json_object_array_length(rej) : 0;
		wb_printf(&b, "<p>%zu report%s fit no cluster", nr, nr == 1 ? "" : "s");
		for (size_t k = 0; k < nr && k < 100; k++) {
			wb_puts(&b, k ? ", " : ": ");
			run_link(&b, s, json_object_array_get_idx(rej, k));
		}
		wb_puts(&b, "</p>\n");
	}
	json_object_put(o);
	page_foot(&b);
	return reply(r, 200, "text/html; charset=utf-8", &b);
}
