/*
 * test_behavior.c - unit tests of src/behavior: parsers (fixtures from
 * ../shared/data/reports when present, malformed input, windowed
 * streaming), embedding, model round trip, learning and rejection on
 * synthetic families, clustering quality, metrics.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "behavior/behavior.h"
#include "harness.h"

static int skipped;

static void skip(const char *why)
{
	printf("skip: %s\n", why);
	skipped++;
}

/* ---- an event collector ---- */
struct col {
	char ev[4096][128];
	size_t n, rows;
	char row[64];
};

static void col_event(void *ctx, const char *tok, size_t len)
{
	struct col *c = ctx;
	if (c->n < 4096) {
		size_t l = len < 127 ? len : 127;
		memcpy(c->ev[c->n], tok, l);
		c->ev[c->n][l] = 0;
	}
	c->n++;
}

static void col_row(void *ctx, const char *name, const char *label)
{
	struct col *c = ctx;
	c->rows++;
	snprintf(c->row, sizeof c->row, "%s/%s", name, label);
}

static int parse_mem(const char *txt, enum bh_fmt fmt, unsigned level, struct col *c, char *err)
{
	struct bh_src s;
	bh_src_mem(&s, txt, strlen(txt));
	struct bh_parse_opts o = { .fmt = fmt, .level = level, .network = true };
	struct bh_sink k = { col_event, col_row, c };
	memset(c, 0, sizeof *c);
	err[0] = 0;
	return bh_parse(&s, "mem", &o, &k, err, 256);
}

/* A source that hands out at most `step` bytes per window. */
struct drip { const char *p; size_t left, step; };

static int drip_fill(struct bh_src *s)
{
	struct drip *d = s->ctx;
	s->base += (uint64_t)(s->end - s->win);
	size_t n = d->left < d->step ? d->left : d->step;
	s->win = s->p = (const uint8_t *)d->p;
	s->end = s->p + n;
	d->p += n;
	d->left -= n;
	return n > 0;
}

static const char cuckoo_doc[] =
	"{\"info\": {\"id\": 1}, \"behavior\": {\"processes\": [\n"
	" {\"process_id\": 4, \"calls\": [\n"
	"  {\"category\": \"filesystem\", \"api\": \"NtCreateFile\", \"arguments\": [\n"
	"     {\"name\": \"FileName\", \"value\": \"C:\\\\tmp\\\\a123.exe\"}, {\"name\": \"x\", \"value\": 5}]},\n"
	"  {\"api\": \"NtWriteFile\", \"arguments\": {\"Handle\": \"0x1c\", \"Len\": 512}, \"extra\": [1, {\"a\": null}]},\n"
	"  {\"api\": \"NtClose\", \"arguments\": []}\n"
	" ]}]}, \"network\": {\"udp\": [{\"dport\": 53}], \"tcp\": [{\"dport\": 80}]}}\n";

static void test_cuckoo(void)
{
	TEST("cuckoo");
	struct col *c = malloc(sizeof *c);
	char err[256];
	CHECK(parse_mem(cuckoo_doc, BH_FMT_AUTO, 1, c, err) == 0);
	CHECK_EQ_U(c->n, 5);
	CHECK_STR(c->ev[0], "NtCreateFile");
	CHECK_STR(c->ev[2], "NtClose");
	CHECK_STR(c->ev[3], "net.udp.dns");
	CHECK_STR(c->ev[4], "net.tcp.web");
	CHECK(parse_mem(cuckoo_doc, BH_FMT_CUCKOO, 2, c, err) == 0);
	CHECK_STR(c->ev[0], "NtCreateFile c:\\tmp\\a0.exe");
	CHECK_STR(c->ev[1], "NtWriteFile 0x0c");
	CHECK(parse_mem(cuckoo_doc, BH_FMT_CUCKOO, 3, c, err) == 0);
	CHECK_STR(c->ev[1], "NtWriteFile 0x0c 0");

	/* the same document, a few bytes per window, gives the same events */
	for (size_t step = 1; step < 9; step += 3) {
		struct drip d = { cuckoo_doc, strlen(cuckoo_doc), step };
		struct bh_src s = { .fill = drip_fill, .ctx = &d };
		struct bh_parse_opts o = { .fmt = BH_FMT_AUTO, .level = 2, .network = true };
		struct bh_sink k = { col_event, col_row, c };
		memset(c, 0, sizeof *c);
		CHECK(bh_parse(&s, "x", &o, &k, err, sizeof err) == 0);
		CHECK_EQ_U(c->n, 5);
		CHECK_STR(c->ev[0], "NtCreateFile c:\\tmp\\a0.exe");
	}

	/* malformed: error names line and column */
	CHECK(parse_mem("{\"behavior\": {\"processes\": [\n  {\"calls\": [ {\"api\": \"X\",, }]}]}}", BH_FMT_CUCKOO, 1,
			c, err) == -1);
	CHECK(strstr(err, "line 2, column 27") != NULL);
	CHECK(parse_mem("{\"behavior\": {\"processes\": [", BH_FMT_CUCKOO, 1, c, err) == -1);
	CHECK(strstr(err, "end of input") != NULL || strstr(err, "expected") != NULL);
	CHECK(parse_mem("{\"a\": \"unterminated", BH_FMT_CUCKOO, 1, c, err) == -1);
	CHECK(strstr(err, "unterminated string") != NULL);
	CHECK(parse_mem("{\"a\": 1} x", BH_FMT_CUCKOO, 1, c, err) == -1);
	CHECK(strstr(err, "trailing") != NULL);
	CHECK(parse_mem("[1, 2]", BH_FMT_CUCKOO, 1, c, err) == -1);
	/* nesting bomb: refused, not a stack overflow */
	char *deep = malloc(200001);
	memset(deep, '[', 200000);
	deep[200000] = 0;
	deep[0] = '{';
	CHECK(parse_mem("{\"a\": [[[[1]]]]}", BH_FMT_CUCKOO, 1, c, err) == 0);
	char *bomb = malloc(200020);
	snprintf(bomb, 200020, "{\"a\": %s", deep + 1);
	CHECK(parse_mem(bomb, BH_FMT_CUCKOO, 1, c, err) == -1);
	CHECK(strstr(err, "too deep") != NULL);
	free(bomb);
	free(deep);
	/* CAPE reduced: summary api_calls when there are no calls */
	CHECK(parse_mem("{\"behavior\": {\"summary\": {\"api_calls\": [{\"count\": 3, \"name\": \"A\"}, {\"name\": \"B\"}]}}}",
			BH_FMT_AUTO, 1, c, err) == 0);
	CHECK_EQ_U(c->n, 2);
	CHECK_STR(c->ev[1], "B");
	free(c);
}

