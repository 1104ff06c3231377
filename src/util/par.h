/*
 * par.h - independent jobs on the machine's cores.
 *
 * par_for(n, fn, ctx) calls fn(ctx, i) once for every i < n, on the
 * calling thread and up to PAR_MAX - 1 helper threads (no more than the
 * CPUs online), each taking the next index as it finishes one.  Returns
 * when all are done.  Jobs must not depend on each other's order; what
 * they write goes to per-index slots, so results stay in index order.
 * Without threads (none can start) the caller runs them all.
 */
#ifndef BOTLENS_PAR_H
#define BOTLENS_PAR_H

#include <stddef.h>

#define PAR_MAX 2

typedef void (*par_fn)(void *ctx, size_t i);

void par_for(size_t n, par_fn fn, void *ctx);

#endif
