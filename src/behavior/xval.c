/*
 * xval.c - K-fold cross-validation of learn + classify (DIMVA 2008,
 * section 4), as a library call: `botlens evaluate` prints what it tallies.
 *
 * Folds run on several processes: worker j forks and runs folds j, j+jobs,
 * ..., then sends its result through a pipe as one flat record (status,
 * tally words, error text).  Processes rather than threads because
 * LIBLINEAR draws from the global rand(): each training reseeds it, so the
 * results are the same for any number of jobs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "behavior/behavior.h"

#define XVAL_ERRLEN 256

int bh_xval_fold(const struct bh_set *s, const unsigned *fold, unsigned k, const struct bh_xval_opts *o,
		 struct bh_tally *t, char *err, size_t errlen)
{
	size_t *tr = bh_alloc(s->n * sizeof *tr), ntr = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->y[i] >= 0 && s->y[i] != o->unk && fold[i] != k)
			tr[ntr++] = i;
	struct bh_model m;
	char why[XVAL_ERRLEN];
	if (bh_svm_train(s, tr, ntr, o->embed, NULL, o->train, &m, why, sizeof why)) {
		snprintf(err, errlen, "fold %u: %s", k + 1, why);
		free(tr);
		return BH_XVAL_TRAIN;
	}
	double *sc = bh_alloc(m.nfam * sizeof *sc);
	for (size_t i = 0; i < s->n; i++) {
		if (s->y[i] < 0 || fold[i] != k)
			continue;
		struct bh_vec v;
		bh_model_prepare(&m, &s->v[i], &v);
		size_t b = bh_model_scores(&m, &v, sc);
		bool rej = bh_model_unknown(&m, &v, b, sc, NULL);
		int pred = bh_set_family(s, m.fam[b]);
		if (s->y[i] == o->unk) {
			t->unk++;
			t->unk_rej += rej;
		} else {
			bh_conf_add(&t->forced, s->y[i], pred);
			t->known++;
			t->known_rej += rej;
			t->known_rej_ok += !rej && pred == s->y[i];
		}
		bh_vec_free(&v);
	}
	free(sc);
	free(tr);
	bh_model_free(&m);
	return 0;
}

/* The worker's record: [0] status, [1..5] counts, then the confusion, then the error text. */
static size_t tally_words(const struct bh_tally *t)
{
	return 6 + (t->forced.k + 1) * (t->forced.k + 1);
}

static size_t record_len(const struct bh_tally *t)
{
	return tally_words(t) * sizeof(size_t) + XVAL_ERRLEN;
}

static void tally_pack(const struct bh_tally *t, size_t st, const char *err, size_t *w)
{
	w[0] = st, w[1] = t->known, w[2] = t->known_rej, w[3] = t->known_rej_ok, w[4] = t->unk, w[5] = t->unk_rej;
	memcpy(w + 6, t->forced.m, (tally_words(t) - 6) * sizeof *w);
	snprintf((char *)(w + tally_words(t)), XVAL_ERRLEN, "%s", err);
}

static void tally_add(struct bh_tally *t, const size_t *w)
{
	t->known += w[1], t->known_rej += w[2], t->known_rej_ok += w[3], t->unk += w[4], t->unk_rej += w[5];
	for (size_t i = 0; i < tally_words(t) - 6; i++)
		t->forced.m[i] += w[6 + i];
}

/* In the child: folds j, j+jobs, ... and the record down fd; never returns. */
static void worker(const struct bh_set *s, const unsigned *fold, const struct bh_xval_opts *o, unsigned j,
		   unsigned jobs, size_t *w, int fd)
{
	struct bh_tally mine = { 0 };
	char err[XVAL_ERRLEN] = "";
	bh_conf_init(&mine.forced, s->nfam);
	int r = 0;
	for (unsigned k = j; k < o->folds && !r; k += jobs)
		r = bh_xval_fold(s, fold, k, o, &mine, err, sizeof err);
	tally_pack(&mine, r ? 1 : 0, err, w);
	size_t len = record_len(&mine);
	const char *b = (const char *)w;
	while (len) {
		ssize_t n = write(fd, b, len);
		if (n <= 0)
			_exit(1);
		b += n;
		len -= (size_t)n;
	}
	_exit(0);
}

/* Reads worker i's record into t; 0, or an error code with err filled. */
static int collect(int fd, pid_t pid, struct bh_tally *t, size_t *w, char *err, size_t errlen)
{
	size_t len = record_len(t), got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)w + got, len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	int st;
	waitpid(pid, &st, 0);
	if (got != len) {
		snprintf(err, errlen, "a cross-validation worker failed");
		return BH_XVAL_WORKER;
	}
	if (w[0]) {
		snprintf(err, errlen, "%s", (const char *)(w + tally_words(t)));
		return BH_XVAL_TRAIN;
	}
	tally_add(t, w);
	return 0;
}

int bh_xval(const struct bh_set *s, const unsigned *fold, const struct bh_xval_opts *o, struct bh_tally *t,
	    char *err, size_t errlen)
{
	unsigned jobs = o->jobs < o->folds ? o->jobs : o->folds;
	size_t *w = bh_alloc(record_len(t));
	int rc = 0;
	pid_t pid[64];
	int fd[64];
	unsigned started = 0;
	fflush(NULL);
	for (unsigned j = 1; j < jobs && j < 64; j++) {
		int p[2];
		if (pipe(p))
			break;
		pid_t c = fork();
		if (c < 0) {
			close(p[0]);
			close(p[1]);
			break;
		}
		if (c == 0) {
			close(p[0]);
			worker(s, fold, o, j, jobs, w, p[1]);
		}
		close(p[1]);
		pid[started] = c;
		fd[started++] = p[0];
	}
	/* this process takes fold 0 and the folds of workers that did not start */
	for (unsigned k = 0; k < o->folds && !rc; k++)
		if (k % jobs == 0 || k % jobs > started)
			rc = bh_xval_fold(s, fold, k, o, t, err, errlen);
	for (unsigned i = 0; i < started; i++) {
		char e[XVAL_ERRLEN];
		int r = collect(fd[i], pid[i], t, w, e, sizeof e);
		if (r && !rc) {
			rc = r;
			snprintf(err, errlen, "%s", e);
		}
	}
	free(w);
	return rc;
}
