/*
 * fuzz_snapshot.c - libFuzzer harness for the crawl snapshot reader
 * (p2p/size.c, size_analyse without truth).  Input: JSON lines as
 * `botnet-size` reads them.  Indices and counts in the records must never
 * cost more memory than the input holds.
 */
#include "p2p/p2p.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");
	if (!f)
		return 0;
	if (!size)
		fgetc(f);
	char err[512];
	struct size_report r;
	if (size_analyse(f, NULL, &r, err, sizeof err) == 0)
		size_report_free(&r);
	else
		size_report_free(&r);
	fclose(f);
	return 0;
}
