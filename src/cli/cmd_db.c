/*
 * cmd_db.c - store maintenance without the web server:
 *   botlens db migrate --db LOCATION   brings a store's schema to this
 *       botlens's version (store_migrate: versioned migrations, each applied
 *       once, in one transaction).  A fresh store is migrated when first
 *       opened; an older one only on purpose, here;
 *   botlens db add --db LOCATION FILE...   adds files as runs, as an upload
 *       does (blob, run, its "analyse" job), for batch imports and tests.
 */
#include <getopt.h>
#include <libgen.h>
#include <string.h>
#include <time.h>

#include "capture/capture.h"
#include "cli/cli.h"
#include "store/store.h"

enum { DB_LOCATION = 300, DB_LABEL, DB_TAGS };

struct db_cli {
	const char *loc, *label, *tags;
};

static const struct cli_opt db_opts[] = {
	{ "db", 0, "LOCATION", "the store: a data directory (default botlens-data) or postgresql://...", DB_LOCATION },
	{ "label", 0, "LABEL", "add: the runs' label", DB_LABEL },
	{ "tags", 0, "WORDS", "add: the runs' tags, space-separated", DB_TAGS },
	{ 0 },
};

static const char db_examples[] =
	"  botlens db migrate --db botlens-data\n"
	"  botlens db migrate --db 'postgresql://botlens@dbhost/botlens'\n"
	"  botlens db add --db 'postgresql://botlens@dbhost/botlens' --tags batch7 runs/*.pcap\n";

static int db_cb(void *ctx, int id, const char *arg)
{
	struct db_cli *c = ctx;

	switch (id) {
	case DB_LOCATION: c->loc = arg; return 0;
	case DB_LABEL: c->label = arg; return 0;
	case DB_TAGS: c->tags = arg; return 0;
	}
	return EXIT_INTERNAL;
}

/* A capture when the capture reader opens it (pcap, pcapng, gzip of either), else a behavior report. */
static int file_type(const char *path, char *err, size_t errlen)
{
	struct cap *c;
	struct cap_open_opts o = { .reader = CAP_READER_NATIVE };
	int rc = cap_open(&c, path, &o, err, errlen);

	if (rc == CAP_OK) {
		cap_close(c);
		return STORE_RUN_CAPTURE;
	}
	return rc == CAP_EFORMAT ? STORE_RUN_REPORT : -1;
}

static void copy_field(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* Adds each operand as a run; prints "run ID SHA NAME new|existing". */
static int db_add(struct store *s, const struct db_cli *c, int argc, char **argv)
{
	int rc = EXIT_OK;

	if (optind >= argc) {
		cli_error("db add: no files given");
		cli_hint("use 'botlens db add --db LOCATION FILE...'");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct store_run run = { .submitted = (int64_t)time(NULL) };
		char err[512], path[4096];
		int64_t id;
		bool existed;

		run.type = file_type(argv[i], err, sizeof err);
		if (run.type < 0) {
			cli_error("%s", err);
			rc = EXIT_INPUT;
			continue;
		}
		snprintf(path, sizeof path, "%s", argv[i]);
		copy_field(run.name, sizeof run.name, basename(path));
		copy_field(run.label, sizeof run.label, c->label);
		copy_field(run.tags, sizeof run.tags, c->tags);
		if (store_blob_from_file(s, argv[i], run.sha, &run.size) < 0 ||
		    store_run_add(s, &run, &id, &existed) < 0) {
			cli_error("%s", store_error(s));
			return EXIT_INTERNAL;
		}
		printf("run %lld %s %s %s\n", (long long)id, run.sha, run.name, existed ? "existing" : "new");
	}
	return rc;
}

int cmd_db(int argc, char **argv)
{
	struct db_cli c = { .loc = "botlens-data" };
	char err[512];
	struct store *s;
	int rc, from = 0;
	bool add = argc >= 2 && !strcmp(argv[1], "add");

	if (argc < 2 || (strcmp(argv[1], "migrate") && !add && argv[1][0] != '-')) {
		if (argc < 2)
			cli_error("db: which action?");
		else
			cli_error("'%s' is not a db action", argv[1]);
		cli_hint("use 'botlens db migrate|add --db LOCATION'");
		return EXIT_USAGE;
	}
	if (argv[1][0] == '-') {   /* botlens db -h */
		rc = cli_parse(argc, argv, "db", "migrate [--db LOCATION] | add [--db LOCATION] [--label L] [--tags T] FILE...",
			       db_opts, db_cb, &c, NULL, db_examples);
		if (rc)
			return rc;
		cli_error("db: which action?");
		cli_hint("use 'botlens db migrate --db LOCATION'");
		return EXIT_USAGE;
	}
	rc = cli_parse(argc - 1, argv + 1, add ? "db add" : "db migrate",
		       add ? "[--db LOCATION] [--label L] [--tags T] FILE..." : "[--db LOCATION]", db_opts, db_cb, &c,
		       NULL, db_examples);
	if (rc || (!add && (rc = cli_no_operands(argc - 1, argv + 1, "db migrate"))))
		return rc;
	s = add ? store_open(c.loc, err, sizeof err) : store_open_migrate(c.loc, err, sizeof err);
	if (!s) {
		cli_error("%s", err);
		return EXIT_INPUT;
	}
	if (add) {
		rc = db_add(s, &c, argc - 1, argv + 1);
		store_close(s);
		return rc;
	}
	if (store_migrate(s, &from) < 0) {
		cli_error("%s", store_error(s));
		store_close(s);
		return EXIT_INTERNAL;
	}
	if (from == STORE_SCHEMA_VERSION)
		printf("%s store: schema version %d, up to date\n", store_backend(s), from);
	else
		printf("%s store: schema version %d -> %d\n", store_backend(s), from, STORE_SCHEMA_VERSION);
	store_close(s);
	return EXIT_OK;
}
