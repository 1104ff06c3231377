/*
 * fuzz_cstate.c - libFuzzer harness for the incremental cluster state
 * reader (behavior/cluster.c, bh_cstate_load).  Input: a state file.  A
 * state that loads must save and load again with the same counts.
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
	struct bh_cstate st;
	if (bh_cstate_load(&st, f, err, sizeof err) == 0) {
		char *buf = NULL;
		size_t len = 0;
		FILE *o = open_memstream(&buf, &len);
		if (o && bh_cstate_save(&st, o) == 0 && fflush(o) == 0) {
			FILE *back = fmemopen(buf, len, "r");
			struct bh_cstate st2;
			if (!back || bh_cstate_load(&st2, back, err, sizeof err) != 0)
				abort();  /* what the writer wrote must read back */
			if (st2.nproto != st.nproto || st2.npending != st.npending)
				abort();
			bh_cstate_free(&st2);
			fclose(back);
		}
		if (o)
			fclose(o);
		free(buf);
		bh_cstate_free(&st);
	}
	fclose(f);
	return 0;
}
