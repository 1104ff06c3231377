/*
 * map.c - the behavior layer's allocation policy and its one hash map.
 *
 * Allocation: the layer holds vectors and models, nothing worth limping
 * on with, so bh_alloc() and friends never return NULL: on out of memory
 * they call the handler the program installed (bh_set_oom_handler; the
 * CLI's prints "out of memory" and exits 5) and abort() only when none is
 * installed.  Loaders of untrusted files (model, cluster state, labels)
 * use the bh_try_* forms instead, which return NULL, and fail with
 * BH_ENOMEM.  bh_alloc_fail_at(n) makes the nth allocation from now fail,
 * so tests can drive every error path of those loaders.

 * bh_map: open addressing with linear probing, uint64 keys to uint32
 * values.  Invariants: cap is a power of two; n < cap * 3/4; key 0 marks an
 * empty slot, so a real key 0 is stored as 1 (the keys are 64-bit hashes:
 * the collision this adds is as likely as any other).
 */
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"

static void (*oom_handler)(void);
static unsigned long fail_at, fail_calls;  /* test hook; 0 = off */

void bh_set_oom_handler(void (*fn)(void)) { oom_handler = fn; }

void bh_alloc_fail_at(unsigned long n)
{
	fail_at = n;
	fail_calls = 0;
}

static bool fail_now(void)
{
	return fail_at && ++fail_calls == fail_at;
}

void *bh_try_alloc(size_t n) { return fail_now() ? NULL : malloc(n ? n : 1); }
void *bh_try_calloc(size_t n, size_t sz) { return fail_now() ? NULL : calloc(n ? n : 1, sz ? sz : 1); }
void *bh_try_realloc(void *p, size_t n) { return fail_now() ? NULL : realloc(p, n ? n : 1); }
char *bh_try_strdup(const char *s) { return fail_now() ? NULL : strdup(s); }

static void *oom(void *p)
{
	if (!p) {
		if (oom_handler)
			oom_handler();
		abort();  /* no handler installed: nothing else the library may do */
	}
	return p;
}

void *bh_alloc(size_t n) { return oom(bh_try_alloc(n)); }
void *bh_calloc(size_t n, size_t sz) { return oom(bh_try_calloc(n, sz)); }
void *bh_realloc(void *p, size_t n) { return oom(bh_try_realloc(p, n)); }
char *bh_strdup(const char *s) { return oom(bh_try_strdup(s)); }
char *bh_strndup(const char *s, size_t n) { return oom(fail_now() ? NULL : strndup(s, n)); }

static inline uint64_t fix(uint64_t k) { return k ? k : 1; }

static inline size_t slot(uint64_t k, size_t cap)
{
	k ^= k >> 29;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 32;
	return (size_t)k & (cap - 1);
}

int bh_map_try_init(struct bh_map *m, size_t hint)
{
	size_t cap = 16;
	while (cap * 3 / 4 <= hint)
		cap *= 2;
	m->cap = cap;
	m->n = 0;
	m->key = bh_try_calloc(cap, sizeof *m->key);
	m->val = bh_try_alloc(cap * sizeof *m->val);
	if (!m->key || !m->val) {
		bh_map_free(m);
		return BH_ENOMEM;
	}
	return 0;
}

void bh_map_init(struct bh_map *m, size_t hint)
{
	if (bh_map_try_init(m, hint))
		oom(NULL);
}

void bh_map_free(struct bh_map *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof *m);
}

void bh_map_clear(struct bh_map *m)
{
	memset(m->key, 0, m->cap * sizeof *m->key);
	m->n = 0;
}

/* Doubles the table; on out of memory leaves it as it was and returns false. */
static bool grow(struct bh_map *m)
{
	struct bh_map o = *m;
	m->cap *= 2;
	m->n = 0;
	m->key = bh_try_calloc(m->cap, sizeof *m->key);
	m->val = bh_try_alloc(m->cap * sizeof *m->val);
	if (!m->key || !m->val) {
		free(m->key);
		free(m->val);
		*m = o;
		return false;
	}
	for (size_t i = 0; i < o.cap; i++) {
		if (!o.key[i])
			continue;
		size_t j = slot(o.key[i], m->cap);
		while (m->key[j])
			j = (j + 1) & (m->cap - 1);
		m->key[j] = o.key[i];
		m->val[j] = o.val[i];
		m->n++;
	}
	free(o.key);
	free(o.val);
	return true;
}

uint32_t *bh_map_try_put(struct bh_map *m, uint64_t key, uint32_t def, bool *isnew)
{
	key = fix(key);
	if ((m->n + 1) * 4 >= m->cap * 3 && !grow(m))
		return NULL;
	size_t j = slot(key, m->cap);
	while (m->key[j]) {
		if (m->key[j] == key) {
			if (isnew)
				*isnew = false;
			return &m->val[j];
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->key[j] = key;
	m->val[j] = def;
	m->n++;
	if (isnew)
		*isnew = true;
	return &m->val[j];
}

uint32_t *bh_map_put(struct bh_map *m, uint64_t key, uint32_t def, bool *isnew)
{
	uint32_t *v = bh_map_try_put(m, key, def, isnew);
	return v ? v : oom(NULL);
}

uint32_t bh_map_get(const struct bh_map *m, uint64_t key)
{
	if (!m->cap)
		return UINT32_MAX;
	key = fix(key);
	size_t j = slot(key, m->cap);
	while (m->key[j]) {
		if (m->key[j] == key)
			return m->val[j];
		j = (j + 1) & (m->cap - 1);
	}
	return UINT32_MAX;
}
