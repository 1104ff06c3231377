/*
 * embed.c - behavior events to sparse vectors (DIMVA 2008 section 3;
 * Malheur's embedding): each event string is hashed with a seeded 64-bit
 * hash, n consecutive event hashes are combined into one n-gram hash, and
 * a report becomes the sparse vector of its n-gram counts, sorted by hash.
 * Weighting (binary, count, TF-IDF) and L2 normalisation come after, so
 * the same count vectors serve training folds with different IDF tables.
 *
 * The feature table maps an n-gram hash back to the readable n-gram
 * ("NtOpenFile NtReadFile NtClose"); it is filled the first time a gram is
 * seen, and only when the caller asks for it (it costs a string per
 * distinct gram).
 *
 * Invariants: a bh_vec is sorted by hash without duplicates; an embedder's
 * ring holds the hashes of the last min(seen, n) events of the report.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"
#include "util/hash.h"

#define BH_NMAX 8
#define TOKMAX 120

const char *const bh_weight_names[] = { "binary", "count", "tfidf", NULL };

int bh_weight_parse(const char *s)
{
	for (int i = 0; bh_weight_names[i]; i++)
		if (!strcmp(s, bh_weight_names[i]))
			return i;
	return -1;
}

static inline uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

/* Seeded 64-bit hash of bytes, the same on every host (little-endian words). */
uint64_t bh_hash64(const void *data, size_t n, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
	while (n >= 8) {
		uint64_t k;
		memcpy(&k, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		k = __builtin_bswap64(k);
#endif
		k *= 0x87c37b91114253d5ULL;
		k = rotl(k, 31) * 0x4cf5ad432745937fULL;
		h = rotl(h ^ k, 27) * 5 + 0x52dce729;
		p += 8;
		n -= 8;
	}
	uint64_t k = 0;
	for (size_t i = 0; i < n; i++)
		k |= (uint64_t)p[i] << (8 * i);
	k *= 0x87c37b91114253d5ULL;
	h ^= rotl(k, 31) * 0x4cf5ad432745937fULL;
	return fmix64(h);
}

/* ---- feature table ---- */
void bh_ftab_init(struct bh_ftab *t)
{
	memset(t, 0, sizeof *t);
	bh_map_init(&t->idx, 1024);
}

void bh_ftab_free(struct bh_ftab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	bh_map_free(&t->idx);
}

const char *bh_ftab_get(const struct bh_ftab *t, uint64_t h)
{
	uint32_t i = bh_map_get(&t->idx, h);
	return i == UINT32_MAX ? NULL : t->str[i];
}

void bh_ftab_add(struct bh_ftab *t, uint64_t h, const char *s)
{
	bool isnew;
	uint32_t *v = bh_map_put(&t->idx, h, (uint32_t)t->n, &isnew);
	if (!isnew)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->str = bh_realloc(t->str, t->cap * sizeof *t->str);
	}
	t->str[*v] = bh_strdup(s);
	t->n++;
}

/* ---- embedder ---- */
struct bh_embed {
	struct bh_embed_cfg cfg;
	struct bh_ftab *ftab;
	uint64_t ring[BH_NMAX];
	char tok[BH_NMAX][TOKMAX + 1];
	unsigned pos;
	uint64_t seen;
	struct bh_map acc;       /* gram hash -> slot in keys/cnt */
	uint64_t *keys;
	uint32_t *cnt;
	size_t n, cap;
};

struct bh_embed_cfg bh_embed_cfg_default(void)
{
	return (struct bh_embed_cfg){ .n = 2, .level = 1, .weight = BH_W_BINARY, .seed = 0 };
}

struct bh_embed *bh_embed_new(const struct bh_embed_cfg *cfg, struct bh_ftab *ftab)
{
	struct bh_embed *e = bh_calloc(1, sizeof *e);
	e->cfg = *cfg;
	if (e->cfg.n < 1)
		e->cfg.n = 1;
	if (e->cfg.n > BH_NMAX)
		e->cfg.n = BH_NMAX;
	e->ftab = ftab;
	bh_map_init(&e->acc, 4096);
	return e;
}

