/*
 * test_par.c - util/par.h: every index exactly once, whatever n.
 */
#include "harness.h"
#include "util/par.h"

#include <stdatomic.h>
#include <stdlib.h>

struct ctx {
	atomic_uint *hits;
	atomic_size_t calls;
};

static void job(void *arg, size_t i)
{
	struct ctx *c = arg;
	atomic_fetch_add(&c->hits[i], 1);
	atomic_fetch_add(&c->calls, 1);
}

static void run(size_t n)
{
	struct ctx c = { .hits = calloc(n ? n : 1, sizeof *c.hits) };
	atomic_init(&c.calls, 0);
	par_for(n, job, &c);
	size_t once = 0;
	for (size_t i = 0; i < n; i++)
		once += atomic_load(&c.hits[i]) == 1;
	CHECK(once == n);
	CHECK(atomic_load(&c.calls) == n);
	free(c.hits);
}

int main(void)
{
	TEST("par-every-index-once");
	run(0);
	run(1);
	run(2);
	run(3);
	run(1000);
	return harness_report("par");
}
