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
 * The truth comparison is in size_truth.c, the passive counter in
 * size_passive.c, the key set in u64set.c.
 *
 * Inputs are JSON lines read with json-c; lines of other types are
 * skipped, so the reader accepts future fields.
 */
#include <errno.h>

#include "p2p/size-int.h"

/*
 * Allocation: every failure is returned ("out of memory", exit 5 in the
 * CLI).  size_alloc_fail_at(n) makes the nth allocation of the size
 * analysis (size*.c, u64set.c) fail from now on (tests drive the error
 * paths with it; 0 turns it off).
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

void *size_malloc(size_t n) { return fail_now() ? NULL : malloc(n); }
void *size_calloc(size_t n, size_t sz) { return fail_now() ? NULL : calloc(n, sz); }
void *size_realloc(void *p, size_t n) { return fail_now() ? NULL : realloc(p, n); }

/* Makes rep->c hold crawl index `crawl`; false on OOM. */
static bool crawl_slot(struct size_report *rep, unsigned crawl, size_t *capc)
{
	if (crawl < rep->n)
		return true;
	if (crawl >= *capc) {
		size_t nc = (size_t)crawl + 16;
		struct size_crawl *c = size_realloc(rep->c, nc * sizeof *c);
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
						if (!grow_to((void **)&rs->pt, &rs->cappt, rs->npt + 1, sizeof *rs->pt, 1024))
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
				if (!grow_to((void **)&rs->r, &rs->cap, rs->n + 1, sizeof *rs->r, 1024))
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
		if (u64set_add(&all, addr_key(r->ip, r->port) ^ (r->has_id ? u64set_mix(r->id) : 0)) < 0)
			goto out;
		if (!r->resp)
			continue;
		if (u64set_add(addrs, addr_key(r->ip, r->port)) < 0)
			goto out;
		if ((a = u64set_add(ids, r->id)) < 0 || (a && !push_u64(&pre, &npre, &cpre, r->id >> 32)))
			goto out;
		if ((a = u64set_add(&ipid, u64set_mix(r->ip) ^ r->id)) < 0 || (a && !push_u64(&ipk, &nipk, &cipk, r->ip)))
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
			if (u64set_add(sybil_ips, ipk[i]) < 0)
				goto out;
			c->sybil_ids += (unsigned)(j - i);
		}
		i = j;
	}
	unsigned resp_addrs = 0;
	for (size_t i = 0; i < addrs->cap; i++)
		if (addrs->k[i] && !u64set_has(sybil_ips, addrs->k[i] >> 16))
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
	u64set_free(&all);
	u64set_free(&ipid);
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
		if (r->crawl == ci && !u64set_has(&sets[ci], addr_key(r->ip, r->port)) &&
		    u64set_add(&known, addr_key(r->ip, r->port)) < 0) {
			u64set_free(&known);
			return -1;
		}
	}
	c->unresponsive_addrs = (unsigned)known.n;
	u64set_free(&known);
	if (ci == 0)
		return 0;
	for (size_t i = 0; i < sets[ci].cap; i++) {
		uint64_t k = sets[ci].k[i];
		if (k && !u64set_has(&sets[ci - 1], k)) {
			if (u64set_has(ever, k))
				c->returned++;
			else
				c->joined++;
		}
	}
	for (size_t i = 0; i < sets[ci - 1].cap; i++)
		if (sets[ci - 1].k[i] && !u64set_has(&sets[ci], sets[ci - 1].k[i]))
			c->left++;
	for (size_t i = 0; i < ids_sets[ci].cap; i++)
		if (ids_sets[ci].k[i] && !u64set_has(&ids_sets[ci - 1], ids_sets[ci].k[i]))
			c->id_joined++;
	for (size_t i = 0; i < ids_sets[ci - 1].cap; i++)
		if (ids_sets[ci - 1].k[i] && !u64set_has(&ids_sets[ci], ids_sets[ci - 1].k[i]))
			c->id_left++;
	for (size_t i = 0; i < sets[ci - 1].cap; i++)
		if (sets[ci - 1].k[i] && u64set_add(ever, sets[ci - 1].k[i]) < 0)
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
		if (u64set_add(&ids, r->id) < 0 || u64set_add(&addrs, k) < 0)
			goto out;
		if ((a = u64set_add(&pairs, u64set_mix(k) ^ r->id)) < 0 || (a && !push_u64(&ak, &nak, &cak, k)))
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
	u64set_free(&ids);
	u64set_free(&addrs);
	u64set_free(&pairs);
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
	int rc = -1;
	memset(r, 0, sizeof *r);
	if (load_crawls(crawls, r, &rs, err, errlen) != 0)
		goto out;
	sets = size_calloc(r->n + 1, sizeof *sets);
	idsets = size_calloc(r->n + 1, sizeof *idsets);
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
	if (truth && size_truth(truth, r, &rs, sets, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	for (unsigned ci = 0; sets && idsets && ci <= r->n; ci++) {
		u64set_free(&sets[ci]);
		u64set_free(&idsets[ci]);
	}
	free(sets);
	free(idsets);
	u64set_free(&sybil_ips);
	u64set_free(&ever);
	free(rs.r);
	free(rs.pt);
	return rc;
}

void size_report_free(struct size_report *r)
{
	free(r->c);
	memset(r, 0, sizeof *r);
}

