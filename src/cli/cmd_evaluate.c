/*
 * cmd_evaluate.c - `botlens evaluate INPUT... --folds K`: stratified K-fold
 * evaluation of learn + classify (DIMVA 2008, section 4): accuracy,
 * per-family precision/recall/F1, macro F1 and the confusion matrix of the
 * forced decision (best family), plus the rejection rate of known
 * families under the calibrated threshold.  With --unknown-family F, F is
 * never trained on and its reports measure how often novel behavior is
 * rejected as unknown.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "behavior/bhcli.h"

enum { VO_FOLDS = 300, VO_UNKNOWN, VO_C, VO_REJECT, VO_JOBS, VO_CV };

static const struct cli_opt evaluate_opts[] = {
	BHCLI_EMBED_OPTS,
	BHCLI_INPUT_OPTS,
	BHCLI_OUT_OPTS,
	{ "folds", 'k', "K", "number of folds, 2-20 (default 5)", VO_FOLDS },
	{ "unknown-family", 'u', "F", "hold family F out of training; report how often it is rejected", VO_UNKNOWN },
	{ "C", 'C', "C", "SVM cost (default: chosen from 0.1, 1, 10 inside each fold)", VO_C },
	{ "cv-folds", 0, "K", "choose C by K-fold cross-validation (default 0: on the calibration hold-out)", VO_CV },
	{ "reject", 0, "Q", "fraction of held-out knowns the threshold rejects (default 0.01)", VO_REJECT },
	{ "jobs", 'j', "N", "folds run in N processes, 1-64 (default: the CPUs online)", VO_JOBS },
	{ 0 },
};

struct eval_ctx {
	struct bhcli b;
	unsigned folds, jobs;
	const char *unknown;
	struct bh_train_opts t;
};

static int evaluate_opt(void *ctx, int id, const char *arg)
{
	struct eval_ctx *x = ctx;
	int rc = bhcli_opt(&x->b, id, arg);
	if (rc >= 0)
		return rc;
	double v;
	switch (id) {
	case VO_FOLDS:
		if (!bhcli_num("folds", arg, 2, 20, &v) || v != floor(v))
			return EXIT_USAGE;
		x->folds = (unsigned)v;
		return 0;
	case VO_UNKNOWN: x->unknown = arg; return 0;
	case VO_CV:
		if (!bhcli_num("cv-folds", arg, 0, 20, &v) || v == 1 || v != floor(v))
			return EXIT_USAGE;
		x->t.cv_folds = (unsigned)v;
		return 0;
	case VO_JOBS:
		if (!bhcli_num("jobs", arg, 1, 64, &v) || v != floor(v))
			return EXIT_USAGE;
		x->jobs = (unsigned)v;
		return 0;
	case VO_C: return bhcli_num("C", arg, 1e-6, 1e6, &x->t.C) ? 0 : EXIT_USAGE;
	case VO_REJECT: return bhcli_num("reject", arg, 0, 0.5, &x->t.reject_q) ? 0 : EXIT_USAGE;
	}
	return EXIT_INTERNAL;
}

struct tally {
	struct bh_confusion forced;   /* knowns, best family */
	size_t known, known_rej, known_rej_ok;
	size_t unk, unk_rej;
};

