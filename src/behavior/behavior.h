/*
 * behavior.h - the behavior layer: malware behavior reports in, sparse
 * n-gram vectors, linear SVMs with rejection, prototypes and clusters.
 *
 * Follows Rieck, Holz, Willems, Duessel, Laskov, "Learning and
 * Classification of Malware Behavior" (DIMVA 2008) and Malheur (Rieck et
 * al., JCS 2011).  Data path:
 *
 *   input.c  files, directories, archives -> byte sources (struct bh_src)
 *   cuckoo.c / mist.c / text.c  byte source -> events (strings)
 *   embed.c  events -> n-gram hashes -> sparse count vector (+ feature table)
 *   svm.c    vectors -> one-vs-rest LIBLINEAR models, scores
 *   openset.c prototypes, the open-set test (score, margin, distance) and its calibration
 *   dups.c   exact duplicate reports
 *   model.c  the versioned model file
 *   cluster.c prototypes, linkage, incremental state
 *   eval.c   folds, confusion matrices, P/R/F1, ARI
 *   synth.c  deterministic synthetic behavior families
 *
 * The library never prints or exits: failures return -1 (or NULL) and fill
 * a caller-supplied error buffer.  Out of memory: see the allocation
 * policy below.
 */
#ifndef BOTLENS_BEHAVIOR_H
#define BOTLENS_BEHAVIOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * ---- allocation (map.c) ----
 * bh_alloc() and friends never return NULL: out of memory calls the
 * handler set with bh_set_oom_handler() (which must not return; the CLI's
 * prints a message and exits 5), or abort()s when none is set.  The
 * loaders of files (model, cluster state, labels) allocate with the
 * bh_try_* forms and return BH_ENOMEM instead.  bh_alloc_fail_at(n): the
 * nth allocation from now fails (tests only; 0 turns it off).
 */
#define BH_ENOMEM (-2)
void bh_set_oom_handler(void (*fn)(void));
void bh_alloc_fail_at(unsigned long n);
void *bh_try_alloc(size_t n);
void *bh_try_calloc(size_t n, size_t sz);
void *bh_try_realloc(void *p, size_t n);
char *bh_try_strdup(const char *s);
void *bh_alloc(size_t n);
void *bh_calloc(size_t n, size_t sz);
void *bh_realloc(void *p, size_t n);
char *bh_strdup(const char *s);
char *bh_strndup(const char *s, size_t n);

/* ---- byte sources ---- */
/*
 * A pull source of report bytes, refilled window by window so a report of
 * hundreds of MB is parsed in bounded memory.  Invariant: p..end is the
 * unread part of the current window; base is the offset of `win` in the
 * report.  fill() replaces the window and returns 1, 0 at end, -1 on a
 * read error (with err filled).
 */
struct bh_src {
	const uint8_t *p, *end, *win;
	uint64_t base;
	int (*fill)(struct bh_src *s);
	void *ctx;
	uint8_t *buf;
	size_t cap;
	char err[160];
};

void bh_src_mem(struct bh_src *s, const void *p, size_t n);
static inline int bh_src_peek(struct bh_src *s)
{
	if (s->p == s->end) {
		int rc = s->fill ? s->fill(s) : 0;
		if (rc <= 0)
			return rc < 0 ? -2 : -1;
	}
	return *s->p;
}
static inline int bh_src_get(struct bh_src *s)
{
	int c = bh_src_peek(s);
	if (c >= 0)
		s->p++;
	return c;
}
static inline uint64_t bh_src_off(const struct bh_src *s)
{
	return s->base + (uint64_t)(s->p - s->win);
}

/* ---- report parsing ---- */
enum bh_fmt { BH_FMT_AUTO, BH_FMT_CUCKOO, BH_FMT_MIST, BH_FMT_TEXT, BH_FMT_CSV };
extern const char *const bh_fmt_names[];   /* indexed by enum bh_fmt */
int bh_fmt_parse(const char *s);           /* -1 if unknown */

