/*
 * test_util.c - util/line (the capped line reader), util/afile (files
 * written whole or not at all) and util/utf8.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "util/afile.h"
#include "util/line.h"
#include "util/utf8.h"

static void test_line(void)
{
	TEST("line");
	char text[] = "one\n\ntwo\r\nlast";
	FILE *f = fmemopen(text, strlen(text), "r");
	struct line l = { 0 };
	CHECK(line_next(&l, f) == LINE_OK && !strcmp(l.buf, "one") && l.no == 1);
	CHECK(line_next(&l, f) == LINE_OK && !strcmp(l.buf, "") && l.len == 0);
	CHECK(line_next(&l, f) == LINE_OK && !strcmp(l.buf, "two\r"));
	CHECK(line_next(&l, f) == LINE_OK && !strcmp(l.buf, "last") && l.no == 4);
	CHECK(line_next(&l, f) == LINE_EOF);
	fclose(f);
	line_free(&l);

	TEST("line-cap");
	char longer[64];
	memset(longer, 'x', sizeof longer);
	f = fmemopen(longer, sizeof longer, "r");
	l = (struct line){ .max = 16 };
	CHECK(line_next(&l, f) == LINE_TOOLONG);
	CHECK(l.cap <= 17);  /* memory bounded by the cap */
	char err[64];
	line_error(&l, LINE_TOOLONG, err, sizeof err);
	CHECK_STR(err, "line 1 longer than 16 bytes");
	fclose(f);
	line_free(&l);
	char exact[] = "0123456789abcdef\n";  /* exactly max bytes: accepted */
	f = fmemopen(exact, strlen(exact), "r");
	l = (struct line){ .max = 16 };
	CHECK(line_next(&l, f) == LINE_OK && l.len == 16);
	fclose(f);
	line_free(&l);
	l = (struct line){ .max = 1 << 20, .no = 0 };
	line_error(&l, LINE_TOOLONG, err, sizeof err);
	CHECK_STR(err, "line 0 longer than 1 MiB");
}

static void test_afile(void)
{
	TEST("afile");
	char dir[] = "/tmp/test_util.XXXXXX", path[64];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/out.txt", dir);
	struct afile a;
	FILE *f = afile_open(&a, path);
	CHECK(f != NULL && a.tmp != NULL);
	fputs("new", f);
	struct stat st;
	CHECK(stat(path, &st) != 0);  /* nothing at the target until the commit */
	CHECK(afile_commit(&a, f) == 0);
	CHECK(stat(path, &st) == 0 && st.st_size == 3);
	f = afile_open(&a, path);
	fputs("half-written", f);
	afile_abort(&a, f);  /* the old contents stay */
	CHECK(stat(path, &st) == 0 && st.st_size == 3);
	f = afile_open(&a, "/dev/full");  /* a device: in place, the error comes at the commit */
	CHECK(f != NULL && a.tmp == NULL);
	fputs("x", f);
	errno = 0;
	CHECK(afile_commit(&a, f) == -1 && errno == ENOSPC);
	snprintf(path, sizeof path, "%s/no/such/dir", dir);
	CHECK(afile_open(&a, path) == NULL && errno == ENOENT);
	snprintf(path, sizeof path, "%s/out.txt", dir);
	unlink(path);
	CHECK(rmdir(dir) == 0);  /* no temporary file left behind */
}

static void test_utf8(void)
{
	TEST("utf8");
	CHECK(utf8_seq((const unsigned char *)"a", 1) == 1);
	CHECK(utf8_seq((const unsigned char *)"\xc3\xa9", 2) == 2);
	CHECK(utf8_seq((const unsigned char *)"\xc3\xa9", 1) == 0);     /* cut */
	CHECK(utf8_seq((const unsigned char *)"\xc0\xaf", 2) == 0);     /* overlong '/' */
	CHECK(utf8_seq((const unsigned char *)"\xe0\x80\xaf", 3) == 0); /* overlong */
	CHECK(utf8_seq((const unsigned char *)"\xed\xa0\x80", 3) == 0); /* surrogate */
	CHECK(utf8_seq((const unsigned char *)"\xf4\x8f\xbf\xbf", 4) == 4);
	CHECK(utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4) == 0);  /* beyond U+10FFFF */
	CHECK(utf8_seq((const unsigned char *)"\xff", 1) == 0);
	char *s = utf8_fix("caf\xe9!");
	CHECK_STR(s, "caf\xef\xbf\xbd!");
	free(s);
}

int main(void)
{
	test_line();
	test_afile();
	test_utf8();
	return harness_report("util");
}