static void test_mist_text_csv(void)
{
	TEST("mist");
	struct col *c = malloc(sizeof *c);
	char err[256];
	const char *m = "# process 1 thread 2 #\n06 04 | 0191feb5 00000000 | 03ad91e3   00000000 | 7c800000\n"
			"09 05 | | | 00000000\n";
	CHECK(parse_mem(m, BH_FMT_AUTO, 1, c, err) == 0);
	CHECK_EQ_U(c->n, 2);
	CHECK_STR(c->ev[0], "06 04");
	CHECK(parse_mem(m, BH_FMT_MIST, 2, c, err) == 0);
	CHECK_STR(c->ev[0], "06 04 | 0191feb5 00000000");
	CHECK(parse_mem(m, BH_FMT_MIST, 3, c, err) == 0);
	CHECK_STR(c->ev[0], "06 04 | 0191feb5 00000000 | 03ad91e3 00000000");
	CHECK(parse_mem("# process 1 #\nzz 04 | 1\n", BH_FMT_AUTO, 1, c, err) == -1);
	CHECK(strstr(err, "line 2, column 1") != NULL);

	TEST("text");
	CHECK(parse_mem("  open \n\n# comment\nread\r\nclose", BH_FMT_TEXT, 1, c, err) == 0);
	CHECK_EQ_U(c->n, 3);
	CHECK_STR(c->ev[0], "open");
	CHECK_STR(c->ev[1], "read");
	CHECK_STR(c->ev[2], "close");

	TEST("csv");
	CHECK(parse_mem("sha256,labels,0,1,2\nabc,1,A,B,,\ndef,0,C,,\n", BH_FMT_AUTO, 1, c, err) == 0);
	CHECK_EQ_U(c->rows, 2);
	CHECK_EQ_U(c->n, 3);
	CHECK_STR(c->row, "def/benign");
	CHECK(parse_mem("sha256,labels\nabc\n", BH_FMT_CSV, 1, c, err) == -1);
	CHECK(strstr(err, "line 2") != NULL);
	free(c);
}

static void test_fixtures(void)
{
	TEST("fixtures");
	const char *dir = getenv("BOTLENS_DATA") ? getenv("BOTLENS_DATA") : "../shared/data";
	static const struct { const char *file; size_t events; } fx[] = {
		{ "report.json", 449 },
		{ "0000a65749f5902c4d82ffa701198038f0b4870b00a27cfca109f8f933476d82.json", 195 },
		{ "report.mist", 0 },
		{ "report3.mist", 0 },
	};
	for (size_t i = 0; i < sizeof fx / sizeof *fx; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/reports/%s", dir, fx[i].file);
		if (access(path, R_OK)) {
			char why[600];
			snprintf(why, sizeof why, "%s absent", path);
			skip(why);
			continue;
		}
		struct bh_set s;
		bh_set_init(&s);
		struct bh_input_opts o = { .parse = { .level = 1 }, .embed = { .n = 1, .level = 1 } };
		char *p = path;
		CHECK(bh_input_read(&p, 1, &o, &s, NULL, NULL) == 0);
		CHECK_EQ_U(s.n, 1);
		if (s.n) {
			double total = 0;
			for (uint32_t k = 0; k < s.v[0].n; k++)
				total += s.v[0].v[k];
			if (fx[i].events)
				CHECK_EQ_U((size_t)total, fx[i].events);
			else
				CHECK(total > 100);
		}
		bh_set_free(&s);
	}
}

