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
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "behavior/behavior.h"
#include "util/line.h"

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
	struct line ln;
	uint64_t left;          /* bytes of the file after the header's start, UINT64_MAX unknown */
	int fail;               /* BH_ENOMEM once an allocation failed */
	char *err;
	size_t errlen;
};

/* The next line, NULL at the end or on a line over the cap (r->err filled). */
static char *next(struct lr *r)
{
	int rc = line_next(&r->ln, r->f);
	if (rc == LINE_OK)
		return r->ln.buf;
	if (rc != LINE_EOF) {
		line_error(&r->ln, rc, r->err, r->errlen);
		if (rc == LINE_NOMEM)
			r->fail = BH_ENOMEM;
		r->fail = r->fail ? r->fail : -1;
	}
	return NULL;
}

static int bad(struct lr *r, const char *what)
{
	if (!r->fail)  /* a failed read already said why */
		snprintf(r->err, r->errlen, "line %llu: %s", r->ln.no + (r->ln.buf ? 0 : 1), what);
	return r->fail ? r->fail : -1;
}

static int nomem(struct lr *r)
{
	snprintf(r->err, r->errlen, "out of memory");
	return r->fail = BH_ENOMEM;
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

static int load_header(struct lr *r, struct bh_model *m, size_t *nfeat)
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
	size_t nfam;
	if (!(l = next(r)) || !count(l, "families", 1u << 16, &nfam) || nfam < 2)
		return bad(r, "expected 'families K' with K >= 2");
	if ((uint64_t)nfam * 9 > r->left)  /* "family X\n" per family */
		return bad(r, "more families declared than the file holds");
	if (!(m->fam = bh_try_calloc(nfam, sizeof *m->fam)))
		return nomem(r);
	m->nfam = nfam;
	for (size_t c = 0; c < m->nfam; c++) {
		if (!(l = next(r)) || strncmp(l, "family ", 7) || !l[7])
			return bad(r, "expected 'family NAME'");
		if (!(m->fam[c] = bh_try_strdup(l + 7)))
			return nomem(r);
	}
	if (!(m->b = bh_try_alloc(m->nfam * sizeof *m->b)))
		return nomem(r);
	if (!(l = next(r)) || strncmp(l, "bias", 4))
		return bad(r, "expected 'bias B1 ... BK'");
	l += 4;
	for (size_t c = 0; c < m->nfam; c++)
		if (!num(&l, &m->b[c]))
			return bad(r, "too few bias values");
	double u;
	if (!(l = next(r)) || strncmp(l, "idf-unseen ", 11) || !(l += 11, num(&l, &u)) || fabs(u) > FLT_MAX)
		return bad(r, "expected 'idf-unseen X' (X a float)");
	m->idf_unseen = (float)u;
	if (!(l = next(r)) || !count(l, "features", (size_t)1 << 28, nfeat) ||
	    *nfeat > ((size_t)1 << 32) / m->nfam)
		return bad(r, "expected 'features N' (N at most 2^28, N*K at most 2^32)");
	/* a feature line holds at least 16 hex digits, " I", " W" per family and a newline */
	if ((uint64_t)*nfeat * (19 + 2 * (uint64_t)m->nfam) > r->left)
		return bad(r, "more features declared than the file holds");
	return 0;
}

/* Makes room for feature i (arrays grow with the lines read, not with the declared count). */
static int feat_room(struct lr *r, struct bh_model *m, size_t i, size_t *cap, size_t declared)
{
	if (i < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 1024, K = m->nfam;
	if (nc > declared)
		nc = declared;
	uint64_t *h = bh_try_realloc(m->hash, nc * sizeof *h);
	if (h)
		m->hash = h;
	float *idf = h ? bh_try_realloc(m->idf, nc * sizeof *idf) : NULL;
	if (idf)
		m->idf = idf;
	double *w = idf ? bh_try_realloc(m->w, nc * K * sizeof *w) : NULL;
	if (w)
		m->w = w;
	char **ng = w ? bh_try_realloc(m->ngram, nc * sizeof *ng) : NULL;
	if (!ng)
		return nomem(r);
	memset(ng + *cap, 0, (nc - *cap) * sizeof *ng);
	m->ngram = ng;
	*cap = nc;
	return 0;
}

/* Bytes from f's position to its end, UINT64_MAX when f is not a regular file. */
static uint64_t bytes_left(FILE *f)
{
	struct stat st;
	off_t at = ftello(f);
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || at < 0 || at > st.st_size)
		return UINT64_MAX;
	return (uint64_t)(st.st_size - at);
}

/* Reads feature line i into m (its arrays have room). */
static int load_feature(struct lr *r, struct bh_model *m, size_t i)
{
	char *l = next(r), *e;
	size_t K = m->nfam;
	if (!l)
		return bad(r, "fewer feature lines than declared");
	errno = 0;
	m->hash[i] = strtoull(l, &e, 16);
	double d;
	if (e - l != 16 || errno || (l = e, !num(&l, &d)))
		return bad(r, "expected 'HASH IDF W1 ... WK'");
	if (fabs(d) > FLT_MAX)  /* stored as a float: the conversion would be undefined */
		return bad(r, "IDF out of range");
	m->idf[i] = (float)d;
	for (size_t c = 0; c < K; c++)
		if (!num(&l, &m->w[i * K + c]))
			return bad(r, "too few weights");
	if (*l == '\t' && l[1]) {
		if (!(m->ngram[i] = bh_try_strdup(l + 1)))
			return nomem(r);
	} else if (*l && *l != '\t') {
		return bad(r, "unexpected text after the weights");
	}
	bool isnew;
	uint32_t *v = bh_map_try_put(&m->idx, m->hash[i], (uint32_t)i, &isnew);
	if (!v)
		return nomem(r);
	if (!isnew)
		return bad(r, "duplicate feature hash");
	return 0;
}

/*
 * Loads a model.  Every declared count is checked against its limit and
 * against the bytes left in the file (when f is a regular file) before
 * anything is allocated, and the feature arrays grow with the lines read,
 * so a crafted header costs no memory.  Returns 0, -1 (err: the line and
 * what is wrong) or BH_ENOMEM; m is empty on failure.
 */
int bh_model_load(struct bh_model *m, FILE *f, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	struct lr r = { .f = f, .left = bytes_left(f), .err = err, .errlen = errlen };
	size_t declared = 0, cap = 0;
	int rc = load_header(&r, m, &declared);
	if (!rc && bh_map_try_init(&m->idx, declared < 1024 ? declared : 1024))
		rc = nomem(&r);
	for (size_t i = 0; i < declared && !rc; i++) {
		rc = feat_room(&r, m, i, &cap, declared);
		if (!rc) {
			m->nfeat = i + 1;  /* what bh_model_free must free */
			rc = load_feature(&r, m, i);
		}
	}
	char *l;
	if (!rc && (!(l = next(&r)) || strcmp(l, "end")))
		rc = bad(&r, "expected 'end' (truncated model?)");
	line_free(&r.ln);
	if (rc)
		bh_model_free(m);
	return rc;
}
