/*
 * cluster.c - prototypes and clusters of behavior vectors (Malheur: Rieck,
 * Trinius, Willems, Holz, "Automatic Analysis of Malware Behavior using
 * Machine Learning", JCS 2011, sections 3.2-3.4).
 *
 * 1. Prototypes by farthest-first traversal (Gonzalez 1985): the report
 *    farthest from every prototype becomes the next one, until no report
 *    is farther than dp; each report belongs to its nearest prototype.
 * 2. Agglomerative linkage (single, average, complete) of the prototypes
 *    until the closest two clusters are farther than dc; a row-minimum
 *    cache keeps each merge O(P) in the usual case.
 * 3. Clusters of fewer than min_size reports are rejected (-1).
 * Incremental analysis keeps prototypes with their cluster ids and the
 * rejected reports (pending) in a state file; new reports near a
 * prototype take its cluster, the rest are clustered with the pending
 * ones, so reports can arrive one at a time.  At most BH_PENDING_MAX
 * rejected reports are kept (the oldest are forgotten first).
 *
 * Distances are Euclidean between L2-normalised sparse vectors.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "behavior/behavior.h"
#include "util/line.h"

#define BH_PENDING_MAX 20000   /* rejected reports kept in an incremental state */

const char *const bh_linkage_names[] = { "single", "average", "complete", NULL };

int bh_linkage_parse(const char *s)
{
	for (int i = 0; bh_linkage_names[i]; i++)
		if (!strcmp(s, bh_linkage_names[i]))
			return i;
	return -1;
}

/* Farthest-first prototypes; assign[i] = prototype slot of report i. */
static size_t prototypes(const struct bh_vec *x, size_t n, double dp, size_t *proto, size_t *assign)
{
	if (!n)
		return 0;
	double *d = bh_alloc(n * sizeof *d);
	for (size_t i = 0; i < n; i++)
		d[i] = INFINITY;
	size_t np = 0, p = 0;
	for (;;) {
		proto[np] = p;
		size_t far = 0;
		for (size_t i = 0; i < n; i++) {
			double di = i == p ? 0 : bh_vec_dist(&x[i], &x[p]);
			if (di < d[i]) {
				d[i] = di;
				assign[i] = np;
			}
			if (d[i] > d[far])
				far = i;
		}
		np++;
		if (d[far] <= dp || np == n)
			break;
		p = far;
	}
	free(d);
	return np;
}

/* Linkage of P prototypes; root[i] = cluster slot of prototype i. */
static void linkage(const struct bh_vec *x, const size_t *proto, size_t P, const size_t *members,
		    const struct bh_cluster_opts *o, size_t *root)
{
	float *D = bh_alloc(P * P * sizeof *D);
	size_t *sz = bh_alloc(P * sizeof *sz), *nn = bh_alloc(P * sizeof *nn);
	bool *alive = bh_alloc(P * sizeof *alive);
	for (size_t i = 0; i < P; i++) {
		root[i] = i;
		sz[i] = members[i] ? members[i] : 1;
		alive[i] = true;
		D[i * P + i] = INFINITY;
		for (size_t j = 0; j < i; j++)
			D[i * P + j] = D[j * P + i] = (float)bh_vec_dist(&x[proto[i]], &x[proto[j]]);
	}
	for (size_t i = 0; i < P; i++) {
		nn[i] = i;
		for (size_t j = 0; j < P; j++)
			if (D[i * P + j] < D[i * P + nn[i]])
				nn[i] = j;
	}
	for (;;) {
		size_t a = P;
		for (size_t i = 0; i < P; i++)
			if (alive[i] && nn[i] != i && (a == P || D[i * P + nn[i]] < D[a * P + nn[a]]))
				a = i;
		if (a == P || D[a * P + nn[a]] > o->min_dist_cluster)
			break;
		size_t b = nn[a];
		for (size_t k = 0; k < P; k++) {   /* Lance-Williams update of row a */
			if (!alive[k] || k == a || k == b)
				continue;
			float da = D[a * P + k], db = D[b * P + k], v;
			if (o->linkage == BH_LINK_SINGLE)
				v = da < db ? da : db;
			else if (o->linkage == BH_LINK_COMPLETE)
				v = da > db ? da : db;
			else
				v = (float)((da * (double)sz[a] + db * (double)sz[b]) / (double)(sz[a] + sz[b]));
			D[a * P + k] = D[k * P + a] = v;
		}
		sz[a] += sz[b];
		alive[b] = false;
		for (size_t k = 0; k < P; k++) {
			D[b * P + k] = D[k * P + b] = INFINITY;
			if (root[k] == b)
				root[k] = a;
		}
		for (size_t i = 0; i < P; i++) {   /* refresh stale row minima */
			if (!alive[i] || !(i == a || nn[i] == a || nn[i] == b || D[i * P + a] < D[i * P + nn[i]]))
				continue;
			nn[i] = i;
			for (size_t j = 0; j < P; j++)
				if (D[i * P + j] < D[i * P + nn[i]])
					nn[i] = j;
		}
	}
	free(D);
	free(sz);
	free(nn);
	free(alive);
}

