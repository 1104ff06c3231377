/*
 * size-int.h - what the parts of the botnet size analysis share (p2p/
 * only): the 64-bit key set (u64set.c), the crawl records, the JSON-lines
 * readers, and the truth comparison (size_truth.c) called by size.c.
 */
#ifndef BOTLENS_P2P_SIZE_INT_H
#define BOTLENS_P2P_SIZE_INT_H

#include "util/line.h"
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2p/p2p-int.h"
#include "p2p/p2p.h"
#include "util/hash.h"

/* --- a set of non-zero 64-bit keys (u64set.c; a zeroed struct is empty) --- */
struct u64set {
	uint64_t *k;
	size_t n, cap;
};
/* The set's own mixer (half of fmix64; also tags the passive counter's per-bin keys). */
uint64_t u64set_mix(uint64_t x);
/* Adds key (0 is mapped to 1): 1 when it was new, 0 when present, -1 out of memory (set unchanged). */
int u64set_add(struct u64set *s, uint64_t key);
bool u64set_has(const struct u64set *s, uint64_t key);
void u64set_free(struct u64set *s);

static inline bool push_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (!grow_to((void **)v, cap, *n + 1, sizeof **v, 1024))
		return false;
	(*v)[(*n)++] = x;
	return true;
}

static inline int oom(char *err, size_t errlen)
{
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* --- records --- */
struct rec {
	unsigned crawl;
	uint32_t ip;
	uint16_t port;
	bool resp, has_id;
	uint64_t id;              /* first 64 bits of the ID */
	size_t probe0;            /* its probe times: recs.pt[probe0 .. probe0 + nprobes) */
	unsigned nprobes;         /* 0: the address was not probed (or an old snapshot) */
};

struct recs {
	struct rec *r;
	size_t n, cap;
	double *pt;               /* probe times (Identify sent), shared by a record's lines */
	size_t npt, cappt;
};

static inline uint64_t addr_key(uint32_t ip, uint16_t port) { return (uint64_t)ip << 16 | port; }

static inline uint64_t id64(const uint8_t id[OV_IDLEN])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | id[i];
	return v;
}

static inline bool parse_ip(const char *s, uint32_t *ip)
{
	struct crawl_addr a;
	char buf[32];
	snprintf(buf, sizeof buf, "%s:1", s);
	if (!crawl_addr_parse(buf, &a))
		return false;
	*ip = a.ip;
	return true;
}

static inline const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static inline double jnum(struct json_object *o, const char *k, double def)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : def;
}

static inline bool jbool(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

/* Allocations of the size analysis, through the test hook size_alloc_fail_at() (size.c). */
void *size_malloc(size_t n);
void *size_calloc(size_t n, size_t sz);
void *size_realloc(void *p, size_t n);

/*
 * The next line (capped at LINE_MAX_DEFAULT: util/line.h); NULL at the
 * end, or with *rc set and err filled when the line is too long or
 * unreadable.
 */
static inline char *read_line(FILE *f, struct line *ln, int *rc, char *err, size_t errlen)
{
	int lrc = line_next(ln, f);
	if (lrc == LINE_OK)
		return ln->buf;
	if (lrc != LINE_EOF) {
		line_error(ln, lrc, err, errlen);
		*rc = -1;
	}
	return NULL;
}

/*
 * The value of k as an index in [0, max] (NaN, negative or larger values
 * are refused before the conversion, which would be undefined); def when
 * k is absent.
 */
static inline bool jindex(struct json_object *o, const char *k, double max, size_t def, size_t *out)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, k, &v)) {
		*out = def;
		return true;
	}
	double d = json_object_get_double(v);
	if (!(d >= 0 && d <= max))
		return false;
	*out = (size_t)d;
	return true;
}

/* A port number, 0 when absent or out of range. */
static inline uint16_t jport(struct json_object *o)
{
	size_t p;
	return jindex(o, "port", 65535, 0, &p) ? (uint16_t)p : 0;
}

/* Crawl and peer indices: dense from 0, so at most this far beyond the lines read. */
#define SIZE_MAX_CRAWL (1u << 20)
#define SIZE_MAX_PEER (1u << 24)
#define SIZE_INDEX_AHEAD 65536.0

/*
 * Compares each crawl with the simulator's truth read from f (JSON lines
 * of peers and up/down events; size_truth.c): fills the truth_* fields of
 * rep.  sets[ci]: crawl ci's responsive addresses.  0, or -1 with err.
 */
int size_truth(FILE *f, struct size_report *rep, const struct recs *rs, const struct u64set *sets, char *err,
	       size_t errlen);

#endif
