/*
 * annots.h - the report -> plot annotations rule, once for `botlens plot
 * --annotate explain` and the HTML report's plot: each malicious behavior
 * of a host is a phase, marked where it starts by a narrow time band
 * (1/150 of the run) labelled with its kind; the three most notable
 * endpoints are points at their first contact, labelled with their
 * address.
 */
#ifndef BOTLENS_ANNOTS_H
#define BOTLENS_ANNOTS_H

#include <stdbool.h>

#include "analysis/points.h"
#include "analysis/report.h"

#define ANNOTS_NOTABLE 3

/* The port at which to mark notable endpoint nt (0: the bottom axis). */
typedef unsigned (*annots_port_fn)(void *ctx, const struct rp_notable *nt);

/* A port finder for callers with no per-address contacts: the port of
 * the first of host h's points (ctx) at or after nt's first contact. */
unsigned annots_port_by_time(void *ctx, const struct rp_notable *nt);

/*
 * Appends host h's phases and notable endpoints to out (span: the run's
 * duration in s; with_org: label endpoints "address · organisation" when
 * the organisation is known).  Returns 0, or -1 out of memory (out keeps
 * what was appended).
 */
int annots_report(const struct rp_host *h, double span, bool with_org, annots_port_fn port, void *ctx,
		  struct plot_annots *out);

#endif