struct bh_cluster_opts bh_cluster_opts_default(void)
{
	return (struct bh_cluster_opts){ .max_dist_proto = 0.65, .min_dist_cluster = 0.95,
					 .linkage = BH_LINK_COMPLETE, .min_size = 3 };
}

size_t bh_cluster(const struct bh_vec *x, size_t n, const struct bh_cluster_opts *o, int *out,
		  size_t **protos, size_t *nprotos)
{
	size_t *proto = bh_alloc((n ? n : 1) * sizeof *proto), *assign = bh_alloc((n ? n : 1) * sizeof *assign);
	size_t P = prototypes(x, n, o->max_dist_proto, proto, assign);
	size_t *members = bh_calloc(P ? P : 1, sizeof *members), *root = bh_alloc((P ? P : 1) * sizeof *root);
	for (size_t i = 0; i < n; i++)
		members[assign[i]]++;
	linkage(x, proto, P, members, o, root);
	size_t *csize = bh_calloc(P ? P : 1, sizeof *csize);
	for (size_t i = 0; i < n; i++)
		csize[root[assign[i]]]++;
	int *id = bh_alloc((P ? P : 1) * sizeof *id);
	for (size_t i = 0; i < P; i++)
		id[i] = -2;
	int nc = 0;
	for (size_t i = 0; i < n; i++) {
		size_t r = root[assign[i]];
		if (csize[r] < o->min_size) {
			out[i] = -1;
			continue;
		}
		if (id[r] == -2)
			id[r] = nc++;
		out[i] = id[r];
	}
	if (protos) {
		*protos = proto;
		*nprotos = P;
	} else {
		free(proto);
	}
	free(assign);
	free(members);
	free(root);
	free(csize);
	free(id);
	return (size_t)nc;
}

/* ---- incremental state ---- */
void bh_cstate_free(struct bh_cstate *st)
{
	for (size_t i = 0; i < st->nproto; i++)
		bh_vec_free(&st->proto[i]);
	for (size_t i = 0; i < st->npending; i++)
		bh_vec_free(&st->pending[i]);
	free(st->proto);
	free(st->pcluster);
	free(st->pending);
	memset(st, 0, sizeof *st);
}