static void test_embed(void)
{
	TEST("embed");
	struct bh_ftab ft;
	bh_ftab_init(&ft);
	struct bh_embed_cfg cfg = { .n = 2, .seed = 7 };
	struct bh_embed *e = bh_embed_new(&cfg, &ft);
	const char *evs[] = { "a", "b", "a", "b" };
	for (int i = 0; i < 4; i++)
		bh_embed_event(e, evs[i], 1);
	struct bh_vec v;
	bh_embed_take(e, &v);
	CHECK_EQ_U(v.n, 2);
	for (uint32_t i = 1; i < v.n; i++)
		CHECK(v.h[i - 1] < v.h[i]);
	double sum = 0;
	int named = 0;
	for (uint32_t i = 0; i < v.n; i++) {
		sum += v.v[i];
		const char *g = bh_ftab_get(&ft, v.h[i]);
		named += g && (!strcmp(g, "a b") || !strcmp(g, "b a"));
		if (g && !strcmp(g, "a b"))
			CHECK(v.v[i] == 2);
	}
	CHECK(sum == 3);
	CHECK(named == 2);
	bh_vec_weight(&v, BH_W_COUNT, NULL);
	CHECK(fabs(bh_vec_dot(&v, &v) - 1) < 1e-6);
	CHECK(bh_vec_dist(&v, &v) < 1e-3);
	bh_vec_free(&v);
	/* a report shorter than n yields its one short gram */
	bh_embed_event(e, "z", 1);
	bh_embed_take(e, &v);
	CHECK_EQ_U(v.n, 1);
	bh_vec_free(&v);
	bh_embed_free(e);
	bh_ftab_free(&ft);
	CHECK(bh_hash64("abc", 3, 1) != bh_hash64("abc", 3, 2));
	CHECK(bh_hash64("abcdefghij", 10, 1) == bh_hash64("abcdefghij", 10, 1));
	CHECK(bh_hash64("abcdefghij", 10, 1) != bh_hash64("abcdefghik", 10, 1));

	TEST("map");
	struct bh_map m;
	bh_map_init(&m, 4);
	for (uint32_t i = 0; i < 10000; i++)
		*bh_map_put(&m, (uint64_t)i * 0x9e3779b97f4a7c15ULL, i, NULL) = i;
	int ok = 1;
	for (uint32_t i = 0; i < 10000; i++)
		ok &= bh_map_get(&m, (uint64_t)i * 0x9e3779b97f4a7c15ULL) == i;
	CHECK(ok);
	CHECK(bh_map_get(&m, 12345) == UINT32_MAX);
	bh_map_free(&m);
}

/* Synthetic corpus: families x per_family reports embedded in memory (overlap: bh_synth_opts.overlap). */
static void synth_set_ov(struct bh_set *s, unsigned fams, unsigned per, unsigned events, double noise,
			 double overlap, struct bh_ftab *ft)
{
	struct bh_synth_opts so = { .families = fams, .per_family = per, .events = events, .noise = noise,
				    .overlap = overlap, .seed = 3 };
	struct bh_embed_cfg cfg = { .n = 2, .seed = 0 };
	struct bh_embed *e = bh_embed_new(&cfg, ft);
	bh_set_init(s);
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < (size_t)fams * per; i++) {
		size_t len = 0;
		unsigned f = bh_synth_report(&so, i, &buf, &len, &cap);
		struct bh_src src;
		bh_src_mem(&src, buf, len);
		struct bh_parse_opts po = { .fmt = BH_FMT_TEXT, .level = 1 };
		struct bh_sink k = { (void (*)(void *, const char *, size_t))bh_embed_event, NULL, e };
		char err[64];
		bh_parse(&src, "s", &po, &k, err, sizeof err);
		struct bh_vec v;
		bh_embed_take(e, &v);
		char name[32];
		bh_synth_family(f, name, sizeof name);
		v.label = strdup(name);
		v.name = strdup(name);
		bh_set_add(s, &v);
	}
	free(buf);
	bh_embed_free(e);
}

static void synth_set(struct bh_set *s, unsigned fams, unsigned per, unsigned events, double noise,
		      struct bh_ftab *ft)
{
	synth_set_ov(s, fams, per, events, noise, 0, ft);
}

/*
 * Open-set rejection on families that overlap (shared call sequences and
 * a common motif pool, synth overlap 0.7 and 0.8): with learn's procedure
 * inside each fold, every family held out in turn must be rejected on
 * average at least `mean` of the time (the worst family `worst`) while at
 * most `kfr` of the known reports are, at learn's default budget (5 %).
 * The floor is mean >= 0.80 at kfr <= 0.05; at overlap 0.8 with
 * short reports (~210 events) the former OR of score, margin and
 * distance thresholds rejected ~0.71 (bench/RESULTS.md).
 */
static void test_openset_at(unsigned fams, unsigned per, unsigned events, double overlap, double mean,
			    double worst, double kfr_max)
{
	struct bh_set s;
	synth_set_ov(&s, fams, per, events, 0.2, overlap, NULL);
	unsigned *fold = malloc(s.n * sizeof *fold);
	bh_folds(s.y, s.n, 3, 1, fold);
	struct bh_embed_cfg ec = { .n = 2 };
	struct bh_train_opts to = { .cv_folds = 3, .class_weights = true, .reject_q = 0.05, .protos = 32, .seed = 1 };
	char err[256];
	double umin = 1, usum = 0;
	size_t kn = 0, kr = 0;
	for (int unk = 0; unk < (int)fams; unk++) {
		struct bh_tally t = { 0 };
		bh_conf_init(&t.forced, s.nfam);
		struct bh_xval_opts o = { .folds = 3, .jobs = 2, .unk = unk, .embed = &ec, .train = &to };
		CHECK(bh_xval(&s, fold, &o, &t, err, sizeof err) == 0);
		CHECK_EQ_U(t.unk, per);
		double u = (double)t.unk_rej / (double)t.unk;
		umin = u < umin ? u : umin;
		usum += u;
		kn += t.known;
		kr += t.known_rej;
		bh_conf_free(&t.forced);
	}
	double kfr = (double)kr / (double)kn;
	printf("open-set (synth %u families x %u, ~%u events, overlap %.1f): unseen family rejected mean %.3f, "
	       "min %.3f; known false rejection %.3f\n", fams, per, events, overlap, usum / fams, umin, kfr);
	CHECK(usum / fams >= mean);
	CHECK(umin >= worst);
	CHECK(kfr <= kfr_max);
	bh_set_free(&s);
	free(fold);
}

