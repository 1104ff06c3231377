/*
 * model.c - the behavior model file, version 1: UTF-8 text, one record
 * per line, so it can be read, diffed and checked by hand.
 *
 *   botlens-behavior-model 1
 *   embed n=3 level=1 weight=binary seed=0
 *   C 1
 *   threshold -0.25            ("none" = never reject)
 *   families K
 *   family NAME                (K lines; class order of the weights)
 *   bias B1 ... BK
 *   idf-unseen X               (IDF of a feature absent from training)
 *   features N
 *   HASH IDF W1 ... WK<TAB>NGRAM   (N lines; HASH 16 hex digits, NGRAM may be empty)
 *   end
 *
 * A report's score for family c is B_c + sum over its features of
 * W_c * x, where x is the feature's weight (binary, count or count*IDF)
 * after L2 normalisation.  Readers must refuse other versions.  Names
 * and n-grams are written with control characters replaced by spaces.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"

#define MODEL_MAGIC "botlens-behavior-model"
#define MODEL_VERSION 1

static void put_clean(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
}

int bh_model_save(const struct bh_model *m, FILE *f)
{
	fprintf(f, "%s %d\n", MODEL_MAGIC, MODEL_VERSION);
	fprintf(f, "embed n=%u level=%u weight=%s seed=%" PRIu64 "\n", m->embed.n, m->embed.level,
		bh_weight_names[m->embed.weight], m->embed.seed);
	fprintf(f, "C %.17g\n", m->C);
	if (isfinite(m->threshold))
		fprintf(f, "threshold %.17g\n", m->threshold);
	else
		fprintf(f, "threshold none\n");
	fprintf(f, "families %zu\n", m->nfam);
	for (size_t c = 0; c < m->nfam; c++) {
		fputs("family ", f);
		put_clean(f, m->fam[c]);
		fputc('\n', f);
	}
	fputs("bias", f);
	for (size_t c = 0; c < m->nfam; c++)
		fprintf(f, " %.17g", m->b[c]);
	fprintf(f, "\nidf-unseen %.9g\nfeatures %zu\n", m->idf_unseen, m->nfeat);
	for (size_t i = 0; i < m->nfeat; i++) {
		fprintf(f, "%016" PRIx64 " %.9g", m->hash[i], m->idf[i]);
		for (size_t c = 0; c < m->nfam; c++)
			fprintf(f, " %.9g", m->w[i * m->nfam + c]);
		fputc('\t', f);
		put_clean(f, m->ngram ? m->ngram[i] : NULL);
		fputc('\n', f);
	}
	fputs("end\n", f);
	return ferror(f) ? -1 : 0;
}

struct lr {
	FILE *f;
	char *line;
	size_t cap;
	unsigned long long no;
	char *err;
	size_t errlen;
};

static char *next(struct lr *r)
{
	ssize_t n = getline(&r->line, &r->cap, r->f);
	if (n < 0)
		return NULL;
	r->no++;
	if (n && r->line[n - 1] == '\n')
		r->line[--n] = 0;
	return r->line;
}

static int bad(struct lr *r, const char *what)
{
	snprintf(r->err, r->errlen, "line %llu: %s", r->no + (r->line ? 0 : 1), what);
	return -1;
}

static bool num(char **p, double *v)
{
	char *e;
	errno = 0;
	*v = strtod(*p, &e);
	if (e == *p || errno == ERANGE || !isfinite(*v))
		return false;
	*p = e;
	return true;
}

static bool count(const char *s, const char *key, size_t max, size_t *out)
{
	size_t kl = strlen(key);
	if (strncmp(s, key, kl) || s[kl] != ' ')
		return false;
	char *e;
	errno = 0;
	unsigned long long v = strtoull(s + kl + 1, &e, 10);
	if (e == s + kl + 1 || *e || errno || v > max || s[kl + 1] == '-')
		return false;
	*out = (size_t)v;
	return true;
}

static int load_header(struct lr *r, struct bh_model *m)
{
	char *l, w[16];
	int ver;
	if (!(l = next(r)) || sscanf(l, MODEL_MAGIC " %d", &ver) != 1)
		return bad(r, "not a botlens behavior model");
	if (ver != MODEL_VERSION)
		return bad(r, "unsupported model version (this botlens reads version 1)");
	unsigned long long seed;
	if (!(l = next(r)) || sscanf(l, "embed n=%u level=%u weight=%15s seed=%llu", &m->embed.n, &m->embed.level,
				     w, &seed) != 4 || m->embed.n < 1 || m->embed.n > 8 ||
	    bh_weight_parse(w) < 0)
		return bad(r, "expected 'embed n=N level=L weight=W seed=S'");
	m->embed.weight = (enum bh_weight)bh_weight_parse(w);
	m->embed.seed = seed;
	if (!(l = next(r)) || strncmp(l, "C ", 2) || !(l += 2, num(&l, &m->C)))
		return bad(r, "expected 'C VALUE'");
	if (!(l = next(r)) || strncmp(l, "threshold ", 10))
		return bad(r, "expected 'threshold VALUE|none'");
	l += 10;
	if (!strcmp(l, "none"))
		m->threshold = -INFINITY;
	else if (!num(&l, &m->threshold))
		return bad(r, "invalid threshold");
	if (!(l = next(r)) || !count(l, "families", 1u << 16, &m->nfam) || m->nfam < 2)
		return bad(r, "expected 'families K' with K >= 2");
	m->fam = bh_calloc(m->nfam, sizeof *m->fam);
	for (size_t c = 0; c < m->nfam; c++) {
		if (!(l = next(r)) || strncmp(l, "family ", 7) || !l[7])
			return bad(r, "expected 'family NAME'");
		m->fam[c] = bh_strdup(l + 7);
	}
	m->b = bh_alloc(m->nfam * sizeof *m->b);
	if (!(l = next(r)) || strncmp(l, "bias", 4))
		return bad(r, "expected 'bias B1 ... BK'");
	l += 4;
	for (size_t c = 0; c < m->nfam; c++)
		if (!num(&l, &m->b[c]))
			return bad(r, "too few bias values");
	double u;
	if (!(l = next(r)) || strncmp(l, "idf-unseen ", 11) || !(l += 11, num(&l, &u)))
		return bad(r, "expected 'idf-unseen X'");
	m->idf_unseen = (float)u;
	if (!(l = next(r)) || !count(l, "features", (size_t)1 << 28, &m->nfeat) ||
	    m->nfeat > ((size_t)1 << 32) / m->nfam)
		return bad(r, "expected 'features N' (N at most 2^28, N*K at most 2^32)");
	return 0;
}

int bh_model_load(struct bh_model *m, FILE *f, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	struct lr r = { .f = f, .err = err, .errlen = errlen };
	int rc = load_header(&r, m);
	if (!rc) {
		size_t K = m->nfam;
		m->hash = bh_alloc(m->nfeat * sizeof *m->hash);
		m->idf = bh_alloc(m->nfeat * sizeof *m->idf);
		m->w = bh_alloc(m->nfeat * K * sizeof *m->w);
		m->ngram = bh_calloc(m->nfeat, sizeof *m->ngram);
		bh_map_init(&m->idx, m->nfeat);
		char *l;
		for (size_t i = 0; i < m->nfeat && !rc; i++) {
			if (!(l = next(&r))) {
				rc = bad(&r, "fewer feature lines than declared");
				break;
			}
			char *e;
			errno = 0;
			m->hash[i] = strtoull(l, &e, 16);
			double d;
			if (e - l != 16 || errno || (l = e, !num(&l, &d))) {
				rc = bad(&r, "expected 'HASH IDF W1 ... WK'");
				break;
			}
			m->idf[i] = (float)d;
			for (size_t c = 0; c < K && !rc; c++)
				if (!num(&l, &m->w[i * K + c]))
					rc = bad(&r, "too few weights");
			if (rc)
				break;
			if (*l == '\t' && l[1])
				m->ngram[i] = bh_strdup(l + 1);
			else if (*l && *l != '\t')
				rc = bad(&r, "unexpected text after the weights");
			bool isnew;
			*bh_map_put(&m->idx, m->hash[i], (uint32_t)i, &isnew) = (uint32_t)i;
			if (!isnew)
				rc = bad(&r, "duplicate feature hash");
		}
		if (!rc && (!(l = next(&r)) || strcmp(l, "end")))
			rc = bad(&r, "expected 'end' (truncated model?)");
	}
	free(r.line);
	if (rc)
		bh_model_free(m);
	return rc;
}