/* Receives a report's events; row() starts a new report inside a
 * multi-report file (MalBehavD CSV). */
struct bh_sink {
	void (*event)(void *ctx, const char *tok, size_t len);
	void (*row)(void *ctx, const char *name, const char *label);
	void *ctx;
};

struct bh_parse_opts {
	enum bh_fmt fmt;
	unsigned level;     /* argument abstraction level: 1 = operation only, 2.. = + arguments */
	bool network;       /* Cuckoo: also emit events from the network section */
};

/* Each parser returns 0, or -1 with err = "line L, column C (offset O): what". */
int bh_parse_cuckoo(struct bh_src *s, const struct bh_parse_opts *o, const struct bh_sink *k,
		    char *err, size_t errlen);
int bh_parse_mist(struct bh_src *s, const struct bh_parse_opts *o, const struct bh_sink *k,
		  char *err, size_t errlen);
int bh_parse_text(struct bh_src *s, const struct bh_parse_opts *o, const struct bh_sink *k,
		  char *err, size_t errlen);
int bh_parse_csv(struct bh_src *s, const struct bh_parse_opts *o, const struct bh_sink *k,
		 char *err, size_t errlen);
/* A capture (pcap, pcapng, or a gzip-compressed one by its name) as a network
 * profile: one event per flow (netprofile.c). */
bool bh_is_capture(const uint8_t *p, size_t n, const char *name);
int bh_parse_capture(const char *path, const struct bh_parse_opts *o, const struct bh_sink *k,
		     char *err, size_t errlen);
/* Detects the format from the first bytes (and the name), then parses. */
int bh_parse(struct bh_src *s, const char *name, const struct bh_parse_opts *o,
	     const struct bh_sink *k, char *err, size_t errlen);

/* ---- hash map: uint64 key -> uint32 value (open addressing, key 0 remapped) ---- */
struct bh_map {
	uint64_t *key;
	uint32_t *val;
	size_t cap, n;     /* cap is a power of two, n < cap * 3/4 */
};
void bh_map_init(struct bh_map *m, size_t hint);
int bh_map_try_init(struct bh_map *m, size_t hint);          /* 0 or BH_ENOMEM */
void bh_map_free(struct bh_map *m);
void bh_map_clear(struct bh_map *m);
/* Returns a pointer to the value of key, inserting `def` if absent (*isnew set). */
uint32_t *bh_map_put(struct bh_map *m, uint64_t key, uint32_t def, bool *isnew);
uint32_t *bh_map_try_put(struct bh_map *m, uint64_t key, uint32_t def, bool *isnew);  /* NULL: OOM */
/* Returns the value or UINT32_MAX. */
uint32_t bh_map_get(const struct bh_map *m, uint64_t key);

/* ---- embedding ---- */
enum bh_weight { BH_W_BINARY, BH_W_COUNT, BH_W_TFIDF };
extern const char *const bh_weight_names[];
int bh_weight_parse(const char *s);

struct bh_embed_cfg {
	unsigned n;            /* n-gram length, 1..8 */
	unsigned level;        /* argument level handed to the parsers */
	enum bh_weight weight;
	uint64_t seed;         /* hashing seed */
};

/* A sparse vector, sorted by hash, no duplicates. */
struct bh_vec {
	uint64_t *h;
	float *v;
	uint32_t n;
	char *name;            /* report name */
	char *label;           /* family or NULL */
};
void bh_vec_free(struct bh_vec *v);
double bh_vec_dot(const struct bh_vec *a, const struct bh_vec *b);
/* Euclidean distance of two L2-normalised vectors. */
double bh_vec_dist(const struct bh_vec *a, const struct bh_vec *b);
void bh_vec_copy(struct bh_vec *dst, const struct bh_vec *src);

