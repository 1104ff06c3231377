/*
 * model.c - the behavior model file, version 3: UTF-8 text, one record
 * per line, so it can be read, diffed and checked by hand.
 *
 *   botlens-behavior-model 3
 *   embed n=3 level=1 weight=binary seed=0
 *   C 1
 *   threshold -0.25            ("none" = no score test)
 *   margin-threshold 0.1       ("none" = no margin test)             (v2)
 *   distance-threshold 1.2     ("none" = no distance test)           (v2)
 *   open-set-threshold 2.5 weights=W0,W1,W2,W3 support=21                    (v3)
 *                              the combined test ("none" = off): unknown when
 *                              -W0*score' - W1*margin' + W2*distance' + W3*novelty' > 2.5
 *                              (openset.c); support: the prototypes per family whose
 *                              n-grams are the novelty's support (0 = all)
 *   calibration budget=Q known-rejected=K unknown-rejected=U|none held-out=F   (v2)
 *   families K
 *   family NAME                (K lines; class order of the weights)
 *   bias B1 ... BK
 *   distance-scale S1 ... SK   (each family's typical distance; the test divides by it)  (v2)
 *   novelty-scale N1 ... NK    (each family's typical novelty; the same)                    (v3)
 *   score-offset S1 ... SK     (each family's typical best score; the score test subtracts it)  (v2)
 *   margin-offset M1 ... MK    (the same for the margin)                                       (v2)
 *   idf-unseen X               (IDF of a feature absent from training)
 *   features N
 *   HASH IDF W1 ... WK<TAB>NGRAM   (N lines; HASH 16 hex digits, NGRAM may be empty)
 *   prototypes P                                                     (v2)
 *   proto FAMILY NNZ           (P times: family index, then NNZ      (v2)
 *   ROW:VALUE ...               pairs, at most 256 a line, rows ascending by hash)
 *   end
 *
 * A report's score for family c is B_c + sum over its features of
 * W_c * x, where x is the feature's weight (binary, count or count*IDF)
 * after L2 normalisation.  A prototype is a training report's vector in
 * that weighting, its features given as rows of the feature table; the
 * open-set test is openset.c's.  Version 1 files (no distance test, no
 * prototypes, no calibration record) are still read: their reports are
 * rejected by the score threshold alone; version 2 files (no novelty
 * test) by the score, margin and distance tests.  Other versions are
 * refused.
 * Names and n-grams are written with control characters replaced by
 * spaces.
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
#define MODEL_VERSION 3
#define PROTO_PER_LINE 256

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
	if (isfinite(m->margin_threshold))
		fprintf(f, "margin-threshold %.17g\n", m->margin_threshold);
	else
		fprintf(f, "margin-threshold none\n");
	if (m->nproto && isfinite(m->dist_threshold))
		fprintf(f, "distance-threshold %.17g\n", m->dist_threshold);
	else
		fprintf(f, "distance-threshold none\n");
	if (isfinite(m->open_threshold))
		fprintf(f, "open-set-threshold %.17g", m->open_threshold);
	else
		fputs("open-set-threshold none", f);
	fprintf(f, " weights=%.17g,%.17g,%.17g,%.17g support=%u\n", m->open_w[0], m->open_w[1],
		m->open_w[2], m->open_w[3], m->nov_protos);
	fprintf(f, "calibration budget=%.17g known-rejected=%.17g ", m->cal.budget, m->cal.known_rej);
	if (m->cal.unknown_rej >= 0)
		fprintf(f, "unknown-rejected=%.17g held-out=%zu\n", m->cal.unknown_rej, m->cal.heldout);
	else
		fprintf(f, "unknown-rejected=none held-out=0\n");
	fprintf(f, "families %zu\n", m->nfam);
	for (size_t c = 0; c < m->nfam; c++) {
		fputs("family ", f);
		put_clean(f, m->fam[c]);
		fputc('\n', f);
	}
	fputs("bias", f);
	for (size_t c = 0; c < m->nfam; c++)
		fprintf(f, " %.17g", m->b[c]);
	fputs("\ndistance-scale", f);
	for (size_t c = 0; c < m->nfam; c++)
		fprintf(f, " %.17g", m->dist_scale ? m->dist_scale[c] : 1.0);
	fputs("\nnovelty-scale", f);
	for (size_t c = 0; c < m->nfam; c++)
		fprintf(f, " %.17g", m->nov_scale ? m->nov_scale[c] : 1.0);
	for (int t = 0; t < 2; t++) {
		fputs(t ? "\nmargin-offset" : "\nscore-offset", f);
		for (size_t c = 0; c < m->nfam; c++)
			fprintf(f, " %.17g", m->score_off ? m->score_off[(size_t)t * m->nfam + c] : 0.0);
	}
	fprintf(f, "\nidf-unseen %.9g\nfeatures %zu\n", m->idf_unseen, m->nfeat);
	for (size_t i = 0; i < m->nfeat; i++) {
		fprintf(f, "%016" PRIx64 " %.9g", m->hash[i], m->idf[i]);
		for (size_t c = 0; c < m->nfam; c++)
			fprintf(f, " %.9g", m->w[i * m->nfam + c]);
		fputc('\t', f);
		put_clean(f, m->ngram ? m->ngram[i] : NULL);
		fputc('\n', f);
	}
	size_t np = 0;
	for (size_t p = 0; p < m->nproto; p++)
		np += m->proto_fam[p] < m->nfam;
	fprintf(f, "prototypes %zu\n", np);
	for (size_t p = 0; p < m->nproto; p++) {
		const struct bh_vec *v = &m->proto[p];
		if (m->proto_fam[p] >= m->nfam)
			continue;
		size_t nnz = 0;
		for (uint32_t i = 0; i < v->n; i++)
			nnz += bh_map_get(&m->idx, v->h[i]) != UINT32_MAX;
		fprintf(f, "proto %u %zu", m->proto_fam[p], nnz);
		for (uint32_t i = 0, k = 0; i < v->n; i++) {
			uint32_t r = bh_map_get(&m->idx, v->h[i]);
			if (r == UINT32_MAX)
				continue;
			fprintf(f, "%s%u:%.9g", k++ % PROTO_PER_LINE ? " " : "\n", r, v->v[i]);
		}
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
	int version;
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
	if (ver < 1 || ver > MODEL_VERSION)
		return bad(r, "unsupported model version (this botlens reads versions 1, 2 and 3)");
	r->version = ver;
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
	m->dist_threshold = INFINITY;
	m->open_threshold = INFINITY;
	m->margin_threshold = -INFINITY;
	m->cal.unknown_rej = -1;
	if (ver >= 2) {
		if (!(l = next(r)) || strncmp(l, "margin-threshold ", 17))
			return bad(r, "expected 'margin-threshold VALUE|none'");
		l += 17;
		if (strcmp(l, "none") && !num(&l, &m->margin_threshold))
			return bad(r, "invalid margin threshold");
		if (!(l = next(r)) || strncmp(l, "distance-threshold ", 19))
			return bad(r, "expected 'distance-threshold VALUE|none'");
		l += 19;
		if (strcmp(l, "none") && !num(&l, &m->dist_threshold))
			return bad(r, "invalid distance threshold");
		if (ver >= 3) {
			const char *want = "expected 'open-set-threshold VALUE|none weights=W0,W1,W2,W3 support=N'";
			if (!(l = next(r)) || strncmp(l, "open-set-threshold ", 19))
				return bad(r, want);
			l += 19;
			if (!strncmp(l, "none ", 5))
				l += 4;
			else if (!num(&l, &m->open_threshold))
				return bad(r, "invalid open-set threshold");
			if (strncmp(l, " weights=", 9))
				return bad(r, want);
			l += 8;
			for (int j = 0; j < 4; j++)
				if (*l != (j ? ',' : '=') || (l++, !num(&l, &m->open_w[j])))
					return bad(r, want);
			char *e;
			unsigned long sp;
			if (strncmp(l, " support=", 9) || (l += 9, *l < '0' || *l > '9') ||
			    (errno = 0, sp = strtoul(l, &e, 10), *e || errno || sp > UINT32_MAX))
				return bad(r, want);
			m->nov_protos = (unsigned)sp;
		}
		char u[32];
		if (!(l = next(r)) || sscanf(l, "calibration budget=%lf known-rejected=%lf unknown-rejected=%31s held-out=%zu",
					     &m->cal.budget, &m->cal.known_rej, u, &m->cal.heldout) != 4)
			return bad(r, "expected 'calibration budget=Q known-rejected=K unknown-rejected=U held-out=F'");
		char *e;
		if (strcmp(u, "none") && (m->cal.unknown_rej = strtod(u, &e), *e))
			return bad(r, "invalid unknown-rejected value");
	}
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
	if (r->version >= 2) {
		if (!(m->dist_scale = bh_try_alloc(m->nfam * sizeof *m->dist_scale)))
			return nomem(r);
		if (!(l = next(r)) || strncmp(l, "distance-scale", 14))
			return bad(r, "expected 'distance-scale S1 ... SK'");
		l += 14;
		for (size_t c = 0; c < m->nfam; c++)
			if (!num(&l, &m->dist_scale[c]) || m->dist_scale[c] <= 0)
				return bad(r, "too few or non-positive distance scales");
		if (r->version >= 3) {
			if (!(m->nov_scale = bh_try_alloc(m->nfam * sizeof *m->nov_scale)))
				return nomem(r);
			if (!(l = next(r)) || strncmp(l, "novelty-scale", 13))
				return bad(r, "expected 'novelty-scale N1 ... NK'");
			l += 13;
			for (size_t c = 0; c < m->nfam; c++)
				if (!num(&l, &m->nov_scale[c]) || m->nov_scale[c] <= 0)
					return bad(r, "too few or non-positive novelty scales");
		}
		if (!(m->score_off = bh_try_alloc(2 * m->nfam * sizeof *m->score_off)))
			return nomem(r);
		for (int t = 0; t < 2; t++) {
			const char *key = t ? "margin-offset" : "score-offset";
			size_t kl = strlen(key);
			if (!(l = next(r)) || strncmp(l, key, kl))
				return bad(r, t ? "expected 'margin-offset M1 ... MK'" : "expected 'score-offset S1 ... SK'");
			l += kl;
			for (size_t c = 0; c < m->nfam; c++)
				if (!num(&l, &m->score_off[(size_t)t * m->nfam + c]))
					return bad(r, "too few offsets");
		}
	}
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

/* Reads prototype p's NNZ pairs (lines of at most PROTO_PER_LINE) into v. */
static int load_proto(struct lr *r, struct bh_model *m, struct bh_vec *v, size_t nnz)
{
	if (!(v->h = bh_try_alloc(nnz * sizeof *v->h)) || !(v->v = bh_try_alloc(nnz * sizeof *v->v)))
		return nomem(r);
	char *l = NULL;
	for (size_t i = 0; i < nnz; i++) {
		if (i % PROTO_PER_LINE == 0 && !(l = next(r)))
			return bad(r, "fewer prototype values than declared");
		char *e;
		errno = 0;
		unsigned long row = strtoul(l, &e, 10);
		double x;
		if (e == l || errno || *e != ':' || row >= m->nfeat || (l = e + 1, !num(&l, &x)) || fabs(x) > 1.0001)
			return bad(r, "expected 'ROW:VALUE' (ROW a feature row, |VALUE| <= 1)");
		v->h[i] = m->hash[row];
		v->v[i] = (float)x;
		v->n = (uint32_t)(i + 1);
		if (i && v->h[i] <= v->h[i - 1])
			return bad(r, "prototype features out of order");
		if (*l == ' ')
			l++;
		else if (*l || ((i + 1) % PROTO_PER_LINE && i + 1 < nnz))
			return bad(r, "malformed prototype line");
	}
	return 0;
}