void bh_cstate_update(struct bh_cstate *st, const struct bh_vec *x, size_t n, int *out)
{
	size_t np = st->npending, pool_n = 0;
	struct bh_vec *pool = bh_alloc((np + n + 1) * sizeof *pool);
	size_t *from = bh_alloc((np + n + 1) * sizeof *from);   /* SIZE_MAX = pending */
	for (size_t i = 0; i < np; i++) {
		pool[pool_n] = st->pending[i];
		from[pool_n++] = SIZE_MAX;
	}
	for (size_t i = 0; i < n; i++) {
		double best = INFINITY;
		size_t bp = 0;
		for (size_t p = 0; p < st->nproto; p++) {
			double d = bh_vec_dist(&x[i], &st->proto[p]);
			if (d < best) {
				best = d;
				bp = p;
			}
		}
		if (st->nproto && best <= st->opts.max_dist_proto) {
			out[i] = st->pcluster[bp];
			continue;
		}
		out[i] = -1;
		bh_vec_copy(&pool[pool_n], &x[i]);
		from[pool_n++] = i;
	}
	int *cl = bh_alloc((pool_n + 1) * sizeof *cl);
	size_t *proto, P;
	size_t nc = bh_cluster(pool, pool_n, &st->opts, cl, &proto, &P);
	int *newid = bh_alloc((nc + 1) * sizeof *newid);
	for (size_t c = 0; c < nc; c++)
		newid[c] = st->next_id++;
	bool *keep = bh_calloc(pool_n + 1, sizeof *keep);
	for (size_t p = 0; p < P; p++)
		if (cl[proto[p]] >= 0)
			keep[proto[p]] = true;
	st->proto = bh_realloc(st->proto, (st->nproto + P + 1) * sizeof *st->proto);
	st->pcluster = bh_realloc(st->pcluster, (st->nproto + P + 1) * sizeof *st->pcluster);
	size_t npend = 0;
	st->pending = bh_realloc(st->pending, (pool_n + 1) * sizeof *st->pending);
	for (size_t i = 0; i < pool_n; i++) {
		if (cl[i] >= 0 && from[i] != SIZE_MAX)
			out[from[i]] = newid[cl[i]];
		if (keep[i]) {
			st->pcluster[st->nproto] = newid[cl[i]];
			st->proto[st->nproto++] = pool[i];
		} else if (cl[i] < 0) {
			st->pending[npend++] = pool[i];
		} else {
			bh_vec_free(&pool[i]);
		}
	}
	if (npend > BH_PENDING_MAX) {   /* bound the state: forget the oldest rejected reports */
		size_t drop = npend - BH_PENDING_MAX;
		for (size_t i = 0; i < drop; i++)
			bh_vec_free(&st->pending[i]);
		memmove(st->pending, st->pending + drop, BH_PENDING_MAX * sizeof *st->pending);
		npend = BH_PENDING_MAX;
	}
	st->npending = npend;
	free(pool);
	free(from);
	free(cl);
	free(proto);
	free(newid);
	free(keep);
}

#define STATE_MAGIC "botlens-behavior-clusters"

static void put_vec(FILE *f, const struct bh_vec *v)
{
	fprintf(f, " %" PRIu32, v->n);
	for (uint32_t i = 0; i < v->n; i++)
		fprintf(f, " %016" PRIx64 ":%.9g", v->h[i], v->v[i]);
	fputc('\n', f);
}

/*
 * State file, version 1 (text):
 *   botlens-behavior-clusters 1
 *   embed n=N level=L weight=W seed=S
 *   cluster dp=D dc=D linkage=NAME min=M next=ID
 *   prototypes P
 *   CLUSTER NNZ HASH:VALUE ...      (P lines)
 *   pending Q
 *   NNZ HASH:VALUE ...              (Q lines)
 *   end
 */
int bh_cstate_save(const struct bh_cstate *st, FILE *f)
{
	fprintf(f, "%s 1\nembed n=%u level=%u weight=%s seed=%" PRIu64 "\n", STATE_MAGIC, st->embed.n,
		st->embed.level, bh_weight_names[st->embed.weight], st->embed.seed);
	fprintf(f, "cluster dp=%.9g dc=%.9g linkage=%s min=%zu next=%d\nprototypes %zu\n",
		st->opts.max_dist_proto, st->opts.min_dist_cluster, bh_linkage_names[st->opts.linkage],
		st->opts.min_size, st->next_id, st->nproto);
	for (size_t i = 0; i < st->nproto; i++) {
		fprintf(f, "%d", st->pcluster[i]);
		put_vec(f, &st->proto[i]);
	}
	fprintf(f, "pending %zu\n", st->npending);
	for (size_t i = 0; i < st->npending; i++) {
		fputc('-', f);
		put_vec(f, &st->pending[i]);
	}
	fputs("end\n", f);
	return ferror(f) ? -1 : 0;
}

/*
 * Reads " NNZ HASH:VALUE ..." from p: false when malformed (nnz is checked
 * against the line's length before anything is allocated: each entry takes
 * at least 19 bytes), *nomem set when an allocation failed.
 */