static void test_openset(void)
{
	TEST("open-set");
	test_openset_at(6, 36, 300, 0.7, 0.80, 0.60, 0.05);
	test_openset_at(8, 60, 210, 0.8, 0.80, 0.65, 0.05);
}

/* Exact duplicates: equal count vectors grouped, conflicting labels found, dropped as documented. */
static void test_dups(void)
{
	TEST("duplicates");
	struct bh_set s;
	synth_set(&s, 3, 4, 100, 0.3, NULL);   /* 12 distinct reports */
	size_t n0 = s.n;
	struct bh_vec v;
	bh_vec_copy(&v, &s.v[0]);               /* a copy, same family */
	bh_set_add(&s, &v);
	bh_vec_copy(&v, &s.v[0]);               /* another: group of three */
	bh_set_add(&s, &v);
	bh_vec_copy(&v, &s.v[1]);               /* a copy under another family: a conflict */
	free(v.label);
	v.label = strdup(s.fam[(size_t)(s.y[1] + 1) % s.nfam]);
	bh_set_add(&s, &v);
	bh_vec_copy(&v, &s.v[2]);               /* one n-gram count off: not a duplicate */
	v.v[0] += 1;
	bh_set_add(&s, &v);
	struct bh_dups d;
	bh_dups_find(&s, &d);
	CHECK_EQ_U(d.groups, 2);
	CHECK_EQ_U(d.dups, 3);
	CHECK_EQ_U(d.conflicts, 1);
	CHECK(d.group[0] == d.group[n0] && d.group[0] == d.group[n0 + 1] && d.group[1] == d.group[n0 + 2]);
	CHECK(d.group[0] != d.group[1] && d.group[2] == SIZE_MAX && d.group[n0 + 3] == SIZE_MAX);
	/* drop: the group of three keeps its first, the conflicting pair goes entirely */
	CHECK_EQ_U(bh_dups_drop(&s, &d), 4);
	CHECK_EQ_U(s.n, n0 + 4 - 4);
	free(d.group);
	bh_dups_find(&s, &d);
	CHECK_EQ_U(d.groups, 0);
	free(d.group);
	bh_set_free(&s);
}

/* learn's trainings on 2 threads give the same model, bit for bit, as on one (par.c's per-thread
 * rand(); the final model trained alongside C's fold models; the calibration's models in parallel). */
static void test_threads(void)
{
	TEST("threads");
	struct bh_set s;
	synth_set_ov(&s, 5, 24, 300, 0.3, 0.7, NULL);
	size_t *rows = malloc(s.n * sizeof *rows);
	for (size_t i = 0; i < s.n; i++)
		rows[i] = i;
	struct bh_embed_cfg ec = { .n = 2, .weight = BH_W_BINARY };
	struct bh_train_opts to = { .C = 0, .cv_folds = 3, .class_weights = true, .reject_q = 0.05, .protos = 8,
				    .seed = 3 };
	struct bh_model m1, m2;
	char err[256];
	to.threads = 1;
	CHECK(bh_svm_train(&s, rows, s.n, &ec, NULL, &to, &m1, err, sizeof err) == 0);
	to.threads = 2;
	CHECK(bh_svm_train(&s, rows, s.n, &ec, NULL, &to, &m2, err, sizeof err) == 0);
	CHECK(m1.C == m2.C && m1.nfam == m2.nfam && m1.nfeat == m2.nfeat && m1.nproto == m2.nproto);
	CHECK(m1.threshold == m2.threshold || (isinf(m1.threshold) && isinf(m2.threshold)));
	CHECK(m1.margin_threshold == m2.margin_threshold ||
	      (isinf(m1.margin_threshold) && isinf(m2.margin_threshold)));
	CHECK(m1.dist_threshold == m2.dist_threshold || (isinf(m1.dist_threshold) && isinf(m2.dist_threshold)));
	CHECK(m1.cal.unknown_rej == m2.cal.unknown_rej && m1.cal.known_rej == m2.cal.known_rej);
	if (m1.nfam == m2.nfam && m1.nfeat == m2.nfeat) {
		CHECK(!memcmp(m1.w, m2.w, m1.nfeat * m1.nfam * sizeof *m1.w));
		CHECK(!memcmp(m1.b, m2.b, m1.nfam * sizeof *m1.b));
		CHECK(m1.dist_scale && m2.dist_scale &&
		      !memcmp(m1.dist_scale, m2.dist_scale, m1.nfam * sizeof *m1.dist_scale));
		CHECK(m1.open_threshold == m2.open_threshold && !memcmp(m1.open_w, m2.open_w, sizeof m1.open_w));
	}
	printf("threads: C %g, unseen rejected %.3f, the same model on 1 and 2 threads\n", m1.C, m1.cal.unknown_rej);
	bh_model_free(&m1);
	bh_model_free(&m2);
	free(rows);
	bh_set_free(&s);
}

