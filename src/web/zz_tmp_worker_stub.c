/* TEMPORARY, never committed: a minimal worker until wt-store's worker.c lands */
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "store/store.h"
#include "store/worker.h"
struct workers { struct worker_cfg cfg; pthread_t t[8]; unsigned n; volatile int stop; };
static void one(struct workers *W, struct store *s, struct store_job *j, int k)
{
	struct store_run run;
	char dir[256], path[300], err[512] = "", ef[300];
	if (store_run_get(s, j->run_id, &run) != 1) { store_job_fail(s, j, "no run", 3); return; }
	snprintf(dir, sizeof dir, "/tmp/zzw.%d.%d.%lld", getpid(), k, (long long)j->id);
	char cmd[400]; snprintf(cmd, sizeof cmd, "rm -rf %s; mkdir -p %s/out", dir, dir); system(cmd);
	snprintf(path, sizeof path, "%s/in", dir);
	if (store_blob_to_file(s, run.sha, path)) { store_job_fail(s, j, store_error(s), 3); return; }
	snprintf(ef, sizeof ef, "%s/err", dir);
	char out[300]; snprintf(out, sizeof out, "%s/out", dir);
	pid_t p = fork();
	if (p == 0) {
		int rc = analyse_run(path, run.type, run.name, W->cfg.model, out, err, sizeof err);
		FILE *f = fopen(ef, "w"); if (f) { fputs(err, f); fclose(f); }
		_exit(rc ? 1 : 0);
	}
	int st; waitpid(p, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		FILE *f = fopen(ef, "r"); if (f) { if (!fgets(err, sizeof err, f)) err[0] = 0; fclose(f); }
		store_job_fail(s, j, err[0] ? err : "crashed", 1);
		goto done;
	}
	char oc[400]; snprintf(oc, sizeof oc, "%s/outcome.json", out);
	json_object *o = json_object_from_file(oc), *v;
	struct store_result res[32]; size_t nr = 0;
	struct store_term terms[4096]; size_t nt = 0;
	json_object *rs = json_object_object_get_ex(o, "results", &v) ? v : NULL;
	for (size_t i = 0; rs && i < json_object_array_length(rs) && nr < 32; i++) {
		json_object *e = json_object_array_get_idx(rs, i), *x;
		memset(&res[nr], 0, sizeof res[nr]);
		json_object_object_get_ex(e, "name", &x); snprintf(res[nr].name, 64, "%s", json_object_get_string(x));
		if (json_object_object_get_ex(e, "ctype", &x)) snprintf(res[nr].ctype, 64, "%s", json_object_get_string(x));
		char fp[400]; snprintf(fp, sizeof fp, "%s/%s", out, res[nr].name);
		if (store_blob_from_file(s, fp, res[nr].sha, &res[nr].size) == 0) nr++;
	}
	json_object *ts = json_object_object_get_ex(o, "terms", &v) ? v : NULL;
	for (size_t i = 0; ts && i < json_object_array_length(ts) && nt < 4096; i++) {
		json_object *e = json_object_array_get_idx(ts, i), *a, *b;
		json_object_object_get_ex(e, "kind", &a); json_object_object_get_ex(e, "value", &b);
		terms[nt].kind = json_object_get_string(a); terms[nt].value = json_object_get_string(b); nt++;
	}
	struct store_outcome oc2 = { .results = res, .nresults = nr, .terms = terms, .nterms = nt };
	if (json_object_object_get_ex(o, "family", &v)) oc2.family = json_object_get_string(v);
	if (json_object_object_get_ex(o, "score", &v)) oc2.score = json_object_get_double(v);
	if (json_object_object_get_ex(o, "kinds", &v)) oc2.kinds = json_object_get_string(v);
	if (json_object_object_get_ex(o, "hosts", &v)) oc2.hosts = (uint32_t)json_object_get_int(v);
	char ft[400];
	if (json_object_object_get_ex(o, "flows_tsv", &v)) { snprintf(ft, sizeof ft, "%s/%s", out, json_object_get_string(v)); oc2.flows_tsv = ft; }
	if (store_job_finish(s, j, &oc2) < 0) fprintf(stderr, "finish: %s\n", store_error(s));
	json_object_put(o);
done:
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir); system(cmd);
}
struct targ { struct workers *W; int k; };
static void *loop(void *a)
{
	struct targ *t = a; struct workers *W = t->W; int k = t->k; free(t);
	char err[256], name[64]; snprintf(name, sizeof name, "tmp:%d:%d", getpid(), k);
	struct store *s = store_open(W->cfg.location, err, sizeof err);
	while (s && !W->stop) {
		struct store_job j;
		int rc = store_job_claim(s, name, 60, &j);
		if (rc == 1) { if (!strcmp(j.kind, "analyse")) one(W, s, &j, k); else store_job_fail(s, &j, "not done by the stub", 1); }
		else store_job_wait(s, 500);
	}
	store_close(s);
	return NULL;
}
struct workers *workers_start(const struct worker_cfg *cfg, char *err, size_t errlen)
{
	(void)err; (void)errlen;
	struct workers *W = calloc(1, sizeof *W); W->cfg = *cfg; W->n = cfg->jobs ? cfg->jobs : 1; if (W->n > 8) W->n = 8;
	for (unsigned i = 0; i < W->n; i++) { struct targ *t = malloc(sizeof *t); t->W = W; t->k = (int)i; pthread_create(&W->t[i], NULL, loop, t); }
	return W;
}
void workers_stop(struct workers *W) { if (!W) return; W->stop = 1; for (unsigned i = 0; i < W->n; i++) pthread_join(W->t[i], NULL); free(W); }
