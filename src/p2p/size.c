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

#include "p2p/p2p-int.h"
#include "p2p/p2p.h"

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

/* Adds key (0 is mapped to 1); returns true when it was new. Aborts on OOM. */
static bool set_add(struct u64set *s, uint64_t key)
{
	if (!key)
		key = 1;
	if (2 * (s->n + 1) > s->cap) {
		struct u64set ns = { calloc(s->cap ? s->cap * 2 : 1024, sizeof *ns.k), 0,
				     s->cap ? s->cap * 2 : 1024 };
		if (!ns.k)
			abort();
		for (size_t i = 0; i < s->cap; i++)
			if (s->k[i])
				set_add(&ns, s->k[i]);
		free(s->k);
		*s = ns;
	}
	size_t i = mix(key) & (s->cap - 1);
	while (s->k[i]) {
		if (s->k[i] == key)
			return false;
		i = (i + 1) & (s->cap - 1);
	}
	s->k[i] = key;
	s->n++;
	return true;
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

/* --- records --- */
struct rec {
	unsigned crawl;
	uint32_t ip;
	uint16_t port;
	bool resp, has_id;
	uint64_t id;              /* first 64 bits of the ID */
};

struct recs {
	struct rec *r;
	size_t n, cap;
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

/* Reads one line at a time (any length); NULL at the end. */
static char *read_line(FILE *f, char **buf, size_t *cap)
{
	ssize_t n = getline(buf, cap, f);
	return n < 0 ? NULL : *buf;
}

static int load_crawls(FILE *f, struct size_report *rep, struct recs *rs, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0, capc = 0;
	int rc = 0;
	while (read_line(f, &line, &cap)) {
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
		unsigned crawl = (unsigned)jnum(o, "crawl", 0);
		if (type && !strcmp(type, "crawl")) {
			if (crawl >= rep->n) {
				if (crawl >= capc) {
					size_t nc = crawl + 16;
					struct size_crawl *c = realloc(rep->c, nc * sizeof *c);
					if (!c)
						abort();
					rep->c = c;
					capc = nc;
				}
				for (unsigned i = rep->n; i <= crawl; i++)
					memset(&rep->c[i], 0, sizeof rep->c[i]);
				rep->n = crawl + 1;
			}
			rep->c[crawl].start = jnum(o, "start", 0);
			rep->c[crawl].end = jnum(o, "end", 0);
		} else if (!type) {
			const char *addr = jstr(o, "addr"), *id = jstr(o, "id");
			struct rec r = { .crawl = crawl, .port = (uint16_t)jnum(o, "port", 0),
					 .resp = jbool(o, "responsive") };
			uint8_t idb[OV_IDLEN];
			if (!addr || !parse_ip(addr, &r.ip) || crawl >= rep->n) {
				snprintf(err, errlen, "line %zu: not a crawl snapshot record", lineno);
				json_object_put(o);
				rc = -1;
				break;
			}
			if (id && kad_id_parse(id, idb)) {
				r.has_id = true;
				r.id = id64(idb);
			}
			if (rs->n == rs->cap) {
				rs->cap = rs->cap ? rs->cap * 2 : 4096;
				rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
				if (!rs->r)
					abort();
			}
			rs->r[rs->n++] = r;
		}
		json_object_put(o);
	}
	free(line);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Per crawl: effective size, sybil hosts and ID clusters. */
static void analyse_crawl(struct size_report *rep, const struct recs *rs, unsigned ci, struct u64set *sybil_ips,
			  struct u64set *addrs, struct u64set *ids)
{
	struct size_crawl *c = &rep->c[ci];
	struct u64set all = { 0 }, ipid = { 0 };
	uint64_t *pre = NULL, *ipk = NULL;
	size_t npre = 0, nipk = 0;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->r[i];
		if (r->crawl != ci)
			continue;
		set_add(&all, addr_key(r->ip, r->port) ^ (r->has_id ? mix(r->id) : 0));
		if (!r->resp)
			continue;
		set_add(addrs, addr_key(r->ip, r->port));
		if (set_add(ids, r->id)) {
			pre = realloc(pre, (npre + 1) * sizeof *pre);
			if (!pre)
				abort();
			pre[npre++] = r->id >> 32;
		}
		if (set_add(&ipid, mix(r->ip) ^ r->id)) {
			ipk = realloc(ipk, (nipk + 1) * sizeof *ipk);
			if (!ipk)
				abort();
			ipk[nipk++] = r->ip;
		}
	}
	c->known = (unsigned)all.n;
	c->responsive_ids = (unsigned)ids->n;
	/* IDs per IP: one entry per distinct responsive (ip, id) pair, sorted by ip */
	qsort(ipk, nipk, sizeof *ipk, cmp_u64);
	for (size_t i = 0; i < nipk;) {
		size_t j = i;
		while (j < nipk && ipk[j] == ipk[i])
			j++;
		if (j - i >= SIZE_SYBIL_IDS) {
			set_add(sybil_ips, ipk[i]);
			c->sybil_ids += (unsigned)(j - i);
		}
		i = j;
	}
	free(ipk);
	unsigned resp_addrs = 0;
	for (size_t i = 0; i < addrs->cap; i++)
		if (addrs->k[i] && !set_has(sybil_ips, addrs->k[i] >> 16))
			resp_addrs++;
	c->responsive_addrs = resp_addrs;
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
	free(pre);
	set_free(&all);
	set_free(&ipid);
}

/* Unresponsive addresses and address churn of crawl ci against ci - 1. */
static void analyse_churn(struct size_report *rep, const struct recs *rs, unsigned ci, struct u64set *sets,
			  struct u64set *ever, struct u64set *ids_sets)
{
	struct size_crawl *c = &rep->c[ci];
	struct u64set known = { 0 };
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->r[i];
		if (r->crawl == ci && !set_has(&sets[ci], addr_key(r->ip, r->port)))
			set_add(&known, addr_key(r->ip, r->port));
	}
	c->unresponsive_addrs = (unsigned)known.n;
	set_free(&known);
	for (size_t i = 0; i < sets[ci].cap; i++) {
		uint64_t k = sets[ci].k[i];
		if (!k)
			continue;
		if (ci > 0 && !set_has(&sets[ci - 1], k)) {
			if (set_has(ever, k))
				c->returned++;
			else
				c->joined++;
		}
	}
	if (ci > 0) {
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
			if (sets[ci - 1].k[i])
				set_add(ever, sets[ci - 1].k[i]);
	}
}

/* Totals over all crawls: distinct IDs and addresses, aliasing. */
static void analyse_totals(struct size_report *rep, const struct recs *rs)
{
	struct u64set ids = { 0 }, addrs = { 0 }, pairs = { 0 }, multi = { 0 };
	uint64_t *ak = NULL;
	size_t nak = 0;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->r[i];
		if (!r->resp)
			continue;
		set_add(&ids, r->id);
		set_add(&addrs, addr_key(r->ip, r->port));
		if (set_add(&pairs, mix(addr_key(r->ip, r->port)) ^ r->id)) {
			ak = realloc(ak, (nak + 1) * sizeof *ak);
			if (!ak)
				abort();
			ak[nak++] = addr_key(r->ip, r->port);
		}
	}
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
	free(ak);
	set_free(&ids);
	set_free(&addrs);
	set_free(&pairs);
	set_free(&multi);
}