static void test_learn(void)
{
	TEST("learn");
	struct bh_set s;
	struct bh_ftab ft;
	bh_ftab_init(&ft);
	synth_set(&s, 6, 30, 300, 0.3, &ft);
	unsigned *fold = malloc(s.n * sizeof *fold);
	bh_folds(s.y, s.n, 3, 1, fold);
	int unk = 5;
	size_t *tr = malloc(s.n * sizeof *tr), ntr = 0;
	for (size_t i = 0; i < s.n; i++)
		if (fold[i] && s.y[i] != unk)
			tr[ntr++] = i;
	struct bh_embed_cfg ec = { .n = 2, .weight = BH_W_TFIDF };
	struct bh_train_opts to = { .C = 0, .cv_folds = 3, .class_weights = true, .reject_q = 0.02, .protos = 32,
				    .seed = 1 };
	struct bh_model m;
	char err[256];
	CHECK(bh_svm_train(&s, tr, ntr, &ec, &ft, &to, &m, err, sizeof err) == 0);
	CHECK_EQ_U(m.nfam, 5);
	CHECK(isfinite(m.open_threshold) && m.nov_scale && m.nov_protos > 0);
	CHECK(m.nproto > 0 && m.cal.heldout == 5);
	size_t ok = 0, nk = 0, rej_unk = 0, nu = 0;
	double sc[8];
	for (size_t i = 0; i < s.n; i++) {
		if (!fold[i] || s.y[i] == unk) {
			struct bh_vec x;
			bh_model_prepare(&m, &s.v[i], &x);
			size_t b = bh_model_scores(&m, &x, sc);
			if (s.y[i] == unk) {
				nu++;
				rej_unk += bh_model_unknown(&m, &x, b, sc, NULL);
			} else {
				nk++;
				ok += !strcmp(m.fam[b], s.fam[s.y[i]]);
			}
			bh_vec_free(&x);
		}
	}
	printf("synthetic: accuracy %.3f on %zu, unknown rejected %.3f of %zu\n", (double)ok / nk, nk,
	       (double)rej_unk / nu, nu);
	CHECK(ok * 100 >= nk * 98);
	CHECK(rej_unk * 100 >= nu * 90);
	/* explanation: the top weight of each family is one of its own n-grams */
	for (size_t c = 0; c < m.nfam; c++) {
		size_t best = 0;
		for (size_t f = 1; f < m.nfeat; f++)
			if (m.w[f * m.nfam + c] > m.w[best * m.nfam + c])
				best = f;
		char tag[16];
		snprintf(tag, sizeof tag, ".f%s.", m.fam[c] + 3);
		CHECK(m.ngram[best] && strstr(m.ngram[best], tag));
	}

	TEST("model");
	FILE *f = tmpfile();
	CHECK(bh_model_save(&m, f) == 0);
	rewind(f);
	struct bh_model m2;
	CHECK(bh_model_load(&m2, f, err, sizeof err) == 0);
	fclose(f);
	CHECK_EQ_U(m2.nfeat, m.nfeat);
	double sc2[8], maxd = 0;
	for (size_t i = 0; i < s.n; i += 7) {
		struct bh_vec x, x2;
		bh_model_prepare(&m, &s.v[i], &x);
		bh_model_prepare(&m2, &s.v[i], &x2);
		bh_model_scores(&m, &x, sc);
		bh_model_scores(&m2, &x2, sc2);
		for (size_t c = 0; c < m.nfam; c++)
			maxd = fmax(maxd, fabs(sc[c] - sc2[c]));
		bh_vec_free(&x);
		bh_vec_free(&x2);
	}
	CHECK(maxd < 1e-5);
	/* the open-set test survives the file: same prototypes, thresholds and verdicts */
	CHECK_EQ_U(m2.nproto, m.nproto);
	CHECK(m2.dist_threshold == m.dist_threshold && m2.margin_threshold == m.margin_threshold &&
	      m2.threshold == m.threshold && m2.open_threshold == m.open_threshold &&
	      !memcmp(m2.open_w, m.open_w, sizeof m.open_w) && m2.nov_protos == m.nov_protos &&
	      m2.nov_scale && !memcmp(m2.nov_scale, m.nov_scale, m.nfam * sizeof *m.nov_scale));
	/* the fast path of the calibration and evaluate (bh_pdist) answers as bh_model_unknown does */
	struct bh_pdist *pd = bh_pdist_new(&m);
	size_t agree = 0, nrej = 0;
	for (size_t i = 0; i < s.n; i++) {
		struct bh_vec x;
		bh_model_prepare(&m, &s.v[i], &x);
		size_t b = bh_model_scores(&m, &x, sc);
		double d1, d2, u1;
		bool r1 = bh_model_unknown2(&m, &x, b, sc, &d1, &u1), r2 = bh_model_unknown_px(pd, &x, b, sc, &d2);
		agree += r1 == r2 && fabs(d1 - d2) < 1e-9 && isfinite(u1) && u1 >= 0;
		nrej += r1;
		bh_vec_free(&x);
	}
	bh_pdist_free(pd);
	CHECK_EQ_U(agree, s.n);
	CHECK(nrej > 0 && nrej < s.n);
	size_t same = 0;
	for (size_t i = 0; i < s.n; i++) {
		struct bh_vec x, x2;
		bh_model_prepare(&m, &s.v[i], &x);
		bh_model_prepare(&m2, &s.v[i], &x2);
		size_t b = bh_model_scores(&m, &x, sc), b2 = bh_model_scores(&m2, &x2, sc2);
		double d1, d2;
		same += b == b2 && bh_model_unknown(&m, &x, b, sc, &d1) == bh_model_unknown(&m2, &x2, b2, sc2, &d2) &&
			fabs(d1 - d2) < 1e-5;
		bh_vec_free(&x);
		bh_vec_free(&x2);
	}
	CHECK_EQ_U(same, s.n);
	bh_model_free(&m2);
	f = tmpfile();
	fputs("botlens-behavior-model 4\n", f);
	rewind(f);
	CHECK(bh_model_load(&m2, f, err, sizeof err) == -1);
	CHECK(strstr(err, "version") != NULL);
	fclose(f);
	f = tmpfile();
	bh_model_save(&m, f);
	long len = ftell(f);
	CHECK(ftruncate(fileno(f), len / 2) == 0);
	rewind(f);
	CHECK(bh_model_load(&m2, f, err, sizeof err) == -1);
	fclose(f);
	bh_model_free(&m);
	free(tr);
	free(fold);
	bh_set_free(&s);
	bh_ftab_free(&ft);
}

