/*
 * size.c - botnet size from crawl snapshots (and, for evaluation, from
 * the simulator's truth), after Holz et al. and Kanich et al. ("The
 * Heisenbot Uncertainty Problem", LEET 2008).
 *
 *  - Effective size of a crawl: distinct responsive addresses (ip:port)
 *    not on a suspected sybil host; also distinct responsive IDs.
 *  - Total size: distinct responsive IDs and addresses over all crawls.
 *    IDs overcount bots that change ID on restart: ID aliasing is
 *    counted as addresses that answered with more than one ID.
 *  - Churn between consecutive crawls, by address: joined (never seen
 *    responsive before), returned (seen in an earlier crawl, not the
 *    last), left (responsive in the last crawl, not this one).
 *  - Sybils: an IP answering with >= SIZE_SYBIL_IDS IDs in one crawl, and
 *    clusters of >= 3 IDs sharing their first 32 bits (for 10^4 random
 *    IDs such a triple has probability ~ 10^-7).
 *  - Unresponsive addresses: advertised by peers, never answered: behind
 *    NAT, firewalled or offline (the crawler cannot tell which; the
 *    truth can).
 *
 * Inputs are JSON lines read with json-c; lines of other types are
 * skipped, so the reader accepts future fields.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "util/line.h"
#include "p2p/p2p-int.h"
#include "p2p/p2p.h"

/*
 * Allocation: every failure is returned ("out of memory", exit 5 in the
 * CLI).  size_alloc_fail_at(n) makes the nth allocation of this file fail
 * from now on (tests drive the error paths with it; 0 turns it off).
 */
static unsigned long fail_at, fail_calls;

void size_alloc_fail_at(unsigned long n)
{
	fail_at = n;
	fail_calls = 0;
}

static bool fail_now(void)
{
	return fail_at && ++fail_calls == fail_at;
}

static void *s_malloc(size_t n) { return fail_now() ? NULL : malloc(n); }
static void *s_calloc(size_t n, size_t sz) { return fail_now() ? NULL : calloc(n, sz); }
static void *s_realloc(void *p, size_t n) { return fail_now() ? NULL : realloc(p, n); }

/* --- a set of non-zero 64-bit keys (open addressing) --- */
struct u64set {
	uint64_t *k;
	size_t n, cap;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	return x ^ (x >> 33);
}

/* Inserts into a table known to have room; returns 1 when new, 0 when there. */
static int set_put(struct u64set *s, uint64_t key)
{
	size_t i = mix(key) & (s->cap - 1);
	while (s->k[i]) {
		if (s->k[i] == key)
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	s->k[i] = key;
	s->n++;
	return 1;
}

/* Adds key (0 is mapped to 1): 1 when it was new, 0 when present, -1 out of memory (set unchanged). */
static int set_add(struct u64set *s, uint64_t key)
{
	if (!key)
		key = 1;
	if (2 * (s->n + 1) > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		struct u64set ns = { s_calloc(nc, sizeof *ns.k), 0, nc };
		if (!ns.k)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->k[i])
				set_put(&ns, s->k[i]);
		free(s->k);
		*s = ns;
	}
	return set_put(s, key);
}

static bool set_has(const struct u64set *s, uint64_t key)
{
	if (!key)
		key = 1;
	if (!s->cap)
		return false;
	size_t i = mix(key) & (s->cap - 1);
	while (s->k[i]) {
		if (s->k[i] == key)
			return true;
		i = (i + 1) & (s->cap - 1);
	}
	return false;
}

static void set_free(struct u64set *s)
{
	free(s->k);
	memset(s, 0, sizeof *s);
}

/* Makes room for one more element of a growing array; false (array unchanged) on OOM. */
static bool grow(void **v, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 1024;
	void *q = s_realloc(*v, nc * elem);
	if (!q)
		return false;
	*v = q;
	*cap = nc;
	return true;
}

static bool push_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (!grow((void **)v, cap, *n, sizeof **v))
		return false;
	(*v)[(*n)++] = x;
	return true;
}