void bh_embed_free(struct bh_embed *e)
{
	if (!e)
		return;
	bh_map_free(&e->acc);
	free(e->keys);
	free(e->cnt);
	free(e);
}

/* Names the gram ending at the ring's newest k events (oldest first). */
static void name_gram(struct bh_embed *e, unsigned k, uint64_t g)
{
	char buf[BH_NMAX * (TOKMAX + 1) + 1];
	size_t m = 0;
	unsigned n = e->cfg.n;
	for (unsigned i = 0; i < k; i++) {
		const char *t = e->tok[(e->pos + n - k + i) % n];
		size_t l = strlen(t);
		if (m)
			buf[m++] = ' ';
		memcpy(buf + m, t, l);
		m += l;
	}
	buf[m] = 0;
	bh_ftab_add(e->ftab, g, buf);
}

static void count(struct bh_embed *e, unsigned k)
{
	unsigned n = e->cfg.n;
	uint64_t g = e->cfg.seed ^ k;
	for (unsigned i = 0; i < k; i++)
		g = fmix64(g ^ e->ring[(e->pos + n - k + i) % n]) + i;
	bool isnew;
	uint32_t *slot = bh_map_put(&e->acc, g, (uint32_t)e->n, &isnew);
	if (!isnew) {
		e->cnt[*slot]++;
		return;
	}
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 1024;
		e->keys = bh_realloc(e->keys, e->cap * sizeof *e->keys);
		e->cnt = bh_realloc(e->cnt, e->cap * sizeof *e->cnt);
	}
	e->keys[e->n] = g;
	e->cnt[e->n++] = 1;
	if (e->ftab && bh_map_get(&e->ftab->idx, g) == UINT32_MAX)
		name_gram(e, k, g);
}

void bh_embed_event(struct bh_embed *e, const char *tok, size_t len)
{
	unsigned n = e->cfg.n;
	e->ring[e->pos] = bh_hash64(tok, len, e->cfg.seed);
	if (e->ftab) {
		size_t l = len < TOKMAX ? len : TOKMAX;
		memcpy(e->tok[e->pos], tok, l);
		e->tok[e->pos][l] = 0;
	}
	e->pos = (e->pos + 1) % n;
	if (++e->seen >= n)
		count(e, n);
}

struct pair { uint64_t h; uint32_t c; };

static int pair_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct pair *)a)->h, y = ((const struct pair *)b)->h;
	return x < y ? -1 : x > y;
}

void bh_embed_take(struct bh_embed *e, struct bh_vec *v)
{
	/* a report shorter than n still says something: its one short gram */
	if (e->seen && e->seen < e->cfg.n)
		count(e, (unsigned)e->seen);
	struct pair *pr = bh_alloc(e->n * sizeof *pr);
	for (size_t i = 0; i < e->n; i++)
		pr[i] = (struct pair){ e->keys[i], e->cnt[i] };
	qsort(pr, e->n, sizeof *pr, pair_cmp);
	memset(v, 0, sizeof *v);
	v->n = (uint32_t)e->n;
	v->h = bh_alloc(e->n * sizeof *v->h);
	v->v = bh_alloc(e->n * sizeof *v->v);
	for (size_t i = 0; i < e->n; i++) {
		v->h[i] = pr[i].h;
		v->v[i] = (float)pr[i].c;
	}
	free(pr);
	if (e->acc.n > 65536 && e->acc.n * 8 < e->acc.cap) {
		bh_map_free(&e->acc);
		bh_map_init(&e->acc, 4096);
	} else {
		bh_map_clear(&e->acc);
	}
	e->n = 0;
	e->seen = 0;
	e->pos = 0;
}

/* ---- vectors ---- */
void bh_vec_free(struct bh_vec *v)
{
	free(v->h);
	free(v->v);
	free(v->name);
	free(v->label);
	memset(v, 0, sizeof *v);
}

void bh_vec_copy(struct bh_vec *d, const struct bh_vec *s)
{
	d->n = s->n;
	d->h = bh_alloc(s->n * sizeof *d->h);
	d->v = bh_alloc(s->n * sizeof *d->v);
	memcpy(d->h, s->h, s->n * sizeof *d->h);
	memcpy(d->v, s->v, s->n * sizeof *d->v);
	d->name = s->name ? bh_strdup(s->name) : NULL;
	d->label = s->label ? bh_strdup(s->label) : NULL;
}