/* Trains on every fold but `k` (and never on `unk`), tests fold k. */
static int run_fold(const struct eval_ctx *x, const struct bh_set *s, const unsigned *fold, unsigned k,
		    int unk, struct tally *t)
{
	size_t *tr = bh_alloc(s->n * sizeof *tr), ntr = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->y[i] >= 0 && s->y[i] != unk && fold[i] != k)
			tr[ntr++] = i;
	struct bh_model m;
	char err[256];
	if (bh_svm_train(s, tr, ntr, &x->b.in.embed, NULL, &x->t, &m, err, sizeof err)) {
		cli_error("fold %u: %s", k + 1, err);
		free(tr);
		return EXIT_INPUT;
	}
	double *sc = bh_alloc(m.nfam * sizeof *sc);
	for (size_t i = 0; i < s->n; i++) {
		if (s->y[i] < 0 || fold[i] != k)
			continue;
		struct bh_vec v;
		bh_model_prepare(&m, &s->v[i], &v);
		size_t b = bh_model_scores(&m, &v, sc);
		bool rej = sc[b] < m.threshold;
		int pred = bh_set_family(s, m.fam[b]);
		if (s->y[i] == unk) {
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

/* The tally as one flat array, for the pipe from a worker process. */
static size_t tally_words(const struct tally *t)
{
	return 5 + (t->forced.k + 1) * (t->forced.k + 1);
}

static void tally_pack(const struct tally *t, size_t *w)
{
	w[0] = t->known, w[1] = t->known_rej, w[2] = t->known_rej_ok, w[3] = t->unk, w[4] = t->unk_rej;
	memcpy(w + 5, t->forced.m, (tally_words(t) - 5) * sizeof *w);
}

static void tally_add(struct tally *t, const size_t *w)
{
	t->known += w[0], t->known_rej += w[1], t->known_rej_ok += w[2], t->unk += w[3], t->unk_rej += w[4];
	for (size_t i = 0; i < tally_words(t) - 5; i++)
		t->forced.m[i] += w[5 + i];
}

/*
 * Runs the folds on `jobs` processes: worker j forks and runs folds
 * j, j+jobs, ..., then sends its tally through a pipe.  Processes rather
 * than threads because LIBLINEAR draws from the global rand(): each
 * training reseeds it, so results are the same for any number of jobs.
 */
static int run_folds(const struct eval_ctx *x, const struct bh_set *s, const unsigned *fold, int unk,
		     struct tally *t)
{
	unsigned jobs = x->jobs < x->folds ? x->jobs : x->folds;
	size_t nw = tally_words(t);
	size_t *w = bh_alloc(nw * sizeof *w);
	int rc = 0;
	pid_t pid[64];
	int fd[64];
	unsigned started = 0;
	fflush(NULL);
	for (unsigned j = 1; j < jobs; j++) {
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
			struct tally mine = { 0 };
			bh_conf_init(&mine.forced, s->nfam);
			int r = 0;
			for (unsigned k = j; k < x->folds && !r; k += jobs)
				r = run_fold(x, s, fold, k, unk, &mine);
			tally_pack(&mine, w);
			size_t len = nw * sizeof *w;
			const char *b = (const char *)w;
			while (!r && len) {
				ssize_t n = write(p[1], b, len);
				if (n <= 0)
					_exit(EXIT_INTERNAL);
				b += n;
				len -= (size_t)n;
			}
			_exit(r);
		}
		close(p[1]);
		pid[started] = c;
		fd[started++] = p[0];
	}
	/* this process takes fold 0 and the folds of workers that did not start */
	for (unsigned k = 0; k < x->folds && !rc; k++)
		if (k % jobs == 0 || k % jobs > started)
			rc = run_fold(x, s, fold, k, unk, t);
	for (unsigned i = 0; i < started; i++) {
		size_t len = nw * sizeof *w, got = 0;
		while (got < len) {
			ssize_t n = read(fd[i], (char *)w + got, len - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		close(fd[i]);
		int st;
		waitpid(pid[i], &st, 0);
		if (got == len)
			tally_add(t, w);
		else if (!rc)
			rc = WIFEXITED(st) && WEXITSTATUS(st) ? WEXITSTATUS(st) : EXIT_INTERNAL;
	}
	free(w);
	return rc;
}

static void report(FILE *f, const struct eval_ctx *x, const struct bh_set *s, const struct tally *t, int unk)
{
	const struct bh_confusion *c = &t->forced;
	double acc = bh_conf_accuracy(c), mf1 = bh_conf_macro_f1(c);
	double rr = t->known ? (double)t->known_rej / (double)t->known : 0;
	double acc_rej = t->known ? (double)t->known_rej_ok / (double)t->known : 0;
	double ur = t->unk ? (double)t->unk_rej / (double)t->unk : 0;
	enum bhcli_fmt fmt = x->b.fmt;
	if (fmt == BHCLI_JSON) {
		fprintf(f, "{\"reports\":%zu,\"folds\":%u,\"accuracy\":%.4f,\"macro_f1\":%.4f,"
			   "\"rejection_rate\":%.4f,\"accuracy_with_rejection\":%.4f,",
			t->known + t->unk, x->folds, acc, mf1, rr, acc_rej);
		if (unk >= 0) {
			fputs("\"unknown_family\":", f);
			json_put_string(f, x->unknown);
			fprintf(f, ",\"unknown_reports\":%zu,\"unknown_rejected\":%.4f,", t->unk, ur);
		}
		fputs("\"families\":[", f);
		for (size_t i = 0, n = 0; i < s->nfam; i++) {
			struct bh_prf p;
			bh_conf_prf(c, i, &p);
			if (!p.support)
				continue;
			fprintf(f, "%s{\"family\":", n++ ? "," : "");
			json_put_string(f, s->fam[i]);
			fprintf(f, ",\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"support\":%zu}", p.p, p.r, p.f1,
				p.support);
		}
		fputs("],\"confusion\":[", f);
		for (size_t i = 0; i < s->nfam; i++) {
			fputs(i ? ",[" : "[", f);
			for (size_t j = 0; j < s->nfam; j++)
				fprintf(f, "%s%zu", j ? "," : "", c->m[i * (c->k + 1) + j]);
			fputc(']', f);
		}
		fputs("]}\n", f);
		return;
	}
	const char *kv = fmt == BHCLI_TSV ? "%s\t%.4f\n" : "%-26s %.4f\n";
	if (fmt == BHCLI_TSV)
		fputs("metric\tvalue\n", f);
	fprintf(f, fmt == BHCLI_TSV ? "%s\t%zu\n" : "%-26s %zu\n", "reports", t->known + t->unk);
	fprintf(f, kv, "accuracy", acc);
	fprintf(f, kv, "macro_f1", mf1);
	fprintf(f, kv, "rejection_rate", rr);
	fprintf(f, kv, "accuracy_with_rejection", acc_rej);
	if (unk >= 0)
		fprintf(f, kv, "unknown_rejected", ur);
	fputc('\n', f);
	fputs(fmt == BHCLI_TSV ? "family\tprecision\trecall\tf1\tsupport\n"
			       : "family                     precision recall  f1      support\n", f);
	for (size_t i = 0; i < s->nfam; i++) {
		struct bh_prf p;
		bh_conf_prf(c, i, &p);
		if (!p.support)
			continue;
		if (fmt == BHCLI_TSV) {
			bhcli_str(f, fmt, s->fam[i]);
			fprintf(f, "\t%.4f\t%.4f\t%.4f\t%zu\n", p.p, p.r, p.f1, p.support);
		} else {
			fprintf(f, "%-26.26s %-9.4f %-7.4f %-7.4f %zu\n", s->fam[i], p.p, p.r, p.f1, p.support);
		}
	}
	fputs(fmt == BHCLI_TSV ? "\ntruth\\predicted" : "\nconfusion (rows truth, columns predicted)\n", f);
	for (size_t j = 0; j < s->nfam; j++) {
		fputc(fmt == BHCLI_TSV ? '\t' : ' ', f);
		if (fmt == BHCLI_TSV)
			bhcli_str(f, fmt, s->fam[j]);
		else
			fprintf(f, "%8.8s", s->fam[j]);
	}
	fputc('\n', f);
	for (size_t i = 0; i < s->nfam; i++) {
		if (fmt == BHCLI_TSV)
			bhcli_str(f, fmt, s->fam[i]);
		else
			fprintf(f, "%-12.12s", s->fam[i]);
		for (size_t j = 0; j < s->nfam; j++)
			fprintf(f, fmt == BHCLI_TSV ? "\t%zu" : " %8zu", c->m[i * (c->k + 1) + j]);
		fputc('\n', f);
	}
}

int cmd_evaluate(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct eval_ctx x = { .folds = 5, .jobs = cpus > 1 ? (unsigned)(cpus < 64 ? cpus : 64) : 1 };
	bhcli_init(&x.b);
	x.t = (struct bh_train_opts){ .cv_folds = 0, .class_weights = true, .reject_q = 0.01 };
	int rc = cli_parse(argc, argv, "evaluate", "[options] INPUT... [--folds K]", evaluate_opts, evaluate_opt, &x,
			   NULL,
			   "  botlens evaluate --folds 5 MalBehavD-V1-dataset.csv\n"
			   "  botlens evaluate --folds 5 --unknown-family ALLAPLE reports/\n");
	if (rc || (rc = bhcli_operands(&x.b, argc, argv, 1, "evaluate"))) {
		bhcli_free(&x.b);
		return rc;
	}
	x.t.seed = x.b.in.embed.seed;
	struct bh_set s;
	bh_set_init(&s);
	int ex = bhcli_read(&x.b, &s);
	int unk = -1;
	if (ex != EXIT_INPUT && x.unknown && (unk = bh_set_family(&s, x.unknown)) < 0) {
		cli_error("no report of family '%s'", x.unknown);
		ex = EXIT_USAGE;
	}
	if (ex == EXIT_OK || ex == EXIT_DAMAGED) {
		struct tally t = { 0 };
		bh_conf_init(&t.forced, s.nfam);
		unsigned *fold = bh_alloc(s.n * sizeof *fold);
		bh_folds(s.y, s.n, x.folds, x.b.in.embed.seed ^ 0xf01d, fold);
		int r = run_folds(&x, &s, fold, unk, &t);
		if (r)
			ex = r;
		FILE *f = ex == EXIT_OK || ex == EXIT_DAMAGED ? cli_open_out(x.b.out) : NULL;
		if (f) {
			report(f, &x, &s, &t, unk);
			int oc = cli_close_out(f, x.b.out);
			ex = oc ? oc : ex;
		} else if (ex == EXIT_OK || ex == EXIT_DAMAGED) {
			ex = EXIT_OUTPUT;
		}
		free(fold);
		bh_conf_free(&t.forced);
	}
	bh_set_free(&s);
	bhcli_free(&x.b);
	return ex;
}