static bool get_vec(char *p, size_t linelen, struct bh_vec *v, bool *nomem)
{
	char *e;
	errno = 0;
	unsigned long long n = strtoull(p, &e, 10);
	if (e == p || errno || n > (1u << 26) || n > linelen / 19 + 1)
		return false;
	v->n = 0;
	v->h = bh_try_alloc(n * sizeof *v->h);
	v->v = bh_try_alloc(n * sizeof *v->v);
	if (!v->h || !v->v) {
		*nomem = true;
		return false;
	}
	v->n = (uint32_t)n;
	for (uint32_t i = 0; i < v->n; i++) {
		p = e;
		while (*p == ' ')
			p++;
		v->h[i] = strtoull(p, &e, 16);
		if (e - p != 16 || *e != ':' || (i && v->h[i] <= v->h[i - 1]))
			return false;
		p = e + 1;
		v->v[i] = strtof(p, &e);
		if (e == p || !isfinite(v->v[i]))
			return false;
	}
	return true;
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

/*
 * Loads a cluster state.  Lines are capped (LINE_MAX_DEFAULT); the
 * declared prototype and pending counts are checked against their limits
 * and the file's size (each takes a line of at least 3 bytes) before
 * anything is allocated.  Returns 0, -1 (err: the line and what is wrong)
 * or BH_ENOMEM; st is empty on failure.
 */
int bh_cstate_load(struct bh_cstate *st, FILE *f, char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	char w[16], lk[16], *line = NULL;
	struct line ln = { 0 };
	size_t np = 0, nq = 0;
	uint64_t left = bytes_left(f);
	int ver = 0, lrc = LINE_OK;
	bool nomem = false;
	const char *what = "not a botlens cluster state";
#define NEXT() ((lrc = line_next(&ln, f)) == LINE_OK ? (line = ln.buf) : NULL)
	unsigned long long seed;
	if (!NEXT() || sscanf(line, STATE_MAGIC " %d", &ver) != 1 || ver != 1)
		goto bad;
	what = "expected 'embed ...'";
	if (!NEXT() || sscanf(line, "embed n=%u level=%u weight=%15s seed=%llu", &st->embed.n, &st->embed.level,
			      w, &seed) != 4 || bh_weight_parse(w) < 0 || st->embed.n < 1 || st->embed.n > 8)
		goto bad;
	st->embed.weight = (enum bh_weight)bh_weight_parse(w);
	st->embed.seed = seed;
	what = "expected 'cluster ...'";
	if (!NEXT() || sscanf(line, "cluster dp=%lf dc=%lf linkage=%15s min=%zu next=%d", &st->opts.max_dist_proto,
			      &st->opts.min_dist_cluster, lk, &st->opts.min_size, &st->next_id) != 5 ||
	    bh_linkage_parse(lk) < 0 || st->next_id < 0)
		goto bad;
	st->opts.linkage = (enum bh_linkage)bh_linkage_parse(lk);
	what = "expected 'prototypes N' (N at most 2^24 and one line each)";
	if (!NEXT() || sscanf(line, "prototypes %zu", &np) != 1 || np > (1u << 24) || (uint64_t)np * 3 > left)
		goto bad;
	st->proto = bh_try_calloc(np + 1, sizeof *st->proto);
	st->pcluster = bh_try_calloc(np + 1, sizeof *st->pcluster);
	if (!st->proto || !st->pcluster)
		goto oom;
	what = "invalid prototype line";
	for (; st->nproto < np; st->nproto++) {
		char *e;
		if (!NEXT())
			goto bad;
		long c = strtol(line, &e, 10);
		if (e == line || c < 0 || c >= st->next_id || !get_vec(e, ln.len, &st->proto[st->nproto], &nomem)) {
			st->nproto++;
			goto bad;
		}
		st->pcluster[st->nproto] = (int)c;
	}
	what = "expected 'pending N' (N at most 2^24 and one line each)";
	if (!NEXT() || sscanf(line, "pending %zu", &nq) != 1 || nq > (1u << 24) || (uint64_t)nq * 3 > left)
		goto bad;
	if (!(st->pending = bh_try_calloc(nq + 1, sizeof *st->pending)))
		goto oom;
	what = "invalid pending line";
	for (; st->npending < nq; st->npending++)
		if (!NEXT() || line[0] != '-' || !get_vec(line + 1, ln.len, &st->pending[st->npending], &nomem)) {
			st->npending++;
			goto bad;
		}
	what = "expected 'end' (truncated state?)";
	if (!NEXT() || strncmp(line, "end", 3))
		goto bad;
	line_free(&ln);
	return 0;
bad:
	if (nomem || lrc == LINE_NOMEM)
		goto oom;
	if (lrc != LINE_OK && lrc != LINE_EOF)
		line_error(&ln, lrc, err, errlen);
	else
		snprintf(err, errlen, "line %llu: %s", ln.no + (ln.no == 0), what);
	line_free(&ln);
	bh_cstate_free(st);
	return -1;
oom:
	snprintf(err, errlen, "out of memory");
	line_free(&ln);
	bh_cstate_free(st);
	return BH_ENOMEM;
#undef NEXT
}