/* Cross-validation as a library call: the tally does not depend on the number of processes. */
static void test_xval(void)
{
	TEST("xval");
	struct bh_set s;
	struct bh_ftab ft;
	bh_ftab_init(&ft);
	synth_set(&s, 4, 12, 200, 0.3, &ft);
	unsigned *fold = malloc(s.n * sizeof *fold);
	bh_folds(s.y, s.n, 3, 1, fold);
	struct bh_embed_cfg ec = { .n = 2 };
	struct bh_train_opts to = { .C = 1, .class_weights = true, .reject_q = 0.01, .seed = 1 };
	struct bh_tally t[2];
	memset(t, 0, sizeof t);
	char err[256];
	for (unsigned j = 0; j < 2; j++) {
		struct bh_xval_opts o = { .folds = 3, .jobs = j + 1, .unk = 3, .embed = &ec, .train = &to };
		bh_conf_init(&t[j].forced, s.nfam);
		CHECK(bh_xval(&s, fold, &o, &t[j], err, sizeof err) == 0);
	}
	CHECK_EQ_U(t[0].known + t[0].unk, s.n);
	CHECK_EQ_U(t[0].unk, 12);
	CHECK_EQ_U(t[0].known, t[1].known);
	CHECK_EQ_U(t[0].known_rej, t[1].known_rej);
	CHECK_EQ_U(t[0].unk_rej, t[1].unk_rej);
	size_t cells = (s.nfam + 1) * (s.nfam + 1);
	CHECK(!memcmp(t[0].forced.m, t[1].forced.m, cells * sizeof *t[0].forced.m));
	CHECK(bh_conf_accuracy(&t[0].forced) > 0.9);
	struct bh_xval_opts bad = { .folds = 3, .jobs = 1, .unk = -1, .embed = &ec, .train = &to };
	unsigned *one = malloc(s.n * sizeof *one);   /* every row in fold 1: it trains on nothing */
	for (size_t i = 0; i < s.n; i++)
		one[i] = 1;
	struct bh_tally tb = { 0 };
	bh_conf_init(&tb.forced, s.nfam);
	CHECK(bh_xval_fold(&s, one, 1, &bad, &tb, err, sizeof err) == BH_XVAL_TRAIN);
	CHECK(!strncmp(err, "fold 2: ", 8));
	bh_conf_free(&tb.forced);
	bh_conf_free(&t[0].forced);
	bh_conf_free(&t[1].forced);
	free(one);
	free(fold);
	bh_set_free(&s);
	bh_ftab_free(&ft);
}

static void test_cluster(void)
{
	TEST("cluster");
	struct bh_set s;
	synth_set(&s, 5, 20, 300, 0.2, NULL);
	for (size_t i = 0; i < s.n; i++)
		bh_vec_weight(&s.v[i], BH_W_BINARY, NULL);
	int *cl = malloc(s.n * sizeof *cl);
	struct bh_cluster_opts o = { .max_dist_proto = 1.0, .min_dist_cluster = 1.2,
				     .linkage = BH_LINK_COMPLETE, .min_size = 3 };
	for (int l = 0; l < 3; l++) {
		o.linkage = (enum bh_linkage)l;
		size_t nc = bh_cluster(s.v, s.n, &o, cl, NULL, NULL);
		struct bh_cluster_quality q;
		bh_cluster_quality(s.y, cl, s.n, &q);
		printf("synthetic clusters (%s): %zu, P %.3f R %.3f F %.3f ARI %.3f\n", bh_linkage_names[l], nc,
		       q.precision, q.recall, q.f, q.ari);
		CHECK(q.f >= 0.95);
		CHECK(q.ari >= 0.9);
	}

	TEST("incremental");
	struct bh_cstate st = { .opts = o, .embed = { .n = 2 } };
	int out;
	size_t assigned = 0;
	for (size_t i = 0; i < s.n; i++) {   /* one report at a time */
		bh_cstate_update(&st, &s.v[i], 1, &out);
		assigned += out >= 0;
	}
	CHECK(st.next_id >= 5 && st.next_id <= 8);
	CHECK(assigned >= s.n * 8 / 10);
	FILE *f = tmpfile();
	CHECK(bh_cstate_save(&st, f) == 0);
	rewind(f);
	struct bh_cstate st2;
	char err[256] = "";
	CHECK(bh_cstate_load(&st2, f, err, sizeof err) == 0);
	if (err[0] && st2.nproto == 0)
		printf("state: %s\n", err);
	fclose(f);
	CHECK_EQ_U(st2.nproto, st.nproto);
	CHECK_EQ_U(st2.npending, st.npending);
	int o1, o2;
	bh_cstate_update(&st, &s.v[0], 1, &o1);
	bh_cstate_update(&st2, &s.v[0], 1, &o2);
	CHECK(o1 == o2 && o1 >= 0);
	bh_cstate_free(&st);
	bh_cstate_free(&st2);
	free(cl);
	bh_set_free(&s);
}

