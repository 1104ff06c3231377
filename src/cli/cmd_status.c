/*
 * cmd_status.c - `botlens status --db LOCATION [--format text|json]`: the
 * state of a store's job queue (store_stats): runs, jobs queued, running,
 * done and failed, jobs done in the last minute, failed attempts, and the
 * running jobs of each worker.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/utf8.h"

enum { ST_LOCATION = 300, ST_FORMAT };

struct status_cli {
	const char *loc;
	int fmt;
};

static const struct cli_opt status_opts[] = {
	{ "db", 0, "LOCATION", "the store: a data directory (default botlens-data) or postgresql://...", ST_LOCATION },
	{ "format", 0, "FMT", "text (default) or json", ST_FORMAT },
	{ 0 },
};

static const char status_examples[] =
	"  botlens status --db 'postgresql://botlens@dbhost/botlens'\n"
	"  botlens status --db botlens-data --format json\n";

static int status_cb(void *ctx, int id, const char *arg)
{
	struct status_cli *c = ctx;

	switch (id) {
	case ST_LOCATION: c->loc = arg; return 0;
	case ST_FORMAT:
		c->fmt = cli_format_parse(arg, CLI_FMT(CLI_FMT_TEXT) | CLI_FMT(CLI_FMT_JSON));
		return c->fmt < 0 ? EXIT_USAGE : 0;
	}
	return EXIT_INTERNAL;
}

static void status_text(const char *backend, const struct store_stats *st)
{
	printf("store            %s\n", backend);
	printf("runs             %llu\n", (unsigned long long)st->runs);
	printf("jobs queued      %llu\n", (unsigned long long)st->queued);
	printf("jobs running     %llu\n", (unsigned long long)st->running);
	printf("jobs done        %llu\n", (unsigned long long)st->done);
	printf("jobs failed      %llu\n", (unsigned long long)st->failed);
	printf("jobs per minute  %llu (done in the last 60 s)\n", (unsigned long long)st->done_last_minute);
	printf("failed attempts  %llu\n", (unsigned long long)st->failed_attempts);
	printf("workers busy     %u\n", st->nworkers);
	for (unsigned i = 0; i < st->nworkers && i < 32; i++)
		printf("  %-40s %u running\n", st->workers[i].worker, st->workers[i].running);
}

static void put_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

static int status_json(const char *backend, const struct store_stats *st)
{
	struct json_object *o = json_object_new_object(), *w = json_object_new_array();

	if (!o || !w) {
		json_object_put(o), json_object_put(w);
		return -1;
	}
	json_object_object_add(o, "store", json_object_new_string(backend));
	put_u64(o, "runs", st->runs);
	put_u64(o, "queued", st->queued);
	put_u64(o, "running", st->running);
	put_u64(o, "done", st->done);
	put_u64(o, "failed", st->failed);
	put_u64(o, "jobs_per_minute", st->done_last_minute);
	put_u64(o, "failed_attempts", st->failed_attempts);
	put_u64(o, "busy_workers", st->nworkers);
	for (unsigned i = 0; i < st->nworkers && i < 32; i++) {
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "worker", utf8_json_string(st->workers[i].worker));
		put_u64(e, "running", st->workers[i].running);
		json_object_array_add(w, e);
	}
	json_object_object_add(o, "workers", w);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	json_object_put(o);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	struct status_cli c = { .loc = "botlens-data", .fmt = CLI_FMT_TEXT };
	struct store_stats st;
	struct store *s;
	char err[512];
	int rc = cli_parse(argc, argv, "status", "[--db LOCATION] [--format text|json]", status_opts, status_cb, &c,
			   NULL, status_examples);

	if (rc || (rc = cli_no_operands(argc, argv, "status")))
		return rc;
	s = store_open(c.loc, err, sizeof err);
	if (!s) {
		cli_error("%s", err);
		return EXIT_INPUT;
	}
	if (store_stats(s, &st) < 0) {
		cli_error("%s", store_error(s));
		store_close(s);
		return EXIT_INTERNAL;
	}
	if (c.fmt == CLI_FMT_JSON ? status_json(store_backend(s), &st) < 0 : (status_text(store_backend(s), &st), 0)) {
		store_close(s);
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	store_close(s);
	return cli_close_out(stdout, NULL);
}
