/*
 * par.c - util/par.h's parallel for with a thread budget, and the
 * per-thread rand() that makes LIBLINEAR trainings on several threads
 * give the same models as one after another.
 *
 * LIBLINEAR's dual solver shuffles with the C library's rand(), whose
 * state is global: two trainings on two threads would draw from one
 * sequence in a racy order.  rand() and srand() are therefore defined
 * here with a state per thread (glibc's own generator, random_r with a
 * 128-byte TYPE_3 state, which is what rand() uses, so the sequence
 * after srand(s) is glibc's); being defined in the executable they take
 * precedence over the C library's for liblinear.so too.  Every training
 * calls srand(seed) first (svm.c), so a model does not depend on the
 * thread it was trained on, nor on the number of threads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "behavior/behavior.h"
#include "util/par.h"

static _Thread_local struct random_data rand_data;
static _Thread_local char rand_state[128];
static _Thread_local int rand_ready;

void srand(unsigned seed)
{
	if (!rand_ready) {
		memset(&rand_data, 0, sizeof rand_data);
		initstate_r(seed, rand_state, sizeof rand_state, &rand_data);
		rand_ready = 1;
	} else {
		srandom_r(seed, &rand_data);
	}
}

int rand(void)
{
	if (!rand_ready)
		srand(1);   /* the C library's state before any srand() */
	int32_t r;
	random_r(&rand_data, &r);
	return (int)r;
}

void bh_par_for(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
	if (threads > 1) {
		par_for(n, fn, ctx);   /* util/par.h: up to PAR_MAX threads, no more than the CPUs */
		return;
	}
	for (size_t i = 0; i < n; i++)
		fn(ctx, i);
}
