/*
 * fuzz_model.c - libFuzzer harness for the behavior model reader
 * (behavior/model.c, bh_model_load).  Input: a model file.  A model that
 * loads must save and load again (the writer's output is always readable).
 * The declared counts must never cost more memory than the input holds
 * (libFuzzer's -rss_limit_mb catches a regression).
 */
#include "behavior/behavior.h"

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
	char err[256];
	struct bh_model m;
	if (bh_model_load(&m, f, err, sizeof err) == 0) {
		char *buf = NULL;
		size_t len = 0;
		FILE *o = open_memstream(&buf, &len);
		if (o && bh_model_save(&m, o) == 0 && fflush(o) == 0) {
			FILE *back = fmemopen(buf, len, "r");
			struct bh_model m2;
			if (!back || bh_model_load(&m2, back, err, sizeof err) != 0)
				abort();  /* what the writer wrote must read back */
			if (m2.nfeat != m.nfeat || m2.nfam != m.nfam)
				abort();
			bh_model_free(&m2);
			fclose(back);
		}
		if (o)
			fclose(o);
		free(buf);
		bh_model_free(&m);
	}
	fclose(f);
	return 0;
}