/* Hash -> readable n-gram ("NtOpenFile NtReadFile NtClose"). */
struct bh_ftab {
	struct bh_map idx;
	char **str;
	size_t n, cap;
};
void bh_ftab_init(struct bh_ftab *t);
void bh_ftab_free(struct bh_ftab *t);
const char *bh_ftab_get(const struct bh_ftab *t, uint64_t h);
void bh_ftab_add(struct bh_ftab *t, uint64_t h, const char *s);

struct bh_embed;
/* ftab may be NULL (no readable names kept: faster). */
struct bh_embed *bh_embed_new(const struct bh_embed_cfg *cfg, struct bh_ftab *ftab);
/* The behavior commands' default embedding: 2-grams, level 1, binary weights, seed 0. */
struct bh_embed_cfg bh_embed_cfg_default(void);
void bh_embed_free(struct bh_embed *e);
void bh_embed_event(struct bh_embed *e, const char *tok, size_t len);
/* Moves the counts of the events since the last call into v (sorted). */
void bh_embed_take(struct bh_embed *e, struct bh_vec *v);
uint64_t bh_hash64(const void *p, size_t n, uint64_t seed);

/* Document frequencies -> idf, keyed by hash. */
struct bh_idf {
	struct bh_map idx;
	float *idf;
	size_t n;
	float unseen;      /* idf of a feature absent from the training set */
};
struct bh_set;
void bh_idf_build(struct bh_idf *d, const struct bh_set *s, const size_t *rows, size_t n);
void bh_idf_free(struct bh_idf *d);
float bh_idf_get(const struct bh_idf *d, uint64_t h);
/* Applies the weighting to a count vector in place, then L2-normalises it. */
void bh_vec_weight(struct bh_vec *v, enum bh_weight w, const struct bh_idf *idf);

/* ---- data sets ---- */
struct bh_set {
	struct bh_vec *v;
	size_t n, cap;
	char **fam;       /* distinct labels, in order of first appearance */
	size_t nfam;
	int *y;           /* family index per vector, -1 if unlabelled */
	uint64_t bytes;   /* report bytes read */
};
void bh_set_init(struct bh_set *s);
void bh_set_free(struct bh_set *s);
void bh_set_add(struct bh_set *s, struct bh_vec *v);   /* takes ownership */
int bh_set_family(const struct bh_set *s, const char *label);  /* -1 if absent */

/* ---- inputs: files, directories, archives, labels ---- */
struct bh_labels {
	struct bh_map idx;   /* hash of base name -> index */
	char **fam;
	size_t n;
};
int bh_labels_load(struct bh_labels *l, const char *path, char *err, size_t errlen);
void bh_labels_free(struct bh_labels *l);
/* The family of a report: labels file (by base name), else Malheur's last
 * suffix ("x.ALLAPLE"; a format extension such as .json is skipped first). */
char *bh_label_of(const char *name, const struct bh_labels *l);

struct bh_input_opts {
	struct bh_parse_opts parse;
	const struct bh_labels *labels;
	struct bh_embed_cfg embed;
	struct bh_ftab *ftab;      /* may be NULL */
	unsigned threads;          /* 1 or 2 */
	/* Called (ctx: bh_input_read's) for an entry a directory walk skipped
	 * on purpose (a symbolic link loop, a FIFO or device: util/walk.h);
	 * NULL: silent.  Not a failure. */
	void (*onnote)(void *ctx, const char *path, const char *msg);
};
/* Called once per file that could not be read or parsed; returning false stops. */
typedef bool (*bh_input_err_fn)(void *ctx, const char *path, const char *msg);
/*
 * Reads every report under paths (files, directories recursively, tar /
 * tar.gz / zip archives: every entry) and adds one count vector per report
 * to set.  Returns the number of inputs that failed (each reported through
 * onerr), or -1 when onerr asked to stop.
 */
int bh_input_read(char *const *paths, size_t npaths, const struct bh_input_opts *o,
		  struct bh_set *set, bh_input_err_fn onerr, void *ctx);