static void test_metrics(void)
{
	TEST("metrics");
	struct bh_confusion c;
	bh_conf_init(&c, 2);
	/* truth 0: 8 right, 2 as 1; truth 1: 9 right, 1 as 0 */
	for (int i = 0; i < 8; i++) bh_conf_add(&c, 0, 0);
	for (int i = 0; i < 2; i++) bh_conf_add(&c, 0, 1);
	for (int i = 0; i < 9; i++) bh_conf_add(&c, 1, 1);
	bh_conf_add(&c, 1, 0);
	struct bh_prf p;
	bh_conf_prf(&c, 0, &p);
	CHECK(fabs(p.p - 8.0 / 9) < 1e-9 && fabs(p.r - 0.8) < 1e-9);
	CHECK(fabs(bh_conf_accuracy(&c) - 0.85) < 1e-9);
	bh_conf_free(&c);
	int t[] = { 0, 0, 0, 1, 1, 1 }, k[] = { 5, 5, 5, 2, 2, 2 }, h[] = { 0, 0, 1, 1, 2, 2 };
	struct bh_cluster_quality q;
	bh_cluster_quality(t, k, 6, &q);
	CHECK(q.precision == 1 && q.recall == 1 && fabs(q.ari - 1) < 1e-9);
	bh_cluster_quality(t, h, 6, &q);
	/* sklearn adjusted_rand_score([0,0,0,1,1,1],[0,0,1,1,2,2]) = 0.24242424 */
	CHECK(fabs(q.ari - 0.242424242) < 1e-6);
	unsigned fold[10];
	int y[10] = { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 };
	bh_folds(y, 10, 5, 9, fold);
	unsigned per[5] = { 0 };
	for (int i = 0; i < 10; i++)
		per[fold[i]] += 1 + 10 * y[i];
	for (int i = 0; i < 5; i++)
		CHECK(per[i] == 12);
}

/*
 * Loaders under a failing allocator: the nth allocation fails, for every n
 * until a load needs no more; each must fail cleanly with BH_ENOMEM and
 * "out of memory" (ASan checks nothing leaks), then succeed.
 */
typedef int (*load_fn)(const char *path, char *err, size_t errlen);

static int load_model_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct bh_model m;
	int rc = bh_model_load(&m, f, err, errlen);
	fclose(f);
	if (!rc)
		bh_model_free(&m);
	return rc;
}

static int load_state_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct bh_cstate st;
	int rc = bh_cstate_load(&st, f, err, errlen);
	fclose(f);
	if (!rc)
		bh_cstate_free(&st);
	return rc;
}

static int load_labels_file(const char *path, char *err, size_t errlen)
{
	struct bh_labels l;
	int rc = bh_labels_load(&l, path, err, errlen);
	if (!rc)
		bh_labels_free(&l);
	return rc;
}

