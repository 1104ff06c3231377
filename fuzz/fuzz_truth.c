/*
 * fuzz_truth.c - libFuzzer harness for the simulator's truth file reader
 * (p2p/size.c, size_analyse with truth).  Input: the truth file (JSON
 * lines); the crawl snapshots are a fixed valid pair of crawls, so the
 * truth is compared against real records.
 */
#include "p2p/p2p.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char crawls[] =
	"{\"type\":\"crawl\",\"crawl\":0,\"start\":0,\"end\":10}\n"
	"{\"addr\":\"127.77.0.1\",\"port\":4662,\"crawl\":0,\"responsive\":true,\"probes\":[1.5],"
	"\"id\":\"00112233445566778899aabbccddeeff\"}\n"
	"{\"addr\":\"127.77.0.2\",\"port\":4662,\"crawl\":0,\"responsive\":false,\"probes\":[2.0,3.0]}\n"
	"{\"type\":\"crawl\",\"crawl\":1,\"start\":20,\"end\":30}\n"
	"{\"addr\":\"127.77.0.1\",\"port\":4662,\"crawl\":1,\"responsive\":true,\"probes\":[21.0]}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *c = fmemopen((void *)crawls, strlen(crawls), "r");
	FILE *t = fmemopen((void *)data, size ? size : 1, "r");
	if (!c || !t)
		abort();
	if (!size)
		fgetc(t);
	char err[512];
	struct size_report r;
	size_analyse(c, t, &r, err, sizeof err);
	size_report_free(&r);
	fclose(c);
	fclose(t);
	return 0;
}