/* ---- linear SVMs ---- */
/* What learn's open-set calibration measured (openset.c), kept in the model. */
struct bh_calib {
	double budget;        /* allowed false rejection of knowns (--reject) */
	double known_rej;     /* cross-fitted false rejection of knowns at the chosen point */
	double unknown_rej;   /* leave-one-family-out rejection of unseen families (macro; -1: not measured) */
	size_t heldout;       /* families held out in turn (0: fewer than 3 families) */
};

struct bh_model {
	struct bh_embed_cfg embed;
	char **fam;
	size_t nfam;
	double threshold;     /* top score below this -> unknown (-INFINITY: off) */
	double margin_threshold; /* best minus runner-up score below this -> unknown (-INFINITY: off) */
	double dist_threshold;/* distance to the best family's nearest prototype, over its scale, above this -> unknown (INFINITY: off) */
	double *dist_scale;   /* nfam: each family's typical distance (NULL: 1) */
	/* the combined open-set test (model version 3): unknown when
	 * -w0 * score' - w1 * margin' + w2 * distance' + w3 * novelty' > open_threshold,
	 * score' and margin' after the family's offsets, distance' and novelty' over its scales;
	 * novelty: the share of the report outside the n-grams of the family's prototypes */
	double open_w[4];
	double open_threshold;/* INFINITY: off */
	double *nov_scale;    /* nfam: each family's typical novelty (NULL: 1) */
	unsigned nov_protos;  /* the novelty test's support: each family's first this many prototypes (0: all) */
	double *score_off;    /* 2 * nfam: each family's typical score, then margin (NULL: 0) */
	struct bh_calib cal;
	struct bh_vec *proto; /* nproto prototypes: prepared training reports, by family (model version 2) */
	uint32_t *proto_fam;
	size_t nproto;
	double C;
	size_t nfeat;
	uint64_t *hash;       /* nfeat */
	double *w;            /* nfeat * nfam, row-major by feature */
	double *b;            /* nfam */
	float *idf;           /* nfeat (1 unless TF-IDF) */
	float idf_unseen;
	char **ngram;         /* nfeat, may hold NULLs */
	struct bh_map idx;    /* hash -> feature row */
};
void bh_model_free(struct bh_model *m);

struct bh_train_opts {
	double C;             /* <= 0: choose by cross-validation */
	unsigned cv_folds;    /* folds for choosing C and for calibration (>= 2; 0 taken as 3) */
	bool class_weights;   /* weight classes by n / (k * n_c) */
	double reject_q;      /* budget: share of knowns that may be rejected (0 = no rejection) */
	unsigned protos;      /* prototypes per family for the distance and novelty tests (0 = score and margin only) */
	unsigned threads;     /* trainings run on up to this many threads (0, 1: one); same models */
	uint64_t seed;
};
/*
 * Trains one-vs-rest linear SVMs on rows of s (count vectors; weighting
 * and normalisation are applied here, IDF from these rows).  C <= 0 is
 * chosen from 0.1, 1, 10 by cv_folds-fold cross-validation (balanced
 * accuracy on the calibration's stratified folds; the grid stops at the
 * first C that does not improve or at a perfect score).  The final model is trained on all rows, with up to
 * `protos` prototypes per family (openset.c).  When reject_q > 0 the three
 * rejection thresholds (score, margin, distance) are calibrated by
 * bh_openset_calibrate().  Returns 0 or -1.
 */
int bh_svm_train(const struct bh_set *s, const size_t *rows, size_t n, const struct bh_embed_cfg *ec,
		 const struct bh_ftab *ftab, const struct bh_train_opts *o, struct bh_model *m,
		 char *err, size_t errlen);
/*
 * The rows' LIBLINEAR problem built once (binary and count weighting; NULL
 * for TF-IDF, whose weighting depends on the training rows), so that the
 * many trainings of bh_svm_train (choice of C, calibration, left-out
 * families) and of evaluate's folds slice it instead of rebuilding it.
 * bh_svm_train_on(d, ...) is bh_svm_train with rows' problems taken from
 * d when d holds every one of them (d may be NULL).
 */