static void failing_alloc(const char *what, load_fn load, const char *path)
{
	char err[256];
	unsigned long n;
	int nomem = 0, other = 0;
	for (n = 1; n < 10000; n++) {
		bh_alloc_fail_at(n);
		err[0] = 0;
		int rc = load(path, err, sizeof err);
		if (rc == 0)
			break;
		if (rc == BH_ENOMEM && !strcmp(err, "out of memory"))
			nomem++;
		else
			other++;
	}
	bh_alloc_fail_at(0);
	printf("failing allocator, %s: %d allocations failed cleanly\n", what, nomem);
	CHECK(nomem >= 3);
	CHECK(other == 0);
	CHECK(n < 10000);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void test_loaders(void)
{
	TEST("loaders");
	char dir[] = "/tmp/test_behavior.XXXXXX", path[64], err[256];
	CHECK(mkdtemp(dir) != NULL);
	/* a small model, by hand */
	snprintf(path, sizeof path, "%s/model", dir);
	write_file(path, "botlens-behavior-model 1\nembed n=2 level=1 weight=binary seed=0\nC 1\n"
			 "threshold none\nfamilies 2\nfamily a\nfamily b\nbias 0.5 -0.5\nidf-unseen 1\nfeatures 3\n"
			 "0000000000000001 1 0.25 -0.25\topen a\n0000000000000002 1 0.5 -0.5\n"
			 "0000000000000003 1 -1 1\tclose b\nend\n");
	failing_alloc("model", load_model_file, path);
	CHECK(load_model_file(path, err, sizeof err) == 0);
	/* version 2: thresholds, scales, calibration and prototypes (features as rows) */
	const char *v2 = "botlens-behavior-model 2\nembed n=2 level=1 weight=binary seed=0\nC 1\n"
			 "threshold none\nmargin-threshold 0.25\ndistance-threshold 1.5\n"
			 "calibration budget=0.05 known-rejected=0.04 unknown-rejected=0.9 held-out=3\n"
			 "families 2\nfamily a\nfamily b\nbias 0.5 -0.5\ndistance-scale 0.5 0.75\nscore-offset 0.1 0.2\n"
			 "margin-offset 0.3 0.4\nidf-unseen 1\nfeatures 3\n"
			 "0000000000000001 1 0.25 -0.25\topen a\n0000000000000002 1 0.5 -0.5\n"
			 "0000000000000003 1 -1 1\tclose b\nprototypes 2\nproto 0 2\n0:0.70710678 1:0.70710678\n"
			 "proto 1 1\n2:1\nend\n";
	write_file(path, v2);
	failing_alloc("model v2", load_model_file, path);
	struct bh_model mv;
	FILE *mf = fopen(path, "r");
	CHECK(bh_model_load(&mv, mf, err, sizeof err) == 0);
	fclose(mf);
	CHECK(mv.nproto == 2 && mv.proto_fam[1] == 1 && mv.proto[0].n == 2 && mv.proto[0].h[1] == 2);
	CHECK(mv.margin_threshold == 0.25 && mv.dist_threshold == 1.5 && mv.dist_scale[1] == 0.75);
	CHECK(mv.score_off[1] == 0.2 && mv.score_off[2] == 0.3);
	CHECK(mv.cal.heldout == 3 && fabs(mv.cal.unknown_rej - 0.9) < 1e-12);
	bh_model_free(&mv);
	/* prototypes naming a row past the features, or out of hash order: refused with the line */
	char bad[1024];
	snprintf(bad, sizeof bad, "%.*s2:0.5 1:0.5\nproto 1 1\n2:1\nend\n", (int)(strstr(v2, "0:0.707") - v2), v2);
	write_file(path, bad);
	CHECK(load_model_file(path, err, sizeof err) == -1);
	CHECK(strstr(err, "line 22: prototype features out of order") != NULL);
	snprintf(bad, sizeof bad, "%.*s0:0.5 7:0.5\nproto 1 1\n2:1\nend\n", (int)(strstr(v2, "0:0.707") - v2), v2);
	write_file(path, bad);
	CHECK(load_model_file(path, err, sizeof err) == -1);
	CHECK(strstr(err, "line 22: expected 'ROW:VALUE'") != NULL);
	/* crafted counts: refused before allocating, with the line */
	write_file(path, "botlens-behavior-model 1\nembed n=2 level=1 weight=binary seed=0\nC 1\n"
			 "threshold none\nfamilies 65536\nfamily a\n");
	CHECK(load_model_file(path, err, sizeof err) == -1);
	CHECK(strstr(err, "line 5: more families declared than the file holds") != NULL);
	write_file(path, "botlens-behavior-model 1\nembed n=2 level=1 weight=binary seed=0\nC 1\n"
			 "threshold none\nfamilies 2\nfamily a\nfamily b\nbias 0 0\nidf-unseen 1\nfeatures 268000000\n");
	CHECK(load_model_file(path, err, sizeof err) == -1);
	CHECK(strstr(err, "line 10: more features declared than the file holds") != NULL);
	/* a line without end */
	FILE *f = fopen(path, "w");
	for (int i = 0; i < (1 << 20) + 10; i++)
		fputc('x', f);
	fclose(f);
	CHECK(load_model_file(path, err, sizeof err) == -1);
	CHECK(!strcmp(err, "line 1 longer than 1 MiB"));
	CHECK(load_state_file(path, err, sizeof err) == -1);
	CHECK(!strcmp(err, "line 1 longer than 1 MiB"));
	CHECK(load_labels_file(path, err, sizeof err) == -1);
	CHECK(!strcmp(err, "line 1 longer than 1 MiB"));

	/* a cluster state made by the library */
	struct bh_set s;
	synth_set(&s, 3, 6, 100, 0.2, NULL);
	for (size_t i = 0; i < s.n; i++)
		bh_vec_weight(&s.v[i], BH_W_BINARY, NULL);
	struct bh_cstate st = { .opts = { .max_dist_proto = 1.0, .min_dist_cluster = 1.2,
					  .linkage = BH_LINK_COMPLETE, .min_size = 3 }, .embed = { .n = 2 } };
	int *out = malloc(s.n * sizeof *out);
	bh_cstate_update(&st, s.v, s.n, out);
	bh_cstate_update(&st, s.v, 2, out);
	snprintf(path, sizeof path, "%s/state", dir);
	f = fopen(path, "w");
	CHECK(bh_cstate_save(&st, f) == 0);
	fclose(f);
	bh_cstate_free(&st);
	bh_set_free(&s);
	free(out);
	failing_alloc("cluster state", load_state_file, path);
	write_file(path, "botlens-behavior-clusters 1\nembed n=2 level=1 weight=binary seed=0\n"
			 "cluster dp=1 dc=1.2 linkage=complete min=3 next=1\nprototypes 16000000\n");
	CHECK(load_state_file(path, err, sizeof err) == -1);
	CHECK(strstr(err, "line 4: expected 'prototypes N'") != NULL);
	write_file(path, "botlens-behavior-clusters 1\nembed n=2 level=1 weight=binary seed=0\n"
			 "cluster dp=1 dc=1.2 linkage=complete min=3 next=1\nprototypes 1\n0 60000000 0000000000000001:1\n");
	CHECK(load_state_file(path, err, sizeof err) == -1);
	CHECK(strstr(err, "line 5: invalid prototype line") != NULL);

	/* labels */
	snprintf(path, sizeof path, "%s/labels", dir);
	write_file(path, "# name family\na\tfam1\nb\tfam2\nc\tfam1\nd\tfam3\na\tfam4\n");
	failing_alloc("labels", load_labels_file, path);
	CHECK(load_labels_file(path, err, sizeof err) == 0);

	unlink(path);
	snprintf(path, sizeof path, "%s/model", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/state", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_cuckoo();
	test_mist_text_csv();
	test_fixtures();
	test_embed();
	test_learn();
	test_threads();
	test_xval();
	test_openset();
	test_dups();
	test_cluster();
	test_metrics();
	test_loaders();
	if (skipped)
		printf("%d skipped\n", skipped);
	return harness_report("behavior");
}
