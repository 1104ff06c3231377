/*
 * par.c - independent jobs on the machine's cores (see par.h).
 */
#include "util/par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

struct par {
	size_t n;
	par_fn fn;
	void *ctx;
	atomic_size_t next;
};

static void *worker(void *arg)
{
	struct par *p = arg;
	size_t i;
	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		p->fn(p->ctx, i);
	return NULL;
}

void par_for(size_t n, par_fn fn, void *ctx)
{
	struct par p = { .n = n, .fn = fn, .ctx = ctx };
	atomic_init(&p.next, 0);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = n < PAR_MAX ? n : PAR_MAX;
	if (cpus > 0 && (size_t)cpus < want)
		want = (size_t)cpus;
	pthread_t th[PAR_MAX];
	size_t started = 0;
	while (started + 1 < want && pthread_create(&th[started], NULL, worker, &p) == 0)
		started++;
	worker(&p);
	for (size_t k = 0; k < started; k++)
		pthread_join(th[k], NULL);
}