/* The prototypes section (version 2). */
static int load_protos(struct lr *r, struct bh_model *m)
{
	char *l;
	size_t np;
	if (!(l = next(r)) || !count(l, "prototypes", (size_t)1 << 24, &np))
		return bad(r, "expected 'prototypes P'");
	if ((uint64_t)np * 10 > r->left)  /* "proto F N\n" each */
		return bad(r, "more prototypes declared than the file holds");
	if (np && (!(m->proto = bh_try_calloc(np, sizeof *m->proto)) ||
		   !(m->proto_fam = bh_try_alloc(np * sizeof *m->proto_fam))))
		return nomem(r);
	for (size_t p = 0; p < np; p++) {
		unsigned fam;
		size_t nnz;
		char tail;
		if (!(l = next(r)) || sscanf(l, "proto %u %zu%c", &fam, &nnz, &tail) != 2 || fam >= m->nfam ||
		    nnz > m->nfeat || nnz > UINT32_MAX)
			return bad(r, "expected 'proto FAMILY NNZ' (FAMILY < families, NNZ <= features)");
		m->proto_fam[p] = fam;
		m->nproto = p + 1;  /* what bh_model_free must free */
		int rc = load_proto(r, m, &m->proto[p], nnz);
		if (rc)
			return rc;
	}
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
	if (!rc && r.version >= 2)
		rc = load_protos(&r, m);
	char *l;
	if (!rc && (!(l = next(&r)) || strcmp(l, "end")))
		rc = bad(&r, "expected 'end' (truncated model?)");
	line_free(&r.ln);
	if (rc)
		bh_model_free(m);
	return rc;
}
