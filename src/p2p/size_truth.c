/*
 * size_truth.c - botnet size against the simulator's truth: which bots
 * were online, reachable or behind NAT when the crawler probed them, and
 * what each crawl missed or claimed falsely (the truth_* fields of
 * struct size_crawl).
 */
#include "p2p/size-int.h"

/* The simulator's peers and their up/down events. */
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
				struct tpeer *np = size_realloc(t->p, nc * sizeof *np);
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
			if (!grow_to((void **)&t->ev, &t->capev, t->nev + 1, sizeof *t->ev, 1024)) {
				rc = oom(err, errlen);
			} else {
				t->ev[t->nev] = (struct tev){ jnum(o, "t", 0), (uint32_t)peer, type[0] == 'u', t->nev };
				t->nev++;
				if (id && kad_id_parse(id, idb) && !t->p[peer].sybil && u64set_add(&t->ids, id64(idb)) < 0)
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
	t->byaddr = size_malloc(t->np * sizeof *t->byaddr);
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
	size_t *ri = size_malloc(t->np * sizeof *ri);
	uint8_t *st = size_calloc(t->np, 1), *prev = size_calloc(t->np, 1);
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
			bool found = u64set_has(&sets[ci], addr_key(p->ip, p->port));
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

int size_truth(FILE *f, struct size_report *rep, const struct recs *rs, const struct u64set *sets, char *err,
	       size_t errlen)
{
	struct truth t = { 0 };
	int rc = load_truth(f, &t, err, errlen);
	if (!rc && analyse_truth(rep, &t, rs, sets) != 0)
		rc = oom(err, errlen);
	free(t.p);
	free(t.ev);
	free(t.byaddr);
	u64set_free(&t.ids);
	return rc;
}
