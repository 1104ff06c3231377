/*
 * bhcli.h - the part shared by the behavior subcommands (learn, classify,
 * explain, cluster, evaluate): their common options, reading inputs with
 * errors reported per file, and output formats.  Command-line glue over
 * behavior/behavior.h, implemented in cli/cmd_learn.c (it prints); the
 * behavior layer itself never includes cli/.
 */
#ifndef BOTLENS_CLI_BHCLI_H
#define BOTLENS_CLI_BHCLI_H

#include "behavior/behavior.h"
#include "cli/cli.h"
#include "render/behavior_out.h"


/* Option ids of the common rows (>= 256: cli_parse reads smaller ids as letters). */
enum {
	BHO_N = 400, BHO_LEVEL, BHO_WEIGHT, BHO_SEED, BHO_INFMT, BHO_LABELS, BHO_FORMAT, BHO_OUT,
	BHO_QUIET, BHO_NETWORK, BHO_C, BHO_CV, BHO_REJECT, BHO_PROTOS, BHO_NOWEIGHTS,
};

#define BHCLI_EMBED_OPTS                                                                                     \
	{ "ngram", 'n', "N", "n-gram length, 1-8 (default 2, chosen by cross-validation on MalBehavD-V1)", BHO_N }, \
	{ "level", 0, "L", "argument level: 1 = operations only (default), 2 = + first argument, 3 = + all (not text or csv)", BHO_LEVEL }, \
	{ "weight", 0, "W", "binary (default), count or tfidf; vectors are L2-normalised", BHO_WEIGHT },              \
	{ "seed", 0, "S", "hashing and fold seed (default 0)", BHO_SEED },                                          \
	{ "network", 0, NULL, "Cuckoo: add events from the report's network section", BHO_NETWORK }
#define BHCLI_INPUT_OPTS                                                                                     \
	{ "input-format", 0, "F", "auto (default), cuckoo (also CAPE), mist, text or csv (MalBehavD-V1)", BHO_INFMT }, \
	{ "labels", 'l', "FILE", "labels file, 'name<TAB>family' per line (default: name suffix, x.FAMILY)", BHO_LABELS }
#define BHCLI_OUT_OPTS                                                                                       \
	{ "format", 0, "FMT", "text (default), tsv or json", BHO_FORMAT },                                        \
	{ "output", 'o', "FILE", "write to FILE instead of standard output", BHO_OUT },                             \
	{ "quiet", 'q', NULL, "no warnings for skipped reports", BHO_QUIET }

struct bhcli {
	struct bh_input_opts in;
	struct bh_labels labels;
	bool have_labels;
	enum bh_outfmt fmt;
	const char *out;
	bool quiet;
	bool embed_set;       /* --ngram/--level/--weight/--seed given */
	char **files;
	int nfiles;
};

void bhcli_init(struct bhcli *b);
void bhcli_free(struct bhcli *b);
/* Handles a common option: 0 done, an exit code on error, -1 not a common option. */
int bhcli_opt(struct bhcli *b, int id, const char *arg);
/* Takes argv[optind..] as the input operands; EXIT_USAGE if none and need. */
int bhcli_operands(struct bhcli *b, int argc, char **argv, int need, const char *cmd);
/* Reads every input into set; prints one line per unreadable report.
 * Returns EXIT_OK, EXIT_DAMAGED (some reports skipped) or EXIT_INPUT (none read). */
int bhcli_read(struct bhcli *b, struct bh_set *set);
/* Parses a number in [lo, hi]; prints the error and returns false when invalid. */
bool bhcli_num(const char *opt, const char *arg, double lo, double hi, double *out);
/* learn's training procedure (evaluate runs the same inside each fold):
 * C by 3-fold cross-validation, class weights, a 5 % false-rejection
 * budget, 32 prototypes per family; the seed from the embedding. */
void bhcli_train_defaults(struct bh_train_opts *t);
/* The options learn and evaluate share for that procedure (ids BHO_C..BHO_DEDUP). */
#define BHCLI_TRAIN_OPTS                                                                                      \
	{ "C", 'C', "C", "SVM cost (default: chosen by 3-fold cross-validation from 0.1, 1, 10)", BHO_C },         \
	{ "cv-folds", 0, "K", "folds for choosing C and for calibrating rejection, 2-20 (default 3)", BHO_CV },     \
	{ "reject", 0, "Q", "rejection budget: share of known reports that may be rejected as unknown, 0-0.5 "    \
	  "(default 0.05; 0 = never reject); the open-set test weighted where families held out in turn are " \
	  "rejected most (doc/behavior.md)", BHO_REJECT },                                                  \
	{ "prototypes", 0, "N", "prototypes per family for the distance and novelty tests, 0-1000 (default 32; " \
	  "0 = neither)", \
	  BHO_PROTOS },                                                                                            \
	{ "no-class-weights", 0, NULL, "do not weight classes by their inverse frequency", BHO_NOWEIGHTS }
/* Handles a BHCLI_TRAIN_OPTS option: 0, an exit code, or -1 when id is not one. */
int bhcli_train_opt(struct bh_train_opts *t, int id, const char *arg);
/* Finds exact duplicate reports (bh_dups_find), prints one line about them
 * unless there are none or quiet, and drops them when drop.  Returns the
 * number of reports dropped. */
size_t bhcli_dups(const struct bhcli *b, struct bh_set *s, bool drop, const char *how);
/* Opens and loads a model (cmd_classify.c), printing the error; 0 or an exit code. */
int behavior_load_model(const char *path, struct bh_model *m);

#endif