/* --- truth: the simulator's peers and their up/down events --- */
struct tpeer {
	uint32_t ip;
	uint16_t port;
	bool nat, sybil;
};
struct tev {
	double t;
	uint32_t peer;
	bool up;
};
struct truth {
	struct tpeer *p;
	size_t np;
	struct tev *ev;
	size_t nev, capev;
	struct u64set ids;
};

static int load_truth(FILE *f, struct truth *t, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0, capp = 0;
	while (read_line(f, &line, &cap)) {
		struct json_object *o = json_tokener_parse(line);
		const char *type = o ? jstr(o, "type") : NULL;
		if (!type) {
			json_object_put(o);
			continue;
		}
		size_t peer = (size_t)jnum(o, "peer", 0);
		if (!strcmp(type, "peer")) {
			const char *addr = jstr(o, "addr");
			if (peer >= capp) {
				capp = peer * 2 + 64;
				t->p = realloc(t->p, capp * sizeof *t->p);
				if (!t->p)
					abort();
			}
			if (peer >= t->np)
				t->np = peer + 1;
			struct tpeer *p = &t->p[peer];
			p->port = (uint16_t)jnum(o, "port", 0);
			p->nat = jbool(o, "nat");
			p->sybil = jbool(o, "sybil");
			if (!addr || !parse_ip(addr, &p->ip))
				p->ip = 0;
		} else if ((!strcmp(type, "up") || !strcmp(type, "down")) && peer < t->np) {
			if (t->nev == t->capev) {
				t->capev = t->capev ? t->capev * 2 : 4096;
				t->ev = realloc(t->ev, t->capev * sizeof *t->ev);
				if (!t->ev)
					abort();
			}
			t->ev[t->nev++] = (struct tev){ jnum(o, "t", 0), (uint32_t)peer, type[0] == 'u' };
			uint8_t idb[OV_IDLEN];
			const char *id = jstr(o, "id");
			if (id && kad_id_parse(id, idb) && !t->p[peer].sybil)
				set_add(&t->ids, id64(idb));
		}
		json_object_put(o);
	}
	free(line);
	if (!t->np) {
		snprintf(err, errlen, "the truth file has no peers");
		return -1;
	}
	return 0;
}