struct bh_svm_data *bh_svm_data_new(const struct bh_set *s, const size_t *rows, size_t n,
				    const struct bh_embed_cfg *ec);
void bh_svm_data_free(struct bh_svm_data *d);
int bh_svm_train_on(const struct bh_svm_data *d, const struct bh_set *s, const size_t *rows, size_t n,
		    const struct bh_embed_cfg *ec, const struct bh_ftab *ftab, const struct bh_train_opts *o,
		    struct bh_model *m, char *err, size_t errlen);
/*
 * par.c: fn(ctx, i) for every i < n, in order on the caller's thread when
 * threads <= 1, else by util/par.h's par_for (the CPUs, at most PAR_MAX
 * threads); returns when all are done.  rand() is per thread there, so LIBLINEAR trainings run in parallel
 * give the same models as in sequence.
 */
void bh_par_for(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i), void *ctx);
/* Weights a copy of count vector v as the model wants. */
void bh_model_prepare(const struct bh_model *m, const struct bh_vec *v, struct bh_vec *out);
/* Scores of a prepared vector for every family; returns the best family index. */
size_t bh_model_scores(const struct bh_model *m, const struct bh_vec *x, double *scores);

struct bh_contrib { uint64_t hash; double w; };
/* The k features that add most to family f's score for x (sorted, descending). */
size_t bh_model_top(const struct bh_model *m, const struct bh_vec *x, size_t f,
		    struct bh_contrib *out, size_t k);

/*
 * openset.c - rejection of unknown families.  bh_protos_build(): up to
 * max prototypes per family by farthest-first traversal of the rows'
 * prepared vectors.  bh_model_unknown(): true when the best score is
 * below m->threshold, its margin over the runner-up below
 * m->margin_threshold, the distance from x (prepared) to the best
 * family's nearest prototype, over the family's scale, is above
 * m->dist_threshold, or x's novelty for that family (its share outside
 * the n-grams of the family's prototypes), over the family's scale, is
 * above m->nov_threshold; *dist gets that scaled distance (INFINITY
 * without prototypes).  bh_openset_calibrate(): sets
 * the thresholds on cross-fitted known reports and leave-one-family-out
 * unknown ones (see openset.c).
 */
void bh_protos_build(struct bh_model *m, const struct bh_set *s, const size_t *rows, size_t n, unsigned max);
double bh_model_dist(const struct bh_model *m, const struct bh_vec *x, size_t fam);
/* bh_model_dist, and *nov (may be NULL): x's novelty for family fam, the share of x's distinct
 * n-grams that none of fam's first nov_protos prototypes has (the family's support). */
double bh_model_support(const struct bh_model *m, const struct bh_vec *x, size_t fam, double *nov);
bool bh_model_unknown(const struct bh_model *m, const struct bh_vec *x, size_t best, const double *sc,
		      double *dist);
/* The same, with *nov (may be NULL) x's novelty over the family's scale (INFINITY without prototypes). */
bool bh_model_unknown2(const struct bh_model *m, const struct bh_vec *x, size_t best, const double *sc,
		       double *dist, double *nov);
/* bh_model_unknown for many reports of one model: each family's prototypes indexed once
 * (dense renumbering), a distance is then one gather per prototype; same answers. */
struct bh_pdist;
struct bh_pdist *bh_pdist_new(const struct bh_model *m);
void bh_pdist_free(struct bh_pdist *p);
bool bh_model_unknown_px(struct bh_pdist *p, const struct bh_vec *x, size_t best, const double *sc, double *dist);
struct bh_svm_data;
void bh_openset_calibrate(const struct bh_set *s, const size_t *rows, size_t n, const struct bh_embed_cfg *ec,
			  const struct bh_train_opts *o, const struct bh_svm_data *dat, struct bh_model *cvm,
			  struct bh_model *m);