static int oom(char *err, size_t errlen)
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

static uint64_t addr_key(uint32_t ip, uint16_t port) { return (uint64_t)ip << 16 | port; }

static uint64_t id64(const uint8_t id[OV_IDLEN])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | id[i];
	return v;
}

static bool parse_ip(const char *s, uint32_t *ip)
{
	struct crawl_addr a;
	char buf[32];
	snprintf(buf, sizeof buf, "%s:1", s);
	if (!crawl_addr_parse(buf, &a))
		return false;
	*ip = a.ip;
	return true;
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

static double jnum(struct json_object *o, const char *k, double def)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : def;
}

static bool jbool(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

/*
 * The value of k as an index in [0, max] (NaN, negative or larger values
 * are refused before the conversion, which would be undefined); def when
 * k is absent.
 */
static bool jindex(struct json_object *o, const char *k, double max, size_t def, size_t *out)
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
static uint16_t jport(struct json_object *o)
{
	size_t p;
	return jindex(o, "port", 65535, 0, &p) ? (uint16_t)p : 0;
}

/*
 * The next line (capped at LINE_MAX_DEFAULT); NULL at the end, or with
 * *rc set and err filled when the line is too long or unreadable.
 */
static char *read_line(FILE *f, struct line *ln, int *rc, char *err, size_t errlen)
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

/* Crawl and peer indices: dense from 0, so at most this far beyond the lines read. */
#define SIZE_MAX_CRAWL (1u << 20)
#define SIZE_MAX_PEER (1u << 24)
#define SIZE_INDEX_AHEAD 65536.0

/* Makes rep->c hold crawl index `crawl`; false on OOM. */
static bool crawl_slot(struct size_report *rep, unsigned crawl, size_t *capc)
{
	if (crawl < rep->n)
		return true;
	if (crawl >= *capc) {
		size_t nc = (size_t)crawl + 16;
		struct size_crawl *c = s_realloc(rep->c, nc * sizeof *c);
		if (!c)
			return false;
		rep->c = c;
		*capc = nc;
	}
	for (unsigned i = rep->n; i <= crawl; i++)
		memset(&rep->c[i], 0, sizeof rep->c[i]);
	rep->n = crawl + 1;
	return true;
}

static int load_crawls(FILE *f, struct size_report *rep, struct recs *rs, char *err, size_t errlen)
{
	char *line;
	struct line ln = { 0 };
	size_t lineno = 0, capc = 0;
	int rc = 0;
	while (rc == 0 && (line = read_line(f, &ln, &rc, err, errlen))) {
		lineno++;
		struct json_object *o = json_tokener_parse(line);
		if (!o) {
			if (strspn(line, " \t\r\n") == strlen(line))
				continue;
			snprintf(err, errlen, "line %zu: not JSON", lineno);
			rc = -1;
			break;
		}
		const char *type = jstr(o, "type");
		size_t cidx;
		double cmax = (double)lineno + SIZE_INDEX_AHEAD;
		if (!jindex(o, "crawl", cmax < SIZE_MAX_CRAWL ? cmax : SIZE_MAX_CRAWL, 0, &cidx)) {
			snprintf(err, errlen, "line %zu: crawl index out of range", lineno);
			json_object_put(o);
			rc = -1;
			break;
		}
		unsigned crawl = (unsigned)cidx;
		if (type && !strcmp(type, "crawl")) {
			if (!crawl_slot(rep, crawl, &capc)) {
				rc = oom(err, errlen);
			} else {
				rep->c[crawl].start = jnum(o, "start", 0);
				rep->c[crawl].end = jnum(o, "end", 0);
			}
		} else if (!type) {
			const char *addr = jstr(o, "addr"), *id = jstr(o, "id");
			struct rec r = { .crawl = crawl, .port = jport(o),
					 .resp = jbool(o, "responsive"), .probe0 = rs->npt };
			struct json_object *pa;
			uint8_t idb[OV_IDLEN];
			if (!addr || !parse_ip(addr, &r.ip) || crawl >= rep->n) {
				snprintf(err, errlen, "line %zu: not a crawl snapshot record", lineno);
				rc = -1;
			} else {
				if (json_object_object_get_ex(o, "probes", &pa) && json_object_is_type(pa, json_type_array)) {
					size_t np = json_object_array_length(pa);
					for (size_t k = 0; k < np && rc == 0; k++) {
						if (!grow((void **)&rs->pt, &rs->cappt, rs->npt, sizeof *rs->pt))
							rc = oom(err, errlen);
						else
							rs->pt[rs->npt++] =
								json_object_get_double(json_object_array_get_idx(pa, k));
					}
					r.nprobes = (unsigned)(rs->npt - r.probe0);
				}
				if (id && kad_id_parse(id, idb)) {
					r.has_id = true;
					r.id = id64(idb);
				}
				if (!grow((void **)&rs->r, &rs->cap, rs->n, sizeof *rs->r))
					rc = oom(err, errlen);
				else
					rs->r[rs->n++] = r;
			}
		}
		json_object_put(o);
	}
	line_free(&ln);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Per crawl: effective size, sybil hosts and ID clusters.  0, or -1 on OOM. */
static int analyse_crawl(struct size_report *rep, const struct recs *rs, unsigned ci, struct u64set *sybil_ips,
			 struct u64set *addrs, struct u64set *ids)
{
	struct size_crawl *c = &rep->c[ci];
	struct u64set all = { 0 }, ipid = { 0 };
	uint64_t *pre = NULL, *ipk = NULL;
	size_t npre = 0, nipk = 0, cpre = 0, cipk = 0;
	int rc = -1, a;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->r[i];
		if (r->crawl != ci)
			continue;
		if (set_add(&all, addr_key(r->ip, r->port) ^ (r->has_id ? mix(r->id) : 0)) < 0)
			goto out;
		if (!r->resp)
			continue;
		if (set_add(addrs, addr_key(r->ip, r->port)) < 0)
			goto out;
		if ((a = set_add(ids, r->id)) < 0 || (a && !push_u64(&pre, &npre, &cpre, r->id >> 32)))
			goto out;
		if ((a = set_add(&ipid, mix(r->ip) ^ r->id)) < 0 || (a && !push_u64(&ipk, &nipk, &cipk, r->ip)))
			goto out;
	}
	c->known = (unsigned)all.n;
	c->responsive_ids = (unsigned)ids->n;
	/* IDs per IP: one entry per distinct responsive (ip, id) pair, sorted by ip */
	if (nipk)
		qsort(ipk, nipk, sizeof *ipk, cmp_u64);
	for (size_t i = 0; i < nipk;) {
		size_t j = i;
		while (j < nipk && ipk[j] == ipk[i])
			j++;
		if (j - i >= SIZE_SYBIL_IDS) {
			if (set_add(sybil_ips, ipk[i]) < 0)
				goto out;
			c->sybil_ids += (unsigned)(j - i);
		}
		i = j;
	}
	unsigned resp_addrs = 0;
	for (size_t i = 0; i < addrs->cap; i++)
		if (addrs->k[i] && !set_has(sybil_ips, addrs->k[i] >> 16))
			resp_addrs++;
	c->responsive_addrs = resp_addrs;
	if (npre)
		qsort(pre, npre, sizeof *pre, cmp_u64);
	unsigned clusters = 0;
	for (size_t i = 0; i < npre;) {
		size_t j = i;
		while (j < npre && pre[j] == pre[i])
			j++;
		clusters += j - i >= 3;
		i = j;
	}
	if (clusters > rep->sybil_clusters)
		rep->sybil_clusters = clusters;
	rc = 0;
out:
	free(ipk);
	free(pre);
	set_free(&all);
	set_free(&ipid);
	return rc;
}

/* Unresponsive addresses and address churn of crawl ci against ci - 1.  0, or -1 on OOM. */
static int analyse_churn(struct size_report *rep, const struct recs *rs, unsigned ci, struct u64set *sets,
			 struct u64set *ever, struct u64set *ids_sets)
{
	struct size_crawl *c = &rep->c[ci];
	struct u64set known = { 0 };
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->r[i];
		if (r->crawl == ci && !set_has(&sets[ci], addr_key(r->ip, r->port)) &&
		    set_add(&known, addr_key(r->ip, r->port)) < 0) {
			set_free(&known);
			return -1;
		}
	}
	c->unresponsive_addrs = (unsigned)known.n;
	set_free(&known);
	if (ci == 0)
		return 0;
	for (size_t i = 0; i < sets[ci].cap; i++) {
		uint64_t k = sets[ci].k[i];
		if (k && !set_has(&sets[ci - 1], k)) {
			if (set_has(ever, k))
				c->returned++;
			else
				c->joined++;
		}
	}
	for (size_t i = 0; i < sets[ci - 1].cap; i++)
		if (sets[ci - 1].k[i] && !set_has(&sets[ci], sets[ci - 1].k[i]))
			c->left++;
	for (size_t i = 0; i < ids_sets[ci].cap; i++)
		if (ids_sets[ci].k[i] && !set_has(&ids_sets[ci - 1], ids_sets[ci].k[i]))
			c->id_joined++;
	for (size_t i = 0; i < ids_sets[ci - 1].cap; i++)
		if (ids_sets[ci - 1].k[i] && !set_has(&ids_sets[ci], ids_sets[ci - 1].k[i]))
			c->id_left++;
	for (size_t i = 0; i < sets[ci - 1].cap; i++)
		if (sets[ci - 1].k[i] && set_add(ever, sets[ci - 1].k[i]) < 0)
			return -1;
	return 0;
}

