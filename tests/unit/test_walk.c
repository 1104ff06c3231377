/*
 * test_walk.c - the directory walker (util/walk.c): sorted order, hidden
 * entries skipped, a symbolic link back to a directory walked once (no
 * hang, no file twice), FIFOs and broken links as notes, a missing root
 * as an errno, stopping from the callback.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "util/walk.h"

struct seen {
	char log[4096];
	size_t len;
	int files, notes, errors, stop_after;
};

static bool on(void *ctx, enum walk_kind k, const char *path, const char *msg)
{
	struct seen *s = ctx;
	const char *base = strrchr(path, '/');
	static const char tag[] = { 'F', 'N', 'E' };
	s->len += (size_t)snprintf(s->log + s->len, sizeof s->log - s->len, "%c:%s ", tag[k], base ? base + 1 : path);
	s->files += k == WALK_FILE;
	s->notes += k == WALK_NOTE;
	s->errors += k == WALK_ERROR;
	return !(s->stop_after && s->files >= s->stop_after);
}

static void touch(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f)
		fclose(f);
}

int main(void)
{
	char root[] = "/tmp/botlens-walk-XXXXXX", p[512], q[512];
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(p, sizeof p, "%s/sub", root);
	mkdir(p, 0755);
	touch(root, "b.pcap");
	touch(root, "a.pcap");
	touch(root, ".hidden");
	touch(p, "c.pcap");
	snprintf(q, sizeof q, "%s/la", root);
	(void)!symlink(".", q);
	snprintf(q, sizeof q, "%s/lb", root);
	(void)!symlink(".", q);
	snprintf(q, sizeof q, "%s/sub/up", root);
	(void)!symlink("..", q);
	snprintf(q, sizeof q, "%s/zz-broken", root);
	(void)!symlink("nowhere", q);
	snprintf(q, sizeof q, "%s/fifo", root);
	mkfifo(q, 0600);

	TEST("walk: order, loops, notes");
	struct seen s = { 0 };
	CHECK(walk_dir(root, on, &s) == 0);
	CHECK_STR(s.log, "F:a.pcap F:b.pcap N:fifo N:la N:lb F:c.pcap N:up N:zz-broken ");
	CHECK(s.files == 3 && s.notes == 5 && s.errors == 0);

	TEST("walk: stop");
	struct seen t = { .stop_after = 1 };
	CHECK(walk_dir(root, on, &t) == -1);
	CHECK(t.files == 1);

	TEST("walk: missing root");
	struct seen u = { 0 };
	snprintf(q, sizeof q, "%s/none", root);
	CHECK(walk_dir(q, on, &u) == ENOENT);
	CHECK(u.len == 0);

	if (geteuid() != 0) {   /* root reads every directory */
		TEST("walk: unreadable subdirectory");
		chmod(p, 0);
		struct seen v = { 0 };
		CHECK(walk_dir(root, on, &v) == 0);
		CHECK(v.errors == 1 && v.files == 2);
		chmod(p, 0755);
	}
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	(void)!system(cmd);
	return harness_report("walk");
}