/* Exact duplicates (dups.c): reports whose n-gram count vectors are equal. */
struct bh_dups {
	size_t groups;        /* groups of two or more equal reports */
	size_t dups;          /* reports beyond the first of each group */
	size_t conflicts;     /* groups whose labelled reports disagree */
	size_t *group;        /* per report: its group (0..groups-1) or SIZE_MAX when unique; caller frees */
};
void bh_dups_find(const struct bh_set *s, struct bh_dups *d);
/* Drops every report of d's groups but the first; of a conflicting group, drops every report.
 * Returns the number of reports dropped (s is compacted; families kept). */
size_t bh_dups_drop(struct bh_set *s, const struct bh_dups *d);

/* model.c: the versioned text format (see model.c's header comment). */
int bh_model_save(const struct bh_model *m, FILE *f);
int bh_model_load(struct bh_model *m, FILE *f, char *err, size_t errlen);

/* ---- evaluation ---- */
/* Stratified fold of each row (0..k-1), deterministic for a seed. */
void bh_folds(const int *y, size_t n, unsigned k, uint64_t seed, unsigned *fold);

struct bh_confusion {
	size_t k;          /* classes; row/col k = "unknown" */
	size_t *m;         /* (k+1) x (k+1): truth row, prediction column */
};
void bh_conf_init(struct bh_confusion *c, size_t k);
void bh_conf_free(struct bh_confusion *c);
void bh_conf_add(struct bh_confusion *c, int truth, int pred);  /* -1 = unknown */
struct bh_prf { double p, r, f1; size_t support; };
void bh_conf_prf(const struct bh_confusion *c, size_t cls, struct bh_prf *out);
double bh_conf_accuracy(const struct bh_confusion *c);
double bh_conf_macro_f1(const struct bh_confusion *c);

/* One report's classification (classify.c). */
struct bh_verdict {
	size_t best, second;          /* the highest and the runner-up family */
	bool unknown;                 /* rejected by the open-set test (and rejection is on) */
	double dist;                  /* distance to best's nearest prototype, over its scale (INFINITY: none) */
	double nov;                   /* novelty for best, over its scale (INFINITY: no prototypes, or a model before version 3) */
	const double *sc;             /* every family's score (the caller's nfam array) */
	const struct bh_contrib *top; /* the n-grams that added most to best (the caller's array) */
	size_t ntop;
};
/*
 * Scores raw against every family of m into sc[nfam] and its `top`
 * heaviest contributions into topv[top + 1]; fills d.  reject: apply the
 * model's threshold.
 */
void bh_classify(const struct bh_model *m, const struct bh_vec *raw, bool reject, size_t top, double *sc,
		 struct bh_contrib *topv, struct bh_verdict *d);

/*
 * Cross-validation (xval.c): per fold, train on every other fold (never on
 * family `unk`, -1 for none) and test the fold's labelled rows.  Knowns go
 * into the confusion of the forced decision (best family) and count as
 * rejected when the open-set test rejects them (bh_model_unknown); reports of `unk` count
 * how often novel behavior is rejected.
 */
struct bh_tally {
	struct bh_confusion forced;   /* knowns, best family; bh_conf_init'ed by the caller */
	size_t known, known_rej, known_rej_ok;
	size_t unk, unk_rej;
};
struct bh_xval_opts {
	unsigned folds;               /* K, as given to bh_folds */
	unsigned jobs;                /* processes, 1-64 */
	int unk;                      /* family index held out of training, or -1 */
	const struct bh_embed_cfg *embed;
	const struct bh_train_opts *train;
	const struct bh_svm_data *data;   /* the labelled rows' problem (bh_xval builds it), or NULL */
};
#define BH_XVAL_TRAIN (-1)            /* a fold's training failed: err says which and why */
#define BH_XVAL_WORKER (-2)           /* a worker process failed */
/* Tests fold k into t.  0 or BH_XVAL_TRAIN. */
int bh_xval_fold(const struct bh_set *s, const unsigned *fold, unsigned k, const struct bh_xval_opts *o,
		 struct bh_tally *t, char *err, size_t errlen);