/* online[i] at time `at`; any[i] (may be NULL) when i was online at some time in [from, at]. */
static void truth_state(const struct truth *t, double at, double from, bool *online, bool *any)
{
	memset(online, 0, t->np * sizeof *online);
	size_t i = 0;
	for (; i < t->nev && t->ev[i].t <= from; i++)
		online[t->ev[i].peer] = t->ev[i].up;
	if (any)
		memcpy(any, online, t->np * sizeof *any);
	for (; i < t->nev && t->ev[i].t <= at; i++) {
		online[t->ev[i].peer] = t->ev[i].up;
		if (any && t->ev[i].up)
			any[t->ev[i].peer] = true;
	}
}

/*
 * Truth per crawl.  A crawl spans time and churn goes on meanwhile, so
 * the true effective size is the reachable bots online at some time
 * during the crawl; coverage is measured on the bots online throughout
 * it (every one of them must be found); churn compares these "during"
 * sets of consecutive crawls.
 */
static void analyse_truth(struct size_report *rep, const struct truth *t, const struct u64set *sets)
{
	bool *any = calloc(t->np, 1), *prev = calloc(t->np, 1), *at0 = calloc(t->np, 1), *end_on = calloc(t->np, 1);
	if (!any || !prev || !at0 || !end_on)
		abort();
	rep->have_truth = true;
	rep->truth_total_ids = (long)t->ids.n;
	for (unsigned ci = 0; ci < rep->n; ci++) {
		struct size_crawl *c = &rep->c[ci];
		truth_state(t, c->start, c->start, at0, NULL);
		truth_state(t, c->end, c->start, end_on, any);
		c->found_stable = c->truth_stable = 0;
		c->truth_online = c->truth_reachable = c->truth_nat = c->nat_invisible = 0;
		c->truth_joined = c->truth_left = ci ? 0 : -1;
		for (size_t i = 0; i < t->np; i++) {
			const struct tpeer *p = &t->p[i];
			if (p->sybil)
				continue;
			bool found = set_has(&sets[ci], addr_key(p->ip, p->port));
			if (!p->nat && at0[i] && end_on[i]) {
				c->truth_stable++;
				c->found_stable += found;
			}
			if (any[i]) {
				c->truth_online++;
				if (p->nat) {
					c->truth_nat++;
					c->nat_invisible += !found;
				} else {
					c->truth_reachable++;
				}
			}
			bool r_now = any[i] && !p->nat, r_prev = prev[i] && !p->nat;
			if (ci) {
				c->truth_joined += r_now && !r_prev;
				c->truth_left += r_prev && !r_now;
			}
		}
		memcpy(prev, any, t->np);
	}
	free(any);
	free(prev);
	free(at0);
	free(end_on);
}

/*
 * Reads crawl snapshots (and the simulator's truth when truth != NULL)
 * and fills r.  Returns 0, or -1 with err (a line that is not a
 * snapshot record, a truth file without peers).
 */