double bh_vec_dot(const struct bh_vec *a, const struct bh_vec *b)
{
	double s = 0;
	uint32_t i = 0, j = 0;
	while (i < a->n && j < b->n) {
		if (a->h[i] < b->h[j])
			i++;
		else if (a->h[i] > b->h[j])
			j++;
		else
			s += (double)a->v[i++] * b->v[j++];
	}
	return s;
}

double bh_vec_dist(const struct bh_vec *a, const struct bh_vec *b)
{
	double d = 2.0 - 2.0 * bh_vec_dot(a, b);
	return d > 0 ? sqrt(d) : 0;
}

void bh_vec_weight(struct bh_vec *v, enum bh_weight w, const struct bh_idf *idf)
{
	double ss = 0;
	for (uint32_t i = 0; i < v->n; i++) {
		float x = w == BH_W_BINARY ? 1.0f : v->v[i];
		if (w == BH_W_TFIDF && idf)
			x *= bh_idf_get(idf, v->h[i]);
		v->v[i] = x;
		ss += (double)x * x;
	}
	if (ss > 0) {
		float inv = (float)(1.0 / sqrt(ss));
		for (uint32_t i = 0; i < v->n; i++)
			v->v[i] *= inv;
	}
}

/* ---- IDF ---- */
void bh_idf_build(struct bh_idf *d, const struct bh_set *s, const size_t *rows, size_t n)
{
	memset(d, 0, sizeof *d);
	bh_map_init(&d->idx, 4096);
	size_t cap = 0;
	uint32_t *df = NULL;
	for (size_t r = 0; r < n; r++) {
		const struct bh_vec *v = &s->v[rows ? rows[r] : r];
		for (uint32_t i = 0; i < v->n; i++) {
			bool isnew;
			uint32_t *slot = bh_map_put(&d->idx, v->h[i], (uint32_t)d->n, &isnew);
			if (isnew) {
				if (d->n == cap) {
					cap = cap ? cap * 2 : 4096;
					df = bh_realloc(df, cap * sizeof *df);
				}
				df[d->n++] = 0;
			}
			df[*slot]++;
		}
	}
	d->idf = bh_alloc(d->n * sizeof *d->idf);
	for (size_t i = 0; i < d->n; i++)
		d->idf[i] = (float)(log((n + 1.0) / (df[i] + 1.0)) + 1.0);
	d->unseen = (float)(log(n + 1.0) + 1.0);
	free(df);
}

void bh_idf_free(struct bh_idf *d)
{
	bh_map_free(&d->idx);
	free(d->idf);
	memset(d, 0, sizeof *d);
}

float bh_idf_get(const struct bh_idf *d, uint64_t h)
{
	uint32_t i = bh_map_get(&d->idx, h);
	return i == UINT32_MAX ? d->unseen : d->idf[i];
}

/* ---- sets ---- */
void bh_set_init(struct bh_set *s) { memset(s, 0, sizeof *s); }

void bh_set_free(struct bh_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		bh_vec_free(&s->v[i]);
	for (size_t i = 0; i < s->nfam; i++)
		free(s->fam[i]);
	free(s->v);
	free(s->y);
	free(s->fam);
	memset(s, 0, sizeof *s);
}

int bh_set_family(const struct bh_set *s, const char *label)
{
	for (size_t i = 0; label && i < s->nfam; i++)
		if (!strcmp(s->fam[i], label))
			return (int)i;
	return -1;
}

void bh_set_add(struct bh_set *s, struct bh_vec *v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = bh_realloc(s->v, s->cap * sizeof *s->v);
		s->y = bh_realloc(s->y, s->cap * sizeof *s->y);
	}
	int f = bh_set_family(s, v->label);
	if (f < 0 && v->label) {
		s->fam = bh_realloc(s->fam, (s->nfam + 1) * sizeof *s->fam);
		s->fam[s->nfam] = bh_strdup(v->label);
		f = (int)s->nfam++;
	}
	s->y[s->n] = f;
	s->v[s->n++] = *v;
	memset(v, 0, sizeof *v);
}