/* Totals over all crawls: distinct IDs and addresses, aliasing.  0, or -1 on OOM. */
static int analyse_totals(struct size_report *rep, const struct recs *rs)
{
	struct u64set ids = { 0 }, addrs = { 0 }, pairs = { 0 };
	uint64_t *ak = NULL;
	size_t nak = 0, cak = 0;
	int rc = -1, a;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->r[i];
		if (!r->resp)
			continue;
		uint64_t k = addr_key(r->ip, r->port);
		if (set_add(&ids, r->id) < 0 || set_add(&addrs, k) < 0)
			goto out;
		if ((a = set_add(&pairs, mix(k) ^ r->id)) < 0 || (a && !push_u64(&ak, &nak, &cak, k)))
			goto out;
	}
	if (nak)
		qsort(ak, nak, sizeof *ak, cmp_u64);
	for (size_t i = 0; i < nak;) {
		size_t j = i;
		while (j < nak && ak[j] == ak[i])
			j++;
		if (j - i > 1)
			rep->aliased_addrs++;
		if (j - i > rep->max_ids_per_addr)
			rep->max_ids_per_addr = (unsigned)(j - i);
		i = j;
	}
	rep->total_ids = (unsigned)ids.n;
	rep->total_addrs = (unsigned)addrs.n;
	rc = 0;
