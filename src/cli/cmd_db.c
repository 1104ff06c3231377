/*
 * cmd_db.c - `botlens db migrate --db LOCATION`: brings a store's schema
 * to this botlens's version (store_migrate: versioned migrations, each
 * applied once, in one transaction).  A fresh store is migrated when first
 * opened; an older one only on purpose, here.
 */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

enum { DB_LOCATION = 300 };

static const struct cli_opt db_opts[] = {
	{ "db", 0, "LOCATION", "the store: a data directory (default botlens-data) or postgresql://...", DB_LOCATION },
	{ 0 },
};

static const char db_examples[] =
	"  botlens db migrate --db botlens-data\n"
	"  botlens db migrate --db 'postgresql://botlens@dbhost/botlens'\n";

static int db_cb(void *ctx, int id, const char *arg)
{
	if (id != DB_LOCATION)
		return EXIT_INTERNAL;
	*(const char **)ctx = arg;
	return 0;
}

int cmd_db(int argc, char **argv)
{
	const char *loc = "botlens-data";
	char err[512];
	struct store *s;
	int rc, from = 0;

	if (argc < 2 || (strcmp(argv[1], "migrate") && argv[1][0] != '-')) {
		if (argc < 2)
			cli_error("db: which action?");
		else
			cli_error("'%s' is not a db action", argv[1]);
		cli_hint("use 'botlens db migrate --db LOCATION'");
		return EXIT_USAGE;
	}
	if (argv[1][0] == '-') {   /* botlens db -h */
		rc = cli_parse(argc, argv, "db", "migrate [--db LOCATION]", db_opts, db_cb, &loc, NULL, db_examples);
		if (rc)
			return rc;
		cli_error("db: which action?");
		cli_hint("use 'botlens db migrate --db LOCATION'");
		return EXIT_USAGE;
	}
	rc = cli_parse(argc - 1, argv + 1, "db migrate", "[--db LOCATION]", db_opts, db_cb, &loc, NULL, db_examples);
	if (rc || (rc = cli_no_operands(argc - 1, argv + 1, "db migrate")))
		return rc;
	s = store_open_migrate(loc, err, sizeof err);
	if (!s) {
		cli_error("%s", err);
		return EXIT_INPUT;
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