int size_analyse(FILE *crawls, FILE *truth, struct size_report *r, char *err, size_t errlen)
{
	struct recs rs = { 0 };
	memset(r, 0, sizeof *r);
	if (load_crawls(crawls, r, &rs, err, errlen) != 0) {
		free(rs.r);
		return -1;
	}
	struct u64set *sets = calloc(r->n + 1, sizeof *sets), *idsets = calloc(r->n + 1, sizeof *idsets);
	struct u64set sybil_ips = { 0 }, ever = { 0 };
	if (!sets || !idsets)
		abort();
	for (unsigned ci = 0; ci < r->n; ci++)
		analyse_crawl(r, &rs, ci, &sybil_ips, &sets[ci], &idsets[ci]);
	for (unsigned ci = 0; ci < r->n; ci++)
		analyse_churn(r, &rs, ci, sets, &ever, idsets);
	analyse_totals(r, &rs);
	r->sybil_hosts = (unsigned)sybil_ips.n;
	int rc = 0;
	for (unsigned ci = 0; ci < r->n; ci++)
		r->c[ci].truth_online = r->c[ci].truth_reachable = r->c[ci].truth_nat = r->c[ci].truth_stable =
			r->c[ci].truth_joined = r->c[ci].truth_left = r->c[ci].found_stable =
				r->c[ci].nat_invisible = -1;
	if (truth) {
		struct truth t = { 0 };
		rc = load_truth(truth, &t, err, errlen);
		if (rc == 0)
			analyse_truth(r, &t, sets);
		free(t.p);
		free(t.ev);
		set_free(&t.ids);
	}
	for (unsigned ci = 0; ci <= r->n; ci++) {
		set_free(&sets[ci]);
		set_free(&idsets[ci]);
	}
	free(sets);
	free(idsets);
	set_free(&sybil_ips);
	set_free(&ever);
	free(rs.r);
	return rc;
}

void size_report_free(struct size_report *r)
{
	free(r->c);
	memset(r, 0, sizeof *r);
}

/* --- passive: distinct Overnet peers in a capture --- */
void size_passive_init(struct size_passive *s, double bin)
{
	memset(s, 0, sizeof *s);
	s->bin = bin > 0 ? bin : 60;
	s->set = calloc(1, sizeof(struct u64set));
	if (!s->set)
		abort();
}

/*
 * Counts one UDP payload that decodes as Overnet (after the XOR key when
 * set): its remote endpoint and every peer record it carries are peers.
 * Bins are per `bin` seconds from the first message; a bin's `peers`
 * counts distinct peers in the bin, `new_peers` those never seen before.
 */
void size_passive_add(struct size_passive *s, double t, uint32_t ip, uint16_t port, const uint8_t *data,
		      size_t len)
{
	uint8_t buf[2048];
	struct ov_msg m;
	if (len > sizeof buf || len < 2)
		return;
	memcpy(buf, data, len);
	if (s->xor_on)
		ov_xor(buf, len, s->key);
	if (ov_decode(buf, len, &m) != OV_OK) {
		s->bad += buf[0] == OV_MAGIC;
		return;
	}
	s->msgs++;
	struct u64set *all = s->set;
	double t0 = s->nbins ? s->bins[0].t : t;
	size_t b = t > t0 ? (size_t)((t - t0) / s->bin) : 0;
	while (s->nbins <= b) {
		if (s->nbins == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->bins = realloc(s->bins, s->cap * sizeof *s->bins);
			if (!s->bins)
				abort();
		}
		s->bins[s->nbins] = (struct size_passive_bin){ t0 + s->nbins * s->bin, 0, 0, 0 };
		s->nbins++;
	}
	struct size_passive_bin *bn = &s->bins[b];
	bn->msgs++;
	/* key: endpoint, tagged with the bin so per-bin distinct counts share one set */
	uint64_t k = addr_key(ip, port);
	if (set_add(all, k)) {
		bn->new_peers++;
		s->distinct++;
	}
	if (set_add(all, mix(k) ^ ((uint64_t)(b + 1) << 48) ^ 0x5bd1e995u))
		bn->peers++;
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