out:
	free(ak);
	set_free(&ids);
	set_free(&addrs);
	set_free(&pairs);
	return rc;
}

/* --- truth: the simulator's peers and their up/down events --- */
struct tpeer {
	uint32_t ip;
	uint16_t port;
	bool nat, sybil;
	size_t ev0, ev1;          /* this peer's events: ev[ev0 .. ev1), in time order */
};
struct tev {
	double t;
	uint32_t peer;
	bool up;
	size_t seq;               /* order in the file: breaks ties */
};
struct truth {
	struct tpeer *p;
	size_t np, capp;
	struct tev *ev;
	size_t nev, capev;
	struct taddr { uint64_t key; size_t peer; } *byaddr;   /* sorted by addr_key */
	size_t nbyaddr;
	struct u64set ids;
};

static int cmp_tev(const void *a, const void *b)
{
	const struct tev *x = a, *y = b;
	if (x->peer != y->peer)
		return x->peer < y->peer ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_taddr(const void *a, const void *b)
{
	const struct taddr *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

static int load_truth(FILE *f, struct truth *t, char *err, size_t errlen)
{
	char *line;
	struct line ln = { 0 };
	int rc = 0;
	while (rc == 0 && (line = read_line(f, &ln, &rc, err, errlen))) {
		struct json_object *o = json_tokener_parse(line);
		const char *type = o ? jstr(o, "type") : NULL;
		if (!type) {
			json_object_put(o);
			continue;
		}
		size_t peer;
		double pmax = (double)ln.no + SIZE_INDEX_AHEAD;
		if (!jindex(o, "peer", pmax < SIZE_MAX_PEER ? pmax : SIZE_MAX_PEER, 0, &peer)) {
			snprintf(err, errlen, "line %llu: peer index out of range", ln.no);
			json_object_put(o);
			rc = -1;
			break;
		}
		if (!strcmp(type, "peer")) {
			const char *addr = jstr(o, "addr");
			if (peer >= t->capp) {
				size_t nc = peer * 2 + 64;
				struct tpeer *np = s_realloc(t->p, nc * sizeof *np);
				if (!np) {
					rc = oom(err, errlen);
				} else {
					memset(np + t->capp, 0, (nc - t->capp) * sizeof *np);
					t->p = np;
					t->capp = nc;
				}
			}
			if (rc == 0) {
				if (peer >= t->np)
					t->np = peer + 1;
				struct tpeer *p = &t->p[peer];
				p->port = jport(o);
				p->nat = jbool(o, "nat");
				p->sybil = jbool(o, "sybil");
				if (!addr || !parse_ip(addr, &p->ip))
					p->ip = 0;
			}
		} else if ((!strcmp(type, "up") || !strcmp(type, "down")) && peer < t->np) {
			uint8_t idb[OV_IDLEN];
			const char *id = jstr(o, "id");
			if (!grow((void **)&t->ev, &t->capev, t->nev, sizeof *t->ev)) {
				rc = oom(err, errlen);
			} else {
				t->ev[t->nev] = (struct tev){ jnum(o, "t", 0), (uint32_t)peer, type[0] == 'u', t->nev };
				t->nev++;
				if (id && kad_id_parse(id, idb) && !t->p[peer].sybil && set_add(&t->ids, id64(idb)) < 0)
					rc = oom(err, errlen);
			}
		}
		json_object_put(o);
	}
	line_free(&ln);
	if (rc)
		return rc;
	if (!t->np) {
		snprintf(err, errlen, "the truth file has no peers");
		return -1;
	}
	/* index: events grouped by peer in time order; peers by address */
	if (t->nev)
		qsort(t->ev, t->nev, sizeof *t->ev, cmp_tev);
	for (size_t i = 0, e = 0; i < t->np; i++) {
		t->p[i].ev0 = e;
		while (e < t->nev && t->ev[e].peer == i)
			e++;
		t->p[i].ev1 = e;
	}
	t->byaddr = s_malloc(t->np * sizeof *t->byaddr);
	if (!t->byaddr)
		return oom(err, errlen);
	for (size_t i = 0; i < t->np; i++)
		if (t->p[i].ip)
			t->byaddr[t->nbyaddr++] = (struct taddr){ addr_key(t->p[i].ip, t->p[i].port), i };
	if (t->nbyaddr)
		qsort(t->byaddr, t->nbyaddr, sizeof *t->byaddr, cmp_taddr);
	return 0;
}

/* The truth peer at ip:port, or SIZE_MAX. */
static size_t truth_peer(const struct truth *t, uint32_t ip, uint16_t port)
{
	uint64_t k = addr_key(ip, port);
	size_t lo = 0, hi = t->nbyaddr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->byaddr[mid].key < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nbyaddr && t->byaddr[lo].key == k ? t->byaddr[lo].peer : SIZE_MAX;
}

/* Index of peer i's first event later than x (ev1 when none). */
static size_t ev_after(const struct truth *t, size_t i, double x)
{
	size_t lo = t->p[i].ev0, hi = t->p[i].ev1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->ev[mid].t <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Peer i online at instant x: its last event at or before x was "up". */
static bool online_at(const struct truth *t, size_t i, double x)
{
	size_t e = ev_after(t, i, x);
	return e > t->p[i].ev0 && t->ev[e - 1].up;
}

/* Peer i online at some instant of [a, b]. */
static bool online_in(const struct truth *t, size_t i, double a, double b)
{
	if (online_at(t, i, a))
		return true;
	for (size_t e = ev_after(t, i, a); e < t->p[i].ev1 && t->ev[e].t <= b; e++)
		if (t->ev[e].up)
			return true;
	return false;
}

/* Peer i online at every instant of [a, b]. */
static bool online_throughout(const struct truth *t, size_t i, double a, double b)
{
	if (!online_at(t, i, a))
		return false;
	for (size_t e = ev_after(t, i, a); e < t->p[i].ev1 && t->ev[e].t <= b; e++)
		if (!t->ev[e].up)
			return false;
	return true;
}

/* Per truth peer and crawl: in the "during" set, in the "at probe" set. */
enum { TS_DURING = 1, TS_PROBE = 2 };

/* Peer i online at one of the instants of a snapshot record's probes. */
static bool online_at_probe(const struct truth *t, size_t i, const struct recs *rs, const struct rec *r)
{
	for (unsigned k = 0; k < r->nprobes; k++)
		if (online_at(t, i, rs->pt[r->probe0 + k]))
			return true;
	return false;
}

/*
 * Truth per crawl.  A crawl spans seconds and churn goes on meanwhile,
 * so "the bots online in a crawl" needs an instant per bot.  Compared
 * like with like, the truth for a reachable (not NAT'd, not sybil) bot
 * is its state at the instants the crawler actually looked at its
 * address:
 *
 *   truth_reachable (at probe): the bot was online at the instant one of
 *     the crawler's Identify requests to its address was sent, in that
 *     crawl (the snapshot's "probes": the first request and each retry).
 *     That is exactly what a crawler with the same probe schedule and no
 *     packet loss would see; a bot that went down right after a request
 *     reached it but before it was answered is a miss.  A bot whose
 *     address the crawler never probed cannot be judged at a probe time:
 *     it counts when it was online at some time during the crawl (a miss
 *     charged to the crawler), and truth_unprobed says how many.
 *   truth_joined / truth_left (at probe): reachable bots in the at-probe
 *     set of this crawl and not of the previous one, and vice versa.
 *   truth_missed / truth_false: at-probe bots the crawl did not find,
 *     and responsive addresses the truth says were offline at every
 *     probe (so effective = truth_reachable - truth_missed + truth_false).
 *
 * The at-probe truth measures the crawler's errors, not how stale a
 * snapshot that takes seconds is.  For that, the looser "online during"
 * figures are kept: truth_reachable_during counts reachable bots online
 * at any time in [start, end] of the crawl, and truth_joined_during /
 * truth_left_during compare these sets; a bot that goes down (or up)
 * during the crawl is in the "during" set whether the crawler probed it
 * before or after.  Coverage is measured on the reachable bots online
 * throughout the crawl (every one of them must be found); truth_online /
 * truth_nat / nat_invisible count bots online during the crawl.
 */
static int analyse_truth(struct size_report *rep, const struct truth *t, const struct recs *rs,
			 const struct u64set *sets)
{
	size_t *ri = s_malloc(t->np * sizeof *ri);
	uint8_t *st = s_calloc(t->np, 1), *prev = s_calloc(t->np, 1);
	int rc = -1;
	if (!ri || !st || !prev)
		goto out;
	rep->have_truth = true;
	rep->truth_total_ids = (long)t->ids.n;
	for (unsigned ci = 0; ci < rep->n; ci++) {
		struct size_crawl *c = &rep->c[ci];
		for (size_t i = 0; i < t->np; i++)
			ri[i] = SIZE_MAX;
		for (size_t i = 0; i < rs->n; i++) {
			const struct rec *r = &rs->r[i];
			size_t pi;
			if (r->crawl == ci && r->nprobes && (pi = truth_peer(t, r->ip, r->port)) != SIZE_MAX)
				ri[pi] = i;
		}
		c->found_stable = c->truth_stable = 0;
		c->truth_online = c->truth_reachable = c->truth_nat = c->nat_invisible = 0;
		c->truth_reachable_during = c->truth_unprobed = c->truth_missed = c->truth_false = 0;
		c->truth_joined = c->truth_left = c->truth_joined_during = c->truth_left_during = ci ? 0 : -1;
		for (size_t i = 0; i < t->np; i++) {
			const struct tpeer *p = &t->p[i];
			if (p->sybil || !p->ip) {
				st[i] = 0;
				continue;
			}
			bool found = set_has(&sets[ci], addr_key(p->ip, p->port));
			bool during = online_in(t, i, c->start, c->end);
			if (during) {
				c->truth_online++;
				if (p->nat) {
					c->truth_nat++;
					c->nat_invisible += !found;
				}
			}
			if (p->nat) {
				st[i] = 0;
				continue;
			}
			bool probed = ri[i] != SIZE_MAX;
			bool probe = probed ? online_at_probe(t, i, rs, &rs->r[ri[i]]) : during;
			if (!probe && found)
				c->truth_false++;
			if (online_throughout(t, i, c->start, c->end)) {
				c->truth_stable++;
				c->found_stable += found;
			}
			c->truth_reachable_during += during;
			c->truth_reachable += probe;
			c->truth_unprobed += probe && !probed;
			c->truth_missed += probe && !found;
			st[i] = (uint8_t)((during ? TS_DURING : 0) | (probe ? TS_PROBE : 0));
			if (ci) {
				c->truth_joined += (st[i] & TS_PROBE) && !(prev[i] & TS_PROBE);
				c->truth_left += (prev[i] & TS_PROBE) && !(st[i] & TS_PROBE);
				c->truth_joined_during += (st[i] & TS_DURING) && !(prev[i] & TS_DURING);
				c->truth_left_during += (prev[i] & TS_DURING) && !(st[i] & TS_DURING);
			}
		}
		memcpy(prev, st, t->np);
	}
	rc = 0;
out:
	free(ri);
	free(st);
	free(prev);
	return rc;
}

/*
 * Reads crawl snapshots (and the simulator's truth when truth != NULL)
 * and fills r.  Returns 0, or -1 with err (a line that is not a
 * snapshot record, a truth file without peers, out of memory).
 */
int size_analyse(FILE *crawls, FILE *truth, struct size_report *r, char *err, size_t errlen)
{
	struct recs rs = { 0 };
	struct u64set *sets = NULL, *idsets = NULL, sybil_ips = { 0 }, ever = { 0 };
	struct truth t = { 0 };
	int rc = -1;
	memset(r, 0, sizeof *r);
	if (load_crawls(crawls, r, &rs, err, errlen) != 0)
		goto out;
	sets = s_calloc(r->n + 1, sizeof *sets);
	idsets = s_calloc(r->n + 1, sizeof *idsets);
	if (!sets || !idsets) {
		oom(err, errlen);
		goto out;
	}
	for (unsigned ci = 0; ci < r->n; ci++)
		if (analyse_crawl(r, &rs, ci, &sybil_ips, &sets[ci], &idsets[ci]) != 0) {
			oom(err, errlen);
			goto out;
		}
	for (unsigned ci = 0; ci < r->n; ci++)
		if (analyse_churn(r, &rs, ci, sets, &ever, idsets) != 0) {
			oom(err, errlen);
			goto out;
		}
	if (analyse_totals(r, &rs) != 0) {
		oom(err, errlen);
		goto out;
	}
	r->sybil_hosts = (unsigned)sybil_ips.n;
	for (unsigned ci = 0; ci < r->n; ci++) {
		struct size_crawl *c = &r->c[ci];
		c->truth_online = c->truth_reachable = c->truth_nat = c->truth_stable = c->truth_joined =
			c->truth_left = c->found_stable = c->nat_invisible = c->truth_reachable_during =
				c->truth_unprobed = c->truth_missed = c->truth_false = c->truth_joined_during =
					c->truth_left_during = -1;
	}
	if (truth) {
		if (load_truth(truth, &t, err, errlen) != 0)
			goto out;
		if (analyse_truth(r, &t, &rs, sets) != 0) {
			oom(err, errlen);
			goto out;
		}
	}
	rc = 0;
out:
	for (unsigned ci = 0; sets && idsets && ci <= r->n; ci++) {
		set_free(&sets[ci]);
		set_free(&idsets[ci]);
	}
	free(sets);
	free(idsets);
	set_free(&sybil_ips);
	set_free(&ever);
	free(t.p);
	free(t.ev);
	free(t.byaddr);
	set_free(&t.ids);
	free(rs.r);
	free(rs.pt);
	return rc;
}

void size_report_free(struct size_report *r)
{
	free(r->c);
	memset(r, 0, sizeof *r);
}

/* --- passive: distinct Overnet peers in a capture --- */
int size_passive_init(struct size_passive *s, double bin)
{
	memset(s, 0, sizeof *s);
	s->bin = bin > 0 ? bin : 60;
	s->set = s_calloc(1, sizeof(struct u64set));
	if (!s->set) {
		s->failed = true;
		return -1;
	}
	return 0;
}

/*
 * Counts one UDP payload that decodes as Overnet (after the XOR key when
 * set): its remote endpoint is a peer.
 * Bins are per `bin` seconds from the first message; a bin's `peers`
 * counts distinct peers in the bin, `new_peers` those never seen before.
 * Returns -1 (and sets s->failed: the counts are incomplete) when memory
 * runs out; later calls then do nothing.
 */
int size_passive_add(struct size_passive *s, double t, uint32_t ip, uint16_t port, const uint8_t *data,
		     size_t len)
{
	uint8_t buf[2048];
	struct ov_msg m;
	if (s->failed)
		return -1;
	if (len > sizeof buf || len < 2)
		return 0;
	memcpy(buf, data, len);
	if (s->xor_on)
		ov_xor(buf, len, s->key);
	if (ov_decode(buf, len, &m) != OV_OK) {
		s->bad += buf[0] == OV_MAGIC;
		return 0;
	}
	struct u64set *all = s->set;
	double t0 = s->nbins ? s->bins[0].t : t;
	size_t b = t > t0 ? (size_t)((t - t0) / s->bin) : 0;
	while (s->nbins <= b) {
		if (s->nbins == s->cap) {
			unsigned nc = s->cap ? s->cap * 2 : 64;
			struct size_passive_bin *nb = s_realloc(s->bins, nc * sizeof *nb);
			if (!nb) {
				s->failed = true;
				return -1;
			}
			s->bins = nb;
			s->cap = nc;
		}
		s->bins[s->nbins] = (struct size_passive_bin){ t0 + s->nbins * s->bin, 0, 0, 0 };
		s->nbins++;
	}
	/* key: endpoint, tagged with the bin so per-bin distinct counts share one set */
	uint64_t k = addr_key(ip, port);
	int is_new = set_add(all, k), in_bin = is_new < 0 ? -1 : set_add(all, mix(k) ^ ((uint64_t)(b + 1) << 48) ^ 0x5bd1e995u);
	if (in_bin < 0) {
		s->failed = true;
		return -1;
	}
	s->msgs++;
	struct size_passive_bin *bn = &s->bins[b];
	bn->msgs++;
	if (is_new) {
		bn->new_peers++;
		s->distinct++;
	}
	bn->peers += (unsigned)in_bin;
	return 0;
}

void size_passive_free(struct size_passive *s)
{
	if (s->set) {
		set_free(s->set);
		free(s->set);
	}
	free(s->bins);
	memset(s, 0, sizeof *s);
}