/*
 * Every fold into t, on o->jobs processes (forked: LIBLINEAR draws from the
 * global rand(), reseeded per training, so results do not depend on jobs).
 * Returns 0, BH_XVAL_TRAIN or BH_XVAL_WORKER (err filled).
 */
int bh_xval(const struct bh_set *s, const unsigned *fold, const struct bh_xval_opts *o, struct bh_tally *t,
	    char *err, size_t errlen);

/* Clustering quality against labels (cluster -1 = rejected, counted as singletons). */
struct bh_cluster_quality { double precision, recall, f, ari; };
void bh_cluster_quality(const int *truth, const int *cluster, size_t n, struct bh_cluster_quality *q);
/* The same with a choice of convention: rejected_as_one counts every rejected report in one
 * cluster, as Malheur does (rejected reports of many families then lower precision). */
void bh_cluster_quality_rej(const int *truth, const int *cluster, size_t n, bool rejected_as_one,
			    struct bh_cluster_quality *q);

/* ---- clustering ---- */
enum bh_linkage { BH_LINK_SINGLE, BH_LINK_AVERAGE, BH_LINK_COMPLETE };
extern const char *const bh_linkage_names[];
int bh_linkage_parse(const char *s);

struct bh_cluster_opts {
	double max_dist_proto;    /* dp: a report farther than this from every prototype becomes one */
	double min_dist_cluster;  /* dc: prototypes closer than this are linked */
	enum bh_linkage linkage;
	size_t min_size;          /* clusters with fewer reports are rejected */
};
/*
 * Farthest-first prototypes of x[0..n), then linkage clustering of the
 * prototypes.  Writes each report's cluster (0.., or -1 rejected) to out,
 * each prototype's report index to *protos (caller frees).  Returns the
 * number of clusters.
 */
size_t bh_cluster(const struct bh_vec *x, size_t n, const struct bh_cluster_opts *o, int *out,
		  size_t **protos, size_t *nprotos);
/* Malheur's defaults as `botlens cluster` uses them: dp 0.65, dc 0.95, complete linkage, min 3. */
struct bh_cluster_opts bh_cluster_opts_default(void);

/* Incremental state: prototypes with their clusters plus rejected reports kept for later. */
struct bh_cstate {
	struct bh_embed_cfg embed;
	struct bh_cluster_opts opts;
	struct bh_vec *proto;
	int *pcluster;
	size_t nproto;
	struct bh_vec *pending;
	size_t npending;
	int next_id;
};
void bh_cstate_free(struct bh_cstate *st);
int bh_cstate_save(const struct bh_cstate *st, FILE *f);
int bh_cstate_load(struct bh_cstate *st, FILE *f, char *err, size_t errlen);
/*
 * Classifies x[0..n) against the stored prototypes (distance <= dp gives
 * that prototype's cluster), clusters the rest together with the pending
 * reports, keeps new clusters' prototypes and the still-rejected reports.
 * out[i] is each new report's cluster id (or -1).  Takes copies of vectors.
 */
void bh_cstate_update(struct bh_cstate *st, const struct bh_vec *x, size_t n, int *out);

/* ---- synthetic families ---- */
struct bh_synth_opts {
	unsigned families;     /* number of families */
	unsigned per_family;   /* reports per family */
	unsigned events;       /* mean events per report */
	double noise;          /* fraction of events drawn from the shared vocabulary */
	double overlap;        /* 0..1: families share motif events and motifs (synth.c) */
	uint64_t seed;
};
/* Report i's family and events, as text (one event per line) appended to *buf.
 * Deterministic in (opts, i). */
unsigned bh_synth_report(const struct bh_synth_opts *o, size_t i, char **buf, size_t *len, size_t *cap);
/* Family name of family index f ("fam07"). */
void bh_synth_family(unsigned f, char *buf, size_t len);

#endif
