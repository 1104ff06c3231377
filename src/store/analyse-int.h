/*
 * analyse-int.h - what analyse.c (captures) and analyse_bh.c (behavior
 * reports, clusters) share: writing result files and outcome.json.
 */
#ifndef BOTLENS_ANALYSE_INT_H
#define BOTLENS_ANALYSE_INT_H

#include <stdbool.h>
#include <stdio.h>

struct json_object;

/* What the child found; becomes outcome.json (worker.h). */
struct an_outcome {
	struct json_object *results;  /* array of { name, ctype } */
	struct json_object *terms;    /* array of { kind, value } */
	char family[64];              /* "" none; a copy (the model is freed first) */
	double score;
	char kinds[256];
	unsigned hosts;
	bool flows;                   /* flows.store.tsv written */
};

/* Opens outdir/name for writing ("w", close-on-exec); NULL with err. */
FILE *an_open(const char *outdir, const char *name, char *err, size_t errlen);
/* Closes f, checking every write; -1 with err naming the file. */
int an_close(FILE *f, const char *name, char *err, size_t errlen);
/* Lists a written result in o (the ctype comes from the worker's table). */
void an_result(struct an_outcome *o, const char *name);
void an_term(struct an_outcome *o, const char *kind, const char *value);
void an_outcome_init(struct an_outcome *o);
void an_outcome_free(struct an_outcome *o);
/* Writes outdir/outcome.json (temporary file and rename). */
int an_outcome_write(const struct an_outcome *o, const char *outdir, char *err, size_t errlen);
/* Replaces the private path in a reader's message by the display name. */
void an_err_name(char *err, size_t errlen, const char *path, const char *name);

/* A capture's network profile classified when the model has network
 * families (classify.json, family, score); 0 also when it has none. */
int an_capture_class(const char *path, const char *name, const char *model, const char *outdir,
		     struct an_outcome *o, char *err, size_t errlen);
int an_report(const char *path, const char *name, const char *model, const char *outdir, char *err, size_t errlen);

#endif
